"""Benchmark of the duplicate detection and the overlap rules on generated data (printed, not asserted).

For each size the generator writes N initiatives over all of Germany's territories into a fresh
in-memory store; the duplicate detection (read initiatives, fit TF-IDF, blocked candidates, scoring)
is timed in a child process so its peak memory (ru_maxrss) is its own; besides the wall time it prints
the child's CPU time, which other work on a shared machine does not inflate. The growth exponent is the
slope of log(time) over log(size) between the smallest and the largest size, and 1,000,000 initiatives
are extrapolated with it. ``--compare`` also times a global sparse nearest-neighbour search
(scikit-learn NearestNeighbors, cosine, brute force on the sparse vectors) as the alternative blocking.

Run: ``python bench/dedup.py --sizes 10000 30000 100000 [--overlaps] [--compare]``
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import resource
import shutil
import tempfile
import time
from pathlib import Path


def _detect(path: str, answers: str, compare: bool, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    import pyoxigraph as ox
    from synergraph.graph.duplicates import DuplicateIndex
    from synergraph.graph.generate import iter_answers
    from synergraph.graph.store import Store

    store = Store.in_memory()
    from synergraph.graph.validation import ontology_file
    for name in ("synergraph.ttl", "topics.ttl"):
        store.engine.load(ontology_file(name), format=ox.RdfFormat.TURTLE,
                          to_graph=ox.NamedNode("https://w3id.org/synergraph/graph/ontologie"))
    store.engine.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES,
                           to_graph=ox.NamedNode("https://w3id.org/synergraph/graph/generiert"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu_started = time.process_time()
    started = time.perf_counter()
    index = DuplicateIndex.build(store)
    built = time.perf_counter()
    pairs = index.pairs()
    candidates = index.candidate_count
    done = time.perf_counter()
    cpu = time.process_time() - cpu_started
    found = {frozenset((p.a, p.b)) for p in pairs if p.kind == "duplicate"}
    planted = {frozenset(a["items"]) for a in iter_answers(Path(answers)) if a["kind"] == "duplicate"}
    result = {"records": len(index.records), "build": built - started, "total": done - started, "cpu": cpu,
              "candidates": candidates, "recall": len(found & planted) / max(1, len(planted)),
              "found": len(found), "planted": len(planted),
              "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "store_mb": before / 1024}
    if compare:
        from sklearn.neighbors import NearestNeighbors
        t0 = time.perf_counter()
        nn = NearestNeighbors(n_neighbors=10, metric="cosine", algorithm="brute").fit(index.combined)
        nn.kneighbors(index.combined)
        result["knn_global"] = time.perf_counter() - t0
    queue.put(result)


def _overlaps(path: str, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    import pyoxigraph as ox
    from synergraph.graph.overlaps import overlaps
    from synergraph.graph.store import Store

    store = Store.in_memory()
    from synergraph.graph.validation import ontology_file
    for name in ("synergraph.ttl", "topics.ttl"):
        store.engine.load(ontology_file(name), format=ox.RdfFormat.TURTLE,
                          to_graph=ox.NamedNode("https://w3id.org/synergraph/graph/ontologie"))
    store.engine.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES,
                           to_graph=ox.NamedNode("https://w3id.org/synergraph/graph/generiert"))
    timings: dict[str, float] = {}
    found = overlaps(store, timings=timings)
    queue.put({"timings": timings, "findings": len(found)})


def _child(target, *args):  # type: ignore[no-untyped-def]
    queue: mp.Queue = mp.get_context("fork").Queue()  # type: ignore[type-arg]
    process = mp.get_context("fork").Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--overlaps", action="store_true", help="Regelzeiten auf dem größten Datensatz")
    parser.add_argument("--compare", action="store_true", help="globale kNN-Suche zum Vergleich")
    args = parser.parse_args()
    from synergraph.graph.generate import generate, load_territories

    territories = load_territories()
    folder = Path(tempfile.mkdtemp())
    try:
        rows = []
        print("| Initiativen | Kandidatenpaare | Zeit gesamt (s) | CPU (s) | davon Modell (s) | Spitze RSS (MiB) | "
              "Recall geplante Dubletten |" + (" globale kNN (s) |" if args.compare else ""))
        print("| --- | --- | --- | --- | --- | --- | --- |" + (" --- |" if args.compare else ""))
        for size in args.sizes:
            path, answers = folder / f"g{size}.nt", folder / f"g{size}.jsonl"
            generate(path, initiatives=size, seed=7, answers=answers, territories=territories)
            result = _child(_detect, str(path), str(answers), args.compare and size <= 30_000)
            rows.append((size, result["total"], result["cpu"]))
            extra = f" {result['knn_global']:.1f} |" if "knn_global" in result else (" – |" if args.compare else "")
            print(f"| {size} | {result['candidates']} | {result['total']:.1f} | {result['cpu']:.1f} | "
                  f"{result['build']:.1f} | {result['peak_mb']:.0f} | {result['recall']:.3f} "
                  f"({result['found']} gefunden, {result['planted']} geplant) |{extra}", flush=True)
        if len(rows) >= 2:
            (n0, t0, c0), (n1, t1, c1) = rows[0], rows[-1]
            wall, cpu = math.log(t1 / t0) / math.log(n1 / n0), math.log(c1 / c0) / math.log(n1 / n0)
            print(f"\nWachstumsexponent (log Zeit / log Größe, {n0}→{n1}): {wall:.2f} (Zeit), {cpu:.2f} (CPU)")
            print(f"Hochgerechnet auf 1 000 000 Initiativen: {t1 * (1_000_000 / n1) ** wall:.0f} s (Zeit), "
                  f"{c1 * (1_000_000 / n1) ** cpu:.0f} s (CPU)")
        if args.overlaps:
            size = args.sizes[-1]
            result = _child(_overlaps, str(folder / f"g{size}.nt"))
            print(f"\nÜberschneidungsregeln auf {size} Initiativen (ganz Deutschland): {result['findings']} Befunde")
            print(json.dumps({k: round(v, 2) for k, v in result["timings"].items()}, ensure_ascii=False))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
