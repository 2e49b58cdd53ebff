"""A tester generates a synthetic dataset and can rely on it: repeatable, valid RDF, German titles,
and the planted duplicates, overlaps and parallels really are in the data as the answer file says."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import cli
from rdflib import Graph
from synergraph.graph.store import Store
from synergraph.graph.terms import to_rdflib
from synergraph.graph.validation import validate

REPO = Path(__file__).resolve().parents[1]
GENERATED = "https://w3id.org/synergraph/id/source/generiert"
PREFIXES = """
PREFIX sg: <https://w3id.org/synergraph/def/>
PREFIX role: <https://w3id.org/synergraph/def/role/>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three runs of ``synergraph generate`` over Brandenburg: seed 11 twice, seed 12 once."""
    folder = tmp_path_factory.mktemp("generated")
    files = {}
    for name, seed in (("a", "11"), ("b", "11"), ("c", "12")):
        out, answers = folder / f"{name}.nt", folder / f"{name}.jsonl"
        done = cli("generate", "--initiatives", "600", "--seed", seed, "--land", "12", "--out", str(out),
                   "--answers", str(answers), store=folder / "unused-store")
        assert done.returncode == 0, done.stderr
        files[name], files[name + "-answers"] = out, answers
    return files


@pytest.fixture(scope="module")
def data(generated: dict[str, Path]) -> Store:
    store = Store.in_memory()
    store.engine.bulk_load(path=str(generated["a"]), format=ox.RdfFormat.N_TRIPLES,
                           to_graph=ox.NamedNode("https://w3id.org/synergraph/graph/generated"))
    return store


@pytest.fixture(scope="module")
def answers(generated: dict[str, Path]) -> list[dict[str, list[str]]]:
    return [json.loads(line) for line in generated["a-answers"].read_text(encoding="utf-8").splitlines()]


def test_same_seed_same_bytes_other_seed_other_data(generated: dict[str, Path]) -> None:
    assert generated["a"].read_bytes() == generated["b"].read_bytes()
    assert generated["a-answers"].read_bytes() == generated["b-answers"].read_bytes()
    assert generated["a"].read_bytes() != generated["c"].read_bytes()


def test_every_line_is_one_n_triples_statement(generated: dict[str, Path]) -> None:
    text = generated["a"].read_bytes()
    lines = [line for line in text.split(b"\n") if line]
    triples = list(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == len(lines) > 10_000


def test_requested_number_of_initiatives(data: Store) -> None:
    count = data.value("SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i sg:leadBody ?b ; dcterms:title ?t }")
    assert count == 600


def test_generated_resources_pass_the_shapes(generated: dict[str, Path], seeded_store: Store) -> None:
    """Everything the generator invents is valid against the seeded store (which holds Brandenburg)."""
    own = Graph()
    for triple in ox.parse(path=str(generated["a"]), format=ox.RdfFormat.N_TRIPLES):
        subject = triple.subject.value
        if "/gen-" in subject or subject == GENERATED:
            own.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    assert len(own) > 5_000
    assert validate(own, seeded_store) == []


def test_generated_subjects_have_gen_iris_and_the_generated_source(data: Store) -> None:
    missing = data.select(PREFIXES + """
        SELECT ?s WHERE {
          ?s ?p ?o . FILTER(CONTAINS(STR(?s), "/id/") && CONTAINS(STR(?s), "/gen-"))
          FILTER NOT EXISTS { ?s dcterms:source <https://w3id.org/synergraph/id/source/generiert> }
        } LIMIT 5""")
    assert missing == []
    invented = data.select(PREFIXES + """
        SELECT DISTINCT ?s WHERE {
          ?s dcterms:source <https://w3id.org/synergraph/id/source/generiert> .
          FILTER(!CONTAINS(STR(?s), "/gen-"))
        }""")
    assert invented == []


def test_titles_and_descriptions_are_german(data: Store) -> None:
    not_german = data.value(PREFIXES + """
        SELECT (COUNT(*) AS ?n) WHERE {
          { ?x dcterms:title ?t } UNION { ?x dcterms:description ?t }
          FILTER(LANG(?t) != "de")
        }""")
    assert not_german == 0
    without_title = data.value(PREFIXES + """
        SELECT (COUNT(?i) AS ?n) WHERE {
          ?i sg:leadBody ?b . FILTER NOT EXISTS { ?i dcterms:title ?t FILTER(LANG(?t) = "de") }
        }""")
    assert without_title == 0


def test_each_kind_of_finding_is_planted(answers: list[dict[str, list[str]]]) -> None:
    kinds = {entry["kind"] for entry in answers}
    assert kinds == {"duplicate", "overlap", "parallel"}
    assert all(len(entry["items"]) == 2 and entry["items"][0] != entry["items"][1] for entry in answers)


def _intersecting(a: str, b: str) -> str:
    return f"{{ {a} sg:within* {b} }} UNION {{ {b} sg:within* {a} }}"


DATES_OVERLAP = """
  OPTIONAL { ?x sg:%(start)s ?s1 } OPTIONAL { ?x sg:%(end)s ?e1 }
  OPTIONAL { ?y sg:%(start)s ?s2 } OPTIONAL { ?y sg:%(end)s ?e2 }
  FILTER((!BOUND(?s1) || !BOUND(?e2) || ?s1 <= ?e2) && (!BOUND(?s2) || !BOUND(?e1) || ?s2 <= ?e1))
"""


def test_planted_duplicates_are_the_same_undertaking_recorded_twice(
        data: Store, answers: list[dict[str, list[str]]]) -> None:
    duplicates = [entry["items"] for entry in answers if entry["kind"] == "duplicate"]
    assert len(duplicates) >= 4
    for first, second in duplicates:
        holds = data.ask(PREFIXES + f"""
            ASK {{
              ?x sg:topic ?topic ; sg:territory ?t1 ; sg:leadBody ?lead1 ; dcterms:title ?title1 .
              ?y sg:topic ?topic ; sg:territory ?t2 ; sg:leadBody ?lead2 ; dcterms:title ?title2 .
              FILTER(?lead1 != ?lead2 && STR(?title1) != STR(?title2))
              {_intersecting("?t1", "?t2")}
              {DATES_OVERLAP % {"start": "startDate", "end": "endDate"}}
            }}""", x=ox.NamedNode(first), y=ox.NamedNode(second))
        assert holds, (first, second)


def test_planted_overlaps_are_two_federfuehrend_at_once_in_intersecting_territories(
        data: Store, answers: list[dict[str, list[str]]]) -> None:
    overlaps = [entry["items"] for entry in answers if entry["kind"] == "overlap"]
    assert overlaps
    for first, second in overlaps:
        holds = data.ask(PREFIXES + f"""
            ASK {{
              ?x a sg:Responsibility ; sg:role role:federfuehrend ; sg:topic ?topic ; sg:territory ?t1 ; sg:holder ?h1 .
              ?y a sg:Responsibility ; sg:role role:federfuehrend ; sg:topic ?topic ; sg:territory ?t2 ; sg:holder ?h2 .
              FILTER(?h1 != ?h2)
              {_intersecting("?t1", "?t2")}
              {DATES_OVERLAP % {"start": "validFrom", "end": "validUntil"}}
            }}""", x=ox.NamedNode(first), y=ox.NamedNode(second))
        assert holds, (first, second)


def test_the_analyst_overlap_query_finds_exactly_the_planted_overlaps(
        data: Store, answers: list[dict[str, list[str]]]) -> None:
    """The background data hold no overlaps of their own, so the answer file is complete."""
    query = (REPO / "bench" / "queries" / "06-overlap.rq").read_text(encoding="utf-8")
    found = {frozenset((row["r1"], row["r2"])) for row in data.select(query)}
    planted = {frozenset(entry["items"]) for entry in answers if entry["kind"] == "overlap"}
    assert found == planted


def test_planted_parallels_repeat_one_template_in_separate_kreise(
        data: Store, answers: list[dict[str, list[str]]]) -> None:
    parallels = [entry["items"] for entry in answers if entry["kind"] == "parallel"]
    assert parallels
    for first, second in parallels:
        row = data.select(PREFIXES + """
            SELECT ?title1 ?title2 WHERE {
              ?x sg:topic ?topic ; sg:territory ?t1 ; dcterms:title ?title1 .
              ?y sg:topic ?topic ; sg:territory ?t2 ; dcterms:title ?title2 .
              FILTER(?t1 != ?t2)
              FILTER NOT EXISTS { ?t1 sg:within* ?t2 } FILTER NOT EXISTS { ?t2 sg:within* ?t1 }
            }""", x=ox.NamedNode(first), y=ox.NamedNode(second))
        assert row, (first, second)
        # The same template: the titles share their first word.
        assert row[0]["title1"].split()[0] == row[0]["title2"].split()[0]
