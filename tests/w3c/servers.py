"""The endpoints under test, started as real processes on loopback ports.

``synergraph``: ``synergraph serve`` (through :class:`conftest.Server`) with
``SYNERGRAPH_UNION_DEFAULT_GRAPH=false``, so the query's default graph is the store's own default
graph as in the W3C tests, and one write token made for the run.
``oxigraph``: the Oxigraph server (``oxigraph serve``, from the ``oxigraph`` package of the test
extra) with an in-memory store: the official server of the engine Synergraph is built on, run as the
comparison peer.

Examples
--------
>>> sorted(ENDPOINTS)
['oxigraph', 'synergraph']
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from .endpoint import Endpoint

__all__ = ["ENDPOINTS", "OxigraphServer", "running"]

ENDPOINTS = ("oxigraph", "synergraph")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OxigraphServer:
    """An ``oxigraph serve`` process with an in-memory store on a free loopback port."""

    def __init__(self, timeout_seconds: int = 30) -> None:
        executable = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
        self.url = f"http://127.0.0.1:{_free_port()}"
        self.process = subprocess.Popen([executable, "serve", "--bind", self.url.removeprefix("http://"),
                                         "--timeout-s", str(timeout_seconds)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph serve ended: {self.process.stderr.read() if self.process.stderr else ''}")
            try:
                if httpx.get(self.url + "/query", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("oxigraph serve did not answer within 30 s")

    def endpoint(self) -> Endpoint:
        """Its query, update and Graph Store URLs (no token: the Oxigraph server does not ask for one)."""
        return Endpoint("oxigraph", self.url + "/query", self.url + "/update", self.url + "/store")

    def stop(self) -> None:
        """End the process."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextmanager
def running(kind: str, store: Path | None = None) -> Iterator[Endpoint]:
    """Start the named endpoint, yield it, stop it.

    ``store`` is the Synergraph store folder to serve (a fresh folder is seeded by the service on start).
    """
    if kind == "oxigraph":
        peer = OxigraphServer()
        endpoint = peer.endpoint()
        try:
            yield endpoint
        finally:
            endpoint.close()
            peer.stop()
        return
    if kind != "synergraph":
        raise ValueError(f"unknown endpoint {kind!r}; known: {', '.join(ENDPOINTS)}")
    from conftest import Server  # the tests' own server starter (tests/ is on sys.path)
    from synergraph.graph.history import HISTORY_GRAPH

    if store is None:
        raise ValueError("Synergraph needs a store folder")
    token = secrets.token_urlsafe(24)
    digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
    server = Server(store, env={"SYNERGRAPH_UNION_DEFAULT_GRAPH": "false", "SYNERGRAPH_QUERY_TIMEOUT": "30",
                                "SYNERGRAPH_TOKENS": f"w3c=sha256:{digest}"})
    endpoint = Endpoint("synergraph", server.url + "/sparql", server.url + "/sparql",
                        server.url + "/rdf-graph-store", token=token, own_graphs=(HISTORY_GRAPH,))
    try:
        yield endpoint
    finally:
        endpoint.close()
        server.stop()
    server.assert_no_server_errors()
