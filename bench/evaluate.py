"""Evaluation of the duplicate detection and the overlap rules (printed, not asserted).

1. Duplicate pairs: precision, recall and F1 for "duplicate" on the test part of the labelled set
   (tests/data/duplicates/test.jsonl); ``--tune`` searches the threshold on the development part only.
2. Overlap rules on the invented example data against the answer key of data/examples/README.md.
3. The planted duplicates of the synthetic generator (``--generated N``): recall and precision.

Run: ``python bench/evaluate.py [--tune] [--generated 3000]``
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from synergraph.graph.context import AnalysisContext, as_date
from synergraph.graph.duplicates import (
    DEFAULT_THRESHOLD,
    DuplicateIndex,
    InitiativeRecord,
    TextModel,
    duplicates,
    place_words,
    score_pair,
)
from synergraph.graph.overlaps import overlaps
from synergraph.graph.seed import ensure_seeded
from synergraph.graph.store import Store

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "tests" / "data" / "duplicates"
I = "https://w3id.org/synergraph/id/initiative/"
R = "https://w3id.org/synergraph/id/responsibility/"

# Answer key of data/examples/README.md: planted overlaps (a), duplicates (b), duplicate structures (f).
KEY_OVERLAPS = {
    frozenset({R + "bsp-kreis-barnim-smart-region-biesenthal-barnim", R + "bsp-amt-biesenthal-barnim-smart-region"}),
    frozenset({R + "bsp-landesstelle-glasfaserausbau-breitband", R + "bsp-kreis-uckermark-breitband"}),
    frozenset({R + "bsp-zweckverband-uckermark-verwaltungsdigitalisierung", R + "bsp-kreis-uckermark-verwaltungsdigitalisierung"}),
    frozenset({R + "bsp-kreis-oder-spree-qualifizierung", R + "bsp-fuerstenwalde-qualifizierung"}),
    frozenset({R + "bsp-kreis-prignitz-smart-city-smart-region", R + "bsp-wittenberge-smart-city"}),
}
KEY_STRUCTURES = {
    frozenset({I + "bsp-netzwerk-smart-region-barnim-uckermark", I + "bsp-arbeitskreis-digitale-region-nordost"}),
    frozenset({I + "bsp-qualifizierungsreihe-digitalkoordination-lausitz",
               I + "bsp-zertifikatskurs-digitalisierungsbeauftragte-suedbrandenburg"}),
}
KEY_DUPLICATES = {
    frozenset({I + "bsp-digitallotsen-senioren-maerkisch-oderland", I + "bsp-digitalpaten-60plus-maerkisch-oderland"}),
    frozenset({I + "bsp-ki-grundlagenschulung-oder-spree", I + "bsp-workshopreihe-ki-verwaltungsalltag-fuerstenwalde"}),
    frozenset({I + "bsp-lorawan-sensorik-eberswalde", I + "bsp-iot-funknetz-eberswalde"}),
}
KEY_PARALLELS = {
    frozenset({I + "bsp-digitale-dorfplattform-uckermark", I + "bsp-digitale-dorfplattform-prignitz"}),
    frozenset({I + "bsp-smart-region-strategie-havelland", I + "bsp-smart-region-strategie-elbe-elster"}),
    frozenset({I + "bsp-coworking-wittstock-dosse", I + "bsp-coworking-guben"}),
}


def record(data: dict) -> InitiativeRecord:
    return InitiativeRecord(
        iri=data["iri"], title=data["title"], description=data.get("description", ""), kind=data.get("kind"),
        topics=frozenset(data.get("topics", [])), territories=frozenset(data.get("territories", [])),
        leads=frozenset(data.get("leads", [])), partners=frozenset(data.get("partners", [])),
        funders=frozenset(data.get("funders", [])), target_groups=frozenset(data.get("targetGroups", [])),
        start=as_date(data.get("start")), end=as_date(data.get("end"), end=True),
        successor_of=frozenset(data.get("successorOf", [])), part_of=frozenset(data.get("isPartOf", [])))


def read_pairs(name: str) -> list[dict]:
    with (DATA / f"{name}.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate_pairs(pairs: list[dict], context: AnalysisContext, threshold: float) -> tuple[float, float, float, list]:
    records = {}
    for pair in pairs:
        for side in ("a", "b"):
            records[pair[side]["iri"]] = record(pair[side])
    model = TextModel.fit(list(records.values()), place_words(context))
    tp = fp = fn = 0
    errors = []
    for pair in pairs:
        result = score_pair(records[pair["a"]["iri"]], records[pair["b"]["iri"]], model, context, threshold)
        predicted = result.kind == "duplicate"
        actual = pair["label"] == "duplicate"
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
        if predicted != actual:
            errors.append((pair["case"], result.score, pair["a"]["title"], pair["b"]["title"]))
    return (*prf(tp, fp, fn), errors)


def evaluate_examples(store: Store) -> None:
    found = overlaps(store)
    print("\n## Überschneidungsregeln auf den Beispieldaten (Schlüssel: data/examples/README.md)")
    for label, kind, key in (("Zuständigkeiten (a)", "overlap", KEY_OVERLAPS),
                             ("Doppelstrukturen (f)", "duplicate-structure", KEY_STRUCTURES)):
        got = {frozenset(f.members) for f in found if f.kind == kind}
        inside = {g for g in got if all("/bsp-" in m for m in g)}
        tp, fp, fn = len(inside & key), len(inside - key), len(key - inside)
        p, r, f1 = prf(tp, fp, fn)
        print(f"{label}: P={p:.2f} R={r:.2f} F1={f1:.2f} (tp {tp}, fp {fp}, fn {fn}; "
              f"weitere {len(got - inside)} Befunde mit echten Daten, nicht im Schlüssel)")
    index = DuplicateIndex.build(store)
    pairs = duplicates(store, kinds=("duplicate", "parallel", "excluded"), index=index)
    dups = {frozenset((p.a, p.b)) for p in pairs if p.kind == "duplicate"}
    inside = {d for d in dups if all("/bsp-" in m for m in d)}
    p, r, f1 = prf(len(inside & KEY_DUPLICATES), len(inside - KEY_DUPLICATES), len(KEY_DUPLICATES - inside))
    print(f"Dubletten (b): P={p:.2f} R={r:.2f} F1={f1:.2f}; weitere {len(dups - inside)} mit echten Daten")
    for extra in sorted(inside - KEY_DUPLICATES, key=sorted):
        print("   nicht im Schlüssel:", sorted(m.rsplit("/", 1)[-1] for m in extra))
    groups = {frozenset(g) for g in index.parallel_groups()}
    par = {frozenset(p) for g in groups for p in [(a, b) for a in g for b in g if a < b]}
    p, r, f1 = prf(len(par & KEY_PARALLELS), len(par - KEY_PARALLELS), len(KEY_PARALLELS - par))
    print(f"Parallelinitiativen (c): P={p:.2f} R={r:.2f} F1={f1:.2f}")
    excluded = Counter(p.exclusion for p in pairs if p.kind == "excluded")
    print(f"Ausschlüsse (d, e): {dict(excluded)}")


def evaluate_generated(count: int) -> None:
    import pyoxigraph as ox
    from synergraph.graph.generate import generate, iter_answers
    folder = Path(tempfile.mkdtemp())
    generate(folder / "g.nt", initiatives=count, seed=11, answers=folder / "answers.jsonl", lands=["12"])
    store = Store.in_memory()
    from synergraph.graph.validation import ontology_file
    for name in ("synergraph.ttl", "topics.ttl"):
        store.engine.load(ontology_file(name), format=ox.RdfFormat.TURTLE,
                          to_graph=ox.NamedNode("https://w3id.org/synergraph/graph/ontologie"))
    store.engine.bulk_load(path=str(folder / "g.nt"), format=ox.RdfFormat.N_TRIPLES,
                           to_graph=ox.NamedNode("https://w3id.org/synergraph/graph/generiert"))
    started = time.perf_counter()
    index = DuplicateIndex.build(store)
    found = {frozenset((p.a, p.b)) for p in index.pairs() if p.kind == "duplicate"}
    planted = {frozenset(a["items"]) for a in iter_answers(folder / "answers.jsonl") if a["kind"] == "duplicate"}
    p, r, f1 = prf(len(found & planted), len(found - planted), len(planted - found))
    print(f"\n## Generator ({count} Initiativen, Brandenburg): geplante Dubletten {len(planted)}, gefunden "
          f"{len(found)}; P={p:.2f} R={r:.2f} F1={f1:.2f} ({time.perf_counter() - started:.1f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tune", action="store_true", help="Schwelle auf dem Entwicklungsteil suchen")
    parser.add_argument("--generated", type=int, default=0, help="Generatorprüfung mit so vielen Initiativen")
    parser.add_argument("--errors", action="store_true", help="Fehlklassifikationen zeigen")
    args = parser.parse_args()
    store = Store.in_memory()
    ensure_seeded(store, examples=True)
    context = AnalysisContext(store)
    dev, test = read_pairs("dev"), read_pairs("test")
    print(f"# Dubletten-Paare: Entwicklung {len(dev)}, Test {len(test)}")
    if args.tune:
        for step in range(40, 80, 2):
            threshold = step / 100
            p, r, f1, _ = evaluate_pairs(dev, context, threshold)
            print(f"dev Schwelle {threshold:.2f}: P={p:.2f} R={r:.2f} F1={f1:.2f}")
    for name, pairs in (("Entwicklung", dev), ("Test", test)):
        p, r, f1, errors = evaluate_pairs(pairs, context, DEFAULT_THRESHOLD)
        print(f"{name} (Schwelle {DEFAULT_THRESHOLD}): Präzision {p:.3f}, Recall {r:.3f}, F1 {f1:.3f}")
        if args.errors or name == "Entwicklung":
            for case, score, a, b in errors:
                print(f"   {case:24} {score:.2f}  {a} | {b}")
    evaluate_examples(store)
    if args.generated:
        evaluate_generated(args.generated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
