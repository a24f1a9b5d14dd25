"""Property-based checks: on random small graphs, linkage and leverage agree with brute force.

The brute force enumerates every walk (linkage) or every simple path (leverage) directly from
DESIGN.md's definitions, with none of the search machinery the analysis uses.
"""

from __future__ import annotations

import itertools

from chains import B, Chain
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from valuechain_kg.analysis.leverage import LeverageEdge, LeverageNetwork, best_paths_to
from valuechain_kg.analysis.linkage import impacts_of, linked_actors
from valuechain_kg.service.projection_reader import build_projection

NODES = [f"n{i}" for i in range(6)]
KINDS = ["supplies", "sells-to", "invests-in", "finances"]
FINANCIAL = {"invests-in", "finances"}

edge_lists = st.lists(
    st.tuples(st.sampled_from(NODES), st.sampled_from(KINDS), st.sampled_from(NODES)),
    max_size=10,
    unique=True,
)


def brute_force_hops(
    edges: list[tuple[str, str, str]], causes: set[str], max_hops: int
) -> dict[str, int]:
    """Shortest walk from each node matching (fin)* then nothing | flow+ forward | flow+ back."""
    best: dict[str, int] = {}

    def walk(node: str, phase: str, length: int, start: str) -> None:
        if node in causes and (start not in best or length < best[start]):
            best[start] = length
        if length == max_hops:
            return
        for source, kind, target in edges:
            if kind in FINANCIAL:
                if phase == "fin" and source == node:
                    walk(target, "fin", length + 1, start)
            else:
                if phase in ("fin", "fwd") and source == node:
                    walk(target, "fwd", length + 1, start)
                if phase in ("fin", "bwd") and target == node:
                    walk(source, "bwd", length + 1, start)

    for start in NODES:
        walk(start, "fin", 0, start)
    return best


def follows_the_rule(path: list[tuple[str, str, str]], start: str, causes: set[str]) -> bool:
    """Is ``path`` (stored edges in walk order) a walk from ``start`` to a cause by the rule?"""
    node, phase = start, "fin"
    for source, kind, target in path:
        if kind in FINANCIAL and phase == "fin" and source == node:
            node = target
        elif kind not in FINANCIAL and phase in ("fin", "fwd") and source == node:
            node, phase = target, "fwd"
        elif kind not in FINANCIAL and phase in ("fin", "bwd") and target == node:
            node, phase = source, "bwd"
        else:
            return False
    return node in causes


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edges=edge_lists,
    causes=st.sets(st.sampled_from(NODES), min_size=1, max_size=2),
    max_hops=st.integers(min_value=0, max_value=4),
)
def test_linkage_agrees_with_brute_force_walk_enumeration(
    edges: list[tuple[str, str, str]], causes: set[str], max_hops: int
) -> None:
    chain = Chain().impact("harm")
    for node in NODES:
        chain.actor(node)
    for source, kind, target in edges:
        chain.rel(source, kind, target)
    for cause in sorted(causes):
        chain.causes(cause, "harm")
    p = build_projection(chain.graph().store)
    found = linked_actors(p, B + "harm", max_hops)

    expected = brute_force_hops(edges, causes, max_hops)
    assert {p.ids[x.actor]: x.hops for x in found if not x.asserted} == {
        node: hops for node, hops in expected.items() if node not in causes
    }
    for x in found:
        path = [
            (p.ids[p.edges[e].source], p.edges[e].relation, p.ids[p.edges[e].target])
            for e in x.path
        ]
        assert len(path) == x.hops
        assert follows_the_rule(path, p.ids[x.actor], causes)
    # The reverse question gives the same answer, actor by actor.
    for x in found:
        mine = [y for y in impacts_of(p, x.actor, max_hops) if y.impact == B + "harm"]
        assert [(y.mode, y.hops) for y in mine] == [(x.mode, x.hops)]
    for node in set(NODES) - {p.ids[x.actor] for x in found}:
        assert impacts_of(p, p.index[B + node], max_hops) == []


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


def brute_force_best(
    edges: dict[tuple[int, int], float], target: int, max_hops: int
) -> dict[int, tuple[float, int, tuple[int, ...]]]:
    """Best (product, hops, path) per holder over all simple paths of <= max_hops edges."""
    best: dict[int, tuple[float, int, tuple[int, ...]]] = {}
    for length in range(1, max_hops + 1):
        for middle in itertools.permutations(range(LEVERAGE_NODES), length - 1):
            for holder in range(LEVERAGE_NODES):
                path = (holder, *middle, target)
                if len(set(path)) != len(path):
                    continue
                pairs = list(itertools.pairwise(path))
                if not all(pair in edges for pair in pairs):
                    continue
                product = 1.0
                for pair in pairs:
                    product *= edges[pair]
                key = (-product, length, path)
                current = best.get(holder)
                if current is None or key < (-current[0], current[1], current[2]):
                    best[holder] = (product, length, path)
    return best


@settings(max_examples=150, deadline=None)
# Equal products over two paths of equal length: the smaller id sequence must win.
@example(raw=[(0, 2, 0.5), (0, 1, 0.5), (2, 3, 1.0), (1, 3, 1.0)], target=3, max_hops=4)
# A stronger long path beyond the hop bound must not leak in.
@example(raw=[(0, 3, 0.25), (0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0)], target=3, max_hops=2)
@given(
    raw=leverage_lists,
    target=st.integers(0, LEVERAGE_NODES - 1),
    max_hops=st.integers(min_value=1, max_value=4),
)
def test_leverage_agrees_with_brute_force_simple_path_enumeration(
    raw: list[tuple[int, int, float]], target: int, max_hops: int
) -> None:
    edges: dict[tuple[int, int], float] = {}
    for holder, tgt, strength in raw:
        if holder != tgt:
            edges[(holder, tgt)] = max(strength, edges.get((holder, tgt), 0.0))
    network = LeverageNetwork.from_edges(
        (h, t, LeverageEdge(s, ("contract-terms",), (), True)) for h, t, s in raw
    )
    found = best_paths_to(network, target, max_hops)
    expected = brute_force_best(edges, target, max_hops)
    assert target not in found
    assert {h: (p.strength, p.hops, p.path) for h, p in found.items()} == expected
