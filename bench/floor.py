"""How close the SPARQL endpoint comes to the floor of its design, for queries that take about a millisecond.

Every query runs in a worker process, so that it can be killed at its deadline. The floor of that design is
a *reference server*: a bare ASGI app under uvicorn (the same HTTP server, no framework) that hands each
query to one worker process started beforehand, over a pipe, and answers with the engine's serialisation —
no checks, no content negotiation, no deadline, no queue, no metrics. Synergraph's service, the reference
server and ``oxigraph serve-read-only`` answer the same queries over the same store, taking turns in blocks
of requests as in ``bench/sparql.py``, so the three share the machine's noise. Run from the repository root::

    python bench/floor.py                  # Brandenburg, 1,500 generated initiatives, about 2 minutes
    python bench/floor.py --store DIR      # a store kept by ``bench/sparql.py --keep`` (DIR/synergraph-store)

It prints medians and ratios and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from servers import Process, free_port
from sparql import QUERIES, measure_http

SHORT = ("01-count-by-class", "05-initiatives-in-kreis", "08-construct-neighbourhood", "09-describe",
         "10-series-editions")


# -- the reference server -----------------------------------------------------------------------------


def reference_worker(store: str, job_fd: int, reply_fd: int) -> None:
    """Answer queries from the pipe: the engine's N-Triples for graphs, its JSON for results."""
    jobs, replies = Connection(job_fd, writable=False), Connection(reply_fd, readable=False)
    db = ox.Store.read_only(store)
    while True:
        result = db.query(jobs.recv_bytes().decode(), use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            media, body = b"application/n-triples", ox.serialize(result, None, ox.RdfFormat.N_TRIPLES)
        else:
            media, body = b"application/sparql-results+json", result.serialize(None, ox.QueryResultsFormat.JSON)
        replies.send_bytes(media)
        replies.send_bytes(body)


def reference_server(store: str, port: int) -> None:
    """Serve ``POST /`` (``application/sparql-query``) on ``port`` through one worker process."""
    import uvicorn

    job_read, job_write = os.pipe()
    reply_read, reply_write = os.pipe()
    subprocess.Popen([sys.executable, __file__, "--reference-worker", store, str(job_read), str(reply_write)],
                     pass_fds=(job_read, reply_write))
    jobs, replies = Connection(job_write, readable=False), Connection(reply_read, writable=False)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if not body:  # readiness check
            media, answer = b"text/plain", b"ok"
        else:
            jobs.send_bytes(body)
            loop = asyncio.get_running_loop()
            readable = loop.create_future()
            loop.add_reader(replies.fileno(), lambda: readable.done() or readable.set_result(None))
            await readable
            loop.remove_reader(replies.fileno())
            os.set_blocking(replies.fileno(), True)
            media, answer = replies.recv_bytes(), replies.recv_bytes()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", media), (b"content-length", str(len(answer)).encode())]})
        await send({"type": "http.response.body", "body": answer})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")


# -- the measurement --------------------------------------------------------------------------------------


def prepare(work: Path, store: Path | None, initiatives: int) -> Path:
    """A store with generated data of Brandenburg (or a copy of ``store``) in ``work/synergraph-store``."""
    target = work / "synergraph-store"
    if store is not None:
        shutil.copytree(store, target)
        return target
    from synergraph.graph.bulk_loading import bulk_load_file
    from synergraph.graph.generate import generate
    from synergraph.graph.seed import ensure_seeded
    from synergraph.graph.store import Store

    data = work / "brandenburg.nt"
    generate(data, initiatives=initiatives, seed=7, lands=["12"])
    seeded = Store(target)
    ensure_seeded(seeded, examples=False)
    del seeded
    bulk_load_file(target, data)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None, help="a store made before (copied, not changed)")
    parser.add_argument("--initiatives", type=int, default=1500, help="generated initiatives of Brandenburg")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of blocks of requests (bench/sparql.py)")
    args = parser.parse_args()
    oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if oxigraph is None:
        sys.exit("oxigraph nicht gefunden (pip install oxigraph)")
    work = Path(tempfile.mkdtemp(prefix="synergraph-floor-"))
    servers: dict[str, Process] = {}
    try:
        store = prepare(work, args.store, args.initiatives)
        copy = work / "oxigraph-copy"
        shutil.copytree(store, copy)
        ports = {name: free_port() for name in ("synergraph", "reference", "oxigraph")}
        exe = Path(sys.executable).with_name("synergraph")
        servers["synergraph"] = Process(
            "synergraph", [str(exe), "serve", "--port", str(ports["synergraph"])],
            f"http://127.0.0.1:{ports['synergraph']}/sparql", f"http://127.0.0.1:{ports['synergraph']}/health",
            env={"SYNERGRAPH_STORE": str(store), "SYNERGRAPH_EXAMPLES": "false"})
        servers["reference"] = Process(
            "reference", [sys.executable, __file__, "--reference-server", str(copy), str(ports["reference"])],
            f"http://127.0.0.1:{ports['reference']}/", f"http://127.0.0.1:{ports['reference']}/")
        servers["oxigraph"] = Process(
            "oxigraph", [oxigraph, "serve-read-only", "--location", str(copy), "--bind",
                         f"127.0.0.1:{ports['oxigraph']}", "--union-default-graph"],
            f"http://127.0.0.1:{ports['oxigraph']}/query", f"http://127.0.0.1:{ports['oxigraph']}/")
        for server in servers.values():
            server.start()
        queries = {"ASK {}": "ASK {}"} | {name: (QUERIES / f"{name}.rq").read_text(encoding="utf-8") for name in SHORT}
        print(f"Maschine: {os.cpu_count()} Kerne, Last {os.getloadavg()[0]:.1f}; {args.rounds} Runden, die Server "
              "abwechselnd mit Blöcken von Anfragen (wie bench/sparql.py), Median aller Anfragen")
        print(f"  {'Abfrage':28} {'Synergraph':>11} {'Referenz':>11} {'Oxigraph':>11} {'SG/OX':>7} {'Ref/OX':>7} "
              f"{'SG-Ref':>8}")
        for name, text in queries.items():
            measured = measure_http([server.query_url for server in servers.values()], text, args.rounds, 60)
            if any(seconds is None for seconds, _ in measured):
                raise RuntimeError(f"{name}: {[info for _, info in measured]}")
            sg, ref, ox_ = (seconds for seconds, _ in measured)
            print(f"  {name:28} {sg * 1000:8.3f} ms {ref * 1000:8.3f} ms {ox_ * 1000:8.3f} ms {sg / ox_:6.2f}x "
                  f"{ref / ox_:6.2f}x {(sg - ref) * 1000:5.3f} ms")
        print(f"Last am Ende {os.getloadavg()[0]:.1f}")
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--reference-worker"]:
        reference_worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1:2] == ["--reference-server"]:
        reference_server(sys.argv[2], int(sys.argv[3]))
    else:
        main()
