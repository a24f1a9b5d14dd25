"""Ids as people type them (bare slug, CURIE, full IRI) and as answers show them."""

from __future__ import annotations

from valuechain_kg.errors import UsageError
from valuechain_kg.namespaces import PREFIXES

_IRI_SCHEMES = ("http://", "https://", "urn:", "file:", "tag:")


def expand(identifier: str, base: str) -> str:
    """The IRI an id names: a full IRI as it is, a CURIE with a known prefix, else ``base + id``."""
    text = identifier.strip()
    if not text:
        raise UsageError("an empty id names nothing")
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    if text.startswith(_IRI_SCHEMES):
        return text
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES:
        return (base if prefix == "vcid" else PREFIXES[prefix]) + local
    return base + text


def compact(iri: str, base: str) -> str:
    """The id an answer shows: the local part under the base, else a CURIE, else the full IRI."""
    if iri.startswith(base) and len(iri) > len(base):
        return iri[len(base) :]
    for prefix, namespace in PREFIXES.items():
        if prefix != "vcid" and iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri
