"""Every SHACL shape, one constraint at a time.

A small chain that conforms to every shape is broken by one SPARQL update per row of
``MUTATIONS``; the report must then hold results from that constraint's shape only, with its
message and severity. A constraint that never fires, or that fires along with others, fails here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.collection

from valuechain_kg import vocabulary
from valuechain_kg.namespaces import SH, sparql_prefixes
from valuechain_kg.validation.reference import validate
from valuechain_kg.validation.shapes import SHAPES_DIR, load_shapes

FIXTURE = Path(__file__).parent / "fixtures" / "shapes" / "cobalt_chain.ttl"
VCSH = "https://w3id.org/valuechain/shapes#"
SHAPES_FILE = SHAPES_DIR / "valuechain.ttl"

MINE = "<https://w3id.org/valuechain/id/mine>"
REFINER = "<https://w3id.org/valuechain/id/refiner>"
BRAND = "<https://w3id.org/valuechain/id/brand>"
IMPACT = "<https://w3id.org/valuechain/id/child-labour-kolwezi>"
SUPPLY = "<https://w3id.org/valuechain/id/relationship/mine--supplies--refiner>"
STAKE = "<https://w3id.org/valuechain/id/relationship/brand--invests-in--mine>"
INVOLVEMENT = "<https://w3id.org/valuechain/id/involvement/mine--child-labour-kolwezi--cause>"
LEVERAGE = "<https://w3id.org/valuechain/id/leverage/brand--mine--ownership>"
RMI = "<https://w3id.org/valuechain/id/rmi>"
MEMBERSHIP = "<https://w3id.org/valuechain/id/membership/brand--rmi>"
RESPONSE = "<https://w3id.org/valuechain/id/response/brand--child-labour-kolwezi--use-leverage>"
SITE = "<https://w3id.org/valuechain/id/site/mine--CD--1>"
ORE = "<https://w3id.org/valuechain/id/cobalt-ore>"
HYDROXIDE = "<https://w3id.org/valuechain/id/cobalt-hydroxide>"
CASE = "<https://w3id.org/valuechain/id/ncp-case>"
PRODUCTION = "<https://w3id.org/valuechain/id/production/mine--produces--cobalt-ore--CD>"
INDICATOR = "<https://w3id.org/valuechain/id/risk-indicator/labour-office--2021--cobalt-ore--CD--child-labour>"


class Mutation(NamedTuple):
    shape: str  # local name under the shapes namespace
    update: str  # SPARQL update applied to the conforming chain
    severity: str = "Violation"
    #: Other shapes that the same mistake rightly breaks too (a self-loop is also a bad triple).
    also: frozenset[str] = frozenset()


def drop(node: str, prop: str) -> str:
    return f"DELETE WHERE {{ {node} {prop} ?o }}"


def put(node: str, prop: str, value: str) -> str:
    return f"DELETE WHERE {{ {node} {prop} ?o }} ; INSERT DATA {{ {node} {prop} {value} }}"


def add(node: str, prop: str, value: str) -> str:
    return f"INSERT DATA {{ {node} {prop} {value} }}"


MUTATIONS: dict[str, Mutation] = {
    # actors
    "actor without name": Mutation("actor-name", drop(MINE, "schema:name")),
    "actor without label": Mutation("actor-label", drop(MINE, "rdfs:label"), "Warning"),
    "actor without role": Mutation("actor-role", drop(REFINER, "vc:role")),
    "actor with unknown role": Mutation("actor-role-known", add(MINE, "vc:role", "vc:role-wizard")),
    "actor with unknown sector": Mutation(
        "actor-sector-known", put(MINE, "vc:sector", "vc:category-privacy")
    ),
    "actor without country": Mutation("actor-country", drop(MINE, "vc:country"), "Warning"),
    "actor with two countries": Mutation("actor-country-one", add(MINE, "vc:country", '"ZM"')),
    "actor with lower-case country": Mutation(
        "actor-country-code", put(MINE, "vc:country", '"cd"')
    ),
    "actor with three-letter country": Mutation(
        "actor-country-code", put(MINE, "vc:country", '"COD"')
    ),
    "actor with short lei": Mutation("actor-lei", put(MINE, "vc:lei", '"529900T8BM49"')),
    "actor with two leis": Mutation("actor-lei-one", add(MINE, "vc:lei", '"529900T8BM49AURSDO56"')),
    "actor with text website": Mutation(
        "actor-website", put(MINE, "schema:url", '"https://mine.example.org/"')
    ),
    "actor with text sameAs": Mutation("actor-same-as", put(MINE, "schema:sameAs", '"Q1"')),
    "actor member of a non-initiative": Mutation(
        "actor-member-of", add(BRAND, "vc:memberOf", REFINER)
    ),
    "actor with site that is no site": Mutation("actor-has-site", add(REFINER, "vc:hasSite", MINE)),
    "actor with text source": Mutation(
        "actor-source-iri", put(MINE, "prov:wasDerivedFrom", '"a report"')
    ),
    "actor without source": Mutation("actor-source", drop(MINE, "prov:wasDerivedFrom"), "Warning"),
    # relationships
    "relationship without source actor": Mutation(
        "relationship-from", drop(SUPPLY, "vc:fromActor")
    ),
    "relationship with a non-actor source": Mutation(
        "relationship-from-actor",
        put(SUPPLY, "vc:fromActor", IMPACT)
        + f" ; INSERT DATA {{ {IMPACT} vc:supplies {REFINER} }}",
    ),
    "relationship with two targets": Mutation(
        "relationship-to",
        add(SUPPLY, "vc:toActor", BRAND) + f" ; INSERT DATA {{ {MINE} vc:supplies {BRAND} }}",
    ),
    "relationship to a non-actor": Mutation(
        "relationship-to-actor",
        put(SUPPLY, "vc:toActor", IMPACT) + f" ; INSERT DATA {{ {MINE} vc:supplies {IMPACT} }}",
    ),
    "relationship of an actor to itself": Mutation(
        "relationship-not-self",
        put(SUPPLY, "vc:toActor", MINE) + f" ; INSERT DATA {{ {MINE} vc:supplies {MINE} }}",
        also=frozenset({"direct-relationship-not-self"}),
    ),
    "relationship without type": Mutation("relationship-type", drop(SUPPLY, "vc:relationshipType")),
    "relationship of unknown type": Mutation(
        "relationship-type-known",
        put(SUPPLY, "vc:relationshipType", "vc:owes")
        + f" ; INSERT DATA {{ {MINE} vc:owes {REFINER} }}",
    ),
    "ownership share above one": Mutation(
        "relationship-ownership-share", put(STAKE, "vc:ownershipShare", "1.5")
    ),
    "ownership share as text": Mutation(
        "relationship-ownership-share", put(STAKE, "vc:ownershipShare", '"0.2"')
    ),
    "two ownership shares": Mutation(
        "relationship-ownership-share-one", add(STAKE, "vc:ownershipShare", "0.3")
    ),
    "negative revenue share": Mutation(
        "relationship-revenue-share", put(SUPPLY, "vc:revenueShare", "-0.1")
    ),
    "two revenue shares": Mutation(
        "relationship-revenue-share-one", add(SUPPLY, "vc:revenueShare", "0.5")
    ),
    "valid_from as a year": Mutation(
        "relationship-valid-from",
        drop(SUPPLY, "vc:validUntil") + " ; " + put(SUPPLY, "vc:validFrom", '"2015"^^xsd:gYear'),
    ),
    "valid_until as text": Mutation(
        "relationship-valid-until",
        drop(SUPPLY, "vc:validFrom") + " ; " + put(SUPPLY, "vc:validUntil", '"end of 2016"'),
    ),
    "relationship ending before it starts": Mutation(
        "relationship-period", put(SUPPLY, "vc:validUntil", '"2014-12-31"^^xsd:date')
    ),
    "relationship with text source": Mutation(
        "relationship-source-iri", put(SUPPLY, "prov:wasDerivedFrom", '"a report"')
    ),
    "relationship without direct triple": Mutation(
        "relationship-direct-triple", f"DELETE DATA {{ {MINE} vc:supplies {REFINER} }}"
    ),
    "ownership share on a supply relationship": Mutation(
        "relationship-ownership-on-investment", add(SUPPLY, "vc:ownershipShare", "0.1")
    ),
    "revenue share on an investment": Mutation(
        "relationship-revenue-on-flow", add(STAKE, "vc:revenueShare", "0.1")
    ),
    "direct triple from an actor to itself": Mutation(
        "direct-relationship-not-self", add(BRAND, "vc:finances", BRAND)
    ),
    # impacts
    "impact without title": Mutation("impact-name", drop(IMPACT, "schema:name")),
    "impact without label": Mutation("impact-label", drop(IMPACT, "rdfs:label"), "Warning"),
    "impact without category": Mutation("impact-category", drop(IMPACT, "vc:category")),
    "impact with unknown category": Mutation(
        "impact-category-known", put(IMPACT, "vc:category", "vc:role-trader")
    ),
    "impact with two statuses": Mutation(
        "impact-status",
        drop(IMPACT, "vc:likelihood") + " ; " + add(IMPACT, "vc:status", "vc:Actual"),
    ),
    "impact with unknown status": Mutation(
        "impact-status-known", put(IMPACT, "vc:status", "vc:Alleged")
    ),
    "scale above four": Mutation("impact-scale", put(IMPACT, "vc:scale", "5")),
    "scope below one": Mutation("impact-scope", put(IMPACT, "vc:scope", "0")),
    "irremediability as a decimal": Mutation(
        "impact-irremediability", put(IMPACT, "vc:irremediability", "2.5")
    ),
    "likelihood above one": Mutation("impact-likelihood", put(IMPACT, "vc:likelihood", "1.2")),
    "impact without country": Mutation("impact-country", drop(IMPACT, "vc:country"), "Warning"),
    "impact with bad country": Mutation(
        "impact-country-code", put(IMPACT, "vc:country", '"Congo"')
    ),
    "affected group as an IRI": Mutation(
        "impact-affected-group", put(IMPACT, "vc:affectedGroup", "<https://example.org/children>")
    ),
    "impact with text source": Mutation(
        "impact-source-iri", put(IMPACT, "prov:wasDerivedFrom", '"a report"')
    ),
    "impact without source": Mutation("impact-source", drop(IMPACT, "prov:wasDerivedFrom")),
    "likelihood on an actual impact": Mutation(
        "impact-likelihood-potential", put(IMPACT, "vc:status", "vc:Actual"), "Warning"
    ),
    # involvements
    "involvement without actor": Mutation("involvement-actor", drop(INVOLVEMENT, "vc:actor")),
    "involvement of a non-actor": Mutation(
        "involvement-actor-class", put(INVOLVEMENT, "vc:actor", IMPACT)
    ),
    "involvement with two impacts": Mutation(
        "involvement-impact",
        add(INVOLVEMENT, "vc:impact", "<https://example.org/other-impact>"),
        also=frozenset({"involvement-impact-class"}),
    ),
    "involvement in a non-impact": Mutation(
        "involvement-impact-class", put(INVOLVEMENT, "vc:impact", MINE)
    ),
    "involvement without mode": Mutation("involvement-mode", drop(INVOLVEMENT, "vc:mode")),
    "involvement with unknown mode": Mutation(
        "involvement-mode-known", put(INVOLVEMENT, "vc:mode", "vc:Complicity")
    ),
    "confidence above one": Mutation(
        "involvement-confidence", put(INVOLVEMENT, "vc:confidence", "1.01")
    ),
    "involvement with text source": Mutation(
        "involvement-source-iri", put(INVOLVEMENT, "prov:wasDerivedFrom", '"a report"')
    ),
    "involvement without source": Mutation(
        "involvement-source", drop(INVOLVEMENT, "prov:wasDerivedFrom")
    ),
    # leverage
    "leverage without holder": Mutation("leverage-holder", drop(LEVERAGE, "vc:holder")),
    "leverage held by an impact": Mutation(
        "leverage-holder-class", put(LEVERAGE, "vc:holder", IMPACT)
    ),
    "leverage without target": Mutation("leverage-target", drop(LEVERAGE, "vc:target")),
    "leverage over an initiative": Mutation(
        "leverage-target-class", put(LEVERAGE, "vc:target", RMI)
    ),
    "leverage over oneself": Mutation("leverage-not-self", put(LEVERAGE, "vc:target", BRAND)),
    "leverage without basis": Mutation("leverage-basis", drop(LEVERAGE, "vc:basis")),
    "leverage with unknown basis": Mutation(
        "leverage-basis-known", put(LEVERAGE, "vc:basis", "vc:basis-friendship")
    ),
    "leverage without strength": Mutation("leverage-strength", drop(LEVERAGE, "vc:strength")),
    "strength above one": Mutation("leverage-strength-range", put(LEVERAGE, "vc:strength", "1.5")),
    "strength as text": Mutation("leverage-strength-range", put(LEVERAGE, "vc:strength", '"high"')),
    "leverage with text source": Mutation(
        "leverage-source-iri", put(LEVERAGE, "prov:wasDerivedFrom", '"a report"')
    ),
    "leverage without source": Mutation("leverage-source", drop(LEVERAGE, "prov:wasDerivedFrom")),
    # initiatives
    "initiative without name": Mutation("initiative-name", drop(RMI, "schema:name")),
    "initiative of unknown kind": Mutation(
        "initiative-kind", put(RMI, "vc:initiativeKind", "vc:initiative-kind-secret")
    ),
    "initiative with text website": Mutation(
        "initiative-website", put(RMI, "schema:url", '"rmi.example.org"')
    ),
    "initiative with text source": Mutation(
        "initiative-source-iri", put(RMI, "prov:wasDerivedFrom", '"a report"')
    ),
    # memberships
    "membership without member": Mutation("membership-member", drop(MEMBERSHIP, "org:member")),
    "membership of a non-actor": Mutation(
        "membership-member-class",
        put(MEMBERSHIP, "org:member", IMPACT) + f" ; INSERT DATA {{ {IMPACT} vc:memberOf {RMI} }}",
    ),
    "membership without initiative": Mutation(
        "membership-organization", drop(MEMBERSHIP, "org:organization")
    ),
    "membership of a non-initiative": Mutation(
        "membership-organization-class",
        put(MEMBERSHIP, "org:organization", REFINER)
        + f" ; INSERT DATA {{ {BRAND} vc:memberOf {REFINER} }}",
        also=frozenset({"actor-member-of"}),
    ),
    "membership since as text": Mutation("membership-since", put(MEMBERSHIP, "vc:since", '"long"')),
    "membership without direct triple": Mutation(
        "membership-direct-triple", f"DELETE DATA {{ {BRAND} vc:memberOf {RMI} }}"
    ),
    # responses
    "response without actor": Mutation("response-actor", drop(RESPONSE, "vc:actor")),
    "response of a non-actor": Mutation("response-actor-class", put(RESPONSE, "vc:actor", RMI)),
    "response without impact": Mutation("response-impact", drop(RESPONSE, "vc:impact")),
    "response to a non-impact": Mutation("response-impact-class", put(RESPONSE, "vc:impact", MINE)),
    "response without type": Mutation("response-type", drop(RESPONSE, "vc:responseType")),
    "response of unknown type": Mutation(
        "response-type-known", put(RESPONSE, "vc:responseType", "vc:response-ignore")
    ),
    "response with unknown status": Mutation(
        "response-status", put(RESPONSE, "vc:responseStatus", "vc:Actual")
    ),
    "response date as text": Mutation("response-date", put(RESPONSE, "vc:date", '"March 2017"')),
    "response with text source": Mutation(
        "response-source-iri", put(RESPONSE, "prov:wasDerivedFrom", '"a statement"')
    ),
    "response without source": Mutation(
        "response-source", drop(RESPONSE, "prov:wasDerivedFrom"), "Warning"
    ),
    # sites
    "site without actor": Mutation(
        "site-of", drop(SITE, "vc:siteOf") + f" ; DELETE DATA {{ {MINE} vc:hasSite {SITE} }}"
    ),
    "site of a non-actor": Mutation(
        "site-of-actor",
        put(SITE, "vc:siteOf", RMI)
        + f" ; DELETE DATA {{ {MINE} vc:hasSite {SITE} }}"
        + f" ; INSERT DATA {{ {RMI} vc:hasSite {SITE} }}",
    ),
    "site without country": Mutation("site-country", drop(SITE, "vc:country")),
    "site with bad country": Mutation("site-country-code", put(SITE, "vc:country", '"cd"')),
    "address as an IRI": Mutation(
        "site-address", put(SITE, "schema:address", "<https://example.org/address>")
    ),
    "site with text source": Mutation(
        "site-source-iri", put(SITE, "prov:wasDerivedFrom", '"a report"')
    ),
    "site without direct triple": Mutation(
        "site-direct-triple", f"DELETE DATA {{ {MINE} vc:hasSite {SITE} }}"
    ),
    # products, assertion statuses, periods and scopes
    "relationship carrying a non-product": Mutation(
        "relationship-product", add(SUPPLY, "vc:product", MINE)
    ),
    "relationship with unknown assertion": Mutation(
        "relationship-assertion", put(SUPPLY, "vc:assertion", "vc:assertion-rumoured")
    ),
    "relationship with two assertions": Mutation(
        "relationship-assertion", add(SUPPLY, "vc:assertion", "vc:assertion-alleged")
    ),
    "product on an investment": Mutation(
        "relationship-product-on-flow", add(STAKE, "vc:product", ORE), "Warning"
    ),
    "impact started as a year": Mutation(
        "impact-started",
        drop(IMPACT, "vc:ended") + " ; " + put(IMPACT, "vc:started", '"2014"^^xsd:gYear'),
    ),
    "impact with two ends": Mutation(
        "impact-ended", add(IMPACT, "vc:ended", '"2017-12-31"^^xsd:date')
    ),
    "impact ending before it starts": Mutation(
        "impact-period", put(IMPACT, "vc:ended", '"2013-12-31"^^xsd:date')
    ),
    "involvement in connection with a non-product": Mutation(
        "involvement-product", put(INVOLVEMENT, "vc:product", RMI)
    ),
    "involvement with unknown assertion": Mutation(
        "involvement-assertion", put(INVOLVEMENT, "vc:assertion", "vc:Actual")
    ),
    "leverage with unknown assertion": Mutation(
        "leverage-assertion", put(LEVERAGE, "vc:assertion", "vc:assertion-inferred")
    ),
    "initiative scope outside the categories": Mutation(
        "initiative-scope", add(RMI, "vc:scope", "vc:sector-extractives")
    ),
    # products
    "product without name": Mutation("product-name", drop(ORE, "schema:name")),
    "product without label": Mutation("product-label", drop(ORE, "rdfs:label"), "Warning"),
    "product of unknown kind": Mutation(
        "product-kind", put(ORE, "vc:productKind", "vc:product-kind-gadget")
    ),
    "product of two kinds": Mutation(
        "product-kind", add(ORE, "vc:productKind", "vc:product-kind-good")
    ),
    "product made from an actor": Mutation(
        "product-made-from", add(HYDROXIDE, "vc:madeFrom", MINE)
    ),
    "product under a non-product": Mutation(
        "product-broader", put(ORE, "vc:broaderProduct", IMPACT)
    ),
    "product with text source": Mutation(
        "product-source-iri", put(ORE, "prov:wasDerivedFrom", '"a report"')
    ),
    # specific instances
    "specific instance without title": Mutation("instance-name", drop(CASE, "schema:name")),
    "specific instance without label": Mutation(
        "instance-label", drop(CASE, "rdfs:label"), "Warning"
    ),
    "specific instance without NCP": Mutation("instance-ncp", drop(CASE, "vc:ncpCountry")),
    "specific instance with a bad NCP country": Mutation(
        "instance-ncp-code", put(CASE, "vc:ncpCountry", '"Germany"')
    ),
    "notifier as an IRI": Mutation(
        "instance-notifier", put(CASE, "vc:notifier", "<https://example.org/watch>")
    ),
    "specific instance against a non-actor": Mutation(
        "instance-enterprise", add(CASE, "vc:enterprise", RMI)
    ),
    "specific instance about a non-impact": Mutation(
        "instance-impact", put(CASE, "vc:impact", MINE)
    ),
    "specific instance about two impacts": Mutation(
        "instance-impact-one",
        add(CASE, "vc:impact", "<https://example.org/other-impact>"),
        also=frozenset({"instance-impact"}),
    ),
    "submitted as text": Mutation("instance-submitted", put(CASE, "vc:submitted", '"February"')),
    "concluded twice": Mutation(
        "instance-concluded", add(CASE, "vc:concluded", '"2019"^^xsd:gYear')
    ),
    "specific instance without status": Mutation(
        "instance-status", drop(CASE, "vc:instanceStatus")
    ),
    "specific instance with unknown status": Mutation(
        "instance-status-known", put(CASE, "vc:instanceStatus", "vc:instance-status-lost")
    ),
    "specific instance with unknown outcome": Mutation(
        "instance-outcome", put(CASE, "vc:instanceOutcome", "vc:instance-status-concluded")
    ),
    "specific instance citing an unknown chapter": Mutation(
        "instance-chapter", add(CASE, "vc:chapter", "vc:category-privacy")
    ),
    "specific instance with text source": Mutation(
        "instance-source-iri", put(CASE, "prov:wasDerivedFrom", '"a statement"')
    ),
    "specific instance without source": Mutation(
        "instance-source", drop(CASE, "prov:wasDerivedFrom")
    ),
    # production (an actor makes or buys in a product)
    "production without actor": Mutation("production-actor", drop(PRODUCTION, "vc:actor")),
    "production of a non-actor": Mutation(
        "production-actor-class", put(PRODUCTION, "vc:actor", ORE)
    ),
    "production without product": Mutation("production-product", drop(PRODUCTION, "vc:product")),
    "production of a non-product": Mutation(
        "production-product-class", put(PRODUCTION, "vc:product", MINE)
    ),
    "production without type": Mutation("production-type", drop(PRODUCTION, "vc:productionType")),
    "production of unknown type": Mutation(
        "production-type-known", put(PRODUCTION, "vc:productionType", "vc:supplies")
    ),
    "production in two countries": Mutation(
        "production-country", add(PRODUCTION, "vc:country", '"ZM"')
    ),
    "production in a lower-case country": Mutation(
        "production-country-code", put(PRODUCTION, "vc:country", '"cd"')
    ),
    "production with unknown assertion": Mutation(
        "production-assertion", put(PRODUCTION, "vc:assertion", "vc:Cause")
    ),
    "production with text source": Mutation(
        "production-source-iri", put(PRODUCTION, "prov:wasDerivedFrom", '"a report"')
    ),
    "production without source": Mutation(
        "production-source", drop(PRODUCTION, "prov:wasDerivedFrom")
    ),
    # risk indicators (a public list names a product and country at risk)
    "indicator without product": Mutation("indicator-product", drop(INDICATOR, "vc:product")),
    "indicator of a non-product": Mutation(
        "indicator-product-class", put(INDICATOR, "vc:product", MINE)
    ),
    "indicator without country": Mutation("indicator-country", drop(INDICATOR, "vc:country")),
    "indicator with three-letter country": Mutation(
        "indicator-country-code", put(INDICATOR, "vc:country", '"COD"')
    ),
    "indicator without category": Mutation(
        "indicator-category", drop(INDICATOR, "vc:riskCategory")
    ),
    "indicator with unknown category": Mutation(
        "indicator-category-known", put(INDICATOR, "vc:riskCategory", "vc:role-trader")
    ),
    "indicator without publisher": Mutation(
        "indicator-publisher", drop(INDICATOR, "dcterms:publisher")
    ),
    "indicator published by a non-actor": Mutation(
        "indicator-publisher-actor", put(INDICATOR, "dcterms:publisher", ORE)
    ),
    "indicator with numeric edition": Mutation(
        "indicator-edition", put(INDICATOR, "vc:edition", "2021")
    ),
    "indicator with text forced child labour flag": Mutation(
        "indicator-forced-child", put(INDICATOR, "vc:forcedChildLabour", '"no"')
    ),
    "indicator derived from a lower-case country": Mutation(
        "indicator-derived-from", put(INDICATOR, "vc:derivedFromCountry", '"cd"')
    ),
    "indicator with text source": Mutation(
        "indicator-source-iri", put(INDICATOR, "prov:wasDerivedFrom", '"the list"')
    ),
    "indicator without source": Mutation(
        "indicator-source", drop(INDICATOR, "prov:wasDerivedFrom")
    ),
}


def chain_store() -> ox.Store:
    store = ox.Store()
    store.load(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)
    return store


def shape_messages() -> dict[str, tuple[str, str]]:
    """Shape local name -> (message, severity), read from the shapes file."""
    graph = load_shapes()
    found: dict[str, tuple[str, str]] = {}
    sh = rdflib.Namespace(SH)
    for shape, severity in graph.subject_objects(sh.severity):
        if not str(shape).startswith(VCSH):
            continue
        message = graph.value(shape, sh.message)
        for constraint in graph.objects(shape, sh.sparql):
            message = graph.value(constraint, sh.message)
        if message is not None:
            found[str(shape)[len(VCSH) :]] = (str(message), str(severity)[len(SH) :])
    return found


def message_pattern(template: str) -> re.Pattern[str]:
    """A SPARQL constraint's message with its {?var} placeholders filled in by pyshacl."""
    parts = re.split(r"\{[?$]\w+\}", template)
    return re.compile(".+".join(re.escape(part) for part in parts))


def test_the_conforming_chain_has_no_result_at_all() -> None:
    report = validate(chain_store().quads_for_pattern(None, None, None, None))
    assert report.conforms
    assert report.results == []


@pytest.mark.parametrize("case", list(MUTATIONS), ids=list(MUTATIONS))
def test_breaking_one_constraint_reports_exactly_that_constraint(case: str) -> None:
    mutation = MUTATIONS[case]
    store = chain_store()
    store.update(sparql_prefixes() + mutation.update)
    report = validate(store.quads_for_pattern(None, None, None, None))

    message, severity = shape_messages()[mutation.shape]
    expected_shapes = {VCSH + s for s in mutation.also | {mutation.shape}}
    assert {r.shape for r in report.results} == expected_shapes, f"{case}: {report.results}"
    mine = [r for r in report.results if r.shape == VCSH + mutation.shape]
    assert all(message_pattern(message).fullmatch(r.message) for r in mine), mine
    assert {r.severity for r in mine} == {mutation.severity} == {severity}
    assert report.conforms is (mutation.severity != "Violation")


def test_every_shape_with_a_constraint_is_exercised_by_a_mutation() -> None:
    exercised = {m.shape for m in MUTATIONS.values()}
    assert set(shape_messages()) - exercised == set()


def test_every_constraint_has_a_message_and_an_explicit_severity() -> None:
    graph = load_shapes(SHAPES_FILE)
    sh = rdflib.Namespace(SH)
    structural = {sh.path, sh.property, sh.targetClass, sh.targetSubjectsOf, sh.target}
    structural |= {sh.severity}
    structural |= {sh.message, sh.sparql, rdflib.RDF.type, rdflib.RDFS.comment}
    for shape in set(graph.subjects(rdflib.RDF.type, sh.PropertyShape)) | set(
        graph.subjects(rdflib.RDF.type, sh.NodeShape)
    ):
        assert graph.value(shape, sh.severity) in (sh.Violation, sh.Warning), shape
        constraints = {p for p in graph.predicates(shape) if p not in structural}
        if constraints:
            assert graph.value(shape, sh.message) is not None, shape
        for sparql in graph.objects(shape, sh.sparql):
            assert graph.value(sparql, sh.message) is not None, shape


def test_messages_are_sentences_for_curators() -> None:
    for name, (message, _) in shape_messages().items():
        assert message[0].isupper() or message[0] in "'v", name
        assert message.rstrip().endswith((".", "?")), name
        assert len(message.split()) >= 6, name


IN_LISTS = {
    "actor-role-known": vocabulary.ROLES,
    "actor-sector-known": vocabulary.SECTORS,
    "relationship-type-known": vocabulary.RELATIONS,
    "impact-category-known": vocabulary.CATEGORIES,
    "impact-status-known": vocabulary.STATUSES,
    "involvement-mode-known": vocabulary.MODES,
    "leverage-basis-known": vocabulary.BASES,
    "initiative-kind": vocabulary.INITIATIVE_KINDS,
    "response-type-known": vocabulary.RESPONSE_TYPES,
    "response-status": vocabulary.RESPONSE_STATUSES,
    "relationship-assertion": vocabulary.ASSERTIONS,
    "involvement-assertion": vocabulary.ASSERTIONS,
    "leverage-assertion": vocabulary.ASSERTIONS,
    "initiative-scope": vocabulary.CATEGORIES,
    "product-kind": vocabulary.PRODUCT_KINDS,
    "instance-status-known": vocabulary.INSTANCE_STATUSES,
    "instance-outcome": vocabulary.INSTANCE_OUTCOMES,
    "instance-chapter": vocabulary.GUIDELINES_CHAPTERS,
    "production-type-known": vocabulary.PRODUCTION_TYPES,
    "production-assertion": vocabulary.ASSERTIONS,
    "indicator-category-known": vocabulary.CATEGORIES,
}


@pytest.mark.parametrize("shape", list(IN_LISTS))
def test_vocabulary_lists_of_the_shapes_equal_vocabulary_py(shape: str) -> None:
    graph = load_shapes(SHAPES_FILE)
    members = rdflib.collection.Collection(
        graph, graph.value(rdflib.URIRef(VCSH + shape), rdflib.URIRef(SH + "in"))
    )
    assert [str(m) for m in members] == list(IN_LISTS[shape].values())
