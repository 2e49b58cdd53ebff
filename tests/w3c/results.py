"""Expected and actual results of SPARQL queries, and how the W3C tests compare them.

Result sets (``.srx``, ``.srj``, ``.csv``, ``.tsv`` and the DAWG result-set vocabulary in RDF) are
compared as multisets of rows, or as sequences when the query has ``ORDER BY``; blank nodes match up
to a consistent renaming, found by backtracking. Graph results are compared up to isomorphism
(:func:`rdflib.compare.isomorphic`). Literals are equal when they are the same RDF term; numbers of
the same datatype are also equal when their values are (``"1.0"^^xsd:decimal`` and
``"1.00"^^xsd:decimal``), because the suite's expected files do not always use canonical forms.
Language tags compare case-insensitively (RDF 1.1).

That numeric leniency goes beyond the suite's own rule, which asks for identical IRI and literal
nodes (a proposal to compare literals by value, w3c/rdf-tests pull request 59, was closed without
change). It matters because the engine keeps numeric literals by value (``"1.0"^^xsd:decimal`` in
the data comes back as ``"1"``); with strict term equality 14 more query-evaluation cases fail.
Oxigraph's own test harness is more lenient still: it normalises both sides through its store.
CSV answers carry no datatypes: a cell is compared as a string with the expected cell, as the suite's
rule for CSV result tests says (``2.2`` matches ``"2.2"``, ``"2.2"^^xsd:string`` and
``"2.2"^^xsd:decimal``, but ``1000000`` does not match ``1.0E6``).

Parsing is done with rdflib, a library independent of the engine under test.

Examples
--------
>>> from rdflib import Literal, URIRef, BNode
>>> a = [{"x": BNode("e1"), "y": Literal(1)}]
>>> b = [{"x": BNode("other"), "y": Literal(1)}]
>>> compare_rows(a, b, ordered=False) is None
True
>>> compare_rows(a, [], ordered=False)
'0 Zeilen statt 1'
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD
from rdflib.query import Result
from rdflib.term import Node

__all__ = [
    "GRAPH_SUFFIXES",
    "RESULT_SUFFIXES",
    "Answer",
    "compare_answers",
    "compare_graphs",
    "compare_rows",
    "parse_graph",
    "parse_result_set",
    "read_expected",
]

RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")

# File suffix -> rdflib result parser and the media type to ask the endpoint for.
RESULT_SUFFIXES = {
    ".srx": ("xml", "application/sparql-results+xml"),
    ".srj": ("json", "application/sparql-results+json"),
    ".csv": ("csv", "text/csv"),
    ".tsv": ("tsv", "text/tab-separated-values"),
}
# File suffix -> rdflib graph parser; graph answers are asked for as N-Triples (no prefixes, no base).
GRAPH_SUFFIXES = {".ttl": "turtle", ".nt": "nt", ".rdf": "xml"}
_MEDIA_GRAPH_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "text/plain": "nt",
                        "application/rdf+xml": "xml", "application/ld+json": "json-ld"}
_MEDIA_RESULT_FORMATS = {media: fmt for fmt, media in RESULT_SUFFIXES.values()} | {
    "application/sparql-results+json": "json", "application/json": "json", "application/xml": "xml"}

Row = dict[str, Node]


@dataclass(frozen=True)
class Answer:
    """One query answer in comparable form: a boolean, rows, or a graph."""

    boolean: bool | None = None
    variables: tuple[str, ...] | None = None
    rows: tuple[Row, ...] | None = None
    graph: Graph | None = None

    @property
    def kind(self) -> str:
        """``"boolean"``, ``"rows"`` or ``"graph"``."""
        if self.boolean is not None:
            return "boolean"
        return "graph" if self.graph is not None else "rows"


def parse_graph(data: bytes | str, format: str, base: str | None = None) -> Graph:
    """An RDF graph from text in one of rdflib's formats.

    Examples
    --------
    >>> len(parse_graph("<http://e/s> <http://e/p> 1 .", "turtle"))
    1
    """
    graph = Graph()
    graph.parse(data=data, format=format, publicID=base)
    return graph


def parse_result_set(data: bytes, format: str) -> Answer:
    """A SPARQL result document (``xml``, ``json``, ``csv``, ``tsv``) as an :class:`Answer`.

    Examples
    --------
    >>> parse_result_set(b'{"head": {}, "boolean": true}', "json").boolean
    True
    >>> text = b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "uri", "value": "http://e/"}}]}}'
    >>> parse_result_set(text, "json").rows
    ({'x': rdflib.term.URIRef('http://e/')},)
    """
    result = Result.parse(io.BytesIO(data), format=format)
    if result.type == "ASK":
        return Answer(boolean=bool(result.askAnswer))
    variables = tuple(str(v) for v in (result.vars or ()))
    rows = tuple({str(k): v for k, v in row.asdict().items() if v is not None} for row in result)
    return Answer(variables=variables, rows=rows)


def _rows_from_rdf(graph: Graph) -> Answer:
    """A result set written in RDF with the DAWG result-set vocabulary."""
    results = next(graph.subjects(RDF.type, RS.ResultSet), None)
    boolean = graph.value(results, RS.boolean) if results is not None else None
    if boolean is not None:
        return Answer(boolean=str(boolean).lower() == "true")
    variables = tuple(str(v) for v in graph.objects(results, RS.resultVariable))
    solutions = []
    for solution in graph.objects(results, RS.solution):
        index = graph.value(solution, RS.index)
        row = {str(graph.value(b, RS.variable)): graph.value(b, RS.value)
               for b in graph.objects(solution, RS.binding)}
        solutions.append((int(index) if index is not None else 0, row))
    solutions.sort(key=lambda pair: pair[0])
    return Answer(variables=variables, rows=tuple(row for _, row in solutions))


def read_expected(path: Path) -> tuple[Answer, str]:
    """The expected answer stored in a result file, and the media type to ask the endpoint for.

    Examples
    --------
    >>> from w3c import SUITE
    >>> answer, media = read_expected(SUITE / "aggregates" / "agg01.srx")
    >>> media, answer.kind
    ('application/sparql-results+xml', 'rows')
    """
    suffix = path.suffix.lower()
    if suffix in RESULT_SUFFIXES:
        fmt, media = RESULT_SUFFIXES[suffix]
        return parse_result_set(path.read_bytes(), fmt), media
    graph = parse_graph(path.read_bytes(), GRAPH_SUFFIXES[suffix], base=path.as_uri())
    if (None, RDF.type, RS.ResultSet) in graph:
        answer = _rows_from_rdf(graph)
        media = "application/sparql-results+json"
        return answer, media
    return Answer(graph=graph), "application/n-triples"


def parse_answer(body: bytes, media_type: str, expected: Answer) -> Answer:
    """The endpoint's answer, read in the format its Content-Type names."""
    media = media_type.split(";")[0].strip().lower()
    if expected.kind == "graph" or media in _MEDIA_GRAPH_FORMATS:
        if media not in _MEDIA_GRAPH_FORMATS:
            raise ValueError(f"Graph erwartet, aber Content-Type {media!r} erhalten")
        return Answer(graph=parse_graph(body, _MEDIA_GRAPH_FORMATS[media]))
    if media not in _MEDIA_RESULT_FORMATS:
        raise ValueError(f"Ergebnismenge erwartet, aber Content-Type {media!r} erhalten")
    return parse_result_set(body, _MEDIA_RESULT_FORMATS[media])


_NUMERIC = {XSD.integer, XSD.decimal, XSD.float, XSD.double, XSD.int, XSD.long, XSD.short, XSD.byte,
            XSD.nonNegativeInteger, XSD.nonPositiveInteger, XSD.positiveInteger, XSD.negativeInteger,
            XSD.unsignedInt, XSD.unsignedLong, XSD.unsignedShort, XSD.unsignedByte}


def _number(literal: Literal) -> Decimal | float | None:
    try:
        if literal.datatype in (XSD.float, XSD.double):
            return float(str(literal).replace("INF", "inf"))
        return Decimal(str(literal))
    except (InvalidOperation, ValueError):
        return None


def same_literal(expected: Literal, actual: Literal) -> bool:
    """Whether two literals are the same as far as the W3C tests care.

    Examples
    --------
    >>> from rdflib.namespace import XSD
    >>> same_literal(Literal("1.0", datatype=XSD.decimal), Literal("1.00", datatype=XSD.decimal))
    True
    >>> same_literal(Literal("1", datatype=XSD.integer), Literal("1", datatype=XSD.decimal))
    False
    >>> same_literal(Literal("a", lang="en-US"), Literal("a", lang="en-us"))
    True
    """
    if str(expected) == str(actual) and expected.datatype == actual.datatype:
        return (expected.language or "").lower() == (actual.language or "").lower()
    if expected.datatype is not None and expected.datatype == actual.datatype and expected.datatype in _NUMERIC:
        left, right = _number(expected), _number(actual)
        return left is not None and left == right
    return False


def _same_term(expected: Node, actual: Node, mapping: dict[Node, Node], used: set[Node]) -> bool:
    if isinstance(expected, BNode):
        if not isinstance(actual, BNode):
            return False
        if expected in mapping:
            return mapping[expected] == actual
        if actual in used:
            return False
        mapping[expected] = actual
        used.add(actual)
        return True
    if isinstance(expected, Literal):
        return isinstance(actual, Literal) and same_literal(expected, actual)
    return bool(expected == actual)


def _row_matches(expected: Row, actual: Row, mapping: dict[Node, Node], used: set[Node]) -> bool:
    if expected.keys() != actual.keys():
        return False
    return all(_same_term(expected[name], actual[name], mapping, used) for name in expected)


def _ground_key(row: Mapping[str, Node]) -> tuple[tuple[str, object], ...] | None:
    """A hashable key for a row without blank nodes (None when it has some)."""
    key = []
    for name, term in sorted(row.items()):
        if isinstance(term, BNode):
            return None
        if isinstance(term, Literal):
            number = _number(term) if term.datatype in _NUMERIC else None
            value: object = ("n", term.datatype, number) if number is not None else (
                "l", str(term), term.datatype, (term.language or "").lower())
        else:
            value = ("t", term)
        key.append((name, value))
    return tuple(key)


def _match_unordered(expected: list[Row], actual: list[Row], mapping: dict[Node, Node], used: set[Node]) -> bool:
    if not expected:
        return not actual
    first, rest = expected[0], expected[1:]
    for index, candidate in enumerate(actual):
        trial, trial_used = dict(mapping), set(used)
        if (_row_matches(first, candidate, trial, trial_used)
                and _match_unordered(rest, actual[:index] + actual[index + 1:], trial, trial_used)):
            mapping.update(trial)
            used.update(trial_used)
            return True
    return False


def _match_ordered(expected: Sequence[Row], actual: Sequence[Row]) -> bool:
    mapping: dict[Node, Node] = {}
    used: set[Node] = set()
    return all(_row_matches(e, a, mapping, used) for e, a in zip(expected, actual, strict=True))


def compare_rows(expected: Sequence[Row], actual: Sequence[Row], ordered: bool) -> str | None:
    """None when the rows agree, otherwise a short German reason.

    Rows without blank nodes are matched by counting; the rest by backtracking over blank node
    renamings. With ``ordered`` the rows must also come in the same sequence.

    Examples
    --------
    >>> from rdflib import URIRef
    >>> a, b = {"x": URIRef("http://e/a")}, {"x": URIRef("http://e/b")}
    >>> compare_rows([a, b], [b, a], ordered=False) is None
    True
    >>> compare_rows([a, b], [b, a], ordered=True)
    'gleiche Zeilen, andere Reihenfolge'
    """
    if len(expected) != len(actual):
        return f"{len(actual)} Zeilen statt {len(expected)}"
    ground_expected = Counter(k for k in map(_ground_key, expected) if k is not None)
    ground_actual = Counter(k for k in map(_ground_key, actual) if k is not None)
    if ground_expected != ground_actual:
        missing = ground_expected - ground_actual
        extra = ground_actual - ground_expected
        return f"andere Zeilen (fehlend: {_show(missing)}; zusätzlich: {_show(extra)})"
    open_expected = [row for row in expected if _ground_key(row) is None]
    open_actual = [row for row in actual if _ground_key(row) is None]
    if not _match_unordered(open_expected, open_actual, {}, set()):
        return "andere Zeilen mit leeren Knoten"
    if ordered and not _match_ordered(expected, actual):
        return "gleiche Zeilen, andere Reihenfolge"
    return None


def _show(rows: Counter[tuple[tuple[str, object], ...]]) -> str:
    shown = [", ".join(f"{name}={_short(value)}" for name, value in row) for row in list(rows)[:2]]
    more = sum(rows.values()) - len(shown)
    return "; ".join(f"[{s}]" for s in shown) + (f" und {more} weitere" if more > 0 else "") if shown else "-"


def _short(value: object) -> str:
    text = str(value[1]) if isinstance(value, tuple) and len(value) > 1 else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def compare_graphs(expected: Graph, actual: Graph) -> str | None:
    """None when the graphs are isomorphic, otherwise a short German reason.

    Examples
    --------
    >>> g = parse_graph("_:a <http://e/p> 1 .", "turtle")
    >>> compare_graphs(g, parse_graph("_:z <http://e/p> 1 .", "turtle")) is None
    True
    """
    if isomorphic(expected, actual):
        return None
    return f"anderer Graph ({len(actual)} statt {len(expected)} Tripel)"


def compare_answers(expected: Answer, actual: Answer, ordered: bool) -> str | None:
    """None when the endpoint's answer is the expected one, otherwise why not (German)."""
    if expected.kind != actual.kind:
        return f"Antwort ist {actual.kind}, erwartet {expected.kind}"
    if expected.boolean is not None:
        return None if expected.boolean == actual.boolean else f"ASK ergab {actual.boolean}, erwartet {expected.boolean}"
    if expected.graph is not None:
        assert actual.graph is not None
        return compare_graphs(expected.graph, actual.graph)
    assert expected.rows is not None and actual.rows is not None
    if expected.variables and actual.variables is not None and set(expected.variables) != set(actual.variables):
        return f"Variablen {sorted(actual.variables)} statt {sorted(expected.variables)}"
    return compare_rows(expected.rows, actual.rows, ordered)
