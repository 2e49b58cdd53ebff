"""SHACL validation of data against Synergraph's shapes (pySHACL).

A file is validated together with what it refers to: the vocabulary and topics, and the types of
resources defined elsewhere in the store (a responsibility's holder may come from another file).
Only problems of the file's own resources are reported.

Examples
--------
>>> from rdflib import Graph
>>> validate(Graph())
[]
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from .queries import load_query
from .store import Store

__all__ = ["ontology_file", "shapes", "validate", "vocabulary"]


def ontology_file(name: str) -> bytes:
    """The bytes of one Turtle file of the vocabulary package (``synergraph.ttl``, ``topics.ttl``,
    ``shapes.ttl``)."""
    return files("synergraph.ontology").joinpath(name).read_bytes()


@lru_cache(maxsize=1)
def vocabulary() -> Graph:
    """The vocabulary and the topic scheme as one graph (parsed once)."""
    graph = Graph()
    for name in ("synergraph.ttl", "topics.ttl"):
        graph.parse(data=ontology_file(name), format="turtle")
    return graph


@lru_cache(maxsize=1)
def shapes() -> Graph:
    """The SHACL shapes graph (parsed once)."""
    return Graph().parse(data=ontology_file("shapes.ttl"), format="turtle")


def _context(data: Graph, store: Store | None, replaced: str) -> Graph:
    context = Graph()
    if store is None:
        return context
    mentioned = {t for t in set(data.subjects()) | set(data.objects()) if isinstance(t, URIRef)}
    items = sorted(t for t in mentioned if (t, None, None) not in vocabulary())
    context += store.construct(load_query("validation_context"), r=items, replaced=URIRef(replaced))
    return context


def validate(data: Graph, store: Store | None = None, replaced: str = "urn:synergraph:none") -> list[str]:
    """Check ``data`` against the shapes; return one German line per violation (empty if valid).

    Parameters
    ----------
    data : Graph
        The triples of one file.
    store : Store, optional
        Where resources that ``data`` mentions are described further (other files).
    replaced : str, optional
        The named graph ``data`` will replace: its current contents are not taken as context.

    Returns
    -------
    list of str
        ``"<focus node> [<path>] = <value>: <message>"`` for each violation of a resource that
        ``data`` describes, sorted.
    """
    if len(data) == 0:
        return []
    combined = data + _context(data, store, replaced) + vocabulary()
    conforms, report, _ = pyshacl.validate(
        combined, shacl_graph=shapes(), inference="none",
        advanced=True, allow_warnings=True,
    )
    if conforms:
        return []
    own = set(data.subjects())
    problems = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        if focus not in own or report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        messages = [str(m) for m in report.objects(result, SH.resultMessage)]
        german = next((m for m in messages if m), "Verstoß gegen eine Form")
        line = f"<{focus}>"
        if path is not None:
            line += f" [{path.n3(report.namespace_manager) if isinstance(path, URIRef) else path}]"
        if value is not None:
            line += f" = {value}"
        problems.append(f"{line}: {german}")
    return sorted(set(problems))
