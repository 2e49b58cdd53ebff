"""Every query behind the REST API, the pages and the command line is a named ``.rq`` file.

The files in ``graph/queries/`` parse, say in a first comment line which question they answer and
are used by the code; no module of ``graph/`` or ``api/`` holds SPARQL text of its own, apart from
the store's internal machinery and the known leftovers named below.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from synergraph.graph.namespaces import PREFIXES

ROOT = Path(__file__).resolve().parent.parent
QUERIES = sorted((ROOT / "graph" / "queries").glob("*.rq"))
CODE = sorted(path for folder in ("graph", "api") for path in (ROOT / folder).rglob("*.py"))

# The store's own machinery: it runs the queries of others, counts graphs, guards and forwards
# queries; its SPARQL text is not a question of the catalog.
STORE_INTERNAL = ("graph/store.py", "graph/query_guard.py", "graph/remote.py", "api/sparql/")

# Writes whose text carries data serialised by the engine (ox.NamedNode, ox.Literal, N-Triples):
# Store.update takes no bindings, and the subjects of an import are a list, which a binding of one
# row cannot hold. Each entry is "module::function" (or "module::CONSTANT").
UPDATES_WITHOUT_BINDINGS = {
    "graph/importing.py::_update_text",  # DELETE of the import graph's statements about many subjects
    "graph/importing.py::apply_import",  # INSERT DATA of the import's PROV record
    "graph/guards.py::unchanged",  # VALUES rows of the statements read at the check, for many subjects
    "graph/backup.py::restore",  # DROP ALL before the restored quads
    "graph/backup.py::_insert_data",  # INSERT DATA of the restored quads
}

# Other modules still holding inline SPARQL (all of it updates) that is to move into named queries or
# to join the list above; remove an entry as soon as its text is gone (the test fails for entries
# that are no longer needed, so the list only shrinks).
KNOWN_INLINE = {
    "graph/editing.py::prepare",
    "graph/history.py::history_record",
    "graph/loading.py::_catalog_update",
    "graph/loading.py::_load_record",
    "graph/seed.py::_drop_examples",
}

# The shape of SPARQL text: a query form with its group, a WHERE group, or an update operation.
SPARQL_TEXT = re.compile(
    r"\b(?:SELECT|CONSTRUCT|DESCRIBE)\b[^{}\n]*?(?:\{|\bWHERE\b)"
    r"|\bASK\s*(?:\{|WHERE\b)"
    r"|\bWHERE\s*\{"
    r"|\b(?:INSERT|DELETE)\b(?:\s+DATA)?\s*\{"
    r"|\b(?:DROP|CLEAR)\s+(?:SILENT\s+)?(?:GRAPH|ALL|DEFAULT|NAMED)\b"
)


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


class _SparqlStrings(ast.NodeVisitor):
    """Collects "module::scope" of every string (not a docstring) that looks like SPARQL text."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.scope: list[str] = []
        self.found: set[str] = set()

    def _where(self) -> str:
        return f"{self.module}::{'.'.join(self.scope) or '<module>'}"

    def _scoped(self, node: ast.AST, name: str) -> None:
        self.scope.append(name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._scoped(node, node.name)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._scoped(node, node.name)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._scoped(node, node.name)

    def visit_Assign(self, node: ast.Assign) -> None:
        names = [target.id for target in node.targets if isinstance(target, ast.Name)]
        if not self.scope and names:
            self._scoped(node, names[0])
        else:
            self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return  # a docstring (its examples run as doctests against the store on purpose)
        self.generic_visit(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        text = "".join(str(part.value) if isinstance(part, ast.Constant) else "\x00" for part in node.values)
        if SPARQL_TEXT.search(text):
            self.found.add(self._where())

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and SPARQL_TEXT.search(node.value):
            self.found.add(self._where())


def sparql_in_code(source: str, module: str) -> set[str]:
    """The places ("module::function" or "module::CONSTANT") of ``source`` whose strings hold SPARQL text."""
    visitor = _SparqlStrings(module)
    visitor.visit(ast.parse(source))
    return visitor.found


def test_the_scan_finds_what_it_looks_for() -> None:
    source = '''
"""Docstring: store.update('INSERT DATA { <a> <b> <c> }')"""
ASKED = "ASK { GRAPH <" + "https://example.org/g" + "> { ?f a ?c } }"
def run(store, values):
    """SELECT ?x WHERE { } in a docstring is an example."""
    store.select(f"SELECT ?s WHERE {{ VALUES ?s {{ {values} }} }}")
    store.update("INSERT DATA { GRAPH <g> { <a> <b> <c> } }")
def link(iri):
    return f"DESCRIBE <{iri}>"
def message():
    return "Abfrage ohne WHERE-Gruppe"
def drop(graph):
    return f"DROP SILENT GRAPH {graph}"
'''
    assert sparql_in_code(source, "m.py") == {"m.py::ASKED", "m.py::run", "m.py::drop"}


@pytest.mark.parametrize("path", QUERIES, ids=lambda path: path.name)
def test_named_query_parses(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    ox.Store().query(text, prefixes=PREFIXES, use_default_graph_as_union=True)


@pytest.mark.parametrize("path", QUERIES, ids=lambda path: path.name)
def test_named_query_begins_with_its_question(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert re.fullmatch(r"# [A-Z].{20,}", first), f"{path.name} must begin with a comment saying what it answers"


def test_every_named_query_is_used() -> None:
    code = "\n".join(path.read_text(encoding="utf-8") for path in CODE)
    unused = {path.stem for path in QUERIES if not re.search(rf"""["']{re.escape(path.stem)}["']""", code)}
    assert sorted(unused) == [], "a named query no code runs"


def test_no_inline_sparql_outside_the_store() -> None:
    found = set()
    for path in CODE:
        module = _relative(path)
        if not module.startswith(STORE_INTERNAL):
            found |= sparql_in_code(path.read_text(encoding="utf-8"), module)
    allowed = UPDATES_WITHOUT_BINDINGS | KNOWN_INLINE
    assert sorted(found - allowed) == [], "SPARQL text belongs in graph/queries/<name>.rq"
    assert sorted(allowed - found) == [], "no longer inline: remove from the lists of this test"
