"""Specification of "who holds leverage over the entity causing an impact".

UNGP 19 commentary; DESIGN.md, "Leverage". The version-2 rules (chains only within the impact's
value chain, contributors as targets, steps, scopes, periods) are in test_leverage_v2. Numbers
below are worked out by hand in each test.
"""

from __future__ import annotations

import pytest
from chains import Chain, cobalt_chain

from valuechain_kg.errors import NotFound, UsageError
from valuechain_kg.models import HypotheticalLeverage, HypotheticalMembership


def holders(answer, target: str | None = None):  # type: ignore[no-untyped-def]
    chosen = (
        answer.targets[0] if target is None else next(t for t in answer.targets if t.id == target)
    )
    return {h.id: h for h in chosen.holders}


def simple(strengths: dict[str, float], **extra: str) -> Chain:
    """A causer E with direct holders of the given asserted strengths (basis contract-terms)."""
    chain = Chain().impact("harm").causes("e", "harm")
    for holder, s in strengths.items():
        chain.leverage(holder, "e", s, extra.get(holder, "contract-terms"))
    return chain


def linked(chain: Chain, *actors: str) -> Chain:
    """The actors asserted directly linked to the harm: leverage chains pass only through
    actors linked to the impact (test_leverage_v2 specifies that rule)."""
    for actor in actors:
        chain.involved(actor, "harm", "direct-linkage")
    return chain


def test_ownership_share_gives_the_investor_twice_the_share_capped_at_one() -> None:
    chain = (
        Chain()
        .impact("harm")
        .causes("e", "harm")
        .rel("minority", "invests-in", "e", ownership=0.2)
        .rel("majority", "invests-in", "e", ownership=0.6)
    )
    found = holders(chain.graph().leverage("harm"))
    assert found["minority"].strength == pytest.approx(0.4)
    assert found["majority"].strength == pytest.approx(1.0)
    assert found["minority"].bases == ["ownership"]
    assert found["minority"].path == ["minority", "e"]


def test_revenue_share_gives_the_customer_leverage_over_its_supplier() -> None:
    chain = Chain().impact("harm").causes("e", "harm").rel("e", "supplies", "buyer", revenue=0.35)
    found = holders(chain.graph().leverage("harm"))
    assert set(found) == {"buyer"}
    assert found["buyer"].strength == pytest.approx(0.7)
    assert found["buyer"].bases == ["commercial-importance"]


def test_relationships_without_shares_and_finances_give_no_leverage_unless_asserted() -> None:
    chain = (
        Chain()
        .impact("harm")
        .causes("e", "harm")
        .rel("bank", "finances", "e")
        .rel("fund", "invests-in", "e")
        .rel("e", "supplies", "buyer")
    )
    assert chain.graph().leverage("harm").targets[0].holders == []
    asserted = chain.leverage("bank", "e", 0.3, "financing").graph()
    assert [(h.id, h.bases) for h in asserted.leverage("harm").targets[0].holders] == [
        ("bank", ["financing"])
    ]


def test_the_strongest_edge_of_a_pair_counts_and_all_its_bases_are_listed() -> None:
    chain = (
        simple({"brand": 0.3})
        .rel("e", "supplies", "brand", revenue=0.4)
        .leverage("brand", "e", 0.1, "reputational")
    )
    brand = holders(chain.graph().leverage("harm"))["brand"]
    assert brand.strength == pytest.approx(0.8)
    assert brand.bases == ["commercial-importance", "contract-terms", "reputational"]


def test_a_longer_path_with_a_higher_product_beats_a_shorter_weaker_one() -> None:
    chain = simple({"fund": 0.2, "parent": 0.9}).leverage("fund", "parent", 0.9, "ownership")
    fund = holders(linked(chain, "fund", "parent").graph().leverage("harm"))["fund"]
    assert fund.strength == pytest.approx(0.81)
    assert (fund.hops, fund.path, fund.bases) == (2, ["fund", "parent", "e"], ["ownership"])


def test_the_hop_bound_limits_the_chain() -> None:
    chain = simple({"fund": 0.2, "parent": 0.9}).leverage("fund", "parent", 0.9, "ownership")
    linked(chain, "fund", "parent", "top")
    fund = holders(chain.graph().leverage("harm", max_hops=1))["fund"]
    assert (fund.strength, fund.hops) == (pytest.approx(0.2), 1)
    chain.leverage("top", "fund", 1.0, "ownership")
    within_two = holders(chain.graph().leverage("harm", max_hops=2))["top"]
    assert (within_two.strength, within_two.path) == (pytest.approx(0.2), ["top", "fund", "e"])
    within_three = holders(chain.graph().leverage("harm", max_hops=3))["top"]
    assert within_three.strength == pytest.approx(0.81)
    assert within_three.path == ["top", "fund", "parent", "e"]


def test_equal_products_go_to_fewer_hops_then_to_the_smallest_id_sequence() -> None:
    chain = (
        simple({"m-mid": 1.0, "a-mid": 1.0, "holder": 0.5})
        .leverage("holder", "m-mid", 0.5, "ownership")
        .leverage("holder", "a-mid", 0.5, "ownership")
    )
    linked(chain, "m-mid", "a-mid", "holder")
    holder = holders(chain.graph().leverage("harm"))["holder"]
    assert (holder.hops, holder.path, holder.bases) == (1, ["holder", "e"], ["contract-terms"])
    no_direct = (
        simple({"m-mid": 1.0, "a-mid": 1.0})
        .leverage("holder", "m-mid", 0.5, "ownership")
        .leverage("holder", "a-mid", 0.5, "ownership")
    )
    linked(no_direct, "m-mid", "a-mid", "holder")
    assert holders(no_direct.graph().leverage("harm"))["holder"].path == ["holder", "a-mid", "e"]


def test_holders_are_ordered_by_strength_then_hops_then_id() -> None:
    chain = simple({"b": 0.5, "a": 0.5, "c": 0.9}).leverage("d", "c", 1.0, "ownership")
    answer = linked(chain, "c", "d").graph().leverage("harm")
    assert [(h.id, h.hops) for h in answer.targets[0].holders] == [
        ("c", 1),
        ("d", 2),
        ("a", 1),
        ("b", 1),
    ]


def test_the_causing_entity_is_never_its_own_holder() -> None:
    chain = (
        simple({"parent": 0.9})
        .leverage("e", "parent", 1.0, "ownership")
        .initiative("rmi", "Responsible Minerals Initiative")
        .member("e", "rmi")
    )
    answer = chain.graph().leverage("harm")
    assert set(holders(answer)) == {"parent"}
    assert answer.targets[0].collective == []


def test_collective_leverage_per_initiative_is_one_minus_the_product_of_misses() -> None:
    chain = (
        simple({"a": 0.6, "b": 0.5, "c": 0.2, "outsider": 0.9})
        .initiative("rmi", "Responsible Minerals Initiative")
        .initiative("gba", "Global Battery Alliance")
        .member("a", "rmi")
        .member("b", "rmi")
        .member("c", "gba")
        .member("nobody", "gba")
        .member("e", "gba")
    )
    collective = chain.graph().leverage("harm").targets[0].collective
    # rmi: 1 - 0.4 * 0.5 = 0.8; gba: only c holds leverage (e is the target): 0.2
    assert [(g.initiative, g.name, g.members) for g in collective] == [
        ("rmi", "Responsible Minerals Initiative", ["a", "b"]),
        ("gba", "Global Battery Alliance", ["c"]),
    ]
    assert [g.strength for g in collective] == pytest.approx([0.8, 0.2])


def test_the_coalition_is_the_first_prefix_of_holders_reaching_the_threshold() -> None:
    kg = simple({"a": 0.4, "b": 0.3, "c": 0.2}).graph()
    coalition = kg.leverage("harm").targets[0].coalition
    assert coalition is not None
    assert coalition.members == ["a", "b"]  # 1 - 0.6 * 0.7 = 0.58
    assert coalition.strength == pytest.approx(0.58)
    assert coalition.threshold == 0.5
    everyone = kg.leverage("harm", threshold=0.66).targets[0].coalition
    assert everyone is not None and everyone.members == ["a", "b", "c"]  # 0.664
    assert kg.leverage("harm", threshold=0.7).targets[0].coalition is None


def test_collective_and_coalition_use_all_holders_whatever_the_page() -> None:
    chain = simple({"a": 0.4, "b": 0.3, "c": 0.2}).initiative("club", "Club")
    for member in ("a", "b", "c"):
        chain.member(member, "club")
    target = chain.graph().leverage("harm", limit=1, offset=1).targets[0]
    assert [h.id for h in target.holders] == ["b"]
    assert target.holders_total == 3
    assert target.collective[0].strength == pytest.approx(1 - 0.6 * 0.7 * 0.8)
    assert target.coalition is not None and target.coalition.members == ["a", "b"]


def test_threshold_outside_zero_to_one_is_a_usage_error() -> None:
    kg = simple({"a": 0.4}).graph()
    for bad in (0.0, -0.1, 1.5):
        with pytest.raises(UsageError):
            kg.leverage("harm", threshold=bad)
    assert kg.leverage("harm", threshold=1.0).targets[0].coalition is None


def test_an_impact_with_no_known_cause_nor_contributor_has_no_targets_and_says_why() -> None:
    chain = Chain().impact("harm").involved("platform", "harm", "direct-linkage")
    answer = chain.graph().leverage("harm")
    assert answer.targets == []
    assert answer.note is not None and "cause" in answer.note


def test_each_cause_is_a_target_and_holders_carry_their_own_involvement() -> None:
    kg = (
        cobalt_chain()
        .causes("refiner", "child-labour-katanga")
        .rel("cellmaker", "invests-in", "refiner", ownership=0.1)
        .leverage("carmaker", "cellmaker", 0.5, "contract-terms")
        .graph()
    )
    answer = kg.leverage("child-labour-katanga")
    assert [t.id for t in answer.targets] == ["mine", "refiner"]
    refiner_holders = holders(answer, "refiner")
    assert refiner_holders["cellmaker"].involvement == "direct-linkage"
    assert refiner_holders["carmaker"].strength == pytest.approx(0.1)
    assert refiner_holders["carmaker"].path == ["carmaker", "cellmaker", "refiner"]
    assert refiner_holders["carmaker"].bases == ["contract-terms"]
    assert refiner_holders["carmaker"].sources == [
        "https://example.org/lev/carmaker-cellmaker",
        "https://example.org/cellmaker-refiner",
    ]
    stranger = Chain().impact("harm").causes("e", "harm").leverage("ngo", "e", 0.2, "reputational")
    assert holders(stranger.graph().leverage("harm"))["ngo"].involvement is None


def test_what_if_adds_hypothetical_leverage_and_memberships_without_touching_the_store() -> None:
    kg = simple({"a": 0.4}).actor("b").graph()
    before = len(kg.store)
    revision = kg.store.revision
    answer = kg.leverage_what_if(
        "harm",
        extra_leverage=[HypotheticalLeverage(holder="b", target="e", strength=0.5)],
        extra_memberships=[
            HypotheticalMembership(actor="a", initiative="new-club", name="New club"),
            HypotheticalMembership(actor="b", initiative="new-club"),
        ],
    )
    target = answer.targets[0]
    assert [(h.id, h.strength) for h in target.holders] == [("b", 0.5), ("a", 0.4)]
    assert [(g.initiative, g.name, g.members) for g in target.collective] == [
        ("new-club", "New club", ["b", "a"])
    ]
    assert target.collective[0].strength == pytest.approx(0.7)
    assert (len(kg.store), kg.store.revision) == (before, revision)
    assert set(holders(kg.leverage("harm"))) == {"a"}
    with pytest.raises(NotFound):
        kg.leverage_what_if(
            "harm", extra_leverage=[HypotheticalLeverage(holder="ghost", target="e", strength=1)]
        )


def test_holdings_list_over_whom_an_actor_holds_leverage() -> None:
    kg = simple({"parent": 0.9}).leverage("fund", "parent", 0.5, "ownership").graph()
    answer = kg.holdings("fund")
    assert [(h.id, h.hops, h.path) for h in answer.holdings] == [
        ("parent", 1, ["fund", "parent"]),
        ("e", 2, ["fund", "parent", "e"]),
    ]
    assert answer.holdings[1].strength == pytest.approx(0.45)


def test_json_document_has_exactly_the_contract_keys() -> None:
    chain = simple({"a": 0.6}).initiative("club", "Club").member("a", "club")
    doc = chain.graph().leverage("harm").model_dump(by_alias=True)
    assert list(doc) == ["impact", "targets", "limit", "offset", "note"]
    target = doc["targets"][0]
    assert list(target) == [
        "id", "iri", "name", "mode", "holders", "holders_total", "other_influence",
        "collective", "coalition",
    ]  # fmt: skip
    assert list(target["holders"][0]) == [
        "id", "iri", "name", "kind", "strength", "hops", "bases", "path", "steps",
        "involvement", "sources",
    ]  # fmt: skip
    assert list(target["collective"][0]) == ["initiative", "name", "members", "strength"]
    assert list(target["coalition"]) == ["threshold", "members", "strength"]
