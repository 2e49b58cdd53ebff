"""The operator keeps the service safe: runaway queries are cut at their limit without slowing cheap ones,
nothing reaches other hosts, writes never come cross-origin, and bad input is a clear 4xx."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest import Server
from synergraph.api.sparql.workers import QueryJob, QueryPool
from synergraph.graph.namespaces import PREFIXES
from synergraph.graph.store import Store

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TOKEN = "sicherheits-test-token"
RESULT_CAP = 200_000


@pytest.fixture(scope="module")
def guarded(seeded_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A writable service with a small result cap."""
    copy = tmp_path_factory.mktemp("guarded") / "store"
    shutil.copytree(seeded_store_dir, copy)
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    running = Server(copy, env={"SYNERGRAPH_TOKENS": f"betrieb=sha256:{digest}",
                                "SYNERGRAPH_MAX_RESULT_BYTES": str(RESULT_CAP)})
    yield running
    running.stop()
    running.assert_no_server_errors()


@pytest.fixture(scope="module")
def narrow(seeded_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A service with two query slots and room for three waiting queries."""
    copy = tmp_path_factory.mktemp("narrow") / "store"
    shutil.copytree(seeded_store_dir, copy)
    running = Server(copy, env={"SYNERGRAPH_QUERY_WORKERS": "2", "SYNERGRAPH_QUERY_QUEUE": "3"})
    yield running
    running.stop()
    running.assert_no_server_errors()


class Listener:
    """A plain TCP listener on loopback that records every connection made to it."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.contacted: list[object] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                connection, peer = self.socket.accept()
            except OSError:
                continue
            self.contacted.append(peer)
            connection.close()

    def close(self) -> None:
        time.sleep(0.3)
        self._stop.set()
        self._thread.join()
        self.socket.close()


def test_a_runaway_query_is_cut_at_the_limit_it_asked_for(server: Server) -> None:
    started = time.monotonic()
    response = httpx.get(server.url + "/sparql", params={"query": RUNAWAY, "timeout": "2"}, timeout=30)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    problem = response.json()
    assert problem["timeout_seconds"] == 2 and "2 s" in problem["detail"] and "Zeitlimit" in problem["detail"]
    assert "results" not in problem
    assert 2 <= elapsed < 5


def test_a_request_cannot_raise_the_deployments_limit(server: Server) -> None:
    response = httpx.get(server.url + "/sparql", params={"query": "ASK {}", "timeout": "100000"})
    assert response.status_code == 200
    assert httpx.get(server.url + "/sparql", params={"query": "ASK {}", "timeout": "-1"}).status_code == 400


def test_ask_answers_while_ten_runaways_run(server: Server) -> None:
    """Ten queries that would run for ever hold their workers until their 20 s deadline; meanwhile
    ``ASK {}`` is answered each time, before any runaway has ended: nothing waits for them. (How fast:
    ``bench/runaways.py`` prints the latency against an idle service.)"""
    def runaway() -> tuple[int, float]:
        started = time.monotonic()
        response = httpx.get(server.url + "/sparql", params={"query": RUNAWAY, "timeout": "20"}, timeout=60)
        return response.status_code, time.monotonic() - started

    with ThreadPoolExecutor(10) as pool:
        futures = [pool.submit(runaway) for _ in range(10)]
        time.sleep(1.5)  # the runaways have their workers
        for _ in range(5):
            response = httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=10)
            assert response.status_code == 200 and response.json()["boolean"] is True
            assert not any(f.done() for f in futures), "a runaway ended before the ASK was answered"
            time.sleep(0.5)
        results = [f.result() for f in futures]
    assert [status for status, _ in results] == [503] * 10
    assert all(19.5 < elapsed < 25 for _, elapsed in results), results
    metrics = httpx.get(server.url + "/metrics").text
    assert "synergraph_query_timeouts_total" in metrics


def test_queries_beyond_the_free_slots_wait_their_turn_and_a_full_queue_is_busy(narrow: Server) -> None:
    def ask(query: str, timeout: str) -> httpx.Response:
        return httpx.get(narrow.url + "/sparql", params={"query": query, "timeout": timeout}, timeout=30)

    with ThreadPoolExecutor(8) as pool:
        runaways = [pool.submit(ask, RUNAWAY, "4") for _ in range(2)]
        time.sleep(0.5)  # both slots are taken
        impatient = ask("ASK {}", "0.5")
        assert impatient.status_code == 503 and "beim Warten" in impatient.json()["detail"]
        waiting = [pool.submit(ask, "ASK {}", "10") for _ in range(3)]
        time.sleep(0.5)  # three queries wait
        refused = ask("ASK {}", "10")
        assert refused.status_code == 503 and "warten bereits" in refused.json()["detail"]
        assert refused.headers["retry-after"]
        assert [f.result().status_code for f in runaways] == [503, 503]
        answers = [f.result() for f in waiting]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all(a.json()["boolean"] is True for a in answers)


def test_an_oversized_result_is_an_error_never_a_truncation(guarded: Server) -> None:
    response = httpx.get(guarded.url + "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert response.status_code == 413
    assert str(RESULT_CAP) in response.json()["detail"] and "LIMIT" in response.json()["detail"]
    small = httpx.get(guarded.url + "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5"})
    assert small.status_code == 200


def test_nothing_reaches_another_host(guarded: Server) -> None:
    listener = Listener()
    url = guarded.url + "/sparql"
    target = listener.url
    try:
        for query in (f"SELECT * WHERE {{ SERVICE <{target}/sparql> {{ ?s ?p ?o }} }}",
                      f"select * where {{ service silent <{target}/x> {{ ?s ?p ?o }} }}",
                      f"SELECT * WHERE {{ ?x ?y ?z FILTER(\"\\u0022\") SERVICE <{target}/y> {{ ?s ?p ?o }} }}"):
            refused = httpx.get(url, params={"query": query})
            assert refused.status_code == 400 and "SERVICE" in refused.json()["detail"], query
        from_url = httpx.get(url, params={"query": f"SELECT * FROM <{target}/data.ttl> WHERE {{ ?s ?p ?o }}"})
        assert from_url.status_code == 200 and from_url.json()["results"]["bindings"] == []
        named = httpx.get(url, params={
            "query": f"SELECT * FROM NAMED <{target}/g.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"})
        assert named.status_code == 200 and named.json()["results"]["bindings"] == []
        parameter = httpx.get(url, params={"query": "SELECT * WHERE { ?s ?p ?o }",
                                           "default-graph-uri": target + "/d", "named-graph-uri": target + "/n"})
        assert parameter.status_code == 200 and parameter.json()["results"]["bindings"] == []
        auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
        load = httpx.post(url, content=f"LOAD <{target}/x.ttl>", headers=auth)
        assert load.status_code == 400 and "LOAD" in load.json()["detail"]
        silent = httpx.post(url, content=f"LOAD SILENT <{target}/x.ttl> INTO GRAPH <{target}/g>", headers=auth)
        assert silent.status_code == 200
        federated = httpx.post(url, content=f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{target}/s> {{ ?s ?p ?o }} }}",
                               headers=auth)
        assert federated.status_code == 400
    finally:
        listener.close()
    assert listener.contacted == []


def test_queries_come_from_any_origin_without_credentials(server: Server) -> None:
    response = httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    preflight = httpx.options(server.url + "/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200


def test_writes_are_never_granted_cross_origin(guarded: Server) -> None:
    origin = {"Origin": "https://example.org"}
    for method, headers in (("PUT", "content-type"), ("DELETE", ""), ("POST", "authorization,content-type")):
        preflight = httpx.options(guarded.url + "/rdf-graph-store", params={"graph": "https://example.org/g"},
                                  headers={**origin, "Access-Control-Request-Method": method,
                                           "Access-Control-Request-Headers": headers})
        allowed = preflight.headers.get("access-control-allow-methods", "")
        granted = preflight.status_code == 200 and method in allowed and (
            "authorization" not in headers or "authorization" in preflight.headers.get(
                "access-control-allow-headers", "").lower())
        assert not granted, (method, preflight.status_code, preflight.headers)
    write = httpx.post(guarded.url + "/sparql", content="CLEAR SILENT GRAPH <https://example.org/g>",
                       headers={**origin, "Authorization": f"Bearer {TOKEN}",
                                "Content-Type": "application/sparql-update"})
    assert write.status_code == 403 and "Ursprüngen" in write.json()["detail"]
    same = httpx.post(guarded.url + "/sparql", content="CLEAR SILENT GRAPH <https://example.org/g>",
                      headers={"Origin": guarded.url, "Authorization": f"Bearer {TOKEN}",
                               "Content-Type": "application/sparql-update"})
    assert same.status_code == 200


def test_a_malformed_query_is_a_400_with_line_and_column(server: Server) -> None:
    response = httpx.get(server.url + "/sparql", params={"query": "SELECT ?x WHERE {\n  ?x sg:ags "})
    assert response.status_code == 400
    body = response.json()
    assert (body["line"], body["column"]) == (2, 13)
    assert "Zeile 2, Spalte 13" in body["detail"] and body["title"]


def test_bad_requests_get_clear_4xx(server: Server) -> None:
    url = server.url + "/sparql"
    assert httpx.get(url, params={"query": "ASK {}"}, headers={"Accept": "image/png"}).status_code == 406
    assert httpx.get(url, params={"query": "ASK {}", "format": "png"}).status_code == 400
    assert httpx.post(url, content="ASK {}", headers={"Content-Type": "text/plain"}).status_code == 415
    declared = httpx.post(url, content=b"#" * (11 * 1024 * 1024), headers={"Content-Type": "application/sparql-query"})
    assert declared.status_code == 413

    def chunks() -> Iterator[bytes]:
        for _ in range(11):
            yield b"#" * (1024 * 1024)

    streamed = httpx.post(url, content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert streamed.status_code == 413
    assert httpx.post(url, data={"query": "ASK {}", "update": "CLEAR ALL"}).status_code == 400
    assert httpx.get(url, params={"update": "CLEAR ALL"}).status_code == 400
    assert httpx.post(url, data={"other": "x"}).status_code == 400
    metrics = httpx.get(server.url + "/metrics").text
    assert 'synergraph_refusals_total{reason="size"}' in metrics
    assert 'synergraph_requests_total{method="GET",route="/sparql",status="406"}' in metrics


def test_a_query_cancelled_while_its_worker_starts_leaves_nothing_behind(fresh_store_dir: Path) -> None:
    """A client goes away while the pool starts a process for its query: once up, the process goes back to
    the pool (here, with no idle workers wanted, it is stopped) and lets go of its store snapshot, so the
    snapshot is removed at the next refresh instead of staying on disk until the service ends."""
    pool = QueryPool(Store(fresh_store_dir), max_queries=2, idle_workers=0)
    snapshots = fresh_store_dir.parent / (fresh_store_dir.name + ".snapshots")
    job = QueryJob("ASK {}", prefixes=dict(PREFIXES))

    async def cancelled_early() -> int:
        task = asyncio.ensure_future(pool.run(job, 30))
        await asyncio.sleep(0.05)  # the worker process is still starting, on the first snapshot
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        pool.refresh()  # a write: new queries read a new snapshot, the first one goes when unused
        for _ in range(300):  # the service's event loop runs on; so does this one for up to 30 s
            if len(list(snapshots.iterdir())) == 1:
                break
            await asyncio.sleep(0.1)
        return len(list(snapshots.iterdir()))

    try:
        assert asyncio.run(cancelled_early()) == 1  # only the new snapshot is left
        assert asyncio.run(pool.run(job, 30)).body  # the pool still answers
    finally:
        pool.close()


def test_a_worker_reads_each_query_with_its_own_prefixes(fresh_store_dir: Path) -> None:
    """Prefixes go to a worker only when they change; one worker answers queries with different prefixes in turn."""
    pool = QueryPool(Store(fresh_store_dir), max_queries=1, idle_workers=1)
    first, second = {"ex": "https://example.org/a/"}, {"ex": "https://example.org/b/"}
    query = "SELECT ?x WHERE { BIND(ex:x AS ?x) }"

    async def answers() -> list[str]:
        found = []
        for prefixes in (first, first, second, first, dict(first)):
            result = await pool.run(QueryJob(query, [("text/csv", 1.0)], prefixes=prefixes), 30)
            found.append(result.body.decode().split()[1])
        return found

    try:
        assert asyncio.run(answers()) == ["https://example.org/a/x", "https://example.org/a/x",
                                          "https://example.org/b/x", "https://example.org/a/x",
                                          "https://example.org/a/x"]
    finally:
        pool.close()


def test_a_worker_that_cannot_open_its_snapshot_is_not_started_and_breaks_nothing(fresh_store_dir: Path) -> None:
    """As when the service stops while the pool starts a worker: the snapshot is gone, the worker ends at
    once with a one-line message, and the pool carries on without it (no exception in its thread)."""
    pool = QueryPool(Store(fresh_store_dir), max_queries=2, idle_workers=0)
    try:
        shutil.rmtree(fresh_store_dir.parent / (fresh_store_dir.name + ".snapshots"))
        pool.idle_workers = 1
        pool.fill()
        assert pool.idle == 0
    finally:
        pool.close()
