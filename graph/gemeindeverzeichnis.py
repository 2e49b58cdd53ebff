"""Territories and their administrations from the official Gemeindeverzeichnis (Destatis GV-ISys).

Two readers, both pure functions from files to rdflib graphs:

- :func:`read_gv_extract` turns a quarterly GV extract into territories (Land, Regierungsbezirk,
  Kreis, Gemeindeverband, Gemeinde) with keys, containment, population, area and coordinates, and
  into the administrations that serve them;
- :func:`read_administrations` turns a later list of administrations with their member AGS into
  dated changes against such a graph: links that no longer hold end, new links start, dissolved
  associations end, and what the list does not say stays unknown.

Nothing here knows a particular Land: which Länder to read is a parameter.
"""

from __future__ import annotations

import csv
import datetime
import re
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from .errors import InputError
from .namespaces import GEO, LEVEL, SG, resource

__all__ = ["GERMANY", "read_administrations", "read_gv_extract"]

GERMANY = resource("territory", "de")

_KREIS_CLASS = {"41": SG.DistrictFreeCity, "42": SG.DistrictFreeCity, "43": SG.District,
                "44": SG.District, "45": SG.District}
# Gemeindeverband kinds; 50 is a verbandsfreie Gemeinde (no association of its own).
_ASSOCIATION_CLASS = {"51": SG.Amt, "53": SG.Verbandsgemeinde, "52": SG.AdministrativeCommunity,
                      "54": SG.MunicipalAssociation, "55": SG.MunicipalAssociation,
                      "56": SG.AdministrativeCommunity, "57": SG.AdministrativeCommunity,
                      "58": SG.AdministrativeCommunity}
_ASSOCIATION_PREFIX = {SG.Amt: "Amt", SG.Verbandsgemeinde: "Verbandsgemeinde"}
_ADMINISTRATION = {
    SG.District: (SG.DistrictAdministration, "Kreisverwaltung {}", "District administration of {}", LEVEL.kreis),
    SG.DistrictFreeCity: (SG.CityAdministration, "Stadtverwaltung {}", "City administration of {}", LEVEL.kreis),
    SG.Amt: (SG.AmtAdministration, "Amtsverwaltung {}", "Administration of Amt {}", LEVEL.amt),
    SG.Verbandsgemeinde: (SG.VerbandsgemeindeAdministration, "Verwaltung der Verbandsgemeinde {}",
                          "Administration of the Verbandsgemeinde {}", LEVEL.amt),
    SG.AdministrativeCommunity: (SG.AssociationAdministration, "Verwaltung {}", "Administration of {}", LEVEL.amt),
    SG.MunicipalAssociation: (SG.AssociationAdministration, "Verwaltung {}", "Administration of {}", LEVEL.amt),
    SG.Municipality: (SG.MunicipalAdministration, "Gemeindeverwaltung {}", "Municipal administration of {}",
                      LEVEL.gemeinde),
}
_UNINCORPORATED = {"65", "66"}


def _date(value: datetime.date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def _number(text: str) -> str:
    return text.replace(" ", "").replace("\u00a0", "").strip()


def _short_name(name: str) -> str:
    """'Biesenthal, Stadt' -> 'Biesenthal' (the name without its status suffix)."""
    return name.split(",")[0].strip()


def _is_town(name: str) -> bool:
    """'Eberswalde, Stadt' names a town (its administration is a Stadtverwaltung)."""
    return bool(re.search(r",\s*(Stadt|Hansestadt|Kreisstadt)\b", name))


def _slug(text: str) -> str:
    folded = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


@dataclass
class _Builder:
    """Adds territories, containments and administrations to a graph with one source."""

    graph: Graph
    source: URIRef
    known: datetime.date | None

    def fact(self, subject: URIRef) -> None:
        self.graph.add((subject, DCTERMS.source, self.source))
        if self.known is not None:
            self.graph.add((subject, SG.knownValidOn, _date(self.known)))

    def territory(self, iri: URIRef, cls: URIRef, label: str) -> None:
        self.graph.add((iri, RDF.type, cls))
        self.graph.add((iri, RDFS.label, Literal(label, lang="de")))
        self.fact(iri)

    def contain(self, child: URIRef, parent: URIRef, valid_from: datetime.date | None = None) -> URIRef:
        self.graph.add((child, SG.within, parent))
        link = containment_iri(child, parent)
        self.graph.add((link, RDF.type, SG.Containment))
        self.graph.add((link, SG.contained, child))
        self.graph.add((link, SG.container, parent))
        if valid_from is not None:
            self.graph.add((link, SG.validFrom, _date(valid_from)))
        self.fact(link)
        return link

    def administration(self, key: str, territory: URIRef, cls: URIRef, name: str) -> URIRef:
        body_class, german, english, level = _ADMINISTRATION[cls]
        body = resource("body", f"verwaltung-{key}")
        self.graph.add((body, RDF.type, body_class))
        self.graph.add((body, RDFS.label, Literal(german.format(name), lang="de")))
        self.graph.add((body, RDFS.label, Literal(english.format(name), lang="en")))
        self.graph.add((body, SG.level, level))
        self.graph.add((body, SG.administers, territory))
        self.graph.add((body, DCTERMS.spatial, territory))
        self.fact(body)
        return body


def containment_iri(child: URIRef, parent: URIRef) -> URIRef:
    """The IRI of the qualified form of ``child sg:within parent``."""
    return resource("containment", f"{str(child).rsplit('/', 1)[1]}-{str(parent).rsplit('/', 1)[1]}")


def _rows(path: Path, delimiter: str, required: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise InputError(path, f"Datei nicht lesbar: {error.strerror}") from error
    with handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(path, f"Spalten fehlen: {', '.join(missing)}", line=1)
        for row in reader:
            if None in row or any(row[c] is None for c in required):
                raise InputError(path, f"Zeile hat {len([v for v in row.values() if v is not None])} statt "
                                       f"{len(required)} Felder", line=reader.line_num)
            yield reader.line_num, row


def _digits(path: Path, line: int, field: str, value: str, length: int) -> str:
    if not re.fullmatch(rf"[0-9]{{{length}}}", value):
        raise InputError(path, f"erwartet {length} Ziffern", line=line, field=field, value=value)
    return value


_GV_COLUMNS = ["satzart", "textkennzeichen", "land", "rb", "kreis", "vb", "gemeinde", "gemeindename",
               "flaeche", "bevoelkerung", "postleitzahl", "laengengrad", "breitengrad"]


def read_gv_extract(path: Path, lands: Collection[str] | None, source: URIRef,
                    gebietsstand: datetime.date, population_date: datetime.date | None = None) -> Graph:
    """Read a Destatis Gemeindeverzeichnis extract (GV-ISys, CSV) into territories and administrations.

    Parameters
    ----------
    path : Path
        The extract: UTF-8 (with or without BOM), comma-separated, one row per Land (Satzart 10),
        Regierungsbezirk (20), Region (30), Kreis (40), Gemeindeverband (50) and Gemeinde (60).
    lands : collection of str or None
        Two-digit Land keys to read (e.g. ``["12"]``); None reads all of Germany.
    source : URIRef
        The source document every fact cites (``dcterms:source``).
    gebietsstand : date
        The territorial status date of the extract; recorded as ``sg:knownValidOn``.
    population_date : date, optional
        The reference date of the population figures.

    Returns
    -------
    Graph

    Raises
    ------
    InputError
        A row is malformed (names file, line, field and value).

    Examples
    --------
    >>> from synergraph.graph.namespaces import resource
    >>> g = read_gv_extract(Path("data/sources/destatis-gv-auszug-2020-12-31.csv"), ["12"],
    ...                     resource("source", "gv"), datetime.date(2020, 12, 31))  # doctest: +SKIP
    """
    build = _Builder(Graph(), source, gebietsstand)
    graph = build.graph
    build.territory(GERMANY, SG.Country, "Deutschland")
    graph.add((GERMANY, RDFS.label, Literal("Germany", lang="en")))
    regions: set[str] = set()
    kreise: dict[str, URIRef] = {}
    associations: dict[str, URIRef] = {}
    wanted = None if lands is None else set(lands)
    for line, row in _rows(path, ",", _GV_COLUMNS):
        land = row["land"]
        if wanted is not None and land not in wanted:
            continue
        kind, code, name = row["satzart"], row["textkennzeichen"], row["gemeindename"].strip()
        _digits(path, line, "land", land, 2)
        if kind == "10":
            state = resource("territory", land)
            build.territory(state, SG.State, name)
            graph.add((state, SG.ags, Literal(land)))
            build.contain(state, GERMANY)
        elif kind == "20":
            key = land + _digits(path, line, "rb", row["rb"], 1)
            region = resource("territory", key)
            build.territory(region, SG.GovernmentRegion, name)
            build.contain(region, resource("territory", land))
            regions.add(key)
        elif kind == "30":
            continue  # statistical regions (Baden-Württemberg) are not administrative territories
        elif kind == "40":
            rb = _digits(path, line, "rb", row["rb"], 1)
            key = land + rb + _digits(path, line, "kreis", row["kreis"], 2)
            if code not in _KREIS_CLASS:
                raise InputError(path, "unbekanntes Textkennzeichen eines Kreises", line=line,
                                 field="textkennzeichen", value=code)
            cls = _KREIS_CLASS[code]
            kreis = resource("territory", key)
            build.territory(kreis, cls, name)
            graph.add((kreis, SG.ags, Literal(key)))
            build.contain(kreis, resource("territory", land + rb if land + rb in regions else land))
            build.administration(key, kreis, cls, _short_name(name))
            kreise[key] = cls
        elif kind == "50":
            kreis_key = land + row["rb"] + row["kreis"]
            key = kreis_key + _digits(path, line, "vb", row["vb"], 4)
            _parent(path, line, row, kreise, regions)
            if code == "50":
                continue  # verbandsfrei: the Gemeinde row carries everything
            cls = _ASSOCIATION_CLASS.get(code, SG.MunicipalAssociation)
            prefix = _ASSOCIATION_PREFIX.get(cls)
            label = name if prefix is None or name.startswith(prefix) else f"{prefix} {name}"
            association = resource("territory", key)
            build.territory(association, cls, label)
            graph.add((association, SG.regionalKey, Literal(key)))
            build.contain(association, resource("territory", kreis_key))
            build.administration(key, association, cls, name)
            associations[key] = association
        elif kind == "60":
            kreis_key = land + row["rb"] + row["kreis"]
            ags = kreis_key + _digits(path, line, "gemeinde", row["gemeinde"], 3)
            _digits(path, line, "gemeinde (AGS)", ags, 8)
            parent = _parent(path, line, row, kreise, regions)
            association_key = kreis_key + row["vb"]
            population = _number(row["bevoelkerung"])
            cls = SG.UnincorporatedArea if code in _UNINCORPORATED or not population else SG.Municipality
            gemeinde = resource("territory", ags)
            build.territory(gemeinde, cls, name)
            graph.add((gemeinde, SG.ags, Literal(ags)))
            build.contain(gemeinde, parent)
            if association_key in associations:
                build.contain(gemeinde, associations[association_key])
            elif cls == SG.Municipality and kreise.get(kreis_key) != SG.DistrictFreeCity:
                body = build.administration(association_key, gemeinde, SG.Municipality, _short_name(name))
                if _is_town(name):
                    graph.set((body, RDFS.label, Literal(f"Stadtverwaltung {_short_name(name)}", lang="de")))
                    graph.add((body, RDFS.label, Literal(f"Town administration of {_short_name(name)}", lang="en")))
            if kreise.get(kreis_key) == SG.DistrictFreeCity:
                graph.add((resource("body", f"verwaltung-{kreis_key}"), SG.administers, gemeinde))
            _measures(build, path, line, row, gemeinde, population, population_date)
        else:
            raise InputError(path, "unbekannte Satzart (erlaubt: 10, 20, 30, 40, 50, 60)", line=line,
                             field="satzart", value=kind)
    return graph


def _parent(path: Path, line: int, row: dict[str, str], kreise: dict[str, URIRef], regions: set[str]) -> URIRef:
    """The Kreis a Gemeindeverband or Gemeinde row lies in; areas outside any Kreis (Kreis key 00,
    e.g. a condominium) lie directly in their Regierungsbezirk or Land."""
    land, rb, kreis = row["land"], row["rb"], row["kreis"]
    if land + rb + kreis in kreise:
        return resource("territory", land + rb + kreis)
    if kreis == "00":
        return resource("territory", land + rb if land + rb in regions else land)
    raise InputError(path, f"kein vorangehender Kreis {land + rb + kreis}", line=line, field="kreis", value=kreis)


def _measures(build: _Builder, path: Path, line: int, row: dict[str, str], gemeinde: URIRef,
              population: str, population_date: datetime.date | None) -> None:
    graph = build.graph
    if population:
        if not population.isdigit():
            raise InputError(path, "Einwohnerzahl ist keine ganze Zahl", line=line, field="bevoelkerung",
                             value=row["bevoelkerung"])
        graph.add((gemeinde, SG.population, Literal(int(population))))
        if population_date is not None:
            graph.add((gemeinde, SG.populationDate, _date(population_date)))
    for field, prop, text in (("flaeche", SG.area, row["flaeche"].strip()),
                              ("laengengrad", GEO.long, row["laengengrad"].replace(",", ".").strip()),
                              ("breitengrad", GEO.lat, row["breitengrad"].replace(",", ".").strip())):
        if not text:
            continue
        try:
            number = Decimal(text)
        except InvalidOperation as error:
            raise InputError(path, "keine Zahl", line=line, field=field, value=row[field]) from error
        if prop == SG.area and number <= 0:
            continue
        graph.add((gemeinde, prop, Literal(number, datatype=XSD.decimal)))
    if row["postleitzahl"].strip():
        graph.add((gemeinde, SG.postalCode, Literal(row["postleitzahl"].strip())))


_ADMIN_COLUMNS = ["verwaltung", "art", "plz", "sitz", "mitglied_ags"]


def _normalise(name: str) -> str:
    name = re.sub(r"^(Amt|Verbandsgemeinde)\s+", "", name.strip())
    return _slug(_short_name(name))


def read_administrations(path: Path, territories: Graph, as_of: datetime.date, source: URIRef) -> Graph:
    """Express a list of administrations and their member Gemeinden as dated changes.

    The result is a new graph (``territories`` is not changed) holding: the end
    (``sg:validUntil`` = the day before ``as_of``) of every Gemeinde-to-association link that no
    longer holds, and of every association no longer listed, with its administration; new links
    starting on ``as_of``; new associations (e.g. a Mitverwaltung) without official key. Members of
    a dissolved association that the list does not name get no new link: unknown stays unknown.

    Parameters
    ----------
    path : Path
        Semicolon-separated columns ``verwaltung;art;plz;sitz;mitglied_ags;…``.
    territories : Graph
        The territories as read by :func:`read_gv_extract`.
    as_of : date
        The date the list describes.
    source : URIRef
        The source document of the list.
    """
    build = _Builder(Graph(), source, as_of)
    graph = build.graph
    ended = as_of - datetime.timedelta(days=1)
    note = Literal(f"Ende spätestens zum Stand {as_of:%d.%m.%Y}; genaues Datum nicht in der Quelle",
                   lang="de")

    by_ags = {str(o): s for s, o in territories.subject_objects(SG.ags) if len(str(o)) == 8}
    association_types = {SG.Amt, SG.Verbandsgemeinde, SG.AdministrativeCommunity, SG.MunicipalAssociation}
    associations = {s for t in association_types for s in territories.subjects(RDF.type, t)}
    names = {_normalise(str(territories.value(a, RDFS.label))): a for a in associations}
    old_links = {(g, a) for g, a in territories.subject_objects(SG.within) if a in associations}

    members: dict[tuple[str, str], set[URIRef]] = {}
    for line, row in _rows(path, ";", _ADMIN_COLUMNS):
        ags = _digits(path, line, "mitglied_ags", row["mitglied_ags"].strip(), 8)
        if ags not in by_ags:
            raise InputError(path, "unbekannte Gemeinde: AGS nicht im Gebietsverzeichnis", line=line,
                             field="mitglied_ags", value=ags)
        members.setdefault((row["verwaltung"].strip(), row["art"].strip()), set()).add(by_ags[ags])

    new_links: set[tuple[URIRef, URIRef]] = set()
    listed: set[URIRef] = set()
    for (name, art), gemeinden in sorted(members.items()):
        association = names.get(_normalise(name))
        if association is None:
            association = _overlapping(gemeinden, old_links, art)
        if association is None:
            association = _new_association(build, territories, name, gemeinden, as_of)
        listed.add(association)
        new_links |= {(g, association) for g in gemeinden}

    for gemeinde, association in sorted(old_links - new_links):
        link = containment_iri(gemeinde, association)
        graph.add((link, SG.validUntil, _date(ended)))
        graph.add((link, SKOS.note, note))
        build.fact(link)
        if not any(g == gemeinde for g, _ in new_links):
            graph.add((link, SKOS.note, Literal(
                "Die aktuelle Verwaltungszugehörigkeit dieser Gemeinde nennt die Quelle nicht.", lang="de")))
    for gemeinde, association in sorted(new_links - old_links):
        build.contain(gemeinde, association, valid_from=as_of)
    for association in sorted(associations - listed):
        for subject in (association, containment_iri(association, territories.value(association, SG.within))):
            graph.add((subject, SG.validUntil, _date(ended)))
            graph.add((subject, SKOS.note, note))
            build.fact(subject)
        for body in territories.subjects(SG.administers, association):
            graph.add((body, SG.validUntil, _date(ended)))
            graph.add((body, SKOS.note, note))
            build.fact(body)
    return graph


def _overlapping(gemeinden: set[URIRef], old_links: set[tuple[URIRef, URIRef]], art: str) -> URIRef | None:
    """The old association sharing most members, for a renamed Amt (not for a new form of administration)."""
    if art not in {"Amt", "Verbandsgemeinde"}:
        return None
    counts: dict[URIRef, int] = {}
    for g, a in old_links:
        if g in gemeinden:
            counts[a] = counts.get(a, 0) + 1
    best = max(counts.items(), key=lambda item: item[1], default=None)
    return best[0] if best and best[1] * 2 > len(gemeinden) else None


def _new_association(build: _Builder, territories: Graph, name: str, gemeinden: set[URIRef],
                     as_of: datetime.date) -> URIRef:
    """A form of joint administration that the extract does not know, e.g. a Mitverwaltung."""
    graph = build.graph
    short = _short_name(name)
    association = resource("territory", f"mitverwaltung-{_slug(short)}")
    build.territory(association, SG.AdministrativeCommunity, f"Mitverwaltung {short}")
    graph.add((association, SG.validFrom, _date(as_of)))
    kreise = {k for g in gemeinden for k in territories.objects(g, SG.within)
              if (k, RDF.type, SG.District) in territories or (k, RDF.type, SG.DistrictFreeCity) in territories}
    for kreis in sorted(kreise):
        build.contain(association, kreis, valid_from=as_of)
    administering = {b for g in gemeinden for b in territories.subjects(SG.administers, g)
                     if _short_name(str(territories.value(g, RDFS.label))) == short}
    for body in sorted(administering):
        graph.add((body, SG.administers, association))
        build.fact(body)
    return association
