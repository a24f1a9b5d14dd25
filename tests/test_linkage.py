"""Specification of "who is linked to an adverse impact" (DESIGN.md, "Linkage of actor A ...").

OECD Guidelines 2023, Ch. II paras A.11-A.13; UNGP 13: enterprises cause, contribute to, or are
directly linked to impacts through business relationships, upstream and downstream, any tier.
"""

from __future__ import annotations

import pytest
from chains import Chain, cobalt_chain, surveillance_chain

from valuechain_kg.analysis.responses import expected_response
from valuechain_kg.errors import NotFound, UsageError


def by_id(answer):  # type: ignore[no-untyped-def]
    return {a.id: a for a in answer.actors}


def steps(actor):  # type: ignore[no-untyped-def]
    return [(s.from_, s.relation, s.to) for s in actor.path]


def test_upstream_buyers_are_linked_through_every_tier_with_hops_counting_each_edge() -> None:
    answer = cobalt_chain().graph().linked_actors("child-labour-katanga")
    found = by_id(answer)
    assert found["mine"].involvement == "cause" and found["mine"].hops == 0
    assert {k: found[k].hops for k in ("trader", "refiner", "cellmaker", "carmaker")} == {
        "trader": 1,
        "refiner": 2,
        "cellmaker": 3,
        "carmaker": 4,
    }
    assert all(found[k].involvement == "direct-linkage" for k in ("trader", "carmaker"))
    assert not found["carmaker"].asserted


def test_path_lists_stored_edges_in_walk_order_from_actor_to_cause() -> None:
    found = by_id(cobalt_chain().graph().linked_actors("child-labour-katanga"))
    assert steps(found["fund"]) == [
        ("fund", "invests-in", "carmaker"),
        ("cellmaker", "supplies", "carmaker"),
        ("refiner", "supplies", "cellmaker"),
        ("trader", "supplies", "refiner"),
        ("mine", "supplies", "trader"),
    ]


def test_state_misuse_links_the_vendor_its_cloud_host_and_its_chip_supplier() -> None:
    found = by_id(surveillance_chain().graph().linked_actors("journalist-surveillance"))
    assert found["agency"].involvement == "cause"
    assert found["vendor"].hops == 1
    assert (found["cloudco"].hops, found["chipco"].hops) == (2, 2)
    assert steps(found["chipco"]) == [
        ("chipco", "supplies", "vendor"),
        ("vendor", "licenses-technology", "agency"),
    ]


def test_investors_and_their_financiers_are_linked_through_investees() -> None:
    found = by_id(cobalt_chain().graph().linked_actors("child-labour-katanga"))
    assert found["fund"].hops == 5
    assert found["bank"].hops == 6
    assert steps(found["bank"])[:2] == [
        ("bank", "finances", "fund"),
        ("fund", "invests-in", "carmaker"),
    ]


def test_investee_is_not_linked_through_its_investor() -> None:
    chain = (
        Chain()
        .impact("harm")
        .rel("fund", "invests-in", "portfolio-co")
        .rel("fund", "invests-in", "other-co")
        .causes("portfolio-co", "harm")
    )
    found = by_id(chain.graph().linked_actors("harm"))
    assert set(found) == {"portfolio-co", "fund"}


def test_supplier_of_customer_is_not_linked_to_sibling_supplier() -> None:
    chain = (
        Chain()
        .impact("harm")
        .rel("supplier-a", "supplies", "customer")
        .rel("supplier-b", "supplies", "customer")
        .causes("supplier-a", "harm")
    )
    found = by_id(chain.graph().linked_actors("harm"))
    assert set(found) == {"supplier-a", "customer"}


def test_customers_of_a_shared_supplier_are_not_linked_to_each_other() -> None:
    chain = (
        Chain()
        .impact("harm")
        .rel("supplier", "supplies", "customer-a")
        .rel("supplier", "supplies", "customer-b")
        .causes("customer-a", "harm")
    )
    assert set(by_id(chain.graph().linked_actors("harm"))) == {"customer-a", "supplier"}


def test_hop_bound_limits_derived_linkage_only() -> None:
    kg = cobalt_chain().involved("bank", "child-labour-katanga", "direct-linkage").graph()
    found = by_id(kg.linked_actors("child-labour-katanga", max_hops=2))
    assert set(found) == {"mine", "trader", "refiner", "bank"}
    # bank's asserted linkage cannot be derived within 2 hops: it stays, as asserted.
    assert (found["bank"].asserted, found["bank"].hops, found["bank"].path) == (True, 0, [])


def test_zero_hops_returns_only_asserted_involvements() -> None:
    kg = cobalt_chain().involved("refiner", "child-labour-katanga", "contribution").graph()
    answer = kg.linked_actors("child-labour-katanga", max_hops=0)
    assert [(a.id, a.involvement) for a in answer.actors] == [
        ("mine", "cause"),
        ("refiner", "contribution"),
    ]


def test_cycles_in_the_supply_graph_terminate() -> None:
    chain = (
        Chain()
        .impact("harm")
        .rel("a", "supplies", "b")
        .rel("b", "supplies", "c")
        .rel("c", "supplies", "a")
        .rel("c", "invests-in", "a")
        .causes("a", "harm")
    )
    found = by_id(chain.graph().linked_actors("harm", max_hops=50))
    assert {k: v.hops for k, v in found.items()} == {"a": 0, "b": 1, "c": 1}


def test_actor_reachable_by_two_paths_gets_the_shorter() -> None:
    chain = (
        Chain()
        .impact("harm")
        .rel("mine", "supplies", "trader")
        .rel("trader", "supplies", "refiner")
        .rel("refiner", "supplies", "brand")
        .rel("mine", "sells-to", "brand")
        .causes("mine", "harm")
    )
    brand = by_id(chain.graph().linked_actors("harm"))["brand"]
    assert brand.hops == 1
    assert steps(brand) == [("mine", "sells-to", "brand")]


def test_with_several_causes_the_nearest_one_wins() -> None:
    chain = cobalt_chain().causes("cellmaker", "child-labour-katanga")
    found = by_id(chain.graph().linked_actors("child-labour-katanga"))
    assert found["carmaker"].hops == 1
    assert found["refiner"].hops == 1  # refiner supplies cellmaker: its output flows to a cause


def test_strongest_mode_wins_and_each_actor_appears_once() -> None:
    chain = (
        cobalt_chain()
        .involved("carmaker", "child-labour-katanga", "contribution", confidence=0.7)
        .involved("carmaker", "child-labour-katanga", "direct-linkage")
        .involved("mine", "child-labour-katanga", "contribution")
    )
    answer = chain.graph().linked_actors("child-labour-katanga")
    ids = [a.id for a in answer.actors]
    assert len(ids) == len(set(ids))
    found = by_id(answer)
    assert found["mine"].involvement == "cause"
    carmaker = found["carmaker"]
    assert (carmaker.involvement, carmaker.asserted, carmaker.hops, carmaker.path) == (
        "contribution",
        True,
        0,
        [],
    )
    assert carmaker.confidence == pytest.approx(0.7)


def test_asserted_direct_linkage_that_can_be_derived_takes_the_derived_path() -> None:
    chain = cobalt_chain().involved("carmaker", "child-labour-katanga", "direct-linkage", 0.9)
    carmaker = by_id(chain.graph().linked_actors("child-labour-katanga"))["carmaker"]
    assert (carmaker.asserted, carmaker.hops, len(carmaker.path)) == (True, 4, 4)
    assert carmaker.sources == ["https://example.org/inv/carmaker"]


def test_derivation_starts_from_causes_never_from_contributors() -> None:
    chain = (
        Chain()
        .impact("harm")
        .rel("platform", "provides-service", "advertiser")
        .involved("platform", "harm", "contribution")
    )
    answer = chain.graph().linked_actors("harm")
    assert [a.id for a in answer.actors] == ["platform"]
    assert answer.note is not None and "cause" in answer.note


def test_answer_order_is_mode_rank_then_hops_then_id() -> None:
    chain = (
        Chain()
        .impact("harm")
        .rel("z-supplier", "supplies", "maker")
        .rel("a-supplier", "supplies", "maker")
        .rel("maker", "sells-to", "retailer")
        .causes("maker", "harm")
        .involved("retailer", "harm", "contribution")
    )
    answer = chain.graph().linked_actors("harm")
    assert [(a.id, a.involvement, a.hops) for a in answer.actors] == [
        ("maker", "cause", 0),
        ("retailer", "contribution", 0),
        ("a-supplier", "direct-linkage", 1),
        ("z-supplier", "direct-linkage", 1),
    ]


def test_expected_response_follows_the_mode_and_the_impacts_status() -> None:
    chain = cobalt_chain().involved("refiner", "child-labour-katanga", "contribution")
    found = by_id(chain.graph().linked_actors("child-labour-katanga"))
    assert found["mine"].expected_response == expected_response("cause", "actual")
    assert found["refiner"].expected_response == expected_response("contribution", "actual")
    assert found["carmaker"].expected_response == expected_response("direct-linkage", "actual")


def test_relationships_outside_their_validity_are_left_out_as_of_a_date() -> None:
    chain = (
        Chain()
        .impact("harm")
        .rel("mine", "supplies", "brand", valid_from="2015-01-01", valid_until="2018-12-31")
        .causes("mine", "harm")
    )
    kg = chain.graph()
    assert "brand" in by_id(kg.linked_actors("harm", as_of="2017-06-01"))
    assert "brand" not in by_id(kg.linked_actors("harm", as_of="2020-01-01"))
    assert "brand" in by_id(kg.linked_actors("harm"))


def test_a_bare_direct_triple_counts_as_a_relationship() -> None:
    chain = (
        Chain().impact("harm").rel("mine", "supplies", "brand", bare=True).causes("mine", "harm")
    )
    brand = by_id(chain.graph().linked_actors("harm", as_of="1999-01-01"))["brand"]
    assert steps(brand) == [("mine", "supplies", "brand")]


def test_paging_counts_the_total_before_the_page() -> None:
    answer = cobalt_chain().graph().linked_actors("child-labour-katanga", limit=2, offset=1)
    assert answer.total == 7
    assert [a.id for a in answer.actors] == ["trader", "refiner"]
    assert (answer.limit, answer.offset) == (2, 1)


def test_ids_resolve_as_bare_id_curie_or_full_iri_and_unknown_ids_raise_not_found() -> None:
    kg = cobalt_chain().graph()
    iri = "https://w3id.org/valuechain/id/child-labour-katanga"
    for ident in ("child-labour-katanga", "vcid:child-labour-katanga", iri):
        assert kg.linked_actors(ident).impact.iri == iri
    with pytest.raises(NotFound):
        kg.linked_actors("no-such-impact")
    with pytest.raises(NotFound):
        kg.linked_actors("mine")  # an actor is not an impact


def test_negative_bounds_are_usage_errors() -> None:
    kg = cobalt_chain().graph()
    with pytest.raises(UsageError):
        kg.linked_actors("child-labour-katanga", max_hops=-1)
    with pytest.raises(UsageError):
        kg.linked_actors("child-labour-katanga", limit=-1)


def test_json_document_has_exactly_the_contract_keys() -> None:
    doc = cobalt_chain().graph().linked_actors("child-labour-katanga").model_dump(by_alias=True)
    assert list(doc) == ["impact", "actors", "total", "limit", "offset", "note"]
    assert list(doc["impact"]) == [
        "id", "iri", "title", "category", "status", "severity", "likelihood", "period",
        "sources",
    ]  # fmt: skip
    assert list(doc["impact"]["severity"]) == ["level", "scale", "scope", "irremediability"]
    assert list(doc["impact"]["period"]) == ["started", "ended"]
    assert list(doc["actors"][1]) == [
        "id", "iri", "name", "kind", "involvement", "asserted", "assertion", "hops",
        "product_continuity", "path", "expected_response", "confidence", "sources",
    ]  # fmt: skip
    assert list(doc["actors"][1]["path"][0]) == [
        "from", "relation", "to", "products", "assertion", "sources"
    ]  # fmt: skip
    assert doc["impact"]["severity"] == {
        "level": 4,
        "scale": 4,
        "scope": 3,
        "irremediability": 3,
    }


def test_impacts_of_an_actor_answers_the_reverse_question() -> None:
    chain = cobalt_chain().impact("spill", "Tailings spill").causes("refiner", "spill")
    kg = chain.graph()
    answer = kg.impacts_of("fund")
    # Same mode: the more severe impact first (the spill has no severity), not the nearer one.
    assert [(x.impact.id, x.involvement, x.hops) for x in answer.impacts] == [
        ("child-labour-katanga", "direct-linkage", 5),
        ("spill", "direct-linkage", 3),
    ]
    assert [(s.from_, s.relation, s.to) for s in answer.impacts[1].path] == [
        ("fund", "invests-in", "carmaker"),
        ("cellmaker", "supplies", "carmaker"),
        ("refiner", "supplies", "cellmaker"),
    ]
    mine = kg.impacts_of("mine")
    assert [(x.impact.id, x.involvement) for x in mine.impacts] == [
        ("child-labour-katanga", "cause"),
        ("spill", "direct-linkage"),
    ]
    with pytest.raises(NotFound):
        kg.impacts_of("spill")


def test_impacts_of_answers_for_an_involvement_in_an_untyped_impact_node() -> None:
    from valuechain_kg.graph import KnowledgeGraph

    kg = KnowledgeGraph.open()
    kg.store.update(
        "INSERT DATA { vcid:mine a vc:Actor ; schema:name 'Mine' . "
        "vcid:inv a vc:Involvement ; vc:actor vcid:mine ; vc:impact vcid:spill ; "
        "vc:mode vc:Cause }"
    )
    answer = kg.impacts_of("mine")
    assert [(i.impact.id, i.involvement) for i in answer.impacts] == [("spill", "cause")]
