"""One SPARQL service under test, reached over HTTP only.

The harness needs four things of a service: a query URL (SPARQL 1.1 Protocol), an update URL, a
Graph Store HTTP Protocol URL that takes ``?graph=<IRI>`` and ``?default``, and the bearer token that
admits writes (if any). Synergraph serves all of them at ``/sparql`` and ``/rdf-graph-store``; the
Oxigraph server at ``/query``, ``/update`` and ``/store``.

Some services keep graphs of their own beside the user's data (Synergraph records every write in its
change-history graph). Those are named in ``own_graphs``: they are left out when the resulting
dataset of an update test is compared, and a query that asks for named graphs (``GRAPH``) without a
``FROM`` of its own is sent with ``named-graph-uri`` naming exactly the test's graphs, so the
service's own graphs stay out of ``GRAPH ?g``. That relies on the service keeping its store's default
graph when a request names only named graphs, which Synergraph does; the Oxigraph server has no own
graphs, so it never receives such a request.

Data files are sent to the Graph Store as they are. Turtle files get one line in front,
``@base <file IRI> .``, because the Graph Store Protocol resolves relative IRIs against the request URL
while the tests resolve them against the file's own IRI; the few RDF/XML files are read with that
base by rdflib and sent as N-Triples. Queries and updates that contain relative
IRIs are sent with ``BASE <file IRI>`` in front for the same reason (the protocol has no base
parameter); no other rewriting happens.

Examples
--------
>>> needs_base("SELECT * { <a> ?p ?o }"), needs_base("SELECT * { <http://e/a> ?p ?o }")
(True, False)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rdflib import Graph

from .results import parse_graph

__all__ = ["Endpoint", "RequestFailed", "needs_base", "with_base"]

_RELATIVE_IRI = re.compile(r"<(?![A-Za-z][A-Za-z0-9+.\-]*:)[^<>\"{}|^`\\\s]*>")
_FROM = re.compile(r"\bFROM\b", re.IGNORECASE)
_GRAPH = re.compile(r"\bGRAPH\b", re.IGNORECASE)
_DATA_MEDIA = {".ttl": "text/turtle", ".nt": "application/n-triples", ".rdf": "application/rdf+xml"}
NO_NAMED_GRAPH = "urn:x-w3c-harness:no-named-graph"


class RequestFailed(RuntimeError):
    """The service refused a request the harness needs in order to set up or inspect a test."""


def needs_base(text: str) -> bool:
    """Whether a query or update contains a relative IRI reference (so it needs a base IRI)."""
    return bool(_RELATIVE_IRI.search(text))


def with_base(text: str, path: Path) -> str:
    """The text of a query or update file, with ``BASE <file IRI>`` in front when it needs one.

    Examples
    --------
    >>> with_base("ASK { <a> ?p ?o }", Path("/s/q.rq")).splitlines()[0]
    'BASE <file:///s/q.rq>'
    """
    return f"BASE <{path.as_uri()}>\n{text}" if needs_base(text) else text


@dataclass
class Endpoint:
    """A SPARQL service under test.

    Examples
    --------
    >>> e = Endpoint("peer", "http://127.0.0.1:1/query", "http://127.0.0.1:1/update", "http://127.0.0.1:1/store")
    >>> e.write_headers("application/sparql-update")
    {'Content-Type': 'application/sparql-update'}
    """

    name: str
    query_url: str
    update_url: str
    store_url: str
    token: str | None = None
    own_graphs: tuple[str, ...] = ()
    timeout: float = 60.0
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=60.0), repr=False)
    stopped_answering: str | None = None
    """Set when a request timed out: later requests fail at once."""

    def write_headers(self, content_type: str | None = None) -> dict[str, str]:
        """Headers of a write: the content type and, if configured, the bearer token."""
        headers = {"Content-Type": content_type} if content_type else {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    # --- requests -------------------------------------------------------------------------------

    def send(self, method: str, url: str | httpx.URL, **options: object) -> httpx.Response:
        """One HTTP request; sent once more on a fresh connection if the pooled one was reset.

        A server may close a kept-alive connection after an error answer (500); the next request on
        it then fails before it reaches the server, which is no answer of the service to that request.
        """
        if self.stopped_answering:
            raise RequestFailed(f"der Dienst antwortet nicht mehr / the service stopped answering "
                                f"({self.stopped_answering})")
        try:
            return self.client.request(method, url, **options)  # type: ignore[arg-type]
        except httpx.TimeoutException as error:
            # One hung request usually means a hung service: fail the remaining cases at once
            # instead of waiting out the time limit for each of them.
            self.stopped_answering = f"{method} {url}: {type(error).__name__} nach {self.timeout:g} s"
            raise
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError):
            self.client.close()
            self.client = httpx.Client(timeout=self.timeout)
            return self.client.request(method, url, **options)  # type: ignore[arg-type]

    def update(self, text: str) -> httpx.Response:
        """Send a SPARQL update (``application/sparql-update``) with the write token."""
        return self.send("POST", self.update_url, content=text.encode("utf-8"),
                         headers=self.write_headers("application/sparql-update"))

    def query(self, text: str, accept: str, named_graphs: Sequence[str] = ()) -> httpx.Response:
        """Send a query (``application/sparql-query``), asking for one media type."""
        params = [("named-graph-uri", g) for g in named_graphs]
        return self.send("POST", self.query_url, params=params, content=text.encode("utf-8"),
                         headers={"Content-Type": "application/sparql-query", "Accept": accept})

    def _must(self, response: httpx.Response, what: str) -> httpx.Response:
        if not response.is_success:
            raise RequestFailed(f"{what}: HTTP {response.status_code} {response.text[:300]}")
        return response

    # --- the dataset ----------------------------------------------------------------------------

    def reset(self) -> None:
        """Empty the whole store (``DROP ALL``)."""
        self._must(self.update("DROP ALL"), "DROP ALL")

    def load(self, path: Path, graph: str | None, replace: bool = True) -> None:
        """Put a data file into a named graph (or the default graph) with the Graph Store Protocol."""
        suffix = path.suffix.lower()
        body = path.read_bytes()
        if suffix == ".ttl":
            body = f"@base <{path.as_uri()}> .\n".encode() + body
        elif suffix == ".rdf":  # RDF/XML has no base line to put in front: send it as N-Triples
            body = parse_graph(body, "xml", base=path.as_uri()).serialize(format="nt", encoding="utf-8")
            suffix = ".nt"
        params = {"graph": graph} if graph is not None else {"default": ""}
        method = "PUT" if replace else "POST"
        response = self.send(method, self.store_url, params=params, content=body,
                             headers=self.write_headers(_DATA_MEDIA[suffix]))
        self._must(response, f"{method} {path.name} -> {graph or 'default'}")

    def load_dataset(self, data: Sequence[Path], graph_data: Sequence[tuple[str, Path]]) -> None:
        """Empty the store, then load the default graph's files and the named graphs."""
        self.reset()
        for index, path in enumerate(data):
            self.load(path, None, replace=index == 0)
        for name, path in graph_data:
            self.load(path, name)

    def graph(self, name: str | None) -> Graph:
        """One graph of the store, read with the Graph Store Protocol (empty if it does not exist)."""
        params = {"graph": name} if name is not None else {"default": ""}
        response = self.send("GET", self.store_url, params=params, headers={"Accept": "application/n-triples"})
        if response.status_code == 404:
            return Graph()
        self._must(response, f"GET {name or 'default'}")
        return parse_graph(response.content, "nt")

    def named_graphs(self) -> set[str]:
        """The names of the store's non-empty named graphs, without the service's own graphs."""
        response = self._must(self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                         "application/sparql-results+json"), "named graphs")
        names = {b["g"]["value"] for b in response.json()["results"]["bindings"]}
        return names - set(self.own_graphs)

    def restricted_named_graphs(self, query: str, graph_data: Sequence[tuple[str, Path]]) -> tuple[str, ...]:
        """The ``named-graph-uri`` values a query is sent with (none unless the service keeps own graphs)."""
        if not self.own_graphs or _FROM.search(query) or not _GRAPH.search(query):
            return ()
        return tuple(name for name, _ in graph_data) or (NO_NAMED_GRAPH,)

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()
