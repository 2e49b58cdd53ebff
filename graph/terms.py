"""Conversions between rdflib terms, pyoxigraph terms and plain Python values.

rdflib is the toolkit for parsing, SHACL and serialisation; pyoxigraph is the store. These three
functions are the only bridge between them.

Examples
--------
>>> from rdflib import Literal, URIRef
>>> to_oxigraph(URIRef("https://example.org/a"))
<NamedNode value=https://example.org/a>
>>> to_python(to_oxigraph(Literal(417)))
417
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

__all__ = ["to_oxigraph", "to_python", "to_quad", "to_rdflib"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Turn an rdflib term into the pyoxigraph term with the same meaning."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph) -> Node:
    """Turn a pyoxigraph term into the rdflib term with the same meaning."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD + "string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"not a convertible term: {term!r}")


def to_quad(subject: Node, predicate: Node, obj: Node, graph: URIRef) -> ox.Quad:
    """Build a pyoxigraph quad from rdflib terms."""
    return ox.Quad(to_oxigraph(subject), to_oxigraph(predicate), to_oxigraph(obj), ox.NamedNode(str(graph)))


def _literal_value(literal: ox.Literal) -> Any:
    datatype = literal.datatype.value
    text = literal.value
    try:
        if datatype in {_XSD + "integer", _XSD + "int", _XSD + "long", _XSD + "nonNegativeInteger",
                        _XSD + "positiveInteger", _XSD + "short"}:
            return int(text)
        if datatype == _XSD + "decimal":
            return Decimal(text)
        if datatype in {_XSD + "double", _XSD + "float"}:
            return float(text)
        if datatype == _XSD + "boolean":
            return text in {"true", "1"}
        if datatype == _XSD + "date":
            return datetime.date.fromisoformat(text)
        if datatype == _XSD + "dateTime":
            return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return text


def to_python(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Any:
    """A plain Python value for a query result term: IRIs and strings as ``str``, numbers as
    numbers, dates as :class:`datetime.date`, blank nodes as ``"_:id"``, unbound as ``None``.

    >>> to_python(ox.Literal("2026-01-31", datatype=ox.NamedNode(_XSD + "date")))
    datetime.date(2026, 1, 31)
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return _literal_value(term)
    return str(term)
