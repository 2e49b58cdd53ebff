"""An operator runs Synergraph on an existing SPARQL server: with ``SYNERGRAPH_STORE`` set to its
endpoint URL, the same analyst, REST and update stories pass as on the embedded store.

The server is a real Oxigraph server process (``oxigraph serve`` from the test extra). The story
tests of other modules are imported here and run again, their ``server`` and ``writable`` fixtures
replaced by services over the remote store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import Server, cli
from test_analyst_sparql import *
from test_rest_api import *
from test_sparql_updates import *
from test_sparql_updates import TOKEN
from w3c.servers import OxigraphServer

# Functions the engine does not know are the server's business on a remote store (below).
del test_a_function_the_engine_does_not_know_evaluates_to_an_error  # noqa: F821


@pytest.fixture(scope="module")
def oxigraph() -> Iterator[OxigraphServer]:
    """An empty Oxigraph server; Synergraph seeds it on its first start."""
    peer = OxigraphServer(timeout_seconds=30)
    yield peer
    peer.stop()


def _service(oxigraph: OxigraphServer, env: dict[str, str] | None = None) -> Server:
    return Server(oxigraph.url + "/query", env=env)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def server(oxigraph: OxigraphServer) -> Iterator[Server]:
    """A read-only service over the remote store (no write tokens)."""
    running = _service(oxigraph)
    yield running
    running.stop()
    running.assert_no_server_errors()


@pytest.fixture(scope="module")
def writable(oxigraph: OxigraphServer, server: Server) -> Iterator[Server]:
    """A second service over the same endpoint, with a write token."""
    running = _service(oxigraph, {"SYNERGRAPH_TOKENS": f"redaktion=sha256:{hashlib.sha256(TOKEN.encode()).hexdigest()}"})
    yield running
    running.stop()
    running.assert_no_server_errors()


def test_the_service_reads_and_writes_through_the_endpoint(server: Server, oxigraph: OxigraphServer) -> None:
    """What Synergraph seeded is in the Oxigraph server itself, and /health names the endpoint."""
    count = httpx.post(oxigraph.url + "/query", content="SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                       headers={"Content-Type": "application/sparql-query",
                                "Accept": "application/sparql-results+json"}).json()
    assert int(count["results"]["bindings"][0]["n"]["value"]) > 10_000
    assert oxigraph.url in httpx.get(server.url + "/health").json()["store"]


def test_a_query_longer_than_its_limit_is_cut(server: Server) -> None:
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    response = httpx.get(server.url + "/sparql", params={"query": runaway, "timeout": "1"}, timeout=30)
    assert response.status_code == 503 and "Zeitlimit" in response.json()["detail"]
    assert httpx.get(server.url + "/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


def test_an_operator_exports_the_server_store_and_restores_it_into_another(server: Server, oxigraph: OxigraphServer,
                                                                             tmp_path: Path) -> None:
    """Export reads the endpoint with one query; restore replaces a second server's data in one update
    and reads it back; a folder backup of a server is refused with a pointer to export (exit 2)."""
    exported = cli("export", "--format", "nquads", str(tmp_path / "server.nq"), store=oxigraph.url + "/query")
    assert exported.returncode == 0, exported.stderr
    quads = (tmp_path / "server.nq").read_text(encoding="utf-8").count("\n")
    assert quads > 10_000 and f"{quads} Quads" in exported.stdout

    other = OxigraphServer(timeout_seconds=30)
    try:
        restored = cli("restore", str(tmp_path / "server.nq"), "--by", "betrieb", store=other.url + "/query")
        assert restored.returncode == 0, restored.stderr
        assert "(isomorph)" in restored.stdout
        count = httpx.post(other.url + "/query", content="SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                           headers={"Content-Type": "application/sparql-query",
                                    "Accept": "application/sparql-results+json"}).json()
        # the file's quads plus the restore's own history record
        assert int(count["results"]["bindings"][0]["n"]["value"]) > quads
    finally:
        other.stop()

    refused = cli("backup", str(tmp_path / "sicherung"), store=oxigraph.url + "/query")
    assert refused.returncode == 2 and "synergraph export" in refused.stderr
    assert not (tmp_path / "sicherung").exists()


def test_a_function_the_remote_server_does_not_know_is_its_decision_told_clearly(server: Server) -> None:
    """The embedded store evaluates such a call as an error; a remote server decides itself. The Oxigraph
    server fails the query (500); the analyst's answer passes on its status and its words, which name the
    function."""
    response = httpx.get(server.url + "/sparql", params={"query": "SELECT (<https://example.org/f>(1) AS ?v) {}"})
    assert response.status_code == 503
    assert "antwortet 500" in response.json()["detail"] and "https://example.org/f" in response.json()["detail"]
