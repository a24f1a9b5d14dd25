"""Each slip a curator makes by hand gets one message, on the row that made it, naming the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from valuechain_kg.cli import app
from valuechain_kg.errors import InputError
from valuechain_kg.ingest.csv_bundle import read_bundle
from valuechain_kg.ingest.hints import closest_id, edit_distance

SRC = "https://example.org/report"
ACTORS = (
    "id,name,role\n"
    "congo-dongfang-mining,Congo Dongfang Mining,raw-material-producer\n"
    "huayou-cobalt,Huayou Cobalt,manufacturer\n"
    "apple,Apple,technology-company\n"
)
IMPACTS = (
    f"id,title,category,status,source_url\nchild-labour,Child labour,child-labour,actual,{SRC}\n"
)
INVOLVEMENTS = f"actor,impact,mode,source_url\ncongo-dongfang-mining,child-labour,cause,{SRC}\n"
RELATIONSHIPS = (
    "source,type,target\n"
    "congo-dongfang-mining,supplies,huayou-cobalt\n"
    "huayou-cobalt,supplies,apple\n"
)
LEVERAGE = (
    "holder,target,basis,strength,source_url\n"
    f"huayou-cobalt,congo-dongfang-mining,ownership,1,{SRC}\n"
)


def _bundle(tmp_path: Path, **files: str) -> Path:
    contents = {
        "actors.csv": ACTORS,
        "impacts.csv": IMPACTS,
        "involvements.csv": INVOLVEMENTS,
        "relationships.csv": RELATIONSHIPS,
        "leverage.csv": LEVERAGE,
    }
    contents.update({f"{name}.csv": text for name, text in files.items()})
    folder = tmp_path / "bundle"
    folder.mkdir()
    for name, text in contents.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _problems(folder: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_bundle(folder)
    return [str(p) for p in caught.value.problems]


def test_the_clean_bundle_reads(tmp_path: Path) -> None:
    assert read_bundle(_bundle(tmp_path)).quads


def test_an_unquoted_decimal_comma_gets_a_hint(tmp_path: Path) -> None:
    leverage = (
        "holder,target,basis,strength,source_url\n"
        f"huayou-cobalt,congo-dongfang-mining,ownership,0,25,{SRC}\n"
    )
    [problem] = _problems(_bundle(tmp_path, leverage=leverage))
    assert "leverage.csv, line 2" in problem
    assert "6 cells but the header has 5 columns" in problem
    assert "'0,25' in column 'strength'" in problem and "write 0.25" in problem


def test_one_extra_cell_in_a_defining_row_is_one_error_not_a_cascade(tmp_path: Path) -> None:
    actors = ACTORS.replace(
        "huayou-cobalt,Huayou Cobalt,manufacturer",
        "huayou-cobalt,Huayou Cobalt,manufacturer,CN",
    )
    problems = _problems(_bundle(tmp_path, actors=actors))
    assert len(problems) == 1, problems
    assert "actors.csv, line 3" in problems[0] and "does not parse" in problems[0]


def test_a_mistyped_id_gets_did_you_mean(tmp_path: Path) -> None:
    involvements = INVOLVEMENTS.replace("congo-dongfang-mining,", "congo-dongfang-minig,")
    [problem] = _problems(_bundle(tmp_path, involvements=involvements))
    assert "'congo-dongfang-minig' is not defined" in problem
    assert "did you mean 'congo-dongfang-mining'?" in problem


def test_a_far_off_id_gets_no_guess(tmp_path: Path) -> None:
    involvements = INVOLVEMENTS.replace("congo-dongfang-mining,", "glencore,")
    [problem] = _problems(_bundle(tmp_path, involvements=involvements))
    assert "did you mean" not in problem


def test_a_self_relationship_is_reported_once_on_its_row(tmp_path: Path) -> None:
    relationships = RELATIONSHIPS + "apple,supplies,apple\n"
    problems = _problems(_bundle(tmp_path, relationships=relationships))
    assert len(problems) == 1, problems
    assert "relationships.csv, line 4, column target" in problems[0]
    assert "'apple' to itself" in problems[0]


def test_every_line_of_a_multi_error_report_starts_with_error(tmp_path: Path) -> None:
    involvements = INVOLVEMENTS.replace("congo-dongfang-mining,", "congo-dongfang-minig,")
    relationships = RELATIONSHIPS + "apple,supplies,apple\n"
    folder = _bundle(tmp_path, involvements=involvements, relationships=relationships)
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 2, lines
    assert all(line.startswith("error: ") for line in lines), lines


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("mine", "mine", 0), ("mine", "mines", 1), ("minig", "mining", 1), ("abc", "xyz", 3)],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b, bound=5) == distance


def test_a_short_id_is_only_corrected_by_one_edit() -> None:
    assert closest_id("aple", ["apple", "meta"]) == "apple"
    assert closest_id("amzn", ["amazon"]) is None
