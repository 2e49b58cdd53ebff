"""The analyst notebooks run top to bottom against a real service, and are stored without outputs.

Each notebook in ``notebooks/`` asks the running service (``SYNERGRAPH_URL``, here the session's
``synergraph serve`` over a copy of the seeded store) and asserts what its narrative claims, so a
wrong answer fails here. A notebook that writes (importing a spreadsheet) gets a service of its own
over a fresh store, started with a write token that it finds in ``SYNERGRAPH_TOKEN``. The notebooks
are executed with nbclient in a fresh Python kernel, from the ``notebooks/`` folder, exactly as an
analyst would run them in Jupyter ("Run all").
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from conftest import REPO, Server
from nbclient import NotebookClient
from synergraph.api.sparql.tokens import new_token

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
WRITES = {"05-pflege-und-verlauf.ipynb"}
# Each cell may take at most this long (a hanging cell fails); the run time of each notebook is printed.
SECONDS_PER_NOTEBOOK = 60


def test_the_notebook_set_is_complete() -> None:
    """Getting started, responsibilities of a Gemeinde, overlaps and the duplicate check are all there."""
    names = [path.name for path in NOTEBOOKS]
    assert names == ["01-einstieg.ipynb", "02-zustaendigkeiten-gemeinde.ipynb", "03-ueberschneidungen.ipynb",
                     "04-dubletten-check.ipynb", "05-pflege-und-verlauf.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    """A notebook in the repository is valid and has no outputs or execution counts (diffs stay readable)."""
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}, Zelle {number}: Ausgaben gespeichert"
            assert cell.execution_count is None, f"{path.name}, Zelle {number}: Zähler gespeichert"
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("# "), \
        f"{path.name}: beginnt nicht mit einer Überschrift"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_runs_top_to_bottom_against_the_service(path: Path, request: pytest.FixtureRequest,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Every cell runs without error against the real service, its assertions hold, and it is fast."""
    own: Server | None = None
    if path.name in WRITES:
        token, line = new_token("notizbuch")
        own = Server(request.getfixturevalue("fresh_store_dir"), env={"SYNERGRAPH_TOKENS": line})
        request.addfinalizer(own.stop)
        monkeypatch.setenv("SYNERGRAPH_TOKEN", token)
    monkeypatch.setenv("SYNERGRAPH_URL", (own or request.getfixturevalue("server")).url)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=SECONDS_PER_NOTEBOOK, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.monotonic()
    client.execute()
    seconds = time.monotonic() - started
    print(f"{path.name}: {seconds:.1f} s")
    ran = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert ran and all(cell.execution_count for cell in ran)
    errors = [output for cell in ran for output in cell.outputs if output.output_type == "error"]
    assert errors == []
