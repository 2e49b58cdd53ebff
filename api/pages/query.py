"""``/``: the start page; ``/query``: the SPARQL query page with the editor, examples and results.

The query page runs in the browser against this service's ``/sparql`` (SPARQL 1.1 Protocol); the
page itself only delivers the editor, our prefixes and the example queries.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from synergraph.graph.example_queries import example_queries
from synergraph.graph.namespaces import PREFIXES
from synergraph.graph.queries import load_query

from .rendering import render

__all__ = ["default_query", "router"]

router = APIRouter()


def default_query() -> str:
    """The text a new editor starts with: our prefixes and the small query ``query_page_start.rq``.

    >>> default_query().startswith("PREFIX sg: <https://w3id.org/synergraph/def/>")
    True
    """
    lines = [f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in PREFIXES.items()]
    query = load_query("query_page_start").splitlines()
    while query and query[0].startswith("#"):
        query.pop(0)
    return "\n".join(lines + [""] + query + [""])


@router.get("/", response_class=HTMLResponse)
def start(request: Request) -> HTMLResponse:
    """The start page: what Synergraph is and where to go."""
    return render(request, "start.html", title="Synergraph")


@router.get("/query", response_class=HTMLResponse)
def query_page(request: Request) -> HTMLResponse:
    """The query page; ``?query=...`` opens it with that query (a shared link)."""
    examples = example_queries()
    return render(
        request, "query.html", title="SPARQL-Abfrage",
        prefixes=PREFIXES, examples=examples,
        config={"prefixes": PREFIXES, "defaultQuery": default_query(),
                "examples": {e.name: {"title": e.title, "description": e.description, "query": e.query}
                             for e in examples}},
    )
