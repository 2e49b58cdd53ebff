"""Names people write, resolved to graph entities: bodies, territories, topics, roles, statuses, ...

Used wherever a person names something instead of giving its IRI: the duplicate pre-check, the
filters of the analyses and the spreadsheet import. A name may be the IRI, the last segment of the
IRI (``smart-region``), an official key (AGS, Regionalschlüssel) or the German label, compared
without case, umlauts, accents and punctuation. An unknown name gets close names as suggestions,
an ambiguous one its candidates.

Examples
--------
>>> from synergraph.graph.context import AnalysisContext
>>> context = AnalysisContext.empty()
>>> context.labels["https://w3id.org/synergraph/id/body/verwaltung-120605003"] = "Amtsverwaltung Biesenthal-Barnim"
>>> resolve(context, "amtsverwaltung biesenthal barnim", "body", "lead")
'https://w3id.org/synergraph/id/body/verwaltung-120605003'
>>> try:
...     resolve(context, "Amtsverwaltung Biesental-Barnim", "body", "lead")
... except Unresolved as error:
...     print(error.suggestions)
['Amtsverwaltung Biesenthal-Barnim']
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence

from .catalog import InvalidValue
from .context import AnalysisContext
from .namespaces import BASE
from .queries import load_query
from .store import Store

__all__ = ["KINDS", "Names", "Unresolved", "normalise", "other_names", "resolve", "territory_keys"]

# kind -> (IRI prefix of its entities, German word for it)
KINDS: dict[str, tuple[str, str]] = {
    "body": (f"{BASE}id/body/", "Stelle"),
    "territory": (f"{BASE}id/territory/", "Gebiet"),
    "topic": (f"{BASE}def/topic/", "Thema"),
    "target-group": (f"{BASE}def/target-group/", "Zielgruppe"),
    "role": (f"{BASE}def/role/", "Rolle"),
    "status": (f"{BASE}def/status/", "Status"),
    "level": (f"{BASE}def/level/", "Ebene"),
    "initiative": (f"{BASE}id/initiative/", "Initiative"),
    # classes of the vocabulary: only the names given to resolve() are candidates
    "body-type": (f"{BASE}def/", "Art der Stelle"),
    "initiative-type": (f"{BASE}def/", "Art der Initiative"),
}


def normalise(text: str) -> str:
    """Lower case with umlauts and ß folded, other accents removed, punctuation as spaces.

    >>> normalise("Künstliche Intelligenz im Verwaltungsalltag – Workshopreihe für Beschäftigte")
    'kuenstliche intelligenz im verwaltungsalltag workshopreihe fuer beschaeftigte'
    """
    text = text.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", text))


class Unresolved(InvalidValue):
    """A name is unknown or ambiguous.

    ``suggestions`` holds the plain names to offer (close names, or the candidates of an ambiguous
    name), ``allowed`` the same with the short identifier in brackets.
    """

    def __init__(self, parameter: str, value: str, kind: str, suggestions: Sequence[str], ambiguous: bool,
                 names: Sequence[str] = ()) -> None:
        super().__init__(parameter, value, suggestions)
        self.kind = kind
        self.ambiguous = ambiguous
        self.suggestions = list(names)
        what = "ist mehrdeutig" if ambiguous else "ist nicht bekannt"
        hint = f"; meinten Sie: {', '.join(suggestions)}" if suggestions else ""
        self.args = (f"{kind} '{value}' {what}{hint}",)


class Names:
    """The names of one kind of entity, indexed once, for resolving many values (e.g. the cells of a file).

    ``names`` adds (IRI, name) pairs to what the context knows, e.g. bodies defined in the file being
    imported or a body's other names.
    """

    def __init__(self, context: AnalysisContext, kind: str, names: Iterable[tuple[str, str]] = ()) -> None:
        self.prefix, self.german = KINDS[kind]
        prefix = self.prefix
        pairs = [(iri, label) for iri, label in context.labels.items() if iri.startswith(prefix)]
        pairs += [(iri, name) for iri, name in names if iri.startswith(prefix)]
        self.known = {iri for iri, _ in pairs}
        if kind == "territory":
            for iri in context.rank.keys() | context.parents.keys():
                if iri not in self.known:
                    self.known.add(iri)
                    pairs.append((iri, iri[len(prefix):]))
        self.label_of = dict(reversed(pairs))
        self.by_name: dict[str, dict[str, str]] = defaultdict(dict)
        for iri, label in pairs:
            self.by_name[normalise(label)].setdefault(iri, label)

    def resolve(self, value: str, parameter: str, keys: dict[str, str] | None = None) -> str:
        """The IRI named ``value`` (IRI, slug, official key or German label).

        Raises
        ------
        Unresolved
            Unknown (with close names as suggestions) or ambiguous (with the candidates).
        """
        prefix, text = self.prefix, value.strip()
        if text in self.known:
            return text
        if prefix + text in self.known:
            return prefix + text
        if keys and text in keys:
            return keys[text]
        folded = normalise(text)
        hits = sorted(self.by_name.get(folded, {}))
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            shown = [f"{self.label_of[h]} ({h[len(prefix):]})" for h in hits[:10]]
            raise Unresolved(parameter, value, self.german, shown, ambiguous=True,
                             names=[self.label_of[h] for h in hits[:10]])
        close = difflib.get_close_matches(folded, list(self.by_name), n=5, cutoff=0.6)
        found: list[tuple[str, str]] = []
        for name in close:
            found += [(iri, label) for iri, label in sorted(self.by_name[name].items())
                      if iri not in {i for i, _ in found}]
        found = found[:5]
        shown = [f"{label} ({iri[len(prefix):]})" for iri, label in found]
        raise Unresolved(parameter, value, self.german, shown, ambiguous=False, names=[label for _, label in found])


def resolve(context: AnalysisContext, value: str, kind: str, parameter: str,
            keys: dict[str, str] | None = None, names: Iterable[tuple[str, str]] = ()) -> str:
    """The IRI of the entity of ``kind`` named ``value`` (IRI, slug, official key or German label).

    ``kind`` is one of :data:`KINDS`; ``names`` as for :class:`Names` (which to use for many values).

    Raises
    ------
    Unresolved
        Unknown (with close names as suggestions) or ambiguous (with the candidates).
    """
    return Names(context, kind, names).resolve(value, parameter, keys)


def territory_keys(store: Store) -> dict[str, str]:
    """Official keys (AGS, Regionalschlüssel) of the territories, mapped to their IRIs."""
    rows = store.select(load_query("territory_official_keys"))
    return {str(row["k"]): row["t"] for row in rows}


def other_names(store: Store) -> list[tuple[str, str]]:
    """(IRI, name) pairs of the names besides the label: abbreviations and administered territories of
    bodies, titles of initiatives; pass them as ``names`` to :func:`resolve` or :class:`Names`.

    >>> other_names(Store.in_memory())
    []
    """
    return [(row["item"], str(row["name"])) for row in store.select(load_query("other_names"))]
