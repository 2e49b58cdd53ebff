"""Story: a ministry employee's map shows who is responsible for what, where, and the filters narrow it
the way the page promises (topic with narrower topics, territory with contained ones, role, day,
only findings); 'Wer ist zuständig?' walks from a real Gemeinde up to the Bund.

Engine tests run on the seeded store; the HTTP tests talk to a real ``synergraph serve``.
"""

from __future__ import annotations

import datetime
import math

import httpx
import pytest
from conftest import Server
from synergraph.graph.catalog import InvalidValue
from synergraph.graph.mapview import MapFilters, map_graph, resolve_filters, responsibility_chain, vis_data
from synergraph.graph.store import Store

ID = "https://w3id.org/synergraph/id/"
BODY = ID + "body/"
TOPIC = "https://w3id.org/synergraph/def/topic/"
PRENZLAU = "12073452"


def labels(graph: object) -> set[str]:
    return {data["label"] for _, data in graph.nodes(data=True)}  # type: ignore[attr-defined]


def test_whole_map_has_every_kind_and_clusters_idle_gemeinden(seeded_store: Store) -> None:
    """Without filters all four kinds are drawn, with findings; Gemeinden nobody works on sit in one node per Kreis."""
    graph = map_graph(seeded_store, MapFilters())
    kinds = {data["kind"] for _, data in graph.nodes(data=True)}
    assert {"body", "topic", "territory", "initiative", "cluster"} <= kinds
    assert graph.graph["findings"] > 0
    gemeinden = [n for n, d in graph.nodes(data=True) if d["kind"] == "territory" and d["category"] == "Municipality"]
    clustered = sum(len(d["members"]) for _, d in graph.nodes(data=True) if d["kind"] == "cluster")
    assert clustered > 300 and len(gemeinden) + clustered >= 417
    # Prenzlau has its own responsibility for Breitband: it stays visible.
    assert "Prenzlau, Stadt" in labels(graph)
    expanded = map_graph(seeded_store, MapFilters(expand=frozenset({"all"})))
    assert not [n for n, d in expanded.nodes(data=True) if d["kind"] == "cluster"]
    assert expanded.number_of_nodes() > graph.number_of_nodes() + 300


def test_a_crowded_map_keeps_every_gemeinde_inside_its_kreis(seeded_store: Store) -> None:
    """Above the limit Gemeinden with their own work are clustered too; their lines and findings go to the cluster."""
    quiet = map_graph(seeded_store, MapFilters())
    crowded = map_graph(seeded_store, MapFilters(), cluster_limit=100)
    assert crowded.number_of_nodes() < quiet.number_of_nodes()
    assert not [n for n, d in crowded.nodes(data=True) if d["kind"] == "territory" and d["category"] == "Municipality"]
    clusters = {n: d for n, d in crowded.nodes(data=True) if d["kind"] == "cluster"}
    uckermark = clusters["cluster:https://w3id.org/synergraph/id/territory/12073"]
    assert "Prenzlau, Stadt" in {m["label"] for m in uckermark["members"]}
    assert "Stadtverwaltung Prenzlau" in {m["label"] for m in uckermark["inner"]}
    # Stadtverwaltung Prenzlau implements Breitband: the cluster carries that line, in its role colour.
    lines = [d for _, t, d in crowded.out_edges(f"cluster:{uckermark['kreis']}", data=True) if t == TOPIC + "breitband"]
    assert [d["role"] for d in lines if d["kind"] == "responsibility"] == ["umsetzend"]
    inside = {m["iri"] for d in clusters.values() for m in (*d["members"], *d["inner"])}
    assert not inside & set(crowded.nodes)
    # The parallel Coworking-Space initiatives of Guben and Wittstock/Dosse now link the two Kreise's clusters.
    parallel = [d for a, b, d in crowded.edges(data=True) if d["kind"] == "parallel"
                and {a, b} == {"cluster:" + ID + "territory/12071", "cluster:" + ID + "territory/12068"}]
    assert parallel and "Coworking-Space" in parallel[0]["text"] and parallel[0]["finding"]
    assert clusters["cluster:" + ID + "territory/12071"]["findings"]
    # Expanding the Kreis draws its Gemeinden again.
    opened = map_graph(seeded_store, MapFilters(expand=frozenset({uckermark["kreis"]})), cluster_limit=100)
    assert "Prenzlau, Stadt" in labels(opened) and f"cluster:{uckermark['kreis']}" not in opened


def test_positions_come_from_the_server_and_are_stable(seeded_store: Store) -> None:
    """Every node has a finite position; the same view gives the same picture twice."""
    first = map_graph(seeded_store, resolve_filters(seeded_store, topic="digitalisierung"))
    second = map_graph(seeded_store, resolve_filters(seeded_store, topic="digitalisierung"))
    for node, data in first.nodes(data=True):
        assert math.isfinite(data["x"]) and math.isfinite(data["y"])
        assert (data["x"], data["y"]) == (second.nodes[node]["x"], second.nodes[node]["y"])


def test_topic_filter_takes_narrower_topics(seeded_store: Store) -> None:
    """'Digitalisierung' also shows Breitband and who holds Breitband; 'Breitband' alone leaves out KI."""
    broad = map_graph(seeded_store, resolve_filters(seeded_store, topic="digitalisierung"))
    assert {"Breitband", "Künstliche Intelligenz", "Landesstelle Glasfaserausbau Brandenburg"} <= labels(broad)
    narrow = map_graph(seeded_store, resolve_filters(seeded_store, topic="breitband"))
    assert "Landesstelle Glasfaserausbau Brandenburg" in labels(narrow)
    assert "Künstliche Intelligenz" not in labels(narrow)
    topics = {d["label"] for _, d in narrow.nodes(data=True) if d["kind"] == "topic"}
    assert topics == {"Breitband"}


def test_territory_filter_takes_contained_territories(seeded_store: Store) -> None:
    """Uckermark shows the Kreis's own bodies and Prenzlau's responsibility inside it, not Cottbus."""
    graph = map_graph(seeded_store, resolve_filters(seeded_store, territory="12073"))
    names = labels(graph)
    assert {"Uckermark", "Kreisverwaltung Uckermark", "Stadtverwaltung Prenzlau", "Prenzlau, Stadt"} <= names
    assert "Stadtverwaltung Cottbus" not in names
    # The Gemeinden of the chosen Kreis are drawn one by one.
    assert not [n for n, d in graph.nodes(data=True) if d["kind"] == "cluster" and "Uckermark" in d["detail"]]


def test_role_day_and_findings_filters(seeded_store: Store) -> None:
    """A role keeps only responsibilities in that role; a day drops ended ones; 'only findings' keeps finding ends."""
    lead = map_graph(seeded_store, resolve_filters(seeded_store, role="federfuehrend"))
    roles = {d.get("role") for _, _, d in lead.edges(data=True) if d["kind"].startswith("responsibility")}
    assert roles == {"federfuehrend"}
    havelland = BODY + "verwaltung-12063"
    before = map_graph(seeded_store, resolve_filters(seeded_store, topic="verwaltungsdigitalisierung",
                                                     as_of=datetime.date(2022, 6, 1)))
    after = map_graph(seeded_store, resolve_filters(seeded_store, topic="verwaltungsdigitalisierung",
                                                    as_of=datetime.date(2025, 6, 1)))
    assert havelland in before and havelland not in after
    only = map_graph(seeded_store, resolve_filters(seeded_store, only_findings=True))
    finding_edges = [d for _, _, d in only.edges(data=True) if d["kind"] in ("overlap", "duplicate", "parallel")]
    assert finding_edges and all(d["text"] for d in finding_edges)
    assert only.number_of_nodes() < map_graph(seeded_store, MapFilters()).number_of_nodes()
    assert any(d["findings"] for _, d in only.nodes(data=True))


def test_body_and_status_filters(seeded_store: Store) -> None:
    """A body keeps its own responsibilities and initiatives only; a status keeps initiatives in that status."""
    ministry = map_graph(seeded_store, resolve_filters(seeded_store, body="mdjd-brandenburg"))
    holders = {s for s, _, d in ministry.edges(data=True) if d["kind"] == "responsibility"}
    assert holders == {BODY + "mdjd-brandenburg"}
    planned = map_graph(seeded_store, resolve_filters(seeded_store, status="geplant"))
    statuses = {d["category"] for _, d in planned.nodes(data=True) if d["kind"] == "initiative"}
    assert statuses == {"geplant"}
    everything = map_graph(seeded_store, MapFilters())
    assert "laufend" in {d["category"] for _, d in everything.nodes(data=True) if d["kind"] == "initiative"}


def test_focus_on_a_body_and_on_an_initiative(seeded_store: Store) -> None:
    """A body's neighbourhood holds its topics; an initiative's view holds its duplicates."""
    ministry = map_graph(seeded_store, resolve_filters(seeded_store, focus="body:mdjd-brandenburg"))
    assert {"Ministerium der Justiz und für Digitalisierung", "Künstliche Intelligenz", "E-Government"} <= labels(ministry)
    assert ministry.number_of_nodes() < 80
    whole = map_graph(seeded_store, MapFilters())
    pair = next((s, t) for s, t, d in whole.edges(data=True) if d["kind"] == "duplicate"
                and whole.nodes[s]["kind"] == "initiative")
    slug = pair[0].rsplit("/", 1)[-1]
    focused = map_graph(seeded_store, resolve_filters(seeded_store, focus=f"initiative:{slug}"))
    assert pair[1] in focused


def test_wer_ist_zustaendig_for_prenzlau(seeded_store: Store) -> None:
    """Breitband in Prenzlau: the Stadt implements, the Kreis leads, the Land leads and funds, up to the Bund."""
    levels, graph = responsibility_chain(seeded_store, PRENZLAU, "breitband", datetime.date(2025, 6, 1))
    assert [level.label for level in levels] == ["Prenzlau, Stadt", "Uckermark", "Brandenburg", "Deutschland"]
    who = {level.label: {(e.body_label, e.role) for e in level.entries} for level in levels}
    assert ("Stadtverwaltung Prenzlau", "umsetzend") in who["Prenzlau, Stadt"]
    assert ("Kreisverwaltung Uckermark", "federfuehrend") in who["Uckermark"]
    assert ("Landesstelle Glasfaserausbau Brandenburg", "federfuehrend") in who["Brandenburg"]
    # The ministry leads the broader topic Digitalisierung: listed, and said so.
    ministry = [e for e in levels[2].entries if e.body_label.startswith("Ministerium der Justiz")]
    assert ministry and ministry[0].relation == "übergeordnetes Thema"
    assert graph.nodes[levels[0].territory]["y"] > graph.nodes[levels[-1].territory]["y"]
    by_name, _ = responsibility_chain(seeded_store, "Prenzlau", "breitband", datetime.date(2025, 6, 1))
    assert [level.territory for level in by_name] == [level.territory for level in levels]
    with pytest.raises(InvalidValue) as error:
        responsibility_chain(seeded_store, "99999999", "breitband")
    assert error.value.parameter == "gemeinde"


def test_names_work_where_keys_do(seeded_store: Store) -> None:
    """People type names: 'Uckermark' and 'Ministerium der Justiz' resolve; an ambiguous name lists candidates."""
    assert resolve_filters(seeded_store, territory="Uckermark").territory == resolve_filters(
        seeded_store, territory="12073").territory
    assert resolve_filters(seeded_store, body="Ministerium der Justiz").body == BODY + "mdjd-brandenburg"
    with pytest.raises(InvalidValue) as error:
        resolve_filters(seeded_store, territory="Neu")
    assert error.value.parameter == "territory" and "Neuruppin, Stadt" in error.value.allowed


def test_vis_data_sends_text_never_html_titles() -> None:
    """Labels with markup stay plain text and no node or edge carries a 'title' vis-network would render as HTML."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    graph.add_node("a", kind="body", category="land", label="<img src=x onerror=alert(1)>", x=0.0, y=0.0, findings=[])
    graph.add_node("b", kind="topic", category="topic", label="T", x=1.0, y=1.0, findings=[])
    graph.add_edge("a", "b", kind="responsibility", role="federfuehrend", text="<b>x</b>", title="<i>")
    nodes, edges = vis_data(graph)
    assert nodes[0]["label"] == "<img src=x onerror=alert(1)>"
    assert all("title" not in item for item in (*nodes, *edges))
    assert edges[0]["text"] == "<b>x</b>"


def test_http_map_chain_node_and_errors(server: Server) -> None:
    """The JSON routes answer, are in the OpenAPI document, and name a wrong parameter in German."""
    answer = httpx.get(server.url + "/api/map", params={"topic": "breitband", "territory": "12073"}, timeout=60)
    assert answer.status_code == 200
    body = answer.json()
    assert {n["label"] for n in body["nodes"]} >= {"Kreisverwaltung Uckermark", "Breitband"}
    assert all("title" not in n for n in body["nodes"]) and body["legend"]["roles"]
    chain = httpx.get(server.url + "/api/map/chain", params={"gemeinde": PRENZLAU, "topic": "breitband"}, timeout=60).json()
    assert [level["label"] for level in chain["chain"]][:2] == ["Prenzlau, Stadt", "Uckermark"]
    details = httpx.get(server.url + "/api/map/node", params={"iri": BODY + "mdjd-brandenburg"}, timeout=60).json()
    assert details["page"] == "/id/body/mdjd-brandenburg" and details["facts"] and details["sources"]
    prenzlau = httpx.get(server.url + "/api/map/node", params={"iri": ID + "territory/" + PRENZLAU}, timeout=60).json()
    member = [h for h in prenzlau["history"] if h["kind"] == "Zugehörigkeit"]
    assert member and member[0]["label"] == "Uckermark" and member[0]["page"] == "/id/territory/12073"
    wrong = httpx.get(server.url + "/api/map", params={"topic": "gibt-es-nicht"}, timeout=60)
    assert wrong.status_code == 422 and wrong.json()["parameter"] == "topic"
    paths = httpx.get(server.url + "/openapi.json", timeout=60).json()["paths"]
    assert {"/api/map", "/api/map/chain", "/api/map/node"} <= set(paths)
    page = httpx.get(server.url + "/map", timeout=60)
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    assert "Wer ist zuständig?" in page.text and "<script>" not in page.text
