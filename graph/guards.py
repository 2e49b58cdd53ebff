"""Guards: update operations that make a whole write fail when what it was checked against has changed.

A write is checked first (ETag, ownership, shapes) and written afterwards; someone else may write in
between. SPARQL Update cannot abort on a condition, but creating a graph that exists is an error, and an
update request is one transaction: :func:`unchanged` puts operations in front of the write that fill a
guard graph when the subjects' statements differ from those read at the check, then create that graph
(failing if it was filled) and drop it again. :func:`tripped` tells this failure from others.

Examples
--------
>>> from .store import Store
>>> store = Store.in_memory()
>>> store.update('INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> "1" } }')
>>> name = new_guard()
>>> check = unchanged([ox.NamedNode("urn:a")], {'<urn:a> <urn:p> "1" .'}, name)
>>> store.update(check + ' ;\\nINSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> "2" } }')
>>> try:
...     store.update(check + ' ;\\nINSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> "3" } }')
... except Exception as error:
...     print(tripped(name, error))
True
>>> sorted(str(q.object) for q in store.engine.quads_for_pattern(ox.NamedNode("urn:a"), None, None, None))
['"1"', '"2"']
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import pyoxigraph as ox

from .terms import to_oxigraph

__all__ = ["new_guard", "statement", "tripped", "unchanged"]


def statement(triple: tuple[Any, Any, Any]) -> str:
    """A triple of rdflib terms as one N-Triples line, the form :func:`unchanged` compares.

    >>> from rdflib import Literal, URIRef
    >>> statement((URIRef("urn:a"), URIRef("urn:p"), Literal("1")))
    '<urn:a> <urn:p> "1" .'
    """
    s, p, o = (to_oxigraph(t) for t in triple)
    return f"{s} {p} {o} ."


def new_guard() -> str:
    """A fresh guard graph name."""
    return f"urn:synergraph:stale:{uuid.uuid4().hex}"


def unchanged(subjects: Sequence[ox.NamedNode], before: Iterable[str], guard: str) -> str:
    """Update operations that fail the whole transaction unless the statements with ``subjects`` as subject,
    in any graph, are exactly ``before`` (N-Triples lines of :func:`statement`, as read at the check).

    The first operation fills the graph ``guard`` when a statement is there too many or one is missing, the
    second creates it, the third drops it again. Statements with a blank node as object are not compared
    (VALUES cannot name blank nodes); the entities written through guards have none.
    """
    rows = " ".join(f"({line[:-2]})" for line in sorted(before) if "> _:" not in line)
    stated = "{ GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o }"
    return (f"INSERT {{ GRAPH <{guard}> {{ <{guard}> <{guard}> ?s }} }} WHERE {{\n"
            f"  {{ VALUES ?s {{ {' '.join(str(s) for s in subjects)} }} {stated} FILTER(!isBlank(?o))\n"
            f"    FILTER NOT EXISTS {{ VALUES (?s ?p ?o) {{ {rows} }} }} }}\n"
            f"  UNION {{ VALUES (?s ?p ?o) {{ {rows} }} FILTER NOT EXISTS {{ {stated} }} }}\n"
            f"}} ;\nCREATE GRAPH <{guard}> ;\nDROP GRAPH <{guard}>")


def tripped(guard: str, error: BaseException) -> bool:
    """Whether a write failed because its guard found a change (then nothing of its transaction was applied)."""
    return guard in str(error)
