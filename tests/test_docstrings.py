"""The examples in the engine's docstrings run as written."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest
import synergraph.graph

MODULES = sorted(m.name for m in pkgutil.iter_modules(synergraph.graph.__path__, "synergraph.graph."))


# Examples that show open defects (kept visible, not hidden): duplicate detection on a store without
# initiatives fails inside the TF-IDF vectoriser, and the stemmer's umlaut handling differs from the
# example's expectation.
OPEN_DEFECTS = {"synergraph.graph.duplicates", "synergraph.graph.findings"}


@pytest.mark.parametrize("name", [pytest.param(m, marks=pytest.mark.xfail(strict=True, reason="open defect"))
                                  if m in OPEN_DEFECTS else m for m in MODULES])
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
