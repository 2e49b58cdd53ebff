"""A data steward with a token changes the graph over SPARQL; everyone else cannot, and every change is recorded."""

from __future__ import annotations

import hashlib
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import Server
from rdflib import Graph, URIRef

TOKEN = "geheimes-test-token"
HISTORY = "https://w3id.org/synergraph/graph/history"
GRAPH = "https://w3id.org/synergraph/graph/notizen"


@pytest.fixture(scope="module")
def writable(seeded_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    copy = tmp_path_factory.mktemp("writable") / "store"
    shutil.copytree(seeded_store_dir, copy)
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    running = Server(copy, env={"SYNERGRAPH_TOKENS": f"redaktion=sha256:{digest}"})
    yield running
    running.stop()
    running.assert_no_server_errors()


def _update(server: Server, text: str, token: str | None = TOKEN, **headers: str) -> httpx.Response:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(server.url + "/sparql", content=text,
                      headers={"Content-Type": "application/sparql-update", **headers})


def _ask(server: Server, query: str) -> bool:
    return bool(httpx.get(server.url + "/sparql", params={"query": query}).json()["boolean"])


def test_an_update_needs_the_right_token(writable: Server) -> None:
    insert = f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <https://w3id.org/synergraph/id/test/a> rdfs:label "A"@de }} }}'
    missing = _update(writable, insert, token=None)
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    assert _update(writable, insert, token="falsch").status_code == 403
    assert not _ask(writable, 'ASK { ?s rdfs:label "A"@de }')
    accepted = _update(writable, insert)
    assert accepted.status_code == 200
    assert _ask(writable, 'ASK { ?s rdfs:label "A"@de }')
    activity = accepted.json()["activity"]
    assert _ask(writable, f"ASK {{ GRAPH <{HISTORY}> {{ <{activity}> a prov:Activity ; prov:startedAtTime ?s ; "
                          "prov:endedAtTime ?e ; prov:wasAssociatedWith ?agent . ?agent a prov:Agent } }")


def test_every_accepted_update_is_recorded_with_the_token_name(writable: Server) -> None:
    assert _update(writable, f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <https://w3id.org/synergraph/id/test/b> "
                             f"rdfs:label \"B\"@de }} }} # Kommentar am Ende").status_code == 200
    rows = httpx.get(writable.url + "/sparql", params={"query": (
        f"SELECT ?op WHERE {{ GRAPH <{HISTORY}> {{ ?a a prov:Activity ; sg:operation ?op ; "
        "prov:wasAssociatedWith <https://w3id.org/synergraph/id/agent/redaktion> ; prov:endedAtTime ?t } }")})
    operations = [r["op"]["value"] for r in rows.json()["results"]["bindings"]]
    assert any('"B"@de' in op for op in operations)


def test_relative_iris_resolve_against_base_and_the_history_names_the_resolved_graph(writable: Server) -> None:
    accepted = _update(writable, "BASE <https://example.org/notizen/> INSERT DATA { GRAPH <relativ> { <s> <p> <o> } }")
    assert accepted.status_code == 200, accepted.text
    assert _ask(writable, "ASK { GRAPH <https://example.org/notizen/relativ> { "
                          "<https://example.org/notizen/s> <https://example.org/notizen/p> ?o } }")
    activity = accepted.json()["activity"]
    assert _ask(writable, f"ASK {{ GRAPH <{HISTORY}> {{ <{activity}> prov:used <https://example.org/notizen/relativ> }} }}")
    without_base = _update(writable, "INSERT DATA { GRAPH <https://example.org/notizen/g> { <s> <p> <o> } }")
    assert without_base.status_code == 200, "a relative IRI without BASE resolves against the endpoint's URL"
    assert _ask(writable, f"ASK {{ GRAPH <https://example.org/notizen/g> {{ <{writable.url}/s> ?p ?o }} }}")


def test_the_protocol_dataset_becomes_using_and_conflicts_with_with(writable: Server) -> None:
    setup = ("INSERT DATA { GRAPH <https://example.org/quelle> { <https://example.org/x> a <https://example.org/T> } }")
    assert _update(writable, setup).status_code == 200
    copy = ("INSERT { GRAPH <https://example.org/ziel> { ?s a <https://example.org/Kopie> } } "
            "WHERE { ?s a <https://example.org/T> }")
    response = httpx.post(writable.url + "/sparql", params={"using-graph-uri": "https://example.org/quelle"},
                          content=copy, headers={"Content-Type": "application/sparql-update",
                                                 "Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert _ask(writable, "ASK { GRAPH <https://example.org/ziel> { <https://example.org/x> a <https://example.org/Kopie> } }")
    conflict = httpx.post(writable.url + "/sparql", params={"using-graph-uri": "https://example.org/quelle"},
                          content="WITH <https://example.org/ziel> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
                          headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert conflict.status_code == 400
    assert _ask(writable, "ASK { GRAPH <https://example.org/ziel> { ?s ?p ?o } }")


def test_two_queries_or_two_updates_in_one_request_are_refused(writable: Server) -> None:
    assert httpx.get(writable.url + "/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D").status_code == 400
    twice = httpx.post(writable.url + "/sparql", data={"update": ["CLEAR SILENT GRAPH <https://example.org/ziel>"] * 2},
                       headers={"Authorization": f"Bearer {TOKEN}"})
    assert twice.status_code == 400
    assert _ask(writable, "ASK { GRAPH <https://example.org/ziel> { ?s ?p ?o } }")


def test_updates_never_cross_origins(writable: Server) -> None:
    response = _update(writable, "CLEAR SILENT GRAPH <https://w3id.org/synergraph/graph/notizen>",
                       Origin="https://elsewhere.example")
    assert response.status_code == 403
    assert _ask(writable, 'ASK { ?s rdfs:label "A"@de }')


def test_a_malformed_update_names_line_and_column(writable: Server) -> None:
    response = _update(writable, "INSERT DATA {\n <a:x> }")
    assert response.status_code == 400
    assert response.json()["line"] == 2


def test_load_copies_a_store_graph_and_never_fetches_a_url(writable: Server) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(1.0)
    port = listener.getsockname()[1]
    contacted: list[object] = []

    def watch() -> None:
        try:
            contacted.append(listener.accept())
        except OSError:
            pass

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        remote = _update(writable, f"LOAD <http://127.0.0.1:{port}/daten.ttl> INTO GRAPH <{GRAPH}-kopie>")
        assert remote.status_code == 400
        copied = _update(writable, f"LOAD <{GRAPH}> INTO GRAPH <{GRAPH}-kopie>")
        assert copied.status_code == 200
    finally:
        watcher.join()
        listener.close()
    assert contacted == []
    assert _ask(writable, f'ASK {{ GRAPH <{GRAPH}-kopie> {{ ?s rdfs:label "A"@de }} }}')


def test_graph_store_protocol_round_trip(writable: Server) -> None:
    url = writable.url + "/rdf-graph-store"
    iri = "https://w3id.org/synergraph/graph/gsp-test"
    turtle = '<https://w3id.org/synergraph/id/test/c> <http://www.w3.org/2000/01/rdf-schema#label> "C"@de .'
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
    assert httpx.put(url, params={"graph": iri}, content=turtle, headers={"Content-Type": "text/turtle"}).status_code == 401
    assert httpx.put(url, params={"graph": iri}, content=turtle, headers=auth).status_code == 201
    more = '<https://w3id.org/synergraph/id/test/d> <http://www.w3.org/2000/01/rdf-schema#label> "D"@de .'
    assert httpx.post(url, params={"graph": iri}, content=more, headers=auth).status_code == 204
    assert httpx.post(url, params={"graph": iri}, content=more, headers={**auth, "Content-Type": "image/png"}
                      ).status_code == 415
    read = httpx.get(url, params={"graph": iri}, headers={"Accept": "text/turtle"})
    assert read.status_code == 200
    graph = Graph().parse(data=read.text, format="turtle")
    assert {str(o) for o in graph.objects(None, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))} == {"C", "D"}
    assert httpx.put(url, params={"graph": iri}, content=more, headers=auth).status_code == 204
    assert len(Graph().parse(data=httpx.get(url, params={"graph": iri}).text, format="turtle")) == 1
    assert httpx.put(url, params={"graph": iri}, content="kaputt", headers=auth).status_code == 400
    assert httpx.request("DELETE", url, params={"graph": iri}, headers=auth).status_code == 204
    assert httpx.get(url, params={"graph": iri}).status_code == 404
    assert httpx.head(url, params={"graph": GRAPH}).status_code == 200
    puts = httpx.get(writable.url + "/sparql", params={"query": (
        f"SELECT ?op WHERE {{ GRAPH <{HISTORY}> {{ ?a sg:operation ?op ; prov:used <{iri}> }} }}")}).json()
    assert sorted(b["op"]["value"].split()[0] for b in puts["results"]["bindings"]) == [
        "DELETE", "POST", "PUT", "PUT"]


def test_metrics_count_requests_and_refusals(writable: Server) -> None:
    _update(writable, "CLEAR ALL", token="falsch")
    text = httpx.get(writable.url + "/metrics").text
    assert 'synergraph_requests_total{method="POST",route="/sparql",status="403"}' in text
    assert 'synergraph_refusals_total{reason="token"}' in text


def test_an_update_by_form_with_a_token_from_the_tokens_file(seeded_store_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "store"
    shutil.copytree(seeded_store_dir, copy)
    tokens = tmp_path / "tokens.toml"
    digest = hashlib.sha256(b"datei-token").hexdigest()
    tokens.write_text(f'[tokens]\npflege = "sha256:{digest}"\n', encoding="utf-8")
    running = Server(copy, env={"SYNERGRAPH_TOKENS_FILE": str(tokens)})
    try:
        response = httpx.post(running.url + "/sparql/update", headers={"Authorization": "Bearer datei-token"},
                              data={"update": f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:x:a> <urn:x:p> 1 }} }}"})
        assert response.status_code == 200, response.text
        description = httpx.get(running.url + "/sparql", headers={"Accept": "text/turtle"}).text
        assert "SPARQL11Update" in description
        assert _ask(running, f"ASK {{ GRAPH <{HISTORY}> {{ ?a prov:wasAssociatedWith "
                             "<https://w3id.org/synergraph/id/agent/pflege> } }")
    finally:
        running.stop()


def test_a_service_without_tokens_refuses_every_write(server: Server) -> None:
    update = httpx.post(server.url + "/sparql", content="CLEAR ALL",
                        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer x"})
    assert update.status_code == 403 and "nur lesbar" in update.json()["detail"]
    put = httpx.put(server.url + "/rdf-graph-store", params={"graph": GRAPH}, content="",
                    headers={"Content-Type": "text/turtle"})
    assert put.status_code == 403
    assert _ask(server, "ASK { ?s a sg:Municipality }")
