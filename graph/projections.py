"""Projections of the knowledge graph for network analysis: who works with whom, on what, where.

Three projections are read from the store (SPARQL, optionally as of a day) into networkx graphs:

* :func:`body_topic_graph` and :func:`body_territory_graph`: bipartite graphs of bodies and the topics
  (territories) they hold a responsibility for or take part in an initiative on;
* :func:`participation_graph`: the bipartite graph of bodies and the initiatives they lead, partner in
  or fund (the editions of a series count as the series);
* :func:`collaboration_graph`: its projection onto the bodies; two bodies are linked when they share
  an initiative, weighted by the number of shared initiatives.

On the collaboration graph: :func:`centrality` (who coordinates most: partners, shared initiatives,
betweenness), :func:`collaboration_groups` (Louvain communities with a fixed seed, deterministic) and
:func:`bridge_bodies` (articulation points: bodies that are the only link between groups).
:func:`analyse_network` runs all three and offers the results as findings (rules NW-01…NW-03) for the
findings graph; :func:`network_findings` returns just those.

Examples
--------
>>> store = Store.in_memory()
>>> collaboration_graph(store).number_of_nodes()
0
>>> network_findings(store)
[]
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import networkx as nx

from .context import AnalysisContext, as_date, valid_on
from .namespaces import SG
from .queries import load_query
from .store import Store

__all__ = [
    "DEFAULT_SEED",
    "NETWORK_RULES",
    "BodyRank",
    "BridgeBody",
    "CollaborationGroup",
    "NetworkAnalysis",
    "NetworkFinding",
    "NetworkRule",
    "analyse_network",
    "body_territory_graph",
    "body_topic_graph",
    "bridge_bodies",
    "centrality",
    "collaboration_graph",
    "collaboration_groups",
    "network_findings",
    "participation_graph",
]

DEFAULT_SEED = 42
BODY, OTHER = 0, 1  # the networkx ``bipartite`` node attribute: bodies are side 0


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1]


def _bipartite(rows: Iterable[dict[str, Any]], kind: str, context: AnalysisContext,
               as_of: datetime.date | None) -> nx.Graph:
    """Bodies (side 0) and targets (side 1) linked by the rows valid on ``as_of``; edges count their links."""
    links: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: {"via": set(), "roles": set()})
    for row in rows:
        if not valid_on(as_of, as_date(row.get("from")), as_date(row.get("until"), end=True)):
            continue
        link = links[(row["body"], row["target"])]
        link["via"].add(row["via"])
        link["roles"].add(_local(row["role"]))
    graph = nx.Graph(kind=kind, as_of=as_of.isoformat() if as_of else None)
    for body, target in sorted(links):
        graph.add_node(body, bipartite=BODY, kind="body", label=context.label(body))
        graph.add_node(target, bipartite=OTHER, kind=kind, label=context.label(target))
        link = links[(body, target)]
        graph.add_edge(body, target, weight=len(link["via"]), via=sorted(link["via"]), roles=sorted(link["roles"]))
    return graph


def body_topic_graph(store: Store, as_of: datetime.date | None = None,
                     context: AnalysisContext | None = None) -> nx.Graph:
    """The bipartite graph of bodies and the topics of their responsibilities and initiatives.

    Nodes carry ``bipartite`` (0 body, 1 topic), ``kind`` and ``label``; an edge's ``weight`` is the
    number of responsibilities and initiatives linking the two, ``via`` lists them, ``roles`` names the
    roles (role slugs of responsibilities, ``lead``/``partner``/``funder`` of initiatives). With
    ``as_of`` only what is valid on that day counts (bounds inclusive, missing bounds open).

    Examples
    --------
    >>> body_topic_graph(Store.in_memory(), datetime.date(2025, 1, 1)).graph["as_of"]
    '2025-01-01'
    """
    context = context or AnalysisContext(store)
    return _bipartite(store.select(load_query("body-links"), link=SG.topic), "topic", context, as_of)


def body_territory_graph(store: Store, as_of: datetime.date | None = None,
                         context: AnalysisContext | None = None) -> nx.Graph:
    """The bipartite graph of bodies and the territories of their responsibilities and initiatives.

    Same attributes as :func:`body_topic_graph`, with ``kind`` ``territory``.

    Examples
    --------
    >>> body_territory_graph(Store.in_memory()).number_of_edges()
    0
    """
    context = context or AnalysisContext(store)
    return _bipartite(store.select(load_query("body-links"), link=SG.territory), "territory", context, as_of)


def participation_graph(store: Store, as_of: datetime.date | None = None,
                        context: AnalysisContext | None = None) -> nx.Graph:
    """The bipartite graph of bodies (side 0) and the initiatives (side 1) they lead, partner in or fund.

    An edition of a series (``dcterms:isPartOf``) counts as its series, so a yearly event run by the
    same bodies is one shared undertaking, not one per year. Edge attribute ``roles`` holds the body's
    roles (``lead``, ``partner``, ``funder``); initiative nodes carry their ``label`` (title). With
    ``as_of`` only initiatives running on that day count.

    Examples
    --------
    >>> participation_graph(Store.in_memory()).graph["kind"]
    'initiative'
    """
    context = context or AnalysisContext(store)
    roles: dict[tuple[str, str], set[str]] = defaultdict(set)
    titles: dict[str, str] = {}
    for row in store.select(load_query("body-participation")):
        if not valid_on(as_of, as_date(row.get("startDate")), as_date(row.get("endDate"), end=True)):
            continue
        undertaking = row.get("series") or row["initiative"]
        roles[(row["body"], undertaking)].add(row["role"])
        if "title" in row and (undertaking == row["initiative"] or undertaking not in titles):
            titles[undertaking] = str(row["title"])
    graph = nx.Graph(kind="initiative", as_of=as_of.isoformat() if as_of else None)
    for body, initiative in sorted(roles):
        graph.add_node(body, bipartite=BODY, kind="body", label=context.label(body))
        graph.add_node(initiative, bipartite=OTHER, kind="initiative",
                       label=titles.get(initiative) or context.label(initiative))
        graph.add_edge(body, initiative, roles=sorted(roles[(body, initiative)]))
    return graph


def collaboration_graph(store: Store, as_of: datetime.date | None = None,
                        context: AnalysisContext | None = None,
                        participation: nx.Graph | None = None) -> nx.Graph:
    """The bodies, linked when they share an initiative; ``weight`` = number of shared initiatives.

    Every body taking part in an initiative is a node (alone, it has no edges); node attribute ``led``
    counts the initiatives it leads. Edge attribute ``initiatives`` lists the shared initiatives.
    Nodes and edges are added in sorted order, so every analysis on the graph is reproducible.

    Examples
    --------
    >>> participation = nx.Graph()
    >>> participation.add_nodes_from(["a", "b"], bipartite=0, kind="body", label="")
    >>> participation.add_node("i", bipartite=1, kind="initiative", label="I")
    >>> participation.add_edges_from([("a", "i", {"roles": ["lead"]}), ("b", "i", {"roles": ["partner"]})])
    >>> graph = collaboration_graph(Store.in_memory(), participation=participation)
    >>> graph.edges["a", "b"]["weight"], graph.nodes["a"]["led"]
    (1, 1)
    """
    if participation is None:
        participation = participation_graph(store, as_of, context)
    bodies = sorted(n for n, side in participation.nodes(data="bipartite") if side == BODY)
    graph = nx.Graph(as_of=participation.graph.get("as_of"))
    for body in bodies:
        led = sum("lead" in participation.edges[body, i]["roles"] for i in participation[body])
        graph.add_node(body, label=participation.nodes[body]["label"], led=led,
                       initiatives=len(participation[body]))
    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    initiatives = sorted(n for n, side in participation.nodes(data="bipartite") if side == OTHER)
    for initiative in initiatives:
        for a, b in combinations(sorted(participation[initiative]), 2):
            shared[(a, b)].append(initiative)
    for (a, b), common in sorted(shared.items()):
        graph.add_edge(a, b, weight=len(common), initiatives=common)
    return graph


@dataclass(frozen=True)
class BodyRank:
    """A body's place in the collaboration network.

    ``partners`` is the number of bodies it shares an initiative with, ``shared`` the sum of shared
    initiatives over them (weighted degree), ``led`` the initiatives it leads, ``degree`` the share of
    all other bodies it works with, ``betweenness`` the share of shortest paths between the other bodies
    of its connected part that run through it.
    """

    rank: int
    body: str
    label: str
    partners: int
    shared: int
    led: int
    degree: float
    betweenness: float


def _betweenness(graph: nx.Graph, seed: int, exact_up_to: int) -> dict[str, float]:
    """Betweenness within each connected part, normalised by the pairs of that part.

    Parts larger than ``exact_up_to`` bodies are estimated from that many sampled sources (fixed seed).
    """
    found = dict.fromkeys(graph, 0.0)
    for component in nx.connected_components(graph):
        if len(component) < 3:
            continue
        part = graph.subgraph(component).copy()  # a copy: walking a subgraph view is several times slower
        sample = exact_up_to if len(component) > exact_up_to else None
        found.update(nx.betweenness_centrality(part, k=sample, normalized=True, seed=seed))
    return found


def centrality(graph: nx.Graph, *, seed: int = DEFAULT_SEED, exact_up_to: int = 2000) -> list[BodyRank]:
    """Who coordinates most: bodies ranked by shared initiatives, then betweenness, led initiatives, name.

    Betweenness is unweighted (a path is a chain of bodies sharing initiatives) and taken within the
    body's connected part of the network: 0.5 means half of the shortest paths between the other bodies
    of that part run through it. Parts above ``exact_up_to`` bodies are estimated from sampled sources.

    Examples
    --------
    >>> graph = nx.Graph([("a", "hub"), ("hub", "b"), ("x", "y")])
    >>> [(r.rank, r.body, r.partners, r.betweenness) for r in centrality(graph)][:2]
    [(1, 'hub', 2, 1.0), (2, 'a', 1, 0.0)]
    """
    if graph.number_of_nodes() == 0:
        return []
    degree = nx.degree_centrality(graph)
    between = _betweenness(graph, seed, exact_up_to)
    strength = dict(graph.degree(weight="weight"))
    rows = [(node, data.get("label") or _local(node)) for node, data in graph.nodes(data=True)]
    rows.sort(key=lambda r: (-strength[r[0]], -round(between[r[0]], 9), -graph.nodes[r[0]].get("led", 0), r[1], r[0]))
    return [BodyRank(rank=i, body=node, label=label, partners=graph.degree(node), shared=int(strength[node]),
                     led=int(graph.nodes[node].get("led", 0)), degree=round(degree[node], 4),
                     betweenness=round(between[node], 4))
            for i, (node, label) in enumerate(rows, start=1)]


@dataclass(frozen=True)
class CollaborationGroup:
    """A group of bodies that work together more among themselves than with others (a community)."""

    number: int
    members: list[str]
    internal: int
    initiatives: list[str]
    density: float


def collaboration_groups(graph: nx.Graph, *, seed: int = DEFAULT_SEED, min_size: int = 3) -> list[CollaborationGroup]:
    """Communities of the collaboration graph (Louvain, weighted, fixed ``seed``), largest first.

    ``internal`` is the number of collaborations (edges) inside the group, ``initiatives`` the
    initiatives shared inside it, ``density`` the share of possible pairs that do work together.
    Groups smaller than ``min_size`` are left out.

    Examples
    --------
    >>> graph = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")])
    >>> [g.members for g in collaboration_groups(graph)]
    [['a', 'b', 'c'], ['x', 'y', 'z']]
    """
    linked = graph.subgraph(n for n in graph if graph.degree(n) > 0)
    if linked.number_of_nodes() == 0:
        return []
    communities = nx.community.louvain_communities(linked, weight="weight", seed=seed)
    found = []
    for members in communities:
        if len(members) < min_size:
            continue
        inner = linked.subgraph(members)
        shared = sorted({i for _, _, common in inner.edges(data="initiatives") for i in (common or [])})
        found.append((sorted(members), inner.number_of_edges(), shared, round(nx.density(inner), 4)))
    found.sort(key=lambda g: (-len(g[0]), g[0]))
    return [CollaborationGroup(number, members, internal, shared, density)
            for number, (members, internal, shared, density) in enumerate(found, start=1)]


@dataclass(frozen=True)
class BridgeBody:
    """A body that is the only link between groups: without it, its part of the network falls apart.

    ``parts`` are the groups that are no longer linked without it (largest first); ``share`` is the
    share of pairs of bodies in its part of the network that are linked only through it.
    """

    body: str
    parts: list[list[str]]
    share: float
    links: dict[str, list[str]] = field(default_factory=dict)


def bridge_bodies(graph: nx.Graph) -> list[BridgeBody]:
    """Articulation points of the collaboration graph, most separating first.

    ``links`` maps each neighbour to the initiatives shared with it: the collaborations that hold the
    parts together.

    Examples
    --------
    >>> [(b.body, b.parts) for b in bridge_bodies(nx.Graph([("a", "hub"), ("hub", "b"), ("b", "c")]))]
    [('b', [['a', 'hub'], ['c']]), ('hub', [['b', 'c'], ['a']])]
    """
    found = []
    for body in nx.articulation_points(graph):
        component = nx.node_connected_component(graph, body)
        rest = graph.subgraph(component - {body})
        parts = sorted((sorted(p) for p in nx.connected_components(rest)), key=lambda p: (-len(p), p))
        size = len(component)
        cut = sum(len(a) * len(b) for a, b in combinations(parts, 2))
        share = cut / (size * (size - 1) / 2)
        links = {n: list(graph.edges[body, n].get("initiatives", [])) for n in sorted(graph[body])}
        found.append(BridgeBody(body, parts, round(share, 4), links))
    found.sort(key=lambda b: (-b.share, b.body))
    return found


@dataclass(frozen=True)
class NetworkRule:
    """A network rule: id, kind of finding, German title and definition."""

    id: str
    kind: str
    title: str
    definition: str
    definition_en: str


NETWORK_RULES: tuple[NetworkRule, ...] = (
    NetworkRule(
        "NW-01", "key-body", "Schlüsselstelle",
        "Mindestens ein Viertel der kürzesten Wege zwischen den anderen Stellen ihres Teilnetzes gemeinsamer "
        "Initiativen (mindestens fünf Stellen) führt über diese Stelle (Betweenness ≥ 0,25): sie koordiniert "
        "über Gruppen hinweg.",
        "At least a quarter of the shortest paths between the other bodies of its part of the network of "
        "shared initiatives (at least five bodies) run through this body (betweenness >= 0.25): it "
        "coordinates across groups.",
    ),
    NetworkRule(
        "NW-02", "bridge-body", "Einzige Verbindung",
        "Ohne diese Stelle zerfällt ihr Teil des Netzes gemeinsamer Initiativen in Gruppen, die keine "
        "Initiative mehr verbindet (Artikulationspunkt).",
        "Without this body its part of the network of shared initiatives falls apart into groups that no "
        "initiative links any more (articulation point).",
    ),
    NetworkRule(
        "NW-03", "collaboration-group", "Kooperationsgruppe",
        "Stellen, die untereinander mehr Initiativen teilen als mit anderen (Louvain-Gemeinschaften, fester "
        "Startwert, mindestens drei Stellen).",
        "Bodies that share more initiatives among themselves than with others (Louvain communities, fixed "
        "seed, at least three bodies).",
    ),
)


@dataclass(frozen=True)
class NetworkFinding:
    """One finding of a network rule; ``members`` are body IRIs, ``score`` is between 0 and 1."""

    rule: str
    kind: str
    title: str
    members: list[str]
    score: float
    explanation: str
    evidence: dict[str, Any]


def _names(members: Iterable[str], graph: nx.Graph, most: int = 3) -> str:
    names = [graph.nodes[m].get("label") or _local(m) for m in members]
    shown = ", ".join(names[:most])
    return shown + (f" und {len(names) - most} weitere" if len(names) > most else "")


@dataclass(frozen=True)
class NetworkAnalysis:
    """Everything the network analysis found on one collaboration graph."""

    graph: nx.Graph
    ranking: list[BodyRank]
    groups: list[CollaborationGroup]
    bridges: list[BridgeBody]
    findings: list[NetworkFinding]


def analyse_network(store: Store, *, as_of: datetime.date | None = None, seed: int = DEFAULT_SEED,
                    min_betweenness: float = 0.25, min_part: int = 5, min_group: int = 3,
                    context: AnalysisContext | None = None, graph: nx.Graph | None = None) -> NetworkAnalysis:
    """Ranking, collaboration groups, only links and the findings of rules NW-01, NW-02 and NW-03.

    Parameters
    ----------
    store : Store
    as_of : date, optional
        Only initiatives running on this day.
    seed : int
        Seed of the community detection and of sampled betweenness (the same seed, the same result).
    min_betweenness : float
        Share of shortest paths between the other bodies of its part that must run through a key body.
    min_part : int
        Smallest connected part of the network in which a body can be a key body (in a chain of three
        the middle one lies on every path, which says little).
    min_group : int
        Smallest collaboration group reported.
    context, graph : optional
        Read from the store when not given.

    Examples
    --------
    >>> analysis = analyse_network(Store.in_memory(), as_of=datetime.date(2025, 1, 1))
    >>> analysis.ranking, analysis.findings
    ([], [])
    """
    if graph is None:
        graph = collaboration_graph(store, as_of, context)
    ranking = centrality(graph, seed=seed)
    groups = collaboration_groups(graph, seed=seed, min_size=min_group)
    bridges = bridge_bodies(graph)
    findings: list[NetworkFinding] = []
    rules = {rule.kind: rule for rule in NETWORK_RULES}
    part_size = {body: len(part) for part in nx.connected_components(graph) for body in part}
    for row in ranking:
        if row.betweenness < min_betweenness or part_size[row.body] < min_part:
            continue
        rule = rules["key-body"]
        findings.append(NetworkFinding(
            rule.id, rule.kind, rule.title, [row.body], row.betweenness,
            f"{row.label} ist Schlüsselstelle (Rang {row.rank}): teilt Initiativen mit {row.partners} Stellen, "
            f"leitet {row.led}, und {round(row.betweenness * 100)} % der kürzesten Wege zwischen den anderen Stellen "
            f"ihres Teilnetzes führen über sie.",
            {"rank": row.rank, "partners": row.partners, "shared": row.shared, "led": row.led,
             "degree": row.degree, "betweenness": row.betweenness, "part": part_size[row.body]}))
    for bridge in bridges:
        rule = rules["bridge-body"]
        parts = " und ".join(f"[{_names(part, graph)}]" for part in bridge.parts[:3])
        more = f" und {len(bridge.parts) - 3} weiteren Gruppen" if len(bridge.parts) > 3 else ""
        findings.append(NetworkFinding(
            rule.id, rule.kind, rule.title, [bridge.body], bridge.share,
            f"{graph.nodes[bridge.body].get('label')} ist die einzige Verbindung zwischen {parts}{more}: ohne sie "
            f"teilen diese Stellen keine Initiative mehr miteinander.",
            {"parts": bridge.parts, "share": bridge.share, "links": bridge.links}))
    for group in groups:
        rule = rules["collaboration-group"]
        hubs = sorted(group.members, key=lambda m: (-graph.degree(m, weight="weight"), m))
        findings.append(NetworkFinding(
            rule.id, rule.kind, rule.title, group.members, group.density,
            f"Kooperationsgruppe von {len(group.members)} Stellen um {_names(hubs, graph, 2)}: "
            f"{len(group.initiatives)} gemeinsame Initiativen, {round(group.density * 100)} % der möglichen "
            f"Paare arbeiten zusammen.",
            {"number": group.number, "internal": group.internal, "initiatives": group.initiatives,
             "density": group.density, "seed": seed}))
    return NetworkAnalysis(graph, ranking, groups, bridges, findings)


def network_findings(store: Store, **options: Any) -> list[NetworkFinding]:
    """The findings of :func:`analyse_network` (same keyword options).

    Examples
    --------
    >>> network_findings(Store.in_memory(), min_group=4)
    []
    """
    return analyse_network(store, **options).findings
