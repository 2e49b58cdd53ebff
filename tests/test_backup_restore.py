"""An operator exports, backs up and restores the whole store: nothing is lost, the history comes
along, a restore lands whole or not at all, and a backup taken while the service writes is consistent."""

from __future__ import annotations

import hashlib
import shutil
import threading
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import Server, cli
from synergraph.graph.backup import canonical, read_dataset
from synergraph.graph.history import HISTORY_GRAPH, history_record
from synergraph.graph.store import Store

TOKEN = "sicherungs-test-token"
TOKENS = {"SYNERGRAPH_TOKENS": f"betrieb=sha256:{hashlib.sha256(TOKEN.encode()).hexdigest()}"}
NOTES = "https://w3id.org/synergraph/graph/notizen"


def _quads(folder: Path) -> ox.Dataset:
    """The store's quads, read as a user of the folder would after a restart."""
    store = Store(folder)
    dataset = ox.Dataset(store.engine)
    del store
    return dataset


def _with_history_and_blank_nodes(folder: Path) -> None:
    """A recorded change whose data share a blank node across two graphs (the hard case of a round trip)."""
    store = Store(folder)
    _, record = history_record("INSERT DATA (Notiz)", "redaktion", [NOTES])
    store.update(
        f"INSERT DATA {{ GRAPH <{NOTES}> {{ _:n rdfs:label \"Notiz\"@de ; rdfs:seeAlso _:m . _:m rdfs:label \"m\" }} "
        f"GRAPH <{NOTES}-2> {{ _:n rdfs:comment \"derselbe Knoten\"@de }} }} ;\n{record}")
    del store


@pytest.mark.parametrize("fmt, name", [("trig", "alles.trig"), ("nquads", "alles.nq")])
def test_an_export_holds_every_named_graph_and_the_history(fresh_store_dir: Path, tmp_path: Path,
                                                           fmt: str, name: str) -> None:
    """Everything the store holds is in the export, blank nodes and the change history included."""
    _with_history_and_blank_nodes(fresh_store_dir)
    target = tmp_path / name
    done = cli("export", "--format", fmt, str(target), store=fresh_store_dir)
    assert done.returncode == 0, done.stderr
    exported = read_dataset(target)
    store_quads = _quads(fresh_store_dir)
    assert len(exported) == len(store_quads) > 14_000
    assert canonical(exported) == canonical(store_quads)
    graphs = {q.graph_name.value for q in exported if isinstance(q.graph_name, ox.NamedNode)}
    assert {HISTORY_GRAPH, NOTES, NOTES + "-2", "https://w3id.org/synergraph/graph/beispiele"} <= graphs
    assert f"{len(store_quads)} Quads" in done.stdout
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_a_restore_brings_back_exactly_the_exported_store(fresh_store_dir: Path, tmp_path: Path) -> None:
    """Export, change everything, restore: the store is the exported one again (isomorphic), plus the
    record of the restore, and the service starts on it."""
    _with_history_and_blank_nodes(fresh_store_dir)
    export = tmp_path / "vorher.trig"
    assert cli("export", str(export), store=fresh_store_dir).returncode == 0
    before = _quads(fresh_store_dir)

    store = Store(fresh_store_dir)
    store.update("DROP GRAPH <https://w3id.org/synergraph/graph/beispiele> ; "
                 f"INSERT DATA {{ GRAPH <{NOTES}> {{ <https://w3id.org/synergraph/id/test/neu> rdfs:label \"neu\" }} }}")
    del store

    done = cli("restore", str(export), "--by", "betrieb", store=fresh_store_dir)
    assert done.returncode == 0, done.stderr
    assert "isomorph" in done.stdout
    after = _quads(fresh_store_dir)
    restored = ox.Dataset(q for q in after if not (q.graph_name == ox.NamedNode(HISTORY_GRAPH)
                                                    and q not in before))
    assert canonical(restored) == canonical(before)
    store = Store(fresh_store_dir)
    assert store.ask(f"ASK {{ GRAPH <{HISTORY_GRAPH}> {{ ?a sg:operation \"RESTORE vorher.trig\" ; "
                     "prov:wasAssociatedWith/rdfs:label \"betrieb\" } }")
    assert not store.ask("ASK { <https://w3id.org/synergraph/id/test/neu> ?p ?o }")
    del store
    running = Server(fresh_store_dir)
    try:
        health = httpx.get(running.url + "/health").json()
        assert health["status"] == "ok"
    finally:
        running.stop()


def test_a_broken_export_changes_nothing_and_names_the_line(fresh_store_dir: Path, tmp_path: Path) -> None:
    """A file that does not parse leaves the store untouched; the message names file and line."""
    broken = tmp_path / "kaputt.nq"
    broken.write_text('<https://example.org/a> <https://example.org/p> "1" <https://example.org/g> .\n'
                      '<https://example.org/a> <https://example.org/p> "2 <https://example.org/g> .\n')
    before = _quads(fresh_store_dir)
    done = cli("restore", str(broken), store=fresh_store_dir)
    assert done.returncode == 2
    assert "kaputt.nq, Zeile 2" in done.stderr
    assert _quads(fresh_store_dir) == before
    missing = cli("restore", str(tmp_path / "gibt-es-nicht.trig"), store=fresh_store_dir)
    assert missing.returncode == 2 and "nicht gefunden" in missing.stderr


def test_a_backup_taken_while_the_service_writes_is_consistent(fresh_store_dir: Path, tmp_path: Path) -> None:
    """While writes arrive, 'synergraph backup' copies one point in time: every write is in the backup
    whole or not at all, and the backup is itself a store that can be restored."""
    running = Server(fresh_store_dir, env=TOKENS)
    stop = threading.Event()
    accepted: list[int] = []

    def keep_writing() -> None:
        number = 0
        while not stop.is_set():
            number += 1
            pair = (f"<https://w3id.org/synergraph/id/test/paar-{number}-a> rdfs:label \"a\" . "
                    f"<https://w3id.org/synergraph/id/test/paar-{number}-b> rdfs:label \"b\" .")
            answer = httpx.post(running.url + "/sparql", content=f"INSERT DATA {{ GRAPH <{NOTES}> {{ {pair} }} }}",
                                headers={"Content-Type": "application/sparql-update",
                                         "Authorization": f"Bearer {TOKEN}"}, timeout=30)
            assert answer.status_code == 200, answer.text
            accepted.append(number)

    writer = threading.Thread(target=keep_writing)
    try:
        writer.start()
        while len(accepted) < 3:
            threading.Event().wait(0.05)
        folders = [tmp_path / f"sicherung-{i}" for i in range(3)]
        for folder in folders:
            done = cli("backup", str(folder), store=fresh_store_dir)
            assert done.returncode == 0, done.stderr
        stop.set()
        writer.join()
        refused = cli("restore", str(tmp_path / "x.trig"), store=fresh_store_dir)
        assert refused.returncode == 2 and "beendet" in refused.stderr
    finally:
        stop.set()
        running.stop()
    for folder in folders:
        copy = Store(folder)
        halves = copy.select(f"SELECT ?s WHERE {{ GRAPH <{NOTES}> {{ ?s rdfs:label ?l }} }}")
        numbers = [str(row["s"]).rsplit("paar-", 1)[1] for row in halves]
        pairs = {n[:-2] for n in numbers}
        assert all(f"{p}-a" in numbers and f"{p}-b" in numbers for p in pairs), "a write was cut in half"
        assert len(pairs) >= 3
        # each write and its history record are one transaction: both or neither are in the backup
        recorded = copy.value(f"SELECT (COUNT(?a) AS ?n) WHERE {{ GRAPH <{HISTORY_GRAPH}> "
                              f"{{ ?a prov:used <{NOTES}> }} }}")
        assert recorded == len(pairs)
        del copy

    target = tmp_path / "zurueck"
    shutil.copytree(fresh_store_dir, target)
    done = cli("restore", str(folders[-1]), store=target)
    assert done.returncode == 0, done.stderr
    assert "isomorph" in done.stdout


def test_a_backup_never_overwrites_an_existing_folder(fresh_store_dir: Path, tmp_path: Path) -> None:
    """An existing target folder is refused with a clear message; it stays as it was."""
    target = tmp_path / "da"
    target.mkdir()
    (target / "wichtig.txt").write_text("bleibt")
    done = cli("backup", str(target), store=fresh_store_dir)
    assert done.returncode == 2 and "existiert schon" in done.stderr
    assert (target / "wichtig.txt").read_text() == "bleibt"
