"""Linked data: every IRI ``https://w3id.org/synergraph/<path>`` answers at ``/<path>`` of this service.

``/id/...`` and ``/def/...`` give an HTML page (German) or RDF (Turtle, JSON-LD, N-Triples) by
content negotiation (``Accept``) or ``?format=ttl|jsonld|nt``. ``/def/`` lists the vocabulary.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response
from rdflib import Graph, URIRef
from synergraph.graph.namespaces import BASE, PREFIXES
from synergraph.graph.queries import load_query
from synergraph.graph.resources import describe, vocabulary
from synergraph.graph.store import Store

from ..dependencies import get_service
from ..service import Service
from .rendering import SECURITY_HEADERS, render

__all__ = ["negotiate", "router"]

router = APIRouter()

RDF_FORMATS = {  # short name -> (media type, rdflib format)
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "nt": ("application/n-triples", "nt"),
}
_BY_MEDIA = {media: short for short, (media, _) in RDF_FORMATS.items()}
_BY_MEDIA["application/json"] = "jsonld"


def negotiate(accept: str | None, format: str | None) -> str:
    """``"html"`` or a short RDF format name (``ttl``, ``jsonld``, ``nt``) for a request.

    ``format=`` wins; else the ``Accept`` entry with the highest q-value among the offered types;
    HTML when nothing matches or everything is accepted.

    >>> negotiate("text/turtle", None)
    'ttl'
    >>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8", None)
    'html'
    >>> negotiate("application/ld+json;q=0.9, text/turtle;q=0.5", None)
    'jsonld'
    >>> negotiate(None, "nt")
    'nt'
    """
    if format:
        return format.lower() if format.lower() in RDF_FORMATS else "html"
    best, best_q = "html", 0.0
    for position, part in enumerate((accept or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media, q = fields[0].lower(), 1.0
        for parameter in fields[1:]:
            if parameter.startswith("q="):
                try:
                    q = float(parameter[2:])
                except ValueError:
                    q = 0.0
        offered = "html" if media in ("text/html", "application/xhtml+xml") else _BY_MEDIA.get(media)
        if offered and q > best_q:
            best, best_q = offered, q
    return best


def _resource_graph(store: Store, iri: str) -> Graph:
    graph = store.construct(load_query("resource_triples"), item=URIRef(iri))
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    return graph


def _describe_link(iri: str) -> str:
    return "/query?query=" + quote(f"DESCRIBE <{iri}>", safe="")


async def _answer(request: Request, service: Service, iri: str, format: str | None) -> Response:
    wanted = negotiate(request.headers.get("accept"), format)
    vary = {"Vary": "Accept"}
    if wanted != "html":
        graph = await run_in_threadpool(_resource_graph, service.store, iri)
        if len(graph) == 0:
            return Response(f"Unbekannte Ressource: {iri}\n", status_code=404, media_type="text/plain",
                            headers=vary)
        media, rdflib_format = RDF_FORMATS[wanted]
        body = graph.serialize(format=rdflib_format)
        return Response(body, media_type=media, headers=vary)
    view = await run_in_threadpool(describe, service.store, iri)
    if view is None:
        response = render(request, "not_found.html", status_code=404, title="Nicht gefunden", iri=iri)
    else:
        response = render(request, "resource.html", title=view.label, view=view,
                          describe_link=_describe_link(iri),
                          formats={short: f"{request.url.path}?format={short}" for short in RDF_FORMATS})
    response.headers.update(vary)
    return response


ServiceDep = Annotated[Service, Depends(get_service)]
FormatParam = Annotated[str | None, Query(description="ttl, jsonld oder nt statt Accept")]


@router.get("/id/{path:path}")
async def resource_page(path: str, request: Request, service: ServiceDep, format: FormatParam = None) -> Response:
    """The resource ``https://w3id.org/synergraph/id/<path>``."""
    return await _answer(request, service, f"{BASE}id/{path}", format)


@router.get("/def/")
async def vocabulary_page(request: Request, service: ServiceDep, format: FormatParam = None) -> Response:
    """The vocabulary: its classes, properties and concept schemes with labels and definitions."""
    if negotiate(request.headers.get("accept"), format) != "html":
        return await _answer(request, service, f"{BASE}def/", format)
    terms = await run_in_threadpool(vocabulary, service.store)
    view = await run_in_threadpool(describe, service.store, f"{BASE}def/")
    return render(request, "vocabulary.html", title="Vokabular", terms=terms, view=view)


@router.get("/def/{path:path}")
async def term_page(path: str, request: Request, service: ServiceDep, format: FormatParam = None) -> Response:
    """A term of the vocabulary ``https://w3id.org/synergraph/def/<path>``."""
    return await _answer(request, service, f"{BASE}def/{path}", format)


@router.get("/quellen/{path:path}")
async def local_copy(path: str, request: Request, service: ServiceDep) -> Response:
    """The local copy of a source document (``sg:localCopy``, relative to the data folder)."""
    known = await run_in_threadpool(service.store.ask, load_query("source_local_copy"), copy=path)
    with as_file(files("synergraph.data")) as data:
        root = Path(data).resolve()
        candidate = (root / path).resolve()
    if not known or not candidate.is_file() or not candidate.is_relative_to(root):
        return render(request, "not_found.html", status_code=404, title="Nicht gefunden", iri=path)
    return FileResponse(candidate, media_type="text/plain; charset=utf-8", headers=SECURITY_HEADERS)
