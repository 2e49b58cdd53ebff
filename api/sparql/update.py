"""Writes: who may write (a bearer token, never cross-origin) and how a write is applied and recorded.

Every accepted write runs in the main process (the only writer of the store), in a thread so the
event loop stays free (the engine releases the GIL while it works), one at a time. The write and
its PROV record (``synergraph.graph.history``) are one update text, so they commit in one
transaction. Afterwards the query workers get a new snapshot.

Writes have no deadline of their own: a thread inside the engine cannot be stopped safely, and
killing the writer would take the service with it. Only holders of an operator's token write.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Sequence

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from synergraph.graph.errors import QuerySyntaxError
from synergraph.graph.history import history_record
from synergraph.graph.query_guard import (
    ServiceRefused,
    append_update,
    check_services,
    load_from_store,
    touched_graphs,
    with_dataset,
)

from ..metrics import REFUSALS
from ..service import Service
from .exchange import problem
from .tokens import Tokens
from .workers import Queries

__all__ = ["apply_update", "authorise_write", "write"]

_WRITES = asyncio.Lock()


def _same_origin(request: Request, origin: str) -> bool:
    own = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
    return origin.rstrip("/").lower() == own.lower()


def authorise_write(request: Request, tokens: Tokens) -> str | JSONResponse:
    """The name of the token allowed to write, or the problem that forbids the write.

    Writes are never cross-origin (403), need a configured token (else 403: read-only), and the
    request's bearer token (missing: 401 with ``WWW-Authenticate``; unknown: 403).
    """
    origin = request.headers.get("origin")
    if origin and not _same_origin(request, origin):
        REFUSALS.labels("cors").inc()
        return problem(403, "Fremder Ursprung", f"Änderungen sind von anderen Ursprüngen ({origin}) nicht erlaubt; "
                       "nur Abfragen gehen quer über Ursprünge (CORS) / writes are never cross-origin")
    if not tokens.configured:
        REFUSALS.labels("read-only").inc()
        return problem(403, "Nur lesbar", "Dieser Dienst ist nur lesbar: der Betrieb hat kein Schreib-Token "
                       "eingerichtet (SYNERGRAPH_TOKENS oder SYNERGRAPH_TOKENS_FILE) / this service is read-only")
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        REFUSALS.labels("token").inc()
        response = problem(401, "Token fehlt", "Änderungen brauchen 'Authorization: Bearer <Token>' / "
                           "writes need a bearer token")
        response.headers["WWW-Authenticate"] = 'Bearer realm="synergraph"'
        return response
    name = tokens.name_of(presented.strip())
    if name is None:
        REFUSALS.labels("token").inc()
        return problem(403, "Token ungültig", "Dieses Token ist nicht eingerichtet / unknown token")
    return name


async def write(service: Service, pool: Queries, text: str, agent: str, operation: str,
                graphs: list[str], base: str | None = None) -> str:
    """Apply ``text`` together with its history record in one transaction; return the activity IRI.
    Relative IRIs of ``text`` resolve against ``base``.

    Raises
    ------
    SyntaxError, OSError, ValueError, RuntimeError
        From the engine; nothing was changed.
    """
    async with _WRITES:
        started = datetime.datetime.now(datetime.UTC)
        activity, record = history_record(operation, agent, graphs, started=started)
        await run_in_threadpool(service.store.update, append_update(text, record), base)
        await run_in_threadpool(pool.refresh)
    return activity


async def apply_update(request: Request, service: Service, pool: Queries, tokens: Tokens, update: str,
                       using: Sequence[str] = (), using_named: Sequence[str] = ()) -> JSONResponse:
    """Check, rewrite (``LOAD`` copies store graphs; the protocol's dataset becomes ``USING``) and
    apply a SPARQL update from ``/sparql``. Relative IRIs resolve against the endpoint's URL."""
    allowed = authorise_write(request, tokens)
    if isinstance(allowed, JSONResponse):
        return allowed
    base = str(request.url.replace(query=""))
    try:
        await run_in_threadpool(check_services, update, service.settings.service_allowlist, True)
        text, sources = load_from_store(with_dataset(update, using, using_named), base)
    except ServiceRefused as refused:
        REFUSALS.labels("service").inc()
        return problem(400, "SERVICE nicht erlaubt", str(refused))
    except ValueError as error:
        return problem(400, "Änderung nicht annehmbar", str(error))
    missing = [g for g in sources if not service.store.has_graph(g)]
    if missing:
        return problem(400, "LOAD ohne Graphen", f"LOAD lädt keine Adressen aus dem Netz, sondern kopiert Graphen "
                       f"des Speichers; <{missing[0]}> ist keiner (LOAD SILENT überspringt das) / LOAD only copies "
                       "graphs of the store")
    try:
        activity = await write(service, pool, text, allowed, update, touched_graphs(update, base), base)
    except SyntaxError as error:
        parsed = QuerySyntaxError.from_parser(error)
        return problem(400, "Änderung fehlerhaft", f"Änderung fehlerhaft / malformed update: {parsed}",
                       line=parsed.line, column=parsed.column)
    except (OSError, RuntimeError, ValueError) as error:
        return problem(400, "Änderung nicht ausführbar", str(error).split("\n")[0])
    return JSONResponse({"status": "ok", "activity": activity})
