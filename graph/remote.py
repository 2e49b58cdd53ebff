"""A store behind a SPARQL 1.1 endpoint: the part of the engine's interface Synergraph uses, over HTTP.

With ``SYNERGRAPH_STORE`` set to an endpoint URL, :class:`synergraph.graph.store.Store` talks to
:class:`RemoteEngine` instead of an embedded database. Everything goes through the standard
protocols: queries as ``application/sparql-query`` with ``default-graph-uri`` / ``named-graph-uri``,
updates as ``application/sparql-update`` (each update request is one transaction on servers that
apply requests atomically, as Oxigraph and Fuseki do). Nothing server-specific is assumed, so any
SPARQL 1.1 server works (Oxigraph server, Apache Jena Fuseki, Virtuoso, QLever).

The union default graph is asked for in the standard way: every named graph of the store listed as
a ``default-graph-uri`` and again as a ``named-graph-uri`` (so ``GRAPH ?g`` still sees them all); the
list is cached and renewed after each update through this engine and every few seconds.

URLs: one URL serves queries and updates (``/sparql``-style servers) unless it ends with the query
path of a server that has separate ones: ``…/query`` (Oxigraph) pairs with ``…/update``, and
Fuseki's ``…/sparql`` or ``…/query`` with ``…/update`` when ``update_url`` says so.

Examples
--------
>>> engine = RemoteEngine("http://127.0.0.1:7878/query")
>>> engine.update_url
'http://127.0.0.1:7878/update'
>>> with_prologue("SELECT * { ?s ?p ?o }", {"sg": "https://w3id.org/synergraph/def/"}, None)
'PREFIX sg: <https://w3id.org/synergraph/def/> SELECT * { ?s ?p ?o }'
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import httpx
import pyoxigraph as ox

__all__ = ["RemoteEngine", "RemoteError", "is_endpoint_url", "with_prologue"]

_RESULTS = "application/sparql-results+json"
_TRIPLES = "application/n-triples"
_GRAPHS_TTL = 5.0


class RemoteError(OSError):
    """The remote endpoint could not be reached or answered with an error that is not the query's."""


def is_endpoint_url(location: object) -> bool:
    """Whether a store location names a SPARQL endpoint rather than a folder.

    >>> is_endpoint_url("https://sparql.example.org/query"), is_endpoint_url("/var/lib/synergraph")
    (True, False)
    """
    return isinstance(location, str) and location.lower().startswith(("http://", "https://"))


def with_prologue(sparql: str, prefixes: Mapping[str, str] | None, base_iri: str | None) -> str:
    """``sparql`` with the given prefixes and base declared in front, on its first line, so the
    positions the server reports in later lines stay those of the text."""
    declarations = [f"BASE <{base_iri}>"] if base_iri else []
    declarations += [f"PREFIX {name}: <{iri}>" for name, iri in (prefixes or {}).items()]
    return " ".join([*declarations, sparql])


class RemoteEngine:
    """The subset of ``pyoxigraph.Store`` that Synergraph uses, over a SPARQL 1.1 endpoint.

    Parameters
    ----------
    url : str
        The query endpoint.
    update_url : str, optional
        The update endpoint; by default ``url``, or ``…/update`` when ``url`` ends with ``/query``.
    timeout : float
        Seconds to wait for an answer.
    """

    def __init__(self, url: str, update_url: str | None = None, timeout: float = 60.0) -> None:
        self.url = url
        self.update_url = update_url or (url[: -len("/query")] + "/update" if url.endswith("/query") else url)
        self.client = httpx.Client(timeout=timeout, follow_redirects=False)
        self._graphs: tuple[float, list[str]] | None = None

    # -- protocol ---------------------------------------------------------------------------------

    def _send(self, url: str, body: str, media: str, accept: str,
              params: list[tuple[str, str]] | None = None) -> httpx.Response:
        try:
            response = self.client.post(url, content=body.encode("utf-8"), params=params or [],
                                        headers={"Content-Type": media, "Accept": accept})
        except httpx.HTTPError as error:
            raise RemoteError(f"Der SPARQL-Endpunkt {url} ist nicht erreichbar / endpoint unreachable: {error}") from error
        if response.status_code == 400:
            raise SyntaxError(response.text.strip() or "400 Bad Request")
        if response.status_code >= 300:
            raise RemoteError(f"Der SPARQL-Endpunkt {url} antwortet {response.status_code}: {response.text[:300]}")
        return response

    def named_graph_iris(self) -> list[str]:
        """The IRIs of the store's named graphs (cached for a few seconds)."""
        now = time.monotonic()
        if self._graphs is None or now - self._graphs[0] > _GRAPHS_TTL:
            response = self._send(self.url, "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", "application/sparql-query",
                                  _RESULTS)
            rows = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
            self._graphs = (now, sorted(row["g"].value for row in rows))
        return self._graphs[1]

    def union_dataset(self, named: bool = True) -> list[tuple[str, str]]:
        """Protocol parameters for a dataset whose default graph is the union of all named graphs
        (and, with ``named``, whose named graphs are all of them, as when no dataset is given)."""
        graphs = self.named_graph_iris()
        return [("default-graph-uri", g) for g in graphs] + ([("named-graph-uri", g) for g in graphs] if named else [])

    def query(self, query: str, *, prefixes: Mapping[str, str] | None = None, base_iri: str | None = None,
              use_default_graph_as_union: bool = False, default_graph: Iterable[Any] | None = None,
              named_graphs: Iterable[Any] | None = None) -> Any:
        """Like ``pyoxigraph.Store.query``: solutions, a boolean or triples."""
        params: list[tuple[str, str]] = []
        if default_graph is not None:
            params += [("default-graph-uri", g.value) for g in default_graph]
        if named_graphs is not None:
            params += [("named-graph-uri", g.value) for g in named_graphs]
        if default_graph is None and use_default_graph_as_union:
            params += self.union_dataset(named=named_graphs is None)
        response = self._send(self.url, with_prologue(query, prefixes, base_iri), "application/sparql-query",
                              f"{_RESULTS}, {_TRIPLES};q=0.9", params)
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media == _TRIPLES:
            return [quad.triple if isinstance(quad, ox.Quad) else quad
                    for quad in ox.parse(response.content, ox.RdfFormat.N_TRIPLES)]
        return ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)

    def update(self, update: str, *, base_iri: str | None = None, prefixes: Mapping[str, str] | None = None) -> None:
        """Like ``pyoxigraph.Store.update``: one update request."""
        self._send(self.update_url, with_prologue(update, prefixes, base_iri), "application/sparql-update", "*/*")
        self._graphs = None

    # -- graphs and quads -------------------------------------------------------------------------

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        """The named graphs."""
        self._graphs = None
        return iter([ox.NamedNode(g) for g in self.named_graph_iris()])

    def contains_named_graph(self, graph: ox.NamedNode) -> bool:
        """Whether the named graph exists."""
        return bool(self.query(f"ASK {{ GRAPH {graph} {{ }} }}"))

    def quads_for_pattern(self, subject: Any, predicate: Any, object: Any, graph_name: Any = None) -> Iterator[ox.Quad]:
        """The quads matching the pattern (``None`` matches anything)."""
        s, p, o = (str(t) if t is not None else v for t, v in ((subject, "?s"), (predicate, "?p"), (object, "?o")))
        if isinstance(graph_name, ox.DefaultGraph):
            pattern = f"{s} {p} {o}"
        elif graph_name is None:
            pattern = f"{{ {s} {p} {o} }} UNION {{ GRAPH ?g {{ {s} {p} {o} }} }}"
        else:
            pattern = f"GRAPH {graph_name} {{ {s} {p} {o} }}"
        for row in self.query(f"SELECT * WHERE {{ {pattern} }}"):
            yield ox.Quad(subject if subject is not None else row["s"],
                          predicate if predicate is not None else row["p"],
                          object if object is not None else row["o"],
                          graph_name if graph_name is not None else (row["g"] or ox.DefaultGraph()))

    def __iter__(self) -> Iterator[ox.Quad]:
        """Every quad of the store, the default graph and all named graphs."""
        return self.quads_for_pattern(None, None, None)

    def dump(self, output: str, format: ox.RdfFormat, *, prefixes: Mapping[str, str] | None = None) -> None:
        """Like ``pyoxigraph.Store.dump`` of the whole dataset: every quad, read with one query."""
        ox.serialize(iter(self), output, format, prefixes=prefixes)

    def __len__(self) -> int:
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
        return int(next(iter(rows))["n"].value)

    def flush(self) -> None:
        """Nothing to do: the server persists its own writes."""

    def backup(self, target: str) -> None:
        """Not offered: a remote store is backed up by its server (or with ``synergraph export``)."""
        raise RemoteError("Ein entfernter Speicher wird mit den Mitteln seines Servers oder mit 'synergraph export' "
                          "gesichert / back up a remote store with its server's tools or 'synergraph export'")
