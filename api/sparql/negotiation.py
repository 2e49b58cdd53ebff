"""Content negotiation for SPARQL answers: which media type a client gets, from ``Accept`` or ``format=``.

Kept free of web-framework imports: the query workers use it too, because only after the engine has
parsed a query is it known whether the answer is a table (SELECT, ASK) or a graph (CONSTRUCT,
DESCRIBE).

Examples
--------
>>> ranges = accept_ranges("text/csv;q=0.5, application/sparql-results+xml")
>>> choose(ranges, RESULT_FORMATS)
'application/sparql-results+xml'
>>> choose(accept_ranges("*/*"), GRAPH_FORMATS)
'text/turtle'
>>> choose(accept_ranges("image/png"), RESULT_FORMATS) is None
True
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

__all__ = ["GRAPH_FORMATS", "RESULT_FORMATS", "SHORT_FORMATS", "TRIPLE_FORMATS", "accept_ranges", "choose"]

# Media types the engine writes, in the order the service prefers them (first = default).
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
}
TRIPLE_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "text/n3": ox.RdfFormat.N3,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    **TRIPLE_FORMATS,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}
# ``format=`` short names, for links typed into a browser.
SHORT_FORMATS: dict[str, str] = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
    "tsv": "text/tab-separated-values", "ttl": "text/turtle", "turtle": "text/turtle",
    "nt": "application/n-triples", "ntriples": "application/n-triples", "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml", "jsonld": "application/ld+json", "nq": "application/n-quads",
    "nquads": "application/n-quads", "trig": "application/trig",
}

AcceptRanges = list[tuple[str, float]]


def accept_ranges(header: str | None, format: str | None = None) -> AcceptRanges:
    """The media ranges a client accepts with their quality; ``format=`` wins over the header.

    A missing header accepts everything (the service's default format is chosen). ``format=json``
    accepts the results and the graph format a browser most likely wants.

    Raises
    ------
    ValueError
        An unknown ``format=`` short name.

    >>> accept_ranges(None)
    [('*/*', 1.0)]
    >>> accept_ranges(None, "csv")
    [('text/csv', 1.0)]
    """
    if format:
        media = SHORT_FORMATS.get(format.strip().lower())
        if media is None:
            if "/" not in format:
                raise ValueError(f"Unbekanntes Format '{format}'; möglich: {', '.join(SHORT_FORMATS)}")
            media = format.strip().lower()
        ranges = [(media, 1.0)]
        # format=json/xml name a results format; for a graph answer, JSON-LD / RDF/XML are their kin.
        kin = {"application/sparql-results+json": "application/ld+json",
               "application/sparql-results+xml": "application/rdf+xml"}.get(media)
        return ranges + [(kin, 0.9)] if kin else ranges
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for part in header.split(","):
        fields = [field.strip() for field in part.split(";")]
        quality = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        if fields[0]:
            ranges.append((fields[0].lower(), quality))
    return ranges


def _quality(media: str, ranges: AcceptRanges) -> float:
    """The quality the client gives ``media``: the most specific matching range decides."""
    kind = media.split("/")[0]
    best_specificity, quality = -1, 0.0
    for accepted, q in ranges:
        if accepted == media:
            specificity = 2
        elif accepted == f"{kind}/*":
            specificity = 1
        elif accepted == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, quality = specificity, q
    return quality


def choose(ranges: AcceptRanges, formats: Mapping[str, object]) -> str | None:
    """The acceptable media type of ``formats`` the client likes best (ties: the service's order)."""
    best, best_quality = None, 0.0
    for media in formats:
        quality = _quality(media, ranges)
        if quality > best_quality:
            best, best_quality = media, quality
    return best
