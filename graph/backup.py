"""Export, restore and backup of the whole store: every named graph, the history included.

* :func:`export` writes the store as TriG or N-Quads. It reads a consistent view, also of a store
  that a running service holds open (Oxigraph opens it read-only beside the writer), and the file
  appears under its name only when it is complete.
* :func:`restore` replaces the whole store with the contents of an export (or of a backup folder) in
  one transaction, together with its PROV record in the history graph: a failure or a killed process
  leaves the store as it was. Afterwards the store is read back and compared with the file up to
  blank-node renaming (canonical datasets); a difference is reported, never hidden.
* :func:`backup` makes a consistent copy of the store in a new folder, usable as a store itself
  (``SYNERGRAPH_STORE=DIR``) or as the source of a restore.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> store = Store.in_memory()
>>> store.update('INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> rdfs:label "A" } }')
>>> folder = Path(tempfile.mkdtemp())
>>> export(store, folder / "alles.trig").quads
1
>>> copy = Store.in_memory()
>>> result = restore(copy, folder / "alles.trig", agent="betrieb")
>>> result.quads, result.isomorphic
(1, True)
>>> copy.value("SELECT ?l WHERE { GRAPH <https://example.org/g> { ?s rdfs:label ?l } }")
'A'
"""

from __future__ import annotations

import datetime
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from .errors import InputError
from .history import history_record
from .namespaces import PREFIXES
from .remote import RemoteEngine, is_endpoint_url
from .store import Store, StoreLocked

__all__ = [
    "EXPORT_FORMATS",
    "BackupResult",
    "ExportResult",
    "RestoreResult",
    "backup",
    "canonical",
    "export",
    "read_dataset",
    "restore",
]

EXPORT_FORMATS: dict[str, ox.RdfFormat] = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}
"""The formats an export is written in: both keep the named graphs."""

_T = TypeVar("_T")

_SUFFIXES = {".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS, ".nquads": ox.RdfFormat.N_QUADS}


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: the file, its format, the number of quads and of named graphs."""

    file: str
    format: str
    quads: int
    graphs: int
    seconds: float


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: the quads and named graphs taken from the file, whether the store read
    back matched the file plus the restore's record (up to blank-node names), and that record."""

    file: str
    quads: int
    graphs: int
    isomorphic: bool
    activity: str
    seconds: float


@dataclass(frozen=True)
class BackupResult:
    """What a backup wrote: the folder and the number of quads it holds."""

    folder: str
    quads: int
    seconds: float


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")


_ATTEMPTS = 10
"""How often a store folder that a running service writes is opened again when the engine finds
that the service has just compacted a file of it away."""


def _read(source: Store | Path | str, read: Callable[[ox.Store | RemoteEngine], _T]) -> _T:
    """``read`` applied to the engine of ``source``: the opened store itself, the SPARQL endpoint a URL
    names, or an on-disk store folder opened read-only.

    A folder that a running service holds is read beside it: the engine reads the files of one point
    in time, and when the service compacts one of them away during the opening or the read (the
    engine then reports a missing file), the read starts again from a new point in time.

    Raises
    ------
    InputError
        The folder is no store, or it could not be read in ``_ATTEMPTS`` tries.
    """
    if isinstance(source, Store):
        return read(source.engine)
    if is_endpoint_url(source):
        return read(RemoteEngine(str(source)))
    folder = Path(source)
    if not (folder / "CURRENT").is_file():
        raise InputError(folder, "Kein Synergraph-Speicher (Oxigraph-Ordner) an diesem Ort")
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            return read(ox.Store.read_only(str(folder)))
        except (OSError, RuntimeError) as error:
            if attempt == _ATTEMPTS:
                raise InputError(folder, f"Der Speicher ließ sich neben dem laufenden Dienst in {_ATTEMPTS} "
                                         f"Versuchen nicht lesen: {error}") from error
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def export(source: Store | Path | str, target: Path, format: str | None = None) -> ExportResult:
    """Write every quad of the store, all named graphs and the history, to ``target``.

    Parameters
    ----------
    source : Store, Path or str
        An opened store, the folder of one (also while ``synergraph serve`` holds it open), or the URL
        of the SPARQL endpoint that holds the store (read with one query).
    target : Path
        The file to write; it is replaced only once the export is complete.
    format : {"trig", "nquads"}, optional
        Default: from the suffix of ``target`` (``.trig``, ``.nq``), else TriG.

    Raises
    ------
    InputError
        Unknown format or a folder that is no store.
    """
    started = time.monotonic()
    if format is None:
        rdf_format = _SUFFIXES.get(target.suffix.lower(), ox.RdfFormat.TRIG)
    elif format in EXPORT_FORMATS:
        rdf_format = EXPORT_FORMATS[format]
    else:
        raise InputError(target, f"Unbekanntes Format '{format}': erlaubt sind {', '.join(EXPORT_FORMATS)}")
    prefixes = PREFIXES if rdf_format == ox.RdfFormat.TRIG else None

    def write(engine: ox.Store | RemoteEngine) -> tuple[int, int]:
        partial = _partial(target)
        try:
            engine.dump(str(partial), rdf_format, prefixes=prefixes)
            with partial.open("rb") as written:
                os.fsync(written.fileno())
            quads, graphs = len(engine), len(list(engine.named_graphs()))
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        return quads, graphs

    quads, graphs = _read(source, write)
    name = next(key for key, value in EXPORT_FORMATS.items() if value == rdf_format)
    return ExportResult(str(target), name, quads, graphs, time.monotonic() - started)


def read_dataset(path: Path) -> ox.Dataset:
    """The quads of an export (TriG, N-Quads) or of a store folder (a backup) as a dataset.

    Raises
    ------
    InputError
        The file is missing, of another kind, or malformed (with its line).
    """
    if path.is_dir():
        return _read(path, ox.Dataset)
    if not path.is_file():
        raise InputError(path, "Datei nicht gefunden")
    rdf_format = _SUFFIXES.get(path.suffix.lower())
    if rdf_format is None:
        raise InputError(path, f"Unbekanntes Format '{path.suffix}': erwartet wird ein Export "
                               f"({', '.join(sorted(_SUFFIXES))}) oder ein Sicherungsordner")
    try:
        return ox.Dataset(ox.parse(path=str(path), format=rdf_format))
    except SyntaxError as error:
        raise InputError(path, f"RDF-Syntaxfehler: {error.msg}", line=error.lineno) from error


def canonical(quads: Iterable[ox.Quad]) -> ox.Dataset:
    """The quads as a dataset with canonical blank-node names, so two isomorphic datasets compare
    equal.

    >>> a = [ox.Quad(ox.BlankNode("x"), ox.NamedNode("https://example.org/p"), ox.Literal("1"))]
    >>> b = [ox.Quad(ox.BlankNode("y"), ox.NamedNode("https://example.org/p"), ox.Literal("1"))]
    >>> canonical(a) == canonical(b)
    True
    """
    dataset = ox.Dataset(quads)
    if any(isinstance(term, ox.BlankNode) for quad in dataset
           for term in (quad.subject, quad.object, quad.graph_name)):
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def _insert_data(quads: Iterable[ox.Quad]) -> str:
    """An ``INSERT DATA`` of the quads. Blank nodes keep their labels within the one request, so a
    node shared by two graphs stays one node."""
    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        triple = f"{quad.subject} {quad.predicate} {quad.object} ."
        by_graph.setdefault(str(quad.graph_name), []).append(triple)
    default = str(ox.DefaultGraph())
    blocks = []
    for graph, triples in by_graph.items():
        body = "\n".join(triples)
        blocks.append(body if graph == default else f"GRAPH {graph} {{\n{body}\n}}")
    return "INSERT DATA {\n" + "\n".join(blocks) + "\n}"


def restore(store: Store, source: Path, agent: str) -> RestoreResult:
    """Replace the whole store with ``source`` in one transaction and verify it by reading it back.

    Parameters
    ----------
    store : Store
        The store to replace (opened for writing: the service must not run).
    source : Path
        An export (``.trig``, ``.nq``) or a backup folder.
    agent : str
        Who restores (recorded in the history graph together with the file name).

    Returns
    -------
    RestoreResult
        ``isomorphic`` is False when the store read back differs from the file plus the record.

    Raises
    ------
    InputError
        The source is unreadable; nothing was changed.
    """
    started = time.monotonic()
    dataset = read_dataset(source)
    begun = datetime.datetime.now(datetime.UTC)
    graphs = sorted({q.graph_name.value for q in dataset if isinstance(q.graph_name, ox.NamedNode)})
    activity, record = history_record(f"RESTORE {source.name}", agent, graphs, started=begun)
    update = "DROP ALL ;\n" + (_insert_data(dataset) + " ;\n" if len(dataset) else "") + record
    store.update(update)
    store.flush()
    expected = ox.Store()
    expected.extend(dataset)
    expected.update(record)
    # the record's time stamps and IRI are the ones written, so the comparison is exact
    isomorphic = canonical(store.engine) == canonical(expected)
    return RestoreResult(str(source), len(dataset), len(graphs), isomorphic, activity,
                         time.monotonic() - started)


def backup(store_folder: Path | str, target: Path) -> BackupResult:
    """A consistent copy of the store in the new folder ``target``, also while the service runs.

    A free store is copied by the engine's checkpoint (hard links on the same file system); a store
    a running service holds is read at one point in time and written to a new store. The folder
    appears under its name only when the copy is complete.

    Raises
    ------
    InputError
        ``target`` exists already, ``store_folder`` is no store, or it is the URL of a SPARQL
        endpoint (whose server makes its own backups; :func:`export` reads it).

    >>> backup("http://127.0.0.1:7878/query", Path("sicherung"))
    Traceback (most recent call last):
    ...
    synergraph.graph.errors.InputError: http://127.0.0.1:7878/query: Ein Speicher auf einem SPARQL-Server wird mit 'synergraph export' oder den Mitteln des Servers gesichert, nicht als Ordner
    """
    started = time.monotonic()
    if is_endpoint_url(store_folder):
        raise InputError(store_folder, "Ein Speicher auf einem SPARQL-Server wird mit 'synergraph export' oder den "
                                       "Mitteln des Servers gesichert, nicht als Ordner")
    store_folder = Path(store_folder)
    if not (store_folder / "CURRENT").is_file():
        raise InputError(store_folder, "Kein Synergraph-Speicher (Oxigraph-Ordner) an diesem Ort")
    if target.exists():
        raise InputError(target, "Der Zielordner existiert schon; eine Sicherung braucht einen neuen Ordner")
    target.parent.mkdir(parents=True, exist_ok=True)
    partials: list[Path] = []

    def copy(reader: ox.Store | RemoteEngine) -> int:
        partials.append(_partial(target))  # a new folder for every attempt
        written = ox.Store(str(partials[-1]))
        written.bulk_extend(reader)
        written.flush()
        return len(written)

    try:
        try:
            own = Store(store_folder)
        except StoreLocked:
            quads = _read(store_folder, copy)
        else:
            partials.append(_partial(target))
            own.engine.backup(str(partials[-1]))
            quads = len(own)
            del own
        os.replace(partials[-1], target)
    finally:
        for partial in partials:
            shutil.rmtree(partial, ignore_errors=True)
    return BackupResult(str(target), quads, time.monotonic() - started)

