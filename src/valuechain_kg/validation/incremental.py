"""Validate a change to a store by checking only the focus nodes it can affect.

A load or a SPARQL update into a store that already holds a national value chain must still be
checked against the shapes *together with* what the store holds (a relationship may point at an
actor loaded last year), but re-validating every actor of the store for a 20-row CSV bundle
would keep a curator waiting. The OECD Due Diligence Guidance asks that the information base
be kept up to date as circumstances change (Due Diligence Guidance, Section II); that only
works if a curator can add a row without a coffee break.

Which focus nodes can change their results? Every shape in ``shapes/valuechain.ttl`` looks at
most one step away from its focus node F (checked by ``footprint`` below, which refuses any
other shape and so sends the caller to a full run):

* ``sh:targetClass``, ``sh:targetSubjectsOf`` and the ``sh:SPARQLTarget`` queries bind F as the
  *subject* of the triples they read (``?this a vc:BusinessRelationship``, ``?this ?type ?this``);
* property paths are one predicate, an alternative of predicates, or one inverse predicate
  (``^vc:hasSite`` on sites), so the value nodes are F's objects, or F's subjects through that
  one inverse predicate;
* value constraints read the value term itself, except ``sh:class`` (also inside ``sh:or``),
  which reads the value node's ``rdf:type`` (and ``rdfs:subClassOf*`` above it);
* ``sh:disjoint``, ``sh:equals`` and ``sh:lessThanOrEquals`` read F's own other predicates;
* the two SPARQL targets that look two steps away read the triple between two objects of F:
  ``?from ?type ?to`` for a relationship's ``vc:fromActor``/``vc:toActor`` and
  ``?member vc:memberOf ?initiative`` for a membership's ``org:member``/``org:organization``.

So for changed quads (s, p, o) the focus nodes whose results can change are

* every subject s,
* every object o of a predicate read backwards (an inverse path or ``sh:targetObjectsOf``),
* every F with (F, q, s) in the store or the change, q not ``rdf:type``: F's ``sh:class`` check
  or SPARQL target reads s's types and triples. (A class node pointed at with ``rdf:type``
  changes nobody's result, unless the change touches ``rdfs:subClassOf``, which falls back.)

Not every object o: that would be a superset (being an object matters only through an inverse
path), and a harmful one: the object of ``rdf:type`` is a class, and the neighbourhood of
``vc:Actor`` is every actor.

Those focus nodes are checked over a small scratch store holding the part of
(store - removed + added) they read: their own triples, the triples
into them through the inverse predicates, the types of every node those triples mention, the
triples between the object pairs of the SPARQL targets, and every ``rdfs:subClassOf`` triple.
Each focus node's result therefore equals the full run's (tested against the full compiled run
and pyshacl), and every other node's results are unchanged by the change, so they are not
reported again: the report is about what the change touches. A store that was loaded without
validation may hold old violations elsewhere; ``vckg validate`` without files still runs the
full check.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import rdflib
import rdflib.collection

from valuechain_kg.errors import Location
from valuechain_kg.namespaces import ORG, RDF_TYPE, RDFS, SH, VC
from valuechain_kg.store.backend import StoreBackend
from valuechain_kg.validation.compiled.engine import run_plans, validate_quads
from valuechain_kg.validation.compiled.plan import compile_shapes
from valuechain_kg.validation.report import ValidationReport
from valuechain_kg.validation.shapes import load_shapes

__all__ = [
    "FULL_RUN_RATIO",
    "Footprint",
    "affected_focus_nodes",
    "footprint",
    "validate_change",
]

#: A change larger than this share of the store is validated by a full run over a copy: the
#: neighbourhood would then be a large part of the store anyway, and one set-oriented pass
#: over everything is cheaper than many small look-ups.
FULL_RUN_RATIO = 0.3

#: A neighbourhood this small is always worth copying, however small the store.
_SMALL_NEIGHBOURHOOD = 10_000

_SH = rdflib.Namespace(SH)
_TYPE = ox.NamedNode(RDF_TYPE)
_SUBCLASS = ox.NamedNode(RDFS + "subClassOf")
_DEFAULT = ox.DefaultGraph()

Node = ox.NamedNode | ox.BlankNode


def _normal(text: str) -> str:
    return " ".join(text.split())


#: The SPARQL targets whose reach was read by hand (module docstring), keyed by their SELECT
#: text with whitespace collapsed, with the pairs of F's predicates between whose values they
#: read triples. A new or edited SPARQL target is not in this table: ``footprint`` then says
#: no, and the caller validates in full until someone reads the new target and adds it here.
_ANALYSED_TARGETS: dict[str, tuple[tuple[str, str], ...]] = {
    _normal(
        """SELECT ?this WHERE {
                ?this a vc:BusinessRelationship ;
                    vc:fromActor ?from ; vc:toActor ?to ; vc:relationshipType ?type .
                FILTER NOT EXISTS { ?from ?type ?to }
            }"""
    ): ((VC + "fromActor", VC + "toActor"),),
    _normal(
        """SELECT DISTINCT ?this WHERE {
                VALUES ?type { vc:supplies vc:providesServiceTo vc:licensesTechnologyTo"""
        """ vc:providesDataTo vc:sellsTo vc:investsIn vc:finances }
                ?this ?type ?this .
            }"""
    ): (),
    _normal(
        """SELECT ?this WHERE {
                ?this a org:Membership ; org:member ?member ; org:organization ?initiative .
                FILTER NOT EXISTS { ?member vc:memberOf ?initiative }
            }"""
    ): ((ORG + "member", ORG + "organization"),),
}


@dataclass(frozen=True)
class Footprint:
    """How far the shapes look from a focus node: what an incremental run must copy."""

    #: Predicates read from object to subject (inverse paths, ``sh:targetObjectsOf``).
    backward: frozenset[str]
    #: (p1, p2): the shapes read the triples between F's p1 value and F's p2 value.
    pairs: frozenset[tuple[str, str]]


def footprint(shapes: Path | None = None) -> Footprint | None:
    """The reach of the shapes, or None when some shape looks further than one step.

    None means incremental validation would be unsound for these shapes, and the caller must
    validate the whole store.
    """
    return _footprint(load_shapes(shapes))


@lru_cache(maxsize=8)
def _footprint(graph: rdflib.Graph) -> Footprint | None:
    backward: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for path in graph.objects(None, _SH.path):
        if isinstance(path, rdflib.URIRef):
            continue
        inverse = graph.value(path, _SH.inversePath)
        alternatives = graph.value(path, _SH.alternativePath)
        if isinstance(inverse, rdflib.URIRef):
            backward.add(str(inverse))
        elif alternatives is not None and all(
            isinstance(m, rdflib.URIRef) for m in rdflib.collection.Collection(graph, alternatives)
        ):
            continue
        else:
            return None  # a sequence, a closure or a nested path: more than one step
    backward.update(str(p) for p in graph.objects(None, _SH.targetObjectsOf))
    if any(True for _ in graph.objects(None, _SH.targetNode)):
        return None  # a fixed focus node is affected by changes anywhere near it: not analysed
    # Shape-based constraints validate value nodes against further shapes, a step deeper each;
    # SPARQL constraints may read anything. (The compiler refuses them too.)
    for deeper in (_SH.node, _SH.qualifiedValueShape, _SH.sparql):
        if any(True for _ in graph.subjects(deeper, None)):
            return None
    for target in graph.objects(None, _SH.target):
        select = graph.value(target, _SH.select)
        known = _ANALYSED_TARGETS.get(_normal(str(select))) if select is not None else None
        if known is None:
            return None
        pairs.update(known)
    return Footprint(frozenset(backward), frozenset(pairs))


def _named(term: object) -> bool:
    return isinstance(term, ox.NamedNode)


def affected_focus_nodes(
    store: ox.Store, added: Iterable[ox.Quad], removed: Iterable[ox.Quad], reach: Footprint
) -> set[Node]:
    """The nodes whose SHACL results the change can alter (the module docstring's formula).

    ``removed`` are quads of ``store``; ``added`` are not (yet). Only default-graph quads count:
    the shapes validate the default graph.
    """
    change = [q for q in [*added, *removed] if isinstance(q.graph_name, ox.DefaultGraph)]
    found: set[Node] = set()
    subjects: set[Node] = set()
    for quad in change:
        subjects.add(quad.subject)  # type: ignore[arg-type]
        if quad.predicate.value in reach.backward and not isinstance(quad.object, ox.Literal):
            found.add(quad.object)  # type: ignore[arg-type]
    found |= subjects
    for node in subjects:
        for quad in store.quads_for_pattern(None, None, node, _DEFAULT):
            if quad.predicate != _TYPE:
                found.add(quad.subject)  # type: ignore[arg-type]
    for quad in change:
        if quad.object in subjects and quad.predicate != _TYPE:
            found.add(quad.subject)  # type: ignore[arg-type]
    return found


class _Scratch:
    """The part of (store - removed + added) that the affected focus nodes read."""

    def __init__(
        self, store: ox.Store, added: set[ox.Quad], removed: set[ox.Quad], limit: int
    ) -> None:
        self.store = store
        self.added = added
        self.removed = removed
        self.limit = limit
        self.quads: set[ox.Quad] = set(added)

    def take(self, subject: Node | None, predicate: ox.NamedNode | None, obj: object) -> None:
        """Copy the store's quads matching a pattern (minus the removed ones)."""
        for quad in self.store.quads_for_pattern(subject, predicate, obj, _DEFAULT):  # type: ignore[arg-type]
            if quad not in self.removed:
                self.quads.add(quad)
        if len(self.quads) > self.limit:
            raise _TooLarge


class _TooLarge(Exception):
    """The neighbourhood outgrew the point where incremental validation pays."""


def _neighbourhood(
    store: ox.Store,
    focus: set[Node],
    added: set[ox.Quad],
    removed: set[ox.Quad],
    reach: Footprint,
    limit: int,
) -> set[ox.Quad]:
    scratch = _Scratch(store, added, removed, limit)
    for node in focus:
        scratch.take(node, None, None)
        for predicate in reach.backward:
            scratch.take(None, ox.NamedNode(predicate), node)
    by_subject: dict[Node, list[ox.Quad]] = {}
    for quad in scratch.quads:
        by_subject.setdefault(quad.subject, []).append(quad)  # type: ignore[arg-type]
    mentioned: set[Node] = set()
    for quad in list(scratch.quads):
        mentioned.add(quad.subject)  # type: ignore[arg-type]
        if not isinstance(quad.object, ox.Literal):
            mentioned.add(quad.object)  # type: ignore[arg-type]
    for first, second in reach.pairs:
        p1, p2 = ox.NamedNode(first), ox.NamedNode(second)
        for node in focus:
            quads = by_subject.get(node, [])
            starts = {q.object for q in quads if q.predicate == p1}
            ends = {q.object for q in quads if q.predicate == p2}
            for start in starts:
                if isinstance(start, ox.Literal):
                    continue
                for end in ends:
                    for quad in store.quads_for_pattern(start, None, end, _DEFAULT):
                        if quad not in removed:
                            scratch.quads.add(quad)
    for node in mentioned:
        scratch.take(node, _TYPE, None)
    scratch.take(None, _SUBCLASS, None)
    return scratch.quads


def _full(
    store: ox.Store,
    added: set[ox.Quad],
    removed: set[ox.Quad],
    origins: Mapping[str, Location] | None,
    shapes: Path | None,
) -> ValidationReport:
    quads = (q for q in store.quads_for_pattern(None, None, None, _DEFAULT) if q not in removed)
    return validate_quads([*quads, *added], origins=origins, shapes=shapes)


#: Counting the store stops here: enough to size the neighbourhood limit of a small change.
_COUNT_CAP = 1_000_000


def _count_up_to(store: ox.Store, cap: int) -> int:
    """How many quads the store holds, counting no further than ``cap``."""
    return sum(1 for _ in itertools.islice(store.quads_for_pattern(None, None, None, None), cap))


def validate_change(
    store: StoreBackend | ox.Store,
    added: Iterable[ox.Quad] = (),
    removed: Iterable[ox.Quad] = (),
    origins: Mapping[str, Location] | None = None,
    shapes: Path | None = None,
    full_run_ratio: float = FULL_RUN_RATIO,
) -> ValidationReport:
    """SHACL report on ``store`` with ``removed`` taken out and ``added`` put in (store untouched).

    Incremental: the results are those of the focus nodes the change can affect, equal to a
    full run's results about them; the results of every other node are unchanged by the change
    and not repeated. Falls back to a full run over a copy (all results) when the store is
    empty, when the change is more than ``full_run_ratio`` of the store, when the shapes look
    further than one step, or when the change touches blank nodes or ``rdfs:subClassOf``.

    Parameters
    ----------
    store:
        The data before the change; only read.
    added, removed:
        The change; ``removed`` quads not in the store are ignored. Named graphs are not
        validated (as in every other validation entry point).
    origins:
        Node IRI -> the CSV file and line it came from, copied onto its results.
    """
    oxigraph = store if isinstance(store, ox.Store) else store.oxigraph
    # A quad the store already holds (a bundle restating a known actor) changes nothing.
    new = {q for q in added if isinstance(q.graph_name, ox.DefaultGraph)}
    old = {q for q in removed if isinstance(q.graph_name, ox.DefaultGraph)}
    if isinstance(store, ox.Store):
        held = {q for q in new | old if q in store}
    else:
        held = store.held(new | old)
    plus, minus = new - held, old & held
    # Only a lower bound is needed (is the change small beside the store?), and counting a
    # store of millions of quads whole would cost more than the small check itself.
    cap = max(int(len(plus | minus) / full_run_ratio) + 1, _COUNT_CAP)
    # A store backend keeps its size across exact changes: no count at all for most updates.
    size = _count_up_to(oxigraph, cap) if isinstance(store, ox.Store) else store.size()
    if size == 0:
        return validate_quads(plus, origins=origins, shapes=shapes)
    if not plus and not minus:
        return ValidationReport.of([])
    reach = footprint(shapes)
    change = plus | minus
    if (
        reach is None
        or len(change) > full_run_ratio * size
        or any(q.predicate == _SUBCLASS for q in change)
        or any(isinstance(t, ox.BlankNode) for q in change for t in (q.subject, q.object))
    ):
        return _full(oxigraph, plus, minus, origins, shapes)
    focus = affected_focus_nodes(oxigraph, plus, minus, reach)
    if any(isinstance(node, ox.BlankNode) for node in focus):
        return _full(oxigraph, plus, minus, origins, shapes)
    try:
        limit = max(int(full_run_ratio * size), _SMALL_NEIGHBOURHOOD)
        quads = _neighbourhood(oxigraph, focus, plus, minus, reach, limit)
    except _TooLarge:
        return _full(oxigraph, plus, minus, origins, shapes)
    scratch = ox.Store()
    scratch.extend(quads)
    plans = compile_shapes(load_shapes(shapes))
    iris = {node.value for node in focus}
    # The scratch store is small, so it is validated whole and the focus nodes' results kept:
    # one set-oriented pass over a small store beats binding the focus nodes with VALUES, which
    # makes Oxigraph join from every bound node in turn. The other nodes in it (value nodes
    # with only their types) would report missing data that they do not lack in the store, so
    # their results are dropped.
    everything = run_plans(scratch, plans, None, origins or {})
    return ValidationReport.of([r for r in everything.results if r.focus_node in iris])
