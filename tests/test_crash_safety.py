"""An operator's machine dies in the middle of a restore, a large load or an import: after the restart the store
is exactly as before or exactly as after, never something in between, and the service starts.

Each case runs the real command once to measure how long it takes, then kills it with SIGKILL at 20
points spread over that time (from reading the file to the final check) and restarts on the store.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import Server
from synergraph.graph.backup import export, read_dataset
from synergraph.graph.history import HISTORY_GRAPH
from synergraph.graph.loading import CATALOG_GRAPH
from synergraph.graph.store import Store

POINTS = 20
ONLY_BEFORE = "https://w3id.org/synergraph/graph/nur-vorher"
LARGE = "https://w3id.org/synergraph/graph/gross"


def _state(folder: Path) -> ox.Dataset:
    store = Store(folder)
    dataset = ox.Dataset(store.engine)
    del store
    return dataset


def _without(dataset: ox.Dataset, *graphs: str) -> ox.Dataset:
    names = {ox.NamedNode(g) for g in graphs}
    return ox.Dataset(q for q in dataset if q.graph_name not in names)


def _large_triples(count: int) -> str:
    return "".join(f"<https://w3id.org/synergraph/id/test/eintrag-{i}> <http://www.w3.org/2000/01/rdf-schema#label> "
                   f"\"Eintrag {i}\"@de .\n" for i in range(count))


@pytest.fixture
def before_dir(fresh_store_dir: Path) -> Path:
    """The store before: the seeded store plus a graph that only it has."""
    store = Store(fresh_store_dir)
    store.update(f"INSERT DATA {{ GRAPH <{ONLY_BEFORE}> {{ <https://w3id.org/synergraph/id/test/alt> "
                 "rdfs:label \"nur vorher\"@de } }")
    store.flush()
    del store
    return fresh_store_dir


def _command(*args: str, store: Path) -> subprocess.Popen[str]:
    environment = {**os.environ, "SYNERGRAPH_STORE": str(store)}
    exe = Path(sys.executable).with_name("synergraph")
    return subprocess.Popen([str(exe), *args], env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _kill_at_points(before_dir: Path, work: Path, args: tuple[str, ...],
                    classify: Callable[[ox.Dataset], str]) -> Counter[str]:
    """Run the command once to time it, then kill it at POINTS moments; classify each restart."""
    shutil.copytree(before_dir, work)
    started = time.monotonic()
    whole = _command(*args, store=work)
    _, errors = whole.communicate(timeout=600)
    duration = time.monotonic() - started
    assert whole.returncode == 0, errors
    assert classify(_state(work)) == "after"

    outcomes: Counter[str] = Counter()
    for point in range(POINTS):
        shutil.rmtree(work)
        shutil.copytree(before_dir, work)
        delay = duration * (point + 1) / POINTS
        process = _command(*args, store=work)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        outcome = classify(_state(work))
        assert outcome in ("before", "after"), f"killed after {delay:.2f} s: the store is {outcome}"
        outcomes[outcome] += 1
        running = Server(work)
        try:
            assert httpx.get(running.url + "/health", timeout=10).status_code == 200
        finally:
            running.stop()
    return outcomes


def test_a_restore_killed_at_any_point_leaves_the_old_or_the_new_store(before_dir: Path, seeded_store_dir: Path,
                                                                        tmp_path: Path) -> None:
    """SIGKILL during 'synergraph restore' at 20 points: old store or restored store, nothing else."""
    source = tmp_path / "quelle"
    shutil.copytree(seeded_store_dir, source)
    store = Store(source)
    store.engine.load(_large_triples(60_000), ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(LARGE))
    del store
    backup_file = tmp_path / "gross.nq"
    export(source, backup_file)
    restored = read_dataset(backup_file)
    before = _state(before_dir)
    expected_data = _without(restored, HISTORY_GRAPH)
    expected_history = set(restored.quads_for_graph_name(ox.NamedNode(HISTORY_GRAPH)))

    def classify(state: ox.Dataset) -> str:
        if state == before:
            return "before"
        if _without(state, HISTORY_GRAPH) != expected_data:
            return "in between (data)"
        history = set(state.quads_for_graph_name(ox.NamedNode(HISTORY_GRAPH)))
        added = history - expected_history
        restores = {q.subject for q in added if q.predicate.value.endswith("/operation")
                    and q.object.value == "RESTORE gross.nq"}
        if not expected_history <= history or len(restores) != 1:
            return "in between (history)"
        return "after"

    outcomes = _kill_at_points(before_dir, tmp_path / "arbeit", ("restore", str(backup_file)), classify)
    assert outcomes["before"] >= 1 and outcomes["after"] >= 1, outcomes


def test_a_large_load_killed_at_any_point_leaves_the_old_or_the_loaded_store(before_dir: Path,
                                                                            tmp_path: Path) -> None:
    """SIGKILL during 'synergraph load' of a large file at 20 points: the graph is absent or whole."""
    large = tmp_path / "gross.nt"
    large.write_text(_large_triples(30_000), encoding="utf-8")
    before = _state(before_dir)
    expected = ox.Dataset(before)
    for triple in ox.parse(path=str(large), format=ox.RdfFormat.N_TRIPLES):
        expected.add(ox.Quad(triple.subject, triple.predicate, triple.object, ox.NamedNode(LARGE)))
    expected_data = _without(expected, CATALOG_GRAPH)
    catalog_before = set(before.quads_for_graph_name(ox.NamedNode(CATALOG_GRAPH)))

    def classify(state: ox.Dataset) -> str:
        if state == before:
            return "before"
        if _without(state, CATALOG_GRAPH) != expected_data:
            return "in between (data)"
        catalog = set(state.quads_for_graph_name(ox.NamedNode(CATALOG_GRAPH)))
        if not catalog_before <= catalog or not any(q.subject == ox.NamedNode(LARGE) for q in catalog):
            return "in between (catalog)"
        return "after"

    outcomes = _kill_at_points(before_dir, tmp_path / "arbeit", ("load", str(large)), classify)
    assert outcomes["before"] >= 1 and outcomes["after"] >= 1, outcomes


def test_an_import_killed_at_any_point_leaves_the_old_or_the_imported_store(before_dir: Path,
                                                                           tmp_path: Path) -> None:
    """SIGKILL during 'synergraph import' of 1,500 initiatives at 20 points: none or all, with one record."""
    template = (Path(__file__).parent / "data" / "import" / "initiativen.csv").read_text(encoding="utf-8-sig")
    header, row = template.splitlines()[:2]
    rows = []
    for number in range(1500):
        cells = row.split(";")
        cells[0], cells[1] = f"imp-abbruch-{number}", f"Digitallotsen Welle {number}"
        rows.append(";".join(cells))
    table = tmp_path / "viele.csv"
    table.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    reference = tmp_path / "referenz"
    shutil.copytree(before_dir, reference)
    done = _command("import", str(table), store=reference)
    _, errors = done.communicate(timeout=600)
    assert done.returncode == 0, errors
    before = _state(before_dir)
    imported = _without(_state(reference), HISTORY_GRAPH)
    activity = (ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                ox.NamedNode("http://www.w3.org/ns/prov#Activity"))

    def count(state: ox.Dataset) -> int:
        return sum(1 for q in state.quads_for_graph_name(ox.NamedNode(HISTORY_GRAPH))
                   if (q.predicate, q.object) == activity)

    recorded_before = count(before)

    def classify(state: ox.Dataset) -> str:
        if state == before:
            return "before"
        if _without(state, HISTORY_GRAPH) != imported:
            return "in between (data)"
        if count(state) != recorded_before + 1:
            return "in between (history)"
        return "after"

    outcomes = _kill_at_points(before_dir, tmp_path / "arbeit", ("import", str(table)), classify)
    assert outcomes["before"] >= 1 and outcomes["after"] >= 1, outcomes
