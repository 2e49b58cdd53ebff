"""Story: in a real browser an analyst runs an example, shares it, sees a readable error and a graph,
and the page never contacts any host but this service.

Uses Debian's Chromium (``/usr/bin/chromium``) through Playwright; screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ARTIFACTS, REPO, Server

CHROMIUM = Path("/usr/bin/chromium")
playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright für Python ist nicht installiert")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium fehlt (apt-get install chromium)")

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ROWS = ".yasr table.dataTable tbody tr"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object, server: Server) -> Iterator[tuple[object, list[str], list[str]]]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")  # type: ignore[attr-defined]
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    opened = context.new_page()
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened, requests, errors
    context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    outside = [url for url in requests if urlsplit(url).hostname not in ("127.0.0.1",) and not url.startswith("data:")]
    assert not outside, f"requests to other hosts: {outside}"


def current_query(page: object) -> str:
    return page.evaluate("window.synergraphQueryPage.yasgui.getTab().getQuery()")  # type: ignore[attr-defined, no-any-return]


def test_example_share_link_error_and_graph(page: tuple[object, list[str], list[str]], server: Server) -> None:
    tab, requests, errors = page
    started = time.perf_counter()
    tab.goto(server.url + "/query", wait_until="load")  # type: ignore[attr-defined]
    tab.wait_for_selector(".CodeMirror")  # type: ignore[attr-defined]
    load_seconds = time.perf_counter() - started
    assert "PREFIX sg: <https://w3id.org/synergraph/def/>" in current_query(tab)
    tab.screenshot(path=str(ARTIFACTS / "query-start.png"), full_page=True)  # type: ignore[attr-defined]

    # An example question: the table fills with rows.
    tab.click("button[data-example='04-gemeinden-eines-amtes']")  # type: ignore[attr-defined]
    tab.wait_for_selector(ROWS, timeout=20000)  # type: ignore[attr-defined]
    rows = tab.locator(ROWS).count()  # type: ignore[attr-defined]
    assert rows >= 1
    assert "Breydin" in tab.inner_text(".yasr")  # type: ignore[attr-defined]
    example = (REPO / "graph/queries/examples/04-gemeinden-eines-amtes.rq").read_text(encoding="utf-8")
    assert "sg:regionalKey" in current_query(tab) and "sg:regionalKey" in example
    assert not tab.is_hidden("#downloads")  # type: ignore[attr-defined]
    assert "format=csv" in tab.get_attribute("#download-csv", "href")  # type: ignore[attr-defined]
    tab.screenshot(path=str(ARTIFACTS / "query-example.png"), full_page=True)  # type: ignore[attr-defined]

    # The share link reopens the same query.
    tab.click("#share")  # type: ignore[attr-defined]
    link = tab.input_value("#share-link")  # type: ignore[attr-defined]
    assert link.startswith(server.url + "/query?query=")
    shared_query = current_query(tab)
    tab.goto(link, wait_until="load")  # type: ignore[attr-defined]
    tab.wait_for_selector(ROWS, timeout=20000)  # type: ignore[attr-defined]
    assert current_query(tab) == shared_query
    tab.screenshot(path=str(ARTIFACTS / "query-shared.png"), full_page=True)  # type: ignore[attr-defined]

    # A malformed query: a readable error naming the line.
    tab.evaluate("q => { const t = window.synergraphQueryPage.yasgui.getTab(); t.setQuery(q); t.query().catch(() => {}); }",  # type: ignore[attr-defined]
                 "SELECT ?s WHERE {\n  ?s ?p \n}")
    tab.wait_for_selector("#query-error:not([hidden])", timeout=20000)  # type: ignore[attr-defined]
    message = tab.inner_text("#query-error")  # type: ignore[attr-defined]
    assert "Zeile 3" in message, message
    tab.screenshot(path=str(ARTIFACTS / "query-error.png"), full_page=True)  # type: ignore[attr-defined]

    # Edges are drawn as a graph.
    tab.evaluate("q => { const t = window.synergraphQueryPage.yasgui.getTab(); t.setQuery(q); t.query().catch(() => {}); }",  # type: ignore[attr-defined]
                 "CONSTRUCT { ?g sg:within ?amt . ?g rdfs:label ?name } WHERE { "
                 "?g sg:within <https://w3id.org/synergraph/id/territory/120605003> ; rdfs:label ?name . "
                 "BIND(<https://w3id.org/synergraph/id/territory/120605003> AS ?amt) }")
    tab.wait_for_selector("#graph-view:not([hidden]) canvas", timeout=20000)  # type: ignore[attr-defined]
    tab.wait_for_timeout(1500)  # type: ignore[attr-defined]
    tab.screenshot(path=str(ARTIFACTS / "query-graph.png"), full_page=True)  # type: ignore[attr-defined]

    # Typing in the editor (autocompletion of prefixes and terms) stays local too.
    tab.click(".CodeMirror")  # type: ignore[attr-defined]
    tab.keyboard.press("Control+End")  # type: ignore[attr-defined]
    tab.keyboard.type("\nSELECT * WHERE { ?x a foaf:Pe")  # type: ignore[attr-defined]
    tab.keyboard.press("Control+Space")  # type: ignore[attr-defined]
    tab.wait_for_timeout(1000)  # type: ignore[attr-defined]

    assert not errors, errors
    assert any(urlsplit(url).path == "/sparql" for url in requests)
    (ARTIFACTS / "query-page-load.txt").write_text(f"{load_seconds:.3f} s\n", encoding="utf-8")


def test_linked_data_page_in_the_browser(page: tuple[object, list[str], list[str]], server: Server) -> None:
    tab, _requests, errors = page
    tab.goto(server.url + "/id/territory/12060024", wait_until="load")  # type: ignore[attr-defined]
    assert "Biesenthal" in tab.inner_text("h1")  # type: ignore[attr-defined]
    tab.screenshot(path=str(ARTIFACTS / "resource-biesenthal.png"), full_page=True)  # type: ignore[attr-defined]
    tab.click("text=In der Abfrage öffnen (DESCRIBE)")  # type: ignore[attr-defined]
    tab.wait_for_selector(".CodeMirror")  # type: ignore[attr-defined]
    assert current_query(tab).startswith("DESCRIBE <https://w3id.org/synergraph/id/territory/12060024>")
    tab.wait_for_selector("#graph-view:not([hidden]) canvas", timeout=20000)  # type: ignore[attr-defined]
    assert not errors, errors
