"""Reading files into graphs and loading them into the store, whole or not at all.

Every file becomes one named graph whose IRI is derived from the file name
(``https://w3id.org/synergraph/graph/<stem>``). A load parses the whole file, validates it with the
SHACL shapes and then replaces the named graph in one transaction, together with the file's
catalog entry (checksum, time, size) and its record in the change history (who, when, which file
with its SHA-256, into which graph). A file that fails leaves the store exactly as it was.

An entity changed over the write API (:mod:`synergraph.graph.editing`) keeps its edited state: a load
leaves out the file's statements about it, so reloading the shipped data after an upgrade or loading a
file again neither brings its old statements back nor doubles them.

Examples
--------
>>> graph_iri_for(Path("data/examples/beispiele.ttl"))
'https://w3id.org/synergraph/graph/beispiele'
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef

from synergraph import __version__

from .editing import EDIT_GRAPH_PREFIX
from .errors import InputError, ValidationFailed
from .gemeindeverzeichnis import read_administrations, read_gv_extract
from .history import HISTORY_GRAPH, history_record
from .namespaces import BASE, SG, graph_for, resource
from .queries import load_query
from .store import Store
from .terms import to_rdflib
from .validation import validate

__all__ = [
    "CATALOG_GRAPH",
    "LoadResult",
    "checksum",
    "digests",
    "graph_iri_for",
    "load_file",
    "load_graph",
    "loaded_by_user",
    "loaded_checksum",
    "read_file",
]

CATALOG_GRAPH = BASE + "graph/catalog"

_RDF_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".n3": ox.RdfFormat.N3,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}

_GV_HEADER = "satzart,textkennzeichen,land"
_ADMINISTRATIONS_HEADER = "verwaltung;art;plz;sitz;mitglied_ags"


@dataclass(frozen=True)
class LoadResult:
    """What a load did: the graph, its size, how long parsing, validation and writing took, the
    history record and the entities whose edited state was kept (the file's statements about them left
    out)."""

    file: str
    graph: str
    triples: int
    seconds: float
    activity: str | None = None
    kept_edits: tuple[str, ...] = ()


def graph_iri_for(path: Path) -> str:
    """The named graph IRI for a file: the file's stem under the graph namespace."""
    return str(graph_for(path.name.split(".")[0]))


def _sha256(path: Path) -> hashlib._Hash:
    """The SHA-256 of a file's bytes, read in pieces (a bulk file may be larger than memory allows twice)."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256")


def checksum(path: Path, options: dict[str, Any] | None = None) -> str:
    """SHA-256 of a file's bytes, the options it is read with and the software version (a change in
    any of them reloads a seed file)."""
    return digests(path, options)[1]


def digests(path: Path, options: dict[str, Any] | None = None) -> tuple[str, str]:
    """The SHA-256 of a file's bytes (named in the history) and its :func:`checksum` (in the catalog),
    from one reading of the file.

    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "a.ttl"; _ = f.write_text("")
    >>> sha, total = digests(f)
    >>> sha == hashlib.sha256(b"").hexdigest() and total == checksum(f)
    True
    """
    digest = _sha256(path)
    sha = digest.hexdigest()  # the digest goes on with the options
    options = dict(options or {})
    if isinstance(options.get("based_on"), Path):
        options["based_on"] = checksum(options["based_on"])
    options["synergraph"] = __version__
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    return sha, digest.hexdigest()


def _syntax_error(path: Path, error: SyntaxError) -> InputError:
    """The error for a file the engine's parser refused: the file, the line and the parser's words.

    >>> refused = SyntaxError("Parser error at line 3 column 9: . is no object", ("a.nt", 3, 9, ""))
    >>> str(_syntax_error(Path("a.nt"), refused))
    'a.nt, Zeile 3: RDF-Syntaxfehler: Parser error at line 3 column 9: . is no object'
    """
    return InputError(path, f"RDF-Syntaxfehler: {error.msg}", line=error.lineno)


def _read_rdf(path: Path, data: bytes, rdf_format: ox.RdfFormat) -> Graph:
    graph = Graph()
    try:
        for triple in ox.parse(data, format=rdf_format, base_iri=path.resolve().as_uri()):
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    except SyntaxError as error:
        raise _syntax_error(path, error) from error
    return graph


def read_file(path: Path, *, lands: Collection[str] | None = None,
              gebietsstand: datetime.date | None = None, population_date: datetime.date | None = None,
              based_on: Path | None = None, as_of: datetime.date | None = None) -> Graph:
    """Read one file into an rdflib graph, by its kind.

    RDF files (Turtle, N-Triples, N3, RDF/XML, JSON-LD) are parsed as they are. A Destatis
    Gemeindeverzeichnis extract (CSV) becomes territories and administrations of ``lands`` (None:
    all of Germany) as of ``gebietsstand``. A list of administrations with member AGS (CSV) becomes
    dated changes against the extract ``based_on`` as of ``as_of``.

    Raises
    ------
    InputError
        The file is missing, of an unknown kind, or malformed (with line and field).
    """
    if not path.is_file():
        raise InputError(path, "Datei nicht gefunden")
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix in _RDF_FORMATS:
        return _read_rdf(path, data, _RDF_FORMATS[suffix])
    if suffix == ".csv":
        head = data[:200].decode("utf-8-sig", errors="replace").lower()
        source = resource("source", path.stem)
        if head.startswith(_GV_HEADER):
            if gebietsstand is None:
                raise InputError(path, "Für ein GV-Verzeichnis muss der Gebietsstand angegeben werden")
            return read_gv_extract(path, lands=lands, source=source, gebietsstand=gebietsstand,
                                   population_date=population_date)
        if head.startswith(_ADMINISTRATIONS_HEADER):
            if based_on is None or as_of is None:
                raise InputError(path, "Eine Verwaltungsliste braucht das GV-Verzeichnis (based_on) und den Stand (as_of)")
            territories = read_gv_extract(based_on, lands=lands, source=resource("source", based_on.stem),
                                          gebietsstand=gebietsstand or as_of, population_date=population_date)
            return read_administrations(path, territories, as_of=as_of, source=source)
        raise InputError(path, "Unbekanntes CSV-Format: erwartet wird ein GV-Auszug von Destatis "
                               f"('{_GV_HEADER},…') oder eine Verwaltungsliste ('{_ADMINISTRATIONS_HEADER}')", line=1)
    raise InputError(path, f"Unbekanntes Dateiformat '{suffix}': erlaubt sind "
                           f"{', '.join(sorted(_RDF_FORMATS))} und .csv")


def _catalog_update(graph_iri: str, path: Path, digest: str, triples: int, seed: bool) -> str:
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
    g = f"<{graph_iri}>"
    return (
        f"DELETE WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ {g} ?p ?o }} }} ;\n"
        f"INSERT DATA {{ GRAPH <{CATALOG_GRAPH}> {{ {g} a <http://rdfs.org/ns/void#Dataset> ; "
        f"<{BASE}def/sourceFile> {json.dumps(path.name)} ; "
        f"<{BASE}def/checksum> {json.dumps(digest)} ; "
        f"<{BASE}def/loadedBy> {json.dumps('seed' if seed else 'user')} ; "
        f"<http://rdfs.org/ns/void#triples> {triples} ; "
        f"<http://purl.org/dc/terms/modified> \"{now}\"^^<http://www.w3.org/2001/XMLSchema#dateTime> }} }}"
    )


def loaded_by_user(store: Store, graph_iri: str) -> bool:
    """Whether someone replaced this graph with a load of their own (the seed then leaves it alone).

    >>> loaded_by_user(Store.in_memory(), "https://w3id.org/synergraph/graph/beispiele")
    False
    """
    rows = store.select(load_query("graph_load_state"), g=URIRef(graph_iri))
    return any(row.get("loadedBy") == "user" for row in rows)


def loaded_checksum(store: Store, graph_iri: str) -> str | None:
    """The checksum recorded when the graph was last loaded, or None if it never was.

    >>> loaded_checksum(Store.in_memory(), "https://w3id.org/synergraph/graph/beispiele") is None
    True
    """
    rows = store.select(load_query("graph_load_state"), g=URIRef(graph_iri))
    return str(rows[0]["checksum"]) if rows else None


def _load_record(path: Path, sha: str, graph_iri: str, triples: int, agent: str, kept: list[str]) -> tuple[str, str]:
    """The history record of a load: who, when, which file (name and SHA-256 ``sha``), into which graph."""
    kept_note = "".join(f"\nbearbeitet, Fassung der Redaktion behalten: <{iri}>" for iri in kept)
    activity, record = history_record(f"LOAD {path.name} (sha256:{sha}) INTO <{graph_iri}>: {triples} Tripel"
                                      + kept_note, agent, [graph_iri])
    file_facts = (f"INSERT DATA {{ GRAPH {ox.NamedNode(HISTORY_GRAPH)} {{ {ox.NamedNode(activity)} "
                  f"{ox.NamedNode(str(SG.sourceFile))} {ox.Literal(path.name)} ; "
                  f"{ox.NamedNode(str(SG.checksum))} {ox.Literal('sha256:' + sha)} }} }}")
    return activity, record + " ;\n" + file_facts


def _records(graph_iri: str, path: Path, file_digests: tuple[str, str], triples: int, seed: bool,
             agent: str | None, kept: list[str]) -> tuple[str | None, str]:
    """The IRI of the history record of a load (None without ``agent``) and one SPARQL update that writes
    the graph's catalog entry and that record; ``file_digests`` as :func:`digests` gives them."""
    sha, digest = file_digests
    update = _catalog_update(graph_iri, path, digest, triples, seed)
    if agent is None:
        return None, update
    activity, record = _load_record(path, sha, graph_iri, triples, agent, kept)
    return activity, update + " ;\n" + record


def _edited_entities(store: Store) -> set[str]:
    """The entities changed over the write API: their edited state wins over a load.

    >>> _edited_entities(Store.in_memory())
    set()
    """
    edit_graphs = [graph for graph in store.engine.named_graphs()
                   if isinstance(graph, ox.NamedNode) and graph.value.startswith(EDIT_GRAPH_PREFIX)]
    if not edit_graphs:
        return set()
    rows = store.select(load_query("edited_entities"), g=edit_graphs)
    return {str(row["entity"]) for row in rows}


def _without_edited(store: Store, data: Graph) -> tuple[Graph, list[str]]:
    """``data`` without its statements about entities changed over the write API, and those entities."""
    edited = _edited_entities(store)
    kept = sorted({str(s) for s in data.subjects() if str(s) in edited})
    if not kept:
        return data, []
    rest = Graph()
    for triple in data:
        if str(triple[0]) not in edited:
            rest.add(triple)
    return rest, kept


def load_graph(store: Store, data: Graph, graph_iri: str, path: Path, file_digests: tuple[str, str],
               check: bool = True, seed: bool = False,
               agent: str | None = "cli") -> tuple[str | None, list[str], int]:
    """Validate ``data`` (unless ``check`` is False) and replace the named graph with it atomically,
    with its catalog entry and its history record (``agent``: who loaded it; None only for filling a
    new store with the seed graph, which the catalog entries document; ``file_digests``: the file's
    SHA-256 and checksum, as :func:`digests` gives them).

    Statements about entities changed over the write API are left out: their edited state wins.
    Returns the IRI of the history record, the entities whose edited state was kept and the number of
    triples written.

    Raises
    ------
    ValidationFailed
        The data break the shapes; nothing was written.
    """
    data, kept = _without_edited(store, data)
    if check:
        problems = validate(data, store, replaced=graph_iri)
        if problems:
            raise ValidationFailed(path, problems)
    activity, also = _records(graph_iri, path, file_digests, len(data), seed, agent, kept)
    store.replace_graph(graph_iri, data, also=also)
    return activity, kept, len(data)


def load_file(store: Store, path: Path, graph_iri: str | None = None, **options: Any) -> LoadResult:
    """Read, validate and load one file into its named graph (replacing what was there).

    Parameters
    ----------
    store : Store
    path : Path
    graph_iri : str, optional
        Defaults to :func:`graph_iri_for` of the file.
    **options
        Passed to :func:`read_file` (``lands``, ``gebietsstand``, ``based_on``, ``as_of`` ...); besides
        ``check`` (validate, default True), ``seed`` (a file of the seed graph) and ``agent`` (who
        loads, for the history; default ``"cli"``; None: no history record, see :func:`load_graph`).

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "leer.ttl"; _ = f.write_text("")
    >>> store = Store.in_memory()
    >>> result = load_file(store, f, agent="betrieb")
    >>> result.triples
    0
    >>> store.value("SELECT ?who WHERE { ?a prov:used ?g ; prov:wasAssociatedWith/rdfs:label ?who }",
    ...             g=URIRef(result.graph))
    'betrieb'
    """
    started = datetime.datetime.now()
    graph_iri = graph_iri or graph_iri_for(path)
    check = options.pop("check", True)
    seed = options.pop("seed", False)
    agent = options.pop("agent", "cli")
    data = read_file(path, **options)
    activity, kept, triples = load_graph(store, data, graph_iri, path, digests(path, options), check=check,
                                         seed=seed, agent=agent)
    seconds = (datetime.datetime.now() - started).total_seconds()
    return LoadResult(str(path), graph_iri, triples, seconds, activity, tuple(kept))
