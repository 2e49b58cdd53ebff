"""Story: every IRI of Synergraph has a page on the service, for people (HTML) and programs (RDF)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from conftest import Server, cli
from rdflib import RDFS, Graph, Literal, Namespace, URIRef
from synergraph.graph.resources import INCOMING_LIMIT, describe
from synergraph.graph.store import Store

SG = Namespace("https://w3id.org/synergraph/def/")
BIESENTHAL = "https://w3id.org/synergraph/id/territory/12060024"


def get(server: Server, path: str, **kwargs: object) -> httpx.Response:
    return httpx.get(server.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]


def test_biesenthal_page_shows_name_amt_and_incoming_links(server: Server) -> None:
    response = get(server, "/id/territory/12060024", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "<h1>Biesenthal" in html
    assert re.search(r'<a href="/id/territory/120605003">Amt Biesenthal-Barnim</a>', html)
    incoming = html.split('id="eingehend"', 1)[1].split("</section>", 1)[0]
    assert '<a href="/id/containment/12060024-120605003">' in incoming
    assert "Amtlicher Gemeindeschlüssel" in html  # the property's German label from the ontology
    assert "/quellen/sources/destatis-gv-auszug-2020-12-31.csv" in html
    assert "/query?query=DESCRIBE%20%3Chttps%3A%2F%2Fw3id.org%2Fsynergraph%2Fid%2Fterritory%2F12060024%3E" in html


def test_security_headers_on_pages(server: Server) -> None:
    for path in ("/", "/id/territory/12060024", "/def/", "/id/territory/gibt-es-nicht"):
        policy = get(server, path).headers.get("content-security-policy", "")
        assert "default-src 'self'" in policy and "script-src 'self'" in policy, path
        assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]


@pytest.mark.parametrize("accept, fmt, rdflib_format", [
    ("text/turtle", None, "turtle"),
    ("application/ld+json", None, "json-ld"),
    (None, "nt", "nt"),
    (None, "ttl", "turtle"),
])
def test_rdf_by_content_negotiation(server: Server, accept: str | None, fmt: str | None,
                                    rdflib_format: str) -> None:
    headers = {"Accept": accept} if accept else {}
    params = {"format": fmt} if fmt else {}
    response = get(server, "/id/territory/12060024", headers=headers, params=params)
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format=rdflib_format)
    assert (URIRef(BIESENTHAL), SG.ags, Literal("12060024")) in graph
    assert (URIRef(BIESENTHAL), SG.within, URIRef("https://w3id.org/synergraph/id/territory/120605003")) in graph
    if rdflib_format == "json-ld":
        json.loads(response.text)


def test_unknown_iri_is_404_in_german(server: Server) -> None:
    response = get(server, "/id/territory/gibt-es-nicht")
    assert response.status_code == 404
    assert "Nicht gefunden" in response.text and "keine Angaben" in response.text
    assert get(server, "/id/territory/gibt-es-nicht", headers={"Accept": "text/turtle"}).status_code == 404


def test_vocabulary_lists_classes_and_properties(server: Server) -> None:
    html = get(server, "/def/").text
    assert "Klassen" in html and "Eigenschaften" in html
    assert '<a href="/def/Responsibility">' in html and '<a href="/def/within">' in html
    term = get(server, "/def/Municipality")
    assert term.status_code == 200 and "Gemeinde" in term.text


def test_start_page_links(server: Server) -> None:
    html = get(server, "/").text
    for target in ('href="/query"', 'href="/health"', 'href="/def/"'):
        assert target in html


def test_local_copy_of_a_source_and_nothing_else(server: Server) -> None:
    copy = get(server, "/quellen/sources/destatis-gv-auszug-2020-12-31.csv")
    assert copy.status_code == 200 and "Biesenthal" in copy.text
    assert get(server, "/quellen/seed.toml").status_code == 404
    assert get(server, "/quellen/..%2F..%2Fpyproject.toml").status_code == 404


def test_text_from_data_is_escaped(fresh_store_dir: Path, tmp_path: Path) -> None:
    evil = tmp_path / "boese.ttl"
    evil.write_text(
        "@prefix sg: <https://w3id.org/synergraph/def/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "<https://w3id.org/synergraph/id/source/boese> a sg:SourceDocument ;\n"
        '    dcterms:title "<script>alert(1)</script>"@de ;\n'
        '    rdfs:label "<script>alert(1)</script>"@de ;\n'
        "    dcterms:source <https://w3id.org/synergraph/id/source/boese> .\n",
        encoding="utf-8")
    loaded = cli("load", str(evil), store=fresh_store_dir)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    running = Server(fresh_store_dir)
    try:
        html = httpx.get(running.url + "/id/source/boese", timeout=30).text
    finally:
        running.stop()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_incoming_links_are_capped_at_the_limit_and_all_counted() -> None:
    # six labels for each of more links than a page lists: the named query's row limit must leave
    # room for all of them, so the page still lists INCOMING_LIMIT links
    target = URIRef("https://w3id.org/synergraph/id/territory/ziel")
    graph = Graph()
    for number in range(INCOMING_LIMIT + 10):
        source = URIRef(f"https://w3id.org/synergraph/id/territory/teil-{number:04d}")
        graph.add((source, SG.within, target))
        for language in ("de", "en", "fr", "it", "pl", "cs"):
            graph.add((source, RDFS.label, Literal(f"Teil {number}", lang=language)))
    store = Store.in_memory()
    store.replace_graph("https://example.org/teile", graph)
    view = describe(store, str(target))
    assert view is not None
    assert len(view.incoming) == INCOMING_LIMIT and view.incoming_total == INCOMING_LIMIT + 10
    assert view.incoming[0].target_label == "Teil 0"
