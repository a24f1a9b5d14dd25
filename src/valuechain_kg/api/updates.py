"""SPARQL updates as one validated transaction: all of it, checked against the shapes, or nothing.

An update is first run on a scratch copy of the store. Only if the result breaks no shape with
Violation severity is the difference (quads removed, quads added) written to the real store, so
on a Violation the real store is never touched and ends exactly as before. Running on a copy
also means the real store sees the update's exact effect even when the update uses ``BNODE()``,
``UUID()`` or ``NOW()``, which would differ on a second run. Updates are serialised by a lock:
two concurrent updates must not both validate against the same old state.

The result is validated incrementally (``shacl_compiled.validate_change``): only the focus
nodes that the difference can affect are checked, over their neighbourhood in the store plus the
difference, with pyshacl's verdicts; a store of a million actors is not re-validated for one
changed triple (issue 7). The copy of the store per update remains (a SPARQL update may read
anything); bulk loads go through ``vckg load`` instead.
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
    validator: Validator | None = None,
    before_commit: Callable[[], None] | None = None,
) -> UpdateOutcome:
    """Run ``update`` on a copy, validate the result, then write its difference to ``store``.

    ``validator`` None (the default) validates the difference incrementally against the store;
    a given validator gets every quad of the result instead (e.g. ``shacl_validator``, pyshacl).

    Raises SyntaxError for an update that does not parse, ValidationFailed (store untouched)
    when the result violates a shape, and whatever ``before_commit`` raises (for example a
    deadline that has passed: the client was already told the update failed).
    """
    with _LOCK:
        live = store.oxigraph
        scratch = ox.Store()
        scratch.extend(live.quads_for_pattern(None, None, None, None))
        scratch.update(update, base_iri=base_iri, prefixes=PREFIXES)
        # Membership tests on the two stores' indexes, not two Python sets of the whole store;
        # |after| = |before| - |removed| + |added|, so an update that removed nothing (most
        # inserts) needs no second pass over the store.
        added = [q for q in scratch.quads_for_pattern(None, None, None, None) if q not in live]
        removed: list[ox.Quad] = []
        if len(live) + len(added) != len(scratch):
            removed = [
                q for q in live.quads_for_pattern(None, None, None, None) if q not in scratch
            ]
        if validator is None:
            from valuechain_kg.shacl_compiled import validate_change

            report: object = validate_change(store, added=added, removed=removed)
        else:
            report = validator(list(scratch.quads_for_pattern(None, None, None, None)))
        if has_violation(report):
            raise ValidationFailed(report, "the update would violate the shapes; nothing changed")
        if before_commit is not None:
            before_commit()
        if removed:
            store.remove(removed)
        if added:
            store.add(added)
        return UpdateOutcome(added=len(added), removed=len(removed), triples_after=len(store))
