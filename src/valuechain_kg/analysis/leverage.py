"""Who holds leverage over the entity causing an impact: alone, along a chain, or together.

Leverage is "the ability to effect change in the wrongful practices of an entity that causes
a harm" (UN Guiding Principles, Principle 19 commentary). An enterprise directly linked to an
impact, or contributing to it, is expected to use and, where needed, increase its leverage
(OECD Guidelines 2023, Ch. II commentary paras 21-23; Due Diligence Guidance 2018, Sec. 3.2 and
Annex Q.51-Q.54), alone or collectively with others (industry and multi-stakeholder
initiatives, investor coalitions).

The rules implemented here are those of DESIGN.md, "Leverage over a causing entity E":

* derived leverage: an ownership share ``s`` gives ``min(1, 2s)``; a revenue share ``r`` gives
  the customer ``min(1, 2r)`` over its supplier (:func:`derived_strength`);
* one edge per (holder, target) pair: the strongest, with every basis listed;
* a holder's strength over E is the best product of strengths over paths of at most
  ``max_hops`` edges; ties go to fewer hops, then to the smallest id sequence, products within a
  relative 1e-9 being equal. Plain Dijkstra over ``-log(strength)`` finds the best unbounded
  path, which may be longer than the bound allows, so the search relaxes edges hop layer by hop
  layer instead (Bellman-Ford restricted to ``max_hops`` rounds);
* collective leverage of a group is ``1 - prod(1 - s_i)`` (a noisy-OR: each member
  independently may bring the change about).

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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

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
    "leverage_over",
    "smallest_coalition",
]

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


@dataclass(frozen=True, slots=True)
class LeverageEdge:
    """The leverage one holder has over one target, all bases joined."""

    strength: float
    bases: tuple[str, ...]
    sources: tuple[str, ...]
    asserted: bool


@dataclass(frozen=True)
class LeverageNetwork:
    """Leverage edges holder -> target, one per pair, with adjacency both ways."""

    edges: dict[tuple[int, int], LeverageEdge]
    incoming: dict[int, list[int]]  #: target -> holders, ascending
    outgoing: dict[int, list[int]]  #: holder -> targets, ascending

    @classmethod
    def from_edges(cls, edges: Iterable[tuple[int, int, LeverageEdge]]) -> LeverageNetwork:
        """Join edges per pair: the strongest counts, all bases and sources are kept."""
        joined: dict[tuple[int, int], LeverageEdge] = {}
        for holder, target, edge in edges:
            if holder == target:
                continue  # nobody holds leverage over itself
            joined[(holder, target)] = _join(joined.get((holder, target)), edge)
        return cls._indexed(joined)

    @classmethod
    def _indexed(cls, joined: dict[tuple[int, int], LeverageEdge]) -> LeverageNetwork:
        incoming: dict[int, list[int]] = {}
        outgoing: dict[int, list[int]] = {}
        for holder, target in sorted(joined):
            incoming.setdefault(target, []).append(holder)
            outgoing.setdefault(holder, []).append(target)
        return cls(joined, incoming, outgoing)

    def with_extra(self, edges: Iterable[tuple[int, int, LeverageEdge]]) -> LeverageNetwork:
        """A new network with hypothetical edges joined in; this one is left untouched."""
        joined = dict(self.edges)
        for holder, target, edge in edges:
            if holder != target:
                joined[(holder, target)] = _join(joined.get((holder, target)), edge)
        return self._indexed(joined)


def _join(old: LeverageEdge | None, new: LeverageEdge) -> LeverageEdge:
    if old is None:
        return LeverageEdge(new.strength, tuple(sorted(set(new.bases))), new.sources, new.asserted)
    return LeverageEdge(
        max(old.strength, new.strength),
        tuple(sorted(set(old.bases) | set(new.bases))),
        tuple(sorted(set(old.sources) | set(new.sources))),
        old.asserted or new.asserted,
    )


@dataclass(frozen=True, slots=True)
class HolderPath:
    """The best leverage path between a holder and a target (``path`` runs holder .. target)."""

    strength: float
    hops: int
    path: tuple[int, ...]

    @property
    def holder(self) -> int:
        return self.path[0]

    @property
    def target(self) -> int:
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
    start: int,
    max_hops: int,
    neighbours: Callable[[int], Iterable[int]],
    strength: Callable[[int, int], float],
    extend: Callable[[tuple[int, ...], int], tuple[int, ...]],
) -> dict[int, HolderPath]:
    """Hop-layered relaxation: after round k, every node holds its best path of <= k edges.

    Only nodes whose best path improved in round k-1 are expanded in round k, so the work is
    bounded by ``max_hops`` times the edges around the explored part of the network.
    """
    best: dict[int, HolderPath] = {}
    frontier = {start: HolderPath(1.0, 0, (start,))}
    for _ in range(max_hops):
        candidates: dict[int, HolderPath] = {}
        for node, here in frontier.items():
            for other in neighbours(node):
                s = strength(node, other)
                if other == start or s <= 0.0 or other in here.path:
                    continue
                cand = HolderPath(here.strength * s, here.hops + 1, extend(here.path, other))
                current = candidates.get(other)
                if current is None or _better(cand, current):
                    candidates[other] = cand
        frontier = {}
        for node, cand in candidates.items():
            current = best.get(node)
            if current is None or _better(cand, current):
                best[node] = cand
                frontier[node] = cand
        if not frontier:
            break
    return best


def best_paths_to(
    network: LeverageNetwork, target: int, max_hops: int = 6
) -> dict[int, HolderPath]:
    """Every holder with leverage > 0 over ``target``, each with its best path (holder first).

    The target is never its own holder.
    """
    edges = network.edges
    return _relax(
        target,
        max_hops,
        lambda node: network.incoming.get(node, ()),
        lambda node, holder: edges[(holder, node)].strength,
        lambda path, holder: (holder, *path),
    )


def best_paths_from(
    network: LeverageNetwork, holder: int, max_hops: int = 6
) -> dict[int, HolderPath]:
    """Every entity over which ``holder`` has leverage > 0, each with its best path."""
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
    members: tuple[int, ...]  #: in holder order
    strength: float


def collective_by_initiative(
    holders: Sequence[HolderPath],
    members: dict[str, list[int]],
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
class TargetLeverage:
    """Everything known about leverage over one target: alone, by chain, and together.

    ``holders`` in holder order (:func:`holder_order`); ``collective`` per initiative
    (:func:`collective_by_initiative`); ``coalition`` the smallest leading group of holders
    reaching the threshold, as (size, strength), or None (:func:`smallest_coalition`).
    """

    target: int
    holders: list[HolderPath]
    collective: list[CollectiveLeverage]
    coalition: tuple[int, float] | None


def leverage_over(
    holders: Sequence[HolderPath],
    target: int,
    members: dict[str, list[int]],
    threshold: float,
    key_of: Callable[[str], str],
) -> TargetLeverage:
    """Collective leverage and the coalition over ``target``, from all its ``holders``.

    Collective leverage and coalitions always use every holder, never one page of them
    (Due Diligence Guidance, Section II, on using leverage collectively).

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
    )
