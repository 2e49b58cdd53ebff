"""A person types German words into the search and finds resources, however they spell umlauts."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from conftest import Server, cli
from synergraph.graph.search import SearchIndex, ensure_index, index_path_for
from synergraph.graph.seed import seed_files
from synergraph.graph.store import Store

TOPIC = "https://w3id.org/synergraph/def/topic/"


def find(server: Server, q: str, **params: Any) -> dict[str, Any]:
    response = httpx.get(server.url + "/api/search", params={"q": q, **params}, timeout=60)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _seed_turtle() -> Graph:
    graph = Graph()
    for entry in seed_files():
        if entry.path.suffix == ".ttl":
            graph.parse(entry.path)
    return graph


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    """Labels, titles and descriptions of each resource in the Turtle files of the seed graph."""
    graph = _seed_turtle()
    found: dict[str, str] = {}
    for p in (RDFS.label, SKOS.prefLabel, DCTERMS.title, DCTERMS.description):
        for s, o in graph.subject_objects(p):
            found[str(s)] = found.get(str(s), "") + " " + str(o)
    return found


@pytest.fixture(scope="module")
def labels() -> set[str]:
    """Every label and title in the Turtle files of the seed graph (read with rdflib, not the service)."""
    graph = _seed_turtle()
    return {
        str(o)
        for p in (RDFS.label, SKOS.prefLabel, DCTERMS.title)
        for o in graph.objects(None, p)
        if isinstance(o, Literal)
    }


def test_a_compound_is_found_by_its_last_part(server: Server, labels: set[str]) -> None:
    compounds = {
        label for label in labels if "Digitalstrategie" in label or "Digitalisierungsstrategie" in label
    }
    assert compounds, "the seed data name a Digitalstrategie"
    body = find(server, "Strategie", limit=50)
    found = {item["label"] for item in body["items"]}
    assert found & compounds
    hit = next(item for item in body["items"] if item["label"] in compounds)
    assert "<mark>" in hit["snippet"] and "strategie</mark>" in hit["snippet"].lower()
    assert hit["page"] == hit["iri"].removeprefix("https://w3id.org/synergraph")


def test_umlauts_may_be_spelled_out(server: Server, texts: dict[str, str]) -> None:
    with_umlaut = {iri for iri, text in texts.items() if "Städte" in text}
    assert with_umlaut, "the seed data name something with 'Städte'"
    spelled_out = find(server, "Staedte Gemeinden Aemter", limit=200)
    with_letters = find(server, "Städte Gemeinden Ämter", limit=200)
    assert spelled_out["total"] == with_letters["total"]
    assert [i["iri"] for i in spelled_out["items"]] == [i["iri"] for i in with_letters["items"]]
    hits = {item["iri"]: item for item in spelled_out["items"]}
    found = with_umlaut & set(hits)
    assert found
    assert any("<mark>Städte" in hits[iri]["snippet"] for iri in found)


def test_an_abbreviation_finds_the_topic_through_its_alternative_label(server: Server) -> None:
    body = find(server, "KI", limit=5)
    assert TOPIC + "kuenstliche-intelligenz" in [item["iri"] for item in body["items"]]


def test_a_job_title_finds_the_programme(server: Server, labels: set[str]) -> None:
    programmes = {label for label in labels if "Smart City Manager" in label or "Smart-City-Manager" in label}
    assert programmes
    items = find(server, "Smart City Managerin", limit=10)["items"]
    assert {item["label"] for item in items} & programmes


def test_an_exact_title_ranks_first(server: Server) -> None:
    items = find(server, "Kommunale Digitalstrategie")["items"]
    assert items[0]["label"] == "Kommunale Digitalstrategie"
    assert items[0]["score"] > items[1]["score"] if len(items) > 1 else True


def test_the_type_filter_and_paging_of_hits(server: Server) -> None:
    everything = find(server, "Digitalisierung", limit=200)
    initiatives = find(server, "Digitalisierung", type="Initiative", limit=200)
    assert 0 < initiatives["total"] < everything["total"]
    assert {item["iri"] for item in initiatives["items"]} <= {item["iri"] for item in everything["items"]}
    assert all("/id/initiative/" in item["iri"] for item in initiatives["items"])
    first = find(server, "Digitalisierung", limit=3)
    second = find(server, "Digitalisierung", limit=3, offset=3)
    assert first["total"] == second["total"] == everything["total"]
    assert [i["iri"] for i in first["items"] + second["items"]] == [i["iri"] for i in everything["items"][:6]]


def test_a_page_far_past_the_last_hit_is_empty_and_the_service_keeps_running(server: Server) -> None:
    page = find(server, "Digitalisierung", limit=200, offset=877_677_899_216)
    assert page["items"] == [] and page["total"] > 0
    assert httpx.get(server.url + "/health").status_code == 200


def test_bad_search_parameters_are_named(server: Server) -> None:
    empty = httpx.get(server.url + "/api/search", params={"q": ""})
    assert empty.status_code == 422 and empty.json()["parameter"] == "q"
    wrong = httpx.get(server.url + "/api/search", params={"q": "KI", "type": "Raumschiff"})
    assert wrong.status_code == 422 and wrong.json()["parameter"] == "type"
    assert "Raumschiff" in wrong.json()["detail"]


# -- the engine on a small graph of our own ----------------------------------------------------------

SMALL = textwrap.dedent("""\
    @prefix sg: <https://w3id.org/synergraph/def/> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix dcterms: <http://purl.org/dc/terms/> .
    @prefix i: <https://w3id.org/synergraph/id/initiative/> .
    i:a a sg:Project ; rdfs:label "Sanierung der Dorfstraße"@de .
    i:b a sg:Project ; rdfs:label "Digitalisierungsstrategie Uckermark"@de .
    i:c a sg:Project ; rdfs:label "Strategie"@de .
    i:d a sg:Project ; rdfs:label "Beratung für Städte"@de ;
        dcterms:description "Hilfe für kleine Gemeinden"@de .
    """)


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    folder = tmp_path_factory.mktemp("small")
    store = Store.in_memory()
    store.engine.load(
        SMALL.encode(),
        format=ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode("https://w3id.org/synergraph/graph/small"),
    )
    index = SearchIndex(store, folder / "small.search")
    index.sync(force=True)
    return index


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Strasse", "a"),
        ("Straße", "a"),
        ("Dorfstrasse", "a"),
        ("Digitalisierung", "b"),
        ("Staedte", "d"),
        ("Städte", "d"),
        ("Gemeinde", "d"),
        ("uckermark strategie", "b"),
    ],
)
def test_german_spellings_and_word_forms(small_index: SearchIndex, query: str, expected: str) -> None:
    iris = [hit.iri for hit in small_index.search(query).items]
    assert "https://w3id.org/synergraph/id/initiative/" + expected in iris


def test_an_exact_label_outranks_compounds(small_index: SearchIndex) -> None:
    hits = small_index.search("Strategie").items
    assert [hit.iri.rsplit("/", 1)[1] for hit in hits] == ["c", "b"]


def test_the_index_follows_the_store(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    path = index_path_for(store.path or tmp_path)
    assert path.parent == tmp_path and not path.is_relative_to(tmp_path / "store")
    assert ensure_index(store, path) is True
    assert ensure_index(store, path) is False
    store.replace_graph(
        "https://w3id.org/synergraph/graph/x",
        [
            (
                URIRef("https://w3id.org/synergraph/id/initiative/x"),
                RDFS.label,
                Literal("Kiebitzwiese", lang="de"),
            )
        ],
    )
    assert ensure_index(store, path) is True
    index = SearchIndex(store, path)
    assert [hit.label for hit in index.search("Kiebitzwiese").items] == ["Kiebitzwiese"]


def test_a_loaded_file_becomes_findable_after_restart(fresh_store_dir: Path, tmp_path: Path) -> None:
    new = tmp_path / "zaunkoenig.ttl"
    new.write_text(
        textwrap.dedent("""\
        @prefix sg: <https://w3id.org/synergraph/def/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        <https://w3id.org/synergraph/id/source/zaunkoenig> a sg:SourceDocument ;
            rdfs:label "Zaunkönig-Quelle"@de ; dcterms:title "Zaunkönig-Quelle"@de .
        """),
        encoding="utf-8",
    )
    before = Server(fresh_store_dir)
    try:
        assert find(before, "Zaunkoenig")["total"] == 0
    finally:
        before.stop()
    loaded = cli("load", str(new), store=fresh_store_dir)
    assert loaded.returncode == 0, loaded.stderr
    after = Server(fresh_store_dir)
    try:
        items = find(after, "Zaunkoenig")["items"]
        assert [item["iri"] for item in items] == ["https://w3id.org/synergraph/id/source/zaunkoenig"]
    finally:
        after.stop()
    index = index_path_for(fresh_store_dir)
    assert index.is_dir() and not (fresh_store_dir / index.name).exists()
    shutil.rmtree(fresh_store_dir)
