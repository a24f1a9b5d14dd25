"""The ontology: well-formed, documented, and in step with vocabulary.py, shapes/ and data/."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from valuechain_kg import vocabulary
from valuechain_kg.namespaces import SCHEMA, VC

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "valuechain.ttl"
SHAPES = ROOT / "shapes"
DATA = ROOT / "data"

VCNS = rdflib.Namespace(VC)
DOMAIN_INCLUDES = rdflib.URIRef(SCHEMA + "domainIncludes")

#: vocabulary table -> the concept scheme that holds exactly its concepts.
SCHEMES: dict[str, tuple[dict[str, str], str]] = {
    "roles": (vocabulary.ROLES, "ActorRoles"),
    "sectors": (vocabulary.SECTORS, "Sectors"),
    "categories": (vocabulary.CATEGORIES, "ImpactCategories"),
    "statuses": (vocabulary.STATUSES, "ImpactStatuses"),
    "modes": (vocabulary.MODES, "InvolvementModes"),
    "bases": (vocabulary.BASES, "LeverageBases"),
    "response types": (vocabulary.RESPONSE_TYPES, "ResponseTypes"),
    "response statuses": (vocabulary.RESPONSE_STATUSES, "ResponseStatuses"),
    "initiative kinds": (vocabulary.INITIATIVE_KINDS, "InitiativeKinds"),
    "assertion statuses": (vocabulary.ASSERTIONS, "AssertionStatuses"),
    "product kinds": (vocabulary.PRODUCT_KINDS, "ProductKinds"),
    "Guidelines chapters": (vocabulary.GUIDELINES_CHAPTERS, "GuidelinesChapters"),
    "specific-instance statuses": (vocabulary.INSTANCE_STATUSES, "InstanceStatuses"),
    "specific-instance outcomes": (vocabulary.INSTANCE_OUTCOMES, "InstanceOutcomes"),
}

TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY, format="turtle")


def vc_terms(graph: rdflib.Graph) -> set[rdflib.URIRef]:
    """Every IRI in the vc: namespace that a graph mentions, in any position."""
    found: set[rdflib.URIRef] = set()
    for triple in graph:
        for term in triple:
            if isinstance(term, rdflib.URIRef) and str(term).startswith(VC):
                found.add(term)
    return found


def declared(ontology: rdflib.Graph) -> set[rdflib.URIRef]:
    return {s for s in ontology.subjects(RDF.type, None) if isinstance(s, rdflib.URIRef)}


def test_ontology_parses_with_rdflib_and_oxigraph(ontology: rdflib.Graph) -> None:
    assert len(ontology) > 500
    assert len(list(ox.parse(path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE))) == len(ontology)


def test_fixed_class_names_exist(ontology: rdflib.Graph) -> None:
    for name in (
        "Actor",
        "BusinessRelationship",
        "AdverseImpact",
        "Involvement",
        "Leverage",
        "Initiative",
        "Response",
        "Site",
        "Product",
        "SpecificInstance",
    ):
        assert (VCNS[name], RDF.type, OWL.Class) in ontology, name


def test_actor_is_an_org_organization(ontology: rdflib.Graph) -> None:
    org_organization = rdflib.URIRef("http://www.w3.org/ns/org#Organization")
    assert (VCNS.Actor, RDFS.subClassOf, org_organization) in ontology


@pytest.mark.parametrize("kind", TERM_KINDS, ids=lambda k: str(k).split("#")[1])
def test_every_vc_class_and_property_has_an_english_label_and_comment(
    ontology: rdflib.Graph, kind: rdflib.URIRef
) -> None:
    terms = [t for t in ontology.subjects(RDF.type, kind) if str(t).startswith(VC)]
    assert terms
    for term in terms:
        for prop in (RDFS.label, RDFS.comment):
            texts = [o for o in ontology.objects(term, prop) if isinstance(o, rdflib.Literal)]
            assert any(t.language == "en" and len(str(t)) > 2 for t in texts), (term, prop)


def test_every_property_has_a_range_and_a_domain_or_domain_includes(
    ontology: rdflib.Graph,
) -> None:
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in ontology.subjects(RDF.type, kind):
            if not str(prop).startswith(VC) or prop == VCNS.strength:
                continue  # strength may be xsd:decimal or xsd:double, so it states no range
            assert ontology.value(prop, RDFS.range) is not None, prop
            has_domain = ontology.value(prop, RDFS.domain) is not None
            assert has_domain or ontology.value(prop, DOMAIN_INCLUDES) is not None, prop


@pytest.mark.parametrize(
    "name",
    ["holder", "target", "fromActor", "toActor", "status", "actor", "impact", "country"]
    + ["product", "assertion", "scope"],
)
def test_shared_properties_use_domain_includes_not_rdfs_domain(
    ontology: rdflib.Graph, name: str
) -> None:
    assert ontology.value(VCNS[name], RDFS.domain) is None
    assert ontology.value(VCNS[name], DOMAIN_INCLUDES) is not None


def test_flow_and_financial_properties_sit_under_their_super_properties(
    ontology: rdflib.Graph,
) -> None:
    flows = set(ontology.subjects(RDFS.subPropertyOf, VCNS.flowsTo))
    financial = set(ontology.subjects(RDFS.subPropertyOf, VCNS.hasFinancialStakeIn))
    assert flows == {rdflib.URIRef(i) for i in vocabulary.FLOW_RELATIONS.values()}
    assert financial == {rdflib.URIRef(i) for i in vocabulary.FINANCIAL_RELATIONS.values()}


@pytest.mark.parametrize("table_name", list(SCHEMES))
def test_concept_scheme_holds_exactly_the_concepts_of_vocabulary_py(
    ontology: rdflib.Graph, table_name: str
) -> None:
    table, scheme_name = SCHEMES[table_name]
    scheme = VCNS[scheme_name]
    assert (scheme, RDF.type, SKOS.ConceptScheme) in ontology
    in_scheme = set(ontology.subjects(SKOS.inScheme, scheme))
    assert in_scheme == {rdflib.URIRef(iri) for iri in table.values()}
    for slug, iri in table.items():
        concept = rdflib.URIRef(iri)
        assert (concept, RDF.type, SKOS.Concept) in ontology
        assert [str(n) for n in ontology.objects(concept, SKOS.notation)] == [slug]
        assert ontology.value(concept, SKOS.prefLabel) is not None, slug
        assert ontology.value(concept, SKOS.definition) is not None, slug


def test_mne_guidelines_chapters_are_the_top_concepts_of_the_impact_taxonomy(
    ontology: rdflib.Graph,
) -> None:
    scheme = VCNS.ImpactCategories
    tops = set(ontology.subjects(SKOS.topConceptOf, scheme))
    assert tops == {rdflib.URIRef(vocabulary.CATEGORIES[c]) for c in vocabulary.CHAPTERS}
    assert set(ontology.objects(scheme, SKOS.hasTopConcept)) == tops
    for chapter in tops:
        assert ontology.value(chapter, SKOS.broader) is None


def test_narrower_categories_have_the_broader_chapters_of_vocabulary_py(
    ontology: rdflib.Graph,
) -> None:
    for slug, chapters in vocabulary.NARROWER_CATEGORIES.items():
        concept = rdflib.URIRef(vocabulary.CATEGORIES[slug])
        broader = set(ontology.objects(concept, SKOS.broader))
        assert broader == {rdflib.URIRef(vocabulary.CATEGORIES[c]) for c in chapters}, slug


def test_every_vc_term_used_in_the_shapes_is_declared_in_the_ontology(
    ontology: rdflib.Graph,
) -> None:
    shapes = rdflib.Graph()
    for file in sorted(SHAPES.rglob("*.ttl")):
        shapes.parse(file, format="turtle")
    assert len(shapes) > 0
    assert vc_terms(shapes) - declared(ontology) == set()


def test_every_vc_term_used_in_the_rdf_files_of_data_is_declared(
    ontology: rdflib.Graph,
) -> None:
    # Checks the data files that exist; the demo data may be CSV only, which uses slugs.
    files = sorted(p for p in DATA.rglob("*") if p.suffix in {".ttl", ".nt", ".trig", ".nq"})
    known = declared(ontology)
    for file in files:
        fmt = ox.RdfFormat.from_extension(file.suffix[1:])
        assert fmt is not None
        used = {
            term.value
            for quad in ox.parse(path=str(file), format=fmt)
            for term in (quad.predicate, quad.object)
            if isinstance(term, ox.NamedNode) and term.value.startswith(VC)
        }
        assert {rdflib.URIRef(u) for u in used} - known == set(), file


def test_concept_classes_are_declared_as_ranges_of_the_vocabulary_properties(
    ontology: rdflib.Graph,
) -> None:
    ranges = {
        "role": "ActorRole",
        "sector": "Sector",
        "category": "ImpactCategory",
        "status": "ImpactStatus",
        "mode": "InvolvementMode",
        "basis": "LeverageBasis",
        "responseType": "ResponseType",
        "responseStatus": "ResponseStatus",
        "initiativeKind": "InitiativeKind",
        "assertion": "AssertionStatus",
        "productKind": "ProductKind",
        "chapter": "GuidelinesChapter",
        "instanceStatus": "InstanceStatus",
        "instanceOutcome": "InstanceOutcome",
    }
    for prop, cls in ranges.items():
        assert ontology.value(VCNS[prop], RDFS.range) == VCNS[cls], prop
        assert (VCNS[cls], RDFS.subClassOf, SKOS.Concept) in ontology


def test_scope_is_declared_for_both_its_uses_without_an_owl_property_type(
    ontology: rdflib.Graph,
) -> None:
    # vc:scope is a severity integer on impacts and a category on initiatives: typing it as an
    # OWL datatype or object property would make one of the two uses wrong.
    range_includes = rdflib.URIRef(SCHEMA + "rangeIncludes")
    assert set(ontology.objects(VCNS.scope, DOMAIN_INCLUDES)) == {
        VCNS.AdverseImpact,
        VCNS.Initiative,
    }
    assert set(ontology.objects(VCNS.scope, range_includes)) == {
        rdflib.URIRef("http://www.w3.org/2001/XMLSchema#integer"),
        VCNS.ImpactCategory,
    }
    assert set(ontology.objects(VCNS.scope, RDF.type)) == {RDF.Property}


@pytest.mark.parametrize("name", ["product", "madeFrom", "broaderProduct"])
def test_product_properties_point_to_products_and_products_are_no_skos_concepts(
    ontology: rdflib.Graph, name: str
) -> None:
    assert ontology.value(VCNS[name], RDFS.range) == VCNS.Product
    assert (VCNS.Product, RDFS.subClassOf, SKOS.Concept) not in ontology
    assert ontology.value(VCNS[name], RDFS.subPropertyOf) != SKOS.broader
