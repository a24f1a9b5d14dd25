"""Specification of the projection: the actor network read once from the store, kept in step."""

from __future__ import annotations

import pytest
from chains import Chain, cobalt_chain

from valuechain_kg.errors import NotFound, UsageError
from valuechain_kg.service.projection_reader import build_projection


def test_projection_is_not_rebuilt_between_two_queries_on_unchanged_data() -> None:
    kg = cobalt_chain().graph()
    kg.linked_actors("child-labour-katanga")
    kg.leverage("child-labour-katanga")
    kg.impacts_of("fund")
    assert kg.projection_builds == 1
    assert kg.projection() is kg.projection()


def test_projection_is_rebuilt_after_the_store_changes() -> None:
    kg = cobalt_chain().graph()
    assert "brand" not in {a.id for a in kg.linked_actors("child-labour-katanga").actors}
    kg.store.update("INSERT DATA { vcid:carmaker vc:sellsTo vcid:brand }")
    assert "brand" in {a.id for a in kg.linked_actors("child-labour-katanga").actors}
    assert kg.projection_builds == 2


def test_each_as_of_date_has_its_own_projection_and_all_are_dropped_on_change() -> None:
    kg = cobalt_chain().graph()
    first = kg.projection("2020-01-01")
    assert kg.projection() is not first
    assert kg.projection("2020-01-01") is first
    assert kg.projection_builds == 2
    kg.store.update("INSERT DATA { vcid:x vc:supplies vcid:y }")
    assert kg.projection("2020-01-01") is not first


def test_nodes_are_numbered_in_id_order() -> None:
    p = cobalt_chain().graph().projection()
    assert p.ids == sorted(p.ids)
    assert p.ids[p.index["https://w3id.org/valuechain/id/mine"]] == "mine"


def test_a_reified_relationship_is_one_edge_and_a_bare_triple_another() -> None:
    chain = (
        Chain()
        .rel("a", "supplies", "b", revenue=0.2, valid_from="2019-01-01")
        .rel("a", "sells-to", "b", bare=True)
    )
    p = chain.graph().projection()
    assert sorted((e.relation, e.revenue_share, e.valid_from) for e in p.edges) == [
        ("sells-to", None, None),
        ("supplies", 0.2, "2019-01-01"),
    ]
    assert [
        e.relation for e in build_projection(chain.graph().store, as_of="2018-06-01").edges
    ] == ["sells-to"]


def test_relationships_end_at_the_end_of_their_validity() -> None:
    chain = Chain().rel("a", "supplies", "b", valid_until="2020-12-31")
    kg = chain.graph()
    assert len(kg.projection("2020-12-31").edges) == 1
    assert kg.projection("2021-01-01").edges == []


def test_networkx_face_has_actors_relationships_leverage_and_memberships() -> None:
    chain = (
        Chain()
        .actor("mine", "Artisanal mine", "raw-material-producer")
        .rel("mine", "supplies", "trader", revenue=0.3)
        .rel("fund", "invests-in", "trader", ownership=0.1)
        .leverage("ngo", "mine", 0.2, "reputational")
        .initiative("rmi", "Responsible Minerals Initiative")
        .member("trader", "rmi")
    )
    g = chain.graph().projection().to_networkx()
    assert g.nodes["mine"]["name"] == "Artisanal mine"
    assert g.nodes["mine"]["roles"] == ["raw-material-producer"]
    assert g.nodes["rmi"]["kind"] == "initiative"
    supplies = g.edges["mine", "trader", "supplies"]
    assert (supplies["kind"], supplies["revenue_share"]) == ("flow", pytest.approx(0.3))
    assert g.edges["fund", "trader", "invests-in"]["kind"] == "financial"
    derived = g.edges["trader", "mine", "leverage"]
    assert (derived["strength"], derived["bases"], derived["asserted"]) == (
        pytest.approx(0.6),
        ["commercial-importance"],
        False,
    )
    assert g.edges["fund", "trader", "leverage"]["strength"] == pytest.approx(0.2)
    assert g.edges["ngo", "mine", "leverage"]["asserted"] is True
    assert g.has_edge("trader", "rmi", "member-of")


def test_involvements_are_indexed_by_impact_and_by_actor() -> None:
    p = (
        cobalt_chain()
        .involved("fund", "child-labour-katanga", "direct-linkage")
        .graph()
        .projection()
    )
    impact = "https://w3id.org/valuechain/id/child-labour-katanga"
    assert [p.ids[n] for n in p.causes(impact)] == ["mine"]
    assert [i.mode for i in p.involvements_of[p.index["https://w3id.org/valuechain/id/fund"]]] == [
        "direct-linkage"
    ]


# --- the facade's look-ups around the two questions ----------------------------------------


def lookup_chain() -> Chain:
    return (
        cobalt_chain()
        .impact("spill", "Tailings spill", category="climate-change", status="potential",
                scale=2, scope=2, irremediability=1, likelihood=0.3, country="CD")
        .causes("refiner", "spill")
        .rel("fund", "invests-in", "carmaker", ownership=0.3)
        .initiative("rmi", "Responsible Minerals Initiative")
        .member("carmaker", "rmi")
    )  # fmt: skip


def test_actor_detail_lists_memberships_and_relationships_as_stored() -> None:
    detail = lookup_chain().graph().actor("carmaker")
    assert [i.id for i in detail.initiatives] == ["rmi"]
    assert [(r.from_, r.relation, r.to, r.ownership_share) for r in detail.relationships] == [
        ("cellmaker", "supplies", "carmaker", None),
        ("fund", "invests-in", "carmaker", 0.3),
    ]


def test_impacts_come_most_severe_first_and_a_chapter_matches_its_narrower_categories() -> None:
    kg = lookup_chain().graph()
    assert [i.id for i in kg.impacts().impacts] == ["child-labour-katanga", "spill"]
    assert [i.id for i in kg.impacts(category="environment").impacts] == ["spill"]
    assert [i.id for i in kg.impacts(category="human-rights").impacts] == ["child-labour-katanga"]
    assert kg.impacts(status="potential", country="cd").total == 1
    with pytest.raises(UsageError):
        kg.impacts(sort="colour")


def test_impact_detail_lists_asserted_involvements_strongest_first() -> None:
    chain = lookup_chain().involved("carmaker", "spill", "direct-linkage")
    detail = chain.graph().impact("spill")
    assert [(i.id, i.involvement) for i in detail.involvements] == [
        ("refiner", "cause"),
        ("carmaker", "direct-linkage"),
    ]
    assert (detail.country, detail.likelihood) == ("CD", 0.3)


def test_actors_filter_by_role_and_text_and_search_finds_names_in_any_case() -> None:
    kg = lookup_chain().graph()
    assert [a.id for a in kg.actors(role="raw-material-producer").actors] == ["mine"]
    assert [a.id for a in kg.actors(q="MAKER").actors] == ["carmaker", "cellmaker"]
    hits = kg.search("Cobalt")
    assert [(h.id, h.kind) for h in hits.results] == [("child-labour-katanga", "impact")]
    with pytest.raises(NotFound):
        kg.actor("spill")


def test_every_edge_of_a_sourced_triple_cites_its_sources() -> None:
    from valuechain_kg.service import lookups
    from valuechain_kg.store import GraphStore

    store = GraphStore()
    store.update(
        """INSERT DATA {
          vcid:mine vc:supplies vcid:smelter .
          vcid:r1 a vc:BusinessRelationship ; vc:fromActor vcid:mine ; vc:toActor vcid:smelter ;
            vc:relationshipType vc:supplies ; vc:revenueShare 0.2 ;
            prov:wasDerivedFrom <https://example.org/one> .
          vcid:r2 a vc:BusinessRelationship ; vc:fromActor vcid:mine ; vc:toActor vcid:smelter ;
            vc:relationshipType vc:supplies ; vc:revenueShare 0.4 ;
            prov:wasDerivedFrom <https://example.org/two> .
        }"""
    )
    p = build_projection(store)
    assert len(p.edges) == 2  # one edge per reified node, both for the one triple
    found = lookups.relationship_sources(store, p, {0, 1})
    both = ["https://example.org/one", "https://example.org/two"]
    assert found == {0: both, 1: both}
