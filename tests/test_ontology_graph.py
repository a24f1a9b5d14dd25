"""The ontology in the store: loaded with the data into its own graph, seen from the default graph.

REST's ``category=`` filter reads the hierarchy from the code's vocabulary; SPARQL reads it from
the ontology in the store. The two must give the same impacts for every category.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from valuechain_kg.api import ApiSettings, create_app
from valuechain_kg.graph import KnowledgeGraph
from valuechain_kg.store.ontology import ONTOLOGY_GRAPH, ontology_quads
from valuechain_kg.vocabulary import CATEGORIES

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"

IMPACTS_UNDER = """
SELECT DISTINCT ?impact WHERE {
  ?impact a vc:AdverseImpact ; vc:category ?c .
  ?c skos:broader* ?top . ?top skos:notation ?slug .
}"""


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return KnowledgeGraph.open(data=[CASES])


@pytest.fixture(scope="module")
def client(kg: KnowledgeGraph) -> Iterator[TestClient]:
    with TestClient(create_app(kg, ApiSettings())) as c:
        yield c


def _values(results: object, name: str) -> list[str]:
    return [s[name].value for s in results]  # type: ignore[attr-defined]


def test_the_ontology_sits_in_its_own_graph_not_in_the_default_graph(kg: KnowledgeGraph) -> None:
    store = kg.store.oxigraph
    held = set(store.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH))
    assert held == set(ontology_quads())
    broader = ox.NamedNode("http://www.w3.org/2004/02/skos/core#broader")
    assert not list(store.quads_for_pattern(None, broader, None, ox.DefaultGraph()))


def test_a_query_naming_no_dataset_climbs_the_hierarchy(kg: KnowledgeGraph) -> None:
    found = _values(
        kg.sparql("SELECT ?b { ?c skos:notation 'child-labour' ; skos:broader+ ?b . } ORDER BY ?b"),
        "b",
    )
    assert found == [
        "https://w3id.org/valuechain#category-employment",
        "https://w3id.org/valuechain#category-human-rights",
    ]


def test_a_query_with_from_reads_only_the_graphs_it_names(kg: KnowledgeGraph) -> None:
    count = "SELECT (COUNT(*) AS ?n) FROM <{}> {{ ?s ?p ?o }}"
    (in_ontology,) = _values(kg.sparql(count.format(ONTOLOGY_GRAPH.value)), "n")
    assert int(in_ontology) == len(ontology_quads())
    (elsewhere,) = _values(kg.sparql(count.format("urn:vckg:test:absent")), "n")
    assert int(elsewhere) == 0


def test_loading_again_adds_nothing_and_reports_no_ontology_quads(kg: KnowledgeGraph) -> None:
    size = len(kg.store)
    assert kg.load([CASES]) == 0
    assert len(kg.store) == size


def test_an_outdated_ontology_graph_is_replaced_by_the_next_load() -> None:
    kg = KnowledgeGraph.open(data=[CASES])
    stale = ox.Quad(
        ox.NamedNode("https://w3id.org/valuechain#OldTerm"),
        ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
        ox.Literal("old"),
        ONTOLOGY_GRAPH,
    )
    kg.store.add([stale])
    kg.load([CASES])
    assert set(kg.store.oxigraph.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH)) == set(
        ontology_quads()
    )


@pytest.mark.parametrize("slug", sorted(CATEGORIES))
def test_rest_category_filter_and_the_sparql_hierarchy_agree(
    client: TestClient, kg: KnowledgeGraph, slug: str
) -> None:
    answer = client.get("/impacts", params={"category": slug})
    assert answer.status_code == 200
    rest = {impact["iri"] for impact in answer.json()["impacts"]}
    slug_term = ox.Literal(slug)
    sparql = set(_values(kg.sparql(IMPACTS_UNDER.replace("?slug", str(slug_term))), "impact"))
    assert rest == sparql


def test_a_chapter_filter_reaches_impacts_filed_under_narrower_categories(
    client: TestClient,
) -> None:
    impacts = client.get("/impacts", params={"category": "human-rights"}).json()["impacts"]
    assert {"human-rights"} < {impact["category"] for impact in impacts}
