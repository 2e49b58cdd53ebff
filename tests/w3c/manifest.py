"""The test cases of the W3C SPARQL 1.1 suite, read from its ``manifest.ttl`` files with rdflib.

A manifest lists its tests in ``mf:entries``; each has a type (``mf:QueryEvaluationTest``,
``mf:PositiveSyntaxTest11``, ``mf:UpdateEvaluationTest`` ...), an action (``qt:query`` with
``qt:data`` / ``qt:graphData``, or ``ut:request`` with ``ut:data`` / ``ut:graphData``) and a result.
File references are IRIs resolved against the manifest's own ``file:`` IRI; a ``qt:graphData`` file
is loaded as the named graph of that very IRI, an update test's ``ut:graphData`` as the graph its
``rdfs:label`` names.

Examples
--------
>>> cases = {case.id: case for case in read_cases()}
>>> case = cases["aggregates/agg01"]
>>> case.kind, case.query.name, case.result.name
('QueryEvaluationTest', 'agg01.rq', 'agg01.srx')
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from . import SUITE

__all__ = ["FOLDERS", "Case", "file_of", "read_cases", "suite_of"]

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")

# The folders whose tests run, by suite. The protocol tests are read by w3c.protocol.
FOLDERS = {
    "query": ("aggregates", "bind", "bindings", "cast", "construct", "exists", "functions", "grouping",
              "negation", "project-expression", "property-path", "subquery", "csv-tsv-res", "json-res",
              "service", "entailment"),
    "syntax": ("syntax-query", "syntax-fed", "syntax-update-1", "syntax-update-2"),
    "update": ("add", "basic-update", "clear", "copy", "delete-data", "delete-insert", "delete-where",
               "delete", "drop", "move", "update-silent"),
}


@dataclass(frozen=True)
class Case:
    """One test of the suite, with the files it needs."""

    id: str
    """``folder/name``, e.g. ``aggregates/agg01``."""
    iri: str
    kind: str
    """The local name of the test's type, e.g. ``QueryEvaluationTest``."""
    name: str
    folder: str
    approved: bool = False
    """Approved by the SPARQL working group (``dawgt:approval dawgt:Approved``); the suite's later
    additions (e.g. zero-length paths to terms outside the data) carry no approval."""
    query: Path | None = None
    """The query (``qt:query``), the update (``ut:request``) or the syntax test's file."""
    data: tuple[Path, ...] = ()
    graph_data: tuple[tuple[str, Path], ...] = ()
    """Named graphs to load before the test: (graph IRI, file)."""
    result: Path | None = None
    result_data: tuple[Path, ...] = ()
    """Update tests: the expected default graph (none means empty)."""
    result_graph_data: tuple[tuple[str, Path], ...] = ()
    """Update tests: the expected named graphs."""

    @property
    def suite(self) -> str:
        """The part of the report this case belongs to (see :func:`suite_of`)."""
        return suite_of(self)


def suite_of(case: Case) -> str:
    """``query-evaluation``, ``query-syntax``, ``update-syntax`` or ``update-evaluation``."""
    if case.kind in ("QueryEvaluationTest", "CSVResultFormatTest"):
        return "query-evaluation"
    if case.kind in ("PositiveSyntaxTest11", "NegativeSyntaxTest11"):
        return "query-syntax"
    if case.kind in ("PositiveUpdateSyntaxTest11", "NegativeUpdateSyntaxTest11"):
        return "update-syntax"
    return "update-evaluation"


def file_of(node: Node) -> Path:
    """The local file a ``file:`` IRI of the manifest names.

    Examples
    --------
    >>> file_of(URIRef("file:///tmp/a%20b.ttl"))
    PosixPath('/tmp/a b.ttl')
    """
    return Path(unquote(urlparse(str(node)).path))


def _graphs(manifest: Graph, node: Node, predicate: URIRef) -> tuple[tuple[str, Path], ...]:
    found = []
    for value in manifest.objects(node, predicate):
        if isinstance(value, URIRef):
            found.append((str(value), file_of(value)))
        else:  # [ ut:graph <file> ; rdfs:label "graph IRI" ]
            found.append((str(manifest.value(value, RDFS.label)), file_of(manifest.value(value, UT.graph))))
    return tuple(sorted(found))


def _files(manifest: Graph, node: Node, predicate: URIRef) -> tuple[Path, ...]:
    return tuple(sorted(file_of(value) for value in manifest.objects(node, predicate)))


def _case(manifest: Graph, entry: Node, folder: str) -> Case:
    kind = str(manifest.value(entry, RDF.type)).rsplit("#", 1)[-1]
    name = str(manifest.value(entry, MF.name) or "")
    test_id = f"{folder}/{str(entry).rsplit('#', 1)[-1].rsplit('/', 1)[-1]}"
    action = manifest.value(entry, MF.action)
    result = manifest.value(entry, MF.result)
    approved = manifest.value(entry, DAWGT.approval) == DAWGT.Approved
    common = {"id": test_id, "iri": str(entry), "kind": kind, "name": name, "folder": folder, "approved": approved}
    if kind in ("UpdateEvaluationTest",):
        return Case(**common, query=file_of(manifest.value(action, UT.request)),
                    data=_files(manifest, action, UT.data), graph_data=_graphs(manifest, action, UT.graphData),
                    result_data=_files(manifest, result, UT.data) if result is not None else (),
                    result_graph_data=_graphs(manifest, result, UT.graphData) if result is not None else ())
    if isinstance(action, URIRef):  # syntax tests name their file directly
        return Case(**common, query=file_of(action))
    return Case(**common, query=file_of(manifest.value(action, QT.query)),
                data=_files(manifest, action, QT.data), graph_data=_graphs(manifest, action, QT.graphData),
                result=file_of(result) if result is not None else None)


def read_cases(folders: tuple[str, ...] | None = None) -> Iterator[Case]:
    """Every test listed in ``mf:entries`` of the named folders' manifests (all folders by default)."""
    names = folders if folders is not None else tuple(f for group in FOLDERS.values() for f in group)
    for folder in names:
        path = SUITE / folder / "manifest.ttl"
        manifest = Graph().parse(path, format="turtle")
        for root in manifest.subjects(RDF.type, MF.Manifest):
            entries = manifest.value(root, MF.entries)
            if entries is None:
                continue
            for entry in Collection(manifest, entries):
                yield _case(manifest, entry, folder)
