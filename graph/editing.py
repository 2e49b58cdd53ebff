"""Creating, changing and ending bodies, responsibilities and initiatives, one entity at a time.

An entity is everything the store says with its IRI as subject. A change replaces that description
as a whole; it is checked against the SHACL shapes first and written to the entity's own named graph
(``graph/redaktion-<kind>-<slug>``), its statements in other graphs being removed in the same
transaction. Ending is not deleting: the entity gets its last day (``sg:validUntil``; initiatives
``sg:endDate`` and the status ``abgeschlossen``) and stays, with its history.

Optimistic concurrency: :func:`etag` is a digest of the entity's triples. A writer sends the ETag it
read; when the entity has changed since, :class:`PreconditionFailed` is raised and nothing changes.
The check is repeated inside the transaction that writes (:attr:`Edit.update` fails as a whole when the
entity is no longer what was checked, see :func:`stale`), so a change that lands between the check and
the write, e.g. a SPARQL update, is never overwritten.

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
from . import guards
from .namespaces import LEVEL, ORG, ROLE, SG, STATUS, TOPIC, graph_for, resource
from .queries import load_query
from .store import Store
from .terms import to_rdflib
from .validation import validate

__all__ = [
    "EDIT_GRAPH_PREFIX",
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
    "stale",
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
    graphs it touches, a readable account of what changed and the name of the guard that makes the
    update fail when the entity changed after the check."""

    iri: str
    update: str
    etag: str
    graphs: list[str]
    summary: str
    guard: str


def entity_iri(kind: str, slug: str) -> str:
    """The IRI of an entity of ``kind`` (body, responsibility, initiative).

    >>> entity_iri("initiative", "ki-lotsen")
    'https://w3id.org/synergraph/id/initiative/ki-lotsen'
    """
    return str(resource(kind, slug))


EDIT_GRAPH_PREFIX = str(graph_for("redaktion-"))
"""Every edit graph's IRI starts with this; a load of a file leaves the entities in them alone."""


def edit_graph(kind: str, slug: str) -> str:
    """The named graph an edited entity lives in.

    >>> edit_graph("body", "mdjd")
    'https://w3id.org/synergraph/graph/redaktion-body-mdjd'
    """
    return EDIT_GRAPH_PREFIX + f"{kind}-{slug}"


def _digest(triples: set[str]) -> str:
    return '"' + hashlib.sha256("\n".join(sorted(triples)).encode("utf-8")).hexdigest()[:32] + '"'


def current(store: Store, iri: str) -> Graph:
    """Everything the store states with ``iri`` as subject, from all graphs."""
    graph = Graph()
    for quad in store.engine.quads_for_pattern(ox.NamedNode(iri), None, None, None):
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))  # type: ignore[arg-type]
    return graph


def etag(store: Store, iri: str) -> str | None:
    """The entity's ETag (digest of its triples), or None when the store says nothing about it."""
    graph = current(store, iri)
    return _digest({guards.statement(t) for t in graph}) if len(graph) else None


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


def _context(store: Store, iri: str, data: Graph) -> Graph:
    # the entity's own statements are left out: the new description replaces them in every graph
    items = sorted({o for o in data.objects() if isinstance(o, URIRef) and str(o) != iri})
    return store.construct(load_query("edit_context"), r=items)


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
    # one read for the ETag check and for the guard, so the write checks exactly what was compared
    before = {guards.statement(t) for t in current(store, iri)}
    now = _digest(before) if before else None
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
    after = {guards.statement(t) for t in data}
    holders = [str(row["g"]) for row in store.select(load_query("entity_graphs"), s=URIRef(iri))]
    guard = guards.new_guard()
    subject = ox.NamedNode(iri)  # refuses what is no IRI, so the slug cannot change the update's text
    update = (guards.unchanged([subject], before, guard) + " ;\n"
              f"DELETE WHERE {{ GRAPH ?g {{ {subject} ?p ?o }} }} ;\n"
              f"INSERT DATA {{ GRAPH {ox.NamedNode(graph)} {{\n" + "\n".join(sorted(after)) + "\n} }")
    summary = "\n".join([f"- {t}" for t in sorted(before - after)] + [f"+ {t}" for t in sorted(after - before)])
    return Edit(iri, update, _digest(after), sorted({graph, *holders}), summary, guard)


def stale(edit: Edit, error: BaseException) -> bool:
    """Whether writing ``edit`` failed because the entity changed after it was checked (nothing of the
    write's transaction was applied then)."""
    return guards.tripped(edit.guard, error)


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
    rows = store.select(load_query("entity_changes"), item=URIRef(iri),
                        until=Literal(last.isoformat(), datatype=XSD.dateTime))
    return [Change(str(row["activity"]), row.get("agent"), _text(row["started"]), _text(row.get("ended")),
                   row.get("operation"), sorted(str(row.get("graphs", "")).split()))
            for row in rows if "activity" in row]


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.datetime) else value
