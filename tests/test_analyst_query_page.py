"""Story: an analyst opens /query, finds our prefixes and example questions, and every example answers."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from conftest import REPO, Server

EXAMPLES = sorted((REPO / "graph" / "queries" / "examples").glob("*.rq"))


def header(path: Path, key: str) -> str:
    match = re.search(rf"^# {key}: (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, f"{path.name} has no '# {key}:' line"
    return match.group(1).strip()


class References(HTMLParser):
    """Every src and href of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.found.append(value)


@pytest.fixture(scope="module")
def page(server: Server) -> httpx.Response:
    return httpx.get(server.url + "/query", timeout=30)


def test_examples_are_there_with_german_title_and_description() -> None:
    titles = {header(path, "title") for path in EXAMPLES}
    assert len(EXAMPLES) >= 8
    for wanted in ("Wer ist in Gemeinde X für Künstliche Intelligenz zuständig?",
                   "Welche Initiativen im Landkreis Barnim betreffen Smart City?",
                   "Welche Stellen sind auf mehreren Ebenen für dasselbe Thema zuständig?",
                   "Alle Gemeinden eines Amtes", "Zuständigkeiten des Digitalministeriums",
                   "Nachfolger und Vorgänger von Initiativen", "Gemeinden nach Einwohnerzahl im Landkreis",
                   "Was galt am Stichtag? (Amtszugehörigkeit 2025 und 2026)"):
        assert wanted in titles
    assert all(header(path, "description") for path in EXAMPLES)


def test_query_page_has_prefixes_and_every_example_title(page: httpx.Response) -> None:
    assert page.status_code == 200
    assert "Content-Security-Policy" in page.headers
    html = page.text
    assert '<html lang="de">' in html
    for prefix, namespace in (("sg", "https://w3id.org/synergraph/def/"), ("topic", "https://w3id.org/synergraph/def/topic/"),
                              ("org", "http://www.w3.org/ns/org#"), ("prov", "http://www.w3.org/ns/prov#")):
        assert f"PREFIX {prefix}: &lt;{namespace}&gt;" in html
    for path in EXAMPLES:
        title = header(path, "title").replace("&", "&amp;")
        assert title in html, title
    assert "<script>" not in html.replace('<script src=', '').split('<script type="application/json"')[0]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_answers_with_rows(server: Server, path: Path) -> None:
    response = httpx.get(server.url + "/sparql", params={"query": path.read_text(encoding="utf-8")},
                         headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]["bindings"]) >= 1


def test_every_asset_is_served_by_us(server: Server, page: httpx.Response) -> None:
    parser = References()
    parser.feed(page.text)
    assets = [ref for ref in parser.found if ref.startswith("/static/")]
    assert any(a.endswith("yasgui.min.js") for a in assets) and any(a.endswith("vis-network.min.js") for a in assets)
    for ref in parser.found:
        split = urlsplit(ref)
        assert not split.netloc and split.scheme in ("", "data"), f"reference to another host: {ref}"
    for ref in assets:
        response = httpx.get(server.url + ref, timeout=30)
        assert response.status_code == 200, ref
        if ref.endswith(".css"):
            assert not re.search(r"url\(\s*['\"]?(https?:)?//", response.text), ref
            assert "@import" not in response.text, ref
    script = httpx.get(server.url + "/static/query.js", timeout=30).text
    # The bundle's defaults that would reach other hosts (a public endpoint, LOV look-ups) are replaced.
    assert 'Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"]' in script
    assert "Yasgui.defaults.requestConfig.endpoint = endpoint" in script


def test_vendored_editor_has_licence_and_readme(server: Server) -> None:
    folder = REPO / "api" / "pages" / "static" / "vendor" / "yasgui"
    assert "MIT License" in (folder / "LICENSE").read_text(encoding="utf-8")
    assert "4.6.2" in (folder / "README.md").read_text(encoding="utf-8")
    assert httpx.get(server.url + "/static/vendor/yasgui/LICENSE", timeout=30).status_code == 200
    assert httpx.get(server.url + "/static/../app.py", timeout=30).status_code == 404


def test_malformed_query_answers_a_problem_with_line(server: Server) -> None:
    response = httpx.get(server.url + "/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p \n}"},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 400
    assert response.json().get("line") is not None
