"""The templates staff fill in: made from the import schemas and the vocabulary, opened by LibreOffice.

The XLSX templates have German headers, a help sheet, drop-down lists for status, role, topic, level,
kind and target group, and date cells; the CSV templates follow German Excel habits. The committed
files in data/templates are what ``synergraph templates`` makes today.
"""

from __future__ import annotations

import datetime
import io
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from conftest import REPO, cli
from synergraph.graph.importing import SCHEMAS, choices, import_file
from synergraph.graph.store import Store
from synergraph.graph.templates import TEMPLATE_FILES, write_templates

TEMPLATES = REPO / "data" / "templates"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def validations(sheet: object) -> dict[str, str]:
    """Header of each validated column -> the list range (or 'date') its drop-down offers."""
    found = {}
    for rule in sheet.data_validations.dataValidation:  # type: ignore[attr-defined]
        column = str(rule.sqref).split(":")[0].rstrip("0123456789")
        header = sheet[f"{column}1"].value  # type: ignore[index]
        found[header] = rule.formula1 if rule.type == "list" else rule.type
    return found


def test_committed_templates_are_what_the_generator_makes(tmp_path: Path) -> None:
    """Regenerating the templates gives the same CSVs byte for byte and the same workbooks cell for cell,
    so they stay in sync with the import and the vocabulary."""
    fresh = write_templates(tmp_path)
    assert sorted(p.name for p in fresh) == sorted(p.name for p in TEMPLATES.iterdir() if p.suffix in (".csv", ".xlsx"))
    for path in fresh:
        committed = TEMPLATES / path.name
        if path.suffix == ".csv":
            assert path.read_bytes() == committed.read_bytes(), path.name
            continue
        new, old = openpyxl.load_workbook(path), openpyxl.load_workbook(committed)
        assert new.sheetnames == old.sheetnames
        for name in new.sheetnames:
            assert [[c.value for c in row] for row in new[name].iter_rows()] == \
                   [[c.value for c in row] for row in old[name].iter_rows()], (path.name, name)
            assert validations(new[name]) == validations(old[name])


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_workbook_has_headers_help_lists_and_date_cells(kind: str) -> None:
    """Data sheet with the German headers; help sheet naming every column, whether it is required, an
    example and the allowed values; drop-downs with exactly the vocabulary's labels; date cells as
    TT.MM.JJJJ and key cells as text."""
    schema = SCHEMAS[kind]
    book = openpyxl.load_workbook(TEMPLATES / f"{TEMPLATE_FILES[kind]}.xlsx")
    assert book.sheetnames == [schema.sheet, "Hilfe", "Listen"] and book["Listen"].sheet_state == "hidden"
    data = book[schema.sheet]
    headers = [c.header for c in schema.columns]
    assert [c.value for c in data[1]] == headers
    rows = {r[0]: r for r in book["Hilfe"].iter_rows(min_row=5, values_only=True)}
    assert list(rows) == headers
    for column in schema.columns:
        help_row = rows[column.header]
        assert help_row[1] == ("ja" if column.required else None)
        if column.kind in ("status", "role", "topic", "level", "target-group", "initiative-type", "body-type"):
            allowed = [label for _, label in choices(column.kind)]
            assert help_row[4] == ", ".join(allowed)
            target = validations(data)[column.header]
            cells = book["Listen"][target.split("!")[1].replace("$", "")]
            assert [c[0].value for c in cells] == allowed
        if column.kind == "date":
            assert validations(data)[column.header] == "date"
        if column.kind in ("date", "year-or-date"):
            letter = openpyxl.utils.get_column_letter(headers.index(column.header) + 1)
            assert data[f"{letter}2"].number_format == "DD.MM.YYYY"
        if column.kind in ("id", "territory"):
            letter = openpyxl.utils.get_column_letter(headers.index(column.header) + 1)
            assert data[f"{letter}500"].number_format == "@"


def test_csv_templates_follow_german_excel_habits() -> None:
    """Semicolons, UTF-8 with BOM, CRLF, the same headers as the workbook."""
    for kind, stem in TEMPLATE_FILES.items():
        data = (TEMPLATES / f"{stem}.csv").read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\r\n")
        assert data[3:].decode("utf-8").rstrip("\r\n").split(";") == [c.header for c in SCHEMAS[kind].columns]


def test_templates_command_writes_them(tmp_path: Path, seeded_store_dir: Path) -> None:
    """`synergraph templates DIR` writes the six files."""
    result = cli("templates", str(tmp_path / "vorlagen"), store=seeded_store_dir)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "vorlagen").iterdir()) == sorted(
        f"{stem}.{suffix}" for stem in TEMPLATE_FILES.values() for suffix in ("csv", "xlsx"))


def test_a_filled_workbook_template_imports(seeded_store: Store) -> None:
    """Filled in as staff would (choosing from the lists, typing dates into the date cells), the template
    imports without a problem."""
    book = openpyxl.load_workbook(TEMPLATES / "zustaendigkeiten.xlsx")
    sheet = book["Zuständigkeiten"]
    for column, value in enumerate(["imp-vorlage", "Kreisverwaltung Barnim", "E-Government", "12060", "federführend",
                                    datetime.date(2025, 1, 1)], start=1):
        sheet.cell(row=2, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    report = import_file(seeded_store, "zustaendigkeiten.xlsx", out.getvalue(), "t", dry_run=True)
    assert report.ok and [c.row for c in report.added] == [2], report.text()


def soffice(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "HOME": str(tmp_path / "home")}
    return subprocess.run([str(SOFFICE), "--headless", "--norestore", *args], capture_output=True, text=True, check=False,
                          env=environment, timeout=180)


def messages(result: subprocess.CompletedProcess[str]) -> list[str]:
    """What LibreOffice said beyond its progress line and a note about its optional Java runtime."""
    lines = (result.stdout + result.stderr).splitlines()
    return [line for line in lines if line.strip() and not line.startswith("convert ")
            and "javaldx" not in line]


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice fehlt (tests/run installiert libreoffice-calc-nogui)")
def test_libreoffice_opens_every_template_without_warnings(tmp_path: Path, seeded_store: Store) -> None:
    """LibreOffice converts each workbook (to CSV and back to XLSX) and each CSV (read as semicolon,
    UTF-8) without a warning or error; the workbook it saves keeps the drop-downs and still imports."""
    for stem in TEMPLATE_FILES.values():
        as_csv = soffice(tmp_path, "--convert-to", "csv:Text - txt - csv (StarCalc):59,34,76,1", "--outdir",
                         str(tmp_path / "csv"), str(TEMPLATES / f"{stem}.xlsx"))
        assert as_csv.returncode == 0 and messages(as_csv) == [], as_csv.stdout + as_csv.stderr
        header = (tmp_path / "csv" / f"{stem}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header.replace('"', "").split(";") == [c.header for c in SCHEMAS[_kind(stem)].columns]
        resaved = soffice(tmp_path, "--convert-to", "xlsx", "--outdir", str(tmp_path / "xlsx"),
                          str(TEMPLATES / f"{stem}.xlsx"))
        assert resaved.returncode == 0 and messages(resaved) == [], resaved.stdout + resaved.stderr
        book = openpyxl.load_workbook(tmp_path / "xlsx" / f"{stem}.xlsx")
        assert validations(book[SCHEMAS[_kind(stem)].sheet]) == validations(
            openpyxl.load_workbook(TEMPLATES / f"{stem}.xlsx")[SCHEMAS[_kind(stem)].sheet])
        report = import_file(seeded_store, f"{stem}.xlsx", (tmp_path / "xlsx" / f"{stem}.xlsx").read_bytes(), "t",
                             dry_run=True)
        assert report.ok, report.text()
        from_csv = soffice(tmp_path, "--infilter=Text - txt - csv (StarCalc):59,34,76,1", "--convert-to", "xlsx",
                           "--outdir", str(tmp_path / "from-csv"), str(TEMPLATES / f"{stem}.csv"))
        assert from_csv.returncode == 0 and messages(from_csv) == [], from_csv.stdout + from_csv.stderr
        cells = [c.value for c in openpyxl.load_workbook(tmp_path / "from-csv" / f"{stem}.xlsx").active[1]]
        assert cells == [c.header for c in SCHEMAS[_kind(stem)].columns]


def _kind(stem: str) -> str:
    return next(kind for kind, name in TEMPLATE_FILES.items() if name == stem)


HOSTILE_TITLES = ["=1+1", "+49 30 1234", "-5 % Eigenanteil", "@Barnim digital"]


def test_templates_with_data_round_trip_and_never_run_formulas(fresh_store_dir: Path, tmp_path: Path) -> None:
    """`synergraph templates DIR --mit-daten` writes what was imported into the templates; text beginning
    with =, +, -, @ stays text (a quote-prefixed text cell in the XLSX, a leading ' in the CSV, which
    LibreOffice shows as text and never computes); both files import again without a change."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Initiativen"
    sheet.append(["id", "Titel", "Themen", "Gebiet", "Beginn"])
    for number, title in enumerate(HOSTILE_TITLES):
        sheet.append([f"imp-formel-{number}", title, "Smart Region", "12060", datetime.date(2025, 1, 1)])
        sheet.cell(row=number + 2, column=2).data_type = "s"
    book.save(tmp_path / "formeln.xlsx")
    imported = cli("import", str(tmp_path / "formeln.xlsx"), store=fresh_store_dir)
    assert imported.returncode == 0, imported.stderr
    result = cli("templates", str(tmp_path / "export"), "--mit-daten", store=fresh_store_dir)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "export" / "initiativen.csv").read_bytes().decode("utf-8-sig")
    for title in HOSTILE_TITLES:
        assert f";'{title};" in text
    exported = openpyxl.load_workbook(tmp_path / "export" / "initiativen.xlsx")["Initiativen"]
    cells = [exported.cell(row=r, column=2) for r in range(2, 6)]
    assert [c.value for c in cells] == HOSTILE_TITLES
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    store = Store(fresh_store_dir)
    for name in ("initiativen.xlsx", "initiativen.csv"):
        again = import_file(store, name, (tmp_path / "export" / name).read_bytes(), "t", dry_run=True)
        assert again.ok and again.unchanged == 4 and not (again.added or again.changed), again.text()
    if SOFFICE is None:
        pytest.skip("LibreOffice fehlt")
    converted = soffice(tmp_path, "--convert-to", "csv:Text - txt - csv (StarCalc):59,34,76,1", "--outdir",
                        str(tmp_path / "lo"), str(tmp_path / "export" / "initiativen.xlsx"))
    assert converted.returncode == 0 and messages(converted) == []
    shown = (tmp_path / "lo" / "initiativen.csv").read_text(encoding="utf-8")
    assert "=1+1" in shown and ";2;" not in shown
