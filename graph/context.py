"""What the analyses need to know about the graph around their items: containment, topic hierarchy, labels.

One :class:`AnalysisContext` is read per store state and shared by the overlap rules, the duplicate
detection and the projections. It answers in plain Python: does one territory lie in another
(``sg:within*``, at any time), which Kreis-level area a territory belongs to, is one topic broader
than another (``skos:broader*``), do two periods overlap (validity bounds inclusive, unknown = open).

Examples
--------
>>> context = AnalysisContext.empty()
>>> context.territory_relation("t:a", "t:a")
'same'
>>> overlap_period(datetime.date(2024, 1, 1), None, None, datetime.date(2023, 12, 31))
>>> overlap_period(datetime.date(2024, 1, 1), None, None, datetime.date(2024, 1, 1))
(datetime.date(2024, 1, 1), datetime.date(2024, 1, 1))
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from typing import Any

from .queries import load_query
from .store import Store

__all__ = ["AnalysisContext", "as_date", "overlap_period"]

KREIS_RANK = 3


def as_date(value: Any, end: bool = False) -> datetime.date | None:
    """A date for comparisons; a year (xsd:gYear) counts as its first or (``end``) last day.

    >>> as_date("2021", end=True)
    datetime.date(2021, 12, 31)
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}", text):
        return datetime.date(int(text), 12, 31) if end else datetime.date(int(text), 1, 1)
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return None


def overlap_period(
    start_a: datetime.date | None,
    end_a: datetime.date | None,
    start_b: datetime.date | None,
    end_b: datetime.date | None,
) -> tuple[datetime.date | None, datetime.date | None] | None:
    """The common period of two periods (bounds inclusive, None = open), or None when they are apart.

    >>> overlap_period(None, datetime.date(2026, 12, 31), datetime.date(2024, 7, 1), None)
    (datetime.date(2024, 7, 1), datetime.date(2026, 12, 31))
    """
    if start_a is not None and end_b is not None and start_a > end_b:
        return None
    if start_b is not None and end_a is not None and start_b > end_a:
        return None
    starts = [d for d in (start_a, start_b) if d is not None]
    ends = [d for d in (end_a, end_b) if d is not None]
    return (max(starts) if starts else None, min(ends) if ends else None)


def valid_on(day: datetime.date | None, start: datetime.date | None, end: datetime.date | None) -> bool:
    """Whether a fact valid from ``start`` to ``end`` (inclusive, None = open) holds on ``day``."""
    return day is None or ((start is None or start <= day) and (end is None or day <= end))


class AnalysisContext:
    """Containment of territories, hierarchy of topics and German labels, read once from a store.

    Parameters
    ----------
    store : Store, optional
        Without a store the context is empty (every territory and topic stands alone).
    """

    def __init__(self, store: Store | None = None) -> None:
        self.parents: dict[str, set[str]] = defaultdict(set)
        self.rank: dict[str, int] = {}
        self.broader: dict[str, set[str]] = defaultdict(set)
        self.labels: dict[str, str] = {}
        self._ancestors: dict[str, frozenset[str]] = {}
        self._topic_up: dict[str, frozenset[str]] = {}
        if store is None:
            return
        for row in store.select(load_query("analysis-territories")):
            if "parent" in row:
                self.parents[row["territory"]].add(row["parent"])
            else:
                rank = int(row["rank"])
                self.rank[row["territory"]] = min(rank, self.rank.get(row["territory"], rank))
        for row in store.select(load_query("topics")):
            if "broader" in row:
                self.broader[row["topic"]].add(row["broader"])
        for row in store.select(load_query("analysis-labels")):
            self.labels.setdefault(row["item"], str(row["label"]))

    @classmethod
    def empty(cls) -> AnalysisContext:
        """A context that knows no containment, no topic hierarchy and no labels."""
        return cls(None)

    # -- labels ----------------------------------------------------------------------------------

    def label(self, iri: str) -> str:
        """The German label of ``iri``, or the last segment of the IRI."""
        return self.labels.get(iri) or re.split(r"[/#]", iri)[-1]

    # -- territories -----------------------------------------------------------------------------

    def ancestors(self, territory: str) -> frozenset[str]:
        """All territories containing ``territory`` (``sg:within+``), whenever the link held."""
        found = self._ancestors.get(territory)
        if found is None:
            seen: set[str] = set()
            todo = list(self.parents.get(territory, ()))
            while todo:
                parent = todo.pop()
                if parent not in seen:
                    seen.add(parent)
                    todo.extend(self.parents.get(parent, ()))
            found = self._ancestors[territory] = frozenset(seen)
        return found

    def territory_relation(self, a: str, b: str) -> str | None:
        """'same', 'contains' (a contains b), 'within' (a lies in b) or None (no containment)."""
        if a == b:
            return "same"
        if a in self.ancestors(b):
            return "contains"
        if b in self.ancestors(a):
            return "within"
        return None

    def area(self, territory: str) -> str:
        """The Kreis-level area of a territory: itself at Kreis level or above, else its Kreis.

        A Gemeinde outside any known Kreis stands for itself.
        """
        if self.rank.get(territory, 99) <= KREIS_RANK:
            return territory
        kreise = sorted(t for t in self.ancestors(territory) if self.rank.get(t) == KREIS_RANK)
        return kreise[0] if kreise else territory

    def covers(self, place: str, territory: str) -> bool:
        """Whether ``territory`` touches ``place``: it is ``place``, lies in it or contains it."""
        return self.territory_relation(place, territory) is not None

    # -- topics ----------------------------------------------------------------------------------

    def topics_above(self, topic: str) -> frozenset[str]:
        """The topics broader than ``topic`` at any depth (``skos:broader+``)."""
        found = self._topic_up.get(topic)
        if found is None:
            seen: set[str] = set()
            todo = list(self.broader.get(topic, ()))
            while todo:
                up = todo.pop()
                if up not in seen:
                    seen.add(up)
                    todo.extend(self.broader.get(up, ()))
            found = self._topic_up[topic] = frozenset(seen)
        return found

    def topic_relation(self, a: str, b: str) -> str | None:
        """'same', 'broader' (a is broader than b), 'narrower' or None."""
        if a == b:
            return "same"
        if a in self.topics_above(b):
            return "broader"
        if b in self.topics_above(a):
            return "narrower"
        return None

    def topics_below(self, topic: str) -> set[str]:
        """``topic`` and every topic narrower than it that this context knows."""
        known = set(self.broader) | {t for ups in self.broader.values() for t in ups} | {topic}
        return {t for t in known if t == topic or topic in self.topics_above(t)}
