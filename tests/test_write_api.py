"""An editor with a token creates, changes and ends bodies, responsibilities and initiatives over REST:
every write is checked against the shapes, a write based on an outdated read is refused with 412 and
changes nothing, ending keeps the entity, and every change is in its history."""

from __future__ import annotations

import datetime
import hashlib
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import Server, cli
from rdflib import URIRef
from synergraph.graph import editing
from synergraph.graph.seed import seed_files
from synergraph.graph.store import Store

TOKEN = "redaktions-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TOKENS = {"SYNERGRAPH_TOKENS": f"redaktion=sha256:{hashlib.sha256(TOKEN.encode()).hexdigest()}"}
NOTES = "https://w3id.org/synergraph/graph/notizen"
BODY = "https://w3id.org/synergraph/id/body/ki-stabsstelle-barnim"
RESPONSIBILITY = "https://w3id.org/synergraph/id/responsibility/ki-barnim-test"


@pytest.fixture(scope="module")
def editing_server(seeded_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    copy = tmp_path_factory.mktemp("editing") / "store"
    shutil.copytree(seeded_store_dir, copy)
    running = Server(copy, env=TOKENS)
    yield running
    running.stop()
    running.assert_no_server_errors()


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


def _sparql_update(server: Server, text: str) -> httpx.Response:
    return httpx.post(server.url + "/sparql", content=text,
                      headers={"Content-Type": "application/sparql-update", **AUTH}, timeout=60)


def _statements(store: Store, iri: str) -> set[tuple[str, str, str]]:
    return {(str(row["g"]), str(row["p"]), str(row["o"]))
            for row in store.select("SELECT ?g ?p ?o ?s WHERE { GRAPH ?g { ?s ?p ?o } }", s=URIRef(iri))}


def test_a_change_checked_before_a_sparql_update_changed_the_body_is_not_written(fresh_store_dir: Path) -> None:
    """An editor's change passes the ETag and shape checks; before it is written, an analyst's SPARQL update
    adds a note to the same body. Writing the checked change then fails as a whole and is recognised as
    stale: the analyst's note stays and the editor's label is not written."""
    store = Store(fresh_store_dir)
    fields = {"type": "DistrictAdministration", "label": "Wettlauf-Stelle", "territory": "12060",
              "source": "beispieldaten"}
    created = editing.prepare(store, "body", "wettlauf-stelle", editing.build(store, "body", "wettlauf-stelle", fields),
                              None, True)
    store.update(created.update)
    iri = created.iri
    read = editing.etag(store, iri)
    assert read == created.etag
    change = editing.prepare(store, "body", "wettlauf-stelle",
                             editing.build(store, "body", "wettlauf-stelle", {**fields, "label": "Neue Fassung"}),
                             read, False)
    store.update(f'INSERT DATA {{ GRAPH <{NOTES}> {{ <{iri}> rdfs:comment "Notiz der Analyse" }} }}')
    before = _statements(store, iri)
    with pytest.raises(RuntimeError) as failed:
        store.update(change.update)
    assert editing.stale(change, failed.value)
    assert _statements(store, iri) == before
    assert (NOTES, "http://www.w3.org/2000/01/rdf-schema#comment", "Notiz der Analyse") in before
    assert not store.has_graph(change.guard)
    again = editing.prepare(store, "body", "wettlauf-stelle",
                            editing.build(store, "body", "wettlauf-stelle", {**fields, "label": "Neue Fassung"}),
                            editing.etag(store, iri), False)
    store.update(again.update)
    assert editing.etag(store, iri) == again.etag


def test_a_sparql_update_racing_a_change_is_never_lost(editing_server: Server) -> None:
    """An editor changes a body while an analyst's SPARQL update adds a note to it, many times, the update
    sent at different moments of the change: the note is always there afterwards. The change either came
    first (200, its label written) or was overtaken (412 with the new ETag, its label not written)."""
    made = httpx.post(editing_server.url + "/api/bodies", headers=AUTH, json=_body(
        slug="wettlauf-barnim", label="Wettlauf Barnim"))
    assert made.status_code == 201, made.text
    iri = made.json()["iri"]
    for round in range(12):
        etag = httpx.get(editing_server.url + "/api/bodies/wettlauf-barnim").headers["etag"]
        start = threading.Barrier(2)
        answers: dict[str, httpx.Response] = {}

        def change(round: int = round, etag: str = etag, start: threading.Barrier = start,
                   answers: dict[str, httpx.Response] = answers) -> None:
            start.wait()
            answers["put"] = httpx.put(editing_server.url + "/api/bodies/wettlauf-barnim", timeout=60, json=_body(
                slug="wettlauf-barnim", label=f"Wettlauf Barnim, Fassung {round}"), headers={**AUTH, "If-Match": etag})

        def note(round: int = round, start: threading.Barrier = start,
                 answers: dict[str, httpx.Response] = answers) -> None:
            start.wait()
            threading.Event().wait(0.04 * round)
            answers["sparql"] = _sparql_update(editing_server, f'INSERT DATA {{ GRAPH <{NOTES}> {{ <{iri}> '
                                                               f'rdfs:comment "Notiz {round}" }} }}')

        threads = [threading.Thread(target=change), threading.Thread(target=note)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers["sparql"].status_code == 200, answers["sparql"].text
        assert answers["put"].status_code in (200, 412), answers["put"].text
        ask = (f'ASK {{ GRAPH <{NOTES}> {{ <{iri}> rdfs:comment "Notiz {round}" }} }}')
        kept = httpx.get(editing_server.url + "/sparql", params={"query": ask},
                         headers={"Accept": "application/sparql-results+json"}).json()["boolean"]
        assert kept, f"round {round}: the SPARQL update's note was overwritten ({answers['put'].status_code})"
        label = httpx.get(editing_server.url + "/api/bodies/wettlauf-barnim").json()["label"]
        if answers["put"].status_code == 412:
            assert answers["put"].headers["etag"] == _history(editing_server, iri).headers["etag"]
            assert label != f"Wettlauf Barnim, Fassung {round}"
        else:
            assert label == f"Wettlauf Barnim, Fassung {round}"


def test_an_edited_entity_of_the_shipped_data_keeps_its_edit_when_the_data_are_loaded_again(
        seeded_store_dir: Path, tmp_path: Path) -> None:
    """An editor gives a responsibility of the example data another holder over the write API. After a
    restart of an upgraded service reloads the shipped example file, and after the operator loads it again
    with 'synergraph load',
    the responsibility has exactly the edited holder and territory, no statement of the file's old version,
    and the history of each load names the entity whose edited state was kept."""
    copy = tmp_path / "store"
    shutil.copytree(seeded_store_dir, copy)
    examples = next(entry for entry in seed_files() if entry.example)
    store = Store(copy)
    iri = str(store.value(f"SELECT ?r WHERE {{ GRAPH <{examples.graph}> {{ ?r a sg:Responsibility ; "
                          "sg:role role:federfuehrend } } ORDER BY ?r LIMIT 1"))
    topic = str(store.value("SELECT ?t ?r WHERE { ?r sg:topic ?t }", r=URIRef(iri))).rsplit("/", 1)[1]
    del store
    slug = iri.rsplit("/", 1)[1]
    running = Server(copy, env=TOKENS)
    try:
        changed = httpx.put(running.url + f"/api/responsibilities/{slug}", headers={
            **AUTH, "If-Match": httpx.get(running.url + f"/api/responsibilities/{slug}").headers["etag"]}, json={
            "slug": slug, "holder": "verwaltung-12060", "topic": topic, "territory": "12060",
            "role": "federfuehrend", "source": "beispieldaten"})
        assert changed.status_code == 200, changed.text
    finally:
        running.stop()
    edited = {(p, o) for _, p, o in _statements(Store(copy), iri)}

    def state(store: Store) -> set[tuple[str, str, str]]:
        found = _statements(store, iri)
        assert {(p, o) for _, p, o in found} == edited
        assert {g for g, _, _ in found} == {editing.edit_graph("responsibility", slug)}
        return found

    store = Store(copy)
    # what an upgrade with a changed example file does: its recorded checksum no longer matches
    store.update(f"DELETE WHERE {{ GRAPH <https://w3id.org/synergraph/graph/catalog> "
                 f"{{ <{examples.graph}> <https://w3id.org/synergraph/def/checksum> ?c }} }}")
    del store
    Server(copy).stop()
    store = Store(copy)
    assert store.value("SELECT ?c ?g WHERE { GRAPH ?catalog { ?g sg:checksum ?c } }", g=URIRef(examples.graph),
                       catalog=URIRef("https://w3id.org/synergraph/graph/catalog")) is not None
    state(store)
    del store
    loaded = cli("load", str(examples.path), store=copy)
    assert loaded.returncode == 0, loaded.stderr
    store = Store(copy)
    state(store)
    holders = store.select("SELECT ?h ?r WHERE { ?r sg:holder ?h }", r=URIRef(iri))
    assert holders == [{"h": "https://w3id.org/synergraph/id/body/verwaltung-12060", "r": iri}]
    notes = [c.operation or "" for c in editing.changes_of(store, iri)]
    assert sum(f"Fassung der Redaktion behalten: <{iri}>" in n for n in notes) == 2, notes


@pytest.mark.parametrize("path", ["/api/bodies/Gro%C3%9F%20Stelle/end", "/api/initiatives/x%3E%20%7D/end"])
def test_an_address_that_is_no_slug_is_refused(editing_server: Server, path: str) -> None:
    """Ending something at an address that is no slug is a 422 naming the slug, never a server error."""
    refused = httpx.post(editing_server.url + path, json={"date": "2025-06-30"}, headers={**AUTH, "If-Match": '"x"'})
    assert refused.status_code == 422, refused.text
    assert "slug" in refused.text
