"""Assembles the FastAPI application from its routers; holds no logic of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from synergraph import __version__

from . import findings, health, history_api, importing, metrics, network, pages, rest, write
from .service import Service
from .sparql import description, graph_store, protocol
from .sparql.exchange import QueryQueue
from .sparql.remote import RemoteQueries
from .sparql.tokens import Tokens
from .sparql.workers import Queries, QueryPool

__all__ = ["create_app"]


def create_app(service: Service) -> FastAPI:
    """The application over an opened service.

    >>> import tempfile
    >>> from synergraph.api.settings import Settings
    >>> app = create_app(Service.open(Settings(store=tempfile.mkdtemp(), examples=False)))
    >>> "/health" in app.openapi()["paths"]
    True
    """
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings = service.settings
        pool: Queries
        if service.store.remote is None:
            pool = QueryPool(service.store, max_queries=settings.query_workers, idle_workers=settings.idle_workers)
        else:
            pool = RemoteQueries(service.store.engine, max_queries=settings.query_workers)
        app.state.query_pool = pool
        app.state.query_queue = QueryQueue(settings.query_workers, settings.query_queue)
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
    app.state.tokens = Tokens.parse(service.settings.tokens, service.settings.tokens_file)
    app.add_middleware(metrics.Measure)
    # Queries may come from any allowed origin, never with credentials. Writes are never cross-origin:
    # preflight grants neither PUT/DELETE nor the Authorization header, and the write routes refuse a
    # foreign Origin (api/sparql/update.py).
    app.add_middleware(CORSMiddleware, allow_origins=service.settings.cors_origins, allow_credentials=False,
                       allow_methods=["GET", "POST"], allow_headers=["Accept", "Content-Type"], max_age=600)
    # Routes are matched in the order they are included: the SPARQL protocol, the busiest, first.
    app.router.routes.extend(protocol.routes)
    app.include_router(health.router)
    app.include_router(rest.router)
    app.include_router(rest.search_router)
    app.include_router(findings.router)
    app.include_router(write.router)
    app.include_router(history_api.router)
    app.include_router(network.router)
    app.include_router(importing.router)
    app.include_router(description.router)
    app.include_router(graph_store.router)
    app.include_router(metrics.router)
    app.include_router(pages.map.api_router)
    app.include_router(pages.router)
    describe = app.openapi

    def openapi() -> dict[str, Any]:
        schema = describe()
        schema["paths"] = {**protocol.OPENAPI_PATHS, **schema["paths"]}
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
