"""The actor network, projected out of the store once and kept as compact adjacency lists.

The two questions are path questions over business relationships and leverage (OECD Guidelines
2023, Ch. II paras A.11-A.13 and commentary; Due Diligence Guidance 2018, Annex Q.29-Q.35). SPARQL
property paths cannot express "financial edges, then flow edges in one direction only" with a
hop bound and a shortest explaining path, so the analysis walks an in-memory projection instead.

The projection is built from a handful of streamed SPARQL SELECTs, never one query per node.
Nodes are integers numbered in the order of their ids, so that comparing node numbers compares
ids: that is what makes the "lexicographically smallest id sequence" tie rule cheap. Hot
traversals use plain lists of ints; :meth:`Projection.to_networkx` gives the familiar
``networkx.MultiDiGraph`` face for notebooks.
"""

from __future__ import annotations

import gc
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import product

import networkx as nx
import pyoxigraph as ox

from valuechain_kg import vocabulary as vocab
from valuechain_kg.analysis.leverage import LeverageEdge, LeverageNetwork, derived_strength
from valuechain_kg.identifiers import compact
from valuechain_kg.namespaces import DEFAULT_BASE
from valuechain_kg.store import GraphStore

__all__ = ["Involvement", "Projection", "RelationEdge", "build_projection"]

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


@dataclass
class Projection:
    """The actor network at one store revision (and one ``as_of`` date, if given)."""

    base: str
    revision: str
    as_of: str | None
    iris: list[str]
    ids: list[str]
    is_actor: list[bool]
    index: dict[str, int]
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
    #: Where names and roles are read from on first need (None: already given).
    store: GraphStore | None = None
    _labels: tuple[list[str], list[tuple[str, ...]]] | None = None
    _labels_lock: threading.Lock = field(default_factory=threading.Lock)

    def __len__(self) -> int:
        return len(self.iris)

    @property
    def names(self) -> list[str]:
        """Display names by node (schema:name, else rdfs:label, else the id), read on first use.

        No traversal needs a name, so the build leaves them out (a third of its reading at 100k
        actors); the first answer or listing that shows names reads them all in one batch.
        """
        return self._read_labels()[0]

    @property
    def roles(self) -> list[tuple[str, ...]]:
        """Role slugs by node, sorted, read on first use together with the names."""
        return self._read_labels()[1]

    def _read_labels(self) -> tuple[list[str], list[tuple[str, ...]]]:
        labels = self._labels
        if labels is not None:
            return labels
        with self._labels_lock:
            if self._labels is None:
                known = [iri for iri, actor in zip(self.iris, self.is_actor, strict=True) if actor]
                actors = (
                    _read_actors(self.store, self.base, known) if self.store is not None else {}
                )
                self._labels = (
                    [
                        actors.get(iri, (None, set()))[0] or self.ids[n]
                        for n, iri in enumerate(self.iris)
                    ],
                    [tuple(sorted(actors.get(iri, (None, set()))[1])) for iri in self.iris],
                )
            return self._labels

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


# --- reading the store --------------------------------------------------------------------------
#
# Measured on the on-disk store (RocksDB) at 100k actors: a triple pattern with only its predicate
# bound streams at ~1 µs a row before decoding, decoding a term costs a few µs (a dictionary
# look-up per IRI or long literal), and every OPTIONAL or joined pattern costs an index look-up
# per row (~15 µs). So the projection reads one predicate at a time with plain SELECTs and joins
# the columns in Python, in dicts keyed by the subject; the only joins left to the engine are
# hash joins of whole sub-SELECTs (MINUS, sources), which never decode what they drop.


def _value(term: object) -> str | None:
    return None if term is None else term.value  # type: ignore[attr-defined]


def _number(term: str | None) -> float | None:
    return None if term is None else float(term)


def _select(store: GraphStore, query: str) -> Iterator[ox.QuerySolution]:
    yield from store.query(query)  # type: ignore[misc]


def _valid_on(valid_from: str | None, valid_until: str | None, as_of: str | None) -> bool:
    """Is a relationship in force on ``as_of``? xsd:date literals compare as ISO strings."""
    if as_of is None:
        return True
    if valid_from is not None and valid_from[:10] > as_of:
        return False
    return not (valid_until is not None and valid_until[:10] < as_of)


def _pairs(store: GraphStore, predicate: str) -> list[tuple[str, str]]:
    """(subject, object) of every triple with one predicate: one index scan, no join."""
    query = f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o }}"
    return [(row[0].value, row[1].value) for row in _select(store, query)]


def _column(store: GraphStore, predicate: str) -> dict[str, list[str]]:
    """Subject -> its objects for one predicate, objects in store order."""
    found: dict[str, list[str]] = defaultdict(list)
    for subject, obj in _pairs(store, predicate):
        found[subject].append(obj)
    return found


def _instances(store: GraphStore, cls: str) -> list[str]:
    return [row[0].value for row in _select(store, f"SELECT ?s WHERE {{ ?s a <{cls}> }}")]


def _subjects_by_value(store: GraphStore, predicate: str) -> dict[str, list[str]]:
    """Value -> subjects, for a predicate whose values are a small vocabulary (roles).

    One scan per distinct value decodes each subject once and each value once, instead of
    decoding the value again on every row.
    """
    values = [
        row[0].value
        for row in _select(store, f"SELECT DISTINCT ?o WHERE {{ ?s <{predicate}> ?o }}")
        if isinstance(row[0], ox.NamedNode)
    ]
    found: dict[str, list[str]] = {}
    for value in values:
        found[value] = [
            row[0].value
            for row in _select(store, f"SELECT ?s WHERE {{ ?s <{predicate}> <{value}> }}")
        ]
    literal_rows = _select(
        store, f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o FILTER(!isIRI(?o)) }}"
    )
    for row in literal_rows:
        found.setdefault(row[1].value, []).append(row[0].value)
    return found


_VC = "https://w3id.org/valuechain#"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_SCHEMA_NAME = "https://schema.org/name"

# Actors with no schema:name fall back to rdfs:label; the MINUS is a hash join, so it decodes
# only the (usually zero) actors that lack a name.
_UNNAMED_ACTOR_LABELS = """SELECT ?a ?label WHERE {
  { SELECT ?a WHERE { ?a a vc:Actor MINUS { ?a schema:name ?name } } } ?a rdfs:label ?label
}"""

# A node with relationship properties but no vc:BusinessRelationship type is not a relationship.

_SHARED_RELATIONSHIPS = "{ SELECT DISTINCT ?r WHERE { ?r vc:ownershipShare|vc:revenueShare ?x } }"

# Sources of the relationships that give derived leverage (shares): a hash join, so only the
# attributed nodes are decoded; whether they are typed was settled when reading them.
_RELATIONSHIP_SOURCES = f"""SELECT ?r ?src WHERE {{
  {_SHARED_RELATIONSHIPS}
  {{ SELECT ?r ?src WHERE {{ ?r prov:wasDerivedFrom ?src }} }}
}}"""


# The (from, type, to) of every relationship node citing a source: hash joins by internal id,
# so only the (usually few) sourced nodes are decoded. Answers look up the sources themselves
# per page, and only for these edges (no query at all when no relationship cites one).
_SOURCED_TRIPLES = """SELECT ?a ?t ?b WHERE {
  { SELECT ?r ?a WHERE { ?r vc:fromActor ?a } }
  { SELECT DISTINCT ?r WHERE { ?r prov:wasDerivedFrom ?s } }
  { SELECT ?r ?t WHERE { ?r vc:relationshipType ?t } }
  { SELECT ?r ?b WHERE { ?r vc:toActor ?b } }
}"""

_LEVERAGE = """SELECT ?l ?h ?t ?basis ?s WHERE {
  ?l a vc:Leverage ; vc:holder ?h ; vc:target ?t ; vc:strength ?s .
  OPTIONAL { ?l vc:basis ?basis }
}"""

_LEVERAGE_SOURCES = """SELECT ?l ?src WHERE {
  { SELECT ?l WHERE { ?l a vc:Leverage } } { SELECT ?l ?src WHERE { ?l prov:wasDerivedFrom ?src } }
}"""

_MEMBERSHIPS = """SELECT DISTINCT ?a ?i WHERE {
  { ?a vc:memberOf ?i } UNION { ?m org:member ?a ; org:organization ?i }
}"""

_INITIATIVE_NAMES = """SELECT ?i ?name WHERE {
  ?i a vc:Initiative . OPTIONAL { ?i schema:name ?name } OPTIONAL { ?i rdfs:label ?name }
}"""

_INVOLVEMENTS = """SELECT ?inv ?actor ?impact ?mode WHERE {
  { SELECT ?inv WHERE { ?inv a vc:Involvement } }
  { SELECT ?inv ?actor WHERE { ?inv vc:actor ?actor } }
  { SELECT ?inv ?impact WHERE { ?inv vc:impact ?impact } }
  { SELECT ?inv ?mode WHERE { ?inv vc:mode ?mode } }
}"""

_INVOLVEMENT_CONFIDENCE = """SELECT ?inv ?conf WHERE {
  { SELECT ?inv WHERE { ?inv a vc:Involvement } }
  { SELECT ?inv ?conf WHERE { ?inv vc:confidence ?conf } }
}"""

_INVOLVEMENT_SOURCES = """SELECT ?inv ?src WHERE {
  { SELECT ?inv WHERE { ?inv a vc:Involvement } }
  { SELECT ?inv ?src WHERE { ?inv prov:wasDerivedFrom ?src } }
}"""


def _sources(store: GraphStore, query: str) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = defaultdict(list)
    for row in _select(store, query):
        found[row[0].value].append(row[1].value)
    return {k: tuple(sorted(set(v))) for k, v in found.items()}


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


_RelationRow = tuple[str, str, str, float | None, float | None, str | None, str | None, str | None]


def _read_actors(
    store: GraphStore, base: str, known: Iterable[str] | None = None
) -> dict[str, tuple[str | None, set[str]]]:
    """Actor IRI -> (name, role slugs). The name is the smallest schema:name, else rdfs:label.

    ``known``: the actor IRIs, when already read (the projection has them), saving a scan.
    """
    iris = _instances(store, _VC + "Actor") if known is None else known
    actors: dict[str, tuple[str | None, set[str]]] = {iri: (None, set()) for iri in iris}
    names: dict[str, str] = {}
    for iri, name in _pairs(store, _SCHEMA_NAME):
        if iri in actors and (iri not in names or name < names[iri]):
            names[iri] = name
    for row in _select(store, _UNNAMED_ACTOR_LABELS):
        iri, label = row[0].value, row[1].value
        if iri not in names or label < names[iri]:
            names[iri] = label
    for iri, name in names.items():
        actors[iri] = (name, actors[iri][1])
    for role, holders in _subjects_by_value(store, _VC + "role").items():
        slug = _ROLE_SLUGS.get(role) or compact(role, base)
        for iri in holders:
            if iri in actors:
                actors[iri][1].add(slug)
    return actors


_ATTRIBUTES = ("ownershipShare", "revenueShare", "validFrom", "validUntil")

# Relationship nodes carrying an attribute but no vc:BusinessRelationship type are not
# relationships; the MINUS is a hash join over the (few) attributed nodes.
_UNTYPED_ATTRIBUTED = """SELECT DISTINCT ?r WHERE {
  ?r vc:ownershipShare|vc:revenueShare|vc:validFrom|vc:validUntil ?x
  MINUS { ?r a vc:BusinessRelationship }
}"""


def _attributed(store: GraphStore, attribute: str) -> list[tuple[str, str, str, str, str]]:
    """(node, value, from, type, to) of the relationship nodes that carry one attribute.

    Only these nodes are read: the ends of the others are already in the direct triples. The
    sub-SELECTs make Oxigraph hash-join the three end columns by their internal ids instead of
    three index look-ups per node, and decode only the rows it keeps (half the time at 100k).
    """
    predicate = _VC + attribute
    if not store.query(f"ASK {{ ?r <{predicate}> ?x }}"):
        return []
    query = (
        f"SELECT ?r ?x ?a ?t ?b WHERE {{ {{ SELECT ?r ?x WHERE {{ ?r <{predicate}> ?x }} }} "
        "{ SELECT ?r ?a WHERE { ?r vc:fromActor ?a } } "
        "{ SELECT ?r ?t WHERE { ?r vc:relationshipType ?t } } "
        "{ SELECT ?r ?b WHERE { ?r vc:toActor ?b } } }"
    )
    return [
        (row[0].value, row[1].value, row[2].value, row[3].value, row[4].value)
        for row in _select(store, query)
    ]


def _read_relationships(store: GraphStore, when: str | None) -> list[_RelationRow]:
    """Every business relationship in force on ``when``, one row per edge.

    The edges are the direct triples (``?a vc:supplies ?b``): ingest always writes one beside
    each reified ``vc:BusinessRelationship`` and the shapes require it (docs/rdf-model.md;
    ``vcsh:relationship-direct-triple``), so a reified node without its direct triple is invalid
    data and is not an edge. Attributes (shares, validity) come from the reified nodes that
    carry them, joined on (from, type, to); a direct triple with no such node is one edge with
    no attributes, valid at all times (DESIGN.md, "Identity"). Several attributed nodes for one
    triple give one row each, and several values of one property one row per combination, as a
    SPARQL join would. Reified nodes without attributes add nothing and are never read.
    """
    untyped = {row[0].value for row in _select(store, _UNTYPED_ATTRIBUTED)}
    columns: dict[str, dict[str, list[str]]] = {name: defaultdict(list) for name in _ATTRIBUTES}
    by_triple: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for name in _ATTRIBUTES:
        column = columns[name]
        for node, value, a, kind, b in _attributed(store, name):
            if node in untyped:
                continue
            by_triple[(a, kind, b)].add(node)
            if value not in column[node]:
                column[node].append(value)
    rows: list[_RelationRow] = []
    for slug, predicate in vocab.RELATIONS.items():
        for a, b in _pairs(store, predicate):
            nodes = by_triple.get((a, predicate, b))
            if not nodes:
                rows.append((a, slug, b, None, None, None, None, None))
                continue
            for node in sorted(nodes):
                values: list[list[str | None]] = []
                for name in _ATTRIBUTES:
                    present = columns[name].get(node)
                    values.append(list(present) if present else [None])
                for own, rev, vf, vu in product(*values):
                    if _valid_on(vf, vu, when):
                        rows.append((a, slug, b, _number(own), _number(rev), vf, vu, node))
    return rows


def _read_leverage(store: GraphStore) -> list[tuple[str, str, str | None, float, tuple[str, ...]]]:
    leverage_sources = _sources(store, _LEVERAGE_SOURCES)
    rows = []
    for row in _select(store, _LEVERAGE):
        basis = _BASIS_SLUGS.get(row[3].value) if row[3] is not None else None
        sources = leverage_sources.get(row[0].value, ())
        rows.append((row[1].value, row[2].value, basis, float(row[4].value), sources))
    return rows


def _read_involvements(
    store: GraphStore,
) -> list[tuple[str, str, str, float | None, tuple[str, ...]]]:
    sources = _sources(store, _INVOLVEMENT_SOURCES)
    confidence: dict[str, float] = {}
    for row in _select(store, _INVOLVEMENT_CONFIDENCE):
        confidence.setdefault(row[0].value, float(row[1].value))
    rows = []
    for row in _select(store, _INVOLVEMENTS):
        mode = _MODE_SLUGS.get(row[3].value)
        if mode is None:
            continue
        node = row[0].value
        rows.append((row[1].value, row[2].value, mode, confidence.get(node), sources.get(node, ())))
    return rows


def build_projection(
    store: GraphStore, as_of: date | str | None = None, base: str = DEFAULT_BASE
) -> Projection:
    """Project the store's actor network, keeping relationships in force on ``as_of``.

    Parameters
    ----------
    store : the graph store to read.
    as_of : a date; relationships whose validity period excludes it are left out. Leverage
        derived from them disappears with them; asserted leverage has no period and stays.
    base : the id base, used to number nodes in id order.
    """
    # Millions of small containers and no cycles among them: the cyclic collector would walk
    # the growing heap again and again (a third of the build time at 100k actors).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(store, as_of, base)
    finally:
        if was_enabled:
            gc.enable()


def _build(store: GraphStore, as_of: date | str | None, base: str) -> Projection:
    # Taken before reading: a write landing during the build makes this projection stale at
    # once, rather than labelling half-old data with the new revision.
    revision = store.revision
    when = as_of.isoformat() if isinstance(as_of, date) else as_of
    numbering = _Numbering(base)

    # Every actor is a node (an actor without relationships can still be asked about); names
    # and roles are read on first use, not here (see Projection.names).
    actor_iris = set(_instances(store, _VC + "Actor"))
    numbering.add(*actor_iris)
    relation_rows = _read_relationships(store, when)
    for r in relation_rows:
        numbering.add(r[0], r[2])
    leverage_rows = _read_leverage(store)
    for holder, target, *_ in leverage_rows:
        numbering.add(holder, target)
    memberships = [(row[0].value, row[1].value) for row in _select(store, _MEMBERSHIPS)]
    for actor, _ in memberships:
        numbering.add(actor)
    initiative_names: dict[str, str] = {}
    for row in _select(store, _INITIATIVE_NAMES):
        if row[1] is not None and row[0].value not in initiative_names:
            initiative_names[row[0].value] = row[1].value
    involvement_rows = _read_involvements(store)
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

    relationship_sources = _sources(store, _RELATIONSHIP_SOURCES)
    sourced_triples = {
        (row[0].value, row[1].value, row[2].value) for row in _select(store, _SOURCED_TRIPLES)
    }
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

    return Projection(
        base=base,
        revision=revision,
        as_of=when,
        iris=iris,
        ids=ids,
        is_actor=[iri in actor_iris for iri in iris],
        index=index,
        edges=edges,
        flow_out=flow_out,
        flow_in=flow_in,
        financial_out=financial_out,
        financial_in=financial_in,
        leverage=leverage,
        members=dict(members),
        initiative_names=initiative_names,
        involvements=dict(involvements),
        involvements_of=dict(involvements_of),
        sourced_edges=sourced,
        store=store,
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
