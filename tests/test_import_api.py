"""Staff upload spreadsheets to the running service: ``POST /api/import`` with a token, and the page ``/import``.

A real ``synergraph serve`` over a copy of the seeded store; the upload page is also driven in Chromium.
"""

from __future__ import annotations

import hashlib
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import openpyxl
import pytest
from conftest import ARTIFACTS, Server
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

DATA = Path(__file__).parent / "data" / "import"
INITIATIVES = (DATA / "initiativen.csv").read_bytes()
TOKEN = "geheim-fuer-den-import"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def service(seeded_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The service with one write token named 'kreis-barnim'."""
    copy = tmp_path_factory.mktemp("import-served") / "store"
    shutil.copytree(seeded_store_dir, copy)
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    running = Server(copy, env={"SYNERGRAPH_TOKENS": f"kreis-barnim=sha256:{digest}"})
    yield running
    running.stop()
    running.assert_no_server_errors()


def ask(service: Server, query: str) -> bool:
    answer = httpx.get(service.url + "/sparql", params={"query": query}, headers={"Accept": "application/json"})
    assert answer.status_code == 200, answer.text
    return bool(answer.json()["boolean"])


def test_writes_need_a_valid_token_and_the_same_origin(service: Server) -> None:
    """No token: 401; a wrong token: 403; a request from another origin: 403 — and nothing is imported."""
    url = service.url + "/api/import?datei=initiativen.csv"
    assert httpx.post(url, content=INITIATIVES).status_code == 401
    assert httpx.post(url, content=INITIATIVES, headers={"Authorization": "Bearer falsch"}).status_code == 403
    foreign = httpx.post(url, content=INITIATIVES, headers={**AUTH, "Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert not ask(service, "ASK { <https://w3id.org/synergraph/id/initiative/imp-digitallotsen-barnim> ?p ?o }")


def test_upload_checks_imports_and_reports(service: Server) -> None:
    """A dry run reports and writes nothing; the import writes and SPARQL sees it at once; the same file
    again changes nothing; the history names the token."""
    url = service.url + "/api/import"
    dry = httpx.post(url, params={"datei": "initiativen.csv", "probelauf": "true"}, content=INITIATIVES, headers=AUTH)
    assert dry.status_code == 200, dry.text
    assert (dry.json()["probelauf"], dry.json()["geschrieben"], len(dry.json()["neu"])) == (True, False, 3)
    lotsen = "<https://w3id.org/synergraph/id/initiative/imp-digitallotsen-barnim>"
    assert not ask(service, f"ASK {{ {lotsen} ?p ?o }}")
    real = httpx.post(url, files={"datei": ("initiativen.csv", INITIATIVES, "text/csv")}, headers=AUTH)
    assert real.status_code == 200, real.text
    assert real.json()["geschrieben"] and real.json()["von"] == "kreis-barnim"
    assert ask(service, f"ASK {{ {lotsen} sg:leadBody ?b }}")
    assert ask(service, f"""ASK {{ GRAPH <https://w3id.org/synergraph/graph/history> {{ <{real.json()['vorgang']}>
        prov:wasAssociatedWith <https://w3id.org/synergraph/id/agent/kreis-barnim> ; prov:used ?file .
        ?file sg:sourceFile "initiativen.csv" }} }}""")
    again = httpx.post(url, files={"datei": ("initiativen.csv", INITIATIVES, "text/csv")}, headers=AUTH)
    assert again.status_code == 200 and not again.json()["geschrieben"] and again.json()["unveraendert"] == 3


def test_a_file_with_problems_gets_422_with_every_problem(service: Server) -> None:
    """Row, column, value, reason and suggestion of each problem come back; nothing was written."""
    data = "id;Titel;Themen;Gebiet\r\nimp-x;X;Smart Regio;12060\r\nimp-y;Y;Smart Region;1206\r\n".encode("utf-8-sig")
    answer = httpx.post(service.url + "/api/import?datei=x.csv", content=data, headers=AUTH)
    assert answer.status_code == 422
    problems = answer.json()["probleme"]
    assert [(p["zeile"], p["spalte"], p["wert"]) for p in problems] == [(2, "C (Themen)", "Smart Regio"),
                                                                       (3, "D (Gebiet)", "1206")]
    assert problems[0]["vorschlag"].startswith("meinten Sie 'Smart Region'")
    assert not ask(service, "ASK { <https://w3id.org/synergraph/id/initiative/imp-x> ?p ?o }")


def test_a_file_over_the_limit_is_refused_with_413(service: Server) -> None:
    """A 50 MB upload is refused by its declared size with a German message."""
    answer = httpx.post(service.url + "/api/import?datei=gross.csv", content=b"x" * (50 * 1024 * 1024), headers=AUTH)
    assert answer.status_code == 413 and "größer als 20 MB" in answer.json()["detail"]


def test_the_upload_page_offers_templates_and_reports_in_german(service: Server) -> None:
    """/import has the form and links to every template; the templates download; a form upload with the
    token answers the report as a page, with the data's text escaped and a Content-Security-Policy."""
    page = httpx.get(service.url + "/import")
    assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    for name in ("initiativen.xlsx", "zustaendigkeiten.csv", "stellen.xlsx"):
        assert f'href="/import/vorlagen/{name}"' in page.text
    download = httpx.get(service.url + "/import/vorlagen/initiativen.xlsx")
    assert download.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(download.content)).sheetnames[:2] == ["Initiativen", "Hilfe"]
    assert httpx.get(service.url + "/import/vorlagen/..%2Fseed.toml").status_code == 404
    data = 'id;Titel;Themen\r\nimp-page;<script>alert(1)</script>;Smart Regio\r\n'.encode("utf-8-sig")
    answer = httpx.post(service.url + "/import", files={"datei": ("seite.csv", data, "text/csv")},
                        data={"token": TOKEN, "probelauf": "ja"})
    assert answer.status_code == 422
    assert "1 Problem(e) – nichts wurde geschrieben." in answer.text and "meinten Sie" in answer.text
    assert "<script>alert(1)</script>" not in answer.text
    refused = httpx.post(service.url + "/import", files={"datei": ("seite.csv", data, "text/csv")},
                         data={"token": "falsch"})
    assert refused.status_code == 403 and "gültiges Schreib-Token" in refused.text


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium fehlt (apt-get install chromium)")
def test_upload_in_a_real_browser(service: Server, tmp_path: Path) -> None:
    """In Chromium: choose the file, enter the token, untick 'nur prüfen', submit, read the report."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    file = tmp_path / "stellen.csv"
    file.write_bytes((DATA / "stellen.csv").read_bytes())
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
        tab = browser.new_page(locale="de-DE")
        tab.goto(service.url + "/import")
        tab.set_input_files("#datei", str(file))
        tab.fill("#token", TOKEN)
        tab.uncheck("input[name=probelauf]")
        tab.click("button[type=submit]")
        tab.wait_for_selector("#report")
        status = tab.inner_text("#import-status")
        report = tab.inner_text("#report")
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "import-report.png"), full_page=True)
        browser.close()
    assert "Übernommen (Token „kreis-barnim“)" in status
    assert "Neu: 1" in report and "IT-Zweckverband Barnim" in report
    assert ask(service, "ASK { <https://w3id.org/synergraph/id/body/imp-it-zweckverband-barnim> a sg:PublicBody }")


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=st.binary(max_size=300), media=st.sampled_from(["text/csv", "multipart/form-data",
                                                            "multipart/form-data; boundary=x", "application/json", ""]),
       page=st.booleans())
def test_any_upload_body_gets_an_answer_not_a_server_error(service: Server, body: bytes, media: str,
                                                           page: bool) -> None:
    """Whatever body and content type an authorised client sends to /api/import or /import, the answer is
    at worst a 4xx with a reason (checked as a dry run, so nothing changes)."""
    headers = {**AUTH, "Content-Type": media} if media else dict(AUTH)
    url = service.url + ("/import" if page else "/api/import?probelauf=true&datei=x.csv")
    answer = httpx.post(url, content=body, headers=headers, timeout=60)
    assert answer.status_code < 500, answer.text[:300]


def test_every_page_links_to_the_upload_page(service: Server) -> None:
    """The site's navigation leads to /import, marked as the current page there."""
    assert '<a href="/import">Import</a>' in httpx.get(service.url + "/query").text
    assert '<a href="/import" aria-current="page">Import</a>' in httpx.get(service.url + "/import").text
