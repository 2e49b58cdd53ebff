"""What ``pip install .`` installs is the whole product: every module, query, shape, page and data file
of the source folders is in the wheel, so the service a newcomer starts is the one the tests run."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO

# source folder -> its name inside the installed package
FOLDERS = {"api": "synergraph/api", "graph": "synergraph/graph", "ontology": "synergraph/ontology",
           "data": "synergraph/data", "synergraph": "synergraph"}


def test_the_wheel_holds_every_file_of_the_product(tmp_path: Path) -> None:
    # built from a copy, so no earlier build left in the tree can fill a gap of the package list
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".*", "build", "dist", "*.egg-info", "__pycache__",
                                                                  "tests", "notebooks", "bench", "docs"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
                            "-w", str(tmp_path), str(source)], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("synergraph-*.whl"))
    packaged = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"{target}/{path.relative_to(REPO / folder).as_posix()}"
                for folder, target in FOLDERS.items()
                for path in (REPO / folder).rglob("*")
                if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"}
    assert len(expected) > 100
    missing = sorted(expected - packaged)
    assert missing == [], f"{len(missing)} Dateien fehlen im Paket, z. B. {missing[:10]}"
