"""An analyst asks about territories: counts, containment, administrations and changes over time.

Every expectation is derived from the official source files in data/sources (read here with the
csv module, independently of the importer) or from the facts stated in data/sources/SOURCE.md.
"""

from __future__ import annotations

import csv
import datetime
import time
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD
from synergraph.graph.errors import InputError
from synergraph.graph.gemeindeverzeichnis import read_administrations, read_gv_extract
from synergraph.graph.namespaces import PREFIXES, SG, resource

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "data" / "sources"
ONTOLOGY = REPO / "ontology" / "synergraph.ttl"
GV = SOURCES / "destatis-gv-auszug-2020-12-31.csv"
ADMINISTRATIONS = SOURCES / "brandenburg-verwaltungen-2026-01-31.csv"
GV_SOURCE = resource("source", GV.stem)
ADMINISTRATIONS_SOURCE = resource("source", ADMINISTRATIONS.stem)
# Dates stated in SOURCE.md: Gebietsstand, population date, Stand of the list of administrations.
GEBIETSSTAND = datetime.date(2020, 12, 31)
POPULATION_DATE = datetime.date(2019, 12, 31)
AS_OF = datetime.date(2026, 1, 31)
DAY_BEFORE = "2026-01-30"
BRANDENBURG = "12"


def T(key: str) -> URIRef:
    return resource("territory", key)


def _gv_rows(land: str | None = None) -> list[dict[str, str]]:
    with GV.open(encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.DictReader(handle) if land is None or row["land"] == land]


def _administration_rows() -> list[dict[str, str]]:
    with ADMINISTRATIONS.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def _ags(row: dict[str, str]) -> str:
    return row["land"] + row["rb"] + row["kreis"] + row["gemeinde"]


def _association_key(row: dict[str, str]) -> str:
    return row["land"] + row["rb"] + row["kreis"] + row["vb"]


def _gemeinde_row(ags: str) -> dict[str, str]:
    return next(r for r in _gv_rows(ags[:2]) if r["satzart"] == "60" and _ags(r) == ags)


def _association_row(key: str) -> dict[str, str]:
    return next(r for r in _gv_rows(key[:2]) if r["satzart"] == "50" and _association_key(r) == key)


@pytest.fixture(scope="module")
def brandenburg() -> Graph:
    return read_gv_extract(GV, [BRANDENBURG], GV_SOURCE, GEBIETSSTAND, population_date=POPULATION_DATE)


@pytest.fixture(scope="module")
def changes(brandenburg: Graph) -> Graph:
    return read_administrations(ADMINISTRATIONS, brandenburg, AS_OF, ADMINISTRATIONS_SOURCE)


@pytest.fixture(scope="module")
def history(brandenburg: Graph, changes: Graph) -> Graph:
    """The 2020 territories and the 2026 changes together with the vocabulary, as a store holds them."""
    return brandenburg + changes + Graph().parse(ONTOLOGY)


@pytest.fixture(scope="module")
def germany() -> tuple[Graph, float]:
    started = time.perf_counter()
    graph = read_gv_extract(GV, None, GV_SOURCE, GEBIETSSTAND, population_date=POPULATION_DATE)
    return graph, time.perf_counter() - started


def _instances(graph: Graph, cls: URIRef) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)}


def _label(graph: Graph, subject: URIRef, lang: str = "de") -> str:
    labels = [o for o in graph.objects(subject, RDFS.label) if isinstance(o, Literal) and o.language == lang]
    assert len(labels) == 1, (subject, labels)
    return str(labels[0])


# --- the 2020 Gebietsstand of one Land ----------------------------------------------------------


def test_brandenburg_has_the_official_numbers_of_kreise_aemter_and_gemeinden(brandenburg: Graph) -> None:
    rows = _gv_rows(BRANDENBURG)
    kreise = Counter(r["textkennzeichen"] for r in rows if r["satzart"] == "40")
    verbaende = Counter(r["textkennzeichen"] for r in rows if r["satzart"] == "50")
    gemeinde_keys = {_ags(r) for r in rows if r["satzart"] == "60"}
    # The figures of SOURCE.md, which the file itself must bear out ...
    assert (kreise["41"], kreise["44"], verbaende["51"], verbaende["53"], len(gemeinde_keys)) == (
        4,
        14,
        52,
        1,
        417,
    )
    # ... and which the graph must hold.
    assert len(_instances(brandenburg, SG.DistrictFreeCity)) == 4
    assert len(_instances(brandenburg, SG.District)) == 14
    assert len(_instances(brandenburg, SG.Amt)) == 52
    assert len(_instances(brandenburg, SG.Verbandsgemeinde)) == 1
    municipalities = _instances(brandenburg, SG.Municipality)
    assert len(municipalities) == 417
    keys = {str(brandenburg.value(g, SG.ags)) for g in municipalities}
    assert keys == gemeinde_keys
    assert all(len(k) == 8 and k.isdigit() and k.startswith(BRANDENBURG) for k in keys)
    assert {g for g in municipalities} == {T(k) for k in keys}
    assert not _instances(brandenburg, SG.UnincorporatedArea)


def test_biesenthal_lies_in_its_amt_in_barnim_in_brandenburg(brandenburg: Graph) -> None:
    row = _gemeinde_row("12060024")
    amt_key, kreis_key = _association_key(row), "12060024"[:5]
    assert amt_key == "120605003"
    assert _label(brandenburg, T("12060024")) == row["gemeindename"] == "Biesenthal, Stadt"
    assert _label(brandenburg, T(amt_key)) == "Amt " + _association_row(amt_key)["gemeindename"]
    assert _label(brandenburg, T(amt_key)) == "Amt Biesenthal-Barnim"
    assert brandenburg.value(T(amt_key), SG.regionalKey) == Literal(amt_key)
    assert brandenburg.value(T(kreis_key), SG.ags) == Literal(kreis_key)

    chain = brandenburg.query(
        """SELECT ?amt ?kreis ?land WHERE {
             ?g sg:within ?amt . ?amt a sg:Amt ; sg:within ?kreis .
             ?kreis a sg:District ; sg:within ?land . ?land a sg:State ; sg:within ?de . ?de a sg:Country }""",
        initNs=PREFIXES,
        initBindings={"g": T("12060024")},
    )
    assert [(r.amt, r.kreis, r.land) for r in chain] == [(T(amt_key), T(kreis_key), T(BRANDENBURG))]  # type: ignore[union-attr]
    ancestors = brandenburg.query(
        "SELECT ?t WHERE { ?g sg:within+ ?t }", initNs=PREFIXES, initBindings={"g": T("12060024")}
    )
    assert {r.t for r in ancestors} == {T(amt_key), T(kreis_key), T(BRANDENBURG), T("de")}  # type: ignore[union-attr]
    # The Gemeinde lies in its Kreis directly as well, not only through its Amt.
    assert (T("12060024"), SG.within, T(kreis_key)) in brandenburg


def test_every_within_link_has_exactly_one_qualified_containment(brandenburg: Graph) -> None:
    links = set(brandenburg.subject_objects(SG.within))
    containments = _instances(brandenburg, SG.Containment)
    qualified = [
        (brandenburg.value(c, SG.contained), brandenburg.value(c, SG.container)) for c in containments
    ]
    assert len(qualified) == len(set(qualified)) == len(links)
    assert set(qualified) == links
    for c in containments:
        assert brandenburg.value(c, SG.knownValidOn) == Literal(GEBIETSSTAND.isoformat(), datatype=XSD.date)
        assert str(c).endswith(
            f"/{str(brandenburg.value(c, SG.contained)).rsplit('/', 1)[1]}-"
            f"{str(brandenburg.value(c, SG.container)).rsplit('/', 1)[1]}"
        )


def test_every_territory_and_administration_cites_the_extract(brandenburg: Graph) -> None:
    subjects = {s for s in brandenburg.subjects() if isinstance(s, URIRef)}
    assert subjects == set(brandenburg.subjects(DCTERMS.source, GV_SOURCE))
    for s in subjects:
        if (s, RDF.type, SG.Containment) not in brandenburg:
            _label(brandenburg, s)  # exactly one German label


def test_population_area_postcode_and_position_come_from_the_extract(brandenburg: Graph) -> None:
    rows = [r for r in _gv_rows(BRANDENBURG) if r["satzart"] == "60"]
    assert sum(int(brandenburg.value(T(_ags(r)), SG.population)) for r in rows) == sum(  # type: ignore[arg-type]
        int(r["bevoelkerung"].replace(" ", "")) for r in rows
    )
    potsdam = _gemeinde_row("12054000")
    g = T("12054000")
    assert brandenburg.value(g, SG.area) == Literal(potsdam["flaeche"].strip(), datatype=XSD.decimal)
    assert str(brandenburg.value(g, SG.postalCode)) == potsdam["postleitzahl"]
    assert brandenburg.value(g, SG.populationDate) == Literal("2019-12-31", datatype=XSD.date)
    assert float(brandenburg.value(g, URIRef(PREFIXES["geo"] + "lat"))) == float(  # type: ignore[arg-type]
        potsdam["breitengrad"].replace(",", ".")
    )
    assert float(brandenburg.value(g, URIRef(PREFIXES["geo"] + "long"))) == float(  # type: ignore[arg-type]
        potsdam["laengengrad"].replace(",", ".")
    )


def test_each_kreis_amt_and_verbandsfreie_gemeinde_has_its_administration(brandenburg: Graph) -> None:
    rows = _gv_rows(BRANDENBURG)
    administered = {o for o in brandenburg.objects(None, SG.administers)}
    barnim = resource("body", "verwaltung-12060")
    assert (barnim, RDF.type, SG.DistrictAdministration) in brandenburg
    assert _label(brandenburg, barnim) == "Kreisverwaltung Barnim"
    assert _label(brandenburg, barnim, "en") == "District administration of Barnim"
    assert brandenburg.value(barnim, SG.level) == URIRef(PREFIXES["level"] + "kreis")
    potsdam = resource("body", "verwaltung-12054")
    assert (potsdam, RDF.type, SG.CityAdministration) in brandenburg
    assert _label(brandenburg, potsdam) == "Stadtverwaltung Potsdam"
    assert set(brandenburg.objects(potsdam, SG.administers)) == {T("12054"), T("12054000")}
    amt = resource("body", "verwaltung-120605003")
    assert (amt, RDF.type, SG.AmtAdministration) in brandenburg
    assert _label(brandenburg, amt) == "Amtsverwaltung Biesenthal-Barnim"
    assert brandenburg.value(amt, SG.level) == URIRef(PREFIXES["level"] + "amt")
    assert brandenburg.value(amt, DCTERMS.spatial) == T("120605003")

    # Every Kreis and every real Gemeindeverband has one; Gemeinden in a Gemeindeverband have none;
    # a verbandsfreie Gemeinde of a Landkreis has its own (keyed by its Gemeindeverband row).
    assert {T(r["land"] + r["rb"] + r["kreis"]) for r in rows if r["satzart"] == "40"} <= administered
    for row in (r for r in rows if r["satzart"] == "50" and r["textkennzeichen"] != "50"):
        assert (
            resource("body", f"verwaltung-{_association_key(row)}"),
            SG.administers,
            T(_association_key(row)),
        ) in (brandenburg)
    verbandsfrei = {
        _association_key(r) for r in rows if r["satzart"] == "50" and r["textkennzeichen"] == "50"
    }
    for row in (r for r in rows if r["satzart"] == "60"):
        if _association_key(row) not in verbandsfrei:
            assert T(_ags(row)) not in administered
        elif row["textkennzeichen"] != "61":
            body = resource("body", f"verwaltung-{_association_key(row)}")
            assert (body, RDF.type, SG.MunicipalAdministration) in brandenburg
            assert (body, SG.administers, T(_ags(row))) in brandenburg
            assert brandenburg.value(body, SG.level) == URIRef(PREFIXES["level"] + "gemeinde")
    assert not set(brandenburg.subjects(SG.administers, T(BRANDENBURG)))  # Land bodies come from elsewhere


# --- all of Germany -----------------------------------------------------------------------------


def test_all_of_germany_loads_in_a_few_seconds(
    germany: tuple[Graph, float], capsys: pytest.CaptureFixture[str]
) -> None:
    graph, seconds = germany
    rows = _gv_rows()
    gemeinden = [r for r in rows if r["satzart"] == "60"]
    unpopulated = [r for r in gemeinden if int(r["bevoelkerung"].replace(" ", "") or 0) == 0]
    # SOURCE.md: 16 Länder, 11 004 Gemeinden and gemeindefreie Gebiete, 208 of them uninhabited.
    assert (sum(r["satzart"] == "10" for r in rows), len(gemeinden), len(unpopulated)) == (16, 11004, 208)
    assert len(_instances(graph, SG.State)) == 16
    assert {str(graph.value(s, SG.ags)) for s in _instances(graph, SG.State)} == {
        r["land"] for r in rows if r["satzart"] == "10"
    }
    territories = _instances(graph, SG.Municipality) | _instances(graph, SG.UnincorporatedArea)
    assert territories == {T(_ags(r)) for r in gemeinden}
    assert {g for g in territories if graph.value(g, SG.population) == Literal(0)} == {
        T(_ags(r)) for r in unpopulated
    }
    assert _instances(graph, SG.UnincorporatedArea) == {
        T(_ags(r)) for r in gemeinden if r["textkennzeichen"] in {"65", "66"}
    }
    # Every Gemeinde reaches Germany through sg:within.
    with_key = set(graph.subjects(SG.ags))
    reached = graph.query(
        "SELECT DISTINCT ?t WHERE { ?t sg:ags ?key ; sg:within+ ?de }",
        initNs=PREFIXES,
        initBindings={"de": T("de")},
    )
    assert {r.t for r in reached} == with_key  # type: ignore[union-attr]
    with capsys.disabled():
        print(f"\n  all of Germany: {len(graph)} triples in {seconds:.2f} s")
    assert seconds < 60


# --- the 2026 administrations as dated changes --------------------------------------------------


def _old_association_of(ags: str) -> str:
    return _association_key(_gemeinde_row(ags))


def _administration_of_2026(ags: str) -> str | None:
    return next((r["verwaltung"] for r in _administration_rows() if r["mitglied_ags"] == ags), None)


def test_amt_neuhardenberg_ended_and_gemeinde_neuhardenberg_moved_to_seelow_land(
    brandenburg: Graph, changes: Graph
) -> None:
    old_key = _old_association_of("12064340")
    assert _association_row(old_key)["gemeindename"] == "Neuhardenberg"
    assert _administration_of_2026("12064340") == "Amt Seelow-Land"
    seelow = next(s for s in _instances(brandenburg, SG.Amt) if _label(brandenburg, s) == "Amt Seelow-Land")
    old, gemeinde = T(old_key), T("12064340")

    assert str(changes.value(old, SG.validUntil)) == DAY_BEFORE
    assert str(changes.value(resource("body", f"verwaltung-{old_key}"), SG.validUntil)) == DAY_BEFORE
    assert str(changes.value(resource("containment", f"{old_key}-12064"), SG.validUntil)) == DAY_BEFORE
    old_link = resource("containment", f"12064340-{old_key}")
    assert str(changes.value(old_link, SG.validUntil)) == DAY_BEFORE
    assert Literal(
        "Ende spätestens zum Stand 31.01.2026; genaues Datum nicht in der Quelle", lang="de"
    ) in set(changes.objects(old_link, SKOS.note))
    assert (gemeinde, SG.within, seelow) in changes
    new_link = resource("containment", f"12064340-{str(seelow).rsplit('/', 1)[1]}")
    assert (new_link, SG.contained, gemeinde) in changes and (new_link, SG.container, seelow) in changes
    assert str(changes.value(new_link, SG.validFrom)) == AS_OF.isoformat()
    # Every Gemeinde of the old Amt is listed again in 2026, so none is left without an association.
    members = {
        _ags(r) for r in _gv_rows(BRANDENBURG) if r["satzart"] == "60" and _association_key(r) == old_key
    }
    assert all(_administration_of_2026(m) for m in members)


ASSOCIATION_AS_OF = """
# Which Gemeindeverband (of any kind) is each Gemeinde ?g part of on ?day, and who administers it?
SELECT ?g ?association ?body WHERE {
  ?link sg:contained ?g ; sg:container ?association .
  ?association a ?kind . ?kind rdfs:subClassOf* sg:MunicipalAssociation .
  OPTIONAL { ?link sg:validFrom ?from }
  OPTIONAL { ?link sg:validUntil ?until }
  OPTIONAL { ?association sg:validFrom ?aFrom }
  OPTIONAL { ?association sg:validUntil ?aUntil }
  FILTER ((!BOUND(?from) || ?from <= ?day) && (!BOUND(?until) || ?day <= ?until))
  FILTER ((!BOUND(?aFrom) || ?aFrom <= ?day) && (!BOUND(?aUntil) || ?day <= ?aUntil))
  OPTIONAL {
    ?body sg:administers ?association .
    OPTIONAL { ?body sg:validUntil ?bUntil }
    FILTER (!BOUND(?bUntil) || ?day <= ?bUntil)
  }
}"""

_AS_OF_ANSWERS: dict[tuple[int, str], dict[URIRef, set[tuple[URIRef, URIRef | None]]]] = {}


def _associations_on(history: Graph, ags: str, day: str) -> set[tuple[URIRef, URIRef | None]]:
    """The answer of ASSOCIATION_AS_OF for one Gemeinde (asked once per day for all Gemeinden)."""
    if (id(history), day) not in _AS_OF_ANSWERS:
        answer: dict[URIRef, set[tuple[URIRef, URIRef | None]]] = {}
        for r in history.query(
            ASSOCIATION_AS_OF, initNs=PREFIXES, initBindings={"day": Literal(day, datatype=XSD.date)}
        ):
            answer.setdefault(r.g, set()).add((r.association, r.body))  # type: ignore[union-attr]
        _AS_OF_ANSWERS[id(history), day] = answer
    return _AS_OF_ANSWERS[id(history), day].get(T(ags), set())


@pytest.mark.parametrize(
    "day, new", [("2025-01-01", False), (DAY_BEFORE, False), ("2026-01-31", True), ("2026-06-01", True)]
)
def test_the_amt_of_neuhardenberg_as_of_a_date(history: Graph, day: str, new: bool) -> None:
    if new:
        name = _administration_of_2026("12064340")
        assert name is not None
        expected = {s for s in _instances(history, SG.Amt) if _label(history, s) == name}
    else:
        expected = {T(_old_association_of("12064340"))}
    found = _associations_on(history, "12064340", day)
    assert {a for a, _ in found} == expected
    assert {b for _, b in found} == {
        resource("body", f"verwaltung-{str(a).rsplit('/', 1)[1]}") for a in expected
    }


def test_pinnow_is_administered_by_schwedt_oder_from_2026(history: Graph, changes: Graph) -> None:
    listed = [r for r in _administration_rows() if r["mitglied_ags"] == "12073440"]
    assert [(r["verwaltung"], r["art"]) for r in listed] == [
        ("Schwedt/Oder, Stadt", "Mitverwaltende Gemeinde")
    ]
    schwedt = next(
        r
        for r in _gv_rows(BRANDENBURG)
        if r["satzart"] == "60" and r["gemeindename"] == listed[0]["verwaltung"]
    )
    schwedt_body = resource("body", f"verwaltung-{_association_key(schwedt)}")
    assert str(schwedt_body).endswith("verwaltung-120730532")
    community = T("mitverwaltung-schwedt-oder")

    assert (community, RDF.type, SG.AdministrativeCommunity) in changes
    assert _label(changes, community) == "Mitverwaltung Schwedt/Oder"
    assert str(changes.value(community, SG.validFrom)) == AS_OF.isoformat()
    assert changes.value(community, SG.ags) is None and changes.value(community, SG.regionalKey) is None
    assert (community, SG.within, T("12073")) in changes  # the Kreis of its members
    members = {
        T(r["mitglied_ags"]) for r in _administration_rows() if r["verwaltung"] == listed[0]["verwaltung"]
    }
    assert set(changes.subjects(SG.within, community)) == members
    assert (schwedt_body, SG.administers, community) in changes

    old_amt = T(_old_association_of("12073440"))
    assert _associations_on(history, "12073440", "2025-01-01") == {
        (old_amt, resource("body", f"verwaltung-{str(old_amt).rsplit('/', 1)[1]}"))
    }
    assert _associations_on(history, "12073440", "2026-06-01") == {(community, schwedt_body)}


def test_passow_and_the_other_unlisted_gemeinden_of_oder_welse_stay_unknown(
    history: Graph, changes: Graph
) -> None:
    old_key = _old_association_of("12073440")
    assert _association_row(old_key)["gemeindename"] == "Oder-Welse"
    members = {
        _ags(r): r["gemeindename"]
        for r in _gv_rows(BRANDENBURG)
        if r["satzart"] == "60" and _association_key(r) == old_key
    }
    unlisted = {ags: name for ags, name in members.items() if _administration_of_2026(ags) is None}
    # SOURCE.md names them: Passow, Mark Landin, Schöneberg and Berkholz-Meyenburg.
    assert sorted(unlisted.values()) == sorted(["Passow", "Mark Landin", "Schöneberg", "Berkholz-Meyenburg"])
    for ags in unlisted:
        assert _associations_on(history, ags, "2025-01-01") != set()
        assert _associations_on(history, ags, "2026-06-01") == set()
        assert not set(changes.objects(T(ags), SG.within))  # no guessed new link
        notes = {str(n) for n in changes.objects(resource("containment", f"{ags}-{old_key}"), SKOS.note)}
        assert any("nennt die heutige Verwaltung dieser Gemeinde nicht" in n for n in notes)
        kreis_link = resource("containment", f"{ags}-{ags[:5]}")
        assert (T(ags), SG.within, T("12073")) in history
        assert history.value(kreis_link, SG.validUntil) is None
    assert _label(history, T("12073")) == "Uckermark"


def test_every_subject_of_the_changes_cites_the_2026_list(changes: Graph) -> None:
    subjects = set(changes.subjects())
    assert subjects and subjects == set(changes.subjects(DCTERMS.source, ADMINISTRATIONS_SOURCE))
    # An ended fact is not claimed to hold on the date of the list.
    for ended in changes.subjects(SG.validUntil):
        assert changes.value(ended, SG.knownValidOn) is None


def test_every_listed_gemeinde_is_in_its_listed_association_in_2026(history: Graph) -> None:
    rows = _administration_rows()
    assert (len({r["verwaltung"] for r in rows}), len(rows)) == (52, 272)  # SOURCE.md
    for row in rows:
        found = _associations_on(history, row["mitglied_ags"], "2026-06-01")
        assert len(found) == 1, row
        ((association, _),) = found
        label = _label(history, association)
        name = row["verwaltung"].split(",")[0].removeprefix(row["art"] + " ")
        # Spaces may differ: the list writes "Amt Joachimsthal(Schorfheide)".
        assert label.split(" ", 1)[1].replace(" ", "") == name.replace(" ", ""), (row, label)


def test_reading_the_changes_leaves_the_2020_graph_untouched(brandenburg: Graph) -> None:
    before = set(brandenburg)
    again = read_administrations(ADMINISTRATIONS, brandenburg, AS_OF, ADMINISTRATIONS_SOURCE)
    assert set(brandenburg) == before
    assert len(again) > 0


def test_a_list_for_one_land_changes_nothing_elsewhere(germany: tuple[Graph, float], changes: Graph) -> None:
    graph, _ = germany
    everywhere = read_administrations(ADMINISTRATIONS, graph, AS_OF, ADMINISTRATIONS_SOURCE)
    assert set(everywhere) == set(changes)


# --- broken input -------------------------------------------------------------------------------


def _write(tmp_path: Path, name: str, lines: list[str], encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def _gv_lines(*keys: str) -> list[str]:
    """The header and the lines of the real extract for Land 12, Barnim and the Amt Biesenthal-Barnim."""
    lines = GV.read_text(encoding="utf-8-sig").splitlines()
    wanted = [lines[0]]
    for line in lines[1:]:
        fields = next(csv.reader([line]))
        if (
            fields[0] == "10"
            and fields[2] == "12"
            or fields[2:5] == ["12", "0", "60"]
            and fields[5] in ("", "5003")
        ):
            wanted.append(line)
    return wanted


def _assert_names(error: InputError, path: Path, line: int, field: str) -> None:
    assert (error.line, error.field) == (line, field)
    message = str(error)
    assert path.name in message and f"Zeile {line}" in message and f"Feld '{field}'" in message


def test_a_small_extract_of_real_rows_reads(tmp_path: Path) -> None:
    path = _write(tmp_path, "gv.csv", _gv_lines(), encoding="utf-8-sig")
    graph = read_gv_extract(path, None, GV_SOURCE, GEBIETSSTAND)
    assert (T("12060024"), SG.within, T("120605003")) in graph


@pytest.mark.parametrize(
    "column, bad, field",
    [(4, "6X", "kreis"), (2, "1", "land"), (0, "70", "satzart"), (1, "49", "textkennzeichen")],
)
def test_a_malformed_key_in_the_extract_names_file_line_and_field(
    tmp_path: Path, column: int, bad: str, field: str
) -> None:
    lines = _gv_lines()
    kreis_line = next(i for i, line in enumerate(lines) if line.startswith("40,"))
    fields = next(csv.reader([lines[kreis_line]]))
    fields[column] = bad
    lines[kreis_line] = ",".join(f'"{f}"' if "," in f else f for f in fields)
    path = _write(tmp_path, "gv-kaputt.csv", lines)
    with pytest.raises(InputError) as raised:
        read_gv_extract(path, None, GV_SOURCE, GEBIETSSTAND)
    _assert_names(raised.value, path, kreis_line + 1, field)
    assert raised.value.value == bad


def test_a_short_row_in_the_extract_names_its_line_and_first_missing_field(tmp_path: Path) -> None:
    lines = _gv_lines()
    lines.insert(2, "40,44,12")
    path = _write(tmp_path, "gv-kurz.csv", lines)
    with pytest.raises(InputError) as raised:
        read_gv_extract(path, None, GV_SOURCE, GEBIETSSTAND)
    _assert_names(raised.value, path, 3, "rb")


def test_a_gemeinde_without_its_kreis_is_refused(tmp_path: Path) -> None:
    lines = [line for line in _gv_lines() if not line.startswith("40,")]
    path = _write(tmp_path, "gv-ohne-kreis.csv", lines)
    with pytest.raises(InputError) as raised:
        read_gv_extract(path, None, GV_SOURCE, GEBIETSSTAND)
    _assert_names(raised.value, path, 3, "kreis")  # the Amt row, first to need the Kreis


def test_an_extract_without_a_needed_column_is_refused(tmp_path: Path) -> None:
    lines = _gv_lines()
    lines[0] = lines[0].replace("bevoelkerung", "einwohner")
    path = _write(tmp_path, "gv-spalten.csv", lines)
    with pytest.raises(InputError) as raised:
        read_gv_extract(path, None, GV_SOURCE, GEBIETSSTAND)
    _assert_names(raised.value, path, 1, "bevoelkerung")


def _administration_lines() -> list[str]:
    return ADMINISTRATIONS.read_text(encoding="utf-8-sig").splitlines()[:4]


@pytest.mark.parametrize(
    "replace, field, value",
    [
        ("12066041", "mitglied_ags", "12999999"),
        ("12066041", "mitglied_ags", "1206604"),
        (";Amt;", "art", "Ämtchen"),
    ],
)
def test_a_bad_member_of_the_list_names_file_line_and_field(
    tmp_path: Path, brandenburg: Graph, replace: str, field: str, value: str
) -> None:
    lines = _administration_lines()
    lines[2] = lines[2].replace(replace, f";{value};" if replace.startswith(";") else value)
    path = _write(tmp_path, "verwaltungen.csv", lines)
    with pytest.raises(InputError) as raised:
        read_administrations(path, brandenburg, AS_OF, ADMINISTRATIONS_SOURCE)
    _assert_names(raised.value, path, 3, field)
    assert raised.value.value == value


def test_a_short_row_or_wrong_columns_in_the_list_are_refused(tmp_path: Path, brandenburg: Graph) -> None:
    lines = _administration_lines()
    path = _write(tmp_path, "verwaltungen-kurz.csv", [*lines, "Amt Altdöbern;Amt;03229"])
    with pytest.raises(InputError) as raised:
        read_administrations(path, brandenburg, AS_OF, ADMINISTRATIONS_SOURCE)
    _assert_names(raised.value, path, 5, "sitz")
    path = _write(tmp_path, "verwaltungen-spalten.csv", [lines[0].replace("mitglied_ags", "ags"), *lines[1:]])
    with pytest.raises(InputError) as raised:
        read_administrations(path, brandenburg, AS_OF, ADMINISTRATIONS_SOURCE)
    _assert_names(raised.value, path, 1, "mitglied_ags")
