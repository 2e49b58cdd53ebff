"""The seed graph: which shipped files a new store is filled with, and keeping it current.

The list lives in ``data/seed.toml``. Opening a store loads each listed file whose checksum differs
from the one recorded at its last load, so later starts reuse the store and reload only what changed.
A graph that a user replaced with a load of their own (e.g. the territories of all of Germany) is
left as the user made it. Every load into a store that already holds data (an upgrade with changed
files) is in the change history (agent ``startdaten``); filling a new store is documented by the
catalog entries. Entities changed over the write API keep their edited state when their file is
loaded again (see :mod:`synergraph.graph.loading`).

Examples
--------
>>> [entry.path.name for entry in seed_files()][:2]
['synergraph.ttl', 'topics.ttl']
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .history import history_record
from .loading import (
    CATALOG_GRAPH,
    LoadResult,
    checksum,
    graph_iri_for,
    load_file,
    loaded_by_user,
    loaded_checksum,
)
from .store import Store

__all__ = ["SEED_AGENT", "SeedFile", "ensure_seeded", "seed_files"]

SEED_AGENT = "startdaten"
"""Who the history names for loads of the seed graph (the service filling or updating its store)."""


@dataclass(frozen=True)
class SeedFile:
    """One file of the seed graph with the options it is read with."""

    path: Path
    example: bool = False
    validate: bool = True
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def graph(self) -> str:
        """The named graph this file is loaded into."""
        return graph_iri_for(self.path)


def _package_dir(package: str) -> Path:
    with as_file(files(f"synergraph.{package}")) as folder:
        return Path(folder)


def seed_files() -> list[SeedFile]:
    """The files of the seed graph in load order, from ``data/seed.toml``."""
    data_dir = _package_dir("data")
    manifest = tomllib.loads((data_dir / "seed.toml").read_text(encoding="utf-8"))
    entries = []
    for item in manifest["file"]:
        folder = _package_dir(item.pop("package"))
        path = folder / item.pop("path")
        example = item.pop("example", False)
        check = item.pop("validate", True)
        if "based_on" in item:
            item["based_on"] = folder / item["based_on"]
        entries.append(SeedFile(path, example=example, validate=check, options=item))
    return entries


def _drop_examples(store: Store, graph: str) -> None:
    """Remove the example graph with its catalog entry (so switching the examples on loads them again)
    and record that in the history, in one transaction."""
    _, record = history_record(f"DROP GRAPH <{graph}> (Beispieldaten abgeschaltet: SYNERGRAPH_EXAMPLES=false)",
                               SEED_AGENT, [graph])
    target = ox.NamedNode(graph)
    store.update(f"DROP SILENT GRAPH {target} ;\n"
                 f"DELETE WHERE {{ GRAPH {ox.NamedNode(CATALOG_GRAPH)} {{ {target} ?p ?o }} }} ;\n{record}")


def ensure_seeded(store: Store, examples: bool = True) -> list[LoadResult]:
    """Load every seed file that is new or changed; drop the example graph when ``examples`` is off
    (recorded in the history; switched on again, the examples are loaded again).

    Returns what was loaded (empty when the store was already current).
    """
    loaded = []
    # filling a new store is its starting state (documented by the catalog entries); every later load
    # changes data people may have worked with and is recorded in the history
    agent = SEED_AGENT if len(store) else None
    for entry in seed_files():
        if entry.example and not examples:
            if store.has_graph(entry.graph):
                _drop_examples(store, entry.graph)
            continue
        if loaded_by_user(store, entry.graph) or loaded_checksum(store, entry.graph) == checksum(entry.path,
                                                                                                  entry.options):
            continue
        loaded.append(load_file(store, entry.path, check=entry.validate, seed=True, agent=agent,
                                **entry.options))
    store.flush()
    return loaded
