"""validation.reference.validate: origins, verdict, order, JSON and the curator's table."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rich.console import Console
from test_shapes import MUTATIONS

from valuechain_kg.cli.output import render_validation
from valuechain_kg.errors import Location
from valuechain_kg.namespaces import RDF_TYPE, VC, sparql_prefixes
from valuechain_kg.store import GraphStore
from valuechain_kg.validation import ValidationReport, validate_store
from valuechain_kg.validation.compiled.values import to_rdflib_term
from valuechain_kg.validation.reference import validate

FIXTURE = Path(__file__).parent / "fixtures" / "shapes" / "cobalt_chain.ttl"
ID = "https://w3id.org/valuechain/id/"
SCHEMA_NAME = ox.NamedNode("https://schema.org/name")
A = ox.NamedNode(RDF_TYPE)


def chain() -> list[ox.Quad]:
    return list(ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TURTLE))


def without(quads: list[ox.Quad], subject: str, predicate: str) -> list[ox.Quad]:
    return [q for q in quads if not (q.subject.value == subject and q.predicate.value == predicate)]


def bare_actor(local: str) -> ox.Quad:
    """An actor with a type only: no name, no role (two violations), no country (a warning)."""
    return ox.Quad(ox.NamedNode(ID + local), A, ox.NamedNode(VC + "Actor"))


@pytest.fixture
def broken() -> ValidationReport:
    quads = without(
        chain(), ID + "child-labour-kolwezi", "http://www.w3.org/ns/prov#wasDerivedFrom"
    )
    quads += [bare_actor("zeta"), bare_actor("alpha")]
    origins = {
        ID + "child-labour-kolwezi": Location("impacts.csv", 2),
        ID + "zeta": Location("actors.csv", 7),
    }
    return validate(quads, origins=origins)


def test_a_result_carries_the_csv_file_and_line_of_its_focus_node(
    broken: ValidationReport,
) -> None:
    missing_source = [r for r in broken.results if r.focus_node == ID + "child-labour-kolwezi"]
    assert len(missing_source) == 1
    assert (missing_source[0].source_file, missing_source[0].source_line) == ("impacts.csv", 2)
    assert missing_source[0].where == "impacts.csv:2"
    assert "needs a source" in missing_source[0].message


def test_a_result_without_known_origin_is_located_by_its_focus_node(
    broken: ValidationReport,
) -> None:
    alpha = [r for r in broken.results if r.focus_node == ID + "alpha"]
    assert alpha and all(r.source_file is None and r.source_line is None for r in alpha)
    assert {r.where for r in alpha} == {"vcid:alpha"}


def test_violations_make_the_data_not_conform(broken: ValidationReport) -> None:
    assert not broken.conforms
    assert len(broken.violations) == 5  # impact source; name and role of two actors
    assert len(broken.warnings) == 6  # label, country and source of the two bare actors
    assert {r.severity for r in broken.violations} == {"Violation"}


def test_warnings_alone_still_conform() -> None:
    quads = without(chain(), ID + "mine", VC + "country")
    report = validate(quads)
    assert report.conforms
    assert report.violations == []
    assert [(r.focus_node, r.path, r.severity) for r in report.warnings] == [
        (ID + "mine", VC + "country", "Warning")
    ]


def test_results_are_ordered_by_severity_then_focus_node_then_path(
    broken: ValidationReport,
) -> None:
    keys = [(r.severity != "Violation", r.focus_node, r.path or "") for r in broken.results]
    assert keys == sorted(keys)
    assert broken.results[0].focus_node == ID + "alpha"


def test_the_same_data_gives_the_same_report_twice() -> None:
    quads = [*chain(), bare_actor("zeta"), bare_actor("alpha")]
    assert validate(quads) == validate(list(reversed(quads)))


def test_to_json_is_a_json_document_with_counts_and_results(broken: ValidationReport) -> None:
    document = json.loads(json.dumps(broken.to_json()))
    assert document["conforms"] is False
    assert document["violations"] == len(broken.violations)
    assert document["warnings"] == len(broken.warnings)
    first = document["results"][0]
    assert set(first) == {
        "focus_node",
        "path",
        "value",
        "message",
        "severity",
        "shape",
        "source_file",
        "source_line",
    }


def test_render_prints_where_property_message_and_a_summary(broken: ValidationReport) -> None:
    console = Console(record=True, width=200)
    render_validation(broken, console)
    text = console.export_text()
    assert "impacts.csv:2" in text
    assert "prov:wasDerivedFrom" in text
    assert "An impact needs a source" in text
    assert "vcid:alpha" in text
    assert "does not conform: 5 violations, 6 warnings." in text


def test_render_of_clean_data_is_one_summary_line() -> None:
    console = Console(record=True, width=120)
    render_validation(validate(chain()), console)
    assert console.export_text().strip() == "The data conforms: 0 violations, 0 warnings."


def test_quads_in_named_graphs_are_not_validated() -> None:
    graph = ox.NamedNode("https://example.org/graph")
    quad = bare_actor("elsewhere")
    report = validate([ox.Quad(quad.subject, quad.predicate, quad.object, graph)])
    assert report.conforms and report.results == []


def test_a_custom_shapes_file_replaces_the_project_shapes(tmp_path: Path) -> None:
    shapes = tmp_path / "only-names.ttl"
    shapes.write_text(
        """@prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix schema: <https://schema.org/> .
        <urn:shape> a sh:NodeShape ; sh:targetClass <https://w3id.org/valuechain#Actor> ;
            sh:property [ sh:path schema:name ; sh:minCount 1 ; sh:severity sh:Warning ;
                          sh:message "Name it." ] .
        """,
        encoding="utf-8",
    )
    report = validate([bare_actor("x")], shapes=shapes)
    assert report.conforms
    assert [(r.message, r.severity, r.shape) for r in report.results] == [
        ("Name it.", "Warning", None)
    ]


def test_an_ill_typed_number_is_reported_with_its_value() -> None:
    quads = without(chain(), ID + "leverage/brand--mine--ownership", VC + "strength")
    quads.append(
        ox.Quad(
            ox.NamedNode(ID + "leverage/brand--mine--ownership"),
            ox.NamedNode(VC + "strength"),
            ox.Literal("strong", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
        )
    )
    report = validate(quads)
    assert [(r.path, r.value) for r in report.violations] == [(VC + "strength", "strong")]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        (ox.Literal("Kolwezi"), "Kolwezi"),
        (ox.Literal("Kolwezi", language="fr"), "Kolwezi"),
        (ox.Literal("4", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")), 4),
    ],
)
def test_literals_keep_their_value_language_and_datatype(
    term: ox.Literal, expected: object
) -> None:
    converted = to_rdflib_term(term)
    assert converted.toPython() == expected
    assert getattr(converted, "language", None) == term.language
    if term.datatype.value.endswith("#string"):
        assert getattr(converted, "datatype", None) is None


# --- validating some nodes of a store ------------------------------------------------------------


def store_of(quads: list[ox.Quad]) -> GraphStore:
    store = GraphStore()
    store.add(quads)
    return store


def subjects(quads: list[ox.Quad]) -> list[str]:
    return sorted({q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)})


@pytest.mark.parametrize("case", list(MUTATIONS), ids=list(MUTATIONS))
def test_validating_some_nodes_gives_the_full_verdict_on_those_nodes(case: str) -> None:
    store = ox.Store()
    store.load(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)
    store.update(sparql_prefixes() + MUTATIONS[case].update)
    quads = list(store.quads_for_pattern(None, None, None, None))
    full = validate(quads)
    # Every other node, so that each side of a relationship is sometimes left out.
    focus = set(subjects(quads)[int(len(case) % 2) :: 2])

    part = validate_store(store_of(quads), focus_nodes=focus)

    assert part.results == [r for r in full.results if r.focus_node in focus]
    assert part.conforms is all(r.severity != "Violation" for r in part.results)


def test_validating_every_node_equals_a_full_run(broken: ValidationReport) -> None:
    quads = without(
        chain(), ID + "child-labour-kolwezi", "http://www.w3.org/ns/prov#wasDerivedFrom"
    )
    quads += [bare_actor("zeta"), bare_actor("alpha")]
    part = validate_store(store_of(quads), focus_nodes=set(subjects(quads)))
    assert [
        r.model_copy(update={"source_file": None, "source_line": None}) for r in broken.results
    ] == (part.results)


def test_validating_one_node_reports_only_that_node_and_its_origin() -> None:
    quads = [*chain(), bare_actor("zeta")]
    origins = {ID + "zeta": Location("actors.csv", 9)}
    report = validate_store(store_of(quads), focus_nodes={ID + "zeta"}, origins=origins)
    assert not report.conforms
    assert {r.focus_node for r in report.results} == {ID + "zeta"}
    assert {r.where for r in report.results} == {"actors.csv:9"}
    assert validate_store(store_of(quads), focus_nodes={ID + "mine"}).results == []
