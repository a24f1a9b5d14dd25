"""The one writer: loads and SPARQL updates, each validated and applied as one transaction.

Every write to the store goes through this module, under its one lock, so two writes never
validate against the same old state (a load and an update alike), and each write's counts come
from its own change, never from counting the store.

A load is validated incrementally against the store (``validation.validate_change``), then
added in one transaction: all of it, or nothing.

An update's difference (quads removed, quads added) is computed against the live store
without copying it (``service.update_plan``): data blocks are their own difference, and a
DELETE/INSERT's WHERE is evaluated once on the live store and its templates instantiated over
those solutions, so ``BNODE()``, ``UUID()`` and ``NOW()`` take one value each. What the planner
does not compute (graph management, ``WITH``, ``USING``, a WHERE after an earlier operation of
the same request) is run on a scratch copy of the store instead. Only if the difference breaks
no shape with Violation severity is it written to the real store, so on a Violation the real
store is never touched and ends exactly as before. Updates are serialised by a lock: two
concurrent updates must not both validate against the same old state.

The difference is committed as ONE transaction (``GraphStore.apply_change``: a single
``DELETE DATA ... ; INSERT DATA ...`` update), so readers see the store before or after the
update and a crash at any moment leaves one of the two. Removed quads with blank nodes are
no exception: they are bound to their exact terms inside that same update
(``valuechain_kg.store.changes``), so every update that validates can be committed atomically
and none needs running a second time on the live store.

Named graphs are gated too: each named graph the update touches is validated on its own, as
if its quads were the default graph, over that graph's contents before the update plus the
change to it. Not the union with the default graph: queries read the default graph alone
(``api.sparql``), so a graph is a dataset of its own and must hold up by itself; a
relationship put in a named graph needs its actors typed in that graph too.

The result is validated incrementally (``validation.validate_change``): only the focus
nodes that the difference can affect are checked, over their neighbourhood in the store plus the
difference, with pyshacl's verdicts; a national value chain is not re-validated for one
changed triple. Its text passes ``sparql_guard`` here,
whatever face sent it, so no update can reach the network or the parser's limits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from valuechain_kg.errors import Location, ValidationFailed
from valuechain_kg.namespaces import PREFIXES
from valuechain_kg.service.update_plan import plan_update
from valuechain_kg.sparql_guard import check_update
from valuechain_kg.store.backend import StoreBackend
from valuechain_kg.store.staging import Staging

if TYPE_CHECKING:
    from valuechain_kg.store import GraphStore
    from valuechain_kg.validation import ValidationReport

__all__ = ["WRITE_LOCK", "UpdateOutcome", "apply_validated_update", "load_staged"]

#: Held by every write, from reading the old state to committing the new one.
WRITE_LOCK = threading.Lock()


@dataclass(frozen=True)
class UpdateOutcome:
    """What an accepted update changed."""

    added: int
    removed: int
    #: The store's size before the update plus the change, not a recount of the store.
    triples_after: int
    #: The quads themselves, so the projection can be patched with the same difference.
    added_quads: tuple[ox.Quad, ...] = ()
    removed_quads: tuple[ox.Quad, ...] = ()


def _in_default_graph(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads moved into the default graph, where the shapes look."""
    return [ox.Quad(q.subject, q.predicate, q.object) for q in quads]


def _graph_report(
    store: StoreBackend,
    graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph,
    added: list[ox.Quad],
    removed: list[ox.Quad],
) -> ValidationReport:
    """The SHACL report on one graph of the update's result, as if it were the default graph."""
    # Imported on the first update: the engine brings in rdflib and pyshacl, which a server
    # that only answers reads never needs.
    from valuechain_kg.validation import validate_change

    if isinstance(graph, ox.DefaultGraph):
        return validate_change(store, added=added, removed=removed)
    before = ox.Store()
    before.extend(_in_default_graph(store.oxigraph.quads_for_pattern(None, None, None, graph)))
    return validate_change(
        before,
        added=_in_default_graph(q for q in added if q.graph_name == graph),
        removed=_in_default_graph(q for q in removed if q.graph_name == graph),
    )


def _validate(store: StoreBackend, added: list[ox.Quad], removed: list[ox.Quad]) -> None:
    """Raise ValidationFailed unless the default graph and every touched named graph conform."""
    named = {q.graph_name for q in (*added, *removed)} - {ox.DefaultGraph()}
    graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [ox.DefaultGraph()]
    graphs += sorted(named, key=str)  # type: ignore[arg-type]
    for graph in graphs:
        report = _graph_report(store, graph, added, removed)
        if report.violations:
            where = "" if isinstance(graph, ox.DefaultGraph) else f" in the graph {graph}"
            raise ValidationFailed(
                report, f"the update would violate the shapes{where}; nothing changed"
            )


def apply_validated_update(
    store: StoreBackend,
    update: str,
    base_iri: str | None = None,
    before_commit: Callable[[], None] | None = None,
    guarded: bool = True,
) -> UpdateOutcome:
    """Run ``update`` on a copy, validate the result, then write its difference to ``store``.

    ``guarded`` False skips ``sparql_guard``, for update text the service wrote itself from
    parsed quads (already bounded by the RDF load limits), never for text a client sent.

    The difference is validated incrementally against the store, once for the default graph
    and once for each named graph the update touched.

    Raises SyntaxError for an update that does not parse, ValidationFailed (store untouched)
    when the result violates a shape, StoreFull (store untouched) when the disk is full, and
    whatever ``before_commit`` raises (for example a deadline that has passed: the client was
    already told the update failed).
    """
    if guarded:
        check_update(update, store.sparql_limits)
    _check_syntax(update, base_iri)
    with WRITE_LOCK:
        live = store.oxigraph
        before = store.size()
        difference = plan_update(live, update, base_iri)
        if difference is None:
            added, removed = _difference_on_a_copy(live, update, base_iri, before)
        else:
            added, removed = list(difference.added), list(difference.removed)
        # Only the GraphStore may hold the live handle from here on: after a full disk it
        # replaces the handle, which needs every other reference to it gone.
        del live
        _validate(store, added, removed)
        if before_commit is not None:
            before_commit()
        store.apply_change(removed=removed, added=added, exact=True)
        return UpdateOutcome(
            added=len(added),
            removed=len(removed),
            triples_after=before - len(removed) + len(added),
            added_quads=tuple(added),
            removed_quads=tuple(removed),
        )


def _check_syntax(update: str, base_iri: str | None) -> None:
    """Raise SyntaxError for an update that does not parse, before anything reads the store.

    pyoxigraph parses only as part of running, so the update runs on an empty store; an
    error of running there (a graph that does not exist in it) says nothing about the live
    store and is left to the real run.
    """
    try:
        ox.Store().update(update, base_iri=base_iri, prefixes=PREFIXES)
    except SyntaxError:
        raise
    except (OSError, RuntimeError, ValueError):
        pass


def _difference_on_a_copy(
    live: ox.Store, update: str, base_iri: str | None, before: int
) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """(added, removed) of an update run on a scratch copy of the whole store.

    For the operations ``update_plan`` does not compute (graph management, ``WITH``,
    ``USING``, a WHERE after an earlier operation of the same request).
    """
    scratch = ox.Store()
    scratch.extend(live.quads_for_pattern(None, None, None, None))
    scratch.update(update, base_iri=base_iri, prefixes=PREFIXES)
    # Membership tests on the two stores' indexes, not two Python sets of the whole store;
    # |after| = |before| - |removed| + |added|, so an update that removed nothing (most
    # inserts) needs no second pass over the store.
    added = [q for q in scratch.quads_for_pattern(None, None, None, None) if q not in live]
    removed: list[ox.Quad] = []
    if before + len(added) != len(scratch):
        removed = [q for q in live.quads_for_pattern(None, None, None, None) if q not in scratch]
    return added, removed


#: Bytes of a store on disk from which its full validation compacts it (``Staging.compact``
#: for a load into an empty store, ``GraphStore.compact`` for ``validate_with``), beside the
#: validation's cheapest plans and before the others: below it, compacting costs more than it
#: saves.
#: The files' size stands for the quads they hold, and is read without scanning them
#: (``bench/RESULTS.md`` names how many quads it comes to).
COMPACT_BEFORE_VALIDATING_FROM = 256 * 2**20


def compaction_before_validating(store: Staging | GraphStore) -> Callable[[], None] | None:
    """The compaction a full validation of ``store`` runs beside it, when worth running: the
    store is large and not compacted since its last write."""
    if store.compacted or store.bytes_on_disk() < COMPACT_BEFORE_VALIDATING_FROM:
        return None
    return store.compact


def load_staged(
    store: StoreBackend,
    staging: Staging,
    validate: bool = True,
    origins: dict[str, Location] | None = None,
) -> int:
    """Commit a staged load into ``store``, after validating it with the store; how many new.

    Into an empty store the staging store is validated whole (compacted when it is large,
    in a thread beside the validation's cheapest plans and before its heavy ones; counted
    after that, which then reads one sorted run per index) and becomes the store
    (``GraphStore.take_over``); into one that holds data the staging quads are validated
    incrementally against it and added in one transaction, streamed from the staging store
    and counted on the way: the quads the store did not hold yet are the load's new ones.

    Raises ValidationFailed (store untouched) when the store plus the load would break a
    shape with Violation severity, StoreFull (store untouched) when the disk is full.
    """
    with WRITE_LOCK:
        if store.is_empty():
            if validate:
                from valuechain_kg.validation import validate_store

                compaction = compaction_before_validating(staging)
                report = validate_store(staging.store, origins=origins, alongside=compaction)
                if not report.conforms:
                    raise ValidationFailed(report)
            count = staging.count()
            store.take_over(staging, count)
            return count
        if validate:
            from valuechain_kg.validation import validate_change

            report = validate_change(store, added=staging.quads(), origins=origins)
            if not report.conforms:
                raise ValidationFailed(report)
        return store.add_new(staging.quads())
