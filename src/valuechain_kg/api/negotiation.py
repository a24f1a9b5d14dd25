"""Content negotiation: one table from media types to the serialisers pyoxigraph ships.

SPARQL 1.1 Protocol section 2.1 leaves the choice of format to HTTP content negotiation; a
client that accepts none of ours gets 406 rather than a format it cannot read.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

__all__ = [
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "Choice",
    "NotAcceptable",
    "choose",
    "parse_accept",
]


@dataclass(frozen=True)
class Choice:
    """A chosen serialisation: the media type answered and the pyoxigraph format that writes it."""

    media_type: str
    format: ox.QueryResultsFormat | ox.RdfFormat


class NotAcceptable(Exception):
    """The client's Accept header names none of the formats this kind of answer can take."""

    def __init__(self, offered: list[str]) -> None:
        self.offered = offered
        super().__init__("acceptable formats: " + ", ".join(offered))


#: SELECT and ASK answers. The first entry is the default for ``*/*`` or no Accept header.
RESULT_FORMATS: dict[str, Choice] = {
    "application/sparql-results+json": Choice(
        "application/sparql-results+json", ox.QueryResultsFormat.JSON
    ),
    "application/sparql-results+xml": Choice(
        "application/sparql-results+xml", ox.QueryResultsFormat.XML
    ),
    "text/csv": Choice("text/csv", ox.QueryResultsFormat.CSV),
    "text/tab-separated-values": Choice("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    # Generic names that common clients send for the same documents.
    "application/json": Choice("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    "application/xml": Choice("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    "text/xml": Choice("application/sparql-results+xml", ox.QueryResultsFormat.XML),
}

#: CONSTRUCT and DESCRIBE answers (and the service description).
GRAPH_FORMATS: dict[str, Choice] = {
    "text/turtle": Choice("text/turtle", ox.RdfFormat.TURTLE),
    "application/n-triples": Choice("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "application/ld+json": Choice("application/ld+json", ox.RdfFormat.JSON_LD),
    "application/rdf+xml": Choice("application/rdf+xml", ox.RdfFormat.RDF_XML),
    "application/x-turtle": Choice("text/turtle", ox.RdfFormat.TURTLE),
    "text/plain": Choice("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "application/xml": Choice("application/rdf+xml", ox.RdfFormat.RDF_XML),
    "text/xml": Choice("application/rdf+xml", ox.RdfFormat.RDF_XML),
}


def parse_accept(header: str) -> list[tuple[str, float, int]]:
    """(media range, quality, position) for each entry of an Accept header."""
    entries = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media_range = fields[0].lower()
        if not media_range:
            continue
        quality = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        entries.append((media_range, quality, position))
    return entries


def _matches(media_range: str, media_type: str) -> bool:
    if media_range in {"*/*", "*"}:
        return True
    if media_range.endswith("/*"):
        return media_type.startswith(media_range[:-1])
    return media_range == media_type


def choose(accept: str | None, table: dict[str, Choice]) -> Choice:
    """The best format of ``table`` for an Accept header (RFC 9110 section 12.5.1).

    Highest quality first, then the client's order, then the table's order; an exact media
    type beats a wildcard of the same quality.
    """
    default = next(iter(table.values()))
    if not accept or not accept.strip():
        return default
    best: tuple[float, int, int, int] | None = None
    chosen: Choice | None = None
    for media_range, quality, position in parse_accept(accept):
        if quality <= 0:
            continue
        for rank, (media_type, choice) in enumerate(table.items()):
            if not _matches(media_range, media_type):
                continue
            specific = 0 if "*" in media_range else 1
            key = (quality, specific, -position, -rank)
            if best is None or key > best:
                best, chosen = key, choice
    if chosen is None:
        raise NotAcceptable(sorted({c.media_type for c in table.values()}))
    return chosen
