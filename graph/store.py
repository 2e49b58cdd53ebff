"""The SPARQL store: an Oxigraph database on disk (or a SPARQL 1.1 endpoint) with Synergraph's conventions.

The default graph of every query is the union of all named graphs; each loaded file lives in its
own named graph. Query results come back as plain Python rows, never as engine objects.

Examples
--------
>>> from rdflib import Literal, URIRef, RDFS
>>> store = Store.in_memory()
>>> store.replace_graph("https://example.org/g", [(URIRef("https://example.org/a"), RDFS.label, Literal("A"))])
>>> store.select("SELECT ?label WHERE { ?s rdfs:label ?label }")
[{'label': 'A'}]
"""

from __future__ import annotations

import re
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from .namespaces import PREFIXES
from .remote import RemoteEngine, is_endpoint_url
from .terms import to_oxigraph, to_python, to_rdflib

__all__ = ["Binding", "Bound", "GraphInfo", "Store", "StoreLocked", "bind", "open_here"]

Binding = str | int | float | bool | Node | ox.NamedNode | ox.Literal
Bound = Binding | Sequence[Binding]
"""A value bound to a query variable, or a list or tuple of values: one solution for each (see :func:`bind`)."""


class StoreLocked(Exception):
    """Another process (usually a running ``synergraph serve``) holds the store open for writing."""

    @classmethod
    def of(cls, path: Path) -> StoreLocked:
        """The error for the store folder ``path``: which store, and what to do.

        >>> print(StoreLocked.of(Path("/srv/store")))
        Der Speicher /srv/store ist von einem anderen Prozess geöffnet (läuft 'synergraph serve'?). Fragen Sie den laufenden Dienst über HTTP ab oder beenden Sie ihn zuerst.
        """
        return cls(f"Der Speicher {path} ist von einem anderen Prozess geöffnet (läuft 'synergraph serve'?). "
                   "Fragen Sie den laufenden Dienst über HTTP ab oder beenden Sie ihn zuerst.")

    @classmethod
    def here(cls, path: Path) -> StoreLocked:
        """The error for a store folder that this process still has open.

        >>> print(StoreLocked.here(Path("/srv/store")))
        Der Speicher /srv/store ist in diesem Prozess noch geöffnet; geben Sie ihn zuerst frei (del store).
        """
        return cls(f"Der Speicher {path} ist in diesem Prozess noch geöffnet; geben Sie ihn zuerst frei (del store).")


# Store folders with an engine open in this process, and how many. The engine's lock file cannot tell:
# POSIX locks belong to the process, so a second lock taken in the same process always succeeds.
_OPEN_HERE: Counter[Path] = Counter()


def open_here(folder: Path | str) -> bool:
    """Whether this process has the store in ``folder`` open.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> store = Store(folder)
    >>> open_here(folder)
    True
    >>> del store
    >>> open_here(folder)
    False
    """
    return _OPEN_HERE[Path(folder).resolve()] > 0


def _closed(folder: Path) -> None:
    _OPEN_HERE[folder] -= 1


@dataclass(frozen=True)
class GraphInfo:
    """A named graph of the store and the number of triples in it."""

    iri: str
    triples: int


def _term(value: Binding) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    if isinstance(value, Node):
        return to_oxigraph(value)
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false",
                          datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double"))
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    return ox.Literal(str(value))


def _where_brace(sparql: str) -> int:
    """Index just after the ``{`` that opens the query's WHERE group, or -1.

    Strings, IRIs and comments are skipped; the template of ``CONSTRUCT { … } WHERE { … }`` is not
    the WHERE group.
    """
    depth, index, length = 0, 0, len(sparql)
    skip_template = False
    while index < length:
        char = sparql[index]
        if char == "#":
            end = sparql.find("\n", index)
            index = length if end < 0 else end
        elif char in "\"'":
            quote = sparql[index:index + 3] if sparql[index:index + 3] in ('"""', "'''") else char
            end = index + len(quote)
            while end < length and sparql[end:end + len(quote)] != quote:
                end += 2 if sparql[end] == "\\" else 1
            index = end + len(quote) - 1
        elif char == "<" and depth == 0 and re.match(r"<[^\s<>\"{}|^`]*>", sparql[index:]):
            index = sparql.find(">", index)
        elif depth == 0 and re.match(r"(?i)CONSTRUCT\s*\{", sparql[index:]):
            skip_template = True
            index += len("CONSTRUCT") - 1
        elif char == "{":
            if depth == 0 and not skip_template:
                return index + 1
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                skip_template = False
        index += 1
    return -1


def bind(sparql: str, bindings: Mapping[str, Bound]) -> str:
    """The query with ``bindings`` given as a VALUES block at the start of its WHERE group.

    The values are serialised by the engine's own term writer, so no input can change the query's
    structure; FILTERs of the group see them bound. One variable may be given a list of values: the
    block then has one row for each (the other variables the same in every row), so a question about
    many resources is one query.

    >>> bind("SELECT ?n WHERE { ?g sg:ags ?n }", {"g": "https://example.org/x"})
    'SELECT ?n WHERE { VALUES (?g) { ("https://example.org/x") } ?g sg:ags ?n }'
    >>> bind("SELECT ?g WHERE { ?g sg:ags ?n }", {"g": [ox.NamedNode("https://example.org/x"),
    ...                                                 ox.NamedNode("https://example.org/y")], "n": "12"})
    'SELECT ?g WHERE { VALUES (?g ?n) { (<https://example.org/x> "12") (<https://example.org/y> "12") } ?g sg:ags ?n }'
    """
    if not bindings:
        return sparql
    at = _where_brace(sparql)
    if at < 0:
        raise ValueError("Abfrage ohne WHERE-Gruppe: Werte lassen sich nicht binden")
    lists = [name for name, value in bindings.items() if isinstance(value, (list, tuple))]
    if len(lists) > 1:
        raise ValueError(f"Nur eine Variable kann mehrere Werte haben, nicht {', '.join(lists)}")
    rows = ([{**bindings, lists[0]: value} for value in bindings[lists[0]]]  # type: ignore[union-attr]
            if lists else [bindings])
    names = " ".join(str(ox.Variable(name)) for name in bindings)
    values = " ".join("(" + " ".join(str(_term(row[name])) for name in bindings) + ")"  # type: ignore[arg-type]
                      for row in rows)
    return f"{sparql[:at]} VALUES ({names}) {{ {values} }}{sparql[at:]}"


class Store:
    """Synergraph's store: one Oxigraph database on disk (or in memory for tests and tools).

    Parameters
    ----------
    path : Path, str or None
        Folder of the on-disk database; created if missing. ``None`` keeps everything in memory.
        An ``http(s)://`` URL names a SPARQL 1.1 endpoint that holds the store instead
        (:mod:`synergraph.graph.remote`); then ``path`` is None and ``remote`` the URL.
    """

    def __init__(self, path: Path | str | None) -> None:
        self.remote: str | None = None
        self._db: Any
        if is_endpoint_url(path):
            self.path, self.remote = None, str(path)
            self._db = RemoteEngine(self.remote)
            return
        path = Path(path) if path is not None else None
        self.path = path
        if path is None:
            self._db = ox.Store()
        else:
            path.mkdir(parents=True, exist_ok=True)
            try:
                self._db = ox.Store(str(path))
            except OSError as error:
                if "lock" in str(error).lower():
                    raise StoreLocked.of(path) from error
                raise
            folder = path.resolve()
            _OPEN_HERE[folder] += 1
            weakref.finalize(self, _closed, folder)

    @classmethod
    def in_memory(cls) -> Store:
        """A store that lives only in memory."""
        return cls(None)

    @property
    def engine(self) -> ox.Store:
        """The underlying pyoxigraph store, for the SPARQL protocol layer that streams results."""
        return self._db

    # -- reading -------------------------------------------------------------------------------

    def _query(self, sparql: str, bindings: Mapping[str, Bound] | None) -> Any:
        return self._db.query(bind(sparql, bindings or {}), prefixes=PREFIXES, use_default_graph_as_union=True)

    def select(self, sparql: str, **bindings: Bound) -> list[dict[str, Any]]:
        """Run a SELECT query; return one dict per row with plain Python values (unbound left out).

        Values given as keyword arguments are bound to the query's variables of that name, so user
        input never becomes query text; a list binds each of its values in turn (:func:`bind`).

        >>> Store.in_memory().select("SELECT ?x WHERE { }", x="https://example.org/a")
        [{'x': 'https://example.org/a'}]
        """
        solutions = self._query(sparql, bindings)
        names = [variable.value for variable in solutions.variables]
        rows = []
        for solution in solutions:
            row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = to_python(value)
            rows.append(row)
        return rows

    def value(self, sparql: str, **bindings: Bound) -> Any:
        """The single value of the first row of a one-column SELECT, or None.

        >>> Store.in_memory().value("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        0
        """
        rows = self.select(sparql, **bindings)
        if not rows or not rows[0]:
            return None
        return next(iter(rows[0].values()))

    def ask(self, sparql: str, **bindings: Bound) -> bool:
        """Run an ASK query."""
        return bool(self._query(sparql, bindings))

    def construct(self, sparql: str, **bindings: Bound) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query; return an rdflib graph."""
        graph = Graph()
        for triple in self._query(sparql, bindings):
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
        return graph

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Run a SPARQL update in one transaction; relative IRIs resolve against ``base_iri``."""
        self._db.update(sparql, base_iri=base_iri, prefixes=PREFIXES)

    # -- graphs --------------------------------------------------------------------------------

    def graphs(self) -> list[GraphInfo]:
        """The named graphs and their sizes, sorted by IRI."""
        rows = self._db.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        sizes = {row["g"].value: int(row["n"].value) for row in rows}
        for name in self._db.named_graphs():
            sizes.setdefault(name.value, 0)
        return [GraphInfo(iri, sizes[iri]) for iri in sorted(sizes)]

    def __len__(self) -> int:
        return len(self._db)

    def has_graph(self, iri: str) -> bool:
        """Whether a named graph of this IRI exists (never one whose IRI is not valid).

        >>> Store.in_memory().has_graph("not an IRI")
        False
        """
        try:
            return self._db.contains_named_graph(ox.NamedNode(iri))
        except ValueError:
            return False

    def triples(self, graph_iri: str) -> Iterator[tuple[Node, Node, Node]]:
        """The triples of one named graph as rdflib terms."""
        for quad in self._db.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri)):
            yield to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)

    def replace_graph(self, graph_iri: str,
                      triples: Iterable[tuple[Node, Node, Node]],
                      also: str = "") -> None:
        """Replace the contents of one named graph atomically.

        The old contents are dropped and the new ones inserted in a single transaction, together
        with the optional SPARQL update ``also`` (e.g. the catalog entry for the graph): readers see
        either the old state or the new one, never a mixture, and a killed process leaves the old.
        """
        graph = ox.NamedNode(graph_iri)
        body = ox.serialize(
            (ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in triples),
            format=ox.RdfFormat.N_TRIPLES,
        )
        text = body.decode("utf-8") if body else ""
        update = f"DROP SILENT GRAPH {graph} ;\nINSERT DATA {{ GRAPH {graph} {{\n{text}}} }}"
        if also:
            update += " ;\n" + also
        self._db.update(update)

    def drop_graph(self, graph_iri: str) -> None:
        """Remove a named graph and its triples."""
        self._db.update(f"DROP SILENT GRAPH {ox.NamedNode(graph_iri)}")

    def flush(self) -> None:
        """Write everything to disk."""
        if self.path is not None:
            self._db.flush()
