"""A data steward's mistakes are caught by the shapes, each with a German message that says what is wrong."""

from __future__ import annotations

import pytest
from rdflib import Graph
from synergraph.graph.validation import validate

HEAD = """
@prefix sg: <https://w3id.org/synergraph/def/> .
@prefix topic: <https://w3id.org/synergraph/def/topic/> .
@prefix role: <https://w3id.org/synergraph/def/role/> .
@prefix status: <https://w3id.org/synergraph/def/status/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix : <https://w3id.org/synergraph/id/test/> .

:quelle a sg:SourceDocument ; rdfs:label "Testquelle"@de ; dcterms:title "Testquelle"@de .
:kreis a sg:District ; rdfs:label "Testkreis"@de ; sg:ags "12060" ; dcterms:source :quelle .
:gemeinde a sg:Municipality ; rdfs:label "Testgemeinde"@de ; sg:ags "12060024" ; sg:within :kreis ;
    dcterms:source :quelle .
:stelle a sg:StateMinistry ; rdfs:label "Testministerium"@de ; dcterms:source :quelle .
"""

VALID = HEAD + """
:z a sg:Responsibility ; sg:holder :stelle ; sg:topic topic:kuenstliche-intelligenz ; sg:territory :kreis ;
    sg:role role:federfuehrend ; sg:validFrom "2024-01-01"^^xsd:date ; sg:validUntil "2025-12-31"^^xsd:date ;
    dcterms:source :quelle .
:i a sg:Project ; rdfs:label "Testprojekt"@de ; dcterms:title "Testprojekt"@de ; sg:topic topic:breitband ;
    sg:territory :gemeinde ; sg:leadBody :stelle ; sg:status status:laufend ;
    sg:startDate "2024-01-01"^^xsd:date ; sg:endDate "2025-01-01"^^xsd:date ; dcterms:source :quelle .
"""

RESPONSIBILITY = """
:z a sg:Responsibility ; sg:holder :stelle ; sg:topic topic:kuenstliche-intelligenz ; sg:territory :kreis ;
    sg:role role:federfuehrend ; dcterms:source :quelle .
"""

CASES = [
    ("responsibility without holder", RESPONSIBILITY.replace("sg:holder :stelle ;", ""), "z",
     "genau eine zuständige Stelle (sg:holder)"),
    ("responsibility with a role that is not in the scheme", RESPONSIBILITY.replace("role:federfuehrend", "role:chef"),
     "z", "genau eine Rolle (sg:role)"),
    ("responsibility with a topic outside the topic scheme",
     RESPONSIBILITY.replace("topic:kuenstliche-intelligenz", ":irgendwas"), "z", "Thema (sg:topic)"),
    ("fact without a source", RESPONSIBILITY.replace("dcterms:source :quelle", "rdfs:comment \"x\"@de"), "z",
     "braucht eine Quelle"),
    ("valid until before valid from",
     RESPONSIBILITY.replace("dcterms:source :quelle", "dcterms:source :quelle ; sg:validFrom \"2025-01-01\"^^xsd:date ;"
                            " sg:validUntil \"2024-01-01\"^^xsd:date"), "z", "nicht nach sg:validUntil"),
    ("gemeinde with a seven-digit AGS",
     ':g a sg:Municipality ; rdfs:label "G"@de ; sg:ags "1206002" ; sg:within :kreis ; dcterms:source :quelle .',
     "g", "8 Ziffern"),
    ("kreis with an eight-digit key", ':k a sg:District ; rdfs:label "K"@de ; sg:ags "12060000" ; dcterms:source :quelle .',
     "k", "5 Ziffern"),
    ("amt with a short regional key",
     ':a a sg:Amt ; rdfs:label "Amt A"@de ; sg:regionalKey "1206" ; dcterms:source :quelle .', "a", "9 Ziffern"),
    ("negative population",
     ':g a sg:Municipality ; rdfs:label "G"@de ; sg:ags "12060099" ; sg:within :kreis ; sg:population -5 ;'
     ' dcterms:source :quelle .', "g", "ganze Zahl ≥ 0"),
    ("body labelled only in English", ':b a sg:StateAgency ; rdfs:label "Agency"@en ; dcterms:source :quelle .', "b",
     "auf Deutsch (@de)"),
    ("initiative without a German title",
     ':i a sg:Project ; rdfs:label "P"@de ; dcterms:title "Project"@en ; sg:topic topic:breitband ; dcterms:source :quelle .',
     "i", "deutschen Titel"),
    ("initiative that ends before it starts",
     ':i a sg:Project ; rdfs:label "P"@de ; dcterms:title "P"@de ; sg:topic topic:breitband ; dcterms:source :quelle ;'
     ' sg:startDate "2025-06-01"^^xsd:date ; sg:endDate "2025-01-01"^^xsd:date .', "i", "nicht nach ihrem Ende"),
    ("initiative with an unknown status",
     ':i a sg:Project ; rdfs:label "P"@de ; dcterms:title "P"@de ; sg:topic topic:breitband ; dcterms:source :quelle ;'
     ' sg:status status:vielleicht .', "i", "Status (sg:status)"),
    ("a person is stored", ':p a foaf:Person ; rdfs:label "Erika Mustermann"@de .', "p", "Personen werden nicht gespeichert"),
    ("a person's name is stored", ':stelle foaf:name "Erika Mustermann" .', "stelle", "Personennamen"),
    ("containment without container",
     ':c a sg:Containment ; sg:contained :gemeinde ; dcterms:source :quelle .', "c", "umfassendes Gebiet"),
    ("key figure without a number",
     ':f a sg:KeyFigure ; rdfs:label "Absolventen"@de ; rdf:value "viele" ; dcterms:source :quelle .', "f",
     "Zahlenwert"),
]


def _graph(text: str) -> Graph:
    return Graph().parse(data=HEAD + "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n" + text,
                         format="turtle")


def test_a_valid_graph_conforms() -> None:
    assert validate(Graph().parse(data=VALID, format="turtle")) == []


@pytest.mark.parametrize("story, turtle, focus, message", CASES, ids=[c[0] for c in CASES])
def test_each_kind_of_mistake_is_caught_with_its_message(story: str, turtle: str, focus: str, message: str) -> None:
    problems = validate(_graph(turtle))
    ours = [p for p in problems if p.startswith(f"<https://w3id.org/synergraph/id/test/{focus}>")]
    assert any(message in p for p in ours), problems
