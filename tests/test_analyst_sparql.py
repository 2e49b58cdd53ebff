"""An analyst points SPARQL clients at /sparql and gets correct answers in every standard format."""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from conftest import Server
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore

COUNT = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { ?g a sg:Municipality }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _count(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_query_by_get_post_form_and_post_body_agree(server: Server) -> None:
    url = server.url + "/sparql"
    by_get = _count(httpx.get(url, params={"query": COUNT}))
    by_form = _count(httpx.post(url, data={"query": COUNT}))
    by_body = _count(httpx.post(url, content=COUNT, headers={"Content-Type": "application/sparql-query"}))
    assert by_get == by_form == by_body == 417


@pytest.mark.parametrize("accept, check", [
    ("application/sparql-results+xml", lambda body: "<sparql" in body and ">417<" in body),
    ("text/csv", lambda body: list(csv.reader(io.StringIO(body))) == [["n"], ["417"]]),
    ("text/tab-separated-values", lambda body: body.splitlines()[0] == "?n" and "417" in body.splitlines()[1]),
    ("application/sparql-results+json", lambda body: json.loads(body)["head"]["vars"] == ["n"]),
])
def test_select_in_each_result_format(server: Server, accept: str, check) -> None:  # type: ignore[no-untyped-def]
    response = httpx.get(server.url + "/sparql", params={"query": COUNT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert check(response.text), response.text


@pytest.mark.parametrize("accept, rdflib_format", [
    ("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/n-triples", "nt"),
    ("application/rdf+xml", "xml"),
])
def test_construct_in_each_graph_format(server: Server, accept: str, rdflib_format: str) -> None:
    query = "CONSTRUCT { ?g sg:ags ?ags ; sg:within ?amt } WHERE { ?g sg:ags '12060024' ; sg:ags ?ags ; sg:within ?amt }"
    response = httpx.get(server.url + "/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    graph = Graph().parse(data=response.text, format=rdflib_format)
    biesenthal = URIRef("https://w3id.org/synergraph/id/territory/12060024")
    within = {str(o) for o in graph.objects(biesenthal, URIRef("https://w3id.org/synergraph/def/within"))}
    assert within == {"https://w3id.org/synergraph/id/territory/120605003",
                      "https://w3id.org/synergraph/id/territory/12060"}


def test_rdflib_sparqlstore_queries_the_service(server: Server) -> None:
    graph = Graph(store=SPARQLStore(server.url + "/sparql", returnFormat="json"))
    rows = list(graph.query("SELECT ?label WHERE { ?g <https://w3id.org/synergraph/def/ags> '12060024' ; "
                            "<http://www.w3.org/2000/01/rdf-schema#label> ?label }"))
    assert [str(r[0]) for r in rows] == ["Biesenthal, Stadt"]


def test_default_graph_uri_restricts_the_dataset(server: Server) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a sg:Initiative }"
    everything = _count(httpx.get(server.url + "/sparql", params={"query": query.replace("sg:Initiative", "?t")}))
    examples = _count(httpx.get(server.url + "/sparql", params={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "default-graph-uri": "https://w3id.org/synergraph/graph/beispiele"}))
    health = httpx.get(server.url + "/health").json()
    sizes = {g["iri"]: g["triples"] for g in health["graphs"]}
    assert examples == sizes["https://w3id.org/synergraph/graph/beispiele"] < everything


def test_without_a_query_the_service_describes_itself(server: Server) -> None:
    response = httpx.get(server.url + "/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    description = Graph().parse(data=response.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (None, URIRef(sd + "endpoint"), URIRef(server.url + "/sparql")) in description
    names = {str(o) for o in description.objects(None, URIRef(sd + "name"))}
    assert "https://w3id.org/synergraph/graph/destatis-gv-auszug-2020-12-31" in names


def test_a_malformed_query_is_a_400_with_line_and_column(server: Server) -> None:
    response = httpx.get(server.url + "/sparql", params={"query": "SELECT ?x WHERE {\n  ?x sg:ags "})
    assert response.status_code == 400
    body = response.json()
    assert (body["line"], body["column"]) == (2, 13)
    assert "Zeile 2, Spalte 13" in body["detail"]


def test_bad_requests_get_clear_4xx(server: Server) -> None:
    url = server.url + "/sparql"
    assert httpx.get(url, params={"query": COUNT}, headers={"Accept": "image/png"}).status_code == 406
    assert httpx.post(url, content="x", headers={"Content-Type": "text/plain"}).status_code == 415
    too_large = httpx.post(url, content=b"#" * (11 * 1024 * 1024),
                           headers={"Content-Type": "application/sparql-query"})
    assert too_large.status_code == 413
    both = httpx.post(url, data={"query": COUNT, "update": "CLEAR ALL"})
    assert both.status_code == 400
    update = httpx.post(url, content="CLEAR ALL", headers={"Content-Type": "application/sparql-update"})
    assert update.status_code == 403 and "nur lesbar" in update.text.lower()
    assert _count(httpx.get(url, params={"query": COUNT})) == 417


def test_a_runaway_query_is_cut_at_its_limit_with_a_503(server: Server) -> None:
    started = time.monotonic()
    response = httpx.get(server.url + "/sparql", params={"query": RUNAWAY, "timeout": "2"}, timeout=30)
    assert response.status_code == 503
    assert response.json()["timeout_seconds"] == 2
    assert "2 s" in response.json()["detail"]
    assert time.monotonic() - started < 6


def test_ask_answers_within_a_second_while_ten_runaways_run(server: Server) -> None:
    def runaway() -> int:
        return httpx.get(server.url + "/sparql", params={"query": RUNAWAY, "timeout": "6"}, timeout=30).status_code

    with ThreadPoolExecutor(10) as pool:
        futures = [pool.submit(runaway) for _ in range(10)]
        time.sleep(2.0)
        latencies = []
        for _ in range(3):
            started = time.monotonic()
            response = httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=10)
            latencies.append(time.monotonic() - started)
            assert response.json()["boolean"] is True
        statuses = [f.result() for f in futures]
    assert max(latencies) < 1.0, latencies
    assert statuses == [503] * 10


def test_queries_never_reach_other_hosts(server: Server) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    contacted: list[object] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            try:
                contacted.append(listener.accept())
            except OSError:
                continue

    watcher = threading.Thread(target=watch)
    watcher.start()
    target = f"http://127.0.0.1:{port}"
    try:
        url = server.url + "/sparql"
        service = httpx.get(url, params={"query": f"SELECT * WHERE {{ SERVICE <{target}/sparql> {{ ?s ?p ?o }} }}"})
        assert service.status_code == 400 and "SERVICE" in service.json()["detail"]
        silent = httpx.get(url, params={"query": f"SELECT * WHERE {{ SERVICE SILENT <{target}/x> {{ ?s ?p ?o }} }}"})
        assert silent.status_code == 400
        from_url = httpx.get(url, params={"query": f"SELECT * FROM <{target}/data.ttl> WHERE {{ ?s ?p ?o }}"})
        assert from_url.status_code == 200 and from_url.json()["results"]["bindings"] == []
        named = httpx.get(url, params={"query": f"SELECT * FROM NAMED <{target}/g.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"})
        assert named.status_code == 200 and named.json()["results"]["bindings"] == []
        parameter = httpx.get(url, params={"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": target + "/d"})
        assert parameter.status_code == 200 and parameter.json()["results"]["bindings"] == []
        time.sleep(0.5)
    finally:
        stop.set()
        watcher.join()
        listener.close()
    assert contacted == []


def test_queries_are_allowed_from_any_origin_without_credentials(server: Server) -> None:
    response = httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


def test_void_lists_every_named_graph_with_its_size_and_sources(server: Server) -> None:
    response = httpx.get(server.url + "/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    void = Graph().parse(data=response.text, format="turtle")
    ns = "http://rdfs.org/ns/void#"
    sizes = {str(s): int(o) for s, o in void.subject_objects(URIRef(ns + "triples"))}
    health = {g["iri"]: g["triples"] for g in httpx.get(server.url + "/health").json()["graphs"]}
    loaded = {iri: n for iri, n in health.items() if iri in sizes}
    assert "https://w3id.org/synergraph/graph/smart-city-manager-2024" in loaded
    assert all(sizes[iri] == n for iri, n in loaded.items())
    sources = {str(o) for o in void.objects(URIRef("https://w3id.org/synergraph/graph/smart-city-manager-2024"),
                                           URIRef("http://purl.org/dc/terms/source"))}
    assert sources == {"https://w3id.org/synergraph/id/source/2024-06-18-smart-city-manager-bundesweiter-rollout"}
