"""People who do not write SPARQL ask the catalog over ``/api/...`` of a real server.

Expectations come from the data files themselves (the Turtle files read with rdflib, the keys of the
official territory register), never from the service under test.
"""

from __future__ import annotations

import csv
import datetime
import re
import urllib.parse
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import Server
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from synergraph.graph.seed import seed_files

BASE = "https://w3id.org/synergraph/"
SG = Namespace(BASE + "def/")
T = Namespace(BASE + "id/territory/")
TOPIC = Namespace(BASE + "def/topic/")
ROLE = Namespace(BASE + "def/role/")
LEVEL = Namespace(BASE + "def/level/")
STATUS = Namespace(BASE + "def/status/")
BIESENTHAL_CHAIN = ["120605003", "12060", "12", "de"]


def get(server: Server, path: str, **params: Any) -> Any:
    response = httpx.get(server.url + path, params=params, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def every(server: Server, path: str, **params: Any) -> list[dict[str, Any]]:
    """All items of a list endpoint, page by page (checking that the pages add up)."""
    items: list[dict[str, Any]] = []
    total = None
    while True:
        page = get(server, path, limit=40, offset=len(items), **params)
        assert total is None or page["total"] == total
        total = page["total"]
        assert page["offset"] == len(items) and page["limit"] == 40
        items += page["items"]
        if not page["items"] or len(items) >= total:
            break
    assert len(items) == total
    assert len({item["iri"] for item in items}) == total
    return items


def iris(items: list[dict[str, Any]]) -> set[str]:
    return {item["iri"] for item in items}


@pytest.fixture(scope="module")
def facts() -> Graph:
    """The Turtle files of the seed graph, read with rdflib: the independent source of expectations."""
    graph = Graph()
    for entry in seed_files():
        if entry.path.suffix == ".ttl":
            graph.parse(entry.path)
    return graph


def valid_today(graph: Graph, node: URIRef) -> bool:
    today = datetime.date.today()
    start = graph.value(node, SG.validFrom)
    end = graph.value(node, SG.validUntil)
    return (start is None or start.toPython() <= today) and (end is None or today <= end.toPython())


def narrower_or_same(graph: Graph, topic: URIRef) -> set[URIRef]:
    return {
        row[0]
        for row in graph.query(
            "SELECT ?t WHERE { ?t skos:broader* ?top }", initNs={"skos": SKOS}, initBindings={"top": topic}
        )
    }


# -- the OpenAPI document ----------------------------------------------------------------------------

ENDPOINTS = [
    "/api/bodies",
    "/api/bodies/{slug}",
    "/api/territories",
    "/api/territories/{key}",
    "/api/topics",
    "/api/responsibilities",
    "/api/responsibilities/{slug}",
    "/api/initiatives",
    "/api/initiatives/{slug}",
    "/api/search",
]


def test_the_openapi_document_describes_every_endpoint(server: Server) -> None:
    document = get(server, "/openapi.json")
    for path in ENDPOINTS:
        operation = document["paths"][path]["get"]
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema["$ref"].startswith("#/components/schemas/"), path
        assert "422" in operation["responses"], path
        names = {p["name"] for p in operation.get("parameters", [])}
        if "{" not in path and path != "/api/topics":
            assert {"limit", "offset"} <= names, path
    for path in ("/api/bodies/{slug}", "/api/territories/{key}", "/api/responsibilities/{slug}",
                 "/api/initiatives/{slug}"):
        assert "404" in document["paths"][path]["get"]["responses"]
    for path in ("/api/bodies", "/api/bodies/{slug}", "/api/responsibilities/{slug}", "/api/initiatives",
                 "/api/initiatives/{slug}"):
        assert "as_of" in {p["name"] for p in document["paths"][path]["get"]["parameters"]}, path
    assert {"parameter", "detail", "status", "title"} <= set(
        document["components"]["schemas"]["Problem"]["properties"]
    )


# -- territories ---------------------------------------------------------------------------------------


def test_biesenthal_lies_in_its_amt_its_kreis_brandenburg_and_germany(server: Server) -> None:
    body = get(server, "/api/territories/12060024")
    assert body["iri"] == str(T["12060024"]) and body["page"] == "/id/territory/12060024"
    assert body["label"].startswith("Biesenthal") and body["ags"] == "12060024"
    assert [ref["iri"] for ref in body["within"]] == [str(T[key]) for key in BIESENTHAL_CHAIN]
    assert all(ref["label"] for ref in body["within"])
    amt = get(server, "/api/territories/120605003")
    assert str(T["12060024"]) in iris(amt["contains"])
    assert all(ref["iri"].startswith(str(T["12060"])) for ref in amt["contains"])
    assert [ref["iri"] for ref in amt["within"]] == [str(T[key]) for key in BIESENTHAL_CHAIN[1:]]


def source_file(name: str) -> Path:
    return next(entry.path for entry in seed_files() if entry.path.name == name)


def association_2020(ags: str) -> str:
    """The Regionalschlüssel of the Gemeindeverband of a Gemeinde in the GV extract of 2020-12-31."""
    with source_file("destatis-gv-auszug-2020-12-31.csv").open(encoding="utf-8-sig") as handle:
        for row in csv.reader(handle):
            if row[0] == "60" and row[2] + row[3] + row[4] + row[6] == ags:
                return row[2] + row[3] + row[4] + row[5]
    raise AssertionError(f"{ags} is not in the GV extract")


def administration_2026(ags: str) -> str:
    """The name of the administration a Gemeinde belongs to in the list of 2026-01-31."""
    with source_file("brandenburg-verwaltungen-2026-01-31.csv").open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            if row["mitglied_ags"] == ags:
                return row["verwaltung"]
    raise AssertionError(f"{ags} is not in the list of administrations")


def test_neuhardenberg_belongs_to_different_aemter_before_and_after_the_change(server: Server) -> None:
    before = get(server, "/api/territories/12064340", as_of="2025-01-01")
    after = get(server, "/api/territories/12064340", as_of="2026-06-01")
    assert before["as_of"] == "2025-01-01" and after["as_of"] == "2026-06-01"
    old_amt = association_2020("12064340")
    assert before["within"][0]["iri"] == str(T[old_amt]) and before["within"][0]["type"] == "Amt"
    new_amt = after["within"][0]
    assert new_amt["iri"] != str(T[old_amt]) and new_amt["type"] == "Amt"
    assert administration_2026("12064340").removeprefix("Amt ") in new_amt["label"]
    for body in (before, after):
        assert [r["iri"] for r in body["within"][1:]] == [str(T[k]) for k in ("12064", "12", "de")]
    old_before = get(server, "/api/territories/" + old_amt, as_of="2025-01-01")
    old_after = get(server, "/api/territories/" + old_amt, as_of="2026-06-01")
    assert str(T["12064340"]) in iris(old_before["contains"])
    assert str(T["12064340"]) not in iris(old_after["contains"])
    new_after = get(server, "/api/territories/" + new_amt["iri"].rsplit("/", 1)[1], as_of="2026-06-01")
    assert str(T["12064340"]) in iris(new_after["contains"])


def test_territories_by_type_and_within_page_consistently(server: Server) -> None:
    municipalities = every(server, "/api/territories", type="Municipality")
    assert all(
        item["type"] == "Municipality" and re.fullmatch(r"12\d{6}", item["key"]) for item in municipalities
    )
    assert str(T["12060024"]) in iris(municipalities)
    barnim = every(server, "/api/territories", within="12060")
    assert barnim and all(item["key"].startswith("12060") for item in barnim)
    assert {str(T["12060024"]), str(T["120605003"])} <= iris(barnim)
    in_barnim = every(server, "/api/territories", within="12060", type="Municipality")
    assert iris(in_barnim) == {i["iri"] for i in municipalities if i["key"].startswith("12060")}
    first = get(server, "/api/territories", type="Municipality", limit=5)
    second = get(server, "/api/territories", type="Municipality", limit=5, offset=5)
    assert first["total"] == second["total"] == len(municipalities)
    assert not iris(first["items"]) & iris(second["items"])


# -- topics, bodies ------------------------------------------------------------------------------------


def test_the_topic_tree(server: Server, facts: Graph) -> None:
    body = get(server, "/api/topics")
    topics = {item["iri"]: item for item in body["items"]}
    expected = set(facts.subjects(SKOS.inScheme, SG.topics))
    assert set(topics) == {str(t) for t in expected} and body["total"] == len(expected)
    both = topics[str(TOPIC["smart-city-smart-region"])]
    assert set(both["broader"]) == {str(TOPIC["digitalisierung"]), str(TOPIC["stadtentwicklung"])}
    assert {str(TOPIC["smart-city"]), str(TOPIC["smart-region"])} <= set(both["narrower"])
    for iri, item in topics.items():
        assert set(item["broader"]) == {str(b) for b in facts.objects(URIRef(iri), SKOS.broader)}
        assert item["label"] in {
            str(o) for o in facts.objects(URIRef(iri), SKOS.prefLabel) if o.language == "de"
        }


def mdjd(facts: Graph) -> URIRef:
    found = [s for s in facts.subjects(SG.abbreviation, Literal("MdJD"))]
    assert len(found) == 1, "the seed data name the MdJD once"
    return URIRef(found[0])


def test_bodies_by_level_type_and_name(server: Server, facts: Graph) -> None:
    land = every(server, "/api/bodies", level="land")
    assert all(item["level"]["iri"] == str(LEVEL.land) for item in land)
    assert {str(b) for b in facts.subjects(SG.level, LEVEL.land)} <= iris(land)
    ministry = mdjd(facts)
    assert str(ministry) in iris(land)
    ministries = every(server, "/api/bodies", type="StateMinistry")
    assert str(ministry) in iris(ministries) and iris(ministries) <= iris(land)
    named = get(server, "/api/bodies", q="mdjd")
    assert str(ministry) in iris(named["items"])
    one = get(server, "/api/bodies/" + str(ministry).rsplit("/", 1)[1])
    assert one["abbreviation"] == "MdJD" and one["page"] == str(ministry).removeprefix(BASE[:-1])
    assert one["label"] in {str(o) for o in facts.objects(ministry, RDFS.label) if o.language == "de"}


# -- responsibilities ----------------------------------------------------------------------------------


def test_a_gemeinde_sees_the_responsibilities_of_every_territory_containing_it(
    server: Server, facts: Graph
) -> None:
    items = every(server, "/api/responsibilities", territory="12060024")
    places = {str(T[k]) for k in ["12060024", *BIESENTHAL_CHAIN]}
    expected = {
        str(r)
        for r in facts.subjects(RDF.type, SG.Responsibility)
        if str(facts.value(r, SG.territory)) in places
    }
    assert iris(items) == expected
    ministry = mdjd(facts)
    for item in items:
        assert item["page"] == item["iri"].removeprefix(BASE[:-1]) and item["label"]
        if (URIRef(item["iri"]), RDFS.label, None) in facts:
            assert item["label"] in {str(o) for o in facts.objects(URIRef(item["iri"]), RDFS.label)}
    ki = [
        item
        for item in items
        if item["holder"]["iri"] == str(ministry)
        and item["topic"]["iri"] == str(TOPIC["kuenstliche-intelligenz"])
    ]
    assert ki and all(item["territory"]["iri"] == str(T["12"]) and item["inherited"] for item in ki)
    own_only = every(server, "/api/responsibilities", territory="12060024", include_containing="false")
    assert all(item["territory"]["iri"] == str(T["12060024"]) for item in own_only)
    assert not iris(own_only) & {item["iri"] for item in ki}


def test_responsibilities_by_topic_include_narrower_topics(server: Server, facts: Graph) -> None:
    wide = every(server, "/api/responsibilities", topic="digitalisierung")
    topics = {str(t) for t in narrower_or_same(facts, TOPIC.digitalisierung)}
    expected = {
        str(r) for r in facts.subjects(RDF.type, SG.Responsibility) if str(facts.value(r, SG.topic)) in topics
    }
    assert iris(wide) == expected and expected
    exact = every(server, "/api/responsibilities", topic="digitalisierung", exact="true")
    assert iris(exact) == {
        str(r)
        for r in facts.subjects(SG.topic, TOPIC.digitalisierung)
        if (r, RDF.type, SG.Responsibility) in facts
    }


def test_responsibilities_by_role_holder_and_day(server: Server, facts: Graph) -> None:
    lead = every(server, "/api/responsibilities", role="federfuehrend")
    assert iris(lead) == {str(r) for r in facts.subjects(SG.role, ROLE.federfuehrend)}
    ministry = mdjd(facts)
    held = every(server, "/api/responsibilities", holder=str(ministry).rsplit("/", 1)[1])
    assert iris(held) == {str(r) for r in facts.subjects(SG.holder, ministry)}
    today = every(server, "/api/responsibilities", as_of=datetime.date.today().isoformat())
    assert iris(today) == {
        str(r) for r in facts.subjects(RDF.type, SG.Responsibility) if valid_today(facts, r)
    }
    for item in lead:
        for key in ("valid_from", "valid_until", "known_valid_on"):
            assert item[key] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", item[key])


def test_one_responsibility_by_its_address_with_the_etag_for_changes(server: Server, facts: Graph) -> None:
    """A responsibility that ended in 2023 can still be read at its own address, with the fields of the
    list and the ETag a change needs; asked for a day after its end it is 404."""
    ended = [r for r in facts.subjects(RDF.type, SG.Responsibility)
             if (end := facts.value(r, SG.validUntil)) is not None and end.toPython() < datetime.date.today()]
    assert ended, "the example data hold a responsibility that has ended"
    iri = str(ended[0])
    slug = iri.rsplit("/", 1)[1]
    response = httpx.get(server.url + "/api/responsibilities/" + slug)
    assert response.status_code == 200, response.text
    one = response.json()
    assert one["iri"] == iri and one["valid_until"] == str(facts.value(ended[0], SG.validUntil))
    assert one["holder"]["iri"] == str(facts.value(ended[0], SG.holder))
    listed = next(item for item in every(server, "/api/responsibilities", role=one["role"]["iri"].rsplit("/", 1)[1])
                  if item["iri"] == iri)
    assert listed == one
    history = httpx.get(server.url + "/api/history", params={"entity": iri})
    assert response.headers["etag"] == history.headers["etag"] and response.headers["etag"].startswith('"')
    day_after = (facts.value(ended[0], SG.validUntil).toPython() + datetime.timedelta(days=1)).isoformat()
    assert httpx.get(server.url + "/api/responsibilities/" + slug, params={"as_of": day_after}).status_code == 404
    assert httpx.get(server.url + "/api/responsibilities/gibt-es-nicht").status_code == 404


# -- initiatives ---------------------------------------------------------------------------------------


def initiatives_in(graph: Graph) -> set[URIRef]:
    """Everything typed with sg:Initiative or one of its subclasses in the Turtle files."""
    rows = graph.query(
        "SELECT ?i WHERE { ?i a/rdfs:subClassOf* sg:Initiative }", initNs={"rdfs": RDFS, "sg": SG}
    )
    return {row[0] for row in rows}


def test_initiatives_by_topic_territory_status_and_body(server: Server, facts: Graph) -> None:
    initiatives = initiatives_in(facts)
    everything = every(server, "/api/initiatives")
    assert {str(i) for i in initiatives} <= iris(everything)
    topics = {str(t) for t in narrower_or_same(facts, TOPIC.digitalisierung)}
    by_topic = every(server, "/api/initiatives", topic="digitalisierung")
    assert iris(by_topic) == {i["iri"] for i in everything if {t["iri"] for t in i["topics"]} & topics}
    assert iris(by_topic) == {
        str(i) for i in initiatives if {str(t) for t in facts.objects(i, SG.topic)} & topics
    }
    in_brandenburg = every(server, "/api/initiatives", territory="12")
    assert iris(in_brandenburg) == {
        str(i)
        for i in initiatives
        if any(str(t).startswith(str(T["12"])) for t in facts.objects(i, SG.territory))
    }
    running = every(server, "/api/initiatives", status="laufend")
    assert iris(running) == {str(i) for i in facts.subjects(SG.status, STATUS.laufend)}
    ministry = mdjd(facts)
    involved = every(server, "/api/initiatives", body=str(ministry).rsplit("/", 1)[1])
    assert iris(involved) == {
        str(i) for p in (SG.leadBody, SG.partner, SG.funder) for i in facts.subjects(p, ministry)
    }


def test_one_initiative_with_its_title(server: Server, facts: Graph) -> None:
    initiative = sorted(initiatives_in(facts))[0]
    body = get(server, "/api/initiatives/" + str(initiative).rsplit("/", 1)[1])
    titles = {str(o) for o in facts.objects(initiative, DCTERMS.title) if o.language == "de"}
    assert body["label"] in titles and body["page"] == str(initiative).removeprefix(BASE[:-1])
    assert {f["iri"] for f in body["key_figures"]} == {
        str(f) for f in facts.objects(initiative, SG.keyFigure)
    }
    assert all(f["page"] == f["iri"].removeprefix(BASE[:-1]) for f in body["key_figures"])
    assert body["start_date"] is None or re.fullmatch(r"\d{4}(-\d{2}-\d{2})?", body["start_date"])


def test_an_initiative_as_of_a_day_outside_its_running_time(server: Server, facts: Graph) -> None:
    """An initiative that has ended is listed and readable for a day while it ran, not for a day after."""
    ended = sorted(i for i in initiatives_in(facts)
                   if (end := facts.value(i, SG.endDate)) is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(end))
                   and datetime.date.fromisoformat(str(end)) < datetime.date.today())
    assert ended, "the seed data hold an initiative that has ended"
    initiative = ended[0]
    slug = str(initiative).rsplit("/", 1)[1]
    last = datetime.date.fromisoformat(str(facts.value(initiative, SG.endDate)))
    later = (last + datetime.timedelta(days=1)).isoformat()
    assert get(server, "/api/initiatives/" + slug, as_of=last.isoformat())["iri"] == str(initiative)
    assert str(initiative) in iris(every(server, "/api/initiatives", as_of=last.isoformat()))
    refused = httpx.get(server.url + "/api/initiatives/" + slug, params={"as_of": later})
    assert refused.status_code == 404 and refused.json()["parameter"] == "as_of"
    assert str(initiative) not in iris(every(server, "/api/initiatives", as_of=later))
    assert get(server, "/api/initiatives/" + slug)["iri"] == str(initiative)


# -- errors --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/territories/99999999", "/api/bodies/gibt-es-nicht", "/api/initiatives/gibt-es-nicht",
             "/api/responsibilities/gibt-es-nicht", "/api/responsibilities/a%20b%3E", "/api/bodies/a%20b%3E"]
)
def test_unknown_keys_are_404_problems_in_german(server: Server, path: str) -> None:
    response = httpx.get(server.url + path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 404 and "nicht bekannt" in problem["detail"]
    assert urllib.parse.unquote(path.rsplit("/", 1)[1]) in problem["detail"]


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/api/territories/12064340", {"as_of": "2025-02-30"}, "as_of"),
        ("/api/responsibilities", {"role": "chef"}, "role"),
        ("/api/responsibilities", {"territory": "99999999"}, "territory"),
        ("/api/initiatives", {"status": "vielleicht"}, "status"),
        ("/api/bodies", {"limit": "0"}, "limit"),
        ("/api/territories", {"offset": "-1"}, "offset"),
        ("/api/bodies", {"level": "galaxis"}, "level"),
        ("/api/territories", {"type": "Raumschiff"}, "type"),
    ],
)
def test_bad_parameters_are_422_problems_naming_the_parameter(
    server: Server, path: str, params: dict[str, str], parameter: str
) -> None:
    response = httpx.get(server.url + path, params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["parameter"] == parameter and f"'{parameter}'" in problem["detail"]
