"""An operator's machine dies in the middle of a restore, a large load or an import: after the restart the store
is exactly as before or exactly as after, never something in between, and the service starts.

Each case runs the real command once, to get the state after and to measure when it begins to write (one of
the engine's write-ahead logs grows) and when it ends. Then it kills the command with SIGKILL at 20 points:
10 spread evenly from the start until the write begins (opening the store, reading and checking the file,
building the change) and 10 spread evenly from the moment the write is seen in that run until the end
(writing, flushing, the read-back check, closing), the first of them as the write begins. After each kill the
store is opened again and must hold exactly the quads before, or exactly those after (new history records
alike but for their IRI and times); after 5 of the kills ``synergraph serve`` is the first process to open it
and must answer ``/health`` with as many triples. Both outcomes must occur, so the points do span the write.
A command that ends before its kill (the machine has become faster than in the measured run) is run again
and killed earlier, so each point is a kill.

The commands run as children forked from a runner process that has loaded the command line once (this
file run as a script): each child is a process of its own that runs the ``synergraph`` entry point with
its arguments and is killed with SIGKILL; only the interpreter start-up, which never touches the store,
is left out of the kill window.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import Started, kill_before_the_end
from synergraph.graph.backup import export, read_dataset
from synergraph.graph.history import HISTORY_GRAPH
from synergraph.graph.loading import CATALOG_GRAPH
from synergraph.graph.store import Store

POINTS = 20
LANES = 2
SERVICE_POINTS = (4, 9, 10, 14, 19)
"""The points after which ``synergraph serve`` is the first to open the killed store (among them the kill
as the write began); after the others the store is opened for writing by the class the service uses."""
ONLY_BEFORE = "https://w3id.org/synergraph/graph/nur-vorher"
LARGE = "https://w3id.org/synergraph/graph/gross"
RESTORE_TRIPLES = 2_000
LOAD_TRIPLES = 1_000
IMPORT_ROWS = 100


class Runner:
    """A process that has imported the command line and forks one child per command (see :func:`_serve`)."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        logs.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, bufsize=1)
        self.count = 0

    def wait_ready(self) -> None:
        """Wait until the runner has loaded the command line."""
        assert self._line(120) == "bereit"

    def _line(self, timeout: float) -> str:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        assert ready, f"the runner did not answer within {timeout} s"
        line = self.process.stdout.readline()
        assert line, "the runner ended"
        return line.strip()

    def start(self, *args: str, store: Path, **env: str) -> tuple[int, Path]:
        """Fork a child that runs ``synergraph ARGS`` on ``store``; its process id and log file."""
        assert self.process.stdin is not None
        self.count += 1
        log = self.logs / f"{self.count:03d}-{args[0]}.log"
        request = {"args": list(args), "log": str(log), "env": {"SYNERGRAPH_STORE": str(store), **env}}
        self.process.stdin.write(json.dumps(request) + "\n")
        return int(self._line(30)), log

    def has_ended(self, timeout: float) -> bool:
        """Whether the child last started has ended within ``timeout`` seconds; its exit code is left for
        :meth:`ended`."""
        assert self.process.stdout is not None
        return bool(select.select([self.process.stdout], [], [], timeout)[0])

    def ended(self, timeout: float) -> int | None:
        """The exit code of the child last started (negative: the signal that ended it), or None while it
        runs."""
        if not self.has_ended(timeout):
            return None
        return int(self._line(1))

    def close(self) -> None:
        """End the runner (it ends once its input is closed)."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        assert self.process.wait(timeout=30) == 0


@pytest.fixture(scope="module")
def runners(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Runner]]:
    """One runner per lane: the kills of a case run in LANES lanes side by side, each on its own copy."""
    running = [Runner(tmp_path_factory.mktemp("protokolle")) for _ in range(LANES)]
    for each in running:
        each.wait_ready()
    yield running
    for each in running:
        each.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _health(runner: Runner, store: Path) -> dict[str, object]:
    """Start ``synergraph serve`` on the store, return its ``/health`` answer, stop it again."""
    port = _free_port()
    # no query workers kept waiting: /health needs none, and each would be an interpreter of its own to start
    pid, log = runner.start("serve", "--port", str(port), store=store, SYNERGRAPH_IDLE_WORKERS="0")
    deadline = time.monotonic() + 60
    answer, code = None, None
    try:
        while answer is None:
            code = runner.ended(0.02)
            assert code is None, f"the service ended with {code}: {log.read_text(errors='replace')}"
            assert time.monotonic() < deadline, "the service did not answer /health within 60 s"
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)
            except httpx.HTTPError:
                continue
    finally:
        if code is None:
            os.kill(pid, signal.SIGTERM)
            code = runner.ended(30)
    # uvicorn ends by raising the signal again once it has shut down
    assert code in (0, -signal.SIGTERM), log.read_text(errors="replace")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert isinstance(body, dict)
    return body


def _state(folder: Path) -> ox.Dataset:
    """Every quad of the store, opened for writing as the service opens it (after a kill: recovered)."""
    store = Store(folder)
    dataset = ox.Dataset(store.engine)
    del store
    return dataset


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


XSD_DATE_TIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PROV_ACTIVITY = ox.NamedNode("http://www.w3.org/ns/prov#Activity")
WAL_FILE = re.compile(r"\d+\.log")
RECORDS = {ox.NamedNode(HISTORY_GRAPH), ox.NamedNode(CATALOG_GRAPH)}


def _shape(state: ox.Dataset, kept: set[ox.Quad]) -> list[str]:
    """The quads of ``state`` that are not in ``kept``, sorted, with what differs from run to run left out:
    the IRI of a new history record and the times in the history and the catalog."""
    new = {q.subject for q in state.quads_for_graph_name(ox.NamedNode(HISTORY_GRAPH))
           if (q.predicate, q.object) == (RDF_TYPE, PROV_ACTIVITY) and q not in kept}

    def term(value: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, graph: ox.NamedNode) -> str:
        if value in new:
            return "<neuer-eintrag>"
        if graph in RECORDS and isinstance(value, ox.Literal) and value.datatype == XSD_DATE_TIME:
            return "<zeit>"
        return str(value)

    return sorted(f"{term(q.subject, q.graph_name)} {q.predicate} {term(q.object, q.graph_name)} "
                  f"{q.graph_name}" for q in state if q not in kept)


def _wal(folder: Path) -> dict[str, int]:
    """The sizes of the engine's write-ahead log files in a store folder."""
    return {entry.name: entry.stat().st_size for entry in os.scandir(folder)
            if WAL_FILE.fullmatch(entry.name)}


def _written(folder: Path, unwritten: dict[str, int]) -> bool:
    """Whether one of the write-ahead logs of a store folder is larger than in ``unwritten``."""
    try:
        return any(size > unwritten.get(name, 0) for name, size in _wal(folder).items())
    except FileNotFoundError:  # a log file removed while listing
        return False


def _wait_for_write(runner: Runner, folder: Path, unwritten: dict[str, int], log: Path) -> float:
    """The moment the running command begins to write to the store: one of its write-ahead logs grows; at
    the latest the moment it has ended (on a busy machine the whole write may fall between two looks)."""
    while not _written(folder, unwritten):
        if runner.has_ended(0.001):
            assert _written(folder, unwritten), f"ended unwritten: {log.read_text(errors='replace')}"
            break
    return time.monotonic()


def _kill_at_points(runners: list[Runner], before_dir: Path, tmp_path: Path, args: tuple[str, ...],
                    kept_history: set[ox.Quad] | None = None) -> None:
    """Run the command once to time it and to get the state after, then kill it at POINTS moments.

    After each kill the store must equal the state before, or that after (the history records kept,
    plus new ones identical to those of the whole run but for their IRI and times): nothing else.
    ``kept_history`` is the history an "after" state keeps (default: the history of the store before).
    """
    before = _state(before_dir)
    if kept_history is None:
        kept_history = set(before.quads_for_graph_name(ox.NamedNode(HISTORY_GRAPH)))
    work = tmp_path / "arbeit"
    shutil.copytree(before_dir, work)
    started = time.monotonic()
    unwritten = _wal(work)
    _, log = runners[0].start(*args, store=work)
    writing = _wait_for_write(runners[0], work, unwritten, log) - started
    code = runners[0].ended(600)
    duration = time.monotonic() - started
    assert code == 0, log.read_text(errors="replace")
    after = _shape(_state(work), kept_history)
    assert after != _shape(before, kept_history), "the command changed nothing"

    def classify(state: ox.Dataset) -> str:
        if state == before:
            return "before"
        if not all(q in state for q in kept_history):
            return "in between (history lost)"
        if _shape(state, kept_history) != after:
            return "in between"
        return "after"

    def kill_at(point: int, runner: Runner, work: Path) -> str:
        half = POINTS // 2
        # the first half from the start until the write begins, the second from then until the end
        if point < half:
            delay = writing * (point + 0.5) / half
        else:
            delay = (duration - writing) * (point - half) / half

        def start() -> Started:
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(before_dir, work)
            unwritten = _wal(work)
            pid, log = runner.start(*args, store=work)
            if point >= half:
                _wait_for_write(runner, work, unwritten, log)
            return Started(pid, runner.ended, log)

        delay = kill_before_the_end(start, delay)
        health = _health(runner, work) if point in SERVICE_POINTS else None
        state = _state(work)
        outcome = classify(state)
        assert outcome in ("before", "after"), f"killed at point {point} ({delay:.3f} s): {outcome}"
        if health is not None:
            assert health["triples"] == len(state), (health, len(state))
        return outcome

    def lane(number: int) -> list[str]:
        work = tmp_path / f"spur-{number}"
        return [kill_at(point, runners[number], work) for point in range(number, POINTS, LANES)]

    with ThreadPoolExecutor(LANES) as pool:
        outcomes = Counter(outcome for done in pool.map(lane, range(LANES)) for outcome in done)
    assert outcomes["before"] >= 1 and outcomes["after"] >= 1, outcomes


def test_a_restore_killed_at_any_point_leaves_the_old_or_the_new_store(
        runners: list[Runner], before_dir: Path, seeded_store_dir: Path, tmp_path: Path) -> None:
    """SIGKILL during 'synergraph restore' at 20 points: old store or restored store, nothing else."""
    source = tmp_path / "quelle"
    shutil.copytree(seeded_store_dir, source)
    store = Store(source)
    store.engine.load(_large_triples(RESTORE_TRIPLES), ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(LARGE))
    del store
    backup_file = tmp_path / "gross.nq"
    export(source, backup_file)
    restored = read_dataset(backup_file)
    _kill_at_points(runners, before_dir, tmp_path, ("restore", str(backup_file)),
                    kept_history=set(restored.quads_for_graph_name(ox.NamedNode(HISTORY_GRAPH))))


def test_a_large_load_killed_at_any_point_leaves_the_old_or_the_loaded_store(
        runners: list[Runner], before_dir: Path, tmp_path: Path) -> None:
    """SIGKILL during 'synergraph load' of a large file at 20 points: the graph is absent or whole."""
    large = tmp_path / "gross.nt"
    large.write_text(_large_triples(LOAD_TRIPLES), encoding="utf-8")
    _kill_at_points(runners, before_dir, tmp_path, ("load", str(large)))


def test_an_import_killed_at_any_point_leaves_the_old_or_the_imported_store(
        runners: list[Runner], before_dir: Path, tmp_path: Path) -> None:
    """SIGKILL during 'synergraph import' of many initiatives at 20 points: none or all, with one record."""
    template = (Path(__file__).parent / "data" / "import" / "initiativen.csv").read_text(encoding="utf-8-sig")
    header, row = template.splitlines()[:2]
    rows = []
    for number in range(IMPORT_ROWS):
        cells = row.split(";")
        cells[0], cells[1] = f"imp-abbruch-{number}", f"Digitallotsen Welle {number}"
        rows.append(";".join(cells))
    table = tmp_path / "viele.csv"
    table.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    _kill_at_points(runners, before_dir, tmp_path, ("import", str(table)))


def _serve() -> None:
    """The runner: load the command line once, then fork a child per request line and report its end.

    A request is JSON with ``args``, ``env`` and ``log`` (the child's stdout and stderr). The runner
    answers with the child's process id and, once the child has ended, its exit code (negative: the
    signal that ended it); the ended child is reaped when the next request comes. It forks before any
    store is opened, so no engine thread is copied.
    """
    import uvicorn  # noqa: F401  (what 'serve' imports when it starts)
    from synergraph.api import app as _app  # noqa: F401
    from synergraph.api.cli import main
    from synergraph.graph import importing as _importing  # noqa: F401  (what 'import' imports when it starts)

    print("bereit", flush=True)
    reap: list[int] = []
    for line in sys.stdin:
        while reap:
            os.waitpid(reap.pop(), 0)
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            os.environ.update(request["env"])
            log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(log, 1)
            os.dup2(log, 2)
            sys.argv = ["synergraph", *request["args"]]
            try:
                main()
                code = 0
            except SystemExit as end:
                code = end.code if isinstance(end.code, int) else int(end.code is not None)
            # the command has returned (its store flushed); the interpreter's own clean-up is left out,
            # as after a kill right after the command's last step
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        print(pid, flush=True)
        # left unreaped until the next request, so the test's kill never reaches a reused process id
        ended = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
        assert ended is not None
        print(ended.si_status if ended.si_code == os.CLD_EXITED else -ended.si_status, flush=True)
        reap.append(pid)
    for pid in reap:
        os.waitpid(pid, 0)
    os._exit(0)  # nothing left to clean up that a test needs; a large interpreter's clean-up takes seconds


if __name__ == "__main__":
    _serve()
