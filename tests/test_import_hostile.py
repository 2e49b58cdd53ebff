"""Nothing people send can corrupt or lose data: broken and hostile spreadsheets, each with a clear message.

Every case is planned against the shared seeded store (planning never writes; the accepted ones are
dry runs). A refused file names what is wrong, where, and what would help.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from synergraph.graph.importing import import_file, plan_import
from synergraph.graph.spreadsheet import MAX_FILE_BYTES, read_table, write_csv
from synergraph.graph.store import Store

DATA = Path(__file__).parent / "data" / "import"
TEXT = (DATA / "initiativen.csv").read_bytes().decode("utf-8-sig")
HEADER = "id;Titel;Themen;Gebiet;federführende Stelle;Beginn;Ende"


def csv_bytes(lines: list[str], encoding: str = "utf-8-sig") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def workbook_bytes(rows: list[list[object]], title: str = "Initiativen", change: object = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if change is not None:
        change(sheet)  # type: ignore[operator]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems(store: Store, name: str, data: bytes) -> list[str]:
    plan = plan_import(store, name, data)
    assert plan.problems and not plan.update
    return [str(p) for p in plan.problems]


def only_problem(store: Store, name: str, data: bytes) -> str:
    plan = plan_import(store, name, data)
    assert len(plan.problems) == 1, [str(p) for p in plan.problems]
    assert not plan.update
    return str(plan.problems[0])


def test_windows_1252_csv_is_read_and_named(seeded_store: Store) -> None:
    """A CSV saved by an old Excel as Windows-1252 is read with its umlauts, and the report says so."""
    report = import_file(seeded_store, "alt.csv", TEXT.encode("cp1252"), "t", dry_run=True)
    assert report.ok, report.text()
    assert any("Windows-1252" in n for n in report.notes)
    assert report.added[0].label == "Digitallotsen für Ältere im Barnim"


def test_utf16_tab_separated_unicode_text_is_read(seeded_store: Store) -> None:
    """Excel's 'Unicode-Text' (UTF-16 with BOM, tabs between cells) is read like the CSV template."""
    data = TEXT.replace(";", "\t").encode("utf-16")
    report = import_file(seeded_store, "unicode.txt", data, "t", dry_run=True)
    assert report.ok, report.text()
    assert any("UTF-16" in n for n in report.notes) and any("Tabulator" in n for n in report.notes)
    assert len(report.added) == 3


def test_comma_instead_of_semicolon_is_recognised(seeded_store: Store) -> None:
    """A CSV with commas between cells (quoted where a cell holds a comma) is read, with a note."""
    lines = ['id,Titel,Themen,Gebiet', 'imp-komma,"Lotsen, digital",Smart Region,"Biesenthal, Stadt"']
    report = import_file(seeded_store, "komma.csv", csv_bytes(lines), "t", dry_run=True)
    assert report.ok, report.text()
    assert "Komma statt Semikolon" in " ".join(report.notes)
    assert report.added[0].label == "Lotsen, digital"


def test_a_row_with_more_cells_than_the_header_is_reported(seeded_store: Store) -> None:
    """An unquoted semicolon in a text shifts the cells: the row is reported with a hint on quoting."""
    message = problems(seeded_store, "x.csv", csv_bytes(["id;Titel;Themen", "a;Titel; mit Semikolon;Smart Region;x"]))[0]
    assert "Zeile 2" in message and "Die Zeile hat 5 Zellen, die Kopfzeile nur 3" in message
    assert "Anführungszeichen" in message


def test_excel_serial_dates(seeded_store: Store) -> None:
    """In a CSV a serial number (45657) is no date: the message offers the date it stands for. In an XLSX a
    number in a date column is Excel's own date value and is taken as that date."""
    lines = ["id;Titel;Themen;Beginn", "imp-serial;Serie;Smart Region;45657"]
    message = only_problem(seeded_store, "x.csv", csv_bytes(lines))
    assert "Spalte D (Beginn), Wert '45657': Das ist eine Excel-Seriennummer, kein Datum — meinten Sie 31.12.2024?" in message
    data = workbook_bytes([["id", "Titel", "Themen", "Beginn"], ["imp-serial", "Serie", "Smart Region", 45657]])
    report = import_file(seeded_store, "x.xlsx", data, "t", dry_run=True)
    assert report.ok, report.text()


def test_dates_people_write(seeded_store: Store) -> None:
    """31.12.2025 and 2025-12-31 are dates; 31.12.25, 31.02.2025 and 'Ende 2025' are refused with a hint."""
    lines = [HEADER, "a1;A;Smart Region;;;1.3.2025;2025-12-31", "a2;B;Smart Region;;;31.12.25;",
             "a3;C;Smart Region;;;31.02.2025;", "a4;D;Smart Region;;;Ende 2025;"]
    plan = plan_import(seeded_store, "x.csv", csv_bytes(lines))
    messages = [str(p) for p in plan.problems]
    assert len(messages) == 3, messages
    assert "Zeile 3" in messages[0] and "meinten Sie 31.12.2025?" in messages[0]
    assert "Zeile 4" in messages[1] and "Diesen Tag gibt es nicht" in messages[1]
    assert "Zeile 5" in messages[2] and "Kein Datum" in messages[2]


def test_formulas_are_refused(seeded_store: Store) -> None:
    """A formula is not a value: in a CSV (text starting with '=') and in an XLSX (a formula cell) the
    cell is reported with the advice to paste values."""
    message = only_problem(seeded_store, "x.csv", csv_bytes(["id;Titel;Themen", 'a;=1+2;Smart Region']))
    assert "Spalte B (Titel)" in message and "Die Zelle enthält eine Formel" in message
    data = workbook_bytes([["id", "Titel", "Themen"], ["a", "=CONCATENATE(\"Di\";\"gital\")", "Smart Region"]])
    message = only_problem(seeded_store, "x.xlsx", data)
    assert "Initiativen, Zeile 2, Spalte B (Titel)" in message and "Formel" in message and "Werte" in message


def test_merged_cells_are_refused(seeded_store: Store) -> None:
    """Merged cells leave all but one cell empty: they are reported with their area."""
    rows = [["id", "Titel", "Themen"], ["a", "A", "Smart Region"], ["b", "B", None]]
    data = workbook_bytes(rows, change=lambda s: s.merge_cells("C2:C3"))
    messages = problems(seeded_store, "x.xlsx", data)
    assert any("Zeile 2, Spalte C–C, Wert 'C2:C3': Verbundene Zellen" in m for m in messages), messages


def test_empty_rows_are_skipped_and_hidden_rows_refused(seeded_store: Store) -> None:
    """Empty rows between data are skipped (rows keep the numbers the spreadsheet shows); a hidden row
    with content is not taken silently."""
    lines = ["id;Titel;Themen", ";;", "a;A;Smart Region", "", ";;", "b;B;Smart Region"]
    report = import_file(seeded_store, "x.csv", csv_bytes(lines), "t", dry_run=True)
    assert report.ok and [c.row for c in report.added] == [3, 6]
    assert "3 leere Zeile(n) übersprungen" in report.notes
    rows = [["id", "Titel", "Themen"], ["a", "A", "Smart Region"], ["b", "B", "Smart Region"]]
    data = workbook_bytes(rows, change=lambda s: setattr(s.row_dimensions[3], "hidden", True))
    message = only_problem(seeded_store, "x.xlsx", data)
    assert "Zeile 3" in message and "Die Zeile ist ausgeblendet" in message


def test_hidden_columns_are_refused(seeded_store: Store) -> None:
    """A hidden column with a header is not taken silently either."""
    rows = [["id", "Titel", "Themen", "Beschreibung"], ["a", "A", "Smart Region", "versteckt"]]
    data = workbook_bytes(rows, change=lambda s: setattr(s.column_dimensions["D"], "hidden", True))
    message = only_problem(seeded_store, "x.xlsx", data)
    assert "Zeile 1, Spalte D (Beschreibung): Die Spalte ist ausgeblendet" in message


def test_hidden_sheets_are_not_read(seeded_store: Store) -> None:
    """A hidden sheet is left out, and the report says so."""
    def hide(sheet: object) -> None:
        extra = sheet.parent.create_sheet("Geheim")  # type: ignore[attr-defined]
        extra.append(["id", "Titel", "Themen"])
        extra.append(["geheim", "G", "Smart Region"])
        extra.sheet_state = "hidden"
    data = workbook_bytes([["id", "Titel", "Themen"], ["a", "A", "Smart Region"]], change=hide)
    report = import_file(seeded_store, "x.xlsx", data, "t", dry_run=True)
    assert report.ok and len(report.added) == 1
    assert "Ausgeblendetes Blatt 'Geheim' nicht gelesen" in report.notes


def test_unknown_and_missing_columns(seeded_store: Store) -> None:
    """An unknown header gets the closest known one as suggestion; a missing required column is named."""
    plan = plan_import(seeded_store, "x.csv", csv_bytes(["id;Titl;Themen;Farbe", "a;A;Smart Region;rot"]))
    messages = [str(p) for p in plan.problems]
    assert "x.csv, Zeile 1, Spalte B, Wert 'Titl': Unbekannte Spalte — meinten Sie 'Titel'?" in messages
    assert any("Spalte D, Wert 'Farbe': Unbekannte Spalte — Erlaubt: id, Titel" in m for m in messages)
    assert any("Wert 'Titel': Pflichtspalte fehlt" in m for m in messages)
    message = only_problem(seeded_store, "x.csv", csv_bytes(["Farbe;Größe", "rot;5"]))
    assert "Die Kopfzeile passt zu keiner Vorlage" in message


def test_missing_required_values(seeded_store: Store) -> None:
    """An empty required cell is named with an example of what belongs there."""
    message = only_problem(seeded_store, "x.csv", csv_bytes(["id;Titel;Themen", "a;;Smart Region"]))
    assert "Zeile 2, Spalte B (Titel): Pflichtfeld ist leer — 'Titel' ausfüllen, z. B. 'Digitallotsen" in message


def test_invalid_and_unknown_ags(seeded_store: Store) -> None:
    """A key of the wrong length and a well-formed but unknown AGS are told apart."""
    plan = plan_import(seeded_store, "x.csv", csv_bytes([HEADER, "a;A;Smart Region;120600;;;",
                                                         "b;B;Smart Region;12099999;;;"]))
    messages = [str(p) for p in plan.problems]
    assert "Spalte D (Gebiet), Wert '120600': Ungültiger Schlüssel: eine AGS hat 2 (Land), 5 (Kreis) oder 8 " \
           "(Gemeinde) Ziffern" in messages[0]
    assert "Wert '12099999': Diese AGS ist nicht bekannt" in messages[1]


def test_unknown_and_ambiguous_names(seeded_store: Store) -> None:
    """An unknown body gets the closest names; an ambiguous place name lists its candidates with their
    keys; a topic not in the list gets the allowed ones."""
    plan = plan_import(seeded_store, "x.csv", csv_bytes([HEADER, "a;A;Smart Region;Golzow;Amt Biesental-Barnim;;",
                                                         "b;B;Klimaschutz;;;;"]))
    messages = [str(p) for p in plan.problems]
    assert "Wert 'Golzow': Gebiet ist mehrdeutig — meinten Sie 'Golzow (12064172)' oder 'Golzow (12069216)'?" \
           in messages[0]
    assert "Wert 'Amt Biesental-Barnim': Unbekannte Stelle — meinten Sie 'Amt Biesenthal-Barnim'" in messages[1]
    assert "Wert 'Klimaschutz': Unbekanntes Thema — Erlaubt: Digitalisierung," in messages[2]


def test_one_value_where_only_one_is_allowed(seeded_store: Store) -> None:
    """Two lead bodies in the one-value column are refused with a pointer to the partners."""
    message = only_problem(seeded_store, "x.csv", csv_bytes([HEADER, "a;A;Smart Region;;MdJD | MIL;;"]))
    assert "Wert 'MdJD | MIL': Hier ist nur ein Wert erlaubt — Nur einen Wert eintragen; weitere gehören" in message


def test_end_before_start(seeded_store: Store) -> None:
    """An end before the start is reported on the end cell."""
    message = only_problem(seeded_store, "x.csv", csv_bytes([HEADER, "a;A;Smart Region;;;01.07.2025;30.06.2025"]))
    assert "Spalte G (Ende), Wert '30.06.2025': Das Ende liegt vor dem Beginn (01.07.2025)" in message


def test_duplicate_ids_in_one_file(seeded_store: Store) -> None:
    """The same id twice is reported on the second row, naming the first."""
    message = only_problem(seeded_store, "x.csv", csv_bytes(["id;Titel;Themen", "a;A;Smart Region",
                                                             "a;A2;Smart Region"]))
    assert "Zeile 3, Spalte A (id), Wert 'a': Die Kennung kommt doppelt vor (zuerst x.csv, Zeile 2)" in message


def test_invalid_ids_get_a_usable_suggestion(seeded_store: Store) -> None:
    """An id with spaces or umlauts cannot make a stable address; the message proposes one."""
    message = only_problem(seeded_store, "x.csv", csv_bytes(["id;Titel;Themen", "Digitallotsen Süd;A;Smart Region"]))
    assert "Ungültige Kennung" in message and "z. B. 'digitallotsen-sued'" in message


def test_a_50_mb_file_is_refused_before_reading(seeded_store: Store) -> None:
    """A 50 MB file is refused at once with its size and the limit; nothing is parsed."""
    data = csv_bytes(["id;Titel;Themen"]) + b"a;" + b"x" * (50 * 1024 * 1024) + b";Smart Region\r\n"
    message = only_problem(seeded_store, "gross.csv", data)
    assert f"Die Datei ist 50.0 MB groß; erlaubt sind höchstens {MAX_FILE_BYTES // 1024 // 1024} MB" in message


def _bomb(member_size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(member_size // len(chunk)):
                member.write(chunk)
    return out.getvalue()


@pytest.mark.parametrize(("size", "expected"), [(120 * 1024 * 1024, "würde entpackt 120 MB belegen"),
                                                (8 * 1024 * 1024, "-fach komprimiert")])
def test_xlsx_zip_bombs_are_refused_unopened(seeded_store: Store, size: int, expected: str) -> None:
    """An XLSX whose parts would unpack to more than allowed, or at an absurd ratio, is refused by the
    sizes its archive declares, before anything is unpacked."""
    data = _bomb(size)
    assert len(data) < 200 * 1024
    message = only_problem(seeded_store, "bombe.xlsx", data)
    assert expected in message and "ZIP-Bombe" in message


def test_a_cell_far_out_does_not_make_a_billion_cells(seeded_store: Store) -> None:
    """One value in XFD1048576 would stretch the sheet to every row and column Excel has: refused by the
    sheet's extent, at once."""
    data = workbook_bytes([["id", "Titel", "Themen"], ["a", "A", "Smart Region"]],
                          change=lambda s: s.cell(row=1048576, column=16384, value="x"))
    message = only_problem(seeded_store, "weit.xlsx", data)
    assert "Das Blatt reicht bis Zeile 1048576, Spalte XFD" in message


def test_more_rows_than_allowed_are_refused(seeded_store: Store) -> None:
    """A CSV with more than 100,000 rows (small enough in bytes) is refused with the limit."""
    data = csv_bytes(["id;Titel;Themen"]) + b"a;b;Smart Region\r\n" * 100_001
    assert "Mehr als 100000 Zeilen" in only_problem(seeded_store, "lang.csv", data)


def _with_part(part: str, transform: object) -> bytes:
    original = workbook_bytes([["id", "Titel", "Themen"], ["a", "A", "Smart Region"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == part:
                content = transform(content)  # type: ignore[operator]
            target.writestr(item, content)
    return out.getvalue()


LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10)
                     for i in range(1, 10)) + b"]>\n")
EXTERNAL = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
@pytest.mark.parametrize("doctype", [LAUGHS, EXTERNAL], ids=["billion-laughs", "external-entity"])
def test_xml_entity_attacks_are_refused(seeded_store: Store, part: str, doctype: bytes) -> None:
    """XML with entity declarations (billion laughs, external entities reading local files) in any part of
    an XLSX is refused by the parser, and nothing of it is expanded or read."""
    def poison(content: bytes) -> bytes:
        body = content.split(b"?>", 1)[-1]
        return doctype + body.replace(b"<v>", b"<v>&lol9;" if doctype is LAUGHS else b"<v>&xxe;", 1)
    message = only_problem(seeded_store, "angriff.xlsx", _with_part(part, poison))
    assert "Entitäts- oder DTD-Deklarationen" in message and "root:" not in message


def test_old_xls_and_other_binaries_are_refused(seeded_store: Store) -> None:
    """An old .xls, an XML file and a file in no known encoding are each refused with what to do."""
    assert ".xlsx oder als CSV" in only_problem(seeded_store, "alt.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert "keine Tabelle" in only_problem(seeded_store, "x.csv", b"<?xml version='1.0'?><a/>")
    assert "weder UTF-8 noch Windows-1252" in only_problem(seeded_store, "x.csv", b"id;Titel\r\n\x81\x8d;x\r\n")
    assert "kein gültiges ZIP-Archiv" in only_problem(seeded_store, "x.xlsx", b"PK\x03\x04kaputt")
    assert "Null-Bytes" in only_problem(seeded_store, "x.csv", b"id;Titel\r\n\x00\x01\x02;x\r\n")


def test_export_neutralises_formula_cells_and_reads_them_back(seeded_store: Store) -> None:
    """Cells beginning with =, +, -, @ are written with a leading apostrophe, so Excel shows text instead of
    running a formula (CSV injection); the import reads them back as they were."""
    data = write_csv(["id", "Titel", "Themen"], [["a", "=HYPERLINK(\"http://x\")", "Smart Region"],
                                                  ["b", "+49 30 123", "Smart Region"], ["c", "-5 %", "Smart Region"],
                                                  ["d", "@Barnim", "Smart Region"]])
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ";'+49 30 123;" in text and ";'-5 %;" in text and ";'@Barnim;" in text
    table = read_table("x.csv", data)
    assert [r.values[1] for r in table.sheets[0].rows] == ['=HYPERLINK("http://x")', "+49 30 123", "-5 %", "@Barnim"]
    assert datetime.date(2025, 12, 31).strftime("%d.%m.%Y") in write_csv(["d"], [[datetime.date(2025, 12, 31)]]).decode()


FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
CELLS = st.one_of(st.sampled_from(["", "12060", "1206", "31.12.2025", "31.02.2025", "45657", "2025", "=1", "'=1",
                                   "Golzow", "Smart Region", "laufend", "MdJD | MIL", "https://example.org/", "ÄÖÜß",
                                   "<script>", '"', ";", "\t", "x" * 200]), st.text(max_size=30))


def _mutated(data: bytes, flips: list[tuple[int, int]]) -> bytes:
    mutable = bytearray(data)
    for position, value in flips:
        mutable[position % len(mutable)] = value
    return bytes(mutable)


@FUZZ
@given(flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=20),
       xlsx=st.booleans())
def test_damaged_files_never_break_the_import(seeded_store: Store, flips: list[tuple[int, int]], xlsx: bool) -> None:
    """A template-made file with random bytes changed gives problems or a plan, never an exception."""
    good = workbook_bytes([["id", "Titel", "Themen", "Beginn"], ["a", "A", "Smart Region", "01.01.2025"]]) \
        if xlsx else TEXT.encode("utf-8-sig")
    plan = plan_import(seeded_store, "kaputt.xlsx" if xlsx else "kaputt.csv", _mutated(good, flips))
    assert all(p.reason for p in plan.problems)


@FUZZ
@given(header=st.lists(st.sampled_from(["id", "Titel", "Themen", "Gebiet", "Beginn", "Ende", "Status", "Partner",
                                        "Name", "Art", "Stelle", "Rolle", "Thema", "gültig bis", "Foo", ""]),
                       min_size=1, max_size=8),
       rows=st.lists(st.lists(CELLS, max_size=9), max_size=5), separator=st.sampled_from([";", ",", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_any_table_gets_a_plan_or_named_problems(seeded_store: Store, header: list[str], rows: list[list[str]],
                                                 separator: str, encoding: str) -> None:
    """Whatever headers and cells a CSV has, the import answers with problems (each naming a reason) or
    a plan, never with an exception."""
    lines = [separator.join(header)] + [separator.join(r) for r in rows]
    data = "\r\n".join(lines).encode(encoding, errors="replace")
    plan = plan_import(seeded_store, "x.csv", data)
    assert all(p.reason for p in plan.problems)
