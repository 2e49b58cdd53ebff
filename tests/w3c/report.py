"""The W3C SPARQL 1.1 conformance figures of one endpoint.

Starts the endpoint (Synergraph by default, or the Oxigraph server for comparison), runs every case
of the query, syntax, update and protocol suites once, and prints per suite how many passed, failed
and were skipped, the pass rate, and every failure with its reason (and whether it is a known one).

Usage::

    python -m tests.w3c.report                       # Synergraph, fresh store
    python -m tests.w3c.report --endpoint oxigraph   # the Oxigraph server
    python -m tests.w3c.report --suite protocol -v   # one suite, every case

Exit status 0 when every failure is a known one (``tests/w3c/known_failures.toml``), 1 otherwise,
2 when the suite's files are missing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
if str(TESTS) not in sys.path:  # run as ``python -m tests.w3c.report``: conftest and w3c live here
    sys.path.insert(0, str(TESTS))

from w3c import suite_missing
from w3c.manifest import read_cases
from w3c.protocol import protocol_cases, run_protocol_case
from w3c.runner import Outcome, known_failures, run_case
from w3c.servers import ENDPOINTS, running

SUITES = ("query-evaluation", "query-syntax", "update-syntax", "update-evaluation", "protocol")


def main(argv: list[str] | None = None) -> int:
    """Run the suites against one endpoint and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m tests.w3c.report", description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint", choices=ENDPOINTS, default="synergraph")
    parser.add_argument("--suite", choices=SUITES, action="append", help="only these suites (repeatable)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every case")
    args = parser.parse_args(argv)
    missing = suite_missing()
    if missing:
        print(missing, file=sys.stderr)
        return 2
    chosen = tuple(args.suite or SUITES)
    known = known_failures(args.endpoint)
    outcomes: dict[str, tuple[str, Outcome]] = {}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="w3c-") as folder, running(args.endpoint, Path(folder) / "store") as endpoint:
        ready = time.monotonic()
        for case in read_cases():
            if case.suite in chosen:
                outcomes[case.id] = (case.suite, run_case(endpoint, case))
                if args.verbose:
                    print(f"{outcomes[case.id][1].status:4} {case.id}", flush=True)
        if "protocol" in chosen:
            for pcase in protocol_cases():
                outcomes[pcase.id] = ("protocol", run_protocol_case(endpoint, pcase))
                if args.verbose:
                    print(f"{outcomes[pcase.id][1].status:4} {pcase.id}", flush=True)
        finished = time.monotonic()
    print(f"\nW3C SPARQL 1.1 against {args.endpoint} "
          f"(start {ready - started:.1f} s, tests {finished - ready:.1f} s)\n")
    print(f"{'suite':18} {'pass':>5} {'fail':>5} {'skip':>5} {'rate':>7}")
    approved = {case.id for case in read_cases() if case.approved}
    rows = [(suite, suite, lambda case_id: True) for suite in chosen]
    if "query-evaluation" in chosen:  # the working group's approved tests, without the later additions
        rows.append(("  approved only", "query-evaluation", approved.__contains__))
    for label, suite, counted in rows:
        counts = Counter(outcome.status for case_id, (s, outcome) in outcomes.items() if s == suite and counted(case_id))
        run = counts["pass"] + counts["fail"]
        rate = f"{100 * counts['pass'] / run:.1f}%" if run else "-"
        print(f"{label:18} {counts['pass']:5} {counts['fail']:5} {counts['skip']:5} {rate:>7}")
    unexpected = 0
    print("\nFailures:")
    for case_id, (suite, outcome) in sorted(outcomes.items()):
        if outcome.status == "fail":
            mark = "known" if case_id in known else "NEW  "
            unexpected += case_id not in known
            print(f"  {mark} {case_id}: {outcome.reason}")
            if case_id in known:
                print(f"        listed: {known[case_id]}")
    fixed = sorted(c for c in known if c in outcomes and outcomes[c][1].status == "pass")
    if fixed:
        print("\nListed as known failures but passing now (remove from known_failures.toml):")
        for case_id in fixed:
            print(f"  {case_id}")
    skipped = Counter(outcome.reason for _, outcome in outcomes.values() if outcome.status == "skip")
    if skipped:
        print("\nSkipped:")
        for reason, count in skipped.items():
            print(f"  {count:3} {reason}")
    return 1 if unexpected or fixed else 0


if __name__ == "__main__":
    sys.exit(main())
