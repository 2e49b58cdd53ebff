"""The change history: every accepted write is recorded as a PROV activity in its own graph.

The record is returned as SPARQL update text to append to the write itself, so the change and its
record land in one transaction.

Examples
--------
>>> text = history_record("CLEAR GRAPH <https://example.org/g>", "redaktion")
>>> "prov:wasAssociatedWith <https://w3id.org/synergraph/id/agent/redaktion>" in text
True
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

import pyoxigraph as ox

from .namespaces import BASE, resource

__all__ = ["HISTORY_GRAPH", "history_record"]

HISTORY_GRAPH = BASE + "graph/history"


def history_record(operation: str, agent: str, graphs: Iterable[str] = (),
                   started: datetime.datetime | None = None) -> str:
    """An ``INSERT DATA`` that records one change: who (the token's name), when, what, which graphs."""
    now = datetime.datetime.now(datetime.UTC)
    started = started or now
    activity = ox.NamedNode(str(resource("change", uuid.uuid4().hex)))
    person = ox.NamedNode(str(resource("agent", agent)))
    stamp = "http://www.w3.org/2001/XMLSchema#dateTime"
    touched = "".join(f" ; prov:used {ox.NamedNode(g)}" for g in sorted(set(graphs)))
    return (
        f"INSERT DATA {{ GRAPH <{HISTORY_GRAPH}> {{\n"
        f"  {activity} a prov:Activity ; prov:wasAssociatedWith {person} ;\n"
        f"    prov:startedAtTime {ox.Literal(started.isoformat(), datatype=ox.NamedNode(stamp))} ;\n"
        f"    prov:endedAtTime {ox.Literal(now.isoformat(), datatype=ox.NamedNode(stamp))} ;\n"
        f"    sg:operation {ox.Literal(operation)}{touched} .\n"
        f"  {person} a prov:Agent ; rdfs:label {ox.Literal(agent)} .\n"
        "} }"
    )
