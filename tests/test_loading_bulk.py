"""An operator loads a large file with ``synergraph load --bulk`` while the service is stopped: it lands whole
in its named graph with its catalog entry and history record, or not at all, also when the file is broken or
the process is killed; a running service keeps the store to itself."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import Server, Started, cli, kill_before_the_end
from rdflib import URIRef
from synergraph.graph.bulk_loading import COPY_INFIX, DROP_PER_COPY, bulk_load_file
from synergraph.graph.history import HISTORY_GRAPH
from synergraph.graph.loading import CATALOG_GRAPH, checksum, loaded_checksum
from synergraph.graph.store import Store
from test_crash_safety import Runner, _shape, _state

GRAPH = "https://w3id.org/synergraph/graph/gross"
EMPTY = "https://w3id.org/synergraph/graph/leer"
RECORDS = {ox.NamedNode(GRAPH), ox.NamedNode(CATALOG_GRAPH), ox.NamedNode(HISTORY_GRAPH)}
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
KILL_TRIPLES = 200_000
TIMED_KILLS = 8
EXCHANGE_KILLS = 2


def _triples(count: int, word: str = "Eintrag") -> str:
    return "".join(f"<https://w3id.org/synergraph/id/test/eintrag-{i}> <{LABEL}> \"{word} {i}\"@de .\n"
                   for i in range(count))


def _files(folder: Path) -> dict[str, str]:
    """Every file of a store folder with the SHA-256 of its bytes."""
    return {entry.name: hashlib.sha256(Path(entry.path).read_bytes()).hexdigest() for entry in os.scandir(folder)}


def _leftovers(folder: Path) -> list[Path]:
    return sorted(folder.parent.glob(folder.name + COPY_INFIX + "*"))


def _file(path: Path) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)}


def _outside_the_load(state: ox.Dataset) -> set[ox.Quad]:
    """The quads a load leaves alone: all but those of the loaded graph, the catalog and the history."""
    return {q for q in state if q.graph_name not in RECORDS}


def _graph(folder: Path, iri: str) -> set[ox.Triple]:
    store = Store(folder)
    triples = {ox.Triple(q.subject, q.predicate, q.object)
               for q in store.engine.quads_for_pattern(None, None, None, ox.NamedNode(iri))}
    del store
    return triples


def test_a_bulk_loaded_file_is_its_named_graph_with_catalog_entry_and_history_record(
        fresh_store_dir: Path, tmp_path: Path) -> None:
    before = _state(fresh_store_dir)
    data = tmp_path / "gross.nt"
    data.write_text(_triples(5_000), encoding="utf-8")
    done = cli("load", "--bulk", str(data), store=fresh_store_dir)
    assert done.returncode == 0, done.stderr
    assert f"5000 Tripel in <{GRAPH}>" in done.stdout and "ohne SHACL-Prüfung" in done.stdout

    assert _graph(fresh_store_dir, GRAPH) == _file(data)
    assert _outside_the_load(_state(fresh_store_dir)) == _outside_the_load(before)
    store = Store(fresh_store_dir)
    assert loaded_checksum(store, GRAPH) == checksum(data)
    assert store.value("SELECT ?n WHERE { GRAPH <https://w3id.org/synergraph/graph/catalog> { ?g void:triples ?n } }",
                       g=URIRef(GRAPH)) == 5000
    assert store.value("SELECT ?file WHERE { GRAPH <https://w3id.org/synergraph/graph/history> { "
                       "?a prov:used ?g ; sg:sourceFile ?file ; prov:wasAssociatedWith/rdfs:label 'cli' } }",
                       g=URIRef(GRAPH)) == "gross.nt"
    assert _leftovers(fresh_store_dir) == []


@pytest.mark.parametrize("size, rebuilt", [(300, False), (5_000, True)],
                         ids=["copied-then-dropped", "rest-put-into-a-new-store"])
def test_a_second_bulk_load_replaces_the_graph_and_keeps_the_rest_and_edited_entities(
        fresh_store_dir: Path, tmp_path: Path, size: int, rebuilt: bool) -> None:
    data = tmp_path / "gross.nt"
    data.write_text(_triples(size), encoding="utf-8")
    bulk_load_file(fresh_store_dir, data)
    edited = "https://w3id.org/synergraph/id/test/eintrag-7"
    store = Store(fresh_store_dir)
    store.update(f"INSERT DATA {{ GRAPH <https://w3id.org/synergraph/graph/redaktion-test> {{ "
                 f"<{edited}> rdfs:label \"von der Redaktion\"@de }} }} ; CREATE GRAPH <{EMPTY}>")
    store.flush()
    del store
    before = _state(fresh_store_dir)
    assert (size * DROP_PER_COPY > len(before) - size) == rebuilt  # which way the copy is made
    data.write_text(_triples(size - 100, word="Neu"), encoding="utf-8")
    result = bulk_load_file(fresh_store_dir, data, agent="betrieb")
    assert result.kept_edits == (edited,)
    assert result.triples == size - 101
    assert _graph(fresh_store_dir, GRAPH) == {t for t in _file(data) if t.subject.value != edited}
    assert _outside_the_load(_state(fresh_store_dir)) == _outside_the_load(before)
    assert Store(fresh_store_dir).has_graph(EMPTY)


def test_a_syntax_error_names_file_and_line_and_leaves_the_store_untouched(fresh_store_dir: Path,
                                                                           tmp_path: Path) -> None:
    lines = _triples(50_000).splitlines(keepends=True)
    lines[41_336] = f"<https://w3id.org/synergraph/id/test/kaputt> <{LABEL}> \"ohne Ende .\n"
    data = tmp_path / "kaputt.nt"
    data.write_text("".join(lines), encoding="utf-8")
    before = _files(fresh_store_dir)
    done = cli("load", "--bulk", str(data), store=fresh_store_dir)
    assert done.returncode == 2
    assert f"{data}, Zeile 41337: RDF-Syntaxfehler" in done.stderr, done.stderr
    assert _files(fresh_store_dir) == before
    assert _leftovers(fresh_store_dir) == []


def test_a_running_service_keeps_its_store(fresh_store_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "gross.nt"
    data.write_text(_triples(10), encoding="utf-8")
    server = Server(fresh_store_dir, env={"SYNERGRAPH_IDLE_WORKERS": "0"})
    try:
        done = cli("load", "--bulk", str(data), store=fresh_store_dir)
    finally:
        server.stop()
    assert done.returncode == 2
    assert f"Der Speicher {fresh_store_dir} ist von einem anderen Prozess geöffnet" in done.stderr
    assert "beenden Sie ihn" in done.stderr and "'synergraph load --bulk' braucht den Speicher" in done.stderr
    assert _leftovers(fresh_store_dir) == []
    assert GRAPH not in {g.iri for g in Store(fresh_store_dir).graphs()}


def _fresh_copy(source: Path, work: Path) -> None:
    """``work`` a copy of the store ``source`` again, without copies a killed bulk load left beside it."""
    shutil.rmtree(work, ignore_errors=True)
    for leftover in _leftovers(work):
        shutil.rmtree(leftover)
    shutil.copytree(source, work)


def _wait_for_copy(runner: Runner, folder: Path, log: Path) -> None:
    """Wait until the running bulk load has begun its copy of the store beside the store folder."""
    while not _leftovers(folder):
        code = runner.ended(0.001)
        assert code is None, f"the command ended with {code}, no copy seen: {log.read_text(errors='replace')}"


def _kill_after_exchange(runner: Runner, pid: int, folder: Path, before: int) -> int:
    """Kill the command as soon as the store folder is another one (the copy exchanged in); its end code."""
    while True:
        try:
            exchanged = os.stat(folder).st_ino != before
        except FileNotFoundError:  # never: the exchange leaves no moment without the folder
            raise AssertionError("the store folder was missing") from None
        if exchanged:
            os.kill(pid, signal.SIGKILL)
            code = runner.ended(30)
            assert code is not None
            return code
        code = runner.ended(0)
        if code is not None:
            return code


def test_a_bulk_load_killed_at_any_point_leaves_the_old_or_the_loaded_store(fresh_store_dir: Path,
                                                                            tmp_path: Path) -> None:
    """SIGKILL during 'synergraph load --bulk': at 8 moments spread from the start of its copy of the store
    until its end and, twice, right after the copy has been exchanged in. Afterwards the store opens and
    holds exactly the quads before or exactly those after; the next bulk load removes the copy a kill left
    beside it. A load that ends before its kill is run again and killed earlier (the machine may have
    become faster than in the run the moments were measured on)."""
    data = tmp_path / "gross.nt"
    data.write_text(_triples(KILL_TRIPLES), encoding="utf-8")
    before = _state(fresh_store_dir)
    kept = set(before.quads_for_graph_name(ox.NamedNode(HISTORY_GRAPH)))
    runner = Runner(tmp_path / "protokolle")
    runner.wait_ready()
    work = tmp_path / "arbeit"

    def start() -> Started:
        _fresh_copy(fresh_store_dir, work)
        pid, log = runner.start("load", "--bulk", str(data), store=work)
        _wait_for_copy(runner, work, log)
        return Started(pid, runner.ended, log)

    try:
        started = start()
        copying = time.monotonic()
        assert runner.ended(600) == 0, started.log.read_text(errors="replace")
        duration = time.monotonic() - copying
        after = _shape(_state(work), kept)
        outcomes: Counter[str] = Counter()
        for point in range(TIMED_KILLS + EXCHANGE_KILLS):
            if point < TIMED_KILLS:
                kill_before_the_end(start, duration * (point + 0.5) / TIMED_KILLS)
            else:
                for _attempt in range(5):  # the command may end before the exchange is seen: then once more
                    _fresh_copy(fresh_store_dir, work)
                    inode = os.stat(work).st_ino
                    pid, log = runner.start("load", "--bulk", str(data), store=work)
                    code = _kill_after_exchange(runner, pid, work, inode)
                    if code == -signal.SIGKILL:
                        break
                    assert code == 0, log.read_text(errors="replace")
                assert code == -signal.SIGKILL, f"point {point}: the command always ended before the kill"
            state = _state(work)
            if state == before:
                outcomes["before"] += 1
            else:
                assert _shape(state, kept) == after, f"killed at point {point}: in between"
                outcomes["after"] += 1
        assert outcomes["before"] >= 1 and outcomes["after"] >= 1, outcomes

        done = cli("load", "--bulk", str(data), store=work)
        assert done.returncode == 0, done.stderr
        assert _leftovers(work) == []
    finally:
        runner.close()
