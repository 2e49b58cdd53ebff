"""Assembles the FastAPI application from its routers; holds no logic of its own."""

from __future__ import annotations

from fastapi import FastAPI

from synergraph import __version__

from . import health
from . import rest
from .service import Service

__all__ = ["create_app"]


def create_app(service: Service) -> FastAPI:
    """The application over an opened service.

    >>> import tempfile
    >>> from synergraph.api.settings import Settings
    >>> app = create_app(Service.open(Settings(store=tempfile.mkdtemp(), examples=False)))
    >>> "/health" in [route.path for route in app.routes]
    True
    """
    app = FastAPI(
        title="Synergraph",
        version=__version__,
        description="Wissensgraph der Zuständigkeiten, Gebiete und Initiativen der öffentlichen Hand.",
    )
    app.state.service = service
    app.include_router(health.router)
    app.include_router(rest.router)
    app.include_router(rest.search_router)
    return app
