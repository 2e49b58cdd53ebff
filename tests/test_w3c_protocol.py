"""A client can rely on the SPARQL 1.1 Protocol: the 34 W3C protocol tests, replayed request by request.

Each test of ``protocol/manifest.ttl`` is one pytest case; known failures are listed with their
reasons in ``tests/w3c/known_failures.toml`` (``xfail(strict=True)``).
"""

from __future__ import annotations

import pytest
from w3c import suite_missing
from w3c.endpoint import Endpoint
from w3c.protocol import OPERATIONS, ProtocolCase, protocol_cases, run_protocol_case
from w3c.runner import known_failures

CASES: list[ProtocolCase] = list(protocol_cases()) if suite_missing() is None else []


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" not in metafunc.fixturenames:
        return
    if not CASES:
        metafunc.parametrize("case", [pytest.param(None, marks=pytest.mark.skip(reason=suite_missing() or ""))])
        return
    known = known_failures(metafunc.config.getoption("--w3c-endpoint"))
    metafunc.parametrize("case", [
        pytest.param(case, id=case.id,
                     marks=[pytest.mark.xfail(strict=True, reason=known[case.id])] if case.id in known else [])
        for case in CASES])


def test_protocol(w3c_endpoint: Endpoint, case: ProtocolCase) -> None:
    """Every request of the test is answered with the expected status, format and ASK answer."""
    outcome = run_protocol_case(w3c_endpoint, case)
    assert outcome.status == "pass", outcome.reason


def test_the_table_covers_every_test_of_the_manifest() -> None:
    """A test added to the manifest, or a request added to a test, needs its line in OPERATIONS."""
    if not CASES:
        pytest.skip(suite_missing() or "")
    assert {c.id.removeprefix("protocol/") for c in CASES} == set(OPERATIONS)
    assert all(len(OPERATIONS[c.id.removeprefix("protocol/")]) == len(c.requests) for c in CASES)
