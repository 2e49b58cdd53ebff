"""Bulk loading: a large RDF file into the on-disk store at the engine's bulk speed, whole or not at all.

The normal load (:func:`~synergraph.graph.loading.load_file`) writes one transaction; for a million
triples that takes many times as long as the engine's bulk loader, which writes its table files
directly and without a transaction. So a bulk load works on a copy of the store and puts it in place
in one step:

1. the engine's lock file of the store folder is taken and held to the end, so no service opens the
   store meanwhile (a running ``synergraph serve`` holds it already: :class:`StoreLocked`);
2. a copy of the store is made beside it (``<store>.bulk-<id>``): its table files, which the engine
   never changes, as hard links, the rest (write-ahead log, manifest) copied; or, when the graph to
   replace is large against the rest of the store, a new store with the rest put in by the bulk loader
   (dropping quads goes through a transaction, and dropping a large graph would take longer than the
   bulk load itself);
3. in the copy the named graph is dropped, the file bulk-loaded into it, its statements about entities
   changed over the write API taken out again (their edited state wins, as in a normal load), and the
   catalog entry and history record written that a normal load writes; then the copy is flushed and
   closed;
4. the copy and the store folder exchange their names in one step (Linux ``renameat2`` with
   ``RENAME_EXCHANGE``), and the old store, now under the copy's name, is removed.

A file the parser refuses, or a process killed before step 4, leaves the store folder as it was; a
copy left beside it by a killed process is never opened and is removed by the next bulk load. The
SHACL shapes are not checked (a million triples take pySHACL hours; ``synergraph validate`` checks a
file of moderate size).

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp()) / "store"
>>> data = folder.with_name("gross.nt")
>>> _ = data.write_text('<https://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .\\n')
>>> result = bulk_load_file(folder, data, agent="betrieb")
>>> result.graph, result.triples
('https://w3id.org/synergraph/graph/gross', 1)
>>> Store(folder).value("SELECT ?l WHERE { GRAPH ?g { ?s rdfs:label ?l } }", g=ox.NamedNode(result.graph))
'A'
"""

from __future__ import annotations

import ctypes
import fcntl
import gc
import glob
import itertools
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

import pyoxigraph as ox

from .errors import InputError
from .loading import (
    _RDF_FORMATS,
    LoadResult,
    _edited_entities,
    _records,
    _syntax_error,
    digests,
    graph_iri_for,
)
from .queries import load_query
from .remote import is_endpoint_url
from .store import Store, StoreLocked, bind, open_here

__all__ = ["bulk_load_file"]

COPY_INFIX = ".bulk-"
"""A store's copy during a bulk load is the folder ``<store>.bulk-<id>`` beside it."""

DROP_PER_COPY = 8
"""Dropping a quad in a transaction costs about as much as putting eight into a new store with the bulk
loader (1.5 million quads: dropped in 81 s, bulk-loaded in 11 s). A graph to replace that holds more than
an eighth as many quads as the rest of the store is left out by building a new store from the rest."""

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold the engine's lock file of the store folder (as the engine does: an exclusive ``fcntl`` lock),
    so no other process opens the store for writing until the block ends.

    Raises
    ------
    StoreLocked
        Another process, usually the running service, or this one holds the store.
    """
    if open_here(folder):
        gc.collect()  # a store given back with ``del`` can still sit in a reference cycle (frames of a traceback)
        if open_here(folder):
            raise StoreLocked.here(folder)
    descriptor = os.open(folder / "LOCK", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            raise StoreLocked.of(folder) from error
        yield
    finally:
        os.close(descriptor)


def _graph_size(engine: ox.Store, graph: ox.NamedNode) -> int:
    """The number of triples in a named graph of the engine."""
    solutions = cast(ox.QuerySolutions, engine.query(bind(load_query("graph_size"), {"g": graph})))
    return int(next(solutions)["triples"].value)


def _copy_store(folder: Path, target: Path, graph: ox.NamedNode) -> None:
    """Copy a store folder no process writes to, to the new folder ``target``.

    The copy is the folder's table files (never changed by the engine, only replaced) as hard links and
    every other file copied, the lock file left out; or, when ``graph`` is large against the rest of the
    store (:data:`DROP_PER_COPY`), a new store with every quad but those of ``graph``.
    """
    source = ox.Store.read_only(str(folder))  # it replays the write-ahead log, as an opening for writing
    size = _graph_size(source, graph) if source.contains_named_graph(graph) else 0
    if size and size * DROP_PER_COPY > len(source) - size:
        rest = [name for name in source.named_graphs() if name != graph]
        rebuilt = ox.Store(str(target))
        rebuilt.bulk_extend(itertools.chain.from_iterable(
            source.quads_for_pattern(None, None, None, name) for name in [ox.DefaultGraph(), *rest]))
        for name in rest:  # also the named graphs without triples
            rebuilt.add_graph(name)
        rebuilt.flush()
        return
    del source
    target.mkdir()
    for entry in os.scandir(folder):
        if entry.name == "LOCK" or not entry.is_file(follow_symlinks=False):
            continue
        if entry.name.endswith(".sst"):
            os.link(entry.path, target / entry.name)
        else:
            shutil.copy2(entry.path, target / entry.name)


def _remove_edited(store: Store, graph_iri: str) -> list[str]:
    """Take the graph's statements about entities changed over the write API out again; those entities."""
    graph = ox.NamedNode(graph_iri)
    kept = []
    for entity in sorted(_edited_entities(store)):
        quads = list(store.engine.quads_for_pattern(ox.NamedNode(entity), None, None, graph))
        for quad in quads:
            store.engine.remove(quad)
        if quads:
            kept.append(entity)
    return kept


def _fill(copy: Path, path: Path, graph_iri: str, agent: str) -> tuple[str | None, list[str], int]:
    """Replace the named graph of the store copy with the file by the bulk loader, write its catalog entry
    and history record, flush and close the copy; the record's IRI, the entities whose edited state was
    kept and the number of triples."""
    store = Store(copy)
    try:
        store.drop_graph(graph_iri)
        try:
            store.engine.bulk_load(path=str(path), format=_RDF_FORMATS[path.suffix.lower()],
                                   base_iri=path.resolve().as_uri(), to_graph=ox.NamedNode(graph_iri))
        except SyntaxError as error:
            raise _syntax_error(path, error) from error
        kept = _remove_edited(store, graph_iri)
        triples = _graph_size(store.engine, ox.NamedNode(graph_iri))
        activity, records = _records(graph_iri, path, digests(path), triples, False, agent, kept)
        store.update(records)
        store.flush()
    finally:
        del store  # closes the copy before it is put in place or removed
    return activity, kept, triples


def _exchange(first: Path, second: Path) -> None:
    """Exchange the names of two folders in one step: at no moment is either name missing.

    Raises
    ------
    OSError
        The system or the file system cannot (e.g. not Linux, or a network file system).
    """
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError(38, "renameat2 fehlt auf diesem System")
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) != 0:
        number = ctypes.get_errno()
        raise OSError(number, os.strerror(number), str(first), None, str(second))
    descriptor = os.open(first.parent, os.O_RDONLY)
    try:
        os.fsync(descriptor)  # the exchange itself on disk, not only in the page cache
    finally:
        os.close(descriptor)


def bulk_load_file(store_folder: Path | str, path: Path, graph_iri: str | None = None, *,
                   agent: str = "cli") -> LoadResult:
    """Load an RDF file into its named graph of the store folder with the engine's bulk loader, replacing
    what was there, whole or not at all; the service must not hold the store (see the module).

    Parameters
    ----------
    store_folder : Path or str
        The folder of the on-disk store; created if missing.
    path : Path
        An RDF file (.ttl, .nt, .n3, .rdf, .owl, .jsonld).
    graph_iri : str, optional
        Defaults to :func:`~synergraph.graph.loading.graph_iri_for` of the file.
    agent : str
        Who loads, for the history record.

    Raises
    ------
    StoreLocked
        A running service (or another process) holds the store; nothing was changed.
    InputError
        The file is missing, of another kind or malformed (with its line), or the store is no folder on a
        file system that can exchange folders in one step; nothing was changed.
    """
    started = time.monotonic()
    if is_endpoint_url(store_folder):
        raise InputError(store_folder, "Schnelles Laden geht nur in den eingebetteten Speicher; einen Speicher "
                                       "auf einem SPARQL-Server lädt 'synergraph load'")
    if not path.is_file():
        raise InputError(path, "Datei nicht gefunden")
    if path.suffix.lower() not in _RDF_FORMATS:
        raise InputError(path, f"Schnelles Laden nimmt RDF-Dateien ({', '.join(sorted(_RDF_FORMATS))}), "
                               f"nicht '{path.suffix}'")
    folder = Path(store_folder).resolve()  # a link to the store: its target is exchanged, the link stays
    graph_iri = graph_iri or graph_iri_for(path)
    try:
        ox.NamedNode(graph_iri)
    except ValueError as error:
        raise InputError(path, f"Keine gültige IRI für den Graphen: {error}", value=graph_iri) from error
    if not (folder / "CURRENT").is_file():
        created = Store(folder)
        del created  # closed again: the bulk load works on a copy
    if folder.stat().st_dev != folder.parent.stat().st_dev:
        raise InputError(folder, "Der Speicherordner ist ein eigenes Dateisystem (Einhängepunkt); schnelles Laden "
                                 "legt seine Kopie daneben und braucht dafür dasselbe Dateisystem")
    with _locked(folder):
        for leftover in folder.parent.glob(glob.escape(folder.name) + COPY_INFIX + "*"):
            shutil.rmtree(leftover, ignore_errors=True)  # of a bulk load killed earlier
        copy = folder.with_name(f"{folder.name}{COPY_INFIX}{uuid.uuid4().hex[:8]}")
        try:
            _copy_store(folder, copy, ox.NamedNode(graph_iri))
            activity, kept, triples = _fill(copy, path, graph_iri, agent)
            _exchange(copy, folder)
        except BaseException as error:
            shutil.rmtree(copy, ignore_errors=True)
            if isinstance(error, OSError):
                raise InputError(folder, f"Schnelles Laden nicht möglich: {error}") from error
            raise
    shutil.rmtree(copy, ignore_errors=True)  # the old store
    return LoadResult(str(path), graph_iri, triples, time.monotonic() - started, activity, tuple(kept))
