"""Fixtures: real stores on disk and a real service process."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest
from synergraph.graph.seed import ensure_seeded
from synergraph.graph.store import Store

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "tests" / "artifacts"


@pytest.fixture(scope="session")
def seeded_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store folder filled once with the whole seed graph (examples included); copy it to change it."""
    path = tmp_path_factory.mktemp("seeded") / "store"
    store = Store(path)
    ensure_seeded(store, examples=True)
    del store
    return path


@pytest.fixture(scope="session")
def seeded_store(seeded_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A read-mostly seeded store shared by the session (do not write to it)."""
    copy = tmp_path_factory.mktemp("shared") / "store"
    shutil.copytree(seeded_store_dir, copy)
    return Store(copy)


@pytest.fixture
def fresh_store_dir(seeded_store_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded store for a test that writes."""
    copy = tmp_path / "store"
    shutil.copytree(seeded_store_dir, copy)
    return copy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(*args: str, store: Path, env: dict[str, str] | None = None, input: str | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the installed ``synergraph`` command as a user would."""
    environment = {**os.environ, "SYNERGRAPH_STORE": str(store), **(env or {})}
    exe = Path(sys.executable).with_name("synergraph")
    return subprocess.run([str(exe), *args], check=False, capture_output=True, text=True, env=environment,
                          input=input, timeout=timeout)


class Server:
    """A ``synergraph serve`` process on a free loopback port."""

    def __init__(self, store: Path, env: dict[str, str] | None = None, exe: Path | None = None,
                 cwd: Path | None = None) -> None:
        """``exe``: the ``synergraph`` command to run (default: this environment's); ``cwd``: where."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {**os.environ, "SYNERGRAPH_STORE": str(store), **(env or {})}
        exe = exe or Path(sys.executable).with_name("synergraph")
        # The log goes to a file: a pipe nobody reads fills up and then blocks the server mid-request.
        self.log_path = Path(tempfile.mkdtemp(prefix="synergraph-log-")) / "serve.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen([str(exe), "serve", "--port", str(self.port)], env=environment,
                                            stdout=log, stderr=subprocess.STDOUT, cwd=cwd)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server ended: {self.log()}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not answer on /health within 120 s")

    def log(self) -> str:
        """Everything the server has written to stdout and stderr so far."""
        return self.log_path.read_text(errors="replace")

    def assert_no_server_errors(self) -> None:
        """Fail when the server logged an unhandled exception (which the client saw as a 5xx)."""
        log = self.log()
        assert "Traceback" not in log, f"the server failed on a request:\n{log[log.index('Traceback') - 2000:][:6000]}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Started(NamedTuple):
    """A command just started: its process id, its end (``ended(timeout)``: the exit code, negative for the
    signal that ended it, or None while it runs) and its log file."""

    pid: int
    ended: Callable[[float], int | None]
    log: Path


def kill_before_the_end(start: Callable[[], Started], delay: float, attempts: int = 8) -> float:
    """Start a command with ``start`` and kill it with SIGKILL ``delay`` seconds after ``start`` returned.

    A command that ends before the kill is started again and killed earlier: at 0.8 of the shorter of the
    delay and the time it took to end, so a machine that became faster than the delay was measured on does
    not end the command before the kill every time. Fails unless one of ``attempts`` runs ends by the kill;
    returns the delay after which it came.
    """
    for _ in range(attempts):
        started = start()
        begun = time.monotonic()
        code = started.ended(delay)
        if code is None:
            os.kill(started.pid, signal.SIGKILL)  # an ended child is not reaped yet: its id is not reused
            code = started.ended(60)
        if code == -signal.SIGKILL:
            return delay
        assert code == 0, f"the command ended with {code}: {started.log.read_text(errors='replace')}"
        delay = 0.8 * min(delay, time.monotonic() - begun)
    raise AssertionError(f"the command ended before its kill in each of {attempts} runs")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--w3c-endpoint", choices=("synergraph", "oxigraph"), default="synergraph",
                     help="endpoint the W3C SPARQL 1.1 suites run against (oxigraph: the Oxigraph server, for comparison)")


@pytest.fixture(scope="session")
def w3c_endpoint(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One endpoint for all W3C conformance cases: Synergraph over a copy of the seeded store, or the Oxigraph server."""
    from w3c import suite_missing
    from w3c.servers import running

    if reason := suite_missing():
        pytest.skip(reason)
    kind = request.config.getoption("--w3c-endpoint")
    store = tmp_path_factory.mktemp("w3c") / "store"
    if kind == "synergraph":
        shutil.copytree(request.getfixturevalue("seeded_store_dir"), store)
    with running(kind, store) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def server(seeded_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The service running as a real process over a copy of the seeded store."""
    copy = tmp_path_factory.mktemp("served") / "store"
    shutil.copytree(seeded_store_dir, copy)
    running = Server(copy)
    yield running
    running.stop()
    running.assert_no_server_errors()
