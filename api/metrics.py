"""``/metrics``: Prometheus counters of requests, durations, query timeouts, refusals and workers."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DURATION", "REFUSALS", "REGISTRY", "REQUESTS", "TIMEOUTS", "WORKERS", "Measure", "router"]

REGISTRY = CollectorRegistry()
REQUESTS = Counter("synergraph_requests_total", "HTTP requests by route, method and status",
                   ["route", "method", "status"], registry=REGISTRY)
DURATION = Histogram("synergraph_request_seconds", "HTTP request duration by route", ["route"], registry=REGISTRY)
TIMEOUTS = Counter("synergraph_query_timeouts_total", "Queries stopped at their deadline", registry=REGISTRY)
REFUSALS = Counter("synergraph_refusals_total",
                   "Requests refused, by reason (service, token, read-only, size, cors, busy)", ["reason"],
                   registry=REGISTRY)
WORKERS = Gauge("synergraph_query_workers", "Query worker processes by state (busy, idle)", ["state"],
                registry=REGISTRY)

router = APIRouter(tags=["Betrieb"])


@router.get("/metrics", summary="Kennzahlen im Prometheus-Format", response_class=Response)
def metrics(request: Request) -> Response:
    """Anfragen, Dauer, Zeitüberschreitungen, Ablehnungen und Abfrageprozesse seit dem Start."""
    pool = getattr(request.app.state, "query_pool", None)
    if pool is not None:
        WORKERS.labels("busy").set(pool.running)
        WORKERS.labels("idle").set(pool.idle)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


class Measure:
    """ASGI middleware: count and time every request by its route template (not the raw path).

    A plain ASGI wrapper rather than an ``http`` middleware function, which would add a task and a
    stream copy to every request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            # FastAPI puts its route in the scope; a plain endpoint (the SPARQL protocol's) carries the path itself.
            name = getattr(scope.get("route") or scope.get("endpoint"), "path", "unmatched")
            REQUESTS.labels(name, scope["method"], str(status)).inc()
            DURATION.labels(name).observe(time.perf_counter() - started)
