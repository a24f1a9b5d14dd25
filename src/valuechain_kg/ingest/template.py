"""The CSV template, written once: its files, their columns, which are required, how each reads.

Curators fill in the template; the bundle reader checks it; the synthetic generator and the
importers write it; the docs describe it. All of them take the columns from this table, so the
template cannot mean two things. A column's parser turns the stripped text of a cell into the
value the RDF mapping (``rdf_rows``) needs, or raises ``CellError``: vocabulary columns keep
the validated slug, numbers become ``Decimal`` or ``int``, dates ``PartialDate``.

Example
-------
>>> sorted(TEMPLATE["relationships.csv"].required)
['source', 'target', 'type']
>>> TEMPLATE["actors.csv"].column("role").parse("investor; trader")
['investor', 'trader']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from valuechain_kg import vocabulary as v
from valuechain_kg.ingest.cells import (
    CellError,
    parse_country,
    parse_date,
    parse_fraction,
    parse_lei,
    parse_level,
    parse_slug,
    parse_slugs,
    parse_url,
    parse_urls,
    parse_wikidata,
    parse_word,
    parse_words,
)

__all__ = ["TEMPLATE", "Column", "TemplateFile", "parse_row"]

Parser = Callable[[str], Any]


def _text(text: str) -> str:
    return text


def _word(vocabulary: Mapping[str, str], what: str) -> Parser:
    """A vocabulary word, kept as its slug (the notation is the contract)."""

    def parse(text: str) -> str:
        parse_word(text, dict(vocabulary), what)
        return text

    return parse


def _names(text: str) -> list[str]:
    """Other names of one actor joined by ``;``, in order, without repeats or blanks."""
    return list(dict.fromkeys(n.strip() for n in text.split(";") if n.strip()))


def _words(vocabulary: Mapping[str, str], what: str) -> Parser:
    """Several words joined by ``;``, as slugs, in order, without repeats."""

    def parse(text: str) -> list[str]:
        parse_words(text, dict(vocabulary), what)
        return list(dict.fromkeys(w.strip() for w in text.split(";") if w.strip()))

    return parse


def _flag(text: str) -> bool:
    """A yes/no cell (``yes``, ``no``, ``true``, ``false``, any case)."""
    word = text.casefold()
    if word in ("yes", "true"):
        return True
    if word in ("no", "false"):
        return False
    raise CellError(f"'{text}' is not yes or no")


@dataclass(frozen=True)
class Column:
    """One column: its name, how a cell reads, and what it refers to.

    ``refers_to`` names the kind of node a slug (or each slug of a list column) must be defined
    as in the bundles (``actor``, ``impact``, ``initiative`` or ``product``); ``vocabulary``
    names the SKOS scheme of a word column, for the docs and for hints.
    """

    name: str
    parse: Parser = _text
    required: bool = False
    refers_to: str | None = None
    vocabulary: str | None = None


@dataclass(frozen=True)
class TemplateFile:
    """One file of the template, its columns in the template's order.

    ``key`` names the columns that identify the node a row makes (its IRI is built from
    them). ``defines`` is the kind of node each row introduces with its ``id``: actors, impacts,
    initiatives, products and specific instances share one id space (each is ``{base}{id}``);
    other files only refer to those ids.
    """

    name: str
    columns_spec: tuple[Column, ...]
    key: tuple[str, ...]
    defines: str | None = None

    @property
    def stem(self) -> str:
        return self.name.removesuffix(".csv")

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns_spec)

    @property
    def required(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns_spec if c.required)

    def column(self, name: str) -> Column:
        for column in self.columns_spec:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")


def _required(name: str, parse: Parser = _text, **kind: Any) -> Column:
    return Column(name, parse, required=True, **kind)


def _actor_ref(name: str) -> Column:
    return _required(name, parse_slug, refers_to="actor")


def _refs(name: str, kind: str) -> Column:
    """Several ids of defined nodes of one kind, joined by ``;``."""
    return Column(name, parse_slugs, refers_to=kind)


_SOURCES = Column("source_url", parse_urls)
_DESCRIPTION = Column("description")
_ASSERTION = Column(
    "assertion", _word(v.ASSERTIONS, "assertion status"), vocabulary="assertion statuses"
)

#: The files of the template, in DESIGN.md's order.
TEMPLATE: dict[str, TemplateFile] = {
    f.name: f
    for f in (
        TemplateFile(
            "actors.csv",
            (
                _required("id", parse_slug),
                _required("name"),
                _required("role", _words(v.ROLES, "role"), vocabulary="roles"),
                Column("country", parse_country),
                Column("sector", _word(v.SECTORS, "sector"), vocabulary="sectors"),
                Column("lei", parse_lei),
                Column("wikidata", parse_wikidata),
                Column("website", parse_url),
                _SOURCES,
                Column("alternate_names", _names),
            ),
            ("id",),
            defines="actor",
        ),
        TemplateFile(
            "relationships.csv",
            (
                _actor_ref("source"),
                _required(
                    "type",
                    _word(v.RELATIONS, "relationship type"),
                    vocabulary="relationship types",
                ),
                _actor_ref("target"),
                _refs("products", "product"),
                Column("ownership_share", parse_fraction),
                Column("revenue_share", parse_fraction),
                Column("valid_from", parse_date),
                Column("valid_until", parse_date),
                _ASSERTION,
                _DESCRIPTION,
                _SOURCES,
            ),
            ("source", "type", "target"),
        ),
        TemplateFile(
            "impacts.csv",
            (
                _required("id", parse_slug),
                _required("title"),
                _required(
                    "category", _word(v.CATEGORIES, "category"), vocabulary="impact categories"
                ),
                _required("status", _word(v.STATUSES, "status"), vocabulary="impact statuses"),
                Column("scale", parse_level),
                Column("scope", parse_level),
                Column("irremediability", parse_level),
                Column("likelihood", parse_fraction),
                Column("started", parse_date),
                Column("ended", parse_date),
                Column("country", parse_country),
                Column("affected_group"),
                _DESCRIPTION,
                _required("source_url", parse_urls),
            ),
            ("id",),
            defines="impact",
        ),
        TemplateFile(
            "involvements.csv",
            (
                _actor_ref("actor"),
                _required("impact", parse_slug, refers_to="impact"),
                _required("mode", _word(v.MODES, "mode"), vocabulary="modes of involvement"),
                _refs("products", "product"),
                _ASSERTION,
                Column("confidence", parse_fraction),
                _DESCRIPTION,
                _required("source_url", parse_urls),
            ),
            ("actor", "impact", "mode"),
        ),
        TemplateFile(
            "leverage.csv",
            (
                _actor_ref("holder"),
                _actor_ref("target"),
                _required("basis", _word(v.BASES, "leverage basis"), vocabulary="leverage bases"),
                _required("strength", parse_fraction),
                _ASSERTION,
                _DESCRIPTION,
                _required("source_url", parse_urls),
            ),
            ("holder", "target", "basis"),
        ),
        TemplateFile(
            "initiatives.csv",
            (
                _required("id", parse_slug),
                _required("name"),
                Column(
                    "kind",
                    _word(v.INITIATIVE_KINDS, "initiative kind"),
                    vocabulary="initiative kinds",
                ),
                Column(
                    "scope",
                    _words(v.CATEGORIES, "impact category"),
                    vocabulary="impact categories",
                ),
                Column("website", parse_url),
                _SOURCES,
            ),
            ("id",),
            defines="initiative",
        ),
        TemplateFile(
            "products.csv",
            (
                _required("id", parse_slug),
                _required("name"),
                Column("kind", _word(v.PRODUCT_KINDS, "product kind"), vocabulary="product kinds"),
                _refs("made_from", "product"),
                _refs("broader", "product"),
                _SOURCES,
            ),
            ("id",),
            defines="product",
        ),
        TemplateFile(
            "memberships.csv",
            (
                _actor_ref("actor"),
                _required("initiative", parse_slug, refers_to="initiative"),
                Column("since", parse_date),
                _SOURCES,
            ),
            ("actor", "initiative"),
        ),
        TemplateFile(
            "responses.csv",
            (
                _actor_ref("actor"),
                _required("impact", parse_slug, refers_to="impact"),
                _required(
                    "type", _word(v.RESPONSE_TYPES, "response type"), vocabulary="response types"
                ),
                Column(
                    "status",
                    _word(v.RESPONSE_STATUSES, "response status"),
                    vocabulary="response statuses",
                ),
                Column("date", parse_date),
                _DESCRIPTION,
                _SOURCES,
            ),
            ("actor", "impact", "type"),
        ),
        TemplateFile(
            "specific-instances.csv",
            (
                _required("id", parse_slug),
                _required("title"),
                _required("ncp", parse_country),
                Column("notifier"),
                _refs("enterprises", "actor"),
                Column("impact", parse_slug, refers_to="impact"),
                Column("submitted", parse_date),
                Column("concluded", parse_date),
                _required(
                    "status",
                    _word(v.INSTANCE_STATUSES, "specific-instance status"),
                    vocabulary="specific-instance statuses",
                ),
                Column(
                    "outcome",
                    _word(v.INSTANCE_OUTCOMES, "specific-instance outcome"),
                    vocabulary="specific-instance outcomes",
                ),
                Column(
                    "chapters",
                    _words(v.GUIDELINES_CHAPTERS, "Guidelines chapter"),
                    vocabulary="Guidelines chapters",
                ),
                _required("source_url", parse_urls),
            ),
            ("id",),
            defines="specific-instance",
        ),
        TemplateFile(
            "sites.csv",
            (
                _actor_ref("actor"),
                _required("country", parse_country),
                Column("address"),
                _SOURCES,
            ),
            ("actor", "country"),
        ),
        # Risk-based scoping (Due Diligence Guidance, Section II, step 2): who makes or buys
        # which product where, and the public lists that name products and countries at risk.
        TemplateFile(
            "production.csv",
            (
                _actor_ref("actor"),
                _required(
                    "type",
                    _word(v.PRODUCTION_TYPES, "production type"),
                    vocabulary="production types",
                ),
                _required("product", parse_slug, refers_to="product"),
                Column("country", parse_country),
                _ASSERTION,
                _DESCRIPTION,
                _required("source_url", parse_urls),
            ),
            # The IRI also carries the country when one is given.
            ("actor", "type", "product"),
        ),
        TemplateFile(
            "risk-indicators.csv",
            (
                _required("product", parse_slug, refers_to="product"),
                _required("country", parse_country),
                _required(
                    "category", _word(v.CATEGORIES, "category"), vocabulary="impact categories"
                ),
                _required("publisher", parse_slug, refers_to="actor"),
                _required("edition", parse_slug),
                Column("forced_child_labour", _flag),
                Column("derived_from", parse_country),
                _DESCRIPTION,
                _required("source_url", parse_urls),
            ),
            ("publisher", "edition", "product", "country", "category"),
        ),
    )
}


def parse_row(
    file: TemplateFile,
    cells: Mapping[str, str],
    on_problem: Callable[[str, str], None],
) -> dict[str, Any]:
    """The parsed value of every non-empty cell of one row, keyed by column name.

    ``on_problem(column, message)`` hears of each cell that does not read, and of each required
    column present but left empty; such cells are left out of the result.
    """
    values: dict[str, Any] = {}
    for column in file.columns_spec:
        text = cells.get(column.name, "")
        if not text:
            if column.required and column.name in cells:
                on_problem(column.name, f"missing required value for {column.name!r}")
            continue
        try:
            values[column.name] = column.parse(text)
        except CellError as exc:
            on_problem(column.name, exc.message)
    return values
