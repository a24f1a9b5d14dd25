"""Who is linked to an adverse impact: causes, contributors and directly linked enterprises.

The MNE Guidelines (2023, Chapter II, A.11-A.12, and its commentary) and UN Guiding
Principle 13 distinguish three ways an enterprise is involved in an adverse
impact: it *causes* it, *contributes* to it, or is *directly linked* to it by a business
relationship through its operations, products or services. Direct linkage is not limited to
first-tier or contractual relationships, and runs both upstream (suppliers) and downstream
(users of products and services) as well as through investments (Due Diligence Guidance 2018;
OECD, "Responsible Business Conduct for Institutional Investors", 2017, on minority
shareholdings).

Causes and contributors come only from asserted involvements. Direct linkage is asserted or
derived by DESIGN.md's path rule: actor A is linked to an impact caused by E when there is a
walk from A to E of the form ``(investsIn | finances)*`` then either nothing, or ``flow+``
forward, or ``flow+`` backward. The flow part never changes direction: two suppliers of one
customer are not linked to each other's impacts.

The search runs backwards from the causes over states ``(node, phase)``, phase being
financial, upstream-flow or downstream-flow, breadth first, so it visits each state once and
costs time linear in the part of the network within ``max_hops``.

Examples
--------
>>> from valuechain_kg.store import GraphStore
>>> from valuechain_kg.service.projection_reader import build_projection
>>> store = GraphStore()
>>> store.update('''INSERT DATA {
...   vcid:mine vc:supplies vcid:smelter . vcid:smelter vc:supplies vcid:maker .
...   vcid:fund vc:investsIn vcid:maker .
...   vcid:i a vc:Involvement ; vc:actor vcid:mine ; vc:impact vcid:harm ; vc:mode vc:Cause .
... }''')
>>> p = build_projection(store)
>>> [(p.ids[x.actor], x.mode, x.hops) for x in linked_actors(p, p.base + "harm")]
[('mine', 'cause', 0), ('smelter', 'direct-linkage', 1), ('maker', 'direct-linkage', 2), \
('fund', 'direct-linkage', 3)]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from valuechain_kg.analysis.projection import Involvement, Projection
from valuechain_kg.identifiers import compact
from valuechain_kg.vocabulary import MODE_RANK

__all__ = ["ImpactLinkage", "Linkage", "impacts_of", "linked_actors"]

# Phases of the walk, as the search meets them going backwards from a cause E.
_FINANCIAL = 0  # the (investsIn | finances)* prefix, walked against the edges
_UPSTREAM = 1  # B's output flows to E: from E, follow flow edges backwards to suppliers
_DOWNSTREAM = 2  # E's output flows to B: from E, follow flow edges to customers


@dataclass(frozen=True, slots=True)
class Linkage:
    """How one actor is involved in one impact. ``path`` holds edge numbers, A to E."""

    actor: int
    mode: str
    asserted: bool
    hops: int
    path: tuple[int, ...]
    confidence: float | None
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ImpactLinkage:
    """How one actor is involved in one impact, seen from the actor."""

    impact: str
    mode: str
    asserted: bool
    hops: int
    path: tuple[int, ...]
    confidence: float | None
    sources: tuple[str, ...]


def _strongest(involvements: Iterable[Involvement]) -> dict[int, Involvement]:
    """Each actor's strongest asserted involvement (cause > contribution > direct linkage)."""
    strongest: dict[int, Involvement] = {}
    for inv in involvements:
        current = strongest.get(inv.actor)
        if current is None or MODE_RANK[inv.mode] < MODE_RANK[current.mode]:
            strongest[inv.actor] = inv
    return strongest


def _derive_to_causes(
    p: Projection, causes: list[int], max_hops: int
) -> tuple[dict[int, int], dict[int, tuple[int, int]]]:
    """Breadth-first search backwards from the causes.

    Returns the hops of every node that can reach a cause by the path rule (its financial
    state), and parent links ``state -> (next state towards E, edge number)``. A state is
    ``node * 3 + phase``.
    """
    seen: dict[int, int] = {}
    parent: dict[int, tuple[int, int]] = {}
    frontier: list[int] = []
    for cause in causes:
        for phase in (_FINANCIAL, _UPSTREAM, _DOWNSTREAM):
            seen[cause * 3 + phase] = 0
            frontier.append(cause * 3 + phase)
    edges = p.edges
    financial_in, flow_in, flow_out = p.financial_in, p.flow_in, p.flow_out
    # The inner loop is the hot path of every linkage answer: states are marked inline (no
    # helper call per edge, which the walk would otherwise pay on every edge it follows).
    for depth in range(1, max_hops + 1):
        following: list[int] = []
        for state in frontier:
            node, phase = divmod(state, 3)
            if phase == _FINANCIAL:
                for e in financial_in[node]:
                    nxt = edges[e].source * 3 + _FINANCIAL
                    if nxt not in seen:
                        seen[nxt] = depth
                        parent[nxt] = (state, e)
                        following.append(nxt)
                continue
            upstream = phase == _UPSTREAM
            for e in flow_in[node] if upstream else flow_out[node]:
                other = edges[e].source if upstream else edges[e].target
                nxt = other * 3 + phase
                if nxt not in seen:
                    seen[nxt] = depth
                    parent[nxt] = (state, e)
                    following.append(nxt)
                # The walk may start its flow part here: other is a possible B.
                nxt = other * 3 + _FINANCIAL
                if nxt not in seen:
                    seen[nxt] = depth
                    parent[nxt] = (state, e)
                    following.append(nxt)
        frontier = following
        if not frontier:
            break
    hops = {state // 3: d for state, d in seen.items() if state % 3 == _FINANCIAL}
    return hops, parent


def _path_towards_cause(parent: dict[int, tuple[int, int]], state: int) -> tuple[int, ...]:
    steps = []
    while state in parent:
        state, edge = parent[state]
        steps.append(edge)
    return tuple(steps)


def linked_actors(p: Projection, impact: str, max_hops: int = 6) -> list[Linkage]:
    """Every actor involved in ``impact``, once each, in (mode rank, hops, id) order.

    Asserted involvements always appear (hops 0, empty path), whatever ``max_hops``; derived
    direct linkage is bounded by ``max_hops``. An asserted direct linkage that can also be
    derived keeps ``asserted=True`` and takes the derived hops and path.
    """
    asserted = _strongest(p.involvements.get(impact, ()))
    causes = p.causes(impact)
    hops: dict[int, int] = {}
    parent: dict[int, tuple[int, int]] = {}
    if causes and max_hops > 0:
        hops, parent = _derive_to_causes(p, causes, max_hops)
    found: list[Linkage] = []
    for actor, inv in asserted.items():
        if inv.mode == "direct-linkage" and actor in hops:
            path = _path_towards_cause(parent, actor * 3 + _FINANCIAL)
            found.append(
                Linkage(actor, inv.mode, True, hops[actor], path, inv.confidence, inv.sources)
            )
        else:
            found.append(Linkage(actor, inv.mode, True, 0, (), inv.confidence, inv.sources))
    for actor, d in hops.items():
        if actor not in asserted:
            path = _path_towards_cause(parent, actor * 3 + _FINANCIAL)
            found.append(Linkage(actor, "direct-linkage", False, d, path, None, ()))
    # Node numbers follow id order, so sorting by number sorts by id.
    return sorted(found, key=lambda x: (MODE_RANK[x.mode], x.hops, x.actor))


def _derive_from_actor(
    p: Projection, actor: int, max_hops: int
) -> tuple[dict[int, tuple[int, int]], dict[int, tuple[int, int]]]:
    """Breadth-first search forwards from an actor along the path rule.

    Returns, for every node E reachable, (hops, its first-reached state), and parent links
    ``state -> (previous state towards the actor, edge number)``.
    """
    start = actor * 3 + _FINANCIAL
    seen: dict[int, int] = {start: 0}
    parent: dict[int, tuple[int, int]] = {}
    reached: dict[int, tuple[int, int]] = {actor: (0, start)}
    frontier = [start]
    edges = p.edges
    for depth in range(1, max_hops + 1):
        following: list[int] = []

        def reach(
            state: int, came_from: int, edge: int, d: int = depth, out: list[int] = following
        ) -> None:
            if state not in seen:
                seen[state] = d
                parent[state] = (came_from, edge)
                out.append(state)
                node = state // 3
                if node not in reached:
                    reached[node] = (d, state)

        for state in frontier:
            node, phase = divmod(state, 3)
            if phase == _FINANCIAL:
                for e in p.financial_out[node]:
                    reach(edges[e].target * 3 + _FINANCIAL, state, e)
            # Walking forwards, the downstream-of-E phase runs against flow edges and the
            # upstream-of-E phase along them; either may begin wherever the financial part ends.
            if phase in (_FINANCIAL, _UPSTREAM):
                for e in p.flow_out[node]:
                    reach(edges[e].target * 3 + _UPSTREAM, state, e)
            if phase in (_FINANCIAL, _DOWNSTREAM):
                for e in p.flow_in[node]:
                    reach(edges[e].source * 3 + _DOWNSTREAM, state, e)
        frontier = following
        if not frontier:
            break
    return reached, parent


def impacts_of(p: Projection, actor: int, max_hops: int = 6) -> list[ImpactLinkage]:
    """Every impact ``actor`` is involved in, by the same rules as :func:`linked_actors`.

    Ordered by (mode rank, hops, impact id). For an actor linked to an impact through several
    of its causes, the shortest path wins, as in :func:`linked_actors`.
    """
    asserted: dict[str, Involvement] = {}
    for inv in p.involvements_of.get(actor, ()):
        current = asserted.get(inv.impact)
        if current is None or MODE_RANK[inv.mode] < MODE_RANK[current.mode]:
            asserted[inv.impact] = inv
    derived: dict[str, tuple[int, int, int]] = {}  # impact -> (hops, cause, state)
    parent: dict[int, tuple[int, int]] = {}
    if max_hops > 0:
        reached, parent = _derive_from_actor(p, actor, max_hops)
        for node, (d, state) in reached.items():
            for inv in p.involvements_of.get(node, ()):
                if inv.mode != "cause":
                    continue
                known = derived.get(inv.impact)
                if known is None or (d, node) < known[:2]:
                    derived[inv.impact] = (d, node, state)

    def path_of(state: int) -> tuple[int, ...]:
        return tuple(reversed(_path_towards_cause(parent, state)))

    found: list[ImpactLinkage] = []
    for impact, inv in asserted.items():
        if inv.mode == "direct-linkage" and impact in derived:
            d, _, state = derived[impact]
            found.append(
                ImpactLinkage(
                    impact, inv.mode, True, d, path_of(state), inv.confidence, inv.sources
                )
            )
        else:
            found.append(ImpactLinkage(impact, inv.mode, True, 0, (), inv.confidence, inv.sources))
    for impact, (d, _, state) in derived.items():
        if impact not in asserted:
            found.append(
                ImpactLinkage(impact, "direct-linkage", False, d, path_of(state), None, ())
            )
    return sorted(found, key=lambda x: (MODE_RANK[x.mode], x.hops, compact(x.impact, p.base)))
