"""Risk-based scoping (``vckg screen``) on small named chains written as CSV bundles.

A risk indicator reaches the actors that produce or source the listed product in the listed
country, then their customers along the product and what is made from it, and the investors of
either; never suppliers upstream, never along an unrelated product or an expired relationship,
and never as a cause, a contribution or a direct linkage.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from valuechain_kg.errors import NotFound, UsageError
from valuechain_kg.graph import KnowledgeGraph

SRC = "https://example.org/report"
LIST = "https://example.org/list"

ACTORS = f"""id,name,role,country,source_url
labour-office,Example Labour Office,state-entity,US,{LIST}
mine,Mine,raw-material-producer,CD,{SRC}
tools,Tool Maker,manufacturer,DE,{SRC}
refiner,Refiner,manufacturer,CN,{SRC}
maker,Battery Maker,hardware-manufacturer,CN,{SRC}
grocer,Grocer,retailer,CD,{SRC}
fund,Fund,investor,NO,{SRC}
regulator,Regulator,state-entity,CN,{SRC}
"""

PRODUCTS = f"""id,name,kind,made_from,broader,source_url
ore,Cobalt ore,material,,,{SRC}
battery,Battery,component,ore,,{SRC}
bread,Bread,good,,,{SRC}
drills,Drills,good,,,{SRC}
electronics,Electronics,good,,,{LIST}
phone-parts,Phone parts,component,,electronics,{SRC}
"""

INDICATORS = f"""product,country,category,publisher,edition,forced_child_labour,source_url
ore,CD,child-labour,labour-office,2021,no,{LIST}
electronics,CN,forced-labour,labour-office,2021,,{LIST}
electronics,CN,child-labour,labour-office,2021,yes,{LIST}
"""


def bundle(folder: Path, relationships: str = "", production: str = "", sites: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "actors.csv").write_text(ACTORS, encoding="utf-8")
    (folder / "products.csv").write_text(PRODUCTS, encoding="utf-8")
    (folder / "risk-indicators.csv").write_text(INDICATORS, encoding="utf-8")
    (folder / "relationships.csv").write_text(
        "source,type,target,products,valid_from,valid_until,assertion,source_url\n" + relationships,
        encoding="utf-8",
    )
    (folder / "production.csv").write_text(
        "actor,type,product,country,assertion,source_url\n"
        + (production or f"mine,produces,ore,CD,,{SRC}\n"),
        encoding="utf-8",
    )
    (folder / "sites.csv").write_text("actor,country,address,source_url\n" + sites)
    return folder


def open_chain(tmp_path: Path, **files: str) -> KnowledgeGraph:
    return KnowledgeGraph.open(data=[bundle(tmp_path / "chain", **files)])


def reached(kg: KnowledgeGraph, actor: str | None = None, **options: object) -> dict[str, int]:
    """Actor id -> hops of its closest exposure."""
    found: dict[str, int] = {}
    for x in kg.screen(actor, **options).risks:  # type: ignore[arg-type]
        found.setdefault(x.actor.id, x.hops)
    return found


CHAIN = (
    f"tools,supplies,mine,drills,,,,{SRC}\n"
    f"mine,supplies,refiner,ore,2014,2016,,{SRC}\n"
    f"refiner,supplies,maker,battery,,,,{SRC}\n"
    f"mine,supplies,grocer,bread,,,,{SRC}\n"
    f"fund,invests-in,maker,,,,,{SRC}\n"
)


def test_a_producer_in_the_listed_country_is_exposed_directly_with_the_indicator_as_source(
    tmp_path: Path,
) -> None:
    answer = open_chain(tmp_path).screen("mine")
    assert [(x.indicator.product, x.indicator.country, x.hops) for x in answer.risks] == [
        ("ore", "CD", 0)
    ]
    x = answer.risks[0]
    assert x.status == "potential" and x.producer == "mine" and x.product_continuity
    assert [(s.from_, s.relation, s.to) for s in x.path] == [
        ("risk-indicator/labour-office--2021--ore--CD--child-labour", "lists", "ore"),
        ("ore", "produced-by", "mine"),
    ]
    assert x.path[0].sources == [LIST] and x.path[1].sources == [SRC]
    assert x.indicator.publisher == "labour-office" and x.indicator.edition == "2021"


def test_production_in_another_country_is_not_exposed(tmp_path: Path) -> None:
    kg = open_chain(tmp_path, production=f"mine,produces,ore,ZM,,{SRC}\n")
    assert reached(kg) == {}
    assert kg.screen().note is not None


def test_through_a_supplier_through_composition_and_through_an_investee(tmp_path: Path) -> None:
    kg = open_chain(tmp_path, relationships=CHAIN)
    assert reached(kg) == {"mine": 0, "refiner": 1, "maker": 2, "fund": 3}
    maker = kg.screen("maker").risks[0]
    assert maker.product == "battery" and maker.product_continuity
    assert [(s.from_, s.relation, s.to) for s in maker.path[2:]] == [
        ("mine", "supplies", "refiner"),
        ("refiner", "supplies", "maker"),
    ]
    fund = kg.screen("fund").risks[0]
    assert fund.path[-1].relation == "invests-in" and fund.hops == 3


def test_a_supplier_upstream_and_a_customer_of_an_unrelated_product_are_not_flagged(
    tmp_path: Path,
) -> None:
    found = reached(open_chain(tmp_path, relationships=CHAIN))
    assert "tools" not in found  # it supplies the producer: the risk does not run upstream
    assert "grocer" not in found  # it buys bread from the producer, not ore


def test_a_relationship_outside_its_validity_is_not_followed(tmp_path: Path) -> None:
    kg = open_chain(tmp_path, relationships=CHAIN)
    assert "refiner" in reached(kg, as_of="2015-06-01")
    assert set(reached(kg, as_of="2020-01-01")) == {"mine"}


def test_an_edge_naming_no_product_is_followed_without_continuity_unless_strict(
    tmp_path: Path,
) -> None:
    kg = open_chain(tmp_path, relationships=f"mine,supplies,refiner,,,,,{SRC}\n")
    refiner = kg.screen("refiner").risks[0]
    assert refiner.hops == 1 and not refiner.product_continuity
    assert "refiner" not in reached(kg, strict_products=True)


def test_min_status_ignores_production_claims_and_relationships_below_it(tmp_path: Path) -> None:
    alleged = open_chain(tmp_path / "a", production=f"mine,produces,ore,CD,alleged,{SRC}\n")
    assert reached(alleged) == {"mine": 0}
    assert reached(alleged, min_status="reported") == {}
    weak_edge = open_chain(
        tmp_path / "b", relationships=f"mine,supplies,refiner,ore,,,alleged,{SRC}\n"
    )
    assert set(reached(weak_edge, min_status="reported")) == {"mine"}


def test_a_production_without_country_takes_place_at_the_sites_and_families_count(
    tmp_path: Path,
) -> None:
    kg = open_chain(
        tmp_path,
        production=f"maker,produces,phone-parts,,,{SRC}\nrefiner,produces,phone-parts,,,{SRC}\n",
        sites=f"maker,CN,Shenzhen,{SRC}\nrefiner,VN,Hanoi,{SRC}\n",
    )
    risks = kg.screen().risks
    assert {x.actor.id for x in risks} == {"maker"}  # its site is in CN; the refiner's is not
    # phone parts are grouped under electronics, which the list names for CN
    assert {x.indicator.product for x in risks} == {"electronics"}


def test_most_severe_category_first_then_closest(tmp_path: Path) -> None:
    kg = open_chain(
        tmp_path,
        relationships=f"maker,supplies,fund,phone-parts,,,,{SRC}\n" + CHAIN,
        production=f"mine,produces,ore,CD,,{SRC}\nmaker,produces,phone-parts,CN,,{SRC}\n",
    )
    order = [
        (x.indicator.category, x.indicator.forced_child_labour, x.hops) for x in kg.screen().risks
    ]
    assert order == sorted(
        order, key=lambda r: (0 if r[1] else {"forced-labour": 1}.get(r[0], 2), r[2])
    )
    assert order[0] == ("child-labour", True, 0)


def test_states_stand_on_paths_but_are_not_derived_as_exposed(tmp_path: Path) -> None:
    kg = open_chain(
        tmp_path,
        relationships=f"mine,supplies,regulator,ore,,,,{SRC}\nregulator,supplies,maker,ore,,,,{SRC}\n",
    )
    found = reached(kg)
    assert "regulator" not in found and found["maker"] == 2


def test_a_risk_never_becomes_an_impact_a_cause_or_a_contribution(tmp_path: Path) -> None:
    kg = open_chain(tmp_path, relationships=CHAIN)
    assert set(reached(kg)) == {"mine", "refiner", "maker", "fund"}
    for actor in ("mine", "refiner", "maker", "fund"):
        assert kg.impacts_of(actor).total == 0
    assert kg.impacts().total == 0
    assert bool(kg.sparql("ASK { ?x a vc:RiskIndicator }"))
    assert not bool(kg.sparql("ASK { { ?x a vc:AdverseImpact } UNION { ?x a vc:Involvement } }"))


def test_unknown_actor_and_bad_options_are_errors(tmp_path: Path) -> None:
    kg = open_chain(tmp_path)
    with pytest.raises(NotFound):
        kg.screen("nobody")
    with pytest.raises(UsageError):
        kg.screen(min_status="rumoured")
    with pytest.raises(UsageError):
        kg.screen(max_hops=-1)


def test_paging_counts_before_the_page(tmp_path: Path) -> None:
    kg = open_chain(tmp_path, relationships=CHAIN)
    everything = kg.screen()
    page = kg.screen(limit=1, offset=1)
    assert page.total == everything.total == 4
    assert [x.actor.id for x in page.risks] == [everything.risks[1].actor.id]
    assert page.by_category == {"child-labour": 4}


def test_writes_keep_screening_in_step_with_the_store(tmp_path: Path) -> None:
    kg = open_chain(tmp_path)
    assert set(reached(kg)) == {"mine"}
    # A new relationship is patched into the projection: the screening rows must survive it.
    kg.update(
        "INSERT DATA { vcid:mine vc:supplies vcid:refiner . "
        "vcid:relationship\\/mine--supplies--refiner a vc:BusinessRelationship ; "
        "vc:fromActor vcid:mine ; vc:toActor vcid:refiner ; vc:relationshipType vc:supplies ; "
        "vc:product vcid:ore ; prov:wasDerivedFrom <https://example.org/report> }"
    )
    assert reached(kg) == {"mine": 0, "refiner": 1}
    # A new production claim is read again.
    kg.update(
        "INSERT DATA { vcid:production\\/grocer--produces--ore--CD a vc:Production ; "
        "vc:actor vcid:grocer ; vc:product vcid:ore ; vc:productionType vc:produces ; "
        'vc:country "CD" ; prov:wasDerivedFrom <https://example.org/report> . '
        "vcid:grocer vc:produces vcid:ore }"
    )
    assert reached(kg) == {"grocer": 0, "mine": 0, "refiner": 1}
