"""``/sparql``: the SPARQL 1.1 Protocol: queries (GET, POST form, POST ``application/sparql-query``) and
updates (POST ``application/sparql-update`` or form ``update=``, with a bearer token).

An update and its PROV record commit in one transaction; ``LOAD`` copies a graph of the store and
never fetches a URL.

Every query runs in a worker process with a deadline (see ``synergraph.graph.query_pool``); answers
are written by the engine's serialisers. Errors are problem documents:
400 malformed (with line and column), 401/403 writes without or with a wrong token (or on a
read-only service, or cross-origin), 406 no acceptable
format, 413 body or result too large, 415 unsupported media type, 503 timeout or busy.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, VOID, XSD
from synergraph.graph.errors import QuerySyntaxError
from synergraph.graph.history import history_record
from synergraph.graph.query_guard import ServiceRefused, check_services, load_from_store
from synergraph.graph.query_pool import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    QueryFailed,
    QueryJob,
    QueryPool,
    QueryTimeout,
)
from synergraph.graph.void import describe_dataset

from .dependencies import get_service
from .metrics import REFUSALS, TIMEOUTS
from .service import Service
from .tokens import Tokens

router = APIRouter(tags=["SPARQL"])

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

_SHORT_FORMATS = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
    "tsv": "text/tab-separated-values", "ttl": "text/turtle", "turtle": "text/turtle",
    "nt": "application/n-triples", "rdf": "application/rdf+xml", "jsonld": "application/ld+json",
    "nq": "application/n-quads", "trig": "application/trig",
}
_DEFAULT_ACCEPT = ("application/sparql-results+json", "text/turtle")


def problem(status: int, title: str, detail: str, **extra: object) -> JSONResponse:
    """An RFC 9457 problem document."""
    return JSONResponse({"title": title, "status": status, "detail": detail, **extra}, status_code=status,
                        media_type="application/problem+json")


def _accept(header: str | None, format: str | None) -> tuple[str, ...]:
    """Media types the client accepts, best first (``format=`` wins over the header)."""
    if format:
        media = _SHORT_FORMATS.get(format.lower(), format)
        return (media,)
    if not header:
        return _DEFAULT_ACCEPT
    ranked = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        quality = 1.0
        for parameter in fields[1:]:
            if parameter.startswith("q="):
                try:
                    quality = float(parameter[2:])
                except ValueError:
                    quality = 0.0
        if fields[0] and quality > 0:
            ranked.append((-quality, position, fields[0].lower()))
    accepted = tuple(media for _, _, media in sorted(ranked))
    return accepted + _DEFAULT_ACCEPT if "*/*" in accepted else accepted


def get_pool(request: Request) -> QueryPool:
    """The worker pool the app started."""
    pool: QueryPool = request.app.state.query_pool
    return pool


async def _answer(service: Service, pool: QueryPool, query: str, accept: tuple[str, ...],
                  default_graphs: list[str], named_graphs: list[str], timeout: float | None) -> Response:
    settings = service.settings
    try:
        check_services(query, settings.service_allowlist)
    except ServiceRefused as refused:
        REFUSALS.labels("service").inc()
        return problem(400, "SERVICE nicht erlaubt", str(refused))
    limit = settings.query_timeout if timeout is None else min(timeout, settings.query_timeout)
    if limit <= 0:
        return problem(400, "Ungültiges Zeitlimit", "timeout muss größer als 0 Sekunden sein")
    job = QueryJob(query=query, accept=accept, union_default_graph=settings.union_default_graph,
                   default_graphs=tuple(default_graphs), named_graphs=tuple(named_graphs),
                   max_bytes=settings.max_result_bytes)
    try:
        result = await run_in_threadpool(pool.run, job, limit)
    except QueryFailed as failed:
        extra = {"line": failed.line, "column": failed.column} if failed.line is not None else {}
        titles = {400: "Abfrage fehlerhaft", 406: "Format nicht annehmbar", 413: "Ergebnis zu groß",
                  503: "Abfrage abgebrochen"}
        if isinstance(failed, QueryTimeout):
            TIMEOUTS.inc()
            extra["timeout_seconds"] = limit
        return problem(failed.status, titles.get(failed.status, "Abfrage fehlgeschlagen"), failed.message, **extra)
    return Response(result.body, media_type=result.media_type, headers={"Vary": "Accept"})


def _description(service: Service, base: str, accept: tuple[str, ...]) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint, with the dataset's named graphs."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    endpoint = URIRef(base + "sparql")
    node = BNode()
    graph.add((node, RDF.type, SD.Service))
    graph.add((node, SD.endpoint, endpoint))
    graph.add((node, SD.supportedLanguage, SD.SPARQL11Query))
    for media in sorted(set(RESULT_FORMATS) | set(GRAPH_FORMATS)):
        graph.add((node, SD.resultFormat, Literal(media)))
    if service.settings.union_default_graph:
        graph.add((node, SD.feature, SD.UnionDefaultGraph))
    dataset = BNode()
    graph.add((node, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    total = 0
    for info in service.store.graphs():
        named = BNode()
        described = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, SD.name, URIRef(info.iri)))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, Literal(info.triples, datatype=XSD.integer)))
        total += info.triples
    graph.add((default, VOID.triples, Literal(total, datatype=XSD.integer)))
    graph.add((node, RDFS.seeAlso, URIRef(base + ".well-known/void")))
    for media in accept:
        rdf_format = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
                      "application/rdf+xml": "xml", "*/*": "turtle"}.get(media)
        if rdf_format:
            return Response(graph.serialize(format=rdf_format), media_type="text/turtle" if media == "*/*" else media)
    return problem(406, "Format nicht annehmbar", "Die Dienstbeschreibung gibt es als text/turtle, "
                   "application/ld+json, application/n-triples oder application/rdf+xml")


@router.get("/.well-known/void", summary="VoID-Beschreibung des Datenbestands")
def void_description(request: Request, service: Annotated[Service, Depends(get_service)]) -> Response:
    """The named graphs with their sizes, files and sources (VoID), as Turtle or JSON-LD."""
    void = describe_dataset(service.store)
    if "application/ld+json" in _accept(request.headers.get("accept"), None)[:1]:
        return Response(void.serialize(format="json-ld"), media_type="application/ld+json")
    return Response(void.serialize(format="turtle"), media_type="text/turtle")


@router.get("/sparql", summary="SPARQL-Abfrage (GET) oder Dienstbeschreibung")
async def sparql_get(
    request: Request,
    service: Annotated[Service, Depends(get_service)],
    pool: Annotated[QueryPool, Depends(get_pool)],
    query: Annotated[str | None, Query(description="SPARQL-1.1-Abfrage")] = None,
    default_graph_uri: Annotated[list[str], Query(alias="default-graph-uri")] = [],  # noqa: B006
    named_graph_uri: Annotated[list[str], Query(alias="named-graph-uri")] = [],  # noqa: B006
    timeout: Annotated[float | None, Query(description="Zeitlimit in Sekunden (höchstens das des Dienstes)")] = None,
    format: Annotated[str | None, Query(description="Kurzform des Ergebnisformats: json, xml, csv, tsv, ttl, "
                                                    "nt, rdf, jsonld")] = None,
) -> Response:
    """Answer a query given in the URL; without ``query``, describe the service."""
    accept = _accept(request.headers.get("accept"), format)
    if "update" in request.query_params:
        return problem(400, "Änderung per GET", "Änderungen (update) gehen nur per POST")
    if query is None:
        return _description(service, str(request.base_url), accept)
    return await _answer(service, pool, query, accept, default_graph_uri, named_graph_uri, timeout)


@router.post("/sparql", summary="SPARQL-Abfrage (POST)")
async def sparql_post(
    request: Request,
    service: Annotated[Service, Depends(get_service)],
    pool: Annotated[QueryPool, Depends(get_pool)],
) -> Response:
    """Answer a query sent as a form (``query=``) or as ``application/sparql-query``."""
    settings = service.settings
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.max_body_bytes:
        return problem(413, "Anfrage zu groß", f"Höchstens {settings.max_body_bytes} Bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > settings.max_body_bytes:
            return problem(413, "Anfrage zu groß", f"Höchstens {settings.max_body_bytes} Bytes")
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    params = {k: v for k, v in parse_qs(request.url.query, keep_blank_values=True).items()}
    if media == "application/sparql-query":
        fields = params
        query = body.decode("utf-8", errors="replace")
    elif media == "application/x-www-form-urlencoded":
        fields = {**params, **parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)}
        query = (fields.get("query") or [""])[0]
        if "update" in fields:
            if "query" in fields:
                return problem(400, "Abfrage und Änderung zugleich", "query und update schließen sich aus")
            return await _update(request, service, pool, fields["update"][0])
        if "query" not in fields:
            return problem(400, "Keine Abfrage", "Das Formular braucht ein Feld query=")
    elif media == "application/sparql-update":
        return await _update(request, service, pool, body.decode("utf-8", errors="replace"))
    else:
        return problem(415, "Medientyp nicht unterstützt",
                       f"'{media or 'ohne Content-Type'}' geht nicht; erlaubt sind application/sparql-query und "
                       "application/x-www-form-urlencoded")
    timeout = None
    if fields.get("timeout"):
        try:
            timeout = float(fields["timeout"][0])
        except ValueError:
            return problem(400, "Ungültiges Zeitlimit", "timeout muss eine Zahl (Sekunden) sein")
    accept = _accept(request.headers.get("accept"), (fields.get("format") or [None])[0])
    return await _answer(service, pool, query, accept, fields.get("default-graph-uri", []),
                         fields.get("named-graph-uri", []), timeout)


def writer(request: Request, tokens: Tokens) -> str | JSONResponse:
    """The name of the token allowed to write, or the problem that forbids the write.

    Writes are never cross-origin, need a configured token, and the request's bearer token.
    """
    origin = request.headers.get("origin")
    if origin and origin.rstrip("/") != str(request.base_url).rstrip("/"):
        REFUSALS.labels("cors").inc()
        return problem(403, "Fremder Ursprung", "Änderungen sind von anderen Ursprüngen (CORS) nicht erlaubt")
    if not tokens.configured:
        REFUSALS.labels("read-only").inc()
        return problem(403, "Nur lesbar", "Dieser Dienst nimmt keine Änderungen an: es ist kein Schreib-Token "
                       "eingerichtet / this service is read-only")
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        REFUSALS.labels("token").inc()
        response = problem(401, "Token fehlt", "Änderungen brauchen 'Authorization: Bearer <Token>'")
        response.headers["WWW-Authenticate"] = 'Bearer realm="synergraph"'
        return response
    name = tokens.name_of(header[7:].strip())
    if name is None:
        REFUSALS.labels("token").inc()
        return problem(403, "Token ungültig", "Dieses Token ist nicht eingerichtet")
    return name


def get_tokens(request: Request) -> Tokens:
    """The operator's write tokens, read when the app started."""
    tokens: Tokens = request.app.state.tokens
    return tokens


async def _update(request: Request, service: Service, pool: QueryPool, update: str) -> Response:
    allowed = writer(request, get_tokens(request))
    if isinstance(allowed, JSONResponse):
        return allowed
    text, sources = load_from_store(update)
    missing = [g for g in sources if not service.store.has_graph(g)]
    if missing:
        return problem(400, "LOAD ohne Graphen", f"LOAD lädt keine Adressen, sondern kopiert Graphen des Speichers; "
                       f"<{missing[0]}> ist keiner / LOAD only names graphs of the store")
    try:
        await run_in_threadpool(service.store.update, text + " ;\n" + history_record(update, allowed))
    except SyntaxError as error:
        parsed = QuerySyntaxError.from_parser(error)
        return problem(400, "Änderung fehlerhaft", f"Änderung fehlerhaft / malformed update: {parsed}",
                       line=parsed.line, column=parsed.column)
    except (OSError, RuntimeError, ValueError) as error:
        return problem(400, "Änderung nicht ausführbar", str(error).split("\n")[0])
    await run_in_threadpool(pool.refresh)
    return Response(status_code=204)
