"""Reading one spreadsheet cell: slugs, words of a vocabulary, numbers, dates, countries, URLs.

Each parser takes the stripped text of a cell and returns a value, or raises `CellError` with a
message a curator can act on. The bundle reader adds the file, line and column. Keeping the
parsers free of files and rows lets them be tested and reused alone (e.g. by importers).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from valuechain_kg.ingest.countries import ISO_ALPHA2

__all__ = [
    "CellError",
    "PartialDate",
    "SLUG_PATTERN",
    "parse_country",
    "parse_date",
    "parse_fraction",
    "parse_level",
    "parse_lei",
    "parse_slug",
    "parse_slugs",
    "parse_url",
    "parse_urls",
    "parse_word",
    "parse_words",
    "parse_wikidata",
]

#: Ids are slugs so that they can be the last segment of an IRI without escaping.
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_WIKIDATA = re.compile(r"^(?:https?://(?:www\.)?wikidata\.org/(?:wiki|entity)/)?(Q[1-9][0-9]*)$")
_LEI = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")
_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")


class CellError(ValueError):
    """A cell whose text cannot be read as the value its column holds."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class PartialDate:
    """A date given to the precision the source gave it: a year, a month or a day."""

    year: int
    month: int | None = None
    day: int | None = None

    def first_day(self) -> date:
        """The first day covered, so that a `valid_from` of `2021` compares as 2021-01-01."""
        return date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> date:
        """The last day covered, so that a `valid_until` of `2021` compares as 2021-12-31."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return date(self.year, month, day)


def parse_slug(text: str) -> str:
    """An id: lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit."""
    if not SLUG_PATTERN.match(text):
        raise CellError(
            f"{text!r} is not a slug: use lower-case letters, digits, '.', '_' and '-', "
            "starting with a letter or digit (e.g. 'acme-mining')"
        )
    return text


def parse_slugs(text: str) -> list[str]:
    """Several ids joined by `;` (the products on a relationship), in order, without repeats."""
    ids = [part.strip() for part in text.split(";") if part.strip()]
    bad = [i for i in ids if not SLUG_PATTERN.match(i)]
    if bad:
        listed = ", ".join(repr(i) for i in bad)
        raise CellError(
            f"{listed} is not a slug: use lower-case letters, digits, '.', '_' and '-', "
            "starting with a letter or digit, several ids joined by ';'"
        )
    return list(dict.fromkeys(ids))


def parse_word(text: str, vocabulary: dict[str, str], what: str) -> str:
    """The concept IRI of one vocabulary word; an unknown word lists the allowed ones."""
    iri = vocabulary.get(text)
    if iri is None:
        allowed = ", ".join(vocabulary)
        raise CellError(f"unknown {what} {text!r}; allowed: {allowed}")
    return iri


def parse_words(text: str, vocabulary: dict[str, str], what: str) -> list[str]:
    """Several vocabulary words joined by `;` (e.g. the roles of an actor)."""
    words = [w.strip() for w in text.split(";") if w.strip()]
    unknown = [w for w in words if w not in vocabulary]
    if unknown:
        allowed = ", ".join(vocabulary)
        listed = ", ".join(repr(w) for w in unknown)
        raise CellError(f"unknown {what} {listed}; allowed: {allowed} (joined by ';')")
    return [vocabulary[w] for w in dict.fromkeys(words)]


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        hint = " (write a fraction such as 0.25, not a percentage)" if "%" in text else ""
        raise CellError(f"{text!r} is not a number{hint}") from None
    if not value.is_finite():
        raise CellError(f"{text!r} is not a finite number")
    return value


def parse_fraction(text: str) -> Decimal:
    """A share, strength, confidence or likelihood: a decimal number in [0, 1]."""
    value = _decimal(text)
    if not Decimal(0) <= value <= Decimal(1):
        raise CellError(f"{text} is out of range: must be between 0 and 1")
    # Canonical lexical form, so that "0.50" and ".5" give the same literal.
    if value == 0:
        return Decimal(0)
    return Decimal(format(value.normalize(), "f"))


def parse_level(text: str) -> int:
    """Scale, scope or irremediability: an integer 1-4 (UNGP 14 commentary)."""
    try:
        value = int(text)
    except ValueError:
        raise CellError(f"{text!r} is not a whole number (expected 1, 2, 3 or 4)") from None
    if not 1 <= value <= 4:
        raise CellError(f"{value} is out of range: must be 1, 2, 3 or 4")
    return value


def parse_date(text: str) -> PartialDate:
    """`YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checked against the calendar."""
    match = _DATE.match(text)
    if match is None:
        raise CellError(f"{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        raise CellError(f"{text!r} is not a date in the calendar") from None
    return PartialDate(year, month, day)


def parse_country(text: str) -> str:
    """An ISO 3166-1 alpha-2 code, returned upper case."""
    code = text.upper()
    if code not in ISO_ALPHA2:
        raise CellError(f"{text!r} is not an ISO 3166-1 alpha-2 country code (e.g. CD, DE, TW)")
    return code


def parse_url(text: str) -> str:
    """One http(s) URL."""
    if not _URL.match(text):
        raise CellError(f"{text!r} does not look like an http(s) URL")
    return text


def parse_urls(text: str) -> list[str]:
    """Several http(s) URLs separated by spaces (every source of a claim)."""
    urls = text.split()
    bad = [u for u in urls if not _URL.match(u)]
    if bad:
        listed = ", ".join(repr(u) for u in bad)
        raise CellError(
            f"{listed} does not look like an http(s) URL (separate several URLs by spaces)"
        )
    return list(dict.fromkeys(urls))


def parse_wikidata(text: str) -> str:
    """A Wikidata item: `Q42` or its URL; returns the entity IRI."""
    match = _WIKIDATA.match(text)
    if match is None:
        raise CellError(f"{text!r} is not a Wikidata item id (e.g. Q312)")
    return f"http://www.wikidata.org/entity/{match.group(1)}"


def parse_lei(text: str) -> str:
    """A Legal Entity Identifier (ISO 17442): 18 letters or digits and two check digits."""
    code = text.upper()
    if not _LEI.match(code):
        raise CellError(f"{text!r} is not a Legal Entity Identifier (20 characters, ISO 17442)")
    return code
