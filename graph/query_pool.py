"""Queries that can really be stopped: each runs in a worker process that is killed at its deadline.

Workers read a snapshot of the store (a hard-linked checkpoint made with ``Store.backup``), never the
live database, so the main process stays the only writer. A write makes a new snapshot; workers on
an old one are retired when they come back. A worker whose query runs longer than a second is
given a lower CPU priority, so short queries stay fast while long ones run.

Results are written by the engine's own serialisers inside the worker; the size cap is checked
there, so an oversized result is an error, never a truncated answer.

Examples
--------
>>> pool = QueryPool.for_store(Store.in_memory())  # doctest: +SKIP
>>> pool.run(QueryJob("ASK {}", accept="application/sparql-results+json"), timeout=5).body  # doctest: +SKIP
b'{"head":{},"boolean":true}'
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .namespaces import PREFIXES
from .query_guard import names_dataset
from .store import Store

__all__ = [
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "NotAcceptable",
    "QueryFailed",
    "QueryJob",
    "QueryPool",
    "QueryRefused",
    "QueryResult",
    "QueryTimeout",
    "ResultTooLarge",
]

# media type -> (engine format, short name)
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}


class QueryFailed(Exception):
    """The query could not be answered; ``status`` is the HTTP-like class of the problem."""

    status = 400

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


class QueryTimeout(QueryFailed):
    """The query ran past its deadline and was stopped."""

    status = 503


class QueryRefused(QueryFailed):
    """The service is busy (every worker slot taken)."""

    status = 503


class NotAcceptable(QueryFailed):
    """No acceptable format for this kind of result."""

    status = 406


class ResultTooLarge(QueryFailed):
    """The serialised result is larger than the configured cap."""

    status = 413


@dataclass(frozen=True)
class QueryJob:
    """One query with its dataset and the media types the client accepts (best first)."""

    query: str
    accept: tuple[str, ...] = ("application/sparql-results+json", "text/turtle")
    union_default_graph: bool = True
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_bytes: int = 100 * 1024 * 1024


@dataclass(frozen=True)
class QueryResult:
    """A serialised answer."""

    media_type: str
    body: bytes


def _choose(accept: tuple[str, ...], formats: dict[str, Any]) -> tuple[str, Any]:
    for media in accept:
        if media in formats:
            return media, formats[media]
        if media in ("*/*", "application/*", "text/*"):
            first = next(m for m in formats if media == "*/*" or m.startswith(media[:-1]))
            return first, formats[first]
    raise NotAcceptable("Kein annehmbares Format für dieses Ergebnis / no acceptable format; möglich: "
                        + ", ".join(sorted(set(formats))))


def execute(db: ox.Store, job: QueryJob) -> QueryResult:
    """Run one job against an engine store and serialise the answer (used inside workers)."""
    kwargs: dict[str, Any] = {"prefixes": PREFIXES}
    if job.default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    elif job.union_default_graph and not names_dataset(job.query):
        kwargs["use_default_graph_as_union"] = True
    if job.named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    try:
        result = db.query(job.query, **kwargs)
    except SyntaxError as error:
        from .errors import QuerySyntaxError

        parsed = QuerySyntaxError.from_parser(error)
        raise QueryFailed(f"Abfrage fehlerhaft / malformed query: {parsed}", parsed.line, parsed.column) from error
    if isinstance(result, ox.QueryTriples):
        media, graph_format = _choose(job.accept, GRAPH_FORMATS)
        body = ox.serialize(result, format=graph_format, prefixes=PREFIXES
                            if graph_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None) or b""
    else:
        media, results_format = _choose(job.accept, RESULT_FORMATS)
        body = result.serialize(format=results_format) or b""
    if len(body) > job.max_bytes:
        raise ResultTooLarge(f"Ergebnis zu groß / result too large: {len(body)} Bytes, "
                             f"erlaubt sind {job.max_bytes} Bytes")
    return QueryResult(media, body)


def _worker(snapshot: str, connection: Connection) -> None:
    db = ox.Store.read_only(snapshot)
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        try:
            connection.send(("ok", execute(db, job)))
        except QueryFailed as error:
            connection.send(("error", type(error).__name__, error.message, error.line, error.column))
        except Exception as error:  # noqa: BLE001 - any engine error becomes a clear 4xx/5xx answer
            connection.send(("error", "QueryFailed", f"Abfrage nicht ausführbar / query failed: {error}",
                             None, None))


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    connection: Connection
    generation: int


@dataclass
class QueryPool:
    """Worker processes over store snapshots, with deadlines.

    Parameters
    ----------
    store : Store
        The live on-disk store; snapshots are made next to it.
    max_workers : int
        At most this many queries run at once; more are refused (busy).
    idle_workers : int
        Workers kept started and waiting, so a cheap query never waits for a process start.
    """

    store: Store
    max_workers: int = 16
    idle_workers: int = 2
    _idle: list[_Worker] = field(default_factory=list)
    _busy: int = 0
    _generation: int = 0
    _snapshot: Path | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _counter: itertools.count[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        if self.store.path is None:
            raise ValueError("Abfrage-Prozesse brauchen einen Speicher auf der Platte")
        self._context = multiprocessing.get_context("spawn")
        self.refresh()

    @property
    def _snapshots(self) -> Path:
        assert self.store.path is not None
        return self.store.path.parent / (self.store.path.name + ".snapshots")

    def refresh(self) -> None:
        """Take a new snapshot after a write; new queries see it, old workers retire."""
        self.store.flush()
        self._snapshots.mkdir(exist_ok=True)
        target = self._snapshots / f"{os.getpid()}-{next(self._counter)}-{time.time_ns()}"
        self.store.engine.backup(str(target))
        with self._lock:
            old, self._snapshot = self._snapshot, target
            self._generation += 1
            retired, self._idle = self._idle, []
        for worker in retired:
            self._stop(worker)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        self._fill()

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_worker, args=(str(self._snapshot), child), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent, self._generation)

    def _fill(self) -> None:
        while True:
            with self._lock:
                if len(self._idle) >= self.idle_workers or self._busy + len(self._idle) >= self.max_workers:
                    return
            worker = self._start()
            with self._lock:
                self._idle.append(worker)

    @staticmethod
    def _stop(worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(5)
        worker.connection.close()

    def run(self, job: QueryJob, timeout: float) -> QueryResult:
        """Run ``job`` in a worker; stop it at ``timeout`` seconds. Blocking: call from a thread.

        Raises
        ------
        QueryFailed and its kinds: malformed query, timeout, busy, not acceptable, too large.
        """
        with self._lock:
            if self._busy >= self.max_workers:
                raise QueryRefused(f"Dienst ausgelastet / busy: {self.max_workers} Abfragen laufen bereits")
            self._busy += 1
            worker = self._idle.pop() if self._idle else None
        try:
            if worker is None:
                worker = self._start()
            threading.Thread(target=self._fill, daemon=True).start()
            return self._ask(worker, job, timeout)
        finally:
            with self._lock:
                self._busy -= 1

    def _ask(self, worker: _Worker, job: QueryJob, timeout: float) -> QueryResult:
        started = time.monotonic()
        worker.connection.send(job)
        reniced = False
        while not worker.connection.poll(0.05):
            elapsed = time.monotonic() - started
            if elapsed >= timeout or not worker.process.is_alive():
                self._stop(worker)
                if elapsed >= timeout:
                    raise QueryTimeout(f"Zeitlimit von {timeout:g} s überschritten, Abfrage abgebrochen / "
                                       f"query stopped at its time limit of {timeout:g} s")
                raise QueryFailed("Der Abfrageprozess ist abgebrochen / the query process ended")
            if not reniced and elapsed > 1.0:
                try:
                    os.setpriority(os.PRIO_PROCESS, worker.process.pid or 0, 10)
                except OSError:
                    pass
                reniced = True
        try:
            reply = worker.connection.recv()
        except (EOFError, OSError) as error:
            self._stop(worker)
            raise QueryFailed("Der Abfrageprozess ist abgebrochen / the query process ended") from error
        if reniced:
            self._stop(worker)  # a reniced worker is not reused at low priority
        else:
            with self._lock:
                if worker.generation == self._generation and len(self._idle) < self.idle_workers:
                    self._idle.append(worker)
                    worker = None  # type: ignore[assignment]
            if worker is not None:
                self._stop(worker)
        if reply[0] == "ok":
            result: QueryResult = reply[1]
            return result
        kind = {cls.__name__: cls for cls in (QueryFailed, NotAcceptable, ResultTooLarge)}.get(reply[1], QueryFailed)
        raise kind(reply[2], reply[3], reply[4])

    def close(self) -> None:
        """Stop every worker and remove the snapshot."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            self._stop(worker)
        if self._snapshot is not None:
            shutil.rmtree(self._snapshot, ignore_errors=True)
