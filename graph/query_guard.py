"""What a query or update may reach: SERVICE only to allowed endpoints; nothing else leaves the store.

The engine (pyoxigraph) ships an HTTP client: it would call any ``SERVICE`` endpoint and fetch any
``LOAD`` URL. So the service checks every text before it reaches the engine.

SERVICE is found twice. A tokenizer that reads the text the way the engine's parser does (strings,
IRIs, prefixed names and comments are single tokens, so a keyword inside a literal or a comment
does not count) finds every SERVICE keyword; only when it finds one is rdflib's SPARQL parser asked
as well, and its algebra walked for ``ServiceGraphPattern`` nodes. An endpoint is refused if either
reading names it and it is not allowed. Both are needed: rdflib expands ``\\u`` escapes before
parsing and the engine does not, so a text can hide a SERVICE from rdflib that the engine executes
(``FILTER("\\u0022") SERVICE <…> {…} FILTER("\\u0022")`` reads as one long string to rdflib); and
when rdflib cannot parse a text the engine accepts, the tokenizer alone decides.

Examples
--------
>>> service_endpoints('SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } } # SERVICE <x>')
['http://example.org/sparql']
>>> service_endpoints('SELECT * { ?s ?p "SERVICE <http://example.org/>" }')
[]
>>> service_endpoints('PREFIX ex: <http://example.org/> SELECT * { ?s ex:SERVICE ?o }')
[]
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from typing import Any
from urllib.parse import urljoin

__all__ = [
    "ServiceRefused",
    "append_update",
    "check_services",
    "load_from_store",
    "names_dataset",
    "query_form",
    "service_endpoints",
    "touched_graphs",
    "with_dataset",
]

_PN_CHARS = r"[A-Za-z0-9_\-.\u00B7\u00C0-\uFFFF]"
_TOKEN = re.compile(
    r'(?P<comment>#[^\n\r]*)'
    r'|(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\')'
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    r'|(?P<bnode>_:' + _PN_CHARS + r'+)'
    r'|(?P<pname>(?:[A-Za-z\u00C0-\uFFFF]' + _PN_CHARS + r'*)?:(?:[A-Za-z0-9_:%\\\u00C0-\uFFFF](?:[\w\-.:%\\\u00B7\u00C0-\uFFFF]*[\w\-:%\\\u00B7\u00C0-\uFFFF])?)?)'
    r'|(?P<word>[A-Za-z_][A-Za-z0-9_]*)'
    r'|(?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)'
    r'|(?P<other>\S)',
    re.DOTALL,
)


class ServiceRefused(Exception):
    """A SERVICE call to an endpoint that is not on the operator's allowlist."""


def _matches(sparql: str) -> list[re.Match[str]]:
    return [m for m in _TOKEN.finditer(sparql) if m.lastgroup != "comment"]


def _tokens(sparql: str) -> Iterator[tuple[str, str]]:
    for match in _matches(sparql):
        yield match.lastgroup or "other", match.group()


def _resolved(matches: list[re.Match[str]], base: str | None) -> list[str | None]:
    """For each token, the IRI it names resolved against ``base`` and the text's BASE declarations
    (which apply from where they stand on, as in the engine); None for tokens that are no IRI."""
    values: list[str | None] = []
    for index, match in enumerate(matches):
        if match.lastgroup != "iri":
            values.append(None)
            continue
        value = match.group()[1:-1]
        if base:
            value = urljoin(base, value)
        values.append(value)
        if index and matches[index - 1].lastgroup == "word" and matches[index - 1].group().upper() == "BASE":
            base = value
    return values


def _tokenizer_endpoints(sparql: str) -> list[str]:
    tokens = list(_tokens(sparql))
    found = []
    for index, (kind, text) in enumerate(tokens):
        if kind == "word" and text.upper() == "SERVICE":
            rest = tokens[index + 1:index + 3]
            if rest and rest[0][0] == "word" and rest[0][1].upper() == "SILENT":
                rest = rest[1:]
            if rest and rest[0][0] == "iri":
                found.append(rest[0][1][1:-1])
            elif rest:
                found.append(rest[0][1])
            else:
                found.append("")
    return found


def _algebra_endpoints(sparql: str, update: bool) -> list[str] | None:
    """SERVICE endpoints in rdflib's algebra of the text, or None when rdflib cannot parse it."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql import algebra, parser

    try:
        if update:
            tree: Any = algebra.translateUpdate(parser.parseUpdate(sparql))
            parts = list(tree.algebra)
        else:
            parts = [algebra.translateQuery(parser.parseQuery(sparql)).algebra]
    except (ParseException, Exception):  # noqa: BLE001 - any rdflib failure falls back to the tokenizer
        return None
    found: list[str] = []

    def visit(node: Any) -> Any:
        if getattr(node, "name", None) == "ServiceGraphPattern":
            term = node.term
            found.append(("?" + str(term)) if type(term).__name__ == "Variable" else str(term))
        return None

    for part in parts:
        algebra.traverse(part, visitPost=visit)
    return found


def service_endpoints(sparql: str, update: bool = False) -> list[str]:
    """The endpoints named by SERVICE in a query (or update); ``"?var"`` for a variable endpoint.

    >>> service_endpoints("SELECT * { SERVICE SILENT ?e { ?s ?p ?o } }")
    ['?e']
    """
    if "service" not in sparql.lower():  # words are ASCII tokens: without this text there is no SERVICE
        return []
    tokenized = _tokenizer_endpoints(sparql)
    if not tokenized:
        return []
    parsed = _algebra_endpoints(sparql, update) or []
    return sorted(set(tokenized) | set(parsed))


def check_services(sparql: str, allowlist: Collection[str], update: bool = False) -> None:
    """Refuse a query (or update) that calls an endpoint not on ``allowlist``.

    Raises
    ------
    ServiceRefused
        Names the endpoint and how an operator allows it.

    Examples
    --------
    >>> check_services("SELECT * { SERVICE <http://a.example/sparql> { ?s ?p ?o } }",
    ...                ["http://a.example/sparql"])
    """
    for endpoint in service_endpoints(sparql, update):
        if endpoint not in allowlist:
            raise ServiceRefused(
                f"SERVICE <{endpoint}> ist nicht erlaubt: föderierte Abfragen gehen nur an Endpunkte, die der "
                "Betrieb in SYNERGRAPH_SERVICE_ALLOWLIST freigibt / SERVICE to this endpoint is not allowed "
                "(operator allowlist SYNERGRAPH_SERVICE_ALLOWLIST)")


def names_dataset(sparql: str) -> bool:
    """Whether the query chooses its own dataset with FROM or FROM NAMED (which then wins over the
    union default graph). The named graphs are looked up in the store, never fetched.

    >>> names_dataset("SELECT * FROM <https://w3id.org/synergraph/graph/beispiele> WHERE { ?s ?p ?o }")
    True
    >>> names_dataset('SELECT * WHERE { ?s ?p "FROM" }')
    False
    """
    if "from" not in sparql.lower():  # the quick answer for most queries, before tokenizing
        return False
    return any(kind == "word" and text.upper() == "FROM" for kind, text in _tokens(sparql))


def query_form(sparql: str) -> str | None:
    """The form of a query (``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``), or None if unclear.

    >>> query_form("PREFIX ex: <http://example.org/> construct WHERE { ?s ex:SELECT ?o }")
    'CONSTRUCT'
    """
    for kind, text in _tokens(sparql):
        if kind == "word" and text.upper() not in ("PREFIX", "BASE"):
            word = text.upper()
            return word if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") else None
    return None


def touched_graphs(update: str, base: str | None = None) -> list[str]:
    """The graphs an update names as its targets (after GRAPH, WITH, INTO, TO), for the history;
    relative IRIs resolved against ``base`` and the update's own BASE.

    >>> touched_graphs("WITH <https://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    ['https://example.org/g']
    >>> touched_graphs("BASE <http://example/> CLEAR GRAPH <g> ; DROP GRAPH <other:h>", "http://host/sparql")
    ['http://example/g', 'other:h']
    """
    matches = _matches(update)
    iris = _resolved(matches, base)
    found = set()
    for index, match in enumerate(matches[:-1]):
        target = iris[index + 1]
        if match.lastgroup == "word" and match.group().upper() in ("GRAPH", "WITH", "INTO", "TO") and target:
            found.add(target)
    return sorted(found)


def with_dataset(update: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """Give every ``DELETE``/``INSERT … WHERE`` operation the dataset of the protocol's
    ``using-graph-uri`` / ``using-named-graph-uri`` parameters as ``USING`` clauses.

    Raises
    ------
    ValueError
        The update chooses its own dataset (USING, USING NAMED or WITH); the protocol forbids both.

    Examples
    --------
    >>> with_dataset("INSERT { ?s a <x:T> } WHERE { ?s ?p ?o }", ["x:g"], [])
    'INSERT { ?s a <x:T> } USING <x:g> WHERE { ?s ?p ?o }'
    >>> with_dataset("INSERT DATA { <x:a> <x:b> <x:c> } ; DELETE WHERE { ?s ?p ?o }", ["x:g"], [])
    'INSERT DATA { <x:a> <x:b> <x:c> } ; DELETE WHERE { ?s ?p ?o }'
    """
    if not using and not using_named:
        return update
    clause = " ".join([f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named]) + " "
    pieces, position, depth, operation = [], 0, 0, None
    previous: re.Match[str] | None = None
    for match in _matches(update):
        text, kind = match.group(), match.lastgroup
        if kind == "word" and text.upper() in ("USING", "WITH"):
            raise ValueError(f"Die Änderung wählt mit {text.upper()} selbst ihre Daten; using-graph-uri und "
                             "using-named-graph-uri gehen nur ohne USING und WITH / the update names its own "
                             "dataset")
        if kind == "other" and text in "{}":
            depth += 1 if text == "{" else -1
        elif kind == "other" and text == ";" and depth == 0:
            operation = None
        elif kind == "word" and depth == 0 and text.upper() not in ("PREFIX", "BASE"):
            word = text.upper()
            if operation is None:
                operation = word
            elif (word == "WHERE" and operation in ("DELETE", "INSERT") and previous is not None
                  and previous.group().upper() != operation):
                pieces += [update[position:match.start()], clause]
                position = match.start()
        previous = match
    return "".join(pieces) + update[position:]


def append_update(update: str, more: str) -> str:
    r"""One update request made of ``update`` followed by ``more`` (so both commit together).

    A trailing comment or ``;`` of ``update`` is respected.

    >>> append_update("CLEAR ALL ; # done", "CLEAR DEFAULT")
    'CLEAR ALL ; # done\nCLEAR DEFAULT'
    >>> append_update("CLEAR ALL # done", "CLEAR DEFAULT")
    'CLEAR ALL # done\n;\nCLEAR DEFAULT'
    """
    tokens = list(_tokens(update))
    if not tokens or all(t[0] == "word" and t[1].upper() in ("PREFIX", "BASE") or t[0] in ("iri", "pname")
                         for t in tokens):
        return update + "\n" + more
    if tokens[-1] == ("other", ";"):
        return update + "\n" + more
    return update + "\n;\n" + more


def load_from_store(update: str, base: str | None = None) -> tuple[str, list[str]]:
    """Rewrite every ``LOAD <iri> [INTO GRAPH <g>]`` as ``ADD GRAPH <iri> TO …``: LOAD names a graph
    of the store and copies it; it never fetches a URL. Also returns the graphs a non-SILENT LOAD
    names, which must exist in the store. Relative IRIs are resolved against ``base`` and the
    update's own BASE.

    Raises
    ------
    ValueError
        A LOAD the rewrite does not understand (it would otherwise reach the engine, which fetches).

    Examples
    --------
    >>> load_from_store("LOAD SILENT <https://example.org/a> INTO GRAPH <https://example.org/b>")
    ('ADD SILENT GRAPH <https://example.org/a> TO GRAPH <https://example.org/b>', [])
    >>> load_from_store('INSERT DATA { <a:x> <a:p> "LOAD <a:y>" }')
    ('INSERT DATA { <a:x> <a:p> "LOAD <a:y>" }', [])
    >>> load_from_store("BASE <http://example/> LOAD <remote>")
    ('BASE <http://example/> ADD GRAPH <http://example/remote> TO DEFAULT', ['http://example/remote'])
    """
    matches = _matches(update)
    iris = _resolved(matches, base)
    pieces, position, index, required = [], 0, 0, []
    while index < len(matches):
        match = matches[index]
        if match.lastgroup == "word" and match.group().upper() == "LOAD":
            cursor = index + 1
            silent = cursor < len(matches) and matches[cursor].group().upper() == "SILENT"
            cursor += silent
            source = iris[cursor] if cursor < len(matches) else None
            if source is None:
                raise ValueError("LOAD nennt einen Graphen des Speichers als <IRI> / LOAD takes an <IRI>")
            if not silent:
                required.append(source)
            cursor += 1
            target = "DEFAULT"
            words = [m.group().upper() for m in matches[cursor:cursor + 2]]
            if words == ["INTO", "GRAPH"]:
                if cursor + 2 >= len(matches) or iris[cursor + 2] is None:
                    raise ValueError("LOAD … INTO GRAPH braucht eine <IRI> / INTO GRAPH takes an <IRI>")
                target = f"GRAPH <{iris[cursor + 2]}>"
                cursor += 3
            pieces.append(update[position:match.start()])
            pieces.append(f"ADD {'SILENT ' if silent else ''}GRAPH <{source}> TO {target}")
            position = matches[cursor - 1].end()
            index = cursor
            continue
        index += 1
    pieces.append(update[position:])
    return "".join(pieces), required
