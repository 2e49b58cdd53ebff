"""A reader of the vocabulary finds every term the contract names, labelled and defined in German and
English, and the topics in the hierarchy the overlap analysis relies on."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from synergraph.graph.store import Store

SG = Namespace("https://w3id.org/synergraph/def/")
TOPIC = Namespace("https://w3id.org/synergraph/def/topic/")
ORG = Namespace("http://www.w3.org/ns/org#")
CPOV = Namespace("http://data.europa.eu/m8g/")
PROV = Namespace("http://www.w3.org/ns/prov#")


def ontology_folder() -> Traversable:
    """The installed ``synergraph.ontology`` package, or the repository folder when the package is
    not installed."""
    try:
        return files("synergraph.ontology")
    except ModuleNotFoundError:
        return Path(__file__).parents[1] / "ontology"


CLASSES = [
    "PublicBody",
    "FederalMinistry",
    "FederalBody",
    "StateMinistry",
    "StateChancellery",
    "StateAgency",
    "StateCompany",
    "DistrictAdministration",
    "CityAdministration",
    "AmtAdministration",
    "VerbandsgemeindeAdministration",
    "MunicipalAdministration",
    "AssociationAdministration",
    "University",
    "Company",
    "Association",
    "Territory",
    "Country",
    "State",
    "GovernmentRegion",
    "District",
    "DistrictFreeCity",
    "MunicipalAssociation",
    "Amt",
    "Verbandsgemeinde",
    "AdministrativeCommunity",
    "Municipality",
    "UnincorporatedArea",
    "Containment",
    "Responsibility",
    "Initiative",
    "Programme",
    "Project",
    "Network",
    "EventSeries",
    "Event",
    "KeyFigure",
    "SourceDocument",
]
OBJECT_PROPERTIES = [
    "level",
    "supervisedBy",
    "administers",
    "transfersTopic",
    "within",
    "contained",
    "container",
    "holder",
    "topic",
    "territory",
    "role",
    "leadBody",
    "partner",
    "funder",
    "status",
    "targetGroup",
    "keyFigure",
    "successorOf",
]
DATATYPE_PROPERTIES = [
    "abbreviation",
    "validFrom",
    "validUntil",
    "knownValidOn",
    "ags",
    "regionalKey",
    "population",
    "populationDate",
    "area",
    "postalCode",
    "legalBasis",
    "startDate",
    "endDate",
    "editionNumber",
    "unit",
    "referencePeriod",
    "localCopy",
    "isExample",
]
SCHEMES = {
    "roles": (
        "role",
        ["federfuehrend", "beteiligt", "foerdernd", "beaufsichtigend", "umsetzend", "beratend"],
    ),
    "statuses": ("status", ["geplant", "laufend", "abgeschlossen"]),
    "levels": ("level", ["bund", "land", "kreis", "amt", "gemeinde"]),
    "targetGroups": (
        "target-group",
        [
            "kommunen",
            "kommunale-beschaeftigte",
            "landesverwaltung",
            "buergerinnen-und-buerger",
            "unternehmen",
            "wissenschaft",
        ],
    ),
    "topics": (
        "topic",
        [
            "digitalisierung",
            "e-government",
            "it-strategie",
            "it-sicherheit",
            "kuenstliche-intelligenz",
            "smart-city-smart-region",
            "smart-city",
            "smart-region",
            "verwaltungsdigitalisierung",
            "breitband",
            "stadtentwicklung",
            "landesplanung",
            "qualifizierung-digitalkompetenz",
            "kommunale-digitalstrategie",
            "kommunalverwaltung",
        ],
    ),
}
# slug -> (German label, concepts that must be among its transitive skos:broader)
TOPICS = {
    "digitalisierung": ("Digitalisierung", set()),
    "e-government": ("E-Government", {"verwaltungsdigitalisierung", "digitalisierung"}),
    "it-strategie": ("IT-Strategie", {"digitalisierung"}),
    "it-sicherheit": ("IT-Sicherheit", {"digitalisierung"}),
    "kuenstliche-intelligenz": ("Künstliche Intelligenz", {"digitalisierung"}),
    "smart-city-smart-region": ("Smart City / Smart Region", {"digitalisierung", "stadtentwicklung"}),
    "smart-city": ("Smart City", {"smart-city-smart-region", "digitalisierung", "stadtentwicklung"}),
    "smart-region": ("Smart Region", {"smart-city-smart-region", "digitalisierung", "stadtentwicklung"}),
    "verwaltungsdigitalisierung": ("Verwaltungsdigitalisierung", {"digitalisierung"}),
    "breitband": ("Breitband", {"digitalisierung"}),
    "stadtentwicklung": ("Stadtentwicklung", set()),
    "landesplanung": ("Landesplanung", set()),
    "qualifizierung-digitalkompetenz": ("Qualifizierung und Digitalkompetenz", {"digitalisierung"}),
    "kommunale-digitalstrategie": ("Kommunale Digitalstrategie", {"digitalisierung"}),
    "kommunalverwaltung": ("Kommunalverwaltung", set()),
}


def _parse(name: str) -> Graph:
    return Graph().parse(data=ontology_folder().joinpath(name).read_bytes(), format="turtle")


@pytest.fixture(scope="module")
def vocabulary() -> Graph:
    return _parse("synergraph.ttl") + _parse("topics.ttl")


def _languages(graph: Graph, term: URIRef, prop: URIRef) -> set[str | None]:
    return {o.language for o in graph.objects(term, prop) if isinstance(o, Literal)}


def test_the_vocabulary_and_the_topics_are_turtle_that_parses() -> None:
    assert len(_parse("synergraph.ttl")) > 500
    assert len(_parse("topics.ttl")) > 100


def test_the_ontology_names_its_version_title_and_licence(vocabulary: Graph) -> None:
    ontology = URIRef(str(SG))
    assert (ontology, RDF.type, OWL.Ontology) in vocabulary
    assert vocabulary.value(ontology, OWL.versionInfo) is not None
    assert {"de", "en"} <= _languages(vocabulary, ontology, DCTERMS.title)
    assert (ontology, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in vocabulary


@pytest.mark.parametrize(
    "kind, names",
    [
        (OWL.Class, CLASSES),
        (OWL.ObjectProperty, OBJECT_PROPERTIES),
        (OWL.DatatypeProperty, DATATYPE_PROPERTIES),
    ],
    ids=["classes", "object properties", "datatype properties"],
)
def test_every_term_of_the_contract_is_declared_with_its_kind(
    vocabulary: Graph, kind: URIRef, names: list[str]
) -> None:
    missing = [name for name in names if (SG[name], RDF.type, kind) not in vocabulary]
    assert missing == []


def test_every_class_and_property_is_labelled_and_defined_in_german_and_english(vocabulary: Graph) -> None:
    terms = {
        t
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for t in vocabulary.subjects(RDF.type, kind)
        if str(t).startswith(str(SG))
    }
    assert len(terms) >= len(CLASSES) + len(OBJECT_PROPERTIES) + len(DATATYPE_PROPERTIES)
    missing = [
        str(t)
        for t in sorted(terms)
        if not {"de", "en"} <= _languages(vocabulary, t, RDFS.label)
        or not {"de", "en"} <= _languages(vocabulary, t, SKOS.definition)
    ]
    assert missing == []


@pytest.mark.parametrize(
    "term, superclass",
    [
        (SG.PublicBody, CPOV.PublicOrganisation),
        (SG.PublicBody, ORG.FormalOrganization),
        (SG.University, ORG.FormalOrganization),
        (SG.Territory, DCTERMS.Location),
        (SG.SourceDocument, DCTERMS.BibliographicResource),
        (SG.SourceDocument, PROV.Entity),
        (ORG.ChangeEvent, PROV.Activity),
        (SG.Amt, SG.MunicipalAssociation),
        (SG.Event, SG.Initiative),
    ],
)
def test_classes_reuse_the_w3c_and_eu_vocabularies(
    vocabulary: Graph, term: URIRef, superclass: URIRef
) -> None:
    assert (term, RDFS.subClassOf, superclass) in vocabulary


def test_every_public_body_class_is_a_public_body(vocabulary: Graph) -> None:
    bodies = CLASSES[CLASSES.index("FederalMinistry") : CLASSES.index("University")]
    assert [b for b in bodies if (SG[b], RDFS.subClassOf, SG.PublicBody) not in vocabulary] == []


def test_within_is_one_step_and_not_transitive(vocabulary: Graph) -> None:
    assert (SG.within, RDF.type, OWL.TransitiveProperty) not in vocabulary
    assert (SG.administers, RDFS.subPropertyOf, DCTERMS.spatial) in vocabulary


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_each_scheme_holds_exactly_its_concepts(vocabulary: Graph, scheme: str) -> None:
    folder, slugs = SCHEMES[scheme]
    expected = {URIRef(f"{SG}{folder}/{slug}") for slug in slugs}
    assert (SG[scheme], RDF.type, SKOS.ConceptScheme) in vocabulary
    assert set(vocabulary.subjects(SKOS.inScheme, SG[scheme])) == expected
    assert all((c, RDF.type, SKOS.Concept) in vocabulary for c in expected)
    assert set(vocabulary.subjects(SKOS.topConceptOf, SG[scheme])), "a scheme needs top concepts"


def test_every_concept_has_german_and_english_labels_and_definitions(vocabulary: Graph) -> None:
    concepts = set(vocabulary.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == sum(len(slugs) for _, slugs in SCHEMES.values())
    missing = [
        str(c)
        for c in sorted(concepts)
        if not {"de", "en"} <= _languages(vocabulary, c, SKOS.prefLabel)
        or not {"de", "en"} <= _languages(vocabulary, c, SKOS.definition)
    ]
    assert missing == []


def test_the_roles_carry_their_german_names(vocabulary: Graph) -> None:
    labels = {
        str(o)
        for c in vocabulary.subjects(SKOS.inScheme, SG.roles)
        for o in vocabulary.objects(c, SKOS.prefLabel)
        if isinstance(o, Literal) and o.language == "de"
    }
    assert labels == {"federführend", "beteiligt", "fördernd", "beaufsichtigend", "umsetzend", "beratend"}


@pytest.mark.parametrize("slug", sorted(TOPICS))
def test_each_required_topic_has_its_label_and_broader_chain(vocabulary: Graph, slug: str) -> None:
    topic = TOPIC[slug]
    label, ancestors = TOPICS[slug]
    assert (topic, SKOS.inScheme, SG.topics) in vocabulary
    assert (topic, SKOS.prefLabel, Literal(label, lang="de")) in vocabulary
    broader = set(vocabulary.transitive_objects(topic, SKOS.broader)) - {topic}
    assert {TOPIC[a] for a in ancestors} <= broader
    is_top = (topic, SKOS.topConceptOf, SG.topics) in vocabulary
    assert is_top == (not broader), "exactly the topics without a broader one are top concepts"


def test_topics_know_their_common_synonyms(vocabulary: Graph) -> None:
    def alt(slug: str) -> set[str]:
        return {str(o) for o in vocabulary.objects(TOPIC[slug], SKOS.altLabel)}

    assert "KI" in alt("kuenstliche-intelligenz")
    assert {"OZG", "Onlinezugangsgesetz"} <= alt("verwaltungsdigitalisierung")


def test_every_property_the_shipped_data_use_has_a_german_and_an_english_name(seeded_store: Store) -> None:
    """A linked-data page or the map's details name each property in words ("Beschreibung"), never as
    an IRI such as dcterms:description: every predicate of the seeded store has labels @de and @en,
    from our vocabulary or from ontology/labels.ttl."""
    unnamed = seeded_store.select("""
        SELECT DISTINCT ?p WHERE {
          GRAPH ?g { ?s ?p ?o }
          FILTER(NOT EXISTS { ?p rdfs:label ?de FILTER(LANG(?de) = "de") }
                 || NOT EXISTS { ?p rdfs:label ?en FILTER(LANG(?en) = "en") })
        } ORDER BY ?p""")
    assert [str(row["p"]) for row in unnamed] == []
