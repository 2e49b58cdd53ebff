"""German full-text search over the labels, titles, abbreviations and descriptions of all resources.

The index is a tantivy index, chosen over SQLite FTS5 by measurement (``bench/search.py``). The German
analysis happens here, so the index only sees ready terms:

* word fields hold analysed German words: lower-cased, stemmed with the Snowball German stemmer
  (which folds ä/ae, ö/oe, ü/ue and ß/ss alike); the parts of compounds found against the vocabulary
  of the labels go to a field of their own, so a word standing alone ranks above the same word
  inside a compound ("Digitalisierungsstrategie" -> digitalisier, strategi);
* gram fields hold the labels, titles and alternative labels with umlauts and ß spelled out
  (ä -> ae, ß -> ss) as character trigrams, so any part of a word of three or more letters is found
  ("Strategie" in "Digitalstrategie", "Staedte" in "Städte").

Every query word must match (as a word, a stem, a compound part or a part of a word); a label equal
to the whole query ranks first. The index folder lies next to the store folder
(``<store>.search``), never inside it, and records the store's fingerprint; :func:`ensure_index`
rebuilds it when the store changed.

Examples
--------
>>> analyse("Digitalisierungsstrategie", {"digitalisier", "strategi"})
['digitalisierungsstrategi', 'strategi', 'digitalisier']
>>> fold("Straße in Städten")
'strasse in staedten'
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import shutil
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import Stemmer
import tantivy

from .catalog import InvalidValue, page_path, snapshot, store_fingerprint
from .queries import load_query
from .store import Store

__all__ = [
    "IndexDocument",
    "SearchHit",
    "SearchIndex",
    "SearchResult",
    "analyse",
    "analyse_parts",
    "build_index",
    "documents_of",
    "ensure_index",
    "fold",
    "index_path_for",
    "search",
    "stem",
    "tokens",
    "vocabulary_of",
    "write_index",
]

_STEMMER = Stemmer.Stemmer("german")
_TOKEN = re.compile(r"\w+", re.UNICODE)
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_LINKING = ("s", "es", "n", "en", "e", "")
_MIN_PART = 4
_FIELDS = ("label", "alt", "body")
_SCHEMA_VERSION = "4"


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
        stems, parts = analyse_parts(word, vocabulary)
        terms.extend(stems + parts)
    return terms


def analyse_parts(text: str, vocabulary: set[str] | None = None) -> tuple[list[str], list[str]]:
    """The stems of the words of ``text``, and separately the stems of their compound parts.

    Parts are indexed apart from whole words so that a word standing alone ranks above the same word
    inside a compound.

    >>> analyse_parts("Digitalstrategie Barnim", {"digital", "strategi"})
    (['digitalstrategi', 'barnim'], ['strategi', 'digital'])
    """
    stems: list[str] = []
    parts: list[str] = []
    for word in tokens(text):
        stems.append(stem(word))
        if vocabulary and len(word) >= 2 * _MIN_PART:
            parts.extend(part for part in _split(word, vocabulary) if part != stems[-1])
    return stems, parts


def index_path_for(store_path: Path) -> Path:
    """Where the search index of the store at ``store_path`` lies: beside the folder, not inside it.

    >>> index_path_for(Path("/var/synergraph/store")).as_posix()
    '/var/synergraph/store.search'
    """
    return store_path.parent / f"{store_path.name}.search"


# -- building --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexDocument:
    """What the index holds about one resource: display fields and its texts by field.

    ``texts`` maps ``label`` (labels and titles), ``alt`` (alternative labels, abbreviations) and
    ``body`` (descriptions, notes) to lists of texts, German first.
    """

    iri: str
    label: str
    label_en: str | None
    type: str | None
    type_label: str | None
    types: frozenset[str]
    texts: dict[str, list[str]]


_LANG_ORDER = {"de": 0, "": 1}


def documents_of(store: Store) -> list[IndexDocument]:
    """The index documents of every Synergraph resource with a label, title or description."""
    snap = snapshot(store)
    texts: dict[str, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    for row in store.select(load_query("search_documents")):
        entry = (_LANG_ORDER.get(str(row.get("lang") or ""), 2), str(row["text"]))
        if entry not in texts[row["item"]][row["field"]]:
            texts[row["item"]][row["field"]].append(entry)
    documents = []
    for iri, fields in texts.items():
        kind = snap.most_specific_type(iri)
        ordered = {f: [t for _, t in sorted(values, key=lambda e: e[0])] for f, values in fields.items()}
        names = frozenset(
            re.split(r"[/#]", c)[-1] for t in snap.types.get(iri, ()) for c in snap.superclasses(t)
        )
        documents.append(
            IndexDocument(
                iri=iri,
                label=snap.label(iri) or (ordered.get("label") or [iri])[0],
                label_en=snap.label(iri, "en"),
                type=re.split(r"[/#]", kind)[-1] if kind else None,
                type_label=snap.class_labels.get(kind or ""),
                types=names,
                texts=ordered,
            )
        )
    return documents


def vocabulary_of(documents: Iterable[IndexDocument]) -> set[str]:
    """Stems of the words standing alone in labels and alternative labels: the known compound parts."""
    return {
        stem(word)
        for d in documents
        for f in ("label", "alt")
        for text in d.texts.get(f, [])
        for word in tokens(text)
        if len(word) >= _MIN_PART
    }


# Field boosts: a hit in a label counts most, then alternative labels, compound parts, descriptions.
_WORD_FIELDS = {"w_label": 20.0, "w_alt": 12.0, "w_parts": 4.0, "w_body": 2.0}
_GRAM_FIELDS = {"g_label": 10.0, "g_alt": 6.0}
_EXACT_BOOST = 1000.0
_META = "synergraph-index.json"


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("iri", stored=True, tokenizer_name="raw")
    builder.add_bytes_field("payload", stored=True, indexed=False)
    for name in _WORD_FIELDS:
        builder.add_text_field(name, tokenizer_name="whitespace")
    for name in _GRAM_FIELDS:
        builder.add_text_field(name, tokenizer_name="trigram")
    builder.add_text_field("keys", tokenizer_name="raw")
    builder.add_text_field("types", tokenizer_name="whitespace")
    return builder.build()


_SCHEMA = _schema()


def _open(path: Path) -> tantivy.Index:
    index = tantivy.Index(_SCHEMA, path=str(path), reuse=True)
    index.register_tokenizer(
        "trigram", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(3, 3, False)).build()
    )
    return index


def _key(label: str) -> str:
    """A label folded to its words, for exact matches of the whole query."""
    return " ".join(tokens(fold(label)))


def write_index(path: Path, documents: Sequence[IndexDocument], fingerprint: str = "") -> int:
    """Write an index of ``documents`` to the folder ``path``, replacing the old index whole.

    The new index is built in a sibling folder and then moved into place, so a reader sees the old
    index or the new one. Returns the number of documents.
    """
    vocabulary = vocabulary_of(documents)
    path.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=path.name + ".", suffix=".new", dir=path.parent))
    try:
        index = _open(building)
        writer = index.writer(heap_size=64_000_000, num_threads=1)
        for doc in documents:
            texts = {f: " · ".join(doc.texts.get(f, [])) for f in _FIELDS}
            label_stems, label_parts = analyse_parts(texts["label"], vocabulary)
            alt_stems, alt_parts = analyse_parts(texts["alt"], vocabulary)
            body_stems, body_parts = analyse_parts(texts["body"], vocabulary)
            payload = json.dumps(
                {
                    "label": doc.label,
                    "label_en": doc.label_en,
                    "type": doc.type,
                    "type_label": doc.type_label,
                    "texts": texts,
                },
                ensure_ascii=False,
            )
            document = tantivy.Document(
                iri=doc.iri,
                payload=payload.encode("utf-8"),
                w_label=" ".join(label_stems),
                w_alt=" ".join(alt_stems),
                w_body=" ".join(body_stems),
                w_parts=" ".join(label_parts + alt_parts + body_parts),
                g_label=fold(texts["label"]),
                g_alt=fold(texts["alt"]),
                types=" ".join(sorted(doc.types)),
            )
            for label in doc.texts.get("label", []) + doc.texts.get("alt", []):
                document.add_text("keys", _key(label))
            writer.add_document(document)
        writer.commit()
        writer.wait_merging_threads()
        (building / _META).write_text(
            json.dumps(
                {
                    "schema": _SCHEMA_VERSION,
                    "fingerprint": fingerprint,
                    "built": time.time(),
                    "vocabulary": sorted(vocabulary),
                    "types": sorted({t for d in documents for t in d.types}),
                }
            ),
            encoding="utf-8",
        )
        retired = None
        if path.exists():
            retired = path.with_name(f"{path.name}.{os.getpid()}.{time.monotonic_ns()}.old")
            os.replace(path, retired)
        os.replace(building, path)
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)
    finally:
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)
    return len(documents)


def build_index(store: Store, path: Path) -> int:
    """Build the search index of ``store`` in the folder ``path`` anew.

    Returns
    -------
    int
        The number of indexed resources.

    Examples
    --------
    >>> import tempfile
    >>> build_index(Store.in_memory(), Path(tempfile.mkdtemp()) / "store.search")
    0
    """
    fingerprint = store_fingerprint(store)
    return write_index(path, documents_of(store), fingerprint)


_META_CACHE: dict[Path, tuple[int, dict[str, Any]]] = {}


def _meta(path: Path) -> dict[str, Any]:
    """The index's record (schema, fingerprint, vocabulary, types), read again only when it changed."""
    file = path / _META
    try:
        changed = file.stat().st_mtime_ns
        cached = _META_CACHE.get(file)
        if cached and cached[0] == changed:
            return cached[1]
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    data["vocabulary"] = set(data.get("vocabulary", []))
    _META_CACHE[file] = (changed, data)
    return data


def ensure_index(store: Store, path: Path) -> bool:
    """Make the index at ``path`` match the store: rebuild it when the store's fingerprint changed.

    Call it when the service starts and after writes. Returns whether it rebuilt.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "store.search"
    >>> store = Store.in_memory()
    >>> ensure_index(store, path), ensure_index(store, path)
    (True, False)
    """
    meta = _meta(path)
    if meta.get("schema") == _SCHEMA_VERSION and meta.get("fingerprint") == store_fingerprint(store):
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


def _snippet(texts: Iterable[str], stems: set[str], folded: list[str], width: int = 60) -> str:
    """The passage of the first text with a matching word, the word(s) marked with <mark>."""
    fallback = ""
    for text in texts:
        if not text:
            continue
        fallback = fallback or text
        spans = [
            m.span()
            for m in _TOKEN.finditer(text)
            if stem(m.group().casefold()) in stems or any(f in fold(m.group()) for f in folded)
        ]
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


def _term(field: str, value: str, boost: float = 1.0) -> tantivy.Query:
    query = tantivy.Query.term_query(_SCHEMA, field, value)
    return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)


def _word_query(word: str, vocabulary: set[str]) -> tantivy.Query:
    """What one query word may match: its stem or compound parts as words, or its letters in a label."""
    Occur = tantivy.Occur
    stems = [stem(word), *(p for p in _split(word, vocabulary) if p != stem(word))]
    options = [(Occur.Should, _term(field, s, boost)) for s in stems for field, boost in _WORD_FIELDS.items()]
    folded = fold(word)
    if len(folded) >= 3:
        grams = [folded[i : i + 3] for i in range(len(folded) - 2)]
        for field, boost in _GRAM_FIELDS.items():
            # trigram tokens carry no positions to phrase-match on, so every trigram must occur
            every = tantivy.Query.boolean_query([(Occur.Must, _term(field, g)) for g in grams])
            options.append((Occur.Should, tantivy.Query.boost_query(every, boost)))
    return tantivy.Query.boolean_query(options)


def search(
    path: Path,
    q: str,
    limit: int = 20,
    offset: int = 0,
    type: str | None = None,
    index: tantivy.Index | None = None,
) -> SearchResult:
    """Search the index at ``path``; the best hits first.

    Parameters
    ----------
    path : Path
        The index folder (see :func:`ensure_index`).
    q : str
        Words as a person types them; every word must match (as a word, a stem, a compound part or a
        part of a word). When no resource matches all words, resources matching any are returned.
    limit, offset : int
        The page.
    type : str, optional
        Only resources of this class (or a subclass), by name, e.g. ``Initiative`` or ``Municipality``.
    index : tantivy.Index, optional
        The index at ``path`` if it is already open.

    Raises
    ------
    InvalidValue
        ``q`` has no words (parameter ``q``) or ``type`` is unknown (parameter ``type``).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "store.search"
    >>> _ = build_index(Store.in_memory(), path)
    >>> search(path, "Strategie").total
    0
    """
    words = tokens(q)
    if not words:
        raise InvalidValue("q", q)
    meta = _meta(path)
    types = meta.get("types", [])
    if type is not None and type not in types:
        raise InvalidValue("type", type, types)
    vocabulary: set[str] = meta.get("vocabulary", set())
    index = index or _open(path)
    searcher = index.searcher()
    Occur = tantivy.Occur
    per_word = [_word_query(word, vocabulary) for word in words]
    exact = (Occur.Should, _term("keys", " ".join(tokens(fold(q))), _EXACT_BOOST))
    kind = [(Occur.Must, _term("types", type))] if type else []
    result = None
    for occur in (Occur.Must, Occur.Should):
        query = tantivy.Query.boolean_query([(occur, w) for w in per_word] + [exact] + kind)
        if occur == Occur.Should:
            query = tantivy.Query.boolean_query(
                [
                    (Occur.Must, tantivy.Query.boolean_query([(Occur.Should, w) for w in per_word])),
                    exact,
                    *kind,
                ]
            )
        # Past the last document every page is empty; a larger offset would make the engine reserve room
        # for that many hits (and abort the process when it cannot).
        result = searcher.search(query, limit, count=True, offset=min(offset, searcher.num_docs))
        if getattr(result, "count", 0):
            break
    assert result is not None
    stem_set = {s for w in words for s in [stem(w), *_split(w, vocabulary)]}
    grams = [f for f in (fold(w) for w in words) if len(f) >= 3]
    items = []
    for score, address in result.hits:
        stored = searcher.doc(address)
        payload = json.loads(bytes(stored["payload"][0]).decode("utf-8"))
        texts = payload["texts"]
        iri = stored["iri"][0]
        items.append(
            SearchHit(
                iri=iri,
                label=payload["label"],
                label_en=payload["label_en"],
                type=payload["type"],
                type_label=payload["type_label"],
                snippet=_snippet((texts["label"], texts["alt"], texts["body"]), stem_set, grams),
                score=round(float(score), 4),
                page=page_path(iri),
            )
        )
    return SearchResult(
        query=q, items=items, total=int(getattr(result, "count", 0) or 0), limit=limit, offset=offset
    )


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
    >>> index = SearchIndex(Store.in_memory(), Path(tempfile.mkdtemp()) / "store.search")
    >>> index.search("Strategie").total
    0
    """

    def __init__(self, store: Store, path: Path, interval: float = 1.0) -> None:
        self.store = store
        self.path = path
        self.interval = interval
        self._checked = -math.inf
        self._lock = threading.Lock()
        self._index: tantivy.Index | None = None

    def sync(self, force: bool = False) -> bool:
        """Rebuild the index if the store changed; returns whether it did."""
        with self._lock:
            if not force and time.monotonic() - self._checked < self.interval:
                return False
            rebuilt = ensure_index(self.store, self.path)
            self._checked = time.monotonic()
            if rebuilt or self._index is None:
                self._index = _open(self.path)
            return rebuilt

    def search(self, q: str, limit: int = 20, offset: int = 0, type: str | None = None) -> SearchResult:
        """:func:`search` after making sure the index is current."""
        self.sync()
        with self._lock:
            index = self._index
        return search(self.path, q, limit=limit, offset=offset, type=type, index=index)
