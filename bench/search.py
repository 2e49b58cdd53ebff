"""Benchmark of the German full-text search: tantivy against SQLite FTS5.

Both engines get the same documents and the same German analysis (Snowball stems, compound parts
split against the vocabulary of the labels, umlaut/ß folding); they differ in how they index and rank:

* ``tantivy``      the service's index (synergraph.graph.search): stemmed words, compound parts and
                   trigrams of folded labels in tantivy fields
* ``fts5``         SQLite FTS5 (stdlib): stemmed words and parts (unicode61) + trigrams of folded labels
                   (trigram tokenizer), ranked with bm25 and the same exact-label bonus, all in SQL
* ``fts5-words``   SQLite FTS5: stemmed words and compound parts only (no trigrams)
* ``fts5-trigram`` SQLite FTS5: trigrams of folded labels only (no stems)

The documents are the reference set below (German test queries with the IRIs they must find), the
resources of the seed graph when it can be loaded, and ``--labels`` generated labels (default 100 000).
Each engine runs in its own process, so its memory is its own: "RSS+MiB" is the resident memory
gained by building and querying (the documents are already loaded), "peak MiB" the process's peak.

Run: ``python bench/search.py [--labels 100000] [--no-seed]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from synergraph.graph.search import (
    IndexDocument,
    _split,
    analyse_parts,
    fold,
    search,
    stem,
    tokens,
    vocabulary_of,
    write_index,
)

ENGINES = ["tantivy", "fts5", "fts5-words", "fts5-trigram"]
EX = "https://w3id.org/synergraph/id/bench/"

# A reference set in the style of the seed data; each query names the IRIs it must find in the top 10.
# The generated labels share many words with it on purpose; queries whose answer is not unique among
# them (e.g. "Breitband" against thousands of "Breitband…" compounds) would measure luck, not quality.
REFERENCE = [
    (
        "kommunale-digitalstrategie",
        "Kommunale Digitalstrategie",
        [],
        "Strategien der Kommunen für die Digitalisierung",
    ),
    (
        "digitalisierungsstrategie-bb",
        "Digitalisierungsstrategie des Landes Brandenburg",
        [],
        "Strategie der Landesregierung",
    ),
    ("ki", "Künstliche Intelligenz", ["KI", "AI"], "Lernende Systeme in der Verwaltung"),
    (
        "scm",
        "Smart City Manager*innen Brandenburg",
        [],
        "Qualifizierungsprogramm für Smart City Managerinnen und Manager in Städten und Gemeinden",
    ),
    ("stgb", "Städte- und Gemeindebund Brandenburg", ["StGB"], "Kommunaler Spitzenverband"),
    ("strassen", "Landesbetrieb Straßenwesen", ["LS"], "Bau und Unterhaltung der Landesstraßen"),
    ("stadtentwicklung", "Stadtentwicklung", [], "Entwicklung der Städte"),
    ("mdjd", "Ministerium der Justiz und für Digitalisierung", ["MdJD"], "Landesministerium"),
    ("breitband", "Breitbandausbau im ländlichen Raum", [], "Gigabitförderung"),
    ("oezg", "Umsetzung des Onlinezugangsgesetzes", ["OZG"], "Verwaltungsleistungen digital anbieten"),
]
QUERIES = [
    ("Strategie", ["kommunale-digitalstrategie", "digitalisierungsstrategie-bb"]),
    # thousands of generated compounds share "Digitalisierungs-": the label with the word itself must lead
    ("Digitalisierung", ["mdjd"]),
    ("Digitalisierungsstrategie", ["digitalisierungsstrategie-bb"]),
    ("Staedte", ["stgb"]),
    ("Strasse", ["strassen"]),
    ("Straße", ["strassen"]),
    ("KI", ["ki"]),
    ("Smart City Managerin", ["scm"]),
    ("Stadtentwicklung", ["stadtentwicklung"]),
    ("Gemeindebund", ["stgb"]),
    ("Breitbandausbau", ["breitband"]),
    ("Gigabitfoerderung", ["breitband"]),
    ("Landesstrassen", ["strassen"]),
    ("Onlinezugangsgesetz", ["oezg"]),
    ("Künstliche Intelligenz", ["ki"]),
    ("kuenstliche intelligenz", ["ki"]),
    ("Digitalstrategie", ["kommunale-digitalstrategie"]),
    ("Ministerium Justiz", ["mdjd"]),
]

_MODIFIERS = [
    "Digitalisierungs",
    "Stadt",
    "Verwaltungs",
    "Breitband",
    "Landes",
    "Kreis",
    "Gemeinde",
    "Wirtschafts",
    "Bildungs",
    "Verkehrs",
    "Umwelt",
    "Gesundheits",
    "Sicherheits",
    "Energie",
    "Daten",
    "Netz",
    "Förder",
    "Innovations",
    "Kultur",
    "Jugend",
    "Sport",
    "Wohnungs",
    "Bau",
    "Wasser",
]
_HEADS = [
    "konzept",
    "programm",
    "netzwerk",
    "beirat",
    "amt",
    "zentrum",
    "projekt",
    "initiative",
    "plan",
    "bericht",
    "verordnung",
    "förderung",
    "agentur",
    "werkstatt",
    "labor",
    "forum",
    "dienst",
    "portal",
]
_WORDS = [
    "für",
    "den",
    "die",
    "im",
    "Landkreis",
    "Region",
    "Nord",
    "Süd",
    "Ost",
    "West",
    "Mark",
    "Oder",
    "Havel",
    "Spree",
    "Fläming",
    "Uckermark",
    "Prignitz",
    "Lausitz",
    "Barnim",
    "Oberhavel",
    "Elbe",
    "Neiße",
    "Kommunen",
    "Bürgerinnen",
    "Unternehmen",
    "Schulen",
    "Ämter",
    "Dörfer",
    "Brücken",
]
_DESCRIPTION = [
    "Ziel ist",
    "die Zusammenarbeit",
    "der Verwaltung",
    "mit Partnern",
    "in der Fläche",
    "zu verbessern",
    "und auszubauen",
    "bis 2030",
    "gefördert vom Land",
    "mit Mitteln des Bundes",
]


def generated(count: int, seed: int = 17) -> list[IndexDocument]:
    """``count`` German-looking labels (compounds with places) and descriptions, reproducibly."""
    rng = random.Random(seed)
    docs = []
    for number in range(count):
        label = (
            f"{rng.choice(_MODIFIERS)}{rng.choice(_HEADS)} "
            f"{' '.join(rng.sample(_WORDS, rng.randint(1, 3)))} {number}"
        )
        body = " ".join(rng.sample(_DESCRIPTION, 4))
        docs.append(
            IndexDocument(
                iri=f"{EX}gen-{number}",
                label=label,
                label_en=None,
                type="Initiative",
                type_label="Initiative",
                types=frozenset({"Initiative"}),
                texts={"label": [label], "body": [body]},
            )
        )
    return docs


def reference() -> list[IndexDocument]:
    """The reference documents the quality queries are judged on."""
    return [
        IndexDocument(
            iri=EX + slug,
            label=label,
            label_en=None,
            type="Thing",
            type_label=None,
            types=frozenset({"Thing"}),
            texts={"label": [label], "alt": alt, "body": [body]},
        )
        for slug, label, alt, body in REFERENCE
    ]


def seed_documents() -> list[IndexDocument]:
    """The resources of the seed graph, if the seed files are there ([] otherwise)."""
    try:
        from synergraph.graph.search import documents_of
        from synergraph.graph.seed import ensure_seeded
        from synergraph.graph.store import Store

        store = Store.in_memory()
        try:
            ensure_seeded(store, examples=True)
        except FileNotFoundError:  # an installation without the invented example set
            ensure_seeded(store, examples=False)
        return documents_of(store)
    except Exception as error:  # noqa: BLE001 - the benchmark runs without the seed data too
        print(f"(seed data not used: {error})", file=sys.stderr)
        return []


# -- engines ---------------------------------------------------------------------------------------


_FTS5_SCHEMA = """
CREATE TABLE docs(id INTEGER PRIMARY KEY, iri TEXT UNIQUE, label TEXT, keys TEXT);
CREATE VIRTUAL TABLE words USING fts5(label, alt, body, parts, tokenize = 'unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE grams USING fts5(label, alt, tokenize = 'trigram');
"""


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class Fts5:
    """SQLite FTS5 with one or both kinds of matching, ranked in SQL (bm25 + exact-label bonus)."""

    def __init__(self, folder: Path, words: bool, grams: bool) -> None:
        self.path = folder / "index.sqlite"
        self.words, self.grams = words, grams
        self.vocabulary: set[str] = set()

    def build(self, docs: list[IndexDocument]) -> None:
        self.vocabulary = vocabulary_of(docs)
        connection = sqlite3.connect(self.path)
        with connection:
            connection.executescript(_FTS5_SCHEMA)
            for number, doc in enumerate(docs, start=1):
                texts = {f: " · ".join(doc.texts.get(f, [])) for f in ("label", "alt", "body")}
                keys = (
                    "\n"
                    + "\n".join(
                        " ".join(tokens(fold(t)))
                        for t in doc.texts.get("label", []) + doc.texts.get("alt", [])
                    )
                    + "\n"
                )
                connection.execute("INSERT INTO docs VALUES (?,?,?,?)", (number, doc.iri, doc.label, keys))
                if self.words:
                    analysed = {f: analyse_parts(texts[f], self.vocabulary) for f in texts}
                    connection.execute(
                        "INSERT INTO words(rowid, label, alt, body, parts) VALUES (?,?,?,?,?)",
                        (
                            number,
                            *(" ".join(analysed[f][0]) for f in texts),
                            " ".join(p for f in texts for p in analysed[f][1]),
                        ),
                    )
                if self.grams:
                    connection.execute(
                        "INSERT INTO grams(rowid, label, alt) VALUES (?,?,?)",
                        (number, fold(texts["label"]), fold(texts["alt"])),
                    )
        connection.close()
        self.connection = sqlite3.connect(self.path)

    def query(self, q: str, k: int = 10) -> list[str]:
        words = tokens(q)
        stems = [[stem(w), *(p for p in _split(w, self.vocabulary) if p != stem(w))] for w in words]
        folded = [fold(w) for w in words]
        grams = [f for f in folded if len(f) >= 3]
        whole = " ".join(tokens(" ".join(folded)))
        for conjunction in ("AND", "OR"):
            parts = [
                "SELECT rowid AS id, -2.0 * bm25(words, 10.0, 6.0, 1.0, 2.0) AS s "
                "FROM words WHERE words MATCH :w"
            ]
            if grams and (len(grams) == len(folded) or conjunction == "OR"):
                parts.append("SELECT rowid, -bm25(grams, 10.0, 6.0) FROM grams WHERE grams MATCH :g")
            elif grams:
                parts.append(
                    "SELECT rowid, -bm25(grams, 10.0, 6.0) FROM grams WHERE grams MATCH :g "
                    "AND rowid IN (SELECT rowid FROM words WHERE words MATCH :w)"
                )
            values = {
                "w": f" {conjunction} ".join(
                    "(" + " OR ".join(_phrase(v) for v in variants) + ")" for variants in stems
                ),
                "g": f" {conjunction} ".join(_phrase(g) for g in grams),
                "exact": f"\n{whole}\n",
                "prefix": f"\n{whole} ",
                "limit": k,
            }
            rows = self.connection.execute(
                f"WITH hits(id, s) AS MATERIALIZED ({' UNION ALL '.join(parts)}), "
                "scored AS (SELECT id, SUM(s) AS s FROM hits GROUP BY id) "
                "SELECT d.iri, scored.s + CASE WHEN instr(d.keys, :exact) > 0 THEN 1000.0 "
                "WHEN instr(d.keys, :prefix) > 0 THEN 100.0 ELSE 0.0 END AS score, COUNT(*) OVER () "
                "FROM scored JOIN docs d ON d.id = scored.id ORDER BY score DESC, d.label LIMIT :limit",
                values,
            ).fetchall()
            if rows:
                return [row[0] for row in rows]
        return []

    def size(self) -> int:
        return self.path.stat().st_size


class Tantivy:
    """The service's index (synergraph.graph.search), kept open as the service keeps it."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "store.search"

    def build(self, docs: list[IndexDocument]) -> None:
        write_index(self.path, docs)
        from synergraph.graph.search import _open

        self.index = _open(self.path)

    def query(self, q: str, k: int = 10) -> list[str]:
        return [hit.iri for hit in search(self.path, q, limit=k, index=self.index).items]

    def size(self) -> int:
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())


def _memory_mib(field: str) -> float:
    """VmRSS (resident now) or VmHWM (peak) of this process in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_engine(name: str, docs_file: Path) -> dict[str, Any]:
    """Build and query one engine in this process; return its figures."""
    docs = [IndexDocument(**{**d, "types": frozenset(d["types"])}) for d in json.loads(docs_file.read_text())]
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    engine: Fts5 | Tantivy
    if name == "tantivy":
        engine = Tantivy(folder)
    else:
        engine = Fts5(folder, words=name != "fts5-trigram", grams=name != "fts5-words")
    before = _memory_mib("VmRSS")
    started = time.perf_counter()
    engine.build(docs)
    index_seconds = time.perf_counter() - started
    found, reciprocal = 0, 0.0
    misses = []
    for q, expected in QUERIES:
        hits = engine.query(q)
        wanted = {EX + e for e in expected}
        found += len(wanted.intersection(hits))
        ranks = [hits.index(w) + 1 for w in wanted if w in hits]
        reciprocal += 1 / min(ranks) if ranks else 0.0
        misses += [f"{q} -> {e}" for e in expected if EX + e not in hits]
    rng = random.Random(5)
    vocabulary = [w for w in _WORDS + _MODIFIERS + _HEADS + [q for q, _ in QUERIES]]
    latencies = []
    for _ in range(300):
        q = " ".join(rng.sample(vocabulary, rng.choice([1, 1, 2])))
        started = time.perf_counter()
        engine.query(q)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    peak, after = _memory_mib("VmHWM"), _memory_mib("VmRSS")
    return {
        "engine": name,
        "documents": len(docs),
        "index_s": round(index_seconds, 2),
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(latencies[int(0.95 * len(latencies))], 2),
        "peak_rss_mib": round(peak, 1),
        "rss_growth_mib": round(after - before, 1),
        "index_mib": round(engine.size() / 2**20, 1),
        "recall_at_10": round(found / sum(len(e) for _, e in QUERIES), 3),
        "mrr": round(reciprocal / len(QUERIES), 3),
        "misses": misses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--labels", type=int, default=100_000, help="number of generated labels")
    parser.add_argument("--no-seed", action="store_true", help="leave out the seed graph")
    parser.add_argument("--engines", nargs="*", default=ENGINES, choices=ENGINES)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--docs", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        print(json.dumps(run_engine(args.engine, args.docs)))
        return
    docs = reference() + ([] if args.no_seed else seed_documents()) + generated(args.labels)
    docs_file = Path(tempfile.mkdtemp()) / "docs.json"
    docs_file.write_text(json.dumps([{**asdict(d), "types": sorted(d.types)} for d in docs]))
    print(f"{len(docs)} documents, {len(QUERIES)} quality queries, 300 latency queries")
    header = (
        f"{'engine':<13} {'index s':>8} {'p50 ms':>7} {'p95 ms':>7} {'peak MiB':>9} {'RSS+MiB':>7} "
        f"{'index MiB':>9} {'recall@10':>9} {'MRR':>5}"
    )
    print(header)
    for name in args.engines:
        out = subprocess.run(
            [sys.executable, __file__, "--engine", name, "--docs", str(docs_file)],
            capture_output=True,
            text=True,
            env={**os.environ},
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['engine']:<13} {r['index_s']:>8} {r['p50_ms']:>7} {r['p95_ms']:>7} {r['peak_rss_mib']:>9} "
            f"{r['rss_growth_mib']:>7} {r['index_mib']:>9} {r['recall_at_10']:>9} {r['mrr']:>5}"
        )
        if r["misses"]:
            print("    missed: " + "; ".join(r["misses"]))


if __name__ == "__main__":
    main()
