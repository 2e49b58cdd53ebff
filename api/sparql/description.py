"""What the endpoint says about itself: the SPARQL 1.1 Service Description (``GET /sparql`` without a
query) and the VoID description of the dataset (``/.well-known/void``), both in any RDF format the
client asks for (Turtle by default)."""

from __future__ import annotations

from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID, XSD
from synergraph.graph.void import describe_dataset

from ..dependencies import get_service
from ..service import Service
from .exchange import get_tokens, problem
from .negotiation import RESULT_FORMATS, TRIPLE_FORMATS, accept_ranges, choose

__all__ = ["SD", "describe_service", "negotiated", "router"]

router = APIRouter(tags=["SPARQL"])

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

# The W3C format IRIs of the media types the engine writes.
_FORMAT_IRIS = {
    "application/sparql-results+json": FORMATS.SPARQL_Results_JSON,
    "application/sparql-results+xml": FORMATS.SPARQL_Results_XML,
    "text/csv": FORMATS.SPARQL_Results_CSV,
    "text/tab-separated-values": FORMATS.SPARQL_Results_TSV,
    "text/turtle": FORMATS.Turtle,
    "application/n-triples": FORMATS["N-Triples"],
    "application/rdf+xml": FORMATS.RDF_XML,
    "application/ld+json": FORMATS["JSON-LD"],
    "application/n-quads": FORMATS["N-Quads"],
    "application/trig": FORMATS.TriG,
}
_RDFLIB_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
                   "application/ld+json": "json-ld", "text/n3": "n3"}


def negotiated(graph: Graph, request: Request) -> Response:
    """``graph`` written in the RDF format the request accepts (406 when none)."""
    try:
        ranges = accept_ranges(request.headers.get("accept"), request.query_params.get("format"))
    except ValueError as error:
        return problem(400, "Unbekanntes Format", str(error))
    media = choose(ranges, {m: m for m in TRIPLE_FORMATS})
    if media is None:
        return problem(406, "Format nicht annehmbar", "Beschreibungen gibt es als " + ", ".join(TRIPLE_FORMATS))
    return Response(graph.serialize(format=_RDFLIB_FORMATS[media]), media_type=media, headers={"Vary": "Accept"})


def describe_service(service: Service, base: str, writable: bool) -> Graph:
    """The Service Description of the endpoint at ``base + "sparql"`` with its dataset and graph sizes.

    >>> import tempfile
    >>> from synergraph.api.settings import Settings
    >>> from synergraph.graph.store import Store
    >>> service = Service(Settings(store=tempfile.mkdtemp()), Store.in_memory())
    >>> graph = describe_service(service, "http://127.0.0.1:8000/", writable=False)
    >>> (None, SD.feature, SD.UnionDefaultGraph) in graph
    True
    """
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("formats", FORMATS)
    graph.bind("dcterms", DCTERMS)
    node = URIRef(base + "sparql#service")
    graph.add((node, RDF.type, SD.Service))
    graph.add((node, SD.endpoint, URIRef(base + "sparql")))
    graph.add((node, DCTERMS.title, Literal("Synergraph SPARQL-Endpunkt", lang="de")))
    graph.add((node, SD.supportedLanguage, SD.SPARQL11Query))
    if writable:
        graph.add((node, SD.supportedLanguage, SD.SPARQL11Update))
    for media in list(RESULT_FORMATS) + list(TRIPLE_FORMATS):
        if media in _FORMAT_IRIS:
            graph.add((node, SD.resultFormat, _FORMAT_IRIS[media]))
    settings = service.settings
    if settings.union_default_graph:
        graph.add((node, SD.feature, SD.UnionDefaultGraph))
    if settings.service_allowlist:
        graph.add((node, SD.feature, SD.BasicFederatedQuery))
    void = URIRef(base + ".well-known/void")
    graph.add((node, RDFS.seeAlso, void))
    dataset = BNode()
    graph.add((node, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, VOID.inDataset, void))
    default = BNode()
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    infos = service.store.graphs()
    for info in infos:
        named, described = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(info.iri)))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, Literal(info.triples, datatype=XSD.integer)))
    if not settings.union_default_graph:  # (the union's size is not the sum: graphs share triples)
        size = sum(1 for _ in service.store.engine.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        graph.add((default, VOID.triples, Literal(size, datatype=XSD.integer)))
    return graph


def service_description(request: Request, service: Service) -> Response:
    """The Service Description as a response (called in a worker thread by ``GET /sparql``)."""
    writable = get_tokens(request).configured
    return negotiated(describe_service(service, str(request.base_url), writable), request)


@router.get("/.well-known/void", summary="VoID-Beschreibung des Datenbestands")
def void_description(request: Request, service: Annotated[Service, Depends(get_service)]) -> Response:
    """Die benannten Graphen mit Größe, Datei und Quellen (VoID); Turtle, JSON-LD, N-Triples oder RDF/XML."""
    return negotiated(describe_dataset(service.store), request)
