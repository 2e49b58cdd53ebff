"""An editor with a token creates, changes and ends bodies, responsibilities and initiatives over REST:
every write is checked against the shapes, a write based on an outdated read is refused with 412 and
changes nothing, ending keeps the entity, and every change is in its history."""

from __future__ import annotations

import datetime
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import Server

TOKEN = "redaktions-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BODY = "https://w3id.org/synergraph/id/body/ki-stabsstelle-barnim"
RESPONSIBILITY = "https://w3id.org/synergraph/id/responsibility/ki-barnim-test"


@pytest.fixture(scope="module")
def editing_server(seeded_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    copy = tmp_path_factory.mktemp("editing") / "store"
    shutil.copytree(seeded_store_dir, copy)
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    running = Server(copy, env={"SYNERGRAPH_TOKENS": f"redaktion=sha256:{digest}"})
    yield running
    running.stop()


def _history(server: Server, iri: str, **params: str) -> httpx.Response:
    return httpx.get(server.url + "/api/history", params={"entity": iri, **params})


def _body(**changes: object) -> dict[str, object]:
    return {"slug": "ki-stabsstelle-barnim", "type": "DistrictAdministration", "label": "KI-Stabsstelle Barnim",
            "territory": "12060", "source": "beispieldaten", **changes}


def _responsibility(**changes: object) -> dict[str, object]:
    return {"slug": "ki-barnim-test", "holder": "ki-stabsstelle-barnim", "topic": "kuenstliche-intelligenz",
            "territory": "12060", "role": "federfuehrend", "valid_from": "2025-01-01", "source": "beispieldaten",
            **changes}


def test_creating_needs_a_token_and_gives_an_etag(editing_server: Server) -> None:
    """Without a token nothing is created; with one the body exists, has an ETag and a page."""
    url = editing_server.url + "/api/bodies"
    assert httpx.post(url, json=_body()).status_code == 401
    assert httpx.post(url, json=_body(), headers={"Authorization": "Bearer falsch"}).status_code == 403
    created = httpx.post(url, json=_body(), headers=AUTH)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/api/bodies/ki-stabsstelle-barnim"
    assert created.headers["etag"] == created.json()["etag"]
    answer = httpx.get(editing_server.url + "/api/bodies/ki-stabsstelle-barnim")
    assert answer.headers["etag"] == created.headers["etag"]
    read = answer.json()
    assert read["label"] == "KI-Stabsstelle Barnim" and read["territory"]["iri"].endswith("/territory/12060")
    assert httpx.post(url, json=_body(), headers=AUTH).status_code == 409
    made = httpx.post(editing_server.url + "/api/responsibilities", json=_responsibility(), headers=AUTH)
    assert made.status_code == 201, made.text


def test_a_change_needs_the_etag_and_a_stale_one_changes_nothing(editing_server: Server) -> None:
    """Two editors read the same state; the first change wins, the second gets 412 and nothing changes."""
    url = editing_server.url + "/api/bodies/ki-stabsstelle-barnim"
    read = _history(editing_server, BODY)
    etag = read.headers["etag"]
    assert httpx.put(url, json=_body(label="Ohne ETag"), headers=AUTH).status_code == 428
    first = httpx.put(url, json=_body(abbreviation="KI-BAR"), headers={**AUTH, "If-Match": etag})
    assert first.status_code == 200, first.text
    assert any(line.startswith("+ ") and "KI-BAR" in line for line in first.json()["changes"])
    second = httpx.put(url, json=_body(label="Zweite Fassung"), headers={**AUTH, "If-Match": etag})
    assert second.status_code == 412
    assert second.headers["etag"] == first.headers["etag"]
    now = httpx.get(editing_server.url + "/api/bodies/ki-stabsstelle-barnim").json()
    assert now["label"] == "KI-Stabsstelle Barnim" and now["abbreviation"] == "KI-BAR"
    assert _history(editing_server, BODY).headers["etag"] == first.headers["etag"]


@pytest.mark.parametrize("changes, field", [
    ({"valid_until": "2024-01-01"}, "validFrom"),
    ({"role": "erfunden"}, "role"),
    ({"holder": "gibt-es-nicht"}, "holder"),
])
def test_a_change_that_breaks_the_shapes_is_refused(editing_server: Server, changes: dict[str, object],
                                                     field: str) -> None:
    """Validity ending before it starts, an unknown role or holder: 422 naming the statement, no change."""
    before = _history(editing_server, RESPONSIBILITY).headers["etag"]
    refused = httpx.put(editing_server.url + "/api/responsibilities/ki-barnim-test",
                        json=_responsibility(**changes), headers={**AUTH, "If-Match": before})
    assert refused.status_code == 422, refused.text
    assert any(field in line for line in refused.json()["violations"])
    assert _history(editing_server, RESPONSIBILITY).headers["etag"] == before


def test_ending_keeps_the_responsibility_and_the_past_stays_queryable(editing_server: Server) -> None:
    """An ended responsibility is gone today but still there as of a day before its end, with its history."""
    etag = _history(editing_server, RESPONSIBILITY).headers["etag"]
    ended = httpx.post(editing_server.url + "/api/responsibilities/ki-barnim-test/end",
                       json={"date": "2025-06-30"}, headers={**AUTH, "If-Match": etag})
    assert ended.status_code == 200, ended.text

    def listed(as_of: str) -> bool:
        page = httpx.get(editing_server.url + "/api/responsibilities",
                         params={"holder": "ki-stabsstelle-barnim", "as_of": as_of}).json()
        return RESPONSIBILITY in [item["iri"] for item in page["items"]]

    assert listed("2025-03-01") and not listed("2025-07-01")
    changes = _history(editing_server, RESPONSIBILITY).json()["changes"]
    assert [c["agent"] for c in changes] == ["redaktion", "redaktion"]
    assert changes[0]["operation"].startswith("POST /api/responsibilities/ki-barnim-test/end")
    assert any("validUntil" in line for line in changes[0]["operation"].splitlines())
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    assert _history(editing_server, RESPONSIBILITY, as_of=yesterday).json()["changes"] == []


def test_an_initiative_is_created_and_ended_as_completed(editing_server: Server) -> None:
    """An initiative gets its end date and the status 'abgeschlossen'; it stays listed for its time."""
    made = httpx.post(editing_server.url + "/api/initiatives", headers=AUTH, json={
        "slug": "ki-lotsen-barnim", "title": "KI-Lotsen Barnim", "topics": ["kuenstliche-intelligenz"],
        "territories": ["12060"], "lead_body": "ki-stabsstelle-barnim", "status": "laufend",
        "start_date": "2024-01-01", "source": "beispieldaten"})
    assert made.status_code == 201, made.text
    ended = httpx.post(editing_server.url + "/api/initiatives/ki-lotsen-barnim/end", json={"date": "2025-12-31"},
                       headers={**AUTH, "If-Match": made.headers["etag"]})
    assert ended.status_code == 200, ended.text
    read = httpx.get(editing_server.url + "/api/initiatives/ki-lotsen-barnim").json()
    assert read["end_date"] == "2025-12-31" and read["status"]["label"].lower().startswith("abgeschlossen")


def test_an_entity_of_the_shipped_data_can_be_changed_and_its_page_shows_it(editing_server: Server) -> None:
    """A responsibility from the example data gets another holder; its page lists the change."""
    query = ("SELECT ?r WHERE { GRAPH <https://w3id.org/synergraph/graph/beispiele> { ?r a sg:Responsibility ; "
             "sg:role role:federfuehrend } } ORDER BY ?r LIMIT 1")
    iri = httpx.get(editing_server.url + "/sparql", params={"query": query},
                    headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"][0]["r"]["value"]
    slug = iri.rsplit("/", 1)[1]
    read = httpx.get(editing_server.url + "/api/responsibilities", params={"limit": 1000}).json()
    item = next(i for i in read["items"] if i["iri"] == iri)
    changed = httpx.put(editing_server.url + f"/api/responsibilities/{slug}", headers={
        **AUTH, "If-Match": _history(editing_server, iri).headers["etag"]}, json={
        "slug": slug, "holder": "ki-stabsstelle-barnim", "topic": item["topic"]["iri"].rsplit("/", 1)[1],
        "territory": "12060", "role": "federfuehrend", "source": "beispieldaten"})
    assert changed.status_code == 200, changed.text
    again = httpx.get(editing_server.url + "/api/responsibilities", params={"holder": "ki-stabsstelle-barnim"}).json()
    assert iri in [i["iri"] for i in again["items"]]
    page = httpx.get(editing_server.url + f"/id/responsibility/{slug}", headers={"Accept": "text/html"}).text
    assert "redaktion" in page
