"""The spreadsheet templates for bodies, responsibilities and initiatives, made from the import schemas.

Each kind gets an XLSX workbook (the data sheet with German headers, drop-down lists for status, role,
topic, level, kind and target group, date cells formatted ``TT.MM.JJJJ`` and checked as dates, key columns
formatted as text so AGS keep their leading zeros; a help sheet "Hilfe" with every column, whether it
is required, what it means, an example and the allowed values; the lists on a hidden sheet "Listen") and
a CSV for German Excel (semicolon, UTF-8 with BOM). Because they are made from
:data:`synergraph.graph.importing.SCHEMAS` and the vocabulary, they always match what the import accepts.

Examples
--------
>>> import tempfile
>>> sorted(p.name for p in write_templates(Path(tempfile.mkdtemp())))[:2]
['initiativen.csv', 'initiativen.xlsx']
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from .importing import SCHEMAS, Schema, choices, export_rows
from .spreadsheet import column_letter, neutralise, write_csv, write_xlsx
from .store import Store

__all__ = ["TEMPLATE_FILES", "write_templates"]

TEMPLATE_FILES = {"body": "stellen", "responsibility": "zustaendigkeiten", "initiative": "initiativen"}
_ROWS = 1000
_LIST_KINDS = ("status", "role", "topic", "level", "target-group", "initiative-type", "body-type")
_LIST_TITLES = {"status": "Status", "role": "Rolle", "topic": "Thema", "level": "Ebene", "target-group": "Zielgruppe",
                "initiative-type": "Art der Initiative", "body-type": "Art der Stelle"}
# A fixed timestamp keeps regenerated templates identical in their properties.
_STAMP = datetime.datetime(2026, 1, 1)


def _workbook(schema: Schema) -> Any:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.properties.creator = "Synergraph"
    book.properties.title = f"Synergraph-Vorlage {schema.sheet}"
    book.properties.created = book.properties.modified = _STAMP
    data = book.active
    data.title = schema.sheet
    lists = book.create_sheet("Listen")
    help_sheet = book.create_sheet("Hilfe", 1)
    ranges: dict[str, str] = {}
    for position, kind in enumerate(k for k in _LIST_KINDS if any(c.kind == k for c in schema.columns)):
        letter = column_letter(position)
        lists[f"{letter}1"] = _LIST_TITLES[kind]
        values = [label for _, label in choices(kind)]
        for row, label in enumerate(values, start=2):
            lists[f"{letter}{row}"] = label
        ranges[kind] = f"Listen!${letter}$2:${letter}${len(values) + 1}"
    lists.sheet_state = "hidden"

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(schema.columns):
        letter = column_letter(index)
        cell = data[f"{letter}1"]
        cell.value = column.header
        cell.font = bold
        cell.fill = fill
        data.column_dimensions[letter].width = max(14, min(40, len(column.header) + 6))
        area = f"{letter}2:{letter}{_ROWS + 1}"
        if column.kind in ranges:
            rule = DataValidation(type="list", formula1=ranges[column.kind], allow_blank=True,
                                  showErrorMessage=not column.many)
            rule.error = f"Bitte einen Wert aus der Liste wählen ({_LIST_TITLES[column.kind]})."
            rule.errorTitle = "Ungültiger Wert"
            rule.prompt = column.help or _LIST_TITLES[column.kind]
            rule.add(area)
            data.add_data_validation(rule)
        elif column.kind == "date":
            rule = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
            rule.error = "Bitte ein Datum eintragen, z. B. 31.12.2025."
            rule.errorTitle = "Kein Datum"
            rule.prompt = column.help
            rule.add(area)
            data.add_data_validation(rule)
        number_format = {"date": "DD.MM.YYYY", "year-or-date": "DD.MM.YYYY", "id": "@", "territory": "@"}
        if column.kind in number_format:
            for row in range(2, _ROWS + 2):
                data[f"{letter}{row}"].number_format = number_format[column.kind]
    data.freeze_panes = "A2"

    help_sheet["A1"] = f"Vorlage {schema.sheet} für den Import in Synergraph"
    help_sheet["A1"].font = Font(bold=True, size=14)
    help_sheet["A2"] = ("Eine Zeile je Eintrag im Blatt „" + schema.sheet + "“; die erste Zeile (Überschriften) nicht "
                        "ändern. Die Datei wird vor dem Import vollständig geprüft: bei einem Fehler wird nichts "
                        "übernommen, jede Meldung nennt Zeile, Spalte, Wert und einen Vorschlag. Derselbe Import "
                        "ein zweites Mal ändert nichts; die Kennung (id) macht eine Zeile wiedererkennbar.")
    help_sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    help_sheet.merge_cells("A2:E2")
    help_sheet.row_dimensions[2].height = 60
    for index, title in enumerate(("Spalte", "Pflicht", "Bedeutung", "Beispiel", "Erlaubte Werte")):
        cell = help_sheet.cell(row=4, column=index + 1, value=title)
        cell.font = bold
        cell.fill = fill
    for row, column in enumerate(schema.columns, start=5):
        allowed = ", ".join(label for _, label in choices(column.kind)) if column.kind in _LIST_TITLES else ""
        for index, value in enumerate((column.header, "ja" if column.required else "", column.help,
                                       column.example, allowed)):
            cell = help_sheet.cell(row=row, column=index + 1, value=value)
            cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDE", (22, 8, 60, 34, 50), strict=True):
        help_sheet.column_dimensions[letter].width = width
    return book


def write_templates(folder: Path, store: Store | None = None) -> list[Path]:
    """Write the XLSX and CSV templates of every kind into ``folder`` (created if missing); return the paths.

    With a ``store``, the templates hold what was imported so far (:func:`export_rows`), ready to be
    edited and imported again; text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``)
    stays text: a quote-prefixed text cell in the XLSX, a leading ``'`` in the CSV.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, stem in TEMPLATE_FILES.items():
        schema = SCHEMAS[kind]
        rows = export_rows(store, kind) if store is not None else []
        book = _workbook(schema)
        data = book[schema.sheet]
        for number, row in enumerate(rows, start=2):
            for index, value in enumerate(row, start=1):
                cell = data.cell(row=number, column=index)
                cell.value = value
                if isinstance(value, str):
                    # a text cell is never run as a formula; the quote prefix keeps it text when edited
                    cell.data_type = "s"
                    cell.quotePrefix = neutralise(value) != value
        xlsx = folder / f"{stem}.xlsx"
        write_xlsx(book, xlsx)
        csv_path = folder / f"{stem}.csv"
        csv_path.write_bytes(write_csv([c.header for c in schema.columns], rows))
        written += [xlsx, csv_path]
    return written
