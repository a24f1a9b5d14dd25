"""Readable RDF: graphs written with the project's prefixes, whatever the format.

pyoxigraph writes Turtle with ``@prefix`` lines when given prefixes, but its JSON-LD has no
``@context`` and full IRIs everywhere. ``write_graph`` gives Turtle its prefixes and writes
JSON-LD itself: an ``@context`` of the project's prefixes, CURIEs for IRIs under them, one node
object per run of triples with the same subject (a subject met again later gets another node
object, which JSON-LD processors merge), so a large answer is streamed, never held.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Protocol

import pyoxigraph as ox

from valuechain_kg.namespaces import PREFIXES, curie

__all__ = ["Writable", "jsonld_context", "write_graph"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class Writable(Protocol):
    def write(self, data: bytes, /) -> object: ...


def jsonld_context(prefixes: dict[str, str] = PREFIXES) -> dict[str, str]:
    """The ``@context`` of every JSON-LD document this project writes."""
    return dict(prefixes)


def _iri(term: ox.NamedNode | ox.BlankNode) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return curie(term.value)


def _value(term: object) -> dict[str, object]:
    if isinstance(term, ox.Literal):
        value: dict[str, object] = {"@value": term.value}
        if term.language:
            value["@language"] = term.language
        elif term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
            value["@type"] = curie(term.datatype.value)
        return value
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        return {"@id": _iri(term)}
    raise ValueError("JSON-LD here has no form for an RDF-star triple term")


def _write_jsonld(triples: Iterable[ox.Triple], output: Writable) -> None:
    output.write(b'{"@context": ' + json.dumps(jsonld_context()).encode() + b', "@graph": [')
    subject: object = None
    node: dict[str, list[object]] = {}
    first = True

    def flush() -> None:
        nonlocal first
        if subject is None:
            return
        document = {"@id": _iri(subject), **node}  # type: ignore[arg-type]
        output.write((b"" if first else b",") + b"\n" + json.dumps(document).encode())
        first = False

    for triple in triples:
        if triple.subject != subject:
            flush()
            subject, node = triple.subject, {}
        if not isinstance(subject, ox.NamedNode | ox.BlankNode):
            raise ValueError("JSON-LD here has no form for an RDF-star triple term")
        if triple.predicate.value == RDF_TYPE and isinstance(triple.object, ox.NamedNode):
            node.setdefault("@type", []).append(curie(triple.object.value))
        else:
            node.setdefault(curie(triple.predicate.value), []).append(_value(triple.object))
    flush()
    output.write(b"\n]}\n")


def write_graph(
    triples: Iterable[ox.Triple],
    output: Writable,
    fmt: ox.RdfFormat,
    extra_prefixes: dict[str, str] | None = None,
) -> None:
    """Serialise ``triples`` to ``output`` in ``fmt``, with the project's prefixes where it can.

    ``extra_prefixes`` are for Turtle only (the service and VoID descriptions' vocabularies);
    JSON-LD's context is always the project's own.
    """
    if fmt == ox.RdfFormat.JSON_LD:
        _write_jsonld(triples, output)
    elif fmt == ox.RdfFormat.TURTLE:
        prefixes = {**PREFIXES, **(extra_prefixes or {})}
        ox.serialize(triples, output, format=fmt, prefixes=prefixes)  # type: ignore[arg-type]
    else:
        ox.serialize(triples, output, format=fmt)  # type: ignore[arg-type]
