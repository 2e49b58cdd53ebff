"""Ministry and municipal staff keep bodies, responsibilities and initiatives current with spreadsheets.

The story: a file made from a template is checked completely, lands whole or not at all with a report
of what was added, changed and ended, importing it again changes nothing, and every import is in the
history with who, when, what and from which file.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import openpyxl
import pytest
from conftest import Started, cli, kill_before_the_end
from rdflib import Literal, URIRef
from synergraph.graph.history import HISTORY_GRAPH
from synergraph.graph.importing import IMPORT_GRAPH, ImportStale, apply_import, import_file, plan_import
from synergraph.graph.namespaces import DCTERMS, RDFS, SG, resource
from synergraph.graph.store import Store

DATA = Path(__file__).parent / "data" / "import"
INITIATIVES = (DATA / "initiativen.csv").read_bytes()


@pytest.fixture
def store(fresh_store_dir: Path) -> Store:
    """A private copy of the seeded store, opened in this process."""
    return Store(fresh_store_dir)


def csv_bytes(lines: list[str], encoding: str = "utf-8-sig") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def import_graph_size(store: Store) -> int:
    return int(store.value("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", g=URIRef(IMPORT_GRAPH)))


def history_size(store: Store) -> int:
    return int(store.value("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", g=URIRef(HISTORY_GRAPH)))


def test_initiatives_from_a_csv_land_with_their_links_and_a_report(store: Store) -> None:
    """Three initiatives from the CSV template become initiatives of the graph, with lead body, partners
    (a name of the Amt stands for its administration, an abbreviation for its ministry), territory, topic,
    dates, status, target group and predecessor."""
    report = import_file(store, "initiativen.csv", INITIATIVES, "redaktion")
    assert report.ok and report.written, report.text()
    assert [c.iri.rsplit("/", 1)[-1] for c in report.added] == [
        "imp-digitallotsen-barnim", "imp-ki-werkstatt-eberswalde", "imp-digitallotsen-barnim-2027"]
    assert (report.changed, report.ended, report.unchanged) == ([], [], 0)
    lotsen = resource("initiative", "imp-digitallotsen-barnim")
    row = store.select("""SELECT ?lead ?start ?end ?status ?type WHERE { GRAPH ?g { ?i sg:leadBody ?lead ;
        sg:startDate ?start ; sg:endDate ?end ; sg:status ?status ; a ?type } }""", g=URIRef(IMPORT_GRAPH), i=lotsen)
    assert row == [{"lead": str(resource("body", "verwaltung-12060")), "start": datetime.date(2025, 3, 1),
                    "end": datetime.date(2026, 12, 31), "status": str(SG) + "status/laufend",
                    "type": str(SG.Programme)}]
    partners = {r["p"] for r in store.select("SELECT ?p WHERE { ?i sg:partner ?p }", i=lotsen)}
    assert partners == {str(resource("body", "verwaltung-120605003")), str(resource("body", "mdjd-brandenburg"))}
    second = resource("initiative", "imp-digitallotsen-barnim-2027")
    assert store.ask("ASK { ?i sg:successorOf ?p }", i=second, p=lotsen)
    year = store.select("SELECT ?s WHERE { ?i sg:startDate ?s }", i=resource("initiative", "imp-ki-werkstatt-eberswalde"))
    assert year == [{"s": "2025"}], "a year alone stays a year (xsd:gYear)"


def test_importing_the_same_file_again_changes_nothing(store: Store) -> None:
    """Stable IRIs from the ids: the second import finds every row unchanged and writes nothing, not even
    a history record."""
    import_file(store, "initiativen.csv", INITIATIVES, "redaktion")
    before = (import_graph_size(store), history_size(store))
    again = import_file(store, "initiativen.csv", INITIATIVES, "redaktion")
    assert again.ok and not again.written
    assert (again.added, again.changed, again.ended, again.unchanged) == ([], [], [], 3)
    assert (import_graph_size(store), history_size(store)) == before
    assert "Nichts zu ändern" in again.text()


def test_a_later_file_reports_changed_and_ended_rows_and_keeps_rows_it_leaves_out(store: Store) -> None:
    """A new description is a change (naming the field); an end date or status 'abgeschlossen' newly set
    ends an initiative; a row missing from the later file is kept, not deleted."""
    import_file(store, "initiativen.csv", INITIATIVES, "redaktion")
    lines = INITIATIVES.decode("utf-8-sig").splitlines()
    changed = [lines[0],
               lines[1].replace("Ehrenamtliche helfen", "Ehrenamtliche Lotsinnen helfen"),
               lines[2].replace(";2025;;geplant;", ";2025;30.06.2025;abgeschlossen;")]
    report = import_file(store, "initiativen-juli.csv", csv_bytes(changed), "redaktion")
    assert report.ok and report.written, report.text()
    assert [(c.iri.rsplit("/", 1)[-1], c.fields) for c in report.changed] == [
        ("imp-digitallotsen-barnim", ("Beschreibung",))]
    assert [(c.iri.rsplit("/", 1)[-1], c.fields) for c in report.ended] == [
        ("imp-ki-werkstatt-eberswalde", ("Ende", "Status"))]
    assert store.ask("ASK { GRAPH ?g { ?i ?p ?o } }", g=URIRef(IMPORT_GRAPH),
                     i=resource("initiative", "imp-digitallotsen-barnim-2027"))
    descriptions = store.select("SELECT ?d WHERE { ?i dcterms:description ?d }",
                                i=resource("initiative", "imp-digitallotsen-barnim"))
    assert len(descriptions) == 1 and "Lotsinnen" in descriptions[0]["d"]


def test_a_dry_run_reports_everything_and_writes_nothing(store: Store) -> None:
    """--dry-run shows what would be added, and the store stays as it was."""
    before = len(store)
    report = import_file(store, "initiativen.csv", INITIATIVES, "redaktion", dry_run=True)
    assert report.ok and not report.written and len(report.added) == 3
    assert len(store) == before


def test_one_bad_row_stops_the_whole_file(store: Store) -> None:
    """The import lands whole or not at all: two good rows and one with an unknown body write nothing,
    and the report names row, column, value, reason and a suggestion."""
    lines = INITIATIVES.decode("utf-8-sig").splitlines()
    broken = lines[:3] + [lines[3].replace("Kreisverwaltung Barnim", "Amt Biesental-Barnim")]
    before = len(store)
    report = import_file(store, "initiativen.csv", csv_bytes(broken), "redaktion")
    assert not report.ok and not report.written
    assert len(store) == before
    [problem] = report.problems
    assert (problem.row, problem.column, problem.value) == (4, "E (federführende Stelle)", "Amt Biesental-Barnim")
    assert problem.reason == "Unbekannte Stelle"
    assert problem.suggestion.startswith("meinten Sie 'Amt Biesenthal-Barnim'")
    assert "Zeile 4, Spalte E (federführende Stelle), Wert 'Amt Biesental-Barnim': Unbekannte Stelle — meinten Sie " \
           "'Amt Biesenthal-Barnim'" in str(problem)


def test_every_import_is_recorded_as_prov(store: Store) -> None:
    """The history says who (the token's or user's name), when, what changed and from which file
    (name and checksum), in the same transaction as the data."""
    report = import_file(store, "initiativen.csv", INITIATIVES, "kreis-barnim")
    rows = store.select("""SELECT ?who ?start ?op ?file ?sum WHERE { GRAPH ?h { ?a prov:wasAssociatedWith ?agent ;
        prov:startedAtTime ?start ; sg:operation ?op ; prov:used ?src . ?agent rdfs:label ?who .
        ?src sg:sourceFile ?file ; sg:checksum ?sum } }""", h=URIRef(HISTORY_GRAPH), a=URIRef(report.activity or ""))
    assert len(rows) == 1
    row = rows[0]
    assert (row["who"], row["file"]) == ("kreis-barnim", "initiativen.csv")
    assert row["sum"] == "sha256:" + hashlib.sha256(INITIATIVES).hexdigest()
    assert "3 neu" in row["op"] and str(resource("initiative", "imp-digitallotsen-barnim")) in row["op"]
    source = store.value("SELECT ?s WHERE { ?i dcterms:source ?s }", i=resource("initiative", "imp-digitallotsen-barnim"))
    assert store.ask("ASK { ?s a sg:SourceDocument ; dcterms:title ?t }", s=URIRef(source))


def test_a_workbook_with_bodies_responsibilities_and_initiatives_lands_in_one_go(store: Store) -> None:
    """Sheets named like the templates are read together: an initiative may name a body defined on the
    Stellen sheet of the same workbook; real dates of Excel cells are taken as they are."""
    book = openpyxl.Workbook()
    bodies = book.active
    bodies.title = "Stellen"
    bodies.append(["id", "Name", "Art", "Ebene", "Gebiet"])
    bodies.append(["imp-netzwerk-uckermark", "Digitalnetzwerk Uckermark", "Verein oder Verband", None, "12073"])
    resp = book.create_sheet("Zuständigkeiten")
    resp.append(["id", "Stelle", "Thema", "Gebiet", "Rolle", "gültig ab"])
    resp.append(["imp-netz-um-smart", "Digitalnetzwerk Uckermark", "Smart Region", "Uckermark", "beratend",
                 datetime.datetime(2025, 1, 1)])
    init = book.create_sheet("Initiativen")
    init.append(["id", "Titel", "federführende Stelle", "Gebiet", "Themen", "Beginn"])
    init.append(["imp-dorfapp-um", "Dorf-App Uckermark", "Digitalnetzwerk Uckermark", "12073", "Smart Region",
                 datetime.datetime(2025, 5, 1)])
    data = io.BytesIO()
    book.save(data)
    report = import_file(store, "uckermark.xlsx", data.getvalue(), "redaktion")
    assert report.ok, report.text()
    assert sorted(c.kind for c in report.added) == ["Initiativen", "Stellen", "Zuständigkeiten"]
    body = resource("body", "imp-netzwerk-uckermark")
    assert store.ask("ASK { ?i sg:leadBody ?b . ?r sg:holder ?b ; sg:validFrom ?d FILTER(?d = '2025-01-01'^^xsd:date) }",
                     i=resource("initiative", "imp-dorfapp-um"), r=resource("responsibility", "imp-netz-um-smart"), b=body)
    label = store.value("SELECT ?l WHERE { ?r rdfs:label ?l }", r=resource("responsibility", "imp-netz-um-smart"))
    assert label == "Digitalnetzwerk Uckermark: Smart Region, beratend, Uckermark"


def test_bodies_and_responsibilities_from_their_csv_templates(store: Store) -> None:
    """The Stellen and Zuständigkeiten CSVs import: a body with kind, level, abbreviation, supervision and
    homepage; responsibilities with role, topic, territory and validity; a later initiative may name
    the new body by its abbreviation."""
    assert import_file(store, "stellen.csv", (DATA / "stellen.csv").read_bytes(), "redaktion").ok
    report = import_file(store, "zustaendigkeiten.csv", (DATA / "zustaendigkeiten.csv").read_bytes(), "redaktion")
    assert report.ok and len(report.added) == 2, report.text()
    body = resource("body", "imp-it-zweckverband-barnim")
    assert store.ask("ASK { ?b a sg:PublicBody ; sg:level level:kreis ; sg:abbreviation 'ITZV Barnim' ; "
                     "sg:supervisedBy ?k ; foaf:homepage <https://www.example.org/itzv> }",
                     b=body, k=resource("body", "verwaltung-12060"))
    assert store.ask("ASK { ?r sg:role role:beteiligt ; sg:validUntil ?u }",
                     r=resource("responsibility", "imp-biesenthal-smart-region"))
    later = csv_bytes(["id;Titel;federführende Stelle;Themen", "imp-itzv-portal;Serviceportal;ITZV Barnim;E-Government"])
    report = import_file(store, "portal.csv", later, "redaktion")
    assert report.ok, report.text()
    assert store.ask("ASK { ?i sg:leadBody ?b }", i=resource("initiative", "imp-itzv-portal"), b=body)


def test_ids_of_the_delivered_data_cannot_be_overwritten(store: Store) -> None:
    """An import cannot change the delivered data: a row with the id of an example initiative is refused."""
    lines = ["id;Titel;Themen", "bsp-digitalpaten-60plus-maerkisch-oderland;Digitalpaten;Smart Region"]
    report = import_file(store, "x.csv", csv_bytes(lines), "redaktion")
    assert not report.ok
    assert "gehört schon zu mitgelieferten Daten" in report.problems[0].reason
    assert store.value("SELECT (COUNT(?t) AS ?n) WHERE { ?i dcterms:title ?t }",
                       i=resource("initiative", "bsp-digitalpaten-60plus-maerkisch-oderland")) == 1


def test_a_write_between_check_and_import_stops_the_import_and_a_new_try_sees_it(store: Store) -> None:
    """An analyst adds a note about an initiative of the file over SPARQL after the import checked the file
    and before it writes: the write fails whole, and the import, planned afresh, keeps the note."""
    import_file(store, "initiativen.csv", INITIATIVES, "redaktion")
    later = INITIATIVES.replace(b"Digitallotsen", b"Digital-Lotsen")
    plan = plan_import(store, "initiativen.csv", later)
    assert plan.changed and not plan.problems
    target = plan.changed[0].iri
    before = (import_graph_size(store), history_size(store))
    store.update(f'INSERT DATA {{ GRAPH <urn:notiz> {{ <{target}> <{RDFS.comment}> "Rückfrage offen"@de }} }}')
    with pytest.raises(ImportStale, match="nichts wurde geschrieben"):
        apply_import(store, plan, "redaktion")
    assert (import_graph_size(store), history_size(store)) == before
    assert not store.has_graph(plan.guard)
    again = import_file(store, "initiativen.csv", later, "redaktion")
    assert not again.written and "urn:notiz" in again.problems[0].reason  # the note's graph now owns it


def test_shacl_shapes_check_the_result_before_writing(store: Store) -> None:
    """The produced RDF is validated with the shapes: an initiative without a topic (the shapes want one)
    is reported for its row, even if the file's Themen cell was merely left empty."""
    lines = ["id;Titel;Themen", "imp-ohne-thema;Ohne Thema;"]
    plan = plan_import(store, "x.csv", csv_bytes(lines))
    assert plan.problems and plan.problems[0].row == 2
    assert plan.problems[0].reason == "Pflichtfeld ist leer"
    assert not plan.update


def test_import_command_line_with_dry_run_and_exit_codes(fresh_store_dir: Path, tmp_path: Path) -> None:
    """`synergraph import FILE --dry-run` shows the report and writes nothing (exit 0); the real import
    writes (exit 0); a file with problems gets exit 2 and the problems on stderr."""
    file = tmp_path / "initiativen.csv"
    file.write_bytes(INITIATIVES)
    dry = cli("import", str(file), "--dry-run", "--format", "json", store=fresh_store_dir)
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert (report["probelauf"], report["geschrieben"], len(report["neu"])) == (True, False, 3)
    real = cli("import", str(file), "--by", "redaktion", store=fresh_store_dir)
    assert real.returncode == 0, real.stderr
    assert "Neu: 3" in real.stdout and "Geschrieben von 'redaktion'" in real.stdout
    again = cli("import", str(file), store=fresh_store_dir)
    assert again.returncode == 0 and "Unverändert: 3" in again.stdout
    bad = tmp_path / "kaputt.csv"
    bad.write_bytes(csv_bytes(["id;Titel;Themen;Beginn;Ende", "x1;Titel;Smart Region;01.01.2026;31.12.2025"]))
    failed = cli("import", str(bad), store=fresh_store_dir)
    assert failed.returncode == 2
    assert "Zeile 2, Spalte E (Ende), Wert '31.12.2025': Das Ende liegt vor dem Beginn (01.01.2026)" in failed.stderr
    assert "nichts wurde geschrieben" in failed.stderr
    odd = cli("import", str(file), "--by", "Max> Mustermann", store=fresh_store_dir)
    assert odd.returncode == 2 and "--by 'Max> Mustermann'" in odd.stderr


def test_imported_values_are_literal_text(store: Store) -> None:
    """Text from a cell is stored as German text, whatever it contains (no query or markup is run)."""
    title = "Robert'); DROP GRAPH <x> ; <script>alert(1)</script>"
    lines = ["id;Titel;Themen", f"imp-text;\"{title}\";Smart Region"]
    assert import_file(store, "x.csv", csv_bytes(lines), "redaktion").ok
    assert store.value("SELECT ?t WHERE { ?i dcterms:title ?t }", i=resource("initiative", "imp-text")) == title
    assert (resource("initiative", "imp-text"), DCTERMS.title, Literal(title, lang="de")) in set(
        store.triples(IMPORT_GRAPH))


def test_the_pre_check_reads_the_same_files_as_the_import(fresh_store_dir: Path, tmp_path: Path) -> None:
    """`synergraph check --input` takes the import's own files (CSV with German dates, XLSX from the template)
    and reads them the same way; a cell that is no date is named with row, column and value."""
    book = openpyxl.load_workbook(Path(__file__).parents[1] / "data" / "templates" / "initiativen.xlsx")
    sheet = book["Initiativen"]
    description = "Ehrenamtliche helfen älteren Menschen mit Smartphone und Tablet."
    for column, value in enumerate(["plan-1", "Digitallotsen für Seniorinnen und Senioren", description, None, None,
                                    None, "12064", "Qualifizierung und Digitalkompetenz", datetime.date(2025, 3, 1)],
                                   start=1):
        sheet.cell(row=2, column=column, value=value)
    book.save(tmp_path / "geplant.xlsx")
    found = cli("check", "--input", str(tmp_path / "geplant.xlsx"), "--format", "json", store=fresh_store_dir)
    assert found.returncode == 1, found.stderr
    assert any(r["initiative"].endswith("bsp-digitallotsen-senioren-maerkisch-oderland") for r in json.loads(found.stdout))
    (tmp_path / "geplant.csv").write_bytes(INITIATIVES)
    assert cli("check", "--input", str(tmp_path / "geplant.csv"), store=fresh_store_dir).returncode in (0, 1)
    (tmp_path / "falsch.csv").write_bytes(csv_bytes(["Titel;Themen;Beginn", "Digitallotsen;Smart Region;Ende 2025"]))
    wrong = cli("check", "--input", str(tmp_path / "falsch.csv"), store=fresh_store_dir)
    assert wrong.returncode == 2 and "Zeile 2, Feld 'Beginn', Wert 'Ende 2025': Kein Datum" in wrong.stderr


KILLS = 12


def _ended(process: subprocess.Popen[bytes], timeout: float) -> int | None:
    """The exit code of the process (negative: the signal that ended it), or None while it runs after
    ``timeout`` seconds."""
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def _import_state(store_dir: Path) -> tuple[int, int]:
    """The number of triples in the import graph and of history records in a store folder."""
    store = Store(store_dir)
    state = import_graph_size(store), history_size(store)
    del store
    return state


def test_an_import_killed_at_any_moment_leaves_all_or_nothing(fresh_store_dir: Path, tmp_path: Path) -> None:
    """The import process is killed (SIGKILL) at 12 moments spread over the run of a whole import, measured
    first from its start (the interpreter's start-up included): afterwards the store holds either none of
    the file's data and no record, or exactly what the whole import left. An import that ends before its
    kill is run again and killed earlier (the machine may have become faster than in the measured run)."""
    file = tmp_path / "initiativen.csv"
    file.write_bytes(INITIATIVES)
    work = tmp_path / "arbeit"
    log = tmp_path / "import.log"
    exe = Path(sys.executable).with_name("synergraph")

    def start() -> Started:
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(fresh_store_dir, work)
        with log.open("wb") as output:
            process = subprocess.Popen([str(exe), "import", str(file), "--by", "redaktion"],
                                       env={**os.environ, "SYNERGRAPH_STORE": str(work)},
                                       stdout=output, stderr=subprocess.STDOUT)
        return Started(process.pid, partial(_ended, process), log)

    nothing = _import_state(fresh_store_dir)
    assert nothing == (0, 0)
    whole = start()
    begun = time.monotonic()
    assert whole.ended(300) == 0, log.read_text(errors="replace")
    duration = time.monotonic() - begun
    everything = _import_state(work)
    assert everything[0] > 0 and everything[1] > 0, everything
    for point in range(KILLS):
        delay = kill_before_the_end(start, duration * (point + 0.5) / KILLS)
        assert _import_state(work) in (nothing, everything), (point, delay)
