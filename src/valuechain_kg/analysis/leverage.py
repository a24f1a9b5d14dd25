"""Who holds leverage over the entities causing or contributing to an impact.

Leverage is "the ability to effect change in the wrongful practices of an entity that causes
a harm" (UN Guiding Principles, Principle 19 commentary). An enterprise directly linked to an
impact, or contributing to it, is expected to use and, where needed, increase its leverage,
alone or by collaborating with other actors (UNGP 19 commentary; OECD Guidelines 2023, Ch. II
commentary; Due Diligence Guidance 2018, Section II): industry and multi-stakeholder
initiatives, investor coalitions.

The rules implemented here are those of DESIGN.md, "Leverage":

* targets are the impact's causes and contributors, each with its mode;
* derived leverage: an ownership share ``s`` gives ``min(1, 2s)``; a revenue share ``r`` gives
  the customer ``min(1, 2r)`` over its supplier (:func:`derived_strength`);
* one edge per (holder, target) pair: the strongest, with every basis listed;
* a holder's strength over a target is the best product of strengths over paths of at most
  ``max_hops`` edges whose intermediaries are all actors linked to the impact (``through``):
  leverage passes along the impact's own value chain, not across unrelated ones, and a holder
  that is not itself linked counts only through a direct edge. Ties go to fewer hops, then to
  the smallest id sequence, products within a relative 1e-9 being equal. Plain Dijkstra over
  ``-log(strength)`` finds the best unbounded path, which may be longer than the bound allows,
  so the search relaxes edges hop layer by hop layer instead (Bellman-Ford restricted to
  ``max_hops`` rounds);
* enterprises are holders; States and civil-society actors meeting the same rule are other
  influence (regulation and public pressure are not business leverage) and never join
  collective leverage or coalitions;
* an initiative counts for an impact whose category is in its scope or narrower than one of
  them (an empty scope covers all); its collective leverage is ``1 - prod(1 - s_i)`` over its
  members among the holders (a noisy-OR: each member independently may bring the change about).

The functions take a :class:`LeverageNetwork` over node numbers (the projection's fast path) or
a ``networkx.MultiDiGraph`` of the shape ``Projection.to_networkx()`` returns, keyed by ids,
whose edges of ``kind="leverage"`` carry ``strength``, ``bases`` and ``sources``: a data
scientist may edit such a graph and ask the same question.

Examples
--------
>>> net = LeverageNetwork.from_edges([
...     (0, 1, LeverageEdge(0.9, ("ownership",), (), False)),
...     (1, 2, LeverageEdge(0.9, ("ownership",), (), False)),
...     (0, 2, LeverageEdge(0.5, ("contract-terms",), (), True)),
... ])
>>> best = best_paths_to(net, 2, max_hops=6)
>>> round(best[0].strength, 2), best[0].path
(0.81, (0, 1, 2))
>>> best_paths_to(net, 2, max_hops=1)[0].path
(0, 2)
>>> round(collective_strength([0.5, 0.5]), 2)
0.75
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from valuechain_kg.analysis.graph_kind import is_networkx_graph
from valuechain_kg.analysis.pickling import pickled_as_call
from valuechain_kg.vocabulary import MODE_RANK, NARROWER_CATEGORIES

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "CollectiveLeverage",
    "HolderPath",
    "LeverageEdge",
    "LeverageNetwork",
    "TargetLeverage",
    "best_paths_from",
    "best_paths_to",
    "collective_by_initiative",
    "collective_strength",
    "derived_strength",
    "holder_order",
    "impact_leverage",
    "in_scope",
    "leverage_over",
    "smallest_coalition",
]

#: A node: a number of the projection (fast path) or an id of a networkx graph.
N = TypeVar("N", bound=Hashable)

#: Products within this relative tolerance are equal (DESIGN.md tie rule).
RELATIVE_TOLERANCE = 1e-9
#: Strengths in answers are rounded so that float noise does not reorder equal holders.
DIGITS = 12


def derived_strength(share: float) -> float:
    """Leverage from a share: ``min(1, 2s)``; a majority share is control (strength 1).

    >>> derived_strength(0.3), derived_strength(0.6)
    (0.6, 1.0)
    """
    return min(1.0, 2.0 * share)


@pickled_as_call
@dataclass(frozen=True, slots=True)
class LeverageEdge:
    """The leverage one holder has over one target, all bases joined."""

    strength: float
    bases: tuple[str, ...]
    sources: tuple[str, ...]
    asserted: bool


@dataclass(frozen=True)
class LeverageNetwork(Generic[N]):
    """Leverage edges holder -> target, one per pair, with adjacency both ways.

    Nodes are the projection's numbers, or the ids of a networkx graph
    (:meth:`from_networkx`); either way they sort in id order, which the tie rule relies on.
    """

    edges: dict[tuple[N, N], LeverageEdge]
    incoming: dict[N, list[N]]  #: target -> holders, ascending
    outgoing: dict[N, list[N]]  #: holder -> targets, ascending

    @classmethod
    def from_networkx(cls, graph: nx.MultiDiGraph) -> LeverageNetwork[Any]:
        """The leverage edges (``kind="leverage"``) of a graph shaped like
        ``Projection.to_networkx()``, joined per pair as :meth:`from_edges` joins them.

        An edge without ``bases`` or ``sources`` has none; ``asserted`` defaults to True (an
        edge drawn by hand is a claim, not a derivation).
        """
        return cls.from_edges(
            (
                holder,
                target,
                LeverageEdge(
                    float(data["strength"]),
                    tuple(data.get("bases") or ()),
                    tuple(data.get("sources") or ()),
                    bool(data.get("asserted", True)),
                ),
            )
            for holder, target, data in graph.edges(data=True)
            if data.get("kind") == "leverage"
        )

    @classmethod
    def from_edges(cls, edges: Iterable[tuple[Any, Any, LeverageEdge]]) -> LeverageNetwork[Any]:
        """Join edges per pair: the strongest counts, all bases and sources are kept."""
        joined: dict[tuple[Any, Any], LeverageEdge] = {}
        for holder, target, edge in edges:
            if holder == target:
                continue  # nobody holds leverage over itself
            joined[(holder, target)] = _join(joined.get((holder, target)), edge)
        return cls._indexed(joined)

    @classmethod
    def _indexed(cls, joined: dict[tuple[Any, Any], LeverageEdge]) -> LeverageNetwork[Any]:
        incoming: dict[Any, list[Any]] = {}
        outgoing: dict[Any, list[Any]] = {}
        for holder, target in sorted(joined):
            incoming.setdefault(target, []).append(holder)
            outgoing.setdefault(holder, []).append(target)
        return cls(joined, incoming, outgoing)

    def with_extra(self, edges: Iterable[tuple[N, N, LeverageEdge]]) -> LeverageNetwork[N]:
        """A new network with hypothetical edges joined in; this one is left untouched."""
        joined = dict(self.edges)
        for holder, target, edge in edges:
            if holder != target:
                joined[(holder, target)] = _join(joined.get((holder, target)), edge)
        return self._indexed(joined)


def _join(old: LeverageEdge | None, new: LeverageEdge) -> LeverageEdge:
    if old is None:
        bases = tuple(sorted(set(new.bases)))
        # The same object when nothing changes: a projection then holds (and a saved one
        # restores) one edge for a pair's only part and for the pair.
        if bases == new.bases:
            return new
        return LeverageEdge(new.strength, bases, new.sources, new.asserted)
    return LeverageEdge(
        max(old.strength, new.strength),
        tuple(sorted(set(old.bases) | set(new.bases))),
        tuple(sorted(set(old.sources) | set(new.sources))),
        old.asserted or new.asserted,
    )


@dataclass(frozen=True, slots=True)
class HolderPath(Generic[N]):
    """The best leverage path between a holder and a target (``path`` runs holder .. target)."""

    strength: float
    hops: int
    path: tuple[N, ...]

    @property
    def holder(self) -> N:
        return self.path[0]

    @property
    def target(self) -> N:
        return self.path[-1]


def _better(a: HolderPath, b: HolderPath) -> bool:
    """Is ``a`` strictly preferred to ``b``: higher product, then fewer hops, then smaller ids.

    Node numbers follow id order (see projection), so comparing number tuples compares ids.
    """
    scale = max(a.strength, b.strength)
    if abs(a.strength - b.strength) > RELATIVE_TOLERANCE * scale:
        return a.strength > b.strength
    if a.hops != b.hops:
        return a.hops < b.hops
    return a.path < b.path


def _relax(
    start: N,
    max_hops: int,
    neighbours: Callable[[N], Iterable[N]],
    strength: Callable[[N, N], float],
    extend: Callable[[tuple[N, ...], N], tuple[N, ...]],
    through: Collection[N] | None = None,
) -> dict[N, HolderPath[N]]:
    """Hop-layered relaxation: after round k, every node holds its best path of <= k edges.

    Only nodes whose best path improved in round k-1 are expanded in round k, so the work is
    bounded by ``max_hops`` times the edges around the explored part of the network. With
    ``through``, a node outside it is reached only by an edge from ``start`` and never
    expanded: every node strictly inside a path is in ``through``.
    """
    best: dict[N, HolderPath[N]] = {}
    frontier = {start: HolderPath(1.0, 0, (start,))}
    for _ in range(max_hops):
        candidates: dict[N, HolderPath[N]] = {}
        for node, here in frontier.items():
            for other in neighbours(node):
                s = strength(node, other)
                if other == start or s <= 0.0 or other in here.path:
                    continue
                if through is not None and here.hops > 0 and other not in through:
                    continue  # an actor outside the chain holds leverage only directly
                cand = HolderPath(here.strength * s, here.hops + 1, extend(here.path, other))
                current = candidates.get(other)
                if current is None or _better(cand, current):
                    candidates[other] = cand
        frontier = {}
        for node, cand in candidates.items():
            current = best.get(node)
            if current is None or _better(cand, current):
                best[node] = cand
                if through is None or node in through:
                    frontier[node] = cand
        if not frontier:
            break
    return best


def _as_network(network: LeverageNetwork[N] | nx.MultiDiGraph) -> LeverageNetwork[Any]:
    if is_networkx_graph(network):
        return LeverageNetwork.from_networkx(network)  # type: ignore[arg-type]
    return network


def best_paths_to(
    network: LeverageNetwork[N] | nx.MultiDiGraph,
    target: N,
    max_hops: int = 6,
    through: Collection[N] | None = None,
) -> dict[N, HolderPath[N]]:
    """Every holder with leverage > 0 over ``target``, each with its best path (holder first).

    The target is never its own holder. ``through``: the nodes a path may pass through (the
    actors linked to the impact); a holder outside it counts only through a direct edge, as
    its chain would otherwise pass through itself. None lets paths pass anywhere.

    >>> net = LeverageNetwork.from_edges([
    ...     ("fund", "parent", LeverageEdge(1.0, ("ownership",), (), True)),
    ...     ("parent", "e", LeverageEdge(0.5, ("ownership",), (), True)),
    ... ])
    >>> sorted(best_paths_to(net, "e", 6, through={"parent", "fund"}))
    ['fund', 'parent']
    >>> sorted(best_paths_to(net, "e", 6, through={"parent"}))  # fund is not linked
    ['parent']
    """
    net = _as_network(network)
    edges = net.edges
    return _relax(
        target,
        max_hops,
        lambda node: net.incoming.get(node, ()),
        lambda node, holder: edges[(holder, node)].strength,
        lambda path, holder: (holder, *path),
        through,
    )


def best_paths_from(
    network: LeverageNetwork[N] | nx.MultiDiGraph, holder: N, max_hops: int = 6
) -> dict[N, HolderPath[N]]:
    """Every entity over which ``holder`` has leverage > 0, each with its best path."""
    network = _as_network(network)
    edges = network.edges
    return _relax(
        holder,
        max_hops,
        lambda node: network.outgoing.get(node, ()),
        lambda node, target: edges[(node, target)].strength,
        lambda path, target: (*path, target),
    )


def holder_order(paths: Iterable[HolderPath]) -> list[HolderPath]:
    """Holders by (-strength, hops, id), strengths rounded so float noise cannot reorder them.

    Node numbers follow id order, so the holder's number stands for its id.
    """
    return sorted(paths, key=lambda p: (-round(p.strength, DIGITS), p.hops, p.holder))


def collective_strength(strengths: Iterable[float]) -> float:
    """``1 - prod(1 - s_i)``: the chance that at least one member brings the change about.

    >>> round(collective_strength([0.6, 0.5, 0.2]), 2)
    0.84
    """
    remaining = math.prod(1.0 - s for s in strengths)
    return round(1.0 - remaining, DIGITS)


@dataclass(frozen=True, slots=True)
class CollectiveLeverage:
    initiative: str
    members: tuple[Any, ...]  #: in holder order
    strength: float


def collective_by_initiative(
    holders: Sequence[HolderPath[N]],
    members: Mapping[str, Sequence[N]],
    key_of: Callable[[str], str],
) -> list[CollectiveLeverage]:
    """Collective leverage of every initiative with at least one member holding leverage > 0.

    ``holders`` are the target's holders in holder order (the target is never among them), so
    members are listed in that order. Initiatives come by (-strength, id).
    """
    strength_of = {h.holder: h.strength for h in holders if h.strength > 0.0}
    if not strength_of:  # most causing entities: no holder, so no initiative to walk
        return []
    rank = {h.holder: n for n, h in enumerate(holders)}
    groups = []
    for initiative, nodes in members.items():
        # A set intersection in C, not a Python loop over every member of every initiative.
        inside = sorted(strength_of.keys() & nodes, key=rank.__getitem__)
        if inside:
            strength = collective_strength(strength_of[n] for n in inside)
            groups.append(CollectiveLeverage(initiative, tuple(inside), strength))
    return sorted(groups, key=lambda g: (-g.strength, key_of(g.initiative)))


def smallest_coalition(strengths: Sequence[float], threshold: float) -> tuple[int, float] | None:
    """The first prefix (of holders in holder order) whose collective strength reaches
    ``threshold``, as (its length, its strength); None when even all of them fall short.

    Holders come strongest first, so the first prefix is also the one with the fewest members.

    >>> smallest_coalition([0.4, 0.3, 0.2], 0.5)
    (2, 0.58)
    >>> smallest_coalition([0.1], 0.5) is None
    True
    """
    remaining = 1.0
    for n, s in enumerate(strengths, start=1):
        remaining *= 1.0 - s
        strength = round(1.0 - remaining, DIGITS)
        if strength >= threshold - 1e-12:
            return n, strength
    return None


@dataclass(frozen=True)
class TargetLeverage(Generic[N]):
    """Everything known about leverage over one target: alone, by chain, and together.

    ``holders`` (enterprises) and ``other_influence`` (States, civil society) in holder order
    (:func:`holder_order`); ``collective`` per initiative over the holders only
    (:func:`collective_by_initiative`); ``coalition`` the smallest leading group of holders
    reaching the threshold, as (size, strength), or None (:func:`smallest_coalition`).
    """

    target: N
    holders: list[HolderPath[N]]
    collective: list[CollectiveLeverage]
    coalition: tuple[int, float] | None
    mode: str = "cause"
    other_influence: list[HolderPath[N]] = field(default_factory=list)


def leverage_over(
    holders: Sequence[HolderPath[N]],
    target: N,
    members: Mapping[str, Sequence[N]],
    threshold: float,
    key_of: Callable[[str], str],
    mode: str = "cause",
    other_influence: Sequence[HolderPath[N]] = (),
) -> TargetLeverage[N]:
    """Collective leverage and the coalition over ``target``, from all its ``holders``.

    Collective leverage and coalitions always use every holder, never one page of them
    (Due Diligence Guidance, Section II, on using leverage collectively); ``other_influence``
    is listed beside them and joins neither.

    >>> net = LeverageNetwork.from_edges([
    ...     (0, 2, LeverageEdge(0.4, ("contract-terms",), (), True)),
    ...     (1, 2, LeverageEdge(0.3, ("contract-terms",), (), True)),
    ... ])
    >>> found = leverage_over(
    ...     holder_order(best_paths_to(net, 2, 6).values()), 2, {"rba": [0, 1]}, 0.5, str
    ... )
    >>> [g.initiative for g in found.collective], found.coalition
    (['rba'], (2, 0.58))
    """
    ordered = list(holders)
    return TargetLeverage(
        target=target,
        holders=ordered,
        collective=collective_by_initiative(ordered, members, key_of),
        coalition=smallest_coalition([h.strength for h in ordered], threshold),
        mode=mode,
        other_influence=list(other_influence),
    )


def _broader_closure(category: str) -> set[str]:
    """A category and every category it is narrower than, transitively."""
    seen = {category}
    todo = [category]
    while todo:
        for up in NARROWER_CATEGORIES.get(todo.pop(), ()):
            if up not in seen:
                seen.add(up)
                todo.append(up)
    return seen


def in_scope(category: str | None, scope: Collection[str]) -> bool:
    """Does an initiative with ``scope`` count for an impact of ``category``?

    An empty scope covers every impact; otherwise the category must be in the scope or
    narrower than one of its categories. An impact without a category is in no scope.

    >>> in_scope("child-labour", ["human-rights"]), in_scope("privacy", ["environment"])
    (True, False)
    >>> in_scope(None, []), in_scope(None, ["labour"])
    (True, False)
    """
    if not scope:
        return True
    if category is None:
        return False
    return not _broader_closure(category).isdisjoint(scope)


def _graph_kinds(graph: nx.MultiDiGraph) -> Callable[[Any], str]:
    kinds = {n: d.get("actor_kind") or "enterprise" for n, d in graph.nodes(data=True)}
    return lambda node: kinds.get(node, "enterprise")


def _graph_members(graph: nx.MultiDiGraph) -> dict[str, list[Any]]:
    members: dict[str, list[Any]] = {}
    for actor, initiative, data in graph.edges(data=True):
        if data.get("kind") == "member-of":
            members.setdefault(initiative, []).append(actor)
    return {k: sorted(v) for k, v in members.items()}


def _graph_scopes(graph: nx.MultiDiGraph) -> dict[str, tuple[str, ...]]:
    return {
        n: tuple(d.get("scope") or ())
        for n, d in graph.nodes(data=True)
        if d.get("kind") == "initiative"
    }


def impact_leverage(
    network: LeverageNetwork[N] | nx.MultiDiGraph,
    targets: Iterable[tuple[N, str]],
    linked: Collection[N],
    threshold: float = 0.5,
    max_hops: int = 6,
    category: str | None = None,
    kind_of: Callable[[N], str] | None = None,
    members: Mapping[str, Sequence[N]] | None = None,
    scopes: Mapping[str, Collection[str]] | None = None,
    key_of: Callable[[str], str] = str,
) -> list[TargetLeverage[N]]:
    """Leverage over each target of an impact (its causes and contributors, with their mode).

    ``linked``: the actors linked to the impact in any mode, the only ones a chain passes
    through; ``kind_of``: a node's actor kind (default: every node an enterprise); ``members``:
    initiative ->
    member nodes; ``scopes``: initiative -> impact categories (missing: unscoped), so that only
    initiatives whose scope covers ``category`` give collective leverage. Targets come by (mode
    rank, id). For a networkx graph, ``kind_of``, ``members`` and ``scopes`` default to what the
    graph says (node ``actor_kind``, ``member-of`` edges, initiative ``scope``).

    >>> net = LeverageNetwork.from_edges([
    ...     ("brand", "mine", LeverageEdge(0.6, ("contract-terms",), (), True)),
    ...     ("regulator", "mine", LeverageEdge(0.9, ("regulatory",), (), True)),
    ...     ("fund", "brand", LeverageEdge(1.0, ("ownership",), (), True)),
    ... ])
    >>> [found] = impact_leverage(
    ...     net, [("mine", "cause")], linked={"mine", "brand"},
    ...     kind_of={"regulator": "state"}.get, members={"club": ["brand", "regulator"]},
    ... )
    >>> [h.path for h in found.holders], [h.holder for h in found.other_influence]
    ([('brand', 'mine')], ['regulator'])
    >>> [(g.members, g.strength) for g in found.collective], found.coalition
    ([(('brand',), 0.6)], (1, 0.6))
    """
    if is_networkx_graph(network):
        kind_of = _graph_kinds(network) if kind_of is None else kind_of
        members = _graph_members(network) if members is None else members
        scopes = _graph_scopes(network) if scopes is None else scopes
    net = _as_network(network)
    scopes = scopes or {}
    counted = {
        i: nodes for i, nodes in (members or {}).items() if in_scope(category, scopes.get(i, ()))
    }
    through = set(linked)
    found = []
    for target, mode in sorted(set(targets), key=lambda t: (MODE_RANK[t[1]], t[0])):
        paths = holder_order(best_paths_to(net, target, max_hops, through).values())
        enterprise = [kind_of is None or kind_of(h.holder) in (None, "enterprise") for h in paths]
        holders = [h for h, yes in zip(paths, enterprise, strict=True) if yes]
        others = [h for h, yes in zip(paths, enterprise, strict=True) if not yes]
        found.append(leverage_over(holders, target, counted, threshold, key_of, mode, others))
    return found
