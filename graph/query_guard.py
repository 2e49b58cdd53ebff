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

__all__ = ["service_endpoints", "check_services", "names_dataset", "ServiceRefused"]

_TOKEN = re.compile(
    r'(?P<comment>#[^\n]*)'
    r'|(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r'|(?P<iri><[^<>"{}|^`\\\s]*>)'
    r'|(?P<word>[A-Za-z_][A-Za-z0-9_]*)'
    r'|(?P<var>[?$][A-Za-z0-9_]+)'
    r'|(?P<other>\S)',
    re.S,
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
