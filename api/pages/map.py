"""``/map``: the responsibility map for people who do not write SPARQL; ``/api/map…``: its data as JSON.

The page (template ``map.html``, script ``static/map.js``) draws what ``GET /api/map`` answers with
vis-network served from this service. The routes only translate HTTP to the engine
(:mod:`synergraph.graph.mapview`) and back; every text leaves here as plain data and the page
inserts it as text, never as HTML.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from synergraph.graph import mapview
from synergraph.graph.catalog import NotFound, page_path
from synergraph.graph.resources import describe

from ..dependencies import get_service
from ..rest import Problem, ProblemRoute
from ..service import Service
from .rendering import render

__all__ = ["api_router", "router"]

router = APIRouter()
api_router = APIRouter(prefix="/api", tags=["Karte"], route_class=ProblemRoute,
                       responses={422: {"model": Problem, "description": "Ungültiger Parameter"}})


class MapNode(BaseModel):
    """A node of the map: a body, topic, territory, initiative, or Gemeinden of a Kreis drawn as one."""

    id: str = Field(description="IRI (bei zusammengefassten Gemeinden 'cluster:<IRI des Kreises>')")
    label: str
    kind: str = Field(description="body, topic, territory, initiative oder cluster")
    category: str = Field(description="Ebene der Stelle, Gebietsart, Status der Initiative")
    type_label: str
    detail: str | None = None
    page: str | None = Field(None, description="Pfad der Linked-Data-Seite")
    findings: list[str] = Field(default_factory=list, description="Kennungen der Befunde am Knoten")
    period: str | None = None
    members: list[dict[str, str]] | None = Field(None, description="Gemeinden eines zusammengefassten Knotens")
    inner: list[dict[str, str]] | None = Field(
        None, description="weitere Knoten darin (Verwaltungen, Initiativen nur dieser Gemeinden) bei großen Karten")
    key: str | None = Field(None, description="Schlüssel des Kreises eines zusammengefassten Knotens")
    x: float
    y: float
    shape: str
    size: int
    color: dict[str, str]
    borderWidth: int


class MapEdge(BaseModel):
    """An edge of the map with its kind and a German sentence saying what it means."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    source: str = Field(alias="from")
    to: str
    kind: str
    text: str
    role: str | None = None
    role_label: str | None = None
    finding: str | None = None
    finding_title: str | None = None
    severity: str | None = None
    color: str
    dashes: bool | list[int]
    width: float
    arrows: str = ""


class LegendItem(BaseModel):
    """One entry of the legend."""

    key: str
    label: str
    color: str
    shape: str | None = None
    dashes: bool | list[int] = False


class Legend(BaseModel):
    """What shapes, colours and lines mean."""

    findings: list[LegendItem] = Field(description="Linien der Befunde (Überschneidung, Dublette, Parallelinitiative)")
    nodes: list[LegendItem]
    bodies: list[LegendItem]
    edges: list[LegendItem]
    roles: list[LegendItem]


class ChainEntryOut(BaseModel):
    """A body responsible at one level of the chain."""

    body: str
    body_label: str
    body_page: str | None
    role: str
    role_label: str
    topic_label: str
    relation: str
    valid_from: str | None
    valid_until: str | None


class ChainLevelOut(BaseModel):
    """One territory of the chain and who is responsible there."""

    territory: str
    label: str
    type_label: str
    page: str | None
    entries: list[ChainEntryOut]
    administrations: list[dict[str, str | None]]


class MapOut(BaseModel):
    """The nodes and edges of the current view, the legend and, for 'Wer ist zuständig?', the chain."""

    nodes: list[MapNode]
    edges: list[MapEdge]
    legend: Legend
    findings: int = Field(description="Zahl der Befunde (Überschneidungen, Dubletten, Parallelinitiativen) im Bild")
    chain: list[ChainLevelOut] | None = None


class FactOut(BaseModel):
    """One fact about a node."""

    property: str
    value: str
    page: str | None = None


class FindingOut(BaseModel):
    """A finding a node is part of."""

    id: str
    kind: str
    title: str
    explanation: str
    severity: str
    members: list[dict[str, str | None]]


class NodeDetails(BaseModel):
    """What the details panel shows about a node."""

    iri: str
    label: str
    page: str | None
    types: list[str]
    facts: list[FactOut]
    sources: list[dict[str, str | None]]
    history: list[dict[str, str | None]] = Field(
        description="Gültigkeit, Zugehörigkeit, Neuordnung und Änderungen: Art, wann, was, Name und Seite des Bezugs")
    findings: list[FindingOut]


def _legend() -> Legend:
    findings = mapview.FINDING_EDGES
    return Legend(
        findings=[LegendItem(key=k, label=v["label"], color=v["color"], dashes=v["dashes"])
                  for k, v in mapview.EDGE_KINDS.items() if k in findings],
        nodes=[LegendItem(key=k, label=v["label"], color=v["color"], shape=v["shape"])
               for k, v in mapview.NODE_KINDS.items()],
        bodies=[LegendItem(key=k, label=v["label"], color=v["color"], shape="dot")
                for k, v in mapview.BODY_GROUPS.items()],
        edges=[LegendItem(key=k, label=v["label"], color=v["color"], dashes=v["dashes"])
               for k, v in mapview.EDGE_KINDS.items() if k != "responsibility" and k not in findings],
        roles=[LegendItem(key=k, label=mapview.ROLE_LABELS.get(k, k), color=v) for k, v in mapview.ROLE_COLOURS.items()],
    )


def _out(graph: Any, chain: list[mapview.ChainLevel] | None = None) -> Response:
    """The map as JSON, validated once here (returning the model would have FastAPI validate the
    thousands of nodes and edges a second time: 0.4 s of a 2,000-node map)."""
    nodes, edges = mapview.vis_data(graph)
    levels = None
    if chain is not None:
        levels = [ChainLevelOut(
            territory=level.territory, label=level.label, type_label=level.type_label,
            page=page_path(level.territory),
            entries=[ChainEntryOut(body=e.body, body_label=e.body_label, body_page=page_path(e.body), role=e.role,
                                   role_label=e.role_label, topic_label=e.topic_label, relation=e.relation,
                                   valid_from=e.valid_from, valid_until=e.valid_until) for e in level.entries],
            administrations=[{"iri": iri, "label": label, "page": page_path(iri)} for iri, label in level.administrations],
        ) for level in chain]
    out = MapOut(nodes=[MapNode(**n) for n in nodes], edges=[MapEdge(**e) for e in edges], legend=_legend(),
                 findings=graph.graph.get("findings", 0), chain=levels)
    return Response(out.model_dump_json(by_alias=True, exclude_none=True), media_type="application/json")


@api_router.get("/map", response_model=MapOut, summary="Zuständigkeitskarte: Knoten und Kanten der Auswahl")
def get_map(
    service: Annotated[Service, Depends(get_service)],
    topic: Annotated[str | None, Query(description="Thema (Kurzname), mit engeren Themen")] = None,
    territory: Annotated[str | None, Query(description="Gebiet (AGS oder Schlüssel), mit enthaltenen Gebieten")] = None,
    body: Annotated[str | None, Query(description="Stelle (Kurzname)")] = None,
    role: Annotated[str | None, Query(description="Rolle (z. B. federfuehrend)")] = None,
    status: Annotated[str | None, Query(description="Status der Initiativen (geplant, laufend, abgeschlossen)")] = None,
    as_of: Annotated[datetime.date | None, Query(description="Stichtag")] = None,
    only: Annotated[str | None, Query(description="'findings': nur Überschneidungen und Dubletten")] = None,
    focus: Annotated[str | None, Query(description="body:<Kurzname> oder initiative:<Kurzname>")] = None,
    expand: Annotated[list[str] | None, Query(description="Kreise (AGS), deren Gemeinden einzeln gezeigt werden; 'all'")] = None,
) -> Response:
    """The map of the selection, laid out on the server (positions ``x``, ``y``)."""
    filters = mapview.resolve_filters(service.store, topic=topic, territory=territory, body=body, role=role,
                                      status=status, as_of=as_of, only_findings=only == "findings", focus=focus,
                                      expand=[k for value in expand or [] for k in value.split(",") if k])
    return _out(mapview.map_graph(service.store, filters))


@api_router.get("/map/chain", response_model=MapOut, summary="Wer ist zuständig? Kette von der Gemeinde zum Bund")
def get_chain(
    service: Annotated[Service, Depends(get_service)],
    gemeinde: Annotated[str, Query(description="Gemeinde (AGS)")],
    topic: Annotated[str, Query(description="Thema (Kurzname)")],
    as_of: Annotated[datetime.date | None, Query(description="Stichtag (Standard: heute)")] = None,
) -> Response:
    """Each territory containing the Gemeinde with the bodies responsible for the topic there."""
    levels, graph = mapview.responsibility_chain(service.store, gemeinde, topic, as_of)
    return _out(graph, levels)


@api_router.get("/map/node", response_model=NodeDetails, summary="Details eines Knotens der Karte")
def get_node(service: Annotated[Service, Depends(get_service)],
             iri: Annotated[str, Query(description="IRI des Knotens")]) -> NodeDetails:
    """Facts, sources, history and findings of one node, with the path of its linked-data page."""
    view = describe(service.store, iri)
    if view is None:
        raise NotFound("Knoten", iri)
    base = mapview.map_base(service.store)
    label_of = {**{i: x.label for i, x in base.initiatives.items()}, **{i: x.label for i, x in base.bodies.items()}}
    facts = [FactOut(property=link.predicate_label, value=link.literal.text if link.literal else link.target_label,
                     page=page_path(link.target) if link.target else None)
             for link in [*view.properties, *view.links]][:60]
    findings = [FindingOut(id=f.id, kind=f.kind, title=f.title, explanation=f.explanation, severity=f.severity,
                           members=[{"iri": m, "label": label_of.get(m, m), "page": page_path(m)} for m in f.ends])
                for f in base.findings_of.get(iri, [])]
    return NodeDetails(
        iri=iri, label=view.label, page=page_path(iri), types=[t.target_label for t in view.types], facts=facts,
        sources=[{"title": s.title, "page": s.page} for s in view.sources],
        history=[{"kind": a.kind, "when": a.when, "what": a.what, "label": a.label,
                  "page": page_path(a.iri) if a.iri else None} for a in view.history][:20], findings=findings)


def _options(service: Service) -> dict[str, Any]:
    """The choices of the filter fields (names and keys, all plain text)."""
    base = mapview.map_base(service.store)
    depth = {iri: len(base.broader(iri)) for iri in base.topics}
    ordered: list[str] = []

    def walk(iri: str) -> None:
        ordered.append(iri)
        for child in sorted(base.topics[iri].narrower, key=lambda c: base.topics[c].label if c in base.topics else c):
            if child in base.topics and child not in ordered:
                walk(child)

    for root in sorted((t for t in base.topics if not base.topics[t].broader), key=lambda t: base.topics[t].label):
        walk(root)
    return {
        "topics": [{"value": base.topics[t].slug, "label": base.topics[t].label, "name": base.topics[t].label,
                    "iri": t, "depth": depth[t]} for t in ordered],
        "territories": [{"value": t.key, "label": f"{t.label} ({t.type_label}, {t.key})", "name": t.label,
                         "iri": t.iri} for t in sorted(base.territories.values(), key=lambda t: t.label)],
        "gemeinden": [{"value": t.key, "label": f"{t.label} ({t.key})"}
                      for t in sorted(base.territories.values(), key=lambda t: t.label)
                      if t.type in ("Municipality", "DistrictFreeCity")],
        "bodies": [{"value": b.slug, "label": b.label, "name": b.label, "iri": b.iri}
                   for b in sorted(base.bodies.values(), key=lambda b: b.label)],
        "roles": sorted({(r.role.iri.rsplit("/", 1)[-1], r.role.label) for r in base.responsibilities}),
        "statuses": sorted({(i.status.iri.rsplit("/", 1)[-1], i.status.label) for i in base.initiatives.values()
                            if i.status}),
    }


@router.get("/map", response_class=HTMLResponse)
async def map_page(request: Request, service: Annotated[Service, Depends(get_service)]) -> HTMLResponse:
    """The map page; its whole state (filters, focus, selection, zoom) is in the query string."""
    options = await run_in_threadpool(_options, service)
    return render(request, "map.html", title="Zuständigkeitskarte", options=options,
                  config={"options": options, "legend": _legend().model_dump()})
