"""Shared needs of the routes, injected with ``Depends`` so a test can swap them."""

from __future__ import annotations

from fastapi import Request

from .service import Service


def get_service(request: Request) -> Service:
    """The service the app was built with."""
    service: Service = request.app.state.service
    return service
