"""The benchmark entry point runs end to end at a tiny size, so it cannot rot (no timings)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from bench.__main__ import FAMILIES, main
from bench.dataset import parse_size, parse_sizes
from bench.http import Server, as_vckg_load_leaves_it, oxigraph_server, rdflib_server
from bench.measure import percentile
from bench.report import NOT_MET, Report, Row
from bench.shacl import defect_update
from valuechain_kg.datasets import synthetic as synth
from valuechain_kg.service import writes
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
    # The remote and batch families run once, in the ``scale_out`` fixture below.
    families = ",".join(f for f in FAMILIES if f not in ("remote", "batch"))
    argv = ["--sizes", "300", "--repeat", "1", "--families", families]
    report = main([*argv, "--out", str(out), "--workdir", str(work)])
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
    clean, full, change, focus_only = [row for row in smoke[0].rows if row.family == "shacl"]
    assert "conforms=True" in clean.note
    assert "bulk loader" in clean.measure
    assert "verdicts EQUAL to pyshacl's" in full.note
    assert "validate_change" in change.measure
    for incremental in (change, focus_only):
        assert "equal to the full run's results" in incremental.note
        assert incremental.anchor_value != "-"  # pyshacl ran beside it
    assert NOT_MET not in (clean.verdict, full.verdict, change.verdict, focus_only.verdict)


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


# --- the remote and batch families, and merging a run into an earlier table ------------------

_BY_HAND = "## Measured by hand\n\nA figure no run writes: | kept | as it was |\n"


def _earlier_table() -> Report:
    """A table as an earlier run left it: a load row at two sizes and a stale remote row."""
    earlier = Report("python -m bench --sizes 300,10k --families load", [("CPU", "old")])
    earlier.sizes = [(300, 1, "1 KiB", "1 ms"), (10_000, 2, "2 KiB", "2 ms")]
    earlier.rows = [
        Row("load", "bulk load", 300, "1 | 2", note="kept at 300"),
        Row("load", "bulk load", 10_000, "3", note="kept at 10k"),
        Row("remote", "a stale remote row", 300, "9"),
    ]
    earlier.earlier = [("python -m bench --sizes 300 --families remote", [("remote", 300)])]
    earlier.trailer = _BY_HAND
    return earlier


@pytest.fixture(scope="module")
def scale_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, str]:
    """The remote and batch families at 300 actors, merged into an earlier table."""
    tmp = tmp_path_factory.mktemp("bench-scale-out")
    out = tmp / "RESULTS.md"
    _earlier_table().write(out)
    argv = ["--sizes", "300", "--repeat", "1", "--families", "remote,batch", "--merge"]
    report = main([*argv, "--out", str(out), "--workdir", str(tmp / "scratch")])
    return report, out.read_text(encoding="utf-8")


def test_remote_rows_measure_oxigraph_serve_beside_the_embedded_store_with_equal_answers(
    scale_out: tuple[Report, str],
) -> None:
    remote = [row for row in scale_out[0].rows if row.family == "remote"]
    assert [row for row in remote if row.note.startswith("failed")] == []
    loads = [row for row in remote if row.measure.startswith("`vckg load")]
    # Each variant beside the embedded command and beside the engine's own Graph Store load.
    assert len(loads) == 4
    assert {row.anchor.split(" (")[0] for row in loads} == {
        "`vckg load FILE --store DIR`",
        "one POST of the file to the engine's `/store?default`",
    }
    for row in remote:
        assert row.value[0].isdigit() and row.anchor_value[0].isdigit(), row
        assert row.ratio.endswith("x") and row.peak_rss.endswith("B"), row
    assert all("engine" in row.note and "peak RSS" in row.note for row in remote)
    answers = [row for row in remote if row.target == "same answers"]
    assert len(answers) == 2  # warm p50 and the first answer in a fresh process
    assert all(row.verdict == "met" and "EQUAL" in row.note for row in answers)


def test_batch_rows_run_spark_for_every_impact_beside_a_facade_loop_with_equal_answers(
    scale_out: tuple[Report, str],
) -> None:
    rows = [row for row in scale_out[0].rows if row.family == "batch"]
    assert [row.measure.split()[2] for row in rows] == ["linked", "leverage"]
    for row in rows:
        assert row.value.endswith(" s") and row.anchor_value.endswith(" s"), row
        assert row.target == "same answers" and row.verdict == "met", row
        assert "answers EQUAL" in row.note
        counts = re.search(r"EQUAL: ([\d,]+) rows .* vs ([\d,]+) ", row.note)
        assert counts is not None and counts[1] == counts[2] and counts[1] != "0", row.note
        assert "JVM" in row.note


def test_a_merged_run_keeps_the_rows_of_other_families_and_sizes(
    scale_out: tuple[Report, str],
) -> None:
    report, text = scale_out
    merged = Report.parse(text)
    pairs = {(row.family, row.actors) for row in merged.rows}
    assert {("load", 300), ("load", 10_000), ("remote", 300), ("batch", 300)} <= pairs
    assert "a stale remote row" not in text
    kept = [row for row in merged.rows if row.family == "load"]
    assert [row.note for row in kept] == ["kept at 300", "kept at 10k"]
    assert kept[0].value == "1 | 2"  # an escaped bar reads back as written
    assert merged.rows == sorted(merged.rows, key=lambda row: row.actors)
    # Each command still behind some rows is listed with them; the stale one's rows are gone.
    commands = dict(merged.earlier)
    assert commands["python -m bench --sizes 300,10k --families load"] == [
        ("load", 300),
        ("load", 10_000),
    ]
    assert "python -m bench --sizes 300 --families remote" not in commands
    ran = [c for c in commands if "--families remote,batch" in c]
    assert len(ran) == 1 and set(commands[ran[0]]) == {("remote", 300), ("batch", 300)}
    # The machine and versions are this run's; the sizes of both; the hand-made section kept.
    assert "| CPU | old |" not in text and "| pyoxigraph |" in text
    assert [size[0] for size in merged.sizes] == [300, 10_000]
    assert merged.sizes[0][1] == report.sizes[0][1]  # the 300 size as measured now
    assert text.endswith(_BY_HAND)


def test_a_table_in_the_single_command_format_reads_back_with_every_row_under_its_command() -> None:
    legacy = "\n".join(
        [
            "# Benchmark results",
            "",
            "Produced by the command below.",
            "",
            "    python -m bench --sizes 10k --families load",
            "",
            "## Results",
            "",
            "| family | measurement | actors | value | anchor | anchor value | ratio | target "
            "| verdict | peak RSS | note |",
            "| --- | --- | ---: | ---: | --- | ---: | ---: | --- | --- | ---: | --- |",
            "| load | bulk load | 10,000 | 5 s | raw | 4 s | 0.80x | >= 0.8x | met | 1 GiB | n |",
            "",
            "## By hand",
            "",
            "text",
        ]
    )
    read = Report.parse(legacy)
    assert read.rows == [
        Row(
            "load",
            "bulk load",
            10_000,
            "5 s",
            "raw",
            "4 s",
            "0.80x",
            ">= 0.8x",
            "met",
            "1 GiB",
            "n",
        )
    ]
    assert read.earlier == [("python -m bench --sizes 10k --families load", [("load", 10_000)])]
    assert read.trailer == "## By hand\n\ntext"
    later = Report("python -m bench --sizes 10k --families load", [])
    later.rows = [Row("load", "bulk load", 10_000, "6 s")]
    merged = later.merged(read)
    assert [row.value for row in merged.rows] == ["6 s"]
    # The earlier command made no row that is left, so only the later one is listed.
    assert [command for command, _ in merged.commands()] == [later.command]


def test_the_prose_under_the_machine_table_survives_a_merge() -> None:
    earlier = Report("python -m bench --sizes 10k --families load", [("CPU", "old")])
    earlier.machine_note = "The load rows come from the old machine.\nSecond line."
    earlier.rows = [Row("load", "bulk load", 10_000, "5 s")]
    read = Report.parse(earlier.to_markdown())
    assert read.environment == [("CPU", "old")]
    assert read.machine_note == earlier.machine_note
    later = Report("python -m bench --sizes 300 --families load", [("CPU", "new")])
    later.rows = [Row("load", "bulk load", 300, "1 s")]
    text = later.merged(read).to_markdown()
    assert "| CPU | new |\n\nThe load rows come from the old machine.\nSecond line.\n" in text
    assert "| CPU | old |" not in text


def test_http_serves_a_large_bulk_loaded_store_compacted_as_vckg_load_leaves_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    nt = tmp_path / "chain.nt"
    synth.write(200, 5, nt)
    store = GraphStore(tmp_path / "store")
    store.bulk_load(nt)
    store.close()
    # Every store counts as large here, as a million actors' store does.
    monkeypatch.setattr(writes, "COMPACT_BEFORE_VALIDATING_FROM", 0)
    assert as_vckg_load_leaves_it(tmp_path / "store").startswith("store compacted first")
    reopened = GraphStore(tmp_path / "store")
    assert reopened.compacted
    reopened.close()
    assert as_vckg_load_leaves_it(tmp_path / "store").startswith("store served as loaded")
