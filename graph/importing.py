"""Import of bodies, responsibilities and initiatives from spreadsheets (CSV, XLSX), whole or not at all.

A file is read (:mod:`synergraph.graph.spreadsheet`), every row and cell is checked, names are resolved
to graph entities (:mod:`synergraph.graph.names`, with suggestions for unknown or ambiguous names), the
resulting RDF is validated with the SHACL shapes, and only if nothing at all is wrong does it land in one
transaction together with its PROV record. Every problem names sheet, row, column, value, reason and a
suggestion.

Where imported data live: all imports go into one named graph, :data:`IMPORT_GRAPH`. Each row stands for
one resource with a stable IRI made from its ``id`` (``id/initiative/{id}``, ``id/responsibility/{id}``,
``id/body/{id}``); importing a row replaces what the import graph said about that resource, so importing
the same file again changes nothing, and a row left out of a later file is kept (nothing is lost by
omission; an initiative or responsibility ends by its end date). One graph, not one per file or kind,
because an import may refer to what earlier imports of any kind brought (a body, a predecessor) and the
whole new state of the graph is validated at once. Resources of the delivered data (other graphs) cannot
be overwritten by an import: their ids are reported as taken.

The report lists what was added, changed (with the fields) and ended (an end date or status
"abgeschlossen" newly set).

Examples
--------
>>> from synergraph.graph.store import Store
>>> plan = plan_import(Store.in_memory(), "leer.csv", b"id;Titel;Themen\\r\\n")
>>> plan.problems, plan.notes[-1]
([], 'Initiativen: keine Datenzeilen')
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .context import AnalysisContext, as_date
from .errors import InputError
from . import guards
from .history import HISTORY_GRAPH, history_record
from .names import Names, Unresolved, normalise, other_names, territory_keys
from .namespaces import BASE, DCTERMS, FOAF, RDF, RDFS, SG, SKOS, XSD, resource
from .queries import load_query
from .spreadsheet import CellProblem, Row, Sheet, Table, column_letter, read_table
from .store import Store, bind
from .terms import to_oxigraph, to_rdflib
from .validation import validate, vocabulary

__all__ = [
    "IMPORT_GRAPH",
    "SCHEMAS",
    "Change",
    "Column",
    "ImportPlan",
    "ImportReport",
    "ImportStale",
    "Schema",
    "apply_import",
    "choices",
    "export_rows",
    "import_file",
    "plan_import",
    "read_planned",
]

IMPORT_GRAPH = BASE + "graph/import"

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_SEPARATORS = re.compile(r"\s*(?:\||;|\n)\s*")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


@dataclass(frozen=True)
class Column:
    """One column of a template: German header, what it holds, whether it must be filled, help and example.

    ``kind`` says how a cell is read: ``id``, ``text``, ``date``, ``year-or-date``, ``url`` or the
    name of what it refers to (``body``, ``territory``, ``topic``, ``role``, ``status``, ``level``,
    ``target-group``, ``initiative``, ``body-type``, ``initiative-type``); ``many`` allows several values.
    """

    header: str
    predicate: str
    kind: str
    required: bool = False
    many: bool = False
    help: str = ""
    example: str = ""
    field: str = ""
    """Name of the value in plain records (:func:`read_planned`), for the columns the pre-check uses."""


@dataclass(frozen=True)
class Schema:
    """What one kind of row describes: its sheet name, the IRI segment of its resources and its columns."""

    kind: str
    sheet: str
    segment: str
    columns: tuple[Column, ...]

    def column(self, header: str) -> Column | None:
        """The column of a header as people write it (case, umlauts and punctuation ignored)."""
        folded = normalise(header)
        return next((c for c in self.columns if normalise(c.header) == folded), None)


_MANY = " Mehrere Werte mit | oder Zeilenumbruch (Alt+Eingabe) trennen."
_DATE = "Datum als TT.MM.JJJJ, z. B. 31.12.2025."

SCHEMAS: dict[str, Schema] = {s.kind: s for s in (
    Schema("body", "Stellen", "body", (
        Column("id", "", "id", True, help="Eigene, dauerhafte Kennung der Stelle (Buchstaben, Ziffern, - _ .); "
               "daraus wird die Adresse im Graphen. Nie ändern, sonst entsteht eine neue Stelle.",
               example="bsp-zweckverband-it-nord"),
        Column("Name", str(RDFS.label), "text", True, help="Amtlicher Name der Stelle.",
               example="Zweckverband IT Nord"),
        Column("Art", str(RDF.type), "body-type", True, help="Art der Stelle aus der Liste.",
               example="Öffentliche Stelle"),
        Column("Ebene", str(SG.level), "level", help="Verwaltungsebene aus der Liste.", example="Kreis"),
        Column("Abkürzung", str(SG.abbreviation), "text", example="ZV IT Nord"),
        Column("Gebiet", str(DCTERMS.spatial), "territory", many=True,
               help="Wo die Stelle tätig ist: AGS (z. B. 12073) oder Name des Gebiets." + _MANY, example="12073"),
        Column("Aufsicht", str(SG.supervisedBy), "body", help="Name oder Kennung der Aufsicht führenden Stelle.",
               example="Kreisverwaltung Uckermark"),
        Column("Beschreibung", str(DCTERMS.description), "text", example="Betreibt gemeinsame IT-Verfahren."),
        Column("Webseite", str(FOAF.homepage), "url", help="Adresse beginnend mit https://.",
               example="https://www.example.org/"),
        Column("gültig ab", str(SG.validFrom), "date", help=_DATE, example="01.01.2024"),
        Column("gültig bis", str(SG.validUntil), "date", help=_DATE + " Leer lassen, solange sie besteht."),
    )),
    Schema("responsibility", "Zuständigkeiten", "responsibility", (
        Column("id", "", "id", True, help="Eigene, dauerhafte Kennung der Zuständigkeit (Buchstaben, Ziffern, "
               "- _ .). Nie ändern.", example="mdjd-e-government-land"),
        Column("Stelle", str(SG.holder), "body", True, help="Name, Abkürzung oder Kennung der zuständigen Stelle.",
               example="Amtsverwaltung Biesenthal-Barnim"),
        Column("Thema", str(SG.topic), "topic", True, help="Thema aus der Liste.", example="Smart Region"),
        Column("Gebiet", str(SG.territory), "territory", True, help="AGS (z. B. 120605003) oder Name des Gebiets.",
               example="Amt Biesenthal-Barnim"),
        Column("Rolle", str(SG.role), "role", True, help="Rolle aus der Liste.", example="federführend"),
        Column("gültig ab", str(SG.validFrom), "date", help=_DATE, example="01.01.2024"),
        Column("gültig bis", str(SG.validUntil), "date", help=_DATE + " Leer lassen, solange sie gilt."),
        Column("Rechtsgrundlage", str(SG.legalBasis), "text", example="§ 5 EGovG Bbg"),
        Column("Bezeichnung", str(RDFS.label), "text", help="Leer lassen: wird aus Stelle, Thema, Rolle und "
               "Gebiet gebildet."),
        Column("Beschreibung", str(DCTERMS.description), "text"),
    )),
    Schema("initiative", "Initiativen", "initiative", (
        Column("id", "", "id", True, help="Eigene, dauerhafte Kennung der Initiative (Buchstaben, Ziffern, - _ .). "
               "Nie ändern, sonst entsteht eine neue Initiative.", example="digitallotsen-barnim-2025", field="id"),
        Column("Titel", str(DCTERMS.title), "text", True, example="Digitallotsen für Ältere im Barnim", field="title"),
        Column("Beschreibung", str(DCTERMS.description), "text",
               example="Ehrenamtliche helfen älteren Menschen mit Smartphone und Online-Diensten.", field="description"),
        Column("Art", str(RDF.type), "initiative-type", help="Art der Initiative aus der Liste.",
               example="Programm"),
        Column("federführende Stelle", str(SG.leadBody), "body", help="Name, Abkürzung oder Kennung der Stelle.",
               example="Kreisverwaltung Barnim", field="lead"),
        Column("Partner", str(SG.partner), "body", many=True, help="Beteiligte Stellen." + _MANY, field="partners"),
        Column("Gebiet", str(SG.territory), "territory", many=True,
               help="AGS (z. B. 12060) oder Name des Gebiets." + _MANY, example="12060", field="territories"),
        Column("Themen", str(SG.topic), "topic", True, many=True, help="Themen aus der Liste." + _MANY,
               example="Qualifizierung und Digitalkompetenz", field="topics"),
        Column("Beginn", str(SG.startDate), "year-or-date", help=_DATE + " Ein Jahr allein (2025) geht auch.",
               example="01.03.2025", field="start"),
        Column("Ende", str(SG.endDate), "year-or-date", help=_DATE + " Leer lassen, wenn offen.",
               example="31.12.2026", field="end"),
        Column("Status", str(SG.status), "status", help="Status aus der Liste.", example="laufend", field="status"),
        Column("Zielgruppe", str(SG.targetGroup), "target-group", many=True, help="Zielgruppen aus der Liste." + _MANY,
               example="Bürgerinnen und Bürger", field="target_groups"),
        Column("Nachfolger von", str(SG.successorOf), "initiative", many=True,
               help="Kennung oder Titel der Vorgänger-Initiative." + _MANY, field="successor_of"),
    )),
)}
_BY_SHEET = {normalise(s.sheet): s for s in SCHEMAS.values()}
_CONCEPT_SCHEMES = {"topic": SG.topics, "role": SG.roles, "status": SG.statuses, "level": SG.levels,
                    "target-group": SG.targetGroups}
_END = {str(SG.endDate), str(SG.validUntil)}
_DONE = URIRef(BASE + "def/status/abgeschlossen")


@cache
def choices(kind: str) -> tuple[tuple[str, str], ...]:
    """The allowed (IRI, German label) pairs of a list column, from the vocabulary, in vocabulary order.

    >>> [label for _, label in choices("status")]
    ['geplant', 'laufend', 'abgeschlossen']
    """
    graph = vocabulary()
    if kind in _CONCEPT_SCHEMES:
        items: Iterable[Node] = graph.subjects(SKOS.inScheme, _CONCEPT_SCHEMES[kind])
        prop = SKOS.prefLabel
    elif kind == "initiative-type":
        items = [SG.Initiative, *graph.subjects(RDFS.subClassOf, SG.Initiative)]
        prop = RDFS.label
    elif kind == "body-type":
        items = [SG.PublicBody, *graph.subjects(RDFS.subClassOf, SG.PublicBody),
                 SG.University, SG.Company, SG.Association]
        prop = RDFS.label
    else:
        raise KeyError(kind)
    found = []
    for item in items:
        label = next((str(v) for v in graph.objects(item, prop) if getattr(v, "language", None) == "de"), None)
        if label:
            found.append((str(item), label))
    return tuple(found)


# -- results -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One resource the import adds, changes or ends: IRI, kind, label, row and (for changes) the fields."""

    iri: str
    kind: str
    label: str
    sheet: str
    row: int
    fields: tuple[str, ...] = ()


@dataclass
class _Entity:
    schema: Schema
    sheet: str
    row: int
    iri: str
    label: str
    triples: list[tuple[Node, Node, Node]]


@dataclass
class ImportPlan:
    """Everything an import would do, found without writing: problems, or the changes and the update text."""

    file: str
    checksum: str
    notes: list[str] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)
    added: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    ended: list[Change] = field(default_factory=list)
    unchanged: int = 0
    update: str = ""
    guard: str = ""

    @property
    def source(self) -> str:
        """The IRI of the source document that stands for this file."""
        return str(resource("source", f"import-{self.checksum[:16]}"))


class ImportStale(Exception):
    """An entity of an import changed between planning and writing; nothing was written."""

    def __init__(self, file: str) -> None:
        super().__init__(f"{file}: Daten dieser Datei wurden während des Imports an anderer Stelle geändert; "
                         "nichts wurde geschrieben")


STALE_TRIES = 3
"""How often :func:`import_file` plans afresh when another write changed its entities meanwhile."""


@dataclass
class ImportReport:
    """What an import did (or, as a dry run, would do)."""

    file: str
    dry_run: bool
    written: bool
    notes: list[str]
    problems: list[CellProblem]
    added: list[Change]
    changed: list[Change]
    ended: list[Change]
    unchanged: int
    activity: str | None = None
    agent: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the file had no problems (and so was written, unless a dry run or nothing changed)."""
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data (JSON)."""
        def change(c: Change) -> dict[str, Any]:
            return {"iri": c.iri, "art": c.kind, "bezeichnung": c.label, "blatt": c.sheet, "zeile": c.row,
                    "felder": list(c.fields)}
        return {
            "datei": self.file, "probelauf": self.dry_run, "geschrieben": self.written, "ok": self.ok,
            "hinweise": self.notes,
            "probleme": [{"blatt": p.sheet, "zeile": p.row, "spalte": p.column, "wert": p.value,
                          "grund": p.reason, "vorschlag": p.suggestion, "text": str(p)} for p in self.problems],
            "neu": [change(c) for c in self.added], "geaendert": [change(c) for c in self.changed],
            "beendet": [change(c) for c in self.ended], "unveraendert": self.unchanged,
            "vorgang": self.activity, "von": self.agent,
        }

    def text(self) -> str:
        """The report in German, one line per item, as the command line shows it."""
        lines = [f"Datei: {self.file}"] + [f"Hinweis: {n}" for n in self.notes]
        if self.problems:
            lines.append(f"{len(self.problems)} Problem(e); nichts wurde geschrieben:")
            lines += [f"  {p}" for p in self.problems]
            return "\n".join(lines)
        for title, items in (("Neu", self.added), ("Geändert", self.changed), ("Beendet", self.ended)):
            lines.append(f"{title}: {len(items)}")
            for c in items:
                extra = f" ({', '.join(c.fields)})" if c.fields else ""
                lines.append(f"  {c.sheet}, Zeile {c.row}: {c.label} <{c.iri}>{extra}")
        lines.append(f"Unverändert: {self.unchanged}")
        if self.dry_run:
            lines.append("Probelauf: nichts wurde geschrieben.")
        elif self.written:
            lines.append(f"Geschrieben von '{self.agent}' als Vorgang <{self.activity}>.")
        else:
            lines.append("Nichts zu ändern: der Graph enthält diese Daten schon.")
        return "\n".join(lines)


# -- reading cells -----------------------------------------------------------------------------------


class _Bad(Exception):
    def __init__(self, reason: str, suggestion: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.suggestion = suggestion


def _date(value: Any, allow_year: bool) -> Literal:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return Literal(value.isoformat(), datatype=XSD.date)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and allow_year and 1900 <= value <= 2200:
            return Literal(str(int(value)), datatype=XSD.gYear)
        if 1 <= value <= 2958465:
            return Literal((_EXCEL_EPOCH + datetime.timedelta(days=int(value))).isoformat(), datatype=XSD.date)
        raise _Bad("Keine gültige Zahl für ein Datum", "Datum als TT.MM.JJJJ eintragen, z. B. 31.12.2025.")
    text = str(value).strip()
    if allow_year and re.fullmatch(r"\d{4}", text):
        return Literal(text, datatype=XSD.gYear)
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text) or re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if match:
        parts = [int(p) for p in match.groups()]
        year, month, day = (parts[2], parts[1], parts[0]) if "." in text else parts
        try:
            return Literal(datetime.date(year, month, day).isoformat(), datatype=XSD.date)
        except ValueError as error:
            raise _Bad(f"Diesen Tag gibt es nicht ({error})", "Tag und Monat prüfen.") from error
    if re.fullmatch(r"\d{5}", text) and 20000 <= int(text) <= 80000:
        meant = _EXCEL_EPOCH + datetime.timedelta(days=int(text))
        raise _Bad("Das ist eine Excel-Seriennummer, kein Datum",
                   f"meinten Sie {meant.strftime('%d.%m.%Y')}? Die Zelle als Datum formatieren oder so eintragen.")
    short = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{2})", text)
    if short:
        return_hint = f"{int(short.group(1)):02d}.{int(short.group(2)):02d}.20{short.group(3)}"
        raise _Bad("Das Jahr hat nur zwei Ziffern", f"meinten Sie {return_hint}?")
    raise _Bad("Kein Datum", "Datum als TT.MM.JJJJ eintragen, z. B. 31.12.2025" + (" oder ein Jahr wie 2025."
                                                                                  if allow_year else "."))


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return str(value).strip()


class _Resolver:
    """Resolves names with the store's context plus what the file itself defines."""

    def __init__(self, store: Store) -> None:
        self.context = AnalysisContext(store)
        self.keys = territory_keys(store)
        self.indexes: dict[str, Names] = {}
        self.memo: dict[tuple[str, str], str | Unresolved] = {}
        self.names = other_names(store)

    def territory(self, text: str, column: str) -> str:
        if text.isdigit():
            if len(text) not in (2, 3, 5, 8, 9):
                hint = ""
                if ("0" + text) in self.keys:
                    hint = f"meinten Sie 0{text}? Excel lässt führende Nullen weg: die Spalte als Text formatieren."
                raise _Bad("Ungültiger Schlüssel: eine AGS hat 2 (Land), 5 (Kreis) oder 8 (Gemeinde) Ziffern, "
                           "ein Regionalschlüssel 9", hint or "AGS prüfen, z. B. 12060 für den Landkreis Barnim.")
            if text not in self.keys:
                raise _Bad("Diese AGS ist nicht bekannt", "AGS im Gemeindeverzeichnis nachsehen, oder den Namen eintragen.")
            return self.keys[text]
        return self.resolve(text, "territory", column)

    def add(self, iri: str, name: str) -> None:
        """A name the file itself defines (a body or initiative of one of its sheets)."""
        self.names.append((iri, name))
        self.context.labels.setdefault(iri, name)
        self.indexes.clear()
        self.memo.clear()

    def resolve(self, text: str, kind: str, column: str) -> str:
        index = self.indexes.get(kind)
        if index is None:
            if kind in ("body-type", "initiative-type"):
                index = Names(AnalysisContext.empty(), kind, choices(kind))
            else:
                index = Names(self.context, kind, self.names)
            self.indexes[kind] = index
        known = self.memo.get((kind, text))
        if isinstance(known, str):
            return known
        try:
            if known is not None:
                raise known
            found = index.resolve(text, column, self.keys if kind == "territory" else None)
            self.memo[(kind, text)] = found
            return found
        except Unresolved as error:
            self.memo[(kind, text)] = error
            german = error.kind
            if error.ambiguous:
                raise _Bad(f"{german} ist mehrdeutig", "meinten Sie " + " oder ".join(
                    f"'{s}'" for s in error.allowed[:5]) + "? Kennung in Klammern eintragen.") from error
            hint = ("meinten Sie " + " oder ".join(f"'{s}'" for s in error.suggestions[:3]) + "?"
                    if error.suggestions else "Schreibweise prüfen oder die Kennung eintragen.")
            if kind in _CONCEPT_SCHEMES or kind.endswith("-type"):
                allowed = ", ".join(label for _, label in choices(kind))
                hint = (hint + " " if error.suggestions else "") + f"Erlaubt: {allowed}."
            raise _Bad(f"Unbekannte {german}" if german in ("Stelle", "Rolle", "Ebene", "Initiative", "Zielgruppe")
                       else f"Unbekanntes {german}" if german in ("Gebiet", "Thema") else f"Unbekannter Wert für {german}",
                       hint) from error


# -- rows to RDF ---------------------------------------------------------------------------------------


def _match_header(sheet: Sheet, schema: Schema, problems: list[CellProblem]) -> dict[int, Column]:
    mapping: dict[int, Column] = {}
    headers = [c.header for c in schema.columns]
    for index, header in enumerate(sheet.header):
        if not header:
            problems.append(CellProblem(sheet.name, 1, column_letter(index), "", "Spalte ohne Überschrift",
                                        "Überschrift aus der Vorlage eintragen oder die Spalte löschen."))
            continue
        column = schema.column(header)
        if column is None:
            close = difflib.get_close_matches(normalise(header), [normalise(h) for h in headers], n=1, cutoff=0.6)
            hint = (f"meinten Sie '{next(h for h in headers if normalise(h) == close[0])}'?" if close
                    else "Erlaubt: " + ", ".join(headers) + ".")
            problems.append(CellProblem(sheet.name, 1, column_letter(index), header, "Unbekannte Spalte", hint))
        elif column in mapping.values():
            problems.append(CellProblem(sheet.name, 1, column_letter(index), header, "Spalte kommt doppelt vor",
                                        "Eine der beiden Spalten löschen."))
        else:
            mapping[index] = column
    for column in schema.columns:
        if column.required and column not in mapping.values():
            problems.append(CellProblem(sheet.name, 1, "", column.header, "Pflichtspalte fehlt",
                                        f"Spalte '{column.header}' ergänzen (siehe Vorlage)."))
    return mapping


def _schema_for(sheet: Sheet) -> Schema | None:
    by_name = _BY_SHEET.get(normalise(sheet.name))
    if by_name:
        return by_name
    present = {normalise(h) for h in sheet.header}
    scored = [(sum(normalise(c.header) in present for c in s.columns if c.required), s) for s in SCHEMAS.values()]
    best = max(scored, key=lambda item: (item[0], -len(item[1].columns)))
    complete = [s for n, s in scored if n == sum(c.required for c in s.columns)]
    if len(complete) == 1:
        return complete[0]
    return best[1] if best[0] > 1 else None


def _row_entity(schema: Schema, sheet: Sheet, row: Row, mapping: dict[int, Column], resolver: _Resolver,
                source: URIRef, problems: list[CellProblem]) -> _Entity | None:
    found: dict[str, list[Node]] = {}
    texts: dict[str, str] = {}
    before = len(problems)
    for index, column in mapping.items():
        raw = row.values[index] if index < len(row.values) else None
        if raw is None or _text(raw) == "":
            if column.required:
                problems.append(CellProblem(sheet.name, row.number, f"{column_letter(index)} ({column.header})", "",
                                            "Pflichtfeld ist leer", f"'{column.header}' ausfüllen"
                                            + (f", z. B. '{column.example}'." if column.example else ".")))
            continue
        where = f"{column_letter(index)} ({column.header})"
        if not column.many and column.kind not in ("text", "id") and isinstance(raw, str) and "|" in raw:
            problems.append(CellProblem(sheet.name, row.number, where, raw, "Hier ist nur ein Wert erlaubt",
                                        "Nur einen Wert eintragen; weitere gehören z. B. in 'Partner'."
                                        if column.kind == "body" else "Nur einen Wert eintragen."))
            continue
        values = ([v for v in _SEPARATORS.split(_text(raw)) if v] if column.many and isinstance(raw, str)
                  else [raw])
        for value in values:
            try:
                node = _node(column, value, resolver)
            except _Bad as bad:
                problems.append(CellProblem(sheet.name, row.number, where, _text(value), bad.reason, bad.suggestion))
                continue
            found.setdefault(column.header, []).append(node)
            texts.setdefault(column.header, _text(value))
    if len(problems) > before:
        return None
    identifier = texts["id"]
    iri = resource(schema.segment, identifier)
    triples: list[tuple[Node, Node, Node]] = []
    lookup = {c.header: c for c in schema.columns}
    for header, nodes in found.items():
        column = lookup[header]
        if column.kind == "id":
            continue
        for node in nodes:
            triples.append((iri, URIRef(column.predicate), node))
    types = {"initiative": SG.Initiative, "responsibility": SG.Responsibility}
    if schema.kind in types and "Art" not in found:
        triples.append((iri, RDF.type, types[schema.kind]))
    if schema.kind == "initiative":
        triples.append((iri, RDFS.label, Literal(texts["Titel"], lang="de")))
    if schema.kind == "responsibility" and "Bezeichnung" not in found:
        parts = [resolver.context.label(str(found[h][0])) for h in ("Stelle", "Thema", "Rolle", "Gebiet")]
        triples.append((iri, RDFS.label, Literal(f"{parts[0]}: {parts[1]}, {parts[2]}, {parts[3]}", lang="de")))
    label = texts.get("Titel") or texts.get("Name") or next(
        (str(o) for _, p, o in triples if p == RDFS.label), identifier)
    _check_period(schema, sheet, row, mapping, found, texts, problems)
    triples.append((iri, DCTERMS.source, source))
    return _Entity(schema, sheet.name, row.number, str(iri), label, triples)


def _check_period(schema: Schema, sheet: Sheet, row: Row, mapping: dict[int, Column], found: dict[str, list[Node]],
                  texts: dict[str, str], problems: list[CellProblem]) -> None:
    start_header, end_header = ("Beginn", "Ende") if schema.kind == "initiative" else ("gültig ab", "gültig bis")
    start, end = found.get(start_header, [None])[0], found.get(end_header, [None])[0]
    if not isinstance(start, Literal) or not isinstance(end, Literal):
        return
    if str(start)[:4] > str(end)[:4] or (start.datatype == end.datatype == XSD.date and str(start) > str(end)):
        index = next(i for i, c in mapping.items() if c.header == end_header)
        problems.append(CellProblem(sheet.name, row.number, f"{column_letter(index)} ({end_header})",
                                    texts[end_header], f"Das Ende liegt vor dem Beginn ({texts[start_header]})",
                                    "Beginn und Ende prüfen oder tauschen."))


def _node(column: Column, value: Any, resolver: _Resolver) -> Node:
    kind = column.kind
    if kind == "date" or kind == "year-or-date":
        return _date(value, allow_year=kind == "year-or-date")
    text = _text(value)
    if kind == "id":
        if not _ID.fullmatch(text):
            slug = re.sub(r"[^a-z0-9]+", "-", normalise(text)).strip("-")[:100]
            raise _Bad("Ungültige Kennung: erlaubt sind Buchstaben, Ziffern, '-', '_' und '.', ohne Leerzeichen",
                       f"z. B. '{slug}'" if slug else "z. B. 'digitallotsen-barnim-2025'")
        return Literal(text)
    if kind == "text":
        if column.predicate == str(SG.abbreviation):
            return Literal(text)
        return Literal(text, lang="de")
    if kind == "url":
        if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", text):
            raise _Bad("Keine Webadresse", "Adresse mit https:// am Anfang eintragen, z. B. https://www.example.org/")
        return URIRef(text)
    if kind == "territory":
        return URIRef(resolver.territory(text, column.header))
    return URIRef(resolver.resolve(text, kind, column.header))


# -- planning and landing ----------------------------------------------------------------------------------


def _statements(store: Store, iris: Sequence[str]) -> dict[str, set[tuple[Node, Node, Node, Node | None]]]:
    """The statements about each entity in one read: (subject, predicate, object, named graph or None)."""
    found: dict[str, set[tuple[Node, Node, Node, Node | None]]] = {iri: set() for iri in iris}
    if not iris:
        return found
    query = bind(load_query("entity_statements"), {"s": [ox.NamedNode(iri) for iri in iris]})
    for row in store.engine.query(query):  # terms as they are: the guard compares them exactly
        graph = row["g"]
        found[row["s"].value].add((to_rdflib(row["s"]), to_rdflib(row["p"]), to_rdflib(row["o"]),
                                   None if graph is None else to_rdflib(graph)))
    return found


def _owner(quads: Iterable[tuple[Node, Node, Node, Node | None]]) -> str | None:
    """A named graph other than the import and history graphs that holds statements about the entity
    (then another file owns it and an import must not change it)."""
    return min((str(g) for *_, g in quads if g is not None and str(g) not in (IMPORT_GRAPH, HISTORY_GRAPH)),
               default=None)


def _described(store: Store, subject: str) -> set[tuple[Node, Node, Node]]:
    quads = store.engine.quads_for_pattern(ox.NamedNode(subject), None, None, ox.NamedNode(IMPORT_GRAPH))
    # the store holds no RDF-star triples, so subjects and objects are never ox.Triple
    return {(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)) for q in quads}  # type: ignore[arg-type]


def _validation_data(store: Store, entities: Sequence[_Entity], extra: Graph) -> Graph:
    """The new descriptions plus the unchanged import-graph resources they refer to (the import graph as it
    will be, as far as the new rows reach), so the shapes see the referenced types."""
    data = Graph()
    for entity in entities:
        for triple in entity.triples:
            data.add(triple)
    data += extra
    replaced = {URIRef(e.iri) for e in entities}
    seen: set[Node] = set(replaced)
    todo = {o for o in data.objects() if isinstance(o, URIRef)} - seen
    while todo:
        item = todo.pop()
        seen.add(item)
        for triple in _described(store, str(item)):
            data.add(triple)
            if isinstance(triple[2], URIRef) and triple[2] not in seen:
                todo.add(triple[2])
    return data


_VIOLATION = re.compile(r"^<([^>]+)>(?: \[([^\]]+)\])?(?: = (.*?))?: (.*)$", re.DOTALL)


def _source_triples(plan: ImportPlan, today: datetime.date) -> Graph:
    graph = Graph()
    source = URIRef(plan.source)
    graph.add((source, RDF.type, SG.SourceDocument))
    graph.add((source, RDFS.label, Literal(f"Tabellenimport {plan.file}", lang="de")))
    graph.add((source, DCTERMS.title, Literal(plan.file, lang="de")))
    graph.add((source, DCTERMS.issued, Literal(today.isoformat(), datatype=XSD.date)))
    graph.add((source, SG.sourceFile, Literal(plan.file)))
    graph.add((source, SG.checksum, Literal(f"sha256:{plan.checksum}")))
    return graph


def plan_import(store: Store, name: str, data: bytes, today: datetime.date | None = None) -> ImportPlan:
    """Read and check a whole file and work out what importing it would change; write nothing.

    Returns
    -------
    ImportPlan
        With ``problems`` (then nothing may be written) or the changes and the SPARQL update text.
    """
    plan = ImportPlan(name.replace("\\", "/").rsplit("/", 1)[-1] or "upload", hashlib.sha256(data).hexdigest())
    try:
        table = read_table(plan.file, data)
    except InputError as error:
        plan.problems.append(CellProblem(plan.file, 0, "", "", error.problem))
        return plan
    plan.notes += table.notes
    entities = _entities(store, table, plan)
    if plan.problems or not entities:
        return plan
    # one read for ownership, changes and the guard, so the write checks exactly what was compared
    statements = _statements(store, [e.iri for e in entities])
    for entity in entities:
        owner = _owner(statements[entity.iri])
        if owner is not None:
            plan.problems.append(CellProblem(
                entity.sheet, entity.row, "A (id)", entity.iri.rsplit("/", 1)[-1],
                f"Die Kennung gehört schon zu mitgelieferten Daten (Graph <{owner}>), die ein Import "
                "nicht ändern kann", "Eine eigene Kennung wählen, z. B. mit dem Kürzel Ihrer Stelle davor."))
    if plan.problems:
        return plan
    _diff(entities, statements, plan)
    if not (plan.added or plan.changed or plan.ended):
        return plan
    writing = [e for e in entities if any(e.iri == c.iri for c in plan.added + plan.changed + plan.ended)]
    sources = _source_triples(plan, today or datetime.date.today())
    problems = validate(_validation_data(store, writing, sources), store, replaced=IMPORT_GRAPH)
    by_iri = {e.iri: e for e in writing}
    headers = {c.predicate: c.header for s in SCHEMAS.values() for c in s.columns}
    for line in problems:
        match = _VIOLATION.match(line)
        owner = by_iri.get(match.group(1)) if match else None
        if owner is None or match is None:
            plan.problems.append(CellProblem(plan.file, 0, "", "", f"SHACL: {line}"))
            continue
        path = match.group(2) or ""
        predicate = next((p for p in headers if path and (p == path or p.endswith(path.split(":")[-1]))), "")
        plan.problems.append(CellProblem(owner.sheet, owner.row, headers.get(predicate, path), match.group(3) or "",
                                         match.group(4), "Wert nach der Meldung korrigieren."))
    if plan.problems:
        return plan
    before = {guards.statement(t[:3]) for e in writing for t in statements[e.iri]}
    plan.guard = guards.new_guard()
    plan.update = (guards.unchanged([ox.NamedNode(e.iri) for e in writing], before, plan.guard) + " ;\n"
                   + _update_text(writing, sources))
    return plan


def _entities(store: Store, table: Table, plan: ImportPlan) -> list[_Entity]:
    resolver: _Resolver | None = None
    source = URIRef(plan.source)
    sheets = []
    for sheet in table.sheets:
        schema = _schema_for(sheet)
        if schema is None:
            plan.problems.append(CellProblem(
                sheet.name, 1, "", ", ".join(sheet.header[:6]), "Die Kopfzeile passt zu keiner Vorlage",
                "Eine Vorlage aus data/templates verwenden (Initiativen, Zuständigkeiten oder Stellen); "
                "die erste Zeile muss die Spaltenüberschriften enthalten."))
            continue
        sheets.append((schema, sheet))
    # bodies first, so the other sheets of the same workbook can name them
    order = {"body": 0, "responsibility": 1, "initiative": 2}
    sheets.sort(key=lambda item: order[item[0].kind])
    entities: list[_Entity] = []
    first_row: dict[str, tuple[str, int]] = {}
    for schema, sheet in sheets:
        plan.problems.extend(sheet.problems)
        mapping = _match_header(sheet, schema, plan.problems)
        if any(c.required and c not in mapping.values() for c in schema.columns):
            continue
        if not sheet.rows:
            plan.notes.append(f"{schema.sheet}: keine Datenzeilen")
            continue
        if resolver is None:
            resolver = _Resolver(store)
        id_index = next((i for i, c in mapping.items() if c.kind == "id"), None)
        name_index = next((i for i, c in mapping.items() if c.header in ("Name", "Titel")), None)
        if id_index is not None and name_index is not None:
            prefix = "body" if schema.kind == "body" else "initiative" if schema.kind == "initiative" else ""
            for row in sheet.rows:
                if prefix and row.values[id_index] is not None and name_index < len(row.values) \
                        and row.values[name_index] is not None and _ID.fullmatch(_text(row.values[id_index])):
                    resolver.add(str(resource(prefix, _text(row.values[id_index]))), _text(row.values[name_index]))
        for row in sheet.rows:
            entity = _row_entity(schema, sheet, row, mapping, resolver, source, plan.problems)
            if entity is None:
                continue
            key = entity.iri
            if key in first_row:
                where = first_row[key]
                plan.problems.append(CellProblem(sheet.name, row.number, "A (id)", key.rsplit("/", 1)[-1],
                                                 f"Die Kennung kommt doppelt vor (zuerst {where[0]}, Zeile {where[1]})",
                                                 "Jede Zeile braucht eine eigene Kennung; doppelte Zeile löschen."))
                continue
            first_row[key] = (sheet.name, row.number)
            entities.append(entity)
    return entities


def _diff(entities: Sequence[_Entity], statements: dict[str, set[tuple[Node, Node, Node, Node | None]]],
          plan: ImportPlan) -> None:
    headers = {c.predicate: c.header for s in SCHEMAS.values() for c in s.columns}
    headers[str(RDF.type)] = "Art"
    for entity in entities:
        old = {(s, p, o) for s, p, o, g in statements[entity.iri]
               if g is not None and str(g) == IMPORT_GRAPH and p != DCTERMS.source}
        new = {t for t in entity.triples if t[1] != DCTERMS.source}
        change = Change(entity.iri, entity.schema.sheet, entity.label, entity.sheet, entity.row)
        if not old:
            plan.added.append(change)
            continue
        if old == new:
            plan.unchanged += 1
            continue
        differing = {str(p) for _, p, _ in old ^ new}
        fields = tuple(sorted({headers.get(p, p) for p in differing}))
        change = Change(entity.iri, entity.schema.sheet, entity.label, entity.sheet, entity.row, fields)
        new_end = {str(p) for _, p, o in new - old if str(p) in _END or o == _DONE}
        (plan.ended if new_end else plan.changed).append(change)


def _update_text(entities: Sequence[_Entity], sources: Graph) -> str:
    graph = ox.NamedNode(IMPORT_GRAPH)
    subjects = " ".join(str(ox.NamedNode(e.iri)) for e in entities)
    triples = [t for e in entities for t in e.triples] + list(sources)
    body = ox.serialize((ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
                         for s, p, o in triples), format=ox.RdfFormat.N_TRIPLES) or b""
    text = body.decode("utf-8")
    return (f"DELETE {{ GRAPH {graph} {{ ?s ?p ?o }} }} WHERE {{ VALUES ?s {{ {subjects} }} GRAPH {graph} "
            f"{{ ?s ?p ?o }} }} ;\nINSERT DATA {{ GRAPH {graph} {{\n{text}}} }}")


def apply_import(store: Store, plan: ImportPlan, agent: str,
                 started: datetime.datetime | None = None) -> str | None:
    """Write a plan without problems in one transaction with its PROV record; return the activity IRI.

    Nothing is written (and None returned) when the plan changes nothing.

    Raises
    ------
    ValueError
        The plan has problems.
    ImportStale
        An entity of the plan changed after it was planned (another write came in between); nothing was
        written.
    """
    if plan.problems:
        raise ValueError(f"{plan.file}: {len(plan.problems)} Problem(e); nichts wurde geschrieben")
    if not plan.update:
        return None
    summary = (f"IMPORT {plan.file} (sha256:{plan.checksum}): {len(plan.added)} neu, {len(plan.changed)} geändert, "
               f"{len(plan.ended)} beendet" + "".join(
                   f"\n{word} <{c.iri}>" for word, items in (("neu", plan.added), ("geändert", plan.changed),
                                                             ("beendet", plan.ended)) for c in items))
    activity, record = history_record(summary, agent, [IMPORT_GRAPH], started=started)
    used = (f"INSERT DATA {{ GRAPH <{HISTORY_GRAPH}> {{ <{activity}> <http://www.w3.org/ns/prov#used> "
            f"{ox.NamedNode(plan.source)} . {ox.NamedNode(plan.source)} <{SG.sourceFile}> "
            f"{ox.Literal(plan.file)} ; <{SG.checksum}> {ox.Literal('sha256:' + plan.checksum)} }} }}")
    try:
        store.update(plan.update + " ;\n" + record + " ;\n" + used)
    except Exception as error:
        if plan.guard and guards.tripped(plan.guard, error):
            raise ImportStale(plan.file) from error
        raise
    store.flush()
    return activity


def import_file(store: Store, name: str, data: bytes, agent: str, dry_run: bool = False) -> ImportReport:
    """Check a whole file and, if nothing is wrong and it is not a dry run, import it in one transaction.

    When another write changes an entity of the file between the check and the write (:class:`ImportStale`),
    the file is checked afresh against the new state, up to :data:`STALE_TRIES` times; after that the
    report carries the problem and nothing is written.

    Examples
    --------
    >>> report = import_file(Store.in_memory(), "x.csv", b"id;Titel;Themen\\r\\n1;=SUMME(A1);KI\\r\\n", "redaktion")
    >>> report.written, report.problems[0].row, report.problems[0].column, report.problems[0].reason
    (False, 2, 'B (Titel)', 'Die Zelle enthält eine Formel')
    """
    started = datetime.datetime.now(datetime.UTC)
    activity = None
    for _ in range(STALE_TRIES):
        plan = plan_import(store, name, data)
        if dry_run or plan.problems:
            break
        try:
            activity = apply_import(store, plan, agent, started=started)
            break
        except ImportStale:
            continue  # planned afresh against what the other write left
    else:
        plan.problems.append(CellProblem(plan.file, 0, "", "", str(ImportStale(plan.file)),
                                         "Den Import wiederholen."))
    return ImportReport(plan.file, dry_run, activity is not None, plan.notes, plan.problems, plan.added,
                        plan.changed, plan.ended, plan.unchanged, activity, agent if activity else None)


def export_rows(store: Store, kind: str) -> list[list[Any]]:
    """The imported resources of one kind as rows of its template (the import's inverse), sorted by id.

    References are written as ids (a territory as its key), list values as their German labels, dates as
    dates; importing the rows again changes nothing.

    >>> export_rows(Store.in_memory(), "initiative")
    []
    """
    schema = SCHEMAS[kind]
    prefix = str(resource(schema.segment, ""))
    described: dict[str, list[tuple[Node, Node]]] = {}
    for subject, predicate, value in store.triples(IMPORT_GRAPH):
        if isinstance(subject, URIRef) and str(subject).startswith(prefix):
            described.setdefault(str(subject), []).append((predicate, value))
    rows = []
    for iri in sorted(described):
        row: list[Any] = []
        for column in schema.columns:
            values = [o for p, o in described[iri] if str(p) == column.predicate] if column.predicate else []
            cells = [_cell(column, value) for value in values]
            cells = sorted(c for c in cells if c is not None) if column.kind != "id" else cells
            if column.kind == "id":
                row.append(iri[len(prefix):])
            elif not cells:
                row.append(None)
            else:
                row.append(" | ".join(str(c) for c in cells) if len(cells) > 1 else cells[0])
        rows.append(row)
    return rows


def _cell(column: Column, value: Node) -> Any:
    if isinstance(value, Literal):
        if value.datatype == XSD.date:
            return datetime.date.fromisoformat(str(value))
        return str(value)
    iri = str(value)
    if column.kind in _CONCEPT_SCHEMES or column.kind.endswith("-type"):
        label = dict(choices(column.kind)).get(iri)
        if label is None and column.kind.endswith("-type"):
            return None  # the type every row of its kind has anyway
        return label or iri
    if column.kind == "url":
        return iri
    return iri.rstrip("/").rsplit("/", 1)[-1]


def read_planned(name: str, data: bytes) -> list[dict[str, Any]]:
    """The rows of an initiative table (CSV, XLSX or JSON, columns as in the template) as plain records keyed by
    :attr:`Column.field`, for checking planned initiatives before they exist: several values as lists, dates
    as dates; names stay as written (the caller resolves them). Columns it does not know are left out; a
    row without id gets its row number.

    Raises
    ------
    InputError
        The file cannot be read, or a date cell holds no date (with row, column and value).

    Examples
    --------
    >>> read_planned("p.csv", "Titel;Themen;Beginn\\nDigitallotsen;KI | Smart Region;01.03.2025".encode())
    [{'title': 'Digitallotsen', 'topics': ['KI', 'Smart Region'], 'start': datetime.date(2025, 3, 1), 'id': '2'}]
    """
    schema = SCHEMAS["initiative"]
    sheet = _json_sheet(name, data) if name.lower().endswith(".json") else None
    if sheet is None:
        table = read_table(name, data)
        sheet = next((s for s in table.sheets if _schema_for(s) is schema), table.sheets[0])
    columns = {index: schema.column(header) for index, header in enumerate(sheet.header)}
    records = []
    for row in sheet.rows:
        record: dict[str, Any] = {}
        for index, column in columns.items():
            raw = row.values[index]
            if column is None or not column.field or raw is None or _text(raw) == "":
                continue
            if isinstance(raw, list):
                record[column.field] = [_text(v) for v in raw if _text(v)]
            elif column.kind in ("date", "year-or-date"):
                try:
                    record[column.field] = as_date(str(_date(raw, allow_year=True)), end=column.field == "end")
                except _Bad as bad:
                    raise InputError(name, f"{bad.reason} — {bad.suggestion}", line=row.number, field=column.header,
                                     value=_text(raw)) from bad
            elif column.many:
                record[column.field] = [v for v in _SEPARATORS.split(_text(raw)) if v]
            else:
                record[column.field] = _text(raw)
        record.setdefault("id", str(row.number))
        records.append(record)
    return records


def _json_sheet(name: str, data: bytes) -> Sheet:
    """A JSON object or list of objects as a sheet: keys as headers, objects as rows (numbered from 1)."""
    import json

    try:
        loaded = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(name, f"Kein gültiges JSON: {error}") from error
    items = loaded if isinstance(loaded, list) else [loaded]
    if not all(isinstance(item, dict) for item in items):
        raise InputError(name, "Erwartet wird ein JSON-Objekt oder eine Liste von Objekten (Schlüssel wie die "
                               "Spalten der Vorlage)")
    header = list(dict.fromkeys(str(key) for item in items for key in item))
    return Sheet(name, header, [Row(number, [item.get(key) for key in header])
                                for number, item in enumerate(items, start=1)])
