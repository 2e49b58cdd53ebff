"""The SPARQL 1.1 Protocol tests (``protocol/manifest.ttl``), replayed as real HTTP requests.

The manifest writes each test as a list of ``ht:Request`` s (method, ``ht:absolutePath`` beginning
with ``/sparql/``, headers, a body in a named character encoding) with the expected response class
(``mf:expectedStatus``: 2xx/3xx or 4xx), format (``"boolean"``, ``"tabular"``, ``"RDF"``) and ASK answer.
Some tests name graphs to load first (``ut:graphData`` with the graph's name as ``rdfs:label``).

:data:`OPERATIONS` is the table of all 34 test ids: for each, which of the endpoint's URLs (query or
update) its requests go to, request by request; the manifest's ``/sparql/`` prefix is replaced by that
URL, everything else is sent exactly as written. Update requests carry the bearer token, so a refusal
that the test expects must be a real 4xx answer to the request itself: 401 and 403 do not count.

Examples
--------
>>> len(OPERATIONS)
34
>>> OPERATIONS["update_base_uri"]
('update', 'query')
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from rdflib import Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from . import SUITE
from .endpoint import Endpoint, RequestFailed
from .manifest import MF, UT, file_of
from .results import parse_result_set
from .runner import Outcome

__all__ = ["OPERATIONS", "ProtocolCase", "protocol_cases", "run_protocol_case"]

HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")

Q, U = "query", "update"
# Test id -> the operation (endpoint URL) of each of its requests, in order.
OPERATIONS: dict[str, tuple[str, ...]] = {
    "query_post_form": (Q,),
    "query_dataset_default_graphs_get": (Q,),
    "query_dataset_default_graphs_post": (Q,),
    "query_dataset_named_graphs_post": (Q,),
    "query_dataset_named_graphs_get": (Q,),
    "query_dataset_full": (Q,),
    "query_multiple_dataset": (Q,),
    "query_get": (Q,),
    "query_content_type_select": (Q,),
    "query_content_type_ask": (Q,),
    "query_content_type_describe": (Q,),
    "query_content_type_construct": (Q,),
    "update_dataset_default_graph": (U, Q),
    "update_dataset_default_graphs": (U, Q),
    "update_dataset_named_graphs": (U, Q),
    "update_dataset_full": (U, Q),
    "update_post_form": (U,),
    "update_post_direct": (U,),
    "update_base_uri": (U, Q),
    "query_post_direct": (Q,),
    "bad_query_method": (Q,),
    "bad_multiple_queries": (Q,),
    "bad_query_wrong_media_type": (Q,),
    "bad_query_missing_form_type": (Q,),
    "bad_query_missing_direct_type": (Q,),
    "bad_query_non_utf8": (Q,),
    "bad_query_syntax": (Q,),
    "bad_update_get": (U,),
    "bad_multiple_updates": (U,),
    "bad_update_wrong_media_type": (U,),
    "bad_update_missing_form_type": (U,),
    "bad_update_non_utf8": (U,),
    "bad_update_syntax": (U,),
    "bad_update_dataset_conflict": (U,),
}

_FORMATS = {
    "boolean": {"application/sparql-results+xml", "application/sparql-results+json"},
    "tabular": {"application/sparql-results+xml", "application/sparql-results+json", "text/csv",
                "text/tab-separated-values"},
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples", "text/html",
            "application/xhtml+xml"},
}
_PARSERS = {"application/sparql-results+xml": "xml", "application/sparql-results+json": "json"}


@dataclass(frozen=True)
class ProtocolRequest:
    """One HTTP request of a protocol test and what its response must be."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    status_classes: frozenset[int]
    expected_format: str | None
    expected_boolean: bool | None


@dataclass(frozen=True)
class ProtocolCase:
    """One protocol test: graphs to load, then requests in order."""

    id: str
    name: str
    graph_data: tuple[tuple[str, Path], ...]
    requests: tuple[ProtocolRequest, ...]


def _request(manifest: Graph, node: Node) -> ProtocolRequest:
    headers = []
    header_list = manifest.value(node, HT.headers)
    for header in Collection(manifest, header_list) if header_list is not None else ():
        headers.append((str(manifest.value(header, HT.fieldName)), str(manifest.value(header, HT.fieldValue))))
    body_node = manifest.value(node, HT.body)
    body = None
    if body_node is not None:
        encoding = str(manifest.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(manifest.value(body_node, CNT.chars)).encode(encoding.lower())
    response = manifest.value(node, HT.resp)
    classes = frozenset(int(str(s).rsplit("StatusCode", 1)[-1][0]) for s in manifest.objects(response, MF.expectedStatus))
    fmt = manifest.value(response, MF.expectedFormat)
    boolean = manifest.value(response, MF.expectedBoolean)
    return ProtocolRequest(str(manifest.value(node, HT.methodName)), str(manifest.value(node, HT.absolutePath)),
                           tuple(headers), body, classes, str(fmt) if fmt is not None else None,
                           bool(boolean.toPython()) if boolean is not None else None)


def protocol_cases() -> Iterator[ProtocolCase]:
    """The tests of ``protocol/manifest.ttl``, in the manifest's order."""
    manifest = Graph().parse(SUITE / "protocol" / "manifest.ttl", format="turtle")
    root = next(manifest.subjects(RDF.type, MF.Manifest))
    for entry in Collection(manifest, manifest.value(root, MF.entries)):
        local = str(entry).rsplit("#", 1)[-1]
        graphs = tuple(sorted((str(manifest.value(g, RDFS.label)), file_of(manifest.value(g, UT.graph)))
                              for g in manifest.objects(entry, UT.graphData)))
        connection = manifest.value(entry, MF.action)
        requests = tuple(_request(manifest, r) for r in Collection(manifest, manifest.value(connection, HT.requests)))
        yield ProtocolCase(f"protocol/{local}", str(manifest.value(entry, MF.name)), graphs, requests)


def _check(request: ProtocolRequest, response: httpx.Response) -> str | None:
    status = response.status_code
    if status // 100 not in request.status_classes:
        wanted = "/".join(f"{c}xx" for c in sorted(request.status_classes))
        return f"HTTP {status} statt {wanted}: {response.text[:160]}"
    if request.status_classes == {4} and status in (401, 403):
        return f"HTTP {status}: abgewiesen wegen der Berechtigung, nicht wegen der Anfrage"
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.expected_format is not None and media not in _FORMATS[request.expected_format]:
        return f"Content-Type {media!r} ist kein {request.expected_format}-Format"
    if request.expected_boolean is not None:
        if media not in _PARSERS:
            return f"Content-Type {media!r} ist keine ASK-Antwort"
        answer = parse_result_set(response.content, _PARSERS[media])
        if answer.boolean != request.expected_boolean:
            return f"ASK ergab {answer.boolean}, erwartet {request.expected_boolean}"
    return None


def _send(endpoint: Endpoint, request: ProtocolRequest, operation: str) -> httpx.Response:
    base = endpoint.update_url if operation == U else endpoint.query_url
    rest = request.path.removeprefix("/sparql/").removeprefix("/sparql")
    url = base + rest if rest.startswith("?") or not rest else base + "/" + rest
    headers = {name: value for name, value in request.headers}
    if operation == U and endpoint.token:
        headers["Authorization"] = f"Bearer {endpoint.token}"
    return endpoint.send(request.method, httpx.URL(url), content=request.body, headers=headers)


def run_protocol_case(endpoint: Endpoint, case: ProtocolCase) -> Outcome:
    """Load the test's graphs (if any), send its requests in order, check each response."""
    started = time.monotonic()
    operations = OPERATIONS[case.id.removeprefix("protocol/")]
    try:
        if case.graph_data:
            endpoint.load_dataset((), case.graph_data)
        for number, (request, operation) in enumerate(zip(case.requests, operations, strict=True), start=1):
            failure = _check(request, _send(endpoint, request, operation))
            if failure:
                prefix = f"Anfrage {number}: " if len(case.requests) > 1 else ""
                return Outcome("fail", prefix + failure, time.monotonic() - started)
    except (RequestFailed, httpx.HTTPError) as error:
        return Outcome("fail", f"{type(error).__name__}: {str(error)[:300]}", time.monotonic() - started)
    return Outcome("pass", None, time.monotonic() - started)
