"""Commands ``synergraph export``, ``synergraph restore`` and ``synergraph backup`` (registered on the CLI app).

Export and backup also work while ``synergraph serve`` runs (they read a consistent view beside it);
restore replaces the whole store and needs the service stopped.
"""

from __future__ import annotations

import getpass
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from synergraph.graph.backup import backup as backup_store
from synergraph.graph.backup import export as export_store
from synergraph.graph.backup import restore as restore_store
from synergraph.graph.errors import InputError
from synergraph.graph.store import Store, StoreLocked

from .cli import EXIT_FOUND, _fail, app
from .settings import Settings

__all__ = ["backup_command", "export_command", "restore_command"]


class ExportFormat(str, Enum):
    """Formats of ``export``: both keep the named graphs."""

    trig = "trig"
    nquads = "nquads"


@app.command("export")
def export_command(
    file: Annotated[Path, typer.Argument(help="Zieldatei (wird erst ersetzt, wenn der Export vollständig ist).")],
    format: Annotated[ExportFormat, typer.Option("--format", help="trig oder nquads.")] = ExportFormat.trig,
) -> None:
    """Den ganzen Speicher exportieren: alle benannten Graphen mit dem Änderungsverlauf.

    Geht auch, während der Dienst läuft.

    Beispiel: synergraph export --format nquads sicherung.nq
    """
    try:
        result = export_store(Settings().store, file, format.value)
    except InputError as error:
        raise _fail(str(error)) from error
    except OSError as error:
        raise _fail(f"{file}: {error}") from error
    typer.echo(f"{file}: {result.quads} Quads in {result.graphs} benannten Graphen ({result.format}, "
               f"{result.seconds:.1f} s)")


@app.command("restore")
def restore_command(
    source: Annotated[Path, typer.Argument(help="Ein Export (.trig, .nq) oder ein Sicherungsordner.")],
    by: Annotated[str | None, typer.Option("--by", help="Name im Änderungsverlauf (Standard: der Benutzer).")] = None,
) -> None:
    """Den ganzen Speicher durch einen Export oder eine Sicherung ersetzen, ganz oder gar nicht.

    Der Dienst muss dafür beendet sein. Danach wird der Speicher gelesen und mit der Datei verglichen
    (bis auf die Namen leerer Knoten); Exit-Code 1, wenn er abweicht.

    Beispiel: synergraph restore sicherung.trig
    """
    settings = Settings()
    try:
        store = Store(settings.store)
    except StoreLocked as error:
        raise _fail(f"{error} Zum Wiederherstellen muss der Dienst beendet sein.") from error
    try:
        result = restore_store(store, source, agent=by or getpass.getuser())
    except InputError as error:
        raise _fail(str(error)) from error
    if not result.isomorphic:
        raise _fail(f"{source}: wiederhergestellt, aber der Speicher weicht beim Zurücklesen von der Datei ab",
                    EXIT_FOUND)
    typer.echo(f"{source}: {result.quads} Quads in {result.graphs} benannten Graphen wiederhergestellt und "
               f"geprüft (isomorph) in {result.seconds:.1f} s; Verlauf: <{result.activity}>")


@app.command("backup")
def backup_command(
    folder: Annotated[Path, typer.Argument(help="Neuer Ordner für die Sicherung (darf nicht existieren).")],
) -> None:
    """Eine in sich stimmige Sicherung des Speichers in einen neuen Ordner schreiben.

    Geht auch, während der Dienst läuft. Die Sicherung ist selbst ein Speicher
    (SYNERGRAPH_STORE=ORDNER) und kann mit 'synergraph restore ORDNER' zurückgespielt werden.

    Beispiel: synergraph backup /var/backups/synergraph/2026-01-31
    """
    try:
        result = backup_store(Settings().store, folder)
    except InputError as error:
        raise _fail(str(error)) from error
    except OSError as error:
        raise _fail(f"{folder}: {error}") from error
    typer.echo(f"{folder}: {result.quads} Quads gesichert ({result.seconds:.1f} s)")
