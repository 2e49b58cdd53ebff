"""The W3C SPARQL 1.1 query test suite, replayed through Synergraph's HTTP endpoint.

Each test's data is loaded with one authorised SPARQL update (after ``DROP ALL``; the default graph's
data go into a named graph that the protocol's ``default-graph-uri`` names, because every update also
writes the change history into the store), its query is sent over HTTP, and the answer is compared with the expected result: result sets as multisets (in order
when the query has ORDER BY) with blank nodes matched up to renaming, graphs up to isomorphism.
The suite stays in ``../shared/w3c-sparql11`` beside the repository.

Run ``python tests/w3c_suite.py <endpoint> <token>`` for the figures and the list of failures.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from rdflib.query import Result

SUITE = Path(__file__).resolve().parents[2] / "shared" / "w3c-sparql11"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")

DEFAULT = "urn:synergraph:w3c:default"
_DATA_FORMATS = {".ttl": "turtle", ".rdf": "xml", ".nt": "nt"}
_RESULT_FORMATS = {".srx": "xml", ".srj": "json", ".tsv": "tsv", ".csv": "csv"}


@dataclass(frozen=True)
class Case:
    """One test of the suite."""

    id: str
    kind: str
    query: Path
    data: tuple[Path, ...] = ()
    graph_data: tuple[Path, ...] = ()
    result: Path | None = None


def _path(node: URIRef) -> Path:
    return Path(str(node).removeprefix("file://"))


def cases() -> Iterator[Case]:
    """Every approved query-evaluation and syntax test of the SPARQL 1.1 query manifests."""
    top = Graph().parse(SUITE / "manifest-sparql11-query.ttl", format="turtle")
    for include in top.objects(None, MF.include):
        for manifest in Collection(top, include):
            graph = Graph().parse(_path(manifest), format="turtle")
            root = next(graph.subjects(RDF.type, MF.Manifest))
            for entry in Collection(graph, graph.value(root, MF.entries)):
                if (entry, DAWGT.approval, DAWGT.Withdrawn) in graph:
                    continue
                kind = str(graph.value(entry, RDF.type)).rsplit("#", 1)[-1]
                action = graph.value(entry, MF.action)
                result = graph.value(entry, MF.result)
                if kind == "QueryEvaluationTest":
                    yield Case(str(entry), kind, _path(graph.value(action, QT.query)),
                               tuple(_path(d) for d in graph.objects(action, QT.data)),
                               tuple(_path(d) for d in graph.objects(action, QT.graphData)),
                               _path(result) if result is not None else None)
                elif kind in ("PositiveSyntaxTest11", "NegativeSyntaxTest11"):
                    yield Case(str(entry), kind, _path(action))


def _nt(path: Path) -> str:
    graph = Graph().parse(path, format=_DATA_FORMATS.get(path.suffix, "turtle"), publicID=path.as_uri())
    return graph.serialize(format="nt")


def load(endpoint: str, token: str, case: Case) -> None:
    """Replace the whole store with the test's data, in one update."""
    parts = ["DROP ALL"]
    for data in case.data:
        parts.append(f"INSERT DATA {{ GRAPH <{DEFAULT}> {{ {_nt(data)} }} }}")
    for data in case.graph_data:
        parts.append(f"INSERT DATA {{ GRAPH <{data.as_uri()}> {{ {_nt(data)} }} }}")
    response = httpx.post(endpoint, content=" ;\n".join(parts), timeout=60,
                          headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"})
    response.raise_for_status()


def _ask(endpoint: str, case: Case, accept: str) -> httpx.Response:
    text = case.query.read_text(encoding="utf-8")
    params: dict[str, list[str]] = {}
    if case.kind == "QueryEvaluationTest" and not re.search(r"(?i)\bFROM\b", text):
        # The test's dataset, named by the protocol: the store also holds the change history.
        params = {"default-graph-uri": [DEFAULT],
                  "named-graph-uri": [d.as_uri() for d in case.graph_data] or ["urn:synergraph:w3c:none"]}
    return httpx.post(endpoint, params=params, content=f"BASE <{case.query.as_uri()}>\n{text}", timeout=60,
                      headers={"Content-Type": "application/sparql-query", "Accept": accept})


def _term_key(term: object) -> object:
    if isinstance(term, Literal):
        try:
            value = term.toPython() if term.datatype else None
        except Exception:  # noqa: BLE001 - ill-typed literals compare by their lexical form
            value = None
        return ("L", str(term), term.datatype, term.language, value if not isinstance(value, str) else None)
    return term


def _same(expected: object, actual: object, mapping: dict[BNode, BNode]) -> bool:
    if isinstance(expected, BNode) and isinstance(actual, BNode):
        if expected in mapping:
            return mapping[expected] == actual
        if actual in mapping.values():
            return False
        mapping[expected] = actual
        return True
    if isinstance(expected, Literal) and isinstance(actual, Literal):
        if expected == actual or (str(expected), expected.datatype, expected.language) == (
                str(actual), actual.datatype, actual.language):
            return True
        return bool(expected.datatype and expected.datatype == actual.datatype
                    and _term_key(expected)[4] is not None and _term_key(expected)[4] == _term_key(actual)[4])
    return expected == actual


def _match_rows(expected: list[dict[str, object]], actual: list[dict[str, object]], ordered: bool,
                mapping: dict[BNode, BNode] | None = None) -> bool:
    mapping = dict(mapping or {})
    if not expected:
        return not actual
    first, rest = expected[0], expected[1:]
    candidates = [0] if ordered else range(len(actual))
    for index in candidates:
        if index >= len(actual) or set(first) != set(actual[index]):
            continue
        trial = dict(mapping)
        if all(_same(first[k], actual[index][k], trial) for k in first):
            if _match_rows(rest, actual[:index] + actual[index + 1:], ordered, trial):
                return True
    return False


def _rows(result: Result) -> list[dict[str, object]]:
    return [{str(k): v for k, v in row.asdict().items() if v is not None} for row in result]


def _rs_rows(graph: Graph) -> list[dict[str, object]]:
    """Rows of a result set written in RDF (the DAWG result-set vocabulary)."""
    rows = []
    for solution in graph.objects(None, RS.solution):
        rows.append({str(graph.value(b, RS.variable)): graph.value(b, RS.value)
                     for b in graph.objects(solution, RS.binding)})
    return rows


def run(endpoint: str, token: str, case: Case) -> str | None:
    """Run one test; None when it passes, otherwise why not."""
    if case.kind != "QueryEvaluationTest":
        response = _ask(endpoint, case, "application/sparql-results+json, text/turtle")
        wanted = 200 if case.kind == "PositiveSyntaxTest11" else 400
        return None if response.status_code == wanted else f"HTTP {response.status_code}, erwartet {wanted}"
    load(endpoint, token, case)
    assert case.result is not None
    expected_graph = None
    if case.result.suffix in _DATA_FORMATS:
        expected_graph = Graph().parse(case.result, format=_DATA_FORMATS[case.result.suffix],
                                       publicID=case.result.as_uri())
    if expected_graph is not None and (None, RDF.type, RS.ResultSet) not in expected_graph:
        response = _ask(endpoint, case, "application/n-triples")
        if response.status_code != 200:
            return f"HTTP {response.status_code}: {response.text[:200]}"
        actual = Graph().parse(data=response.text, format="nt")
        return None if isomorphic(expected_graph, actual) else "anderer Graph"
    response = _ask(endpoint, case, "application/sparql-results+json")
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    actual_result = Result.parse(io.BytesIO(response.content), format="json")
    if expected_graph is not None:
        boolean = expected_graph.value(None, RS.boolean)
        if boolean is not None:
            return None if bool(boolean.toPython()) == actual_result.askAnswer else "andere Antwort (ASK)"
        expected_rows = _rs_rows(expected_graph)
    else:
        expected_result = Result.parse(io.BytesIO(case.result.read_bytes()),
                                       format=_RESULT_FORMATS[case.result.suffix])
        if expected_result.type == "ASK":
            return None if expected_result.askAnswer == actual_result.askAnswer else "andere Antwort (ASK)"
        expected_rows = _rows(expected_result)
    if actual_result.type == "ASK":
        return "ASK-Antwort statt Zeilen"
    ordered = bool(re.search(r"(?i)\bORDER\s+BY\b", case.query.read_text(encoding="utf-8")))
    actual_rows = _rows(actual_result)
    if case.result.suffix in (".csv", ".tsv"):
        actual_rows = [{k: Literal(str(v)) if not isinstance(v, URIRef) else v for k, v in r.items()} for r in actual_rows]
    if len(expected_rows) != len(actual_rows):
        return f"{len(actual_rows)} Zeilen statt {len(expected_rows)}"
    return None if _match_rows(expected_rows, actual_rows, ordered) else "andere Zeilen"


def main(endpoint: str, token: str) -> int:
    """Run the whole suite against a running endpoint and print the figures."""
    results = {case.id: (case.kind, run(endpoint, token, case)) for case in cases()}
    for kind in ("QueryEvaluationTest", "PositiveSyntaxTest11", "NegativeSyntaxTest11"):
        of_kind = [failure for k, failure in results.values() if k == kind]
        passed = sum(failure is None for failure in of_kind)
        print(f"{kind}: {passed}/{len(of_kind)} ({100 * passed / max(len(of_kind), 1):.1f} %)")
    for test, (_, failure) in sorted(results.items()):
        if failure:
            print(f"  FAIL {test.rsplit('/', 2)[-2]}/{test.rsplit('#', 1)[-1]}: {failure}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
