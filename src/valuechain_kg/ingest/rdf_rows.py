"""How one row of the CSV template becomes RDF, written once (``docs/rdf-model.md``).

Each function takes the parsed values of one row (``template.parse_row``; vocabulary columns
hold slugs, numbers ``Decimal``/``int``, dates ``PartialDate``) and returns the node the row
makes and its quads, all in the default graph. The bundle reader, the synthetic generator and
the importers all go through these functions, so they cannot map a row two ways.

Every node has a deterministic IRI (``{base}involvement/{actor}--{impact}--{mode}``), so
loading the same row twice changes nothing. A relationship is reified as a
``vc:BusinessRelationship`` and kept as its direct triple too, so that SPARQL property paths
walk the chain; a membership likewise keeps ``vc:memberOf`` beside its ``org:Membership``.

Example
-------
>>> node, quads = row_to_rdf("memberships.csv", {"actor": "acme", "initiative": "rba"})
>>> node.value
'https://w3id.org/valuechain/id/membership/acme--rba'
>>> len(quads)
4
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from valuechain_kg import vocabulary as v
from valuechain_kg.ingest.cells import PartialDate
from valuechain_kg.namespaces import (
    DCTERMS,
    DEFAULT_BASE,
    ORG,
    PROV,
    RDF_TYPE,
    RDFS,
    SCHEMA,
    VC,
    XSD,
)

__all__ = ["ROW_TO_RDF", "RowRdf", "row_to_rdf"]

Values = Mapping[str, Any]
RowRdf = tuple[ox.NamedNode, list[ox.Quad]]

_TYPE = ox.NamedNode(RDF_TYPE)
_DECIMAL = ox.NamedNode(XSD + "decimal")
_INTEGER = ox.NamedNode(XSD + "integer")
_DATE = ox.NamedNode(XSD + "date")
_G_YEAR = ox.NamedNode(XSD + "gYear")
_G_YEAR_MONTH = ox.NamedNode(XSD + "gYearMonth")


def _decimal(value: Decimal) -> ox.Literal:
    return ox.Literal(str(value), datatype=_DECIMAL)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_INTEGER)


def _period_bound(value: PartialDate, end: bool) -> ox.Literal:
    """A validity bound widened to a whole day, so that periods compare as dates."""
    day = value.last_day() if end else value.first_day()
    return ox.Literal(day.isoformat(), datatype=_DATE)


def _precise_date(value: PartialDate) -> ox.Literal:
    """A membership's ``since``, a response's ``date`` or a specific instance's dates, at the
    precision the source gave."""
    if value.month is None:
        return ox.Literal(f"{value.year:04d}", datatype=_G_YEAR)
    if value.day is None:
        return ox.Literal(f"{value.year:04d}-{value.month:02d}", datatype=_G_YEAR_MONTH)
    return ox.Literal(value.first_day().isoformat(), datatype=_DATE)


class _Node:
    """The quads of one node, gathered as the row's columns are mapped."""

    def __init__(self, iri: str) -> None:
        self.node = ox.NamedNode(iri)
        self.quads: list[ox.Quad] = []

    def add(self, predicate: str, obj: ox.NamedNode | ox.Literal | None) -> None:
        if obj is not None:
            self.quads.append(ox.Quad(self.node, ox.NamedNode(predicate), obj))

    def a(self, cls: str) -> None:
        self.quads.append(ox.Quad(self.node, _TYPE, ox.NamedNode(cls)))

    def named(self, name: str | None) -> None:
        if name:
            self.add(SCHEMA + "name", ox.Literal(name))
            self.add(RDFS + "label", ox.Literal(name))

    def word(self, predicate: str, vocabulary: Mapping[str, str], slug: str | None) -> None:
        if slug is not None:
            self.add(predicate, ox.NamedNode(vocabulary[slug]))

    def literal(self, predicate: str, text: str | None) -> None:
        if text:
            self.add(predicate, ox.Literal(text))

    def decimal(self, predicate: str, value: Decimal | None) -> None:
        if value is not None:
            self.add(predicate, _decimal(value))

    def words(self, predicate: str, vocabulary: Mapping[str, str], slugs: Any) -> None:
        for slug in slugs or ():
            self.word(predicate, vocabulary, slug)

    def refs(self, predicate: str, base: str, ids: Any) -> None:
        """One triple per id of a list column, each id a node under the base."""
        for local in ids or ():
            self.add(predicate, ox.NamedNode(base + local))

    def assertion(self, values: Values) -> None:
        """The claim's assertion status; an empty cell writes nothing and reads as reported."""
        self.word(VC + "assertion", v.ASSERTIONS, values.get("assertion"))

    def claim(self, values: Values) -> None:
        """``description`` and the sources that every claim carries (``prov:wasDerivedFrom``)."""
        self.literal(DCTERMS + "description", values.get("description"))
        for url in values.get("source_url", ()):
            self.add(PROV + "wasDerivedFrom", ox.NamedNode(url))

    def done(self) -> RowRdf:
        return self.node, self.quads


def _direct(base: str, source: str, predicate: str, target: str) -> ox.Quad:
    subject, obj = ox.NamedNode(base + source), ox.NamedNode(base + target)
    return ox.Quad(subject, ox.NamedNode(predicate), obj)


def actor(values: Values, base: str = DEFAULT_BASE) -> RowRdf:
    n = _Node(base + values["id"])
    n.a(VC + "Actor")
    n.named(values.get("name"))
    for other in values.get("alternate_names", ()):
        n.add(SCHEMA + "alternateName", ox.Literal(other))
    for role in values.get("role", ()):
        n.word(VC + "role", v.ROLES, role)
    n.word(VC + "sector", v.SECTORS, values.get("sector"))
    n.literal(VC + "country", values.get("country"))
    n.literal(VC + "lei", values.get("lei"))
    if values.get("wikidata"):
        n.add(SCHEMA + "sameAs", ox.NamedNode(values["wikidata"]))
    if values.get("website"):
        n.add(SCHEMA + "url", ox.NamedNode(values["website"]))
    n.claim(values)
    return n.done()


def impact(values: Values, base: str = DEFAULT_BASE) -> RowRdf:
    n = _Node(base + values["id"])
    n.a(VC + "AdverseImpact")
    n.named(values.get("title"))
    n.word(VC + "category", v.CATEGORIES, values.get("category"))
    n.word(VC + "status", v.STATUSES, values.get("status"))
    # Severity by scale, scope and irremediable character (UNGP 14 commentary).
    for column in ("scale", "scope", "irremediability"):
        level = values.get(column)
        if level is not None:
            n.add(VC + column, _integer(level))
    n.decimal(VC + "likelihood", values.get("likelihood"))
    # The period, widened to whole days so that it compares with relationships' validity.
    if values.get("started") is not None:
        n.add(VC + "started", _period_bound(values["started"], end=False))
    if values.get("ended") is not None:
        n.add(VC + "ended", _period_bound(values["ended"], end=True))
    n.literal(VC + "country", values.get("country"))
    n.literal(VC + "affectedGroup", values.get("affected_group"))
    n.claim(values)
    return n.done()


def initiative(values: Values, base: str = DEFAULT_BASE) -> RowRdf:
    n = _Node(base + values["id"])
    n.a(VC + "Initiative")
    n.a(ORG + "Organization")
    n.named(values.get("name"))
    n.word(VC + "initiativeKind", v.INITIATIVE_KINDS, values.get("kind"))
    n.words(VC + "scope", v.CATEGORIES, values.get("scope"))
    if values.get("website"):
        n.add(SCHEMA + "url", ox.NamedNode(values["website"]))
    n.claim(values)
    return n.done()


def product(values: Values, base: str = DEFAULT_BASE) -> RowRdf:
    """A good, component, material, service, data set or software, with its inputs.

    ``vc:madeFrom`` is composition (what linkage follows); ``vc:broaderProduct`` is grouping
    (for screening only).
    """
    n = _Node(base + values["id"])
    n.a(VC + "Product")
    n.named(values.get("name"))
    n.word(VC + "productKind", v.PRODUCT_KINDS, values.get("kind"))
    n.refs(VC + "madeFrom", base, values.get("made_from"))
    n.refs(VC + "broaderProduct", base, values.get("broader"))
    n.claim(values)
    return n.done()


def specific_instance(values: Values, base: str = DEFAULT_BASE) -> RowRdf:
    """A case raised with a National Contact Point about enterprises' conduct."""
    n = _Node(base + values["id"])
    n.a(VC + "SpecificInstance")
    n.named(values.get("title"))
    n.literal(VC + "ncpCountry", values.get("ncp"))
    n.literal(VC + "notifier", values.get("notifier"))
    n.refs(VC + "enterprise", base, values.get("enterprises"))
    if values.get("impact"):
        n.add(VC + "impact", ox.NamedNode(base + values["impact"]))
    if values.get("submitted") is not None:
        n.add(VC + "submitted", _precise_date(values["submitted"]))
    if values.get("concluded") is not None:
        n.add(VC + "concluded", _precise_date(values["concluded"]))
    n.word(VC + "instanceStatus", v.INSTANCE_STATUSES, values.get("status"))
    n.word(VC + "instanceOutcome", v.INSTANCE_OUTCOMES, values.get("outcome"))
    n.words(VC + "chapter", v.GUIDELINES_CHAPTERS, values.get("chapters"))
    n.claim(values)
    return n.done()


def relationship(values: Values, base: str = DEFAULT_BASE) -> RowRdf:
    source, kind, target = values["source"], values["type"], values["target"]
    n = _Node(f"{base}relationship/{source}--{kind}--{target}")
    n.a(VC + "BusinessRelationship")
    n.add(VC + "fromActor", ox.NamedNode(base + source))
    n.add(VC + "toActor", ox.NamedNode(base + target))
    n.word(VC + "relationshipType", v.RELATIONS, kind)
    n.refs(VC + "product", base, values.get("products"))
    n.decimal(VC + "ownershipShare", values.get("ownership_share"))
    n.decimal(VC + "revenueShare", values.get("revenue_share"))
    if values.get("valid_from") is not None:
        n.add(VC + "validFrom", _period_bound(values["valid_from"], end=False))
    if values.get("valid_until") is not None:
        n.add(VC + "validUntil", _period_bound(values["valid_until"], end=True))
    n.assertion(values)
    n.claim(values)
    n.quads.append(_direct(base, source, v.RELATIONS[kind], target))
    return n.done()


def involvement(values: Values, base: str = DEFAULT_BASE) -> RowRdf:
    # Cause, contribution or direct linkage: MNE Guidelines Ch. II commentary, UNGP 13 and 19.
    actor_id, impact_id, mode = values["actor"], values["impact"], values["mode"]
    n = _Node(f"{base}involvement/{actor_id}--{impact_id}--{mode}")
    n.a(VC + "Involvement")
    n.add(VC + "actor", ox.NamedNode(base + actor_id))
    n.add(VC + "impact", ox.NamedNode(base + impact_id))
    n.word(VC + "mode", v.MODES, mode)
    n.refs(VC + "product", base, values.get("products"))
    n.assertion(values)
    n.decimal(VC + "confidence", values.get("confidence"))
    n.claim(values)
    return n.done()


def leverage(values: Values, base: str = DEFAULT_BASE) -> RowRdf:
    # The ability to effect change in the wrongful practices of the entity that causes a harm
    # (UNGP 19 commentary).
    holder, target, basis = values["holder"], values["target"], values["basis"]
    n = _Node(f"{base}leverage/{holder}--{target}--{basis}")
    n.a(VC + "Leverage")
    n.add(VC + "holder", ox.NamedNode(base + holder))
    n.add(VC + "target", ox.NamedNode(base + target))
    n.word(VC + "basis", v.BASES, basis)
    n.decimal(VC + "strength", values.get("strength"))
    n.assertion(values)
    n.claim(values)
    return n.done()


def membership(values: Values, base: str = DEFAULT_BASE) -> RowRdf:
    # Collective leverage through industry and multi-stakeholder initiatives (Due Diligence
    # Guidance, Section II; UNGP 19 commentary).
    actor_id, initiative_id = values["actor"], values["initiative"]
    n = _Node(f"{base}membership/{actor_id}--{initiative_id}")
    n.a(ORG + "Membership")
    n.add(ORG + "member", ox.NamedNode(base + actor_id))
    n.add(ORG + "organization", ox.NamedNode(base + initiative_id))
    if values.get("since") is not None:
        n.add(VC + "since", _precise_date(values["since"]))
    n.claim(values)
    n.quads.append(_direct(base, actor_id, VC + "memberOf", initiative_id))
    return n.done()


def response(values: Values, base: str = DEFAULT_BASE) -> RowRdf:
    # Prevent, mitigate, remediate, use leverage, disengage (Due Diligence Guidance, Section
    # II, steps 3 and 6).
    actor_id, impact_id, kind = values["actor"], values["impact"], values["type"]
    n = _Node(f"{base}response/{actor_id}--{impact_id}--{kind}")
    n.a(VC + "Response")
    n.add(VC + "actor", ox.NamedNode(base + actor_id))
    n.add(VC + "impact", ox.NamedNode(base + impact_id))
    n.word(VC + "responseType", v.RESPONSE_TYPES, kind)
    n.word(VC + "responseStatus", v.RESPONSE_STATUSES, values.get("status"))
    if values.get("date") is not None:
        n.add(VC + "date", _precise_date(values["date"]))
    n.claim(values)
    return n.done()


def site(values: Values, base: str = DEFAULT_BASE) -> RowRdf:
    """A site; ``rank`` is the row's rank among its actor's sites in that country."""
    actor_id, country = values["actor"], values["country"]
    n = _Node(f"{base}site/{actor_id}--{country}--{values.get('rank', 1)}")
    n.a(VC + "Site")
    n.add(VC + "siteOf", ox.NamedNode(base + actor_id))
    n.literal(VC + "country", country)
    n.literal(SCHEMA + "address", values.get("address"))
    n.claim(values)
    n.quads.append(ox.Quad(ox.NamedNode(base + actor_id), ox.NamedNode(VC + "hasSite"), n.node))
    return n.done()


def production(values: Values, base: str = DEFAULT_BASE) -> RowRdf:
    """An actor makes or buys in a product, optionally in one country; without a country, at
    each of the actor's sites. The direct ``vc:produces``/``vc:sources`` triple is kept too."""
    actor_id, kind, product_id = values["actor"], values["type"], values["product"]
    country = values.get("country")
    n = _Node(f"{base}production/{actor_id}--{kind}--{product_id}--{country or 'sites'}")
    n.a(VC + "Production")
    n.add(VC + "actor", ox.NamedNode(base + actor_id))
    n.add(VC + "product", ox.NamedNode(base + product_id))
    n.word(VC + "productionType", v.PRODUCTION_TYPES, kind)
    n.literal(VC + "country", country)
    n.assertion(values)
    n.claim(values)
    n.quads.append(_direct(base, actor_id, v.PRODUCTION_TYPES[kind], product_id))
    return n.done()


def risk_indicator(values: Values, base: str = DEFAULT_BASE) -> RowRdf:
    """A public list's statement that a product from a country is at risk of a category of
    harm: a risk factor for scoping (Due Diligence Guidance, Section II, step 2), never an
    impact, so it has its own category property rather than ``vc:category``."""
    product_id, country, category = values["product"], values["country"], values["category"]
    publisher, edition = values["publisher"], values["edition"]
    n = _Node(f"{base}risk-indicator/{publisher}--{edition}--{product_id}--{country}--{category}")
    n.a(VC + "RiskIndicator")
    n.add(VC + "product", ox.NamedNode(base + product_id))
    n.literal(VC + "country", country)
    n.word(VC + "riskCategory", v.CATEGORIES, category)
    n.add(DCTERMS + "publisher", ox.NamedNode(base + publisher))
    n.literal(VC + "edition", edition)
    if values.get("forced_child_labour") is not None:
        flag = "true" if values["forced_child_labour"] else "false"
        n.add(VC + "forcedChildLabour", ox.Literal(flag, datatype=ox.NamedNode(XSD + "boolean")))
    n.literal(VC + "derivedFromCountry", values.get("derived_from"))
    n.claim(values)
    return n.done()


#: The mapping of each template file.
ROW_TO_RDF: dict[str, Callable[[Values, str], RowRdf]] = {
    "actors.csv": actor,
    "relationships.csv": relationship,
    "impacts.csv": impact,
    "involvements.csv": involvement,
    "leverage.csv": leverage,
    "initiatives.csv": initiative,
    "products.csv": product,
    "memberships.csv": membership,
    "responses.csv": response,
    "specific-instances.csv": specific_instance,
    "sites.csv": site,
    "production.csv": production,
    "risk-indicators.csv": risk_indicator,
}


def row_to_rdf(file: str, values: Values, base: str = DEFAULT_BASE) -> RowRdf:
    """The node and quads of one parsed row of ``file`` (e.g. ``"actors.csv"``)."""
    return ROW_TO_RDF[file](values, base)
