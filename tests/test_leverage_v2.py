"""Specification of leverage, version 2 (DESIGN.md, "Leverage").

Leverage is the ability to effect change in the wrongful practices of the entity that causes a
harm (UNGP 19 commentary). Version 2 seeks it over the causes and the contributors, passes it
only along the impact's own value chain, keeps States and civil society apart from business
leverage, counts an initiative only for the impacts its scope covers, and derives leverage only
from relationships in force in the impact's period. Small named chains first, then held-out
scenarios written on the CSV template (products and periods included). Numbers are worked out
by hand in each test.
"""

from __future__ import annotations

import csv
import itertools
import random
from pathlib import Path

import networkx as nx
import pytest
from chains import B, Chain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from valuechain_kg.analysis import leverage as lev
from valuechain_kg.errors import UsageError
from valuechain_kg.graph import KnowledgeGraph
from valuechain_kg.service.projection_reader import build_projection


def target_of(answer, ident: str):  # type: ignore[no-untyped-def]
    return next(t for t in answer.targets if t.id == ident)


def holders_of(answer, ident: str = "mine") -> dict:  # type: ignore[no-untyped-def,type-arg]
    return {h.id: h for h in target_of(answer, ident).holders}


def mine_to_brand() -> Chain:
    """mine causes the harm and supplies trader, trader supplies brand: all three linked."""
    return (
        Chain()
        .impact("harm", category="child-labour", status="actual")
        .actor("mine", "Artisanal mine", "raw-material-producer")
        .rel("mine", "supplies", "trader")
        .rel("trader", "supplies", "brand")
        .causes("mine", "harm")
    )


# --- chains only along the impact's own value chain ---------------------------------------


def test_a_holder_outside_the_value_chain_counts_only_directly() -> None:
    chain = (
        mine_to_brand()
        .leverage("trader", "mine", 0.5, "contract-terms")
        # consultancy is tied to nothing in the chain: its hold over the trader does not
        # reach the mine, but its own direct claim over the mine counts.
        .leverage("consultancy", "trader", 1.0, "contract-terms")
        .leverage("auditor", "mine", 0.2, "reputational")
        # brand is linked (downstream of the mine): its chain through the trader counts.
        .leverage("brand", "trader", 0.8, "commercial-importance")
    )
    found = holders_of(chain.graph().leverage("harm"))
    assert set(found) == {"trader", "brand", "auditor"}
    assert (found["brand"].strength, found["brand"].path) == (
        pytest.approx(0.4),
        ["brand", "trader", "mine"],
    )
    assert found["brand"].involvement == "direct-linkage"
    assert (found["auditor"].hops, found["auditor"].involvement) == (1, None)


def test_a_chain_through_an_unlinked_actor_is_not_followed() -> None:
    chain = (
        mine_to_brand()
        .rel("mine", "supplies", "brand", revenue=0.1)  # brand over mine: 0.2, directly
        # parent is not linked to the harm: brand's 1.0 x 0.9 over the mine through it would
        # cross into another value chain.
        .leverage("brand", "parent", 1.0, "ownership")
        .leverage("parent", "mine", 0.9, "ownership")
    )
    found = holders_of(chain.graph().leverage("harm"))
    assert (found["brand"].strength, found["brand"].path) == (
        pytest.approx(0.2),
        ["brand", "mine"],
    )
    assert (found["parent"].strength, found["parent"].involvement) == (pytest.approx(0.9), None)
    # Link the parent to the harm (it invests in the mine) and the chain counts.
    linked = chain.rel("parent", "invests-in", "mine").graph()
    brand = holders_of(linked.leverage("harm"))["brand"]
    assert (brand.strength, brand.path) == (pytest.approx(0.9), ["brand", "parent", "mine"])


# --- States and civil society apart --------------------------------------------------------


def test_a_regulator_is_in_other_influence_not_in_a_coalition() -> None:
    chain = (
        mine_to_brand()
        .actor("regulator", "Mining regulator", "state-entity")
        .actor("watchdog", "Mining watchdog", "civil-society-organisation")
        .leverage("regulator", "mine", 0.9, "regulatory")
        .leverage("watchdog", "mine", 0.6, "reputational")
        .leverage("trader", "mine", 0.3, "contract-terms")
        .initiative("club", "Mining club")
        .member("regulator", "club")
        .member("watchdog", "club")
        .member("trader", "club")
    )
    mine = target_of(chain.graph().leverage("harm"), "mine")
    assert [h.id for h in mine.holders] == ["trader"]
    assert [(h.id, h.kind, h.strength) for h in mine.other_influence] == [
        ("regulator", "state", pytest.approx(0.9)),
        ("watchdog", "civil-society", pytest.approx(0.6)),
    ]
    assert mine.holders_total == 1
    assert [(g.members, g.strength) for g in mine.collective] == [(["trader"], pytest.approx(0.3))]
    assert mine.coalition is None  # 0.3 alone never reaches 0.5; the regulator does not join


# --- targets: causes and contributors -------------------------------------------------------


def test_leverage_over_a_contributor() -> None:
    chain = (
        mine_to_brand()
        .involved("platform", "harm", "contribution")
        .leverage("advertiser", "platform", 0.4, "commercial-importance")
        .leverage("brand", "mine", 0.2, "contract-terms")
    )
    answer = chain.graph().leverage("harm")
    assert [(t.id, t.mode) for t in answer.targets] == [
        ("mine", "cause"),
        ("platform", "contribution"),
    ]
    platform = holders_of(answer, "platform")
    assert (platform["advertiser"].strength, platform["advertiser"].hops) == (
        pytest.approx(0.4),
        1,
    )
    only_contributor = (
        Chain()
        .impact("harm")
        .involved("platform", "harm", "contribution")
        .leverage("advertiser", "platform", 0.4, "commercial-importance")
        .graph()
        .leverage("harm")
    )
    assert [(t.id, t.mode) for t in only_contributor.targets] == [("platform", "contribution")]
    assert only_contributor.note is None


def test_an_impact_with_no_cause_and_no_contributor_has_no_targets_and_says_so() -> None:
    answer = Chain().impact("harm").involved("buyer", "harm", "direct-linkage").graph()
    found = answer.leverage("harm")
    assert found.targets == []
    assert found.note is not None and "cause or contribute" in found.note


def test_a_target_is_never_its_own_holder_but_may_hold_leverage_over_another_target() -> None:
    chain = (
        mine_to_brand()
        .involved("trader", "harm", "contribution")
        .leverage("trader", "mine", 0.5, "contract-terms")
        .leverage("mine", "trader", 0.3, "commercial-importance")
    )
    answer = chain.graph().leverage("harm")
    assert set(holders_of(answer, "mine")) == {"trader"}
    assert set(holders_of(answer, "trader")) == {"mine"}


# --- steps and sources -----------------------------------------------------------------------


def test_each_step_carries_its_bases_strength_and_sources_and_the_holder_their_union() -> None:
    chain = (
        mine_to_brand()
        .rel("fund", "invests-in", "trader", ownership=0.3)  # 0.6, ownership
        .leverage("trader", "mine", 0.5, "contract-terms")
        .leverage("fund", "trader", 0.4, "financing")  # weaker: the pair keeps 0.6, both bases
    )
    fund = holders_of(chain.graph().leverage("harm"))["fund"]
    assert fund.strength == pytest.approx(0.3)
    assert fund.path == ["fund", "trader", "mine"]
    steps = [s.model_dump(by_alias=True) for s in fund.steps]
    assert steps == [
        {
            "from": "fund",
            "to": "trader",
            "bases": ["financing", "ownership"],
            "strength": pytest.approx(0.6),
            "sources": [
                "https://example.org/fund-trader",
                "https://example.org/lev/fund-trader",
            ],
        },
        {
            "from": "trader",
            "to": "mine",
            "bases": ["contract-terms"],
            "strength": pytest.approx(0.5),
            "sources": ["https://example.org/lev/trader-mine"],
        },
    ]
    assert fund.bases == ["financing", "ownership"]
    assert fund.sources == [
        "https://example.org/fund-trader",
        "https://example.org/lev/fund-trader",
        "https://example.org/lev/trader-mine",
    ]


def test_json_document_has_exactly_the_contract_keys() -> None:
    chain = (
        mine_to_brand()
        .leverage("trader", "mine", 0.6, "contract-terms")
        .actor("regulator", "Regulator", "state-entity")
        .leverage("regulator", "mine", 0.5, "regulatory")
    )
    doc = chain.graph().leverage("harm").model_dump(by_alias=True)
    target = doc["targets"][0]
    assert list(target) == [
        "id", "iri", "name", "mode", "holders", "holders_total", "other_influence",
        "collective", "coalition",
    ]  # fmt: skip
    keys = [
        "id", "iri", "name", "kind", "strength", "hops", "bases", "path", "steps",
        "involvement", "sources",
    ]  # fmt: skip
    assert list(target["holders"][0]) == keys
    assert list(target["other_influence"][0]) == keys
    assert list(target["holders"][0]["steps"][0]) == ["from", "to", "bases", "strength", "sources"]


def test_the_threshold_and_min_status_are_checked() -> None:
    kg = mine_to_brand().leverage("trader", "mine", 0.6, "contract-terms").graph()
    for bad in (0.0, 1.01):
        with pytest.raises(UsageError):
            kg.leverage("harm", threshold=bad)
    with pytest.raises(UsageError, match="min_status"):
        kg.leverage("harm", min_status="rumoured")


def test_what_if_keeps_working_within_the_value_chain() -> None:
    kg = mine_to_brand().leverage("trader", "mine", 0.4, "contract-terms").graph()
    answer = kg.leverage_what_if(
        "harm",
        extra_leverage=[lev_edge("brand", "trader", 1.0)],
        extra_memberships=[],
    )
    found = holders_of(answer)
    assert (found["brand"].strength, found["brand"].path) == (
        pytest.approx(0.4),
        ["brand", "trader", "mine"],
    )
    assert set(holders_of(kg.leverage("harm"))) == {"trader"}


def lev_edge(holder: str, target: str, strength: float):  # type: ignore[no-untyped-def]
    from valuechain_kg.models import HypotheticalLeverage

    return HypotheticalLeverage(holder=holder, target=target, strength=strength)


# --- held-out scenarios on the CSV template --------------------------------------------------

HEADERS = {
    "actors.csv": ["id", "name", "role", "country", "source_url"],
    "products.csv": ["id", "name", "kind", "made_from", "source_url"],
    "relationships.csv": [
        "source",
        "type",
        "target",
        "products",
        "ownership_share",
        "revenue_share",
        "valid_from",
        "valid_until",
        "assertion",
        "source_url",
    ],  # fmt: skip
    "impacts.csv": [
        "id",
        "title",
        "category",
        "status",
        "scale",
        "started",
        "ended",
        "source_url",
    ],  # fmt: skip
    "involvements.csv": ["actor", "impact", "mode", "products", "assertion", "source_url"],
    "leverage.csv": ["holder", "target", "basis", "strength", "assertion", "source_url"],
    "initiatives.csv": ["id", "name", "kind", "scope", "source_url"],
    "memberships.csv": ["actor", "initiative", "source_url"],
}


def bundle(tmp_path: Path, **files: list[dict[str, str]]) -> KnowledgeGraph:
    """A CSV bundle written as a researcher fills in the template, then loaded (validated)."""
    folder = tmp_path / "bundle"
    folder.mkdir()
    for stem, rows in files.items():
        name = stem.replace("_", "-") + ".csv"
        with (folder / name).open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=HEADERS[name])
            writer.writeheader()
            for row in rows:
                writer.writerow(row)
    return KnowledgeGraph.open(data=[folder], validate=True)


SRC = "https://example.org/report"


def cobalt_rows() -> dict[str, list[dict[str, str]]]:
    """Ore from an artisanal site, refined, made into cathodes by a cell maker; a trader also
    sells copper to a wire maker. Child labour at the site, 2016-2017."""
    return {
        "actors": [
            {"id": "site", "name": "Artisanal site", "role": "raw-material-producer"},
            {"id": "trader", "name": "Cobalt trader", "role": "trader"},
            {"id": "refinery", "name": "Refinery", "role": "manufacturer"},
            {"id": "cells", "name": "Cell maker", "role": "hardware-manufacturer"},
            {"id": "wires", "name": "Wire maker", "role": "manufacturer"},
            {"id": "ministry", "name": "Mines ministry", "role": "state-entity"},
        ],
        "products": [
            {"id": "ore", "name": "Cobalt ore", "kind": "material"},
            {"id": "refined", "name": "Refined cobalt", "kind": "material", "made_from": "ore"},
            {"id": "cathode", "name": "Cathode", "kind": "component", "made_from": "refined"},
            {"id": "copper", "name": "Copper", "kind": "material"},
        ],
        "relationships": [
            {
                "source": "site",
                "type": "supplies",
                "target": "trader",
                "products": "ore",
                "revenue_share": "0.4",
                "source_url": SRC,
            },
            {
                "source": "trader",
                "type": "supplies",
                "target": "refinery",
                "products": "ore",
                "revenue_share": "0.3",
                "source_url": SRC,
            },
            {
                "source": "refinery",
                "type": "supplies",
                "target": "cells",
                "products": "refined",
                "revenue_share": "0.25",
                "valid_from": "2023",
                "source_url": SRC,
            },
            {
                "source": "trader",
                "type": "supplies",
                "target": "wires",
                "products": "copper",
                "source_url": SRC,
            },
        ],  # fmt: skip
        "impacts": [
            {
                "id": "child-labour",
                "title": "Child labour at the site",
                "category": "child-labour",
                "status": "actual",
                "scale": "4",
                "started": "2016",
                "ended": "2017",
                "source_url": SRC,
            },
        ],  # fmt: skip
        "involvements": [
            {
                "actor": "site",
                "impact": "child-labour",
                "mode": "cause",
                "products": "ore",
                "source_url": SRC,
            },
        ],  # fmt: skip
        "leverage": [
            {
                "holder": "ministry",
                "target": "site",
                "basis": "regulatory",
                "strength": "0.9",
                "source_url": SRC,
            },
            {
                "holder": "wires",
                "target": "trader",
                "basis": "commercial-importance",
                "strength": "0.5",
                "assertion": "alleged",
                "source_url": SRC,
            },
        ],  # fmt: skip
        "initiatives": [
            {
                "id": "privacy-pledge",
                "name": "Privacy pledge",
                "kind": "industry",
                "scope": "privacy;freedom-of-expression",
            },
            {
                "id": "rights-forum",
                "name": "Rights forum",
                "kind": "multi-stakeholder",
                "scope": "human-rights",
            },
            {"id": "open-club", "name": "Open club", "kind": "industry"},
        ],  # fmt: skip
        "memberships": [
            {"actor": "trader", "initiative": "privacy-pledge"},
            {"actor": "trader", "initiative": "rights-forum"},
            {"actor": "trader", "initiative": "open-club"},
            {"actor": "ministry", "initiative": "open-club"},
        ],
    }


def test_an_initiative_out_of_scope_gives_no_collective(tmp_path: Path) -> None:
    kg = bundle(tmp_path, **cobalt_rows())
    site = target_of(kg.leverage("child-labour"), "site")
    # child-labour is narrower than human-rights (in the forum's scope) and the open club has
    # no scope; the privacy pledge covers neither. The ministry's membership gives nothing.
    assert {g.initiative: g.members for g in site.collective} == {
        "open-club": ["trader"],
        "rights-forum": ["trader"],
    }
    assert [g.strength for g in site.collective] == pytest.approx([0.8, 0.8])
    assert [(h.id, h.kind) for h in site.other_influence] == [("ministry", "state")]


def test_derived_leverage_outside_the_period_is_gone_and_as_of_brings_it_back(
    tmp_path: Path,
) -> None:
    kg = bundle(tmp_path, **cobalt_rows())
    # The refinery's sales to the cell maker began in 2023, after the harm (2016-2017).
    in_period = holders_of(kg.leverage("child-labour"), "site")
    assert "cells" not in in_period
    assert (in_period["refinery"].strength, in_period["refinery"].path) == (
        pytest.approx(0.48),
        ["refinery", "trader", "site"],
    )
    on_date = holders_of(kg.leverage("child-labour", as_of="2024-06-30"), "site")
    assert (on_date["cells"].strength, on_date["cells"].path) == (
        pytest.approx(0.5 * 0.6 * 0.8),
        ["cells", "refinery", "trader", "site"],
    )
    assert on_date["cells"].steps[0].bases == ["commercial-importance"]


def test_min_status_drops_an_alleged_leverage_claim(tmp_path: Path) -> None:
    rows = cobalt_rows()
    # The wire maker is linked only when the walk follows copper; link it by an asserted
    # direct linkage, so that only the claim's status decides its chain.
    rows["involvements"].append(
        {"actor": "wires", "impact": "child-labour", "mode": "direct-linkage", "source_url": SRC}
    )
    rows["involvements"][0]["assertion"] = "acknowledged"  # the site's own admission
    kg = bundle(tmp_path, **rows)
    found = holders_of(kg.leverage("child-labour"), "site")
    assert (found["wires"].strength, found["wires"].path) == (
        pytest.approx(0.4),
        ["wires", "trader", "site"],
    )
    strict = holders_of(kg.leverage("child-labour", min_status="reported"), "site")
    assert "wires" not in strict
    assert strict["trader"].strength == pytest.approx(0.8)
    # Above the default status, unmarked ("reported") claims and shares go too.
    site = target_of(kg.leverage("child-labour", min_status="acknowledged"), "site")
    assert (site.holders, site.other_influence) == ([], [])


# --- the networkx face agrees with the fast path ---------------------------------------------

NODES = ["a", "b", "c", "d", "e", "f"]
STRENGTHS = [0.25, 0.5, 1.0]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    raw=st.lists(
        st.tuples(st.sampled_from(NODES), st.sampled_from(NODES), st.sampled_from(STRENGTHS)),
        max_size=12,
    ),
    linked=st.sets(st.sampled_from(NODES)),
    states=st.sets(st.sampled_from(NODES), max_size=2),
    target=st.sampled_from(NODES),
    max_hops=st.integers(1, 4),
)
def test_networkx_and_fast_paths_agree_on_random_graphs(
    raw: list[tuple[str, str, float]],
    linked: set[str],
    states: set[str],
    target: str,
    max_hops: int,
) -> None:
    chain = Chain().actor(target)
    for node in states:
        chain.actor(node, node, "state-entity")
    for holder, tgt, strength in raw:
        if holder != tgt:
            chain.leverage(holder, tgt, strength, "contract-terms")
    chain.initiative("club", "Club")
    for node in NODES[:3]:
        chain.member(node, "club")
    p = build_projection(chain.graph().store)
    through = {p.index[B + n] for n in linked if B + n in p.index}
    [fast] = lev.impact_leverage(
        p.leverage,
        [(p.index[B + target], "cause")],
        through,
        max_hops=max_hops,
        kind_of=p.kind,
        members=p.members,
    )
    g = p.to_networkx()
    [slow] = lev.impact_leverage(g, [(target, "cause")], linked, max_hops=max_hops)

    def shown(paths: list) -> list:  # type: ignore[type-arg]
        return [(round(h.strength, 12), h.hops, [p.ids[n] for n in h.path]) for h in paths]

    assert shown(fast.holders) == [
        (round(h.strength, 12), h.hops, list(h.path)) for h in slow.holders
    ]
    assert shown(fast.other_influence) == [
        (round(h.strength, 12), h.hops, list(h.path)) for h in slow.other_influence
    ]
    assert [(g.strength, [p.ids[n] for n in g.members]) for g in fast.collective] == [
        (g.strength, list(g.members)) for g in slow.collective
    ]
    assert fast.coalition == slow.coalition
    # Every chain passes only through linked actors; an unlinked holder holds directly.
    for h in fast.holders + fast.other_influence:
        assert set(h.path[1:-1]) <= through
        assert h.hops == 1 or h.holder in through


def test_a_graph_edited_in_networkx_answers_the_same_question() -> None:
    p = mine_to_brand().leverage("trader", "mine", 0.5, "contract-terms").graph().projection()
    g = p.to_networkx()
    g.add_edge("brand", "trader", key="leverage", kind="leverage", strength=0.8, bases=["x"])
    [found] = lev.impact_leverage(g, [("mine", "cause")], {"mine", "trader", "brand"})
    assert [(h.path, round(h.strength, 9)) for h in found.holders] == [
        (("trader", "mine"), 0.5),
        (("brand", "trader", "mine"), 0.4),
    ]
    assert isinstance(g, nx.MultiDiGraph)


def test_random_value_chains_never_chain_through_unlinked_actors() -> None:
    """Seeded random chains through the whole facade: each holder's path obeys the rule."""
    rng = random.Random(7)
    for _ in range(6):
        chain = Chain().impact("harm").causes("n0", "harm")
        for a, b in itertools.combinations(range(7), 2):
            roll = rng.random()
            if roll < 0.2:
                chain.rel(f"n{a}", "supplies", f"n{b}", revenue=rng.choice(STRENGTHS) / 2)
            elif roll < 0.35:
                chain.leverage(f"n{b}", f"n{a}", rng.choice(STRENGTHS), "contract-terms")
            elif roll < 0.4:
                chain.leverage(f"x{b}", f"n{a}", rng.choice(STRENGTHS), "reputational")
        kg = chain.graph()
        linked = {x.id for x in kg.linked_actors("harm").actors}
        for target in kg.leverage("harm").targets:
            for h in target.holders:
                assert set(h.path[1:-1]) <= linked
                assert h.hops == 1 or h.id in linked
                assert h.id != target.id
