"""Errors that name where bad input is and what is wrong with it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class InputError(Exception):
    """Bad input: names the file, the line or row, the field and the problem.

    Examples
    --------
    >>> str(InputError("gv.csv", "AGS muss 8 Ziffern haben", line=12, field="gemeinde", value="12a"))
    "gv.csv, Zeile 12, Feld 'gemeinde', Wert '12a': AGS muss 8 Ziffern haben"
    """

    file: str | Path
    problem: str
    line: int | None = None
    field: str | None = None
    value: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [str(self.file)]
        if self.line is not None:
            parts.append(f"Zeile {self.line}")
        if self.field is not None:
            parts.append(f"Feld '{self.field}'")
        if self.value is not None:
            parts.append(f"Wert '{self.value}'")
        return ", ".join(parts) + f": {self.problem}"


class ValidationFailed(Exception):
    """Data broke one or more SHACL shapes; nothing was written.

    ``report`` holds one line per violation: focus node, path, value and the shape's German message.
    """

    def __init__(self, file: str | Path, report: list[str]) -> None:
        self.file = str(file)
        self.report = report
        super().__init__(f"{file}: {len(report)} Verstoß/Verstöße gegen die SHACL-Formen:\n" + "\n".join(report))
