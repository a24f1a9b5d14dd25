"""SPARQL updates as one validated transaction: all of it, checked against the shapes, or nothing.

An update is first run on a scratch copy of the store. Only if the result breaks no shape with
Violation severity is the difference (quads removed, quads added) written to the real store, so
on a Violation the real store is never touched and ends exactly as before. Running on a copy
also means the real store sees the update's exact effect even when the update uses ``BNODE()``,
``UUID()`` or ``NOW()``, which would differ on a second run. Updates are serialised by a lock:
two concurrent updates must not both validate against the same old state.

The cost is a copy of the store per update, acceptable for the curated graphs this endpoint
serves; bulk loads go through ``vckg load`` instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from valuechain_kg.errors import ValidationFailed
from valuechain_kg.namespaces import PREFIXES
from valuechain_kg.store import GraphStore

__all__ = ["UpdateOutcome", "Validator", "apply_validated_update", "has_violation"]

Validator = Callable[[Sequence[ox.Quad]], object]

_LOCK = threading.Lock()


@dataclass(frozen=True)
class UpdateOutcome:
    """What an accepted update changed."""

    added: int
    removed: int
    triples_after: int


def has_violation(report: object) -> bool:
    """Whether a SHACL report holds a result of Violation severity (warnings do not block)."""
    flag = getattr(report, "has_violations", None)
    if isinstance(flag, bool):
        return flag
    violations = getattr(report, "violations", None)
    if violations is not None and not callable(violations):
        return len(violations) > 0
    return not bool(getattr(report, "conforms", True))


def shacl_validator(quads: Sequence[ox.Quad]) -> object:
    """The project's shapes over the given quads (``valuechain_kg.validation``)."""
    from valuechain_kg.validation import validate

    return validate(list(quads))


def apply_validated_update(
    store: GraphStore,
    update: str,
    base_iri: str | None = None,
    validator: Validator = shacl_validator,
    before_commit: Callable[[], None] | None = None,
) -> UpdateOutcome:
    """Run ``update`` on a copy, validate the result, then write its difference to ``store``.

    Raises SyntaxError for an update that does not parse, ValidationFailed (store untouched)
    when the result violates a shape, and whatever ``before_commit`` raises (for example a
    deadline that has passed: the client was already told the update failed).
    """
    with _LOCK:
        before = set(store.quads())
        scratch = ox.Store()
        scratch.extend(before)
        scratch.update(update, base_iri=base_iri, prefixes=PREFIXES)
        after = set(scratch.quads_for_pattern(None, None, None, None))
        report = validator(list(after))
        if has_violation(report):
            raise ValidationFailed(report, "the update would violate the shapes; nothing changed")
        if before_commit is not None:
            before_commit()
        removed = before - after
        added = after - before
        if removed:
            store.remove(removed)
        if added:
            store.add(added)
        return UpdateOutcome(added=len(added), removed=len(removed), triples_after=len(store))
