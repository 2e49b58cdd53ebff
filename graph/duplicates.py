"""Duplicate initiatives: German text similarity plus evidence from the graph, with explanations.

A **duplicate** is the same undertaking, or the same service to the same target group, in the same or an
overlapping territory at overlapping times, whoever records it and in whatever words. Not duplicates
(exclusions, each explained): a declared successor (``sg:successorOf``), editions of one series
(``dcterms:isPartOf``), a funder and the body it funds doing the same thing (``sg:funder`` of one is a
lead body of the other). The same kind of project in places that do not intersect is a **parallel
initiative**, reported separately as a chance to cooperate.

How a pair is scored (:func:`score_pair`): the texts are normalised (lower case, umlauts and ß folded,
German stop words dropped, Snowball stems, character 3–5-grams of the title for compounds such as
"Digitallotsen"/"Digital-Lotsen"), weighted with TF-IDF (scikit-learn) and compared by cosine; that text
evidence is combined with structural evidence from the graph — shared or broader topics, territory
overlap through containment, time overlap, target group, shared bodies — into a score in [0, 1]. Each
piece of evidence reports its value, weight and contribution, with a German sentence. Structure alone
does not make two undertakings one where they differ in scale or kind: a Land- or federal-wide
initiative and a local one two levels below (e.g. Land and Gemeinde), or a single event and a standing
programme, are a duplicate only if their texts agree at least as closely as parallels do
(``PARALLEL_TEXT``).

Candidates come from blocking (:class:`DuplicateIndex`): initiatives are grouped by Kreis-level area (a
Gemeinde counts in its Kreis; Land- and federal-level initiatives join the blocks of the Kreise they
contain), and only pairs within a block whose text vectors are close are scored, so nothing compares all
pairs; within one territory (a Gemeinde holds few initiatives) pairs on a shared topic are scored too,
whatever their words. Parallels are grouped by their title template (title stems without place names)
and topic.

Examples
--------
>>> a = InitiativeRecord("i:a", "Digitallotsen für Seniorinnen und Senioren", topics=frozenset({"t:q"}))
>>> b = InitiativeRecord("i:b", "Digital-Lotsen für ältere Menschen", topics=frozenset({"t:q"}))
>>> model = TextModel.fit([a, b])
>>> result = score_pair(a, b, model, AnalysisContext.empty())
>>> result.kind in ("duplicate", "none") and 0.0 <= result.score <= 1.0
True
"""

from __future__ import annotations

import datetime
import hashlib
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx
import numpy as np
import Stemmer
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from .catalog import store_fingerprint
from .context import KREIS_RANK, AnalysisContext, as_date, overlap_period, valid_on
from .names import Unresolved, normalise, resolve, territory_keys
from .namespaces import BASE, ROLE
from .queries import load_query
from .store import Store

__all__ = [
    "DEFAULT_THRESHOLD",
    "WEIGHTS",
    "CheckResult",
    "Cluster",
    "DuplicateIndex",
    "Evidence",
    "InitiativeRecord",
    "PairResult",
    "ResponsibleBody",
    "TextModel",
    "Unresolved",
    "check",
    "clusters",
    "duplicate_index",
    "duplicates",
    "filter_pairs",
    "load_initiatives",
    "normalise",
    "resolve",
    "responsible_bodies",
    "score_pair",
    "territory_keys",
    "tokens",
]

# Weights of the evidence; they sum to 1. Tuned by hand on the development part of the labelled set
# (tests/data/duplicates/dev.jsonl), never on the test part.
WEIGHTS: dict[str, float] = {
    "text": 0.30,
    "topic": 0.20,
    "territory": 0.15,
    "time": 0.10,
    "targetGroup": 0.13,
    "kind": 0.10,
    "bodies": 0.02,
}
# A pair at or above this score (and not excluded) is a duplicate; chosen on the development part.
DEFAULT_THRESHOLD = 0.54
# Parallel initiatives: disjoint places, related topics and text this close.
PARALLEL_TEXT = 0.45
# Candidate pairs in a block need at least this text similarity before they are scored, and each
# initiative keeps only this many nearest neighbours by text.
CANDIDATE_TEXT = 0.2
CANDIDATE_NEIGHBOURS = 10

_STOP = frozenset(
    ["aber", "alle", "allem", "allen", "aller", "alles", "als", "also", "am", "an", "ander", "andere", "anderem", "anderen", "anderer", "anderes", "auch", "auf", "aus", "bei", "beim", "bin", "bis", "bist", "da", "dabei", "damit", "dann", "das", "dass", "dem", "den", "denn", "der", "des", "dessen", "deren", "die", "dies", "diese", "dieselbe", "diesem", "diesen", "dieser", "dieses", "doch", "dort", "du", "durch", "ein", "eine", "einem", "einen", "einer", "eines", "einige", "er", "es", "etwa", "euch", "fuer", "für", "gegen", "hat", "hatte", "hier", "ihr", "ihre", "ihrem", "ihren", "ihrer", "im", "in", "ins", "ist", "jede", "jedem", "jeden", "jeder", "jedes", "kann", "kein", "keine", "mit", "muss", "nach", "nicht", "noch", "nun", "nur", "ob", "oder", "ohne", "sein", "seine", "sich", "sie", "sind", "so", "soll", "sollen", "sowie", "um", "und", "uns", "unser", "unter", "vom", "von", "vor", "war", "waren", "was", "weil", "wenn", "werden", "wie", "wir", "wird", "wo", "zu", "zum", "zur", "zwischen", "über", "ueber", "sowie", "rund", "sollen", "wurde", "wurden", "werden", "einem", "neue", "neuen", "neuer", "neues"]
)

_STEMMER = Stemmer.Stemmer("german")
_STEM_LOCK = threading.Lock()


def tokens(text: str) -> list[str]:
    """Snowball stems of the words of ``text`` without German stop words; hyphenated parts split.

    >>> tokens("Die Digitallotsen helfen Seniorinnen und Senioren")
    ['digitallots', 'helf', 'seniorinn', 'senior']
    """
    return _stems(normalise(text))


def _stems(normalised: str) -> list[str]:
    words = [w for w in normalised.split() if w not in _STOP and len(w) > 1]
    with _STEM_LOCK:
        return list(_STEMMER.stemWords(words))


def description_terms(text: str) -> list[str]:
    """Stems plus their first and last five letters, so parts of compounds meet ("Senioren" in
    "Seniorenbegegnungsstätte").

    >>> description_terms("Seniorenbegegnungsstätten")
    ['seniorenbegegnungsstatt', '<senio', 'statt>']
    """
    return _description_stems(normalise(text))


def _description_stems(normalised: str) -> list[str]:
    stems = _stems(normalised)
    return stems + [f"<{s[:5]}" for s in stems if len(s) > 6] + [f"{s[-5:]}>" for s in stems if len(s) > 6]


def place_words(context: AnalysisContext) -> frozenset[str]:
    """The (normalised) words of the names of the territories the context knows, e.g. ``uckermark``.

    Function words of names ("bei", "an", "der") are stop words anyway and not listed.
    """
    words = {w for iri, label in context.labels.items() if "/id/territory/" in iri for w in normalise(label).split()}
    return frozenset(w for w in words if len(w) > 2 and w not in _STOP)


@dataclass(frozen=True)
class InitiativeRecord:
    """An initiative as plain data: what the duplicate detection compares.

    Sets hold IRIs; ``start``/``end`` are dates (None = open or unknown).
    """

    iri: str
    title: str
    description: str = ""
    kind: str | None = None
    topics: frozenset[str] = frozenset()
    territories: frozenset[str] = frozenset()
    leads: frozenset[str] = frozenset()
    partners: frozenset[str] = frozenset()
    funders: frozenset[str] = frozenset()
    target_groups: frozenset[str] = frozenset()
    start: datetime.date | None = None
    end: datetime.date | None = None
    successor_of: frozenset[str] = frozenset()
    part_of: frozenset[str] = frozenset()
    status: str | None = None


def load_initiatives(store: Store) -> list[InitiativeRecord]:
    """Every initiative of the store as an :class:`InitiativeRecord`, sorted by IRI.

    >>> load_initiatives(Store.in_memory())
    []
    """
    base: dict[str, dict[str, Any]] = {}
    for row in store.select(load_query("initiative-texts")):
        item = base.setdefault(row["initiative"], {"types": set()})
        item["types"].add(row["type"])
        for key in ("title", "description", "startDate", "endDate", "status"):
            if key in row and key not in item:
                item[key] = row[key]
    links: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in store.select(load_query("initiative-relations")):
        links[row["initiative"]][row["relation"]].add(row["target"])
    records = []
    for iri in sorted(base):
        item, linked = base[iri], links.get(iri, {})
        types = sorted(t for t in item["types"] if t.startswith(BASE))
        kind = next((t for t in types if not t.endswith("/Initiative")), types[0] if types else None)
        records.append(InitiativeRecord(
            iri=iri,
            title=str(item.get("title") or iri.rsplit("/", 1)[-1]),
            description=str(item.get("description") or ""),
            kind=kind,
            topics=frozenset(linked.get("topic", ())),
            territories=frozenset(linked.get("territory", ())),
            leads=frozenset(linked.get("lead", ())),
            partners=frozenset(linked.get("partner", ())),
            funders=frozenset(linked.get("funder", ())),
            target_groups=frozenset(linked.get("targetGroup", ())),
            start=as_date(item.get("startDate")),
            end=as_date(item.get("endDate"), end=True),
            successor_of=frozenset(linked.get("successorOf", ())),
            part_of=frozenset(linked.get("isPartOf", ())),
            status=item.get("status"),
        ))
    return records


# -- text model ------------------------------------------------------------------------------------


@dataclass
class TextModel:
    """TF-IDF over title stems, title character n-grams and description stems.

    ``title`` and ``description`` are row-normalised matrices aligned with ``iris``; :meth:`vectors`
    turns new texts into the same spaces.
    """

    title_words: TfidfVectorizer
    title_chars: TfidfVectorizer
    description_words: TfidfVectorizer
    iris: list[str]
    title: sparse.csr_matrix
    description: sparse.csr_matrix
    has_description: np.ndarray
    places: frozenset[str] = frozenset()

    def _strip(self, text: str) -> str:
        # The text normalised once (the vectorisers take it as it is), without place names: where an
        # initiative runs is the territory evidence's business, and template titles ("… in Zeuthen")
        # must not look alike because of the place.
        words = normalise(text).split()
        return " ".join(w for w in words if w not in self.places) if self.places else " ".join(words)

    @classmethod
    def fit(cls, records: Sequence[InitiativeRecord], places: frozenset[str] = frozenset()) -> TextModel:
        """Fit the vectorisers on the texts of ``records`` (without the words in ``places``)."""
        title_words = TfidfVectorizer(analyzer=_stems, sublinear_tf=True, dtype=np.float32)
        title_chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=False,
                                      sublinear_tf=True, dtype=np.float32)
        description_words = TfidfVectorizer(analyzer=_description_stems, sublinear_tf=True, dtype=np.float32)
        # An empty store still gets a fitted (one-word) vocabulary, so new texts can be vectorised.
        model = cls(title_words, title_chars, description_words, [r.iri for r in records],
                    sparse.csr_matrix((0, 0)), sparse.csr_matrix((0, 0)),
                    np.array([bool(r.description) for r in records]), places)
        titles = [model._strip(r.title) for r in records] or ["leer"]
        descriptions = [model._strip(r.description or r.title) for r in records] or ["leer"]
        title = sparse.hstack([title_words.fit_transform(titles) * 0.5,
                               title_chars.fit_transform(titles) * 0.5]).tocsr()
        description = description_words.fit_transform(descriptions)
        model.title = normalize(title).astype(np.float32)
        model.description = normalize(description).astype(np.float32)
        if not records:
            model.title, model.description = model.title[:0], model.description[:0]
        return model

    def vectors(self, records: Sequence[InitiativeRecord]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """Title and description vectors of (new) records in the fitted spaces."""
        titles = [self._strip(r.title) for r in records]
        title = sparse.hstack([self.title_words.transform(titles) * 0.5,
                               self.title_chars.transform(titles) * 0.5]).tocsr()
        description = self.description_words.transform([self._strip(r.description or r.title) for r in records])
        return normalize(title), normalize(description)

    def combined(self, title: sparse.csr_matrix, description: sparse.csr_matrix) -> sparse.csr_matrix:
        """One vector per record for candidate search: title and description side by side."""
        joined = sparse.hstack([title * 0.6, description * 0.4]).tocsr()
        return normalize(joined) if joined.shape[0] else joined


def _text_similarity(title_sim: float, description_sim: float, both_described: bool) -> float:
    return 0.6 * title_sim + 0.4 * description_sim if both_described else title_sim


# -- scoring ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: its value in [0, 1], weight, contribution to the score, German text."""

    name: str
    value: float
    weight: float
    contribution: float
    text: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PairResult:
    """The verdict on a pair: ``kind`` is duplicate, parallel, excluded or none.

    ``exclusion`` names why an otherwise similar pair is not a duplicate (successor, series, funder).
    """

    a: str
    b: str
    kind: str
    score: float
    explanation: str
    evidence: list[Evidence]
    exclusion: str | None = None


def _labels(iris: Iterable[str], context: AnalysisContext) -> str:
    return ", ".join(sorted(context.label(i) for i in iris)) or "–"


def _exclusion(a: InitiativeRecord, b: InitiativeRecord, context: AnalysisContext) -> tuple[str, str] | None:
    if b.iri in a.successor_of:
        return "successor", f"„{a.title}“ ist als Nachfolger von „{b.title}“ erfasst."
    if a.iri in b.successor_of:
        return "successor", f"„{b.title}“ ist als Nachfolger von „{a.title}“ erfasst."
    if a.successor_of & b.successor_of:
        return "successor", "Beide sind als Nachfolger desselben Vorhabens erfasst."
    if b.iri in a.part_of or a.iri in b.part_of:
        return "series", "Das eine ist eine Ausgabe der Reihe, die das andere ist."
    if a.part_of & b.part_of:
        return "series", f"Beide sind Ausgaben derselben Reihe ({_labels(a.part_of & b.part_of, context)})."
    funds = (a.funders & b.leads) or (b.funders & a.leads)
    if funds:
        return "funder", (f"{_labels(funds, context)} fördert das eine Vorhaben und führt das andere selbst: "
                          "Förderer und Geförderte, keine Dublette.")
    return None


def _topic_evidence(a: InitiativeRecord, b: InitiativeRecord, context: AnalysisContext) -> tuple[float, str]:
    if not a.topics or not b.topics:
        return 0.5, "Thema bei mindestens einem Vorhaben unbekannt."
    shared = a.topics & b.topics
    if shared:
        return 1.0, f"Gleiches Thema: {_labels(shared, context)}."
    for x in sorted(a.topics):
        for y in sorted(b.topics):
            if context.topic_relation(x, y):
                return 0.6, f"Verwandte Themen: „{context.label(x)}“ und „{context.label(y)}“ (über-/untergeordnet)."
    return 0.0, "Keine gemeinsamen Themen."


def _level(territory: str, context: AnalysisContext) -> int:
    """The level of a territory: Germany 0, Land 1 (a Regierungsbezirk counts with its Land), Kreis 2,
    Gemeinde and below 3."""
    rank = context.rank.get(territory)
    return 3 if rank is None else {0: 0, 1: 1, 2: 1}.get(rank, 2)


def _territory_evidence(a: InitiativeRecord, b: InitiativeRecord,
                        context: AnalysisContext) -> tuple[float, str, str | None]:
    """Value, German sentence and relation: same, contained (one level apart), distant (one lies in the
    other two or more levels up, e.g. a Gemeinde in the Land), disjoint, or None when unknown."""
    if not a.territories or not b.territories:
        return 0.5, "Gebiet bei mindestens einem Vorhaben unbekannt.", None
    best, text, relation = 0.0, "Die Gebiete überschneiden sich nicht.", "disjoint"
    for x in sorted(a.territories):
        for y in sorted(b.territories):
            found = context.territory_relation(x, y)
            if found == "same":
                return 1.0, f"Gleiches Gebiet: {context.label(x)}.", "same"
            if found:
                inner, outer = (y, x) if found == "contains" else (x, y)
                near = _level(inner, context) - _level(outer, context) <= 1
                value = 0.8 if near else 0.5
                if value > best:
                    best, text = value, f"{context.label(inner)} liegt in {context.label(outer)}."
                    relation = "contained" if near else "distant"
    return best, text, relation


def _time_evidence(a: InitiativeRecord, b: InitiativeRecord) -> tuple[float, str, bool]:
    if a.start is None and a.end is None or b.start is None and b.end is None:
        return 0.5, "Laufzeit bei mindestens einem Vorhaben unbekannt.", True
    period = overlap_period(a.start, a.end, b.start, b.end)
    if period is None:
        return 0.0, "Die Laufzeiten überschneiden sich nicht.", False
    start = period[0].isoformat() if period[0] else "offen"
    end = period[1].isoformat() if period[1] else "offen"
    return 1.0, f"Gleichzeitig: {start} bis {end}.", True


def _target_evidence(a: InitiativeRecord, b: InitiativeRecord, context: AnalysisContext) -> tuple[float, str]:
    if not a.target_groups or not b.target_groups:
        # Unknown is weak evidence: structure alone (same topic and area) must not make a duplicate.
        return 0.2, "Zielgruppe bei mindestens einem Vorhaben unbekannt."
    shared = a.target_groups & b.target_groups
    if shared:
        return 1.0, f"Gleiche Zielgruppe: {_labels(shared, context)}."
    return 0.0, "Verschiedene Zielgruppen."


def _body_evidence(a: InitiativeRecord, b: InitiativeRecord, context: AnalysisContext) -> tuple[float, str]:
    # One body seldom records the same undertaking twice: a shared lead body is weaker evidence than a
    # body that leads one and partners in the other.
    shared = (a.leads | a.partners) & (b.leads | b.partners)
    if shared - (a.leads & b.leads):
        return 1.0, f"Gemeinsame Stellen: {_labels(shared, context)}."
    if shared:
        return 0.0, f"Dieselbe federführende Stelle: {_labels(shared, context)} (eher verschiedene Vorhaben)."
    return 0.0, "Keine gemeinsamen Stellen (andere Stelle erfasst es)."


_STANDING = {"Programme", "Project"}
_EVENTS = {"Event", "EventSeries"}


def _kind_evidence(a: InitiativeRecord, b: InitiativeRecord) -> tuple[float, str]:
    if not a.kind or not b.kind:
        return 0.5, "Art bei mindestens einem Vorhaben unbekannt."
    x, y = a.kind.rsplit("/", 1)[-1], b.kind.rsplit("/", 1)[-1]
    if x == y:
        return 1.0, f"Gleiche Art ({x})."
    if {x, y} <= _STANDING or {x, y} <= _EVENTS:
        return 0.5, f"Verwandte Arten ({x}, {y})."
    return 0.0, f"Verschiedene Arten ({x}, {y})."


def _never_reported(a: InitiativeRecord, b: InitiativeRecord, title_sim: float, description_sim: float,
                    context: AnalysisContext) -> bool:
    """Whether :func:`score_pair` calls the pair "none" at any threshold, found without writing its explanation.

    That holds when no exclusion applies and the two run in places that do not intersect (and are not
    close enough in text and topic to be parallels) or at times that do not overlap.

    >>> a = InitiativeRecord("i:a", "A", start=datetime.date(2020, 1, 1), end=datetime.date(2020, 12, 31))
    >>> b = InitiativeRecord("i:b", "B", start=datetime.date(2022, 1, 1))
    >>> _never_reported(a, b, 0.9, 0.9, AnalysisContext.empty())
    True
    """
    if _exclusion(a, b, context) is not None:
        return False
    if _territory_evidence(a, b, context)[2] == "disjoint":
        text = _text_similarity(title_sim, description_sim, bool(a.description and b.description))
        return not (text >= PARALLEL_TEXT and _topic_evidence(a, b, context)[0] > 0)
    return not _time_evidence(a, b)[2]


def score_pair(a: InitiativeRecord, b: InitiativeRecord, model: TextModel, context: AnalysisContext,
               threshold: float = DEFAULT_THRESHOLD,
               vectors: tuple[tuple[Any, Any], tuple[Any, Any]] | None = None,
               similarities: tuple[float, float] | None = None) -> PairResult:
    """Score a pair and classify it as duplicate, parallel, excluded or none, with explanations.

    Parameters
    ----------
    a, b : InitiativeRecord
    model : TextModel
        Fitted on a corpus that contains (or resembles) the two texts.
    context : AnalysisContext
        Containment, topic hierarchy and labels.
    threshold : float
        Score from which a pair counts as duplicate.
    vectors : optional
        Precomputed ((title_a, description_a), (title_b, description_b)) rows.
    similarities : optional
        Precomputed (title, description) cosine similarities; then ``vectors`` is not needed.

    Examples
    --------
    >>> a = InitiativeRecord("i:a", "LoRaWAN-Sensorik", start=datetime.date(2024, 1, 1))
    >>> b = InitiativeRecord("i:b", "LoRaWAN-Sensorik – Phase II", successor_of=frozenset({"i:a"}))
    >>> score_pair(a, b, TextModel.fit([a, b]), AnalysisContext.empty()).exclusion
    'successor'
    """
    if similarities is not None:
        title_sim, description_sim = similarities
    else:
        if vectors is None:
            (ta, tb), (da, db) = zip(*[model.vectors([r]) for r in (a, b)], strict=True)
        else:
            (ta, da), (tb, db) = vectors
        title_sim = float(ta.multiply(tb).sum())
        description_sim = float(da.multiply(db).sum())
    text = min(1.0, _text_similarity(title_sim, description_sim, bool(a.description and b.description)))
    topic, topic_text = _topic_evidence(a, b, context)
    place, place_text, relation = _territory_evidence(a, b, context)
    when, when_text, concurrent = _time_evidence(a, b)
    target, target_text = _target_evidence(a, b, context)
    bodies, body_text = _body_evidence(a, b, context)
    kind, kind_text = _kind_evidence(a, b)
    values = {
        "text": (text, f"Textähnlichkeit {text:.2f} (Titel {title_sim:.2f}, Beschreibung {description_sim:.2f})."),
        "topic": (topic, topic_text),
        "territory": (place, place_text),
        "time": (when, when_text),
        "targetGroup": (target, target_text),
        "kind": (kind, kind_text),
        "bodies": (bodies, body_text),
    }
    evidence = [
        Evidence(name, round(value, 4), WEIGHTS[name], round(value * WEIGHTS[name], 4), sentence,
                 {"titleSimilarity": round(title_sim, 4), "descriptionSimilarity": round(description_sim, 4)}
                 if name == "text" else {"relation": relation} if name == "territory" else {})
        for name, (value, sentence) in values.items()
    ]
    score = round(min(1.0, sum(e.contribution for e in evidence)), 4)
    excluded = _exclusion(a, b, context)
    head = f"„{a.title}“ und „{b.title}“"
    if excluded is not None and score >= threshold * 0.75:
        return PairResult(a.iri, b.iri, "excluded", score,
                          f"{head} ähneln sich (Wert {score:.2f}), sind aber keine Dublette: {excluded[1]}",
                          evidence, excluded[0])
    if excluded is not None:
        return PairResult(a.iri, b.iri, "none", score, f"{head}: {excluded[1]}", evidence, excluded[0])
    if relation == "disjoint":
        if text >= PARALLEL_TEXT and topic > 0:
            return PairResult(a.iri, b.iri, "parallel", score,
                              f"{head} sind gleichartige Vorhaben an verschiedenen Orten ({place_text}) – "
                              "Parallelinitiative: Gelegenheit, voneinander zu lernen oder sich anzuschließen.",
                              evidence)
        return PairResult(a.iri, b.iri, "none", score, f"{head}: {place_text}", evidence)
    if not concurrent:
        return PairResult(a.iri, b.iri, "none", score, f"{head}: {when_text}", evidence)
    if text < PARALLEL_TEXT and (relation == "distant" or kind == 0.0):
        # Same topic, area and time are not enough here: a Land- or federal-wide undertaking and a local one
        # two levels below are framework and implementation, a single event and a standing programme are
        # different undertakings; only texts that agree closely make such a pair a duplicate.
        reason = (f"ein Vorhaben für ein viel größeres Gebiet und ein örtliches ({place_text})"
                  if relation == "distant" else f"verschiedene Arten von Vorhaben ({kind_text.rstrip('.')})")
        return PairResult(a.iri, b.iri, "none", score,
                          f"{head}: {reason}; dafür stimmen die Texte zu wenig überein (Textähnlichkeit "
                          f"{text:.2f} unter {PARALLEL_TEXT:.2f}) – eher Rahmen und Umsetzung oder ein "
                          "verwandtes Vorhaben als dasselbe.", evidence)
    if score >= threshold:
        strongest = sorted(evidence, key=lambda e: -e.contribution)[:3]
        reasons = " ".join(e.text for e in strongest)
        return PairResult(a.iri, b.iri, "duplicate", score,
                          f"{head} sind wahrscheinlich dasselbe Vorhaben (Wert {score:.2f}). {reasons}", evidence)
    return PairResult(a.iri, b.iri, "none", score, f"{head}: Wert {score:.2f} unter der Schwelle {threshold:.2f}.",
                      evidence)


# -- the index over a store ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    """Connected duplicates: members, the representative and the pairs that link them."""

    id: str
    representative: str
    members: list[str]
    pairs: list[tuple[str, str, float]]


class DuplicateIndex:
    """The initiatives of a store with their text vectors, blocks and context, built once per store state.

    Parameters
    ----------
    records : sequence of InitiativeRecord
    context : AnalysisContext
    """

    def __init__(self, records: Sequence[InitiativeRecord], context: AnalysisContext) -> None:
        self.records = list(records)
        self.by_iri = {r.iri: i for i, r in enumerate(self.records)}
        self.context = context
        self.model = TextModel.fit(self.records, place_words(context))
        self.combined = self.model.combined(self.model.title, self.model.description)
        self._pairs: list[PairResult] | None = None
        # How many candidate pairs the blocking produced for :meth:`pairs` (None before its first call).
        self.candidate_count: int | None = None
        self._lock = threading.Lock()

    @classmethod
    def build(cls, store: Store, context: AnalysisContext | None = None) -> DuplicateIndex:
        """Read the initiatives of ``store`` and fit the text model."""
        return cls(load_initiatives(store), context or AnalysisContext(store))

    def areas(self, record: InitiativeRecord) -> set[str]:
        """The Kreis-level areas a record touches (Land- and federal-level territories stand for themselves)."""
        return {self.context.area(t) for t in record.territories}

    def candidate_pairs(self, min_text: float = CANDIDATE_TEXT) -> set[tuple[int, int]]:
        """Pairs of row numbers worth scoring: same block and close text vectors.

        A block is a Kreis-level area with the initiatives of that area and of the territories that
        contain it; initiatives without territory form one block of their own with everything else
        compared through their text vectors only.
        """
        blocks: dict[str, list[int]] = defaultdict(list)
        upper: dict[str, list[int]] = defaultdict(list)
        placeless: list[int] = []
        for row, record in enumerate(self.records):
            areas = self.areas(record)
            if not areas:
                placeless.append(row)
            for area in areas:
                if self.context.rank.get(area, 99) < KREIS_RANK:
                    upper[area].append(row)
                else:
                    blocks[area].append(row)
        for area in list(upper):
            blocks.setdefault(area, []).extend(upper[area])
        pairs: set[tuple[int, int]] = set()
        for area, members in blocks.items():
            extra = [row for up in self.context.ancestors(area) for row in upper.get(up, ())]
            rows = np.array(sorted(set(members) | set(extra)))
            if len(rows) > 1:
                self._close_pairs(rows, rows, min_text, pairs)
                self._topic_pairs(rows, pairs)
        if placeless:
            self._close_pairs(np.array(placeless), np.arange(len(self.records)), min_text, pairs)
        self._place_pairs(min_text, pairs)
        return pairs

    def _place_pairs(self, min_text: float, pairs: set[tuple[int, int]], small: int = 30) -> None:
        """Pairs in exactly the same territory that share a topic or whose texts are ``min_text`` close.

        In a large Kreis-level block the nearest text neighbours of an initiative are often template
        texts from other places of the Kreis, and its topic groups are too large to pair, so a rephrased
        record of the same undertaking in the same Gemeinde is no candidate there. One territory holds
        few initiatives: groups of up to ``small`` are compared pair by pair (vectorised), larger ones
        (Land- and federal-level territories) by nearest text neighbours.
        """
        by_place: dict[str, list[int]] = defaultdict(list)
        for row, record in enumerate(self.records):
            for territory in record.territories:
                by_place[territory].append(row)
        left: list[int] = []
        right: list[int] = []
        for rows in by_place.values():
            if len(rows) > small:
                self._close_pairs(np.array(rows), np.array(rows), min_text, pairs)
                continue
            for x in range(len(rows)):
                left.extend(rows[x] for _ in range(x + 1, len(rows)))
                right.extend(rows[x + 1:])
        if left:
            i, j = np.array(left), np.array(right)
            close = np.asarray(self.combined[i].multiply(self.combined[j]).sum(axis=1)).ravel() >= min_text
            close |= np.array([bool(self.records[x].topics & self.records[y].topics)
                               for x, y in zip(left, right, strict=True)])
            pairs.update(zip(np.minimum(i, j)[close].tolist(), np.maximum(i, j)[close].tolist(), strict=True))

    def _topic_pairs(self, rows: np.ndarray, pairs: set[tuple[int, int]], cap: int = 25) -> None:
        """Pairs of a block on the same topic, whatever their words (duplicates described in other words).

        Topic groups larger than ``cap`` rely on text closeness alone, so a block never grows quadratic.
        """
        by_topic: dict[str, list[int]] = defaultdict(list)
        for row in rows.tolist():
            for topic in self.records[row].topics:
                by_topic[topic].append(row)
        for members in by_topic.values():
            if 1 < len(members) <= cap:
                for x in range(len(members)):
                    for y in range(x + 1, len(members)):
                        i, j = members[x], members[y]
                        pairs.add((min(i, j), max(i, j)))

    def _close_pairs(self, left: np.ndarray, right: np.ndarray, min_text: float,
                     pairs: set[tuple[int, int]], neighbours: int = CANDIDATE_NEIGHBOURS) -> None:
        """Each row of ``left`` with its ``neighbours`` closest rows of ``right`` at or above ``min_text``.

        Keeping the nearest few instead of every close row bounds the candidates by a multiple of the
        number of initiatives, however large a block grows (template texts are all close to each other).
        """
        others = self.combined[right].T.tocsc()
        for start in range(0, len(left), 2000):
            chunk = left[start:start + 2000]
            sims = (self.combined[chunk] @ others).tocsr()
            sims.data[sims.data < min_text] = 0
            sims.eliminate_zeros()
            for row in range(sims.shape[0]):
                begin, end = sims.indptr[row], sims.indptr[row + 1]
                if begin == end:
                    continue
                values, columns = sims.data[begin:end], sims.indices[begin:end]
                if end - begin > neighbours + 1:
                    best = np.argpartition(-values, neighbours)[:neighbours + 1]
                    columns = columns[best]
                i = int(chunk[row])
                for j in right[columns].tolist():
                    if i != j:
                        pairs.add((min(i, j), max(i, j)))

    def similarities(self, left: np.ndarray, right: np.ndarray, chunk: int = 50_000) -> tuple[np.ndarray, np.ndarray]:
        """Title and description cosine similarities of the row pairs (``left[k]``, ``right[k]``), computed
        for many pairs at once (one sparse row-wise product per chunk instead of one per pair).

        >>> a = InitiativeRecord("i:a", "Digitallotsen für Senioren")
        >>> b = InitiativeRecord("i:b", "Digitallotsen für Senioren")
        >>> titles, _ = DuplicateIndex([a, b], AnalysisContext.empty()).similarities(np.array([0]), np.array([1]))
        >>> round(float(titles[0]), 3)
        1.0
        """
        titles, descriptions = np.zeros(len(left), dtype=np.float64), np.zeros(len(left), dtype=np.float64)
        for start in range(0, len(left), chunk):
            i, j = left[start:start + chunk], right[start:start + chunk]
            for matrix, out in ((self.model.title, titles), (self.model.description, descriptions)):
                out[start:start + len(i)] = np.asarray(matrix[i].multiply(matrix[j]).sum(axis=1)).ravel()
        return titles, descriptions

    def _row_vectors(self, row: int) -> tuple[Any, Any]:
        return self.model.title[row], self.model.description[row]

    def pairs(self, threshold: float = DEFAULT_THRESHOLD) -> list[PairResult]:
        """Every scored candidate pair that is a duplicate, parallel or excluded, best first."""
        with self._lock:
            if self._pairs is None:
                found = []
                rows = np.array(sorted(self.candidate_pairs()), dtype=np.int64).reshape(-1, 2)
                self.candidate_count = len(rows)
                titles, descriptions = self.similarities(rows[:, 0], rows[:, 1])
                for (i, j), title_sim, description_sim in zip(rows.tolist(), titles.tolist(),
                                                              descriptions.tolist(), strict=True):
                    if _never_reported(self.records[i], self.records[j], title_sim, description_sim, self.context):
                        continue
                    result = score_pair(self.records[i], self.records[j], self.model, self.context, 0.0,
                                        similarities=(title_sim, description_sim))
                    if result.kind != "none" or result.score >= 0.3:
                        found.append(result)
                self._pairs = found
            scored = self._pairs
        result = []
        for pair in scored:
            if pair.kind == "duplicate" and pair.score < threshold:
                pair = replace(pair, kind="none")
            if pair.kind == "excluded" and pair.score < threshold * 0.75:
                pair = replace(pair, kind="none")
            if pair.kind != "none":
                result.append(pair)
        result.sort(key=lambda p: (-p.score, p.a, p.b))
        return result

    def parallel_groups(self) -> list[list[str]]:
        """Groups of initiatives with the same title template and topic in places that do not intersect."""
        place_stems = self._place_stems()
        groups: dict[tuple[str, tuple[str, ...]], list[int]] = defaultdict(list)
        for row, record in enumerate(self.records):
            if record.part_of or not record.territories:
                continue
            key = tuple(sorted(set(tokens(record.title)) - place_stems))
            if len(key) < 2:
                continue
            for topic in record.topics:
                groups[(topic, key)].append(row)
        found: list[list[str]] = []
        seen: set[tuple[str, ...]] = set()
        for rows in groups.values():
            if len(rows) < 2:
                continue
            graph = nx.Graph()
            for i in rows:
                for j in rows:
                    if i < j and self._apart(self.records[i], self.records[j]):
                        graph.add_edge(i, j)
            for component in nx.connected_components(graph):
                members = tuple(sorted(self.records[i].iri for i in component))
                if members not in seen:
                    seen.add(members)
                    found.append(list(members))
        return sorted(found)

    def _apart(self, a: InitiativeRecord, b: InitiativeRecord) -> bool:
        if a.leads & b.leads:
            return False
        return not any(self.context.territory_relation(x, y) for x in a.territories for y in b.territories)

    def _place_stems(self) -> set[str]:
        stems: set[str] = set()
        for iri, label in self.context.labels.items():
            if "/id/territory/" in iri:
                stems.update(tokens(label))
        for word in ("landkreis", "kreis", "stadt", "gemeinde", "amt", "region"):
            stems.update(tokens(word))
        return stems


_CACHE: dict[int, tuple[str, DuplicateIndex]] = {}
_CACHE_LOCK = threading.Lock()


def duplicate_index(store: Store) -> DuplicateIndex:
    """The :class:`DuplicateIndex` of the store's current state (rebuilt when the store changes)."""
    fingerprint = store_fingerprint(store)
    with _CACHE_LOCK:
        cached = _CACHE.get(id(store))
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
    index = DuplicateIndex.build(store)
    with _CACHE_LOCK:
        _CACHE[id(store)] = (fingerprint, index)
    return index


def clusters(pairs: Sequence[PairResult], records: dict[str, InitiativeRecord] | None = None) -> list[Cluster]:
    """Connected components of duplicate pairs, each with a representative.

    The representative is the member with the highest sum of scores to the others; ties go to the
    earlier start and then to the IRI.

    >>> p = PairResult("i:a", "i:b", "duplicate", 0.8, "", [])
    >>> clusters([p])[0].members
    ['i:a', 'i:b']
    """
    graph = nx.Graph()
    for pair in pairs:
        if pair.kind == "duplicate":
            graph.add_edge(pair.a, pair.b, weight=pair.score)
    result = []
    for component in nx.connected_components(graph):
        members = sorted(component)
        strength = dict(graph.subgraph(members).degree(weight="weight"))

        def rank(iri: str, strength: dict[str, float] = strength) -> tuple[float, datetime.date, str]:
            start = records[iri].start if records and iri in records else None
            return (-strength[iri], start or datetime.date.max, iri)

        edges = sorted((min(u, v), max(u, v), float(d["weight"]))
                       for u, v, d in graph.subgraph(members).edges(data=True))
        digest = hashlib.sha256(("cluster|" + "|".join(members)).encode("utf-8")).hexdigest()[:16]
        result.append(Cluster(digest, min(members, key=rank), members, edges))
    result.sort(key=lambda c: (-len(c.members), c.representative))
    return result


# -- pre-check of a planned initiative ---------------------------------------------------------------


@dataclass(frozen=True)
class ResponsibleBody:
    """A body responsible for the planned initiative's topic and territory."""

    body: str
    role: str
    topic: str
    territory: str
    responsibility: str
    explanation: str


@dataclass(frozen=True)
class CheckResult:
    """What the store already knows about a planned initiative."""

    planned: InitiativeRecord
    matches: list[PairResult]
    responsible: list[ResponsibleBody]


def check(store: Store, planned: InitiativeRecord, *, min_score: float = 0.4, limit: int = 20,
          threshold: float = DEFAULT_THRESHOLD, index: DuplicateIndex | None = None) -> CheckResult:
    """Rank existing initiatives and responsible bodies for a planned initiative, with explanations.

    Parameters
    ----------
    store : Store
    planned : InitiativeRecord
        The planned initiative; topics, territories and bodies as IRIs.
    min_score : float
        Matches below this score are left out (duplicates, parallels and exclusions are always kept).
    limit : int
        At most this many matches.
    threshold : float
        Score from which a match counts as duplicate.
    index : DuplicateIndex, optional
        Default: the cached index of the store.

    Examples
    --------
    >>> result = check(Store.in_memory(), InitiativeRecord("urn:x", "Digitallotsen"))
    >>> result.matches, result.responsible
    ([], [])
    """
    index = index or duplicate_index(store)
    matches: list[PairResult] = []
    if index.records:
        title, description = index.model.vectors([planned])
        combined = index.model.combined(title, description)
        sims = np.asarray((index.combined @ combined.T).todense()).ravel()
        planned_areas = index.areas(planned)
        rows = set(np.flatnonzero(sims >= 0.1).tolist())
        for row, record in enumerate(index.records):
            if planned_areas and index.areas(record) & planned_areas and record.topics & planned.topics:
                rows.add(row)
        for row in rows:
            record = index.records[row]
            if record.iri == planned.iri:
                continue
            result = score_pair(planned, record, index.model, index.context, threshold,
                                ((title, description), index._row_vectors(row)))
            if result.kind in ("duplicate", "parallel", "excluded") or result.score >= min_score:
                matches.append(result)
        matches.sort(key=lambda r: ({"duplicate": 0, "excluded": 1, "parallel": 2}.get(r.kind, 3), -r.score, r.b))
    return CheckResult(planned, matches[:limit], responsible_bodies(store, planned, index.context))


def responsible_bodies(store: Store, planned: InitiativeRecord,
                       context: AnalysisContext) -> list[ResponsibleBody]:
    """Bodies with a responsibility for a topic of the planned initiative (or a broader/narrower one) in a
    territory that is, contains or lies in one of its territories, valid during its time."""
    found = []
    for row in store.select(load_query("responsibilities")):
        topic_match = next((t for t in sorted(planned.topics) if context.topic_relation(row["topic"], t)), None)
        if planned.topics and topic_match is None:
            continue
        if planned.territories and not any(context.covers(row["territory"], t) for t in planned.territories):
            continue
        start, end = as_date(row.get("validFrom")), as_date(row.get("validUntil"), end=True)
        if overlap_period(start, end, planned.start, planned.end) is None:
            continue
        role = row["role"]
        found.append(ResponsibleBody(
            body=row["holder"], role=role, topic=row["topic"], territory=row["territory"],
            responsibility=row["responsibility"],
            explanation=f"{context.label(row['holder'])} ist {context.label(role)} für „{context.label(row['topic'])}“ "
                        f"in {context.label(row['territory'])}.",
        ))
    order = {str(ROLE.federfuehrend): 0, str(ROLE.umsetzend): 1, str(ROLE.foerdernd): 2}
    found.sort(key=lambda r: (order.get(r.role, 3), context.label(r.body), r.responsibility))
    unique: dict[tuple[str, str], ResponsibleBody] = {}
    for item in found:
        unique.setdefault((item.body, item.responsibility), item)
    return list(unique.values())


def duplicates(store: Store, *, threshold: float = DEFAULT_THRESHOLD, kinds: Sequence[str] = ("duplicate",),
               topic: str | None = None, territory: str | None = None, as_of: datetime.date | None = None,
               index: DuplicateIndex | None = None) -> list[PairResult]:
    """Duplicate pairs of the store (and, if asked, parallels and excluded pairs), filtered, best first.

    A pair that rule DS-01 reports as a duplicate structure is reported there, not here.

    Examples
    --------
    >>> duplicates(Store.in_memory())
    []
    """
    from .overlaps import duplicate_structures  # the overlap rules import this module's neighbours only

    index = index or duplicate_index(store)
    structures = {frozenset(f.members) for f in duplicate_structures(store, index.context)}
    pairs = [p for p in index.pairs(threshold) if p.kind in kinds and frozenset((p.a, p.b)) not in structures]
    if "parallel" in kinds:
        known = {frozenset((p.a, p.b)) for p in pairs if p.kind == "parallel"}
        for group in index.parallel_groups():
            for x in range(len(group)):
                for y in range(x + 1, len(group)):
                    if frozenset((group[x], group[y])) not in known:
                        a, b = index.records[index.by_iri[group[x]]], index.records[index.by_iri[group[y]]]
                        result = score_pair(a, b, index.model, index.context, threshold,
                                            (index._row_vectors(index.by_iri[a.iri]),
                                             index._row_vectors(index.by_iri[b.iri])))
                        if result.kind == "parallel":
                            pairs.append(result)
    return filter_pairs(pairs, index, topic=topic, territory=territory, as_of=as_of)


def filter_pairs(pairs: Sequence[PairResult], index: DuplicateIndex, *, topic: str | None = None,
                 territory: str | None = None, as_of: datetime.date | None = None) -> list[PairResult]:
    """Pairs with a member on ``topic`` (or narrower), touching ``territory`` and running on ``as_of``."""
    context = index.context
    topics = context.topics_below(topic) if topic else None
    result = []
    for pair in pairs:
        members = [index.records[index.by_iri[pair.a]], index.records[index.by_iri[pair.b]]]
        if topics is not None and not any(topics & m.topics for m in members):
            continue
        if territory and not any(context.covers(territory, t) for m in members for t in m.territories):
            continue
        if as_of and not all(valid_on(as_of, m.start, m.end) for m in members):
            continue
        result.append(pair)
    return result
