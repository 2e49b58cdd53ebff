"""``GET /api/network``: who works with whom through shared initiatives.

The route only translates HTTP to the engine (:mod:`synergraph.graph.projections`) and back: the
ranking of bodies (who coordinates most), paged like the other finding routes, and the findings of the
network rules NW-01 (Schlüsselstelle), NW-02 (Einzige Verbindung) and NW-03 (Kooperationsgruppe) with
their stable ids and analysts' decisions.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from synergraph.graph import findings as findings_engine
from synergraph.graph.context import AnalysisContext
from synergraph.graph.projections import NetworkAnalysis, analyse_network

from .dependencies import get_service
from .findings import MemberOut, Paged, _member
from .rest import Problem, ProblemRoute
from .service import Service

__all__ = ["network_out", "router"]

router = APIRouter(prefix="/api", tags=["Befunde"], route_class=ProblemRoute,
                   responses={422: {"model": Problem, "description": "Ungültiger Parameter"}})


class RankedBodyOut(BaseModel):
    """A body's place in the network of shared initiatives."""

    rank: int = Field(description="Rang: gemeinsame Initiativen, dann Betweenness, dann geleitete Initiativen")
    body: MemberOut
    partners: int = Field(description="Stellen, mit denen sie mindestens eine Initiative teilt")
    shared: int = Field(description="Gemeinsame Initiativen, über alle Partner gezählt")
    led: int = Field(description="Initiativen, die sie leitet")
    degree: float = Field(description="Anteil aller anderen Stellen, mit denen sie zusammenarbeitet")
    betweenness: float = Field(description="Anteil der kürzesten Wege zwischen anderen Stellen ihres Teilnetzes, "
                                           "die über sie führen")
    group: int | None = Field(None, description="Nummer ihrer Kooperationsgruppe")
    only_link: bool = Field(description="Sie ist die einzige Verbindung zwischen Gruppen")


class NetworkFindingOut(BaseModel):
    """A finding of a network rule (NW-01…NW-03) with its stable id."""

    id: str = Field(description="Stabile Kennung (Hash aus Art und Mitgliedern)")
    iri: str
    rule: str
    kind: str
    title: str
    score: float
    explanation: str
    members: list[MemberOut]
    evidence: dict[str, Any]
    decision: str | None = None


class NetworkPage(Paged):
    """A page of the ranking, with the size of the network and all findings of the network rules."""

    as_of: datetime.date | None
    bodies: int = Field(description="Stellen mit mindestens einer Initiative")
    collaborations: int = Field(description="Paare von Stellen mit mindestens einer gemeinsamen Initiative")
    items: list[RankedBodyOut]
    findings: list[NetworkFindingOut]


def network_out(analysis: NetworkAnalysis, context: AnalysisContext, decided: dict[str, findings_engine.Decision],
                as_of: datetime.date | None, limit: int, offset: int) -> NetworkPage:
    """The page of an analysis (shared by the REST route and ``synergraph network``)."""
    group_of = {member: group.number for group in analysis.groups for member in group.members}
    only_links = {bridge.body for bridge in analysis.bridges}
    labels = dict(analysis.graph.nodes(data="label"))
    items = [RankedBodyOut(rank=r.rank, body=_member(r.body, context, labels), partners=r.partners, shared=r.shared,
                           led=r.led, degree=r.degree, betweenness=r.betweenness, group=group_of.get(r.body),
                           only_link=r.body in only_links)
             for r in analysis.ranking[offset:offset + limit]]
    found = []
    for f in analysis.findings:
        identifier = findings_engine.finding_id(f.kind, f.members)
        iri = findings_engine.finding_iri(identifier)
        found.append(NetworkFindingOut(id=identifier, iri=iri, rule=f.rule, kind=f.kind, title=f.title, score=f.score,
                                       explanation=f.explanation, members=[_member(m, context, labels) for m in f.members],
                                       evidence=f.evidence, decision=decided[iri].decision if iri in decided else None))
    return NetworkPage(total=len(analysis.ranking), limit=limit, offset=offset, as_of=as_of,
                       bodies=analysis.graph.number_of_nodes(), collaborations=analysis.graph.number_of_edges(),
                       items=items, findings=found)


@router.get("/network", response_model=NetworkPage, summary="Netz der Zusammenarbeit: Rangfolge, Gruppen, "
                                                             "einzige Verbindungen")
def get_network(
    service: Annotated[Service, Depends(get_service)],
    as_of: Annotated[datetime.date | None, Query(description="Stichtag: nur Initiativen, die an diesem Tag laufen")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> NetworkPage:
    """Who coordinates most (ranking, paged), collaboration groups and bodies that are the only link between groups."""
    store = service.store
    context = AnalysisContext(store)
    analysis = analyse_network(store, as_of=as_of, context=context)
    return network_out(analysis, context, findings_engine.decisions(store), as_of, limit, offset)
