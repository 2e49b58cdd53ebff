"""What ``pip install .`` installs is the whole product, and it runs where a newcomer starts it.

The wheel holds every module, query, shape, page and data file of the source folders; installed
(not in editable mode) and started inside the source tree, as the Quick start does, the service
answers queries: its query workers import the installed package, not the source folders beside it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import REPO, Server

# source folder -> its name inside the installed package
FOLDERS = {"api": "synergraph/api", "graph": "synergraph/graph", "ontology": "synergraph/ontology",
           "data": "synergraph/data", "synergraph": "synergraph"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the tree, so no earlier build left in it can fill a gap."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".*", "build", "dist", "*.egg-info", "__pycache__",
                                                                  "tests", "notebooks", "bench", "docs"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
                            "-w", str(work), str(source)], check=False, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    return next(work.glob("synergraph-*.whl"))


def test_the_wheel_holds_every_file_of_the_product(wheel: Path) -> None:
    packaged = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"{target}/{path.relative_to(REPO / folder).as_posix()}"
                for folder, target in FOLDERS.items()
                for path in (REPO / folder).rglob("*")
                if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"}
    assert len(expected) > 100
    missing = sorted(expected - packaged)
    assert missing == [], f"{len(missing)} Dateien fehlen im Paket, z. B. {missing[:10]}"


@pytest.fixture
def installed(wheel: Path, tmp_path: Path) -> Iterator[Path]:
    """A new environment with the wheel installed as pip installs it (no editable mapping to the tree);
    the dependencies are taken from this environment's site-packages by a path entry."""
    environment = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(environment)
    target = Path(sysconfig.get_paths(vars={"base": str(environment), "platbase": str(environment)})["purelib"])
    zipfile.ZipFile(wheel).extractall(target)
    # a path entry, not a site folder: the editable install's finder in that folder is not activated
    (target / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    script = environment / "bin" / "synergraph"
    script.write_text(f"#!{environment / 'bin' / 'python'}\nimport sys\nfrom synergraph.api.cli import main\n"
                      "sys.exit(main())\n", encoding="utf-8")
    script.chmod(0o755)
    yield script


def test_the_installed_service_started_in_the_source_tree_answers_queries(installed: Path, tmp_path: Path) -> None:
    running = Server(tmp_path / "store", env={"SYNERGRAPH_EXAMPLES": "false"}, exe=installed, cwd=REPO)
    try:
        answer = httpx.get(running.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        assert answer.status_code == 200, running.log()[-2000:]
        assert answer.json()["boolean"] is True
        assert str(REPO / "graph") not in running.log()  # nothing was imported from the source tree
    finally:
        running.stop()
