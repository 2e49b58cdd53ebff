"""Errors that name where bad input is and what is wrong with it."""

from __future__ import annotations

import re
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


@dataclass
class QuerySyntaxError(Exception):
    """A SPARQL text the parser refused, with the position it names.

    >>> QuerySyntaxError.from_parser(SyntaxError("error at 2:5: expected one of ...")).position()
    'Zeile 2, Spalte 5'
    """

    message: str
    line: int | None = None
    column: int | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @classmethod
    def from_parser(cls, error: SyntaxError) -> QuerySyntaxError:
        """Read the position out of the engine's parser error."""
        text = str(error.msg if error.msg else error)
        match = re.match(r"error at (\d+):(\d+):\s*(.*)", text, re.DOTALL)
        if match:
            return cls(match.group(3).split("\n")[0], int(match.group(1)), int(match.group(2)))
        return cls(text.split("\n")[0], error.lineno, error.offset)

    def position(self) -> str:
        """The position in German words, or an empty string when the parser gave none."""
        if self.line is None:
            return ""
        return f"Zeile {self.line}, Spalte {self.column}"

    def __str__(self) -> str:
        where = self.position()
        return f"{where}: {self.message}" if where else self.message
