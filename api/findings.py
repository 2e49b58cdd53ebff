"""``/api/overlaps``, ``/api/duplicates``, ``/api/clusters``, ``POST /api/check`` and decisions on findings.

The routes only translate HTTP to the engine (:mod:`synergraph.graph.overlaps`,
:mod:`synergraph.graph.duplicates`, :mod:`synergraph.graph.findings`) and back. Names of topics,
territories and bodies are resolved to graph entities; an unknown or ambiguous name is a 422 problem
with suggestions. Every member of a finding links to its linked-data page (``page``).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field
from rdflib import URIRef
from synergraph.graph import findings as findings_engine
from synergraph.graph.catalog import InvalidValue, page_path
from synergraph.graph.context import AnalysisContext, as_date
from synergraph.graph.duplicates import (
    DEFAULT_THRESHOLD,
    InitiativeRecord,
    PairResult,
    check,
    clusters,
    duplicate_index,
    duplicates,
    resolve,
    territory_keys,
)
from synergraph.graph.names import other_names
from synergraph.graph.overlaps import SEVERITIES, overlaps
from synergraph.graph.queries import load_query

from .dependencies import get_service
from .rest import Problem, ProblemRoute
from .service import Service

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["Befunde"], route_class=ProblemRoute,
                   responses={422: {"model": Problem, "description": "Ungültiger Parameter"}})


class MemberOut(BaseModel):
    """A resource a finding is about, with its linked-data page."""

    iri: str
    label: str
    page: str | None = Field(None, description="Pfad der Linked-Data-Seite")


class EvidenceOut(BaseModel):
    """One piece of evidence of a duplicate score."""

    name: str
    value: float
    weight: float
    contribution: float
    text: str


class OverlapOut(BaseModel):
    """A finding of an overlap rule (UE-…) or of the duplicate-structure rule (DS-01)."""

    id: str = Field(description="Stabile Kennung (Hash aus Art und Mitgliedern)")
    iri: str
    rule: str
    kind: str
    title: str
    severity: str
    explanation: str
    members: list[MemberOut]
    topics: list[MemberOut]
    territories: list[MemberOut]
    bodies: list[MemberOut]
    period_start: str | None
    period_end: str | None
    evidence: dict[str, Any]
    decision: str | None = None


class PairOut(BaseModel):
    """A duplicate, parallel or excluded pair of initiatives with score and explanation."""

    id: str
    iri: str
    kind: str
    score: float
    explanation: str
    exclusion: str | None
    members: list[MemberOut]
    evidence: list[EvidenceOut]
    decision: str | None = None


class ClusterOut(BaseModel):
    """Connected duplicates with a representative."""

    id: str
    representative: MemberOut
    members: list[MemberOut]


class ResponsibleOut(BaseModel):
    """A body responsible for the planned initiative's topic and territory."""

    body: MemberOut
    role: MemberOut
    topic: MemberOut
    territory: MemberOut
    responsibility: MemberOut
    explanation: str


class PlannedIn(BaseModel):
    """A planned initiative to check (names or keys of bodies, territories, topics are resolved)."""

    title: str = Field(min_length=3, description="Titel")
    description: str = Field("", description="Beschreibung")
    lead: str | None = Field(None, description="Federführende Stelle (Name oder Kurzname)")
    partners: list[str] = Field(default_factory=list, description="Partner")
    territories: list[str] = Field(default_factory=list, description="Gebiete (AGS, Schlüssel oder Name)")
    topics: list[str] = Field(default_factory=list, description="Themen (Kurzname oder Bezeichnung)")
    target_groups: list[str] = Field(default_factory=list, description="Zielgruppen")
    start: datetime.date | None = Field(None, description="Beginn")
    end: datetime.date | None = Field(None, description="Ende")
    successor_of: list[str] = Field(default_factory=list, description="Nachfolger von (Initiativen, IRI oder Kurzname)")


class CheckOut(BaseModel):
    """Ranked existing initiatives and responsible bodies for a planned initiative."""

    matches: list[PairOut]
    responsible: list[ResponsibleOut]


class Paged(BaseModel):
    """Common paging fields."""

    total: int
    limit: int
    offset: int


class OverlapPage(Paged):
    """A page of overlap findings."""

    items: list[OverlapOut]


class PairPage(Paged):
    """A page of pairs."""

    items: list[PairOut]


class ClusterPage(Paged):
    """A page of clusters."""

    items: list[ClusterOut]


class DecisionIn(BaseModel):
    """An analyst's decision on a finding."""

    decision: str = Field(description="confirmed oder not-a-problem")
    reason: str = Field(min_length=3, description="Begründung")


class DecisionOut(BaseModel):
    """A recorded decision."""

    finding: str
    decision: str
    reason: str
    token: str
    date: str


def _member(iri: str, context: AnalysisContext, labels: dict[str, str] | None = None) -> MemberOut:
    label = (labels or {}).get(iri) or context.label(iri)
    return MemberOut(iri=iri, label=label, page=page_path(iri))


def _filters(context: AnalysisContext, store: Any, topic: str | None,
             territory: str | None) -> tuple[str | None, str | None]:
    topic_iri = resolve(context, topic, "topic", "topic") if topic else None
    territory_iri = resolve(context, territory, "territory", "territory", territory_keys(store)) if territory else None
    return topic_iri, territory_iri


def _pair_out(pair: PairResult, context: AnalysisContext, titles: dict[str, str],
              decided: dict[str, findings_engine.Decision]) -> PairOut:
    identifier = findings_engine.finding_id(pair.kind, [pair.a, pair.b])
    iri = findings_engine.finding_iri(identifier)
    return PairOut(
        id=identifier, iri=iri, kind=pair.kind, score=pair.score, explanation=pair.explanation,
        exclusion=pair.exclusion, members=[_member(m, context, titles) for m in (pair.a, pair.b)],
        evidence=[EvidenceOut(name=e.name, value=e.value, weight=e.weight, contribution=e.contribution, text=e.text)
                  for e in pair.evidence],
        decision=decided[iri].decision if iri in decided else None)


@router.get("/overlaps", response_model=OverlapPage, summary="Überschneidungen und Doppelstrukturen")
def get_overlaps(
    service: Annotated[Service, Depends(get_service)],
    topic: Annotated[str | None, Query(description="Thema (mit engeren Themen)")] = None,
    territory: Annotated[str | None, Query(description="Gebiet: AGS, Schlüssel oder Name")] = None,
    as_of: Annotated[datetime.date | None, Query(description="Stichtag")] = None,
    min_severity: Annotated[str | None, Query(description=f"Mindestschwere: {', '.join(SEVERITIES)}")] = None,
    rule: Annotated[list[str] | None, Query(description="Nur diese Regeln (z. B. UE-01)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> OverlapPage:
    """Findings of the overlap rules UE-01…UE-05 and DS-01, most severe first."""
    store = service.store
    context = duplicate_index(store).context
    topic_iri, territory_iri = _filters(context, store, topic, territory)
    found = overlaps(store, topic=topic_iri, territory=territory_iri, as_of=as_of, min_severity=min_severity,
                     rules=rule, context=context)
    decided = findings_engine.decisions(store)
    titles = {r.iri: r.title for r in duplicate_index(store).records}
    items = []
    for f in found[offset:offset + limit]:
        identifier = findings_engine.finding_id(f.kind, f.members)
        iri = findings_engine.finding_iri(identifier)
        items.append(OverlapOut(
            id=identifier, iri=iri, rule=f.rule, kind=f.kind, title=f.title, severity=f.severity,
            explanation=f.explanation, members=[_member(m, context, titles) for m in f.members],
            topics=[_member(t, context) for t in f.topics], territories=[_member(t, context) for t in f.territories],
            bodies=[_member(b, context) for b in f.bodies], period_start=f.period_start, period_end=f.period_end,
            evidence=f.evidence, decision=decided[iri].decision if iri in decided else None))
    return OverlapPage(items=items, total=len(found), limit=limit, offset=offset)


@router.get("/duplicates", response_model=PairPage, summary="Dubletten, Parallelinitiativen, Ausschlüsse")
def get_duplicates(
    service: Annotated[Service, Depends(get_service)],
    kind: Annotated[list[str] | None, Query(description="duplicate, parallel, excluded")] = None,
    min_score: Annotated[float, Query(ge=0, le=1, description="Mindestwert für Dubletten")] = DEFAULT_THRESHOLD,
    topic: Annotated[str | None, Query()] = None,
    territory: Annotated[str | None, Query()] = None,
    as_of: Annotated[datetime.date | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> PairPage:
    """Pairs of initiatives with score, evidence and a German explanation, best first."""
    store = service.store
    index = duplicate_index(store)
    kinds = kind or ["duplicate"]
    for value in kinds:
        if value not in ("duplicate", "parallel", "excluded"):
            raise InvalidValue("kind", value, ["duplicate", "parallel", "excluded"])
    topic_iri, territory_iri = _filters(index.context, store, topic, territory)
    pairs = duplicates(store, threshold=min_score, kinds=kinds, topic=topic_iri, territory=territory_iri,
                       as_of=as_of, index=index)
    titles = {r.iri: r.title for r in index.records}
    decided = findings_engine.decisions(store)
    items = [_pair_out(p, index.context, titles, decided) for p in pairs[offset:offset + limit]]
    return PairPage(items=items, total=len(pairs), limit=limit, offset=offset)


@router.get("/clusters", response_model=ClusterPage, summary="Gruppen von Dubletten")
def get_clusters(
    service: Annotated[Service, Depends(get_service)],
    min_score: Annotated[float, Query(ge=0, le=1)] = DEFAULT_THRESHOLD,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ClusterPage:
    """Connected components of duplicate pairs, each with a representative."""
    index = duplicate_index(service.store)
    pairs = duplicates(service.store, threshold=min_score, index=index)
    records = {r.iri: r for r in index.records}
    titles = {r.iri: r.title for r in index.records}
    found = clusters(pairs, records)
    items = [ClusterOut(id=c.id, representative=_member(c.representative, index.context, titles),
                        members=[_member(m, index.context, titles) for m in c.members])
             for c in found[offset:offset + limit]]
    return ClusterPage(items=items, total=len(found), limit=limit, offset=offset)


def planned_record(store: Any, context: AnalysisContext, planned: PlannedIn, identifier: str = "geplant") -> InitiativeRecord:
    """Resolve the names of a planned initiative to graph entities (raises Unresolved with suggestions)."""
    keys = territory_keys(store)
    names = other_names(store)
    base = "https://w3id.org/synergraph/id/initiative/"
    return InitiativeRecord(
        iri=f"urn:synergraph:planned:{identifier}",
        title=planned.title, description=planned.description,
        topics=frozenset(resolve(context, t, "topic", "topics") for t in planned.topics),
        territories=frozenset(resolve(context, t, "territory", "territories", keys) for t in planned.territories),
        leads=frozenset({resolve(context, planned.lead, "body", "lead", names=names)} if planned.lead else set()),
        partners=frozenset(resolve(context, p, "body", "partners", names=names) for p in planned.partners),
        target_groups=frozenset(resolve(context, g, "target-group", "target_groups") for g in planned.target_groups),
        start=as_date(planned.start), end=as_date(planned.end, end=True),
        successor_of=frozenset(s if s.startswith("http") else base + s for s in planned.successor_of),
    )


@router.post("/check", response_model=CheckOut, summary="Vorabprüfung einer geplanten Initiative")
def post_check(
    planned: PlannedIn,
    service: Annotated[Service, Depends(get_service)],
    min_score: Annotated[float, Query(ge=0, le=1)] = 0.4,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> CheckOut:
    """Ranked existing initiatives (duplicates, exclusions, parallels) and responsible bodies, explained."""
    index = duplicate_index(service.store)
    record = planned_record(service.store, index.context, planned)
    result = check(service.store, record, min_score=min_score, limit=limit, index=index)
    titles = {r.iri: r.title for r in index.records}
    titles[record.iri] = record.title
    context = index.context
    return CheckOut(
        matches=[_pair_out(p, context, titles, {}) for p in result.matches],
        responsible=[ResponsibleOut(body=_member(r.body, context), role=_member(r.role, context),
                                    topic=_member(r.topic, context), territory=_member(r.territory, context),
                                    responsibility=_member(r.responsibility, context), explanation=r.explanation)
                     for r in result.responsible])


@router.post("/findings/{finding}/decision", response_model=DecisionOut, summary="Entscheidung zu einem Befund",
             responses={401: {"model": Problem}, 403: {"model": Problem}, 404: {"model": Problem}})
def post_decision(
    request: Request,
    decision: DecisionIn,
    service: Annotated[Service, Depends(get_service)],
    finding: Annotated[str, Path(description="Kennung des Befunds")],
    authorization: Annotated[str | None, Header()] = None,
) -> DecisionOut:
    """Mark a finding as confirmed or as not a problem (``Authorization: Bearer <token>``)."""
    tokens = request.app.state.tokens
    if not authorization or not authorization.lower().startswith("bearer "):
        raise HTTPException(401, "Token fehlt (Authorization: Bearer …).", headers={"WWW-Authenticate": "Bearer"})
    name = tokens.name_of(authorization[7:].strip())
    if name is None:
        raise HTTPException(403, "Token ist ungültig.")
    store = service.store
    iri = findings_engine.finding_iri(finding)
    known = {"f": URIRef(iri), "findings": URIRef(findings_engine.FINDINGS_GRAPH)}
    if not store.ask(load_query("finding_known"), **known):
        findings_engine.run(store, index=duplicate_index(store))
        if not store.ask(load_query("finding_known"), **known):
            raise HTTPException(404, f"Befund '{finding}' ist nicht bekannt.")
    try:
        recorded = findings_engine.decide(store, iri, decision.decision, decision.reason, name)
    except ValueError as error:
        raise HTTPException(422, str(error)) from error
    return DecisionOut(**recorded.__dict__)
