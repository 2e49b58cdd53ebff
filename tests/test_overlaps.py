"""An analyst finds the planted overlaps of responsibilities and duplicate structures, and no vertical splits."""

from __future__ import annotations

import datetime

import pytest
from conftest import REPO
from rdflib import Graph
from synergraph.graph.context import AnalysisContext
from synergraph.graph.overlaps import RULES, clash, overlaps
from synergraph.graph.store import Store

R = "https://w3id.org/synergraph/id/responsibility/"
I = "https://w3id.org/synergraph/id/initiative/"
T = "https://w3id.org/synergraph/id/territory/"
TOPIC = "https://w3id.org/synergraph/def/topic/"


@pytest.fixture(scope="module")
def found(seeded_store: Store) -> list:
    return overlaps(seeded_store)


def _pairs(found: list, rule: str | None = None) -> set[frozenset[str]]:
    return {frozenset(f.members) for f in found if rule is None or f.rule == rule}


@pytest.mark.parametrize(("rule", "a", "b"), [
    ("UE-01", "bsp-kreis-barnim-smart-region-biesenthal-barnim", "bsp-amt-biesenthal-barnim-smart-region"),
    ("UE-02", "bsp-landesstelle-glasfaserausbau-breitband", "bsp-kreis-uckermark-breitband"),
    ("UE-01", "bsp-zweckverband-uckermark-verwaltungsdigitalisierung", "bsp-kreis-uckermark-verwaltungsdigitalisierung"),
    ("UE-02", "bsp-kreis-oder-spree-qualifizierung", "bsp-fuerstenwalde-qualifizierung"),
    ("UE-03", "bsp-kreis-prignitz-smart-city-smart-region", "bsp-wittenberge-smart-city"),
])
def test_planted_overlaps_are_found_by_their_rule(found: list, rule: str, a: str, b: str) -> None:
    assert frozenset({R + a, R + b}) in _pairs(found, rule)


def test_adjacent_handover_and_vertical_splits_are_no_findings(found: list) -> None:
    members = {m for f in found for m in f.members}
    for quiet in ("bsp-kreis-havelland-verwaltungsdigitalisierung", "bsp-landesfoerderstelle-kommunale-digitalstrategie",
                  "bsp-eberswalde-kommunale-digitalstrategie", "bsp-prenzlau-breitband", "bsp-kreis-elbe-elster-smart-region",
                  "bsp-kreis-uckermark-kommunalaufsicht", "bsp-amt-gramzow-kommunalverwaltung"):
        hits = [f for f in found if R + quiet in f.members and all("/bsp-" in m for m in f.members)]
        assert hits == [], quiet
    assert frozenset({R + "bsp-kreis-havelland-verwaltungsdigitalisierung",
                      R + "bsp-digitalverbund-havelland-verwaltungsdigitalisierung"}) not in _pairs(found)
    assert members


def test_duplicate_structures_ds1_and_ds2(found: list) -> None:
    assert _pairs(found, "DS-01") == {
        frozenset({I + "bsp-netzwerk-smart-region-barnim-uckermark", I + "bsp-arbeitskreis-digitale-region-nordost"}),
        frozenset({I + "bsp-qualifizierungsreihe-digitalkoordination-lausitz",
                   I + "bsp-zertifikatskurs-digitalisierungsbeauftragte-suedbrandenburg"}),
    }


def test_every_finding_explains_itself_in_german(found: list) -> None:
    assert all(f.explanation and f.severity in ("niedrig", "mittel", "hoch") for f in found)
    assert any("federführend" in f.explanation for f in found)


def test_filters_topic_territory_day_and_severity(seeded_store: Store, found: list) -> None:
    context = AnalysisContext(seeded_store)
    high = overlaps(seeded_store, min_severity="hoch", context=context)
    assert high and all(f.severity == "hoch" for f in high) and len(high) < len(found)
    uckermark = overlaps(seeded_store, territory=T + "12073", context=context)
    assert uckermark and all(any(context.covers(T + "12073", t) for t in f.territories) for f in uckermark)
    breitband = overlaps(seeded_store, topic=TOPIC + "breitband", context=context)
    assert {f.rule for f in breitband} >= {"UE-02"}
    # U3 starts 2024-07-01: on 2024-06-30 it does not overlap yet.
    before = _pairs(overlaps(seeded_store, as_of=datetime.date(2024, 6, 30), context=context))
    assert frozenset({R + "bsp-zweckverband-uckermark-verwaltungsdigitalisierung",
                      R + "bsp-kreis-uckermark-verwaltungsdigitalisierung"}) not in before


def test_clash_matrix_is_data() -> None:
    assert clash("federfuehrend", "federfuehrend") and clash("foerdernd", "umsetzend") is None
    assert len({r.id for r in RULES}) == len(RULES)


def test_overlap_on_a_small_graph_of_its_own() -> None:
    store = Store.in_memory()
    data = Graph().parse(data="""
    @prefix sg: <https://w3id.org/synergraph/def/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <urn:g> sg:within <urn:l> .
    <urn:r1> a sg:Responsibility ; sg:holder <urn:b1> ; sg:topic <urn:t> ; sg:territory <urn:l> ;
        sg:role <https://w3id.org/synergraph/def/role/federfuehrend> ; sg:validUntil "2020-12-31"^^xsd:date .
    <urn:r2> a sg:Responsibility ; sg:holder <urn:b2> ; sg:topic <urn:t> ; sg:territory <urn:g> ;
        sg:role <https://w3id.org/synergraph/def/role/federfuehrend> ; sg:validFrom "2020-12-31"^^xsd:date .
    <urn:r3> a sg:Responsibility ; sg:holder <urn:b3> ; sg:topic <urn:t> ; sg:territory <urn:g> ;
        sg:role <https://w3id.org/synergraph/def/role/federfuehrend> ; sg:validFrom "2021-01-01"^^xsd:date .
    """, format="turtle")
    store.replace_graph("urn:graph", data)
    pairs = _pairs(overlaps(store))
    assert frozenset({"urn:r1", "urn:r2"}) in pairs  # inclusive bounds: one common day
    assert frozenset({"urn:r1", "urn:r3"}) not in pairs
    assert frozenset({"urn:r2", "urn:r3"}) in pairs
    assert (REPO / "docs" / "analysis.md").read_text(encoding="utf-8").count("| UE-0") == 5


# Networks and a programme led by different bodies: class, topic, target group, territories, one date.
STRUCTURES = {
    "n1": ("Network", "x-smart", "kommunen", "<urn:k1> , <urn:k2>", "startDate", "2024-01-01"),
    "n2": ("Network", "x-smart", "kommunen", "<urn:g1> , <urn:k2>", "startDate", "2024-01-01"),
    "n3": ("Network", "x-digital", "kommunen", "<urn:k1> , <urn:k2>", "startDate", "2024-01-01"),
    "n4": ("Network", "x-smart", "unternehmen", "<urn:k1> , <urn:k2>", "startDate", "2024-01-01"),
    "n5": ("Network", "x-smart", "kommunen", "<urn:k3>", "startDate", "2024-01-01"),
    "n6": ("Network", "x-breitband", "kommunen", "<urn:k1> , <urn:k2>", "startDate", "2024-01-01"),
    "n7": ("Network", "x-smart", "kommunen", "<urn:k1> , <urn:k2>", "endDate", "2023-12-31"),
    "p1": ("Programme", "x-smart", "kommunen", "<urn:k1> , <urn:k2>", "startDate", "2024-01-01"),
}


def test_duplicate_structures_on_a_small_graph_of_its_own() -> None:
    """Pairs meet only with the same class, a shared target group, a shared Kreis and related topics."""
    structures = "\n".join(
        f"<urn:{name}> a sg:{cls} ; sg:leadBody <urn:lead-{name}> ; sg:topic topic:{topic} ; "
        f"sg:targetGroup tg:{target} ; sg:territory {territories} ; sg:{when} \"{day}\"^^xsd:date ."
        for name, (cls, topic, target, territories, when, day) in STRUCTURES.items())
    store = Store.in_memory()
    store.replace_graph("urn:graph", Graph().parse(data="""
    @prefix sg: <https://w3id.org/synergraph/def/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    @prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix topic: <https://w3id.org/synergraph/def/topic/> .
    @prefix tg: <https://w3id.org/synergraph/def/target-group/> .
    <urn:land> a sg:State . <urn:k1> a sg:District ; sg:within <urn:land> .
    <urn:k2> a sg:District ; sg:within <urn:land> . <urn:k3> a sg:District ; sg:within <urn:land> .
    <urn:g1> a sg:Municipality ; sg:within <urn:k1> .
    topic:x-digital skos:inScheme sg:topics .
    topic:x-smart skos:inScheme sg:topics ; skos:broader topic:x-digital .
    topic:x-breitband skos:inScheme sg:topics ; skos:broader topic:x-digital .
    """ + structures, format="turtle"))
    # n2 works in a Gemeinde of k1, so at Kreis level it covers k1 and k2 like n1; n3's topic is broader
    # than those of n1, n2 and n6, while n6 and n1 are only siblings. n4 serves another target group,
    # n5 another Kreis; n7 ends the day before the others begin; p1 is a programme.
    assert _pairs(overlaps(store, rules=["DS-01"])) == {
        frozenset({"urn:n1", "urn:n2"}), frozenset({"urn:n1", "urn:n3"}), frozenset({"urn:n2", "urn:n3"}),
        frozenset({"urn:n3", "urn:n6"}),
    }
