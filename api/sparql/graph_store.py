"""``/rdf-graph-store``: the SPARQL 1.1 Graph Store HTTP Protocol (GET, HEAD, PUT, POST, DELETE).

``?graph=<IRI>`` names a graph of the store, ``?default`` the store's own default graph. PUT replaces
a graph (201 when it is new, else 204), POST adds to it, DELETE removes it (404 when there is none).
Writes need a bearer token, are never cross-origin, and are recorded in the history graph in the
same transaction.
"""

from __future__ import annotations

from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from ..dependencies import get_service
from ..service import Service
from .exchange import BodyTooLarge, get_pool, get_tokens, problem, read_body
from .negotiation import TRIPLE_FORMATS, accept_ranges, choose
from .update import authorise_write, write
from .workers import Queries

__all__ = ["router"]

router = APIRouter(tags=["SPARQL"])

Target = ox.NamedNode | ox.DefaultGraph


def _target(graph: str | None, default: str | None) -> Target | JSONResponse:
    if (graph is None) == (default is None):
        return problem(400, "Graph fehlt", "Genau eines angeben: ?graph=<IRI> oder ?default / "
                       "give either ?graph=<IRI> or ?default")
    if graph is None:
        return ox.DefaultGraph()
    try:
        return ox.NamedNode(graph)
    except ValueError:
        return problem(400, "Ungültige IRI", f"'{graph}' ist keine gültige IRI / not an IRI")


def _exists(service: Service, target: Target) -> bool:
    return isinstance(target, ox.DefaultGraph) or service.store.engine.contains_named_graph(target)


def _name(target: Target) -> str:
    return "DEFAULT" if isinstance(target, ox.DefaultGraph) else f"GRAPH {target}"


def _serialise(service: Service, target: Target, fmt: ox.RdfFormat) -> bytes:
    triples = (quad.triple for quad in service.store.engine.quads_for_pattern(None, None, None, target))
    return ox.serialize(triples, format=fmt) or b""


@router.get("/rdf-graph-store", summary="Graph lesen")
async def read_graph(request: Request, service: Annotated[Service, Depends(get_service)],
                     graph: Annotated[str | None, Query(description="IRI des Graphen")] = None,
                     default: Annotated[str | None, Query(description="der Standardgraph")] = None) -> Response:
    """Die Tripel eines Graphen im ausgehandelten Format."""
    target = _target(graph, default)
    if isinstance(target, JSONResponse):
        return target
    if not await run_in_threadpool(_exists, service, target):
        return problem(404, "Graph unbekannt", f"Der Speicher hat keinen Graphen {target} / no such graph")
    media = choose(accept_ranges(request.headers.get("accept")), TRIPLE_FORMATS)
    if media is None:
        return problem(406, "Format nicht annehmbar", "Möglich: " + ", ".join(TRIPLE_FORMATS))
    body = await run_in_threadpool(_serialise, service, target, TRIPLE_FORMATS[media])
    if request.method == "HEAD":
        return Response(status_code=200, media_type=media, headers={"Content-Length": str(len(body))})
    return Response(body, media_type=media, headers={"Vary": "Accept"})


def _parse(body: bytes, fmt: ox.RdfFormat, base: str) -> str:
    """The uploaded triples as N-Triples (for INSERT DATA). Raises SyntaxError."""
    triples = list(ox.parse(body, format=fmt, base_iri=base))
    return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")


async def write_graph(request: Request, service: Annotated[Service, Depends(get_service)],
                      pool: Annotated[Queries, Depends(get_pool)],
                      graph: Annotated[str | None, Query(description="IRI des Graphen")] = None,
                      default: Annotated[str | None, Query(description="der Standardgraph")] = None) -> Response:
    """PUT ersetzt einen Graphen, POST ergänzt ihn, DELETE entfernt ihn; jeweils in einer Transaktion
    mit dem Eintrag im Änderungsverlauf. Braucht ``Authorization: Bearer <Token>``."""
    allowed = authorise_write(request, get_tokens(request))
    if isinstance(allowed, JSONResponse):
        return allowed
    target = _target(graph, default)
    if isinstance(target, JSONResponse):
        return target
    existed = await run_in_threadpool(_exists, service, target)
    operation = f"{request.method} {'DEFAULT' if isinstance(target, ox.DefaultGraph) else target}"
    if request.method == "DELETE":
        if not existed:
            return problem(404, "Graph unbekannt", f"Der Speicher hat keinen Graphen {target} / no such graph")
        text = f"{'CLEAR' if isinstance(target, ox.DefaultGraph) else 'DROP'} {_name(target)}"
    else:
        media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if media not in TRIPLE_FORMATS:
            return problem(415, "Medientyp nicht unterstützt", "Erlaubt: " + ", ".join(TRIPLE_FORMATS))
        try:
            body = await read_body(request, service.settings.max_body_bytes)
        except BodyTooLarge as too_large:
            return too_large.response()
        base = str(target.value) if isinstance(target, ox.NamedNode) else str(request.url)
        try:
            data = await run_in_threadpool(_parse, body, TRIPLE_FORMATS[media], base)
        except SyntaxError as error:
            return problem(400, "RDF fehlerhaft", f"{media}: {str(error).splitlines()[0]}")
        inner = data if isinstance(target, ox.DefaultGraph) else f"GRAPH {target} {{\n{data}}}"
        clear = f"{'CLEAR' if isinstance(target, ox.DefaultGraph) else 'DROP'} SILENT {_name(target)} ;\n"
        create = "" if isinstance(target, ox.DefaultGraph) else f"CREATE SILENT GRAPH {target} ;\n"
        text = (clear if request.method == "PUT" else "") + create + f"INSERT DATA {{ {inner} }}"
    graphs = [] if isinstance(target, ox.DefaultGraph) else [target.value]
    try:
        await write(service, pool, text, allowed, operation, graphs)
    except (SyntaxError, OSError, RuntimeError, ValueError) as error:
        return problem(400, "Änderung nicht ausführbar", str(error).split("\n")[0])
    return Response(status_code=201 if request.method in ("PUT", "POST") and not existed else 204)


# One route per method, so each operation of the OpenAPI document has its own id.
router.add_api_route("/rdf-graph-store", read_graph, methods=["HEAD"], summary="Graph prüfen (nur Kopfzeilen)",
                     operation_id="head_graph")
for _method, _summary in (("PUT", "Graph ersetzen"), ("POST", "Graph ergänzen"), ("DELETE", "Graph löschen")):
    router.add_api_route("/rdf-graph-store", write_graph, methods=[_method], summary=_summary,
                         operation_id=f"{_method.lower()}_graph")
