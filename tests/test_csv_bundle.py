"""The CSV bundle reader: the template to RDF, and every problem reported with its place."""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox
import pytest

from valuechain_kg.errors import InputError, InputProblem, Location
from valuechain_kg.ingest import read_bundle, read_bundles, read_sources
from valuechain_kg.ingest.template import TEMPLATE as SPECS
from valuechain_kg.namespaces import DEFAULT_BASE, VC, XSD
from valuechain_kg.store import GraphStore

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bundles"
COBALT = FIXTURES / "cobalt-chain"
ACTORS = "id,name,role\nacme,Acme,manufacturer\nphone,Phone Co,technology-company\n"
LEVERAGE_HEADER = "holder,target,basis,strength,source_url\nphone,acme,ownership,"


def write_bundle(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / name).write_bytes(data)
    return folder


def problems_of(folder: Path) -> list[InputProblem]:
    with pytest.raises(InputError) as caught:
        read_bundle(folder)
    return caught.value.problems


def only_problem(folder: Path) -> InputProblem:
    problems = problems_of(folder)
    assert len(problems) == 1, problems
    return problems[0]


def data_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8-sig") as stream:
        return sum(1 for _ in csv.DictReader(stream))


# --- a good bundle ------------------------------------------------------------------------


CLASS_OF_FILE = {
    "actors.csv": "vc:Actor",
    "relationships.csv": "vc:BusinessRelationship",
    "impacts.csv": "vc:AdverseImpact",
    "involvements.csv": "vc:Involvement",
    "leverage.csv": "vc:Leverage",
    "initiatives.csv": "vc:Initiative",
    "memberships.csv": "org:Membership",
    "responses.csv": "vc:Response",
    "sites.csv": "vc:Site",
}


@pytest.mark.parametrize("name", sorted(CLASS_OF_FILE))
def test_round_trip_csv_to_sparql_counts_one_node_per_row(name: str) -> None:
    store = GraphStore()
    store.add(read_bundle(COBALT).quads)
    answer = store.query(f"SELECT (COUNT(?n) AS ?c) WHERE {{ ?n a {CLASS_OF_FILE[name]} }}")
    count = int(next(iter(answer))["c"].value)  # type: ignore[call-overload]
    assert count == data_rows(COBALT / name)


def test_relationship_keeps_the_direct_triple_for_property_paths() -> None:
    store = GraphStore()
    store.add(read_bundle(COBALT).quads)
    answer = store.query(
        "ASK { vcid:kolwezi-mine vc:supplies+ vcid:phone-brand . "
        "vcid:pension-fund vc:investsIn vcid:phone-brand . "
        "vcid:phone-brand vc:memberOf vcid:responsible-minerals }"
    )
    assert bool(answer)


def test_node_iris_follow_the_rdf_model() -> None:
    origins = read_bundle(COBALT).origins
    for local in (
        "kolwezi-mine",
        "child-labour-kolwezi",
        "responsible-minerals",
        "relationship/kolwezi-mine--supplies--cobalt-trader",
        "involvement/cobalt-trader--child-labour-kolwezi--contribution",
        "leverage/phone-brand--cell-maker--contract-terms",
        "membership/cell-maker--responsible-minerals",
        "response/phone-brand--child-labour-kolwezi--use-leverage",
        "site/kolwezi-mine--CD--1",
        "site/kolwezi-mine--CD--2",
        "site/cell-maker--KR--1",
    ):
        assert DEFAULT_BASE + local in origins


def test_validity_dates_widen_to_whole_days_and_other_dates_keep_their_precision() -> None:
    quads = read_bundle(COBALT).quads
    values = {(q.subject.value, q.predicate.value): q.object for q in quads}
    rel = DEFAULT_BASE + "relationship/kolwezi-mine--supplies--cobalt-trader"
    assert values[(rel, VC + "validFrom")] == ox.Literal(
        "2019-01-01", datatype=ox.NamedNode(XSD + "date")
    )
    assert values[(rel, VC + "validUntil")] == ox.Literal(
        "2022-06-30", datatype=ox.NamedNode(XSD + "date")
    )
    since = values[(DEFAULT_BASE + "membership/phone-brand--responsible-minerals", VC + "since")]
    assert since == ox.Literal("2016", datatype=ox.NamedNode(XSD + "gYear"))
    since = values[(DEFAULT_BASE + "membership/cell-maker--responsible-minerals", VC + "since")]
    assert since == ox.Literal("2018-05", datatype=ox.NamedNode(XSD + "gYearMonth"))


def test_numbers_are_typed_decimal_and_integer() -> None:
    quads = read_bundle(COBALT).quads
    values = {(q.subject.value, q.predicate.value): q.object for q in quads}
    impact = DEFAULT_BASE + "pollution-kolwezi"
    assert values[(impact, VC + "scale")] == ox.Literal("2", datatype=ox.NamedNode(XSD + "integer"))
    assert values[(impact, VC + "likelihood")] == ox.Literal(
        "0.3", datatype=ox.NamedNode(XSD + "decimal")
    )
    lev = DEFAULT_BASE + "leverage/phone-brand--cell-maker--contract-terms"
    assert values[(lev, VC + "strength")] == ox.Literal(
        "0.7", datatype=ox.NamedNode(XSD + "decimal")
    )


def test_every_source_url_becomes_one_was_derived_from() -> None:
    quads = read_bundle(COBALT).quads
    sources = {
        q.object.value
        for q in quads
        if q.subject.value == DEFAULT_BASE + "phone-brand" and q.predicate.value.endswith("From")
    }
    assert sources == {"https://example.org/report", "https://example.org/annual"}


def test_origins_name_the_row_where_a_multi_line_record_starts() -> None:
    origins = read_bundle(COBALT).origins
    impacts = str(COBALT / "impacts.csv")
    assert origins[DEFAULT_BASE + "child-labour-kolwezi"] == Location(impacts, 2)
    # The record before it spans lines 2 and 3.
    assert origins[DEFAULT_BASE + "pollution-kolwezi"] == Location(impacts, 4)


def test_reading_the_same_bundle_twice_gives_identical_quads() -> None:
    assert read_bundle(COBALT).quads == read_bundle(COBALT).quads


def test_loading_the_same_bundle_twice_changes_nothing() -> None:
    store = GraphStore()
    store.add(read_bundle(COBALT).quads)
    size = len(store)
    store.add(read_bundle(COBALT).quads)
    assert len(store) == size > 0


def test_bom_crlf_and_quoted_line_breaks_read_with_correct_line_numbers(tmp_path: Path) -> None:
    actors = (
        "\ufeffid,name,role\r\n"
        'acme,"Acme\r\nMining\r\nGroup",manufacturer\r\n'
        "phone,Phone Co,technology-company\r\n"
        "bad,Bad Co,miner\r\n"
    ).encode()
    problem = only_problem(write_bundle(tmp_path, {"actors.csv": actors}))
    # Header on line 1, acme on lines 2-4, phone on line 5, bad on line 6.
    assert problem.location == Location(str(tmp_path / "actors.csv"), 6, "role")
    fixed = actors.replace(b"miner", b"trader")
    result = read_bundle(write_bundle(tmp_path, {"actors.csv": fixed}))
    names = {q.object.value for q in result.quads if q.predicate.value.endswith("name")}
    assert names == {"Acme\nMining\nGroup", "Phone Co", "Bad Co"}
    assert result.origins[DEFAULT_BASE + "phone"].line == 5


def test_template_files_have_the_designed_columns_and_read_as_an_empty_bundle() -> None:
    template = Path(__file__).resolve().parents[1] / "data" / "template"
    for name, spec in SPECS.items():
        header = (template / name).read_text(encoding="utf-8").splitlines()[0]
        assert tuple(header.split(",")) == spec.columns
    assert read_bundle(template).quads == []


# --- bad input: each kind of problem, with file, line and column ---------------------------


BAD_INPUT = {
    "row_that_does_not_parse": (
        {"actors.csv": ACTORS + 'broken,"Broken,manufacturer\n'},
        ("actors.csv", 4, None),
        "does not parse",
    ),
    "row_with_too_many_cells": (
        {"actors.csv": ACTORS + "extra,Extra,trader,surplus\n"},
        ("actors.csv", 4, None),
        "4 cells but the header has 3 columns",
    ),
    "unknown_column": (
        {"actors.csv": "id,name,role,colour\nacme,Acme,manufacturer,red\n"},
        ("actors.csv", 1, "colour"),
        "unknown column 'colour'",
    ),
    "missing_required_column": (
        {"actors.csv": "id,name\nacme,Acme\n"},
        ("actors.csv", 1, "role"),
        "required column 'role' is missing",
    ),
    "unknown_vocabulary_word": (
        {"actors.csv": "id,name,role\nacme,Acme,manufacturer;miner\n"},
        ("actors.csv", 2, "role"),
        "unknown role 'miner'; allowed: technology-company",
    ),
    "unknown_relationship_type": (
        {"actors.csv": ACTORS, "relationships.csv": "source,type,target\nacme,buys-from,phone\n"},
        ("relationships.csv", 2, "type"),
        "unknown relationship type 'buys-from'; allowed: supplies, provides-service",
    ),
    "missing_required_value": (
        {"actors.csv": "id,name,role\nacme,,manufacturer\n"},
        ("actors.csv", 2, "name"),
        "missing required value for 'name'",
    ),
    "dangling_reference": (
        {
            "actors.csv": ACTORS,
            "relationships.csv": "source,type,target\nacme,supplies,ghost\n",
        },
        ("relationships.csv", 2, "target"),
        "'ghost' is not defined",
    ),
    "reference_to_the_wrong_kind": (
        {
            "actors.csv": ACTORS,
            "initiatives.csv": "id,name\nrmi,RMI\n",
            "relationships.csv": "source,type,target\nacme,supplies,rmi\n",
        },
        ("relationships.csv", 2, "target"),
        "'rmi' is an initiative",
    ),
    "duplicate_actor_id": (
        {"actors.csv": ACTORS + "acme,Acme again,trader\n"},
        ("actors.csv", 4, "id"),
        "duplicate id 'acme': already defined as actor in",
    ),
    "id_shared_by_actor_and_impact": (
        {
            "actors.csv": ACTORS,
            "impacts.csv": "id,title,category,status,source_url\n"
            "acme,Spill,environment,actual,https://example.org\n",
        },
        ("impacts.csv", 2, "id"),
        "actors.csv line 2",
    ),
    "duplicate_relationship_row": (
        {
            "actors.csv": ACTORS,
            "relationships.csv": "source,type,target\nacme,supplies,phone\nacme,supplies,phone\n",
        },
        ("relationships.csv", 3, None),
        "duplicate relationship: the same one is on line 2",
    ),
    "number_that_cannot_be_read": (
        {"actors.csv": ACTORS, "leverage.csv": LEVERAGE_HEADER + "high,https://example.org\n"},
        ("leverage.csv", 2, "strength"),
        "'high' is not a number",
    ),
    "percentage_instead_of_fraction": (
        {"actors.csv": ACTORS, "leverage.csv": LEVERAGE_HEADER + "40%,https://example.org\n"},
        ("leverage.csv", 2, "strength"),
        "not a percentage",
    ),
    "number_out_of_range": (
        {"actors.csv": ACTORS, "leverage.csv": LEVERAGE_HEADER + "1.5,https://example.org\n"},
        ("leverage.csv", 2, "strength"),
        "out of range: must be between 0 and 1",
    ),
    "severity_out_of_range": (
        {
            "actors.csv": ACTORS,
            "impacts.csv": "id,title,category,status,scale,source_url\n"
            "spill,Spill,environment,actual,5,https://example.org\n",
        },
        ("impacts.csv", 2, "scale"),
        "must be 1, 2, 3 or 4",
    ),
    "date_that_cannot_be_read": (
        {
            "actors.csv": ACTORS,
            "relationships.csv": "source,type,target,valid_from\nacme,supplies,phone,1/2/2020\n",
        },
        ("relationships.csv", 2, "valid_from"),
        "not a date: write YYYY, YYYY-MM or YYYY-MM-DD",
    ),
    "date_not_in_the_calendar": (
        {
            "actors.csv": ACTORS,
            "initiatives.csv": "id,name\nrmi,RMI\n",
            "memberships.csv": "actor,initiative,since\nacme,rmi,2021-02-30\n",
        },
        ("memberships.csv", 2, "since"),
        "not a date in the calendar",
    ),
    "bad_country_code": (
        {"actors.csv": "id,name,role,country\nacme,Acme,manufacturer,Germany\n"},
        ("actors.csv", 2, "country"),
        "not an ISO 3166-1 alpha-2 country code",
    ),
    "unassigned_country_code": (
        {"actors.csv": "id,name,role,country\nacme,Acme,manufacturer,XX\n"},
        ("actors.csv", 2, "country"),
        "not an ISO 3166-1 alpha-2 country code",
    ),
    "id_that_is_not_a_slug": (
        {"actors.csv": "id,name,role\nAcme Corp,Acme,manufacturer\n"},
        ("actors.csv", 2, "id"),
        "'Acme Corp' is not a slug",
    ),
    "source_url_that_is_not_a_url": (
        {
            "actors.csv": "id,name,role,source_url\n"
            "acme,Acme,manufacturer,https://example.org www.example.org\n"
        },
        ("actors.csv", 2, "source_url"),
        "'www.example.org' does not look like an http(s) URL",
    ),
    "relationship_that_ends_before_it_starts": (
        {
            "actors.csv": ACTORS,
            "relationships.csv": "source,type,target,valid_from,valid_until\n"
            "acme,supplies,phone,2021-03,2021-02\n",
        },
        ("relationships.csv", 2, "valid_until"),
        "ends before it starts",
    ),
    "file_that_is_not_utf8": (
        {"actors.csv": "id,name,role\nacme,Société,manufacturer\n".encode("latin-1")},
        ("actors.csv", 2, None),
        "not UTF-8",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_is_reported_with_file_line_and_column(case: str, tmp_path: Path) -> None:
    files, (name, line, column), message = BAD_INPUT[case]
    problem = only_problem(write_bundle(tmp_path, files))
    assert problem.location == Location(str(tmp_path / name), line, column)
    assert message in problem.message


def test_a_folder_without_actors_csv_is_not_a_bundle(tmp_path: Path) -> None:
    folder = write_bundle(tmp_path / "empty", {"impacts.csv": "id,title\n"})
    problem = only_problem(folder)
    assert problem.location == Location(str(folder))
    assert "actors.csv is missing" in problem.message


def test_every_problem_of_a_bundle_is_reported_at_once(tmp_path: Path) -> None:
    folder = write_bundle(
        tmp_path,
        {
            "actors.csv": "id,name,role,country\n"
            "acme,Acme,manufacturer,DE\n"
            "Bad Id,Bad,trader,ZZ\n"
            "acme,Acme twice,miner,FR\n",
            "involvements.csv": "actor,impact,mode,confidence,source_url\nacme,spill,causes,2,\n",
        },
    )
    got = {
        (Path(p.location.file).name, p.location.line, p.location.column)
        for p in problems_of(folder)
    }
    assert got == {
        ("actors.csv", 3, "id"),
        ("actors.csv", 3, "country"),
        ("actors.csv", 4, "id"),
        ("actors.csv", 4, "role"),
        ("involvements.csv", 2, "impact"),
        ("involvements.csv", 2, "mode"),
        ("involvements.csv", 2, "confidence"),
        ("involvements.csv", 2, "source_url"),
    }


def test_problems_are_listed_in_file_and_line_order(tmp_path: Path) -> None:
    folder = write_bundle(
        tmp_path,
        {
            "actors.csv": "id,name,role\nacme,Acme,miner\nphone,,trader\n",
            "sites.csv": "actor,country\nghost,DE\n",
        },
    )
    places = [(Path(p.location.file).name, p.location.line) for p in problems_of(folder)]
    assert places == [("actors.csv", 2), ("actors.csv", 3), ("sites.csv", 2)]


# --- several bundles ------------------------------------------------------------------------


def test_the_same_actor_id_in_two_bundles_is_one_actor(tmp_path: Path) -> None:
    first = write_bundle(tmp_path / "a", {"actors.csv": ACTORS})
    second = write_bundle(
        tmp_path / "b",
        {
            "actors.csv": "id,name,role\nacme,Acme,manufacturer\nmine,Mine,raw-material-producer\n",
            "relationships.csv": "source,type,target\nmine,supplies,acme\nacme,supplies,phone\n",
        },
    )
    result = read_bundles([first, second])
    store = GraphStore()
    store.add(result.quads)
    count = store.query("SELECT (COUNT(DISTINCT ?a) AS ?c) WHERE { ?a a vc:Actor }")
    assert int(next(iter(count))["c"].value) == 3  # type: ignore[call-overload]
    assert result.origins[DEFAULT_BASE + "acme"] == Location(str(first / "actors.csv"), 2)


def test_a_reference_to_an_actor_of_a_bundle_not_read_is_dangling(tmp_path: Path) -> None:
    write_bundle(tmp_path / "a", {"actors.csv": ACTORS})
    second = write_bundle(
        tmp_path / "b",
        {
            "actors.csv": "id,name,role\nmine,Mine,raw-material-producer\n",
            "relationships.csv": "source,type,target\nmine,supplies,acme\n",
        },
    )
    problem = only_problem(second)
    assert problem.location == Location(str(second / "relationships.csv"), 2, "target")


def test_read_sources_finds_every_bundle_and_rdf_file_under_a_folder(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    write_bundle(cases / "one", {"actors.csv": ACTORS})
    write_bundle(
        cases / "two",
        {
            "actors.csv": "id,name,role\nmine,Mine,raw-material-producer\n",
            "relationships.csv": "source,type,target\nmine,supplies,acme\n",
        },
    )
    (cases / "extra.ttl").write_text(
        "<https://example.org/x> <https://schema.org/name> 'X' .\n", encoding="utf-8"
    )
    result = read_sources([cases])
    subjects = {q.subject.value for q in result.quads}
    assert {DEFAULT_BASE + "acme", DEFAULT_BASE + "mine", "https://example.org/x"} <= subjects


def test_read_sources_gathers_problems_from_rdf_files_and_bundles(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path / "bundle", {"actors.csv": "id,name,role\nacme,Acme,miner\n"})
    broken = tmp_path / "broken.ttl"
    broken.write_text("<https://example.org/x> <https://schema.org/name> .\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_sources([bundle, broken, tmp_path / "missing"])
    files = {p.location.file for p in caught.value.problems}
    assert files == {str(bundle / "actors.csv"), str(broken), str(tmp_path / "missing")}
