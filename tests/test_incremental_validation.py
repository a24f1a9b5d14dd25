"""Incremental SHACL validation of a change equals a full run on the changed store.

``validate_change(store, added, removed)`` checks only the focus nodes the change can affect,
over their neighbourhood. Each test builds a base store, a change, and the changed store, then
compares: the incremental results must be the full run's results about the affected nodes (and
pyshacl's), and every other node's results must be what they were before the change (so that
not reporting them again loses nothing).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from tests.test_shapes import MUTATIONS, chain_store
from tests.test_validation_sparql import CLASSES, IRI_VALUES, LITERALS, PREDICATES, RDF_TYPE
from valuechain_kg.cli import app
from valuechain_kg.datasets import synthetic as synth
from valuechain_kg.errors import ValidationFailed
from valuechain_kg.graph import KnowledgeGraph
from valuechain_kg.ingest import read_sources
from valuechain_kg.namespaces import DEFAULT_BASE, VC, sparql_prefixes
from valuechain_kg.service.writes import apply_validated_update
from valuechain_kg.store import GraphStore
from valuechain_kg.validation import ValidationReport, incremental, validate_change, validate_store
from valuechain_kg.validation.reference import validate

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ox.DefaultGraph()


def all_quads(store: ox.Store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, DEFAULT))


def store_of(quads: Iterable[ox.Quad]) -> ox.Store:
    store = ox.Store()
    store.extend(quads)
    return store


@pytest.fixture
def no_full_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make a silent fall-back to the full run fail the test: the incremental path is tested."""

    def refuse(*args: object, **kwargs: object) -> ValidationReport:
        raise AssertionError("validate_change fell back to a full run")

    monkeypatch.setattr(incremental, "_full", refuse)


def assert_incremental_is_exact(
    before: set[ox.Quad], added: set[ox.Quad], removed: set[ox.Quad]
) -> ValidationReport:
    """The differential check of the module docstring; returns the incremental report."""
    base = store_of(before)
    after = (before - removed) | added
    report = validate_change(base, added, removed)
    assert all_quads(base) == before, "the store must be left unchanged"
    focus = {
        node.value
        for node in incremental.affected_focus_nodes(
            base,
            added,
            removed,
            incremental.footprint(),  # type: ignore[arg-type]
        )
    }
    full_after = validate_store(store_of(after))
    full_before = validate_store(base)
    assert report.results == [r for r in full_after.results if r.focus_node in focus]
    assert [r for r in full_after.results if r.focus_node not in focus] == [
        r for r in full_before.results if r.focus_node not in focus
    ], "a node outside the affected set changed its results"
    assert report.conforms is not any(r.severity == "Violation" for r in report.results)
    return report


def test_every_shape_looks_at_most_one_step_from_its_focus_node() -> None:
    reach = incremental.footprint()
    assert reach is not None, "a shape looks further: re-read the shapes, extend footprint()"
    assert reach.backward == {VC + "hasSite"}
    assert (VC + "fromActor", VC + "toActor") in reach.pairs


def test_an_unanalysed_sparql_target_makes_incremental_validation_refuse(
    tmp_path: Path,
) -> None:
    shapes = (ROOT / "shapes" / "valuechain.ttl").read_text(encoding="utf-8")
    edited = shapes.replace("FILTER NOT EXISTS { ?member vc:memberOf ?initiative }", "")
    assert edited != shapes
    (tmp_path / "shapes.ttl").write_text(edited, encoding="utf-8")
    assert incremental.footprint(tmp_path / "shapes.ttl") is None


@pytest.mark.parametrize("case", list(MUTATIONS), ids=list(MUTATIONS))
def test_each_mutation_of_the_shape_fixture_validated_incrementally_equals_the_full_runs(
    case: str, no_full_run: None
) -> None:
    base = chain_store()
    before = all_quads(base)
    base.update(sparql_prefixes() + MUTATIONS[case].update)
    after = all_quads(base)
    added, removed = after - before, before - after
    report = assert_incremental_is_exact(before, added, removed)
    # The fixture conforms with no result at all, so the change's report is the whole report,
    # and it is pyshacl's.
    assert report.results == validate(list(after)).results
    assert report.results, "the mutation must break something"


@pytest.mark.parametrize("case", ["cobalt-drc", "myanmar-rohingya-facebook"])
def test_a_case_bundle_loaded_onto_the_other_cases_gets_the_full_runs_results(
    case: str, no_full_run: None
) -> None:
    folders = [p for p in sorted((ROOT / "data" / "cases").iterdir()) if p.name != case]
    before = set(read_sources(folders).quads)
    new = set(read_sources([ROOT / "data" / "cases" / case]).quads)
    assert_incremental_is_exact(before, new - before, set())


def test_a_broken_chain_added_to_a_synthetic_value_chain_is_reported_in_full(
    no_full_run: None,
) -> None:
    before = set(synth.generate(1000, seed=3))
    broken = chain_store()
    broken.update(sparql_prefixes() + MUTATIONS["relationship without type"].update)
    added = all_quads(broken)
    report = assert_incremental_is_exact(before, added, set())
    assert report.results == validate(list(added)).results


def _random_change(data: object, base: list[ox.Quad]) -> tuple[set[ox.Quad], set[ox.Quad]]:
    """Random triples about existing nodes from the shapes' vocabulary, and random removals."""
    from hypothesis import strategies as st

    draw = data.draw  # type: ignore[attr-defined]
    nodes = sorted({q.subject for q in base}, key=str)
    node = st.sampled_from(nodes)
    value = st.one_of(node, st.sampled_from(IRI_VALUES), st.sampled_from(LITERALS))
    typed = st.tuples(node, st.just(RDF_TYPE), st.sampled_from(CLASSES))
    triple = st.tuples(node, st.sampled_from(PREDICATES), value)
    loop = node.flatmap(lambda n: st.tuples(st.just(n), st.sampled_from(PREDICATES), st.just(n)))
    added = draw(st.lists(st.one_of(triple, typed, loop), max_size=8), label="added")
    dropped = draw(st.sets(st.integers(0, len(base) - 1), max_size=6), label="dropped")
    plus = {ox.Quad(s, p, o) for s, p, o in added} - set(base)
    return plus, {base[i] for i in dropped}


def test_random_changes_to_a_synthetic_value_chain_are_validated_exactly(
    no_full_run: None,
) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    base = sorted(synth.generate(300, seed=5), key=str)

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data: object) -> None:
        added, removed = _random_change(data, base)
        assert_incremental_is_exact(set(base), added, removed)

    check()


def test_random_changes_to_the_shape_fixture_agree_with_pyshacl(no_full_run: None) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    base = sorted(all_quads(chain_store()), key=str)

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data: object) -> None:
        added, removed = _random_change(data, base)
        report = assert_incremental_is_exact(set(base), added, removed)
        # The fixture has no result before the change: the change's report is pyshacl's.
        assert report.results == validate(list((set(base) - removed) | added)).results

    check()


def test_a_change_larger_than_a_third_of_the_store_falls_back_to_the_full_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    full = incremental._full

    def spy(*args: object, **kwargs: object) -> ValidationReport:
        calls.append(1)
        return full(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(incremental, "_full", spy)
    before = set(synth.generate(100, seed=1))
    added = {ox.Quad(q.subject, q.predicate, q.object) for q in synth.generate(100, seed=2)}
    added = {ox.Quad(ox.NamedNode(q.subject.value + "-copy"), q.predicate, q.object) for q in added}
    report = validate_change(store_of(before), added)
    assert calls == [1]
    assert report == validate_store(store_of(before | added))
    small = {ox.Quad(ox.NamedNode(VC + "x"), ox.NamedNode(VC + "y"), ox.Literal("z"))}
    validate_change(store_of(before), small)
    assert calls == [1], "a small change is validated incrementally"


def test_a_change_into_an_empty_store_is_the_full_run_of_the_change() -> None:
    added = all_quads(chain_store())
    assert validate_change(ox.Store(), added).results == validate(list(added)).results


# --- vckg load onto a store that holds data ------------------------------------------------

runner = CliRunner()


def _triples(store: Path) -> int:
    graph = GraphStore(store)
    try:
        return len(graph)
    finally:
        graph.close()


def test_load_onto_a_store_with_data_rejects_a_new_file_with_a_violation(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = runner.invoke(app, ["load", str(ROOT / "data" / "cases"), "--store", str(store)])
    assert first.exit_code == 0, first.output
    held = _triples(store)
    broken = chain_store()
    broken.update(sparql_prefixes() + MUTATIONS["leverage without source"].update)
    new = tmp_path / "broken.nt"
    new.write_bytes(broken.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=DEFAULT) or b"")

    result = runner.invoke(app, ["load", str(new), "--store", str(store)])

    assert result.exit_code != 0
    assert "The data does not conform: 1 violation, 0 warnings." in result.output
    assert "nothing was loaded" in result.output
    assert _triples(store) == held


def test_load_checks_new_rows_together_with_what_the_store_holds(tmp_path: Path) -> None:
    # Alone the new row is fine; with the store it gives an existing actor a second country.
    store = tmp_path / "store"
    first = runner.invoke(app, ["load", str(ROOT / "data" / "cases"), "--store", str(store)])
    assert first.exit_code == 0, first.output
    held = _triples(store)
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "actors.csv").write_text(
        "id,name,role,country,sector,lei,wikidata,website,source_url\n"
        "huayou-cobalt,Zhejiang Huayou Cobalt Co. Ltd.,manufacturer,FR,extractives,,,,"
        "https://example.org/source\n",
        encoding="utf-8",
    )
    alone = runner.invoke(app, ["validate", str(bundle)])
    assert alone.exit_code == 0, alone.output

    result = runner.invoke(app, ["load", str(bundle), "--store", str(store)])

    assert result.exit_code != 0
    assert "The data does not conform: 1 violation" in result.output
    assert _triples(store) == held
    kg = KnowledgeGraph.open(store)
    try:
        with pytest.raises(ValidationFailed) as failed:
            kg.load([bundle])
    finally:
        kg.close()
    [violation] = failed.value.report.violations
    assert violation.shape.endswith("#actor-country-one")
    assert violation.focus_node == DEFAULT_BASE + "huayou-cobalt"
    assert (violation.source_file, violation.source_line) == (str(bundle / "actors.csv"), 2)


# --- SPARQL updates through /sparql ---------------------------------------------------------


def _cases_store() -> GraphStore:
    store = GraphStore()
    store.add(read_sources([ROOT / "data" / "cases"]).quads)
    return store


def test_an_update_that_untypes_an_actor_breaks_the_relationships_pointing_at_it(
    no_full_run: None,
) -> None:
    # The deleted triple is about the actor; the Violation is about the relationships whose
    # sh:class check reads it: the affected set reaches back one step.
    store = _cases_store()
    before = all_quads(store.oxigraph)
    actor = f"<{DEFAULT_BASE}huayou-cobalt>"
    with pytest.raises(ValidationFailed) as failed:
        apply_validated_update(store, f"DELETE DATA {{ {actor} a <{VC}Actor> }}")
    report = failed.value.report
    assert all_quads(store.oxigraph) == before
    shapes = {r.shape.split("#")[1] for r in report.violations}
    assert {"relationship-from-actor", "relationship-to-actor"} <= shapes
    after = before - {ox.Quad(ox.NamedNode(actor[1:-1]), RDF_TYPE, ox.NamedNode(VC + "Actor"))}
    full = validate(list(after))
    assert set(report.violations) == set(full.violations)


def test_an_accepted_update_writes_exactly_its_difference(no_full_run: None) -> None:
    store = _cases_store()
    before = all_quads(store.oxigraph)
    actor = f"{DEFAULT_BASE}huayou-cobalt"
    outcome = apply_validated_update(
        store,
        f"DELETE {{ <{actor}> <{VC}lei> ?l }}"
        f' INSERT {{ <{actor}> <{VC}lei> "529900T8BM49AURSDO55" }}'
        f" WHERE {{ OPTIONAL {{ <{actor}> <{VC}lei> ?l }} }}",
    )
    after = all_quads(store.oxigraph)
    assert (outcome.added, outcome.removed) == (len(after - before), len(before - after)) == (1, 0)


def test_an_update_that_replaces_a_value_removes_and_adds_one_quad_each() -> None:
    store = _cases_store()
    before = all_quads(store.oxigraph)
    actor = f"<{DEFAULT_BASE}huayou-cobalt>"
    outcome = apply_validated_update(
        store,
        f'DELETE {{ {actor} <{VC}country> ?c }} INSERT {{ {actor} <{VC}country> "HK" }}'
        f" WHERE {{ {actor} <{VC}country> ?c }}",
    )
    after = all_quads(store.oxigraph)
    assert (outcome.added, outcome.removed) == (1, 1)
    assert len(after - before) == len(before - after) == 1


def test_restating_quads_the_store_holds_is_no_change(no_full_run: None) -> None:
    before = set(synth.generate(300, seed=5))
    store = store_of(before)
    restated = set(list(sorted(before, key=str))[:40])
    assert validate_change(store, restated) == ValidationReport(conforms=True, results=[])
    missing = {ox.Quad(ox.NamedNode(VC + "x"), ox.NamedNode(VC + "y"), ox.Literal("z"))}
    assert validate_change(store, removed=missing).results == []
