"""Everything the store says about one IRI, as plain data for its page.

A resource's page shows its labels, types, properties, outgoing and incoming links with the labels
of the linked resources, its sources and its history (validity, the change events that created or
ended it, and the recorded writes that touched the graphs holding it). This module gathers that
with the named queries ``graph/queries/resource_*.rq`` (and ``vocabulary_terms.rq`` for the
vocabulary); the IRI is always bound as a value, never pasted into query text.

Examples
--------
>>> from synergraph.graph.store import Store
>>> store = Store.in_memory()
>>> store.update('INSERT DATA { <https://w3id.org/synergraph/id/territory/1> rdfs:label "Eins"@de ; '
...              'sg:within <https://w3id.org/synergraph/id/territory/2> . '
...              '<https://w3id.org/synergraph/id/territory/2> rdfs:label "Zwei"@de, "Two"@en }')
>>> view = describe(store, "https://w3id.org/synergraph/id/territory/1")
>>> view.label, [link.target_label for link in view.links]
('Eins', ['Zwei'])
>>> describe(store, "https://w3id.org/synergraph/id/territory/nirgendwo") is None
True
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef

from .history import HISTORY_GRAPH
from .namespaces import PREFIXES
from .queries import load_query
from .store import Store

__all__ = [
    "INCOMING_LIMIT",
    "Activity",
    "Link",
    "Literal",
    "ResourceView",
    "SourceRef",
    "VocabularyTerm",
    "describe",
    "label_of_iri",
    "vocabulary",
]

INCOMING_LIMIT = 300
"""At most this many incoming links are listed on a page (the total is always counted); the query
``resource_incoming`` reads six label rows for each of them."""

_LANG_ORDER = {"de": 0, "en": 1, "": 2}

_VALIDITY = {PREFIXES["sg"] + name for name in ("validFrom", "validUntil", "knownValidOn")}
_SOURCE = PREFIXES["dcterms"] + "source"


@dataclass(frozen=True)
class Literal:
    """A literal value with its language or datatype."""

    text: str
    lang: str = ""
    datatype: str = ""


@dataclass(frozen=True)
class Link:
    """One statement linking to or from another resource (or to a literal)."""

    predicate: str
    predicate_label: str
    target: str | None = None
    target_label: str = ""
    literal: Literal | None = None


@dataclass(frozen=True)
class SourceRef:
    """A source document that backs the resource's facts."""

    iri: str
    title: str
    page: str | None
    local_copy: str | None
    example: bool


@dataclass(frozen=True)
class Activity:
    """One entry of the resource's history, newest first."""

    kind: str
    when: str
    what: str
    iri: str | None = None
    label: str = ""


@dataclass
class ResourceView:
    """What a page shows about one IRI."""

    iri: str
    label: str
    labels: dict[str, list[str]]
    types: list[Link]
    properties: list[Link]
    links: list[Link]
    incoming: list[Link]
    incoming_total: int
    sources: list[SourceRef]
    history: list[Activity]
    graphs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class VocabularyTerm:
    """A class, property or concept scheme of the vocabulary."""

    iri: str
    kind: str
    label: str
    label_en: str
    definition: str


def label_of_iri(iri: str) -> str:
    """A readable fallback label: the IRI's last path segment or fragment, or a prefixed name.

    >>> label_of_iri("https://w3id.org/synergraph/def/within")
    'sg:within'
    >>> label_of_iri("https://example.org/a/b")
    'b'
    """
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best = namespace
            name = f"{prefix}:{iri[len(namespace):]}"
    if best and "/" not in iri[len(best):]:
        return name
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri


def _best(candidates: list[tuple[str, str]], fallback: str) -> str:
    """The German label if there is one, else English, else one without language."""
    ranked = sorted(candidates, key=lambda c: (_LANG_ORDER.get(c[1], 3), c[0]))
    return ranked[0][0] if ranked else fallback


def _group(rows: list[dict[str, Any]], key: tuple[str, ...], label: str, lang: str) -> dict[tuple[Any, ...], list[tuple[str, str]]]:
    grouped: dict[tuple[Any, ...], list[tuple[str, str]]] = defaultdict(list)
    for row in rows:
        entry = grouped[tuple(row.get(k) for k in key)]
        if label in row:
            entry.append((str(row[label]), str(row.get(lang, ""))))
    return grouped


def describe(store: Store, iri: str) -> ResourceView | None:
    """Everything the store says about ``iri``, or None when it does not mention it at all.

    Parameters
    ----------
    store : Store
        The store to read.
    iri : str
        The resource's IRI.

    Returns
    -------
    ResourceView or None
        Labels by language, types, literal properties, outgoing and incoming links (with the labels
        of predicates and linked resources, German first), sources and history.

    Examples
    --------
    >>> from synergraph.graph.store import Store
    >>> store = Store.in_memory()
    >>> store.update('INSERT DATA { <https://w3id.org/synergraph/id/territory/1> '
    ...              'sg:within <https://w3id.org/synergraph/id/territory/2> . '
    ...              '<https://w3id.org/synergraph/id/territory/2> rdfs:label "Zwei"@de }')
    >>> view = describe(store, "https://w3id.org/synergraph/id/territory/2")
    >>> [(link.predicate_label, link.target_label) for link in view.incoming]
    [('sg:within', '1')]
    >>> describe(store, "no IRI") is None
    True
    """
    try:
        ox.NamedNode(iri)
    except ValueError:
        return None  # not an IRI, so nothing the store can say about it
    node = URIRef(iri)
    if not store.ask(load_query("resource_known"), item=node):
        return None
    rows = store.select(load_query("resource_outgoing"), item=node)
    predicate_labels = _group(rows, ("p",), "plabel", "plang")
    object_labels = _group(rows, ("o",), "olabel", "olang")
    labels: dict[str, list[str]] = defaultdict(list)
    types: list[Link] = []
    properties: list[Link] = []
    links: list[Link] = []
    seen: set[tuple[str, str]] = set()
    label_properties = {PREFIXES["rdfs"] + "label", PREFIXES["skos"] + "prefLabel", PREFIXES["dcterms"] + "title"}
    for row in rows:
        p, text = str(row["p"]), str(row["text"])
        if (p, text + "@" + str(row.get("lang", ""))) in seen:
            continue
        seen.add((p, text + "@" + str(row.get("lang", ""))))
        plabel = _best(predicate_labels[(row["p"],)], label_of_iri(p))
        if row["isIri"]:
            link = Link(p, plabel, text, _best(object_labels[(row["o"],)], label_of_iri(text)))
            (types if p == PREFIXES["rdf"] + "type" else links).append(link)
        else:
            literal = Literal(text, str(row.get("lang", "")), str(row.get("datatype", "")))
            if p in label_properties and text not in labels[literal.lang]:
                labels[literal.lang].append(text)
            properties.append(Link(p, plabel, literal=literal))
    label = _best([(text, lang) for lang, texts in labels.items() for text in texts], label_of_iri(iri))

    incoming_rows = store.select(load_query("resource_incoming"), item=node)
    in_predicates = _group(incoming_rows, ("p",), "plabel", "plang")
    in_subjects = _group(incoming_rows, ("s",), "slabel", "slang")
    incoming: list[Link] = []
    pairs = list(dict.fromkeys((str(r["s"]), str(r["p"])) for r in incoming_rows))[:INCOMING_LIMIT]
    for s, p in pairs:
        incoming.append(Link(p, _best(in_predicates[(p,)], label_of_iri(p)), s,
                             _best(in_subjects[(s,)], label_of_iri(s))))
    incoming.sort(key=lambda link: (link.predicate_label.lower(), link.target_label.lower()))
    total = int(store.value(load_query("resource_incoming_count"), item=node) or 0)

    sources = _sources(store, node)
    history = _history(store, node, properties)
    graphs = [str(row["graph"]) for row in store.select(load_query("resource_graphs"), item=node)]

    def order(link: Link) -> tuple[str, str]:
        return (link.predicate_label.lower(), link.target_label.lower() if link.target else "")

    return ResourceView(
        iri=iri, label=label, labels=dict(sorted(labels.items(), key=lambda kv: _LANG_ORDER.get(kv[0], 3))),
        types=sorted(types, key=order),
        properties=sorted((p for p in properties if p.predicate not in _VALIDITY), key=order),
        links=sorted((link for link in links if link.predicate != _SOURCE), key=order),
        incoming=incoming, incoming_total=total, sources=sources, history=history, graphs=graphs,
    )


def _sources(store: Store, node: URIRef) -> list[SourceRef]:
    rows = store.select(load_query("resource_sources"), item=node)
    titles = _group(rows, ("source",), "title", "tlang")
    result: dict[str, SourceRef] = {}
    for row in rows:
        source = str(row["source"])
        if source not in result:
            result[source] = SourceRef(source, _best(titles[(row["source"],)], label_of_iri(source)),
                                       row.get("page"), row.get("copy"), bool(row.get("example", False)))
    return sorted(result.values(), key=lambda s: s.title)


def _history(store: Store, node: URIRef, properties: list[Link]) -> list[Activity]:
    """Validity of the resource itself, its memberships, change events and recorded writes."""
    names = {PREFIXES["sg"] + "validFrom": "gültig ab", PREFIXES["sg"] + "validUntil": "gültig bis",
             PREFIXES["sg"] + "knownValidOn": "bestätigt am"}
    history = [Activity("Gültigkeit", p.literal.text, names[p.predicate])
               for p in properties if p.predicate in names and p.literal is not None]

    rows = store.select(load_query("resource_memberships"), item=node)
    container_labels = _group(rows, ("container",), "clabel", "clang")
    seen: set[str] = set()
    for row in rows:
        container = str(row["container"])
        if container in seen:
            continue
        seen.add(container)
        span = f"{row.get('from', '…')} – {row.get('until', 'offen')}"
        if "known" in row:
            span += f" (bestätigt am {row['known']})"
        history.append(Activity("Zugehörigkeit", span, "gehört zu", container,
                                _best(container_labels[(row["container"],)], label_of_iri(container))))

    rows = store.select(load_query("resource_events"), item=node)
    event_labels = _group(rows, ("event",), "elabel", "elang")
    for event, how in dict.fromkeys((str(r["event"]), str(r["how"])) for r in rows):
        date = next((str(r["date"]) for r in rows if str(r["event"]) == event and "date" in r), "")
        history.append(Activity("Neuordnung", date, how, event, _best(event_labels[(event,)], label_of_iri(event))))

    for row in store.select(load_query("resource_activities"), item=node, history=URIRef(HISTORY_GRAPH)):
        what = str(row.get("operation", "Änderung"))
        agent = row.get("agent")
        history.append(Activity("Änderung", str(row["started"]), what if not agent else f"{what} ({agent})",
                                str(row["activity"])))
    return history


def vocabulary(store: Store) -> list[VocabularyTerm]:
    """The classes, properties and concept schemes of the vocabulary, sorted by kind and label.

    >>> from synergraph.graph.store import Store
    >>> store = Store.in_memory()
    >>> store.update('INSERT DATA { sg:Responsibility a owl:Class ; rdfs:label "Zuständigkeit"@de, '
    ...              '"Responsibility"@en ; skos:definition "Wer wofür zuständig ist."@de }')
    >>> [(term.kind, term.label, term.label_en) for term in vocabulary(store)]
    [('Klasse', 'Zuständigkeit', 'Responsibility')]
    """
    rows = store.select(load_query("vocabulary_terms"))
    labels = _group(rows, ("term",), "label", "lang")
    definitions = _group(rows, ("term",), "definition", "dlang")
    terms: dict[str, VocabularyTerm] = {}
    for row in rows:
        iri = str(row["term"])
        if iri in terms:
            continue
        english = [text for text, lang in labels[(row["term"],)] if lang == "en"]
        terms[iri] = VocabularyTerm(iri, str(row["kind"]), _best(labels[(row["term"],)], label_of_iri(iri)),
                                    english[0] if english else "",
                                    _best(definitions[(row["term"],)], ""))
    return sorted(terms.values(), key=lambda t: (t.kind, t.label.lower()))
