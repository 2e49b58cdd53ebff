"""``/metrics``: Prometheus counters of requests, durations, query timeouts, refusals and workers."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["DURATION", "REFUSALS", "REGISTRY", "REQUESTS", "TIMEOUTS", "WORKERS", "measure", "router"]

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


async def measure(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Middleware: count and time every request by its route template (not the raw path)."""
    started = time.perf_counter()
    response = await call_next(request)
    route = request.scope.get("route")
    name = getattr(route, "path", "unmatched")
    REQUESTS.labels(name, request.method, str(response.status_code)).inc()
    DURATION.labels(name).observe(time.perf_counter() - started)
    return response
