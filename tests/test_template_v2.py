"""The version-2 columns of the CSV template: what each becomes in RDF, and each new error.

A small bundle fills in every new column (products with their inputs, assertion statuses,
impact periods, initiative scopes, specific instances, the new response types) and must give
exactly the triples ``docs/rdf-model.md`` describes and pass the shapes. Each new kind of
mistake is reported with its file, line and column, and a bundle that leaves the new columns
empty gives the same triples as one without them.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from valuechain_kg import vocabulary
from valuechain_kg.errors import InputError, InputProblem, Location
from valuechain_kg.ingest import read_bundle, read_bundles
from valuechain_kg.ingest.template import TEMPLATE
from valuechain_kg.namespaces import DEFAULT_BASE, PROV, RDF_TYPE, VC, XSD
from valuechain_kg.validation.reference import validate

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "cases"
ID = DEFAULT_BASE
SOURCE = "https://example.org/report"

BUNDLE = {
    "actors.csv": (
        "id,name,role\n"
        "mine,Example Mining,raw-material-producer\n"
        "refiner,Example Refining,manufacturer\n"
        "brand,Example Phones,hardware-manufacturer\n"
        "fund,Example Fund,investor\n"
    ),
    "products.csv": (
        "id,name,kind,made_from,broader,source_url\n"
        "cobalt-materials,Cobalt materials,,,,\n"
        f"cobalt-ore,Cobalt ore,material,,cobalt-materials,{SOURCE}\n"
        "refined-cobalt,Refined cobalt,material,cobalt-ore,cobalt-materials,\n"
        "phone,Smartphone,good,refined-cobalt; cobalt-ore,,\n"
    ),
    "relationships.csv": (
        "source,type,target,products,valid_from,valid_until,assertion,source_url\n"
        f"mine,supplies,refiner,cobalt-ore,2015,2017-06,acknowledged,{SOURCE}\n"
        f"refiner,supplies,brand,refined-cobalt;cobalt-ore,,,,{SOURCE}\n"
        f"fund,invests-in,mine,,,,alleged,{SOURCE}\n"
    ),
    "impacts.csv": (
        "id,title,category,status,started,ended,source_url\n"
        f"child-labour,Child labour at the mine,child-labour,actual,2016-03,2017,{SOURCE}\n"
        f"open-harm,A harm still going on,labour,actual,2019,,{SOURCE}\n"
    ),
    "involvements.csv": (
        "actor,impact,mode,products,assertion,source_url\n"
        f"mine,child-labour,cause,cobalt-ore,ncp-determined,{SOURCE}\n"
        f"refiner,child-labour,contribution,,,{SOURCE}\n"
    ),
    "leverage.csv": (
        "holder,target,basis,strength,assertion,source_url\n"
        f"brand,mine,contract-terms,0.3,court-determined,{SOURCE}\n"
    ),
    "initiatives.csv": (
        "id,name,kind,scope\n"
        "rmi,Example Minerals Initiative,industry,child-labour; forced-labour\n"
        "open-forum,An initiative on everything,multi-stakeholder,\n"
    ),
    "responses.csv": (
        "actor,impact,type,source_url\n"
        + "".join(
            f"brand,child-labour,{kind},{SOURCE}\n"
            for kind in ("suspend", "assess", "consult", "test", "communicate")
        )
    ),
    "specific-instances.csv": (
        "id,title,ncp,notifier,enterprises,impact,submitted,concluded,status,outcome,"
        "chapters,source_url\n"
        "watch-v-phones,Example Watch and Example Phones,de,Example Watch,brand;refiner,"
        f"child-labour,2017-02,2018-11-30,concluded,agreement,general-policies;human-rights,{SOURCE}\n"
        f"pending,A case just filed,GB,,,,2024,,submitted,,,{SOURCE}\n"
    ),
}


def write_bundle(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    return folder


def triples(folder: Path) -> set[tuple[str, str, str]]:
    return {
        (q.subject.value, q.predicate.value, _text(q.object)) for q in read_bundle(folder).quads
    }


def _text(term: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple) -> str:
    if isinstance(term, ox.Literal) and term.datatype.value != XSD + "string":
        return f"{term.value}^^{term.datatype.value.removeprefix(XSD)}"
    return term.value  # type: ignore[union-attr]


def of(found: set[tuple[str, str, str]], node: str, predicate: str) -> set[str]:
    return {o for s, p, o in found if s == ID + node and p == VC + predicate}


@pytest.fixture
def v2(tmp_path: Path) -> set[tuple[str, str, str]]:
    return triples(write_bundle(tmp_path / "v2", BUNDLE))


# --- a good bundle ------------------------------------------------------------------------


def test_products_are_nodes_under_the_base_with_kind_inputs_and_families(
    v2: set[tuple[str, str, str]],
) -> None:
    assert (ID + "phone", RDF_TYPE, VC + "Product") in v2
    assert of(v2, "phone", "madeFrom") == {ID + "refined-cobalt", ID + "cobalt-ore"}
    assert of(v2, "refined-cobalt", "madeFrom") == {ID + "cobalt-ore"}
    assert of(v2, "cobalt-ore", "broaderProduct") == {ID + "cobalt-materials"}
    assert of(v2, "cobalt-ore", "productKind") == {vocabulary.PRODUCT_KINDS["material"]}
    assert of(v2, "cobalt-materials", "productKind") == set()
    assert (ID + "cobalt-ore", PROV + "wasDerivedFrom", SOURCE) in v2
    assert (ID + "phone", "https://schema.org/name", "Smartphone") in v2


def test_relationships_carry_their_products_and_assertion_status(
    v2: set[tuple[str, str, str]],
) -> None:
    supply = "relationship/refiner--supplies--brand"
    assert of(v2, supply, "product") == {ID + "refined-cobalt", ID + "cobalt-ore"}
    assert of(v2, supply, "assertion") == set()  # empty: reported, and nothing is written
    first = "relationship/mine--supplies--refiner"
    assert of(v2, first, "assertion") == {vocabulary.ASSERTIONS["acknowledged"]}
    assert of(v2, first, "validUntil") == {"2017-06-30^^date"}
    stake = "relationship/fund--invests-in--mine"
    assert of(v2, stake, "assertion") == {vocabulary.ASSERTIONS["alleged"]}
    assert of(v2, stake, "product") == set()


def test_impact_periods_cover_whole_months_and_years(v2: set[tuple[str, str, str]]) -> None:
    assert of(v2, "child-labour", "started") == {"2016-03-01^^date"}
    assert of(v2, "child-labour", "ended") == {"2017-12-31^^date"}
    assert of(v2, "open-harm", "started") == {"2019-01-01^^date"}
    assert of(v2, "open-harm", "ended") == set()


def test_involvements_and_leverage_carry_products_and_assertion_status(
    v2: set[tuple[str, str, str]],
) -> None:
    cause = "involvement/mine--child-labour--cause"
    assert of(v2, cause, "product") == {ID + "cobalt-ore"}
    assert of(v2, cause, "assertion") == {vocabulary.ASSERTIONS["ncp-determined"]}
    contribution = "involvement/refiner--child-labour--contribution"
    assert of(v2, contribution, "product") == of(v2, contribution, "assertion") == set()
    claim = "leverage/brand--mine--contract-terms"
    assert of(v2, claim, "assertion") == {vocabulary.ASSERTIONS["court-determined"]}


def test_initiative_scope_is_a_set_of_impact_categories(v2: set[tuple[str, str, str]]) -> None:
    assert of(v2, "rmi", "scope") == {
        vocabulary.CATEGORIES["child-labour"],
        vocabulary.CATEGORIES["forced-labour"],
    }
    assert of(v2, "open-forum", "scope") == set()


def test_new_response_types_map_to_their_concepts(v2: set[tuple[str, str, str]]) -> None:
    for kind in ("suspend", "assess", "consult", "test", "communicate"):
        node = f"response/brand--child-labour--{kind}"
        assert of(v2, node, "responseType") == {vocabulary.RESPONSE_TYPES[kind]}


def test_specific_instances_record_ncp_parties_dates_status_outcome_and_chapters(
    v2: set[tuple[str, str, str]],
) -> None:
    case = "watch-v-phones"
    assert (ID + case, RDF_TYPE, VC + "SpecificInstance") in v2
    assert of(v2, case, "ncpCountry") == {"DE"}
    assert of(v2, case, "notifier") == {"Example Watch"}
    assert of(v2, case, "enterprise") == {ID + "brand", ID + "refiner"}
    assert of(v2, case, "impact") == {ID + "child-labour"}
    assert of(v2, case, "submitted") == {"2017-02^^gYearMonth"}
    assert of(v2, case, "concluded") == {"2018-11-30^^date"}
    assert of(v2, case, "instanceStatus") == {vocabulary.INSTANCE_STATUSES["concluded"]}
    assert of(v2, case, "instanceOutcome") == {vocabulary.INSTANCE_OUTCOMES["agreement"]}
    assert of(v2, case, "chapter") == {
        vocabulary.GUIDELINES_CHAPTERS["general-policies"],
        vocabulary.GUIDELINES_CHAPTERS["human-rights"],
    }
    assert of(v2, "pending", "submitted") == {"2024^^gYear"}
    assert of(v2, "pending", "enterprise") == of(v2, "pending", "impact") == set()


def test_the_v2_bundle_conforms_to_the_shapes_and_loading_it_twice_changes_nothing(
    tmp_path: Path,
) -> None:
    folder = write_bundle(tmp_path / "v2", BUNDLE)
    result = read_bundle(folder)
    report = validate(result.quads, result.origins)
    assert report.conforms, report.results
    assert read_bundle(folder).quads == result.quads
    store = ox.Store()
    store.extend(result.quads)
    size = len(store)
    store.extend(read_bundle(folder).quads)
    assert len(store) == size == len(result.quads)
    assert result.origins[ID + "phone"] == Location(str(folder / "products.csv"), 5)
    assert result.origins[ID + "pending"].line == 3


def test_a_bundle_may_use_products_another_bundle_defines(tmp_path: Path) -> None:
    first = write_bundle(tmp_path / "a", {k: BUNDLE[k] for k in ("actors.csv", "products.csv")})
    second = write_bundle(
        tmp_path / "b",
        {
            "actors.csv": "id,name,role\n",
            "relationships.csv": "source,type,target,products\nmine,supplies,brand,phone\n",
        },
    )
    quads = read_bundles([first, second]).quads
    supply = ID + "relationship/mine--supplies--brand"
    products = {q.object.value for q in quads if q.predicate.value == VC + "product"}
    assert products == {ID + "phone"}
    assert any(q.subject.value == supply for q in quads)


# --- each new error, with file, line and column --------------------------------------------


def problems_of(folder: Path) -> list[InputProblem]:
    with pytest.raises(InputError) as caught:
        read_bundle(folder)
    return caught.value.problems


def only_problem(tmp_path: Path, changes: dict[str, str]) -> InputProblem:
    problems = problems_of(write_bundle(tmp_path / "bad", {**BUNDLE, **changes}))
    assert len(problems) == 1, problems
    return problems[0]


def at(tmp_path: Path, file: str, line: int, column: str) -> Location:
    return Location(str(tmp_path / "bad" / file), line, column)


def with_row(file: str, row: str) -> dict[str, str]:
    return {file: BUNDLE[file] + row}


def test_an_undefined_product_on_a_relationship_is_located(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path, with_row("relationships.csv", "brand,sells-to,fund,phone;tablet,,,,\n")
    )
    assert problem.location == at(tmp_path, "relationships.csv", 5, "products")
    assert "'tablet' is not defined: no product with this id in products.csv" in problem.message


def test_an_undefined_product_on_an_involvement_or_as_an_input_is_located(
    tmp_path: Path,
) -> None:
    changes = with_row("involvements.csv", f"brand,child-labour,direct-linkage,battery,,{SOURCE}\n")
    changes |= with_row("products.csv", "cathode,Cathode,component,nickel,,\n")
    problems = problems_of(write_bundle(tmp_path / "bad", {**BUNDLE, **changes}))
    assert [(p.location, p.message.split(":")[0]) for p in problems] == [
        (at(tmp_path, "involvements.csv", 4, "products"), "'battery' is not defined"),
        (at(tmp_path, "products.csv", 6, "made_from"), "'nickel' is not defined"),
    ]


def test_a_product_id_that_names_an_actor_is_the_wrong_kind(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path, with_row("relationships.csv", "brand,sells-to,fund,refiner,,,,\n")
    )
    assert problem.location == at(tmp_path, "relationships.csv", 5, "products")
    assert problem.message.startswith("'refiner' is an actor (")
    assert problem.message.endswith("not a product")


def test_products_share_the_id_space_of_actors(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, with_row("products.csv", "mine,A mine product,good,,,\n"))
    assert problem.location == at(tmp_path, "products.csv", 6, "id")
    assert "duplicate id 'mine': already defined as actor" in problem.message


def test_a_made_from_cycle_is_reported_once_at_the_product_defined_first(
    tmp_path: Path,
) -> None:
    products = BUNDLE["products.csv"].replace(
        "cobalt-ore,Cobalt ore,material,,", "cobalt-ore,Cobalt ore,material,phone,"
    )
    problem = only_problem(tmp_path, {"products.csv": products})
    assert problem.location == at(tmp_path, "products.csv", 3, "made_from")
    assert "made_from forms a cycle: cobalt-ore -> phone -> cobalt-ore" in problem.message


def test_a_product_made_from_itself_is_a_cycle(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, with_row("products.csv", "loop,Loop,data,loop,,\n"))
    assert problem.location == at(tmp_path, "products.csv", 6, "made_from")
    assert "loop -> loop" in problem.message


def test_an_impact_ending_before_it_starts_is_located(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path,
        with_row("impacts.csv", f"spill,A spill,environment,actual,2020-05,2020-04,{SOURCE}\n"),
    )
    assert problem.location == at(tmp_path, "impacts.csv", 4, "ended")
    assert "the impact ends before it starts" in problem.message


def test_an_impact_ending_in_the_month_it_starts_is_fine(tmp_path: Path) -> None:
    folder = write_bundle(
        tmp_path / "ok",
        {
            **BUNDLE,
            **with_row(
                "impacts.csv", f"spill,A spill,environment,actual,2020-05-20,2020-05,{SOURCE}\n"
            ),
        },
    )
    assert of(triples(folder), "spill", "ended") == {"2020-05-31^^date"}


def test_a_specific_instance_concluded_before_it_was_submitted_is_located(
    tmp_path: Path,
) -> None:
    row = f"late,Late,NL,,,,2020,2019-12,concluded,withdrawn,,{SOURCE}\n"
    problem = only_problem(tmp_path, with_row("specific-instances.csv", row))
    assert problem.location == at(tmp_path, "specific-instances.csv", 4, "concluded")


@pytest.mark.parametrize(
    ("file", "row", "line", "column", "allowed"),
    [
        (
            "involvements.csv",
            f"brand,child-labour,direct-linkage,,rumoured,{SOURCE}\n",
            4,
            "assertion",
            "unknown assertion status 'rumoured'; allowed: alleged, reported, acknowledged, "
            "ncp-determined, court-determined, regulator-determined",
        ),
        (
            "leverage.csv",
            f"fund,mine,ownership,0.2,inferred,{SOURCE}\n",
            3,
            "assertion",
            "unknown assertion status 'inferred'; allowed: alleged, reported",
        ),
        (
            "relationships.csv",
            "brand,sells-to,fund,,,,Alleged,\n",
            5,
            "assertion",
            "unknown assertion status 'Alleged'; allowed: alleged",
        ),
        (
            "products.csv",
            "gadget,Gadget,device,,,\n",
            6,
            "kind",
            "unknown product kind 'device'; allowed: good, component, material, service, data, "
            "software",
        ),
        (
            "initiatives.csv",
            "forum,Forum,,privacy; surveillance\n",
            4,
            "scope",
            "unknown impact category 'surveillance'; allowed: disclosure",
        ),
        (
            "specific-instances.csv",
            f"x,X,DE,,,,,,pending,,,{SOURCE}\n",
            4,
            "status",
            "unknown specific-instance status 'pending'; allowed: submitted, accepted",
        ),
        (
            "specific-instances.csv",
            f"x,X,DE,,,,,,concluded,settled,,{SOURCE}\n",
            4,
            "outcome",
            "unknown specific-instance outcome 'settled'; allowed: agreement",
        ),
        (
            "specific-instances.csv",
            f"x,X,DE,,,,,,concluded,,chapter-iv,{SOURCE}\n",
            4,
            "chapters",
            "unknown Guidelines chapter 'chapter-iv'; allowed: concepts-and-principles",
        ),
        (
            "specific-instances.csv",
            f"x,X,Germany,,,,,,concluded,,,{SOURCE}\n",
            4,
            "ncp",
            "'Germany' is not an ISO 3166-1 alpha-2 country code",
        ),
        (
            "specific-instances.csv",
            f"x,X,DE,,brand;ghost,,,,concluded,,,{SOURCE}\n",
            4,
            "enterprises",
            "'ghost' is not defined: no actor with this id in actors.csv",
        ),
        (
            "responses.csv",
            f"brand,child-labour,lobby,{SOURCE}\n",
            7,
            "type",
            "unknown response type 'lobby'; allowed: prevent, mitigate, remediate, engage, "
            "use-leverage, disengage, suspend, assess, consult, test, communicate",
        ),
    ],
    ids=[
        "assertion-involvement",
        "assertion-leverage",
        "assertion-relationship",
        "product-kind",
        "initiative-scope",
        "instance-status",
        "instance-outcome",
        "instance-chapter",
        "instance-ncp",
        "instance-enterprise",
        "response-type",
    ],
)
def test_an_unknown_word_or_id_in_a_new_column_is_located_and_lists_what_is_allowed(
    tmp_path: Path, file: str, row: str, line: int, column: str, allowed: str
) -> None:
    problem = only_problem(tmp_path, with_row(file, row))
    assert problem.location == at(tmp_path, file, line, column)
    assert allowed in problem.message


def test_a_specific_instance_needs_its_required_columns(tmp_path: Path) -> None:
    header = "id,title,ncp,status\n"
    problems = problems_of(
        write_bundle(
            tmp_path / "bad",
            {"actors.csv": BUNDLE["actors.csv"], "specific-instances.csv": header + "x,X,,\n"},
        )
    )
    columns = {(p.location.line, p.location.column) for p in problems}
    assert columns == {(1, "source_url"), (2, "ncp"), (2, "status")}


# --- old bundles are unchanged ------------------------------------------------------------


def _widen(folder: Path, out: Path) -> None:
    """Copy a bundle, giving every file the full v2 header with the new cells left empty."""
    out.mkdir(parents=True)
    for path in folder.iterdir():
        if path.suffix != ".csv":
            shutil.copy(path, out / path.name)
            continue
        with path.open(newline="", encoding="utf-8-sig") as stream:
            rows = list(csv.DictReader(stream))
        with (out / path.name).open("w", newline="", encoding="utf-8") as stream:
            writer = csv.DictWriter(stream, fieldnames=TEMPLATE[path.name].columns, restval="")
            writer.writeheader()
            writer.writerows(rows)


V2_PREDICATES = {
    VC + p
    for p in (
        "product",
        "madeFrom",
        "broaderProduct",
        "productKind",
        "assertion",
        "started",
        "ended",
        "ncpCountry",
        "notifier",
        "enterprise",
        "submitted",
        "concluded",
        "instanceStatus",
        "instanceOutcome",
        "chapter",
    )
}


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_a_case_bundle_with_the_new_columns_left_empty_gives_the_same_triples(
    tmp_path: Path, case: str
) -> None:
    original = read_bundle(CASES / case)
    widened = read_bundle(_widen_to(CASES / case, tmp_path / case))
    assert set(widened.quads) == set(original.quads)
    assert len(widened.quads) == len(original.quads)


def _widen_to(folder: Path, out: Path) -> Path:
    _widen(folder, out)
    return out


def test_bundles_without_the_new_columns_write_no_version_2_triple() -> None:
    # Read with the version-1 headers of data/cases: where a bundle names no product, period,
    # assertion or scope, none of the new predicates may appear (they would change answers).
    headers = {
        path.name: path.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
        for path in CASES.rglob("*.csv")
    }
    new_columns = {"products", "assertion", "started", "ended", "scope", "made_from"}
    if any(new_columns & set(h) for name, h in headers.items() if name != "impacts.csv"):
        pytest.skip("the demo cases now use version-2 columns")
    quads = read_bundle(CASES / "cobalt-drc").quads
    assert {q.predicate.value for q in quads} & V2_PREDICATES == set()
    scopes = [q for q in quads if q.predicate.value == VC + "scope"]
    assert scopes
    assert all(isinstance(q.object, ox.Literal) for q in scopes)  # severity, not initiatives
