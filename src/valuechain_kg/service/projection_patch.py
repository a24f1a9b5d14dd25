"""A projection brought up to date with one small write, at a cost set by the write.

A write that adds or removes business relationships, involvements or leverage claims changes
only the rows of the projection that belong to a few keys: the relationships leaving some
actors, the involvements in some impacts, the claims of some holders. Those keys are found
from the write's difference (and, for a node that only changed an attribute, from the store),
their rows are read again from a scratch store holding just their quads, with the same readers
a full build uses, and compared with what the projection holds for the same keys.

Only the difference is applied, copy on write: the new projection shares every list, dict and
edge the write does not touch with the old one, and gets copies of the few it changes (an
adjacency list, an impact's involvements, the leverage of a few pairs). The old projection is
never changed, so readers holding it keep a consistent view until the new one replaces it
whole. A new edge takes the next number and is inserted into its adjacency lists in their order
(other end, ``edge_order``); a removed one leaves its number to the last edge, moved into it.
Answers depend on the order of the lists, not on edge numbers, so they equal a rebuild's
(``analysis.projection.canonical`` numbers edges as a build does, for comparing the two).

Anything else (actors' names, roles or types, products, impact periods, memberships,
initiatives), and any write that would add a node or a product to the numbering or take the
last mention of one away (every later number would shift), is not patched:
:func:`patch_projection` answers None and the caller rebuilds.
"""

from __future__ import annotations

from bisect import insort
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

import pyoxigraph as ox

from valuechain_kg import vocabulary as vocab
from valuechain_kg.analysis.leverage import LeverageEdge, LeverageNetwork
from valuechain_kg.analysis.projection import (
    Involvement,
    LeveragePart,
    PartTable,
    Projection,
    ProjectionRows,
    RelationEdge,
    asserted_part,
    derived_parts,
    edge_order,
    has_derived_parts,
    involvement_of,
    involvement_order,
    relation_edge,
)
from valuechain_kg.service import projection_reader as reader
from valuechain_kg.store import GraphStore
from valuechain_kg.store.backend import StoreBackend

__all__ = ["PATCH_LIMIT", "patch_projection"]

#: Above this many changed quads a write is "large": rebuilding is as cheap as patching.
PATCH_LIMIT = 10_000

_VC = "https://w3id.org/valuechain#"
_FROM = ox.NamedNode(_VC + "fromActor")
_IMPACT = ox.NamedNode(_VC + "impact")
_HOLDER = ox.NamedNode(_VC + "holder")
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_PRODUCT = ox.NamedNode(_VC + "Product")
_MADE_FROM = ox.NamedNode(_VC + "madeFrom")
_RELATION_PREDICATES = {ox.NamedNode(iri) for iri in vocab.RELATIONS.values()}


class _Keys:
    """What a difference touches: relationship sources, impacts, leverage holders."""

    def __init__(self) -> None:
        self.sources: set[str] = set()
        self.impacts: set[str] = set()
        self.holders: set[str] = set()

    def __bool__(self) -> bool:
        return bool(self.sources or self.impacts or self.holders)


def _keys(store: StoreBackend, changed: Sequence[ox.Quad]) -> _Keys | None:
    """The keys a difference touches, or None when it touches something not patched."""
    keys = _Keys()
    # The anchor of each node in the difference itself (a node removed whole is gone from
    # the store) and, for the others, in the store.
    anchored: set[ox.NamedNode | ox.BlankNode | ox.Triple] = set()
    for q in changed:
        if not isinstance(q.graph_name, ox.DefaultGraph):
            continue  # the projection reads the default graph only
        if q.predicate in _RELATION_PREDICATES:
            keys.sources.add(q.subject.value)  # type: ignore[union-attr]
            continue
        for predicate, found in (
            (_FROM, keys.sources),
            (_IMPACT, keys.impacts),
            (_HOLDER, keys.holders),
        ):
            if q.predicate == predicate and isinstance(q.object, ox.NamedNode):
                found.add(q.object.value)
                anchored.add(q.subject)
    live = store.oxigraph
    for q in changed:
        if not isinstance(q.graph_name, ox.DefaultGraph) or q.predicate in _RELATION_PREDICATES:
            continue
        if q.subject in anchored:
            continue
        hit = False
        for predicate, found in (
            (_FROM, keys.sources),
            (_IMPACT, keys.impacts),
            (_HOLDER, keys.holders),
        ):
            for row in live.quads_for_pattern(q.subject, predicate, None, ox.DefaultGraph()):
                if isinstance(row.object, ox.NamedNode):
                    found.add(row.object.value)
                    hit = True
        if not hit:
            return None
        anchored.add(q.subject)
    return keys


def _copy_nodes(
    live: ox.Store, scratch: ox.Store, predicate: ox.NamedNode, keys: Iterable[str]
) -> None:
    """Every quad of the nodes whose ``predicate`` is one of ``keys``, into ``scratch``."""
    default = ox.DefaultGraph()
    for key in keys:
        for anchor in live.quads_for_pattern(None, predicate, ox.NamedNode(key), default):
            scratch.extend(live.quads_for_pattern(anchor.subject, None, None, default))


def _fresh_rows(store: StoreBackend, keys: _Keys, as_of: str | None) -> ProjectionRows:
    """The rows of the touched keys, read from a scratch store holding only their quads."""
    live = store.oxigraph
    default = ox.DefaultGraph()
    scratch = GraphStore()
    raw = scratch.oxigraph
    for source in keys.sources:
        node = ox.NamedNode(source)
        for predicate in _RELATION_PREDICATES:
            raw.extend(live.quads_for_pattern(node, predicate, None, default))
    _copy_nodes(live, raw, _FROM, keys.sources)
    _copy_nodes(live, raw, _IMPACT, keys.impacts)
    _copy_nodes(live, raw, _HOLDER, keys.holders)
    return ProjectionRows(
        actors={},
        relationships=reader._read_relationships(scratch, as_of),
        leverage=reader._read_leverage(scratch),
        memberships=[],
        initiative_names={},
        involvements=reader._read_involvements(scratch),
        relationship_sources=reader._sources(scratch, reader._RELATIONSHIP_SOURCES),
        sourced_triples={
            (row[0].value, row[1].value, row[2].value)
            for row in reader._select(scratch, reader._SOURCED_TRIPLES)
        },
    )


class _NotPatched(Exception):
    """The write changes what the patch does not cover: the caller rebuilds."""


_ADJACENCY = ("flow_out", "flow_in", "financial_out", "financial_in")

#: What identifies an edge between two states: the edge itself, whether its triple cites a
#: source, and the leverage it gives (its sources included).
_Signature = tuple[RelationEdge, bool, tuple[LeverageEdge, ...]]


def _lists_of(edge: RelationEdge) -> tuple[str, str]:
    """The adjacency lists an edge is in: (out of its source, into its target)."""
    return ("financial_out", "financial_in") if edge.financial else ("flow_out", "flow_in")


def _is_dated(edge: RelationEdge) -> bool:
    return edge.valid_from is not None or edge.valid_until is not None


def _is_claimed(edge: RelationEdge) -> bool:
    return edge.assertion != vocab.DEFAULT_ASSERTION


class _Patch:
    """The changes one write makes to a projection, collected copy on write.

    ``changes`` holds the new values of the projection's fields that changed; every container
    in it is a copy (shallow where its members are untouched), never the old one modified.
    """

    def __init__(self, p: Projection, store: StoreBackend) -> None:
        self.p = p
        self.store = store
        self.changes: dict[str, object] = {}
        #: Nodes and products a removal mentioned: each must still be numbered after it.
        self.left_nodes: set[int] = set()
        self.left_products: set[int] = set()
        # Edge numbers after the relationships are applied, by original number: removed ones,
        # and those moved into the numbers the removed ones left.
        self.gone: set[int] = set()
        self.now_at: dict[int, int] = {}
        self.new_parts: list[LeveragePart] = []
        self.dropped_asserted: Counter[LeveragePart] = Counter()

    def apply(self, keys: _Keys, fresh: ProjectionRows, revision: str) -> Projection:
        try:
            self._relationships(keys.sources, fresh)
            self._asserted_leverage(keys.holders, fresh)
            self._involvements(keys.impacts, fresh)
        except KeyError as exc:  # a row naming a node or a product the projection lacks
            raise _NotPatched from exc
        self._leverage()
        patched = replace(self.p, revision=revision, **self.changes)  # type: ignore[arg-type]
        self._check_left(patched)
        return patched

    # --- relationships ---------------------------------------------------------------------

    def _relationships(self, sources: set[str], fresh: ProjectionRows) -> None:
        """Edges leaving ``sources`` as the store has them now, applied as a difference."""
        p = self.p
        index = p.index
        old_edges = [
            e
            for s in sources
            if (n := index.get(s)) is not None
            for e in (*p.flow_out[n], *p.financial_out[n])
        ]
        fresh_edges = [
            relation_edge(r, index, p.product_index) for r in fresh.relationships if r[0] in sources
        ]
        if not old_edges and not fresh_edges:
            return
        shared = {e for e in old_edges if has_derived_parts(p.edges[e])}
        old_parts: dict[int, list[LeveragePart]] = defaultdict(list)
        if shared:
            parts = p.leverage_parts
            for n, relation in enumerate(parts.relation):
                if relation in shared:
                    old_parts[relation].append(parts[n])
        pool: dict[_Signature, list[int]] = defaultdict(list)
        for e in old_edges:
            sig = (p.edges[e], e in p.sourced_edges, tuple(x.edge for x in old_parts.get(e, ())))
            pool[sig].append(e)
        added: list[tuple[RelationEdge, bool, tuple[str, ...]]] = []
        for edge in fresh_edges:
            cited = fresh.relationship_sources.get(edge.iri, ()) if edge.iri else ()
            sourced = (
                p.iris[edge.source],
                vocab.RELATIONS[edge.relation],
                p.iris[edge.target],
            ) in fresh.sourced_triples
            sig = (edge, sourced, tuple(x.edge for x in derived_parts(edge, -1, cited)))
            if pool.get(sig):
                pool[sig].pop()  # unchanged: it keeps its number
            else:
                added.append((edge, sourced, cited))
        gone = sorted((e for found in pool.values() for e in found), reverse=True)
        if gone or added:
            self._apply_edges(gone, added)

    def _apply_edges(
        self, gone: list[int], added: list[tuple[RelationEdge, bool, tuple[str, ...]]]
    ) -> None:
        """Remove the edges numbered ``gone`` (descending) and append ``added``."""
        p = self.p
        edges = p.edges.copy()
        adjacency = {name: list(getattr(p, name)) for name in _ADJACENCY}
        copied: set[tuple[str, int]] = set()

        def own(name: str, node: int) -> list[int]:
            """The adjacency list of ``node``, copied once before its first change."""
            if (name, node) not in copied:
                adjacency[name][node] = list(adjacency[name][node])
                copied.add((name, node))
            return adjacency[name][node]

        original: dict[int, int] = {}  # number now -> original number, for moved edges
        for e in gone:  # descending: no edge still to remove is ever the one moved
            edge = edges[e]
            out, into = _lists_of(edge)
            own(out, edge.source).remove(e)
            own(into, edge.target).remove(e)
            self.left_nodes.update((edge.source, edge.target))
            self.left_products.update(edge.products)
            last = len(edges) - 1
            if e != last:
                moved = edges[last]
                edges[e] = moved
                out, into = _lists_of(moved)
                for name, node in ((out, moved.source), (into, moved.target)):
                    found = own(name, node)
                    found[found.index(last)] = e
                first = original.pop(last, last)
                original[e] = first
                self.now_at[first] = e
            edges.pop()
        self.gone = set(gone)
        first_new = len(edges)
        sourced_new: list[int] = []
        for edge, sourced, cited in added:
            e = len(edges)
            edges.append(edge)
            out, into = _lists_of(edge)
            insort(own(out, edge.source), e, key=lambda n: (edges[n].target, *edge_order(edges[n])))
            insort(
                own(into, edge.target), e, key=lambda n: (edges[n].source, *edge_order(edges[n]))
            )
            if sourced:
                sourced_new.append(e)
            self.new_parts.extend(derived_parts(edge, e, cited))
        new_numbers = range(first_new, len(edges))
        self.changes["edges"] = edges
        self.changes.update(adjacency)
        touched = [p.edges[e] for e in (*self.gone, *self.now_at)]
        if any(map(_is_dated, touched)) or any(_is_dated(edges[e]) for e in new_numbers):
            dated = (e for e in new_numbers if _is_dated(edges[e]))
            self.changes["dated_edges"] = tuple(self._renumbered(p.dated_edges, dated))
        if any(map(_is_claimed, touched)) or any(_is_claimed(edges[e]) for e in new_numbers):
            claimed = (e for e in new_numbers if _is_claimed(edges[e]))
            self.changes["claimed_edges"] = tuple(self._renumbered(p.claimed_edges, claimed))
        if sourced_new or any(e in p.sourced_edges for e in (*self.gone, *self.now_at)):
            self.changes["sourced_edges"] = frozenset(
                self._renumbered(p.sourced_edges, sourced_new)
            )

    def _renumbered(self, numbers: Iterable[int], new: Iterable[int]) -> list[int]:
        """Edge numbers of the old projection as they are now, removed ones left out."""
        gone, now_at = self.gone, self.now_at
        return [now_at.get(e, e) for e in numbers if e not in gone] + list(new)

    # --- leverage --------------------------------------------------------------------------

    def _asserted_leverage(self, holders: set[str], fresh: ProjectionRows) -> None:
        """The claims of ``holders`` as the store has them now, as parts to drop and add."""
        p = self.p
        held = {p.index[h] for h in holders if h in p.index}
        parts = p.leverage_parts
        old: Counter[LeveragePart] = Counter()
        if held:
            relation = parts.relation
            old.update(
                parts[n] for n, h in enumerate(parts.holder) if h in held and relation[n] is None
            )
        new = Counter(asserted_part(r, p.index) for r in fresh.leverage if r[0] in holders)
        self.dropped_asserted = old - new
        for x in self.dropped_asserted:
            self.left_nodes.update((x.holder, x.target))
        self.new_parts.extend((new - old).elements())

    def _leverage(self) -> None:
        """The parts and the joined network, for the pairs whose parts changed."""
        p = self.p
        moved_parts = any(has_derived_parts(p.edges[e]) for e in (*self.gone, *self.now_at))
        if not (moved_parts or self.dropped_asserted or self.new_parts):
            return
        drop = Counter(self.dropped_asserted)
        dropping = {x.holder for x in drop}
        gone, now_at = self.gone, self.now_at
        old = p.leverage_parts
        holder, target, relation = old.holder, old.target, old.relation
        pairs = {(x.holder, x.target) for x in (*self.dropped_asserted, *self.new_parts)}
        kept: list[int] = []
        for n, related in enumerate(relation):
            if related is None:
                if holder[n] in dropping and drop[x := old[n]] > 0:
                    drop[x] -= 1
                    continue
            elif related in gone:
                pairs.add((holder[n], target[n]))
                continue
            kept.append(n)
        parts = old.taken(kept)
        if now_at:
            parts.relation[:] = [e if e is None else now_at.get(e, e) for e in parts.relation]
        parts.extend(self.new_parts)
        self.changes["leverage_parts"] = parts
        if pairs:
            self.changes["leverage"] = _rejoined(p.leverage, parts, pairs)

    # --- involvements ----------------------------------------------------------------------

    def _involvements(self, impacts: set[str], fresh: ProjectionRows) -> None:
        """The involvements in ``impacts`` as the store has them now."""
        p = self.p
        by_impact: dict[str, list[Involvement]] = defaultdict(list)
        rows = sorted((r for r in fresh.involvements if r[1] in impacts), key=involvement_order)
        for row in rows:
            inv = involvement_of(row, p.index, p.product_index)
            by_impact[inv.impact].append(inv)
        changed: set[str] = set()
        actors: set[int] = set()
        involvements = p.involvements
        for impact in impacts:
            old, new = p.involvements.get(impact, []), by_impact.get(impact, [])
            if old == new:
                continue
            if not changed:
                involvements = dict(p.involvements)
            changed.add(impact)
            if new:
                involvements[impact] = new
            else:
                involvements.pop(impact, None)
            actors.update(i.actor for i in (*old, *new))
            for i in old:
                self.left_nodes.add(i.actor)
                self.left_products.update(i.products)
        if not changed:
            return
        involvements_of = dict(p.involvements_of)
        for actor in actors:
            found = [i for i in involvements_of.get(actor, ()) if i.impact not in changed]
            found += [
                i for impact in changed for i in by_impact.get(impact, ()) if i.actor == actor
            ]
            found.sort(key=lambda i: i.impact)  # stable: each impact's own order is kept
            if found:
                involvements_of[actor] = found
            else:
                involvements_of.pop(actor, None)
        self.changes["involvements"] = involvements
        self.changes["involvements_of"] = involvements_of

    # --- the numbering ---------------------------------------------------------------------

    def _check_left(self, patched: Projection) -> None:
        """Every node and product a removal mentioned is still numbered by a build of
        ``patched``'s data: typed, or still named by what the patch can see. Otherwise a build
        would drop it and shift every later number, which is no small difference."""
        p = patched
        adjacency = [p.flow_out, p.flow_in, p.financial_out, p.financial_in]
        for n in self.left_nodes:
            if p.is_actor[n] or any(found[n] for found in adjacency):
                continue
            if n in p.involvements_of or n in p.leverage.incoming or n in p.leverage.outgoing:
                continue
            raise _NotPatched
        if not self.left_products:
            return
        live = self.store.oxigraph
        default = ox.DefaultGraph()
        screened = p.screening.products()
        for q in self.left_products:
            iri = p.product_iris[q]
            node = ox.NamedNode(iri)
            if iri in screened or any(
                next(iter(found), None) is not None
                for found in (
                    live.quads_for_pattern(node, _TYPE, _PRODUCT, default),
                    live.quads_for_pattern(node, _MADE_FROM, None, default),
                    live.quads_for_pattern(None, _MADE_FROM, node, default),
                )
            ):
                continue
            raise _NotPatched


def _rejoined(
    network: LeverageNetwork[int], parts: PartTable, pairs: set[tuple[int, int]]
) -> LeverageNetwork[int]:
    """``network`` with the pairs in ``pairs`` joined again from ``parts``; a copy."""
    holders = {h for h, _ in pairs}
    target, edge = parts.target, parts.edge
    joined = LeverageNetwork.from_edges(
        (h, target[n], edge[n])
        for n, h in enumerate(parts.holder)
        if h in holders and (h, target[n]) in pairs
    ).edges
    edges = dict(network.edges)
    incoming, outgoing = dict(network.incoming), dict(network.outgoing)
    for pair in pairs:
        if pair in joined:
            edges[pair] = joined[pair]
        else:
            edges.pop(pair, None)
    for side, lookup, ends in (
        (outgoing, {h for h, _ in pairs}, lambda pair: pair),
        (incoming, {t for _, t in pairs}, lambda pair: (pair[1], pair[0])),
    ):
        for node in lookup:
            found = set(side.get(node, ()))
            for pair in pairs:
                mine, other = ends(pair)
                if mine == node:
                    if pair in edges:
                        found.add(other)
                    else:
                        found.discard(other)
            if found:
                side[node] = sorted(found)
            else:
                side.pop(node, None)
    return LeverageNetwork(edges, incoming, outgoing)


def patch_projection(
    p: Projection,
    store: StoreBackend,
    added: Sequence[ox.Quad],
    removed: Sequence[ox.Quad],
    revision: str,
) -> Projection | None:
    """``p`` brought to ``revision`` (the store now) by the write that added ``added`` and
    removed ``removed``; None when the write is too large or touches what is not patched.

    ``p`` itself is left as it was: the answer shares what the write did not touch with it.
    """
    changed = [*added, *removed]
    if len(changed) > PATCH_LIMIT:
        return None
    keys = _keys(store, changed)
    if keys is None:
        return None
    if not keys:
        return replace(p, revision=revision)
    fresh = _fresh_rows(store, keys, p.as_of)
    try:
        return _Patch(p, store).apply(keys, fresh, revision)
    except _NotPatched:
        return None
