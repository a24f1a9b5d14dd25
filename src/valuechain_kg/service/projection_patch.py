"""A projection brought up to date with one small write, without reading the whole store.

A write that adds or removes business relationships, involvements or leverage claims changes
only the rows of the projection that belong to a few keys: the relationships leaving some
actors, the involvements in some impacts, the claims of some holders. Those keys are found
from the write's difference (and, for a node that only changed an attribute, from the store),
their rows are read again from a scratch store holding just their quads, with the same readers
a full build uses, and a new frozen projection is assembled from the old one's rows with those
keys replaced. The old projection is not touched: readers holding it keep a consistent view.

Anything else (actors' names, roles or types, products, impact periods, memberships,
initiatives) is not patched: :func:`patch_projection` answers None and the caller rebuilds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import pyoxigraph as ox

from valuechain_kg import vocabulary as vocab
from valuechain_kg.analysis.projection import (
    Projection,
    ProjectionRows,
    RelationRow,
    assemble_projection,
)
from valuechain_kg.service import projection_reader as reader
from valuechain_kg.store import GraphStore
from valuechain_kg.store.backend import StoreBackend

__all__ = ["PATCH_LIMIT", "patch_projection", "rows_of"]

#: Above this many changed quads a write is "large": rebuilding is as cheap as patching.
PATCH_LIMIT = 10_000

_VC = "https://w3id.org/valuechain#"
_FROM = ox.NamedNode(_VC + "fromActor")
_IMPACT = ox.NamedNode(_VC + "impact")
_HOLDER = ox.NamedNode(_VC + "holder")
_RELATION_PREDICATES = {ox.NamedNode(iri) for iri in vocab.RELATIONS.values()}


def rows_of(p: Projection) -> ProjectionRows:
    """The rows ``p`` was assembled from, as far as they matter: assembling them gives ``p``.

    (Values the assembly replaces by a default, a missing name or assertion, come back as that
    default, which assembles to the same projection.)
    """
    iris, pids = p.iris, p.product_iris
    relationships: list[RelationRow] = [
        (
            iris[e.source],
            e.relation,
            iris[e.target],
            e.ownership_share,
            e.revenue_share,
            e.valid_from,
            e.valid_until,
            e.iri,
            tuple(pids[q] for q in e.products),
            e.assertion,
        )
        for e in p.edges
    ]
    leverage: list[tuple[str, str, str | None, float, tuple[str, ...], str | None]] = [
        (
            iris[x.holder],
            iris[x.target],
            x.edge.bases[0] if x.edge.bases else None,
            x.edge.strength,
            x.edge.sources,
            x.assertion,
        )
        for x in p.leverage_parts
        if x.relation is None
    ]
    relationship_sources = {
        iri: x.edge.sources
        for x in p.leverage_parts
        if x.relation is not None and (iri := p.edges[x.relation].iri) is not None
    }
    sourced = {
        (iris[e.source], vocab.RELATIONS[e.relation], iris[e.target])
        for n, e in enumerate(p.edges)
        if n in p.sourced_edges
    }
    involvements: list[
        tuple[str, str, str, float | None, tuple[str, ...], tuple[str, ...], str | None]
    ] = [
        (
            iris[i.actor],
            i.impact,
            i.mode,
            i.confidence,
            i.sources,
            tuple(pids[q] for q in i.products),
            i.assertion,
        )
        for found in p.involvements.values()
        for i in found
    ]
    return ProjectionRows(
        actors={
            iris[n]: (p.names[n], frozenset(p.roles[n])) for n in range(len(p)) if p.is_actor[n]
        },
        relationships=relationships,
        leverage=leverage,
        memberships=[(iris[m], i) for i, members in p.members.items() for m in members],
        initiative_names=dict(p.initiative_names),
        involvements=involvements,
        relationship_sources=relationship_sources,
        sourced_triples=sourced,
        products={pids[q]: tuple(pids[i] for i in p.made_from[q]) for q in range(len(pids))},
        periods=dict(p.periods),
        initiative_scopes=dict(p.initiative_scopes),
        screening=p.screening,
    )


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


def patch_projection(
    p: Projection,
    store: StoreBackend,
    added: Sequence[ox.Quad],
    removed: Sequence[ox.Quad],
    revision: str,
) -> Projection | None:
    """``p`` brought to ``revision`` (the store now) by the write that added ``added`` and
    removed ``removed``; None when the write is too large or touches what is not patched."""
    changed = [*added, *removed]
    if len(changed) > PATCH_LIMIT:
        return None
    keys = _keys(store, changed)
    if keys is None:
        return None
    old = rows_of(p)
    if not keys:
        return replace(p, revision=revision)
    fresh = _fresh_rows(store, keys, p.as_of)
    sources, impacts, holders = keys.sources, keys.impacts, keys.holders
    gone_nodes = {r[7] for r in old.relationships if r[0] in sources and r[7] is not None}
    relationship_sources = {
        k: v for k, v in old.relationship_sources.items() if k not in gone_nodes
    }
    relationship_sources.update(fresh.relationship_sources)
    rows = ProjectionRows(
        actors=old.actors,
        relationships=[r for r in old.relationships if r[0] not in sources]
        + [r for r in fresh.relationships if r[0] in sources],
        leverage=[r for r in old.leverage if r[0] not in holders]
        + [r for r in fresh.leverage if r[0] in holders],
        memberships=old.memberships,
        initiative_names=old.initiative_names,
        involvements=[r for r in old.involvements if r[1] not in impacts]
        + [r for r in fresh.involvements if r[1] in impacts],
        relationship_sources=relationship_sources,
        sourced_triples={t for t in old.sourced_triples if t[0] not in sources}
        | fresh.sourced_triples,
        # Products read again (a few nodes): which of them are typed is not in the projection,
        # and an untyped one lives only as long as a row naming it.
        products=reader._read_products(store),
        periods=old.periods,
        initiative_scopes=old.initiative_scopes,
        # No patched write touches production claims or indicators (they force a rebuild).
        screening=old.screening,
    )
    return assemble_projection(rows, revision, p.as_of, p.base)
