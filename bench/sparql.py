"""SPARQL benchmark: bulk load, analyst queries and concurrent clients, Synergraph vs Oxigraph vs rdflib.

Run from the repository root with the project's environment::

    python bench/sparql.py                  # about 1 million triples, <= ~15 minutes
    python bench/sparql.py --quick          # smoke run on Brandenburg only, < 1 minute
    python bench/sparql.py --initiatives 100000
    python bench/sparql.py --load-only --data national.nt   # only (a), on a file made before

It prints what it measures and never asserts. Everything runs on this machine over loopback
(127.0.0.1); temporary stores live in a temporary folder that is removed at the end.

What is measured
----------------
(a) Bulk load of the generated N-Triples file: pyoxigraph ``Store.bulk_load`` into a new store
    directly, versus Synergraph's two load paths into a seeded store, both whole or not at all:
    the operator's bulk load (``graph.bulk_loading.bulk_load_file``, ``synergraph load --bulk``:
    the engine's bulk loader into a copy of the store that then replaces it, no SHACL) and the
    transactional load (``graph.loading.load_file``: parse into rdflib, one transaction that
    replaces the named graph and records the catalog entry; SHACL is timed separately on a sample,
    as a full SHACL run over a million triples takes far longer than the whole benchmark).
(b) The analyst queries of ``bench/queries/*.rq`` over HTTP against ``synergraph serve`` and
    ``oxigraph serve-read-only --union-default-graph`` on a copy of the same store, and in-process
    with rdflib (``Dataset(default_union=True)``), each query in a forked process with a timeout.
    Medians after a warm-up, the two servers taking turns in blocks of requests (fast queries get
    blocks of up to 40 requests).
(c) 50 concurrent clients for 60 seconds with a mix of queries against ``synergraph serve``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
from servers import Process, free_port
from synergraph.graph.bulk_loading import bulk_load_file
from synergraph.graph.generate import generate, load_territories
from synergraph.graph.loading import graph_iri_for, load_file, read_file
from synergraph.graph.seed import ensure_seeded
from synergraph.graph.store import Store
from synergraph.graph.validation import validate

QUERIES = Path(__file__).resolve().parent / "queries"
# Queries of the concurrent mix: the interactive ones an analyst page would send.
MIX = ("01-count-by-class", "03-gemeinden-per-land", "05-initiatives-in-kreis", "06-overlap", "07-title-text",
       "08-construct-neighbourhood", "09-describe", "10-series-editions", "11-responsible-as-of")


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}x"


def accept_for(query: str) -> str:
    text = " ".join(line for line in query.splitlines() if not line.lstrip().startswith(("#", "PREFIX")))
    upper = text.upper()
    return "application/n-triples" if ("CONSTRUCT" in upper or "DESCRIBE" in upper) else \
        "application/sparql-results+json"


def http_query(client: httpx.Client, url: str, query: str, timeout: float) -> tuple[float, int, int]:
    """Send one query (POST application/sparql-query); return seconds, status and body size."""
    started = time.perf_counter()
    response = client.post(url, content=query.encode("utf-8"), timeout=timeout,
                           headers={"Content-Type": "application/sparql-query", "Accept": accept_for(query)})
    body = response.read()
    return time.perf_counter() - started, response.status_code, len(body)


# A round sends each endpoint a block of requests that lasts about this long (at most MAX_BLOCK requests),
# so fast queries rest on many samples.
BLOCK_SECONDS = 0.4
MAX_BLOCK = 40


def measure_http(urls: list[str], query: str, runs: int, timeout: float) -> list[tuple[float | None, str]]:
    """Median seconds and answer size of ``query`` at each endpoint of ``urls``.

    After one warm-up each, ``runs`` rounds in which the endpoints take turns, each answering a block of
    requests in a row (as a client asking one server would), so that they share the machine's changes of
    speed. A block lasts about ``BLOCK_SECONDS``: one request for slow queries, up to ``MAX_BLOCK`` for fast
    ones. (Alternating request by request instead would measure every request of a multi-process server
    on cold caches.)
    """
    with httpx.Client() as client:
        warm = [http_query(client, url, query, timeout) for url in urls]
        block = max(1, min(MAX_BLOCK, int(BLOCK_SECONDS / max(max(w[0] for w in warm), 1e-4))))
        times: list[list[float]] = [[] for _ in urls]
        for _ in range(runs):
            for index, url in enumerate(urls):
                if warm[index][1] == 200:
                    times[index] += [http_query(client, url, query, timeout)[0] for _ in range(block)]
    return [(statistics.median(samples), f"{size} B") if status == 200 else (None, f"HTTP {status}")
            for samples, (_, status, size) in zip(times, warm, strict=True)]


# -- rdflib, each query in a forked child so that a runaway query can be stopped ---------------

_DATASET = None


def _rdflib_child(query: str, runs: int, connection: multiprocessing.connection.Connection) -> None:
    assert _DATASET is not None
    times = []
    rows = 0
    for _ in range(runs):
        started = time.perf_counter()
        result = _DATASET.query(query)
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            rows = len(result.graph)  # type: ignore[arg-type]
        else:
            rows = sum(1 for _ in result)
        times.append(time.perf_counter() - started)
        if times[-1] > 20:
            break
    connection.send((times, rows))
    connection.close()


def measure_rdflib(query: str, runs: int, timeout: float) -> tuple[float | None, str]:
    """Run ``query`` ``runs`` times in a forked child over the loaded dataset; stop it at ``timeout``."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_rdflib_child, args=(query, runs, sender))
    child.start()
    sender.close()
    deadline = timeout * max(1, runs)
    if receiver.poll(deadline):
        times, rows = receiver.recv()
        child.join()
        return statistics.median(times), f"{rows} rows"
    child.kill()
    child.join()
    return None, f">{timeout:.0f} s"


def load_rdflib(path: Path) -> tuple[object, float]:
    from rdflib import Dataset, URIRef
    from synergraph.graph.terms import to_rdflib

    started = time.monotonic()
    dataset = Dataset(default_union=True)
    graph = dataset.graph(URIRef(graph_iri_for(path)))
    for triple in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
        graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    return dataset, time.monotonic() - started


# -- concurrent clients -------------------------------------------------------------------------

def load_test(url: str, queries: list[str], clients: int, seconds: float, timeout: float) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client_loop(number: int) -> None:
        index = number
        with httpx.Client() as client:
            while time.monotonic() < stop_at:
                query = queries[index % len(queries)]
                index += 1
                try:
                    elapsed, status, _ = http_query(client, url, query, timeout)
                    with lock:
                        latencies.append(elapsed)
                        if status != 200:
                            errors.append(f"HTTP {status}")
                except httpx.HTTPError as error:
                    with lock:
                        errors.append(type(error).__name__)

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + seconds + 30)
    wall = time.monotonic() - started
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else float("nan")

    return {"requests": len(latencies), "errors": len(errors), "p50": pct(0.50), "p95": pct(0.95),
            "p99": pct(0.99), "seconds": wall, "rate": len(latencies) / wall if wall else 0.0,
            "error_kinds": ", ".join(sorted(set(errors))[:5])}  # type: ignore[dict-item]


# -- the run ------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--initiatives", type=int, default=None, help="default 75000 (~1 M triples); quick: 1500")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="small smoke run (Brandenburg only, < 1 min)")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per query (default 5; quick 2)")
    parser.add_argument("--rdflib-timeout", type=float, default=None, help="seconds per rdflib query (120; quick 15)")
    parser.add_argument("--clients", type=int, default=None, help="concurrent clients (50; quick 10)")
    parser.add_argument("--duration", type=float, default=None, help="seconds of the load test (60; quick 5)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the work folder here")
    parser.add_argument("--data", type=Path, default=None,
                        help="an N-Triples file made before (synergraph generate) instead of generating one")
    parser.add_argument("--load-only", action="store_true", help="measure only (a), the loads")
    args = parser.parse_args()
    quick = args.quick
    initiatives = args.initiatives or (1500 if quick else 75000)
    runs = args.runs or (2 if quick else 5)
    rdflib_timeout = args.rdflib_timeout or (10 if quick else 120)
    clients = args.clients or (10 if quick else 50)
    duration = args.duration or (5 if quick else 60)
    lands = ["12"] if quick else None
    work = args.keep or Path(tempfile.mkdtemp(prefix="synergraph-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    total_started = time.monotonic()
    summary: list[tuple[str, str]] = []
    servers: list[Process] = []
    try:
        run(work, initiatives, args.seed, lands, runs, rdflib_timeout, clients, duration, quick, summary, servers,
            args.data, args.load_only)
    finally:
        for server in servers:
            server.stop()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nGesamtdauer: {time.monotonic() - total_started:.0f} s")


def run(work: Path, initiatives: int, seed: int, lands: list[str] | None, runs: int, rdflib_timeout: float,
        clients: int, duration: float, quick: bool, summary: list[tuple[str, str]],
        servers: list[Process], given: Path | None, load_only: bool) -> None:
    print(f"Maschine: {os.cpu_count()} Kerne, Python {sys.version.split()[0]}, pyoxigraph {ox.__version__}, "
          f"Last {os.getloadavg()[0]:.1f}")
    if given is None:
        data = work / "national.nt"
        result = generate(data, initiatives=initiatives, seed=seed, answers=work / "answers.jsonl", lands=lands)
        print(f"Erzeugt: {result.triples} Tripel ({result.territory_triples} Gebiete), {result.initiatives} "
              f"Initiativen, {data.stat().st_size / 1e6:.0f} MB in {result.seconds:.1f} s")
    else:
        data = given
        print(f"Daten: {data} ({data.stat().st_size / 1e6:.0f} MB)")
    graph_iri = graph_iri_for(data)

    # (a) bulk load ----------------------------------------------------------------------------
    print("\n(a) Laden")
    started = time.monotonic()
    direct = ox.Store(str(work / "ox-direct"))
    direct.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph_iri))
    direct.flush()
    t_direct = time.monotonic() - started
    del direct
    print(f"  pyoxigraph Store.bulk_load direkt:                {t_direct:8.1f} s")

    bulk_dir = work / "synergraph-bulk"
    seeded = Store(bulk_dir)
    ensure_seeded(seeded, examples=False)  # the seed graph is not part of the measurement
    del seeded
    bulk = bulk_load_file(bulk_dir, data)
    print(f"  Synergraph load --bulk (Kopie, ohne SHACL):       {bulk.seconds:8.1f} s  = {ratio(bulk.seconds, t_direct)} "
          f"(ganz oder gar nicht; Ziel <= 1.2x)")
    shutil.rmtree(bulk_dir, ignore_errors=True)
    summary += [("Laden: bulk_load direkt", f"{t_direct:.1f} s"),
                ("Laden: Synergraph load --bulk", f"{bulk.seconds:.1f} s ({ratio(bulk.seconds, t_direct)}; Ziel <= 1.2x)")]

    store_dir = work / "synergraph-store"
    store = Store(store_dir)
    ensure_seeded(store, examples=False)  # the seed graph is not part of the measurement
    started = time.monotonic()
    parsed = read_file(data)
    t_parse = time.monotonic() - started
    del parsed
    started = time.monotonic()
    loaded = load_file(store, data, check=False)
    store.flush()
    t_load = time.monotonic() - started
    print(f"  Synergraph load_file (transaktional, ohne SHACL): {t_load:8.1f} s  = {ratio(t_load, t_direct)} "
          f"(davon Einlesen in rdflib ~{t_parse:.1f} s)")
    del store

    per_triple = float("nan")
    if quick:
        print("  SHACL-Prüfung: im Schnelllauf übersprungen")
    else:
        sample = work / "sample.nt"
        sample_result = generate(sample, initiatives=300, seed=seed, lands=["12"],
                                 territories=load_territories(lands=["12"]))
        check_store = Store.in_memory()
        ensure_seeded(check_store, examples=False)
        sample_graph = read_file(sample)
        started = time.monotonic()
        validate(sample_graph, check_store)
        t_shacl = time.monotonic() - started
        per_triple = t_shacl / sample_result.triples
        print(f"  SHACL-Prüfung (pySHACL) Stichprobe:           {t_shacl:8.1f} s für {sample_result.triples} Tripel "
              f"-> hochgerechnet ~{per_triple * loaded.triples / 60:.0f} min für {loaded.triples} Tripel")

    shutil.rmtree(work / "ox-direct", ignore_errors=True)
    summary += [("Laden: Synergraph load_file transaktional ohne SHACL", f"{t_load:.1f} s ({ratio(t_load, t_direct)})"),
                ("Laden: SHACL hochgerechnet", f"~{per_triple * loaded.triples:.0f} s")]
    if load_only:
        return

    # (b) queries -------------------------------------------------------------------------------
    print("\n(b) Abfragen")
    ox_dir = work / "oxigraph-copy"
    shutil.copytree(store_dir, ox_dir)
    exe = Path(sys.executable).with_name("synergraph")
    sg_port, ox_port = free_port(), free_port()
    synergraph = Process("synergraph", [str(exe), "serve", "--port", str(sg_port)],
                         f"http://127.0.0.1:{sg_port}/sparql", f"http://127.0.0.1:{sg_port}/health",
                         env={"SYNERGRAPH_STORE": str(store_dir), "SYNERGRAPH_EXAMPLES": "false",
                              "SYNERGRAPH_QUERY_TIMEOUT": "300"})
    oxigraph_exe = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    oxigraph = None
    if oxigraph_exe:
        oxigraph = Process("oxigraph", [oxigraph_exe, "serve-read-only", "--location", str(ox_dir),
                                        "--bind", f"127.0.0.1:{ox_port}", "--union-default-graph"],
                           f"http://127.0.0.1:{ox_port}/query", f"http://127.0.0.1:{ox_port}/")
    servers.append(synergraph)
    print(f"  synergraph serve bereit nach {synergraph.start():.1f} s")
    if oxigraph is not None:
        servers.append(oxigraph)
        print(f"  oxigraph serve-read-only bereit nach {oxigraph.start():.1f} s")
    else:
        print("  oxigraph nicht gefunden (pip install oxigraph): Vergleich entfällt")
    queries = {path.stem: path.read_text(encoding="utf-8") for path in sorted(QUERIES.glob("*.rq"))}
    http_results: dict[str, tuple[float | None, float | None, str]] = {}
    print(f"  {'Abfrage':30} {'Synergraph':>11} {'Oxigraph':>11} {'SG/OX':>7}  Antwort")
    for name, query in queries.items():
        measured = measure_http([synergraph.query_url] + ([oxigraph.query_url] if oxigraph else []), query, runs, 300)
        (sg_time, sg_info), (ox_time, ox_info) = measured[0], (measured[1] if oxigraph else (None, "-"))
        http_results[name] = (sg_time, ox_time, sg_info)
        print(f"  {name:30} {fmt(sg_time):>11} {fmt(ox_time):>11} {ratio(sg_time, ox_time):>7}  "
              f"SG {sg_info}, OX {ox_info}")

    # (c) concurrent clients --------------------------------------------------------------------
    print(f"\n(c) {clients} gleichzeitige Clients, {duration:.0f} s, gemischte Abfragen gegen Synergraph")
    mix = [queries[name] for name in MIX if name in queries]
    if oxigraph is not None:
        oxigraph.stop()
    load = load_test(synergraph.query_url, mix, clients, duration, timeout=20 if quick else 60)
    print(f"  Anfragen {load['requests']}, Fehler {load['errors']} {load['error_kinds']}, "
          f"{load['rate']:.1f}/s, p50 {fmt(load['p50'])}, p95 {fmt(load['p95'])}, p99 {fmt(load['p99'])}")
    synergraph.stop()

    # rdflib last: it holds everything in memory --------------------------------------------------
    print(f"\n(b) rdflib Dataset(default_union=True), Zeitlimit {rdflib_timeout:.0f} s je Abfrage")
    global _DATASET
    _DATASET, t_rdflib_load = load_rdflib(data)  # type: ignore[assignment]
    print(f"  rdflib geladen in {t_rdflib_load:.1f} s")
    table = []
    for name, query in queries.items():
        rd_time, rd_info = measure_rdflib(query, 1, rdflib_timeout)
        sg_time, ox_time, _ = http_results[name]
        table.append((name, sg_time, ox_time, rd_time, rd_info))
        print(f"  {name:30} {fmt(rd_time) if rd_time is not None else rd_info:>11}  {rd_info}")
    _DATASET = None

    # final table -------------------------------------------------------------------------------
    print("\n=== Ergebnis ===")
    print(f"Daten: {result.triples} Tripel, {result.initiatives} Initiativen; Medianwerte aus {runs} "
          f"Runden nach einem Aufwärmlauf, Synergraph und Oxigraph abwechselnd, je Runde bis zu {MAX_BLOCK} "
          f"Anfragen (rdflib: 1 Lauf)")
    for label, value in summary:
        print(f"  {label:42} {value}")
    print(f"  {'Abfrage':30} {'Synergraph':>11} {'Oxigraph':>11} {'rdflib':>11} {'SG/OX':>7} {'rdflib/SG':>10}")
    for name, sg_time, ox_time, rd_time, rd_info in table:
        rd_text = fmt(rd_time) if rd_time is not None else rd_info
        rd_ratio = ratio(rd_time, sg_time) if rd_time is not None else (f">{rdflib_timeout / sg_time:.0f}x"
                                                                         if sg_time else "-")
        print(f"  {name:30} {fmt(sg_time):>11} {fmt(ox_time):>11} {rd_text:>11} {ratio(sg_time, ox_time):>7} "
              f"{rd_ratio:>10}")
    print(f"  Last: {clients} Clients x {duration:.0f} s: {load['requests']} Anfragen, {load['errors']} Fehler, "
          f"p50 {fmt(load['p50'])}, p95 {fmt(load['p95'])}, p99 {fmt(load['p99'])}")


if __name__ == "__main__":
    main()
