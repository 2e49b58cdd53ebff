"""A data steward loads files: each lands whole or not at all, and the store survives restarts."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import cli
from rdflib import URIRef
from synergraph.graph.errors import InputError, ValidationFailed
from synergraph.graph.history import HISTORY_GRAPH
from synergraph.graph.loading import graph_iri_for, load_file, loaded_checksum
from synergraph.graph.seed import ensure_seeded, seed_files
from synergraph.graph.store import Store

PREFIXES = textwrap.dedent("""\
    @prefix sg: <https://w3id.org/synergraph/def/> .
    @prefix dcterms: <http://purl.org/dc/terms/> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    @prefix id: <https://w3id.org/synergraph/id/> .
    """)

GOOD = PREFIXES + textwrap.dedent("""\
    <https://w3id.org/synergraph/id/responsibility/test-ki-barnim> a sg:Responsibility ;
        rdfs:label "Kreisverwaltung Barnim: Künstliche Intelligenz"@de ;
        sg:holder <https://w3id.org/synergraph/id/body/verwaltung-12060> ;
        sg:topic <https://w3id.org/synergraph/def/topic/kuenstliche-intelligenz> ;
        sg:territory <https://w3id.org/synergraph/id/territory/12060> ;
        sg:role <https://w3id.org/synergraph/def/role/federfuehrend> ;
        sg:validFrom "2025-01-01"^^xsd:date ;
        dcterms:source <https://w3id.org/synergraph/id/source/beispieldaten> .
    """)


def _snapshot(store: Store) -> set[str]:
    return {str(q) for q in store.engine}


def test_a_valid_file_lands_in_its_own_named_graph(fresh_store_dir: Path, tmp_path: Path) -> None:
    store = Store(fresh_store_dir)
    path = tmp_path / "ki-barnim.ttl"
    path.write_text(GOOD, encoding="utf-8")
    result = load_file(store, path)
    assert result.graph == "https://w3id.org/synergraph/graph/ki-barnim"
    assert result.triples == 8
    assert store.value("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                       g=URIRef(result.graph)) == 8
    assert loaded_checksum(store, result.graph) is not None


@pytest.mark.parametrize("name, content, error", [
    ("syntax.ttl", PREFIXES + "<https://w3id.org/synergraph/id/x> sg:holder \"kaputt .\n", InputError),
    ("shapes.ttl", GOOD.replace("sg:holder <https://w3id.org/synergraph/id/body/verwaltung-12060> ;", ""),
     ValidationFailed),
    ("until-before-from.ttl", GOOD.replace('sg:validFrom "2025-01-01"^^xsd:date ;',
                                          'sg:validFrom "2025-01-01"^^xsd:date ; sg:validUntil "2024-01-01"^^xsd:date ;'),
     ValidationFailed),
])
def test_a_broken_file_changes_nothing(fresh_store_dir: Path, tmp_path: Path, name: str, content: str,
                                       error: type[Exception]) -> None:
    store = Store(fresh_store_dir)
    before = _snapshot(store)
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(error) as raised:
        load_file(store, path)
    assert name in str(raised.value)
    assert _snapshot(store) == before


def test_a_syntax_error_names_file_and_line(fresh_store_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "zeile.ttl"
    path.write_text(PREFIXES + "\n\n<https://w3id.org/synergraph/id/x> <https://w3id.org/synergraph/def/p> .\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_file(Store(fresh_store_dir), path)
    assert raised.value.line == 8
    assert "zeile.ttl, Zeile 8" in str(raised.value)


def test_replacing_a_graph_with_a_broken_version_keeps_the_old_one(fresh_store_dir: Path, tmp_path: Path) -> None:
    store = Store(fresh_store_dir)
    path = tmp_path / "ki.ttl"
    path.write_text(GOOD, encoding="utf-8")
    load_file(store, path)
    before = _snapshot(store)
    path.write_text(GOOD.replace("sg:role <https://w3id.org/synergraph/def/role/federfuehrend>",
                                 "sg:role <https://w3id.org/synergraph/def/role/erfunden>"), encoding="utf-8")
    with pytest.raises(ValidationFailed):
        load_file(store, path)
    assert _snapshot(store) == before


def test_the_store_reopens_after_a_restart_without_reloading(seeded_store_dir: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(seeded_store_dir, copy)
    first = Store(copy)
    triples = len(first)
    del first
    again = Store(copy)
    assert len(again) == triples
    assert ensure_seeded(again, examples=True) == []


def test_a_changed_seed_file_is_reloaded_and_only_that_one(seeded_store_dir: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(seeded_store_dir, copy)
    store = Store(copy)
    examples = next(entry for entry in seed_files() if entry.example)
    store.update(f"DELETE WHERE {{ GRAPH <https://w3id.org/synergraph/graph/catalog> "
                 f"{{ <{examples.graph}> <https://w3id.org/synergraph/def/checksum> ?c }} }}")
    reloaded = ensure_seeded(store, examples=True)
    assert [r.graph for r in reloaded] == [examples.graph]
    assert store.value("SELECT ?who ?a WHERE { ?a prov:wasAssociatedWith/rdfs:label ?who ; sg:sourceFile ?f }",
                       a=URIRef(reloaded[0].activity), f=examples.path.name) == "startdaten"


def test_examples_can_be_switched_off_and_on_again(fresh_store_dir: Path) -> None:
    """An operator switches the example data off: they are gone and the history says so; switched on
    again, they are back."""
    store = Store(fresh_store_dir)
    examples = next(entry for entry in seed_files() if entry.example)
    assert store.has_graph(examples.graph)
    size = len(list(store.triples(examples.graph)))
    ensure_seeded(store, examples=False)
    assert not store.has_graph(examples.graph)
    assert store.value("SELECT (COUNT(*) AS ?n) WHERE { ?s dcterms:source "
                       "<https://w3id.org/synergraph/id/source/beispieldaten> }") == 0
    assert store.value("SELECT ?who ?g WHERE { GRAPH ?h { ?a prov:used ?g ; sg:operation ?op ; "
                       "prov:wasAssociatedWith/rdfs:label ?who } FILTER(STRSTARTS(?op, 'DROP GRAPH')) }",
                       g=URIRef(examples.graph), h=URIRef(HISTORY_GRAPH)) == "startdaten"
    assert ensure_seeded(store, examples=False) == []
    assert [r.graph for r in ensure_seeded(store, examples=True)] == [examples.graph]
    assert len(list(store.triples(examples.graph))) == size


def test_a_killed_load_leaves_the_store_as_before(fresh_store_dir: Path, tmp_path: Path) -> None:
    """SIGKILL while a large graph is being written: after restart the graph is absent or whole."""
    big = tmp_path / "gross.nt"
    with big.open("w", encoding="utf-8") as out:
        for i in range(300_000):
            out.write(f"<https://w3id.org/synergraph/id/test/{i}> <http://www.w3.org/2000/01/rdf-schema#label> "
                      f"\"Eintrag {i}\"@de .\n")
    script = (
        "import sys; from pathlib import Path\n"
        "from synergraph.graph.store import Store\n"
        "from synergraph.graph.loading import load_file\n"
        "store = Store(Path(sys.argv[1])); print('open', flush=True)\n"
        "load_file(store, Path(sys.argv[2]), check=False); print('done', flush=True)\n"
    )
    before = len(Store(fresh_store_dir))
    process = subprocess.Popen([sys.executable, "-c", script, str(fresh_store_dir), str(big)],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "open"
    import time

    time.sleep(1.5)
    process.kill()
    process.wait()
    store = Store(fresh_store_dir)
    size = store.value("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", g=URIRef(graph_iri_for(big)))
    assert size in (0, 300_000)
    records = store.value("SELECT (COUNT(*) AS ?n) WHERE { ?a sg:sourceFile 'gross.nt' ; prov:used ?g }",
                          g=URIRef(graph_iri_for(big)))
    assert (size, records) in ((0, 0), (300_000, 1))
    if size == 0:
        assert len(store) == before


def test_a_users_own_load_of_a_seed_graph_survives_a_restart(fresh_store_dir: Path) -> None:
    """An operator replaces Brandenburg's territories with another Land's; the next start keeps them."""
    store = Store(fresh_store_dir)
    gv = next(entry for entry in seed_files() if entry.path.suffix == ".csv" and "gebietsstand" in entry.options
              and "based_on" not in entry.options)
    load_file(store, gv.path, lands=["13"], gebietsstand=gv.options["gebietsstand"], check=False)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?g a sg:State ; sg:ags ?key }"
    assert store.select("SELECT ?key WHERE { ?g a sg:State ; sg:ags ?key }") == [{"key": "13"}]
    assert ensure_seeded(store, examples=True) == []
    assert store.value(count) == 1


def test_every_load_is_in_the_history_with_who_when_and_which_file(fresh_store_dir: Path, tmp_path: Path) -> None:
    """An operator loads a file with 'synergraph load': the change history names the command line as who,
    the time, the file with its SHA-256 and the graph it replaced, in the same transaction as the data. A
    file that fails leaves no record."""
    import datetime
    import hashlib

    path = tmp_path / "ki-barnim.ttl"
    path.write_text(GOOD, encoding="utf-8")
    started = datetime.datetime.now(datetime.UTC)
    done = cli("load", str(path), store=fresh_store_dir)
    assert done.returncode == 0, done.stderr
    broken = tmp_path / "kaputt.ttl"
    broken.write_text(GOOD.replace("sg:role <https://w3id.org/synergraph/def/role/federfuehrend>",
                                   "sg:role <https://w3id.org/synergraph/def/role/erfunden>"), encoding="utf-8")
    assert cli("load", str(broken), store=fresh_store_dir).returncode == 1
    store = Store(fresh_store_dir)
    rows = store.select(
        "SELECT ?who ?when ?op ?file ?sum ?g WHERE { GRAPH ?h { ?a prov:wasAssociatedWith/rdfs:label ?who ; "
        "prov:endedAtTime ?when ; sg:operation ?op ; prov:used ?g . OPTIONAL { ?a sg:sourceFile ?file ; "
        "sg:checksum ?sum } } FILTER(STRSTARTS(?op, 'LOAD ')) }", h=URIRef(HISTORY_GRAPH))
    mine = [row for row in rows if row.get("file") in ("ki-barnim.ttl", "kaputt.ttl")]
    assert len(mine) == 1, mine
    record = mine[0]
    assert record["who"] == "cli" and record["g"] == "https://w3id.org/synergraph/graph/ki-barnim"
    assert record["sum"] == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    assert record["when"] >= started
    assert "ki-barnim.ttl" in record["op"] and "8 Tripel" in record["op"]
    assert not [row for row in rows if row["who"] == "startdaten"], "filling a new store is no change"


def test_a_bulk_load_into_a_store_this_process_has_open_is_refused(fresh_store_dir: Path, tmp_path: Path) -> None:
    """In a notebook the store may still be open: exchanging its folder under the open engine would let the
    engine, when it closes, delete files of the new store. The bulk load refuses, and the store is unchanged."""
    from synergraph.graph.bulk_loading import bulk_load_file
    from synergraph.graph.store import StoreLocked

    data = tmp_path / "gross.nt"
    data.write_text('<https://w3id.org/synergraph/id/test/a> <http://www.w3.org/2000/01/rdf-schema#label> "A"@de .\n',
                    encoding="utf-8")
    store = Store(fresh_store_dir)
    before = sorted(p.name for p in fresh_store_dir.iterdir())
    with pytest.raises(StoreLocked, match="in diesem Prozess noch geöffnet"):
        bulk_load_file(fresh_store_dir, data)
    assert sorted(p.name for p in fresh_store_dir.iterdir()) == before
    assert graph_iri_for(data) not in {g.iri for g in store.graphs()}
    del store
    assert bulk_load_file(fresh_store_dir, data).triples == 1  # once given back, the load goes ahead
