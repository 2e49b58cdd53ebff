"""An analyst asks who works with whom: who coordinates most, which groups there are, who is the only link.

The stories run on the seed graph with the invented examples of ``data/examples`` (and, once, without
them), over real on-disk stores; the REST answer comes from a real server, the CLI answer from the
installed command.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import httpx
import networkx as nx
import pytest
from conftest import Server, cli
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS
from synergraph.graph.findings import FINDINGS_GRAPH, decide, decisions, finding_id, finding_iri, run
from synergraph.graph.namespaces import SG
from synergraph.graph.projections import (
    analyse_network,
    body_territory_graph,
    body_topic_graph,
    bridge_bodies,
    centrality,
    collaboration_graph,
    collaboration_groups,
    participation_graph,
)
from synergraph.graph.seed import ensure_seeded
from synergraph.graph.store import Store

B = "https://w3id.org/synergraph/id/body/"
I = "https://w3id.org/synergraph/id/initiative/"
T = "https://w3id.org/synergraph/def/topic/"
UCKERMARK = B + "verwaltung-12073"
AGENTUR = B + "digitalagentur-brandenburg"
PLANTED = B + "test-digitalbuero-lausitz-havel"


def _plant_bridge(store: Store) -> None:
    """An invented body partners once with the Lausitz Kreise and once with the DigitalAgentur's circle."""
    graph = "https://w3id.org/synergraph/graph/test-bruecke"
    triples = [
        (URIRef(PLANTED), RDF.type, SG.PublicBody),
        (URIRef(PLANTED), RDFS.label, Literal("Digitalbüro Lausitz-Havel (Testfall)", lang="de")),
    ]
    for slug, lead in (("test-lausitz-werkstatt", "verwaltung-12071"), ("test-agentur-sprechstunde", "digitalagentur-brandenburg")):
        node = URIRef(I + slug)
        triples += [(node, RDF.type, SG.Project), (node, SG.leadBody, URIRef(B + lead)),
                    (node, SG.partner, URIRef(PLANTED))]
    store.replace_graph(graph, triples)


def test_the_body_sharing_most_initiatives_ranks_first(seeded_store: Store) -> None:
    """Kreisverwaltung Uckermark leads four initiatives with five other bodies: it coordinates most.

    Among bodies with equally many shared initiatives, the one in between groups ranks higher, then the one
    that leads: the DigitalAgentur leads what it shares with the ministry MIL, so it ranks above it.
    """
    ranking = centrality(collaboration_graph(seeded_store))
    first = ranking[0]
    assert (first.body, first.label, first.partners, first.shared, first.led) == (
        UCKERMARK, "Kreisverwaltung Uckermark", 5, 6, 4)
    assert first.betweenness == max(r.betweenness for r in ranking) > 0.5
    place = {r.body: r.rank for r in ranking}
    assert place[AGENTUR] < place[B + "mil-brandenburg"]
    assert [r.rank for r in ranking] == list(range(1, len(ranking) + 1))


def test_without_the_invented_examples_the_digitalagentur_coordinates_most(tmp_path: Path) -> None:
    """On the real data alone, the DigitalAgentur Brandenburg, which leads the Smart City Manager programme
    and the Smart Region network meeting with its partners, tops the ranking."""
    store = Store(tmp_path / "store")
    ensure_seeded(store, examples=False)
    ranking = centrality(collaboration_graph(store))
    assert ranking[0].body == AGENTUR and ranking[0].led == 3 and ranking[0].partners == 3


def test_a_series_counts_once_and_as_of_follows_a_handover(seeded_store: Store) -> None:
    """Three editions of the Lausitz forum are one shared undertaking of Spree-Neiße and Oberspreewald-Lausitz,
    and on a given day the topic belongs to whoever held it then (Havelland handed it over on 2024-01-01)."""
    edge = collaboration_graph(seeded_store).edges[B + "verwaltung-12071", B + "verwaltung-12066"]
    assert edge["weight"] == 2
    assert edge["initiatives"] == [I + "bsp-fachforum-verwaltungsdigitalisierung-lausitz",
                                   I + "bsp-qualifizierungsreihe-digitalkoordination-lausitz"]
    topic = T + "verwaltungsdigitalisierung"
    before, after = (body_topic_graph(seeded_store, datetime.date(2023, 6, 1)),
                     body_topic_graph(seeded_store, datetime.date(2025, 6, 1)))
    assert before.has_edge(B + "verwaltung-12063", topic) and not after.has_edge(B + "verwaltung-12063", topic)
    handed = after.edges[B + "bsp-kommunaler-digitalverbund-havelland", topic]
    assert "federfuehrend" in handed["roles"] and handed["weight"] == len(handed["via"])
    assert not before.has_node(B + "bsp-kommunaler-digitalverbund-havelland")


def test_bipartite_projections_link_bodies_to_topics_territories_and_initiatives(seeded_store: Store) -> None:
    """The ministry for digitalisation leads on AI for all of Brandenburg; Kreis Uckermark works in Uckermark."""
    topics = body_topic_graph(seeded_store)
    assert nx.is_bipartite(topics)
    assert topics.edges[B + "mdjd-brandenburg", T + "kuenstliche-intelligenz"]["roles"] == ["federfuehrend"]
    assert topics.nodes[T + "kuenstliche-intelligenz"]["bipartite"] == 1
    territories = body_territory_graph(seeded_store)
    assert territories.has_edge(UCKERMARK, "https://w3id.org/synergraph/id/territory/12073")
    assert territories.nodes[UCKERMARK]["label"] == "Kreisverwaltung Uckermark"
    participation = participation_graph(seeded_store)
    assert participation.edges[AGENTUR, I + "smart-city-manager-brandenburg"]["roles"] == ["lead"]


def test_collaboration_groups_are_the_same_on_every_run(seeded_store: Store) -> None:
    """The DigitalAgentur, FH Potsdam, PD and the ministry MIL form one group, run after run."""
    graph = collaboration_graph(seeded_store)
    groups = collaboration_groups(graph)
    assert groups == collaboration_groups(collaboration_graph(seeded_store))
    circle = next(g for g in groups if AGENTUR in g.members)
    assert circle.members == sorted([AGENTUR, B + "fh-potsdam", B + "mil-brandenburg", B + "pd-berater"])
    assert circle.density == 1.0
    assert all(len(g.members) >= 3 for g in groups)


def test_the_only_links_of_the_example_network(seeded_store: Store) -> None:
    """Prenzlau is the only link between the Smart Region association (with Eberswalde) and the Uckermark circle."""
    found = {b.body: b for b in bridge_bodies(collaboration_graph(seeded_store))}
    prenzlau = found[B + "verwaltung-120730452"]
    assert [B + "bsp-smart-region-barnim-uckermark", B + "verwaltung-120600052"] in prenzlau.parts
    assert UCKERMARK in found and found[UCKERMARK].share > prenzlau.share
    assert AGENTUR not in found


def test_in_a_chain_of_three_the_middle_body_is_the_only_link_but_no_key_body() -> None:
    """Lying on every path of a three-body chain says little: the middle body is reported as the only link,
    not as a key body; in a larger part it is both."""
    chain = nx.Graph([("a", "mitte"), ("mitte", "b")])
    kinds = {f.kind for f in analyse_network(Store.in_memory(), graph=chain).findings}
    assert "bridge-body" in kinds and "key-body" not in kinds
    star = nx.Graph([("mitte", leaf) for leaf in "abcd"])
    key = [f for f in analyse_network(Store.in_memory(), graph=star).findings if f.kind == "key-body"]
    assert [(f.members, f.score) for f in key] == [(["mitte"], 1.0)]


def test_a_planted_bridge_body_is_found_and_written_as_a_finding(fresh_store_dir: Path) -> None:
    """A body that partners with the Lausitz Kreise and with the DigitalAgentur is the only link between them;
    the finding lands in the findings graph, queryable by SPARQL with score, evidence and PROV."""
    store = Store(fresh_store_dir)
    _plant_bridge(store)
    analysis = analyse_network(store)
    bridge = next(b for b in analysis.bridges if b.body == PLANTED)
    lausitz = sorted(B + f"verwaltung-{k}" for k in ("12052", "12066", "12071"))
    circle = sorted([AGENTUR, B + "fh-potsdam", B + "mil-brandenburg", B + "pd-berater"])
    assert sorted(bridge.parts) == sorted([circle, lausitz])
    assert bridge.links == {AGENTUR: [I + "test-agentur-sprechstunde"],
                            B + "verwaltung-12071": [I + "test-lausitz-werkstatt"]}
    finding = next(f for f in analysis.findings if f.kind == "bridge-body" and f.members == [PLANTED])
    assert "Digitalbüro Lausitz-Havel (Testfall) ist die einzige Verbindung" in finding.explanation
    assert "DigitalAgentur Brandenburg GmbH" in finding.explanation

    summary = run(store)
    assert summary.counts["bridge-body"] >= 1 and summary.counts["key-body"] >= 1
    rows = store.select(
        "SELECT ?score ?evidence ?label ?parameters ?version WHERE { GRAPH ?findings {"
        " ?f a sg:BridgeBodyFinding ; sg:rule 'NW-02' ; sg:member ?body ; sg:score ?score ; sg:evidence ?evidence ;"
        " rdfs:label ?label ; prov:wasGeneratedBy ?run . ?run a prov:Activity ; sg:parameters ?parameters ;"
        " sg:softwareVersion ?version ; prov:startedAtTime ?start ; prov:endedAtTime ?end } }",
        findings=URIRef(FINDINGS_GRAPH), body=URIRef(PLANTED))
    assert len(rows) == 1
    assert float(rows[0]["score"]) == pytest.approx(bridge.share)
    assert json.loads(rows[0]["evidence"])["parts"] == bridge.parts
    assert json.loads(rows[0]["parameters"])["networkSeed"] == 42


def test_a_decision_on_a_network_finding_survives_a_rerun(fresh_store_dir: Path) -> None:
    """An analyst marks Kreis Uckermark's key role as intended; the next run keeps the finding's IRI and the decision."""
    store = Store(fresh_store_dir)
    first = run(store)
    iri = finding_iri(finding_id("key-body", [UCKERMARK]))
    ask = "ASK { GRAPH ?g { ?f a sg:KeyBodyFinding ; prov:wasGeneratedBy ?run } }"
    assert store.ask(ask, g=URIRef(FINDINGS_GRAPH), f=URIRef(iri), run=URIRef(first.run))
    decide(store, iri, "not-a-problem", "Der Kreis koordiniert die Vorhaben im Auftrag der Gemeinden.", "redaktion")
    second = run(store)
    assert second.run != first.run
    assert store.ask(ask, g=URIRef(FINDINGS_GRAPH), f=URIRef(iri), run=URIRef(second.run))
    assert decisions(store)[iri].decision == "not-a-problem"


def test_rest_and_cli_report_the_same_network(server: Server, fresh_store_dir: Path) -> None:
    """A script asking GET /api/network and a colleague running 'synergraph network' see the same findings
    and the same ranking; the CLI says by its exit code whether there is anything to look at."""
    page = httpx.get(server.url + "/api/network", params={"limit": 10}, timeout=120).json()
    assert page["total"] == page["bodies"] >= 30 and len(page["items"]) == 10
    assert page["items"][0]["body"]["label"] == "Kreisverwaltung Uckermark"
    assert page["items"][0]["body"]["page"] == "/id/body/verwaltung-12073"
    result = cli("network", "--format", "json", store=fresh_store_dir)
    assert result.returncode == 1, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["id"], r["regel"], r["wert"], r["stellen"].split()) for r in rows] == [
        (f["id"], f["rule"], f["score"], [m["iri"] for m in f["members"]]) for f in page["findings"]]
    assert {r["regel"] for r in rows} == {"NW-01", "NW-02", "NW-03"}
    ranking = cli("network", "--ranking", "--limit", "10", "--format", "json", store=fresh_store_dir)
    assert [(r["rang"], r["stelle"], r["betweenness"], r["gruppe"] or None) for r in json.loads(ranking.stdout)] == [
        (i["rank"], i["body"]["iri"], i["betweenness"], i["group"]) for i in page["items"]]
    table = cli("network", "--format", "table", store=fresh_store_dir)
    assert "Schlüsselstelle" in table.stdout and "Einzige Verbindung" in table.stdout
    assert "Beispiel: synergraph network" in " ".join(cli("network", "--help", store=fresh_store_dir).stdout.split())


def test_paging_a_day_without_findings_and_bad_input(server: Server, fresh_store_dir: Path) -> None:
    """Pages do not repeat bodies; on a day before the initiatives nothing is found (exit 0); a bad day is an error."""
    first = httpx.get(server.url + "/api/network", params={"limit": 5}, timeout=120).json()
    second = httpx.get(server.url + "/api/network", params={"limit": 5, "offset": 5}, timeout=120).json()
    assert [i["rank"] for i in second["items"]] == [6, 7, 8, 9, 10]
    assert {i["body"]["iri"] for i in first["items"]}.isdisjoint({i["body"]["iri"] for i in second["items"]})
    early = httpx.get(server.url + "/api/network", params={"as_of": "1990-01-01"}, timeout=120).json()
    assert early["findings"] == [] and early["as_of"] == "1990-01-01"
    bad = httpx.get(server.url + "/api/network", params={"as_of": "gestern"}, timeout=60)
    assert bad.status_code == 422 and bad.json()["parameter"] == "as_of"
    assert "/api/network" in httpx.get(server.url + "/openapi.json", timeout=60).json()["paths"]
    assert cli("network", "--as-of", "1990-01-01", store=fresh_store_dir).returncode == 0
    wrong = cli("network", "--as-of", "gestern", store=fresh_store_dir)
    assert wrong.returncode == 2 and "--as-of" in wrong.stderr

