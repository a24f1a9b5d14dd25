"""A self-describing endpoint with readable RDF and errors.

HTML for a browser at ``/sparql``, the service description and VoID in RDF, JSON-LD with an
``@context``, Turtle with ``@prefix`` lines, and an unknown prefix named in the error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from valuechain_kg.api import ApiSettings, create_app
from valuechain_kg.cli import app as cli_app
from valuechain_kg.graph import KnowledgeGraph
from valuechain_kg.namespaces import PREFIXES

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACTORS = "CONSTRUCT { ?a a vc:Actor ; schema:name ?n } WHERE { ?a a vc:Actor ; schema:name ?n }"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return KnowledgeGraph.open(data=[CASES])


@pytest.fixture(scope="module")
def client(kg: KnowledgeGraph) -> Iterator[TestClient]:
    with TestClient(create_app(kg, ApiSettings())) as c:
        yield c


def _graph(body: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return set(ox.parse(body, format=fmt))


def test_a_browser_asking_sparql_without_a_query_gets_the_editor(client: TestClient) -> None:
    answer = client.get("/sparql", headers={"Accept": BROWSER})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert "/static/vendor/yasgui/yasgui.min.js" in answer.text
    config = answer.text.split('id="editor-config">')[1].split("</script>")[0]
    examples = {e["name"] for e in json.loads(config)["examples"]}
    assert "labour-impacts-actors-by-mode" in examples


@pytest.mark.parametrize("accept", [None, "*/*", "text/turtle", "application/rdf+xml"])
def test_rdf_clients_still_get_the_service_description(client: TestClient, accept: str) -> None:
    answer = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert not answer.headers["content-type"].startswith("text/html")
    assert SD.encode() in answer.content


def test_the_service_description_names_the_endpoint_and_the_ontology_graph(
    client: TestClient,
) -> None:
    answer = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert answer.text.startswith("@prefix")
    triples = _graph(answer.content, ox.RdfFormat.TURTLE)
    endpoint = ox.NamedNode(f"{client.base_url}/sparql")
    assert any(t.predicate.value == SD + "endpoint" and t.object == endpoint for t in triples)
    names = {t.object.value for t in triples if t.predicate.value == SD + "name"}
    assert names == {"https://w3id.org/valuechain"}


def test_void_counts_entities_per_class_and_triples_per_property(
    client: TestClient, kg: KnowledgeGraph
) -> None:
    answer = client.get("/void", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    store = ox.Store()
    store.extend(
        ox.Quad(t.subject, t.predicate, t.object)
        for t in _graph(answer.content, ox.RdfFormat.TURTLE)
    )
    partitions = {
        s["c"].value: int(s["n"].value)  # type: ignore[index]
        for s in store.query(
            f"SELECT ?c ?n {{ ?d <{VOID}classPartition> "
            f"[ <{VOID}class> ?c ; <{VOID}entities> ?n ] }}"
        )
    }
    actors = len(list(kg.sparql("SELECT DISTINCT ?a { ?a a vc:Actor }")))  # type: ignore[arg-type]
    assert partitions["https://w3id.org/valuechain#Actor"] == actors
    (names,) = store.query(
        f"SELECT ?n {{ ?d <{VOID}propertyPartition> [ <{VOID}property> <https://schema.org/name> ; "
        f"<{VOID}triples> ?n ] }}"
    )
    data_names = kg.store.oxigraph.quads_for_pattern(
        None, ox.NamedNode("https://schema.org/name"), None, ox.DefaultGraph()
    )
    assert int(names["n"].value) == len(list(data_names))  # type: ignore[index]


def test_construct_as_json_ld_has_the_project_context_and_compact_names(
    client: TestClient,
) -> None:
    answer = client.get(
        "/sparql", params={"query": ACTORS}, headers={"Accept": "application/ld+json"}
    )
    assert answer.status_code == 200
    document = answer.json()
    assert document["@context"] == PREFIXES
    node = next(n for n in document["@graph"] if n["@id"] == "vcid:apple")
    assert node["@type"] == ["vc:Actor"] and node["schema:name"] == [{"@value": "Apple Inc."}]
    # the same triples as the N-Triples answer, read back by a JSON-LD parser
    plain = client.get(
        "/sparql", params={"query": ACTORS}, headers={"Accept": "application/n-triples"}
    )
    assert _graph(answer.content, ox.RdfFormat.JSON_LD) == _graph(
        plain.content, ox.RdfFormat.N_TRIPLES
    )


def test_construct_as_turtle_has_prefix_lines(client: TestClient) -> None:
    answer = client.get("/sparql", params={"query": ACTORS}, headers={"Accept": "text/turtle"})
    assert "@prefix vcid: <https://w3id.org/valuechain/id/> ." in answer.text
    assert "vcid:apple" in answer.text


def test_an_unknown_prefix_is_named_with_the_known_ones(client: TestClient) -> None:
    answer = client.get("/sparql", params={"query": "SELECT * WHERE {\n  ?s foo:bar ?o }"})
    assert answer.status_code == 400
    problem = answer.json()
    assert "unknown prefix 'foo:'" in problem["detail"]
    assert all(f"{p}:" in problem["detail"] for p in PREFIXES)
    assert (problem["line"], problem["column"]) == (2, 6)


def test_cli_construct_with_format_json_gives_json_ld() -> None:
    runner = CliRunner()
    result = runner.invoke(cli_app, ["sparql", ACTORS, "--data", str(CASES), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["@context"]["vc"] == "https://w3id.org/valuechain#"
    refused = runner.invoke(cli_app, ["sparql", ACTORS, "--data", str(CASES), "--format", "csv"])
    assert refused.exit_code == 2
    assert "JSON-LD" in refused.output


def test_an_iri_resolves_to_its_explorer_page(client: TestClient) -> None:
    def where(iri: str) -> str:
        answer = client.get("/explore/resolve", params={"iri": iri}, follow_redirects=False)
        assert answer.status_code == 303
        return answer.headers["location"]

    assert where("https://w3id.org/valuechain/id/apple") == "/explore/actors/apple"
    assert where("https://w3id.org/valuechain/id/cobalt-child-labour-drc") == (
        "/explore/impacts/cobalt-child-labour-drc"
    )
    assert where("https://w3id.org/valuechain#Actor").startswith("/sparql?query=DESCRIBE")
