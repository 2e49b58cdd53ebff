"""The change history: every accepted write is recorded as a PROV activity in its own graph.

The record is returned as SPARQL update text to append to the write itself, so the change and its
record land in one transaction. It spells out every IRI, so a prefix the writer declared for their
own update cannot change what the record says.

Examples
--------
>>> activity, text = history_record("CLEAR GRAPH <https://example.org/g>", "redaktion")
>>> "<http://www.w3.org/ns/prov#wasAssociatedWith> <https://w3id.org/synergraph/id/agent/redaktion>" in text
True
>>> activity.startswith("https://w3id.org/synergraph/id/change/")
True
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

import pyoxigraph as ox

from .namespaces import BASE, PROV, RDF, RDFS, SG, XSD, resource

__all__ = ["HISTORY_GRAPH", "agent_iri", "history_record"]

HISTORY_GRAPH = BASE + "graph/history"


def agent_iri(name: str) -> str:
    """The IRI of the agent a write token stands for.

    >>> agent_iri("redaktion")
    'https://w3id.org/synergraph/id/agent/redaktion'
    """
    return str(resource("agent", name))


def history_record(operation: str, agent: str, graphs: Iterable[str] = (),
                   started: datetime.datetime | None = None) -> tuple[str, str]:
    """The IRI of a new activity and an ``INSERT DATA`` that records it: who (the token's name),
    when (start and end), what (``sg:operation``, the update text or e.g. ``PUT <graph>``) and which
    graphs it touched (``prov:used``)."""
    now = datetime.datetime.now(datetime.UTC)
    started = started or now
    activity = ox.NamedNode(str(resource("change", uuid.uuid4().hex)))
    person = ox.NamedNode(agent_iri(agent))

    def term(namespace: object, name: str) -> ox.NamedNode:
        return ox.NamedNode(f"{namespace}{name}")

    def stamp(moment: datetime.datetime) -> ox.Literal:
        return ox.Literal(moment.isoformat(), datatype=term(XSD, "dateTime"))

    touched = "".join(f" ; {term(PROV, 'used')} {ox.NamedNode(g)}" for g in sorted(set(graphs)))
    text = (
        f"INSERT DATA {{ GRAPH <{HISTORY_GRAPH}> {{\n"
        f"  {activity} {term(RDF, 'type')} {term(PROV, 'Activity')} ;\n"
        f"    {term(PROV, 'wasAssociatedWith')} {person} ;\n"
        f"    {term(PROV, 'startedAtTime')} {stamp(started)} ;\n"
        f"    {term(PROV, 'endedAtTime')} {stamp(now)} ;\n"
        f"    {term(SG, 'operation')} {ox.Literal(operation)}{touched} .\n"
        f"  {person} {term(RDF, 'type')} {term(PROV, 'Agent')} ; {term(RDFS, 'label')} {ox.Literal(agent)} .\n"
        "} }"
    )
    return activity.value, text
