"""``/rdf-graph-store``: the SPARQL 1.1 Graph Store HTTP Protocol (GET, HEAD, PUT, POST, DELETE).

``?graph=<IRI>`` names a graph of the store, ``?default`` the default graph. Writes need a bearer
token, are never cross-origin, and are recorded in the history graph in the same transaction.
"""

from __future__ import annotations

from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from synergraph.graph.history import history_record
from synergraph.graph.query_pool import GRAPH_FORMATS, QueryPool

from .dependencies import get_service
from .service import Service
from .sparql import _accept, get_pool, get_tokens, problem, writer

router = APIRouter(tags=["SPARQL"])

_UPLOAD_FORMATS = {media: fmt for media, fmt in GRAPH_FORMATS.items()
                   if fmt not in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)}


def _target(graph: str | None, default: str | None) -> ox.NamedNode | ox.DefaultGraph | JSONResponse:
    if (graph is None) == (default is None):
        return problem(400, "Graph fehlt", "Genau eines angeben: ?graph=<IRI> oder ?default")
    if graph is None:
        return ox.DefaultGraph()
    try:
        return ox.NamedNode(graph)
    except ValueError:
        return problem(400, "Ungültige IRI", f"'{graph}' ist keine gültige IRI")


def _name(target: ox.NamedNode | ox.DefaultGraph) -> str:
    return "DEFAULT" if isinstance(target, ox.DefaultGraph) else f"GRAPH {target}"


@router.api_route("/rdf-graph-store", methods=["GET", "HEAD"], summary="Graph lesen")
def read_graph(request: Request, service: Annotated[Service, Depends(get_service)],
               graph: Annotated[str | None, Query()] = None,
               default: Annotated[str | None, Query()] = None) -> Response:
    """The triples of one graph, in the negotiated format."""
    target = _target(graph, default)
    if isinstance(target, JSONResponse):
        return target
    if isinstance(target, ox.NamedNode) and not service.store.engine.contains_named_graph(target):
        return problem(404, "Graph unbekannt", f"Der Speicher hat keinen Graphen {target}")
    for media in _accept(request.headers.get("accept"), None):
        fmt = _UPLOAD_FORMATS.get(media) or (ox.RdfFormat.TURTLE if media == "*/*" else None)
        if fmt is not None:
            triples = (q.triple for q in service.store.engine.quads_for_pattern(None, None, None, target))
            body = ox.serialize(triples, format=fmt) or b""
            return Response(body if request.method == "GET" else b"",
                            media_type="text/turtle" if media == "*/*" else media)
    return problem(406, "Format nicht annehmbar", "Möglich: " + ", ".join(sorted(_UPLOAD_FORMATS)))


@router.api_route("/rdf-graph-store", methods=["PUT", "POST", "DELETE"], summary="Graph ersetzen, ergänzen, löschen")
async def write_graph(request: Request, service: Annotated[Service, Depends(get_service)],
                      pool: Annotated[QueryPool, Depends(get_pool)],
                      graph: Annotated[str | None, Query()] = None,
                      default: Annotated[str | None, Query()] = None) -> Response:
    """PUT replaces a graph, POST adds to it, DELETE removes it; all in one transaction with the record."""
    allowed = writer(request, get_tokens(request))
    if isinstance(allowed, JSONResponse):
        return allowed
    target = _target(graph, default)
    if isinstance(target, JSONResponse):
        return target
    operation = f"{request.method} {_name(target)}"
    if request.method == "DELETE":
        if isinstance(target, ox.NamedNode) and not service.store.engine.contains_named_graph(target):
            return problem(404, "Graph unbekannt", f"Der Speicher hat keinen Graphen {target}")
        text = f"DROP {_name(target)}"
    else:
        media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if media not in _UPLOAD_FORMATS:
            return problem(415, "Medientyp nicht unterstützt", "Erlaubt: " + ", ".join(sorted(_UPLOAD_FORMATS)))
        body = await request.body()
        if len(body) > service.settings.max_body_bytes:
            return problem(413, "Anfrage zu groß", f"Höchstens {service.settings.max_body_bytes} Bytes")
        try:
            triples = list(ox.parse(body, format=_UPLOAD_FORMATS[media], base_iri=str(request.url)))
        except SyntaxError as error:
            return problem(400, "RDF fehlerhaft", str(error).split("\n")[0])
        data = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
        inner = data if isinstance(target, ox.DefaultGraph) else f"GRAPH {target} {{ {data} }}"
        text = (f"DROP SILENT {_name(target)} ;\n" if request.method == "PUT" else "") + f"INSERT DATA {{ {inner} }}"
    graphs = [] if isinstance(target, ox.DefaultGraph) else [target.value]
    await run_in_threadpool(service.store.update, text + " ;\n" + history_record(operation, allowed, graphs))
    await run_in_threadpool(pool.refresh)
    return Response(status_code=204)
