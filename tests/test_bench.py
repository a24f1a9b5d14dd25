"""The benchmark entry point runs end to end at a tiny size, so it cannot rot (no timings)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from bench.__main__ import main
from bench.dataset import parse_size, parse_sizes
from bench.http import Server, oxigraph_server, rdflib_server
from bench.measure import percentile
from bench.report import NOT_MET, Report
from bench.shacl import defect_update
from valuechain_kg.datasets import synthetic as synth
from valuechain_kg.store import GraphStore
from valuechain_kg.validation import validate_store


def test_sizes_read_like_people_write_them() -> None:
    assert parse_sizes("10k,100k,1m,300") == [10_000, 100_000, 1_000_000, 300]
    assert parse_size(" 2.5K ") == 2_500


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile([3.0], 95) == 3.0


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, str, Path]:
    """One run of the entry point at 300 actors, shared by the tests that read its table."""
    tmp = tmp_path_factory.mktemp("bench")
    out, work = tmp / "RESULTS.md", tmp / "scratch"
    report = main(["--sizes", "300", "--repeat", "1", "--out", str(out), "--workdir", str(work)])
    return report, out.read_text(encoding="utf-8"), tmp


def test_entry_point_writes_a_table_with_every_family_beside_its_anchor(
    smoke: tuple[Report, str, Path],
) -> None:
    report, text, tmp = smoke
    assert "| CPU |" in text and "| pyoxigraph |" in text
    assert "| 300 |" in text
    # The command is written as a person types it, without this machine's scratch paths.
    assert "python -m bench --sizes 300" in text
    assert str(tmp) not in text
    families = {row.family for row in report.rows}
    assert {"load", "projection", "analysis", "shacl", "http", "memory"} <= families
    anchors = " ".join(row.anchor for row in report.rows)
    assert "pyoxigraph.Store.bulk_load" in anchors and "rdflib" in anchors
    assert "SPARQL" in anchors
    failed = [row for row in report.rows if row.note.startswith("failed")]
    assert failed == []
    # Every measured row with a target carries a verdict.
    assert all(row.verdict for row in report.rows if row.target)


def test_http_rows_measure_vckg_beside_oxigraph_serve_and_rdflib_endpoint(
    smoke: tuple[Report, str, Path],
) -> None:
    http = [row for row in smoke[0].rows if row.family == "http"]
    versus = [row for row in http if " vs " in row.measure]
    anchors = {row.measure.split(" vs ")[1] for row in versus}
    assert anchors == {"`oxigraph serve`", "rdflib-endpoint"}
    # Each anchor answered: a throughput figure, not a dash, and every request got a 200.
    assert all(row.anchor_value.endswith("req/s") for row in versus)
    assert all(row.note.count("; 0 not 200") == 2 for row in versus)
    blocking = [row for row in http if "blocked" in row.measure]
    assert len(blocking) == 1 and "->" in blocking[0].value


def test_shacl_rows_compare_the_compiled_engine_with_pyshacl_on_broken_data(
    smoke: tuple[Report, str, Path],
) -> None:
    full, change, focus_only = [row for row in smoke[0].rows if row.family == "shacl"]
    assert "verdicts EQUAL to pyshacl's" in full.note
    assert "validate_change" in change.measure
    for incremental in (change, focus_only):
        assert "equal to the full run's results" in incremental.note
        assert incremental.anchor_value != "-"  # pyshacl ran beside it
    assert NOT_MET not in (full.verdict, change.verdict, focus_only.verdict)


def test_the_defect_update_breaks_only_its_focus_nodes_and_its_undo_restores_the_store() -> None:
    store = GraphStore()
    store.add(synth.generate(300, seed=3))
    before = set(store.quads())
    update = defect_update(store.oxigraph)
    assert len(update["focus"]) >= 4
    store.oxigraph.update(update["apply"])
    report = validate_store(store)
    assert not report.conforms
    assert {r.focus_node for r in report.results} == set(update["focus"])
    store.oxigraph.update(update["undo"])
    assert set(store.quads()) == before


def _count(server: Server) -> int:
    response = httpx.get(
        server.endpoint,
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    response.raise_for_status()
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("anchor", ["oxigraph", "rdflib-endpoint"])
def test_each_anchor_server_starts_and_answers_a_query_over_the_same_data(
    tmp_path: Path, anchor: str
) -> None:
    nt = tmp_path / "chain.nt"
    triples = synth.write(200, 5, nt).triples
    store_dir = tmp_path / "store"
    loaded = ox.Store(str(store_dir))
    loaded.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    loaded.flush()
    del loaded  # releases the RocksDB lock for the server
    server = oxigraph_server(store_dir) if anchor == "oxigraph" else rdflib_server(nt)
    try:
        assert _count(server) == triples
    finally:
        server.stop()
    assert server.process.poll() is not None
