"""Whatever a client sends, the service answers with a clear 4xx at worst, never with a 5xx.

Schemathesis generates requests from the OpenAPI document (valid and invalid parameters, bodies
and headers) for every operation; hypothesis throws arbitrary query texts, media types and Accept
headers at ``/sparql``. The service under test has no write tokens, so nothing it receives can
change the store. Each generated request is one example; a 5xx fails with the request that caused it.
"""

from __future__ import annotations

import httpx
import schemathesis
from conftest import Server
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from hypothesis import strategies as st
from schemathesis import GenerationMode

EXAMPLES = 25
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.filter_too_much])


def test_every_operation_of_the_openapi_document_has_its_own_id(server: Server) -> None:
    """Generated clients name their methods by operation id; OpenAPI requires each to be unique."""
    paths = httpx.get(server.url + "/openapi.json").json()["paths"]
    ids = [operation["operationId"] for methods in paths.values() for operation in methods.values()]
    assert len(ids) > 10 and len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_no_operation_of_the_openapi_document_answers_with_a_server_error(server: Server) -> None:
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 10
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @FUZZ
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case: schemathesis.Case) -> None:
                response = case.call(base_url=server.url, timeout=60)
                if response.status_code >= 500:
                    failures.append(f"{response.status_code}: {case.as_curl_command()}\n{response.text[:300]}")

            try:
                call()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing to get wrong: the operation takes no input
    assert not failures, "\n".join(failures[:10])


SPARQL_WORDS = st.sampled_from(["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "?s", "?p", "?o",
                                "<https://w3id.org/synergraph/id/x>", "sg:Koerperschaft", "FILTER", "(", ")",
                                "REGEX", "SERVICE", "FROM", "GRAPH", "LIMIT", "1", "\"text\"@de", ".", ";",
                                "OPTIONAL", "UNION", "BIND", "AS", "*", "PREFIX", "x:", "<", ">", "#", "\\u0022"])
QUERIES = st.one_of(st.text(max_size=200), st.lists(SPARQL_WORDS, max_size=25).map(" ".join))
MEDIA = st.one_of(st.sampled_from(["application/sparql-query", "application/sparql-update",
                                   "application/x-www-form-urlencoded", "text/plain", ""]),
                  st.text(max_size=40))
ACCEPT = st.one_of(st.sampled_from(["*/*", "text/turtle;q=0.5, application/json", "application/sparql-results+xml",
                                    "text/csv;q=abc", "image/png", ""]), st.text(max_size=60))
HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60).map(str.strip)


@FUZZ
@given(query=QUERIES, accept=ACCEPT)
def test_any_query_text_and_accept_header_by_get(server: Server, query: str, accept: str) -> None:
    headers = {"Accept": accept.strip()} if accept.isascii() and accept.isprintable() else {}
    response = httpx.get(server.url + "/sparql", params={"query": query, "timeout": "5"}, headers=headers,
                         timeout=60)
    assert response.status_code < 500 or response.status_code == 503, (query, accept, response.text[:300])
    if response.status_code == 503:
        assert "Zeitlimit" in response.json()["detail"]


@FUZZ
@given(body=st.one_of(QUERIES.map(str.encode), st.binary(max_size=200)), media=MEDIA, accept=HEADER_TEXT,
       authorization=HEADER_TEXT)
def test_any_body_media_type_and_headers_by_post(server: Server, body: bytes, media: str, accept: str,
                                                 authorization: str) -> None:
    headers = {"Accept": accept, "Authorization": authorization}
    if media.isascii() and media.isprintable():
        headers["Content-Type"] = media.strip()
    response = httpx.post(server.url + "/sparql", content=body, headers=headers, timeout=60)
    assert response.status_code < 500 or response.status_code == 503, (body, media, response.text[:300])
