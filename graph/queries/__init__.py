"""Named SPARQL queries of the catalog, one ``.rq`` file per question.

Each file begins with a comment saying what question it answers. Values from users are bound to the
query's variables with ``Store.select(query, **bindings)``; they never become query text.

Examples
--------
>>> load_query("topics").startswith("#")
True
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

__all__ = ["load_query"]


@cache
def load_query(name: str) -> str:
    """The text of the named query ``graph/queries/<name>.rq``.

    Parameters
    ----------
    name : str
        File stem of the query, e.g. ``"territory_parents"``.

    Returns
    -------
    str
        The SPARQL text.

    Raises
    ------
    FileNotFoundError
        No query of that name is shipped.

    Examples
    --------
    >>> "sg:contained" in load_query("territory_parents")
    True
    """
    return (files("synergraph.graph") / "queries" / f"{name}.rq").read_text(encoding="utf-8")
