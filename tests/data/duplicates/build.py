"""Builds the labelled pairs of invented German initiatives (dev.jsonl, test.jsonl).

Everything here is invented; only the territory keys are real (Brandenburg, Gemeindeverzeichnis).
Each undertaking is written twice by hand: record A as its lead body would describe it, record B as
another body describes the same thing in other words. From it come one true duplicate (A, B) and hard
negatives: a parallel project in another Kreis with the same template text, a declared successor,
editions of one series, a funder doing the same as the body it funds, the same body on another
topic in the same place, and another body doing another undertaking on the same topic (or for the same
target group) in the same place at the same time. Undertakings with an even number go to the
development part, odd ones to the test part, so no text is shared between the parts.

Run: ``python tests/data/duplicates/build.py`` (deterministic).
"""

from __future__ import annotations

import json
from pathlib import Path

B = "https://w3id.org/synergraph/"
T = B + "def/topic/"
G = B + "def/target-group/"

# Kreis key -> (name, two Gemeinde keys with names)
KREISE = {
    "12060": ("Barnim", [("12060020", "Bernau bei Berlin"), ("12060005", "Ahrensfelde")]),
    "12061": ("Dahme-Spreewald", [("12061020", "Bestensee"), ("12061017", "Bersteland")]),
    "12062": ("Elbe-Elster", [("12062024", "Bad Liebenwerda"), ("12062092", "Doberlug-Kirchhain")]),
    "12063": ("Havelland", [("12063080", "Falkensee"), ("12063036", "Brieselang")]),
    "12064": ("Märkisch-Oderland", [("12064472", "Strausberg"), ("12064029", "Altlandsberg")]),
    "12065": ("Oberhavel", [("12065256", "Oranienburg"), ("12065036", "Birkenwerder")]),
    "12066": ("Oberspreewald-Lausitz", [("12066304", "Senftenberg"), ("12066052", "Calau")]),
    "12067": ("Oder-Spree", [("12067144", "Fürstenwalde/Spree"), ("12067036", "Beeskow")]),
    "12068": ("Ostprignitz-Ruppin", [("12068320", "Neuruppin"), ("12068052", "Breddin")]),
    "12069": ("Potsdam-Mittelmark", [("12069017", "Beelitz"), ("12069018", "Beetzsee")]),
    "12070": ("Prignitz", [("12070424", "Wittenberge"), ("12070008", "Bad Wilsnack")]),
    "12071": ("Spree-Neiße", [("12071160", "Guben"), ("12071028", "Briesen")]),
    "12072": ("Teltow-Fläming", [("12072017", "Blankenfelde-Mahlow"), ("12072014", "Baruth/Mark")]),
    "12073": ("Uckermark", [("12073452", "Prenzlau"), ("12073008", "Angermünde")]),
}
ORDER = list(KREISE)

# topic, target group, class, A title, A description, B title, B description, who records B
# ({ort}: the Kreis; {gem}: a Gemeinde in it)
UNDERTAKINGS = [
    ("qualifizierung-digitalkompetenz", "buergerinnen-und-buerger", "Programme",
     "Digitallotsen für Seniorinnen und Senioren im Landkreis {ort}",
     "Ehrenamtliche Digitallotsen helfen älteren Menschen im Landkreis {ort} in Sprechstunden beim Umgang mit Smartphone und Tablet.",
     "Digitalpaten 60plus",
     "Freiwillige Paten begleiten Menschen ab 60 in {gem} bei den ersten Schritten mit Tablet, Messenger und Online-Diensten der Verwaltung.",
     "verein"),
    ("kuenstliche-intelligenz", "kommunale-beschaeftigte", "Programme",
     "KI-Grundlagenschulung für Beschäftigte der Verwaltungen im Landkreis {ort}",
     "Halbtägige Schulungen zu Chancen und Grenzen generativer KI im Verwaltungsalltag für Beschäftigte von Kreis und Gemeinden im Landkreis {ort}.",
     "Workshopreihe „Künstliche Intelligenz im Verwaltungsalltag“",
     "Die Stadt {gem} lädt Mitarbeitende ihrer Verwaltung und der Nachbarkommunen zu Workshops über den Einsatz von KI-Sprachmodellen bei Texten und Recherche ein.",
     "gemeinde"),
    ("smart-city", "buergerinnen-und-buerger", "Project",
     "LoRaWAN-Sensornetz {gem}",
     "Die Stadt {gem} baut ein LoRaWAN-Funknetz mit Sensoren für Pegelstände, Parkplätze und Luftqualität auf.",
     "Funknetz für das Internet der Dinge in {gem}",
     "Ein kommunales Unternehmen errichtet in {gem} ein stadtweites IoT-Funknetz, über das Messfühler für Wasserstand, Stellplätze und Luftgüte Daten senden.",
     "verein"),
    ("e-government", "buergerinnen-und-buerger", "Project",
     "Online-Terminvergabe im Bürgerbüro {gem}",
     "Bürgerinnen und Bürger buchen Termine im Bürgerbüro {gem} künftig online rund um die Uhr.",
     "Digitales Terminbuchungssystem für Meldeangelegenheiten",
     "Für Pass-, Ausweis- und Meldeangelegenheiten in {gem} wird ein webbasiertes Buchungsportal eingeführt, damit Wartezeiten entfallen.",
     "kreis"),
    ("breitband", "unternehmen", "Project",
     "Glasfaseranschluss der Gewerbegebiete im Landkreis {ort}",
     "Der Landkreis {ort} schließt seine Gewerbegebiete mit Fördermitteln an das Glasfasernetz an.",
     "Gigabitversorgung für Betriebe in {gem}",
     "Unternehmen in den Gewerbeflächen von {gem} erhalten gigabitfähige Leitungen; die Stadt koordiniert den Ausbau mit dem Netzbetreiber.",
     "gemeinde"),
    ("it-sicherheit", "kommunen", "Programme",
     "Informationssicherheit für die Kommunen im Landkreis {ort}",
     "Der Landkreis {ort} unterstützt seine Städte und Gemeinden beim Aufbau eines Informationssicherheitsmanagements nach BSI-Grundschutz.",
     "Gemeinsamer Informationssicherheitsbeauftragter für kreisangehörige Gemeinden",
     "Mehrere Gemeinden um {gem} teilen sich einen Beauftragten für IT-Sicherheit, der Sicherheitskonzepte nach IT-Grundschutz erstellt und Notfallübungen plant.",
     "gemeinde"),
    ("kommunale-digitalstrategie", "kommunen", "Project",
     "Digitalstrategie-Werkstatt für die Gemeinden im Landkreis {ort}",
     "In moderierten Werkstätten erarbeiten die Gemeinden im Landkreis {ort} ihre kommunalen Digitalstrategien.",
     "Strategiewerkstätten „Digitale Kommune“ im Kreis {ort}",
     "Kommunen aus dem Kreis {ort} entwickeln in Workshops mit externer Begleitung Leitbilder und Maßnahmenpläne für ihre Digitalisierung.",
     "verein"),
    ("smart-region", "buergerinnen-und-buerger", "Project",
     "Digitale Dorfplattform im Landkreis {ort}",
     "Eine gemeinsame Online-Plattform bündelt für die Dörfer im Landkreis {ort} Nachrichten, Termine, Mitfahrangebote und Vereinsleben.",
     "Dorf-App für {gem} und Umgebung",
     "Eine App informiert die Einwohner der Ortsteile von {gem} über Veranstaltungen, Neuigkeiten aus den Vereinen und Mitfahrgelegenheiten.",
     "gemeinde"),
    ("verwaltungsdigitalisierung", "kommunale-beschaeftigte", "Project",
     "Einführung der E-Akte in der Kreisverwaltung {ort}",
     "Die Kreisverwaltung {ort} stellt ihre Schriftgutverwaltung auf die elektronische Akte um und schult alle Ämter.",
     "Elektronische Aktenführung in der Verwaltung des Landkreises {ort}",
     "Papierakten werden im Landratsamt {ort} durch ein Dokumentenmanagementsystem ersetzt; Beschäftigte werden im digitalen Arbeiten geschult.",
     "verein"),
    ("smart-city", "buergerinnen-und-buerger", "Project",
     "Mängelmelder für {gem}",
     "Einwohnerinnen und Einwohner melden Schlaglöcher, defekte Laternen und wilden Müll per App an die Stadtverwaltung {gem}.",
     "Bürger-App zur Meldung von Schäden im öffentlichen Raum",
     "Über eine Smartphone-Anwendung können Schäden an Straßen, Beleuchtung und Müllablagerungen in {gem} mit Foto und Standort gemeldet werden.",
     "kreis"),
    ("e-government", "buergerinnen-und-buerger", "Project",
     "Digitaler Bauantrag im Landkreis {ort}",
     "Bauanträge können im Landkreis {ort} vollständig online gestellt und bearbeitet werden.",
     "Online-Baugenehmigungsverfahren der unteren Bauaufsicht {ort}",
     "Die Bauaufsichtsbehörde im Kreis {ort} nimmt Bauvorlagen elektronisch entgegen und bearbeitet Genehmigungen medienbruchfrei.",
     "verein"),
    ("qualifizierung-digitalkompetenz", "kommunale-beschaeftigte", "Programme",
     "Qualifizierungsreihe Digitalkoordination {ort}",
     "Beschäftigte der Kommunen im Landkreis {ort} werden in sechs Modulen zu Digitalkoordinatorinnen und Digitalkoordinatoren ausgebildet.",
     "Zertifikatskurs für kommunale Digitalisierungsbeauftragte",
     "Ein berufsbegleitender Kurs bildet Mitarbeitende aus Rathäusern und Ämtern im Kreis {ort} zu Digitalisierungsbeauftragten mit Abschlusszertifikat aus.",
     "verein"),
    ("stadtentwicklung", "buergerinnen-und-buerger", "Project",
     "Online-Bürgerbeteiligung zur Innenstadtentwicklung {gem}",
     "Die Stadt {gem} beteiligt Bürgerinnen und Bürger über eine Online-Plattform an der Planung der Innenstadt.",
     "Digitale Mitmachplattform für das Stadtzentrum",
     "Auf einer Beteiligungswebsite sammeln Einwohner von {gem} Vorschläge und Kommentare zur Neugestaltung des Zentrums.",
     "kreis"),
    ("smart-region", "unternehmen", "Project",
     "Coworking-Space im ländlichen Raum {gem}",
     "In {gem} entsteht ein Coworking-Space mit Arbeitsplätzen und schnellem Internet für Pendler und Selbstständige.",
     "Gemeinschaftsbüro für digitale Arbeit in {gem}",
     "Ein geteiltes Büro mit Schreibtischen zur Miete, Besprechungsraum und Glasfaser bietet Freiberuflern und Pendlern in {gem} einen Arbeitsort nahe dem Wohnort.",
     "verein"),
    ("kuenstliche-intelligenz", "buergerinnen-und-buerger", "Project",
     "KI-Assistent für Bürgeranfragen im Landkreis {ort}",
     "Ein Chatbot beantwortet rund um die Uhr häufige Fragen der Bürgerinnen und Bürger an die Kreisverwaltung {ort}.",
     "Virtueller Auskunftsdienst der Kreisverwaltung",
     "Ein textbasierter digitaler Assistent auf der Website des Kreises {ort} gibt Einwohnern automatisch Auskunft zu Zuständigkeiten, Öffnungszeiten und Formularen.",
     "verein"),
    ("verwaltungsdigitalisierung", "wissenschaft", "Project",
     "Open-Data-Portal des Landkreises {ort}",
     "Der Landkreis {ort} veröffentlicht Verwaltungsdaten wie Haushalt, Schulen und Haltestellen als offene Daten.",
     "Offene Verwaltungsdaten für {ort}",
     "Ein Datenportal stellt maschinenlesbare Datensätze der Kreisverwaltung {ort} zu Finanzen, Bildungseinrichtungen und Nahverkehr frei zur Verfügung.",
     "verein"),
    ("smart-city", "buergerinnen-und-buerger", "Project",
     "Digitale Parkraumerfassung {gem}",
     "Sensoren erfassen freie Parkplätze in der Innenstadt von {gem}; eine App zeigt sie in Echtzeit an.",
     "Parkleitsystem mit Belegungssensoren",
     "Bodensensoren melden in {gem} die Belegung von Stellplätzen; Autofahrer sehen freie Plätze auf Anzeigetafeln und im Internet.",
     "verein"),
    ("breitband", "buergerinnen-und-buerger", "Programme",
     "Breitbandberatung für Haushalte im Landkreis {ort}",
     "Das Breitbandbüro des Landkreises {ort} berät Haushalte zu Glasfaseranschluss, Förderung und Anbietern.",
     "Glasfaser-Sprechstunde für Hauseigentümer",
     "In {gem} informieren Fachleute Eigentümer von Wohnhäusern kostenlos darüber, wie sie an das Gigabitnetz angeschlossen werden und welche Zuschüsse es gibt.",
     "gemeinde"),
    ("e-government", "unternehmen", "Project",
     "Elektronische Gewerbeanmeldung im Landkreis {ort}",
     "Gewerbe können im Landkreis {ort} online an-, um- und abgemeldet werden.",
     "Gewerbeanzeigen digital einreichen",
     "Betriebe in {gem} zeigen Gründung, Änderung und Aufgabe ihres Gewerbes über ein Webformular an, ohne ins Rathaus zu kommen.",
     "gemeinde"),
    ("qualifizierung-digitalkompetenz", "unternehmen", "Programme",
     "Digitalwerkstatt für Handwerksbetriebe im Landkreis {ort}",
     "Handwerksbetriebe im Landkreis {ort} lernen in Praxisworkshops digitale Auftragsabwicklung und Online-Marketing.",
     "Praxiskurse Digitalisierung im Handwerk",
     "Kleine Handwerksunternehmen aus der Region {ort} erhalten Trainings zu digitalen Angeboten, Rechnungsstellung per Software und Sichtbarkeit im Netz.",
     "verein"),
    ("smart-region", "buergerinnen-und-buerger", "Project",
     "Rufbus per App im Landkreis {ort}",
     "Ein bedarfsgesteuerter Rufbus im Landkreis {ort} kann per App gebucht werden und ergänzt den Linienverkehr.",
     "On-Demand-Shuttle für die Dörfer",
     "Kleinbusse fahren in {gem} und den umliegenden Orten ohne festen Fahrplan nach Buchung über das Smartphone.",
     "gemeinde"),
    ("verwaltungsdigitalisierung", "buergerinnen-und-buerger", "Project",
     "Digitale Schulanmeldung im Landkreis {ort}",
     "Eltern melden ihre Kinder im Landkreis {ort} online an weiterführenden Schulen an.",
     "Online-Anmeldeverfahren für Schulplätze",
     "Erziehungsberechtigte in {gem} beantragen Plätze an Oberschulen und Gymnasien über ein Internetportal statt mit Papierformularen.",
     "gemeinde"),
    ("it-strategie", "kommunen", "Programme",
     "Interkommunales Rechenzentrum {ort}",
     "Die Kommunen im Landkreis {ort} betreiben ihre Fachverfahren künftig in einem gemeinsamen Rechenzentrum.",
     "Gemeinsamer IT-Dienstleister der Kreiskommunen",
     "Städte und Ämter im Kreis {ort} lagern Server und Fachanwendungen an einen kommunalen Verbund aus, der Betrieb und Wartung übernimmt.",
     "verein"),
    ("smart-city", "buergerinnen-und-buerger", "Project",
     "Freies WLAN in der Innenstadt {gem}",
     "Die Stadt {gem} richtet kostenfreie WLAN-Hotspots auf Marktplatz, Bahnhof und in Bibliotheken ein.",
     "Öffentliche Hotspots für kostenloses Internet",
     "Auf zentralen Plätzen von {gem} können Besucher und Einwohner ohne Gebühr drahtlos ins Netz; Zugangspunkte hängen an Laternen und öffentlichen Gebäuden.",
     "verein"),
    ("kommunale-digitalstrategie", "kommunen", "Project",
     "Smart-Region-Strategie für den Landkreis {ort}",
     "Der Landkreis {ort} erarbeitet mit seinen Kommunen eine Strategie für die digitale Entwicklung der Region.",
     "Leitbild „Digitale Region {ort}“",
     "Ein Beteiligungsprozess mit Ämtern, Gemeinden und Wirtschaft im Kreis {ort} mündet in ein Zielbild und Maßnahmen für die Digitalisierung des ländlichen Raums.",
     "verein"),
    ("e-government", "buergerinnen-und-buerger", "Project",
     "Online-Kfz-Zulassung im Landkreis {ort}",
     "Fahrzeuge können im Landkreis {ort} online zugelassen, umgemeldet und abgemeldet werden.",
     "Internetbasierte Fahrzeugzulassung",
     "Halter in {gem} erledigen An- und Abmeldung ihrer Autos über das Portal der Zulassungsstelle, ohne vor Ort zu erscheinen.",
     "gemeinde"),
    ("qualifizierung-digitalkompetenz", "buergerinnen-und-buerger", "Programme",
     "Medienkompetenz für Eltern im Landkreis {ort}",
     "Elternabende im Landkreis {ort} informieren über sichere Smartphone-Nutzung, Cybermobbing und Jugendschutz.",
     "Informationsabende „Kinder sicher im Netz“",
     "Mütter und Väter in {gem} erfahren an Abenden in Schulen, wie Kinder vor Gefahren im Internet geschützt werden und wie Bildschirmzeit geregelt werden kann.",
     "verein"),
    ("smart-region", "buergerinnen-und-buerger", "Project",
     "Digitale Gesundheitskiosk im Landkreis {ort}",
     "Telemedizinische Stationen in Dorfgemeinschaftshäusern im Landkreis {ort} verbinden Patienten per Video mit Arztpraxen.",
     "Telemedizin-Stationen in den Dörfern",
     "In Gemeinschaftsräumen von {gem} können Einwohner Videosprechstunden mit Hausärzten wahrnehmen; eine Pflegekraft unterstützt vor Ort.",
     "gemeinde"),
    ("verwaltungsdigitalisierung", "kommunale-beschaeftigte", "Programme",
     "Fachforum Verwaltungsdigitalisierung {ort}",
     "Ein jährliches Forum bringt Beschäftigte der Kommunen im Landkreis {ort} zum Austausch über Digitalisierungsprojekte zusammen.",
     "Austauschtreffen der Digitalisierungsverantwortlichen",
     "Verantwortliche für Digitalisierung aus den Verwaltungen im Kreis {ort} treffen sich regelmäßig, um Erfahrungen mit Projekten und Software zu teilen.",
     "verein"),
    ("breitband", "kommunen", "Programme",
     "Mobilfunk-Lückenschluss im Landkreis {ort}",
     "Der Landkreis {ort} ermittelt Funklöcher und unterstützt Gemeinden beim Bau neuer Mobilfunkmasten.",
     "Programm gegen weiße Flecken im Handynetz",
     "Gemeinden rund um {gem} bekommen Unterstützung bei der Standortsuche für Funkmasten, damit unversorgte Ortsteile Netzempfang erhalten.",
     "gemeinde"),
    ("kuenstliche-intelligenz", "kommunale-beschaeftigte", "Project",
     "KI-gestützte Posteingangsbearbeitung in der Kreisverwaltung {ort}",
     "Eingehende Briefe und E-Mails an die Kreisverwaltung {ort} werden mit KI erkannt, klassifiziert und an die zuständigen Ämter verteilt.",
     "Automatische Dokumentenerkennung und -verteilung",
     "Ein lernendes System liest im Landratsamt {ort} Schreiben aus, ordnet sie Vorgängen zu und leitet sie an die richtige Stelle weiter.",
     "verein"),
    ("it-sicherheit", "kommunale-beschaeftigte", "Programme",
     "Phishing-Schulungen für Verwaltungsbeschäftigte im Landkreis {ort}",
     "Beschäftigte der Verwaltungen im Landkreis {ort} trainieren das Erkennen betrügerischer E-Mails.",
     "Sensibilisierungskampagne gegen Betrugsmails",
     "Mitarbeitende in Rathäusern um {gem} lernen mit simulierten Angriffsmails, gefälschte Nachrichten und gefährliche Anhänge zu erkennen.",
     "gemeinde"),
    ("smart-city", "buergerinnen-und-buerger", "Project",
     "Intelligente Straßenbeleuchtung {gem}",
     "Die Stadt {gem} stellt auf LED-Leuchten um, die sich bei Bewegung heller schalten und Energie sparen.",
     "Bedarfsgesteuerte Laternen mit Bewegungsmeldern",
     "In {gem} werden Straßenlampen erneuert; sie dimmen nachts und leuchten auf, wenn Fußgänger oder Autos kommen.",
     "verein"),
    ("e-government", "buergerinnen-und-buerger", "Project",
     "Digitaler Wohngeldantrag im Landkreis {ort}",
     "Wohngeld kann im Landkreis {ort} online beantragt werden; Nachweise werden hochgeladen.",
     "Wohngeld bequem im Internet beantragen",
     "Haushalte in {gem} stellen ihren Antrag auf Mietzuschuss über ein Onlineformular und laden Einkommensbelege digital hoch.",
     "gemeinde"),
    ("stadtentwicklung", "buergerinnen-und-buerger", "Project",
     "Digitaler Zwilling der Stadt {gem}",
     "Ein 3D-Stadtmodell von {gem} unterstützt Planung, Bürgerbeteiligung und Klimaanpassung.",
     "Virtuelles 3D-Modell für die Stadtplanung",
     "Für {gem} entsteht ein dreidimensionales digitales Abbild von Gebäuden und Straßen, mit dem Planer Bauvorhaben und Hitzeinseln simulieren.",
     "kreis"),
    ("qualifizierung-digitalkompetenz", "buergerinnen-und-buerger", "Programme",
     "Digitale Sprechstunde in der Stadtbibliothek {gem}",
     "Die Stadtbibliothek {gem} bietet wöchentliche Hilfe bei Fragen zu Handy, Laptop und Online-Formularen.",
     "Technikhilfe-Treff für Einwohner",
     "Jeden Mittwoch beantworten Freiwillige in {gem} Fragen zu Computer, Mobiltelefon und digitalen Behördengängen.",
     "verein"),
]

OTHER_TOPIC = {"qualifizierung-digitalkompetenz": "breitband", "breitband": "e-government",
               "e-government": "it-sicherheit", "it-sicherheit": "smart-city", "smart-city": "stadtentwicklung",
               "stadtentwicklung": "kommunale-digitalstrategie", "kommunale-digitalstrategie": "breitband",
               "smart-region": "it-sicherheit", "verwaltungsdigitalisierung": "breitband",
               "kuenstliche-intelligenz": "breitband", "it-strategie": "qualifizierung-digitalkompetenz"}


def _record(iri: str, title: str, description: str, kind: str, topic: str, target: str | None,
            territories: list[str], lead: str, start: str, end: str | None, **extra: object) -> dict[str, object]:
    record: dict[str, object] = {
        "iri": B + "id/initiative/" + iri, "title": title, "description": description,
        "kind": B + "def/" + kind, "topics": [T + topic], "territories": [B + "id/territory/" + t for t in territories],
        "leads": [B + "id/body/" + lead], "targetGroups": [G + target] if target else [], "start": start, "end": end,
    }
    record.update(extra)
    return record


# Pairs of undertakings on the same topic that are still different undertakings; the ones left out
# are too close to call (a Kreis strategy workshop and a Kreis strategy; a sensor network and parking sensors).
_TOO_CLOSE = {frozenset({6, 24}), frozenset({2, 16})}


def _other_undertaking(number: int) -> int | None:
    """The next undertaking of the same part (same parity) on the same topic, else for the same target group."""
    topic, target = UNDERTAKINGS[number][:2]
    same_part = [(number + step) % len(UNDERTAKINGS) for step in range(2, len(UNDERTAKINGS), 2)]
    for wanted in (lambda u: u[0] == topic, lambda u: u[1] == target):
        for other in same_part:
            if wanted(UNDERTAKINGS[other]) and frozenset({number, other}) not in _TOO_CLOSE:
                return other
    return None


def build() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    dev: list[dict[str, object]] = []
    test: list[dict[str, object]] = []
    for number, (topic, target, kind, a_title, a_text, b_title, b_text, recorder) in enumerate(UNDERTAKINGS):
        key = ORDER[number % len(ORDER)]
        other = ORDER[(number + 5) % len(ORDER)]
        name, gemeinden = KREISE[key]
        other_name, other_gemeinden = KREISE[other]
        gem_key, gem_name = gemeinden[number % 2]
        places = {"ort": name, "gem": gem_name}
        year = 2021 + number % 4
        local = "{gem}" in a_title
        a_place, a_lead = (gem_key, f"verwaltung-{gem_key}") if local else (key, f"verwaltung-{key}")
        a = _record(f"u{number}-a", a_title.format(**places), a_text.format(**places), kind, topic, target,
                    [a_place], a_lead, f"{year}-03-01", f"{year + 3}-02-28")
        b_lead = {"verein": f"bsp-verein-{number}", "gemeinde": f"verwaltung-{gem_key}",
                  "kreis": f"verwaltung-{key}"}[recorder]
        if b_lead == a_lead:
            b_lead = f"bsp-verein-{number}"
        b_target = None if number % 5 == 3 else target
        b = _record(f"u{number}-b", b_title.format(**places), b_text.format(**places), kind, topic, b_target,
                    [gem_key if recorder != "kreis" or local else key], b_lead, f"{year}-09-01", None)
        pairs = [{"a": a, "b": b, "label": "duplicate", "case": "duplicate"}]
        # Parallel: the same template text in another Kreis, its own administration.
        other_gem_key, other_gem_name = other_gemeinden[number % 2]
        other_places = {"ort": other_name, "gem": other_gem_name}
        parallel = _record(f"u{number}-p", a_title.format(**other_places), a_text.format(**other_places), kind, topic,
                           target, [other_gem_key if local else other], f"verwaltung-{other_gem_key if local else other}",
                           f"{year}-06-01", f"{year + 3}-05-31")
        pairs.append({"a": a, "b": parallel, "label": "not-duplicate", "case": "parallel"})
        # Successor: same place and lead, continues A.
        successor = _record(f"u{number}-s", a_title.format(**places) + " – Phase II",
                            a_text.format(**places) + " Die zweite Phase weitet das Angebot aus.", kind, topic, target,
                            [a_place], a_lead, f"{year + 3}-03-01", f"{year + 5}-12-31",
                            successorOf=[a["iri"]])
        pairs.append({"a": a, "b": successor, "label": "not-duplicate", "case": "successor"})
        # Series: two editions of a yearly event of A's lead.
        series = B + f"id/initiative/u{number}-reihe"
        edition = [
            _record(f"u{number}-e{n}", f"{a_title.format(**places)} – Aktionstag {year + n}",
                    f"Aktionstag {year + n}: " + a_text.format(**places), "Event", topic, target, [a_place], a_lead,
                    f"{year + n}-05-1{n}", f"{year + n}-05-1{n}", isPartOf=[series])
            for n in (0, 1)
        ]
        pairs.append({"a": edition[0], "b": edition[1], "label": "not-duplicate", "case": "series"})
        # Funder: the Land's funding agency runs its own programme of the same kind that funds A.
        funded = dict(a, iri=a["iri"] + "-gefoerdert", funders=[B + "id/body/bsp-landesfoerderstelle"])
        funder_own = _record(f"u{number}-f", f"Landesprogramm: {b_title.format(**places)}",
                             "Die Landesförderstelle unterstützt landesweit Vorhaben dieser Art. " + b_text.format(**places),
                             kind, topic, target, ["12"], "bsp-landesfoerderstelle", f"{year}-01-01", None)
        pairs.append({"a": funded, "b": funder_own, "label": "not-duplicate", "case": "funder"})
        # Same body, another topic, same place and time.
        neighbour = UNDERTAKINGS[(number + 1) % len(UNDERTAKINGS)]
        same_body = _record(f"u{number}-o", neighbour[3].format(**places), neighbour[4].format(**places),
                            neighbour[2], OTHER_TOPIC.get(topic, "breitband") if neighbour[0] == topic else neighbour[0],
                            neighbour[1], [a_place], a_lead, f"{year}-04-01", f"{year + 2}-12-31")
        pairs.append({"a": a, "b": same_body, "label": "not-duplicate", "case": "same-body-other-topic"})
        # Another body, the same topic (or target group), the same place and time, another undertaking:
        # only the texts tell them apart.
        other_number = _other_undertaking(number)
        if other_number is not None:
            o_topic, o_target, o_kind, o_title, o_text = UNDERTAKINGS[other_number][:5]
            other_local = "{gem}" in o_title
            same_topic = _record(f"u{number}-t", o_title.format(**places), o_text.format(**places), o_kind, o_topic,
                                 o_target, [gem_key if other_local else key], f"bsp-verein-{number}-andere",
                                 f"{year}-05-01", f"{year + 2}-10-31")
            pairs.append({"a": a, "b": same_topic, "label": "not-duplicate", "case": "same-topic-other-undertaking"})
        (dev if number % 2 == 0 else test).extend(pairs)
    return dev, test


def main() -> None:
    here = Path(__file__).parent
    dev, test = build()
    for name, pairs in (("dev", dev), ("test", test)):
        with (here / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for pair in pairs:
                handle.write(json.dumps(pair, ensure_ascii=False) + "\n")
    print(f"dev: {len(dev)} Paare, test: {len(test)} Paare")


if __name__ == "__main__":
    main()
