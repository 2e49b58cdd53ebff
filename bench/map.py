"""Benchmark of the responsibility map (/map) in headless Chromium (printed, not asserted).

For each size the generator writes territories of one Land, their administrations, invented bodies,
responsibilities and initiatives (``graph/generate.py``) into a fresh store, sized so that the graph
holds about N nodes (bodies, territories, topics and initiatives). A real service (uvicorn over the
application, without the Brandenburg seed so the size is the generated one) serves the page; Debian's
Chromium opens ``/map`` and we measure:

* time to interactive: from navigation to the drawn map with its list and handlers (``data-map-ready``),
  of which the page's request of ``/api/map`` and drawing take the rest after the HTML and scripts,
  and the time of one redraw after a zoom (the map answers input);
* memory of the page: the JavaScript heap (CDP ``Performance.getMetrics``);
* the server: first answer of ``/api/map`` (reads the store, runs the overlap and duplicate analyses),
  later answers, and the size of the JSON.

Each size is measured for the default view (Gemeinden clustered under their Kreis: those without own
facts, and above 1,500 nodes all of them) and with every Gemeinde drawn (``expand=all``). Each figure of
the page is the median of three loads.

Run: ``python bench/map.py [--sizes 500 2000 5000] [--land 12]``
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import tempfile
import time
from pathlib import Path

import httpx
from servers import free_port

CHROMIUM = "/usr/bin/chromium"


def _fill(path: Path, land: str, initiatives: int) -> int:
    """A store of the ontology and generated data; returns the number of map nodes it holds."""
    import pyoxigraph as ox
    from synergraph.graph.generate import generate
    from synergraph.graph.mapview import map_base
    from synergraph.graph.store import Store
    from synergraph.graph.validation import ontology_file

    data = path.parent / f"{path.name}.nt"
    generate(data, initiatives=initiatives, seed=7, lands=[land])
    store = Store(path)
    for name in ("synergraph.ttl", "topics.ttl"):
        store.engine.load(ontology_file(name), format=ox.RdfFormat.TURTLE,
                          to_graph=ox.NamedNode("https://w3id.org/synergraph/graph/ontologie"))
    store.engine.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES,
                           to_graph=ox.NamedNode("https://w3id.org/synergraph/graph/generiert"))
    store.flush()
    base = map_base(store)
    return len(base.bodies) + len(base.territories) + len(base.topics) + len(base.initiatives)


def _count_in_child(path: Path, land: str, initiatives: int) -> int:
    with mp.get_context("spawn").Pool(1) as pool:
        return int(pool.apply(_fill, (path, land, initiatives)))


def _serve(path: str, port: int) -> None:
    import uvicorn
    from synergraph.api.app import create_app
    from synergraph.api.service import Service
    from synergraph.api.settings import Settings
    from synergraph.graph.store import Store

    service = Service(Settings(store=path, examples=False), Store(Path(path)))
    uvicorn.run(create_app(service), host="127.0.0.1", port=port, log_level="warning")


def _browser_run(url: str) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("body[data-map-ready=true]", timeout=120000)
        interactive = time.perf_counter() - started
        load_ms = page.evaluate("window.synergraphMap.loadMs")
        redraw = page.evaluate("""() => new Promise((resolve) => {
            const net = window.synergraphMap.network; const t0 = performance.now();
            net.once('afterDrawing', () => resolve(performance.now() - t0));
            net.moveTo({scale: net.getScale() * 1.2});
        })""")
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        drawn = page.evaluate("window.synergraphMap.data().nodes.length")
        browser.close()
    return {"interactive_s": interactive, "load_s": float(load_ms) / 1000, "redraw_ms": float(redraw),
            "heap_mb": metrics["JSHeapUsedSize"] / 2**20, "drawn": float(drawn)}


def measure(size: int, land: str, workdir: Path) -> None:
    """Build a store of about ``size`` nodes, serve it and print the figures."""
    probe = workdir / f"probe-{size}"
    fixed = _count_in_child(probe, land, 50) - 50
    initiatives = max(10, size - fixed)
    store = workdir / f"store-{size}"
    nodes = _count_in_child(store, land, initiatives)
    port = free_port()
    server = mp.get_context("spawn").Process(target=_serve, args=(str(store), port), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(base + "/health", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        t0 = time.perf_counter()
        httpx.get(base + "/api/map", timeout=600).raise_for_status()
        cold = time.perf_counter() - t0
        for view, query in (("geclustert", ""), ("alle Gemeinden", "?expand=all")):
            t0 = time.perf_counter()
            answer = httpx.get(base + "/api/map" + query, timeout=600)
            warm = time.perf_counter() - t0
            # The median of three page loads: the machine is shared, single loads vary by seconds.
            runs = sorted((_browser_run(base + "/map" + query) for _ in range(3)), key=lambda r: r["interactive_s"])
            result = runs[1]
            print(f"{nodes:>6} Knoten im Graphen ({initiatives} Initiativen), {view:<15}: "
                  f"gezeichnet {int(result['drawn']):>5}, interaktiv nach {result['interactive_s']:.2f} s "
                  f"(davon /api/map und Zeichnen {result['load_s']:.2f} s), "
                  f"Neuzeichnen {result['redraw_ms']:.0f} ms, JS-Heap {result['heap_mb']:.0f} MB | "
                  f"/api/map erstes Mal {cold:.2f} s, danach {warm:.2f} s, {len(answer.content) / 2**20:.1f} MB JSON",
                  flush=True)
    finally:
        server.terminate()
        server.join(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--land", default="12", help="AGS of the Land whose territories are used (default 12)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="synergraph-map-bench-") as folder:
        for size in args.sizes:
            measure(size, args.land if size >= 1000 else "10", Path(folder))


if __name__ == "__main__":
    main()
