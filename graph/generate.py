"""A synthetic, national-scale dataset for benchmarks and duplicate-detection tests.

The REAL territories and administrations of Germany come from the Destatis Gemeindeverzeichnis
(:func:`read_gv_extract`); everything else is invented from a seed: Land ministries and agencies, a
few federal bodies, responsibilities (who is responsible for which topic, where, in which role and
since when) and initiatives with German titles and descriptions — programmes, projects, networks,
event series with yearly editions and successor projects.

Three kinds of findings are planted on purpose and listed in an answer file (JSON lines,
``{"kind": ..., "items": [iri, iri]}``), so that a detector can be measured against them:

``duplicate``
    the same undertaking recorded twice: the title rephrased (synonyms, word order, compounds split
    or joined, umlauts spelled out), another lead body, the same or a contained territory, an
    overlapping time;
``overlap``
    two responsibilities with role *federführend* for the same topic, intersecting territories
    (the same one, or one ``sg:within+`` the other) and overlapping validity;
``parallel``
    the same undertaking (same title template and topic) in different Kreise.

Background data are built so that they contain no further findings of these kinds: each
federführend topic belongs to one level (Bund, Land, Kreis or Gemeinde) and each undertaking is
used at most once per territory, and undertakings of the Kreis level never appear at Gemeinde level.

Output is N-Triples, written line by line (no in-memory graph), so memory stays flat for a million
initiatives. Output is deterministic: the same seed, size and territory file give the same bytes
(the territory part is sorted; generated subjects follow in generation order with their lines
sorted). Every generated IRI has a ``gen-`` slug and every generated subject has
``dcterms:source`` <https://w3id.org/synergraph/id/source/generiert>.

Examples
--------
>>> import io, tempfile
>>> out = Path(tempfile.mkdtemp()) / "klein.nt"
>>> result = generate(out, initiatives=50, seed=7, lands=["12"])  # doctest: +SKIP
>>> result.initiatives  # doctest: +SKIP
50
"""

from __future__ import annotations

import datetime
import json
import math
import random
import re
import time
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.resources import as_file, files
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from .gemeindeverzeichnis import read_gv_extract
from .namespaces import BASE, SG
from .terms import to_oxigraph

__all__ = [
    "GENERATED_SOURCE",
    "GV_FILE",
    "GenerationResult",
    "Territories",
    "fold_umlauts",
    "generate",
    "load_territories",
]

GENERATED_SOURCE = BASE + "id/source/generiert"
GV_FILE = "sources/destatis-gv-auszug-2020-12-31.csv"
_GV_SOURCE = BASE + "id/source/destatis-gv-auszug-2020-12-31"
_GEBIETSSTAND = datetime.date(2020, 12, 31)
_POPULATION_DATE = datetime.date(2019, 12, 31)
# Status of an initiative is derived from its dates relative to this fixed day (not "today"), so the
# output does not change with the calendar.
REFERENCE_DATE = datetime.date(2026, 1, 31)

# -- serialisation --------------------------------------------------------------------------------

_XSD = "http://www.w3.org/2001/XMLSchema#"
_DCT = "http://purl.org/dc/terms/"
_ORG = "http://www.w3.org/ns/org#"


def _iri(value: str) -> str:
    return str(ox.NamedNode(value))


def _text(value: str, language: str = "de") -> str:
    return str(ox.Literal(value, language=language))


def _plain(value: str) -> str:
    return str(ox.Literal(value))


def _date(value: datetime.date) -> str:
    return f'"{value.isoformat()}"^^<{_XSD}date>'


def _integer(value: int) -> str:
    return f'"{value}"^^<{_XSD}integer>'


A = _iri(str(RDF.type))
LABEL = _iri(str(RDFS.label))
SOURCE = _iri(_DCT + "source")
TITLE = _iri(_DCT + "title")
DESCRIPTION = _iri(_DCT + "description")
SPATIAL = _iri(_DCT + "spatial")
IS_PART_OF = _iri(_DCT + "isPartOf")
SUB_ORG = _iri(_ORG + "subOrganizationOf")
SG_ = {name: _iri(str(SG[name])) for name in (
    "level", "abbreviation", "supervisedBy", "holder", "topic", "territory", "role", "validFrom",
    "validUntil", "knownValidOn", "leadBody", "partner", "funder", "status", "startDate", "endDate",
    "targetGroup", "successorOf", "editionNumber", "isExample",
    "PublicBody", "FederalMinistry", "FederalBody", "StateMinistry", "StateChancellery", "StateAgency",
    "StateCompany", "SourceDocument", "Responsibility", "Programme", "Project", "Network", "EventSeries",
    "Event",
)}
GEN_SOURCE = _iri(GENERATED_SOURCE)


def _id(kind: str, slug: str) -> str:
    return f"{BASE}id/{kind}/gen-{slug}"


def _concept(scheme: str, slug: str) -> str:
    return _iri(f"{BASE}def/{scheme}/{slug}")


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def fold_umlauts(text: str) -> str:
    """Spell umlauts and ß out, as in a system that cannot store them.

    >>> fold_umlauts("Bürgerportal für Großräschen")
    'Buergerportal fuer Grossraeschen'
    """
    return text.translate(_UMLAUTS)


# -- vocabulary -----------------------------------------------------------------------------------

TOPIC_LABELS = {
    "digitalisierung": "Digitalisierung",
    "e-government": "E-Government",
    "it-strategie": "IT-Strategie",
    "it-sicherheit": "IT-Sicherheit",
    "kuenstliche-intelligenz": "Künstliche Intelligenz",
    "smart-city-smart-region": "Smart City / Smart Region",
    "smart-city": "Smart City",
    "smart-region": "Smart Region",
    "verwaltungsdigitalisierung": "Verwaltungsdigitalisierung",
    "breitband": "Breitband",
    "stadtentwicklung": "Stadtentwicklung",
    "landesplanung": "Landesplanung",
    "qualifizierung-digitalkompetenz": "Qualifizierung und Digitalkompetenz",
    "kommunale-digitalstrategie": "Kommunale Digitalstrategie",
    "kommunalverwaltung": "Kommunalverwaltung",
}

ROLE_LABELS = {
    "federfuehrend": "Federführung", "beteiligt": "Beteiligung", "foerdernd": "Förderung",
    "beaufsichtigend": "Aufsicht", "umsetzend": "Umsetzung", "beratend": "Beratung",
}

# Goals per topic as zu-infinitives ("Ziel ist es, ...").
GOALS = {
    "digitalisierung": ("digitale Angebote vor Ort auszubauen", "die Digitalisierung der Region voranzutreiben",
                        "digitale Teilhabe zu stärken"),
    "e-government": ("Verwaltungsleistungen vollständig online anzubieten", "Behördengänge überflüssig zu machen",
                     "Anträge rund um die Uhr digital zu ermöglichen"),
    "it-strategie": ("die IT-Landschaft zu vereinheitlichen", "IT-Betrieb und Beschaffung zu bündeln",
                     "eine tragfähige IT-Architektur zu schaffen"),
    "it-sicherheit": ("die Informationssicherheit zu erhöhen", "Cyberangriffe besser abzuwehren",
                      "den IT-Grundschutz umzusetzen"),
    "kuenstliche-intelligenz": ("Routineaufgaben mit künstlicher Intelligenz zu entlasten",
                                "den Einsatz künstlicher Intelligenz zu erproben",
                                "Anfragen schneller und verlässlicher zu beantworten"),
    "smart-city-smart-region": ("Stadt und Umland digital zu vernetzen", "Daten für die Daseinsvorsorge zu nutzen",
                                "smarte Lösungen in der Fläche zu verbreiten"),
    "smart-city": ("städtische Infrastruktur mit Daten intelligent zu steuern",
                   "Ressourcen in der Stadt effizienter zu nutzen",
                   "die Lebensqualität in der Stadt mit digitalen Mitteln zu verbessern"),
    "smart-region": ("die Daseinsvorsorge im ländlichen Raum digital zu sichern", "Wege im ländlichen Raum zu verkürzen",
                     "Dörfer und Kleinstädte digital zu vernetzen"),
    "verwaltungsdigitalisierung": ("Verwaltungsabläufe durchgängig digital abzuwickeln", "Papierakten zu ersetzen",
                                   "Bearbeitungszeiten deutlich zu verkürzen"),
    "breitband": ("unterversorgte Gebiete mit Glasfaser zu erschließen",
                  "schnelles Internet für alle Haushalte bereitzustellen", "weiße Flecken in der Versorgung zu schließen"),
    "stadtentwicklung": ("die Innenstadt zu beleben", "die Stadtentwicklung nachhaltig zu gestalten",
                         "Flächen besser zu nutzen"),
    "landesplanung": ("Planungsverfahren zu beschleunigen", "raumbezogene Daten einheitlich bereitzustellen",
                      "die Landesentwicklung transparent zu machen"),
    "qualifizierung-digitalkompetenz": ("digitale Kompetenzen zu stärken",
                                        "Beschäftigte für die digitale Arbeit zu qualifizieren",
                                        "Menschen beim Umgang mit digitalen Diensten zu unterstützen"),
    "kommunale-digitalstrategie": ("eine gemeinsame Digitalstrategie zu entwickeln",
                                   "die Digitalisierungsvorhaben der Kommunen zu bündeln",
                                   "Prioritäten für die digitale Kommune festzulegen"),
    "kommunalverwaltung": ("die Verwaltung bürgernäher zu machen", "Verwaltungsaufgaben gemeinsam zu erledigen",
                           "die Verwaltung zukunftsfest aufzustellen"),
}

TARGET_PHRASES = {
    "kommunen": "die Städte, Gemeinden und Kreise",
    "kommunale-beschaeftigte": "die Beschäftigten der Kommunalverwaltung",
    "landesverwaltung": "die Beschäftigten der Landesverwaltung",
    "buergerinnen-und-buerger": "die Bürgerinnen und Bürger",
    "unternehmen": "die Unternehmen vor Ort",
    "wissenschaft": "Hochschulen und Forschungseinrichtungen",
}

# Action nouns with synonyms: a project title is "<action> <genitive phrase> <place>".
ACTIONS = {
    "einf": ("Einführung", "Implementierung", "Start"),
    "ausbau": ("Ausbau", "Erweiterung"),
    "aufbau": ("Aufbau", "Einrichtung", "Errichtung"),
    "mod": ("Modernisierung", "Erneuerung"),
    "dig": ("Digitalisierung", "digitale Neuaufstellung"),
    "erst": ("Erstellung", "Erarbeitung", "Entwicklung"),
}

# Projects: (slug, topic, action, genitive phrases, compound forms, target group).
_ProjectRow = tuple[str, str, str, tuple[str, ...], tuple[str, ...], str]

GEMEINDE_PROJECTS: tuple[_ProjectRow, ...] = (
    ("e-akte", "verwaltungsdigitalisierung", "einf", ("der E-Akte", "der elektronischen Akte", "der digitalen Aktenführung"), ("E-Akte-Einführung", "E-Akte"), "kommunale-beschaeftigte"),
    ("online-termine", "e-government", "einf", ("der Online-Terminvergabe", "der digitalen Terminbuchung"), ("Online-Terminvergabe", "Terminbuchung online"), "buergerinnen-und-buerger"),
    ("buergerportal", "e-government", "aufbau", ("eines Bürgerportals", "eines Serviceportals für Bürgerinnen und Bürger"), ("Bürgerportal", "Bürger-Portal"), "buergerinnen-und-buerger"),
    ("ratsinfo", "verwaltungsdigitalisierung", "einf", ("eines Ratsinformationssystems", "der digitalen Gremienarbeit"), ("Ratsinformationssystem", "Rats-Informationssystem"), ""),
    ("wlan", "digitalisierung", "ausbau", ("des öffentlichen WLANs", "des freien WLAN-Netzes"), ("WLAN-Ausbau", "Freies WLAN"), "buergerinnen-und-buerger"),
    ("strassenbeleuchtung", "smart-city", "mod", ("der Straßenbeleuchtung", "der Straßenbeleuchtung mit smarter Steuerung"), ("Smarte Straßenbeleuchtung", "Straßenbeleuchtung 4.0"), ""),
    ("glasfaser-gewerbe", "breitband", "ausbau", ("des Glasfasernetzes im Gewerbegebiet", "der Glasfaserversorgung des Gewerbegebiets"), ("Glasfaserausbau Gewerbegebiet", "Gewerbegebiet-Glasfaser"), "unternehmen"),
    ("schul-it", "digitalisierung", "mod", ("der Schul-IT", "der IT-Ausstattung der Schulen"), ("Schul-IT-Modernisierung", "Digitale Schule"), ""),
    ("e-rechnung", "verwaltungsdigitalisierung", "einf", ("der E-Rechnung", "der elektronischen Rechnungsbearbeitung"), ("E-Rechnung", "Rechnungseingang digital"), "unternehmen"),
    ("epayment", "e-government", "einf", ("des E-Payments", "der elektronischen Bezahlfunktion"), ("E-Payment", "Online-Bezahlung"), "buergerinnen-und-buerger"),
    ("maengelmelder", "smart-city", "einf", ("eines Mängelmelders", "einer Mängelmelder-App"), ("Mängelmelder", "Mängel-Melder-App"), "buergerinnen-und-buerger"),
    ("beteiligung", "e-government", "aufbau", ("einer Online-Beteiligungsplattform", "der digitalen Bürgerbeteiligung"), ("Beteiligungsplattform", "Bürgerbeteiligung online"), "buergerinnen-und-buerger"),
    ("bauantrag", "e-government", "dig", ("des Bauantragsverfahrens", "der Bauantragstellung"), ("Digitaler Bauantrag", "Bauantrag online"), "buergerinnen-und-buerger"),
    ("dms", "verwaltungsdigitalisierung", "einf", ("eines Dokumentenmanagementsystems", "der digitalen Schriftgutverwaltung"), ("DMS-Einführung", "Dokumentenmanagement"), "kommunale-beschaeftigte"),
    ("isms", "it-sicherheit", "aufbau", ("eines Informationssicherheitsmanagements", "eines ISMS"), ("Informationssicherheitsmanagement", "IT-Sicherheitsmanagement"), "kommunale-beschaeftigte"),
    ("notfall-it", "it-sicherheit", "erst", ("eines IT-Notfallkonzepts", "eines Notfallplans für die IT"), ("IT-Notfallkonzept", "IT-Notfallplanung"), ""),
    ("mobiles-arbeiten", "verwaltungsdigitalisierung", "einf", ("des mobilen Arbeitens", "der Telearbeit"), ("Mobiles Arbeiten", "Telearbeit"), "kommunale-beschaeftigte"),
    ("digitalstrategie", "kommunale-digitalstrategie", "erst", ("einer Digitalstrategie", "einer kommunalen Digitalstrategie"), ("Digitalstrategie", "Digital-Strategie"), ""),
    ("smart-parking", "smart-city", "einf", ("eines Parkleitsystems", "des smarten Parkraummanagements"), ("Smart Parking", "Parkraummanagement digital"), ""),
    ("lorawan", "smart-city", "aufbau", ("eines LoRaWAN-Netzes", "eines Funknetzes für Sensoren"), ("LoRaWAN-Netz", "Sensornetz LoRaWAN"), ""),
    ("hochwasser", "smart-city", "aufbau", ("einer Pegelsensorik", "eines Hochwasser-Frühwarnsystems"), ("Hochwasserfrühwarnung", "Hochwasser-Frühwarnsystem"), "buergerinnen-und-buerger"),
    ("energiemonitoring", "smart-city", "einf", ("eines Energiemonitorings", "der Verbrauchserfassung in kommunalen Gebäuden"), ("Energiemonitoring", "Energie-Monitoring"), ""),
    ("open-data", "e-government", "aufbau", ("eines Open-Data-Portals", "eines offenen Datenportals"), ("Open-Data-Portal", "Offene Daten"), "unternehmen"),
    ("geodaten", "digitalisierung", "aufbau", ("einer Geodateninfrastruktur", "eines kommunalen Geoportals"), ("Geoportal", "Geodateninfrastruktur"), ""),
    ("digitaler-zwilling", "smart-city", "aufbau", ("eines digitalen Zwillings", "eines 3D-Stadtmodells"), ("Digitaler Zwilling", "3D-Stadtmodell"), ""),
    ("chatbot", "kuenstliche-intelligenz", "einf", ("eines Chatbots für Bürgeranfragen", "eines KI-Assistenten im Bürgerservice"), ("Bürgerservice-Chatbot", "KI-Chatbot"), "buergerinnen-und-buerger"),
    ("ki-posteingang", "kuenstliche-intelligenz", "einf", ("einer KI-gestützten Posteingangsbearbeitung", "der automatischen Posteingangserkennung"), ("KI-Posteingang", "Posteingang mit KI"), "kommunale-beschaeftigte"),
    ("bibliothek", "digitalisierung", "dig", ("der Stadtbibliothek", "der Gemeindebibliothek"), ("Digitale Bibliothek", "Onleihe"), "buergerinnen-und-buerger"),
    ("kita-portal", "e-government", "einf", ("eines Kita-Portals", "der Online-Kitaplatzvergabe"), ("Kita-Portal", "Kitaplatzvergabe online"), "buergerinnen-und-buerger"),
    ("friedhof", "verwaltungsdigitalisierung", "dig", ("der Friedhofsverwaltung", "des Friedhofskatasters"), ("Digitales Friedhofskataster", "Friedhofsverwaltung digital"), ""),
    ("bauhof", "verwaltungsdigitalisierung", "dig", ("des Bauhofs", "der Bauhofsteuerung"), ("Digitaler Bauhof", "Bauhof-Software"), "kommunale-beschaeftigte"),
    ("standesamt", "verwaltungsdigitalisierung", "dig", ("des Standesamts", "der Personenstandsregister"), ("Digitales Standesamt", "Standesamt online"), ""),
    ("gewerbe", "e-government", "dig", ("der Gewerbeanmeldung", "des Gewerbeamts"), ("Gewerbeanmeldung online", "Online-Gewerbeanmeldung"), "unternehmen"),
    ("hundesteuer", "e-government", "dig", ("der Hundesteueranmeldung", "der Hundesteuerverwaltung"), ("Hundesteuer online", "Online-Hundeanmeldung"), "buergerinnen-und-buerger"),
    ("schulungen", "qualifizierung-digitalkompetenz", "aufbau", ("eines Schulungsprogramms für Beschäftigte", "von Digitalschulungen für Beschäftigte"), ("Digitalschulung", "Schulungsoffensive Digitalkompetenz"), "kommunale-beschaeftigte"),
    ("digitallotsen", "qualifizierung-digitalkompetenz", "einf", ("von Digitallotsinnen und Digitallotsen", "von Digitalpatenschaften"), ("Digitallotsen", "Digital-Lotsen"), "buergerinnen-und-buerger"),
    ("coworking", "stadtentwicklung", "aufbau", ("eines Coworking-Spaces", "eines gemeinsamen Arbeitsorts"), ("Coworking-Space", "Co-Working-Space"), "unternehmen"),
    ("innenstadt", "stadtentwicklung", "erst", ("eines Innenstadtkonzepts", "eines digitalen Innenstadtkonzepts"), ("Digitale Innenstadt", "Innenstadt digital"), "unternehmen"),
    ("mobilitaet", "smart-city", "aufbau", ("einer Mobilitätsplattform", "einer Mobilitäts-App"), ("Mobilitätsplattform", "Mobilitäts-App"), "buergerinnen-und-buerger"),
    ("ladeinfrastruktur", "stadtentwicklung", "ausbau", ("der Ladeinfrastruktur", "der Ladesäulen"), ("Ladeinfrastruktur", "Ladesäulenausbau"), ""),
    ("website", "e-government", "mod", ("des Internetauftritts", "der Website der Verwaltung"), ("Website-Relaunch", "Neuer Internetauftritt"), "buergerinnen-und-buerger"),
    ("serverraum", "it-sicherheit", "mod", ("des Serverraums", "der Serverinfrastruktur"), ("Serverraum-Modernisierung", "Serverraum 2.0"), ""),
    ("backup", "it-sicherheit", "einf", ("eines Datensicherungskonzepts", "einer zentralen Datensicherung"), ("Backup-Konzept", "Datensicherung"), ""),
    ("cloud", "it-strategie", "einf", ("von Cloud-Diensten", "einer Cloud-Strategie"), ("Cloud-Umstellung", "Cloud-Migration"), ""),
    ("it-konzept", "it-strategie", "erst", ("eines IT-Konzepts", "einer IT-Rahmenplanung"), ("IT-Konzept", "IT-Rahmenkonzept"), ""),
    ("sitzungsdienst", "verwaltungsdigitalisierung", "dig", ("des Sitzungsdienstes", "der Gremiensitzungen"), ("Papierlose Gremienarbeit", "Digitaler Sitzungsdienst"), ""),
    ("tourismus", "digitalisierung", "aufbau", ("eines digitalen Gästeservices", "einer Tourismus-App"), ("Tourismus-App", "Digitaler Gästeservice"), ""),
    ("vereinsportal", "digitalisierung", "aufbau", ("eines Vereinsportals", "einer Ehrenamtsplattform"), ("Vereinsportal", "Ehrenamtsplattform"), "buergerinnen-und-buerger"),
    ("wohngeld", "e-government", "dig", ("des Wohngeldantrags", "der Wohngeldbearbeitung"), ("Wohngeld digital", "Online-Wohngeldantrag"), "buergerinnen-und-buerger"),
    ("meldewesen", "e-government", "dig", ("des Meldewesens", "der Wohnsitzanmeldung"), ("Digitales Meldewesen", "Online-Ummeldung"), "buergerinnen-und-buerger"),
    ("finanzwesen", "verwaltungsdigitalisierung", "mod", ("des Finanzwesens", "der Kassen- und Haushaltssoftware"), ("Finanzsoftware", "Haushaltssoftware-Umstellung"), "kommunale-beschaeftigte"),
    ("personalakte", "verwaltungsdigitalisierung", "dig", ("der Personalverwaltung", "der Personalakte"), ("Digitale Personalakte", "E-Personalakte"), "kommunale-beschaeftigte"),
    ("e-vergabe", "e-government", "einf", ("der E-Vergabe", "der elektronischen Vergabe"), ("E-Vergabe", "Vergabeplattform"), "unternehmen"),
    ("leerstand", "stadtentwicklung", "aufbau", ("eines Baulückenkatasters", "eines Leerstandskatasters"), ("Baulückenkataster", "Leerstandsmanagement"), ""),
    ("umweltsensorik", "smart-city", "aufbau", ("eines Umweltsensornetzes", "einer Luftqualitätsmessung"), ("Umweltsensorik", "Luftmessnetz"), ""),
    ("smart-waste", "smart-city", "einf", ("einer Füllstandsmessung für Abfallbehälter", "der smarten Abfallsammlung"), ("Smart Waste", "Smarte Müllentsorgung"), ""),
    ("rufbus", "smart-region", "einf", ("eines Rufbusses", "eines On-Demand-Verkehrs"), ("Rufbus", "On-Demand-Shuttle"), "buergerinnen-und-buerger"),
    ("dorfladen", "smart-region", "aufbau", ("eines digitalen Dorfladens", "eines Dorfladens mit Selbstbedienung"), ("Digitaler Dorfladen", "Smarter Dorfladen"), "buergerinnen-und-buerger"),
    ("dorf-app", "smart-region", "einf", ("einer Dorf-App", "einer Gemeinde-App"), ("Dorf-App", "Gemeinde-App"), "buergerinnen-und-buerger"),
    ("feuerwehr", "digitalisierung", "dig", ("der Feuerwehr", "der Feuerwehrverwaltung"), ("Feuerwehr digital", "Digitale Feuerwehr"), ""),
    ("ki-planung", "kuenstliche-intelligenz", "einf", ("KI-gestützter Bauleitplanung", "einer KI-Auswertung von Planungsunterlagen"), ("KI in der Bauleitplanung", "KI-Bauleitplanung"), ""),
    ("barrierefreiheit", "e-government", "erst", ("barrierefreier Online-Dienste", "eines barrierefreien Webangebots"), ("Barrierefreie Online-Dienste", "Digitale Barrierefreiheit"), "buergerinnen-und-buerger"),
    ("formulare", "e-government", "einf", ("eines Formularservers", "digitaler Antragsformulare"), ("Formularserver", "Online-Formulare"), "buergerinnen-und-buerger"),
    ("ozg", "verwaltungsdigitalisierung", "dig", ("der OZG-Leistungen", "der Leistungen nach dem Onlinezugangsgesetz"), ("OZG-Umsetzung", "Onlinezugangsgesetz-Umsetzung"), "buergerinnen-und-buerger"),
    ("telefonanlage", "it-strategie", "mod", ("der Telefonanlage", "der Telefonie der Verwaltung"), ("VoIP-Telefonie", "Telefonanlage IP"), "kommunale-beschaeftigte"),
    ("arbeitsplaetze", "it-strategie", "mod", ("der IT-Arbeitsplätze", "der Arbeitsplatzrechner"), ("Arbeitsplatz-IT", "Neue IT-Arbeitsplätze"), "kommunale-beschaeftigte"),
    ("videokonferenz", "verwaltungsdigitalisierung", "einf", ("von Videokonferenzen", "eines Videokonferenzsystems"), ("Videokonferenzsystem", "Video-Konferenzen"), "kommunale-beschaeftigte"),
    ("scanstelle", "verwaltungsdigitalisierung", "aufbau", ("einer zentralen Scanstelle", "eines digitalen Posteingangs"), ("Scanstelle", "Digitaler Posteingang"), "kommunale-beschaeftigte"),
    ("archiv", "verwaltungsdigitalisierung", "dig", ("des Gemeindearchivs", "des Stadtarchivs"), ("Digitales Archiv", "Archiv-Digitalisierung"), ""),
    ("schwimmbad", "digitalisierung", "einf", ("eines Online-Ticketsystems für das Freibad", "des digitalen Eintrittsverkaufs im Bad"), ("Freibad-Onlineticket", "Badticket online"), "buergerinnen-und-buerger"),
    ("raumbuchung", "e-government", "einf", ("einer Online-Raumbuchung", "der digitalen Vergabe von Räumen"), ("Raumbuchung online", "Online-Raumvergabe"), "buergerinnen-und-buerger"),
    ("sportstaetten", "e-government", "einf", ("einer Sportstättenbelegung online", "der digitalen Hallenbelegung"), ("Hallenbelegung digital", "Sportstätten-Buchung"), "buergerinnen-und-buerger"),
    ("parkausweis", "e-government", "dig", ("des Bewohnerparkausweises", "der Parkausweisanträge"), ("Bewohnerparken online", "Parkausweis digital"), "buergerinnen-und-buerger"),
    ("sondernutzung", "e-government", "dig", ("der Sondernutzungserlaubnis", "der Anträge auf Sondernutzung"), ("Sondernutzung online", "Sondernutzungsantrag digital"), "unternehmen"),
    ("gewerbeflaechen", "stadtentwicklung", "aufbau", ("eines Gewerbeflächenportals", "einer Gewerbeflächenbörse"), ("Gewerbeflächenportal", "Gewerbeflächen-Börse"), "unternehmen"),
    ("klimaschutz", "stadtentwicklung", "erst", ("eines digitalen Klimaschutzkonzepts", "eines Klimaschutz-Monitorings"), ("Klimaschutz-Monitoring", "Klimaschutzkonzept digital"), ""),
    ("baumkataster", "smart-city", "aufbau", ("eines Baumkatasters", "eines digitalen Grünflächenkatasters"), ("Baumkataster", "Grünflächenkataster digital"), ""),
    ("winterdienst", "smart-city", "dig", ("des Winterdienstes", "der Streuplanung"), ("Winterdienst digital", "Smarter Winterdienst"), ""),
    ("verkehrszaehlung", "smart-city", "einf", ("einer automatischen Verkehrszählung", "einer sensorgestützten Verkehrserfassung"), ("Verkehrszählung digital", "Verkehrssensorik"), ""),
    ("fahrradparken", "smart-city", "einf", ("digitaler Fahrradabstellanlagen", "eines Buchungssystems für Radboxen"), ("Radboxen online", "Fahrradparken digital"), "buergerinnen-und-buerger"),
    ("wasserzaehler", "smart-city", "einf", ("funkbasierter Wasserzähler", "der Fernauslesung von Wasserzählern"), ("Funkwasserzähler", "Smart Metering Wasser"), ""),
    ("senioren-tablets", "qualifizierung-digitalkompetenz", "einf", ("von Tablet-Kursen für Seniorinnen und Senioren", "von Digitalkursen für Ältere"), ("Tablet-Kurse", "Senioren-Tabletkurse"), "buergerinnen-und-buerger"),
    ("azubi-digital", "qualifizierung-digitalkompetenz", "aufbau", ("einer digitalen Ausbildung in der Verwaltung", "von Digitalmodulen für Auszubildende"), ("Ausbildung digital", "Azubi-Digitalmodule"), "kommunale-beschaeftigte"),
    ("bauleitplanung", "stadtentwicklung", "dig", ("der Bauleitplanung", "der Bebauungspläne"), ("Bebauungspläne online", "Bauleitplanung digital"), ""),
    ("schuleinschreibung", "e-government", "dig", ("der Schulanmeldung", "der Einschulung"), ("Schulanmeldung online", "Online-Schulanmeldung"), "buergerinnen-und-buerger"),
    ("fundbuero", "e-government", "dig", ("des Fundbüros", "der Fundsachenverwaltung"), ("Fundbüro online", "Online-Fundbüro"), "buergerinnen-und-buerger"),
    ("wahlen", "verwaltungsdigitalisierung", "dig", ("der Wahlorganisation", "der Wahlhelferverwaltung"), ("Wahlhelferportal", "Wahlorganisation digital"), "kommunale-beschaeftigte"),
    ("kommunalsteuer", "verwaltungsdigitalisierung", "dig", ("der Grundsteuerbescheide", "der Steuerbescheide"), ("Grundsteuer digital", "Steuerbescheide online"), "buergerinnen-und-buerger"),
    ("gebaeudemanagement", "verwaltungsdigitalisierung", "einf", ("eines CAFM-Systems", "eines digitalen Gebäudemanagements"), ("Gebäudemanagement digital", "CAFM-Einführung"), "kommunale-beschaeftigte"),
    ("awareness", "it-sicherheit", "einf", ("von Sensibilisierungsschulungen zur IT-Sicherheit", "eines Awareness-Programms"), ("IT-Sicherheits-Awareness", "Awareness-Kampagne"), "kommunale-beschaeftigte"),
    ("ki-uebersetzung", "kuenstliche-intelligenz", "einf", ("einer KI-Übersetzung im Bürgerbüro", "maschineller Übersetzung im Bürgerservice"), ("KI-Dolmetscher", "Übersetzungs-KI"), "buergerinnen-und-buerger"),
    ("breitband-gemeinde", "breitband", "ausbau", ("der Glasfaseranschlüsse im Ortskern", "des Glasfasernetzes im Ort"), ("Glasfaser für den Ortskern", "Ortsnetz Glasfaser"), "buergerinnen-und-buerger"),
)

KREIS_PROJECTS: tuple[_ProjectRow, ...] = (
    ("kfz", "e-government", "dig", ("der Kfz-Zulassung", "der Fahrzeugzulassung"), ("i-Kfz", "Online-Zulassung"), "buergerinnen-und-buerger"),
    ("fuehrerschein", "e-government", "dig", ("der Führerscheinstelle", "des Führerscheinantrags"), ("Führerschein online", "Digitale Führerscheinstelle"), "buergerinnen-und-buerger"),
    ("gesundheitsamt", "digitalisierung", "dig", ("des Gesundheitsamts", "des öffentlichen Gesundheitsdienstes"), ("Digitales Gesundheitsamt", "Gesundheitsamt 4.0"), ""),
    ("leitstelle", "it-sicherheit", "mod", ("der Rettungsleitstelle", "der integrierten Leitstelle"), ("Leitstellen-Modernisierung", "Leitstelle digital"), ""),
    ("breitband", "breitband", "ausbau", ("des Breitbandnetzes", "der Breitbandversorgung"), ("Breitbandausbau", "Breitband-Ausbau"), ""),
    ("kreisschulen", "digitalisierung", "mod", ("der IT an Kreisschulen", "der Ausstattung der Kreisschulen"), ("Kreisschulen digital", "Digitale Kreisschulen"), ""),
    ("oepnv-app", "smart-region", "einf", ("einer ÖPNV-App", "eines digitalen Fahrgastinformationssystems"), ("ÖPNV-App", "Fahrgastinformation digital"), "buergerinnen-und-buerger"),
    ("jobcenter", "e-government", "dig", ("der Leistungsanträge im Jobcenter", "der Jobcenter-Akten"), ("Jobcenter digital", "E-Akte Jobcenter"), "buergerinnen-und-buerger"),
    ("auslaenderbehoerde", "e-government", "dig", ("der Ausländerbehörde", "der Aufenthaltstitelverfahren"), ("Digitale Ausländerbehörde", "Ausländerbehörde online"), ""),
    ("bauaufsicht", "e-government", "dig", ("der Bauaufsicht", "des Baugenehmigungsverfahrens"), ("Digitale Bauaufsicht", "Baugenehmigung digital"), "unternehmen"),
    ("kreisstrategie", "kommunale-digitalstrategie", "erst", ("eines digitalen Kreisentwicklungskonzepts", "einer Digitalstrategie des Kreises"), ("Kreisentwicklungskonzept digital", "Digitale Kreisstrategie"), "kommunen"),
    ("warnsystem", "it-sicherheit", "aufbau", ("eines Warnsystems", "einer digitalen Bevölkerungswarnung"), ("Warn-App", "Bevölkerungswarnung digital"), "buergerinnen-und-buerger"),
    ("rechenzentrum", "it-strategie", "aufbau", ("eines kommunalen Rechenzentrums", "eines IT-Dienstleistungszentrums"), ("Kreisrechenzentrum", "Kommunales Rechenzentrum"), "kommunen"),
    ("sozialamt", "e-government", "dig", ("der Sozialhilfeanträge", "der Eingliederungshilfe"), ("Sozialamt digital", "Digitale Sozialverwaltung"), "buergerinnen-und-buerger"),
    ("jugendamt", "e-government", "dig", ("des Jugendamts", "der Elterngeldanträge"), ("Jugendamt digital", "Elterngeld online"), "buergerinnen-und-buerger"),
    ("veterinaer", "verwaltungsdigitalisierung", "dig", ("der Lebensmittelüberwachung", "der Veterinärverwaltung"), ("Lebensmittelkontrolle digital", "Veterinäramt digital"), ""),
    ("regionalportal", "smart-region", "aufbau", ("eines Regionalportals", "einer Regionalmarketing-Plattform"), ("Regionalportal", "Regionalplattform"), "unternehmen"),
    ("fachkraefte", "qualifizierung-digitalkompetenz", "aufbau", ("eines Fachkräfteportals", "einer Fachkräfteplattform"), ("Fachkräfteportal", "Fachkräfte-Plattform"), "unternehmen"),
    ("telemedizin", "smart-region", "einf", ("der Telemedizin", "telemedizinischer Sprechstunden"), ("Telemedizin", "Tele-Sprechstunde"), "buergerinnen-und-buerger"),
    ("landwirtschaft", "smart-region", "einf", ("digitaler Agrarberatung", "eines Smart-Farming-Netzes"), ("Smart Farming", "Digitale Landwirtschaft"), "unternehmen"),
    ("kreisgeoportal", "digitalisierung", "aufbau", ("eines Kreisgeoportals", "eines Geodatenportals des Kreises"), ("Kreisgeoportal", "Geoportal des Kreises"), ""),
    ("ki-kreis", "kuenstliche-intelligenz", "einf", ("von KI in der Kreisverwaltung", "künstlicher Intelligenz in der Kreisverwaltung"), ("KI-Pilot Kreisverwaltung", "KI-Werkstatt"), "kommunale-beschaeftigte"),
    ("it-kooperation", "it-strategie", "aufbau", ("einer interkommunalen IT-Kooperation", "eines IT-Zweckverbands"), ("IT-Kooperation", "Interkommunale IT"), "kommunen"),
    ("wirtschaftsfoerderung", "digitalisierung", "dig", ("der Wirtschaftsförderung", "der Gründungsberatung"), ("Wirtschaftsförderung digital", "Digitale Gründungsberatung"), "unternehmen"),
    ("schuelerbefoerderung", "e-government", "dig", ("der Schülerbeförderung", "der Schülerfahrkarten"), ("Schülerticket online", "Schülerbeförderung digital"), "buergerinnen-und-buerger"),
    ("abfall-app", "smart-region", "einf", ("einer Abfall-App", "eines digitalen Abfallkalenders"), ("Abfall-App", "Abfallkalender digital"), "buergerinnen-und-buerger"),
    ("naturschutz", "digitalisierung", "dig", ("der Naturschutzbehörde", "der Eingriffsregelung"), ("Naturschutz digital", "Ökokonto online"), ""),
    ("pflege", "smart-region", "aufbau", ("eines Pflegeportals", "einer Pflegeplattform"), ("Pflegeplattform", "Pflegeportal"), "buergerinnen-und-buerger"),
)

LAND_PROJECTS: tuple[_ProjectRow, ...] = (
    ("serviceportal", "e-government", "aufbau", ("des Landesserviceportals", "eines zentralen Serviceportals"), ("Landesserviceportal", "Serviceportal des Landes"), "buergerinnen-und-buerger"),
    ("e-akte-land", "verwaltungsdigitalisierung", "einf", ("der E-Akte in der Landesverwaltung", "der elektronischen Akte in den Landesbehörden"), ("E-Akte Landesverwaltung", "Landes-E-Akte"), "landesverwaltung"),
    ("landesnetz", "it-strategie", "mod", ("des Landesverwaltungsnetzes", "des Landesnetzes"), ("Landesnetz 2.0", "Landesverwaltungsnetz"), "landesverwaltung"),
    ("cert", "it-sicherheit", "aufbau", ("eines Computer-Notfallteams", "eines CERT für Land und Kommunen"), ("Landes-CERT", "CERT-Aufbau"), "kommunen"),
    ("open-data-land", "e-government", "aufbau", ("eines Open-Data-Portals des Landes", "eines Landesportals für offene Daten"), ("Open-Data-Portal des Landes", "Offene Daten Landesportal"), "unternehmen"),
    ("landesplanung-digital", "landesplanung", "dig", ("der Landesplanung", "des Landesentwicklungsplans"), ("Digitaler Landesentwicklungsplan", "Landesplanung digital"), ""),
    ("raumordnung", "landesplanung", "aufbau", ("eines Raumordnungskatasters", "eines digitalen Raumordnungsinformationssystems"), ("Raumordnungskataster online", "Raumordnungsinformationssystem"), ""),
    ("ki-landesverwaltung", "kuenstliche-intelligenz", "einf", ("von KI-Assistenten in der Landesverwaltung", "generativer KI in der Landesverwaltung"), ("KI-Assistent Landesverwaltung", "Landes-KI-Assistent"), "landesverwaltung"),
    ("basisdienste", "e-government", "aufbau", ("zentraler E-Government-Basisdienste", "gemeinsamer Basisdienste für Kommunen"), ("Basisdienste", "E-Government-Basisdienste"), "kommunen"),
    ("landesrechenzentrum", "it-strategie", "mod", ("des Landesrechenzentrums", "der zentralen IT-Infrastruktur des Landes"), ("Landesrechenzentrum", "Rechenzentrumskonsolidierung"), "landesverwaltung"),
)

# Other kinds: (slug, topic, kind, title patterns with {name} and {in}, target group).
_OtherRow = tuple[str, str, str, tuple[str, ...], str]

GEMEINDE_OTHERS: tuple[_OtherRow, ...] = (
    ("digitaltag", "qualifizierung-digitalkompetenz", "EventSeries", ("Digitaltag {name}", "Tag der Digitalisierung {in}", "Digital-Tag {name}"), "buergerinnen-und-buerger"),
    ("seniorensprechstunde", "qualifizierung-digitalkompetenz", "EventSeries", ("Digitalsprechstunde für Seniorinnen und Senioren {in}", "Seniorensprechstunde Digitales {in}", "Senioren-Digitalsprechstunde {name}"), "buergerinnen-und-buerger"),
    ("buergerforum", "e-government", "EventSeries", ("Bürgerforum Digitale Verwaltung {in}", "Forum „Digitale Verwaltung“ {in}", "Bürger-Forum digitale Verwaltung {name}"), "buergerinnen-und-buerger"),
    ("smart-city-netzwerk", "smart-city", "Network", ("Netzwerk Smart City {name}", "Smart-City-Netzwerk {name}", "Smart City Netzwerk {in}"), "unternehmen"),
    ("unternehmensnetzwerk", "digitalisierung", "Network", ("Unternehmensnetzwerk Digitalisierung {name}", "Netzwerk digitale Wirtschaft {in}", "Digitalisierungsnetzwerk der Unternehmen {in}"), "unternehmen"),
)

KREIS_OTHERS: tuple[_OtherRow, ...] = (
    ("netzwerk-smart-region", "smart-region", "Network", ("Netzwerk Smart Region {name}", "Smart-Region-Netzwerk {name}", "Regionalnetzwerk Smart Region {in}"), "kommunen"),
    ("arbeitskreis-it-sicherheit", "it-sicherheit", "Network", ("Arbeitskreis IT-Sicherheit {name}", "IT-Sicherheits-Arbeitskreis {name}", "Arbeitskreis Informationssicherheit {in}"), "kommunen"),
    ("digitalgipfel", "kommunale-digitalstrategie", "EventSeries", ("Kommunaler Digitalgipfel {name}", "Digitalgipfel der Kommunen {in}", "Digital-Gipfel Kommunen {name}"), "kommunen"),
    ("digitale-doerfer", "kommunale-digitalstrategie", "Programme", ("Förderprogramm Digitale Dörfer {name}", "Programm „Digitale Dörfer“ {in}", "Digitale-Dörfer-Förderprogramm {name}"), "kommunen"),
)

LAND_OTHERS: tuple[_OtherRow, ...] = (
    ("digitale-kommune", "kommunale-digitalstrategie", "Programme", ("Landesprogramm „Digitale Kommune {name}“", "Förderprogramm Digitale Kommunen {in}", "Digitale-Kommune-Programm {name}"), "kommunen"),
    ("breitbandfoerderung", "breitband", "Programme", ("Breitbandförderprogramm {name}", "Förderprogramm Breitbandausbau {in}", "Breitband-Förderprogramm {name}"), "kommunen"),
    ("ki-strategie", "kuenstliche-intelligenz", "Programme", ("KI-Strategie {name}", "Strategie für Künstliche Intelligenz {in}", "Landesstrategie KI {name}"), "wissenschaft"),
    ("smart-region-modell", "smart-region", "Programme", ("Modellvorhaben Smart Region {name}", "Smart-Region-Modellvorhaben {in}", "Modellregionen Smart Region {name}"), "kommunen"),
    ("qualifizierungsoffensive", "qualifizierung-digitalkompetenz", "Programme", ("Qualifizierungsoffensive Digitale Verwaltung {name}", "Offensive für digitale Kompetenzen der Verwaltung {in}", "Digitalkompetenz-Offensive {name}"), "landesverwaltung"),
    ("kommunalkongress", "kommunale-digitalstrategie", "EventSeries", ("Kommunalkongress Digitalisierung {name}", "Digitalkongress der Kommunen {in}", "Kommunal-Digitalkongress {name}"), "kommunen"),
    ("netzwerk-digitallotsen", "qualifizierung-digitalkompetenz", "Network", ("Landesnetzwerk Digitallotsen {name}", "Netzwerk der Digitallotsinnen und Digitallotsen {in}", "Digitallotsen-Netzwerk {name}"), "buergerinnen-und-buerger"),
    ("ki-hochschulen", "kuenstliche-intelligenz", "Network", ("KI-Netzwerk der Hochschulen {in}", "Hochschulnetzwerk Künstliche Intelligenz {name}", "Netzwerk KI-Forschung {name}"), "wissenschaft"),
    ("gigabit", "breitband", "Programme", ("Gigabitstrategie {name}", "Gigabit-Strategie des Landes {name}", "Strategie für Gigabitnetze {in}"), "unternehmen"),
    ("smart-city-fachtag", "smart-city-smart-region", "EventSeries", ("Fachtag Smart City und Smart Region {name}", "Smart-City-Fachtag {name}", "Fachtagung Smart Region {in}"), "kommunen"),
)

BUND_OTHERS: tuple[_OtherRow, ...] = (
    ("ozg-booster", "verwaltungsdigitalisierung", "Programme", ("OZG-Booster", "Umsetzungsprogramm Onlinezugangsgesetz", "Onlinezugangsgesetz-Umsetzungsprogramm"), "kommunen"),
    ("modellprojekte-smart-cities", "smart-city", "Programme", ("Modellprojekte Smart Cities", "Förderprogramm Modellprojekte Smart Cities", "Smart-Cities-Modellprojekte"), "kommunen"),
    ("gigabitfoerderung", "breitband", "Programme", ("Gigabitförderung des Bundes", "Bundesförderprogramm Gigabit", "Gigabit-Förderprogramm {in}"), "kommunen"),
    ("ki-aktionsplan", "kuenstliche-intelligenz", "Programme", ("KI-Aktionsplan des Bundes", "Aktionsplan Künstliche Intelligenz", "KI-Aktionsplan {name}"), "wissenschaft"),
    ("cyber-sicherheitsstrategie", "it-sicherheit", "Programme", ("Cybersicherheitsstrategie für Deutschland", "Cyber-Sicherheitsstrategie {name}", "Strategie für Cybersicherheit {in}"), "kommunen"),
    ("digitalgipfel-bund", "digitalisierung", "EventSeries", ("Digital-Gipfel der Bundesregierung", "Digitalgipfel {name}", "Gipfel zur Digitalisierung {in}"), "unternehmen"),
    ("verwaltungscloud", "it-strategie", "Project", ("Deutsche Verwaltungscloud", "Verwaltungscloud {name}", "Aufbau der Deutschen Verwaltungscloud"), "kommunen"),
    ("register", "verwaltungsdigitalisierung", "Project", ("Registermodernisierung", "Modernisierung der Register {in}", "Register-Modernisierung {name}"), "kommunen"),
)

# Parallel undertakings: one title template, repeated in different Kreise.
PARALLELS: tuple[_OtherRow, ...] = (
    ("par-digitallotsen", "qualifizierung-digitalkompetenz", "Project", ("Modellprojekt Digitallotsen {in}",), "buergerinnen-und-buerger"),
    ("par-smarte-doerfer", "smart-region", "Project", ("Smarte Dörfer {name}",), "buergerinnen-und-buerger"),
    ("par-5g", "breitband", "Project", ("5G-Modellregion {name}",), "unternehmen"),
    ("par-telemedizin", "smart-region", "Project", ("Telemedizin-Pilot {in}",), "buergerinnen-und-buerger"),
    ("par-ozg-pilot", "e-government", "Project", ("OZG-Pilotkommune {name}",), "kommunen"),
    ("par-tablets", "digitalisierung", "Project", ("Tablets für alle Schulen {in}",), ""),
    ("par-mobilstationen", "smart-region", "Project", ("Mobilitätsstationen {in}",), "buergerinnen-und-buerger"),
    ("par-ki-labor", "kuenstliche-intelligenz", "Project", ("KI-Labor {name}",), "kommunale-beschaeftigte"),
    ("par-coworking-land", "stadtentwicklung", "Project", ("Coworking auf dem Land {in}",), "unternehmen"),
    ("par-wlan-schulen", "breitband", "Project", ("WLAN für alle Schulen {in}",), ""),
    ("par-heimat-app", "smart-region", "Project", ("Heimat-App {name}",), "buergerinnen-und-buerger"),
    ("par-open-gov", "e-government", "Project", ("Open-Government-Labor {name}",), "buergerinnen-und-buerger"),
    ("par-isms", "it-sicherheit", "Project", ("Informationssicherheit für Kommunen {in}",), "kommunen"),
    ("par-klimasensoren", "smart-city", "Project", ("Klimasensoren {in}",), ""),
    ("par-datenplattform", "digitalisierung", "Project", ("Regionale Datenplattform {name}",), "unternehmen"),
    ("par-buergerkoffer", "e-government", "Project", ("Mobiler Bürgerkoffer {in}",), "buergerinnen-und-buerger"),
)


@dataclass(frozen=True)
class Undertaking:
    """What an initiative is about, independent of where: a title family, its topic and kind."""

    slug: str
    topic: str
    kind: str
    patterns: tuple[str, ...]
    target: str


def _project(row: _ProjectRow) -> Undertaking:
    slug, topic, action, genitives, compounds, target = row
    patterns = [f"{verb} {phrase} {{in}}" for verb in ACTIONS[action] for phrase in genitives]
    patterns += [f"{{name}}: {verb} {phrase}" for verb in ACTIONS[action][:1] for phrase in genitives]
    patterns += [f"{compound} {{in}}" for compound in compounds]
    patterns += [f"{compound} – {{name}}" for compound in compounds]
    return Undertaking(slug, topic, "Project", tuple(patterns), target)


def _undertakings(projects: Sequence[_ProjectRow], others: Sequence[_OtherRow]) -> list[Undertaking]:
    return [_project(row) for row in projects] + [Undertaking(*row) for row in others]


# -- territories ----------------------------------------------------------------------------------

@dataclass
class Place:
    """A territory with the phrases a title needs and the body that administers it."""

    iri: str
    key: str
    name: str
    inside: str  # "in Cottbus", "im Landkreis Havelland"
    administration: str | None = None  # body IRI
    land: str = ""
    kreis: str = ""
    population: int = 0


@dataclass
class Territories:
    """The real territories read from the Gemeindeverzeichnis, as the generator needs them.

    Attributes
    ----------
    graph : Graph
        Everything the importer produced (territories, containments, administrations).
    lands, kreise, gemeinden : list of Place
        Sorted by key. Gemeinden are only those with an administration (no gemeindefreie Gebiete).
    country : str
        The IRI of Germany.
    """

    graph: Graph
    lands: list[Place]
    kreise: list[Place]
    gemeinden: list[Place]
    country: str
    gemeinden_of_kreis: dict[str, list[Place]] = field(default_factory=dict)


_KEY = re.compile(r"^(\d{2}|\d{3}|\d{5}|\d{8}|\d{9})$")
_SUFFIX = re.compile(r",\s*[^,]*$")


def _short_name(label: str) -> str:
    """'Frankfurt am Main, Stadt' -> 'Frankfurt am Main'."""
    return _SUFFIX.sub("", label).strip() or label


def _kreis_phrases(name: str, land: str, free_city: bool) -> tuple[str, str]:
    if free_city:
        return name, f"in {name}"
    for prefix, article in (("Region ", "in der"), ("Städteregion ", "in der"), ("Regionalverband ", "im")):
        if name.startswith(prefix):
            return name, f"{article} {name}"
    if name.lower().endswith("kreis"):  # "Erzgebirgskreis", "Werra-Meißner-Kreis"
        return name, f"im {name}"
    if land in ("01", "05"):  # Schleswig-Holstein and Nordrhein-Westfalen say "Kreis"
        return f"Kreis {name}", f"im Kreis {name}"
    return f"Landkreis {name}", f"im Landkreis {name}"


def _gv_path() -> Path:
    with as_file(files("synergraph.data").joinpath(GV_FILE)) as path:
        return Path(path)


def load_territories(path: Path | None = None, lands: Collection[str] | None = None) -> Territories:
    """Read the territories of ``lands`` (None: all of Germany) with :func:`read_gv_extract`.

    Parameters
    ----------
    path : Path, optional
        A Destatis GV extract; defaults to the one shipped in ``data/sources``.
    lands : collection of str, optional
        Two-digit Land keys.
    """
    path = path or _gv_path()
    graph = read_gv_extract(path, lands=lands, source=URIRef(_GV_SOURCE), gebietsstand=_GEBIETSSTAND,
                            population_date=_POPULATION_DATE)
    prefix = BASE + "id/territory/"
    labels: dict[str, str] = {}
    types: dict[str, set[str]] = {}
    population: dict[str, int] = {}
    administration: dict[str, str] = {}
    within: dict[str, list[str]] = {}
    for s, p, o in graph:
        subject = str(s)
        if p == RDFS.label and (getattr(o, "language", None) in (None, "de")):
            labels[subject] = str(o)
        elif p == RDF.type:
            types.setdefault(subject, set()).add(str(o))
        elif p == SG.population:
            population[subject] = int(o)  # type: ignore[call-overload]
        elif p == SG.administers:
            # A territory may be administered by several bodies over time; keep the smallest IRI.
            current = administration.get(str(o))
            administration[str(o)] = subject if current is None else min(current, subject)
        elif p == SG.within:
            within.setdefault(subject, []).append(str(o))
    country = prefix + "de"
    land_places: list[Place] = []
    kreis_places: list[Place] = []
    gemeinde_places: list[Place] = []
    keyed = sorted((iri[len(prefix):], iri) for iri in labels if iri.startswith(prefix))
    for key, iri in keyed:
        if not _KEY.match(key):
            continue
        label = labels[iri]
        name = _short_name(label)
        if len(key) == 2:
            land_places.append(Place(iri, key, name, f"in {name}", land=key))
        elif len(key) == 5:
            free_city = str(SG.DistrictFreeCity) in types.get(iri, set())
            title_name, inside = _kreis_phrases(name, key[:2], free_city)
            kreis_places.append(Place(iri, key, title_name, inside, administration.get(iri), land=key[:2],
                                      kreis=key))
        elif len(key) == 8:
            body = administration.get(iri)
            if body is None:
                # A Gemeinde of an Amt or Verbandsgemeinde is administered by the association.
                for parent in sorted(within.get(iri, [])):
                    if parent in administration and len(parent) - len(prefix) == 9:
                        body = administration[parent]
                        break
            if body is None or population.get(iri, 0) <= 0:
                continue
            gemeinde_places.append(Place(iri, key, name, f"in {name}", body, land=key[:2], kreis=key[:5],
                                         population=population.get(iri, 0)))
    kreise_with_admin = [k for k in kreis_places if k.administration]
    gemeinden_of_kreis: dict[str, list[Place]] = {}
    for place in gemeinde_places:
        gemeinden_of_kreis.setdefault(place.kreis, []).append(place)
    return Territories(graph, land_places, kreise_with_admin, gemeinde_places, country, gemeinden_of_kreis)


# -- bodies ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Body:
    """A generated public body."""

    iri: str
    label: str
    cls: str
    level: str
    spatial: str
    abbreviation: str = ""
    parent: str = ""


_LAND_GENITIVE = {
    "02": "der Freien und Hansestadt Hamburg", "04": "der Freien Hansestadt Bremen", "09": "des Freistaates Bayern",
    "10": "des Saarlandes", "14": "des Freistaates Sachsen", "16": "des Freistaates Thüringen",
}
_CITY_STATES = ("02", "04", "11")

# Land ministries: key, name after "Ministerium", federführend topics (background, one holder each).
_MINISTRIES = (
    ("digital", "für Digitales und Verwaltung", ("digitalisierung", "e-government", "verwaltungsdigitalisierung", "it-strategie")),
    ("innen", "des Innern und für Kommunales", ()),
    ("wirtschaft", "für Wirtschaft, Arbeit und Energie", ("breitband",)),
    ("infrastruktur", "für Infrastruktur und Landesplanung", ("landesplanung", "smart-region")),
    ("bildung", "für Bildung, Jugend und Sport", ("qualifizierung-digitalkompetenz",)),
)
LAND_TOPICS = tuple(topic for _, _, topics in _MINISTRIES for topic in topics)
# Topics whose federführung lies with the Bund; Kreise lead the Kreis strategy; Gemeinden their
# own administration. No topic is led on two levels, so the background has no overlaps.
_BUND_LEAD = (("bmi", "it-sicherheit"), ("bmdv", "kuenstliche-intelligenz"), ("bmwsb", "smart-city"))
KREIS_TOPIC = "kommunale-digitalstrategie"
GEMEINDE_TOPIC = "kommunalverwaltung"

_FEDERAL = (
    ("bmi", "Bundesministerium des Innern und für Heimat", "BMI", "FederalMinistry", ""),
    ("bmf", "Bundesministerium der Finanzen", "BMF", "FederalMinistry", ""),
    ("bmdv", "Bundesministerium für Digitales und Verkehr", "BMDV", "FederalMinistry", ""),
    ("bmwsb", "Bundesministerium für Wohnen, Stadtentwicklung und Bauwesen", "BMWSB", "FederalMinistry", ""),
    ("bsi", "Bundesamt für Sicherheit in der Informationstechnik", "BSI", "FederalBody", "bmi"),
    ("bva", "Bundesverwaltungsamt", "BVA", "FederalBody", "bmi"),
    ("itzbund", "Informationstechnikzentrum Bund", "ITZBund", "FederalBody", "bmf"),
)


def _land_bodies(land: Place) -> dict[str, Body]:
    genitive = _LAND_GENITIVE.get(land.key, f"des Landes {land.name}")
    house = "Senatsverwaltung" if land.key in _CITY_STATES else "Ministerium"
    spatial, key = land.iri, land.key
    bodies = {
        name: Body(_id("body", f"land-{key}-{name}"), f"{house} {words} {genitive}", "StateMinistry", "land", spatial)
        for name, words, _ in _MINISTRIES
    }
    chancellery = "Senatskanzlei" if land.key in _CITY_STATES else "Staatskanzlei"
    bodies["kanzlei"] = Body(_id("body", f"land-{key}-kanzlei"), f"{chancellery} {genitive}", "StateChancellery",
                             "land", spatial)
    bodies["landesamt-it"] = Body(_id("body", f"land-{key}-landesamt-it"),
                                  f"Landesamt für Digitalisierung und Informationstechnik {land.name}", "StateAgency",
                                  "land", spatial, parent=bodies["digital"].iri)
    bodies["it-dienstleister"] = Body(_id("body", f"land-{key}-it-dienstleister"),
                                      f"IT-Dienstleistungszentrum {land.name}", "StateCompany", "land", spatial,
                                      parent=bodies["digital"].iri)
    bodies["landesamt-bauen"] = Body(_id("body", f"land-{key}-landesamt-bauen"),
                                     f"Landesamt für Bauen und Verkehr {land.name}", "StateAgency", "land", spatial,
                                     parent=bodies["infrastruktur"].iri)
    return bodies


# -- the writer -----------------------------------------------------------------------------------

@dataclass
class GenerationResult:
    """What :func:`generate` wrote."""

    path: str
    triples: int = 0
    territory_triples: int = 0
    bodies: int = 0
    responsibilities: int = 0
    initiatives: int = 0
    duplicates: int = 0
    overlaps: int = 0
    parallels: int = 0
    seconds: float = 0.0


class _Writer:
    def __init__(self, out: IO[str], answers: IO[str] | None, result: GenerationResult) -> None:
        self.out = out
        self.answers = answers
        self.result = result

    def subject(self, iri: str, pairs: list[tuple[str, str]]) -> None:
        s = _iri(iri)
        lines = sorted(f"{s} {p} {o} .\n" for p, o in pairs)
        self.out.write("".join(lines))
        self.result.triples += len(lines)

    def answer(self, kind: str, items: Sequence[str]) -> None:
        if self.answers is not None:
            self.answers.write(json.dumps({"kind": kind, "items": list(items)}, ensure_ascii=False) + "\n")
        setattr(self.result, kind + "s", getattr(self.result, kind + "s") + 1)


def _affine(size: int, rng: random.Random) -> tuple[int, int]:
    """Coefficients of a permutation c -> (a*c + b) mod size of range(size)."""
    a = max(1, int(size * 0.6180339887)) | 1
    while math.gcd(a, size) != 1:
        a += 2
    return a, rng.randrange(size) if size else 0


class _Segment:
    """Undertakings × places of one level, handed out without repetition in a shuffled order."""

    def __init__(self, name: str, undertakings: list[Undertaking], places: list[Place], rng: random.Random) -> None:
        self.name = name
        self.undertakings = undertakings
        self.places = places
        self.size = len(undertakings) * len(places)
        self.a, self.b = _affine(self.size, rng) if self.size else (1, 0)
        self.used = 0

    def next(self) -> tuple[Undertaking, Place] | None:
        if self.used >= self.size:
            return None
        index = (self.a * self.used + self.b) % self.size
        self.used += 1
        return self.undertakings[index // len(self.places)], self.places[index % len(self.places)]


class _Generator:
    def __init__(self, territories: Territories, rng: random.Random, writer: _Writer, initiatives: int) -> None:
        self.t = territories
        self.rng = rng
        self.w = writer
        self.target = initiatives
        self.count_initiatives = 0
        self.count_responsibilities = 0
        self.land_bodies = {land.key: _land_bodies(land) for land in territories.lands}
        self.federal = {slug: Body(_id("body", slug), label, cls, "bund", territories.country, abbr,
                                   _id("body", parent) if parent else "")
                        for slug, label, abbr, cls, parent in _FEDERAL}
        self.body_labels: dict[str, str] = {}
        for subject, label in territories.graph.subject_objects(RDFS.label):
            if "/id/body/" in str(subject) and getattr(label, "language", None) in (None, "de"):
                self.body_labels[str(subject)] = str(label)
        for bodies in self.land_bodies.values():
            for body in bodies.values():
                self.body_labels[body.iri] = body.label
        for body in self.federal.values():
            self.body_labels[body.iri] = body.label
        self.land_by_key = {land.key: land for land in territories.lands}
        self.kreis_by_key = {kreis.key: kreis for kreis in territories.kreise}
        # Background responsibility that leads (land key, topic) now, for planted overlaps.
        self.land_lead: dict[tuple[str, str], tuple[str, datetime.date]] = {}
        self.kreis_lead: dict[str, tuple[str, datetime.date]] = {}
        germany = Place(territories.country, "de", "Deutschland", "bundesweit")
        self.segments = {
            "gemeinde": _Segment("gemeinde", _undertakings(GEMEINDE_PROJECTS, GEMEINDE_OTHERS), territories.gemeinden, rng),
            "kreis": _Segment("kreis", _undertakings(KREIS_PROJECTS, KREIS_OTHERS), territories.kreise, rng),
            "land": _Segment("land", _undertakings(LAND_PROJECTS, LAND_OTHERS), territories.lands, rng),
            "bund": _Segment("bund", _undertakings((), BUND_OTHERS), [germany], rng),
        }
        self.parallel_kreise = {u.slug: _Segment(u.slug, [u], territories.kreise, rng)
                                for u in _undertakings((), PARALLELS)}

    # -- bodies and responsibilities --------------------------------------------------------------

    def write_source(self, seed: int, initiatives: int) -> None:
        self.w.subject(GENERATED_SOURCE, [
            (A, SG_["SourceDocument"]),
            (TITLE, _text("Synthetische Testdaten (generiert)")),
            (LABEL, _text("Synthetische Testdaten (generiert)")),
            (DESCRIPTION, _text(f"Erfundene Stellen, Zuständigkeiten und Initiativen über den echten Gebieten "
                                f"Deutschlands, erzeugt mit Startwert {seed} für {initiatives} Initiativen.")),
            (_iri(_DCT + "publisher"), _text("Synergraph-Datengenerator")),
            (SG_["isExample"], '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'),
        ])

    def write_body(self, body: Body) -> None:
        pairs = [(A, SG_[body.cls]), (LABEL, _text(body.label)), (SG_["level"], _concept("level", body.level)),
                 (SPATIAL, _iri(body.spatial)), (SOURCE, GEN_SOURCE)]
        if body.abbreviation:
            pairs.append((SG_["abbreviation"], _plain(body.abbreviation)))
        if body.parent:
            pairs.append((SUB_ORG, _iri(body.parent)))
            pairs.append((SG_["supervisedBy"], _iri(body.parent)))
        self.w.subject(body.iri, pairs)
        self.w.result.bodies += 1

    def responsibility(self, holder: str, topic: str, territory: Place | str, role: str,
                       valid_from: datetime.date | None, valid_until: datetime.date | None = None) -> str:
        self.count_responsibilities += 1
        iri = _id("responsibility", f"{self.count_responsibilities:07d}")
        territory_iri = territory.iri if isinstance(territory, Place) else territory
        territory_name = territory.name if isinstance(territory, Place) else "Deutschland"
        label = f"{ROLE_LABELS[role]} {TOPIC_LABELS[topic]}, {territory_name}: {self.body_labels.get(holder, 'Stelle')}"
        pairs = [(A, SG_["Responsibility"]), (LABEL, _text(label)), (SG_["holder"], _iri(holder)),
                 (SG_["topic"], _concept("topic", topic)), (SG_["territory"], _iri(territory_iri)),
                 (SG_["role"], _concept("role", role)), (SOURCE, GEN_SOURCE)]
        if valid_from is not None:
            pairs.append((SG_["validFrom"], _date(valid_from)))
        else:
            pairs.append((SG_["knownValidOn"], _date(_GEBIETSSTAND)))
        if valid_until is not None:
            pairs.append((SG_["validUntil"], _date(valid_until)))
        self.w.subject(iri, pairs)
        return iri

    def _day(self, first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=self.rng.randrange(max(1, (last - first).days + 1)))

    def write_bodies_and_responsibilities(self) -> None:
        rng = self.rng
        for body in self.federal.values():
            self.write_body(body)
        for key in sorted(self.land_bodies):
            for body in self.land_bodies[key].values():
                self.write_body(body)
        de = self.t.country
        fed = {slug: body.iri for slug, body in self.federal.items()}
        start = datetime.date(2021, 12, 8)
        for slug, topic in _BUND_LEAD:
            self.responsibility(fed[slug], topic, de, "federfuehrend", start)
        for slug, topic, role, since in (
            ("bsi", "it-sicherheit", "beratend", datetime.date(1991, 1, 1)),
            ("bva", "verwaltungsdigitalisierung", "umsetzend", datetime.date(2019, 1, 1)),
            ("itzbund", "it-strategie", "umsetzend", datetime.date(2016, 1, 1)),
            ("bmi", "e-government", "foerdernd", start), ("bmdv", "breitband", "foerdernd", start),
            ("bmwsb", "stadtentwicklung", "foerdernd", start),
        ):
            self.responsibility(fed[slug], topic, de, role, since)
        for land in self.t.lands:
            bodies = self.land_bodies[land.key]
            reorganised = rng.random() < 0.5
            moved = self._day(datetime.date(2019, 1, 1), datetime.date(2022, 12, 31))
            for name, _, topics in _MINISTRIES:
                for topic in topics:
                    since = self._day(datetime.date(2010, 1, 1), datetime.date(2018, 12, 31))
                    if reorganised and topic == "digitalisierung":
                        # The topic moved from the chancellery to the new ministry: no overlap in time.
                        self.responsibility(bodies["kanzlei"].iri, topic, land, "federfuehrend", since,
                                            moved - datetime.timedelta(days=1))
                        since = moved
                    iri = self.responsibility(bodies[name].iri, topic, land, "federfuehrend", since)
                    self.land_lead[(land.key, topic)] = (iri, since)
            for name, topic, role in (("innen", "kommunalverwaltung", "beaufsichtigend"),
                                      ("innen", "it-sicherheit", "beteiligt"),
                                      ("landesamt-it", "e-government", "umsetzend"),
                                      ("it-dienstleister", "it-strategie", "umsetzend"),
                                      ("landesamt-bauen", "landesplanung", "umsetzend"),
                                      ("digital", "kommunale-digitalstrategie", "foerdernd"),
                                      ("wirtschaft", "kuenstliche-intelligenz", "foerdernd")):
                self.responsibility(bodies[name].iri, topic, land, role,
                                    self._day(datetime.date(2012, 1, 1), datetime.date(2020, 12, 31)))
        for kreis in self.t.kreise:
            assert kreis.administration is not None
            since = self._day(datetime.date(2016, 1, 1), datetime.date(2021, 12, 31))
            iri = self.responsibility(kreis.administration, KREIS_TOPIC, kreis, "federfuehrend", since)
            self.kreis_lead[kreis.key] = (iri, since)
            self.responsibility(kreis.administration, "breitband", kreis, "beteiligt", since)
            self.responsibility(kreis.administration, "e-government", kreis, "umsetzend", since)
        for gemeinde in self.t.gemeinden:
            assert gemeinde.administration is not None
            self.responsibility(gemeinde.administration, GEMEINDE_TOPIC, gemeinde, "federfuehrend", None)

    def plant_overlaps(self, count: int) -> None:
        """Second federführend responsibilities that overlap exactly one background one each."""
        rng = self.rng
        used_land_topic: dict[tuple[str, str], str] = {}  # -> "land" (second ministry) or "kreis"
        used: set[tuple[str, ...]] = set()
        kreise = self.t.kreise
        gemeinden = [g for g in self.t.gemeinden
                     if g.kreis in self.kreis_by_key and g.administration != self.kreis_by_key[g.kreis].administration]
        planted = attempts = 0
        while planted < count and attempts < count * 50:
            attempts += 1
            mode = rng.random()
            start = self._day(datetime.date(2022, 1, 1), datetime.date(2025, 12, 31))
            end = start + datetime.timedelta(days=rng.randrange(365, 2200)) if rng.random() < 0.5 else None
            if mode < 0.15 and self.t.lands:
                land = rng.choice(self.t.lands)
                topic = rng.choice(LAND_TOPICS)
                if (land.key, topic) in used_land_topic:
                    continue
                owner = next(name for name, _, topics in _MINISTRIES if topic in topics)
                other = rng.choice([name for name, _, _ in _MINISTRIES if name != owner] + ["kanzlei"])
                used_land_topic[(land.key, topic)] = "land"
                background, _ = self.land_lead[(land.key, topic)]
                iri = self.responsibility(self.land_bodies[land.key][other].iri, topic, land, "federfuehrend", start, end)
            elif mode < 0.55 and kreise:
                kreis = rng.choice(kreise)
                topic = rng.choice(LAND_TOPICS)
                if used_land_topic.get((kreis.land, topic), "kreis") != "kreis" or ("k", kreis.key, topic) in used:
                    continue
                if (kreis.land, topic) not in self.land_lead:
                    continue
                used_land_topic[(kreis.land, topic)] = "kreis"
                used.add(("k", kreis.key, topic))
                background, _ = self.land_lead[(kreis.land, topic)]
                assert kreis.administration is not None
                iri = self.responsibility(kreis.administration, topic, kreis, "federfuehrend", start, end)
            elif gemeinden:
                gemeinde = rng.choice(gemeinden)
                if ("g", gemeinde.key) in used:
                    continue
                used.add(("g", gemeinde.key))
                background, _ = self.kreis_lead[gemeinde.kreis]
                assert gemeinde.administration is not None
                iri = self.responsibility(gemeinde.administration, KREIS_TOPIC, gemeinde, "federfuehrend", start, end)
            else:
                break
            self.w.answer("overlap", [background, iri])
            planted += 1

    # -- initiatives ------------------------------------------------------------------------------

    def _title(self, undertaking: Undertaking, place: Place, pattern: int) -> str:
        title = undertaking.patterns[pattern].format(name=place.name, **{"in": place.inside})
        return title[:1].upper() + title[1:]

    def _description(self, undertaking: Undertaking, place: Place, lead: str, title: str,
                     partner: str | None) -> str:
        rng = self.rng
        goal = rng.choice(GOALS[undertaking.topic])
        lead_label = self.body_labels.get(lead, "die Verwaltung")
        first = rng.choice((
            f"Ziel ist es, {goal}.",
            f"Mit dem Vorhaben verfolgt {lead_label} das Ziel, {goal}.",
            f"„{title}“ soll helfen, {goal}.",
            f"{lead_label} verfolgt damit das Ziel, {goal}.",
        ))
        sentences = [first]
        extra = rng.randrange(3)
        options = []
        if undertaking.target:
            options.append(f"Es richtet sich vor allem an {TARGET_PHRASES[undertaking.target]}.")
        if partner:
            options.append(f"Beteiligt ist {self.body_labels.get(partner, 'eine weitere Stelle')}.")
        options += [
            f"Die Umsetzung ist in {rng.randrange(2, 5)} Phasen geplant.",
            "Die Erfahrungen sollen anderen Verwaltungen zur Verfügung gestellt werden.",
            f"Das Vorhaben wird {place.inside} gemeinsam mit lokalen Partnern umgesetzt.",
            "Finanziert wird es aus Eigenmitteln und Fördermitteln.",
        ]
        sentences.extend(rng.sample(options, min(extra, len(options))))
        return " ".join(sentences)

    def _dates(self, span_years: tuple[int, int] = (2014, 2027)) -> tuple[datetime.date, datetime.date | None]:
        rng = self.rng
        start = self._day(datetime.date(span_years[0], 1, 1), datetime.date(span_years[1], 12, 31))
        end = start + datetime.timedelta(days=rng.randrange(180, 6 * 365)) if rng.random() < 0.75 else None
        return start, end

    @staticmethod
    def _status(start: datetime.date, end: datetime.date | None) -> str:
        if start > REFERENCE_DATE:
            return "geplant"
        if end is not None and end < REFERENCE_DATE:
            return "abgeschlossen"
        return "laufend"

    def initiative(self, undertaking: Undertaking, place: Place, lead: str, title: str,
                   start: datetime.date, end: datetime.date | None, *, kind: str | None = None,
                   partner: str | None = None, extra: Sequence[tuple[str, str]] = (),
                   description: bool = True) -> str:
        self.count_initiatives += 1
        iri = _id("initiative", f"{self.count_initiatives:07d}")
        title_literal = _text(title)
        pairs = [(A, SG_[kind or undertaking.kind]), (TITLE, title_literal), (LABEL, title_literal),
                 (SG_["topic"], _concept("topic", undertaking.topic)), (SG_["territory"], _iri(place.iri)),
                 (SG_["leadBody"], _iri(lead)), (SG_["status"], _concept("status", self._status(start, end))),
                 (SG_["startDate"], _date(start)), (SOURCE, GEN_SOURCE)]
        if end is not None:
            pairs.append((SG_["endDate"], _date(end)))
        if description:
            pairs.append((DESCRIPTION, _text(self._description(undertaking, place, lead, title, partner))))
        if partner:
            pairs.append((SG_["partner"], _iri(partner)))
        if undertaking.target and self.rng.random() < 0.2:
            pairs.append((SG_["targetGroup"], _concept("target-group", undertaking.target)))
        pairs.extend(extra)
        self.w.subject(iri, pairs)
        return iri

    def _lead_for(self, segment: str, undertaking: Undertaking, place: Place) -> str:
        if segment in ("gemeinde", "kreis"):
            assert place.administration is not None
            return place.administration
        if segment == "land":
            bodies = self.land_bodies[place.key]
            owner = next((name for name, _, topics in _MINISTRIES if undertaking.topic in topics), "digital")
            if undertaking.kind == "Project" and self.rng.random() < 0.4:
                owner = "landesamt-it"
            return bodies[owner].iri
        by_topic = {"it-sicherheit": "bsi", "kuenstliche-intelligenz": "bmdv", "smart-city": "bmwsb",
                    "breitband": "bmdv", "it-strategie": "itzbund"}
        return self.federal[by_topic.get(undertaking.topic, "bmi")].iri

    def _partner_for(self, segment: str, place: Place) -> str | None:
        if self.rng.random() >= 0.15:
            return None
        if segment == "gemeinde":
            kreis = self.kreis_by_key.get(place.kreis)
            if kreis is not None and kreis.administration != place.administration and self.rng.random() < 0.6:
                return kreis.administration
        land = self.land_bodies.get(place.land)
        if land is not None:
            return land["landesamt-it"].iri
        return self.federal["bva"].iri

    def _draw(self, allow: Sequence[str] = ("gemeinde", "kreis", "land", "bund")) -> tuple[str, Undertaking, Place] | None:
        roll = self.rng.random()
        wanted = "gemeinde" if roll < 0.78 else "kreis" if roll < 0.975 else "land" if roll < 0.995 else "bund"
        for name in (wanted, *allow):
            if name not in allow:
                continue
            combo = self.segments[name].next()
            if combo is not None:
                return name, combo[0], combo[1]
        return None

    def background(self, remaining: int) -> int:
        drawn = self._draw()
        if drawn is None:
            raise ValueError("Der Vorrat an Kombinationen aus Vorhaben und Gebieten ist erschöpft; "
                             "weniger Initiativen erzeugen")
        segment, undertaking, place = drawn
        return self._emit(segment, undertaking, place, remaining)

    def _emit(self, segment: str, undertaking: Undertaking, place: Place, remaining: int) -> int:
        rng = self.rng
        lead = self._lead_for(segment, undertaking, place)
        pattern = rng.randrange(len(undertaking.patterns))
        title = self._title(undertaking, place, pattern)
        if undertaking.kind == "EventSeries":
            editions = min(remaining - 1, rng.randrange(1, 6))
            first_year = rng.randrange(2015, 2026)
            series = self.initiative(undertaking, place, lead, title, datetime.date(first_year, 1, 1),
                                     None if rng.random() < 0.6 else datetime.date(first_year + editions, 12, 31))
            for number in range(1, editions + 1):
                year = first_year + number - 1
                day = self._day(datetime.date(year, 3, 1), datetime.date(year, 11, 30))
                self.initiative(undertaking, place, lead, f"{title} {year}", day, day, kind="Event",
                                description=rng.random() < 0.3,
                                extra=[(IS_PART_OF, _iri(series)), (SG_["editionNumber"], _integer(number))])
            return 1 + editions
        start, end = self._dates()
        partner = self._partner_for(segment, place)
        first = self.initiative(undertaking, place, lead, title, start, end, partner=partner)
        if undertaking.kind == "Project" and end is not None and remaining >= 2 and rng.random() < 0.12:
            follow_start = end + datetime.timedelta(days=rng.randrange(1, 200))
            follow_end = follow_start + datetime.timedelta(days=rng.randrange(365, 4 * 365))
            follow_title = rng.choice((f"{title} – Phase II", f"{title} (Fortsetzung)", f"{title} 2.0"))
            self.initiative(undertaking, place, lead, follow_title, follow_start, follow_end,
                            extra=[(SG_["successorOf"], _iri(first))])
            return 2
        return 1

    def duplicate(self) -> int:
        """A background initiative and a rephrased record of the same undertaking by another body."""
        rng = self.rng
        for _ in range(20):
            drawn = self._draw(("gemeinde", "kreis"))
            if drawn is None:
                return 0
            segment, undertaking, place = drawn
            if undertaking.kind != "EventSeries":
                break
            self._emit(segment, undertaking, place, 6)  # keep the drawn series as background
        else:
            return 0
        lead = self._lead_for(segment, undertaking, place)
        base_pattern = rng.randrange(len(undertaking.patterns))
        title = self._title(undertaking, place, base_pattern)
        start, end = self._dates()
        base = self.initiative(undertaking, place, lead, title, start, end)
        # The second record: another body, the same or a contained territory, rephrased.
        other_place = place
        if segment == "kreis":
            members = [g for g in self.t.gemeinden_of_kreis.get(place.key, []) if g.administration != lead]
            if members and rng.random() < 0.5:
                other_place = rng.choice(members)
                other_lead = other_place.administration
            else:
                other_lead = self.land_bodies[place.land]["landesamt-it"].iri
        else:
            kreis = self.kreis_by_key.get(place.kreis)
            if kreis is not None and kreis.administration != lead and rng.random() < 0.6:
                other_lead = kreis.administration
            else:
                other_lead = self.land_bodies[place.land][rng.choice(("landesamt-it", "digital"))].iri
        assert other_lead is not None
        patterns = [i for i in range(len(undertaking.patterns)) if i != base_pattern] or [base_pattern]
        variant = self._title(undertaking, other_place, rng.choice(patterns))
        if rng.random() < 0.35 or variant == title:
            folded = fold_umlauts(variant)
            variant = folded if folded != title else variant + " (Neuauflage)"
        if rng.random() < 0.15:
            variant = variant.replace("-", " ") if "-" in variant else variant
        # Overlapping time: the second record starts within the first one's run.
        latest = end if end is not None else start + datetime.timedelta(days=720)
        other_start = self._day(start - datetime.timedelta(days=120), latest)
        other_end = None if end is None and rng.random() < 0.5 else max(
            other_start, start) + datetime.timedelta(days=rng.randrange(90, 1500))
        second = self.initiative(undertaking, other_place, other_lead, variant, other_start, other_end)
        self.w.answer("duplicate", [base, second])
        return 2

    def parallel(self, size: int) -> int:
        """The same undertaking (same template and topic) in ``size`` different Kreise."""
        rng = self.rng
        slugs = sorted(self.parallel_kreise)
        segment = self.parallel_kreise[slugs[rng.randrange(len(slugs))]]
        members: list[str] = []
        seen: set[str] = set()
        start, end = self._dates((2018, 2026))
        for _ in range(size):
            combo = segment.next()
            if combo is None:
                break
            undertaking, kreis = combo
            if kreis.key in seen:
                continue
            seen.add(kreis.key)
            assert kreis.administration is not None
            offset = datetime.timedelta(days=rng.randrange(0, 120))
            members.append(self.initiative(undertaking, kreis, kreis.administration,
                                           self._title(undertaking, kreis, 0), start + offset,
                                           None if end is None else end + offset))
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                self.w.answer("parallel", [members[i], members[j]])
        return len(members)

    def write_initiatives(self) -> None:
        rng = self.rng
        n = self.target
        dup_every = 100 if n >= 100 else max(n // 2, 10)
        parallel_every = 400 if n >= 400 else max(n // 2, 10)
        next_dup = rng.randrange(dup_every // 2, dup_every) if n >= 4 else n + 1
        next_parallel = rng.randrange(parallel_every // 2, parallel_every) if n >= 6 else n + 1
        while self.count_initiatives < n:
            remaining = n - self.count_initiatives
            if self.count_initiatives >= next_dup and remaining >= 8:
                self.duplicate()
                next_dup += dup_every
            elif self.count_initiatives >= next_parallel and remaining >= 3:
                self.parallel(min(remaining, rng.choice((2, 2, 3))))
                next_parallel += parallel_every
            else:
                self.background(remaining)


def _territory_lines(graph: Graph) -> list[str]:
    triples = (ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph)  # type: ignore[arg-type]
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    lines = [line + "\n" for line in body.split("\n") if line]
    lines.sort()
    return lines


def generate(out: Path, *, initiatives: int = 1000, seed: int = 7, answers: Path | None = None,
             lands: Collection[str] | None = None, territories: Territories | None = None) -> GenerationResult:
    """Write a synthetic dataset as N-Triples to ``out`` (and the planted findings to ``answers``).

    Parameters
    ----------
    out : Path
        The N-Triples file to write (replaced).
    initiatives : int
        How many initiatives (programmes, projects, networks, event series and editions) to write.
        100 000 give about 1.5 million triples with all of Germany's territories.
    seed : int
        Start value of the random generator; the same seed and size give the same bytes.
    answers : Path, optional
        Where to write the planted duplicates, overlaps and parallels as JSON lines.
    lands : collection of str, optional
        Restrict the territories to these Länder (two-digit keys); default all of Germany.
    territories : Territories, optional
        Territories read before (to generate several files without reading the extract again).

    Returns
    -------
    GenerationResult
        Counts and time.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> result = generate(folder / "bb.nt", initiatives=20, seed=1, lands=["12"])
    >>> result.initiatives
    20
    """
    if initiatives < 0:
        raise ValueError("Die Zahl der Initiativen darf nicht negativ sein")
    started = time.monotonic()
    territories = territories or load_territories(lands=lands)
    result = GenerationResult(str(out))
    rng = random.Random(seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    answer_file = answers.open("w", encoding="utf-8") if answers is not None else None
    try:
        with out.open("w", encoding="utf-8", newline="\n") as handle:
            writer = _Writer(handle, answer_file, result)
            generator = _Generator(territories, rng, writer, initiatives)
            generator.write_source(seed, initiatives)
            lines = _territory_lines(territories.graph)
            handle.writelines(lines)
            result.triples += len(lines)
            result.territory_triples = len(lines)
            del lines
            generator.write_bodies_and_responsibilities()
            generator.plant_overlaps(max(2, initiatives // 500) if initiatives else 0)
            generator.write_initiatives()
            result.responsibilities = generator.count_responsibilities
            result.initiatives = generator.count_initiatives
    finally:
        if answer_file is not None:
            answer_file.close()
    result.seconds = time.monotonic() - started
    return result


def iter_answers(path: Path) -> Iterator[dict[str, object]]:
    """The planted findings of an answer file, one dict per line."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)
