"""Commands ``synergraph import`` and ``synergraph templates`` (registered on the CLI app).

Exit codes: 0 imported (or nothing to change, or a dry run without problems), 2 problems in the file
(nothing was written) or usage error.
"""

from __future__ import annotations

import getpass
import json
import re
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from .cli import EXIT_ERROR, EXIT_OK, _fail, _open_service, app

__all__ = ["import_command", "templates_command"]


class ReportFormat(str, Enum):
    """How the import report is shown."""

    text = "text"
    json = "json"


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="Tabelle (.xlsx oder .csv) nach einer Vorlage aus data/templates.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Nur prüfen und zeigen, was sich ändern würde.")] = False,
    by: Annotated[str | None, typer.Option("--by", help="Name im Änderungsverlauf (Vorgabe: Benutzername).")] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Bericht als text oder json.")] = ReportFormat.text,
) -> None:
    """Stellen, Zuständigkeiten oder Initiativen aus einer Tabelle importieren – ganz oder gar nicht.

    Die Datei wird vollständig geprüft, bevor etwas geschrieben wird; jedes Problem nennt Zeile, Spalte,
    Wert, Grund und einen Vorschlag. Derselbe Import ein zweites Mal ändert nichts. Der Bericht nennt,
    was neu, geändert und beendet ist. Exit-Code 0: in Ordnung, 2: Probleme (nichts geschrieben).

    Beispiel: synergraph import initiativen.xlsx --dry-run
    """
    from synergraph.graph.importing import import_file

    if not file.is_file():
        raise _fail(f"Datei '{file}' nicht gefunden.")
    agent = by or getpass.getuser()
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", agent):
        raise _fail(f"--by '{agent}': erlaubt sind Buchstaben, Ziffern, '.', '-' und '_' (wie bei Token-Namen).")
    service = _open_service()
    report = import_file(service.store, file.name, file.read_bytes(), agent, dry_run=dry_run)
    if fmt is ReportFormat.json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(report.text(), err=not report.ok)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_ERROR)


@app.command("templates")
def templates_command(
    folder: Annotated[Path, typer.Argument(help="Ordner für die Vorlagen (wird angelegt).")],
    with_data: Annotated[bool, typer.Option("--mit-daten", help="Die bisher importierten Daten eintragen, "
                                            "zum Bearbeiten und erneuten Import.")] = False,
) -> None:
    """Vorlagen für Stellen, Zuständigkeiten und Initiativen schreiben (XLSX mit Hilfe und Listen, CSV).

    Mit --mit-daten enthalten sie, was bisher importiert wurde; Zellen, die mit =, +, - oder @ beginnen,
    bleiben Text (keine Formel).

    Beispiel: synergraph templates vorlagen/ --mit-daten
    """
    from synergraph.graph.templates import write_templates

    store = _open_service().store if with_data else None
    for path in write_templates(folder, store):
        typer.echo(str(path))
