"""The example queries shown on the query page: one ``.rq`` file each in ``graph/queries/examples/``.

Every file begins with the comment lines ``# title: <German title>`` and
``# description: <German description>``, followed by the query.

Examples
--------
>>> examples = example_queries()
>>> examples[0].title
'Wer ist in Gemeinde X für Künstliche Intelligenz zuständig?'
>>> examples[0].query.lstrip().startswith("PREFIX")
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

__all__ = ["ExampleQuery", "example_queries"]


@dataclass(frozen=True)
class ExampleQuery:
    """A named example query: file stem, German title and description, and the SPARQL text."""

    name: str
    title: str
    description: str
    query: str


def _header(text: str, key: str, name: str) -> str:
    prefix = f"# {key}:"
    for line in text.splitlines():
        if line.startswith(prefix):
            return line[len(prefix):].strip()
    raise ValueError(f"queries/examples/{name}.rq: Zeile '{prefix} …' fehlt")


@cache
def example_queries() -> tuple[ExampleQuery, ...]:
    """All example queries, in file name order.

    Returns
    -------
    tuple of ExampleQuery
        Title and description are taken from the header comments; ``query`` is the text after them.

    Raises
    ------
    ValueError
        A file lacks its ``# title:`` or ``# description:`` line.
    """
    folder = files("synergraph.graph") / "queries" / "examples"
    result = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".rq"):
            continue
        name = entry.name.removesuffix(".rq")
        text = entry.read_text(encoding="utf-8")
        body = "\n".join(line for line in text.splitlines()
                         if not line.startswith(("# title:", "# description:"))).strip() + "\n"
        result.append(ExampleQuery(name, _header(text, "title", name), _header(text, "description", name), body))
    return tuple(result)
