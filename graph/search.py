"""German full-text search over the labels, titles, abbreviations and descriptions of all resources.

The index is an SQLite database with two FTS5 tables, chosen by measurement (``bench/search.py``):

* ``words`` holds analysed German words: lower-cased, stemmed with the Snowball German stemmer (which
  folds ä/ae, ö/oe, ü/ue and ß/ss alike) plus the parts of compounds found against the vocabulary of
  the indexed texts ("Digitalisierungsstrategie" -> digitalisier, strategi);
* ``grams`` holds the texts with umlauts and ß spelled out (ä -> ae, ß -> ss) under the trigram
  tokenizer, so any part of a word of three or more letters is found ("Strategie" in
  "Digitalstrategie", "Staedte" in "Städte").

A hit in the words counts double; a label equal to the query ranks first. The index file lies next
to the store folder (``<store>.search.sqlite``), never inside it, and records the store's
fingerprint; :func:`ensure_index` rebuilds it when the store changed.

Examples
--------
>>> analyse("Digitalisierungsstrategie", {"digitalisier", "strategi"})
['digitalisierungsstrategi', 'digitalisier', 'strategi']
>>> fold("Straße in Städten")
'strasse in staedten'
"""

from __future__ import annotations

import html
import math
import os
import re
import sqlite3
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import Stemmer

from .catalog import InvalidValue, Snapshot, page_path, snapshot, store_fingerprint
from .queries import load_query
from .store import Store

__all__ = [
    "SearchHit", "SearchResult", "fold", "tokens", "stem", "analyse", "index_path_for", "build_index",
    "ensure_index", "search", "SearchIndex",
]

_STEMMER = Stemmer.Stemmer("german")
_TOKEN = re.compile(r"\w+", re.UNICODE)
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_LINKING = ("s", "es", "n", "en", "e", "")
_MIN_PART = 4
_FIELDS = ("label", "alt", "body")
_SCHEMA_VERSION = "1"


def fold(text: str) -> str:
    """Lower-case ``text`` and spell out umlauts and ß (ä -> ae, ß -> ss).

    >>> fold("Größe")
    'groesse'
    """
    return text.casefold().translate(_FOLD)


def tokens(text: str) -> list[str]:
    """The words of ``text``, lower-cased (umlauts kept, for the stemmer).

    >>> tokens("Smart-City-Manager*innen")
    ['smart', 'city', 'manager', 'innen']
    """
    return [t.casefold() for t in _TOKEN.findall(text)]


def stem(word: str) -> str:
    """The Snowball German stem of a lower-cased word (ä and ae, ß and ss give the same stem).

    >>> stem("städte") == stem("staedte") == "stadt"
    True
    """
    return str(_STEMMER.stemWord(word))


def _split(word: str, vocabulary: set[str], depth: int = 0) -> list[str]:
    """Stems of the parts of a compound, the head (last part) first; [] when no split is found."""
    if depth > 3 or len(word) < 2 * _MIN_PART:
        return []
    for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
        head, tail = word[:cut], word[cut:]
        tail_stem = stem(tail)
        if tail_stem not in vocabulary:
            continue
        for link in _LINKING:
            if link and not head.endswith(link):
                continue
            modifier = head[: len(head) - len(link)] if link else head
            if len(modifier) < _MIN_PART:
                continue
            modifier_stem = stem(modifier)
            if modifier_stem in vocabulary:
                return [tail_stem, modifier_stem]
            deeper = _split(modifier, vocabulary, depth + 1)
            if deeper:
                return [tail_stem, *deeper]
    return []


def analyse(text: str, vocabulary: set[str] | None = None) -> list[str]:
    """The index terms of ``text``: the stem of every word, then the stems of compound parts.

    Parameters
    ----------
    text : str
    vocabulary : set of str, optional
        Stems of known words; a long word is split into parts that are all known.

    Examples
    --------
    >>> analyse("Kommunale Digitalstrategie", {"digital", "strategi"})
    ['kommunal', 'digitalstrategi', 'strategi', 'digital']
    """
    terms = []
    for word in tokens(text):
        terms.append(stem(word))
        if vocabulary and len(word) >= 2 * _MIN_PART:
            terms.extend(part for part in _split(word, vocabulary) if part != terms[-1])
    return terms


def index_path_for(store_path: Path) -> Path:
    """Where the search index of the store at ``store_path`` lies: beside the folder, not inside it.

    >>> index_path_for(Path("/var/synergraph/store")).as_posix()
    '/var/synergraph/store.search.sqlite'
    """
    return store_path.parent / f"{store_path.name}.search.sqlite"


# -- building --------------------------------------------------------------------------------------


@dataclass
class _Document:
    iri: str
    texts: dict[str, list[str]]


def _documents(store: Store) -> list[_Document]:
    docs: dict[str, _Document] = {}
    for row in store.select(load_query("search_documents")):
        doc = docs.setdefault(row["item"], _Document(row["item"], defaultdict(list)))
        text = str(row["text"])
        if text not in doc.texts[row["field"]]:
            doc.texts[row["field"]].append(text)
    return list(docs.values())


def _vocabulary(texts: Iterable[str]) -> set[str]:
    """Stems of the words that stand alone somewhere in the texts (long enough to be a compound part)."""
    return {stem(word) for text in texts for word in tokens(text) if len(word) >= _MIN_PART}


def _type_names(snap: Snapshot, iri: str) -> str:
    names: set[str] = set()
    for kind in snap.types.get(iri, ()):
        names.update(re.split(r"[/#]", c)[-1] for c in snap.superclasses(kind))
    return " " + " ".join(sorted(names)) + " "


_DDL = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE docs(id INTEGER PRIMARY KEY, iri TEXT UNIQUE, label TEXT, label_en TEXT, type TEXT,
                  type_label TEXT, types TEXT, label_text TEXT, alt_text TEXT, body_text TEXT);
CREATE VIRTUAL TABLE words USING fts5(label, alt, body, tokenize = 'unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE grams USING fts5(label, alt, body, tokenize = 'trigram');
"""


def build_index(store: Store, path: Path) -> int:
    """Build the search index of ``store`` at ``path`` anew (atomically replacing the old file).

    Returns
    -------
    int
        The number of indexed resources.

    Examples
    --------
    >>> import tempfile
    >>> build_index(Store.in_memory(), Path(tempfile.mkdtemp()) / "s.sqlite")
    0
    """
    fingerprint = store_fingerprint(store)
    snap = snapshot(store)
    documents = _documents(store)
    vocabulary = _vocabulary(t for d in documents for f in ("label", "alt") for t in d.texts.get(f, []))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        connection = sqlite3.connect(temporary)
        with connection:
            connection.executescript(_DDL)
            for number, doc in enumerate(documents, start=1):
                kind = snap.most_specific_type(doc.iri)
                texts = {f: " · ".join(doc.texts.get(f, [])) for f in _FIELDS}
                connection.execute(
                    "INSERT INTO docs VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (number, doc.iri, snap.label(doc.iri) or texts["label"] or doc.iri, snap.label(doc.iri, "en"),
                     re.split(r"[/#]", kind)[-1] if kind else None, snap.class_labels.get(kind or ""),
                     _type_names(snap, doc.iri), texts["label"], texts["alt"], texts["body"]))
                connection.execute("INSERT INTO words(rowid, label, alt, body) VALUES (?,?,?,?)",
                                   (number, *(" ".join(analyse(texts[f], vocabulary)) for f in _FIELDS)))
                connection.execute("INSERT INTO grams(rowid, label, alt, body) VALUES (?,?,?,?)",
                                   (number, *(fold(texts[f]) for f in _FIELDS)))
            connection.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("fingerprint", fingerprint), ("schema", _SCHEMA_VERSION),
                ("vocabulary", " ".join(sorted(vocabulary))), ("built", str(time.time()))])
        connection.close()
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return len(documents)


def _meta(path: Path, key: str) -> str | None:
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return None
    return None if row is None else str(row[0])


def ensure_index(store: Store, path: Path) -> bool:
    """Make the index at ``path`` match the store: rebuild it when the store's fingerprint changed.

    Call it when the service starts and after writes. Returns whether it rebuilt.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "s.sqlite"
    >>> store = Store.in_memory()
    >>> ensure_index(store, path), ensure_index(store, path)
    (True, False)
    """
    if _meta(path, "schema") == _SCHEMA_VERSION and _meta(path, "fingerprint") == store_fingerprint(store):
        return False
    build_index(store, path)
    return True


# -- searching -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    """One resource found: IRI, label, type, a snippet with the match marked, score and page path."""

    iri: str
    label: str
    label_en: str | None
    type: str | None
    type_label: str | None
    snippet: str
    score: float
    page: str | None


@dataclass(frozen=True)
class SearchResult:
    """A page of hits, ranked best first, with the number of all hits."""

    query: str
    items: list[SearchHit]
    total: int
    limit: int
    offset: int


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _match_words(terms: list[list[str]], conjunction: str) -> str:
    return f" {conjunction} ".join("(" + " OR ".join(_phrase(v) for v in variants) + ")" for variants in terms)


def _snippet(texts: Iterable[str], stems: set[str], folded: list[str], width: int = 60) -> str:
    """The passage of the first text with a matching word, the word(s) marked with <mark>."""
    fallback = ""
    for text in texts:
        if not text:
            continue
        fallback = fallback or text
        spans = [m.span() for m in _TOKEN.finditer(text)
                 if stem(m.group().casefold()) in stems or any(f in fold(m.group()) for f in folded)]
        if not spans:
            continue
        start = max(0, spans[0][0] - width)
        end = min(len(text), spans[0][1] + width)
        pieces, cursor = [], start
        for s, e in spans:
            if s < start or e > end:
                continue
            pieces.append(html.escape(text[cursor:s]))
            pieces.append(f"<mark>{html.escape(text[s:e])}</mark>")
            cursor = e
        pieces.append(html.escape(text[cursor:end]))
        return ("…" if start else "") + "".join(pieces) + ("…" if end < len(text) else "")
    return html.escape(fallback[: 2 * width]) + ("…" if len(fallback) > 2 * width else "")


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def _types(connection: sqlite3.Connection) -> set[str]:
    names: set[str] = set()
    for (types,) in connection.execute("SELECT DISTINCT types FROM docs"):
        names.update((types or "").split())
    return names


def search(path: Path, q: str, limit: int = 20, offset: int = 0, type: str | None = None) -> SearchResult:
    """Search the index at ``path``; the best hits first.

    Parameters
    ----------
    path : Path
        The index file (see :func:`ensure_index`).
    q : str
        Words as a person types them; every word must match (as a word, a stem, a compound part or a
        part of a word). When no resource matches all words, resources matching any are returned.
    limit, offset : int
        The page.
    type : str, optional
        Only resources of this class (or a subclass), by name, e.g. ``Initiative`` or ``Municipality``.

    Raises
    ------
    InvalidValue
        ``q`` has no words (parameter ``q``) or ``type`` is unknown (parameter ``type``).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "s.sqlite"
    >>> _ = build_index(Store.in_memory(), path)
    >>> search(path, "Strategie").total
    0
    """
    words = tokens(q)
    if not words:
        raise InvalidValue("q", q)
    connection = _connect(path)
    try:
        vocabulary = set((_meta(path, "vocabulary") or "").split())
        if type is not None and type not in _types(connection):
            raise InvalidValue("type", type, sorted(_types(connection)))
        stems = [[stem(w), *(p for p in _split(w, vocabulary) if p != stem(w))] for w in words]
        folded = [fold(w) for w in words]
        grams = [f for f in folded if len(f) >= 3]
        scores: dict[int, float] = defaultdict(float)
        weights = "10.0, 6.0, 1.0"

        def run(table: str, match: str, factor: float) -> int:
            found = 0
            for rowid, rank in connection.execute(
                    f"SELECT rowid, bm25({table}, {weights}) FROM {table} WHERE {table} MATCH ?", (match,)):
                scores[rowid] += factor * -rank
                found += 1
            return found

        hits = run("words", _match_words(stems, "AND"), 2.0)
        if grams and len(grams) == len(folded):
            hits += run("grams", " AND ".join(_phrase(g) for g in grams), 1.0)
        elif grams:
            # words shorter than three letters are matched through the words table only
            both = set(scores)
            run("grams", " AND ".join(_phrase(g) for g in grams), 1.0)
            scores = defaultdict(float, {k: v for k, v in scores.items() if k in both})
        if not hits:
            run("words", _match_words(stems, "OR"), 1.0)
            if grams:
                run("grams", " OR ".join(_phrase(g) for g in grams), 0.5)
        rows = {}
        if scores:
            marks = ",".join("?" * len(scores))
            for row in connection.execute(f"SELECT id, iri, label, label_en, type, type_label, types, label_text, "
                                          f"alt_text, body_text FROM docs WHERE id IN ({marks})", list(scores)):
                rows[row[0]] = row
        whole = fold(" ".join(words))
        ranked = []
        for rowid, score in scores.items():
            row = rows[rowid]
            if type is not None and f" {type} " not in (row[6] or ""):
                continue
            labels = [fold(t) for t in (row[7] or "").split(" · ") + (row[8] or "").split(" · ") if t]
            if whole in labels:
                score += 1000.0
            elif any(label.startswith(whole) for label in labels):
                score += 100.0
            ranked.append((score, rowid, row))
        ranked.sort(key=lambda r: (-r[0], fold(r[2][2] or ""), r[2][1]))
        stem_set = {s for variants in stems for s in variants}
        items = [SearchHit(iri=row[1], label=row[2], label_en=row[3], type=row[4], type_label=row[5],
                           snippet=_snippet((row[7], row[8], row[9]), stem_set, grams),
                           score=round(score, 4) if math.isfinite(score) else 0.0, page=page_path(row[1]))
                 for score, _, row in ranked[offset:offset + limit]]
        return SearchResult(query=q, items=items, total=len(ranked), limit=limit, offset=offset)
    finally:
        connection.close()


class SearchIndex:
    """The search index of one store, kept in sync with it (checked at most every ``interval`` s).

    Parameters
    ----------
    store : Store
    path : Path
        The index file.
    interval : float
        Seconds between checks of the store's fingerprint.

    Examples
    --------
    >>> import tempfile
    >>> index = SearchIndex(Store.in_memory(), Path(tempfile.mkdtemp()) / "s.sqlite")
    >>> index.search("Strategie").total
    0
    """

    def __init__(self, store: Store, path: Path, interval: float = 1.0) -> None:
        self.store = store
        self.path = path
        self.interval = interval
        self._checked = -math.inf
        self._lock = threading.Lock()

    def sync(self, force: bool = False) -> bool:
        """Rebuild the index if the store changed; returns whether it did."""
        with self._lock:
            if not force and time.monotonic() - self._checked < self.interval:
                return False
            rebuilt = ensure_index(self.store, self.path)
            self._checked = time.monotonic()
            return rebuilt

    def search(self, q: str, limit: int = 20, offset: int = 0, type: str | None = None) -> SearchResult:
        """:func:`search` after making sure the index is current."""
        self.sync()
        return search(self.path, q, limit=limit, offset=offset, type=type)
