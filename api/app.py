"""Assembles the FastAPI application from its routers; holds no logic of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from synergraph.graph.query_pool import QueryPool

from synergraph import __version__

from . import findings, graph_store, health, metrics, pages, rest, sparql
from .service import Service
from .tokens import Tokens

__all__ = ["create_app"]


def create_app(service: Service) -> FastAPI:
    """The application over an opened service.

    >>> import tempfile
    >>> from synergraph.api.settings import Settings
    >>> app = create_app(Service.open(Settings(store=tempfile.mkdtemp(), examples=False)))
    >>> "/health" in [route.path for route in app.routes]
    True
    """
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = QueryPool(service.store, max_workers=service.settings.query_workers)
        app.state.query_pool = pool
        try:
            yield
        finally:
            pool.close()

    app = FastAPI(
        lifespan=lifespan,
        title="Synergraph",
        version=__version__,
        description="Wissensgraph der Zuständigkeiten, Gebiete und Initiativen der öffentlichen Hand.",
    )
    app.state.service = service
    app.state.tokens = Tokens.from_environment()
    app.middleware("http")(metrics.measure)
    # Queries may come from any allowed origin, never with credentials; writes are never cross-origin.
    app.add_middleware(CORSMiddleware, allow_origins=service.settings.cors_origins, allow_credentials=False,
                       allow_methods=["GET", "POST"], allow_headers=["Accept", "Content-Type"])
    app.include_router(health.router)
    app.include_router(rest.router)
    app.include_router(rest.search_router)
    app.include_router(findings.router)
    app.include_router(sparql.router)
    app.include_router(graph_store.router)
    app.include_router(metrics.router)
    app.include_router(pages.router)
    return app
