"""Overlaps of responsibilities and duplicate structures: the rule set, each rule with id, severity, explanation.

**Overlap of responsibilities** (*Überschneidung von Zuständigkeiten*): two or more bodies hold a
responsibility for the same topic (or a broader/narrower one) for territories that intersect through
the containment hierarchy (a Land-level responsibility covers every Kreis and Gemeinde within it,
``sg:within+``), at overlapping times (bounds inclusive, a missing bound is open), in roles that clash
(:data:`CLASHES`). Two *federführend* responsibilities clash; *fördernd* at Land level and *umsetzend* in
a Gemeinde is the normal vertical split and no finding.

**Duplicate structure** (*Doppelstruktur*): networks or programmes with the same mandate (topic) for
the same target group and the same territory, led by different bodies, at overlapping times.

Each rule of :data:`RULES` is a named SPARQL query (``graph/queries/overlap-*.rq``, run once per clashing
role pair) or a small function (DS-01). :func:`overlaps` runs them and filters by topic, territory, day
and severity.

Examples
--------
>>> [rule.id for rule in RULES]
['UE-01', 'UE-02', 'UE-03', 'UE-04', 'UE-05', 'DS-01']
>>> clash("federfuehrend", "federfuehrend"), clash("foerdernd", "umsetzend")
('Doppelte Federführung', None)
>>> overlaps(Store.in_memory())
[]
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from rdflib import URIRef

from .catalog import InvalidValue
from .context import AnalysisContext, as_date, overlap_period, valid_on
from .namespaces import ROLE, SG
from .queries import load_query
from .store import Store

__all__ = [
    "CLASHES",
    "RULES",
    "SEVERITIES",
    "OverlapFinding",
    "OverlapRule",
    "clash",
    "duplicate_structures",
    "overlaps",
    "rule_table",
    "severity_rank",
]

SEVERITIES = ("niedrig", "mittel", "hoch")

# The clash matrix: which pairs of roles on the same (or related) topic and intersecting territories are
# a finding. Every pair not listed does not clash: fördernd/beratend/beteiligt accompany others, and a
# lead body with an implementing or supervising one is the normal vertical split.
CLASHES: dict[frozenset[str], str] = {
    frozenset({"federfuehrend"}): "Doppelte Federführung",
    frozenset({"beaufsichtigend"}): "Doppelte Aufsicht",
    frozenset({"umsetzend"}): "Doppelte Umsetzung",
}

ROLES = ("federfuehrend", "beteiligt", "foerdernd", "beaufsichtigend", "umsetzend", "beratend")


def clash(role_a: str, role_b: str) -> str | None:
    """The German name of the clash between two roles (slugs), or None when they do not clash."""
    return CLASHES.get(frozenset({role_a, role_b}))


def severity_rank(severity: str) -> int:
    """0 niedrig, 1 mittel, 2 hoch.

    Raises
    ------
    InvalidValue
        Not one of :data:`SEVERITIES`.
    """
    if severity not in SEVERITIES:
        raise InvalidValue("min_severity", severity, SEVERITIES)
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class OverlapRule:
    """One rule: id, German title, severity, the clashing roles and how it is evaluated.

    ``query`` names a SPARQL query of ``graph/queries``; rules without one are evaluated by a function.
    ``template`` is the German explanation with fields filled from the finding.
    """

    id: str
    title: str
    severity: str
    roles: tuple[str, str] | None
    query: str | None
    template: str
    definition: str
    definition_en: str


RULES: tuple[OverlapRule, ...] = (
    OverlapRule(
        "UE-01", "Doppelte Federführung im selben Gebiet", "hoch", ("federfuehrend", "federfuehrend"),
        "overlap-same-territory",
        "{holder_a} und {holder_b} sind beide federführend für „{topic_a}“ in {territory_a} ({period}).",
        "Zwei verschiedene Stellen sind federführend für dasselbe Thema im selben Gebiet zu überlappenden Zeiten.",
        "Two different bodies lead on the same topic for the same territory at overlapping times.",
    ),
    OverlapRule(
        "UE-02", "Doppelte Federführung in enthaltenem Gebiet", "hoch", ("federfuehrend", "federfuehrend"),
        "overlap-contained-territory",
        "{holder_a} ist federführend für „{topic_a}“ in {territory_a}, {holder_b} ebenso in {territory_b}, "
        "das darin liegt ({period}).",
        "Zwei Stellen sind federführend für dasselbe Thema; das Gebiet der einen liegt im Gebiet der anderen "
        "(sg:within+), z. B. Land und Kreis.",
        "Two bodies lead on the same topic; the territory of one lies within the other's (sg:within+).",
    ),
    OverlapRule(
        "UE-03", "Doppelte Federführung über die Themenhierarchie", "mittel", ("federfuehrend", "federfuehrend"),
        "overlap-topic-hierarchy",
        "{holder_a} ist federführend für das übergeordnete Thema „{topic_a}“ in {territory_a}, {holder_b} für "
        "„{topic_b}“ in {territory_b} ({period}).",
        "Zwei Stellen sind federführend; das Thema der einen ist dem der anderen übergeordnet (skos:broader+), "
        "die Gebiete sind gleich oder liegen ineinander.",
        "Two bodies lead; one topic is broader than the other (skos:broader+); the territories are the same "
        "or one lies within the other.",
    ),
    OverlapRule(
        "UE-04", "Doppelte Aufsicht", "mittel", ("beaufsichtigend", "beaufsichtigend"),
        "overlap-same-territory",
        "{holder_a} und {holder_b} beaufsichtigen beide „{topic_a}“ in {territory_a} ({period}).",
        "Zwei Stellen beaufsichtigen dasselbe Thema im selben Gebiet zu überlappenden Zeiten.",
        "Two bodies supervise the same topic for the same territory at overlapping times.",
    ),
    OverlapRule(
        "UE-05", "Doppelte Umsetzung im selben Gebiet", "niedrig", ("umsetzend", "umsetzend"),
        "overlap-same-territory",
        "{holder_a} und {holder_b} setzen beide „{topic_a}“ in {territory_a} um ({period}).",
        "Zwei Stellen setzen dasselbe Thema im selben Gebiet zu überlappenden Zeiten um.",
        "Two bodies implement the same topic for the same territory at overlapping times.",
    ),
    OverlapRule(
        "DS-01", "Doppelstruktur: Netzwerke oder Programme mit gleichem Auftrag", "mittel", None, None,
        "{title_a} ({lead_a}) und {title_b} ({lead_b}) sind beide {kind} zu „{topic}“ für {target} in "
        "{territories} ({period}).",
        "Zwei Netzwerke (oder zwei Programme) verschiedener Stellen mit gleichem oder über-/untergeordnetem "
        "Thema, gleicher Zielgruppe und weitgehend gleichem Gebiet (Kreisebene, Jaccard ≥ 0,5; Programme "
        "mit mindestens zwei gemeinsamen Kreisen) laufen zur gleichen Zeit; kein Nachfolger, keine Reihe, "
        "keine Förderbeziehung.",
        "Two networks (or two programmes) of different bodies with the same or a broader/narrower topic, "
        "the same target group and largely the same territory (Kreis level, Jaccard >= 0.5; programmes share "
        "at least two Kreise) run at the same time; no successor, series or funding relation.",
    ),
)

_RULES_BY_ID = {rule.id: rule for rule in RULES}


@dataclass(frozen=True)
class OverlapFinding:
    """One finding of an overlap rule: which items, why, and how severe.

    ``members`` are the IRIs of the responsibilities (UE rules) or initiatives (DS rule);
    ``evidence`` holds the data the explanation is made of.
    """

    rule: str
    kind: str
    title: str
    severity: str
    members: list[str]
    explanation: str
    topics: list[str]
    territories: list[str]
    bodies: list[str]
    period_start: str | None
    period_end: str | None
    evidence: dict[str, Any] = field(default_factory=dict)


def rule_table() -> list[dict[str, str]]:
    """The rule set as rows (id, title, severity, roles, evaluation, definitions), for documentation.

    >>> rule_table()[0]["id"]
    'UE-01'
    """
    return [
        {
            "id": rule.id,
            "title": rule.title,
            "severity": rule.severity,
            "roles": " × ".join(rule.roles) if rule.roles else "–",
            "evaluation": f"graph/queries/{rule.query}.rq" if rule.query else "duplicate_structures()",
            "definition": rule.definition,
            "definition_en": rule.definition_en,
        }
        for rule in RULES
    ]


def _period_text(start: datetime.date | None, end: datetime.date | None) -> str:
    if start is None and end is None:
        return "zeitlich unbegrenzt"
    if end is None:
        return f"ab {start.isoformat() if start else '?'}"
    if start is None:
        return f"bis {end.isoformat()}"
    return f"{start.isoformat()} bis {end.isoformat()}"


def _responsibility_findings(store: Store, rule: OverlapRule, context: AnalysisContext) -> list[OverlapFinding]:
    assert rule.query is not None and rule.roles is not None
    role_a, role_b = rule.roles
    found: dict[tuple[str, str], OverlapFinding] = {}
    pairs = {(role_a, role_b), (role_b, role_a)}
    for first, second in sorted(pairs):
        rows = store.select(load_query(rule.query), roleA=URIRef(ROLE[first]), roleB=URIRef(ROLE[second]))
        for row in rows:
            key = (row["a"], row["b"]) if row["a"] < row["b"] else (row["b"], row["a"])
            if key in found:
                continue
            period = overlap_period(as_date(row.get("fromA")), as_date(row.get("untilA"), end=True),
                                    as_date(row.get("fromB")), as_date(row.get("untilB"), end=True))
            if period is None:  # the query filters on dates already; gYear bounds are rechecked here
                continue
            fields = {
                "holder_a": context.label(row["holderA"]), "holder_b": context.label(row["holderB"]),
                "topic_a": context.label(row["topicA"]), "topic_b": context.label(row["topicB"]),
                "territory_a": context.label(row["territoryA"]), "territory_b": context.label(row["territoryB"]),
                "period": _period_text(*period),
            }
            found[key] = OverlapFinding(
                rule=rule.id,
                kind="overlap",
                title=rule.title,
                severity=rule.severity,
                members=[row["a"], row["b"]],
                explanation=rule.template.format(**fields),
                topics=sorted({row["topicA"], row["topicB"]}),
                territories=sorted({row["territoryA"], row["territoryB"]}),
                bodies=[row["holderA"], row["holderB"]],
                period_start=period[0].isoformat() if period[0] else None,
                period_end=period[1].isoformat() if period[1] else None,
                evidence={
                    "roles": [first, second],
                    "clash": clash(first, second),
                    "relation": row.get("relation"),
                    "validity": [
                        [_iso(row.get("fromA")), _iso(row.get("untilA"))],
                        [_iso(row.get("fromB")), _iso(row.get("untilB"))],
                    ],
                },
            )
    return list(found.values())


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else (str(value) if value is not None else None)


@dataclass
class _Structure:
    iri: str
    cls: str
    links: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    start: datetime.date | None = None
    end: datetime.date | None = None


def duplicate_structures(store: Store, context: AnalysisContext | None = None,
                         min_jaccard: float = 0.5) -> list[OverlapFinding]:
    """Rule DS-01: networks or programmes of different bodies with the same mandate, target group and area.

    Territories are compared at Kreis level (a Gemeinde counts as its Kreis): the two structures must
    cover largely the same Kreise (Jaccard ≥ ``min_jaccard``); programmes, which are often one-Kreis
    undertakings, must share at least two Kreise to count as a standing structure. Pairs linked as
    successor, as editions of one series or by a funding relation are left out. Only structures that
    share class, target group, a Kreis-level area and a same or broader/narrower topic are compared
    (blocks of ``_candidate_pairs``), so the time grows with those pairs, not with the square of the
    number of structures.

    Examples
    --------
    >>> duplicate_structures(Store.in_memory())
    []
    """
    context = context or AnalysisContext(store)
    rule = _RULES_BY_ID["DS-01"]
    items: dict[str, _Structure] = {}
    for row in store.select(load_query("duplicate-structures")):
        item = items.setdefault(row["initiative"], _Structure(row["initiative"], row["class"]))
        if row["relation"] == "startDate":
            item.start = as_date(row["target"])
        elif row["relation"] == "endDate":
            item.end = as_date(row["target"], end=True)
        else:
            item.links[row["relation"]].add(row["target"])
    areas = {iri: {context.area(t) for t in item.links.get("territory", ())} for iri, item in items.items()}
    findings = []
    for a_iri, b_iri in sorted(_candidate_pairs(items.values(), areas, context)):
        finding = _structure_pair(items[a_iri], items[b_iri], areas, context, rule, min_jaccard)
        if finding is not None:
            findings.append(finding)
    return findings


def _candidate_pairs(items: Iterable[_Structure], areas: dict[str, set[str]],
                     context: AnalysisContext) -> set[tuple[str, str]]:
    """Pairs (IRIs in order) that may be a duplicate structure: one class, target group and area, related topics.

    Every pair rule DS-01 can report is among them. Each structure is filed under (class, target group,
    Kreis-level area, topic) as *owner* for each of its own topics and as *below* for each topic broader
    than one of them. Two topics are related when they are the same or one is broader than the other,
    so a related pair meets in a block where both are owners or one is owner and the other below;
    structures that are only below a common topic (siblings) are never paired.

    >>> a, b, c = (_Structure(f"urn:{name}", "urn:Network") for name in "abc")
    >>> for item, target in ((a, "urn:kommunen"), (b, "urn:kommunen"), (c, "urn:unternehmen")):
    ...     item.links["targetGroup"].add(target); item.links["topic"].add("urn:smart-region")
    >>> areas = {"urn:a": {"urn:k1"}, "urn:b": {"urn:k1", "urn:k2"}, "urn:c": {"urn:k1"}}
    >>> sorted(_candidate_pairs([a, b, c], areas, AnalysisContext.empty()))
    [('urn:a', 'urn:b')]
    """
    owners: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
    below: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
    for item in items:
        topics = item.links.get("topic", set())
        broader = {up for topic in topics for up in context.topics_above(topic)}
        for target in item.links.get("targetGroup", ()):
            for area in areas[item.iri]:
                for topic in topics:
                    owners[(item.cls, target, area, topic)].append(item.iri)
                for topic in broader:
                    below[(item.cls, target, area, topic)].append(item.iri)
    pairs: set[tuple[str, str]] = set()
    for key, members in owners.items():
        pairs.update(combinations(sorted(members), 2))
        pairs.update((min(a, b), max(a, b)) for a in members for b in below.get(key, ()) if a != b)
    return pairs


def _structure_pair(a: _Structure, b: _Structure, areas: dict[str, set[str]], context: AnalysisContext,
                    rule: OverlapRule, min_jaccard: float) -> OverlapFinding | None:
    leads_a, leads_b = a.links.get("lead", set()), b.links.get("lead", set())
    if not leads_a or not leads_b or leads_a & leads_b:
        return None
    if a.iri in b.links.get("successorOf", ()) or b.iri in a.links.get("successorOf", ()):
        return None
    if a.links.get("isPartOf", set()) & (b.links.get("isPartOf", set()) | {b.iri}) or a.iri in b.links.get(
            "isPartOf", ()):
        return None
    if (a.links.get("funder", set()) & leads_b) or (b.links.get("funder", set()) & leads_a):
        return None
    targets = a.links.get("targetGroup", set()) & b.links.get("targetGroup", set())
    if not targets:
        return None
    topic_pairs = [(x, y) for x in sorted(a.links.get("topic", ())) for y in sorted(b.links.get("topic", ()))
                   if context.topic_relation(x, y)]
    if not topic_pairs:
        return None
    shared = areas[a.iri] & areas[b.iri]
    union = areas[a.iri] | areas[b.iri]
    jaccard = len(shared) / len(union) if union else 0.0
    if jaccard < min_jaccard or (a.cls == str(SG.Programme) and len(shared) < 2):
        return None
    period = overlap_period(a.start, a.end, b.start, b.end)
    if period is None:
        return None
    kind = "Netzwerke" if a.cls == str(SG.Network) else "Programme"
    topic = context.label(topic_pairs[0][0])
    fields = {
        "title_a": _title(a, context), "title_b": _title(b, context),
        "lead_a": ", ".join(sorted(context.label(x) for x in leads_a)),
        "lead_b": ", ".join(sorted(context.label(x) for x in leads_b)),
        "kind": kind, "topic": topic, "target": ", ".join(sorted(context.label(t) for t in targets)),
        "territories": ", ".join(sorted(context.label(t) for t in shared)), "period": _period_text(*period),
    }
    return OverlapFinding(
        rule=rule.id,
        kind="duplicate-structure",
        title=rule.title,
        severity=rule.severity,
        members=[a.iri, b.iri],
        explanation=rule.template.format(**fields),
        topics=sorted({t for pair in topic_pairs for t in pair}),
        territories=sorted(shared),
        bodies=sorted(leads_a | leads_b),
        period_start=period[0].isoformat() if period[0] else None,
        period_end=period[1].isoformat() if period[1] else None,
        evidence={"class": a.cls, "targetGroups": sorted(targets), "areaJaccard": round(jaccard, 3),
                  "sharedAreas": sorted(shared)},
    )


def _title(item: _Structure, context: AnalysisContext) -> str:
    titles = sorted(item.links.get("title", ()))
    return f"„{titles[0]}“" if titles else context.label(item.iri)


def overlaps(
    store: Store,
    *,
    topic: str | None = None,
    territory: str | None = None,
    as_of: datetime.date | None = None,
    min_severity: str | None = None,
    rules: Sequence[str] | None = None,
    context: AnalysisContext | None = None,
    timings: dict[str, float] | None = None,
) -> list[OverlapFinding]:
    """Run the rules and return their findings, most severe first.

    Parameters
    ----------
    store : Store
    topic : str, optional
        Topic IRI; findings on it or a narrower topic.
    territory : str, optional
        Territory IRI; findings whose territories are it, lie in it or contain it.
    as_of : date, optional
        Only findings whose common period includes this day.
    min_severity : str, optional
        niedrig, mittel or hoch.
    rules : sequence of str, optional
        Rule ids to run (default all).
    context : AnalysisContext, optional
        Read from the store when not given.
    timings : dict, optional
        Filled with the seconds each rule took.

    Raises
    ------
    InvalidValue
        An unknown rule id or severity.

    Examples
    --------
    >>> overlaps(Store.in_memory(), min_severity="hoch")
    []
    """
    floor = severity_rank(min_severity) if min_severity else 0
    wanted = list(rules) if rules else [rule.id for rule in RULES]
    for rule_id in wanted:
        if rule_id not in _RULES_BY_ID:
            raise InvalidValue("rule", rule_id, list(_RULES_BY_ID))
    context = context or AnalysisContext(store)
    findings: list[OverlapFinding] = []
    for rule_id in wanted:
        rule = _RULES_BY_ID[rule_id]
        if severity_rank(rule.severity) < floor:
            continue
        started = time.perf_counter()
        if rule.query is None:
            found = duplicate_structures(store, context)
        else:
            found = _responsibility_findings(store, rule, context)
        if timings is not None:
            timings[rule_id] = time.perf_counter() - started
        findings.extend(found)
    topics_wanted = context.topics_below(topic) if topic else None
    result = []
    for finding in findings:
        if topics_wanted is not None and not topics_wanted.intersection(finding.topics):
            continue
        if territory and not any(context.covers(territory, t) for t in finding.territories):
            continue
        if as_of and not valid_on(as_of, as_date(finding.period_start), as_date(finding.period_end)):
            continue
        result.append(finding)
    result.sort(key=lambda f: (-SEVERITIES.index(f.severity), f.rule, f.members))
    return result
