"""The compiled SHACL engine gives pyshacl's verdicts, result for result (issue 7).

``validation.validate`` (pyshacl) is the reference. Each test builds some data, runs both
engines and compares the full results: focus node, path, value, message, severity, shape and
CSV origin, in the same order.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.test_shapes import MUTATIONS, chain_store
from valuechain_kg import synth
from valuechain_kg.ingest import read_sources
from valuechain_kg.namespaces import sparql_prefixes
from valuechain_kg.shacl_compiled import validate_quads_fast, validate_store
from valuechain_kg.validation import ValidationReport, validate

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
    compiled = validate_quads_fast(result.quads, result.origins)
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
    assert_same(validate(quads), validate_quads_fast(quads))
