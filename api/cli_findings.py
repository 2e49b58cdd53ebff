"""Commands ``synergraph overlaps``, ``duplicates``, ``check`` and ``network`` (registered on the CLI app).

Exit codes: 0 nothing found, 1 findings, 2 error (unknown names with suggestions, unreadable input).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from synergraph.graph.catalog import InvalidValue
from synergraph.graph.errors import InputError

from .cli import EXIT_FOUND, EXIT_OK, _fail, _open_service, app

# The analysis modules (scikit-learn, scipy) are imported inside the commands, so that every other
# command of the CLI starts without loading them.

__all__ = ["check_command", "duplicates_command", "network_command", "overlaps_command"]


class Output(str, Enum):
    """Output formats of the analysis commands."""

    table = "table"
    csv = "csv"
    json = "json"


def _emit(rows: list[dict[str, Any]], fmt: Output, columns: list[str]) -> None:
    if fmt is Output.json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    if fmt is Output.csv:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
        typer.echo(out.getvalue().rstrip("\n"))
        return
    cells = [[str(row.get(c, ""))[:90] for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    typer.echo(" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    typer.echo("-+-".join("-" * w for w in widths))
    for row in cells:
        typer.echo(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    typer.echo(f"({len(rows)} Befunde)")


FormatOption = Annotated[Output, typer.Option("--format", help="Ausgabe: table, csv oder json.")]
TopicOption = Annotated[str | None, typer.Option("--topic", help="Thema (Kurzname oder Bezeichnung).")]
TerritoryOption = Annotated[str | None, typer.Option("--territory", help="Gebiet: AGS, Schlüssel oder Name.")]
AsOfOption = Annotated[datetime.datetime | None, typer.Option("--as-of", formats=["%Y-%m-%d"], help="Stichtag.")]


@app.command("overlaps")
def overlaps_command(
    fmt: FormatOption = Output.table,
    topic: TopicOption = None,
    territory: TerritoryOption = None,
    as_of: AsOfOption = None,
    min_severity: Annotated[str | None, typer.Option("--min-severity", help="niedrig, mittel oder hoch.")] = None,
) -> None:
    """Überschneidungen von Zuständigkeiten und Doppelstrukturen zeigen (Regeln UE-01…UE-05, DS-01).

    Exit-Code 0: nichts gefunden, 1: Befunde, 2: Fehler.

    Beispiel: synergraph overlaps --territory Uckermark --min-severity hoch --format json
    """
    from synergraph.graph.duplicates import duplicate_index
    from synergraph.graph.overlaps import overlaps

    from .findings import _filters

    service = _open_service()
    index = duplicate_index(service.store)
    try:
        topic_iri, territory_iri = _filters(index.context, service.store, topic, territory)
        found = overlaps(service.store, topic=topic_iri, territory=territory_iri,
                         as_of=as_of.date() if as_of else None, min_severity=min_severity, context=index.context)
    except InvalidValue as error:
        raise _fail(str(error)) from error
    rows = [{"regel": f.rule, "schwere": f.severity, "art": f.kind, "erklaerung": f.explanation,
             "mitglieder": " ".join(f.members), "von": f.period_start or "", "bis": f.period_end or ""} for f in found]
    _emit(rows, fmt, ["regel", "schwere", "art", "erklaerung", "mitglieder", "von", "bis"])
    raise typer.Exit(EXIT_FOUND if rows else EXIT_OK)


@app.command("duplicates")
def duplicates_command(
    fmt: FormatOption = Output.table,
    min_score: Annotated[float | None, typer.Option("--min-score", min=0.0, max=1.0,
                                                    help="Mindestwert (Vorgabe: Schwelle der Erkennung, 0,54).")] = None,
    topic: TopicOption = None,
    territory: TerritoryOption = None,
    as_of: AsOfOption = None,
    parallels: Annotated[bool, typer.Option("--parallels", help="Auch Parallelinitiativen zeigen.")] = False,
) -> None:
    """Doppelte Initiativen mit Wert und Erklärung zeigen (Parallelinitiativen mit --parallels).

    Exit-Code 0: nichts gefunden, 1: Befunde, 2: Fehler.

    Beispiel: synergraph duplicates --min-score 0.6 --topic smart-city --format csv
    """
    from synergraph.graph.duplicates import DEFAULT_THRESHOLD, duplicate_index, duplicates

    from .findings import _filters

    service = _open_service()
    index = duplicate_index(service.store)
    try:
        topic_iri, territory_iri = _filters(index.context, service.store, topic, territory)
    except InvalidValue as error:
        raise _fail(str(error)) from error
    min_score = DEFAULT_THRESHOLD if min_score is None else min_score
    kinds = ("duplicate", "parallel") if parallels else ("duplicate",)
    pairs = duplicates(service.store, threshold=min_score, kinds=kinds, topic=topic_iri, territory=territory_iri,
                       as_of=as_of.date() if as_of else None, index=index)
    rows = [{"art": p.kind, "wert": f"{p.score:.2f}", "a": p.a, "b": p.b, "erklaerung": p.explanation}
            for p in pairs]
    _emit(rows, fmt, ["art", "wert", "a", "b", "erklaerung"])
    raise typer.Exit(EXIT_FOUND if rows else EXIT_OK)


@app.command("network")
def network_command(
    fmt: FormatOption = Output.table,
    as_of: AsOfOption = None,
    ranking: Annotated[bool, typer.Option("--ranking", help="Rangfolge der Stellen statt der Befunde zeigen.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Plätze der Rangfolge.")] = 20,
) -> None:
    """Netz der Zusammenarbeit zeigen: Schlüsselstellen, einzige Verbindungen, Kooperationsgruppen (NW-01…NW-03).

    Mit --ranking die Rangfolge der Stellen (wer koordiniert am meisten). Exit-Code 0: nichts gefunden,
    1: Befunde, 2: Fehler.

    Beispiel: synergraph network --as-of 2025-06-01 --format json
    """
    from synergraph.graph.context import AnalysisContext
    from synergraph.graph.findings import decisions
    from synergraph.graph.projections import analyse_network

    from .network import network_out

    service = _open_service()
    day = as_of.date() if as_of else None
    context = AnalysisContext(service.store)
    page = network_out(analyse_network(service.store, as_of=day, context=context), context,
                       decisions(service.store), day, limit, 0)
    if ranking:
        rows = [{"rang": r.rank, "stelle": r.body.iri, "name": r.body.label, "partner": r.partners,
                 "gemeinsam": r.shared, "leitet": r.led, "betweenness": r.betweenness, "gruppe": r.group or "",
                 "einzige_verbindung": r.only_link} for r in page.items]
        _emit(rows, fmt, ["rang", "name", "partner", "gemeinsam", "leitet", "betweenness", "gruppe",
                          "einzige_verbindung", "stelle"])
    else:
        rows = [{"id": f.id, "regel": f.rule, "art": f.title, "wert": f.score, "erklaerung": f.explanation,
                 "stellen": " ".join(m.iri for m in f.members), "entscheidung": f.decision or ""}
                for f in page.findings]
        _emit(rows, fmt, ["regel", "art", "wert", "erklaerung", "stellen", "entscheidung", "id"])
    raise typer.Exit(EXIT_FOUND if page.findings else EXIT_OK)


def _planned_rows(path: Path) -> list[dict[str, Any]]:
    # read like an import, with the columns of the import template (graph/importing.py)
    from synergraph.graph.importing import read_planned

    return read_planned(path.name, path.read_bytes())


@app.command("check")
def check_command(
    title: Annotated[str | None, typer.Option("--title", help="Titel der geplanten Initiative.")] = None,
    description: Annotated[str, typer.Option("--description", help="Beschreibung.")] = "",
    lead: Annotated[str | None, typer.Option("--lead", help="Federführende Stelle.")] = None,
    partner: Annotated[list[str] | None, typer.Option("--partner", help="Partner, mehrfach möglich.")] = None,
    territory: Annotated[list[str] | None, typer.Option("--territory", help="Gebiet (AGS oder Name), mehrfach.")] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", help="Thema, mehrfach möglich.")] = None,
    target_group: Annotated[list[str] | None, typer.Option("--target-group", help="Zielgruppe, mehrfach.")] = None,
    start: Annotated[str | None, typer.Option("--start", help="Beginn (JJJJ-MM-TT).")] = None,
    end: Annotated[str | None, typer.Option("--end", help="Ende (JJJJ-MM-TT).")] = None,
    successor_of: Annotated[list[str] | None, typer.Option("--successor-of", help="Nachfolger von (Initiative).")] = None,
    input_file: Annotated[Path | None, typer.Option("--input", help="JSON-, CSV- oder XLSX-Datei mit geplanten "
                                                    "Initiativen (Spalten wie die Importvorlage).")] = None,
    fmt: FormatOption = Output.table,
    min_score: Annotated[float, typer.Option("--min-score", min=0.0, max=1.0, help="Mindestwert.")] = 0.4,
) -> None:
    """Prüfen, ob eine geplante Initiative schon besteht: ähnliche Initiativen und zuständige Stellen.

    Exit-Code 0: nichts gefunden, 1: Treffer, 2: Fehler (z. B. unbekannte Stelle, mit Vorschlägen).

    Beispiel: synergraph check --title "Digitallotsen für Ältere" --territory 12064 --topic qualifizierung-digitalkompetenz
    """
    if input_file is None and not title:
        raise _fail("Bitte --title oder --input angeben.")
    try:
        rows = _planned_rows(input_file) if input_file else [{
            "id": "1", "title": title, "description": description, "lead": lead, "partners": partner or [],
            "territories": territory or [], "topics": topic or [], "target_groups": target_group or [],
            "start": start, "end": end, "successor_of": successor_of or []}]
    except (OSError, ValueError, InputError) as error:
        raise _fail(f"Eingabe '{input_file}' ist nicht lesbar: {error}") from error
    from synergraph.graph.duplicates import check, duplicate_index

    from .findings import PlannedIn, planned_record

    service = _open_service()
    index = duplicate_index(service.store)
    out: list[dict[str, Any]] = []
    for number, row in enumerate(rows, start=1):
        identifier = str(row.get("id") or number)
        try:
            planned = PlannedIn(**{k: v for k, v in row.items() if k not in ("id", "status")})
            record = planned_record(service.store, index.context, planned, identifier)
        except ValidationError as error:
            first = error.errors()[0]
            raise _fail(f"Zeile {number}, Feld '{first['loc'][0]}': {first['msg']}") from error
        except InvalidValue as error:
            raise _fail(f"Zeile {number}: {error}") from error
        result = check(service.store, record, min_score=min_score, index=index)
        for match in result.matches:
            out.append({"eingabe": identifier, "art": match.kind, "wert": f"{match.score:.2f}", "initiative": match.b,
                        "erklaerung": match.explanation})
        if result.matches:
            for body in result.responsible[:5]:
                out.append({"eingabe": identifier, "art": "zustaendig", "wert": "", "initiative": body.body,
                            "erklaerung": body.explanation})
    _emit(out, fmt, ["eingabe", "art", "wert", "initiative", "erklaerung"])
    raise typer.Exit(EXIT_FOUND if any(r["art"] != "zustaendig" for r in out) else EXIT_OK)



