"""The Spark batch answers equal the embedded ones, for every impact at once.

Differential tests: the same graph is asked through the facade (``KnowledgeGraph``, one
impact at a time) and through the Spark jobs over its Parquet edge tables (every impact in one
run), on the case bundles, on a synthetic value chain, and on many random version-2 scenarios
(products with composition, periods, assertion statuses, States and civil society, scoped
initiatives) merged into one graph so that one run answers them all. Spark runs in local mode,
one session for the module.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pyspark.sql import SparkSession
from reference_v2 import Scenario
from test_v2_reference import scenarios, write_scenario
from typer.testing import CliRunner

from valuechain_kg.batch.__main__ import main as submit_entry
from valuechain_kg.batch.leverage import impact_leverage
from valuechain_kg.batch.linkage import linked_actors
from valuechain_kg.batch.options import BatchOptions
from valuechain_kg.batch.session import local_session, read_edge_tables
from valuechain_kg.cli.app import app
from valuechain_kg.datasets.synthetic import write as write_synthetic
from valuechain_kg.errors import UsageError
from valuechain_kg.graph import KnowledgeGraph
from valuechain_kg.service.batch import export_edge_tables

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "cases"
APPLE = ROOT / "data" / "apple-suppliers-2022"
EVERYTHING = 10**6


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    session = local_session("local[2]", partitions=2)
    yield session
    session.stop()


# --- the two answers, as comparable plain values -------------------------------------------------


def _impacts(kg: KnowledgeGraph) -> list[str]:
    return [s.id for s in kg.impacts(limit=EVERYTHING).impacts]


def _linked_row(x: dict[str, Any]) -> tuple[Any, ...]:
    return (
        x["involvement"],
        x["asserted"],
        x["assertion"],
        x["hops"],
        x["product_continuity"],
        x["kind"],
        x["confidence"],
        sorted(x["sources"]),
    )


def embedded_linked(kg: KnowledgeGraph, o: BatchOptions) -> dict[str, list[tuple[Any, ...]]]:
    """impact id -> [(actor id, *row)] in answer order, through the facade."""
    found = {}
    for impact in _impacts(kg):
        answer = kg.linked_actors(
            impact,
            max_hops=o.max_hops,
            as_of=o.as_of,
            min_status=o.min_status,
            strict_products=o.strict_products,
            limit=EVERYTHING,
        )
        rows = [(a.id, *_linked_row(a.model_dump())) for a in answer.actors]
        if rows:
            found[impact] = rows
    return found


def batch_linked(rows: list[dict[str, Any]], impact: str = "impact") -> dict[str, list[Any]]:
    found: dict[str, list[tuple[Any, ...]]] = {}
    for r in rows:
        found.setdefault(r[impact], []).append((r["actor"], *_linked_row(r)))
    return found


def _holder(h: dict[str, Any]) -> tuple[Any, ...]:
    steps = [
        (s["from"], s["to"], s["bases"], s["strength"], sorted(s["sources"])) for s in h["steps"]
    ]
    return (
        h["id"],
        h["kind"],
        h["strength"],
        h["hops"],
        h["path"],
        h["bases"],
        h["involvement"],
        sorted(h["sources"]),
        steps,
    )


def _target(t: dict[str, Any]) -> tuple[Any, ...]:
    coalition = t["coalition"]
    return (
        t["mode"],
        [_holder(h) for h in t["holders"]],
        t["holders_total"],
        [_holder(h) for h in t["other_influence"]],
        [(c["initiative"], c["name"], c["members"], c["strength"]) for c in t["collective"]],
        None
        if coalition is None
        else (coalition["threshold"], coalition["members"], coalition["strength"]),
    )


def embedded_leverage(kg: KnowledgeGraph, o: BatchOptions) -> dict[str, list[tuple[Any, ...]]]:
    """impact id -> [(target id, *target)] in answer order, through the facade."""
    found = {}
    for impact in _impacts(kg):
        answer = kg.leverage(
            impact,
            threshold=o.threshold,
            max_hops=o.max_hops,
            as_of=o.as_of,
            min_status=o.min_status,
            strict_products=o.strict_products,
            limit=EVERYTHING,
        )
        rows = [(t.id, *_target(t.model_dump(by_alias=True))) for t in answer.targets]
        if rows:
            found[impact] = rows
    return found


def batch_leverage(rows: list[dict[str, Any]], impact: str = "impact") -> dict[str, list[Any]]:
    found: dict[str, list[tuple[Any, ...]]] = {}
    for r in rows:
        found.setdefault(r[impact], []).append((r["target"], *_target(r)))
    return found


def spark_answers(
    spark: SparkSession, kg: KnowledgeGraph, o: BatchOptions
) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """Both batch answers for every impact of ``kg``: export, then one linkage run feeding
    one leverage run."""
    with tempfile.TemporaryDirectory() as tmp:
        export_edge_tables(kg, Path(tmp))
        tables = read_edge_tables(spark, tmp)
        linked = linked_actors(spark, tables, o).localCheckpoint()
        linked_rows = linked.orderBy("impact_id", "mode_rank", "hops", "node").collect()
        leverage = impact_leverage(spark, tables, linked, o)
        leverage_rows = leverage.orderBy("impact_id", "mode_rank", "target_node").collect()
    return (
        batch_linked([r.asDict(recursive=True) for r in linked_rows], "impact_id"),
        batch_leverage([r.asDict(recursive=True) for r in leverage_rows], "impact_id"),
    )


def assert_equal_answers(spark: SparkSession, kg: KnowledgeGraph, o: BatchOptions) -> None:
    linked, leverage = spark_answers(spark, kg, o)
    assert linked == embedded_linked(kg, o)
    assert leverage == embedded_leverage(kg, o)


def _read_parts(folder: Path) -> list[dict[str, Any]]:
    """JSON Lines part files in part order, each line one answer row."""
    return [
        json.loads(line)
        for part in sorted(folder.glob("part-*.json"))
        for line in part.read_text(encoding="utf-8").splitlines()
    ]


# --- the command line ------------------------------------------------------------------------


def test_vckg_batch_linked_writes_the_embedded_answers_as_parquet_and_json_lines(
    spark: SparkSession, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app, ["batch", "linked", "--engine", "spark", "--data", str(CASES), "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    expected = embedded_linked(KnowledgeGraph.open(data=[CASES]), BatchOptions())
    assert sum(len(v) for v in expected.values()) > 50  # the cases link many actors
    from_json = _read_parts(tmp_path / "linked.json")
    assert batch_linked(from_json) == expected
    # The JSON rows keep null fields (an asserted row's product continuity) and come in order.
    assert all("product_continuity" in r for r in from_json)
    assert [r["impact"] for r in from_json] == sorted(r["impact"] for r in from_json)
    from_parquet = pq.read_table(tmp_path / "linked.parquet").to_pylist()
    assert batch_linked(from_parquet) == expected


def test_vckg_export_edges_then_batch_leverage_from_the_edge_tables(
    spark: SparkSession, tmp_path: Path
) -> None:
    edges, out = tmp_path / "edges", tmp_path / "answers"
    data = ["--data", str(CASES), "--data", str(APPLE)]
    exported = CliRunner().invoke(
        app, ["export", *data, "--format", "edges-parquet", "--out", str(edges)]
    )
    assert exported.exit_code == 0, exported.output
    assert json.loads((edges / "meta.json").read_text())["rows"]["relationships"] > 100
    options = ["--threshold", "0.3", "--max-hops", "4"]
    result = CliRunner().invoke(
        app, ["batch", "leverage", "--edges", str(edges), "--out", str(out), *options]
    )
    assert result.exit_code == 0, result.output
    kg = KnowledgeGraph.open(data=[CASES, APPLE])
    expected = embedded_leverage(kg, BatchOptions(max_hops=4, threshold=0.3))
    assert any(t[6] is not None for rows in expected.values() for t in rows)  # a coalition
    assert batch_leverage(_read_parts(out / "leverage.json")) == expected
    assert batch_leverage(pq.read_table(out / "leverage.parquet").to_pylist()) == expected


def test_edge_tables_need_a_folder_and_a_batch_needs_edge_tables(tmp_path: Path) -> None:
    runner = CliRunner()
    no_out = runner.invoke(app, ["export", "--data", str(CASES), "--format", "edges-parquet"])
    assert no_out.exit_code == 2
    assert "--out DIR" in no_out.output
    with pytest.raises(UsageError, match="threshold"):
        BatchOptions(threshold=0.0)
    with pytest.raises(UsageError, match="min_status"):
        BatchOptions(min_status="rumoured")


def test_a_folder_without_edge_tables_is_a_usage_error(spark: SparkSession, tmp_path: Path) -> None:
    (tmp_path / "edges").mkdir()
    result = CliRunner().invoke(
        app, ["batch", "linked", "--edges", str(tmp_path / "edges"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "no edge tables" in result.output


def test_the_spark_submit_entry_answers_from_exported_edge_tables(
    spark: SparkSession, tmp_path: Path
) -> None:
    bundle = ROOT / "tests" / "fixtures" / "bundles" / "cobalt-chain"
    kg = KnowledgeGraph.open(data=[bundle])
    export_edge_tables(kg, tmp_path / "edges")
    argv = ["linked", "--edges", str(tmp_path / "edges"), "--out", str(tmp_path / "out")]
    assert submit_entry([*argv, "--master", "local[2]", "--max-hops", "3"]) == 0
    expected = embedded_linked(kg, BatchOptions(max_hops=3))
    assert expected  # the chain links its mine's buyers
    assert batch_linked(_read_parts(tmp_path / "out" / "linked.json")) == expected


# --- differential: the cases, a synthetic chain, random version-2 scenarios ----------------------


def test_spark_equals_embedded_on_the_case_bundles_as_of_a_date_and_status(
    spark: SparkSession,
) -> None:
    # The defaults are the command-line tests' above; here a date and a status floor narrow
    # the real cases' chains and claims.
    o = BatchOptions(as_of="2019-06-01", min_status="reported", threshold=0.2)
    kg = KnowledgeGraph.open(data=[CASES])
    narrowed = embedded_linked(kg, o)
    assert (
        0
        < sum(map(len, narrowed.values()))
        < sum(map(len, embedded_linked(kg, BatchOptions()).values()))
    )
    assert_equal_answers(spark, kg, o)


def test_spark_equals_embedded_on_a_synthetic_value_chain(
    spark: SparkSession, tmp_path: Path
) -> None:
    write_synthetic(240, 3, tmp_path / "synthetic.nt", "nt")
    kg = KnowledgeGraph.open(data=[tmp_path / "synthetic.nt"])
    linked, leverage = spark_answers(spark, kg, BatchOptions(max_hops=5))
    assert len(linked) >= 4  # every synthetic impact has causes
    assert linked == embedded_linked(kg, BatchOptions(max_hops=5))
    assert leverage == embedded_leverage(kg, BatchOptions(max_hops=5))


def _prefixed(s: Scenario, k: int) -> Scenario:
    """The scenario with every id made unique to it (``s{k}-``), so many fit one graph."""

    def a(x: str) -> str:
        return f"s{k}-{x}"

    def many(xs: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(a(x) for x in xs)

    return replace(
        s,
        roles={a(x): r for x, r in s.roles.items()},
        products={a(p): many(m) for p, m in s.products.items()},
        relationships=[
            replace(r, source=a(r.source), target=a(r.target), products=many(r.products))
            for r in s.relationships
        ],
        involvements=[
            replace(i, actor=a(i.actor), products=many(i.products)) for i in s.involvements
        ],
        claims=[replace(c, holder=a(c.holder), target=a(c.target)) for c in s.claims],
        initiatives=[replace(i, id=a(i.id), members=many(i.members)) for i in s.initiatives],
    )


def write_merged(folder: Path, drawn: list[Scenario]) -> Path:
    """Every scenario in one CSV bundle, scenario k's impact named ``s{k}-harm``."""
    tables: dict[str, tuple[list[str], list[dict[str, str]]]] = {}
    for k, s in enumerate(drawn):
        with tempfile.TemporaryDirectory() as tmp:
            write_scenario(Path(tmp), _prefixed(s, k))
            for path in sorted(Path(tmp).glob("*.csv")):
                with path.open(encoding="utf-8", newline="") as f:
                    reader = csv.DictReader(f)
                    header, rows = tables.setdefault(path.stem, (list(reader.fieldnames or []), []))
                    for row in reader:
                        for column in ("id", "impact"):
                            if (
                                path.stem in ("impacts", "involvements")
                                and row.get(column) == "harm"
                            ):
                                row[column] = f"s{k}-harm"
                        rows.append(row)
    folder.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in tables.items():
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)
    return folder


batch_options = st.builds(
    BatchOptions,
    max_hops=st.integers(1, 5),
    as_of=st.sampled_from([None, None, "2016-06-15", "2019-01-01"]),
    min_status=st.sampled_from([None, None, "reported", "acknowledged"]),
    strict_products=st.booleans(),
    threshold=st.sampled_from([0.5, 0.75, 1.0]),
)


@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(drawn=st.lists(scenarios(), min_size=16, max_size=16), o=batch_options)
def test_spark_equals_embedded_on_random_v2_scenarios_all_at_once(
    spark: SparkSession, drawn: list[Scenario], o: BatchOptions
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        kg = KnowledgeGraph.open(data=[write_merged(Path(tmp) / "bundle", drawn)], validate=True)
    assert len(_impacts(kg)) == len(drawn)
    assert_equal_answers(spark, kg, o)
