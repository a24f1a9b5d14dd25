"""Per-value SHACL tests with pyshacl's exact semantics, for the constraints SPARQL cannot mirror.

Oxigraph and rdflib disagree at the edges of literal semantics: what counts as an ill-typed
literal, how a regular expression's ``$`` treats a final newline, how a string compares with a
number. The verdicts must equal pyshacl's, so ``sh:datatype``, ``sh:pattern``,
``sh:minInclusive``/``sh:maxInclusive`` and ``sh:lessThanOrEquals`` are decided here, in Python,
over rdflib terms, following pyshacl 0.40's constraint components line by line. The engine only
sends *distinct* values here (the country codes of a value chain, not one per actor), so this
costs little; Oxigraph does the joins. ``to_rdflib_term`` is the bridge: the term Oxigraph
returns, as rdflib (and so pyshacl) would hold it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal

import pyoxigraph as ox
import rdflib
from pyshacl.rdfutil.compare import compare_literal

from valuechain_kg.namespaces import RDF, RDFS, XSD

__all__ = [
    "ValueTest",
    "datatype_test",
    "less_or_equal",
    "max_inclusive_test",
    "min_inclusive_test",
    "pattern_test",
    "to_rdflib_term",
]

#: A test of one value node: True when the value conforms.
ValueTest = Callable[[rdflib.term.Node], bool]

_XSD_STRING = rdflib.URIRef(XSD + "string")
_LANG_STRING = rdflib.URIRef(RDF + "langString")
_PLAIN = (XSD + "string", RDF + "langString")
_ACTUAL: dict[str, type | tuple[type, ...]] = {
    XSD + "string": (str, bytes),
    RDF + "langString": (str, bytes),
    XSD + "integer": int,
    XSD + "float": float,
    XSD + "decimal": Decimal,
    XSD + "boolean": bool,
    XSD + "date": date,
    XSD + "time": time,
    XSD + "dateTime": datetime,
}


def to_rdflib_term(term: object) -> rdflib.term.Identifier:
    """The rdflib twin of a pyoxigraph term (plain xsd:string literals stay plain).

    >>> to_rdflib_term(ox.Literal("4", datatype=ox.NamedNode(XSD + "integer"))).toPython()
    4
    """
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype in _PLAIN:
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(datatype))
    raise TypeError(f"cannot validate an RDF term of type {type(term).__name__}")


def _actual_datatype(value: rdflib.Literal, rule: rdflib.URIRef) -> bool:
    expected = _ACTUAL.get(str(rule))
    return True if expected is None else isinstance(value.value, expected)


def datatype_test(rule: rdflib.URIRef) -> ValueTest:
    """``sh:datatype``: a literal of that datatype, not ill-typed (SHACL 4.1.2)."""

    def test(v: rdflib.term.Node) -> bool:
        if not isinstance(v, rdflib.Literal):
            return False
        if v.datatype == rule:
            if getattr(v, "ill_typed", None) is True:
                return False
            return _actual_datatype(v, rule)
        if rule == rdflib.URIRef(RDFS + "Literal"):
            return True
        if rule == rdflib.URIRef(RDFS + "Datatype") and v.datatype:
            return True
        if v.datatype is None and v.language is None and rule == _XSD_STRING:
            return _actual_datatype(v, rule)
        if rule == _LANG_STRING and v.language:
            return _actual_datatype(v, rule)
        return False

    return test


def _as_string(v: rdflib.term.Node) -> str:
    if not isinstance(v, rdflib.Literal):
        return str(v)
    if v.value is not None and v.datatype in (None, _LANG_STRING, _XSD_STRING):
        return str(v.value)
    return str(v)


def pattern_test(pattern: str, flags: str | None) -> ValueTest:
    """``sh:pattern`` with Python's ``re`` as pyshacl uses it (SHACL 4.4.3)."""
    re_flags = 0
    if flags:
        lowered = flags.lower()
        re_flags |= re.I if "i" in lowered else 0
        re_flags |= re.M if "m" in lowered else 0
    matcher = re.compile(pattern, re_flags)

    def test(v: rdflib.term.Node) -> bool:
        if isinstance(v, rdflib.BNode):
            return False
        text = _as_string(v)
        return bool(matcher.match(text) or matcher.search(text))

    return test


def _range_test(bound: rdflib.Literal, accept: Callable[[int], bool]) -> ValueTest:
    bound_is_string = isinstance(bound.value, str)

    def test(v: rdflib.term.Node) -> bool:
        if not isinstance(v, rdflib.Literal):
            return False
        if isinstance(v.value, str) != bound_is_string:
            return False
        try:
            return accept(compare_literal(v, bound))
        except (TypeError, NotImplementedError):
            return False

    return test


def min_inclusive_test(bound: rdflib.Literal) -> ValueTest:
    """``sh:minInclusive`` (SHACL 4.3.3): incomparable values fail."""
    return _range_test(bound, lambda c: c >= 0)


def max_inclusive_test(bound: rdflib.Literal) -> ValueTest:
    """``sh:maxInclusive`` (SHACL 4.3.4): incomparable values fail."""
    return _range_test(bound, lambda c: c <= 0)


def less_or_equal(value: rdflib.term.Node, other: rdflib.term.Node) -> bool:
    """``sh:lessThanOrEquals`` for one pair (SHACL 4.5.4), as pyshacl compares them.

    IRIs and string literals compare as text, and only with each other; anything else compares
    by rdflib's ``<=``; a pair rdflib cannot order fails.
    """
    if isinstance(value, rdflib.BNode) or isinstance(other, rdflib.BNode):
        raise NotImplementedError("sh:lessThanOrEquals cannot compare a blank node")
    left, left_text = _comparable(value)
    right, right_text = _comparable(other)
    if left_text != right_text:
        return False
    try:
        return bool(left <= right)  # type: ignore[operator]
    except TypeError:
        return False


def _comparable(term: rdflib.term.Node) -> tuple[object, bool]:
    if isinstance(term, rdflib.URIRef):
        return str(term), True
    if isinstance(term, rdflib.Literal) and isinstance(term.value, str):
        return term.value, True
    return term, False
