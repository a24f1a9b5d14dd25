"""Compile the project's SHACL shapes into a plan of SPARQL queries and per-value tests.

Only the SHACL constructs that ``shapes/`` uses are compiled; anything else raises
``ShapeCompileError`` naming the construct and the shape, so that a future shape is never
silently skipped (a skipped shape would let unsourced claims in, against the Due Diligence
Guidance, Section II). Each property shape becomes one ``PropertyPlan``: its focus-node pattern (the
targets of the node shapes that hold it, or its own), its path, and its constraints split into
what SPARQL decides exactly (counts, node kinds, ``sh:in``, classes, property pairs) and what
Python decides over distinct values with pyshacl's semantics (``values.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import rdflib
import rdflib.collection

from valuechain_kg.errors import ShapeCompileError
from valuechain_kg.namespaces import RDF_TYPE, SH, curie
from valuechain_kg.validation.compiled import values

__all__ = ["PropertyPlan", "compile_shapes"]

_SH = rdflib.Namespace(SH)
#: On an sh:SPARQLTarget, a query selecting the same nodes as its sh:select, written for a run
#: over the whole graph: each property read whole in a subquery, so that the engine joins them
#: by hashing instead of one index lookup per node, and a MINUS in place of a FILTER NOT EXISTS.
#: sh:select stays the query of a run over a few focus nodes, where lookups are the fast way.
_WHOLE_GRAPH_SELECT = rdflib.URIRef("https://w3id.org/valuechain/shapes#wholeGraphSelect")
_RDF_TYPE = rdflib.URIRef(RDF_TYPE)

#: Predicates of a property shape that are not constraints, or constraints handled below.
_STRUCTURE = {
    _SH.path, _SH.severity, _SH.message, _SH.name, _SH.description, _SH.order, _SH.group,
    _SH.targetClass, _SH.targetSubjectsOf, _SH.targetObjectsOf, _SH.targetNode, _SH.target,
    _SH.property,
}  # fmt: skip
_COMPILED = {
    _SH.minCount, _SH.maxCount, _SH.datatype, _SH["class"], _SH.nodeKind, _SH["in"],
    _SH.pattern, _SH.flags, _SH.minInclusive, _SH.maxInclusive, _SH.lessThanOrEquals,
    _SH.disjoint, _SH.equals, _SH["not"], _SH["or"],
}  # fmt: skip
_NODE_KINDS = {
    _SH.IRI: "isIRI(?value)",
    _SH.Literal: "isLiteral(?value)",
    _SH.BlankNode: "isBlank(?value)",
    _SH.BlankNodeOrIRI: "(isBlank(?value) || isIRI(?value))",
    _SH.BlankNodeOrLiteral: "(isBlank(?value) || isLiteral(?value))",
    _SH.IRIOrLiteral: "(isIRI(?value) || isLiteral(?value))",
}


@dataclass(frozen=True)
class PropertyPlan:
    """One property shape, ready to run: every query binds ``?this`` (and ``?value``)."""

    shape: str
    message: str
    severity: str
    #: SPARQL group patterns binding ?this; ``{focus}`` is replaced by a VALUES clause or "".
    targets: tuple[str, ...]
    path: str
    path_text: str | None
    #: Targets that pick out few nodes (sh:targetNode, SPARQL targets): a full run starts
    #: from them rather than from the candidates of each constraint.
    narrow_targets: bool = False
    min_count: int | None = None
    max_count: int | None = None
    #: SPARQL boolean expressions over ?value (and ?this) that are true for a bad value.
    bad_value_filters: tuple[str, ...] = ()
    #: The same filters without the class and disjointness tests, which a full run decides
    #: apart (per class over distinct values; by a join).
    plain_filters: tuple[str, ...] = ()
    #: Each sh:class (one class) or sh:or of classes (its alternatives): a value that is an
    #: instance of none of a group is bad. Also part of ``bad_value_filters``.
    class_groups: tuple[tuple[str, ...], ...] = ()
    #: Python tests of one value; a value failing any of them is bad.
    value_tests: tuple[values.ValueTest, ...] = ()
    #: sh:lessThanOrEquals properties (decided per value pair in Python).
    less_or_equals: tuple[str, ...] = ()
    #: sh:equals properties: each value of one side missing from the other is bad.
    equals: tuple[str, ...] = ()
    #: sh:disjoint properties: a value shared with one of them is bad (in the filters too).
    disjoint: tuple[str, ...] = ()
    prefixes: dict[str, str] = field(default_factory=dict)
    #: The targets as a run over the whole graph selects them: ``targets`` with each SPARQL
    #: target replaced by its ``vcsh:wholeGraphSelect`` where it has one (see ``_targets``).
    whole_targets: tuple[str, ...] = ()


def _iri(term: rdflib.term.Node) -> str:
    return f"<{term}>"


def _unsupported(shape: rdflib.term.Node, construct: str) -> ShapeCompileError:
    return ShapeCompileError(construct, str(shape))


def _unknown(graph: rdflib.Graph, shape: rdflib.term.Node, known: set[rdflib.URIRef]) -> str:
    """The SHACL predicates of a shape outside ``known``, as CURIEs in a stable order."""
    found = {str(p) for p in graph.predicates(shape) if str(p).startswith(SH) and p not in known}
    return ", ".join(curie(p) for p in sorted(found))


def _path(graph: rdflib.Graph, shape: rdflib.term.Node) -> tuple[str, str | None]:
    """The SPARQL path and the text ``validation`` reports for it (None for complex paths)."""
    path = graph.value(shape, _SH.path)
    if isinstance(path, rdflib.URIRef):
        return _iri(path), str(path)
    if isinstance(path, rdflib.BNode):
        inverse = graph.value(path, _SH.inversePath)
        if isinstance(inverse, rdflib.URIRef):
            return f"^{_iri(inverse)}", f"^{inverse}"
        alternatives = graph.value(path, _SH.alternativePath)
        if alternatives is not None:
            members = list(rdflib.collection.Collection(graph, alternatives))
            if all(isinstance(m, rdflib.URIRef) for m in members):
                return "(" + "|".join(_iri(m) for m in members) + ")", None
    raise _unsupported(shape, f"the sh:path {path!r}")


def _iri_list(graph: rdflib.Graph, shape: rdflib.term.Node, node: rdflib.term.Node) -> list[str]:
    members = list(rdflib.collection.Collection(graph, node))
    if not all(isinstance(m, rdflib.URIRef) for m in members):
        raise _unsupported(shape, "sh:in with literal or blank members")
    return [_iri(m) for m in members]


def _instance_of(classes: tuple[str, ...]) -> str:
    """True when ?value is a SHACL instance of one of the classes (SHACL 2.1.3.1).

    Typed with the class, or with a subclass: the same as ``rdf:type/rdfs:subClassOf*``, written
    without the zero-length path, which Virtuoso fails to match from a bound node whose class
    has no rdfs:subClassOf triple in the queried graph.
    """
    typed = "EXISTS {{ ?value <{t}> {c} }} || EXISTS {{ ?value <{t}>/rdfs:subClassOf+ {c} }}"
    return " || ".join(typed.format(t=RDF_TYPE, c=c) for c in classes)


def _bad(plan: dict[str, list], expression: str) -> None:  # type: ignore[type-arg]
    """A SPARQL test that is true for a bad value."""
    plan["filters"].append(expression)
    plan["plain"].append(expression)


def _bad_class(plan: dict[str, list], classes: tuple[str, ...]) -> None:  # type: ignore[type-arg]
    """A value must be an instance of one of ``classes``: a filter, and a group a full run
    decides once per class over the distinct values."""
    plan["filters"].append(f"!({_instance_of(classes)})")
    plan["classes"].append(classes)


def _only(graph: rdflib.Graph, node: rdflib.term.Node, shape: rdflib.term.Node) -> rdflib.URIRef:
    """The single constraint parameter of an inner blank node shape (``[ sh:class X ]``)."""
    pairs = [(p, o) for p, o in graph.predicate_objects(node) if p != _RDF_TYPE]
    if len(pairs) != 1:
        raise _unsupported(shape, "an inner shape with other than one constraint")
    return pairs[0][0]  # type: ignore[return-value]


def _or(graph: rdflib.Graph, shape: rdflib.term.Node, plan: dict[str, list]) -> None:  # type: ignore[type-arg]
    for node in graph.objects(shape, _SH["or"]):
        members = list(rdflib.collection.Collection(graph, node))
        kinds = {_only(graph, m, shape) for m in members}
        if kinds == {_SH["class"]}:
            classes = [graph.value(m, _SH["class"]) for m in members]
            _bad_class(plan, tuple(_iri(c) for c in classes))  # type: ignore[arg-type]
        elif kinds == {_SH.datatype}:
            tests = [values.datatype_test(graph.value(m, _SH.datatype)) for m in members]  # type: ignore[arg-type]
            plan["tests"].append(lambda v, tests=tests: any(t(v) for t in tests))
        else:
            raise _unsupported(shape, "sh:or over other than all sh:class or all sh:datatype")


def _not(graph: rdflib.Graph, shape: rdflib.term.Node, plan: dict[str, list]) -> None:  # type: ignore[type-arg]
    for node in graph.objects(shape, _SH["not"]):
        if _only(graph, node, shape) != _SH["in"]:
            raise _unsupported(shape, "sh:not over other than sh:in")
        allowed = _iri_list(graph, shape, graph.value(node, _SH["in"]))  # type: ignore[arg-type]
        _bad(plan, f"(isIRI(?value) && ?value IN ({', '.join(allowed)}))")


def _constraints(graph: rdflib.Graph, shape: rdflib.term.Node) -> dict[str, list]:  # type: ignore[type-arg]
    plan: dict[str, list] = {  # type: ignore[type-arg]
        "filters": [], "plain": [], "classes": [], "tests": [], "ltoe": [], "equals": [],
        "disjoint": [],
    }  # fmt: skip
    unknown = _unknown(graph, shape, _STRUCTURE | _COMPILED)
    if unknown:
        raise _unsupported(shape, f"the constraint {unknown}")
    for node in graph.objects(shape, _SH.nodeKind):
        if node not in _NODE_KINDS:
            raise _unsupported(shape, f"sh:nodeKind {curie(str(node))}")
        _bad(plan, f"!{_NODE_KINDS[node]}")  # type: ignore[index]
    for node in graph.objects(shape, _SH["in"]):
        allowed = _iri_list(graph, shape, node)
        _bad(plan, f"(!isIRI(?value) || ?value NOT IN ({', '.join(allowed)}))")
    for other in graph.objects(shape, _SH.disjoint):
        plan["filters"].append(f"EXISTS {{ ?this {_iri(other)} ?value }}")
        plan["disjoint"].append(_iri(other))
    for other in graph.objects(shape, _SH.equals):
        _bad(plan, f"NOT EXISTS {{ ?this {_iri(other)} ?value }}")
        plan["equals"].append(_iri(other))
    for cls in graph.objects(shape, _SH["class"]):
        _bad_class(plan, (_iri(cls),))
    for datatype in graph.objects(shape, _SH.datatype):
        plan["tests"].append(values.datatype_test(datatype))  # type: ignore[arg-type]
    flags = graph.value(shape, _SH.flags)
    for pattern in graph.objects(shape, _SH.pattern):
        plan["tests"].append(values.pattern_test(str(pattern), str(flags) if flags else None))
    for bound in graph.objects(shape, _SH.minInclusive):
        plan["tests"].append(values.min_inclusive_test(bound))  # type: ignore[arg-type]
    for bound in graph.objects(shape, _SH.maxInclusive):
        plan["tests"].append(values.max_inclusive_test(bound))  # type: ignore[arg-type]
    plan["ltoe"] = [_iri(o) for o in graph.objects(shape, _SH.lessThanOrEquals)]
    _not(graph, shape, plan)
    _or(graph, shape, plan)
    return plan


def _count(graph: rdflib.Graph, shape: rdflib.term.Node, predicate: rdflib.URIRef) -> int | None:
    found = [int(o) for o in graph.objects(shape, predicate)]  # type: ignore[call-overload]
    if len(found) > 1:
        raise _unsupported(shape, f"several {curie(str(predicate))}")
    return found[0] if found else None


def _prefixes(graph: rdflib.Graph, target: rdflib.term.Node) -> dict[str, str]:
    found: dict[str, str] = {}
    for source in graph.objects(target, _SH.prefixes):
        for declaration in graph.objects(source, _SH.declare):
            prefix = graph.value(declaration, _SH.prefix)
            namespace = graph.value(declaration, _SH.namespace)
            found[str(prefix)] = str(namespace)
    return found


#: Opens the target patterns that pick out few nodes (a SPARQL comment, so it changes nothing).
_NARROW = "# narrow\n"


def _targets(
    graph: rdflib.Graph, shape: rdflib.term.Node
) -> tuple[list[str], list[str], dict[str, str]]:
    """Group patterns binding ?this to the focus nodes of a shape's declared targets, as a
    focused run and as a run over the whole graph select them, and the prefixes they need."""
    patterns: list[str] = []
    whole: list[str] = []
    prefixes: dict[str, str] = {}
    for cls in graph.objects(shape, _SH.targetClass):
        # An instance of the class or of a subclass (see ``_instance_of``).
        typed = f"{{ ?this <{RDF_TYPE}> {_iri(cls)} }}"
        typed += f" UNION {{ ?this <{RDF_TYPE}>/rdfs:subClassOf+ {_iri(cls)} }}"
        patterns.append(f"{{focus}} {typed}")
    for prop in graph.objects(shape, _SH.targetSubjectsOf):
        patterns.append(f"{{focus}} ?this {_iri(prop)} ?any_object .")
    for prop in graph.objects(shape, _SH.targetObjectsOf):
        patterns.append(f"{{focus}} ?any_subject {_iri(prop)} ?this .")
    for node in graph.objects(shape, _SH.targetNode):
        if not isinstance(node, rdflib.URIRef):
            raise _unsupported(shape, "sh:targetNode with a literal or blank node")
        patterns.append(f"{_NARROW}{{focus}} VALUES ?this {{ {_iri(node)} }}")
    whole.extend(patterns)
    for target in graph.objects(shape, _SH.target):
        select = graph.value(target, _SH.select)
        if (target, _RDF_TYPE, _SH.SPARQLTarget) not in graph or select is None:
            raise _unsupported(shape, "an sh:target that is not an sh:SPARQLTarget")
        text = str(select)
        where = text.find("{")
        # The incremental VALUES goes inside the target query, so that Oxigraph starts there.
        query = text[: where + 1] + " {focus} " + text[where + 1 :]
        patterns.append(f"{_NARROW}{{ {query} }}")
        whole_graph = graph.value(target, _WHOLE_GRAPH_SELECT)
        whole.append(f"{_NARROW}{{ {text if whole_graph is None else whole_graph} }}")
        prefixes.update(_prefixes(graph, target))
    return patterns, whole, prefixes


def _plan(
    graph: rdflib.Graph,
    shape: rdflib.term.Node,
    targets: tuple[list[str], list[str], dict[str, str]],
) -> PropertyPlan:
    if not isinstance(shape, rdflib.URIRef):
        raise _unsupported(shape, "a property shape without an IRI")
    messages = sorted(str(m) for m in graph.objects(shape, _SH.message))
    if not messages:
        raise _unsupported(shape, "a shape without sh:message (pyshacl's default messages)")
    if graph.value(shape, _SH.deactivated) is not None:
        raise _unsupported(shape, "sh:deactivated")
    severity = graph.value(shape, _SH.severity) or _SH.Violation
    path, path_text = _path(graph, shape)
    parts = _constraints(graph, shape)
    focused, whole, prefixes = targets
    return PropertyPlan(
        shape=str(shape),
        message=messages[0],
        severity=str(severity).removeprefix(SH),
        targets=tuple(focused),
        whole_targets=tuple(whole),
        path=path,
        narrow_targets=any(t.startswith(_NARROW) for t in focused),
        path_text=path_text,
        min_count=_count(graph, shape, _SH.minCount),
        max_count=_count(graph, shape, _SH.maxCount),
        bad_value_filters=tuple(parts["filters"]),
        plain_filters=tuple(parts["plain"]),
        class_groups=tuple(parts["classes"]),
        value_tests=tuple(parts["tests"]),
        less_or_equals=tuple(parts["ltoe"]),
        equals=tuple(parts["equals"]),
        disjoint=tuple(parts["disjoint"]),
        prefixes=prefixes,
    )


def compile_shapes(graph: rdflib.Graph) -> list[PropertyPlan]:
    """Every property shape of a shapes graph with the focus nodes it applies to.

    Raises ShapeCompileError for a construct the compiler does not know, including
    constraints placed directly on a node shape.
    """
    return list(_compile(graph))


@lru_cache(maxsize=8)
def _compile(graph: rdflib.Graph) -> tuple[PropertyPlan, ...]:
    plans: list[PropertyPlan] = []
    node_shapes = set(graph.subjects(_RDF_TYPE, _SH.NodeShape)) | set(
        graph.subjects(_SH.property, None)
    )
    for node_shape in sorted(node_shapes, key=str):
        unknown = _unknown(graph, node_shape, _STRUCTURE)
        if unknown:
            raise _unsupported(node_shape, f"a node-shape constraint {unknown}")
        targets = _targets(graph, node_shape)
        if not targets[0]:
            continue
        for prop in sorted(graph.objects(node_shape, _SH.property), key=str):
            plans.append(_plan(graph, prop, targets))
    for prop in sorted(set(graph.subjects(_RDF_TYPE, _SH.PropertyShape)), key=str):
        targets = _targets(graph, prop)
        if targets[0]:
            plans.append(_plan(graph, prop, targets))
    return tuple(plans)
