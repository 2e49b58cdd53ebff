"""The ``synergraph`` command line: a thin layer over the same functions the service uses.

Exit codes: 0 ok; 1 a check found something (e.g. validation errors); 2 usage or input error.
"""

from __future__ import annotations

import datetime
import functools
import io
import json
import sys
import time
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import pyoxigraph as ox
import typer
from synergraph.graph.bulk_loading import bulk_load_file
from synergraph.graph.errors import InputError, QuerySyntaxError, ValidationFailed
from synergraph.graph.loading import LoadResult, load_file, read_file
from synergraph.graph.namespaces import PREFIXES
from synergraph.graph.seed import seed_files
from synergraph.graph.store import Store, StoreLocked
from synergraph.graph.validation import validate as validate_graph

from synergraph import __version__

from .service import Service
from .settings import Settings
from .sparql.tokens import new_token

EXIT_OK, EXIT_FOUND, EXIT_ERROR = 0, 1, 2

app = typer.Typer(
    name="synergraph",
    help="Synergraph: Wissensgraph der Zuständigkeiten, Gebiete und Initiativen der öffentlichen Hand.\n\n"
         "Exit-Codes: 0 in Ordnung, 1 Prüfung hat etwas gefunden, 2 Bedienungs- oder Eingabefehler.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Format(str, Enum):
    """Output formats of ``query``."""

    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"


def _fail(message: str, code: int = EXIT_ERROR) -> typer.Exit:
    typer.echo(f"Fehler: {message}", err=True)
    return typer.Exit(code)


def _open_service() -> Service:
    try:
        return Service.open(Settings())
    except StoreLocked as error:
        raise _fail(str(error)) from error
    except (InputError, ValidationFailed) as error:
        raise _fail(f"Die Startdaten ließen sich nicht laden: {error}") from error


@app.callback(invoke_without_command=True)
def _main(version: Annotated[bool, typer.Option("--version", help="Version zeigen.")] = False) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit(EXIT_OK)


@app.command()
def load(
    files: Annotated[list[Path], typer.Argument(help="RDF-Dateien (.ttl, .nt, .rdf, .jsonld) oder CSV (GV-Auszug).")],
    graph: Annotated[str | None, typer.Option(help="IRI des benannten Graphen (nur bei einer Datei).")] = None,
    land: Annotated[list[str] | None, typer.Option(
        help="Land-Schlüssel für einen GV-Auszug, mehrfach möglich; 'alle' für ganz Deutschland.")] = None,
    gebietsstand: Annotated[str | None, typer.Option(help="Gebietsstand eines GV-Auszugs, JJJJ-MM-TT.")] = None,
    bulk: Annotated[bool, typer.Option(
        "--bulk", help="Große RDF-Dateien schnell laden, ohne SHACL-Prüfung; der Dienst muss beendet sein.")] = False,
) -> None:
    """Dateien prüfen und laden, jede ganz oder gar nicht, in ihren eigenen benannten Graphen.

    Mit --bulk lädt der schnelle Lader der Datenbank die Datei in eine Kopie des Speichers, die dann
    in einem Schritt an seine Stelle tritt: ebenfalls ganz oder gar nicht, aber ohne SHACL-Prüfung und
    nur, solange kein Dienst den Speicher geöffnet hat.

    Beispiel: synergraph load meine-initiativen.ttl
    Beispiel: synergraph load --bulk --graph https://w3id.org/synergraph/graph/national national.nt
    """
    if graph and len(files) > 1:
        raise _fail("--graph geht nur mit genau einer Datei")
    options: dict[str, Any] = {}
    if land:
        options["lands"] = None if "alle" in land else land
    if gebietsstand:
        try:
            options["gebietsstand"] = datetime.date.fromisoformat(gebietsstand)
        except ValueError as error:
            raise _fail(f"--gebietsstand: '{gebietsstand}' ist kein Datum JJJJ-MM-TT") from error
    store = None
    load_one: Callable[[Path, str | None], LoadResult]
    if bulk:
        if options:
            raise _fail("--land und --gebietsstand gelten für CSV-Dateien, --bulk lädt nur RDF-Dateien")
        load_one = functools.partial(bulk_load_file, Settings().store)
    else:
        store = _open_service().store
        load_one = functools.partial(load_file, store, **options)
    for file in files:
        try:
            result = load_one(file, graph)
        except StoreLocked as error:
            raise _fail(f"{error} Auch 'synergraph load --bulk' braucht den Speicher für sich; solange der Dienst "
                        "läuft, ersetzt ein PUT an /rdf-graph-store (mit Schreib-Token) einen Graphen.") from error
        except InputError as error:
            raise _fail(str(error)) from error
        except ValidationFailed as error:
            raise _fail(str(error), EXIT_FOUND) from error
        unchecked = ", ohne SHACL-Prüfung" if bulk else ""
        typer.echo(f"{file}: {result.triples} Tripel in <{result.graph}> ({result.seconds:.1f} s{unchecked})")
    if store is not None:
        store.flush()


@app.command()
def validate(
    files: Annotated[list[Path] | None, typer.Argument(help="Zu prüfende Dateien; ohne: alle mitgelieferten Daten.")] = None,
) -> None:
    """Dateien gegen die SHACL-Formen prüfen, ohne etwas zu speichern.

    Ohne Dateien werden alle mitgelieferten Startdaten geprüft. Exit-Code 1 bei Verstößen.

    Beispiel: synergraph validate data/examples/beispiele.ttl
    """
    problems_total = 0
    if files:
        service = _open_service()
        checks = [(file, {}) for file in files]
        store = service.store
        loading = False
    else:
        store = Store.in_memory()
        checks = [(entry.path, entry.options) for entry in seed_files()]
        loading = True
    for file, options in checks:
        try:
            data = read_file(file, **options)
        except InputError as error:
            raise _fail(str(error)) from error
        problems = validate_graph(data, store)
        problems_total += len(problems)
        typer.echo(f"{file}: {len(data)} Tripel, {len(problems)} Verstöße")
        for problem in problems:
            typer.echo(f"  {problem}")
        if loading:
            store.replace_graph(f"urn:synergraph:check:{file.name}", data)
    typer.echo(f"Insgesamt {problems_total} Verstöße.")
    if problems_total:
        raise typer.Exit(EXIT_FOUND)


def _format_rows(result: Any, fmt: Format) -> str:
    if fmt in (Format.csv, Format.tsv, Format.json):
        oxfmt = {Format.csv: ox.QueryResultsFormat.CSV, Format.tsv: ox.QueryResultsFormat.TSV,
                 Format.json: ox.QueryResultsFormat.JSON}[fmt]
        return result.serialize(format=oxfmt).decode("utf-8")
    names = [v.value for v in result.variables]
    rows = [["" if s[n] is None else (s[n].value if hasattr(s[n], "value") else str(s[n])) for n in names]
            for s in result]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    out = io.StringIO()
    out.write(" | ".join(n.ljust(w) for n, w in zip(names, widths)).rstrip() + "\n")
    out.write("-+-".join("-" * w for w in widths) + "\n")
    for row in rows:
        out.write(" | ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() + "\n")
    out.write(f"({len(rows)} Zeilen)\n")
    return out.getvalue()


@app.command()
def query(
    sparql: Annotated[str | None, typer.Argument(help="SPARQL-Abfrage (Präfixe sg:, skos:, … sind vordefiniert).")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Abfrage aus einer .rq-Datei lesen.")] = None,
    format: Annotated[Format, typer.Option("--format", help="Ausgabeformat.")] = Format.table,
) -> None:
    """Eine SPARQL-1.1-Abfrage an den Speicher stellen.

    Beispiel: synergraph query "SELECT (COUNT(?g) AS ?n) WHERE { ?g a sg:Municipality ; sg:ags ?ags }"
    """
    if (sparql is None) == (file is None):
        raise _fail("Geben Sie genau eines an: eine Abfrage oder --file DATEI")
    if file is not None:
        try:
            sparql = file.read_text(encoding="utf-8")
        except OSError as error:
            raise _fail(f"{file}: {error.strerror}") from error
    service = _open_service()
    try:
        result = service.store.engine.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)
    except SyntaxError as error:
        raise _fail(f"Abfrage fehlerhaft, {QuerySyntaxError.from_parser(error)}") from error
    if isinstance(result, ox.QueryBoolean):
        value = bool(result)
        typer.echo(json.dumps({"boolean": value}) if format == Format.json else str(value).lower())
    elif isinstance(result, ox.QuerySolutions):
        sys.stdout.write(_format_rows(result, format))
    else:
        sys.stdout.write(result.serialize(format=ox.RdfFormat.TURTLE).decode("utf-8"))


@app.command()
def stats() -> None:
    """Größe des Speichers und seiner benannten Graphen zeigen.

    Beispiel: synergraph stats
    """
    service = _open_service()
    graphs = service.store.graphs()
    typer.echo(f"Speicher: {service.settings.store}")
    typer.echo(f"Tripel insgesamt: {sum(g.triples for g in graphs)}")
    for g in graphs:
        typer.echo(f"  {g.triples:>9}  {g.iri}")


@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", help="Zieldatei (N-Triples, wird überschrieben).")],
    initiatives: Annotated[int, typer.Option(help="Zahl der Initiativen (100000 ergeben gut 1 Mio. Tripel).")] = 1000,
    seed: Annotated[int, typer.Option(help="Startwert; gleicher Startwert und Umfang ergeben dieselbe Datei.")] = 7,
    answers: Annotated[Path | None, typer.Option(
        help="Datei für die eingebauten Dubletten, Überschneidungen und Parallelen (JSON Lines).")] = None,
    land: Annotated[list[str] | None, typer.Option(
        help="Nur die Gebiete dieser Länder (zweistelliger Schlüssel), mehrfach möglich; ohne: ganz Deutschland.")] = None,
) -> None:
    """Synthetische Testdaten erzeugen: echte Gebiete, erfundene Stellen, Zuständigkeiten und Initiativen.

    Beispiel: synergraph generate --initiatives 100000 --seed 7 --out national.nt
    """
    from synergraph.graph.generate import generate as generate_dataset

    if initiatives < 0:
        raise _fail("--initiatives darf nicht negativ sein")
    try:
        result = generate_dataset(out, initiatives=initiatives, seed=seed, answers=answers, lands=land)
    except (InputError, ValueError, OSError) as error:
        raise _fail(str(error)) from error
    typer.echo(f"{out}: {result.triples} Tripel ({result.territory_triples} aus dem Gemeindeverzeichnis), "
               f"{result.initiatives} Initiativen, {result.responsibilities} Zuständigkeiten "
               f"in {result.seconds:.1f} s")
    if answers is not None:
        typer.echo(f"{answers}: {result.duplicates} Dubletten, {result.overlaps} Überschneidungen, "
                   f"{result.parallels} Parallelen")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Adresse, auf der der Dienst lauscht.")] = None,
    port: Annotated[int | None, typer.Option(help="Port des Dienstes.")] = None,
) -> None:
    """Den HTTP-Dienst starten (Standard: http://127.0.0.1:8000).

    Beispiel: synergraph serve --port 8080
    """
    import uvicorn

    from .app import create_app

    started = time.monotonic()
    service = _open_service()
    typer.echo(f"Speicher {service.settings.store} bereit nach {time.monotonic() - started:.1f} s", err=True)
    uvicorn.run(create_app(service), host=host or service.settings.host, port=port or service.settings.port)


token_app = typer.Typer(help="Schreib-Token verwalten.", no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(name: Annotated[str, typer.Argument(help="Name des Tokens, erscheint im Änderungsverlauf.")]) -> None:
    """Ein neues Schreib-Token erzeugen: es wird einmal gezeigt, gespeichert wird nur sein Hash.

    Beispiel: synergraph token create redaktion
    """
    if not name.replace("-", "").replace("_", "").isalnum():
        raise _fail("Der Name darf nur Buchstaben, Ziffern, '-' und '_' enthalten")
    token, line = new_token(name)
    typer.echo(f"Token (nur jetzt sichtbar): {token}")
    name, digest = line.split("=", 1)
    typer.echo(f"In SYNERGRAPH_TOKENS eintragen (kommagetrennt): {line}")
    typer.echo(f"Oder in die Datei SYNERGRAPH_TOKENS_FILE unter [tokens]: {name} = \"{digest}\"")


from . import cli_findings  # noqa: E402,F401  (registers overlaps, duplicates, check on app)
from . import cli_backup  # noqa: E402,F401  (registers export, restore, backup on app)
from . import cli_import  # noqa: E402,F401  (registers import, templates on app)


def main() -> None:
    """Entry point of the console script."""
    app()
