"""The responsibility map: who is responsible for what, where, as a networkx graph ready for drawing.

The map has four kinds of nodes (bodies by level, topics, territories, initiatives) and the edges
between them (responsibilities coloured by role, lead/partner/funder of initiatives, part of, within,
sub-organisation, successor). Overlaps of responsibilities and duplicate or parallel initiatives from
the analyses (:mod:`synergraph.graph.overlaps`, :mod:`synergraph.graph.duplicates`) are drawn as
finding edges and marked on their nodes.

:func:`map_graph` applies the filters (topic with narrower topics, territory with contained
territories, body, role, status, as-of day, only findings) or a focus (a body's neighbourhood, an
initiative with its duplicates and parallels), clusters Gemeinden under their Kreis (those that take
part in nothing; on a map of more than :data:`CLUSTER_LIMIT` nodes all of them), and computes the
layout on the server (so the browser needs no physics).
:func:`responsibility_chain` answers "Wer ist zuständig?" for a Gemeinde and a topic: the chain of
territories containing it (Gemeinde, Amt, Kreis, Land, Bund) with the bodies responsible at each.
:func:`vis_data` turns a map graph into the node and edge records vis-network draws.

Everything here is plain data; texts from the store are never marked up (the page escapes them).

Examples
--------
>>> from synergraph.graph.store import Store
>>> graph = map_graph(Store.in_memory(), MapFilters())
>>> graph.number_of_nodes()
0
"""

from __future__ import annotations

import datetime
import hashlib
import math
import re
import threading
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from . import catalog
from .catalog import InvalidValue, NotFound, Snapshot, snapshot, store_fingerprint
from .context import as_date, valid_on
from .duplicates import duplicates
from .findings import finding_id
from .namespaces import ROLE, STATUS, TOPIC, resource
from .overlaps import overlaps
from .store import Store

__all__ = [
    "BODY_GROUPS",
    "CLUSTER_LIMIT",
    "EDGE_KINDS",
    "FINDING_EDGES",
    "NODE_KINDS",
    "ROLE_COLOURS",
    "ROLE_LABELS",
    "ChainEntry",
    "ChainLevel",
    "MapFilters",
    "MapFinding",
    "map_base",
    "map_graph",
    "resolve_filters",
    "responsibility_chain",
    "vis_data",
]

# -- legend: what each kind of node and edge looks like (shared by the page and the list view) --------

NODE_KINDS: dict[str, dict[str, str]] = {
    "body": {"label": "Stelle", "shape": "dot", "color": "#1f77b4"},
    "topic": {"label": "Thema", "shape": "diamond", "color": "#9467bd"},
    "territory": {"label": "Gebiet", "shape": "square", "color": "#2ca02c"},
    "initiative": {"label": "Initiative", "shape": "triangle", "color": "#ff7f0e"},
    "cluster": {"label": "Gemeinden eines Kreises (zusammengefasst)", "shape": "hexagon", "color": "#98df8a"},
}

# Bodies by level: the colour tells the level; agencies and partners have their own.
BODY_GROUPS: dict[str, dict[str, str]] = {
    "bund": {"label": "Bund", "color": "#08306b"},
    "land": {"label": "Land", "color": "#2171b5"},
    "agentur": {"label": "Landes- und Bundeseinrichtung, Gesellschaft", "color": "#17becf"},
    "kreis": {"label": "Kreis", "color": "#6baed6"},
    "amt": {"label": "Amt", "color": "#9ecae1"},
    "gemeinde": {"label": "Gemeinde", "color": "#c6dbef"},
    "partner": {"label": "Hochschule, Unternehmen, Verband", "color": "#7f7f7f"},
}
_AGENCY_TYPES = {"StateAgency", "StateCompany", "FederalBody"}

ROLE_LABELS: dict[str, str] = {
    "federfuehrend": "federführend", "beaufsichtigend": "beaufsichtigend", "umsetzend": "umsetzend",
    "foerdernd": "fördernd", "beratend": "beratend", "beteiligt": "beteiligt",
}
ROLE_COLOURS: dict[str, str] = {
    "federfuehrend": "#d62728", "beaufsichtigend": "#8c564b", "umsetzend": "#2ca02c",
    "foerdernd": "#bcbd22", "beratend": "#17becf", "beteiligt": "#7f7f7f",
}

EDGE_KINDS: dict[str, dict[str, Any]] = {
    "responsibility": {"label": "Zuständigkeit (Farbe = Rolle)", "color": "#d62728", "dashes": False},
    "responsibility-territory": {"label": "Gebiet einer Zuständigkeit", "color": "#d62728", "dashes": True},
    "leads": {"label": "leitet (federführend)", "color": "#ff7f0e", "dashes": False},
    "partner": {"label": "ist Partner", "color": "#ffbb78", "dashes": False},
    "funds": {"label": "fördert", "color": "#bcbd22", "dashes": True},
    "about": {"label": "Thema der Initiative", "color": "#c5b0d5", "dashes": False},
    "located": {"label": "Gebiet der Initiative", "color": "#98df8a", "dashes": True},
    "part-of": {"label": "Teil von (Reihe, übergeordnetes Thema)", "color": "#9467bd", "dashes": [2, 4]},
    "within": {"label": "liegt in", "color": "#2ca02c", "dashes": False},
    "administers": {"label": "Verwaltung des Gebiets", "color": "#aec7e8", "dashes": [2, 4]},
    "sub-organisation": {"label": "Unterorganisation von", "color": "#1f77b4", "dashes": [6, 3]},
    "successor": {"label": "Nachfolger von", "color": "#8c564b", "dashes": [6, 3]},
    "overlap": {"label": "Überschneidung von Zuständigkeiten", "color": "#e31a1c", "dashes": [8, 4]},
    "duplicate": {"label": "mögliche Dublette", "color": "#e31a1c", "dashes": [8, 4]},
    "parallel": {"label": "Parallelinitiative (anderswo)", "color": "#fd8d3c", "dashes": [8, 4]},
}
# Edge kinds that draw a finding (shown first in the legend, kept by "nur Überschneidungen").
FINDING_EDGES = ("overlap", "duplicate", "parallel")

# Above this many linked nodes the spring refinement of the layout is skipped: it grows quadratically,
# and on a large map it pulls the radial tree of territories into one tangle (the whole Brandenburg
# map, 276 nodes, stays a readable ring of Kreise without it).
SPRING_LIMIT = 150
# Above this many nodes every Gemeinde is clustered under its Kreis (with what belongs to it alone), so
# that a large map opens quickly; below it only Gemeinden that take part in nothing are.
CLUSTER_LIMIT = 1500
# Territory classes that are clustered under their Kreis.
_GEMEINDE_TYPES = {"Municipality", "UnincorporatedArea"}


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


# -- the data of the whole map, read once per store state ------------------------------------------


@dataclass(frozen=True)
class MapFinding:
    """An overlap, duplicate or parallel finding as the map shows it: an edge between two nodes.

    ``ends`` are the two nodes (bodies of an overlap, initiatives of a duplicate or parallel);
    ``items`` are the finding's own members (responsibilities or initiatives).
    """

    id: str
    kind: str
    title: str
    explanation: str
    severity: str
    ends: tuple[str, str]
    items: tuple[str, ...]
    start: datetime.date | None = None
    end: datetime.date | None = None


@dataclass
class MapBase:
    """Bodies, territories, topics, responsibilities, initiatives and findings of one store state."""

    snap: Snapshot
    bodies: dict[str, catalog.Body]
    territories: dict[str, catalog.Territory]
    topics: dict[str, catalog.Topic]
    responsibilities: list[catalog.Responsibility]
    initiatives: dict[str, catalog.Initiative]
    successor_of: dict[str, str]
    part_of: dict[str, str]
    findings: list[MapFinding]
    findings_of: dict[str, list[MapFinding]] = field(default_factory=dict)

    def body_group(self, iri: str) -> str:
        """The legend group of a body: its level, 'agentur' for agencies, 'partner' for the rest."""
        body = self.bodies[iri]
        if body.type in _AGENCY_TYPES:
            return "agentur"
        if body.level is not None:
            return _local(body.level.iri)
        return "partner"

    def narrower(self, topic: str) -> set[str]:
        """``topic`` and every narrower topic (``skos:broader+`` inverted)."""
        found, todo = {topic}, [topic]
        while todo:
            for child in self.topics[todo.pop()].narrower:
                if child not in found and child in self.topics:
                    found.add(child)
                    todo.append(child)
        return found

    def broader(self, topic: str) -> set[str]:
        """Every topic broader than ``topic``."""
        found: set[str] = set()
        todo = [topic]
        while todo:
            for parent in self.topics[todo.pop()].broader:
                if parent not in found and parent in self.topics:
                    found.add(parent)
                    todo.append(parent)
        return found


_BASES: weakref.WeakKeyDictionary[Store, tuple[str, MapBase]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
_BUILDING = threading.Lock()
_ALL = 10**9


def _read_findings(store: Store, base_titles: dict[str, str]) -> list[MapFinding]:
    found: list[MapFinding] = []
    holders: dict[str, str] = {}
    for row in catalog.responsibilities(store, limit=_ALL).items:
        holders[row.iri] = row.holder.iri
    for item in overlaps(store):
        if item.rule.startswith("DS"):
            ends = tuple(item.members[:2])
        else:
            ends = tuple(holders.get(m, m) for m in item.members[:2])
        if len(ends) < 2 or ends[0] == ends[1]:
            ends = tuple(item.bodies[:2]) if len(item.bodies) >= 2 else ends
        if len(ends) < 2:
            continue
        found.append(MapFinding(
            id=finding_id(item.kind, item.members), kind="duplicate" if item.rule.startswith("DS") else "overlap",
            title=f"{item.rule}: {item.title}", explanation=item.explanation, severity=item.severity,
            ends=(ends[0], ends[1]), items=tuple(item.members),
            start=as_date(item.period_start), end=as_date(item.period_end, end=True)))
    for pair in duplicates(store, kinds=("duplicate", "parallel")):
        kind = "Mögliche Dublette" if pair.kind == "duplicate" else "Parallelinitiative"
        found.append(MapFinding(
            id=finding_id(pair.kind, [pair.a, pair.b]), kind=pair.kind,
            title=f"{kind} (Wert {pair.score:.2f}): {base_titles.get(pair.a, pair.a)} – {base_titles.get(pair.b, pair.b)}",
            explanation=pair.explanation, severity="mittel" if pair.kind == "duplicate" else "Hinweis",
            ends=(pair.a, pair.b), items=(pair.a, pair.b)))
    return found


def map_base(store: Store) -> MapBase:
    """The map's data of the store's current state (read again only after the store changed).

    Examples
    --------
    >>> map_base(Store.in_memory()).findings
    []
    """
    state = store_fingerprint(store)
    cached = _cached_base(store, state)
    if cached is not None:
        return cached
    # The analyses take half a minute on a large store: a second request waits for the first reading
    # instead of running them again beside it.
    with _BUILDING:
        cached = _cached_base(store, state)
        return cached if cached is not None else _build_base(store, state)


def _cached_base(store: Store, state: str) -> MapBase | None:
    with _LOCK:
        cached = _BASES.get(store)
    return cached[1] if cached and cached[0] == state else None


def _build_base(store: Store, state: str) -> MapBase:
    snap = snapshot(store)
    rows = catalog._initiatives(store, snap)
    initiatives = {item.iri: item for item, _, _ in rows}
    base = MapBase(
        snap=snap,
        bodies={b.iri: b for b in catalog.bodies(store, limit=_ALL).items},
        territories={t.iri: t for t in catalog.territories(store, limit=_ALL).items},
        topics={t.iri: t for t in catalog.topics(store)},
        responsibilities=list(catalog.responsibilities(store, limit=_ALL).items),
        initiatives=initiatives,
        successor_of={item.iri: str(row["successorOf"]) for item, row, _ in rows if "successorOf" in row},
        part_of={item.iri: str(row["isPartOf"]) for item, row, _ in rows if "isPartOf" in row},
        findings=_read_findings(store, {iri: i.label for iri, i in initiatives.items()}),
    )
    for finding in base.findings:
        for node in {*finding.ends, *finding.items}:
            base.findings_of.setdefault(node, []).append(finding)
    with _LOCK:
        _BASES[store] = (state, base)
    return base


# -- filters ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapFilters:
    """What the map shows. All values are IRIs (see :func:`resolve_filters` for keys and slugs).

    ``focus`` is ``None``, ``("body", iri)`` or ``("initiative", iri)``; ``expand`` names Kreise whose
    Gemeinden are drawn one by one (``"all"``: every Kreis).
    """

    topic: str | None = None
    territory: str | None = None
    body: str | None = None
    role: str | None = None
    status: str | None = None
    as_of: datetime.date | None = None
    only_findings: bool = False
    focus: tuple[str, str] | None = None
    expand: frozenset[str] = frozenset()


def _by_name(text: str, labels: dict[str, str], parameter: str, lookup: Any) -> str:
    """The IRI ``lookup(text)`` finds (key or slug), else the one item whose name is (or starts with) ``text``."""
    try:
        if not re.fullmatch(r"[\w.-]+", text):
            raise NotFound(parameter, text)
        return str(lookup(text))
    except (InvalidValue, NotFound):
        needle = catalog._fold(text.strip())
        exact = [iri for iri, label in labels.items() if catalog._fold(label) == needle]
        start = [iri for iri, label in labels.items() if catalog._fold(label).startswith(needle)]
        for found in (exact, start):
            if len(found) == 1:
                return found[0]
        raise InvalidValue(parameter, text, sorted(labels[iri] for iri in (exact or start))[:10]) from None


def resolve_filters(store: Store, *, topic: str | None = None, territory: str | None = None,
                    body: str | None = None, role: str | None = None, status: str | None = None,
                    as_of: datetime.date | None = None, only_findings: bool = False,
                    focus: str | None = None, expand: Iterable[str] = ()) -> MapFilters:
    """Filters from what a user gives: topic, role, status and body by slug, territory by key (AGS).

    ``focus`` is ``body:<slug>`` or ``initiative:<slug>``. An unknown value raises
    :class:`~synergraph.graph.catalog.InvalidValue` naming the parameter.

    Examples
    --------
    >>> try:
    ...     resolve_filters(Store.in_memory(), topic="gibt-es-nicht")
    ... except InvalidValue as error:
    ...     print(error.parameter)
    topic
    """
    base = map_base(store)
    snap = base.snap
    territory_names = {iri: t.label for iri, t in base.territories.items()}
    body_names = {iri: b.label for iri, b in base.bodies.items()}
    focus_value: tuple[str, str] | None = None
    if focus:
        kind, _, slug = focus.partition(":")
        if kind == "body":
            focus_value = ("body", catalog._body_iri(snap, slug, parameter="focus"))
        elif kind == "initiative" and snap.is_a(str(resource("initiative", slug)), catalog._INITIATIVE_CLASS):
            focus_value = ("initiative", str(resource("initiative", slug)))
        else:
            raise InvalidValue("focus", focus, ["body:<Kurzname>", "initiative:<Kurzname>"])
    expanded = set()
    for key in expand:
        expanded.add("all" if key == "all" else catalog._territory_iri(store, snap, key, parameter="expand"))
    return MapFilters(
        topic=catalog._concept(snap, str(TOPIC), topic, "topic") if topic else None,
        territory=_by_name(territory, territory_names, "territory", lambda key: catalog._territory_iri(
            store, snap, key, parameter="territory")) if territory else None,
        body=_by_name(body, body_names, "body", lambda key: catalog._body_iri(snap, key, parameter="body"))
        if body else None,
        role=catalog._concept(snap, str(ROLE), role, "role") if role else None,
        status=catalog._concept(snap, str(STATUS), status, "status") if status else None,
        as_of=as_of, only_findings=only_findings, focus=focus_value, expand=frozenset(expanded),
    )


# -- building the graph ----------------------------------------------------------------------------


def _add_node(graph: nx.MultiDiGraph, base: MapBase, iri: str) -> None:
    if iri in graph:
        return
    if iri in base.bodies:
        body = base.bodies[iri]
        group = base.body_group(iri)
        graph.add_node(iri, kind="body", category=group, label=body.label, type_label=body.type_label or "Stelle",
                       detail=BODY_GROUPS[group]["label"], page=body.page)
    elif iri in base.territories:
        territory = base.territories[iri]
        graph.add_node(iri, kind="territory", category=territory.type or "Territory", label=territory.label,
                       type_label=territory.type_label or "Gebiet", detail=territory.key, page=territory.page)
    elif iri in base.topics:
        topic = base.topics[iri]
        graph.add_node(iri, kind="topic", category="topic", label=topic.label, type_label="Thema", detail=topic.slug,
                       page=topic.page)
    elif iri in base.initiatives:
        item = base.initiatives[iri]
        status = _local(item.status.iri) if item.status else "unbekannt"
        graph.add_node(iri, kind="initiative", category=status, label=item.label,
                       type_label=item.type_label or "Initiative",
                       detail=item.status.label if item.status else "Status unbekannt", page=item.page,
                       period=" bis ".join(d for d in (item.start_date, item.end_date) if d))
    else:
        return
    findings = base.findings_of.get(iri, [])
    graph.nodes[iri]["findings"] = sorted({f.id for f in findings})


def _add_edge(graph: nx.MultiDiGraph, source: str, target: str, kind: str, text: str, key: str | None = None,
              **extra: Any) -> None:
    if source in graph and target in graph:
        graph.add_edge(source, target, key=key or f"{kind}|{source}|{target}", kind=kind, text=text, **extra)


def _responsibility_text(r: catalog.Responsibility) -> str:
    period = " ".join(p for p in (f"ab {r.valid_from}" if r.valid_from else "",
                                  f"bis {r.valid_until}" if r.valid_until else "") if p)
    return f"{r.holder.label} ist {r.role.label} für „{r.topic.label}“ in {r.territory.label}" + (
        f" ({period})" if period else "")


def _selected_responsibilities(base: MapBase, f: MapFilters, topics: set[str] | None,
                               places: set[str] | None) -> list[catalog.Responsibility]:
    return [r for r in base.responsibilities
            if (topics is None or r.topic.iri in topics)
            and (places is None or r.territory.iri in places)
            and (f.body is None or r.holder.iri == f.body)
            and (f.role is None or r.role.iri == f.role)
            and valid_on(f.as_of, as_date(r.valid_from), as_date(r.valid_until, end=True))]


def _selected_initiatives(base: MapBase, f: MapFilters, topics: set[str] | None,
                          places: set[str] | None) -> list[catalog.Initiative]:
    if f.role is not None:  # a role narrows the map to responsibilities in that role
        return []
    chosen = []
    for item in base.initiatives.values():
        bodies = {b.iri for b in (*item.lead_bodies, *item.partners, *item.funders)}
        if topics is not None and not topics & {t.iri for t in item.topics}:
            continue
        if places is not None and not places & {t.iri for t in item.territories}:
            continue
        if f.body is not None and f.body not in bodies:
            continue
        if f.status is not None and (item.status is None or item.status.iri != f.status):
            continue
        if not valid_on(f.as_of, as_date(item.start_date), as_date(item.end_date, end=True)):
            continue
        chosen.append(item)
    return chosen


def _full_graph(base: MapBase, f: MapFilters) -> nx.MultiDiGraph:
    """Nodes and edges selected by the filters (before focus, findings-only and clustering)."""
    topics = base.narrower(f.topic) if f.topic else None
    places = ({f.territory, *base.snap.descendants(f.territory, f.as_of)} if f.territory else None)
    chosen_r = _selected_responsibilities(base, f, topics, places)
    chosen_i = _selected_initiatives(base, f, topics, places)
    graph = nx.MultiDiGraph()
    narrowed = any((f.topic, f.territory, f.body, f.role, f.status))
    if not narrowed:
        for iri in (*base.territories, *base.bodies, *base.topics):
            _add_node(graph, base, iri)
    for iri in (*(topics or ()), *(places or ()), *([f.body] if f.body else [])):
        _add_node(graph, base, iri)
    if places is not None:
        for body in base.bodies.values():
            if body.territory is not None and body.territory.iri in places:
                _add_node(graph, base, body.iri)
    for r in chosen_r:
        for iri in (r.holder.iri, r.topic.iri, r.territory.iri):
            _add_node(graph, base, iri)
    for item in chosen_i:
        _add_node(graph, base, item.iri)
        for ref in (*item.lead_bodies, *item.partners, *item.funders, *item.topics, *item.territories):
            _add_node(graph, base, ref.iri)
    for r in chosen_r:
        role = _local(r.role.iri)
        text = _responsibility_text(r)
        common = {"role": role, "role_label": r.role.label, "item": r.iri}
        _add_edge(graph, r.holder.iri, r.topic.iri, "responsibility", text, key=r.iri, **common)
        _add_edge(graph, r.holder.iri, r.territory.iri, "responsibility-territory", text, key=r.iri + "#gebiet",
                  **common)
    for item in chosen_i:
        for kind, refs, verb in (("leads", item.lead_bodies, "leitet"), ("partner", item.partners, "ist Partner von"),
                                 ("funds", item.funders, "fördert")):
            for ref in refs:
                _add_edge(graph, ref.iri, item.iri, kind, f"{ref.label} {verb} „{item.label}“")
        for ref in item.topics:
            _add_edge(graph, item.iri, ref.iri, "about", f"„{item.label}“ hat das Thema {ref.label}")
        for ref in item.territories:
            _add_edge(graph, item.iri, ref.iri, "located", f"„{item.label}“ gilt für {ref.label}")
        if item.iri in base.successor_of:
            other = base.successor_of[item.iri]
            _add_edge(graph, item.iri, other, "successor",
                      f"„{item.label}“ ist Nachfolger von „{graph.nodes[other]['label'] if other in graph else other}“")
        if item.iri in base.part_of:
            _add_edge(graph, item.iri, base.part_of[item.iri], "part-of", f"„{item.label}“ gehört zu einer Reihe")
    nodes = list(graph.nodes)
    for iri in nodes:
        kind = graph.nodes[iri]["kind"]
        label = graph.nodes[iri]["label"]
        if kind == "territory":
            for parent in base.snap.parents_on(iri, f.as_of):
                if parent in graph:
                    _add_edge(graph, iri, parent, "within", f"{label} liegt in {graph.nodes[parent]['label']}")
        elif kind == "topic":
            for parent in base.topics[iri].broader:
                if parent in graph:
                    _add_edge(graph, iri, parent, "part-of", f"{label} gehört zum Thema {graph.nodes[parent]['label']}")
        elif kind == "body":
            body = base.bodies[iri]
            if body.parent is not None and body.parent.iri in graph:
                _add_edge(graph, iri, body.parent.iri, "sub-organisation", f"{label} gehört zu {body.parent.label}")
            if body.territory is not None and body.territory.iri in graph:
                _add_edge(graph, iri, body.territory.iri, "administers", f"{label}: Gebiet {body.territory.label}")
    for finding in base.findings:
        if not all(end in graph for end in finding.ends):
            continue
        if f.as_of is not None and not valid_on(f.as_of, finding.start, finding.end):
            continue
        if finding.kind == "overlap" and not any(graph.has_edge(r.holder.iri, r.topic.iri, key=r.iri)
                                                 for r in chosen_r if r.iri in finding.items):
            continue
        _add_edge(graph, finding.ends[0], finding.ends[1], finding.kind, finding.explanation, key=finding.id,
                  finding=finding.id, title=finding.title, severity=finding.severity)
    return graph


def _finding_nodes(graph: nx.MultiDiGraph, base: MapBase) -> set[str]:
    """The nodes a findings-only view keeps: the ends of finding edges and what the findings are about."""
    keep: set[str] = set()
    by_iri = {r.iri: r for r in base.responsibilities}
    for source, target, data in graph.edges(data=True):
        if data["kind"] not in FINDING_EDGES:
            continue
        keep.update((source, target))
        finding = next(f for f in base.findings_of.get(source, []) if f.id == data["finding"])
        for item in finding.items:
            if item in by_iri:
                keep.update((by_iri[item].topic.iri, by_iri[item].territory.iri))
            elif item in base.initiatives:
                keep.update(ref.iri for ref in base.initiatives[item].lead_bodies)
    return {n for n in keep if n in graph}


def _focus_nodes(graph: nx.MultiDiGraph, focus: tuple[str, str]) -> set[str]:
    """A body's neighbourhood, or an initiative with its duplicates and parallels and their bodies."""
    kind, anchor = focus
    if anchor not in graph:
        return set()
    undirected = graph.to_undirected(as_view=True)
    keep = {anchor, *undirected.neighbors(anchor)}
    starts = [anchor]
    if kind == "initiative":
        starts += [n for n in undirected.neighbors(anchor)
                   if any(d["kind"] in FINDING_EDGES for d in undirected.get_edge_data(anchor, n).values())]
    for start in starts:
        for near in list(undirected.neighbors(start)):
            keep.add(near)
            if graph.nodes[near]["kind"] == "initiative" or start != anchor:
                keep.update(n for n in undirected.neighbors(near) if graph.nodes[n]["kind"] == "body")
    return keep


def _kreis_of(base: MapBase, territory: str, day: datetime.date | None) -> str | None:
    for ancestor in base.snap.ancestors(territory, day):
        if base.territories.get(ancestor) and base.territories[ancestor].type in ("District", "DistrictFreeCity"):
            return ancestor
    return None


def _cluster_members(graph: nx.MultiDiGraph, base: MapBase, f: MapFilters, keep: set[str],
                     expanded: set[str], crowded: bool) -> dict[str, list[str]]:
    """The nodes each Kreis's cluster takes in (see :func:`_cluster`)."""
    members: dict[str, list[str]] = defaultdict(list)
    for node, data in graph.nodes(data=True):
        if data["kind"] != "territory" or data["category"] not in _GEMEINDE_TYPES or node in keep:
            continue
        if data["findings"] and not crowded:
            continue
        kreis = _kreis_of(base, node, f.as_of)
        if kreis is None or kreis in expanded or kreis not in graph:
            continue
        administrations = [b for b, _, d in graph.in_edges(node, data=True) if d["kind"] == "administers"
                           and b not in keep]
        group = [node, *administrations]
        if crowded or (all(d["kind"] in ("within", "administers") for n in group for _, _, d in (
                *graph.in_edges(n, data=True), *graph.out_edges(n, data=True)))
                and not any(graph.nodes[b]["findings"] for b in administrations)
                and all(graph.in_degree(b) == 0 for b in administrations)):
            members[kreis].extend(group)
    if crowded:  # an initiative for clustered Gemeinden of one Kreis only goes into that Kreis's cluster
        kreis_of = {n: kreis for kreis, group in members.items() for n in group}
        for node, data in graph.nodes(data=True):
            if data["kind"] != "initiative" or node in keep:
                continue
            places = {kreis_of.get(t) for _, t, d in graph.out_edges(node, data=True) if d["kind"] == "located"}
            if len(places) == 1 and None not in places:
                members[next(iter(places))].append(node)  # type: ignore[index]
    # An administration of several Gemeinden (an Amtsverwaltung) is listed once.
    return {kreis: list(dict.fromkeys(group)) for kreis, group in members.items()}


def _cluster(graph: nx.MultiDiGraph, base: MapBase, f: MapFilters, keep: set[str],
             limit: int) -> nx.MultiDiGraph:
    """Gemeinden drawn as one node per Kreis until the user expands the Kreis or zooms in.

    Gemeinden (with their administrations) that take part in nothing are always clustered. A map of more
    than ``limit`` nodes clusters every Gemeinde, with its administrations and the initiatives
    for Gemeinden of that Kreis only; their lines to the rest of the map are bundled into one line per
    kind and other end, and the cluster carries their findings. ``keep`` (what the user chose) and the
    Kreis of a chosen territory are never clustered.
    """
    if "all" in f.expand:
        return graph
    expanded = set(f.expand)
    if f.territory:
        kreis = f.territory if base.territories[f.territory].type in ("District", "DistrictFreeCity") else \
            _kreis_of(base, f.territory, f.as_of)
        if kreis:  # the chosen territory lies in one Kreis: its Gemeinden are what the user asked for
            expanded.add(kreis)
    members = _cluster_members(graph, base, f, keep, expanded, len(graph) > limit)
    if not members:
        return graph
    cluster_of = {n: f"cluster:{kreis}" for kreis, group in members.items() for n in group}
    clustered = graph.subgraph([n for n in graph if n not in cluster_of]).copy()
    for kreis, group in members.items():
        gemeinden = sorted((graph.nodes[n]["label"], n) for n in group if graph.nodes[n]["kind"] == "territory")
        inner = sorted((graph.nodes[n]["label"], n, graph.nodes[n]["type_label"]) for n in group
                       if graph.nodes[n]["kind"] != "territory")
        initiatives = sum(1 for n in group if graph.nodes[n]["kind"] == "initiative")
        label = f"{len(gemeinden)} Gemeinden" + (f", {initiatives} Initiativen" if initiatives else "")
        clustered.add_node(cluster_of[group[0]], kind="cluster", category="cluster", label=label,
                           type_label="Gemeinden zusammengefasst", detail=graph.nodes[kreis]["label"], page=None,
                           findings=sorted({x for n in group for x in graph.nodes[n]["findings"]}),
                           kreis=kreis, key=base.territories[kreis].key,
                           members=[{"iri": iri, "label": label} for label, iri in gemeinden],
                           inner=[{"iri": iri, "label": label, "type_label": kind} for label, iri, kind in inner])
    bundles: dict[tuple[str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for source, target, data in graph.edges(data=True):
        start, end = cluster_of.get(source, source), cluster_of.get(target, target)
        if (start, end) != (source, target) and start != end:
            bundles[(start, end, data["kind"], data.get("role", ""))].append(data)
    for (start, end, kind, role), items in sorted(bundles.items()):
        first = items[0]
        if kind == "within" and start.startswith("cluster:"):
            text = f"Gemeinden in {clustered.nodes[start]['detail']} liegen in {clustered.nodes[end]['label']}"
        elif len(items) == 1:
            text = first["text"]
        else:
            text = f"{len(items)}-mal „{EDGE_KINDS[kind]['label']}“, z. B.: {first['text']}"
        extra = {k: first[k] for k in ("role", "role_label", "finding", "title", "severity") if k in first}
        _add_edge(clustered, start, end, kind, text, key=f"{kind}|{role}|{start}|{end}", **extra)
    return clustered


# -- layout ----------------------------------------------------------------------------------------


def _angle_jitter(iri: str) -> float:
    return int(hashlib.sha1(iri.encode("utf-8")).hexdigest()[:6], 16) / 0xFFFFFF - 0.5


def _fan(index: int, count: int) -> tuple[float, float]:
    """Where the ``index``-th of ``count`` nodes attached to one node goes: angle (in units of pi, around
    the outward direction) and distance. A few fan outwards; many fill rings all around, 8 more per ring,
    so that the bodies and initiatives of a Land do not pile up on one spot.

    >>> _fan(0, 1), _fan(1, 3)
    ((0.0, 70.0), (0.0, 70.0))
    >>> _fan(8, 20)[1]
    115.0
    """
    ring, slot, capacity = 0, index, 8
    while slot >= capacity:
        slot -= capacity
        ring += 1
        capacity = 8 * (ring + 1)
    in_ring = min(capacity, count - (index - slot))
    width = 0.6 if count <= 8 else 2.0
    return width * (slot - (in_ring - 1) / 2) / max(1, in_ring), 70.0 + 45.0 * ring


def _layout(graph: nx.MultiDiGraph, base: MapBase) -> None:
    """Positions for every node, computed here so the browser needs no physics.

    Territories form a radial tree (outer rings are lower levels); bodies sit by the territory they
    administer or are responsible for, initiatives by their territory, topics on the inner ring. Small
    graphs are then relaxed with a spring layout from these positions (fixed seed, deterministic).
    """
    if not graph:
        return
    depth_of = {t: len(base.snap.ancestors(t, None)) for t in base.territories}
    parent: dict[str, str] = {}
    for node, data in graph.nodes(data=True):
        if data["kind"] in ("territory", "cluster"):
            ups = [t for _, t, d in graph.out_edges(node, data=True) if d["kind"] == "within"]
            if ups:
                parent[node] = max(ups, key=lambda t: (depth_of.get(t, 0), t))
    anchor: dict[str, str] = {}
    for node, data in graph.nodes(data=True):
        if data["kind"] in ("territory", "cluster", "topic"):
            continue
        targets = sorted((d["kind"], t) for _, t, d in graph.out_edges(node, data=True)
                         if d["kind"] in ("administers", "responsibility-territory", "located"))
        if not targets and data["kind"] == "initiative":
            targets = sorted(("body", s) for s, _, d in graph.in_edges(node, data=True) if d["kind"] == "leads")
        if targets:
            anchor[node] = targets[0][1]
    children: dict[str | None, list[str]] = defaultdict(list)
    for node, data in graph.nodes(data=True):
        if data["kind"] in ("territory", "cluster"):
            children[parent.get(node)].append(node)
    attached: dict[str, list[str]] = defaultdict(list)
    for node, target in sorted(anchor.items()):
        attached[target].append(node)
    weight: dict[str, float] = {}

    def measure(node: str) -> float:
        total = 1.0 + 0.5 * len(attached.get(node, ())) + sum(measure(c) for c in children.get(node, ()))
        weight[node] = total
        return total

    roots = sorted(children.get(None, []))
    for root in roots:
        measure(root)
    step = 260.0
    pos: dict[str, tuple[float, float]] = {}
    polar: dict[str, tuple[float, float]] = {}
    stack = []
    total = sum(weight[r] for r in roots) or 1.0
    start = 0.0
    for root in roots:
        span = 2 * math.pi * weight[root] / total
        stack.append((root, start, span, 0 if len(roots) == 1 else 1))
        start += span
    while stack:
        node, begin, span, depth = stack.pop()
        angle, radius = begin + span / 2, depth * step
        polar[node] = (angle, radius)
        kids = sorted(children.get(node, ()))
        inner = sum(weight[k] for k in kids) or 1.0
        offset = begin
        for kid in kids:
            share = span * weight[kid] / inner
            stack.append((kid, offset, share, depth + 1))
            offset += share
    for node, (angle, radius) in polar.items():
        pos[node] = (radius * math.cos(angle), radius * math.sin(angle))
    outer = (max((r for _, r in polar.values()), default=0.0) + step)
    loose = [n for n in graph if n not in pos and n not in anchor]
    topics = sorted(n for n in loose if graph.nodes[n]["kind"] == "topic")
    others = sorted(n for n in loose if graph.nodes[n]["kind"] != "topic")
    for ring, nodes in ((step * 0.5, topics), (outer, others)):
        for index, node in enumerate(nodes):
            angle = 2 * math.pi * index / max(1, len(nodes))
            pos[node] = (ring * math.cos(angle), ring * math.sin(angle))
    pending = sorted(anchor)
    place_in = {node: index for nodes in attached.values() for index, node in enumerate(nodes)}
    for _ in range(3):  # anchors may themselves be anchored (an initiative by its lead body)
        for node in pending:
            target = anchor[node]
            if node in pos or target not in pos:
                continue
            x, y = pos[target]
            angle = math.atan2(y, x) if (x or y) else 0.0
            spread, distance = _fan(place_in[node], len(attached[target]))
            spread += 0.05 * _angle_jitter(node)
            pos[node] = (x + distance * math.cos(angle + spread * math.pi),
                         y + distance * math.sin(angle + spread * math.pi))
    for node in graph:
        pos.setdefault(node, (outer * math.cos(_angle_jitter(node) * 2 * math.pi),
                              outer * math.sin(_angle_jitter(node) * 2 * math.pi)))
    linked = [n for n in graph if graph.degree(n)]
    if 2 < len(linked) <= SPRING_LIMIT:
        # Nodes without any edge would be pushed far out by the spring and shrink the rest of the
        # picture: only linked nodes are relaxed, the others go on a ring around them.
        scale = 75.0 * math.sqrt(len(linked))
        relaxed = nx.spring_layout(nx.Graph(graph.subgraph(linked).to_undirected()),
                                   pos={n: (pos[n][0] / scale, pos[n][1] / scale) for n in linked},
                                   iterations=60, seed=42, k=2.5 / math.sqrt(len(linked)))
        pos = {n: (float(x) * scale, float(y) * scale) for n, (x, y) in relaxed.items()}
        alone = sorted(n for n in graph if n not in pos)
        for index, node in enumerate(alone):
            angle = 2 * math.pi * index / len(alone)
            pos[node] = (1.15 * scale * math.cos(angle), 1.15 * scale * math.sin(angle))
    for node, (x, y) in pos.items():
        graph.nodes[node]["x"] = round(x, 1)
        graph.nodes[node]["y"] = round(y, 1)


def map_graph(store: Store, filters: MapFilters, cluster_limit: int = CLUSTER_LIMIT) -> nx.MultiDiGraph:
    """The map for ``filters``: nodes with ``kind``, ``label``, ``x``, ``y``; edges with ``kind`` and ``text``.

    Above ``cluster_limit`` nodes every Gemeinde not expanded is drawn inside its Kreis's cluster.

    Examples
    --------
    >>> map_graph(Store.in_memory(), MapFilters(only_findings=True)).number_of_edges()
    0
    """
    base = map_base(store)
    graph = _full_graph(base, filters)
    keep: set[str] = {n for n in (filters.body, filters.territory, filters.topic) if n}
    if filters.only_findings:
        graph = graph.subgraph(_finding_nodes(graph, base)).copy()
    if filters.focus is not None:
        graph = graph.subgraph(_focus_nodes(graph, filters.focus)).copy()
        keep.add(filters.focus[1])
    else:
        graph = _cluster(graph, base, filters, keep, cluster_limit)
    _layout(graph, base)
    graph.graph.update(findings=len({d["finding"] for _, _, d in graph.edges(data=True) if "finding" in d}))
    return graph


# -- "Wer ist zuständig?" --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainEntry:
    """A body responsible at one level of the chain, in a role, for the topic or a related one."""

    body: str
    body_label: str
    role: str
    role_label: str
    topic: str
    topic_label: str
    relation: str
    responsibility: str
    valid_from: str | None
    valid_until: str | None


@dataclass(frozen=True)
class ChainLevel:
    """One territory of the chain (Gemeinde, Amt, Kreis, Land, Bund) and who is responsible there."""

    territory: str
    label: str
    type_label: str
    entries: list[ChainEntry]
    administrations: list[tuple[str, str]]


_RELATION = {"same": "genau dieses Thema", "narrower": "engeres Thema", "broader": "übergeordnetes Thema"}


def responsibility_chain(store: Store, gemeinde: str, topic: str,
                         as_of: datetime.date | None = None) -> tuple[list[ChainLevel], nx.MultiDiGraph]:
    """Who is responsible for ``topic`` in ``gemeinde``: each containing territory with its bodies.

    ``gemeinde`` is a territory key (AGS) or IRI, ``topic`` a topic slug or IRI. Responsibilities for the
    topic, a narrower or a broader topic count; ``as_of`` (default today) decides containment and
    validity. The graph draws the chain from the Gemeinde (bottom) to the Bund (top).

    Examples
    --------
    >>> try:
    ...     responsibility_chain(Store.in_memory(), "12073452", "breitband")
    ... except InvalidValue as error:
    ...     print(error.parameter)
    gemeinde
    """
    base = map_base(store)
    snap = base.snap
    day = as_of or datetime.date.today()
    gemeinden = {iri: t.label for iri, t in base.territories.items()
                 if t.type in _GEMEINDE_TYPES | {"DistrictFreeCity"}}
    place = gemeinde if gemeinde in base.territories else _by_name(
        gemeinde, gemeinden, "gemeinde", lambda key: catalog._territory_iri(store, snap, key, parameter="gemeinde"))
    topic_iri = topic if topic in base.topics else catalog._concept(snap, str(TOPIC), topic, "topic")
    below, above = base.narrower(topic_iri), base.broader(topic_iri)
    levels: list[ChainLevel] = []
    graph = nx.MultiDiGraph()
    for depth, territory in enumerate([place, *snap.ancestors(place, day)]):
        entries = []
        for r in base.responsibilities:
            if r.territory.iri != territory or not valid_on(day, as_date(r.valid_from), as_date(r.valid_until, True)):
                continue
            relation = "same" if r.topic.iri == topic_iri else "narrower" if r.topic.iri in below else \
                "broader" if r.topic.iri in above else None
            if relation is None:
                continue
            entries.append(ChainEntry(r.holder.iri, r.holder.label, _local(r.role.iri), r.role.label, r.topic.iri,
                                      r.topic.label, _RELATION[relation], r.iri, r.valid_from, r.valid_until))
        entries.sort(key=lambda e: (e.relation != _RELATION["same"], e.role != "federfuehrend", e.body_label))
        administrations = sorted((b.iri, b.label) for b in base.bodies.values()
                                 if b.territory is not None and b.territory.iri == territory)
        info = base.territories[territory]
        levels.append(ChainLevel(territory, info.label, info.type_label or "Gebiet", entries, administrations))
        _add_node(graph, base, territory)
        graph.nodes[territory].update(x=0.0, y=-depth * 170.0)
        if depth:
            _add_edge(graph, levels[-2].territory, territory, "within", f"{levels[-2].label} liegt in {info.label}")
        column = 0
        for entry in entries:
            if entry.body not in graph:
                _add_node(graph, base, entry.body)
                column += 1
                graph.nodes[entry.body].update(x=column * 230.0, y=-depth * 170.0 - 40.0 * (column % 2))
            if entry.topic not in graph:
                _add_node(graph, base, entry.topic)
                topics = sum(1 for _, d in graph.nodes(data=True) if d["kind"] == "topic")
                graph.nodes[entry.topic].update(x=column * 230.0 + 260.0, y=-depth * 170.0 - 60.0 - 50.0 * topics)
            r = next(x for x in base.responsibilities if x.iri == entry.responsibility)
            common = {"role": entry.role, "role_label": entry.role_label, "item": r.iri}
            _add_edge(graph, entry.body, territory, "responsibility-territory", _responsibility_text(r),
                      key=r.iri + "#gebiet", **common)
            _add_edge(graph, entry.body, entry.topic, "responsibility", _responsibility_text(r), key=r.iri, **common)
        for index, (iri, _) in enumerate(administrations):
            if iri not in graph:
                _add_node(graph, base, iri)
                graph.nodes[iri].update(x=-220.0 - (index % 3) * 300.0,
                                        y=-depth * 170.0 + 30.0 + (index // 3) * 45.0 + (index % 3) * 20.0)
            _add_edge(graph, iri, territory, "administers", f"{graph.nodes[iri]['label']}: Gebiet {info.label}")
    graph.graph.update(findings=0)
    return levels, graph


# -- vis-network data ------------------------------------------------------------------------------


def _node_style(data: dict[str, Any]) -> dict[str, Any]:
    kind = data["kind"]
    style = NODE_KINDS[kind]
    colour = BODY_GROUPS[data["category"]]["color"] if kind == "body" else style["color"]
    flagged = bool(data.get("findings"))
    size = {"body": 14, "topic": 18, "territory": 12, "initiative": 13, "cluster": 16}[kind]
    return {"shape": style["shape"], "size": size,
            "color": {"background": colour, "border": "#e31a1c" if flagged else "#333333"},
            "borderWidth": 4 if flagged else 1}


def vis_data(graph: nx.MultiDiGraph) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """vis-network nodes and edges of a map graph, with positions and styles.

    Texts are plain strings in ``label`` and ``text``; no ``title`` is set, so nothing is rendered as
    HTML by vis-network (the page builds its tooltips as text nodes). The records are written here
    rather than through pyvis's ``Network.from_nx``, which checks every node and edge against lists of
    all earlier ones: 1.6 s of 2.2 s for a map of 2,000 nodes and 8,252 edges (vis-network itself is
    still the copy pyvis ships).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", kind="topic", category="topic", label="<b>", x=0.0, y=0.0, findings=[])
    >>> g.add_node("b", kind="topic", category="topic", label="B", x=1.0, y=0.0, findings=[], title="<i>")
    >>> g.add_edge("a", "b", kind="part-of", text="<b> gehört zum Thema B")
    0
    >>> nodes, edges = vis_data(g)
    >>> nodes[0]["label"], nodes[0]["shape"], "title" in nodes[1]
    ('<b>', 'diamond', False)
    >>> edges[0]["from"], edges[0]["to"], edges[0]["arrows"], edges[0]["id"]
    ('a', 'b', 'to', 'e0')
    """
    nodes = [{**{k: v for k, v in data.items() if k != "title"}, "id": node, **_node_style(data)}
             for node, data in graph.nodes(data=True)]
    edges = []
    for index, (source, target, data) in enumerate(graph.edges(data=True)):
        kind = EDGE_KINDS[data["kind"]]
        colour = ROLE_COLOURS.get(data.get("role", ""), kind["color"]) if data["kind"].startswith(
            "responsibility") else kind["color"]
        finding = data["kind"] in FINDING_EDGES
        edges.append({**{k: v for k, v in data.items() if k != "title"}, "from": source, "to": target,
                      "finding_title": data.get("title"), "id": f"e{index}", "color": colour,
                      "dashes": kind["dashes"], "width": 3 if finding else 1, "arrows": "" if finding else "to"})
    return nodes, edges
