"""Territories and their administrations from the official Gemeindeverzeichnis (Destatis GV-ISys).

Two readers, both pure functions from files to new rdflib graphs:

- :func:`read_gv_extract` turns a quarterly GV extract into territories (Germany, Land,
  Regierungsbezirk, Kreis, Gemeindeverband, Gemeinde) with keys, containment, population, area,
  postal code and coordinates, and into the administrations that serve them;
- :func:`read_administrations` turns a later list of administrations with their member AGS into
  dated changes against such a graph: links that no longer hold end, new links start, dissolved
  associations end, and what the list does not say stays unknown.

Nothing here knows a particular Land: which Länder to read is a parameter, and a list of
administrations speaks only about the Länder its members lie in.

Examples
--------
>>> from synergraph.graph.namespaces import resource
>>> import datetime, tempfile
>>> rows = ["satzart,textkennzeichen,land,rb,kreis,vb,gemeinde,gemeindename,flaeche,bevoelkerung,"
...         "postleitzahl,laengengrad,breitengrad",
...         "10,,12,,,,,Brandenburg,,,,,",
...         "40,44,12,0,60,,,Barnim,,,,,",
...         "50,51,12,0,60,5003,,Biesenthal-Barnim,,,,,",
...         '60,63,12,0,60,5003,024,"Biesenthal, Stadt", 92.40, 5 879,16359,"13,644","52,765"']
>>> path = Path(tempfile.mkdtemp()) / "gv.csv"
>>> _ = path.write_text("\\n".join(rows) + "\\n", encoding="utf-8-sig")
>>> g = read_gv_extract(path, ["12"], resource("source", "gv"), datetime.date(2020, 12, 31))
>>> sorted(str(o) for o in g.objects(resource("territory", "12060024"), SG.within))
['https://w3id.org/synergraph/id/territory/12060', 'https://w3id.org/synergraph/id/territory/120605003']
"""

from __future__ import annotations

import csv
import datetime
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from .errors import InputError
from .namespaces import GEO, LEVEL, SG, resource

__all__ = ["GERMANY", "containment_iri", "read_administrations", "read_gv_extract"]

GERMANY = resource("territory", "de")

# Terms as plain constants: looking them up on a Namespace for each of ~300 000 triples is slow.
_TYPE, _LABEL, _SOURCE, _NOTE = RDF.type, RDFS.label, DCTERMS.source, SKOS.note
_SPATIAL = DCTERMS.spatial
_WITHIN, _CONTAINED, _CONTAINER = SG.within, SG.contained, SG.container
_KNOWN, _FROM, _UNTIL = SG.knownValidOn, SG.validFrom, SG.validUntil
_AGS, _REGIONAL_KEY, _ADMINISTERS, _LEVEL = SG.ags, SG.regionalKey, SG.administers, SG.level
_CONTAINMENT = SG.Containment
_KREIS_CLASSES = (SG.District, SG.DistrictFreeCity)
_ASSOCIATION_CLASSES = (SG.Amt, SG.Verbandsgemeinde, SG.AdministrativeCommunity, SG.MunicipalAssociation)
_GEMEINDE_CLASSES = (SG.Municipality, SG.UnincorporatedArea)

# Textkennzeichen of the GV-ISys key list. Kreise: 41 kreisfreie Stadt, 42 Stadtkreis, 43 Kreis,
# 44 Landkreis, 45 Regionalverband.
_KREIS_CLASS = {
    "41": SG.DistrictFreeCity,
    "42": SG.DistrictFreeCity,
    "43": SG.District,
    "44": SG.District,
    "45": SG.District,
}
# Gemeindeverbände: 50 verbandsfreie Gemeinde (no association of its own), 51 Amt, 52 Samtgemeinde,
# 53 Verbandsgemeinde, 54 Verwaltungsgemeinschaft, 55 Kirchspielslandgemeinde, 56 Verwaltungsverband,
# 57 Verwaltungsgemeinschaft (another form), 58 erfüllende Gemeinde; any other 5x code is read as a
# Gemeindeverband of no more specific kind.
_VERBANDSFREI = "50"
_ASSOCIATION_CLASS = {
    "51": SG.Amt,
    "53": SG.Verbandsgemeinde,
    "54": SG.AdministrativeCommunity,
    "57": SG.AdministrativeCommunity,
    "58": SG.AdministrativeCommunity,
}
_ASSOCIATION_PREFIX = {"51": "Amt", "52": "Samtgemeinde", "53": "Verbandsgemeinde"}
# Gemeinden: 60 Markt, 61 kreisfreie Stadt, 62 Stadtkreis, 63 Stadt, 64 Gemeinde,
# 65 gemeindefreies Gebiet (bewohnt), 66 gemeindefreies Gebiet (unbewohnt), 67 große Kreisstadt.
_GEMEINDE_CODES = {"60", "61", "62", "63", "64", "65", "66", "67"}
_UNINCORPORATED = {"65", "66"}
# A Gemeindeverband or Gemeinde with Kreis key 00 lies in no Kreis (e.g. coastal waters or a
# condominium); it lies directly in its Regierungsbezirk or Land.
_NO_KREIS = "00"


@dataclass(frozen=True)
class _Administration:
    """How the administration of one kind of territory is called, and on which level it works."""

    body_class: URIRef
    german: str
    english: str
    level: URIRef


_ADMINISTRATION = {
    SG.District: _Administration(
        SG.DistrictAdministration, "Kreisverwaltung {}", "District administration of {}", LEVEL.kreis
    ),
    SG.DistrictFreeCity: _Administration(
        SG.CityAdministration, "Stadtverwaltung {}", "City administration of {}", LEVEL.kreis
    ),
    SG.Amt: _Administration(
        SG.AmtAdministration, "Amtsverwaltung {}", "Administration of the Amt {}", LEVEL.amt
    ),
    SG.Verbandsgemeinde: _Administration(
        SG.VerbandsgemeindeAdministration,
        "Verbandsgemeindeverwaltung {}",
        "Administration of the Verbandsgemeinde {}",
        LEVEL.amt,
    ),
    SG.AdministrativeCommunity: _Administration(
        SG.AssociationAdministration, "Verwaltung {}", "Administration of {}", LEVEL.amt
    ),
    SG.MunicipalAssociation: _Administration(
        SG.AssociationAdministration, "Verwaltung {}", "Administration of {}", LEVEL.amt
    ),
    SG.Municipality: _Administration(
        SG.MunicipalAdministration, "Gemeindeverwaltung {}", "Municipal administration of {}", LEVEL.gemeinde
    ),
}
_TOWN_ADMINISTRATION = _Administration(
    SG.MunicipalAdministration, "Stadtverwaltung {}", "Town administration of {}", LEVEL.gemeinde
)


def _date(value: datetime.date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


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


def _key(iri: URIRef) -> str:
    return str(iri).rsplit("/", 1)[1]


def _bodies(territories: Graph, territory: URIRef) -> list[URIRef]:
    """The administrations of ``territory`` (subjects of ``sg:administers``)."""
    return sorted(b for b in territories.subjects(_ADMINISTERS, territory) if isinstance(b, URIRef))


def containment_iri(child: URIRef, parent: URIRef) -> URIRef:
    """The IRI of the qualified form (sg:Containment) of ``child sg:within parent``.

    >>> containment_iri(resource("territory", "12060024"), resource("territory", "120605003"))
    rdflib.term.URIRef('https://w3id.org/synergraph/id/containment/12060024-120605003')
    """
    return resource("containment", f"{_key(child)}-{_key(parent)}")


@dataclass
class _Writer:
    """Adds facts that all cite one source (and, optionally, one date at which it confirms them)."""

    source: URIRef
    known: datetime.date | None
    graph: Graph = field(default_factory=Graph)

    def __post_init__(self) -> None:
        self.add: Callable[[tuple[URIRef, URIRef, URIRef | Literal]], object] = self.graph.add
        self._known = None if self.known is None else _date(self.known)
        self._dates: dict[datetime.date, Literal] = {}

    def date(self, value: datetime.date) -> Literal:
        if value not in self._dates:
            self._dates[value] = _date(value)
        return self._dates[value]

    def cite(self, subject: URIRef, confirmed: bool = True) -> None:
        """``subject`` comes from the source; ``confirmed``: the source says it holds on its date."""
        self.add((subject, _SOURCE, self.source))
        if confirmed and self._known is not None:
            self.add((subject, _KNOWN, self._known))

    def territory(self, iri: URIRef, cls: URIRef, label: str) -> None:
        self.add((iri, _TYPE, cls))
        self.add((iri, _LABEL, Literal(label, lang="de")))
        self.cite(iri)

    def contain(self, child: URIRef, parent: URIRef, valid_from: datetime.date | None = None) -> URIRef:
        self.add((child, _WITHIN, parent))
        link = containment_iri(child, parent)
        self.add((link, _TYPE, _CONTAINMENT))
        self.add((link, _CONTAINED, child))
        self.add((link, _CONTAINER, parent))
        if valid_from is not None:
            self.add((link, _FROM, self.date(valid_from)))
        self.cite(link)
        return link

    def administration(self, body: URIRef, territory: URIRef, kind: _Administration, name: str) -> URIRef:
        self.add((body, _TYPE, kind.body_class))
        self.add((body, _LABEL, Literal(kind.german.format(name), lang="de")))
        self.add((body, _LABEL, Literal(kind.english.format(name), lang="en")))
        self.add((body, _LEVEL, kind.level))
        self.administers(body, territory)
        self.cite(body)
        return body

    def administers(self, body: URIRef, territory: URIRef) -> None:
        self.add((body, _ADMINISTERS, territory))
        self.add((body, _SPATIAL, territory))

    def end(self, subject: URIRef, until: datetime.date, notes: Iterable[str]) -> None:
        """``subject`` held until ``until`` at the latest; the source does not confirm it any longer."""
        self.add((subject, _UNTIL, self.date(until)))
        for note in notes:
            self.add((subject, _NOTE, Literal(note, lang="de")))
        self.cite(subject, confirmed=False)


def _rows(path: Path, delimiter: str, required: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of a CSV file with their 1-based line numbers (header = line 1).

    Refuses a file that lacks one of the ``required`` columns and any row with too few or too many
    fields, naming the line and the first missing field.
    """
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise InputError(path, f"Datei nicht lesbar: {error.strerror}") from error
    with handle:
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise InputError(path, "Datei ist leer; erwartet wird eine Kopfzeile", line=1) from None
        except (csv.Error, UnicodeDecodeError) as error:
            raise InputError(path, f"keine lesbare CSV-Datei (UTF-8): {error}", line=1) from error
        missing = [column for column in required if column not in header]
        if missing:
            raise InputError(
                path,
                f"Spalte fehlt; erwartet werden die Spalten {', '.join(required)}",
                line=1,
                field=missing[0],
            )
        width = len(header)
        try:
            for values in reader:
                line = reader.line_num
                if not values:
                    continue
                if len(values) < width:
                    raise InputError(
                        path,
                        f"Zeile hat {len(values)} statt {width} Felder",
                        line=line,
                        field=header[len(values)],
                    )
                if len(values) > width:
                    raise InputError(
                        path,
                        f"Zeile hat {len(values)} statt {width} Felder",
                        line=line,
                        value=delimiter.join(values[width:]),
                    )
                yield line, dict(zip(header, values, strict=True))
        except (csv.Error, UnicodeDecodeError) as error:
            raise InputError(path, f"keine lesbare CSV-Zeile: {error}", line=reader.line_num) from error


def _digits(path: Path, line: int, name: str, value: str, length: int) -> str:
    if len(value) != length or not value.isascii() or not value.isdigit():
        raise InputError(path, f"erwartet werden genau {length} Ziffern", line=line, field=name, value=value)
    return value


_GV_COLUMNS = [
    "satzart",
    "textkennzeichen",
    "land",
    "rb",
    "kreis",
    "vb",
    "gemeinde",
    "gemeindename",
    "flaeche",
    "bevoelkerung",
    "postleitzahl",
    "laengengrad",
    "breitengrad",
]


@dataclass
class _Extract:
    """What has been read so far: the territories later rows refer to."""

    path: Path
    write: _Writer
    population_date: Literal | None
    lands: set[str] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)
    kreise: dict[str, URIRef] = field(default_factory=dict)  # key -> class
    associations: dict[str, str] = field(default_factory=dict)  # 9-digit key -> textkennzeichen

    def parent_of_kreis(self, line: int, land: str, rb: str) -> URIRef:
        if land not in self.lands:
            raise InputError(
                self.path,
                f"keine vorangehende Zeile des Landes {land} (Satzart 10)",
                line=line,
                field="land",
                value=land,
            )
        return resource("territory", land + rb if land + rb in self.regions else land)

    def kreis_of(self, line: int, row: dict[str, str]) -> URIRef:
        """The Kreis a Gemeindeverband or Gemeinde row lies in (or its Land for Kreis key 00)."""
        land, rb, kreis = row["land"], row["rb"], row["kreis"]
        if land + rb + kreis in self.kreise:
            return resource("territory", land + rb + kreis)
        if kreis == _NO_KREIS:
            return self.parent_of_kreis(line, land, rb)
        raise InputError(
            self.path,
            f"keine vorangehende Zeile des Kreises {land + rb + kreis} (Satzart 40)",
            line=line,
            field="kreis",
            value=kreis,
        )

    def state(self, line: int, row: dict[str, str], land: str) -> None:
        state = resource("territory", land)
        self.write.territory(state, SG.State, row["gemeindename"].strip())
        self.write.add((state, _AGS, Literal(land)))
        self.write.contain(state, GERMANY)
        self.lands.add(land)

    def region(self, line: int, row: dict[str, str], land: str) -> None:
        key = land + _digits(self.path, line, "rb", row["rb"], 1)
        if land not in self.lands:
            raise InputError(
                self.path,
                f"keine vorangehende Zeile des Landes {land} (Satzart 10)",
                line=line,
                field="land",
                value=land,
            )
        region = resource("territory", key)
        # Regierungsbezirke have a key but no AGS of their own: the IRI carries the key.
        self.write.territory(region, SG.GovernmentRegion, row["gemeindename"].strip())
        self.write.contain(region, resource("territory", land))
        self.regions.add(key)

    def kreis(self, line: int, row: dict[str, str], land: str) -> None:
        rb = _digits(self.path, line, "rb", row["rb"], 1)
        key = land + rb + _digits(self.path, line, "kreis", row["kreis"], 2)
        code, name = row["textkennzeichen"], row["gemeindename"].strip()
        if code not in _KREIS_CLASS:
            raise InputError(
                self.path,
                f"unbekanntes Textkennzeichen eines Kreises (erlaubt: {', '.join(sorted(_KREIS_CLASS))})",
                line=line,
                field="textkennzeichen",
                value=code,
            )
        cls = _KREIS_CLASS[code]
        kreis = resource("territory", key)
        self.write.territory(kreis, cls, name)
        self.write.add((kreis, _AGS, Literal(key)))
        self.write.contain(kreis, self.parent_of_kreis(line, land, rb))
        self.write.administration(
            resource("body", f"verwaltung-{key}"), kreis, _ADMINISTRATION[cls], _short_name(name)
        )
        self.kreise[key] = cls

    def association(self, line: int, row: dict[str, str], land: str) -> None:
        rb = _digits(self.path, line, "rb", row["rb"], 1)
        key = (
            land
            + rb
            + _digits(self.path, line, "kreis", row["kreis"], 2)
            + _digits(self.path, line, "vb", row["vb"], 4)
        )
        code, name = row["textkennzeichen"], row["gemeindename"].strip()
        if len(code) != 2 or not code.startswith("5") or not code.isdigit():
            raise InputError(
                self.path,
                "unbekanntes Textkennzeichen eines Gemeindeverbands (erlaubt: 50–59)",
                line=line,
                field="textkennzeichen",
                value=code,
            )
        kreis = self.kreis_of(line, row)
        self.associations[key] = code
        if code == _VERBANDSFREI:
            return  # not an association: its one Gemeinde row carries everything
        cls = _ASSOCIATION_CLASS.get(code, SG.MunicipalAssociation)
        prefix = _ASSOCIATION_PREFIX.get(code)
        bare = name[len(prefix) + 1 :] if prefix and name.startswith(prefix + " ") else name
        label = f"{prefix} {bare}" if prefix else name
        association = resource("territory", key)
        self.write.territory(association, cls, label)
        self.write.add((association, _REGIONAL_KEY, Literal(key)))
        self.write.contain(association, kreis)
        self.write.administration(
            resource("body", f"verwaltung-{key}"),
            association,
            _ADMINISTRATION[cls],
            bare if cls in (SG.Amt, SG.Verbandsgemeinde) else label,
        )

    def gemeinde(self, line: int, row: dict[str, str], land: str) -> None:
        rb = _digits(self.path, line, "rb", row["rb"], 1)
        kreis_key = land + rb + _digits(self.path, line, "kreis", row["kreis"], 2)
        association_key = kreis_key + _digits(self.path, line, "vb", row["vb"], 4)
        ags = kreis_key + _digits(self.path, line, "gemeinde", row["gemeinde"], 3)
        code, name = row["textkennzeichen"], row["gemeindename"].strip()
        if code not in _GEMEINDE_CODES:
            raise InputError(
                self.path,
                f"unbekanntes Textkennzeichen einer Gemeinde (erlaubt: {', '.join(sorted(_GEMEINDE_CODES))})",
                line=line,
                field="textkennzeichen",
                value=code,
            )
        kreis = self.kreis_of(line, row)
        if association_key not in self.associations:
            raise InputError(
                self.path,
                f"keine vorangehende Zeile des Gemeindeverbands {association_key} (Satzart 50)",
                line=line,
                field="vb",
                value=row["vb"],
            )
        cls = SG.UnincorporatedArea if code in _UNINCORPORATED else SG.Municipality
        gemeinde = resource("territory", ags)
        self.write.territory(gemeinde, cls, name)
        self.write.add((gemeinde, _AGS, Literal(ags)))
        self.write.contain(gemeinde, kreis)
        association_code = self.associations[association_key]
        if association_code != _VERBANDSFREI:
            self.write.contain(gemeinde, resource("territory", association_key))
        elif self.kreise.get(kreis_key) == SG.DistrictFreeCity:
            # The administration of a kreisfreie Stadt is the administration of its Gemeinde too.
            self.write.administers(resource("body", f"verwaltung-{kreis_key}"), gemeinde)
        elif cls == SG.Municipality:
            kind = _TOWN_ADMINISTRATION if _is_town(name) else _ADMINISTRATION[SG.Municipality]
            self.write.administration(
                resource("body", f"verwaltung-{association_key}"), gemeinde, kind, _short_name(name)
            )
        self.measures(line, row, gemeinde)

    def measures(self, line: int, row: dict[str, str], gemeinde: URIRef) -> None:
        add = self.write.add
        population = row["bevoelkerung"].replace(" ", "").replace("\u00a0", "")
        if population:
            if not population.isascii() or not population.isdigit():
                raise InputError(
                    self.path,
                    "Einwohnerzahl ist keine ganze Zahl ≥ 0",
                    line=line,
                    field="bevoelkerung",
                    value=row["bevoelkerung"],
                )
            add((gemeinde, SG.population, Literal(int(population))))
            if self.population_date is not None:
                add((gemeinde, SG.populationDate, self.population_date))
        area = self.decimal(line, row, "flaeche", ".")
        if area is not None and area > 0:
            add((gemeinde, SG.area, Literal(area, datatype=XSD.decimal)))
        longitude = self.decimal(line, row, "laengengrad", ",")
        latitude = self.decimal(line, row, "breitengrad", ",")
        # 0/0 marks "no coordinates" in the extract (e.g. a condominium), not a point in the Atlantic.
        if longitude and latitude:
            add((gemeinde, GEO.long, Literal(longitude, datatype=XSD.decimal)))
            add((gemeinde, GEO.lat, Literal(latitude, datatype=XSD.decimal)))
        postal_code = row["postleitzahl"].strip()
        if postal_code:
            _digits(self.path, line, "postleitzahl", postal_code, 5)
            add((gemeinde, SG.postalCode, Literal(postal_code)))

    def decimal(self, line: int, row: dict[str, str], name: str, point: str) -> Decimal | None:
        text = row[name].replace(" ", "").replace("\u00a0", "")
        if not text:
            return None
        if point == "," and "." in text or point == "." and "," in text:
            raise InputError(
                self.path, f"Dezimalzeichen muss '{point}' sein", line=line, field=name, value=row[name]
            )
        try:
            return Decimal(text.replace(",", "."))
        except InvalidOperation as error:
            raise InputError(self.path, "keine Zahl", line=line, field=name, value=row[name]) from error


def read_gv_extract(
    path: Path,
    lands: Collection[str] | None,
    source: URIRef,
    gebietsstand: datetime.date,
    population_date: datetime.date | None = None,
) -> Graph:
    """Read a Destatis Gemeindeverzeichnis extract (GV-ISys, CSV) into territories and administrations.

    Every Land read lies in Germany (``id/territory/de``); a Regierungsbezirk in its Land; a Kreis
    in its Regierungsbezirk, or in its Land where there is none; a Gemeindeverband in its Kreis; a
    Gemeinde in its Kreis and, when it belongs to one, also in its Gemeindeverband. Each
    ``sg:within`` link has its ``sg:Containment``. Each Kreis, each Gemeindeverband and each
    verbandsfreie Gemeinde gets its administration (``id/body/verwaltung-{key}``); the
    administration of a kreisfreie Stadt administers its Gemeinde too. Gemeinden of a
    Gemeindeverband have no administration of their own.

    Parameters
    ----------
    path : Path
        The extract: UTF-8 (with or without BOM), comma-separated, one row per Land (Satzart 10),
        Regierungsbezirk (20), Region (30, skipped: not an administrative territory), Kreis (40),
        Gemeindeverband (50) and Gemeinde (60). Numbers may use spaces between thousands; areas
        use a decimal point, coordinates a decimal comma.
    lands : collection of str or None
        Two-digit Land keys to read (e.g. ``["12"]``); None reads all of Germany.
    source : URIRef
        The source document every fact cites (``dcterms:source``).
    gebietsstand : date
        The territorial status date of the extract, recorded as ``sg:knownValidOn`` on every
        territory, containment and administration.
    population_date : date, optional
        The reference date of the population figures (``sg:populationDate``). The extracts give it
        only in their title, so it is not guessed: without it no population date is written. For
        the extract of 31.12.2020 in ``data/sources`` it is 31.12.2019 (see ``SOURCE.md`` there).

    Returns
    -------
    Graph
        A new graph.

    Raises
    ------
    InputError
        The file is unreadable or lacks a column, a row is too short or too long, a key is not
        made of digits of the right length, a Satzart or Textkennzeichen is unknown, a number is
        malformed, a row refers to a Land, Kreis or Gemeindeverband without a preceding row, or a
        requested Land is not in the file. The error names file, line, field and value.

    Examples
    --------
    >>> from synergraph.graph.namespaces import resource
    >>> gv = Path(__file__).resolve().parents[1] / "data" / "sources" / "destatis-gv-auszug-2020-12-31.csv"
    >>> g = read_gv_extract(gv, ["12"], resource("source", gv.stem), datetime.date(2020, 12, 31),
    ...                     population_date=datetime.date(2019, 12, 31))  # doctest: +SKIP
    >>> str(g.value(resource("territory", "120605003"), RDFS.label))  # doctest: +SKIP
    'Amt Biesenthal-Barnim'
    """
    wanted: set[str] | None = None
    if lands is not None:
        wanted = set(lands)
        for land in sorted(wanted):
            if len(land) != 2 or not land.isascii() or not land.isdigit():
                raise InputError(
                    path,
                    "Land-Schlüssel müssen aus 2 Ziffern bestehen, z. B. '12'",
                    field="lands",
                    value=land,
                )
    write = _Writer(source, gebietsstand)
    write.territory(GERMANY, SG.Country, "Deutschland")
    write.add((GERMANY, _LABEL, Literal("Germany", lang="en")))
    extract = _Extract(path, write, None if population_date is None else _date(population_date))
    readers = {
        "10": extract.state,
        "20": extract.region,
        "40": extract.kreis,
        "50": extract.association,
        "60": extract.gemeinde,
    }
    for line, row in _rows(path, ",", _GV_COLUMNS):
        land = _digits(path, line, "land", row["land"], 2)
        if wanted is not None and land not in wanted:
            continue
        kind = row["satzart"].strip()
        if kind == "30":
            continue  # Regionen (Baden-Württemberg) are statistical, not administrative territories
        reader = readers.get(kind)
        if reader is None:
            raise InputError(
                path,
                "unbekannte Satzart (erlaubt: 10, 20, 30, 40, 50, 60)",
                line=line,
                field="satzart",
                value=kind,
            )
        reader(line, row, land)
    if wanted is not None and wanted - extract.lands:
        raise InputError(
            path, "Land nicht im Verzeichnis", field="lands", value=", ".join(sorted(wanted - extract.lands))
        )
    return write.graph


_ADMIN_COLUMNS = ["verwaltung", "art", "plz", "sitz", "mitglied_ags"]
# The kinds of administration a list may name, and the class of the territory each administers.
_ART_CLASS = {
    "Amt": SG.Amt,
    "Verbandsgemeinde": SG.Verbandsgemeinde,
    "Mitverwaltende Gemeinde": SG.AdministrativeCommunity,
}
_ART_PREFIX = {
    "Amt": "Amt",
    "Verbandsgemeinde": "Verbandsgemeinde",
    "Mitverwaltende Gemeinde": "Mitverwaltung",
}


def _normalise(name: str) -> str:
    """'Amt Biesenthal-Barnim', 'Biesenthal-Barnim' -> 'biesenthal-barnim': a name to match on."""
    name = re.sub(r"^(Amt|Verbandsgemeinde|Samtgemeinde|Mitverwaltung)\s+", "", name.strip())
    return _slug(_short_name(name))


@dataclass
class _Listed:
    """One administration of the list: its name, kind, first line and member Gemeinden."""

    name: str
    art: str
    line: int
    members: list[URIRef] = field(default_factory=list)


def _read_list(path: Path, gemeinden: dict[str, URIRef]) -> list[_Listed]:
    listed: dict[str, _Listed] = {}
    seen: dict[str, int] = {}
    for line, row in _rows(path, ";", _ADMIN_COLUMNS):
        name, art = row["verwaltung"].strip(), row["art"].strip()
        if not name:
            raise InputError(path, "Name der Verwaltung fehlt", line=line, field="verwaltung")
        if art not in _ART_CLASS:
            raise InputError(
                path, f"unbekannte Art (erlaubt: {', '.join(_ART_CLASS)})", line=line, field="art", value=art
            )
        ags = _digits(path, line, "mitglied_ags", row["mitglied_ags"].strip(), 8)
        if ags not in gemeinden:
            raise InputError(
                path,
                "unbekannte Gemeinde: AGS nicht im Gebietsverzeichnis",
                line=line,
                field="mitglied_ags",
                value=ags,
            )
        if ags in seen:
            raise InputError(
                path,
                f"Gemeinde schon in Zeile {seen[ags]} genannt",
                line=line,
                field="mitglied_ags",
                value=ags,
            )
        seen[ags] = line
        entry = listed.setdefault(name, _Listed(name, art, line))
        if entry.art != art:
            raise InputError(
                path,
                f"Art widerspricht Zeile {entry.line} ('{entry.art}')",
                line=line,
                field="art",
                value=art,
            )
        entry.members.append(gemeinden[ags])
    return list(listed.values())


def read_administrations(path: Path, territories: Graph, as_of: datetime.date, source: URIRef) -> Graph:
    """Express a later list of administrations and their member Gemeinden as dated changes.

    The list is read as complete for the Länder its members lie in: there, every association of
    ``territories`` (Amt, Verbandsgemeinde, other Gemeindeverband) that the list does not name has
    ended. Each listed administration is matched to an association of the same kind by its name
    (without "Amt "/"Verbandsgemeinde ", normalised), or else by holding most of its members.

    The result is a new graph (``territories`` is not changed and nothing is deleted) holding:

    - for each Gemeinde-to-association link that no longer holds: ``sg:validUntil`` (the day before
      ``as_of``) and a ``skos:note`` on its ``sg:Containment``; a Gemeinde that the list does not
      name at all gets no new link and a note that its current administration is unknown;
    - for each association no longer listed: ``sg:validUntil`` on it, on its containments and on
      its administration;
    - for each new link: ``sg:within`` and its ``sg:Containment`` with ``sg:validFrom`` ``as_of``;
    - for links, associations and administrations the list confirms: ``sg:knownValidOn`` ``as_of``;
    - a "Mitverwaltende Gemeinde" becomes a new ``sg:AdministrativeCommunity``
      ``id/territory/mitverwaltung-{slug}`` (no official key), valid from ``as_of``, with its
      members, within their Kreis, administered by the administration of the mitverwaltende
      Gemeinde; a new Amt or Verbandsgemeinde becomes ``id/territory/{amt|verbandsgemeinde}-{slug}``
      with a new administration.

    Every subject of the result cites ``source``.

    Parameters
    ----------
    path : Path
        UTF-8, semicolon-separated, with the columns ``verwaltung;art;plz;sitz;mitglied_ags`` (more
        columns are ignored), one row per member Gemeinde. ``art`` is one of "Amt",
        "Verbandsgemeinde", "Mitverwaltende Gemeinde".
    territories : Graph
        The territories as read by :func:`read_gv_extract`.
    as_of : date
        The date the list describes.
    source : URIRef
        The source document of the list.

    Returns
    -------
    Graph
        A new graph with the changes.

    Raises
    ------
    InputError
        A column is missing, a row is short, an AGS is not 8 digits or not a Gemeinde of
        ``territories``, a Gemeinde is listed twice, or an ``art`` is unknown or contradicts an
        earlier row of the same administration (names file, line, field and value).

    Examples
    --------
    >>> from synergraph.graph.namespaces import resource
    >>> sources = Path(__file__).resolve().parents[1] / "data" / "sources"
    >>> gv = read_gv_extract(sources / "destatis-gv-auszug-2020-12-31.csv", ["12"], resource("source", "gv"),
    ...                      datetime.date(2020, 12, 31))  # doctest: +SKIP
    >>> changes = read_administrations(sources / "brandenburg-verwaltungen-2026-01-31.csv", gv,
    ...                                datetime.date(2026, 1, 31), resource("source", "v"))  # doctest: +SKIP
    >>> str(changes.value(resource("territory", "120645410"), SG.validUntil))  # doctest: +SKIP
    '2026-01-30'
    """
    write = _Writer(source, as_of)
    ended = as_of - datetime.timedelta(days=1)
    ended_note = f"Ende spätestens zum Stand {as_of:%d.%m.%Y}; genaues Datum nicht in der Quelle"
    unknown_note = (
        f"Die Quelle (Stand {as_of:%d.%m.%Y}) nennt die heutige Verwaltung dieser Gemeinde nicht; "
        "sie ist hier unbekannt."
    )

    types: dict[URIRef, URIRef] = {}
    for cls in (*_KREIS_CLASSES, *_ASSOCIATION_CLASSES, *_GEMEINDE_CLASSES):
        for subject in territories.subjects(_TYPE, cls):
            if isinstance(subject, URIRef):
                types[subject] = cls
    gemeinden = {
        str(ags): g
        for g, ags in territories.subject_objects(_AGS)
        if isinstance(g, URIRef) and types.get(g) in _GEMEINDE_CLASSES
    }
    listed = _read_list(path, gemeinden)
    scope = {_key(g)[:2] for entry in listed for g in entry.members}

    associations = {
        a: str(k)
        for a, k in territories.subject_objects(_REGIONAL_KEY)
        if isinstance(a, URIRef) and types.get(a) in _ASSOCIATION_CLASSES and str(k)[:2] in scope
    }
    old_links: set[tuple[URIRef, URIRef]] = set()
    parents: dict[URIRef, list[URIRef]] = {}
    for child, parent in territories.subject_objects(_WITHIN):
        if isinstance(child, URIRef) and isinstance(parent, URIRef):
            parents.setdefault(child, []).append(parent)
            if parent in associations:
                old_links.add((child, parent))
    old_association = {g: a for g, a in old_links if types.get(g) in _GEMEINDE_CLASSES}

    matched = _match(listed, associations, types, old_association, territories)
    new_links: set[tuple[URIRef, URIRef]] = set()
    for entry in listed:
        association = matched.get(entry.name)
        if association is None:
            association = _new_association(write, territories, entry, parents, types, as_of)
        else:
            write.cite(association)
            for body in _bodies(territories, association):
                write.cite(body)
        new_links |= {(g, association) for g in entry.members}

    linked = {g for g, _ in new_links}
    for child, association in sorted(old_links - new_links):
        unknown = types.get(child) in _GEMEINDE_CLASSES and child not in linked
        notes = [ended_note, unknown_note] if unknown else [ended_note]
        write.end(containment_iri(child, association), ended, notes)
    for child, association in sorted(new_links - old_links):
        write.contain(child, association, valid_from=as_of)
        write.cite(child)  # the subject of the new sg:within triple
    for child, association in sorted(new_links & old_links):
        write.cite(containment_iri(child, association))
    for association in sorted(set(associations) - set(matched.values())):
        write.end(association, ended, [ended_note])
        for parent in parents.get(association, []):
            write.end(containment_iri(association, parent), ended, [ended_note])
        for body in _bodies(territories, association):
            write.end(body, ended, [ended_note])
    return write.graph


def _match(
    listed: list[_Listed],
    associations: dict[URIRef, str],
    types: dict[URIRef, URIRef],
    old_association: dict[URIRef, URIRef],
    territories: Graph,
) -> dict[str, URIRef]:
    """Which existing association each listed administration is: by name first, then by members."""
    by_name: dict[tuple[str, URIRef], list[URIRef]] = {}
    for association in associations:
        label = territories.value(association, _LABEL)
        by_name.setdefault((_normalise(str(label)), types[association]), []).append(association)
    matched: dict[str, URIRef] = {}
    taken: set[URIRef] = set()

    def overlap(entry: _Listed, candidates: Collection[URIRef]) -> URIRef | None:
        counts = Counter(old_association[g] for g in entry.members if old_association.get(g) in candidates)
        best = counts.most_common(1)
        return best[0][0] if best and best[0][1] * 2 > len(entry.members) else None

    for entry in listed:
        candidates = [
            a for a in by_name.get((_normalise(entry.name), _ART_CLASS[entry.art]), []) if a not in taken
        ]
        choice = candidates[0] if len(candidates) == 1 else overlap(entry, candidates)
        if choice is not None:
            matched[entry.name] = choice
            taken.add(choice)
    for entry in listed:
        if entry.name in matched:
            continue
        candidates = [a for a in associations if a not in taken and types[a] == _ART_CLASS[entry.art]]
        choice = overlap(entry, candidates)
        if choice is not None:
            matched[entry.name] = choice
            taken.add(choice)
    return matched


def _new_association(
    write: _Writer,
    territories: Graph,
    entry: _Listed,
    parents: dict[URIRef, list[URIRef]],
    types: dict[URIRef, URIRef],
    as_of: datetime.date,
) -> URIRef:
    """An association the earlier graph does not know: a Mitverwaltung, or a newly formed Amt."""
    cls = _ART_CLASS[entry.art]
    short = _short_name(re.sub(rf"^{_ART_PREFIX[entry.art]}\s+", "", entry.name))
    prefix = _ART_PREFIX[entry.art]
    association = resource("territory", f"{_slug(prefix)}-{_slug(short)}")
    write.territory(association, cls, f"{prefix} {short}")
    write.add((association, _FROM, write.date(as_of)))
    kreise = sorted({p for g in entry.members for p in parents.get(g, []) if types.get(p) in _KREIS_CLASSES})
    for kreis in kreise:
        write.contain(association, kreis, valid_from=as_of)
    if cls == SG.AdministrativeCommunity:
        # The administration of the mitverwaltende Gemeinde administers the whole community; the
        # Gemeinde is looked for among the members first, then in the members' Kreise.
        name = _normalise(entry.name)
        nearby = [
            g for g, ps in parents.items() if types.get(g) in _GEMEINDE_CLASSES and set(ps) & set(kreise)
        ]
        for candidates in (entry.members, nearby):
            administering = [g for g in candidates if _normalise(str(territories.value(g, _LABEL))) == name]
            if administering:
                break
        for body in sorted({b for g in administering for b in _bodies(territories, g)}):
            write.administers(body, association)
            write.cite(body)
    else:
        body = write.administration(
            resource("body", f"verwaltung-{_key(association)}"), association, _ADMINISTRATION[cls], short
        )
        write.add((body, _FROM, write.date(as_of)))
    return association
