"""The namespaces Synergraph speaks: its own vocabulary and the ones it reuses.

Vocabulary terms are used as constants from here, never as string literals spread around.

Examples
--------
>>> str(SG.Responsibility)
'https://w3id.org/synergraph/def/Responsibility'
>>> str(resource("territory", "12060024"))
'https://w3id.org/synergraph/id/territory/12060024'
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

BASE = "https://w3id.org/synergraph/"

SG = Namespace(BASE + "def/")
ROLE = Namespace(BASE + "def/role/")
STATUS = Namespace(BASE + "def/status/")
LEVEL = Namespace(BASE + "def/level/")
TOPIC = Namespace(BASE + "def/topic/")
TARGET_GROUP = Namespace(BASE + "def/target-group/")
GRAPH = Namespace(BASE + "graph/")

ORG = Namespace("http://www.w3.org/ns/org#")
CPOV = Namespace("http://data.europa.eu/m8g/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")


def resource(kind: str, slug: str) -> URIRef:
    """The IRI of a resource of one kind (body, territory, initiative, ...).

    >>> resource("body", "verwaltung-120605003")
    rdflib.term.URIRef('https://w3id.org/synergraph/id/body/verwaltung-120605003')
    """
    return URIRef(f"{BASE}id/{kind}/{slug}")


def graph_for(stem: str) -> URIRef:
    """The named graph that holds the contents of the file with this stem."""
    return URIRef(f"{BASE}graph/{stem}")


PREFIXES: dict[str, str] = {
    "sg": str(SG),
    "role": str(ROLE),
    "status": str(STATUS),
    "level": str(LEVEL),
    "topic": str(TOPIC),
    "tg": str(TARGET_GROUP),
    "org": str(ORG),
    "cpov": str(CPOV),
    "geo": str(GEO),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
    "void": "http://rdfs.org/ns/void#",
}

__all__ = [
    "BASE",
    "CPOV",
    "DCTERMS",
    "FOAF",
    "GEO",
    "GRAPH",
    "LEVEL",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "ROLE",
    "SG",
    "SH",
    "SKOS",
    "STATUS",
    "TARGET_GROUP",
    "TOPIC",
    "XSD",
    "graph_for",
    "resource",
]
