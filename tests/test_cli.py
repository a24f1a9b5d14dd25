"""The command line: exit codes, formats and messages a person can act on."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from valuechain_kg.cli import app

runner = CliRunner()

SMALL = """
@prefix vc: <https://w3id.org/valuechain#> .
@prefix schema: <https://schema.org/> .
@prefix vcid: <https://w3id.org/valuechain/id/> .
vcid:mine a vc:Actor ; schema:name "Mine" ; vc:role vc:role-raw-material-producer ;
    vc:supplies vcid:smelter .
vcid:smelter a vc:Actor ; schema:name "Smelter" ; vc:role vc:role-manufacturer .
"""


@pytest.fixture
def small_ttl(tmp_path: Path) -> Path:
    path = tmp_path / "small.ttl"
    path.write_text(SMALL)
    return path


def test_command_without_data_exits_2_and_says_how_to_give_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("VCKG_STORE", raising=False)
    result = runner.invoke(app, ["info"])
    assert result.exit_code == 2
    assert "--data" in result.output and "VCKG_STORE" in result.output


def test_info_json_counts_actors_by_role(small_ttl: Path) -> None:
    result = runner.invoke(app, ["info", "--data", str(small_ttl), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["actors"] == 2
    assert doc["actors_by_role"] == {"manufacturer": 1, "raw-material-producer": 1}
    assert doc["relationships_by_type"] == {"supplies": 1}


def test_info_uses_the_store_named_by_the_environment(
    small_ttl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "store"
    loaded = runner.invoke(app, ["load", str(small_ttl), "--store", str(store), "--no-validate"])
    assert loaded.exit_code == 0, loaded.output
    monkeypatch.setenv("VCKG_STORE", str(store))
    result = runner.invoke(app, ["info", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["actors"] == 2


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("csv", ["name", "Mine"]), ("tsv", ["?name", '"Mine"'])],
)
def test_sparql_select_in_results_formats(small_ttl: Path, fmt: str, expected: list[str]) -> None:
    query = "SELECT ?name WHERE { ?a vc:supplies ?b ; schema:name ?name }"
    result = runner.invoke(app, ["sparql", query, "--data", str(small_ttl), "--format", fmt])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == expected


def test_sparql_construct_prints_turtle(small_ttl: Path) -> None:
    query = "CONSTRUCT { ?b vc:receivesFrom ?a } WHERE { ?a vc:supplies ?b }"
    result = runner.invoke(app, ["sparql", query, "--data", str(small_ttl)])
    assert result.exit_code == 0, result.output
    triples = {str(t) for t in ox.parse(result.stdout.encode(), format=ox.RdfFormat.TURTLE)}
    expected = (
        "<https://w3id.org/valuechain/id/smelter> <https://w3id.org/valuechain#receivesFrom> "
        "<https://w3id.org/valuechain/id/mine>"
    )
    assert triples == {expected}
    assert "@prefix vcid: <https://w3id.org/valuechain/id/> ." in result.stdout


def test_sparql_syntax_error_exits_2_with_position(small_ttl: Path) -> None:
    result = runner.invoke(app, ["sparql", "SELECT ?x WHERE {", "--data", str(small_ttl)])
    assert result.exit_code == 2
    assert "SPARQL syntax error" in result.output


def test_bad_turtle_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(SMALL + "vcid:x vc:supplies .\n")
    result = runner.invoke(app, ["info", "--data", str(bad)])
    assert result.exit_code == 2
    assert "bad.ttl" in result.output and "line 8, column 20" in result.output


def test_export_ntriples_round_trips(small_ttl: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.nt"
    result = runner.invoke(
        app, ["export", "--data", str(small_ttl), "--format", "nt", "--out", str(target)]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in target.read_text().splitlines() if line.strip()]
    assert len(lines) == 7


def test_bad_as_of_date_is_a_usage_error(small_ttl: Path) -> None:
    result = runner.invoke(app, ["linked", "x", "--data", str(small_ttl), "--as-of", "soon"])
    assert result.exit_code == 2
    assert "--as-of" in result.output


COBALT = Path(__file__).parent / "fixtures" / "bundles" / "cobalt-chain"


def test_linked_json_is_the_facade_document() -> None:
    from valuechain_kg.graph import KnowledgeGraph

    result = runner.invoke(
        app, ["linked", "child-labour-kolwezi", "--data", str(COBALT), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    expected = KnowledgeGraph.open(data=[COBALT]).linked_actors("child-labour-kolwezi")
    assert json.loads(result.stdout) == expected.model_dump(mode="json", by_alias=True)
    modes = {a["id"]: a["involvement"] for a in json.loads(result.stdout)["actors"]}
    assert modes["kolwezi-mine"] == "cause"
    assert modes["phone-brand"] == "direct-linkage"


def test_linked_csv_has_one_row_per_actor() -> None:
    doc = json.loads(
        runner.invoke(
            app, ["linked", "child-labour-kolwezi", "--data", str(COBALT), "-f", "json"]
        ).stdout
    )
    result = runner.invoke(
        app, ["linked", "child-labour-kolwezi", "--data", str(COBALT), "--format", "csv"]
    )
    lines = result.stdout.splitlines()
    assert lines[0].split(",")[:3] == ["id", "name", "involvement"]
    assert len(lines) == 1 + len(doc["actors"])


def test_leverage_json_pages_holders_and_counts_them_all() -> None:
    result = runner.invoke(
        app,
        ["leverage", "child-labour-kolwezi", "--data", str(COBALT), "-f", "json", "--limit", "1"],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["limit"] == 1
    target = doc["targets"][0]
    assert target["id"] == "kolwezi-mine"
    assert len(target["holders"]) <= 1
    assert target["holders_total"] >= len(target["holders"])


def test_unknown_impact_exits_2_naming_the_id() -> None:
    result = runner.invoke(app, ["linked", "no-such-impact", "--data", str(COBALT)])
    assert result.exit_code == 2
    assert "no-such-impact" in result.output


def test_threshold_out_of_range_is_a_usage_error() -> None:
    result = runner.invoke(
        app, ["leverage", "child-labour-kolwezi", "--data", str(COBALT), "--threshold", "1.5"]
    )
    assert result.exit_code == 2
    assert "threshold" in result.output


SELF_LEVERAGE = SMALL + (
    "vcid:lev a vc:Leverage ; vc:holder vcid:mine ; vc:target vcid:mine ;"
    " vc:basis vc:basis-ownership ; vc:strength 0.5 ;"
    " <http://www.w3.org/ns/prov#wasDerivedFrom> <https://example.org/r> .\n"
)


def test_validate_broken_file_exits_1_naming_node_and_constraint(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text(SELF_LEVERAGE)
    result = runner.invoke(app, ["validate", str(broken), "--format", "json"])
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert doc["conforms"] is False
    violations = [r for r in doc["results"] if r["severity"] == "Violation"]
    assert [r["focus_node"] for r in violations] == ["https://w3id.org/valuechain/id/lev"]
    assert "itself" in violations[0]["message"]


def test_load_with_a_violation_exits_1_and_loads_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    broken = tmp_path / "broken.ttl"
    broken.write_text(SELF_LEVERAGE)
    result = runner.invoke(app, ["load", str(broken), "--store", str(store)])
    assert result.exit_code == 1
    assert "nothing was loaded" in result.output
    # Nothing was created: the store is still missing, which a read reports as such.
    assert not store.exists()
    after = runner.invoke(app, ["info", "--store", str(store), "--format", "json"])
    assert after.exit_code == 2 and "there is no store" in after.output


def test_load_of_a_bad_bundle_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    import shutil

    bundle = tmp_path / "bundle"
    shutil.copytree(COBALT, bundle)
    with (bundle / "involvements.csv").open("a", encoding="utf-8") as f:
        f.write("ghost-actor,child-labour-kolwezi,cause,0.5,,https://example.org/r\n")
    store = tmp_path / "store"
    result = runner.invoke(app, ["load", str(bundle), "--store", str(store)])
    assert result.exit_code == 2
    assert "involvements.csv, line 4, column actor" in result.output
    # Nothing was created: the store is still missing, which a read reports as such.
    assert not store.exists()
    after = runner.invoke(app, ["info", "--store", str(store), "--format", "json"])
    assert after.exit_code == 2 and "there is no store" in after.output


def test_load_of_the_fixture_bundle_then_linked_from_the_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    loaded = runner.invoke(app, ["load", str(COBALT), "--store", str(store)])
    assert loaded.exit_code == 0, loaded.output
    again = runner.invoke(app, ["load", str(COBALT), "--store", str(store)])
    assert "loaded 0 new triples" in again.output
    result = runner.invoke(
        app, ["linked", "child-labour-kolwezi", "--store", str(store), "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["total"] >= 3


def test_derived_linkage_cites_no_sources_of_its_own_and_each_step_its_relationships() -> None:
    result = runner.invoke(
        app, ["linked", "child-labour-kolwezi", "--data", str(COBALT), "-f", "json"]
    )
    actors = {a["id"]: a for a in json.loads(result.stdout)["actors"]}
    fund = actors["pension-fund"]
    assert (fund["asserted"], fund["assertion"], fund["sources"]) == (False, "inferred", [])
    # invests-in (fund source) then the supplies edges (report source)
    steps = fund["path"]
    assert steps[0]["sources"] == ["https://example.org/fund"]
    assert all(s["sources"] == ["https://example.org/report"] for s in steps[1:])


def test_serve_without_data_exits_2_and_says_how_to_give_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("VCKG_STORE", raising=False)
    result = runner.invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 2
    assert "--data" in result.output and "VCKG_STORE" in result.output


def _said(result: object) -> str:
    """The output as one line of words, whatever box and wrapping the error panel used."""
    return " ".join(result.output.replace("│", " ").split())  # type: ignore[attr-defined]


FORMAT_CHOICES = [
    (["info"], ["table", "json"]),
    (["validate"], ["table", "json"]),
    (["linked", "child-labour-kolwezi"], ["table", "json", "csv"]),
    (["leverage", "child-labour-kolwezi"], ["table", "json", "csv"]),
    (["impacts-of", "x"], ["table", "json", "csv"]),
    (["impacts"], ["table", "json", "csv"]),
    (["sparql", "ASK {}"], ["table", "json", "csv", "tsv", "xml"]),
    (["export"], ["ttl", "nt", "nq", "trig", "jsonld", "rdfxml"]),
]


@pytest.mark.parametrize(("command", "choices"), FORMAT_CHOICES, ids=lambda c: " ".join(c))
def test_unknown_format_is_a_usage_error_naming_the_formats(
    command: list[str], choices: list[str]
) -> None:
    result = runner.invoke(app, [*command, "--data", str(COBALT), "--format", "yaml"])
    assert result.exit_code == 2, result.output
    said = _said(result)
    assert "'yaml' is not one of" in said
    assert all(f"'{choice}'" in said for choice in choices), said
    assert result.stdout == ""


def test_synth_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "out.nt"
    result = runner.invoke(app, ["synth", "--actors", "60", "--out", str(target), "-f", "x"])
    assert result.exit_code == 2
    assert "'nt', 'csv'" in _said(result)
    assert not target.exists()


def test_synth_below_the_minimum_actors_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    from valuechain_kg.datasets.synthetic import MIN_ACTORS

    target = tmp_path / "out.nt"
    result = runner.invoke(app, ["synth", "--actors", "20", "--out", str(target)])
    assert result.exit_code == 2, result.output
    said = _said(result)
    assert "--actors" in said and f"greater than or equal to {MIN_ACTORS}" in said
    assert not target.exists()
    at_minimum = runner.invoke(app, ["synth", "--actors", str(MIN_ACTORS), "--out", str(target)])
    assert at_minimum.exit_code == 0, at_minimum.output
    assert target.stat().st_size > 0


@pytest.mark.parametrize(
    ("option", "choices"),
    [("--sort", "'severity', 'id', 'title'"), ("--status", "'actual', 'potential'")],
)
def test_impacts_unknown_sort_or_status_is_a_usage_error_naming_the_choices(
    option: str, choices: str
) -> None:
    result = runner.invoke(app, ["impacts", "--data", str(COBALT), option, "worst"])
    assert result.exit_code == 2
    assert f"'worst' is not one of {choices}" in _said(result)


def test_impacts_sorted_by_title_with_a_status_filter() -> None:
    cases = Path(__file__).resolve().parents[1] / "data" / "cases"
    result = runner.invoke(
        app,
        ["impacts", "--data", str(cases), "--sort", "title", "--status", "actual", "-f", "json"],
    )
    assert result.exit_code == 0, result.output
    impacts = json.loads(result.stdout)["impacts"]
    assert len(impacts) > 2 and all(impact["status"] == "actual" for impact in impacts)
    titles = [impact["title"].casefold() for impact in impacts]
    assert titles == sorted(titles)
    assert [impact["id"] for impact in impacts] != sorted(impact["id"] for impact in impacts)


def test_serve_port_out_of_range_is_a_usage_error(small_ttl: Path) -> None:
    result = runner.invoke(app, ["serve", "--data", str(small_ttl), "--port", "70000"])
    assert result.exit_code == 2
    assert "--port" in _said(result) and "65535" in _said(result)


def test_export_into_a_missing_folder_exits_2_naming_the_path(
    small_ttl: Path, tmp_path: Path
) -> None:
    target = tmp_path / "missing" / "out.ttl"
    result = runner.invoke(app, ["export", "--data", str(small_ttl), "--out", str(target)])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert str(target) in _said(result)


def test_sparql_query_from_a_missing_file_exits_2_naming_it(
    small_ttl: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.rq"
    result = runner.invoke(app, ["sparql", f"@{missing}", "--data", str(small_ttl)])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert str(missing) in _said(result)


def test_the_console_script_ends_with_the_command_and_its_exit_code(tmp_path: Path) -> None:
    """``vckg`` leaves without the interpreter's teardown: its output, its exit code and the
    projection it saves beside the store must all still be there."""
    import subprocess
    import sys

    from valuechain_kg.graph import KnowledgeGraph

    vckg = str(Path(sys.executable).with_name("vckg"))
    store = tmp_path / "store"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([vckg, *args], capture_output=True, text=True, timeout=120)

    assert run("load", str(COBALT), "--store", str(store)).returncode == 0
    linked = run("linked", "child-labour-kolwezi", "--store", str(store), "-f", "json")
    assert linked.returncode == 0, linked.stderr
    expected = KnowledgeGraph.open(data=[COBALT]).linked_actors("child-labour-kolwezi")
    assert json.loads(linked.stdout)["total"] == expected.total
    assert (store.with_name(store.name + ".vckg") / "projection.pickle").is_file()
    missing = run("linked", "no-such-impact", "--store", str(store))
    assert missing.returncode == 2
    assert "no-such-impact" in missing.stderr
    usage = run("linked")
    assert usage.returncode == 2 and "Usage" in usage.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["info"],
        ["linked", "child-labour-kolwezi"],
        ["leverage", "child-labour-kolwezi"],
        ["impacts"],
        ["export"],
        ["sparql", "ASK {}"],
        ["validate"],
    ],
    ids=lambda c: c[0],
)
def test_a_read_on_a_store_folder_that_does_not_exist_is_bad_input(
    tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "no-store-here"
    result = runner.invoke(app, [*command, "--store", str(missing)])
    assert result.exit_code == 2, result.output
    assert "--store" in result.output and str(missing) in result.output
    assert not missing.exists()
    assert list(tmp_path.iterdir()) == []
