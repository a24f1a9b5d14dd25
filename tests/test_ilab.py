"""The ILAB List of Goods importer and the demo data's screening answers.

The import reproduces the list's own counts; its derived entries follow from their inputs by
composition; Apple's 2022 suppliers with sites where ILAB lists electronics are flagged with
their paths; the cobalt case's actors get the DRC cobalt indicator; nothing becomes a cause.
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET  # noqa: N817
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from valuechain_kg.analysis.projection import Projection
from valuechain_kg.analysis.screening import derived_product_risks
from valuechain_kg.api import ApiSettings, create_app
from valuechain_kg.cli import app as cli_app
from valuechain_kg.datasets.apple_production import write_apple_production
from valuechain_kg.datasets.ilab import SAME_AS_PROJECT, import_ilab, product_id, read_ilab
from valuechain_kg.errors import InputError
from valuechain_kg.graph import KnowledgeGraph

DATA = Path(__file__).resolve().parents[1] / "data"
ILAB = DATA / "ilab-list-of-goods-2021"
SOURCE = ILAB / "source" / "goods_2021_flat.csv"
APPLE = DATA / "apple-suppliers-2022"
APPLE_PRODUCTION = DATA / "apple-suppliers-2022-production"
DEMO = [DATA / "cases", APPLE, ILAB, APPLE_PRODUCTION]


def test_the_import_reproduces_the_lists_counts() -> None:
    rows = read_ilab(SOURCE)
    assert len(rows) == 467
    assert len({r.good for r in rows}) == 169
    assert len({r.country for r in rows}) == 78
    assert sum(r.child_labour for r in rows) == 414
    assert sum(r.forced_labour for r in rows) == 121
    assert sum(r.forced_child_labour for r in rows) == 54
    assert sum(r.derived for r in rows) == 10


def test_the_bundle_holds_one_product_per_good_and_one_indicator_per_listed_category(
    tmp_path: Path,
) -> None:
    report = import_ilab(SOURCE, tmp_path)
    assert (report.goods, report.countries, report.rows, report.products) == (169, 78, 467, 169)
    with (tmp_path / "risk-indicators.csv").open(encoding="utf-8") as stream:
        indicators = list(csv.DictReader(stream))
    assert report.indicators == len(indicators) == 414 + 121 + 10
    direct = [i for i in indicators if not i["derived_from"]]
    assert Counter(i["category"] for i in direct) == {"child-labour": 414, "forced-labour": 121}
    assert sum(i["forced_child_labour"] == "yes" for i in indicators) == 54
    derived = Counter(
        (i["product"], i["derived_from"], i["category"]) for i in indicators if i["derived_from"]
    )
    assert derived[("lithium-ion-batteries", "CD", "child-labour")] == 1
    assert derived[("solar-modules", "CN", "forced-labour")] == 1
    assert derived[("oleochemicals", "ID", "child-labour")] == 1
    assert sum(derived.values()) == 10


def test_the_committed_bundle_is_what_the_importer_writes(tmp_path: Path) -> None:
    import_ilab(SOURCE, tmp_path)
    for name in ("actors.csv", "products.csv", "risk-indicators.csv"):
        assert (ILAB / name).read_text(encoding="utf-8") == (tmp_path / name).read_text(
            encoding="utf-8"
        )


def test_the_apps_xml_reads_as_its_flattening(tmp_path: Path) -> None:
    rows = read_ilab(SOURCE)
    root = ET.Element("Goods")
    with SOURCE.open(encoding="utf-8") as stream:
        records = list(csv.DictReader(stream))
    goods: dict[str, ET.Element] = {}
    for r in records:
        if r["good"] not in goods:
            good = ET.SubElement(root, "Good")
            ET.SubElement(good, "Good_Name").text = r["good"]
            ET.SubElement(good, "Good_Sector").text = r["sector"]
            goods[r["good"]] = ET.SubElement(good, "Countries")
        country = ET.SubElement(goods[r["good"]], "Country")
        for tag in ("Country_Name", "Country_Region", "Child_Labor", "Forced_Labor"):
            ET.SubElement(country, tag).text = r[tag]
        for tag in ("Forced_Child_Labor", "Derived_Labor_Exploitation", "Derived_Country"):
            ET.SubElement(country, tag).text = r[tag]
    xml = tmp_path / "goods.xml"
    ET.ElementTree(root).write(xml, encoding="utf-8")
    assert read_ilab(xml) == rows


def test_an_unknown_country_is_reported_with_its_line(tmp_path: Path) -> None:
    source = tmp_path / "goods.csv"
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    source.write_text("\n".join([*lines[:3], lines[3].replace("Ukraine", "Atlantis")]) + "\n")
    with pytest.raises(InputError) as raised:
        read_ilab(source)
    assert raised.value.problems[0].location.line == 4
    assert "Atlantis" in raised.value.problems[0].message


def test_goods_that_are_the_cases_products_take_their_ids() -> None:
    assert product_id("Cobalt ore (heterogenite)") == "cobalt-ore"
    assert product_id("Lithium-Ion Batteries") == "lithium-ion-batteries"
    assert product_id("Tantalum ore (coltan)") == "tantalum-ore"
    assert product_id("Açaí Berries") == "acai-berries"
    cases = {
        row["id"]: row
        for products in (DATA / "cases").glob("*/products.csv")
        for row in csv.DictReader(products.open(encoding="utf-8"))
    }
    for pid, name, kind in SAME_AS_PROJECT.values():
        assert (cases[pid]["name"], cases[pid]["kind"]) == (name, kind)


@pytest.fixture(scope="module")
def ilab_alone() -> Projection:
    return KnowledgeGraph.open(data=[ILAB]).projection()


def test_the_lists_derived_rows_follow_from_their_inputs_by_composition(
    ilab_alone: Projection,
) -> None:
    p = ilab_alone
    risks = {
        (p.product_ids[r.product], r.indicator.country, r.indicator.category)
        for r in derived_product_risks(p)
        if r.indicator.derived_from is None
    }
    derived = [i for i in p.screening.indicators if i.derived_from]
    assert len(derived) == 10
    for indicator in derived:
        product = indicator.product.rsplit("/", 1)[1]
        assert (product, indicator.derived_from, indicator.category) in risks, product
    # Battery risk arrives from DRC cobalt through the composition edge.
    assert ("lithium-ion-batteries", "CD", "child-labour") in risks


@pytest.fixture(scope="module")
def demo() -> KnowledgeGraph:
    return KnowledgeGraph.open(data=DEMO)


def test_apple_suppliers_with_sites_where_electronics_are_listed_are_flagged(
    demo: KnowledgeGraph,
) -> None:
    with (APPLE / "sites.csv").open(encoding="utf-8") as stream:
        sites = list(csv.DictReader(stream))
    expected = {(s["actor"], s["country"]) for s in sites if s["country"] in ("CN", "MY")}
    answer = demo.screen()
    flagged = {
        (x.actor.id, x.indicator.country)
        for x in answer.risks
        if x.hops == 0 and x.indicator.product == "electronics"
    }
    assert flagged == expected
    apple = demo.screen("apple")
    assert {x.producer for x in apple.risks} == {a for a, _ in expected}
    for x in apple.risks:
        assert [s.relation for s in x.path] == ["lists", "produced-by", "supplies"]
        assert x.path[-1].to == "apple" and x.path[-1].sources and x.indicator.sources


def test_the_cobalt_cases_actors_get_the_drc_cobalt_indicator(demo: KnowledgeGraph) -> None:
    cobalt = "risk-indicator/us-dol-ilab--2021--cobalt-ore--CD--child-labour"
    for actor in ("congo-dongfang-mining", "huayou-cobalt", "hunan-shanshan", "lf-materials"):
        rows = [x for x in demo.screen(actor).risks if x.indicator.id == cobalt]
        assert rows and rows[0].product_continuity, actor


def test_nothing_becomes_a_cause(demo: KnowledgeGraph) -> None:
    without = KnowledgeGraph.open(data=[DATA / "cases", APPLE])
    impact = "cobalt-child-labour-drc"
    assert demo.linked_actors(impact).model_dump() == without.linked_actors(impact).model_dump()
    assert demo.impacts_of("apple").model_dump() == without.impacts_of("apple").model_dump()


def test_the_committed_apple_production_is_what_the_generator_writes(tmp_path: Path) -> None:
    count = write_apple_production(APPLE, tmp_path)
    assert count == 188
    for name in ("actors.csv", "products.csv", "production.csv", "README.md"):
        assert (APPLE_PRODUCTION / name).read_text(encoding="utf-8") == (tmp_path / name).read_text(
            encoding="utf-8"
        )


def test_the_cli_and_the_rest_api_return_the_same_documents(demo: KnowledgeGraph) -> None:
    data = [arg for folder in DEMO for arg in ("--data", str(folder))]
    result = CliRunner().invoke(cli_app, ["screen", "huayou-cobalt", *data, "-f", "json"])
    assert result.exit_code == 0, result.output
    cli = json.loads(result.stdout)
    with TestClient(create_app(demo, ApiSettings())) as client:
        one = client.get("/actors/huayou-cobalt/risks")
        every = client.get("/risks", params={"limit": 5, "max_hops": 2})
        missing = client.get("/actors/nobody/risks")
    assert one.status_code == 200 and one.json() == cli
    assert every.json() == demo.screen(limit=5, max_hops=2).model_dump(mode="json", by_alias=True)
    assert missing.status_code == 404
