"""Story: in a real browser a ministry employee filters the map by topic and territory, asks
'Wer ist zuständig?' for Prenzlau, opens details, shares the view by link, reads the list view with the
keyboard and exports the view; a label full of markup stays text and runs no script.

Debian's Chromium (``/usr/bin/chromium``) driven by Playwright; a screenshot of each story goes to
``tests/artifacts/``. The page never contacts any host but this service.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import ARTIFACTS, Server
from playwright.sync_api import Error as PlaywrightError
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS
from synergraph.graph.store import Store

CHROMIUM = Path("/usr/bin/chromium")
playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright für Python ist nicht installiert")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium fehlt (apt-get install chromium)")

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
READY = "body[data-map-ready=true]"
SG = Namespace("https://w3id.org/synergraph/def/")
ID = "https://w3id.org/synergraph/id/"
ATTACK = '<img src=x onerror="window.__xss=1">'
ATTACK_SCRIPT = "<script>window.__xss=2</script>Amt für Tests"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def open_page(browser: object) -> tuple[object, object, list[str], list[str]]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE",  # type: ignore[attr-defined]
                                  accept_downloads=True)
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, requests, errors


@pytest.fixture
def tab(browser: object, server: Server) -> Iterator[object]:
    context, page, requests, errors = open_page(browser)
    yield page
    context.close()  # type: ignore[attr-defined]
    assert not errors, f"script errors on the page: {errors}"
    outside = [url for url in requests if urlsplit(url).hostname != "127.0.0.1" and not url.startswith(("data:", "blob:"))]
    assert not outside, f"requests to other hosts: {outside}"


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)  # type: ignore[attr-defined]


def node_point(page: object, iri: str) -> tuple[float, float]:
    """Where node ``iri`` is on the screen."""
    point = page.evaluate("""(id) => {
        document.getElementById('map').scrollIntoView();
        const net = window.synergraphMap.network;
        const dom = net.canvasToDOM(net.getPositions([id])[id]);
        const box = document.getElementById('map').getBoundingClientRect();
        return [box.left + dom.x, box.top + dom.y];
    }""", iri)
    return float(point[0]), float(point[1])


def wait_until(page: object, script: str, timeout: float = 20) -> None:
    """Wait until ``script`` (a JS function) is true; the page's CSP forbids Playwright's eval-based wait.

    While the page navigates (the map rewrites its address and reloads), the document may have no body
    yet or the script's context may go away: such an evaluation counts as not yet true.
    """
    deadline = time.monotonic() + timeout
    failure = ""
    while True:
        try:
            if page.evaluate(script):  # type: ignore[attr-defined]
                return
        except PlaywrightError as error:
            failure = f" (last evaluation: {error.message.splitlines()[0]})"
        assert time.monotonic() < deadline, f"not true within {timeout} s: {script}{failure}"
        time.sleep(0.1)


def drawn_labels(page: object) -> set[str]:
    return set(page.evaluate("window.synergraphMap.data().nodes.map(n => n.label)"))  # type: ignore[attr-defined]


def test_filter_by_topic_and_territory(tab: object, server: Server) -> None:
    """Choosing Breitband and Uckermark narrows the map to who works on broadband there; the URL says so."""
    tab.goto(server.url + "/map")  # type: ignore[attr-defined]
    tab.wait_for_selector(READY)  # type: ignore[attr-defined]
    everything = len(drawn_labels(tab))
    shot(tab, "map-start.png")
    tab.select_option("#f-topic", "breitband")  # type: ignore[attr-defined]
    tab.fill("#f-territory", "12073")  # type: ignore[attr-defined]
    tab.click("#filters button[type=submit]")  # type: ignore[attr-defined]
    tab.wait_for_url("**/map?*topic=breitband*")  # type: ignore[attr-defined]
    tab.wait_for_selector(READY)  # type: ignore[attr-defined]
    query = parse_qs(urlsplit(tab.url).query)  # type: ignore[attr-defined]
    assert query["topic"] == ["breitband"] and query["territory"] == ["12073"]
    names = drawn_labels(tab)
    assert {"Kreisverwaltung Uckermark", "Stadtverwaltung Prenzlau", "Breitband"} <= names
    assert "Stadtverwaltung Cottbus" not in names and len(names) < everything
    assert tab.input_value("#f-topic") == "breitband"  # type: ignore[attr-defined]
    assert "Knoten" in tab.inner_text("#status")  # type: ignore[attr-defined]
    shot(tab, "map-filter-topic-territory.png")


def test_wer_ist_zustaendig_chain_for_prenzlau(tab: object, server: Server) -> None:
    """Prenzlau and Breitband: the chain Gemeinde → Kreis → Land → Bund names the responsible bodies."""
    tab.goto(server.url + "/map")  # type: ignore[attr-defined]
    tab.wait_for_selector(READY)  # type: ignore[attr-defined]
    tab.fill("#c-gemeinde", "12073452")  # type: ignore[attr-defined]
    tab.select_option("#c-topic", "breitband")  # type: ignore[attr-defined]
    tab.click("#chain-form button[type=submit]")  # type: ignore[attr-defined]
    tab.wait_for_url("**gemeinde=12073452**")  # type: ignore[attr-defined]
    tab.wait_for_selector("#chain:not([hidden]) .chain-level")  # type: ignore[attr-defined]
    levels = tab.locator("#chain-levels > li").all_inner_texts()  # type: ignore[attr-defined]
    assert [text.splitlines()[0] for text in levels] == ["Gemeinde: Prenzlau, Stadt", "Landkreis: Uckermark",
                                                        "Land: Brandenburg", "Staat: Deutschland"]
    assert "Stadtverwaltung Prenzlau – umsetzend" in levels[0]
    assert "Kreisverwaltung Uckermark – federführend" in levels[1]
    assert "Landesstelle Glasfaserausbau Brandenburg – federführend" in levels[2]
    assert "keine erfasste Zuständigkeit" in levels[3]
    assert "Stadtverwaltung Prenzlau" in drawn_labels(tab)
    shot(tab, "map-wer-ist-zustaendig.png")


def test_details_and_shared_link(browser: object, tab: object, server: Server) -> None:
    """Clicking a body opens its facts, sources and findings with a link to its page; the link reopens that view."""
    tab.goto(server.url + "/map?topic=verwaltungsdigitalisierung")  # type: ignore[attr-defined]
    tab.wait_for_selector(READY)  # type: ignore[attr-defined]
    iri = ID + "body/verwaltung-12073"
    x, y = node_point(tab, iri)
    tab.mouse.click(x, y)  # type: ignore[attr-defined]
    tab.wait_for_selector("#details-body table.facts")  # type: ignore[attr-defined]
    details = tab.inner_text("#details")  # type: ignore[attr-defined]
    assert "Kreisverwaltung Uckermark" in details and "Angaben" in details and "Quellen" in details
    assert "Befunde" in details  # two bodies lead Verwaltungsdigitalisierung in the Uckermark
    assert tab.get_attribute("#details-body a[href='/id/body/verwaltung-12073']", "href")  # type: ignore[attr-defined]
    shot(tab, "map-details.png")
    tab.mouse.move(x, y)  # type: ignore[attr-defined]
    tab.mouse.wheel(0, -300)  # type: ignore[attr-defined]
    wait_until(tab, "() => new URLSearchParams(location.search).has('zoom')")
    link = tab.input_value("#share-link")  # type: ignore[attr-defined]
    state = parse_qs(urlsplit(link).query)
    assert state["select"] == [iri] and state["topic"] == ["verwaltungsdigitalisierung"]
    scale = tab.evaluate("window.synergraphMap.network.getScale()")  # type: ignore[attr-defined]

    context, other, _, errors = open_page(browser)
    other.goto(link)  # type: ignore[attr-defined]
    other.wait_for_selector("#details-body table.facts")  # type: ignore[attr-defined]
    assert "Kreisverwaltung Uckermark" in other.inner_text("#details")  # type: ignore[attr-defined]
    assert other.input_value("#f-topic") == "verwaltungsdigitalisierung"  # type: ignore[attr-defined]
    assert abs(other.evaluate("window.synergraphMap.network.getScale()") - scale) < 0.01  # type: ignore[attr-defined]
    assert other.evaluate("window.synergraphMap.network.getSelectedNodes()") == [iri]  # type: ignore[attr-defined]
    shot(other, "map-shared-link.png")
    context.close()  # type: ignore[attr-defined]
    assert not errors


def test_list_view_search_and_exports(tab: object, server: Server) -> None:
    """The list shows the same nodes as text and works by keyboard; search finds a node; PNG and CSV download."""
    tab.goto(server.url + "/map?only=findings")  # type: ignore[attr-defined]
    tab.wait_for_selector(READY)  # type: ignore[attr-defined]
    nodes = len(drawn_labels(tab))
    tab.click("#view-list")  # type: ignore[attr-defined]
    assert tab.locator("#node-table tbody tr").count() == nodes  # type: ignore[attr-defined]
    assert tab.is_hidden("#map") and "view=list" in tab.url  # type: ignore[attr-defined]
    tab.locator("#node-table tbody tr button").first.focus()  # type: ignore[attr-defined]
    tab.keyboard.press("Enter")  # type: ignore[attr-defined]
    tab.wait_for_selector("#details-body .details-title")  # type: ignore[attr-defined]
    first = tab.locator("#node-table tbody tr").first.inner_text()  # type: ignore[attr-defined]
    assert tab.inner_text("#details-body .details-title") in first  # type: ignore[attr-defined]
    shot(tab, "map-list-view.png")

    tab.click("#view-map")  # type: ignore[attr-defined]
    tab.fill("#search", "glasfaser")  # type: ignore[attr-defined]
    tab.click("#search-form button")  # type: ignore[attr-defined]
    wait_until(tab, "() => document.querySelector('#details-body .details-title')?.textContent.includes('Glasfaser')")
    assert "Gefunden" in tab.inner_text("#status")  # type: ignore[attr-defined]

    with tab.expect_download() as csv_download:  # type: ignore[attr-defined]
        tab.click("#export-csv")  # type: ignore[attr-defined]
    text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith('"Name","Art"') and "Landesstelle Glasfaserausbau Brandenburg" in text
    with tab.expect_download() as png_download:  # type: ignore[attr-defined]
        tab.click("#export-png")  # type: ignore[attr-defined]
    png = Path(png_download.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    (ARTIFACTS / "map-export.png").write_bytes(png)


@pytest.fixture
def hostile_server(fresh_store_dir: Path) -> Iterator[Server]:
    """A service whose data holds a body, a responsibility and an initiative named with markup and script."""
    body, responsibility = URIRef(ID + "body/xss-probe"), URIRef(ID + "responsibility/xss-probe")
    initiative = URIRef(ID + "initiative/xss-probe")
    store = Store(fresh_store_dir)
    store.replace_graph("https://w3id.org/synergraph/graph/xss-probe", [
        (body, RDF.type, SG.StateAgency), (body, RDFS.label, Literal(ATTACK, lang="de")),
        (body, SG.level, URIRef(str(SG) + "level/land")),
        (responsibility, RDF.type, SG.Responsibility), (responsibility, RDFS.label, Literal(ATTACK_SCRIPT, lang="de")),
        (responsibility, SG.holder, body), (responsibility, SG.topic, URIRef(str(SG) + "topic/breitband")),
        (responsibility, SG.territory, URIRef(ID + "territory/12")), (responsibility, SG.role, URIRef(str(SG) + "role/beteiligt")),
        (initiative, RDF.type, SG.Project), (initiative, DCTERMS.title, Literal(ATTACK_SCRIPT, lang="de")),
        (initiative, SG.topic, URIRef(str(SG) + "topic/breitband")), (initiative, SG.leadBody, body),
    ])
    del store
    running = Server(fresh_store_dir)
    yield running
    running.stop()


def test_markup_in_data_stays_text(browser: object, hostile_server: Server) -> None:
    """A label like <img onerror=…> shows as text in the tooltip, the details and the list; no script runs."""
    context, page, _, errors = open_page(browser)
    response = page.goto(hostile_server.url + "/map?topic=breitband")  # type: ignore[attr-defined]
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(READY)  # type: ignore[attr-defined]
    iri = ID + "body/xss-probe"
    assert ATTACK in drawn_labels(page)
    x, y = node_point(page, iri)
    page.mouse.move(x, y)  # type: ignore[attr-defined]
    page.wait_for_selector("div.map-tooltip", state="visible")  # type: ignore[attr-defined]
    assert ATTACK in page.inner_text("div.map-tooltip")  # type: ignore[attr-defined]
    assert page.locator("div.map-tooltip img").count() == 0  # type: ignore[attr-defined]
    page.mouse.click(x, y)  # type: ignore[attr-defined]
    page.wait_for_selector("#details-body table.facts")  # type: ignore[attr-defined]
    assert ATTACK in page.inner_text("#details-body")  # type: ignore[attr-defined]
    shot(page, "map-xss-details.png")
    page.click("#view-list")  # type: ignore[attr-defined]
    listing = page.inner_text("#node-table")  # type: ignore[attr-defined]
    assert ATTACK in listing, listing[:2000]
    assert ATTACK_SCRIPT in listing
    assert page.locator("main img, main script:not([type='application/json']):not([src])").count() == 0  # type: ignore[attr-defined]
    assert page.evaluate("typeof window.__xss") == "undefined"  # type: ignore[attr-defined]
    shot(page, "map-xss-list.png")
    context.close()  # type: ignore[attr-defined]
    assert not errors


def test_focus_on_a_body_and_on_an_initiative_with_its_duplicates(tab: object, server: Server) -> None:
    """From a flagged body to its neighbourhood, the finding explained on hover; from an initiative to its duplicates."""
    tab.goto(server.url + "/map?topic=verwaltungsdigitalisierung")  # type: ignore[attr-defined]
    tab.wait_for_selector(READY)  # type: ignore[attr-defined]
    iri = ID + "body/verwaltung-12073"
    x, y = node_point(tab, iri)
    tab.mouse.click(x, y)  # type: ignore[attr-defined]
    tab.click("text=Umgebung dieser Stelle zeigen")  # type: ignore[attr-defined]
    tab.wait_for_url("**focus=body%3Averwaltung-12073**")  # type: ignore[attr-defined]
    tab.wait_for_selector(READY)  # type: ignore[attr-defined]
    assert {"Kreisverwaltung Uckermark", "Zweckverband Digitale Verwaltung Uckermark", "Uckermark"} <= drawn_labels(tab)
    x, y = node_point(tab, iri)
    tab.mouse.move(x, y)  # type: ignore[attr-defined]
    tab.wait_for_selector("div.map-tooltip", state="visible")  # type: ignore[attr-defined]
    tip = tab.inner_text("div.map-tooltip")  # type: ignore[attr-defined]
    assert "Befund:" in tip and "beide federführend" in tip
    shot(tab, "map-focus-body.png")

    # A duplicate initiative, not a duplicate structure (DS-01), which the map draws as a duplicate edge too.
    duplicate_pair = """() => window.synergraphMap.data().edges
        .filter(e => e.kind === 'duplicate' && e.from.includes('/initiative/')
                     && (e.finding_title || '').startsWith('Mögliche Dublette'))
        .map(e => [e.from, e.to]).sort()[0] || null"""
    pair = tab.evaluate(duplicate_pair)  # type: ignore[attr-defined]
    if pair is None:  # no duplicate at this body: take one from the findings view
        tab.goto(server.url + "/map?only=findings")  # type: ignore[attr-defined]
        tab.wait_for_selector(READY)  # type: ignore[attr-defined]
        pair = tab.evaluate(duplicate_pair)  # type: ignore[attr-defined]
    assert pair is not None, "keine Dublette von Initiativen in der Karte"
    first = pair[0]
    names = tab.evaluate("(ids) => ids.map(id => window.synergraphMap.data().nodes.find(n => n.id === id).label)", pair)
    tab.fill("#search", names[0])  # type: ignore[attr-defined]
    tab.click("#search-form button")  # type: ignore[attr-defined]
    tab.click("text=Dubletten und Parallelinitiativen zeigen")  # type: ignore[attr-defined]
    tab.wait_for_url("**focus=initiative%3A" + first.rsplit("/", 1)[-1] + "**")  # type: ignore[attr-defined]
    tab.wait_for_selector(READY)  # type: ignore[attr-defined]
    assert set(names) <= drawn_labels(tab)
    kinds = tab.evaluate("() => window.synergraphMap.data().edges.map(e => e.kind)")  # type: ignore[attr-defined]
    assert "duplicate" in kinds and "leads" in kinds
    tab.wait_for_selector("#details-body .findings")  # type: ignore[attr-defined]
    assert names[0] in tab.inner_text("#details-body .details-title")  # type: ignore[attr-defined]
    assert "Dublette" in tab.inner_text("#details-body .findings")  # type: ignore[attr-defined]
    shot(tab, "map-focus-initiative.png")


def test_clustered_gemeinden_open_by_double_click_and_by_search(tab: object, server: Server) -> None:
    """Idle Gemeinden sit in one node per Kreis; a double click shows them, and searching a name inside opens it."""
    tab.goto(server.url + "/map")  # type: ignore[attr-defined]
    tab.wait_for_selector(READY)  # type: ignore[attr-defined]
    cluster = "cluster:" + ID + "territory/12073"
    members = tab.evaluate("(id) => window.synergraphMap.data().nodes.find(n => n.id === id).members.map(m => m.label)",
                           cluster)
    assert "Gramzow" in members and "Gramzow" not in drawn_labels(tab)
    with tab.expect_download() as csv_download:  # type: ignore[attr-defined]
        tab.click("#export-csv")  # type: ignore[attr-defined]
    rows = Path(csv_download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert any(row.startswith(f'"{len(members)} Gemeinden') and "Uckermark: " in row and "Gramzow" in row for row in rows)
    x, y = node_point(tab, cluster)
    tab.mouse.click(x, y)  # type: ignore[attr-defined]
    assert "zusammengefasst" in tab.inner_text("#details")  # type: ignore[attr-defined]
    tab.mouse.dblclick(x, y)  # type: ignore[attr-defined]
    wait_until(tab, "() => new URLSearchParams(location.search).get('expand') === '12073' && document.body.dataset.mapReady")
    wait_until(tab, "() => window.synergraphMap.data().nodes.some(n => n.label === 'Gramzow')")
    shot(tab, "map-cluster-expanded.png")

    other = tab.evaluate("""() => window.synergraphMap.data().nodes.find(n => n.kind === 'cluster').members[0]""")
    tab.fill("#search", other["label"])  # type: ignore[attr-defined]
    tab.click("#search-form button")  # type: ignore[attr-defined]
    wait_until(tab, f"() => new URLSearchParams(location.search).get('select') === {other['iri']!r}")
    wait_until(tab, "(() => { const t = document.querySelector('#details-body .details-title'); "
                    f"return t && t.textContent === {other['label']!r}; }})")
    assert other["label"] in drawn_labels(tab)
    # A Gemeinde's history names the territories it belongs to.
    tab.wait_for_selector("#details-body h3:has-text('Geschichte')")  # type: ignore[attr-defined]
    assert "Zugehörigkeit" in tab.inner_text("#details-body") and "gehört zu" in tab.inner_text("#details-body")  # type: ignore[attr-defined]
    shot(tab, "map-cluster-search.png")


def test_search_reaches_beyond_the_view_and_the_chain_leads_back(tab: object, server: Server) -> None:
    """A body outside the filtered view is found and shown in its neighbourhood; the chain has a way back."""
    tab.goto(server.url + "/map?topic=breitband")  # type: ignore[attr-defined]
    tab.wait_for_selector(READY)  # type: ignore[attr-defined]
    assert "Smart City Akademie" not in " ".join(drawn_labels(tab))
    tab.fill("#search", "Bundesministerium für Wohnen")  # type: ignore[attr-defined]
    tab.click("#search-form button")  # type: ignore[attr-defined]
    tab.wait_for_url("**focus=body%3A**")  # type: ignore[attr-defined]
    tab.wait_for_selector("#details-body .details-title")  # type: ignore[attr-defined]
    assert "Bundesministerium für Wohnen" in tab.inner_text("#details-body .details-title")  # type: ignore[attr-defined]

    tab.goto(server.url + "/map?gemeinde=12073452&chain_topic=breitband")  # type: ignore[attr-defined]
    tab.wait_for_selector("#chain:not([hidden]) .chain-level")  # type: ignore[attr-defined]
    assert "Breitband" in tab.inner_text("#chain-result-heading")  # type: ignore[attr-defined]
    assert "Prenzlau" in tab.inner_text("#chain-result-heading")  # type: ignore[attr-defined]
    tab.click("#chain-close")  # type: ignore[attr-defined]
    wait_until(tab, "() => !location.search.includes('gemeinde') && document.body.dataset.mapReady === 'true'")
    assert tab.is_hidden("#chain")  # type: ignore[attr-defined]
