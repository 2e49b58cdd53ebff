"""How fast ``ASK {}`` is answered while ten runaway queries hold their workers (issue target: under
a second on 2 cores), against the same service when idle, measured in one run.

A ``synergraph serve`` process is started over a fresh store (seeded on first start). First
``--asks`` ASK requests are timed on the idle service; then ten queries that would run for ever are
sent with a deadline of ``--deadline`` seconds, and while they run the same number of ASKs is timed
again, one every half second. The runaways must all be cut at their deadline (503).

Run: ``python bench/runaways.py [--asks 20] [--deadline 20]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from servers import Process, free_port

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def ask_latencies(url: str, count: int, pause: float) -> list[float]:
    """Seconds each of ``count`` ASK requests took, ``pause`` seconds apart."""
    latencies = []
    with httpx.Client(timeout=60) as client:
        for _ in range(count):
            started = time.monotonic()
            response = client.get(url + "/sparql", params={"query": "ASK {}"})
            latencies.append(time.monotonic() - started)
            if response.status_code != 200:
                raise SystemExit(f"ASK answered {response.status_code}: {response.text[:200]}")
            time.sleep(pause)
    return latencies


def summary(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (f"p50 {statistics.median(ordered) * 1000:8.1f} ms   p95 {p95 * 1000:8.1f} ms   "
            f"max {ordered[-1] * 1000:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asks", type=int, default=20, help="ASK requests per phase")
    parser.add_argument("--deadline", type=float, default=20.0, help="seconds the runaways may run")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="synergraph-runaways-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    exe = Path(sys.executable).with_name("synergraph")
    service = Process("synergraph", [str(exe), "serve", "--port", str(port)], url + "/sparql", url + "/health",
                      env={"SYNERGRAPH_STORE": str(work / "store")})
    try:
        service.start()
        ask_latencies(url, 3, 0.1)  # warm-up
        idle = ask_latencies(url, args.asks, 0.5)

        def runaway() -> tuple[int, float]:
            started = time.monotonic()
            response = httpx.get(url + "/sparql", params={"query": RUNAWAY, "timeout": str(args.deadline)},
                                 timeout=args.deadline + 60)
            return response.status_code, time.monotonic() - started

        with ThreadPoolExecutor(10) as pool:
            futures = [pool.submit(runaway) for _ in range(10)]
            time.sleep(1.5)
            loaded = ask_latencies(url, min(args.asks, int((args.deadline - 2) / 0.5)), 0.5)
            cut = [f.result() for f in futures]
    finally:
        service.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"ASK {{}} on {os.cpu_count()} cores, {len(idle)} requests per phase")
    print(f"  idle service           {summary(idle)}")
    print(f"  ten runaways running   {summary(loaded)}")
    print(f"  ratio of medians       {statistics.median(loaded) / statistics.median(idle):.2f}x;"
          f" target: max under 1000 ms -> {'met' if max(loaded) < 1.0 else 'MISSED'}")
    print(f"  runaways: {sum(status == 503 for status, _ in cut)} of 10 cut with 503 after "
          f"{min(s for _, s in cut):.1f}-{max(s for _, s in cut):.1f} s (deadline {args.deadline:.0f} s)")


if __name__ == "__main__":
    main()
