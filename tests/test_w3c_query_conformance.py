"""An analyst can trust the answers: the W3C SPARQL 1.1 query, syntax and update tests, sent over HTTP.

Every test of the suite's manifests is one pytest case. The expected failures are listed with their
reasons in ``tests/w3c/known_failures.toml`` and marked ``xfail(strict=True)``, so a case that starts
to pass and a case that starts to fail both fail the run. ``--w3c-endpoint=oxigraph`` runs the same
cases against the Oxigraph server for comparison; ``python -m tests.w3c.report`` prints the figures.
"""

from __future__ import annotations

import pytest
from w3c import suite_missing
from w3c.endpoint import Endpoint
from w3c.manifest import Case, read_cases
from w3c.runner import known_failures, run_case, skip_reason

CASES: list[Case] = list(read_cases()) if suite_missing() is None else []
SUITES = ("query-evaluation", "query-syntax", "update-syntax", "update-evaluation")


def _params(config: pytest.Config, suite: str) -> list[object]:
    if not CASES:
        return [pytest.param(None, marks=pytest.mark.skip(reason=suite_missing() or ""), id="suite-missing")]
    known = known_failures(config.getoption("--w3c-endpoint"))
    params = []
    for case in CASES:
        if case.suite != suite:
            continue
        marks = []
        if (why := skip_reason(case)) is not None:
            marks.append(pytest.mark.skip(reason=why))
        elif case.id in known:
            marks.append(pytest.mark.xfail(strict=True, reason=known[case.id]))
        params.append(pytest.param(case, marks=marks, id=case.id))
    return params


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for suite in SUITES:
        if metafunc.function.__name__ == "test_" + suite.replace("-", "_"):
            metafunc.parametrize("case", _params(metafunc.config, suite))


def _passes(endpoint: Endpoint, case: Case) -> None:
    outcome = run_case(endpoint, case)
    assert outcome.status == "pass", outcome.reason


def test_query_evaluation(w3c_endpoint: Endpoint, case: Case) -> None:
    """The query's answer over the test's dataset is the expected result."""
    _passes(w3c_endpoint, case)


def test_query_syntax(w3c_endpoint: Endpoint, case: Case) -> None:
    """A valid query is answered 200, a malformed one 400."""
    _passes(w3c_endpoint, case)


def test_update_syntax(w3c_endpoint: Endpoint, case: Case) -> None:
    """A valid update (with the write token) is accepted, a malformed one answered 400."""
    _passes(w3c_endpoint, case)


def test_update_evaluation(w3c_endpoint: Endpoint, case: Case) -> None:
    """After the update, every graph of the store is the expected one."""
    _passes(w3c_endpoint, case)


def _excused_share(approved_only: bool) -> tuple[list[str], list[str]]:
    """The query-evaluation cases that run (of the working group's approved ones, or all) and those of
    them the checked-in list excuses."""
    if not CASES:
        pytest.skip(suite_missing() or "")
    run = [c.id for c in CASES if c.suite == "query-evaluation" and skip_reason(c) is None
           and (c.approved or not approved_only)]
    return run, [c for c in known_failures("synergraph") if c in run]


def test_known_failures_leave_at_least_95_percent_of_the_approved_query_tests_passing() -> None:
    """Of the query-evaluation tests the SPARQL working group approved, the list excuses at most 5 %
    (three: BNODE(str) across solutions, and the lexical form of a double and the datatype of a
    negativeInteger in CSV/TSV, which the engine keeps by value)."""
    run, excused = _excused_share(approved_only=True)
    assert len(run) > 150
    assert len(excused) / len(run) <= 0.05, excused


@pytest.mark.xfail(strict=True, reason="223 of 235 (94.9 %): all twelve failures are the engine's evaluation or "
                   "its by-value numeric literals, none the harness's or the endpoint's (known_failures.toml); "
                   "nine are later additions to the suite without approval; the Oxigraph server fails the same twelve")
def test_known_failures_leave_at_least_95_percent_of_all_query_tests_passing() -> None:
    """Counting the suite's later additions too, the list excuses at most 5 % of the cases that run."""
    run, excused = _excused_share(approved_only=False)
    assert len(run) > 200
    assert len(excused) / len(run) <= 0.05, excused


@pytest.mark.parametrize("endpoint", ["synergraph", "oxigraph"])
def test_every_known_failure_names_a_case_of_the_suite(endpoint: str) -> None:
    """A stale line in the list (a renamed or removed case) shows up instead of excusing nothing."""
    if not CASES:
        pytest.skip(suite_missing() or "")
    from w3c.protocol import protocol_cases

    ids = {c.id for c in CASES} | {c.id for c in protocol_cases()}
    assert set(known_failures(endpoint)) <= ids
