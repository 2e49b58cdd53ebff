"""An analyst points SPARQL clients at /sparql and gets correct answers in every standard format."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
from conftest import Server
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, N3, TSV, TURTLE, XML, SPARQLWrapper

COUNT = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { ?g a sg:Municipality }"


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


@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_reads_select_results_in_each_format(server: Server, return_format: str) -> None:
    client = SPARQLWrapper(server.url + "/sparql", returnFormat=return_format)
    client.setQuery("PREFIX sg: <https://w3id.org/synergraph/def/> " + COUNT)
    converted = client.query().convert()
    if return_format == JSON:
        assert converted["results"]["bindings"][0]["n"]["value"] == "417"
    elif return_format == XML:
        assert [n.firstChild.data for n in converted.getElementsByTagName("literal")] == ["417"]
    else:
        assert converted.decode().splitlines()[1].strip() == "417"


def test_sparqlwrapper_reads_a_construct_as_a_graph(server: Server) -> None:
    client = SPARQLWrapper(server.url + "/sparql", returnFormat=TURTLE)
    client.setQuery("PREFIX sg: <https://w3id.org/synergraph/def/> "
                    "CONSTRUCT { ?g sg:ags ?ags } WHERE { ?g sg:ags '12060024' ; sg:ags ?ags }")
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert {(str(s), str(o)) for s, o in graph.subject_objects()} == {
        ("https://w3id.org/synergraph/id/territory/12060024", "12060024")}
    assert N3  # the wrapper's other graph format names are importable too


@pytest.mark.parametrize("short, media", [("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
                                          ("xml", "application/sparql-results+xml")])
def test_a_browser_chooses_the_format_with_a_parameter(server: Server, short: str, media: str) -> None:
    response = httpx.get(server.url + "/sparql", params={"query": COUNT, "format": short},
                         headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)


@pytest.mark.parametrize("media", ["application/n-quads", "application/trig"])
def test_construct_as_quads(server: Server, media: str) -> None:
    query = "CONSTRUCT { ?g sg:ags ?ags } WHERE { ?g sg:ags '12060024' ; sg:ags ?ags }"
    response = httpx.get(server.url + "/sparql", params={"query": query}, headers={"Accept": media})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    from rdflib import Dataset

    dataset = Dataset().parse(data=response.text, format="nquads" if "quads" in media else "trig")
    assert len(dataset) == 1


def test_without_accept_results_are_json_and_graphs_turtle(server: Server) -> None:
    url = server.url + "/sparql"
    table = httpx.get(url, params={"query": "ASK {}"}, headers={"Accept": "*/*"})
    assert table.headers["content-type"].startswith("application/sparql-results+json")
    graph = httpx.get(url, params={"query": "CONSTRUCT WHERE { ?s sg:ags '12060024' }"}, headers={"Accept": ""})
    assert graph.headers["content-type"].startswith("text/turtle")
    assert len(Graph().parse(data=graph.text, format="turtle")) == 1


def test_named_graph_uri_names_the_graphs_of_the_dataset(server: Server) -> None:
    examples = "https://w3id.org/synergraph/graph/beispiele"
    response = httpx.get(server.url + "/sparql", params={
        "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": examples})
    assert [b["g"]["value"] for b in response.json()["results"]["bindings"]] == [examples]


def test_the_service_description_counts_each_named_graph(server: Server) -> None:
    response = httpx.get(server.url + "/sparql", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/ld+json")
    description = Graph().parse(data=response.text, format="json-ld")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    sizes = {}
    for named in description.objects(None, URIRef(sd + "namedGraph")):
        name = description.value(named, URIRef(sd + "name"))
        sizes[str(name)] = int(description.value(description.value(named, URIRef(sd + "graph")),
                                                 URIRef("http://rdfs.org/ns/void#triples")))
    health = {g["iri"]: g["triples"] for g in httpx.get(server.url + "/health").json()["graphs"]}
    assert sizes == health
    assert (None, URIRef(sd + "feature"), URIRef(sd + "UnionDefaultGraph")) in description
    assert (None, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Update")) not in description


def test_the_openapi_document_describes_the_sparql_protocol(server: Server) -> None:
    """A client generated from the OpenAPI document knows how to send a query and an update."""
    paths = httpx.get(server.url + "/openapi.json").json()["paths"]
    assert {name["name"] for name in paths["/sparql"]["get"]["parameters"]} >= {"query", "default-graph-uri",
                                                                                "named-graph-uri", "timeout"}
    for operation in (paths["/sparql"]["post"], paths["/sparql/update"]["post"]):
        assert set(operation["requestBody"]["content"]) == {"application/sparql-query", "application/sparql-update",
                                                            "application/x-www-form-urlencoded"}
        assert {"200", "400", "401", "403", "415", "503"} <= set(operation["responses"])


def test_the_update_endpoint_takes_no_query_by_get(server: Server) -> None:
    response = httpx.get(server.url + "/sparql/update", params={"query": COUNT})
    assert response.status_code == 405


def test_a_function_the_engine_does_not_know_evaluates_to_an_error(server: Server) -> None:
    """As SPARQL 1.1 has it: the call is an error, so the value is unbound and a FILTER on it is false; the
    query still answers, and the answer names the function."""
    url = server.url + "/sparql"
    selected = httpx.get(url, params={"query": "SELECT (<https://example.org/f/ähnlich>(1) AS ?v) ?z {}"})
    assert selected.status_code == 200, selected.text
    assert selected.json()["results"]["bindings"] == [{}]
    assert selected.headers["X-Unknown-Functions"] == "<https://example.org/f/%C3%A4hnlich>"
    filtered = httpx.get(url, params={"query": "SELECT ?x { VALUES ?x { 1 2 } FILTER(<https://example.org/g>(?x)) }"})
    assert filtered.status_code == 200 and filtered.json()["results"]["bindings"] == []
    plain = httpx.get(url, params={"query": COUNT})
    assert "X-Unknown-Functions" not in plain.headers
