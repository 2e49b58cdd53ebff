"""A data steward's mistakes are caught by the shapes, each on the resource that is wrong and with a
German message that says what would be valid; a correct graph passes.

Every file under ``tests/data/shapes/`` except ``valid.ttl`` breaks exactly one rule."""

from __future__ import annotations

import time
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

FIXTURES = Path(__file__).parent / "data" / "shapes"
ID = "https://w3id.org/synergraph/id/"


def ontology_folder() -> Traversable:
    """The installed ``synergraph.ontology`` package, or the repository folder when the package is
    not installed."""
    try:
        return files("synergraph.ontology")
    except ModuleNotFoundError:
        return Path(__file__).parents[1] / "ontology"


def _parse(name: str) -> Graph:
    return Graph().parse(data=ontology_folder().joinpath(name).read_bytes(), format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return _parse("shapes.ttl")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return _parse("synergraph.ttl") + _parse("topics.ttl")


def _validate(name: str, shapes: Graph, ontology: Graph) -> tuple[bool, Graph]:
    data = Graph().parse(FIXTURES / name, format="turtle")
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True
    )
    return bool(conforms), report


# fixture file, focus node (below id/), fragment of the German message, severity
CASES = [
    (
        "responsibility-without-holder.ttl",
        "responsibility/test",
        "Eine Zuständigkeit braucht genau eine zuständige Stelle (sg:holder)",
        SH.Violation,
    ),
    (
        "responsibility-two-holders.ttl",
        "responsibility/test",
        "Eine Zuständigkeit braucht genau eine zuständige Stelle (sg:holder)",
        SH.Violation,
    ),
    (
        "wrong-role-concept.ttl",
        "responsibility/test",
        "genau eine Rolle (sg:role) aus sg:roles",
        SH.Violation,
    ),
    ("unknown-role.ttl", "responsibility/test", "genau eine Rolle (sg:role) aus sg:roles", SH.Violation),
    (
        "wrong-topic-concept.ttl",
        "responsibility/test",
        "genau ein Thema (sg:topic) aus dem Themenschema",
        SH.Violation,
    ),
    ("missing-source.ttl", "responsibility/test", "Jede Aussage braucht eine Quelle", SH.Violation),
    (
        "source-not-a-document.ttl",
        "responsibility/test",
        "auf eine Quelle (sg:SourceDocument) verweist",
        SH.Violation,
    ),
    (
        "valid-until-before-from.ttl",
        "responsibility/test",
        "darf nicht nach sg:validUntil liegen",
        SH.Violation,
    ),
    (
        "valid-from-not-a-date.ttl",
        "responsibility/test",
        "sg:validFrom ist höchstens ein Datum (xsd:date)",
        SH.Violation,
    ),
    (
        "gemeinde-bad-ags.ttl",
        "territory/12060024",
        "Amtlichen Gemeindeschlüssel (sg:ags) aus 8 Ziffern",
        SH.Violation,
    ),
    (
        "gemeinde-ags-as-number.ttl",
        "territory/01001000",
        "Amtlichen Gemeindeschlüssel (sg:ags) aus 8 Ziffern",
        SH.Violation,
    ),
    ("kreis-bad-ags.ttl", "territory/12060", "Kreisschlüssel (sg:ags) aus 5 Ziffern", SH.Violation),
    ("land-bad-ags.ttl", "territory/12", "Landesschlüssel (sg:ags) aus 2 Ziffern", SH.Violation),
    (
        "amt-bad-regional-key.ttl",
        "territory/120605003",
        "Regionalschlüssel (sg:regionalKey) aus 9 Ziffern",
        SH.Violation,
    ),
    (
        "negative-population.ttl",
        "territory/12060",
        "sg:population ist höchstens eine ganze Zahl ≥ 0",
        SH.Violation,
    ),
    ("zero-area.ttl", "territory/12060", "sg:area ist höchstens eine Dezimalzahl > 0", SH.Violation),
    ("label-without-de.ttl", "body/testagentur", "Bezeichnung (rdfs:label) auf Deutsch (@de)", SH.Violation),
    ("two-german-labels.ttl", "body/testagentur", "höchstens eine je Sprache", SH.Violation),
    (
        "initiative-without-german-title.ttl",
        "initiative/testprojekt",
        "Eine Initiative braucht einen deutschen Titel (dcterms:title mit @de)",
        SH.Violation,
    ),
    (
        "initiative-without-topic.ttl",
        "initiative/testprojekt",
        "mindestens ein Thema (sg:topic)",
        SH.Violation,
    ),
    (
        "start-after-end.ttl",
        "initiative/testprojekt",
        "darf nicht nach ihrem Ende (sg:endDate) liegen",
        SH.Violation,
    ),
    (
        "wrong-status-concept.ttl",
        "initiative/testprojekt",
        "geplant, laufend oder abgeschlossen",
        SH.Violation,
    ),
    ("wrong-target-group.ttl", "initiative/testprojekt", "Zielgruppe aus sg:targetGroups", SH.Violation),
    ("key-figure-not-a-number.ttl", "figure/test", "genau einen Zahlenwert (rdf:value)", SH.Violation),
    (
        "containment-without-container.ttl",
        "containment/12060-12",
        "genau ein umfassendes Gebiet (sg:container)",
        SH.Violation,
    ),
    (
        "territory-within-itself.ttl",
        "territory/12060",
        "Ein Gebiet kann nicht in sich selbst liegen",
        SH.Violation,
    ),
    (
        "within-without-containment.ttl",
        "territory/12060",
        "genau eine Gebietszugehörigkeit (sg:Containment",
        SH.Warning,
    ),
    ("person-stored.ttl", "person/test", "Personen werden nicht gespeichert (Datenschutz)", SH.Violation),
    (
        "person-name-stored.ttl",
        "body/testministerium",
        "Personen werden nicht gespeichert (Datenschutz)",
        SH.Violation,
    ),
    (
        "concept-without-german-label.ttl",
        "https://w3id.org/synergraph/def/topic/open-data",
        "deutsche Vorzugsbezeichnung (skos:prefLabel mit @de)",
        SH.Violation,
    ),
    (
        "source-without-title.ttl",
        "source/test",
        "Eine Quelle braucht einen Titel (dcterms:title)",
        SH.Violation,
    ),
]


def _focus(name: str) -> URIRef:
    return URIRef(name if name.startswith("https://") else ID + name)


def test_the_valid_graph_conforms(shapes: Graph, ontology: Graph) -> None:
    started = time.perf_counter()
    conforms, report = _validate("valid.ttl", shapes, ontology)
    elapsed = time.perf_counter() - started
    print(f"\npySHACL validated valid.ttl with the vocabulary and topics in {elapsed:.2f} s")
    messages = [str(m) for m in report.objects(None, SH.resultMessage)]
    assert conforms, messages


def test_every_fixture_file_is_in_the_table() -> None:
    on_disk = {p.name for p in FIXTURES.glob("*.ttl")} - {"valid.ttl"}
    assert on_disk == {case[0] for case in CASES}


@pytest.mark.parametrize(
    "fixture, focus, message, severity", CASES, ids=[c[0].removesuffix(".ttl") for c in CASES]
)
def test_each_kind_of_mistake_is_caught_with_its_german_message(
    shapes: Graph, ontology: Graph, fixture: str, focus: str, message: str, severity: URIRef
) -> None:
    conforms, report = _validate(fixture, shapes, ontology)
    assert not conforms
    results = list(report.objects(None, SH.result))  # not the nested sh:detail results of sh:node
    found = [
        (
            report.value(r, SH.focusNode),
            str(report.value(r, SH.resultMessage)),
            report.value(r, SH.resultSeverity),
        )
        for r in results
    ]
    assert any(f == _focus(focus) and message in m and s == severity for f, m, s in found), found
    # The fixture breaks one rule of one resource; anything else would hide a mistake in the shapes.
    assert {f for f, _, _ in found} == {_focus(focus)}, found


def test_every_constraint_a_user_can_meet_has_a_german_message(shapes: Graph) -> None:
    targets = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target}
    # Anything else on a node shape is a constraint of its own and needs the shape's own message.
    not_constraints = targets | {RDF.type, SH.property, SH.sparql, SH.severity, SH.message, SH.deactivated}
    targeted = {s for t in targets for s in shapes.subjects(t, None)}
    assert len(targeted) >= 15

    def german(node: object) -> bool:
        return any(isinstance(m, Literal) and m.language == "de" for m in shapes.objects(node, SH.message))

    silent = [
        f"{shape} {member}"
        for shape in targeted
        for member in [*shapes.objects(shape, SH.property), *shapes.objects(shape, SH.sparql)]
        if not german(member)
    ]
    silent += [
        str(shape)
        for shape in targeted
        if set(shapes.predicates(shape, None)) - not_constraints and not german(shape)
    ]
    assert silent == []


def test_a_concept_of_the_wrong_scheme_is_caught_although_it_exists(shapes: Graph, ontology: Graph) -> None:
    # status:laufend is a well-formed concept, only of the wrong scheme for a role.
    conforms, report = _validate("wrong-role-concept.ttl", shapes, ontology)
    values = set(report.objects(None, SH.value))
    assert not conforms and URIRef("https://w3id.org/synergraph/def/status/laufend") in values
