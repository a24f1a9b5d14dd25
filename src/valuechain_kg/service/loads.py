"""A load from files: staged by Oxigraph's own loader, then validated and committed by the writer.

RDF files are loaded into a staging store (``store.staging``) by ``Store.bulk_load``, so no
quad of them becomes a Python object on the way in; CSV bundles are read by the template
reader and their quads added to the same staging store. Every problem of every input is
gathered before anything is written, then ``service.writes.load_staged`` validates the
staging data with the target and commits it: all of it, or nothing.

The ontology and its vocabularies travel with every load: when the store's ontology graph is
missing or differs from ``ontology/valuechain.ttl``, the staging store carries the file's quads
in that graph (``store.ontology``), and quads of an older ontology are removed.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from valuechain_kg.errors import InputError, Location
from valuechain_kg.ingest import find_sources, read_bundles
from valuechain_kg.service import writes
from valuechain_kg.store import ProgressCallback, rdf_format_for
from valuechain_kg.store.backend import StoreBackend
from valuechain_kg.store.ontology import stale_ontology
from valuechain_kg.store.staging import Staging

__all__ = ["load_sources"]


def load_sources(
    store: StoreBackend,
    paths: Sequence[Path],
    base: str,
    validate: bool = True,
    on_progress: ProgressCallback | None = None,
    keep: int = 0,
) -> tuple[int, list[ox.Quad] | None]:
    """Load RDF files and CSV bundles atomically: (how many data quads were new, the load's quads).

    The count and the quads returned are the data's: the ontology's quads that came along are
    not among them.

    The load's quads are returned when there are at most ``keep`` of them (a small load, whose
    quads the caller can use to patch what it derived from the store), else None.

    Raises InputError with every problem of every input, ValidationFailed when the store plus
    the load would break a shape (Violation); in both cases the store is untouched.
    """
    bundles, rdf_files, problems = find_sources(list(paths))
    staging = Staging(store.path)
    try:
        for file in rdf_files:
            try:
                staging.load_file(file, rdf_format_for(file), on_progress)
            except InputError as exc:
                problems.extend(exc.problems)
        origins: dict[str, Location] = {}
        if bundles:
            try:
                result = read_bundles(bundles, base)
            except InputError as exc:
                problems.extend(exc.problems)
            else:
                staging.extend(result.quads)
                origins = result.origins
        if problems:
            raise InputError(problems)
        staged = list(itertools.islice(staging.quads(), keep + 1)) if keep else []
        missing, outdated = stale_ontology(store.oxigraph)
        if missing:
            staging.extend(missing)
        count = writes.load_staged(store, staging, validate, origins)
        if outdated:
            store.remove(outdated)
        return count - len(missing), staged if keep and len(staged) <= keep else None
    finally:
        staging.discard()
