"""Queries that can really be stopped: each runs in a worker process that is killed at its deadline.

The main process holds the read-write store and is its only writer. Workers read a snapshot of it:
a checkpoint made with ``Store.backup`` (hard links on the same file system, a few milliseconds),
opened read-only. After each accepted write the pool takes a new snapshot; every job names the
snapshot it must read, so an idle worker switches to the new one before its next query, and a
snapshot is removed once no worker reads it any more.

A few workers are kept started and idle, so a cheap query never waits for a process start; the
most recently used one answers next, because its caches are warm (a worker's first queries over a
snapshot run about twice as long). A worker whose query runs longer than a quarter second gets a
lower CPU priority (``os.setpriority``), so short
queries stay fast while long ones run; it is not reused afterwards. At the deadline the worker is
killed (SIGKILL) and the answer is an error, never a partial result.

A worker is a plain ``python -m synergraph.api.sparql.workers`` process that imports only the
engine and this module (no web framework), talking over two pipes; results are written inside it
by the engine's own serialisers, and the size cap is enforced while writing.

Examples
--------
>>> pool = QueryPool(Store(Path(tempfile.mkdtemp()) / "store"))  # doctest: +SKIP
>>> asyncio.run(pool.run(QueryJob("ASK {}"), timeout=5)).body  # doctest: +SKIP
b'{"head":{},"boolean":true}'
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from .negotiation import GRAPH_FORMATS, RESULT_FORMATS, AcceptRanges, choose

__all__ = [
    "NotAcceptable",
    "Queries",
    "QueryBusy",
    "QueryFailed",
    "QueryJob",
    "QueryPool",
    "QueryResult",
    "QueryTimeout",
    "ResultTooLarge",
]

# The engine's refusal to plan a query that calls a function it does not know.
_UNKNOWN_FUNCTION = re.compile(r"The custom function <([^>]*)> is not supported")
MAX_UNKNOWN_FUNCTIONS = 20  # a query calling more unknown functions than this is refused
RENICE_AFTER = 0.25  # seconds of running before a query counts as long (cheap queries finish sooner)
RENICE_TO = 10
_READ_INLINE = 1 << 20  # bytes of an answer read on the event loop; larger ones are read in a thread


class QueryFailed(Exception):
    """The query could not be answered; ``status`` is the HTTP status that fits the problem."""

    status = 400
    title = "Abfrage fehlerhaft"

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


class QueryTimeout(QueryFailed):
    """The query ran past its deadline and was stopped."""

    status = 503
    title = "Zeitlimit überschritten"


class QueryBusy(QueryFailed):
    """Every query slot is taken (or the worker ended unexpectedly)."""

    status = 503
    title = "Dienst ausgelastet"


class NotAcceptable(QueryFailed):
    """No acceptable format for this kind of result."""

    status = 406
    title = "Format nicht annehmbar"


class ResultTooLarge(QueryFailed):
    """The serialised result is larger than the configured cap."""

    status = 413
    title = "Ergebnis zu groß"


_KINDS = {cls.__name__: cls for cls in (QueryFailed, QueryTimeout, QueryBusy, NotAcceptable, ResultTooLarge)}


@dataclass(frozen=True)
class QueryJob:
    """One query with its dataset and the media ranges the client accepts.

    ``default_graphs`` and ``named_graphs`` only name graphs of the store (the engine never fetches
    them); ``union`` makes the default graph the union of all graphs when the query names no dataset.
    """

    query: str
    accept: AcceptRanges = field(default_factory=lambda: [("*/*", 1.0)])
    union: bool = True
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    prefixes: dict[str, str] = field(default_factory=dict)
    max_bytes: int = 100 * 1024 * 1024
    base_iri: str | None = None


@dataclass(frozen=True)
class QueryResult:
    """A serialised answer; ``unknown_functions`` names the functions of the query the engine does not know
    (each call of one evaluated to an error)."""

    media_type: str
    body: bytes
    unknown_functions: tuple[str, ...] = ()


class Queries(Protocol):
    """What the SPARQL routes need of a query runner: :class:`QueryPool` over the embedded store, or
    ``remote.RemoteQueries`` in front of a store behind a SPARQL endpoint."""

    start_seconds: list[float]

    @property
    def running(self) -> int: ...

    @property
    def idle(self) -> int: ...

    async def run(self, job: QueryJob, timeout: float, arrived: float | None = None) -> QueryResult: ...

    def refresh(self) -> None: ...

    def close(self) -> None: ...


# -- inside the worker process -----------------------------------------------------------------------


class _CappedBuffer:
    """A binary sink that refuses to grow beyond ``limit`` bytes (so serialising stops early)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.size, self.exceeded = limit, 0, False
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            self.exceeded = True
            raise OSError("result too large")
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush (the engine calls it)."""


def _evaluation_error(*_arguments: object) -> None:
    """A function the engine does not know: every call evaluates to an error (unbound in SELECT and BIND,
    false in FILTER), as SPARQL 1.1 has it for a function an implementation does not support."""
    return None


def _unknown_function(error: RuntimeError) -> str | None:
    """The IRI of the function the engine refused to plan a query with, if that was the problem."""
    found = _UNKNOWN_FUNCTION.fullmatch(str(error))
    return found[1] if found else None


def execute(db: ox.Store, job: QueryJob) -> QueryResult:
    """Run one job against an engine store and serialise the answer (what a worker does).

    A call of a function the engine does not know evaluates to an error instead of failing the query
    (the engine refuses to plan such a query; it is planned again with that function as an error).

    >>> execute(ox.Store(), QueryJob("ASK {}")).body
    b'{"head":{},"boolean":true}'
    >>> execute(ox.Store(), QueryJob("SELECT (<https://example.org/f>(1) AS ?v) {}")).unknown_functions
    ('https://example.org/f',)
    """
    from synergraph.graph.errors import QuerySyntaxError

    kwargs: dict[str, Any] = {"prefixes": job.prefixes, "base_iri": job.base_iri}
    if job.default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    elif job.union:
        kwargs["use_default_graph_as_union"] = True
    if job.named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    unknown: list[str] = []
    while True:
        try:
            result = db.query(job.query, **kwargs)
            break
        except SyntaxError as error:
            parsed = QuerySyntaxError.from_parser(error)
            raise QueryFailed(f"Abfrage fehlerhaft / malformed query: {parsed}", parsed.line, parsed.column) from error
        except RuntimeError as error:
            function = _unknown_function(error)
            if function is None or function in unknown or len(unknown) >= MAX_UNKNOWN_FUNCTIONS:
                raise
            unknown.append(function)
            kwargs["custom_functions"] = {ox.NamedNode(iri): _evaluation_error for iri in unknown}
    formats: dict[str, Any] = GRAPH_FORMATS if isinstance(result, ox.QueryTriples) else RESULT_FORMATS
    media = choose(job.accept, formats)
    if media is None:
        raise NotAcceptable("Kein annehmbares Format für dieses Ergebnis / no acceptable format; möglich: "
                            + ", ".join(formats))
    sink = _CappedBuffer(job.max_bytes)
    try:
        if isinstance(result, ox.QueryTriples):
            fmt = formats[media]
            prefixes = job.prefixes if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
            ox.serialize(result, sink, fmt, prefixes=prefixes)
        else:
            result.serialize(sink, formats[media])
    except OSError:
        if not sink.exceeded:
            raise
        raise ResultTooLarge(f"Ergebnis zu groß: mehr als {job.max_bytes} Bytes; bitte mit LIMIT eingrenzen / "
                             f"result larger than {job.max_bytes} bytes") from None
    return QueryResult(media, b"".join(sink.parts), tuple(unknown))


def _serve(snapshot: str, jobs: Connection, replies: Connection) -> None:
    parent = os.getppid()

    def watch_parent() -> None:
        # End with the service, even in the middle of a query. (PR_SET_PDEATHSIG would fire when the
        # *thread* that started the worker ends, and workers are started from short-lived threads.)
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    try:
        current, db = snapshot, ox.Store.read_only(snapshot)
    except OSError as error:  # the pool closed while this worker started, and removed the snapshots
        sys.stderr.write(f"Abfrageprozess beendet: Schnappschuss nicht lesbar / snapshot unreadable: {error}\n")
        return
    prefixes: dict[str, str] = {}
    replies.send_bytes(b"ready")
    while True:
        try:
            message = json.loads(jobs.recv_bytes())
        except (EOFError, OSError):
            return
        if message["snapshot"] != current:
            del db
            current, db = message["snapshot"], ox.Store.read_only(message["snapshot"])
        fields = message["job"]
        if fields["prefixes"] is None:  # the same as in the previous job
            fields["prefixes"] = prefixes
        prefixes = fields["prefixes"]
        job = QueryJob(**{**fields, "accept": [tuple(r) for r in fields["accept"]],
                          "default_graphs": tuple(fields["default_graphs"]),
                          "named_graphs": tuple(fields["named_graphs"])})
        try:
            result = execute(db, job)
            replies.send_bytes(json.dumps({"media_type": result.media_type, "size": len(result.body),
                                           "unknown_functions": result.unknown_functions}).encode())
            replies.send_bytes(result.body)
        except QueryFailed as error:
            replies.send_bytes(json.dumps({"error": type(error).__name__, "message": error.message,
                                           "line": error.line, "column": error.column}).encode())
        except Exception as error:  # noqa: BLE001 - any engine error becomes a clear answer
            replies.send_bytes(json.dumps({"error": "QueryFailed", "line": None, "column": None,
                                           "message": f"Abfrage nicht ausführbar / query failed: {error}"}).encode())


# -- in the main process --------------------------------------------------------------------------------


@dataclass
class _Snapshot:
    path: Path
    readers: int = 0


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    jobs: Connection
    replies: Connection
    snapshot: _Snapshot
    prefixes: dict[str, str] | None = None  # those of the worker's previous job, which it keeps


class QueryPool:
    """Worker processes over store snapshots, with deadlines.

    Parameters
    ----------
    store : Store
        The live on-disk store (``synergraph.graph.store.Store``); snapshots are made next to it.
    max_queries : int
        At most this many queries run at once; more are refused as busy.
    idle_workers : int
        Workers kept started and waiting, so a cheap query never waits for a process start.
    """

    def __init__(self, store: Any, max_queries: int = 16, idle_workers: int = 3) -> None:
        if store.path is None:
            raise ValueError("Abfrage-Prozesse brauchen einen Speicher auf der Platte")
        self.store, self.max_queries, self.idle_workers = store, max_queries, idle_workers
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._running = 0
        self._starting = 0
        self._closed = False
        self._counter = itertools.count()
        self.start_seconds: list[float] = []  # recent worker start times, for /metrics and measurements
        self._folder = Path(store.path).parent / (Path(store.path).name + ".snapshots")
        shutil.rmtree(self._folder, ignore_errors=True)  # left over by an earlier process
        self._folder.mkdir(parents=True)
        self._snapshot = self._take_snapshot()
        self._snapshot.readers += 1  # the pool's own reference to the current snapshot
        self.fill()

    # snapshots

    def _take_snapshot(self) -> _Snapshot:
        self.store.flush()
        target = self._folder / f"{next(self._counter):06d}-{time.time_ns()}"
        self.store.engine.backup(str(target))
        return _Snapshot(target)

    def _release(self, snapshot: _Snapshot) -> None:
        """Drop one reader of ``snapshot``; remove it when nobody reads it any more. Hold the lock."""
        snapshot.readers -= 1
        if snapshot.readers <= 0:
            shutil.rmtree(snapshot.path, ignore_errors=True)

    def refresh(self) -> None:
        """Take a new snapshot after a write; new queries read it, old snapshots go when unused."""
        snapshot = self._take_snapshot()
        with self._lock:
            old, self._snapshot = self._snapshot, snapshot
            snapshot.readers += 1
            self._release(old)

    # workers

    def _start(self) -> _Worker:
        started = time.perf_counter()
        with self._lock:
            snapshot = self._snapshot
            snapshot.readers += 1
        job_read, job_write = os.pipe()
        reply_read, reply_write = os.pipe()
        try:
            # -P: the working folder is not put on the import path, so a folder named like the
            # package there (the source tree, where the service is often started) cannot hide it
            process = subprocess.Popen(
                [sys.executable, "-P", "-m", "synergraph.api.sparql.workers", str(snapshot.path),
                 str(job_read), str(reply_write)],
                pass_fds=(job_read, reply_write), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        except OSError:
            for fd in (job_read, job_write, reply_read, reply_write):
                os.close(fd)
            with self._lock:
                self._release(snapshot)
            raise
        os.close(job_read)
        os.close(reply_write)
        worker = _Worker(process, Connection(job_write, readable=False), Connection(reply_read, writable=False),
                         snapshot)
        try:
            ready = worker.replies.poll(30) and worker.replies.recv_bytes() == b"ready"
        except (EOFError, OSError):  # it ended before it was ready
            ready = False
        if not ready:
            self._stop(worker)
            raise QueryBusy("Abfrageprozess startet nicht / query worker did not start")
        self.start_seconds = [*self.start_seconds[-99:], time.perf_counter() - started]
        return worker

    def fill(self) -> None:
        """Start workers until ``idle_workers`` wait (within the limit of concurrent queries)."""
        while True:
            with self._lock:
                if (self._closed or len(self._idle) + self._starting >= self.idle_workers
                        or self._running + len(self._idle) + self._starting >= self.max_queries + self.idle_workers):
                    return
                self._starting += 1
            try:
                worker = self._start()
            except (OSError, QueryBusy):
                with self._lock:
                    self._starting -= 1
                return
            with self._lock:
                self._starting -= 1
                if self._closed:
                    self._stop(worker)
                    return
                self._idle.append(worker)

    def _stop(self, worker: _Worker) -> None:
        with contextlib.suppress(ProcessLookupError):
            worker.process.kill()
        worker.process.wait()
        worker.jobs.close()
        worker.replies.close()
        with self._lock:
            self._release(worker.snapshot)

    @property
    def running(self) -> int:
        """Queries running now."""
        return self._running

    @property
    def idle(self) -> int:
        """Workers waiting for a query."""
        return len(self._idle)

    async def run(self, job: QueryJob, timeout: float, arrived: float | None = None) -> QueryResult:
        """Run ``job`` in a worker; stop it ``timeout`` seconds after it ``arrived`` (a
        ``time.monotonic()`` value; default now).

        The answer is awaited on the event loop (the reply pipe is watched with ``add_reader``), not in
        a thread: handing a cheap query to a thread and back cost more than the worker itself.

        Raises
        ------
        QueryFailed
            And its kinds: malformed query, timeout, busy, not acceptable, too large.
        """
        deadline = (time.monotonic() if arrived is None else arrived) + timeout
        with self._lock:
            if self._running >= self.max_queries:
                raise QueryBusy(f"Dienst ausgelastet: {self.max_queries} Abfragen laufen bereits; bitte später "
                                f"erneut versuchen / busy: {self.max_queries} queries running")
            self._running += 1
            worker = self._idle.pop() if self._idle else None  # the most recently used: its caches are warm
            running_low = not self._idle
        try:
            if running_low:  # start more in the background before the next query has to wait for one
                threading.Thread(target=self.fill, daemon=True).start()
            if worker is None:
                worker = await self._started()
            return await self._ask(worker, job, timeout, deadline)
        finally:
            with self._lock:
                self._running -= 1

    async def _started(self) -> _Worker:
        """A newly started worker. When the request is cancelled while the worker starts (in a thread that
        cannot be stopped), the worker is returned to the pool once it is up, instead of running unused
        until the service ends."""
        starting = asyncio.ensure_future(asyncio.to_thread(self._start))
        try:
            return await asyncio.shield(starting)
        except asyncio.CancelledError:
            starting.add_done_callback(self._adopt)
            raise

    def _adopt(self, starting: asyncio.Future[_Worker]) -> None:
        if not starting.cancelled() and starting.exception() is None:
            self._return(starting.result(), reniced=False)

    async def _ask(self, worker: _Worker, job: QueryJob, timeout: float, deadline: float) -> QueryResult:
        with self._lock:
            snapshot = self._snapshot
            if worker.snapshot is not snapshot:
                snapshot.readers += 1
                self._release(worker.snapshot)
                worker.snapshot = snapshot
        # The prefixes (the same dict for every query of the service) go to a worker only when they change.
        fields = {**vars(job), "prefixes": None} if job.prefixes is worker.prefixes else vars(job)
        worker.prefixes = job.prefixes
        message = {"snapshot": str(snapshot.path), "job": fields}  # shallow: asdict copies the prefixes deeply
        try:
            worker.jobs.send_bytes(json.dumps(message).encode())
        except OSError as error:
            self._stop(worker)
            raise QueryBusy("Der Abfrageprozess ist beendet worden / the query process ended") from error
        try:
            reniced = await self._answered(worker, timeout, deadline)
            header = json.loads(worker.replies.recv_bytes())
            body = b""
            if "media_type" in header:
                # A large body arrives while the worker still writes it: read that off the event loop.
                body = (worker.replies.recv_bytes() if header["size"] <= _READ_INLINE
                        else await asyncio.to_thread(worker.replies.recv_bytes))
        except (EOFError, OSError, ValueError, KeyError) as error:
            self._stop(worker)
            raise QueryBusy("Der Abfrageprozess ist beendet worden / the query process ended") from error
        except BaseException:  # the deadline, or the request was cancelled: the worker is mid-query
            self._stop(worker)
            raise
        self._return(worker, reniced)
        if "media_type" in header:
            return QueryResult(header["media_type"], body, tuple(header["unknown_functions"]))
        raise _KINDS.get(header["error"], QueryFailed)(header["message"], header["line"], header["column"])

    @staticmethod
    async def _answered(worker: _Worker, timeout: float, deadline: float) -> bool:
        """Wait until the worker's reply can be read, lowering its priority once it has run
        ``RENICE_AFTER`` seconds; return whether it was lowered.

        The reply pipe is watched by the event loop; it is not polled first (``Connection.poll`` builds a
        selector each time, 20 us, while an answer is never there the moment the job is sent).

        Raises
        ------
        QueryTimeout
            At the deadline (the caller stops the worker).
        """
        loop = asyncio.get_running_loop()
        descriptor = worker.replies.fileno()
        started, reniced = time.monotonic(), False
        while True:
            now = time.monotonic()
            if now >= deadline:
                raise QueryTimeout(f"Zeitlimit von {timeout:g} s überschritten, Abfrage abgebrochen / "
                                   f"query stopped at its time limit of {timeout:g} s")
            if not reniced and now >= started + RENICE_AFTER:
                with contextlib.suppress(OSError):
                    os.setpriority(os.PRIO_PROCESS, worker.process.pid, RENICE_TO)
                reniced = True
            wake: asyncio.Future[bool] = loop.create_future()

            def wake_up(readable: bool, wake: asyncio.Future[bool] = wake) -> None:
                if not wake.done():
                    wake.set_result(readable)

            until = deadline if reniced else min(deadline, started + RENICE_AFTER)
            timer = loop.call_later(until - now, wake_up, False)
            loop.add_reader(descriptor, wake_up, True)
            try:
                readable = await wake
            finally:
                timer.cancel()
                loop.remove_reader(descriptor)
                # uvloop makes a watched descriptor non-blocking; the reply is read blocking (a
                # readable pipe may hold the header while the body is still being written).
                os.set_blocking(descriptor, True)
            if readable:
                return reniced

    def _return(self, worker: _Worker, reniced: bool) -> None:
        """Keep a worker for the next query unless it runs at low priority; when more than
        ``idle_workers`` wait, the one unused longest (with the coldest caches) ends."""
        ending = [worker] if reniced or self._closed else []
        with self._lock:
            if not ending:
                self._idle.append(worker)
                while len(self._idle) > self.idle_workers:
                    ending.append(self._idle.pop(0))
        for surplus in ending:
            self._stop(surplus)

    def close(self) -> None:
        """Stop every idle worker and remove the snapshots."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            self._stop(worker)
        shutil.rmtree(self._folder, ignore_errors=True)


def main(argv: list[str]) -> None:
    """Entry of a worker process: ``python -m synergraph.api.sparql.workers SNAPSHOT JOB_FD REPLY_FD``."""
    snapshot, job_fd, reply_fd = argv
    _serve(snapshot, Connection(int(job_fd), writable=False), Connection(int(reply_fd), readable=False))


if __name__ == "__main__":
    main(sys.argv[1:])
