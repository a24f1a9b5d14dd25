"""Tables piped to a file keep every identifier whole, and paths read one way on every face."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from valuechain_kg.cli import app

SRC = "https://example.org/report"
CAUSE = "state-security-forces-of-a-very-long-named-country"
MIDDLE = "national-telecommunications-operator-limited-partnership"
INVESTOR = "sovereign-wealth-fund-of-the-northern-kingdom-holdings"
IMPACT = "network-shutdown-during-the-long-named-regional-elections-2023"


def _write(folder: Path, name: str, rows: list[list[str]]) -> None:
    with (folder / name).open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


@pytest.fixture
def long_ids(tmp_path: Path) -> Path:
    """A chain cause <- operator <- investor whose ids are far wider than a terminal column."""
    b = tmp_path / "bundle"
    b.mkdir()
    _write(
        b,
        "actors.csv",
        [
            ["id", "name", "role"],
            [CAUSE, "State security forces", "state-entity"],
            [MIDDLE, "National telecommunications operator", "technology-company"],
            [INVESTOR, "Sovereign wealth fund", "investor"],
        ],
    )
    _write(
        b,
        "relationships.csv",
        [
            ["source", "type", "target", "ownership_share"],
            [MIDDLE, "provides-service", CAUSE, ""],
            [INVESTOR, "invests-in", MIDDLE, "0.333333"],
        ],
    )
    _write(
        b,
        "impacts.csv",
        [
            ["id", "title", "category", "status", "source_url"],
            [IMPACT, "Network shutdown during elections", "freedom-of-expression", "actual", SRC],
        ],
    )
    _write(
        b,
        "involvements.csv",
        [
            ["actor", "impact", "mode", "source_url"],
            [CAUSE, IMPACT, "cause", SRC],
            [MIDDLE, IMPACT, "contribution", SRC],
        ],
    )
    _write(
        b,
        "leverage.csv",
        [
            ["holder", "target", "basis", "strength", "source_url"],
            [MIDDLE, CAUSE, "contract-terms", "0.2", SRC],
        ],
    )
    return b


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.stdout


LINKAGE = f"{CAUSE} <-provides-service- {MIDDLE} <-invests-in- {INVESTOR}"


def test_a_piped_linked_table_keeps_every_id_on_one_line(long_ids: Path) -> None:
    text = _run("linked", IMPACT, "-d", str(long_ids))
    lines = text.splitlines()
    for ident in (CAUSE, MIDDLE, INVESTOR):
        assert any(ident in line for line in lines), f"{ident} was cut across lines"
    row = next(line for line in lines if line.startswith(f"│ {INVESTOR} "))
    assert LINKAGE in row


def test_a_piped_leverage_table_keeps_ids_and_path_on_the_holder_row(long_ids: Path) -> None:
    lines = _run("leverage", IMPACT, "-d", str(long_ids)).splitlines()
    row = next(line for line in lines if line.startswith(f"│ {INVESTOR} "))
    assert f"{INVESTOR} -ownership-> {MIDDLE} -contract-terms-> {CAUSE}" in row


def test_a_piped_impacts_table_keeps_ids_whole(long_ids: Path) -> None:
    text = _run("impacts", "-d", str(long_ids))
    assert any(IMPACT in line for line in text.splitlines())


def test_the_path_reads_the_same_in_csv_json_and_impacts_of(long_ids: Path) -> None:
    rows = list(
        csv.DictReader(io.StringIO(_run("linked", IMPACT, "-d", str(long_ids), "-f", "csv")))
    )
    by_id = {r["id"]: r for r in rows}
    assert by_id[INVESTOR]["path"] == LINKAGE
    doc = json.loads(_run("linked", IMPACT, "-d", str(long_ids), "-f", "json"))
    steps = next(a["path"] for a in doc["actors"] if a["id"] == INVESTOR)
    assert [s["relation"] for s in steps] == ["invests-in", "provides-service"]
    of = list(
        csv.DictReader(io.StringIO(_run("impacts-of", INVESTOR, "-d", str(long_ids), "-f", "csv")))
    )
    assert of[0]["path"] == LINKAGE
    lev = list(
        csv.DictReader(io.StringIO(_run("leverage", IMPACT, "-d", str(long_ids), "-f", "csv")))
    )
    holder = next(r for r in lev if r["holder"] == INVESTOR and r["target"] == CAUSE)
    assert holder["path"] == f"{INVESTOR} -ownership-> {MIDDLE} -contract-terms-> {CAUSE}"


def test_strengths_show_as_the_answer_has_them_in_table_and_csv(long_ids: Path) -> None:
    doc = json.loads(_run("leverage", IMPACT, "-d", str(long_ids), "-f", "json"))
    lev = list(
        csv.DictReader(io.StringIO(_run("leverage", IMPACT, "-d", str(long_ids), "-f", "csv")))
    )
    for target in doc["targets"]:
        for h in target["holders"]:
            row = next(r for r in lev if r["holder"] == h["id"] and r["target"] == target["id"])
            assert row["strength"] == str(h["strength"])
    investor = next(r for r in lev if r["holder"] == INVESTOR and r["target"] == CAUSE)
    assert float(investor["strength"]) == pytest.approx(0.666666 * 0.2, abs=1e-12)


def test_json_and_csv_are_never_wrapped(long_ids: Path) -> None:
    text = _run("linked", IMPACT, "-d", str(long_ids), "-f", "csv")
    assert len(text.splitlines()) == 1 + 3
    body = _run("linked", IMPACT, "-d", str(long_ids), "-f", "json")
    assert json.loads(body)["total"] == 3
    for actor in json.loads(body)["actors"]:
        whole = json.dumps(actor["expected_response"], ensure_ascii=False)
        assert any(whole in line for line in body.splitlines())


def test_a_screening_path_reads_in_walk_order_with_the_same_arrows() -> None:
    data = Path(__file__).resolve().parents[1] / "data"
    out = CliRunner().invoke(app, ["screen", "huayou-cobalt", "-d", str(data), "-f", "csv"])
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    paths = {r["path"] for r in rows if r["listed"] == "cobalt-ore"}
    assert "cobalt-ore -sourced-by-> congo-dongfang-mining -supplies-> huayou-cobalt" in paths
