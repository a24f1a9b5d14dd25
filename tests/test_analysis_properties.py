"""Property-based checks: on random small graphs, linkage and leverage agree with brute force.

The brute force (``reference_v2``) enumerates every simple path directly from DESIGN.md's
version-2 definitions, with none of the search machinery the analysis uses: here on graphs
without products (every derived row lacks product continuity), with actors of every kind and
relationships with validity periods; ``test_v2_reference`` adds products and statuses.
"""

from __future__ import annotations

from chains import B, Chain
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reference_v2 import (
    Involvement,
    Options,
    Rel,
    Scenario,
    best_holder_paths,
    path_follows_the_rules,
)
from reference_v2 import (
    linked_actors as reference_linked,
)

from valuechain_kg.analysis.leverage import LeverageEdge, LeverageNetwork, best_paths_to
from valuechain_kg.analysis.linkage import impacts_of, linked_actors
from valuechain_kg.service.projection_reader import build_projection

NODES = [f"n{i}" for i in range(6)]
KINDS = ["supplies", "sells-to", "invests-in", "finances"]
ROLES = ["manufacturer", "manufacturer", "investor", "state-entity", "civil-society-organisation"]
VALIDITY = [(None, None), (None, None), ("2018-01-01", None), (None, "2016-12-31")]

edge_lists = st.lists(
    st.tuples(
        st.sampled_from(NODES),
        st.sampled_from(KINDS),
        st.sampled_from(NODES),
        st.sampled_from(VALIDITY),
    ),
    max_size=10,
    unique_by=lambda e: e[:3],
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edges=edge_lists,
    roles=st.lists(st.sampled_from(ROLES), min_size=len(NODES), max_size=len(NODES)),
    causes=st.sets(st.sampled_from(NODES), min_size=1, max_size=2),
    max_hops=st.integers(min_value=0, max_value=4),
    as_of=st.sampled_from([None, None, "2015-06-01", "2019-06-01"]),
)
def test_linkage_agrees_with_brute_force_path_enumeration(
    edges: list[tuple[str, str, str, tuple[str | None, str | None]]],
    roles: list[str],
    causes: set[str],
    max_hops: int,
    as_of: str | None,
) -> None:
    chain = Chain().impact("harm")
    for node, role in zip(NODES, roles, strict=True):
        chain.actor(node, None, role)
    kept = [(a, k, b, v) for a, k, b, v in edges if a != b]
    for source, kind, target, (valid_from, valid_until) in kept:
        chain.rel(source, kind, target, valid_from=valid_from, valid_until=valid_until)
    for cause in sorted(causes):
        chain.causes(cause, "harm")
    p = build_projection(chain.graph().store)
    found = linked_actors(p, B + "harm", max_hops, as_of)

    scenario = Scenario(
        roles={n: (r,) for n, r in zip(NODES, roles, strict=True)},
        relationships=[Rel(a, k, b, valid_from=f, valid_until=u) for a, k, b, (f, u) in kept],
        involvements=[Involvement(c, "cause") for c in sorted(causes)],
    )
    options = Options(max_hops=max_hops, as_of=as_of)
    expected = reference_linked(scenario, options)
    assert {p.ids[x.actor]: (x.mode, x.asserted, x.hops, x.product_continuity) for x in found} == {
        a: (r.mode, r.asserted, r.hops, r.product_continuity) for a, r in expected.items()
    }
    for x in found:
        steps = [
            (p.ids[p.edges[e].source], p.edges[e].relation, p.ids[p.edges[e].target])
            for e in x.path
        ]
        assert len(steps) == (0 if x.asserted else x.hops)
        if steps:
            assert path_follows_the_rules(
                scenario, options, p.ids[x.actor], steps, x.product_continuity
            )
    # The reverse question gives the same answer, actor by actor.
    for x in found:
        mine = [y for y in impacts_of(p, x.actor, max_hops, as_of) if y.impact == B + "harm"]
        assert [(y.mode, y.hops) for y in mine] == [(x.mode, x.hops)]
    for node in set(NODES) - {p.ids[x.actor] for x in found}:
        assert impacts_of(p, p.index[B + node], max_hops, as_of) == []


# Exact in binary, so products compare exactly; few values, so ties (the tie rules) are common.
STRENGTHS = [0.25, 0.5, 1.0]
LEVERAGE_NODES = 5

leverage_lists = st.lists(
    st.tuples(
        st.integers(0, LEVERAGE_NODES - 1),
        st.integers(0, LEVERAGE_NODES - 1),
        st.sampled_from(STRENGTHS),
    ),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
# Equal products over two paths of equal length: the smaller id sequence must win.
@example(
    raw=[(0, 2, 0.5), (0, 1, 0.5), (2, 3, 1.0), (1, 3, 1.0)], target=3, max_hops=4, linked=None
)
# A stronger long path beyond the hop bound must not leak in.
@example(
    raw=[(0, 3, 0.25), (0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0)], target=3, max_hops=2, linked=None
)
# A chain through an actor not linked to the impact is not followed; an unlinked holder still
# counts through its direct edge.
@example(
    raw=[(0, 1, 1.0), (1, 3, 1.0), (0, 3, 0.25), (2, 3, 0.5)],
    target=3,
    max_hops=3,
    linked={0, 3},
)
@given(
    raw=leverage_lists,
    target=st.integers(0, LEVERAGE_NODES - 1),
    max_hops=st.integers(min_value=1, max_value=4),
    linked=st.none() | st.sets(st.integers(0, LEVERAGE_NODES - 1)),
)
def test_leverage_agrees_with_brute_force_simple_path_enumeration(
    raw: list[tuple[int, int, float]], target: int, max_hops: int, linked: set[int] | None
) -> None:
    edges: dict[tuple[int, int], float] = {}
    for holder, tgt, strength in raw:
        if holder != tgt:
            edges[(holder, tgt)] = max(strength, edges.get((holder, tgt), 0.0))
    network = LeverageNetwork.from_edges(
        (h, t, LeverageEdge(s, ("contract-terms",), (), True)) for h, t, s in raw
    )
    through = None if linked is None else linked | {target}
    found = best_paths_to(network, target, max_hops, through)
    named = {(f"{h:02d}", f"{t:02d}"): x for (h, t), x in edges.items()}
    expected = best_holder_paths(
        named,
        f"{target:02d}",
        max_hops,
        None if through is None else {f"{n:02d}" for n in through},
        [f"{n:02d}" for n in range(LEVERAGE_NODES)],
    )
    assert target not in found
    assert {f"{h:02d}": (x.strength, x.hops, tuple(f"{n:02d}" for n in x.path))
            for h, x in found.items()} == expected  # fmt: skip
