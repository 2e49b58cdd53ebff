"""What a query may reach: SERVICE only to allowed endpoints; nothing else leaves the store.

The check reads the query's tokens (skipping strings, IRIs and comments), so a keyword inside a
literal or a comment is not mistaken for one.

Examples
--------
>>> service_endpoints('SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } } # SERVICE <x>')
['http://example.org/sparql']
>>> service_endpoints('SELECT * { ?s ?p "SERVICE <http://example.org/>" }')
[]
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator

__all__ = ["ServiceRefused", "check_services", "load_from_store", "names_dataset", "service_endpoints"]

_TOKEN = re.compile(
    r'(?P<comment>#[^\n]*)'
    r'|(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r'|(?P<iri><[^<>"{}|^`\\\s]*>)'
    r'|(?P<word>[A-Za-z_][A-Za-z0-9_]*)'
    r'|(?P<var>[?$][A-Za-z0-9_]+)'
    r'|(?P<other>\S)',
    re.DOTALL,
)


class ServiceRefused(Exception):
    """A SERVICE call to an endpoint that is not on the operator's allowlist."""


def _tokens(sparql: str) -> Iterator[tuple[str, str]]:
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup or "other"
        if kind != "comment":
            yield kind, match.group()


def service_endpoints(sparql: str) -> list[str]:
    """The endpoints named by SERVICE in a query; ``"?var"`` for a variable endpoint."""
    tokens = list(_tokens(sparql))
    found = []
    for index, (kind, text) in enumerate(tokens):
        if kind == "word" and text.upper() == "SERVICE":
            rest = [t for t in tokens[index + 1:index + 3]]
            if rest and rest[0][0] == "word" and rest[0][1].upper() == "SILENT":
                rest = rest[1:]
            if rest and rest[0][0] == "iri":
                found.append(rest[0][1][1:-1])
            elif rest:
                found.append(rest[0][1])
    return found


def check_services(sparql: str, allowlist: Collection[str]) -> None:
    """Refuse a query that calls an endpoint not on ``allowlist``.

    Raises
    ------
    ServiceRefused
        Names the endpoint and how an operator allows it.
    """
    for endpoint in service_endpoints(sparql):
        if endpoint not in allowlist:
            raise ServiceRefused(
                f"SERVICE <{endpoint}> ist nicht erlaubt: föderierte Abfragen gehen nur an Endpunkte, die der "
                "Betrieb in SYNERGRAPH_SERVICE_ALLOWLIST freigibt / SERVICE to this endpoint is not allowed")


def names_dataset(sparql: str) -> bool:
    """Whether the query chooses its own dataset with FROM or FROM NAMED (which then wins over the
    union default graph). The named graphs are looked up in the store, never fetched.

    >>> names_dataset("SELECT * FROM <https://w3id.org/synergraph/graph/beispiele> WHERE { ?s ?p ?o }")
    True
    >>> names_dataset('SELECT * WHERE { ?s ?p "FROM" }')
    False
    """
    return any(kind == "word" and text.upper() == "FROM" for kind, text in _tokens(sparql))


def load_from_store(update: str) -> tuple[str, list[str]]:
    """Rewrite every ``LOAD <iri> [INTO GRAPH <g>]`` as ``ADD GRAPH <iri> TO …``: LOAD names a graph
    of the store and copies it; it never fetches a URL. Also returns the graphs a non-SILENT LOAD
    names, which must exist in the store.

    >>> load_from_store("LOAD SILENT <https://example.org/a> INTO GRAPH <https://example.org/b>")
    ('ADD SILENT GRAPH <https://example.org/a> TO GRAPH <https://example.org/b>', [])
    >>> load_from_store('INSERT DATA { <a:x> <a:p> "LOAD <a:y>" }')
    ('INSERT DATA { <a:x> <a:p> "LOAD <a:y>" }', [])
    """
    matches = [m for m in _TOKEN.finditer(update) if m.lastgroup != "comment"]
    pieces, position, index, required = [], 0, 0, []
    while index < len(matches):
        match = matches[index]
        if match.lastgroup == "word" and match.group().upper() == "LOAD":
            cursor = index + 1
            silent = cursor < len(matches) and matches[cursor].group().upper() == "SILENT"
            cursor += silent
            if cursor < len(matches) and matches[cursor].lastgroup == "iri":
                source = matches[cursor].group()
                if not silent:
                    required.append(source[1:-1])
                cursor += 1
                target = "DEFAULT"
                words = [m.group().upper() for m in matches[cursor:cursor + 2]]
                if words == ["INTO", "GRAPH"] and cursor + 2 < len(matches):
                    target = "GRAPH " + matches[cursor + 2].group()
                    cursor += 3
                pieces.append(update[position:match.start()])
                pieces.append(f"ADD {'SILENT ' if silent else ''}GRAPH {source} TO {target}")
                position = matches[cursor - 1].end()
                index = cursor
                continue
        index += 1
    pieces.append(update[position:])
    return "".join(pieces), required
