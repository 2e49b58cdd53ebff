"""Run one case of the suite against an endpoint and say whether it passed, and if not, why.

Query evaluation: empty the store, load the test's data through the Graph Store Protocol, send the
query asking for the format of the expected result (``.srx`` as XML, ``.srj`` as JSON, ``.csv`` as
CSV, ``.tsv`` as TSV, graphs as N-Triples, result sets written in RDF as JSON), compare.
Syntax: a positive query must be answered 200, a negative one 400; updates are sent with the
write token and must be answered 2xx (positive) or 400 (negative).
Update evaluation: load, run the update, read every graph back and compare the dataset.

Examples
--------
>>> skip_reason(Case(id="service/service1", iri="", kind="QueryEvaluationTest", name="", folder="service"))
'SERVICE braucht entfernte Endpunkte / needs remote endpoints (no network at test time)'
"""

from __future__ import annotations

import re
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import httpx
from rdflib import Graph

from .endpoint import Endpoint, RequestFailed, with_base
from .manifest import Case
from .results import Answer, compare_answers, compare_graphs, parse_answer, parse_graph, read_expected

__all__ = ["KNOWN_FAILURES", "Outcome", "known_failures", "run_case", "skip_reason"]

KNOWN_FAILURES = Path(__file__).with_name("known_failures.toml")
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
_SKIPPED_FOLDERS = {
    "service": "SERVICE braucht entfernte Endpunkte / needs remote endpoints (no network at test time)",
    "entailment": "Entailment-Regime (RDFS, OWL, D) werden nicht angeboten / needs entailment regimes",
}


@dataclass(frozen=True)
class Outcome:
    """What happened to one case: ``pass``, ``fail`` or ``skip``, and why."""

    status: str
    reason: str | None = None
    seconds: float = 0.0


def skip_reason(case: Case) -> str | None:
    """Why a case is not run at all (None when it runs)."""
    return _SKIPPED_FOLDERS.get(case.folder)


def known_failures(endpoint: str) -> dict[str, str]:
    """The checked-in list of cases expected to fail on an endpoint (``synergraph`` or ``oxigraph``).

    Examples
    --------
    >>> all(isinstance(reason, str) and reason for reason in known_failures("synergraph").values())
    True
    """
    table = tomllib.loads(KNOWN_FAILURES.read_text(encoding="utf-8"))
    return dict(table.get(endpoint, {}))


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _expected_dataset(case: Case) -> tuple[Graph, dict[str, Graph]]:
    default = Graph()
    for path in case.result_data:
        default += parse_graph(path.read_bytes(), _format(path), base=path.as_uri())
    named: dict[str, Graph] = {}
    for name, path in case.result_graph_data:
        graph = named.setdefault(name, Graph())
        graph += parse_graph(path.read_bytes(), _format(path), base=path.as_uri())
    return default, {name: graph for name, graph in named.items() if len(graph)}


def _format(path: Path) -> str:
    return {".ttl": "turtle", ".nt": "nt", ".rdf": "xml"}[path.suffix.lower()]


def _query_evaluation(endpoint: Endpoint, case: Case) -> str | None:
    assert case.query is not None and case.result is not None
    expected, media = read_expected(case.result)
    endpoint.load_dataset(case.data, case.graph_data)
    text = with_base(_read(case.query), case.query)
    named = endpoint.restricted_named_graphs(text, case.graph_data)
    response = endpoint.query(text, media, named)
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    try:
        actual: Answer = parse_answer(response.content, response.headers.get("content-type", ""), expected)
    except Exception as error:  # noqa: BLE001 - any parse error is the endpoint's failure
        return f"Antwort nicht lesbar ({media}): {type(error).__name__}: {str(error)[:200]}"
    return compare_answers(expected, actual, ordered=bool(_ORDER_BY.search(text)))


def _query_syntax(endpoint: Endpoint, case: Case) -> str | None:
    assert case.query is not None
    wanted = 200 if case.kind == "PositiveSyntaxTest11" else 400
    response = endpoint.query(with_base(_read(case.query), case.query), "application/sparql-results+json, "
                              "application/n-triples;q=0.9")
    if response.status_code != wanted:
        return f"HTTP {response.status_code} statt {wanted}: {response.text[:200]}"
    return None


def _update_syntax(endpoint: Endpoint, case: Case) -> str | None:
    assert case.query is not None
    response = endpoint.update(with_base(_read(case.query), case.query))
    if case.kind == "PositiveUpdateSyntaxTest11":
        return None if response.is_success else f"HTTP {response.status_code} statt 2xx: {response.text[:200]}"
    return None if response.status_code == 400 else f"HTTP {response.status_code} statt 400: {response.text[:200]}"


def _update_evaluation(endpoint: Endpoint, case: Case) -> str | None:
    assert case.query is not None
    endpoint.load_dataset(case.data, case.graph_data)
    response = endpoint.update(with_base(_read(case.query), case.query))
    if not response.is_success:
        return f"Änderung: HTTP {response.status_code}: {response.text[:200]}"
    default, named = _expected_dataset(case)
    problems = []
    if (why := compare_graphs(default, endpoint.graph(None))) is not None:
        problems.append(f"Standardgraph: {why}")
    actual_names = endpoint.named_graphs()
    if set(named) != actual_names:
        problems.append(f"benannte Graphen {sorted(actual_names)} statt {sorted(named)}")
    for name, graph in sorted(named.items()):
        if name in actual_names and (why := compare_graphs(graph, endpoint.graph(name))) is not None:
            problems.append(f"<{name}>: {why}")
    return "; ".join(problems) or None


_RUNNERS = {
    "query-evaluation": _query_evaluation,
    "query-syntax": _query_syntax,
    "update-syntax": _update_syntax,
    "update-evaluation": _update_evaluation,
}


def run_case(endpoint: Endpoint, case: Case) -> Outcome:
    """Run one case; a failure's reason is in German, short enough for a report line."""
    started = time.monotonic()
    reason = skip_reason(case)
    if reason is not None:
        return Outcome("skip", reason)
    try:
        failure = _RUNNERS[case.suite](endpoint, case)
    except (RequestFailed, httpx.HTTPError) as error:
        failure = f"{type(error).__name__}: {str(error)[:300]}"
    return Outcome("fail" if failure else "pass", failure, time.monotonic() - started)
