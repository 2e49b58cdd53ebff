"""Reading and writing the spreadsheets people keep their data in: CSV and XLSX, defensively.

Reading never trusts the file. It refuses files over :data:`MAX_FILE_BYTES`, XLSX archives whose
members would unpack to more than :data:`MAX_UNPACKED_BYTES` or at a suspicious ratio (zip bombs),
XML with entity declarations (openpyxl parses through defusedxml), and the old binary ``.xls``.
CSV may come as UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode-Text") or Windows-1252, with
semicolon, comma or tab between cells; what was recognised is reported as a note. Formulas, merged
cells and hidden rows with content are reported as problems of their row and column, empty rows are
skipped. Nothing here knows what the columns mean: that is :mod:`synergraph.graph.importing`.

Writing (:func:`write_csv`, :func:`write_xlsx`) follows German Excel habits (semicolon, UTF-8 with
BOM, dates as ``31.12.2025``) and neutralises cells that a spreadsheet would run as a formula
(CSV injection: text beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return).

Examples
--------
>>> table = read_table("stellen.csv", b"\\xef\\xbb\\xbfid;Name\\r\\nmdjd;Ministerium\\r\\n;\\r\\n")
>>> table.sheets[0].header, [(r.number, r.values) for r in table.sheets[0].rows]
(['id', 'Name'], [(2, ['mdjd', 'Ministerium'])])
>>> neutralise("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError

__all__ = [
    "AUXILIARY_SHEETS",
    "MAX_FILE_BYTES",
    "MAX_UNPACKED_BYTES",
    "CellProblem",
    "Row",
    "Sheet",
    "Table",
    "column_letter",
    "neutralise",
    "read_table",
    "unneutralise",
    "write_csv",
    "write_xlsx",
]

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest file accepted (20 MB: tens of thousands of rows; a register export is far smaller)."""
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
"""Largest total size the members of an XLSX archive may unpack to (a 10,000-row sheet is about 10 MB)."""
MAX_RATIO = 200
"""Largest compression ratio of an XLSX member above 1 MB (ordinary sheets compress 5–20 times)."""
MAX_ROWS = 100_000
MAX_COLUMNS = 200
AUXILIARY_SHEETS = frozenset({"Hilfe", "Listen"})
"""Sheets of the templates that explain and list values; never read as data."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CellProblem:
    """Something wrong with one cell (or row, when ``column`` is empty): where, what, and what would help."""

    sheet: str
    row: int
    column: str
    value: str
    reason: str
    suggestion: str = ""

    def __str__(self) -> str:
        where = self.sheet + (f", Zeile {self.row}" if self.row else "") + (f", Spalte {self.column}" if self.column else "")
        value = f", Wert '{self.value}'" if self.value else ""
        hint = f" — {self.suggestion}" if self.suggestion else ""
        return f"{where}{value}: {self.reason}{hint}"


@dataclass
class Row:
    """One data row: its number as the spreadsheet shows it and its cell values (str, date, number or None),
    at least one per header cell."""

    number: int
    values: list[Any]


@dataclass
class Sheet:
    """One table: its name (sheet name or file name), header cells, data rows and problems found on reading."""

    name: str
    header: list[str]
    rows: list[Row] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)


@dataclass
class Table:
    """What a file held: its sheets and notes on how it was read (encoding, separator, skipped rows)."""

    file: str
    sheets: list[Sheet]
    notes: list[str] = field(default_factory=list)


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index.

    >>> column_letter(0), column_letter(27)
    ('A', 'AB')
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def neutralise(value: str) -> str:
    """Text that a spreadsheet shows as text, never runs as a formula (a leading ``'``).

    >>> neutralise("-5 % Förderung"), neutralise("Barnim")
    ("'-5 % Förderung", 'Barnim')
    """
    return "'" + value if value.startswith(_FORMULA_START) else value


def unneutralise(value: str) -> str:
    """Undo :func:`neutralise`, so a file written by Synergraph reads back as it was.

    >>> unneutralise("'=A1"), unneutralise("'Hallo")
    ('=A1', "'Hallo")
    """
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


# -- reading ---------------------------------------------------------------------------------------


def read_table(name: str, data: bytes) -> Table:
    """Read a CSV or XLSX file given as bytes (``name`` only names it in messages).

    Raises
    ------
    InputError
        The file cannot be read at all: too large, a zip bomb, XML with entities, an unknown format,
        an encoding that is none of UTF-8, UTF-16 and Windows-1252, or no header row.
    """
    if len(data) > MAX_FILE_BYTES:
        raise InputError(name, f"Die Datei ist {len(data) / 1024 / 1024:.1f} MB groß; erlaubt sind höchstens "
                               f"{MAX_FILE_BYTES // 1024 // 1024} MB. Bitte in mehrere Dateien aufteilen.")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(name, data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(name, "Das ist eine alte Excel-Datei (.xls). Bitte in Excel oder LibreOffice als "
                               ".xlsx oder als CSV (Trennzeichen Semikolon, UTF-8) speichern.")
    if data.lstrip().startswith((b"<?xml", b"<!DOCTYPE", b"<html", b"<HTML")):
        raise InputError(name, "Die Datei ist XML oder HTML, keine Tabelle. Erwartet wird .xlsx oder .csv.")
    return _read_csv(name, data)


def _decode(name: str, data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8", errors="strict"), "UTF-8 mit BOM"
        except UnicodeDecodeError as error:
            line = data[:error.start + 3].count(b"\n") + 1
            raise InputError(name, f"Die Datei ist als UTF-8 gekennzeichnet (BOM), enthält aber in Zeile {line} "
                                   f"ein ungültiges Zeichen (Byte {error.start + 3}). Bitte erneut als "
                                   "'CSV UTF-8' speichern.", line=line) from error
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as error:
            raise InputError(name, f"Die Datei beginnt wie UTF-16, ist es aber nicht (Byte {error.start}).") from error
    if b"\x00" in data[:1000]:
        raise InputError(name, "Die Datei enthält Null-Bytes: sie ist keine Textdatei (CSV) und keine .xlsx.")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise InputError(name, f"Die Zeichenkodierung ist weder UTF-8 noch Windows-1252 (Byte {error.start}). "
                               "Bitte als 'CSV UTF-8 (durch Trennzeichen getrennt)' speichern.") from error
    return text, "Windows-1252 (bitte künftig als 'CSV UTF-8' speichern)"


def _read_csv(name: str, data: bytes) -> Table:
    text, encoding = _decode(name, data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        raise InputError(name, "Die Datei ist leer: erwartet wird eine Kopfzeile (z. B. 'id;Titel;…') und Datenzeilen.")
    counts = {sep: first.count(sep) for sep in (";", ",", "\t")}
    separator = max(counts, key=lambda s: counts[s])
    notes = [f"Zeichenkodierung: {encoding}"]
    if counts[separator] == 0:
        separator = ";"
    elif separator != ";":
        notes.append("Trennzeichen: " + ("Komma" if separator == "," else "Tabulator")
                     + " statt Semikolon erkannt und verwendet")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    sheet: Sheet | None = None
    skipped = empty = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if number > MAX_ROWS:
                raise InputError(name, f"Mehr als {MAX_ROWS} Zeilen; bitte in mehrere Dateien aufteilen.")
            if not any(c.strip() for c in cells):
                empty += 1
                continue
            if sheet is None:
                sheet = Sheet(Path(name).name, [c.strip() for c in cells])
                empty = 0
                continue
            skipped, empty = skipped + empty, 0
            if len(cells) > len(sheet.header) and any(c.strip() for c in cells[len(sheet.header):]):
                extra = next(c for c in cells[len(sheet.header):] if c.strip())
                sheet.problems.append(CellProblem(
                    sheet.name, number, column_letter(len(sheet.header)), extra,
                    f"Die Zeile hat {len(cells)} Zellen, die Kopfzeile nur {len(sheet.header)}",
                    f"Steht im Text ein '{separator}' ohne Anführungszeichen? Zellen mit Trennzeichen in "
                    "Anführungszeichen setzen (Excel tut das beim Speichern als CSV)."))
            for index, cell in enumerate(cells):
                if cell.strip().startswith("=") and len(cell.strip()) > 1:
                    sheet.problems.append(CellProblem(
                        sheet.name, number, _column_name(sheet, index), cell.strip(),
                        "Die Zelle enthält eine Formel",
                        "Formeln werden nicht übernommen: bitte den Wert selbst eintragen (in Excel: Kopieren, "
                        "Inhalte einfügen → Werte)."))
            values = [unneutralise(c.strip()) or None for c in cells]
            sheet.rows.append(Row(number, values + [None] * (len(sheet.header) - len(values))))
    except csv.Error as error:
        raise InputError(name, f"CSV nicht lesbar: {error}", line=reader.line_num) from error
    assert sheet is not None
    if skipped:
        notes.append(f"{skipped} leere Zeile(n) übersprungen")
    return Table(Path(name).name, [sheet], notes)


def _column_name(sheet: Sheet, index: int) -> str:
    header = sheet.header[index] if index < len(sheet.header) else ""
    return f"{column_letter(index)} ({header})" if header else column_letter(index)


def _check_archive(name: str, data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError) as error:
        raise InputError(name, f"Die .xlsx-Datei ist beschädigt (kein gültiges ZIP-Archiv): {error}") from error
    members = archive.infolist()
    if len(members) > 10_000:
        raise InputError(name, f"Die .xlsx-Datei enthält {len(members)} Teile; das ist keine gewöhnliche Tabelle.")
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED_BYTES:
        raise InputError(name, f"Die .xlsx-Datei würde entpackt {total / 1024 / 1024:.0f} MB belegen (erlaubt: "
                               f"{MAX_UNPACKED_BYTES // 1024 // 1024} MB). Verdacht auf eine ZIP-Bombe; "
                               "nichts wurde entpackt.")
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise InputError(name, f"Der Teil '{member.filename}' der .xlsx-Datei ist "
                                   f"{member.file_size // max(member.compress_size, 1)}-fach komprimiert. Verdacht "
                                   "auf eine ZIP-Bombe; nichts wurde entpackt.")
    if "xl/workbook.xml" not in archive.namelist():
        raise InputError(name, "Das ZIP-Archiv ist keine Excel-Arbeitsmappe (.xlsx): xl/workbook.xml fehlt.")


def _read_xlsx(name: str, data: bytes) -> Table:
    _check_archive(name, data)
    import openpyxl
    from defusedxml import DefusedXmlException
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise InputError(name, ".xlsx wird nur mit installiertem defusedxml gelesen (Schutz vor XML-Angriffen).")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=False, keep_links=False, rich_text=False)
    except Exception as error:  # openpyxl raises many kinds for broken archives, and wraps the parser's
        cause: BaseException | None = error
        while cause is not None and not isinstance(cause, DefusedXmlException):
            cause = cause.__cause__ or cause.__context__
        if cause is not None:
            raise InputError(name, "Die .xlsx-Datei enthält XML mit Entitäts- oder DTD-Deklarationen "
                                   f"({type(cause).__name__}); solche Dateien werden aus Sicherheitsgründen nicht "
                                   "gelesen. Bitte die Daten in eine neue Arbeitsmappe kopieren.") from error
        first = str(error).split("\n")[0]
        raise InputError(name, f"Die .xlsx-Datei ist nicht lesbar: {type(error).__name__}: {first}") from error
    table = Table(Path(name).name, [])
    for sheet_book in book.worksheets:
        if sheet_book.title in AUXILIARY_SHEETS:
            continue
        if sheet_book.sheet_state != "visible":
            table.notes.append(f"Ausgeblendetes Blatt '{sheet_book.title}' nicht gelesen")
            continue
        sheet, skipped = _read_worksheet(sheet_book)
        if sheet is not None:
            table.sheets.append(sheet)
            if skipped:
                table.notes.append(f"{sheet.name}: {skipped} leere Zeile(n) übersprungen")
    if not table.sheets:
        raise InputError(name, "Die Arbeitsmappe enthält kein Tabellenblatt mit Kopfzeile.")
    return table


def _cell_value(cell: Any) -> Any:
    value = cell.value
    if isinstance(value, str):
        value = unneutralise(value.strip()) or None
    elif isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
    return value


def _read_worksheet(ws: Any) -> tuple[Sheet | None, int]:
    # A single cell far out (XFD1048576) would make the sheet's range billions of empty cells.
    if ws.max_row > MAX_ROWS + 1 or ws.max_column > MAX_COLUMNS:
        raise InputError(ws.title, f"Das Blatt reicht bis Zeile {ws.max_row}, Spalte {column_letter(ws.max_column - 1)}; "
                                   f"erlaubt sind {MAX_ROWS} Zeilen und {MAX_COLUMNS} Spalten. Bitte nur die Tabelle "
                                   "in eine neue Arbeitsmappe kopieren.")
    merged = list(ws.merged_cells.ranges)
    header_row = None
    sheet: Sheet | None = None
    skipped = empty = 0
    for cells in ws.iter_rows():
        number = cells[0].row if cells else 0
        if number > MAX_ROWS:
            raise InputError(ws.title, f"Mehr als {MAX_ROWS} Zeilen; bitte in mehrere Dateien aufteilen.")
        values = [_cell_value(c) for c in cells]
        if not any(v is not None for v in values):
            empty += 1
            continue
        if sheet is None:
            header_row = number
            width = max(i for i, v in enumerate(values) if v is not None) + 1
            sheet = Sheet(ws.title, [str(v).strip() if v is not None else "" for v in values[:width]])
            empty = 0
            continue
        skipped, empty = skipped + empty, 0
        row = Row(number, values + [None] * (len(sheet.header) - len(values)))
        for index, cell in enumerate(cells):
            if cell.data_type == "f":
                sheet.problems.append(CellProblem(
                    sheet.name, number, _column_name(sheet, index), str(cell.value),
                    "Die Zelle enthält eine Formel",
                    "Formeln werden nicht übernommen: bitte den Wert selbst eintragen (Kopieren, Inhalte "
                    "einfügen → Werte)."))
        if ws.row_dimensions[number].hidden:
            sheet.problems.append(CellProblem(
                sheet.name, number, "", "", "Die Zeile ist ausgeblendet",
                "Ausgeblendete Zeilen werden nicht stillschweigend übernommen: einblenden und prüfen, oder löschen."))
        sheet.rows.append(row)
    if sheet is None:
        return None, 0
    for index in range(len(sheet.header)):
        letter = column_letter(index)
        if ws.column_dimensions[letter].hidden:
            sheet.problems.append(CellProblem(
                sheet.name, header_row or 1, _column_name(sheet, index), "", "Die Spalte ist ausgeblendet",
                "Ausgeblendete Spalten werden nicht stillschweigend übernommen: einblenden und prüfen, oder löschen."))
    for area in merged:
        if area.max_row <= (header_row or 0) and area.min_row < (header_row or 0):
            continue
        sheet.problems.append(CellProblem(
            sheet.name, area.min_row, f"{column_letter(area.min_col - 1)}–{column_letter(area.max_col - 1)}",
            str(area.coord), "Verbundene Zellen",
            "Verbundene Zellen verteilen einen Wert auf mehrere Zeilen oder Spalten und lassen die übrigen leer: "
            "Verbund aufheben und jeden Wert in seine Zelle schreiben."))
    return sheet, skipped


# -- writing ---------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return neutralise(str(value))


def write_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """A CSV for German Excel: semicolon, UTF-8 with BOM, CRLF, dates as ``31.12.2025``, formulas neutralised.

    >>> write_csv(["id", "Beginn", "Titel"], [["a", datetime.date(2025, 12, 31), "=1+1"]])
    b"\\xef\\xbb\\xbfid;Beginn;Titel\\r\\na;31.12.2025;'=1+1\\r\\n"
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_text(h) for h in header])
    for row in rows:
        writer.writerow([_text(v) for v in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def write_xlsx(book: Any, path: Path) -> None:
    """Save an openpyxl workbook to ``path`` so it appears only complete (written beside, then renamed)."""
    part = path.with_name(path.name + ".part")
    book.save(part)
    part.replace(path)
