"""A reader of the vocabulary finds every term labelled and defined in German and English."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from synergraph.graph.namespaces import SG, TOPIC
from synergraph.graph.validation import ontology_file

REQUIRED_TOPICS = ["digitalisierung", "e-government", "it-strategie", "it-sicherheit", "kuenstliche-intelligenz",
                   "smart-city-smart-region", "verwaltungsdigitalisierung", "breitband", "stadtentwicklung",
                   "landesplanung", "qualifizierung-digitalkompetenz"]
REQUIRED_TERMS = ["PublicBody", "StateMinistry", "StateChancellery", "StateCompany", "FederalMinistry", "FederalBody",
                  "DistrictAdministration", "CityAdministration", "AmtAdministration",
                  "VerbandsgemeindeAdministration", "MunicipalAdministration", "University", "Company",
                  "Territory", "State", "District", "DistrictFreeCity", "Amt", "Verbandsgemeinde", "Municipality",
                  "Containment", "Responsibility", "Initiative", "Programme", "Project", "Network", "EventSeries",
                  "Event", "KeyFigure", "SourceDocument", "within", "ags", "regionalKey", "holder", "topic",
                  "territory", "role", "validFrom", "validUntil", "legalBasis", "leadBody", "partner", "funder",
                  "status", "targetGroup", "keyFigure", "successorOf", "supervisedBy", "administers"]


@pytest.fixture(scope="module")
def vocabulary() -> Graph:
    graph = Graph()
    for name in ("synergraph.ttl", "topics.ttl"):
        graph.parse(data=ontology_file(name), format="turtle")
    return graph


def _languages(graph: Graph, term: URIRef, prop: URIRef) -> set[str | None]:
    return {o.language for o in graph.objects(term, prop)}


def test_every_class_and_property_is_labelled_and_defined_in_german_and_english(vocabulary: Graph) -> None:
    terms = {t for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for t in vocabulary.subjects(RDF.type, kind) if str(t).startswith(str(SG))}
    assert len(terms) > 60
    missing = [str(t) for t in terms
               if not {"de", "en"} <= _languages(vocabulary, t, RDFS.label)
               or not {"de", "en"} <= _languages(vocabulary, t, SKOS.definition)]
    assert missing == []


def test_the_terms_the_users_need_exist(vocabulary: Graph) -> None:
    missing = [name for name in REQUIRED_TERMS if (SG[name], RDF.type, None) not in vocabulary]
    assert missing == []


def test_every_concept_has_german_and_english_labels(vocabulary: Graph) -> None:
    concepts = set(vocabulary.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) >= 30
    missing = [str(c) for c in concepts if not {"de", "en"} <= _languages(vocabulary, c, SKOS.prefLabel)]
    assert missing == []


@pytest.mark.parametrize("slug", REQUIRED_TOPICS)
def test_required_topics_sit_under_digitalisation_or_are_top_concepts(vocabulary: Graph, slug: str) -> None:
    topic = TOPIC[slug]
    assert (topic, SKOS.inScheme, SG.topics) in vocabulary
    broader = set(vocabulary.transitive_objects(topic, SKOS.broader)) - {topic}
    top = (topic, SKOS.topConceptOf, SG.topics) in vocabulary
    assert top or broader & {TOPIC.digitalisierung, TOPIC.stadtentwicklung}


def test_e_government_is_narrower_than_digitalisation(vocabulary: Graph) -> None:
    assert TOPIC.digitalisierung in set(vocabulary.transitive_objects(TOPIC["e-government"], SKOS.broader))


def test_roles_are_the_six_of_the_scheme(vocabulary: Graph) -> None:
    roles = {str(vocabulary.value(c, SKOS.prefLabel)) for c in vocabulary.subjects(SKOS.inScheme, SG.roles)
             if vocabulary.value(c, SKOS.prefLabel) is not None}
    labels = {str(o) for c in vocabulary.subjects(SKOS.inScheme, SG.roles)
              for o in vocabulary.objects(c, SKOS.prefLabel) if o.language == "de"}
    assert roles and labels == {"federführend", "beteiligt", "fördernd", "beaufsichtigend", "umsetzend", "beratend"}
