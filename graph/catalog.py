"""The catalog: bodies, territories, topics, responsibilities and initiatives as plain data.

These functions answer the questions of people who do not write SPARQL. They run the named queries of
:mod:`synergraph.graph.queries` with bound values and return dataclasses; lists come as a
:class:`Page` with the total count, so a caller can page through them with ``limit`` and ``offset``.

Validity ("as of") follows the contract: a fact is valid on day D when it has no ``sg:validFrom`` or
``sg:validFrom <= D``, and no ``sg:validUntil`` or ``D <= sg:validUntil``. Containments
(``sg:within``) are read through their ``sg:Containment``; a territory page without a date shows the
state of today.

Examples
--------
>>> store = Store.in_memory()
>>> bodies(store).total
0
>>> try:
...     territory(store, "12060024")
... except NotFound as error:
...     print(error)
Gebiet '12060024' ist nicht bekannt.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import threading
import weakref
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from rdflib import URIRef

from .namespaces import BASE, LEVEL, ROLE, SG, STATUS, TOPIC, resource
from .queries import load_query
from .store import Store

__all__ = [
    "Body",
    "Initiative",
    "InitiativeDetail",
    "InvalidValue",
    "KeyFigure",
    "NotFound",
    "Page",
    "Ref",
    "Responsibility",
    "Snapshot",
    "Territory",
    "TerritoryDetail",
    "Topic",
    "bodies",
    "body",
    "initiative",
    "initiatives",
    "page_path",
    "responsibilities",
    "responsibility",
    "snapshot",
    "store_fingerprint",
    "territories",
    "territory",
    "topics",
]

T = TypeVar("T")

_BODY_CLASS = "http://www.w3.org/ns/org#FormalOrganization"
_TERRITORY_CLASS = str(SG.Territory)
_INITIATIVE_CLASS = str(SG.Initiative)


class NotFound(LookupError):
    """A key or slug names nothing in the store (or nothing valid on the day asked for).

    Attributes
    ----------
    kind : str
        German name of what was looked for ("Gebiet", "Stelle", "Initiative").
    key : str
        The key as given.
    as_of : date or None
        The day asked for, when the thing is known but was not valid on it.

    Examples
    --------
    >>> print(NotFound("Stelle", "amt-alt", datetime.date(2026, 6, 1)))
    Stelle 'amt-alt' galt am 2026-06-01 nicht.
    """

    def __init__(self, kind: str, key: str, as_of: datetime.date | None = None) -> None:
        self.kind = kind
        self.key = key
        self.as_of = as_of
        if as_of is None:
            super().__init__(f"{kind} '{key}' ist nicht bekannt.")
        else:
            super().__init__(f"{kind} '{key}' galt am {as_of.isoformat()} nicht.")


class InvalidValue(ValueError):
    """A filter value is not one of the allowed values.

    Attributes
    ----------
    parameter : str
        The name of the parameter.
    value : str
        The value given.
    allowed : list of str
        What would be valid (may be empty when the list is open, e.g. keys).
    """

    def __init__(self, parameter: str, value: str, allowed: Sequence[str] = ()) -> None:
        self.parameter = parameter
        self.value = value
        self.allowed = list(allowed)
        hint = f"; erlaubt: {', '.join(self.allowed)}" if self.allowed else ""
        super().__init__(f"Parameter '{parameter}': unbekannter Wert '{value}'{hint}")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a longer list: the items, how many there are in all, and where the page starts."""

    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class Ref:
    """A short reference to a resource: IRI, labels, type and the path of its linked-data page."""

    iri: str
    label: str
    label_en: str | None = None
    page: str | None = None
    type: str | None = None
    type_label: str | None = None


@dataclass(frozen=True)
class Body:
    """An organisation: public body, or partner such as a university, company or association."""

    iri: str
    slug: str
    label: str
    label_en: str | None
    page: str | None
    type: str | None
    type_label: str | None
    level: Ref | None
    abbreviation: str | None
    territory: Ref | None
    parent: Ref | None
    homepage: str | None
    valid_from: str | None = None
    valid_until: str | None = None


@dataclass(frozen=True)
class Territory:
    """A territory with its official key and figures."""

    iri: str
    key: str
    label: str
    label_en: str | None
    page: str | None
    type: str | None
    type_label: str | None
    ags: str | None
    regional_key: str | None
    population: int | None
    population_date: str | None
    area: float | None


@dataclass(frozen=True)
class TerritoryDetail(Territory):
    """A territory with what it contains directly and the chain of territories containing it."""

    as_of: str = ""
    contains: list[Ref] = field(default_factory=list)
    within: list[Ref] = field(default_factory=list)


@dataclass(frozen=True)
class Topic:
    """A topic of the topic scheme with its broader and narrower topics (IRIs)."""

    iri: str
    slug: str
    label: str
    label_en: str | None
    page: str | None
    broader: list[str]
    narrower: list[str]


@dataclass(frozen=True)
class Responsibility:
    """Who is responsible for which topic in which territory, in which role, and when.

    ``inherited`` is true when the responsibility belongs to a territory containing the one asked for.
    """

    iri: str
    label: str
    label_en: str | None
    page: str | None
    holder: Ref
    topic: Ref
    territory: Ref
    role: Ref
    valid_from: str | None
    valid_until: str | None
    known_valid_on: str | None
    legal_basis: str | None
    source: Ref | None
    inherited: bool = False


@dataclass(frozen=True)
class Initiative:
    """A programme, project, network, event series or event."""

    iri: str
    slug: str
    label: str
    label_en: str | None
    page: str | None
    type: str | None
    type_label: str | None
    status: Ref | None
    start_date: str | None
    end_date: str | None
    description: str | None
    topics: list[Ref]
    territories: list[Ref]
    lead_bodies: list[Ref]
    partners: list[Ref]
    funders: list[Ref]
    target_groups: list[Ref]
    source: Ref | None


@dataclass(frozen=True)
class KeyFigure:
    """A number about an initiative."""

    iri: str
    label: str | None
    label_en: str | None
    page: str | None
    value: float | int | str | None
    unit: str | None
    reference_period: str | None


@dataclass(frozen=True)
class InitiativeDetail(Initiative):
    """An initiative with its key figures, predecessor and series."""

    key_figures: list[KeyFigure] = field(default_factory=list)
    successor_of: list[Ref] = field(default_factory=list)
    is_part_of: list[Ref] = field(default_factory=list)


# -- helpers ---------------------------------------------------------------------------------------


def page_path(iri: str) -> str | None:
    """The path of a resource's linked-data page on this service, or None for foreign IRIs.

    >>> page_path("https://w3id.org/synergraph/id/territory/12060024")
    '/id/territory/12060024'
    """
    if iri.startswith(BASE):
        return "/" + iri[len(BASE) :]
    return None


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1]


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def _as_date(value: Any, end: bool) -> datetime.date | None:
    """A date for comparisons; an xsd:gYear counts as its first (start) or last (end) day."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value)
    if re.fullmatch(r"\d{4}", text):
        return datetime.date(int(text), 12, 31) if end else datetime.date(int(text), 1, 1)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = int(text[:4]), int(text[5:])
        if not end:
            return datetime.date(year, month, 1)
        following = datetime.date(year + month // 12, month % 12 + 1, 1)
        return following - datetime.timedelta(days=1)
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _valid_on(day: datetime.date | None, start: Any, end: Any) -> bool:
    if day is None:
        return True
    first, last = _as_date(start, end=False), _as_date(end, end=True)
    return (first is None or first <= day) and (last is None or day <= last)


def _paginate(items: list[T], limit: int, offset: int) -> Page[T]:
    return Page(items[offset : offset + limit], len(items), limit, offset)


def _fold(text: str) -> str:
    return text.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")


# -- snapshot of labels, types and containments ---------------------------------------------------


def store_fingerprint(store: Store) -> str:
    """A digest of the store's state: the catalog of loaded graphs and the number of quads.

    It changes whenever a file is loaded or a graph is otherwise changed in size, so caches and the
    search index know when to rebuild.

    >>> len(store_fingerprint(Store.in_memory()))
    64
    """
    rows = store.select(load_query("catalog_state"))
    parts = sorted(f"{row.get('graph')}|{row.get('checksum')}|{_iso(row.get('modified'))}" for row in rows)
    parts.append(f"quads={len(store)}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


@dataclass
class _Link:
    child: str
    parent: str
    valid_from: Any
    valid_until: Any


class Snapshot:
    """Labels, types, class hierarchy and containment links of a store, read once per store state.

    Parameters
    ----------
    store : Store
    """

    def __init__(self, store: Store) -> None:
        self.labels: dict[str, dict[str, str]] = defaultdict(dict)
        for row in store.select(load_query("labels")):
            # rdfs:label/skos:prefLabel win over dcterms:title; the first label per language is kept
            lang = str(row.get("lang") or "")
            slot = lang if row["kind"] == "label" else f"title:{lang}"
            self.labels[row["item"]].setdefault(slot, str(row["label"]))
        self.types: dict[str, set[str]] = defaultdict(set)
        for row in store.select(load_query("types")):
            self.types[row["item"]].add(row["type"])
        self.supers: dict[str, set[str]] = defaultdict(set)
        self.class_labels: dict[str, str] = {}
        for row in store.select(load_query("class_hierarchy")):
            if "super" in row:
                self.supers[row["class"]].add(row["super"])
            if "label" in row:
                self.class_labels.setdefault(row["class"], str(row["label"]))
        self._ancestors: dict[str, frozenset[str]] = {}
        self.parents: dict[str, list[_Link]] = defaultdict(list)
        self.children: dict[str, list[_Link]] = defaultdict(list)
        for row in store.select(load_query("territory_parents")):
            link = _Link(row["child"], row["parent"], row.get("validFrom"), row.get("validUntil"))
            self.parents[link.child].append(link)
            self.children[link.parent].append(link)

    # classes
    def superclasses(self, cls: str) -> frozenset[str]:
        """The class and all its superclasses."""
        if cls not in self._ancestors:
            seen = {cls}
            todo = [cls]
            while todo:
                for sup in self.supers.get(todo.pop(), ()):
                    if sup not in seen:
                        seen.add(sup)
                        todo.append(sup)
            self._ancestors[cls] = frozenset(seen)
        return self._ancestors[cls]

    def is_a(self, iri: str, cls: str) -> bool:
        """Whether ``iri`` is an instance of ``cls`` or of one of its subclasses."""
        return any(cls in self.superclasses(t) for t in self.types.get(iri, ()))

    def instances(self, cls: str) -> list[str]:
        """All instances of ``cls`` (subclasses included)."""
        return [iri for iri in self.types if self.is_a(iri, cls)]

    def most_specific_type(self, iri: str) -> str | None:
        """The asserted type with no other asserted type below it (Synergraph classes first)."""
        types = self.types.get(iri, set())
        candidates = [t for t in types if not any(o != t and t in self.superclasses(o) for o in types)]
        candidates.sort(key=lambda t: (not t.startswith(BASE), t))
        return candidates[0] if candidates else None

    # labels
    def label(self, iri: str, lang: str = "de") -> str | None:
        """The label in ``lang`` (German falls back to untagged, then to any label)."""
        labels = self.labels.get(iri, {})
        for slot in (lang, f"title:{lang}"):
            if slot in labels:
                return labels[slot]
        if lang == "de":
            for slot in ("", "title:", *sorted(labels)):
                if slot in labels:
                    return labels[slot]
        return None

    def ref(self, iri: str) -> Ref:
        """A :class:`Ref` for ``iri`` (the label falls back to the IRI's last segment)."""
        kind = self.most_specific_type(iri)
        return Ref(
            iri=iri,
            label=self.label(iri) or _local(iri),
            label_en=self.label(iri, "en"),
            page=page_path(iri),
            type=_local(kind) if kind else None,
            type_label=self.class_labels.get(kind) if kind else None,
        )

    def known(self, iri: str) -> bool:
        """Whether the store says anything typed or labelled about ``iri``."""
        return iri in self.types or iri in self.labels

    # containment
    def parents_on(self, iri: str, day: datetime.date | None) -> list[str]:
        """The territories directly containing ``iri`` on ``day`` (None: at any time)."""
        return sorted(
            {
                link.parent
                for link in self.parents.get(iri, ())
                if _valid_on(day, link.valid_from, link.valid_until)
            }
        )

    def children_on(self, iri: str, day: datetime.date | None) -> list[str]:
        """The territories ``iri`` directly contains on ``day`` (None: at any time)."""
        return sorted(
            {
                link.child
                for link in self.children.get(iri, ())
                if _valid_on(day, link.valid_from, link.valid_until)
            }
        )

    def _walk(self, start: str, step: Callable[[str], list[str]]) -> list[str]:
        seen = {start}
        order: list[str] = []
        queue = deque([start])
        while queue:
            for nxt in step(queue.popleft()):
                if nxt not in seen:
                    seen.add(nxt)
                    order.append(nxt)
                    queue.append(nxt)
        return order

    def ancestors(self, iri: str, day: datetime.date | None) -> list[str]:
        """All territories containing ``iri`` on ``day``, nearest first.

        A Gemeinde may lie directly in its Kreis and in an Amt that lies in the same Kreis; the Amt
        comes first because more territories contain it.
        """

        def step(t: str) -> list[str]:
            return self.parents_on(t, day)

        found = self._walk(iri, step)
        depth = {a: len(self._walk(a, step)) for a in found}
        return sorted(found, key=lambda a: (-depth[a], found.index(a)))

    def descendants(self, iri: str, day: datetime.date | None) -> list[str]:
        """All territories inside ``iri`` on ``day``, nearest first."""
        return self._walk(iri, lambda t: self.children_on(t, day))


_SNAPSHOTS: weakref.WeakKeyDictionary[Store, tuple[str, Snapshot]] = weakref.WeakKeyDictionary()
_SNAPSHOT_LOCK = threading.Lock()


def snapshot(store: Store) -> Snapshot:
    """The :class:`Snapshot` of the store's current state (rebuilt when the state changed)."""
    state = store_fingerprint(store)
    with _SNAPSHOT_LOCK:
        cached = _SNAPSHOTS.get(store)
        if cached and cached[0] == state:
            return cached[1]
    built = Snapshot(store)
    with _SNAPSHOT_LOCK:
        _SNAPSHOTS[store] = (state, built)
    return built


# -- resolving user input --------------------------------------------------------------------------


def _territory_iri(store: Store, snap: Snapshot, key: str, parameter: str | None = None) -> str:
    """The IRI of the territory with this key (AGS, Regionalschlüssel, 'de' or slug)."""
    candidate = str(resource("territory", key)) if re.fullmatch(r"[A-Za-z0-9_-]+", key) else ""
    if candidate and snap.is_a(candidate, _TERRITORY_CLASS):
        return candidate
    rows = store.select(load_query("territory_by_key"), key=key, iri=URIRef(candidate or BASE + "none"))
    for row in rows:
        if snap.is_a(row["territory"], _TERRITORY_CLASS):
            return str(row["territory"])
    if parameter:
        raise InvalidValue(parameter, key)
    raise NotFound("Gebiet", key)


def _concept(snap: Snapshot, namespace: str, slug: str, parameter: str) -> str:
    iri = namespace + slug
    if snap.known(iri):
        return iri
    allowed = sorted(
        _local(i) for i in snap.labels if i.startswith(namespace) and "/" not in i[len(namespace) :]
    )
    raise InvalidValue(parameter, slug, allowed)


def _class(snap: Snapshot, name: str, root: str, parameter: str) -> str:
    iri = str(SG) + name
    if root in snap.superclasses(iri):
        return iri
    allowed = sorted(_local(c) for c in snap.supers if c.startswith(str(SG)) and root in snap.superclasses(c))
    raise InvalidValue(parameter, name, allowed)


def _body_iri(snap: Snapshot, slug: str, parameter: str | None = None) -> str:
    iri = str(resource("body", slug))
    if snap.is_a(iri, _BODY_CLASS):
        return iri
    if parameter:
        raise InvalidValue(parameter, slug)
    raise NotFound("Stelle", slug)


def _narrower(store: Store, topic_iri: str) -> set[str]:
    return {row["narrower"] for row in store.select(load_query("topic_narrower"), topic=URIRef(topic_iri))}


def _today() -> datetime.date:
    return datetime.date.today()


# -- bodies ----------------------------------------------------------------------------------------


def _bodies(store: Store, snap: Snapshot, **bindings: Any) -> list[Body]:
    rows: dict[str, dict[str, Any]] = {}
    for row in store.select(load_query("bodies"), **bindings):
        rows.setdefault(row["body"], row)
    result = []
    for iri, row in rows.items():
        kind = snap.most_specific_type(iri)
        result.append(
            Body(
                iri=iri,
                slug=_local(iri),
                label=snap.label(iri) or _local(iri),
                label_en=snap.label(iri, "en"),
                page=page_path(iri),
                type=_local(kind) if kind else None,
                type_label=snap.class_labels.get(kind) if kind else None,
                level=snap.ref(row["level"]) if "level" in row else None,
                abbreviation=row.get("abbreviation"),
                territory=snap.ref(row["spatial"]) if "spatial" in row else None,
                parent=snap.ref(row["parent"]) if "parent" in row else None,
                homepage=row.get("homepage"),
                valid_from=_iso(row.get("validFrom")),
                valid_until=_iso(row.get("validUntil")),
            )
        )
    result.sort(key=lambda b: (_fold(b.label), b.iri))
    return result


def bodies(
    store: Store,
    level: str | None = None,
    type: str | None = None,
    q: str | None = None,
    as_of: datetime.date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Body]:
    """Organisations, optionally of one level, one type (with its subclasses), matching ``q`` or valid
    on a day.

    Parameters
    ----------
    store : Store
    level : str, optional
        Level slug: bund, land, kreis, amt, gemeinde.
    type : str, optional
        Class name below org:FormalOrganization, e.g. ``StateMinistry``.
    q : str, optional
        Part of the label or abbreviation (case, umlauts and ß folded).
    as_of : date, optional
        Only bodies valid on this day (``sg:validFrom``/``sg:validUntil``; a dissolved
        administration has its last day). None: at any time.
    limit, offset : int
        The page.

    Raises
    ------
    InvalidValue
        ``level`` or ``type`` is not known.

    Examples
    --------
    >>> bodies(Store.in_memory(), limit=10).items
    []
    """
    snap = snapshot(store)
    found = _bodies(store, snap)
    if level:
        level_iri = _concept(snap, str(LEVEL), level, "level")
        found = [b for b in found if b.level is not None and b.level.iri == level_iri]
    if type:
        cls = _class(snap, type, _BODY_CLASS, "type")
        found = [b for b in found if snap.is_a(b.iri, cls)]
    if q:
        needle = _fold(q)
        found = [
            b
            for b in found
            if needle in _fold(b.label)
            or needle in _fold(b.abbreviation or "")
            or needle in _fold(b.label_en or "")
        ]
    if as_of:
        found = [b for b in found if _valid_on(as_of, b.valid_from, b.valid_until)]
    return _paginate(found, limit, offset)


def body(store: Store, slug: str, as_of: datetime.date | None = None) -> Body:
    """One organisation by the slug of its IRI (``id/body/{slug}``); an ended one too, unless
    ``as_of`` names a day on which it was not valid.

    Raises
    ------
    NotFound
        No organisation has this slug, or it was not valid on ``as_of``.

    Examples
    --------
    >>> try:
    ...     body(Store.in_memory(), "mdjd")
    ... except NotFound as error:
    ...     print(error)
    Stelle 'mdjd' ist nicht bekannt.
    """
    snap = snapshot(store)
    iri = _body_iri(snap, slug)
    found = _bodies(store, snap, body=URIRef(iri))[0]
    if not _valid_on(as_of, found.valid_from, found.valid_until):
        raise NotFound("Stelle", slug, as_of)
    return found


# -- territories -----------------------------------------------------------------------------------


def _territory_rows(store: Store, snap: Snapshot, **bindings: Any) -> list[Territory]:
    rows: dict[str, dict[str, Any]] = {}
    for row in store.select(load_query("territories"), **bindings):
        rows.setdefault(row["territory"], row)
    result = []
    for iri, row in rows.items():
        kind = snap.most_specific_type(iri)
        key = row.get("ags") or row.get("regionalKey") or _local(iri)
        area = row.get("area")
        result.append(
            Territory(
                iri=iri,
                key=str(key),
                label=snap.label(iri) or _local(iri),
                label_en=snap.label(iri, "en"),
                page=page_path(iri),
                type=_local(kind) if kind else None,
                type_label=snap.class_labels.get(kind) if kind else None,
                ags=row.get("ags"),
                regional_key=row.get("regionalKey"),
                population=int(row["population"]) if isinstance(row.get("population"), int) else None,
                population_date=_iso(row.get("populationDate")),
                area=float(area) if area is not None and not isinstance(area, str) else None,
            )
        )
    result.sort(key=lambda t: (t.key, t.iri))
    return result


def territories(
    store: Store,
    type: str | None = None,
    within: str | None = None,
    as_of: datetime.date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Territory]:
    """Territories, optionally of one type (with subclasses) or inside the territory ``within``.

    Parameters
    ----------
    store : Store
    type : str, optional
        Class name below sg:Territory, e.g. ``Municipality`` or ``Amt``.
    within : str, optional
        Key of a territory; only territories inside it (at any depth) on ``as_of`` are listed.
    as_of : date, optional
        Day for the containments (default: today).
    limit, offset : int
        The page.

    Raises
    ------
    InvalidValue
        ``type`` or ``within`` is not known.

    Examples
    --------
    >>> territories(Store.in_memory()).total
    0
    """
    snap = snapshot(store)
    found = _territory_rows(store, snap)
    if type:
        cls = _class(snap, type, _TERRITORY_CLASS, "type")
        found = [t for t in found if snap.is_a(t.iri, cls)]
    if within:
        parent = _territory_iri(store, snap, within, parameter="within")
        inside = set(snap.descendants(parent, as_of or _today()))
        found = [t for t in found if t.iri in inside]
    return _paginate(found, limit, offset)


def territory(store: Store, key: str, as_of: datetime.date | None = None) -> TerritoryDetail:
    """One territory by its key, with its direct parts and the chain of territories containing it.

    Parameters
    ----------
    store : Store
    key : str
        AGS (Gemeinde, Kreis, Land), Regionalschlüssel (Gemeindeverband), ``de`` or a slug.
    as_of : date, optional
        Day for which containments count (default: today).

    Raises
    ------
    NotFound
        No territory has this key.

    Examples
    --------
    >>> try:
    ...     territory(Store.in_memory(), "de")
    ... except NotFound as error:
    ...     print(error)
    Gebiet 'de' ist nicht bekannt.
    """
    snap = snapshot(store)
    iri = _territory_iri(store, snap, key)
    day = as_of or _today()
    base = _territory_rows(store, snap, territory=URIRef(iri))[0]
    return TerritoryDetail(
        **{f: getattr(base, f) for f in Territory.__dataclass_fields__},
        as_of=day.isoformat(),
        contains=sorted(
            (snap.ref(c) for c in snap.children_on(iri, day)), key=lambda r: (_fold(r.label), r.iri)
        ),
        within=[snap.ref(a) for a in snap.ancestors(iri, day)],
    )


# -- topics ----------------------------------------------------------------------------------------


def topics(store: Store) -> list[Topic]:
    """The topic scheme as a list of topics, each with its broader and narrower topics.

    Examples
    --------
    >>> topics(Store.in_memory())
    []
    """
    snap = snapshot(store)
    broader: dict[str, set[str]] = defaultdict(set)
    narrower: dict[str, set[str]] = defaultdict(set)
    seen: set[str] = set()
    for row in store.select(load_query("topics")):
        seen.add(row["topic"])
        if "broader" in row:
            broader[row["topic"]].add(row["broader"])
            narrower[row["broader"]].add(row["topic"])
    result = [
        Topic(
            iri=iri,
            slug=_local(iri),
            label=snap.label(iri) or _local(iri),
            label_en=snap.label(iri, "en"),
            page=page_path(iri),
            broader=sorted(broader[iri]),
            narrower=sorted(narrower[iri]),
        )
        for iri in seen
    ]
    result.sort(key=lambda t: (_fold(t.label), t.iri))
    return result


# -- responsibilities ------------------------------------------------------------------------------


def _responsibility(snap: Snapshot, row: dict[str, Any], inherited: bool = False) -> Responsibility:
    return Responsibility(
        iri=row["responsibility"],
        label=snap.label(row["responsibility"])
        or f"{snap.ref(row['holder']).label}: {snap.ref(row['topic']).label}",
        label_en=snap.label(row["responsibility"], "en"),
        page=page_path(row["responsibility"]),
        holder=snap.ref(row["holder"]),
        topic=snap.ref(row["topic"]),
        territory=snap.ref(row["territory"]),
        role=snap.ref(row["role"]),
        valid_from=_iso(row.get("validFrom")),
        valid_until=_iso(row.get("validUntil")),
        known_valid_on=_iso(row.get("knownValidOn")),
        legal_basis=row.get("legalBasis"),
        source=snap.ref(row["source"]) if "source" in row else None,
        inherited=inherited,
    )


def responsibilities(
    store: Store,
    topic: str | None = None,
    exact: bool = False,
    territory: str | None = None,
    include_containing: bool = True,
    role: str | None = None,
    holder: str | None = None,
    as_of: datetime.date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Responsibility]:
    """Responsibilities, filtered by topic, territory, role, holder and day.

    Parameters
    ----------
    store : Store
    topic : str, optional
        Topic slug; narrower topics count too unless ``exact``.
    exact : bool
        Only the topic itself.
    territory : str, optional
        Territory key. With ``include_containing`` (default) the responsibilities of every territory
        containing it (on ``as_of``, default today) are listed too, marked ``inherited``.
    role : str, optional
        Role slug (federfuehrend, beteiligt, ...).
    holder : str, optional
        Body slug.
    as_of : date, optional
        Only responsibilities valid on this day.
    limit, offset : int
        The page.

    Raises
    ------
    InvalidValue
        A filter names nothing known; its ``parameter`` says which.

    Examples
    --------
    >>> responsibilities(Store.in_memory()).total
    0
    """
    snap = snapshot(store)
    bindings: dict[str, Any] = {}
    topics_wanted: set[str] | None = None
    if topic:
        topic_iri = _concept(snap, str(TOPIC), topic, "topic")
        topics_wanted = {topic_iri} if exact else _narrower(store, topic_iri)
    if role:
        bindings["role"] = URIRef(_concept(snap, str(ROLE), role, "role"))
    if holder:
        bindings["holder"] = URIRef(_body_iri(snap, holder, parameter="holder"))
    places: list[str] | None = None
    if territory:
        place = _territory_iri(store, snap, territory, parameter="territory")
        places = [place] + (snap.ancestors(place, as_of or _today()) if include_containing else [])
    found = []
    for row in store.select(load_query("responsibilities"), **bindings):
        if topics_wanted is not None and row["topic"] not in topics_wanted:
            continue
        if places is not None and row["territory"] not in places:
            continue
        if not _valid_on(as_of, row.get("validFrom"), row.get("validUntil")):
            continue
        inherited = places is not None and row["territory"] != places[0]
        found.append((places.index(row["territory"]) if places else 0, _responsibility(snap, row, inherited)))
    unique = {r.iri: (depth, r) for depth, r in found}
    ordered = sorted(
        unique.values(), key=lambda d: (d[0], _fold(d[1].topic.label), _fold(d[1].holder.label), d[1].iri)
    )
    return _paginate([r for _, r in ordered], limit, offset)


def responsibility(store: Store, slug: str, as_of: datetime.date | None = None) -> Responsibility:
    """One responsibility by the slug of its IRI (``id/responsibility/{slug}``); an ended one too,
    unless ``as_of`` names a day on which it was not valid.

    Raises
    ------
    NotFound
        No responsibility has this slug, or it was not valid on ``as_of``.

    Examples
    --------
    >>> try:
    ...     responsibility(Store.in_memory(), "ki-barnim")
    ... except NotFound as error:
    ...     print(error)
    Zuständigkeit 'ki-barnim' ist nicht bekannt.
    """
    snap = snapshot(store)
    iri = str(resource("responsibility", slug))
    # known first: a slug that makes no IRI must not reach the query as a binding
    rows = store.select(load_query("responsibilities"), responsibility=URIRef(iri)) if snap.known(iri) else []
    if not rows:
        raise NotFound("Zuständigkeit", slug)
    if not _valid_on(as_of, rows[0].get("validFrom"), rows[0].get("validUntil")):
        raise NotFound("Zuständigkeit", slug, as_of)
    return _responsibility(snap, rows[0])


# -- initiatives -----------------------------------------------------------------------------------


def _initiatives(
    store: Store, snap: Snapshot, **bindings: Any
) -> list[tuple[Initiative, dict[str, Any], dict[str, list[str]]]]:
    rows: dict[str, dict[str, Any]] = {}
    for row in store.select(load_query("initiatives"), **bindings):
        rows.setdefault(row["initiative"], row)
    link_bindings = {k: v for k, v in bindings.items() if k == "initiative"}
    links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in store.select(load_query("initiative_links"), **link_bindings):
        if row["target"] not in links[row["initiative"]][row["relation"]]:
            links[row["initiative"]][row["relation"]].append(row["target"])
    result = []
    for iri, row in rows.items():
        kind = snap.most_specific_type(iri)
        linked = links[iri]

        def refs(relation: str, linked: dict[str, list[str]] = linked) -> list[Ref]:
            return sorted(
                (snap.ref(t) for t in linked.get(relation, [])), key=lambda r: (_fold(r.label), r.iri)
            )

        result.append(
            (
                Initiative(
                    iri=iri,
                    slug=_local(iri),
                    label=snap.label(iri) or _local(iri),
                    label_en=snap.label(iri, "en"),
                    page=page_path(iri),
                    type=_local(kind) if kind else None,
                    type_label=snap.class_labels.get(kind) if kind else None,
                    status=snap.ref(row["status"]) if "status" in row else None,
                    start_date=_iso(row.get("startDate")),
                    end_date=_iso(row.get("endDate")),
                    description=row.get("description"),
                    topics=refs("topic"),
                    territories=refs("territory"),
                    lead_bodies=refs("lead"),
                    partners=refs("partner"),
                    funders=refs("funder"),
                    target_groups=refs("targetGroup"),
                    source=snap.ref(row["source"]) if "source" in row else None,
                ),
                row,
                linked,
            )
        )
    result.sort(key=lambda r: (_fold(r[0].label), r[0].iri))
    return result


def initiatives(
    store: Store,
    topic: str | None = None,
    exact: bool = False,
    territory: str | None = None,
    status: str | None = None,
    body: str | None = None,
    as_of: datetime.date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Initiative]:
    """Initiatives, filtered by topic, territory, status, body and day.

    Parameters
    ----------
    store : Store
    topic : str, optional
        Topic slug; initiatives on narrower topics count too unless ``exact``.
    exact : bool
        Only the topic itself.
    territory : str, optional
        Territory key; initiatives for it or any territory inside it are listed.
    status : str, optional
        Status slug: geplant, laufend, abgeschlossen.
    body : str, optional
        Body slug; initiatives it leads, is a partner of or funds.
    as_of : date, optional
        Only initiatives running on this day (start and end date; a year counts as a whole year).
    limit, offset : int
        The page.

    Raises
    ------
    InvalidValue
        A filter names nothing known; its ``parameter`` says which.

    Examples
    --------
    >>> initiatives(Store.in_memory(), limit=5).items
    []
    """
    snap = snapshot(store)
    status_iri = _concept(snap, str(STATUS), status, "status") if status else None
    topics_wanted: set[str] | None = None
    if topic:
        topic_iri = _concept(snap, str(TOPIC), topic, "topic")
        topics_wanted = {topic_iri} if exact else _narrower(store, topic_iri)
    places: set[str] | None = None
    if territory:
        place = _territory_iri(store, snap, territory, parameter="territory")
        places = {place, *snap.descendants(place, as_of)}
    body_iri = _body_iri(snap, body, parameter="body") if body else None
    found = []
    for item, row, linked in _initiatives(store, snap):
        if status_iri and (item.status is None or item.status.iri != status_iri):
            continue
        if topics_wanted is not None and not topics_wanted.intersection(linked.get("topic", [])):
            continue
        if places is not None and not places.intersection(linked.get("territory", [])):
            continue
        if body_iri and body_iri not in (
            linked.get("lead", []) + linked.get("partner", []) + linked.get("funder", [])
        ):
            continue
        if not _valid_on(as_of, row.get("startDate"), row.get("endDate")):
            continue
        found.append(item)
    return _paginate(found, limit, offset)


def initiative(store: Store, slug: str, as_of: datetime.date | None = None) -> InitiativeDetail:
    """One initiative by its slug, with key figures, predecessor and series; a completed one too,
    unless ``as_of`` names a day on which it was not running (start and end date).

    Raises
    ------
    NotFound
        No initiative has this slug, or it was not running on ``as_of``.

    Examples
    --------
    >>> try:
    ...     initiative(Store.in_memory(), "x")
    ... except NotFound as error:
    ...     print(error)
    Initiative 'x' ist nicht bekannt.
    """
    snap = snapshot(store)
    iri = str(resource("initiative", slug))
    if not snap.is_a(iri, _INITIATIVE_CLASS):
        raise NotFound("Initiative", slug)
    item, row, _ = _initiatives(store, snap, initiative=URIRef(iri))[0]
    if not _valid_on(as_of, row.get("startDate"), row.get("endDate")):
        raise NotFound("Initiative", slug, as_of)
    figures: dict[str, KeyFigure] = {}
    for fig in store.select(load_query("key_figures"), initiative=URIRef(iri)):
        value = fig.get("value")
        figures.setdefault(
            fig["figure"],
            KeyFigure(
                iri=fig["figure"],
                label=fig.get("label"),
                label_en=snap.label(fig["figure"], "en"),
                page=page_path(fig["figure"]),
                value=float(value)
                if value is not None and not isinstance(value, (int, float, str))
                else value,
                unit=fig.get("unit"),
                reference_period=fig.get("referencePeriod"),
            ),
        )
    return InitiativeDetail(
        **{f: getattr(item, f) for f in Initiative.__dataclass_fields__},
        key_figures=list(figures.values()),
        successor_of=[snap.ref(str(row["successorOf"]))] if "successorOf" in row else [],
        is_part_of=[snap.ref(str(row["isPartOf"]))] if "isPartOf" in row else [],
    )
