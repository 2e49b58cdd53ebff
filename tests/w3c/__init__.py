"""The W3C SPARQL 1.1 test suites, replayed over HTTP against a SPARQL endpoint.

The suite's files stay where the project keeps shared data, ``../shared/w3c-sparql11`` beside the
repository (CI checks ``shared/`` out next to the clone); nothing is copied into the repository.

Modules
-------
manifest
    Reads the suite's ``manifest.ttl`` files into :class:`~w3c.manifest.Case` records.
results
    Parses expected and actual results and compares them as the W3C tests intend.
endpoint
    One SPARQL service reached over HTTP: query, update and Graph Store URLs and a write token.
runner
    Runs one query-evaluation, syntax or update-evaluation case against an endpoint.
protocol
    Replays the HTTP requests of the SPARQL 1.1 Protocol tests.
servers
    Starts the endpoints under test: Synergraph (``synergraph serve``) or the Oxigraph server.
report
    ``python -m tests.w3c.report`` prints the figures of a whole run.

Examples
--------
>>> from w3c import SUITE
>>> SUITE.name
'w3c-sparql11'
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["REPO", "SUITE", "suite_missing"]

REPO = Path(__file__).resolve().parents[2]
SUITE = REPO.parent / "shared" / "w3c-sparql11"


def suite_missing() -> str | None:
    """Why the suite cannot run here, or None when its files are present.

    Examples
    --------
    >>> suite_missing() is None or "w3c-sparql11" in suite_missing()
    True
    """
    if not (SUITE / "manifest-all.ttl").is_file():
        return f"W3C-Testsuite nicht gefunden / W3C suite not found: {SUITE} (expected ../shared/w3c-sparql11)"
    return None
