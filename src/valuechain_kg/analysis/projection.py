"""The actor network, projected out of the store once and kept as compact adjacency lists.

The two questions are path questions over business relationships and leverage (MNE Guidelines
Ch. II and its commentary; Due Diligence Guidance, Section II). SPARQL property paths cannot
express "financial edges, then flow edges in one direction only" with a hop bound and a shortest
explaining path, so the analysis walks an in-memory projection instead.

The projection is assembled here from rows already read (``ProjectionRows``: the service layer
reads them from the store with a handful of streamed SELECTs), so it does no I/O and holds no
store handle: once built it is frozen, and any thread may read it. Nodes are integers numbered
in the order of their ids, so that comparing node numbers compares ids: that is what makes the
"lexicographically smallest id sequence" tie rule cheap. Hot traversals use plain lists of
ints; :meth:`Projection.to_networkx` gives the familiar ``networkx.MultiDiGraph`` face.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import networkx as nx

from valuechain_kg import vocabulary as vocab
from valuechain_kg.analysis.leverage import LeverageEdge, LeverageNetwork, derived_strength
from valuechain_kg.identifiers import compact
from valuechain_kg.namespaces import DEFAULT_BASE

__all__ = ["Involvement", "Projection", "ProjectionRows", "RelationEdge", "assemble_projection"]

_FLOW_SLUGS = {iri: slug for slug, iri in vocab.FLOW_RELATIONS.items()}
_FINANCIAL_SLUGS = {iri: slug for slug, iri in vocab.FINANCIAL_RELATIONS.items()}
_RELATION_SLUGS = {**_FLOW_SLUGS, **_FINANCIAL_SLUGS}
_MODE_SLUGS = {iri: slug for slug, iri in vocab.MODES.items()}
_BASIS_SLUGS = {iri: slug for slug, iri in vocab.BASES.items()}
_ROLE_SLUGS = {iri: slug for slug, iri in vocab.ROLES.items()}


@dataclass(frozen=True, slots=True)
class RelationEdge:
    """A business relationship as stored: ``source`` supplies/invests in/... ``target``."""

    source: int
    target: int
    relation: str  #: the CSV slug, e.g. ``supplies`` or ``invests-in``
    financial: bool
    ownership_share: float | None = None
    revenue_share: float | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    iri: str | None = None  #: the reified ``vc:BusinessRelationship`` node, if any


@dataclass(frozen=True, slots=True)
class Involvement:
    """An asserted involvement of an actor in an impact (cause, contribution, direct-linkage)."""

    actor: int
    impact: str
    mode: str
    confidence: float | None
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Projection:
    """The actor network at one store revision (and one ``as_of`` date, if given)."""

    base: str
    revision: str
    as_of: str | None
    iris: list[str]
    ids: list[str]
    is_actor: list[bool]
    index: dict[str, int]
    #: Display names by node (schema:name, else rdfs:label, else the id).
    names: list[str]
    #: Role slugs by node, sorted.
    roles: list[tuple[str, ...]]
    edges: list[RelationEdge]
    flow_out: list[list[int]]  #: edge numbers leaving each node along the flow
    flow_in: list[list[int]]
    financial_out: list[list[int]]  #: edge numbers from holder to investee
    financial_in: list[list[int]]
    leverage: LeverageNetwork
    members: dict[str, list[int]]  #: initiative IRI -> member nodes
    initiative_names: dict[str, str]
    involvements: dict[str, list[Involvement]]  #: impact IRI -> asserted involvements
    involvements_of: dict[int, list[Involvement]] = field(default_factory=dict)
    #: Edges whose reified relationship cites at least one source: the only ones worth a
    #: look-up when an answer cites the relationships on its paths.
    sourced_edges: frozenset[int] = frozenset()

    def __len__(self) -> int:
        return len(self.iris)

    def node(self, iri: str) -> int | None:
        return self.index.get(iri)

    def causes(self, impact: str) -> list[int]:
        """The entities asserted to cause an impact: where derived linkage and leverage start."""
        return sorted({i.actor for i in self.involvements.get(impact, ()) if i.mode == "cause"})

    def to_networkx(self) -> nx.MultiDiGraph:
        """The projection as a ``networkx.MultiDiGraph`` keyed by ids.

        Actors are nodes with ``id``, ``iri``, ``name``, ``roles`` (``kind="actor"``);
        initiatives are nodes with ``kind="initiative"``. Edges carry ``kind``: ``flow`` and
        ``financial`` (business relationships, key = slug, with shares and validity),
        ``leverage`` (strength, bases, asserted) and ``member-of``.

        Examples
        --------
        >>> from valuechain_kg.service.projection_reader import build_projection
        >>> from valuechain_kg.store import GraphStore
        >>> store = GraphStore()
        >>> store.update("INSERT DATA { vcid:mine vc:supplies vcid:smelter }")
        >>> g = build_projection(store).to_networkx()
        >>> sorted(g.edges(keys=True))
        [('mine', 'smelter', 'supplies')]
        """
        graph = nx.MultiDiGraph()
        for n, iri in enumerate(self.iris):
            graph.add_node(
                self.ids[n],
                id=self.ids[n],
                iri=iri,
                name=self.names[n],
                roles=list(self.roles[n]),
                kind="actor",
            )
        for edge in self.edges:
            graph.add_edge(
                self.ids[edge.source],
                self.ids[edge.target],
                key=edge.relation,
                kind="financial" if edge.financial else "flow",
                relation=edge.relation,
                ownership_share=edge.ownership_share,
                revenue_share=edge.revenue_share,
                valid_from=edge.valid_from,
                valid_until=edge.valid_until,
            )
        for (holder, target), lev in self.leverage.edges.items():
            graph.add_edge(
                self.ids[holder],
                self.ids[target],
                key="leverage",
                kind="leverage",
                strength=lev.strength,
                bases=list(lev.bases),
                asserted=lev.asserted,
            )
        for initiative, members in self.members.items():
            init_id = compact(initiative, self.base)
            graph.add_node(
                init_id,
                id=init_id,
                iri=initiative,
                name=self.initiative_names.get(initiative, init_id),
                kind="initiative",
            )
            for member in members:
                graph.add_edge(self.ids[member], init_id, key="member-of", kind="member-of")
        return graph


_RelationRow = tuple[str, str, str, float | None, float | None, str | None, str | None, str | None]
_LeverageRow = tuple[str, str, str | None, float, tuple[str, ...]]
_InvolvementRow = tuple[str, str, str, float | None, tuple[str, ...]]


@dataclass(frozen=True)
class ProjectionRows:
    """Everything the projection is made of, as read from a store (IRIs and slugs).

    ``relationships``: (from, slug, to, ownership share, revenue share, valid from, valid
    until, reified node) per edge in force; ``leverage``: (holder, target, basis, strength,
    sources) per asserted claim; ``involvements``: (actor, impact, mode, confidence, sources);
    ``actors``: actor IRI -> (name, role slugs); ``relationship_sources``: reified node ->
    sources; ``sourced_triples``: (from, relation IRI, to) of relationships citing a source.
    """

    actors: dict[str, tuple[str | None, frozenset[str]]]
    relationships: list[_RelationRow]
    leverage: list[_LeverageRow]
    memberships: list[tuple[str, str]]
    initiative_names: dict[str, str]
    involvements: list[_InvolvementRow]
    relationship_sources: dict[str, tuple[str, ...]]
    sourced_triples: set[tuple[str, str, str]]


class _Numbering:
    """Collects IRIs, then numbers them in the order of their ids."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.seen: set[str] = set()

    def add(self, *iris: str) -> None:
        self.seen.update(iris)

    def freeze(self) -> tuple[list[str], list[str], dict[str, int]]:
        pairs = sorted((compact(iri, self.base), iri) for iri in self.seen)
        ids = [p[0] for p in pairs]
        iris = [p[1] for p in pairs]
        return iris, ids, {iri: n for n, iri in enumerate(iris)}


def assemble_projection(
    rows: ProjectionRows, revision: str, as_of: str | None, base: str = DEFAULT_BASE
) -> Projection:
    """The projection made of ``rows``, read at store ``revision`` for relationships in force
    on ``as_of`` (ISO date or None)."""
    numbering = _Numbering(base)
    # Every actor is a node: an actor without relationships can still be asked about.
    actor_iris = set(rows.actors)
    numbering.add(*actor_iris)
    relation_rows = list(rows.relationships)
    for r in relation_rows:
        numbering.add(r[0], r[2])
    leverage_rows = rows.leverage
    for holder, target, *_ in leverage_rows:
        numbering.add(holder, target)
    memberships = rows.memberships
    for actor, _ in memberships:
        numbering.add(actor)
    involvement_rows = rows.involvements
    for inv_row in involvement_rows:
        numbering.add(inv_row[0])

    iris, ids, index = numbering.freeze()
    size = len(iris)

    # Edges numbered in (source, target, slug, node) order, nodes being numbered in id order:
    # appending them in that order leaves every adjacency list sorted by (other end, slug, edge
    # number), so traversals meet neighbours in id order (stable answers) with no sort per list.
    relation_rows.sort(key=lambda r: (index[r[0]], index[r[2]], r[1], r[7] or ""))
    edges: list[RelationEdge] = []
    flow_out: list[list[int]] = [[] for _ in range(size)]
    flow_in: list[list[int]] = [[] for _ in range(size)]
    financial_out: list[list[int]] = [[] for _ in range(size)]
    financial_in: list[list[int]] = [[] for _ in range(size)]
    for source, slug, target, own, rev, vf, vu, rel_iri in relation_rows:
        financial = slug in vocab.FINANCIAL_RELATIONS
        e = len(edges)
        edges.append(
            RelationEdge(index[source], index[target], slug, financial, own, rev, vf, vu, rel_iri)
        )
        (financial_out if financial else flow_out)[index[source]].append(e)
        (financial_in if financial else flow_in)[index[target]].append(e)

    relationship_sources = rows.relationship_sources
    sourced_triples = rows.sourced_triples
    sourced = frozenset(
        e
        for e, edge in enumerate(edges)
        if sourced_triples
        and (iris[edge.source], vocab.RELATIONS[edge.relation], iris[edge.target])
        in sourced_triples
    )
    leverage = LeverageNetwork.from_edges(
        _leverage_edges(edges, leverage_rows, index, relationship_sources)
    )

    members: dict[str, list[int]] = defaultdict(list)
    for actor, initiative in memberships:
        members[initiative].append(index[actor])
    for lst in members.values():
        lst.sort()

    involvements: dict[str, list[Involvement]] = defaultdict(list)
    involvements_of: dict[int, list[Involvement]] = defaultdict(list)
    for actor, impact, mode, confidence, sources in sorted(
        involvement_rows, key=lambda r: (r[1], r[0], r[2])
    ):
        inv = Involvement(index[actor], impact, mode, confidence, sources)
        involvements[impact].append(inv)
        involvements_of[inv.actor].append(inv)

    no_actor: tuple[str | None, frozenset[str]] = (None, frozenset())
    return Projection(
        base=base,
        revision=revision,
        as_of=as_of,
        iris=iris,
        ids=ids,
        is_actor=[iri in actor_iris for iri in iris],
        index=index,
        names=[rows.actors.get(iri, no_actor)[0] or ids[n] for n, iri in enumerate(iris)],
        roles=[tuple(sorted(rows.actors.get(iri, no_actor)[1])) for iri in iris],
        edges=edges,
        flow_out=flow_out,
        flow_in=flow_in,
        financial_out=financial_out,
        financial_in=financial_in,
        leverage=leverage,
        members=dict(members),
        initiative_names=rows.initiative_names,
        involvements=dict(involvements),
        involvements_of=dict(involvements_of),
        sourced_edges=sourced,
    )


def _leverage_edges(
    edges: list[RelationEdge],
    asserted: Iterable[tuple[str, str, str | None, float, tuple[str, ...]]],
    index: dict[str, int],
    relationship_sources: dict[str, tuple[str, ...]],
) -> Iterator[tuple[int, int, LeverageEdge]]:
    """Asserted leverage, plus leverage derived from shares (DESIGN.md, "Leverage").

    An ownership share s on invests-in gives the investor ``min(1, 2s)`` over the investee
    (basis ownership: a majority is control). A revenue share r on a flow edge gives the
    customer ``min(1, 2r)`` over its supplier (basis commercial-importance): the more of a
    supplier's business a buyer represents, the more it can change the supplier's practices
    (Due Diligence Guidance 2018, Annex Q.51 and UNGP 19 commentary).
    """
    for holder, target, basis, strength, sources in asserted:
        bases = (basis,) if basis else ()
        yield index[holder], index[target], LeverageEdge(strength, bases, sources, True)
    for edge in edges:
        sources = relationship_sources.get(edge.iri, ()) if edge.iri else ()
        if edge.relation == "invests-in" and edge.ownership_share is not None:
            strength = derived_strength(edge.ownership_share)
            yield edge.source, edge.target, LeverageEdge(strength, ("ownership",), sources, False)
        if not edge.financial and edge.revenue_share is not None:
            strength = derived_strength(edge.revenue_share)
            yield (
                edge.target,
                edge.source,
                LeverageEdge(strength, ("commercial-importance",), sources, False),
            )
