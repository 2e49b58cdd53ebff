"""An analyst asks about Brandenburg's territories: counts, containment and changes over time.

Expectations come from the official source files (data/sources), not from the importer.
"""

from __future__ import annotations

import csv
import datetime
import time
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import to_isomorphic
from synergraph.graph.errors import InputError
from synergraph.graph.gemeindeverzeichnis import read_administrations, read_gv_extract
from synergraph.graph.namespaces import PREFIXES, SG, resource
from synergraph.graph.store import Store

SOURCES = Path(__file__).resolve().parents[1] / "data" / "sources"
GV = SOURCES / "destatis-gv-auszug-2020-12-31.csv"
ADMINISTRATIONS = SOURCES / "brandenburg-verwaltungen-2026-01-31.csv"
STAND = datetime.date(2020, 12, 31)
AS_OF = datetime.date(2026, 1, 31)


def _gv_rows(land: str | None = None) -> list[dict[str, str]]:
    with GV.open(encoding="utf-8-sig") as handle:
        return [row for row in csv.DictReader(handle) if land is None or row["land"] == land]


@pytest.fixture(scope="module")
def brandenburg() -> Graph:
    return read_gv_extract(GV, ["12"], resource("source", GV.stem), STAND, datetime.date(2019, 12, 31))


@pytest.fixture(scope="module")
def changes(brandenburg: Graph) -> Graph:
    return read_administrations(ADMINISTRATIONS, brandenburg, AS_OF, resource("source", ADMINISTRATIONS.stem))


def _count(graph: Graph, cls: URIRef) -> int:
    return len(set(graph.subjects(predicate=None, object=cls)))


def test_brandenburg_has_the_official_counts(brandenburg: Graph) -> None:
    rows = _gv_rows("12")
    kreise = Counter(r["textkennzeichen"] for r in rows if r["satzart"] == "40")
    verbaende = Counter(r["textkennzeichen"] for r in rows if r["satzart"] == "50")
    assert _count(brandenburg, SG.DistrictFreeCity) == kreise["41"] == 4
    assert _count(brandenburg, SG.District) == kreise["44"] == 14
    assert _count(brandenburg, SG.Amt) == verbaende["51"] == 52
    assert _count(brandenburg, SG.Verbandsgemeinde) == verbaende["53"] == 1
    gemeinden = {s for s in brandenburg.subjects(predicate=None, object=SG.Municipality)}
    assert len(gemeinden) == sum(1 for r in rows if r["satzart"] == "60") == 417
    keys = {str(brandenburg.value(g, SG.ags)) for g in gemeinden}
    assert len(keys) == 417 and all(len(k) == 8 and k.startswith("12") for k in keys)


def test_biesenthal_lies_in_its_amt_in_barnim_in_brandenburg(brandenburg: Graph) -> None:
    chain = brandenburg.query(
        "SELECT ?amt ?kreis ?land WHERE { ?g sg:ags '12060024' ; sg:within ?amt . ?amt sg:within ?kreis . "
        "?kreis sg:within ?land . ?amt a sg:Amt . ?kreis a sg:District . ?land a sg:State }",
        initNs=PREFIXES)
    labels = [(str(brandenburg.value(r.amt, URIRef(PREFIXES["rdfs"] + "label"))),
               str(brandenburg.value(r.kreis, URIRef(PREFIXES["rdfs"] + "label"))),
               str(brandenburg.value(r.land, URIRef(PREFIXES["rdfs"] + "label")))) for r in chain]
    assert labels == [("Amt Biesenthal-Barnim", "Barnim", "Brandenburg")]
    assert brandenburg.query("ASK { ?g sg:ags '12060024' ; sg:within+ ?land . ?land sg:ags '12' }",
                             initNs=PREFIXES).askAnswer


def test_every_containment_link_has_its_qualified_form(brandenburg: Graph) -> None:
    links = set(brandenburg.subject_objects(SG.within))
    qualified = {(brandenburg.value(c, SG.contained), brandenburg.value(c, SG.container))
                 for c in brandenburg.subjects(predicate=None, object=SG.Containment)}
    assert links == qualified


def test_population_and_area_come_from_the_extract(brandenburg: Graph) -> None:
    potsdam = next(r for r in _gv_rows("12") if r["satzart"] == "60" and r["kreis"] == "54")
    g = resource("territory", "12054000")
    assert int(brandenburg.value(g, SG.population)) == int(potsdam["bevoelkerung"].replace(" ", ""))
    assert str(brandenburg.value(g, SG.area)) == potsdam["flaeche"].strip()


def test_all_of_germany_loads(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    germany = read_gv_extract(GV, None, resource("source", GV.stem), STAND)
    seconds = time.perf_counter() - started
    rows = _gv_rows()
    assert _count(germany, SG.State) == sum(1 for r in rows if r["satzart"] == "10") == 16
    municipalities = _count(germany, SG.Municipality) + _count(germany, SG.UnincorporatedArea)
    assert municipalities == sum(1 for r in rows if r["satzart"] == "60") == 11004
    with capsys.disabled():
        print(f"\n  all of Germany: {len(germany)} triples in {seconds:.1f} s")


def test_amt_neuhardenberg_ended_and_its_members_moved_in_2026(brandenburg: Graph, changes: Graph) -> None:
    old_amt = next(r for r in _gv_rows("12") if r["satzart"] == "50" and r["gemeindename"] == "Neuhardenberg")
    old = resource("territory", "12" + old_amt["rb"] + old_amt["kreis"] + old_amt["vb"])
    assert str(changes.value(old, SG.validUntil)) == "2026-01-30"
    seelow = next(s for s, o in brandenburg.subject_objects(URIRef(PREFIXES["rdfs"] + "label"))
                  if str(o) == "Amt Seelow-Land")
    gemeinde = resource("territory", "12064340")
    assert (gemeinde, SG.within, seelow) in changes
    new_link = resource("containment", f"12064340-{str(seelow).rsplit('/', 1)[1]}")
    assert str(changes.value(new_link, SG.validFrom)) == "2026-01-31"
    old_link = resource("containment", f"12064340-{str(old).rsplit('/', 1)[1]}")
    assert str(changes.value(old_link, SG.validUntil)) == "2026-01-30"


AMT_AS_OF = """
SELECT ?label WHERE {
  ?link sg:contained ?g ; sg:container ?amt .
  ?amt a sg:Amt ; rdfs:label ?label .
  OPTIONAL { ?link sg:validFrom ?from }
  OPTIONAL { ?link sg:validUntil ?until }
  FILTER ((!BOUND(?from) || ?from <= ?day) && (!BOUND(?until) || ?day <= ?until))
}"""


@pytest.mark.parametrize("day, expected", [("2025-01-01", "Amt Neuhardenberg"), ("2026-06-01", "Amt Seelow-Land")])
def test_the_amt_of_neuhardenberg_as_of_a_date(seeded_store: Store, day: str, expected: str) -> None:
    rows = seeded_store.select(AMT_AS_OF, g=URIRef(resource("territory", "12064340")),
                               day=datetime.date.fromisoformat(day))
    assert [r["label"] for r in rows] == [expected]


def test_pinnow_is_administered_by_schwedt_from_2026_and_passow_stays_unknown(changes: Graph,
                                                                              brandenburg: Graph) -> None:
    pinnow, passow = resource("territory", "12073440"), resource("territory", "12073603")
    communities = [o for o in changes.objects(pinnow, SG.within) if (o, None, SG.AdministrativeCommunity) in changes]
    assert len(communities) == 1
    assert "Schwedt" in str(changes.value(communities[0], URIRef(PREFIXES["rdfs"] + "label")))
    assert (resource("body", "verwaltung-120730532"), SG.administers, communities[0]) in changes
    assert passow not in set(changes.subjects(SG.within))
    assert (passow, SG.within, resource("territory", "12073")) in brandenburg


def test_reading_the_changes_leaves_the_2020_graph_untouched(brandenburg: Graph) -> None:
    before = to_isomorphic(brandenburg)
    read_administrations(ADMINISTRATIONS, brandenburg, AS_OF, resource("source", "x"))
    assert to_isomorphic(brandenburg) == before


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_broken_extracts_name_file_line_and_field(tmp_path: Path) -> None:
    header = GV.read_text(encoding="utf-8-sig").splitlines()[0]
    bad_ags = _write(tmp_path, "gv.csv", [header, "10,,12,,,,,Brandenburg" + "," * 12,
                                          "40,44,12,0,6X,,,Barnim" + "," * 12])
    with pytest.raises(InputError) as raised:
        read_gv_extract(bad_ags, None, resource("source", "t"), STAND)
    assert (raised.value.line, raised.value.field, raised.value.value) == (3, "kreis", "6X")
    assert "gv.csv, Zeile 3, Feld 'kreis'" in str(raised.value)
    short = _write(tmp_path, "kurz.csv", [header, "10,,12"])
    with pytest.raises(InputError) as raised:
        read_gv_extract(short, None, resource("source", "t"), STAND)
    assert raised.value.line == 2


def test_an_unknown_member_ags_is_refused(tmp_path: Path, brandenburg: Graph) -> None:
    lines = ADMINISTRATIONS.read_text(encoding="utf-8-sig").splitlines()[:3]
    lines.append("Amt Altdöbern;Amt;03229;Altdöbern;12999999;Nirgendwo")
    path = _write(tmp_path, "verwaltungen.csv", lines)
    with pytest.raises(InputError) as raised:
        read_administrations(path, brandenburg, AS_OF, resource("source", "t"))
    assert (raised.value.line, raised.value.field, raised.value.value) == (4, "mitglied_ags", "12999999")
