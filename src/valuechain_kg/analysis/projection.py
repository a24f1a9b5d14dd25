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
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from valuechain_kg import vocabulary as vocab
from valuechain_kg.analysis.columns import EdgeTable, LeveragePart, PartTable, RelationEdge
from valuechain_kg.analysis.leverage import LeverageEdge, LeverageNetwork, derived_strength
from valuechain_kg.analysis.pickling import pickled_as_call
from valuechain_kg.analysis.risk_rows import EMPTY_SCREENING, ScreeningRows
from valuechain_kg.identifiers import compact
from valuechain_kg.namespaces import DEFAULT_BASE

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "EdgeTable",
    "Involvement",
    "Projection",
    "ProjectionRows",
    "RelationRow",
    "RelationEdge",
    "LeveragePart",
    "PartTable",
    "actor_kind",
    "asserted_part",
    "assemble_projection",
    "canonical",
    "derived_parts",
    "edge_key",
    "edge_order",
    "has_derived_parts",
    "involvement_of",
    "involvement_order",
    "leverage_network",
    "relation_edge",
    "transitive_inputs",
]

_FLOW_SLUGS = {iri: slug for slug, iri in vocab.FLOW_RELATIONS.items()}
_FINANCIAL_SLUGS = {iri: slug for slug, iri in vocab.FINANCIAL_RELATIONS.items()}
_RELATION_SLUGS = {**_FLOW_SLUGS, **_FINANCIAL_SLUGS}
_MODE_SLUGS = {iri: slug for slug, iri in vocab.MODES.items()}
_BASIS_SLUGS = {iri: slug for slug, iri in vocab.BASES.items()}
_ROLE_SLUGS = {iri: slug for slug, iri in vocab.ROLES.items()}


@pickled_as_call
@dataclass(frozen=True, slots=True)
class Involvement:
    """An asserted involvement of an actor in an impact (cause, contribution, direct-linkage)."""

    actor: int
    impact: str
    mode: str
    confidence: float | None
    sources: tuple[str, ...]
    #: The products in connection with which the actor is involved (product numbers, sorted).
    products: tuple[int, ...] = ()
    assertion: str = vocab.DEFAULT_ASSERTION


def actor_kind(roles: Iterable[str]) -> str:
    """``state``, ``civil-society`` or ``enterprise``: whom the Guidelines' expectations address.

    The Guidelines address enterprises; a State entity (UNGP 13 commentary counts State
    entities among business relationships) or a civil-society organisation may cause an impact
    or stand on a path, but is never derived as directly linked.
    """
    found = set(roles)
    if "state-entity" in found:
        return "state"
    if "civil-society-organisation" in found:
        return "civil-society"
    return "enterprise"


def transitive_inputs(made_from: list[tuple[int, ...]]) -> list[frozenset[int]]:
    """Every product's inputs, transitively (``vc:madeFrom`` closed), without recursion.

    One depth-first walk per product over an explicit stack; a cycle (the ingest refuses them,
    other RDF may hold one) only makes its members inputs of each other.
    """
    closure: list[frozenset[int]] = []
    for product in range(len(made_from)):
        seen: set[int] = set()
        stack = list(made_from[product])
        while stack:
            q = stack.pop()
            if q not in seen:
                seen.add(q)
                stack.extend(made_from[q])
        closure.append(frozenset(seen))
    return closure


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
    edges: EdgeTable
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
    #: Actor kind by node (:func:`actor_kind`).
    kinds: list[str] = field(default_factory=list)
    #: Products, numbered in id order like the nodes.
    product_iris: list[str] = field(default_factory=list)
    product_ids: list[str] = field(default_factory=list)
    product_index: dict[str, int] = field(default_factory=dict)
    #: Direct inputs of each product (``vc:madeFrom``), and their transitive closure.
    made_from: list[tuple[int, ...]] = field(default_factory=list)
    inputs: list[frozenset[int]] = field(default_factory=list)
    #: Impact IRI -> (started, ended) as ISO dates, either open (None); absent: no period.
    periods: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    #: Edges with a validity bound, and edges whose assertion is not the default: the only
    #: ones a period, a date or a ``min_status`` up to the default can exclude.
    dated_edges: tuple[int, ...] = ()
    claimed_edges: tuple[int, ...] = ()
    #: Every asserted claim and share behind ``leverage``, unjoined (:class:`LeveragePart`).
    leverage_parts: PartTable = field(default_factory=PartTable)
    #: Initiative IRI -> the impact categories (slugs) it covers; absent or empty: all.
    initiative_scopes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Production claims, risk indicators, sites and product families, for screening only.
    screening: ScreeningRows = EMPTY_SCREENING

    def __len__(self) -> int:
        return len(self.iris)

    def node(self, iri: str) -> int | None:
        return self.index.get(iri)

    def causes(self, impact: str) -> list[int]:
        """The entities asserted to cause an impact: where derived linkage and leverage start."""
        return sorted({i.actor for i in self.involvements.get(impact, ()) if i.mode == "cause"})

    def kind(self, node: int) -> str:
        """The actor kind of a node (``enterprise`` for a node the projection has no kind of)."""
        return self.kinds[node] if node < len(self.kinds) else "enterprise"

    def to_networkx(self) -> nx.MultiDiGraph:
        """The projection as a ``networkx.MultiDiGraph`` keyed by ids.

        Actors are nodes with ``id``, ``iri``, ``name``, ``roles``, ``typed`` (a ``vc:Actor``)
        and ``actor_kind`` (``kind="actor"``); initiatives are nodes with ``kind="initiative"``;
        impacts that have an involvement or a period are nodes with ``kind="impact"``, ``iri``,
        ``started`` and ``ended``. Edges carry ``kind``: ``flow`` and ``financial`` (business
        relationships, key = slug, a second one for the same pair ``slug#2`` and so on, with
        ``relation``, shares, validity, ``products`` (ids), ``assertion`` and ``iri``),
        ``involvement`` (actor -> impact, key = mode, with ``mode``, ``products``,
        ``assertion``, ``confidence``, ``sources``), ``leverage`` (strength, bases, asserted)
        and ``member-of``. Products are the graph attribute ``made_from`` (product id -> its
        input ids) with ``product_iris`` (product id -> IRI); ``base`` and ``as_of`` are graph
        attributes too. ``analysis.graph_input.projection_from_networkx`` reads such a graph
        back, so the analysis functions accept it.

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
        import networkx as nx

        graph = nx.MultiDiGraph()
        ids, pids = self.ids, self.product_ids
        graph.graph.update(
            base=self.base,
            as_of=self.as_of,
            made_from={pids[q]: [pids[i] for i in self.made_from[q]] for q in range(len(pids))},
            product_iris=dict(zip(pids, self.product_iris, strict=True)),
        )
        for n, iri in enumerate(self.iris):
            graph.add_node(
                ids[n],
                id=ids[n],
                iri=iri,
                name=self.names[n],
                roles=list(self.roles[n]),
                typed=self.is_actor[n],
                actor_kind=self.kind(n),
                kind="actor",
            )
        for edge in self.edges:
            source, target = ids[edge.source], ids[edge.target]
            key = edge.relation
            duplicate = 1
            while graph.has_edge(source, target, key):
                duplicate += 1
                key = f"{edge.relation}#{duplicate}"
            graph.add_edge(
                source,
                target,
                key=key,
                kind="financial" if edge.financial else "flow",
                relation=edge.relation,
                ownership_share=edge.ownership_share,
                revenue_share=edge.revenue_share,
                valid_from=edge.valid_from,
                valid_until=edge.valid_until,
                products=[pids[q] for q in edge.products],
                assertion=edge.assertion,
                iri=edge.iri,
            )
        impacts = sorted(set(self.involvements) | set(self.periods))
        for impact in impacts:
            impact_id = compact(impact, self.base)
            started, ended = self.periods.get(impact, (None, None))
            graph.add_node(
                impact_id, id=impact_id, iri=impact, kind="impact", started=started, ended=ended
            )
            for inv in self.involvements.get(impact, ()):
                graph.add_edge(
                    ids[inv.actor],
                    impact_id,
                    key=inv.mode,
                    kind="involvement",
                    mode=inv.mode,
                    products=[pids[q] for q in inv.products],
                    assertion=inv.assertion,
                    confidence=inv.confidence,
                    sources=list(inv.sources),
                )
        for (holder, target), lev in self.leverage.edges.items():
            graph.add_edge(
                ids[holder],
                ids[target],
                key="leverage",
                kind="leverage",
                strength=lev.strength,
                bases=list(lev.bases),
                asserted=lev.asserted,
                sources=list(lev.sources),
            )
        for initiative, members in self.members.items():
            init_id = compact(initiative, self.base)
            graph.add_node(
                init_id,
                id=init_id,
                iri=initiative,
                name=self.initiative_names.get(initiative, init_id),
                kind="initiative",
                scope=list(self.initiative_scopes.get(initiative, ())),
            )
            for member in members:
                graph.add_edge(ids[member], init_id, key="member-of", kind="member-of")
        return graph


RelationRow = tuple[
    str,
    str,
    str,
    float | None,
    float | None,
    str | None,
    str | None,
    str | None,
    tuple[str, ...],
    str | None,
]
_LeverageRow = tuple[str, str, str | None, float, tuple[str, ...], str | None]
_InvolvementRow = tuple[str, str, str, float | None, tuple[str, ...], tuple[str, ...], str | None]


@dataclass(frozen=True)
class ProjectionRows:
    """Everything the projection is made of, as read from a store (IRIs and slugs).

    ``relationships``: (from, slug, to, ownership share, revenue share, valid from, valid
    until, reified node, product IRIs, assertion slug or None) per edge in force;
    ``leverage``: (holder, target, basis, strength, sources, assertion slug or None) per
    asserted claim; ``initiative_scopes``: initiative IRI -> category slugs;
    ``involvements``: (actor, impact, mode, confidence, sources, product IRIs, assertion slug
    or None); ``actors``: actor IRI -> (name, role slugs); ``relationship_sources``: reified
    node -> sources; ``sourced_triples``: (from, relation IRI, to) of relationships citing a
    source; ``products``: product IRI -> its direct inputs (``vc:madeFrom``); ``periods``:
    impact IRI -> (started, ended), ISO dates or None.
    """

    actors: dict[str, tuple[str | None, frozenset[str]]]
    relationships: list[RelationRow]
    leverage: list[_LeverageRow]
    memberships: list[tuple[str, str]]
    initiative_names: dict[str, str]
    involvements: list[_InvolvementRow]
    relationship_sources: dict[str, tuple[str, ...]]
    sourced_triples: set[tuple[str, str, str]]
    products: dict[str, tuple[str, ...]] = field(default_factory=dict)
    periods: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    initiative_scopes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    screening: ScreeningRows = EMPTY_SCREENING


def _total(row: tuple[object, ...]) -> tuple[str, ...]:
    """A total order over rows holding None: ties of the primary keys broken by every value."""
    return tuple("" if v is None else repr(v) for v in row)


def edge_order(edge: RelationEdge) -> tuple[str, str, tuple[str, ...]]:
    """How edges between the same two ends are ordered: by slug, reified node, then values.

    Two edges with the same ends, slug and node differ in a share or a date (one row per
    combination of values), so this order is total. Adjacency lists are sorted by
    (other end, ``edge_order``), whatever numbers the edges have.
    """
    values = (edge.ownership_share, edge.revenue_share, edge.valid_from, edge.valid_until)
    return edge.relation, edge.iri or "", _total(values)


def edge_key(edge: RelationEdge) -> tuple[object, ...]:
    """The order a build numbers edges in: by source, target, then ``edge_order``."""
    return (edge.source, edge.target, *edge_order(edge))


def relation_edge(
    row: RelationRow, index: dict[str, int], product_index: dict[str, int]
) -> RelationEdge:
    """The edge one relationship row gives, its ends and products numbered."""
    source, slug, target, own, rev, vf, vu, rel_iri, made_of, claim = row
    return RelationEdge(
        index[source],
        index[target],
        slug,
        slug in vocab.FINANCIAL_RELATIONS,
        own,
        rev,
        vf,
        vu,
        rel_iri,
        tuple(sorted({product_index[q] for q in made_of})),
        claim or vocab.DEFAULT_ASSERTION,
    )


def involvement_order(row: _InvolvementRow) -> tuple[object, ...]:
    """The order of involvement rows: by impact, actor, mode, then every value."""
    return (row[1], row[0], row[2], _total(row))


def involvement_of(
    row: _InvolvementRow, index: dict[str, int], product_index: dict[str, int]
) -> Involvement:
    """The involvement one row gives, its actor and products numbered."""
    actor, impact, mode, confidence, sources, made_of, claim = row
    return Involvement(
        index[actor],
        impact,
        mode,
        confidence,
        sources,
        tuple(sorted({product_index[q] for q in made_of})),
        claim or vocab.DEFAULT_ASSERTION,
    )


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
    # In a total order of their own, not the store's: the projection is a function of the set
    # of rows, so a patched one equals a rebuilt one.
    leverage_rows = sorted(rows.leverage, key=_total)
    for holder, target, *_ in leverage_rows:
        numbering.add(holder, target)
    memberships = rows.memberships
    for actor, _ in memberships:
        numbering.add(actor)
    involvement_rows = rows.involvements
    for inv_row in involvement_rows:
        numbering.add(inv_row[0])
    for production in rows.screening.productions:
        numbering.add(production.actor)

    iris, ids, index = numbering.freeze()
    size = len(iris)
    products = _Numbering(base)
    for product, product_inputs in rows.products.items():
        products.add(product, *product_inputs)
    for r in relation_rows:
        products.add(*r[8])
    for inv_row in involvement_rows:
        products.add(*inv_row[5])
    products.add(*rows.screening.products())
    product_iris, product_ids, product_index = products.freeze()
    made_from = [
        tuple(sorted({product_index[i] for i in rows.products.get(q, ())})) for q in product_iris
    ]

    # Edges numbered in (source, target, edge_order) order, nodes being numbered in id order:
    # appending them in that order leaves every adjacency list sorted by (other end,
    # edge_order), so traversals meet neighbours in id order (stable answers) with no sort per
    # list. A patch keeps the lists in that order whatever numbers its edges get.
    edges = sorted((relation_edge(r, index, product_index) for r in relation_rows), key=edge_key)
    flow_out: list[list[int]] = [[] for _ in range(size)]
    flow_in: list[list[int]] = [[] for _ in range(size)]
    financial_out: list[list[int]] = [[] for _ in range(size)]
    financial_in: list[list[int]] = [[] for _ in range(size)]
    dated: list[int] = []
    claimed: list[int] = []
    for e, edge in enumerate(edges):
        if edge.valid_from is not None or edge.valid_until is not None:
            dated.append(e)
        if edge.assertion != vocab.DEFAULT_ASSERTION:
            claimed.append(e)
        (financial_out if edge.financial else flow_out)[edge.source].append(e)
        (financial_in if edge.financial else flow_in)[edge.target].append(e)

    relationship_sources = rows.relationship_sources
    sourced_triples = rows.sourced_triples
    sourced = frozenset(
        e
        for e, edge in enumerate(edges)
        if sourced_triples
        and (iris[edge.source], vocab.RELATIONS[edge.relation], iris[edge.target])
        in sourced_triples
    )
    parts = list(_leverage_parts(edges, leverage_rows, index, relationship_sources))
    leverage = LeverageNetwork.from_edges((x.holder, x.target, x.edge) for x in parts)

    members: dict[str, list[int]] = defaultdict(list)
    for actor, initiative in memberships:
        members[initiative].append(index[actor])
    for lst in members.values():
        lst.sort()

    involvements: dict[str, list[Involvement]] = defaultdict(list)
    involvements_of: dict[int, list[Involvement]] = defaultdict(list)
    for inv_row in sorted(involvement_rows, key=involvement_order):
        inv = involvement_of(inv_row, index, product_index)
        involvements[inv.impact].append(inv)
        involvements_of[inv.actor].append(inv)

    no_actor: tuple[str | None, frozenset[str]] = (None, frozenset())
    roles = [tuple(sorted(rows.actors.get(iri, no_actor)[1])) for iri in iris]
    return Projection(
        base=base,
        revision=revision,
        as_of=as_of,
        iris=iris,
        ids=ids,
        is_actor=[iri in actor_iris for iri in iris],
        index=index,
        names=[rows.actors.get(iri, no_actor)[0] or ids[n] for n, iri in enumerate(iris)],
        roles=roles,
        edges=EdgeTable(edges),
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
        kinds=[actor_kind(r) for r in roles],
        product_iris=product_iris,
        product_ids=product_ids,
        product_index=product_index,
        made_from=made_from,
        inputs=transitive_inputs(made_from),
        periods=dict(rows.periods),
        dated_edges=tuple(dated),
        claimed_edges=tuple(claimed),
        leverage_parts=PartTable(parts),
        initiative_scopes=dict(rows.initiative_scopes),
        screening=rows.screening,
    )


def _leverage_parts(
    edges: list[RelationEdge],
    asserted: Iterable[_LeverageRow],
    index: dict[str, int],
    relationship_sources: dict[str, tuple[str, ...]],
) -> Iterator[LeveragePart]:
    """Asserted leverage, plus leverage derived from shares (DESIGN.md, "Leverage").

    An ownership share s on invests-in gives the investor ``min(1, 2s)`` over the investee
    (basis ownership: a majority is control). A revenue share r on a flow edge gives the
    customer ``min(1, 2r)`` over its supplier (basis commercial-importance): the more of a
    supplier's business a buyer represents, the more it can change the supplier's practices
    (UNGP 19 commentary on leverage and how crucial a relationship is). A derived part has
    its relationship's assertion and lives only as long as the relationship is in force.
    """
    for row in asserted:
        yield asserted_part(row, index)
    for e, edge in enumerate(edges):
        sources = relationship_sources.get(edge.iri, ()) if edge.iri else ()
        yield from derived_parts(edge, e, sources)


def asserted_part(row: _LeverageRow, index: dict[str, int]) -> LeveragePart:
    """The part an asserted ``vc:Leverage`` claim (one row of ``ProjectionRows.leverage``) gives."""
    holder, target, basis, strength, sources, claim = row
    bases = (basis,) if basis else ()
    return LeveragePart(
        index[holder],
        index[target],
        LeverageEdge(strength, bases, sources, True),
        None,
        claim or vocab.DEFAULT_ASSERTION,
    )


def has_derived_parts(edge: RelationEdge) -> bool:
    """Whether a relationship gives derived leverage (it carries the share that gives it)."""
    if edge.relation == "invests-in" and edge.ownership_share is not None:
        return True
    return not edge.financial and edge.revenue_share is not None


def derived_parts(edge: RelationEdge, e: int, sources: tuple[str, ...]) -> list[LeveragePart]:
    """The leverage parts relationship number ``e`` gives by its shares, citing ``sources``.

    An ownership share s on invests-in gives the investor ``min(1, 2s)`` over the investee; a
    revenue share r on a flow edge gives the customer ``min(1, 2r)`` over its supplier.
    """
    found: list[LeveragePart] = []
    if edge.relation == "invests-in" and edge.ownership_share is not None:
        strength = derived_strength(edge.ownership_share)
        derived = LeverageEdge(strength, ("ownership",), sources, False)
        found.append(LeveragePart(edge.source, edge.target, derived, e, edge.assertion))
    if not edge.financial and edge.revenue_share is not None:
        strength = derived_strength(edge.revenue_share)
        derived = LeverageEdge(strength, ("commercial-importance",), sources, False)
        found.append(LeveragePart(edge.target, edge.source, derived, e, edge.assertion))
    return found


def _in_force(
    edge: RelationEdge, period: tuple[str | None, str | None] | None, as_of: str | None
) -> bool:
    """Is a relationship valid on ``as_of`` (when given), else during ``period`` (when given)?

    Bounds are ISO dates (the ingest widens years and months to whole days), so they compare
    as strings; an open bound reaches as far as the other side needs.
    """
    vf, vu = edge.valid_from, edge.valid_until
    if as_of is not None:
        return (vf is None or vf[:10] <= as_of) and (vu is None or vu[:10] >= as_of)
    if period is None:
        return True
    started, ended = period
    return (vf is None or ended is None or vf[:10] <= ended) and (
        vu is None or started is None or vu[:10] >= started
    )


def leverage_network(
    p: Projection, impact: str, as_of: str | None = None, min_status: str | None = None
) -> LeverageNetwork[int]:
    """The leverage edges that count for ``impact``: derived ones only from relationships in
    force in the impact's period (on ``as_of`` when given), claims of ``min_status`` or above.

    The projection's own network when nothing is excluded (most impacts of most graphs).
    """
    period = p.periods.get(impact)
    gone = {e for e in p.dated_edges if not _in_force(p.edges[e], period, as_of)}
    floor = vocab.ASSERTION_RANK[min_status] if min_status is not None else 0
    if not gone and floor <= min(vocab.ASSERTION_RANK.values()):
        return p.leverage
    parts = p.leverage_parts
    relation, assertion = parts.relation, parts.assertion
    default = vocab.ASSERTION_RANK[vocab.DEFAULT_ASSERTION]
    chosen = [
        n
        for n in range(len(parts))
        if (relation[n] is None or relation[n] not in gone)
        and vocab.ASSERTION_RANK.get(assertion[n], default) >= floor
    ]
    if len(chosen) == len(parts):
        return p.leverage
    holder, target, edge = parts.holder, parts.target, parts.edge
    return LeverageNetwork.from_edges((holder[n], target[n], edge[n]) for n in chosen)


def _part_order(part: LeveragePart) -> tuple[object, ...]:
    edge = part.edge
    values = (edge.strength, edge.bases, edge.sources, edge.asserted, part.assertion)
    return (part.relation is not None, part.relation or 0, part.holder, part.target, _total(values))


def canonical(p: Projection) -> Projection:
    """``p`` with its edges numbered in the order a build from rows numbers them, and its
    leverage parts in one fixed order.

    Answers never depend on edge numbers, only on the order of the adjacency lists; a patch
    gives new edges new numbers at the end. Two projections of the same data, one patched and
    one built, are equal through this (their adjacency lists are mapped, not sorted, so lists
    in a wrong order still differ).
    """
    edges = list(p.edges)
    order = sorted(range(len(edges)), key=lambda e: edge_key(edges[e]))
    number = [0] * len(order)
    for new, old in enumerate(order):
        number[old] = new

    def mapped(adjacency: list[list[int]]) -> list[list[int]]:
        return [[number[e] for e in found] for found in adjacency]

    parts = sorted(
        (
            replace(x, relation=None if x.relation is None else number[x.relation])
            for x in p.leverage_parts
        ),
        key=_part_order,
    )
    return replace(
        p,
        edges=EdgeTable(edges[e] for e in order),
        flow_out=mapped(p.flow_out),
        flow_in=mapped(p.flow_in),
        financial_out=mapped(p.financial_out),
        financial_in=mapped(p.financial_in),
        sourced_edges=frozenset(number[e] for e in p.sourced_edges),
        dated_edges=tuple(sorted(number[e] for e in p.dated_edges)),
        claimed_edges=tuple(sorted(number[e] for e in p.claimed_edges)),
        leverage_parts=PartTable(parts),
    )
