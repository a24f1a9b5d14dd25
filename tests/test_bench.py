"""The benchmark entry point runs end to end at a tiny size, so it cannot rot (no timings)."""

from __future__ import annotations

from pathlib import Path

from bench.__main__ import main
from bench.dataset import parse_size, parse_sizes
from bench.measure import percentile


def test_sizes_read_like_people_write_them() -> None:
    assert parse_sizes("10k,100k,1m,300") == [10_000, 100_000, 1_000_000, 300]
    assert parse_size(" 2.5K ") == 2_500


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile([3.0], 95) == 3.0


def test_entry_point_writes_a_table_with_every_family_beside_its_anchor(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    report = main(["--sizes", "300", "--repeat", "1", "--out", str(out)])
    text = out.read_text(encoding="utf-8")
    assert "| CPU |" in text and "| pyoxigraph |" in text
    assert "| 300 |" in text
    families = {row.family for row in report.rows}
    assert {"load", "projection", "analysis", "shacl", "http", "memory"} <= families
    anchors = " ".join(row.anchor for row in report.rows)
    assert "pyoxigraph.Store.bulk_load" in anchors and "rdflib" in anchors
    assert "SPARQL" in anchors
    failed = [row for row in report.rows if row.note.startswith("failed")]
    assert failed == []
    # Every measured row with a target carries a verdict.
    assert all(row.verdict for row in report.rows if row.target)
