"""Who is linked to an adverse impact: causes, contributors and directly linked enterprises.

The MNE Guidelines (2023, Chapter II, A.11-A.12, and its commentary) and UN Guiding Principle
13 distinguish three ways an enterprise is involved in an adverse impact: it *causes* it,
*contributes* to it, or is *directly linked* to it through its operations, products or services
by a business relationship (UNGP 13(b)). Direct linkage is not limited to first-tier or
contractual relationships and runs upstream (suppliers), downstream (users of products and
services) and through investments (Due Diligence Guidance 2018; OECD, "Responsible Business
Conduct for Institutional Investors", 2017, on minority shareholdings).

The rules are DESIGN.md's "Linkage of actor A to impact I", "Products", "Periods", "Assertion
status" and "Actor kinds":

* causes and contributors come only from asserted involvements; derived direct linkage walks
  from the causes only, as ``(investsIn | finances)*`` then nothing, or ``flow+`` one way;
* the flow part follows the product: downstream, an edge is followed when one of its products
  is the carried product or made (transitively, ``vc:madeFrom``) from it; upstream, when one of
  its products is the carried product or one of its inputs; the walk then carries that product.
  An edge or a cause naming no product is *unspecified*: it is followed (the data does not say
  it is unrelated; an unspecified edge is taken to carry the product the walk carries) and every
  row reached through it has ``product_continuity`` false; ``strict_products`` drops such rows.
  Per actor the shortest path with continuity is reported, else the shortest without;
* only relationships whose validity overlaps the impact's period are walked (an impact with no
  period: all of them); ``as_of`` overrides the period with one day;
* ``min_status`` ignores every involvement and relationship whose assertion ranks below it;
* States and civil-society organisations are never *derived* as directly linked (the
  Guidelines' expectations address enterprises), though they may be asserted. A walk passes
  through them: UNGP 13 commentary counts State entities among an enterprise's business
  relationships, and a product that flows through a State-owned or public body on its way to
  an enterprise still links that enterprise to the harm;
* each actor appears once under its strongest mode; an asserted direct linkage that can also
  be derived takes the derived hops, path and continuity and keeps its own assertion and
  sources; derived rows have assertion ``inferred`` and cite no sources of their own (each
  step of the path carries its relationship's).

The search is breadth first from the causes over integer states ``(node, phase, carried
product, continuity)``: it visits each state once, so it costs time linear in the part of the
network within ``max_hops`` (times the products in play), and it meets neighbours in id order,
so ties between equally short paths go the same way every time.

The functions take a :class:`~valuechain_kg.analysis.projection.Projection` (the fast path) or
a ``networkx.MultiDiGraph`` of the shape ``Projection.to_networkx()`` returns (see
:func:`~valuechain_kg.analysis.graph_input.projection_from_networkx` for the node, edge and graph
attributes read): the graph is read into a projection first, and the numbers in the answer
(``actor``, ``path``) are that projection's; :func:`graph_projection` gives it, so
``q.ids[x.actor]`` is the actor's id.

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
from typing import TYPE_CHECKING, TypeAlias

from valuechain_kg.analysis.graph_kind import is_networkx_graph
from valuechain_kg.analysis.projection import Involvement, Projection
from valuechain_kg.errors import UsageError
from valuechain_kg.identifiers import compact
from valuechain_kg.vocabulary import ASSERTION_RANK, DEFAULT_ASSERTION, MODE_RANK

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "INFERRED",
    "ImpactLinkage",
    "Linkage",
    "graph_projection",
    "impacts_of",
    "linked_actors",
    "status_rank",
]

#: The assertion of a derived row: the conclusion of the walk, not a claim of any source.
INFERRED = "inferred"

# Phases of the walk, from a cause E outwards.
_FINANCIAL = 0  # the (investsIn | finances)* prefix, walked against the edges
_UPSTREAM = 1  # B's output flows to E: from E, follow flow edges backwards to suppliers
_DOWNSTREAM = 2  # E's output flows to B: from E, follow flow edges to customers

#: What the functions take: the projection, or a graph of ``Projection.to_networkx()``'s shape.
Source: TypeAlias = "Projection | nx.MultiDiGraph"


@dataclass(frozen=True, slots=True)
class Linkage:
    """How one actor is involved in one impact. ``path`` holds edge numbers, A to E.

    ``assertion`` is the involvement's own status for an asserted row, ``inferred`` for a
    derived one; ``product_continuity`` is None for a row that was not derived.
    """

    actor: int
    mode: str
    asserted: bool
    hops: int
    path: tuple[int, ...]
    confidence: float | None
    sources: tuple[str, ...]
    assertion: str = INFERRED
    product_continuity: bool | None = None


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
    assertion: str = INFERRED
    product_continuity: bool | None = None


def status_rank(min_status: str | None) -> int:
    """The rank below which claims are ignored (0: none is); an unknown status is a usage error."""
    if min_status is None:
        return 0
    if min_status not in ASSERTION_RANK:
        known = ", ".join(ASSERTION_RANK)
        raise UsageError(f"min_status must be one of {known}, not '{min_status}'")
    return ASSERTION_RANK[min_status]


def _rank(assertion: str) -> int:
    return ASSERTION_RANK.get(assertion, ASSERTION_RANK[DEFAULT_ASSERTION])


def graph_projection(source: Source) -> Projection:
    """The projection a source stands for: itself, or a networkx graph read back."""
    if isinstance(source, Projection):
        return source
    if is_networkx_graph(source):
        from valuechain_kg.analysis.graph_input import projection_from_networkx

        return projection_from_networkx(source)  # type: ignore[arg-type]
    raise TypeError(f"expected a Projection or a networkx.MultiDiGraph, not {type(source)!r}")


def _impact_iri(source: Source, p: Projection, impact: str) -> str:
    """An impact named by IRI, or (in a networkx graph) by its node id."""
    if is_networkx_graph(source) and impact in source.nodes:  # type: ignore[union-attr]
        return str(source.nodes[impact].get("iri") or impact)  # type: ignore[union-attr]
    if impact in p.periods or impact in p.involvements or "://" in impact:
        return impact
    return p.base + impact if is_networkx_graph(source) else impact


def _strongest(involvements: Iterable[Involvement]) -> dict[int, Involvement]:
    """Each actor's strongest asserted involvement (cause > contribution > direct linkage)."""
    strongest: dict[int, Involvement] = {}
    for inv in involvements:
        current = strongest.get(inv.actor)
        if current is None or MODE_RANK[inv.mode] < MODE_RANK[current.mode]:
            strongest[inv.actor] = inv
    return strongest


def _overlaps(
    valid_from: str | None, valid_until: str | None, started: str | None, ended: str | None
) -> bool:
    """Does a relationship's validity overlap a period? Open ends overlap everything."""
    if valid_from is not None and ended is not None and valid_from[:10] > ended:
        return False
    return not (valid_until is not None and started is not None and valid_until[:10] < started)


def _blocked_edges(
    p: Projection,
    window: tuple[str | None, str | None] | None,
    min_rank: int,
) -> frozenset[int]:
    """Edges the walk may not take: out of the period or date, or asserted below ``min_rank``.

    Only edges with a validity bound can fall out of a period, and only edges with a
    non-default assertion can fall below a rank up to the default's: those are the lists
    scanned, so an impact without a period and no ``min_status`` costs nothing here.
    """
    blocked: set[int] = set()
    edges = p.edges
    if window is not None:
        started, ended = window
        valid_from, valid_until = edges.valid_from, edges.valid_until
        for n in p.dated_edges:
            if not _overlaps(valid_from[n], valid_until[n], started, ended):
                blocked.add(n)
    if min_rank > 0:
        candidates: Iterable[int] = (
            p.claimed_edges if min_rank <= ASSERTION_RANK[DEFAULT_ASSERTION] else range(len(edges))
        )
        assertion = edges.assertion
        blocked.update(n for n in candidates if _rank(assertion[n]) < min_rank)
    return frozenset(blocked)


def _walk(
    p: Projection,
    starts: list[tuple[int, tuple[int, ...]]],
    max_hops: int,
    blocked: frozenset[int],
    strict: bool,
) -> tuple[dict[int, int], dict[int, tuple[int, int]], dict[int, int]]:
    """Breadth-first search outwards from the causes (``starts``: cause, its products).

    A state is ``((node * 3 + phase) * width + slot) * 2 + continuity``, ``slot`` being the
    carried product plus one (0: any product, the cause named none). Returns the depth of every
    state seen, parent links ``state -> (state towards the cause, edge number)``, and per node
    the financial state that explains it best (with continuity if one was reached, else
    without): the states where a walk from an actor A may begin.
    """
    width = len(p.product_ids) + 1
    seen: dict[int, int] = {}
    parent: dict[int, tuple[int, int]] = {}
    best: dict[int, int] = {}  # node -> its best financial state
    sources, targets, carried_by = p.edges.source, p.edges.target, p.edges.products
    inputs = p.inputs
    financial_in, flow_in, flow_out = p.financial_in, p.flow_in, p.flow_out
    frontier: list[int] = []

    def reach(state: int, depth: int, came: tuple[int, int] | None, out: list[int]) -> None:
        if state in seen:
            return
        if not state & 1:
            # A state without continuity is dominated by the same one with it, and by the one
            # carrying any product, seen no later (breadth first).
            if state | 1 in seen:
                return
            slot = (state >> 1) % width
            if slot and state - 2 * slot in seen:
                return
        seen[state] = depth
        if came is not None:
            parent[state] = came
        out.append(state)
        rest = state >> 1
        node, phase = divmod(rest // width, 3)
        if phase == _FINANCIAL:
            current = best.get(node)
            if current is None or (state & 1 and not current & 1):
                best[node] = state

    for cause, products in starts:
        if not products and strict:
            continue  # every row would lack continuity
        cont = 1 if products else 0
        reach(((cause * 3 + _FINANCIAL) * width) * 2 + cont, 0, None, frontier)
        slots = [q + 1 for q in products] or [0]
        for phase in (_UPSTREAM, _DOWNSTREAM):
            for slot in slots:
                reach(((cause * 3 + phase) * width + slot) * 2 + cont, 0, None, frontier)

    for depth in range(1, max_hops + 1):
        following: list[int] = []
        for state in frontier:
            cont = state & 1
            rest = state >> 1
            slot = rest % width
            node, phase = divmod(rest // width, 3)
            if phase == _FINANCIAL:
                for e in financial_in[node]:
                    if e in blocked:
                        continue
                    nxt = ((sources[e] * 3) * width) * 2 + cont
                    reach(nxt, depth, (state, e), following)
                continue
            upstream = phase == _UPSTREAM
            for e in flow_in[node] if upstream else flow_out[node]:
                if e in blocked:
                    continue
                other = sources[e] if upstream else targets[e]
                carried = carried_by[e]
                moves: list[tuple[int, int]]
                if not carried:
                    if strict:
                        continue
                    moves = [(slot, 0)]
                elif not slot:
                    moves = [(q + 1, cont) for q in carried]
                else:
                    c = slot - 1
                    if upstream:
                        into = inputs[c]
                        moves = [(q + 1, cont) for q in carried if q == c or q in into]
                    else:
                        moves = [(q + 1, cont) for q in carried if q == c or c in inputs[q]]
                for nslot, ncont in moves:
                    base = (other * 3 + phase) * width
                    reach((base + nslot) * 2 + ncont, depth, (state, e), following)
                    # The walk may start its flow part here: other is a possible B.
                    reach((other * 3 * width) * 2 + ncont, depth, (state, e), following)
        frontier = following
        if not frontier:
            break
    return seen, parent, best


def _path_towards_cause(parent: dict[int, tuple[int, int]], state: int) -> tuple[int, ...]:
    steps = []
    while state in parent:
        state, edge = parent[state]
        steps.append(edge)
    return tuple(steps)


def linked_actors(
    source: Source,
    impact: str,
    max_hops: int = 6,
    as_of: str | None = None,
    min_status: str | None = None,
    strict_products: bool = False,
) -> list[Linkage]:
    """Every actor involved in ``impact``, once each, in (mode rank, hops, id) order.

    Asserted involvements always appear (hops 0, empty path), whatever ``max_hops``; derived
    direct linkage is bounded by ``max_hops``. ``as_of`` (ISO date) replaces the impact's
    period; ``min_status`` ignores claims asserted below it; ``strict_products`` keeps only
    derived rows with product continuity.
    """
    p = graph_projection(source)
    iri = _impact_iri(source, p, impact)
    min_rank = status_rank(min_status)
    involvements = [i for i in p.involvements.get(iri, ()) if _rank(i.assertion) >= min_rank]
    asserted = _strongest(involvements)
    starts = sorted((i.actor, i.products) for i in involvements if i.mode == "cause")
    best: dict[int, int] = {}
    seen: dict[int, int] = {}
    parent: dict[int, tuple[int, int]] = {}
    if starts and max_hops > 0:
        window = (as_of, as_of) if as_of is not None else p.periods.get(iri)
        blocked = _blocked_edges(p, window, min_rank)
        seen, parent, best = _walk(p, starts, max_hops, blocked, strict_products)
    found: list[Linkage] = []
    for actor, inv in asserted.items():
        state = best.get(actor)
        if inv.mode == "direct-linkage" and state is not None and seen[state] > 0:
            found.append(
                Linkage(
                    actor,
                    inv.mode,
                    True,
                    seen[state],
                    _path_towards_cause(parent, state),
                    inv.confidence,
                    inv.sources,
                    inv.assertion,
                    bool(state & 1),
                )
            )
        else:
            found.append(
                Linkage(actor, inv.mode, True, 0, (), inv.confidence, inv.sources, inv.assertion)
            )
    for actor, state in best.items():
        if actor in asserted or p.kind(actor) != "enterprise":
            continue
        path = _path_towards_cause(parent, state)
        found.append(
            Linkage(
                actor,
                "direct-linkage",
                False,
                seen[state],
                path,
                None,
                (),
                INFERRED,
                bool(state & 1),
            )
        )
    # Node numbers follow id order, so sorting by number sorts by id.
    return sorted(found, key=lambda x: (MODE_RANK[x.mode], x.hops, x.actor))


def _reachable_causes(p: Projection, actor: int, max_hops: int) -> set[int]:
    """Nodes a walk from ``actor`` may reach by the path rule, ignoring products, periods and
    statuses: a superset of the causes the actor can be linked through (those only narrow)."""
    start = actor * 3 + _FINANCIAL
    seen = {start}
    reached = {actor}
    frontier = [start]
    sources, targets = p.edges.source, p.edges.target
    for _ in range(max_hops):
        following: list[int] = []
        for state in frontier:
            node, phase = divmod(state, 3)
            steps: list[int] = []
            if phase == _FINANCIAL:
                steps += [targets[e] * 3 + _FINANCIAL for e in p.financial_out[node]]
            # Walking forwards, the downstream-of-E phase runs against flow edges and the
            # upstream-of-E phase along them; either may begin wherever the financial part ends.
            if phase in (_FINANCIAL, _UPSTREAM):
                steps += [targets[e] * 3 + _UPSTREAM for e in p.flow_out[node]]
            if phase in (_FINANCIAL, _DOWNSTREAM):
                steps += [sources[e] * 3 + _DOWNSTREAM for e in p.flow_in[node]]
            for nxt in steps:
                if nxt not in seen:
                    seen.add(nxt)
                    reached.add(nxt // 3)
                    following.append(nxt)
        frontier = following
        if not frontier:
            break
    return reached


def impacts_of(
    source: Source,
    actor: int | str,
    max_hops: int = 6,
    as_of: str | None = None,
    min_status: str | None = None,
    strict_products: bool = False,
) -> list[ImpactLinkage]:
    """Every impact ``actor`` is involved in, by the same rules as :func:`linked_actors`.

    Ordered by (mode rank, hops, impact id). Each impact has its own period, so the candidate
    impacts (those the actor is asserted in, or whose causes a walk from the actor can reach
    at all) are asked one by one: the answer is :func:`linked_actors`'s row for the actor, by
    construction. ``actor`` is a node number, or (in a networkx graph) a node id.
    """
    p = graph_projection(source)
    if isinstance(actor, str):
        named = _impact_iri(source, p, actor)  # a node id of the graph, or an IRI
        if named not in p.index:
            return []
        node = p.index[named]
    else:
        node = actor
    status_rank(min_status)
    candidates = {inv.impact for inv in p.involvements_of.get(node, ())}
    if max_hops > 0:
        for other in _reachable_causes(p, node, max_hops):
            candidates.update(
                inv.impact for inv in p.involvements_of.get(other, ()) if inv.mode == "cause"
            )
    found: list[ImpactLinkage] = []
    for impact in candidates:
        rows = linked_actors(p, impact, max_hops, as_of, min_status, strict_products)
        for x in rows:
            if x.actor == node:
                found.append(
                    ImpactLinkage(
                        impact,
                        x.mode,
                        x.asserted,
                        x.hops,
                        x.path,
                        x.confidence,
                        x.sources,
                        x.assertion,
                        x.product_continuity,
                    )
                )
                break
    return sorted(found, key=lambda x: (MODE_RANK[x.mode], x.hops, compact(x.impact, p.base)))
