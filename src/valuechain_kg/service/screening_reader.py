"""Reading what risk-based scoping needs from a store (``analysis.risk_rows.ScreeningRows``).

A store without production claims or risk indicators pays two empty scans here: each query
starts from the class, so nothing else is decoded. Sites are read only for the actors whose
production names no country (it then takes place at each of their sites).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from valuechain_kg import vocabulary as vocab
from valuechain_kg.analysis.risk_rows import (
    EMPTY_SCREENING,
    IndicatorRow,
    ProductionRow,
    ScreeningRows,
)
from valuechain_kg.namespaces import sparql_prefixes

__all__ = ["read_screening_rows"]

_TYPE_SLUGS = {iri: slug for slug, iri in vocab.PRODUCTION_TYPES.items()}
_CATEGORY_SLUGS = {iri: slug for slug, iri in vocab.CATEGORIES.items()}
_ASSERTION_SLUGS = {iri: slug for slug, iri in vocab.ASSERTIONS.items()}

_PRODUCTIONS = """SELECT ?p ?actor ?product ?type ?country ?assertion WHERE {
  ?p a vc:Production ; vc:actor ?actor ; vc:product ?product ; vc:productionType ?type .
  OPTIONAL { ?p vc:country ?country } OPTIONAL { ?p vc:assertion ?assertion }
}"""

_INDICATORS = """SELECT ?i ?product ?country ?category ?publisher ?edition ?forced ?derived WHERE {
  ?i a vc:RiskIndicator ; vc:product ?product ; vc:country ?country ; vc:riskCategory ?category .
  OPTIONAL { ?i dcterms:publisher ?publisher } OPTIONAL { ?i vc:edition ?edition }
  OPTIONAL { ?i vc:forcedChildLabour ?forced } OPTIONAL { ?i vc:derivedFromCountry ?derived }
}"""

_SOURCES = """SELECT ?n ?src WHERE {{
  {{ SELECT ?n WHERE {{ ?n a {cls} }} }} ?n prov:wasDerivedFrom ?src
}}"""

_BROADER = "SELECT ?p ?b WHERE { ?p vc:broaderProduct ?b }"

_PRODUCT_NAMES = "SELECT ?p ?name WHERE { ?p a vc:Product ; schema:name ?name }"


def _value(term: Any) -> str | None:
    return None if term is None else str(term.value)


def _rows(store: Any, query: str) -> Iterator[Any]:
    yield from store.query(sparql_prefixes() + query)


def _sources(store: Any, cls: str) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = defaultdict(list)
    for row in _rows(store, _SOURCES.format(cls=cls)):
        found[row[0].value].append(row[1].value)
    return {node: tuple(sorted(set(urls))) for node, urls in found.items()}


def _sites(store: Any, actors: set[str]) -> tuple[tuple[str, str], ...]:
    if not actors:
        return ()
    values = " ".join(f"<{a}>" for a in sorted(actors))
    query = f"SELECT ?a ?c WHERE {{ VALUES ?a {{ {values} }} ?s vc:siteOf ?a ; vc:country ?c }}"
    return tuple(sorted({(row[0].value, row[1].value) for row in _rows(store, query)}))


def read_screening_rows(store: Any) -> ScreeningRows:
    """The production claims, risk indicators, relevant sites and product families of a store."""
    production_rows = list(_rows(store, _PRODUCTIONS))
    indicator_rows = list(_rows(store, _INDICATORS))
    if not production_rows and not indicator_rows:
        return EMPTY_SCREENING
    production_sources = _sources(store, "vc:Production") if production_rows else {}
    productions = sorted(
        {
            ProductionRow(
                iri=row[0].value,
                actor=row[1].value,
                product=row[2].value,
                kind=_TYPE_SLUGS.get(row[3].value, "produces"),
                country=_value(row[4]),
                assertion=_ASSERTION_SLUGS.get(_value(row[5]) or ""),
                sources=production_sources.get(row[0].value, ()),
            )
            for row in production_rows
        },
        key=lambda r: (r.iri, r.actor, r.product, r.country or ""),
    )
    indicator_sources = _sources(store, "vc:RiskIndicator") if indicator_rows else {}
    indicators = sorted(
        {
            IndicatorRow(
                iri=row[0].value,
                product=row[1].value,
                country=row[2].value,
                category=_CATEGORY_SLUGS.get(row[3].value, row[3].value),
                publisher=_value(row[4]),
                edition=_value(row[5]),
                sources=indicator_sources.get(row[0].value, ()),
                forced_child_labour=_value(row[6]) in ("true", "1"),
                derived_from=_value(row[7]),
            )
            for row in indicator_rows
        },
        key=lambda r: (r.iri, r.product, r.country, r.category),
    )
    unlocated = {r.actor for r in productions if r.country is None}
    return ScreeningRows(
        productions=tuple(productions),
        indicators=tuple(indicators),
        sites=_sites(store, unlocated),
        broader=tuple(sorted({(r[0].value, r[1].value) for r in _rows(store, _BROADER)})),
        product_names=tuple(
            sorted({(r[0].value, r[1].value) for r in _rows(store, _PRODUCT_NAMES)})
        ),
    )
