"""The compiled SHACL engine gives pyshacl's verdicts, result for result.

``validation.reference.validate`` (pyshacl) is the reference. Each test builds some data, runs both
engines and compares the full results: focus node, path, value, message, severity, shape and
CSV origin, in the same order.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.test_shapes import MUTATIONS, chain_store
from valuechain_kg.datasets import synthetic as synth
from valuechain_kg.errors import ShapeCompileError, VckgError
from valuechain_kg.ingest import read_sources
from valuechain_kg.namespaces import sparql_prefixes
from valuechain_kg.validation import ValidationReport, validate_quads, validate_store
from valuechain_kg.validation.reference import validate

ROOT = Path(__file__).resolve().parents[1]


def assert_same(reference: ValidationReport, compiled: ValidationReport) -> None:
    assert set(compiled.results) == set(reference.results)
    assert [r.sort_key() for r in compiled.results] == [r.sort_key() for r in reference.results]
    assert compiled.conforms is reference.conforms


def all_quads(store: ox.Store) -> list[ox.Quad]:
    return list(store.quads_for_pattern(None, None, None, None))


@pytest.mark.parametrize("folder", ["data/cases", "data/apple-suppliers-2022", "data"])
def test_demo_data_gets_the_same_report_with_its_csv_origins(folder: str) -> None:
    result = read_sources([ROOT / folder])
    reference = validate(result.quads, result.origins)
    compiled = validate_quads(result.quads, result.origins)
    assert_same(reference, compiled)
    assert compiled.results == reference.results


@pytest.mark.parametrize("case", list(MUTATIONS), ids=list(MUTATIONS))
def test_each_broken_constraint_of_the_shape_fixture_gets_the_same_report(case: str) -> None:
    store = chain_store()
    store.update(sparql_prefixes() + MUTATIONS[case].update)
    reference = validate(all_quads(store))
    compiled = validate_store(store)
    assert reference.results, "the mutation must break something"
    assert_same(reference, compiled)


@pytest.mark.parametrize("seed", [1, 2])
def test_synthetic_value_chain_of_a_thousand_actors_gets_the_same_report(seed: int) -> None:
    quads = list(synth.generate(1000, seed=seed))
    assert_same(validate(quads), validate_quads(quads))


# Random graphs: the shape fixture with random triples dropped and random triples added, drawn
# from the shapes' own vocabulary, so that every kind of breakage appears: missing values,
# out-of-range and ill-typed numbers, wrong datatypes, self-loops, unknown words, extra values.

VC = "https://w3id.org/valuechain#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _shape_vocabulary() -> tuple[list[ox.NamedNode], list[ox.NamedNode]]:
    """Predicates and IRI values mentioned by the shapes (paths, classes, sh:in members)."""
    import rdflib

    from valuechain_kg.validation import load_shapes

    graph = load_shapes()
    predicates: set[str] = set()
    iris: set[str] = set()
    for _s, p, o in graph:
        if isinstance(o, rdflib.URIRef) and not str(o).startswith("http://www.w3.org/ns/shacl#"):
            (predicates if str(p).endswith(("path", "inversePath")) else iris).add(str(o))
        if str(p).endswith("#first") and isinstance(o, rdflib.URIRef):
            iris.add(str(o))
    predicates |= {VC + "investsIn", VC + "sellsTo", VC + "owes"}
    iris |= {VC + "role-wizard", VC + "Alleged", "https://example.org/elsewhere"}
    return [ox.NamedNode(p) for p in sorted(predicates)], [ox.NamedNode(i) for i in sorted(iris)]


PREDICATES, IRI_VALUES = _shape_vocabulary()
CLASSES = [
    ox.NamedNode(VC + c)
    for c in ("Actor", "BusinessRelationship", "AdverseImpact", "Involvement", "Leverage")
    + ("Initiative", "Response", "Site")
] + [ox.NamedNode("http://www.w3.org/ns/org#Membership")]


def _typed(text: str, datatype: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + datatype))


#: No two of these are equal after rdflib's normalisation (which would merge them).
LITERALS = [
    ox.Literal("CD"),
    ox.Literal("cd"),
    ox.Literal("CD\n"),
    ox.Literal("Congo"),
    ox.Literal("0.2"),
    ox.Literal("a name", language="en"),
    ox.Literal("529900T8BM49AURSDO56"),
    _typed("0.5", "decimal"),
    _typed("1.5", "decimal"),
    _typed("-0.1", "decimal"),
    _typed("0.25", "double"),
    _typed("3", "integer"),
    _typed("5", "integer"),
    _typed("0", "integer"),
    _typed("02", "integer"),
    _typed("abc", "integer"),
    _typed("lots", "decimal"),
    _typed("2015-01-01", "date"),
    _typed("2014-12-31", "date"),
    _typed("2015-13-45", "date"),
    _typed("2015", "gYear"),
    _typed("2015-03", "gYearMonth"),
    _typed("true", "boolean"),
]


def _random_graph(data: object) -> list[ox.Quad]:
    from hypothesis import strategies as st

    draw = data.draw  # type: ignore[attr-defined]
    base = all_quads(chain_store())
    dropped = draw(st.sets(st.integers(0, len(base) - 1), max_size=10), label="dropped")
    kept = [q for i, q in enumerate(base) if i not in dropped]
    nodes = sorted({q.subject for q in base}, key=str)
    node = st.sampled_from(nodes)
    value = st.one_of(node, st.sampled_from(IRI_VALUES), st.sampled_from(LITERALS))
    typed = st.tuples(node, st.just(RDF_TYPE), st.sampled_from(CLASSES))
    triple = st.tuples(node, st.sampled_from(PREDICATES), value)
    loop = node.flatmap(lambda n: st.tuples(st.just(n), st.sampled_from(PREDICATES), st.just(n)))
    added = draw(st.lists(st.one_of(triple, typed, loop), max_size=12), label="added")
    return kept + [ox.Quad(s, p, o) for s, p, o in added]


def test_random_breakages_of_a_value_chain_get_the_same_report() -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data: object) -> None:
        quads = _random_graph(data)
        assert_same(validate(quads), validate_quads(quads))

    check()


def test_checking_some_focus_nodes_gives_the_full_runs_results_about_them() -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data: object) -> None:
        store = ox.Store()
        store.extend(_random_graph(data))
        iris = sorted({q.subject.value for q in all_quads(store)})
        some = st.lists(st.sampled_from(iris), max_size=4) if iris else st.just([])
        focus = set(data.draw(some))  # type: ignore[attr-defined]
        full = validate_store(store)
        expected = [r for r in full.results if r.focus_node in focus]
        assert validate_store(store, focus_nodes=focus).results == expected

    check()


def test_the_facade_reports_on_store_plus_new_data_as_pyshacl_does() -> None:
    from valuechain_kg.graph import KnowledgeGraph

    kg = KnowledgeGraph.open(data=[ROOT / "data" / "cases"])
    new = read_sources([ROOT / "data" / "apple-suppliers-2022"])
    broken = [*new.quads, *all_quads(_broken_chain())]
    reference = validate([*kg.store.quads(), *broken], origins=new.origins)
    assert kg.validate_with(broken, new.origins).results == reference.results
    assert not reference.conforms
    assert kg.validate_with().results == validate(list(kg.store.quads())).results


def _broken_chain() -> ox.Store:
    store = chain_store()
    store.update(sparql_prefixes() + MUTATIONS["actor without name"].update)
    return store


UNSUPPORTED_SHAPES = {
    "sh:sparql": """
        <urn:shape:no-self-loops> a sh:NodeShape ; sh:targetClass vc:Actor ;
            sh:sparql [ sh:select "SELECT $this WHERE { $this ?p $this }" ] .
    """,
    "sh:qualifiedValueShape": """
        <urn:shape:one-named-site> a sh:NodeShape ; sh:targetClass vc:Actor ;
            sh:property <urn:shape:one-named-site-property> .
        <urn:shape:one-named-site-property> sh:path vc:hasSite ;
            sh:qualifiedValueShape [ sh:class vc:Site ] ; sh:qualifiedMinCount 1 ;
            sh:message "An actor needs a site." .
    """,
}


@pytest.mark.parametrize("construct", list(UNSUPPORTED_SHAPES))
def test_a_shape_the_compiler_cannot_run_is_refused_naming_construct_and_shape(
    construct: str, tmp_path: Path
) -> None:
    shapes = tmp_path / "unsupported.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix vc: <https://w3id.org/valuechain#> .\n" + UNSUPPORTED_SHAPES[construct],
        encoding="utf-8",
    )
    actor = ox.Quad(
        ox.NamedNode("https://w3id.org/valuechain/id/acme"),
        RDF_TYPE,
        ox.NamedNode("https://w3id.org/valuechain#Actor"),
    )
    store = ox.Store()
    store.add(actor)
    for run in (
        lambda: validate_store(store, shapes=shapes),
        lambda: validate_quads([actor], shapes=shapes),
    ):
        with pytest.raises(ShapeCompileError) as caught:
            run()
        assert isinstance(caught.value, VckgError)
        assert construct in str(caught.value)
        assert caught.value.construct.endswith(construct)
        assert caught.value.shape.startswith("urn:shape:")
        assert caught.value.shape in str(caught.value)


# --- the full run over large targets (candidates first) and in two processes ----------------


@pytest.fixture(params=["counted-apart", "counted-together"])
def large_store_mode(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Make every target count as large and every VALUES chunk tiny, so small data goes
    through the path a million-actor store takes (candidates first, chunked, shared): with
    each plan's counts decided by its own queries, and by one pass per group of plans."""
    from valuechain_kg.validation.compiled import engine

    monkeypatch.setattr(engine, "_LARGE_TARGETS", 0)
    monkeypatch.setattr(engine, "_CHUNK", 2)
    if request.param == "counted-together":
        monkeypatch.setattr(engine, "_COUNT_TOGETHER_FROM", 0)


@pytest.mark.parametrize("case", list(MUTATIONS), ids=list(MUTATIONS))
def test_broken_constraints_get_the_same_report_when_targets_are_large(
    case: str, large_store_mode: None
) -> None:
    store = chain_store()
    store.update(sparql_prefixes() + MUTATIONS[case].update)
    assert_same(validate(all_quads(store)), validate_store(store))


def test_random_breakages_get_the_same_report_when_targets_are_large(
    large_store_mode: None,
) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data: object) -> None:
        quads = _random_graph(data)
        assert_same(validate(quads), validate_quads(quads))

    check()


@pytest.mark.parametrize("together", [False, True], ids=["counted-apart", "counted-together"])
def test_a_full_run_split_over_two_processes_gives_the_same_report(
    together: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from valuechain_kg.validation.compiled import compile_shapes, engine, run_plans
    from valuechain_kg.validation.shapes import load_shapes

    if together:
        monkeypatch.setattr(engine, "_LARGE_TARGETS", 0)
        monkeypatch.setattr(engine, "_COUNT_TOGETHER_FROM", 0)

    store = chain_store()
    for case in ("actor without name", *list(MUTATIONS)[:6]):
        store.update(sparql_prefixes() + MUTATIONS[case].update)
    plans = compile_shapes(load_shapes(None))
    one = run_plans(store, plans, None, {}, processes=1)
    two = run_plans(store, plans, None, {}, processes=2)
    assert one.results, "the mutations must break something"
    assert two.results == one.results
    assert_same(validate(all_quads(store)), two)


def _beside_running() -> bool:
    """Whether the thread a full run starts for work alongside it is still there."""
    import threading

    return any(thread.name == "beside" for thread in threading.enumerate())


@pytest.mark.parametrize("processes", [1, 2])
def test_work_alongside_a_full_run_runs_beside_its_first_plans_and_the_report_is_the_same(
    processes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    from valuechain_kg.validation.compiled import compile_shapes, engine, run_plans
    from valuechain_kg.validation.shapes import load_shapes

    store = chain_store()
    for case in ("actor without name", *list(MUTATIONS)[:6]):
        store.update(sparql_prefixes() + MUTATIONS[case].update)
    plans = compile_shapes(load_shapes(None))
    alone = run_plans(store, plans, None, {}, processes=processes)

    seen: list[tuple[float, str]] = []
    violations = engine._FullRun.violations

    def recorded(self: engine._FullRun, plan: engine.PropertyPlan):  # type: ignore[no-untyped-def]
        seen.append((time.monotonic(), threading.current_thread().name))
        return violations(self, plan)

    monkeypatch.setattr(engine._FullRun, "violations", recorded)
    window: list[float] = []

    def work() -> None:
        # Ends once the run has gone through a few plans, however fast the machine.
        window.append(time.monotonic())
        while len(seen) < 3 and time.monotonic() < window[0] + 30:
            time.sleep(0.001)
        window.append(time.monotonic())

    beside = run_plans(store, plans, None, {}, processes=processes, alongside=work)
    assert beside.results == alone.results
    assert len(window) == 2 and not _beside_running()
    here = [at for at, thread in seen if thread == threading.current_thread().name]
    # Plans ran here while the work ran, and (in this process) none ran in its thread.
    assert any(window[0] <= at <= window[1] for at in here)
    assert all(thread == threading.current_thread().name for _, thread in seen)
    # The rest waited for the work: in this process when it runs alone.
    if processes == 1:
        assert len(seen) == len(plans) and any(at > window[1] for at in here)


def test_an_error_alongside_a_full_run_is_raised_and_a_focused_run_does_the_work_first() -> None:

    from valuechain_kg.validation.compiled import compile_shapes, run_plans
    from valuechain_kg.validation.shapes import load_shapes

    store = chain_store()
    plans = compile_shapes(load_shapes(None))

    def broken() -> None:
        raise OSError("no space left on device")

    with pytest.raises(OSError, match="no space"):
        run_plans(store, plans, None, {}, processes=1, alongside=broken)
    assert not _beside_running()

    order: list[str] = []
    run = run_plans(
        store,
        plans,
        {"https://w3id.org/valuechain/id/brand"},
        {},
        alongside=lambda: order.append("work"),
    )
    assert order == ["work"] and run.conforms


# --- SPARQL targets written twice: for a few focus nodes and for the whole graph -------------

_WHOLE_GRAPH_CASES = {
    "conforming": "",
    "relationship without its direct triple": (
        "DELETE DATA { <https://w3id.org/valuechain/id/mine> vc:supplies "
        "<https://w3id.org/valuechain/id/refiner> }"
    ),
    "relationship with a second source, one without a direct triple": (
        "INSERT DATA { <https://w3id.org/valuechain/id/relationship/mine--supplies--refiner> "
        "vc:fromActor <https://w3id.org/valuechain/id/brand> }"
    ),
    "relationship of a type no triple uses": (
        "DELETE WHERE { <https://w3id.org/valuechain/id/relationship/mine--supplies--refiner> "
        "vc:relationshipType ?t } ; INSERT DATA { "
        "<https://w3id.org/valuechain/id/relationship/mine--supplies--refiner> "
        "vc:relationshipType vc:noSuchRelation }"
    ),
    "relationship without a type": (
        "DELETE WHERE { <https://w3id.org/valuechain/id/relationship/mine--supplies--refiner> "
        "vc:relationshipType ?t }"
    ),
    "a node with a relationship's properties but not its class": (
        "INSERT DATA { <https://w3id.org/valuechain/id/not-a-relationship> "
        "vc:fromActor <https://w3id.org/valuechain/id/brand> ; "
        "vc:toActor <https://w3id.org/valuechain/id/mine> ; vc:relationshipType vc:supplies }"
    ),
    "membership without its direct triple": (
        "DELETE DATA { <https://w3id.org/valuechain/id/brand> vc:memberOf "
        "<https://w3id.org/valuechain/id/rmi> }"
    ),
    "membership of a second initiative": (
        "INSERT DATA { <https://w3id.org/valuechain/id/membership/brand--rmi> "
        "org:organization <https://w3id.org/valuechain/id/refiner> }"
    ),
}


@pytest.mark.parametrize("case", list(_WHOLE_GRAPH_CASES), ids=list(_WHOLE_GRAPH_CASES))
def test_a_whole_graph_select_selects_what_its_sh_select_selects(case: str) -> None:
    """Every SPARQL target's vcsh:wholeGraphSelect gives the same focus nodes as its
    sh:select, on data that keeps and breaks what the target looks for."""
    import rdflib

    from valuechain_kg.validation.shapes import load_shapes

    shapes = load_shapes(None)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    whole_select = rdflib.URIRef("https://w3id.org/valuechain/shapes#wholeGraphSelect")
    store = chain_store()
    if _WHOLE_GRAPH_CASES[case]:
        store.update(sparql_prefixes() + _WHOLE_GRAPH_CASES[case])
    header = sparql_prefixes()
    pairs = [(shapes.value(t, sh.select), w) for t, w in shapes.subject_objects(whole_select)]
    assert len(pairs) >= 2, "the relationship and membership targets have whole-graph forms"
    selected = 0
    for select, whole in pairs:
        focused = {s["this"] for s in store.query(header + str(select))}  # type: ignore[union-attr]
        joined = {s["this"] for s in store.query(header + str(whole))}  # type: ignore[union-attr]
        assert joined == focused, (case, str(select))
        selected += len(focused)
    # A relationship without a type is another shape's violation; neither query selects it.
    expect_none = case in (
        "conforming",
        "relationship without a type",
        "a node with a relationship's properties but not its class",
    )
    assert (selected == 0) == expect_none, "each broken case selects a node"
