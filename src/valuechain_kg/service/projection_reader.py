"""Reading a store into the actor network: the I/O half of the projection.

The analysis works on an in-memory projection (``analysis.projection``), which does no I/O; this
module reads what it is made of from the store, with a handful of streamed SPARQL SELECTs and
never one query per node, and hands the rows to ``assemble_projection``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import product

import pyoxigraph as ox

from valuechain_kg import vocabulary as vocab
from valuechain_kg.analysis.projection import (
    Projection,
    ProjectionRows,
    RelationRow,
    assemble_projection,
)
from valuechain_kg.identifiers import compact
from valuechain_kg.namespaces import DEFAULT_BASE
from valuechain_kg.service.collector import collector_paused
from valuechain_kg.service.screening_reader import read_screening_rows
from valuechain_kg.store.backend import StoreBackend

__all__ = ["build_projection", "read_projection_rows"]

_MODE_SLUGS = {iri: slug for slug, iri in vocab.MODES.items()}
_BASIS_SLUGS = {iri: slug for slug, iri in vocab.BASES.items()}
_ROLE_SLUGS = {iri: slug for slug, iri in vocab.ROLES.items()}
_ASSERTION_SLUGS = {iri: slug for slug, iri in vocab.ASSERTIONS.items()}


# --- reading the store --------------------------------------------------------------------------
#
# On the on-disk store (RocksDB) a triple pattern with only its predicate bound streams cheaply
# before decoding, decoding a term costs a dictionary look-up per IRI or long literal, and every
# OPTIONAL or joined pattern costs an index look-up per row, the dearest of the three. So the
# projection reads one predicate at a time with plain SELECTs and joins the columns in Python,
# in dicts keyed by the subject; the only joins left to the engine are hash joins of whole
# sub-SELECTs (MINUS, sources), which never decode what they drop.


def _value(term: object) -> str | None:
    return None if term is None else term.value  # type: ignore[attr-defined]


def _number(term: str | None) -> float | None:
    return None if term is None else float(term)


def _select(store: StoreBackend, query: str) -> Iterator[ox.QuerySolution]:
    """Solutions as they come: from a remote engine, in ordered pages (``store.stream``)."""
    yield from store.stream(query)


def _valid_on(valid_from: str | None, valid_until: str | None, as_of: str | None) -> bool:
    """Is a relationship in force on ``as_of``? xsd:date literals compare as ISO strings."""
    if as_of is None:
        return True
    if valid_from is not None and valid_from[:10] > as_of:
        return False
    return not (valid_until is not None and valid_until[:10] < as_of)


def _pairs(store: StoreBackend, predicate: str) -> list[tuple[str, str]]:
    """(subject, object) of every triple with one predicate: one index scan, no join."""
    query = f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o }}"
    return [(row[0].value, row[1].value) for row in _select(store, query)]


def _column(store: StoreBackend, predicate: str) -> dict[str, list[str]]:
    """Subject -> its objects for one predicate, objects in store order."""
    found: dict[str, list[str]] = defaultdict(list)
    for subject, obj in _pairs(store, predicate):
        found[subject].append(obj)
    return found


def _instances(store: StoreBackend, cls: str) -> list[str]:
    return [row[0].value for row in _select(store, f"SELECT ?s WHERE {{ ?s a <{cls}> }}")]


def _subjects_by_value(store: StoreBackend, predicate: str) -> dict[str, list[str]]:
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

_LEVERAGE_ASSERTIONS = """SELECT ?l ?assertion WHERE {
  { SELECT ?l WHERE { ?l a vc:Leverage } }
  { SELECT ?l ?assertion WHERE { ?l vc:assertion ?assertion } }
}"""

_INITIATIVE_SCOPES = """SELECT ?i ?scope WHERE {
  { SELECT ?i WHERE { ?i a vc:Initiative } } { SELECT ?i ?scope WHERE { ?i vc:scope ?scope } }
}"""

_CATEGORY_SLUGS = {iri: slug for slug, iri in vocab.CATEGORIES.items()}

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

_INVOLVEMENT_PRODUCTS = """SELECT ?inv ?product WHERE {
  { SELECT ?inv WHERE { ?inv a vc:Involvement } }
  { SELECT ?inv ?product WHERE { ?inv vc:product ?product } }
}"""

_INVOLVEMENT_ASSERTIONS = """SELECT ?inv ?assertion WHERE {
  { SELECT ?inv WHERE { ?inv a vc:Involvement } }
  { SELECT ?inv ?assertion WHERE { ?inv vc:assertion ?assertion } }
}"""


def _sources(store: StoreBackend, query: str) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = defaultdict(list)
    for row in _select(store, query):
        found[row[0].value].append(row[1].value)
    return {k: tuple(sorted(set(v))) for k, v in found.items()}


def _read_actors(
    store: StoreBackend, base: str = DEFAULT_BASE, known: Iterable[str] | None = None
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
#: Attributes read as one value per node (products a set, assertion the weakest), not one row
#: per value.
_SET_ATTRIBUTES = ("product", "assertion")

# Relationship nodes carrying an attribute but no vc:BusinessRelationship type are not
# relationships; the MINUS is a hash join over the (few) attributed nodes.
_UNTYPED_ATTRIBUTED = """SELECT DISTINCT ?r WHERE {
  ?r vc:ownershipShare|vc:revenueShare|vc:validFrom|vc:validUntil|vc:product|vc:assertion ?x
  MINUS { ?r a vc:BusinessRelationship }
}"""


def _weakest(assertions: Iterable[str]) -> str | None:
    """The weakest of a claim's assertion statuses (a claim stated twice counts as the lesser)."""
    slugs = [_ASSERTION_SLUGS[a] for a in assertions if a in _ASSERTION_SLUGS]
    return min(slugs, key=lambda slug: vocab.ASSERTION_RANK[slug], default=None)


def _attributed(store: StoreBackend, attribute: str) -> list[tuple[str, str, str, str, str]]:
    """(node, value, from, type, to) of the relationship nodes that carry one attribute.

    Only these nodes are read: the ends of the others are already in the direct triples. The
    sub-SELECTs make Oxigraph hash-join the three end columns by their internal ids instead of
    three index look-ups per node, and decode only the rows it keeps.
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


def _read_relationships(store: StoreBackend, when: str | None) -> list[RelationRow]:
    """Every business relationship in force on ``when``, one row per edge.

    The edges are the direct triples (``?a vc:supplies ?b``): ingest always writes one beside
    each reified ``vc:BusinessRelationship`` and the shapes require it (docs/rdf-model.md;
    ``vcsh:relationship-direct-triple``), so a reified node without its direct triple is invalid
    data and is not an edge. Attributes (shares, validity) come from the reified nodes that
    carry them, joined on (from, type, to); a direct triple with no such node is one edge with
    no attributes, valid at all times (DESIGN.md, "Identity"). Several attributed nodes for one
    triple give one row each, and several values of a share or date one row per combination, as
    a SPARQL join would; a node's products are one set and its assertion one status. Reified
    nodes without attributes add nothing and are never read.
    """
    untyped = {row[0].value for row in _select(store, _UNTYPED_ATTRIBUTED)}
    columns: dict[str, dict[str, list[str]]] = {name: defaultdict(list) for name in _ATTRIBUTES}
    by_triple: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for name in _ATTRIBUTES + _SET_ATTRIBUTES:
        column = columns.setdefault(name, defaultdict(list))
        for node, value, a, kind, b in _attributed(store, name):
            if node in untyped:
                continue
            by_triple[(a, kind, b)].add(node)
            if value not in column[node]:
                column[node].append(value)
    rows: list[RelationRow] = []
    for slug, predicate in vocab.RELATIONS.items():
        for a, b in _pairs(store, predicate):
            nodes = by_triple.get((a, predicate, b))
            if not nodes:
                rows.append((a, slug, b, None, None, None, None, None, (), None))
                continue
            for node in sorted(nodes):
                values: list[list[str | None]] = []
                for name in _ATTRIBUTES:
                    present = columns[name].get(node)
                    values.append(list(present) if present else [None])
                made_of = tuple(sorted(columns["product"].get(node, ())))
                claim = _weakest(columns["assertion"].get(node, ()))
                for own, rev, vf, vu in product(*values):
                    if _valid_on(vf, vu, when):
                        row = (a, slug, b, _number(own), _number(rev), vf, vu, node, made_of, claim)
                        rows.append(row)
    return rows


def _read_leverage(
    store: StoreBackend,
) -> list[tuple[str, str, str | None, float, tuple[str, ...], str | None]]:
    """(holder, target, basis slug, strength, sources, weakest assertion) per claim."""
    leverage_sources = _sources(store, _LEVERAGE_SOURCES)
    assertions = _sources(store, _LEVERAGE_ASSERTIONS)
    rows = []
    for row in _select(store, _LEVERAGE):
        basis = _BASIS_SLUGS.get(row[3].value) if row[3] is not None else None
        node = row[0].value
        sources = leverage_sources.get(node, ())
        claim = _weakest(assertions.get(node, ()))
        rows.append((row[1].value, row[2].value, basis, float(row[4].value), sources, claim))
    return rows


def _read_initiative_scopes(store: StoreBackend, base: str) -> dict[str, tuple[str, ...]]:
    """Initiative IRI -> the impact categories it covers (slugs; a concept outside the
    taxonomy by its id), for initiatives with a scope."""
    found: dict[str, set[str]] = defaultdict(set)
    for row in _select(store, _INITIATIVE_SCOPES):
        concept = row[1].value
        found[row[0].value].add(_CATEGORY_SLUGS.get(concept) or compact(concept, base))
    return {iri: tuple(sorted(scope)) for iri, scope in found.items()}


def _read_involvements(
    store: StoreBackend,
) -> list[tuple[str, str, str, float | None, tuple[str, ...], tuple[str, ...], str | None]]:
    sources = _sources(store, _INVOLVEMENT_SOURCES)
    products = _sources(store, _INVOLVEMENT_PRODUCTS)
    assertions = _sources(store, _INVOLVEMENT_ASSERTIONS)
    confidence: dict[str, float] = {}
    for row in _select(store, _INVOLVEMENT_CONFIDENCE):
        confidence.setdefault(row[0].value, float(row[1].value))
    rows = []
    for row in _select(store, _INVOLVEMENTS):
        mode = _MODE_SLUGS.get(row[3].value)
        if mode is None:
            continue
        node = row[0].value
        rows.append(
            (
                row[1].value,
                row[2].value,
                mode,
                confidence.get(node),
                sources.get(node, ()),
                products.get(node, ()),
                _weakest(assertions.get(node, ())),
            )
        )
    return rows


def _read_products(store: StoreBackend) -> dict[str, tuple[str, ...]]:
    """Product IRI -> its direct inputs (``vc:madeFrom``), every typed product included."""
    found: dict[str, set[str]] = {iri: set() for iri in _instances(store, _VC + "Product")}
    for product_iri, made_of in _pairs(store, _VC + "madeFrom"):
        found.setdefault(product_iri, set()).add(made_of)
    return {iri: tuple(sorted(inputs)) for iri, inputs in found.items()}


def _read_periods(store: StoreBackend) -> dict[str, tuple[str | None, str | None]]:
    """Impact IRI -> (started, ended) as ISO dates; several values widen the period."""
    started: dict[str, str] = {}
    for impact, value in _pairs(store, _VC + "started"):
        started[impact] = min(value[:10], started.get(impact, value[:10]))
    ended: dict[str, str] = {}
    for impact, value in _pairs(store, _VC + "ended"):
        ended[impact] = max(value[:10], ended.get(impact, value[:10]))
    return {i: (started.get(i), ended.get(i)) for i in sorted({*started, *ended})}


def read_projection_rows(
    store: StoreBackend, as_of: str | None, base: str = DEFAULT_BASE
) -> ProjectionRows:
    """Everything the projection of ``store`` is made of, relationships in force on ``as_of``."""
    initiative_names: dict[str, str] = {}
    for row in _select(store, _INITIATIVE_NAMES):
        if row[1] is not None and row[0].value not in initiative_names:
            initiative_names[row[0].value] = row[1].value
    actors = {iri: (name, frozenset(roles)) for iri, (name, roles) in _read_actors(store).items()}
    return ProjectionRows(
        actors=actors,
        relationships=_read_relationships(store, as_of),
        leverage=_read_leverage(store),
        memberships=[(row[0].value, row[1].value) for row in _select(store, _MEMBERSHIPS)],
        initiative_names=initiative_names,
        involvements=_read_involvements(store),
        relationship_sources=_sources(store, _RELATIONSHIP_SOURCES),
        sourced_triples={
            (row[0].value, row[1].value, row[2].value) for row in _select(store, _SOURCED_TRIPLES)
        },
        products=_read_products(store),
        periods=_read_periods(store),
        initiative_scopes=_read_initiative_scopes(store, base),
        screening=read_screening_rows(store),
    )


def build_projection(
    store: StoreBackend, as_of: date | str | None = None, base: str = DEFAULT_BASE
) -> Projection:
    """Project the store's actor network, keeping relationships in force on ``as_of``.

    Parameters
    ----------
    store : the graph store to read.
    as_of : a date; relationships whose validity period excludes it are left out. Leverage
        derived from them disappears with them; asserted leverage has no period and stays.
    base : the id base, used to number nodes in id order.
    """
    with collector_paused():
        # Taken before reading: a write landing during the build makes this projection stale at
        # once, rather than labelling half-old data with the new revision.
        revision = store.revision
        when = as_of.isoformat() if isinstance(as_of, date) else as_of
        return assemble_projection(read_projection_rows(store, when, base), revision, when, base)
