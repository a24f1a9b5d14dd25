"""Cycles in a directed graph of ids, such as products and the inputs they are made from.

A product made, even indirectly, from itself would let linkage walk in circles and means a
curator swapped a product and its input; the bundle reader reports each such cycle once. The
search is iterative (Tarjan's strongly connected components), so deep chains need no recursion.

Example
-------
>>> find_cycles({"cell": ["cathode"], "cathode": ["cell"], "ore": []})
[['cell', 'cathode', 'cell']]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["find_cycles"]


def _components(edges: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """The strongly connected components, each in the order its members were first reached."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = [t for t in edges.get(node, ()) if t in edges]
            if child < len(targets):
                work.append((node, child + 1))
                target = targets[child]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(sorted(component, key=index.__getitem__))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def _cycle_through(start: str, members: set[str], edges: Mapping[str, Sequence[str]]) -> list[str]:
    """A shortest cycle from ``start`` back to itself inside one component (breadth first)."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for target in edges.get(node, ()):
                if target == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if target in members and target not in previous:
                    previous[target] = node
                    following.append(target)
        frontier = following
    raise ValueError(f"{start!r} is on no cycle")


def find_cycles(edges: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """One cycle per group of ids that reach each other, as a path ``[a, b, ..., a]``.

    ``edges`` maps each id to the ids it points to; targets that are not keys are ignored
    (a dangling id is reported elsewhere). Each cycle starts at the member that comes first in
    ``edges``, so that the report names the row defined first; cycles come in that order too.
    """
    order = {node: i for i, node in enumerate(edges)}
    cycles: list[list[str]] = []
    for component in _components(edges):
        first = min(component, key=order.__getitem__)
        if len(component) > 1 or first in edges.get(first, ()):
            cycles.append(_cycle_through(first, set(component), edges))
    return sorted(cycles, key=lambda cycle: order[cycle[0]])
