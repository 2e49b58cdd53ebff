"""Findings as RDF: a named graph with stable ids, score, evidence and provenance; decisions that last.

:func:`run` evaluates the overlap rules, the duplicate detection and the network rules and writes every finding into the
named graph ``https://w3id.org/synergraph/graph/findings`` (replaced atomically per run). A finding's IRI
is ``id/finding/{hash}``, the hash of its kind and its sorted member IRIs, so the same finding keeps its
IRI across runs. Each run is a ``prov:Activity`` with start and end time, parameters and software version.

An analyst's decision (confirmed, or not a problem, with a reason and the name of the token used) lives
in its own graph ``https://w3id.org/synergraph/graph/decisions``, keyed by the finding's IRI, so it
survives later runs.

Examples
--------
>>> finding_id("duplicate", ["https://x/b", "https://x/a"]) == finding_id("duplicate", ["https://x/a", "https://x/b"])
True
"""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from synergraph import __version__

from .context import AnalysisContext
from .duplicates import DEFAULT_THRESHOLD, DuplicateIndex, duplicates
from .namespaces import BASE, GRAPH, SG
from .overlaps import overlaps
from .projections import DEFAULT_SEED, network_findings
from .queries import load_query
from .store import Store

__all__ = ["DECISIONS_GRAPH", "FINDINGS_GRAPH", "Decision", "RunSummary", "decide", "decisions", "finding_id",
           "finding_iri", "run"]

FINDINGS_GRAPH = str(GRAPH["findings"])
DECISIONS_GRAPH = str(GRAPH["decisions"])
DECISIONS = {"confirmed": SG.confirmed, "not-a-problem": SG.notAProblem}
_CLASSES = {"overlap": SG.OverlapFinding, "duplicate-structure": SG.DuplicateStructureFinding,
            "duplicate": SG.DuplicateFinding, "parallel": SG.ParallelFinding, "key-body": SG.KeyBodyFinding,
            "bridge-body": SG.BridgeBodyFinding, "collaboration-group": SG.CollaborationGroupFinding}


def finding_id(kind: str, members: Sequence[str]) -> str:
    """The stable id of a finding: a hash of its kind and sorted member IRIs."""
    return hashlib.sha256(("|".join([kind, *sorted(members)])).encode("utf-8")).hexdigest()[:20]


def finding_iri(identifier: str) -> str:
    """The IRI of the finding with this id."""
    return f"{BASE}id/finding/{identifier}"


@dataclass(frozen=True)
class RunSummary:
    """What a run wrote: its IRI, the number of findings by kind, and the time it took."""

    run: str
    counts: dict[str, int]
    seconds: float


@dataclass(frozen=True)
class Decision:
    """An analyst's decision on a finding."""

    finding: str
    decision: str
    reason: str
    token: str
    date: str


def _finding_triples(kind: str, members: Sequence[str], *, rule: str | None, severity: str | None,
                     score: float | None, explanation: str, evidence: Any,
                     activity: URIRef) -> list[tuple[Any, Any, Any]]:
    node = URIRef(finding_iri(finding_id(kind, members)))
    triples: list[tuple[Any, Any, Any]] = [
        (node, RDF.type, _CLASSES[kind]),
        (node, RDFS.label, Literal(explanation, lang="de")),
        (node, SG.evidence, Literal(json.dumps(evidence, ensure_ascii=False, default=str))),
        (node, PROV.wasGeneratedBy, activity),
    ]
    triples += [(node, SG.member, URIRef(m)) for m in members]
    if rule:
        triples.append((node, SG.rule, Literal(rule)))
    if severity:
        triples.append((node, SG.severity, Literal(severity)))
    if score is not None:
        triples.append((node, SG.score, Literal(round(score, 4), datatype=XSD.decimal)))
    return triples


def run(store: Store, *, threshold: float = DEFAULT_THRESHOLD, index: DuplicateIndex | None = None) -> RunSummary:
    """Evaluate every rule and the duplicate detection; replace the findings graph with the result.

    Examples
    --------
    >>> run(Store.in_memory()).counts
    {'overlap': 0, 'duplicate-structure': 0, 'duplicate': 0, 'parallel': 0, 'key-body': 0, 'bridge-body': 0, 'collaboration-group': 0}
    """
    started = datetime.datetime.now(datetime.UTC)
    activity = URIRef(f"{BASE}id/run/{uuid.uuid4().hex}")
    context = index.context if index else AnalysisContext(store)
    counts = dict.fromkeys(_CLASSES, 0)
    triples: list[tuple[Any, Any, Any]] = []
    for finding in overlaps(store, context=context):
        counts[finding.kind] += 1
        triples += _finding_triples(finding.kind, finding.members, rule=finding.rule, severity=finding.severity,
                                    score=None, explanation=finding.explanation, evidence=finding.evidence,
                                    activity=activity)
    for pair in duplicates(store, threshold=threshold, kinds=("duplicate", "parallel"), index=index):
        counts[pair.kind] += 1
        evidence = [{"name": e.name, "value": e.value, "weight": e.weight, "contribution": e.contribution,
                     "text": e.text} for e in pair.evidence]
        triples += _finding_triples(pair.kind, [pair.a, pair.b], rule=None, severity=None, score=pair.score,
                                    explanation=pair.explanation, evidence=evidence, activity=activity)
    for network in network_findings(store, seed=DEFAULT_SEED, context=context):
        counts[network.kind] += 1
        triples += _finding_triples(network.kind, network.members, rule=network.rule, severity=None,
                                    score=network.score, explanation=network.explanation,
                                    evidence=network.evidence, activity=activity)
    ended = datetime.datetime.now(datetime.UTC)
    parameters = {"threshold": threshold, "networkSeed": DEFAULT_SEED}
    triples += [
        (activity, RDF.type, PROV.Activity),
        (activity, RDFS.label, Literal(f"Analyselauf {started.isoformat(timespec='seconds')}", lang="de")),
        (activity, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)),
        (activity, PROV.endedAtTime, Literal(ended.isoformat(), datatype=XSD.dateTime)),
        (activity, SG.parameters, Literal(json.dumps(parameters))),
        (activity, SG.softwareVersion, Literal(__version__)),
    ]
    store.replace_graph(FINDINGS_GRAPH, triples)
    return RunSummary(str(activity), counts, (ended - started).total_seconds())


def decisions(store: Store) -> dict[str, Decision]:
    """The decisions on findings, keyed by finding IRI."""
    rows = store.select(load_query("finding-decisions"), decisions=URIRef(DECISIONS_GRAPH))
    names = {str(v): k for k, v in DECISIONS.items()}
    return {row["finding"]: Decision(row["finding"], names.get(row["value"], row["value"]), str(row["reason"]),
                                     str(row["token"]), str(row["date"])) for row in rows}


def decide(store: Store, finding: str, decision: str, reason: str, token: str) -> Decision:
    """Record (or replace) the decision on a finding, given by IRI or id.

    Raises
    ------
    ValueError
        An unknown decision or an empty reason.
    """
    if decision not in DECISIONS:
        raise ValueError(f"Entscheidung '{decision}' ist unbekannt; erlaubt: {', '.join(DECISIONS)}")
    if not reason.strip():
        raise ValueError("Eine Begründung ist nötig.")
    iri = finding if finding.startswith("http") else finding_iri(finding)
    node = URIRef(iri.replace("/id/finding/", "/id/decision/"))
    today = datetime.date.today()
    kept = [t for t in store.triples(DECISIONS_GRAPH) if t[0] != node]
    kept += [
        (node, RDF.type, SG.FindingDecision),
        (node, SG.decisionOn, URIRef(iri)),
        (node, SG.decision, DECISIONS[decision]),
        (node, SG.reason, Literal(reason.strip(), lang="de")),
        (node, SG.decidedBy, Literal(token)),
        (node, DCTERMS.date, Literal(today.isoformat(), datatype=XSD.date)),
    ]
    store.replace_graph(DECISIONS_GRAPH, kept)
    return Decision(iri, decision, reason.strip(), token, today.isoformat())
