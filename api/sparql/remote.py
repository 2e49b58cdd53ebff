"""Queries against a store behind a SPARQL endpoint: forwarded over HTTP, cut at their deadline.

When the store is a remote SPARQL 1.1 endpoint (``SYNERGRAPH_STORE=http…``), there are no worker
processes: each query is sent to the endpoint with the client's ``Accept`` ranges, Synergraph's
prefixes and the dataset of the request (the union default graph as the list of named graphs), and
its answer is passed on as the server wrote it, in the format Synergraph negotiated with the client
(asked of the server by its canonical media type). The deadline is the HTTP timeout: at the limit
Synergraph closes the connection and answers with the time-limit error (the server may keep
working until its own limit; operators set one, e.g. ``oxigraph serve --timeout-s``). The result
cap is counted while the answer streams in.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
from synergraph.graph.query_guard import query_form
from synergraph.graph.remote import RemoteEngine, with_prologue

from .negotiation import GRAPH_FORMATS, RESULT_FORMATS, choose
from .workers import (
    NotAcceptable,
    QueryBusy,
    QueryFailed,
    QueryJob,
    QueryResult,
    QueryTimeout,
    ResultTooLarge,
)

__all__ = ["RemoteQueries"]


class RemoteQueries:
    """The query runner for a remote store, with the interface of ``QueryPool``.

    >>> RemoteQueries(RemoteEngine("http://127.0.0.1:7878/query")).idle
    0
    """

    def __init__(self, engine: RemoteEngine, max_queries: int = 16) -> None:
        self.engine, self.max_queries = engine, max_queries
        self.start_seconds: list[float] = []
        self._running = 0
        self._lock = threading.Lock()

    @property
    def running(self) -> int:
        """Queries running now."""
        return self._running

    @property
    def idle(self) -> int:
        """No workers wait: the endpoint's server runs the queries."""
        return 0

    def refresh(self) -> None:
        """Nothing to renew after a write: every query reads the server's current state."""

    def close(self) -> None:
        """Close the connections to the endpoint."""
        self.engine.client.close()

    async def run(self, job: QueryJob, timeout: float, arrived: float | None = None) -> QueryResult:
        """Send ``job`` to the endpoint; give up ``timeout`` seconds after it ``arrived``.

        Raises
        ------
        QueryFailed
            And its kinds, as for the worker pool.
        """
        return await asyncio.to_thread(self._forward, job, timeout, arrived)

    def _forward(self, job: QueryJob, timeout: float, arrived: float | None) -> QueryResult:
        """What :meth:`run` does, blocking (in a thread)."""
        deadline = (time.monotonic() if arrived is None else arrived) + timeout
        params = [("named-graph-uri", g) for g in job.named_graphs]
        params += [("default-graph-uri", g) for g in job.default_graphs]
        if job.union and not job.default_graphs:
            params += self.engine.union_dataset(named=not job.named_graphs)
        formats: dict[str, Any] = GRAPH_FORMATS if query_form(job.query) in ("CONSTRUCT", "DESCRIBE") else RESULT_FORMATS
        chosen = choose(job.accept, formats)
        if chosen is None:
            raise NotAcceptable("Kein annehmbares Format für dieses Ergebnis / no acceptable format; möglich: "
                                + ", ".join(formats))
        accept = next(media for media, fmt in formats.items() if fmt == formats[chosen])  # the canonical name
        text = with_prologue(job.query, job.prefixes, job.base_iri)
        limit = f"Zeitlimit von {timeout:g} s überschritten, Abfrage abgebrochen / query stopped at its time limit of {timeout:g} s"
        with self._lock:
            self._running += 1
        try:
            with self.engine.client.stream(
                    "POST", self.engine.url, content=text.encode("utf-8"), params=params,
                    headers={"Content-Type": "application/sparql-query", "Accept": accept},
                    timeout=httpx.Timeout(max(deadline - time.monotonic(), 0.001))) as response:
                if response.status_code == 406:
                    raise NotAcceptable("Kein annehmbares Format für dieses Ergebnis / no acceptable format")
                if response.status_code == 400:
                    raise QueryFailed(f"Abfrage fehlerhaft / malformed query: {response.read().decode('utf-8', 'replace')[:2000]}")
                if response.status_code >= 300:  # the endpoint's own words help the analyst (e.g. a function it lacks)
                    said = response.read().decode("utf-8", "replace").strip()[:500]
                    raise QueryBusy(f"Der SPARQL-Endpunkt antwortet {response.status_code} / the endpoint answered "
                                    f"{response.status_code}" + (f": {said}" if said else ""))
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > job.max_bytes:
                        raise ResultTooLarge(f"Ergebnis zu groß: mehr als {job.max_bytes} Bytes; bitte mit LIMIT "
                                             f"eingrenzen / result larger than {job.max_bytes} bytes")
                    if time.monotonic() > deadline:
                        raise QueryTimeout(limit)
                media = response.headers.get("content-type", "application/octet-stream").split(";")[0].strip()
                return QueryResult(media, bytes(body))
        except httpx.TimeoutException:
            raise QueryTimeout(limit) from None
        except httpx.HTTPError as error:
            raise QueryBusy(f"Der SPARQL-Endpunkt ist nicht erreichbar / the endpoint is unreachable: {error}") from None
        finally:
            with self._lock:
                self._running -= 1
