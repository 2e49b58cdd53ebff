"""Creating, changing and ending bodies, responsibilities and initiatives, one entity at a time.

An entity is everything the store says with its IRI as subject. A change replaces that description
as a whole; it is checked against the SHACL shapes first and written to the entity's own named graph
(``graph/redaktion-<kind>-<slug>``), its statements in other graphs being removed in the same
transaction. Ending is not deleting: the entity gets its last day (``sg:validUntil``; initiatives
``sg:endDate`` and the status ``abgeschlossen``) and stays, with its history.

Optimistic concurrency: :func:`etag` is a digest of the entity's triples. A writer sends the ETag it
read; when the entity has changed since, :class:`PreconditionFailed` is raised and nothing changes.

Examples
--------
>>> store = Store.in_memory()
>>> etag(store, entity_iri("body", "neu")) is None
True
>>> store.update('INSERT DATA { <https://w3id.org/synergraph/id/body/neu> rdfs:label "Neu"@de }')
>>> etag(store, entity_iri("body", "neu"))[:1]
'"'
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, XSD

from .catalog import InvalidValue, NotFound, territory
from .errors import ValidationFailed
from .history import HISTORY_GRAPH
from .namespaces import LEVEL, ORG, ROLE, SG, STATUS, TOPIC, graph_for, resource
from .store import Store
from .terms import to_oxigraph, to_rdflib
from .validation import validate

__all__ = [
    "KINDS",
    "Change",
    "Edit",
    "EntityExists",
    "PreconditionFailed",
    "build",
    "changes_of",
    "current",
    "edit_graph",
    "end",
    "entity_iri",
    "etag",
    "prepare",
]

# field name -> (predicate or predicates, how the value is written): a language ("de", "en"), "str", "date", "iri",
# a namespace for slugs of concepts, or a kind of resource ("body", "territory", "source")
_Spec = tuple[URIRef | tuple[URIRef, ...], Any]
_COMMON: dict[str, _Spec] = {
    "valid_from": (SG.validFrom, "date"), "valid_until": (SG.validUntil, "date"),
    "source": (DCTERMS.source, "source"),
}
KINDS: dict[str, dict[str, _Spec]] = {
    "body": {
        "label": (RDFS.label, "de"), "label_en": (RDFS.label, "en"), "abbreviation": (SG.abbreviation, "str"),
        "level": (SG.level, LEVEL), "territory": (DCTERMS.spatial, "territory"),
        "parent": (ORG.subOrganizationOf, "body"), "homepage": (FOAF.homepage, "iri"), **_COMMON,
    },
    "responsibility": {
        "label": (RDFS.label, "de"), "label_en": (RDFS.label, "en"), "holder": (SG.holder, "body"),
        "topic": (SG.topic, TOPIC), "territory": (SG.territory, "territory"), "role": (SG.role, ROLE),
        "legal_basis": (SG.legalBasis, "de"), **_COMMON,
    },
    "initiative": {
        "title": ((DCTERMS.title, RDFS.label), "de"), "title_en": ((DCTERMS.title, RDFS.label), "en"),
        "description": (DCTERMS.description, "de"), "topics": (SG.topic, TOPIC),
        "territories": (SG.territory, "territory"), "lead_body": (SG.leadBody, "body"),
        "partners": (SG.partner, "body"), "funders": (SG.funder, "body"), "status": (SG.status, STATUS),
        "start_date": (SG.startDate, "date"), "end_date": (SG.endDate, "date"), **_COMMON,
    },
}
"""The editable fields of each kind of entity and the statements they become."""

_DEFAULT_TYPE = {"body": "PublicBody", "responsibility": "Responsibility", "initiative": "Project"}


class EntityExists(Exception):
    """A create names an IRI the store already describes."""


class PreconditionFailed(Exception):
    """The entity changed since the writer read it (its ETag differs); nothing was written."""

    def __init__(self, iri: str, expected: str, actual: str | None) -> None:
        super().__init__(f"<{iri}> wurde inzwischen geändert (ETag {actual or 'keiner'}, erwartet {expected}); "
                         "bitte neu lesen und die Änderung wiederholen")
        self.actual = actual


@dataclass(frozen=True)
class Edit:
    """A checked change, ready to be written: the update text, the ETag the entity will have, the
    graphs it touches and a readable account of what changed."""

    iri: str
    update: str
    etag: str
    graphs: list[str]
    summary: str


def entity_iri(kind: str, slug: str) -> str:
    """The IRI of an entity of ``kind`` (body, responsibility, initiative).

    >>> entity_iri("initiative", "ki-lotsen")
    'https://w3id.org/synergraph/id/initiative/ki-lotsen'
    """
    return str(resource(kind, slug))


def edit_graph(kind: str, slug: str) -> str:
    """The named graph an edited entity lives in."""
    return str(graph_for(f"redaktion-{kind}-{slug}"))


def _digest(triples: set[str]) -> str:
    return '"' + hashlib.sha256("\n".join(sorted(triples)).encode("utf-8")).hexdigest()[:32] + '"'


def _nt(triple: tuple[Any, Any, Any]) -> str:
    s, p, o = (to_oxigraph(t) for t in triple)
    return f"{s} {p} {o} ."


def current(store: Store, iri: str) -> Graph:
    """Everything the store states with ``iri`` as subject, from all graphs."""
    graph = Graph()
    for quad in store.engine.quads_for_pattern(ox.NamedNode(iri), None, None, None):
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))  # type: ignore[arg-type]
    return graph


def etag(store: Store, iri: str) -> str | None:
    """The entity's ETag (digest of its triples), or None when the store says nothing about it."""
    graph = current(store, iri)
    return _digest({_nt(t) for t in graph}) if len(graph) else None


def _value(store: Store, field: str, how: Any, value: Any) -> URIRef | Literal:
    if how in ("de", "en"):
        return Literal(str(value), lang=how)
    if how == "str":
        return Literal(str(value))
    if how == "date":
        return Literal(value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)),
                       datatype=XSD.date)
    if how == "iri":
        return URIRef(str(value))
    if how == "territory":
        try:
            return URIRef(territory(store, str(value)).iri)
        except NotFound as error:
            raise InvalidValue(field, str(value)) from error
    if how in ("body", "source"):
        return resource(how, str(value))
    return URIRef(f"{how}{value}")


def build(store: Store, kind: str, slug: str, fields: Mapping[str, Any]) -> Graph:
    """The description of an entity from its fields (``None`` and empty lists are left out).

    ``type`` names the class (default: PublicBody, Responsibility, Project); references are slugs
    (bodies, topics, roles, status, source) or keys (territories).

    >>> g = build(Store.in_memory(), "body", "neu", {"label": "Neue Stelle", "source": "beispieldaten"})
    >>> len(g)
    3
    """
    iri = URIRef(entity_iri(kind, slug))
    graph = Graph()
    graph.add((iri, RDF.type, SG[str(fields.get("type") or _DEFAULT_TYPE[kind])]))
    for field, value in fields.items():
        if field == "type" or value is None or value == []:
            continue
        predicates, how = KINDS[kind][field]
        for item in value if isinstance(value, list) else [value]:
            for predicate in predicates if isinstance(predicates, tuple) else (predicates,):
                graph.add((iri, predicate, _value(store, field, how, item)))
    return graph


def end(store: Store, kind: str, slug: str, day: datetime.date) -> Graph:
    """The entity's current description with ``day`` as its last day (initiatives: end date and,
    once the day has passed, the status ``abgeschlossen``).

    Raises
    ------
    NotFound
        The store says nothing about the entity.
    """
    iri = URIRef(entity_iri(kind, slug))
    graph = current(store, str(iri))
    if not len(graph):
        raise NotFound(kind, slug)
    last = Literal(day, datatype=XSD.date)
    if kind == "initiative":
        graph.set((iri, SG.endDate, last))
        if day <= datetime.date.today():
            graph.set((iri, SG.status, STATUS.abgeschlossen))
    else:
        graph.set((iri, SG.validUntil, last))
    return graph


# What the store says about the resources a new description refers to, and the types of what those
# refer to; the entity's own statements are left out, since the new description replaces them in
# every graph.
_CONTEXT = """
CONSTRUCT { ?r ?p ?o . ?o a ?type } WHERE {
  ?r ?p ?o .
  OPTIONAL { ?o a ?type }
}
"""


def _context(store: Store, iri: str, data: Graph) -> Graph:
    context = Graph()
    for item in sorted({o for o in data.objects() if isinstance(o, URIRef) and str(o) != iri}):
        context += store.construct(_CONTEXT, r=item)
    return context


def prepare(store: Store, kind: str, slug: str, data: Graph, if_match: str | None, create: bool) -> Edit:
    """Check a new description of the entity and return the update that writes it.

    Parameters
    ----------
    if_match : str or None
        The ETag the writer read; required unless ``create``.
    create : bool
        The entity must not exist yet.

    Raises
    ------
    EntityExists, NotFound, PreconditionFailed, ValidationFailed
        Nothing was written.
    """
    iri = entity_iri(kind, slug)
    now = etag(store, iri)
    if create and now is not None:
        raise EntityExists(f"<{iri}> gibt es schon; ändern Sie es mit PUT und If-Match")
    if not create:
        if now is None:
            raise NotFound(kind, slug)
        if if_match is None or if_match.strip() != now:
            raise PreconditionFailed(iri, (if_match or "").strip(), now)
    graph = edit_graph(kind, slug)
    problems = [line for line in validate(data + _context(store, iri, data)) if line.startswith(f"<{iri}>")]
    if problems:
        raise ValidationFailed(f"{kind}/{slug}", problems)
    before = {_nt(t) for t in current(store, iri)}
    after = {_nt(t) for t in data}
    holders = [str(row["g"]) for row in store.select("SELECT DISTINCT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
                                                     s=URIRef(iri))]
    update = (f"DELETE WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} ;\n"
              f"INSERT DATA {{ GRAPH <{graph}> {{\n" + "\n".join(sorted(after)) + "\n} }")
    summary = "\n".join([f"- {t}" for t in sorted(before - after)] + [f"+ {t}" for t in sorted(after - before)])
    return Edit(iri, update, _digest(after), sorted({graph, *holders}), summary)


# Which recorded changes (PROV activities of the history graph) named the entity in their operation
# or touched a graph that holds it, started on or before ?until, newest first?
_CHANGES = f"""
SELECT ?activity ?started ?ended ?agent ?operation (GROUP_CONCAT(?used; separator=" ") AS ?graphs) WHERE {{
  GRAPH <{HISTORY_GRAPH}> {{
    ?activity a prov:Activity ; prov:startedAtTime ?started .
    OPTIONAL {{ ?activity prov:endedAtTime ?ended }}
    OPTIONAL {{ ?activity prov:wasAssociatedWith ?who . ?who rdfs:label ?agent }}
    OPTIONAL {{ ?activity sg:operation ?operation }}
    OPTIONAL {{ ?activity prov:used ?used }}
  }}
  FILTER(?started <= ?until)
  FILTER((BOUND(?operation) && CONTAINS(?operation, STR(?item)))
         || EXISTS {{ GRAPH <{HISTORY_GRAPH}> {{ ?activity prov:used ?g }} GRAPH ?g {{ ?item ?anyP ?anyO }} }})
}} GROUP BY ?activity ?started ?ended ?agent ?operation ORDER BY DESC(?started) LIMIT 500
"""


@dataclass(frozen=True)
class Change:
    """One recorded change: the PROV activity, who (token name), when, what and which graphs."""

    activity: str
    agent: str | None
    started: str
    ended: str | None
    operation: str | None
    graphs: list[str]


def changes_of(store: Store, iri: str, until: datetime.date | None = None) -> list[Change]:
    """The recorded changes of the entity, newest first; with ``until`` only those up to that day.

    >>> changes_of(Store.in_memory(), entity_iri("body", "neu"))
    []
    """
    last = datetime.datetime.combine(until or datetime.date.max, datetime.time.max, datetime.UTC)
    rows = store.select(_CHANGES, item=URIRef(iri), until=Literal(last.isoformat(), datatype=XSD.dateTime))
    return [Change(str(row["activity"]), row.get("agent"), _text(row["started"]), _text(row.get("ended")),
                   row.get("operation"), sorted(str(row.get("graphs", "")).split()))
            for row in rows if "activity" in row]


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.datetime) else value
