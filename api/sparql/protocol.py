"""``/sparql``: the SPARQL 1.1 Protocol.

Queries by GET (``?query=``), POST form (``query=``) or POST ``application/sparql-query``; updates by
POST ``application/sparql-update`` or form ``update=`` (also at ``/sparql/update``), with a bearer
token. ``default-graph-uri`` / ``named-graph-uri`` and ``FROM`` / ``FROM NAMED`` only name graphs of
the store; nothing is fetched. Without a query, ``GET /sparql`` answers the Service Description.

Every query runs in a worker process with a deadline (``workers``), awaited on the event loop;
answers are written by the engine's serialisers. Errors are problem documents: 400 malformed (with line and column), SERVICE
not allowed, query and update together; 401/403 writes without or with a wrong token, on a read-only
service, or cross-origin; 406 no acceptable format; 413 body or result too large; 415 unsupported
media type; 503 time limit reached (naming it) or all query slots taken.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, quote

from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from synergraph.graph.namespaces import PREFIXES
from synergraph.graph.query_guard import ServiceRefused, check_services, names_dataset

from ..dependencies import get_service
from ..metrics import REFUSALS, TIMEOUTS
from ..service import Service
from .description import service_description
from .exchange import BodyTooLarge, get_pool, get_queue, get_tokens, problem, read_body
from .negotiation import GRAPH_FORMATS, RESULT_FORMATS, SHORT_FORMATS, accept_ranges
from .update import apply_update
from .workers import QueryBusy, QueryFailed, QueryJob, Queries, QueryTimeout

__all__ = ["OPENAPI_PATHS", "SparqlEndpoint", "routes"]

_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"
_IRI_SAFE = ":/?#[]@!$&'()*+,;=%~"  # an IRI's delimiters stay; other characters are percent-encoded for the header


def _inspect(query: str, allowlist: list[str]) -> bool:
    """Refuse SERVICE calls that are not allowed; say whether the query names its own dataset (FROM)."""
    check_services(query, allowlist)
    return names_dataset(query)


async def answer_query(request: Request, service: Service, pool: Queries, query: str,
                       fields: dict[str, list[str]]) -> Response:
    """Check a query, run it in a worker and answer with the negotiated serialisation."""
    settings = service.settings
    try:
        ranges = accept_ranges(request.headers.get("accept"), (fields.get("format") or [None])[0])
    except ValueError as error:
        return problem(400, "Unbekanntes Format", str(error))
    limit = settings.query_timeout
    if fields.get("timeout"):
        try:
            asked = float(fields["timeout"][0])
        except ValueError:
            asked = 0.0
        if not asked > 0:
            return problem(400, "Ungültiges Zeitlimit", "timeout= ist eine Zahl von Sekunden größer als 0 / "
                           "timeout= takes seconds > 0")
        limit = min(asked, limit)
    try:
        # Without the word SERVICE the check is a quick scan; rdflib's parser (slow on long texts) runs
        # only when it appears, and then off the event loop.
        if "service" in query.lower():
            own_dataset = await run_in_threadpool(_inspect, query, settings.service_allowlist)
        else:
            own_dataset = _inspect(query, settings.service_allowlist)
    except ServiceRefused as refused:
        REFUSALS.labels("service").inc()
        return problem(400, "SERVICE nicht erlaubt", str(refused))
    default_graphs = tuple(fields.get("default-graph-uri", []))
    named_graphs = tuple(fields.get("named-graph-uri", []))
    union = settings.union_default_graph and not default_graphs and not own_dataset
    job = QueryJob(query=query, accept=ranges, union=union, default_graphs=default_graphs,
                   named_graphs=named_graphs, prefixes=PREFIXES, max_bytes=settings.max_result_bytes,
                   base_iri=str(request.url.replace(query="")))
    try:
        async with get_queue(request).slot(limit) as arrived:
            result = await pool.run(job, limit, arrived)
    except QueryFailed as failed:
        extra: dict[str, object] = {}
        if failed.line is not None:
            extra = {"line": failed.line, "column": failed.column}
        if isinstance(failed, QueryTimeout):
            TIMEOUTS.inc()
            extra["timeout_seconds"] = limit
        elif isinstance(failed, QueryBusy):
            REFUSALS.labels("busy").inc()
        elif failed.status == 413:
            REFUSALS.labels("size").inc()
            extra["limit_bytes"] = settings.max_result_bytes
        response = problem(failed.status, failed.title, failed.message, **extra)
        if failed.status == 503:
            response.headers["Retry-After"] = "5"
        return response
    headers = {"Vary": "Accept"}
    if result.unknown_functions:  # each call of one evaluated to an error (unbound, or false in FILTER)
        headers["X-Unknown-Functions"] = ", ".join(f"<{quote(iri, safe=_IRI_SAFE)}>" for iri in result.unknown_functions)
    return Response(result.body, media_type=result.media_type, headers=headers)


async def _get(request: Request, service: Service, pool: Queries) -> Response:
    params = request.query_params
    if "update" in params:
        return problem(400, "Änderung per GET", "Änderungen (update=) gehen nur per POST / updates only by POST")
    if len(params.getlist("query")) > 1:
        return _more_than_one("query")
    query = params.get("query")
    if query is None:
        return await run_in_threadpool(service_description, request, service)
    fields = {name: params.getlist(name) for name in ("default-graph-uri", "named-graph-uri", "timeout", "format")
              if name in params}
    return await answer_query(request, service, pool, query, fields)


async def _post(request: Request, service: Service, pool: Queries) -> Response:
    settings = service.settings
    try:
        body = await read_body(request, settings.max_body_bytes)
    except BodyTooLarge as too_large:
        return too_large.response()
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    fields = parse_qs(request.url.query, keep_blank_values=True)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return problem(400, "Kein UTF-8", "Der Inhalt ist kein gültiges UTF-8 / body is not UTF-8")
    if media == _FORM:
        for name, values in parse_qs(text, keep_blank_values=True).items():
            fields[name] = fields.get(name, []) + values
        for name in ("query", "update"):
            if len(fields.get(name, [])) > 1:
                return _more_than_one(name)
        if "query" in fields and "update" in fields:
            return problem(400, "Abfrage und Änderung zugleich", "query= und update= schließen sich aus / "
                           "query and update in one request")
        if "update" in fields:
            return await _update(request, service, pool, fields, fields["update"][0])
        if "query" not in fields:
            return problem(400, "Keine Abfrage", "Das Formular braucht ein Feld query= oder update= / "
                           "the form needs query= or update=")
        return await answer_query(request, service, pool, fields["query"][0], fields)
    if media == _QUERY:
        if "update" in fields:
            return problem(400, "Abfrage und Änderung zugleich", "query und update schließen sich aus")
        return await answer_query(request, service, pool, text, fields)
    if media == _UPDATE:
        if "query" in fields:
            return problem(400, "Abfrage und Änderung zugleich", "query und update schließen sich aus")
        return await _update(request, service, pool, fields, text)
    return problem(415, "Medientyp nicht unterstützt",
                   f"'{media or 'ohne Content-Type'}' geht nicht; erlaubt sind {_QUERY}, {_UPDATE} und {_FORM} / "
                   "unsupported media type")


def _more_than_one(name: str) -> JSONResponse:
    return problem(400, f"Mehrere {name}=", f"Eine Anfrage trägt genau ein {name}= / one {name}= per request")


async def _update(request: Request, service: Service, pool: Queries, fields: dict[str, list[str]],
                  update: str) -> Response:
    response: JSONResponse = await apply_update(request, service, pool, get_tokens(request), update,
                                                fields.get("using-graph-uri", []),
                                                fields.get("using-named-graph-uri", []))
    return response


class SparqlEndpoint:
    """The ASGI endpoint of ``/sparql`` (GET and POST) and ``/sparql/update`` (POST).

    A plain ASGI callable behind a Starlette ``Route``, not a FastAPI route: FastAPI's request handling
    (dependencies, parameter validation) took about 0.15 ms of every request, as long as the engine needs
    for a small DESCRIBE. The service's middleware (CORS, metrics) applies as to every route; the OpenAPI
    document describes the operations with ``OPENAPI_PATHS``. ``path`` names the route in the metrics.
    """

    def __init__(self, path: str) -> None:
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        service, pool = get_service(request), get_pool(request)
        if scope["method"] == "POST":
            response = await _post(request, service, pool)
        else:
            response = await _get(request, service, pool)
        await response(scope, receive, send)


routes = [Route("/sparql", SparqlEndpoint("/sparql"), methods=["GET", "POST"]),
          Route("/sparql/update", SparqlEndpoint("/sparql/update"), methods=["POST"])]

_TEXT = {"schema": {"type": "string"}}
_ANSWERS = {
    "200": {"description": "Ergebnis im ausgehandelten Format (Accept oder format=)",
            "content": {media: {} for media in (*RESULT_FORMATS, *GRAPH_FORMATS)}},
    **{str(status): {"description": text, "content": {"application/problem+json": {}}} for status, text in (
        (400, "Abfrage fehlerhaft (mit Zeile und Spalte), SERVICE nicht erlaubt oder Anfrage widersprüchlich"),
        (401, "Änderung ohne Token"), (403, "Falsches Token, nur-lesender Dienst oder fremde Herkunft"),
        (406, "Kein annehmbares Format"), (413, "Anfrage oder Ergebnis zu groß"), (415, "Medientyp nicht unterstützt"),
        (503, "Zeitlimit erreicht (genannt) oder alle Abfrageplätze belegt"))},
}
_BODY = {"required": True, "content": {
    _QUERY: _TEXT, _UPDATE: _TEXT,
    _FORM: {"schema": {"type": "object", "properties": {name: {"type": "string"} for name in (
        "query", "update", "default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri",
        "timeout", "format")}}}}}
_POST_DESCRIPTION = ("Abfrage als Formular (``query=``) oder ``application/sparql-query``; Änderung als Formular "
                     "(``update=``) oder ``application/sparql-update`` mit ``Authorization: Bearer <Token>``.")
# The operations of SparqlEndpoint for the OpenAPI document (FastAPI describes only its own routes).
OPENAPI_PATHS: dict[str, Any] = {
    "/sparql": {
        "get": {"tags": ["SPARQL"], "operationId": "sparql_get",
                "summary": "SPARQL-Abfrage (GET) oder Dienstbeschreibung",
                "description": "Beantwortet eine Abfrage aus der URL; ohne ``query`` die Dienstbeschreibung "
                               "(SPARQL Service Description).",
                "parameters": [{"name": name, "in": "query", "required": False, "description": text,
                                "schema": {"type": "array", "items": {"type": "string"}} if many else {"type": "string"},
                                **({"explode": True} if many else {})}
                               for name, text, many in (
                                   ("query", "SPARQL-1.1-Abfrage", False),
                                   ("default-graph-uri", "Graph des Speichers als Standardgraph", True),
                                   ("named-graph-uri", "Graph des Speichers als benannter Graph", True),
                                   ("timeout", "Zeitlimit in Sekunden (höchstens das des Dienstes)", False),
                                   ("format", "Ergebnisformat: " + ", ".join(SHORT_FORMATS), False))],
                "responses": _ANSWERS},
        "post": {"tags": ["SPARQL"], "operationId": "sparql_post", "summary": "SPARQL-Abfrage oder -Änderung (POST)",
                 "description": _POST_DESCRIPTION, "requestBody": _BODY, "responses": _ANSWERS},
    },
    "/sparql/update": {
        "post": {"tags": ["SPARQL"], "operationId": "sparql_update", "summary": "SPARQL-Änderung (POST)",
                 "description": "Wie ``POST /sparql``, für Werkzeuge, die einen eigenen Änderungs-Endpunkt erwarten.",
                 "requestBody": _BODY, "responses": _ANSWERS},
    },
}
