"""The embedded Oxigraph store: the one place where triples live.

Used through pyoxigraph directly (not through rdflib) because at the sizes our users load, rdflib
parses far slower and in far more memory. Every write goes through this class
so that it can keep a revision number, which the facade uses to know when its projection and its
cached answers are stale.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from valuechain_kg.errors import (
    InputError,
    InputProblem,
    Location,
    StoreBusy,
    StoreFull,
    is_disk_full,
)
from valuechain_kg.namespaces import PREFIXES
from valuechain_kg.sparql_guard import Limits, check_internal, check_query, check_update
from valuechain_kg.store.changes import change_update
from valuechain_kg.store.revision import StoreRevision
from valuechain_kg.store.staging import Staging, exchange_folders, folder_bytes

#: RDF formats read by file extension.
FORMATS_BY_EXTENSION: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}

EXPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}

#: Above this many triples a load reports progress on a terminal.
PROGRESS_THRESHOLD = 100_000

ProgressCallback = Callable[[int], None]


def rdf_format_for(path: Path) -> ox.RdfFormat:
    """The RDF format of a file, from its extension; an unknown one is bad input."""
    fmt = FORMATS_BY_EXTENSION.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS_BY_EXTENSION))
        raise InputError(
            [InputProblem(Location(str(path)), f"unknown RDF file extension (known: {known})")]
        )
    return fmt


def parse_rdf_file(path: Path, on_progress: ProgressCallback | None = None) -> list[ox.Quad]:
    """Every quad of one RDF file, or an InputError naming the file, line and column.

    Parsing completely before anything is written is what makes a load atomic.
    """
    from valuechain_kg.ingest.rdf_limits import check_rdf_file, syntax_problem

    fmt = rdf_format_for(path)
    quads: list[ox.Quad] = []
    try:
        # Nesting and DTD limits first: past them the parser could crash the process.
        check_rdf_file(path, fmt)
        with path.open("rb") as stream:
            for quad in ox.parse(stream, format=fmt, base_iri=path.resolve().as_uri()):
                quads.append(quad)
                if on_progress is not None and len(quads) % 10_000 == 0:
                    on_progress(10_000)
    except SyntaxError as exc:
        raise InputError([syntax_problem(exc, str(path))]) from exc
    except (OSError, ValueError) as exc:
        raise InputError([InputProblem(Location(str(path)), str(exc))]) from exc
    return quads


def rdf_files_under(path: Path) -> list[Path]:
    """A file itself, or the RDF files found below a folder, in a stable order."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.suffix.lower() in FORMATS_BY_EXTENSION)


def _open_disk_store(path: Path) -> ox.Store:
    """Open a RocksDB store, turning "someone else holds it" into words a person can act on."""
    try:
        return ox.Store(str(path))
    except OSError as exc:
        if "lock" in str(exc).lower():
            raise StoreBusy(
                f"the store {path} is in use by another process (a running 'vckg serve'?): "
                "stop that process, or ask the running server through its /sparql endpoint"
            ) from exc
        if is_disk_full(exc):
            raise StoreFull(f"cannot open the store {path}: its disk is full ({exc})") from exc
        problem = InputProblem(Location(str(path)), f"cannot open the store: {exc}")
        raise InputError([problem]) from exc


class GraphStore:
    """An Oxigraph store, in memory or on disk (RocksDB), with a revision number."""

    def __init__(self, path: Path | str | None = None, create: bool = True) -> None:
        """Open (or create) the store at ``path``, or a fresh one in memory.

        ``create`` False leaves a store folder that does not exist yet uncreated until the
        first write: a load that fails then leaves no empty store folder behind.
        """
        self.path = Path(path) if path is not None else None
        self._pending = False
        if self.path is not None and (create or self.path.exists()):
            self.path.mkdir(parents=True, exist_ok=True)
            self._store = _open_disk_store(self.path)
        else:
            self._pending = self.path is not None
            self._store = ox.Store()
        # In memory, a store opened twice must not share ETags with an earlier opening; on
        # disk the revision is kept beside the store and survives a restart (``revision``).
        self._revision = StoreRevision(self.path)

    @property
    def revision(self) -> str:
        """Changes whenever the data changes through this handle; on disk, kept across opens."""
        return self._revision.value

    @property
    def writes(self) -> int:
        """Writes committed through this handle (tells whether two revisions are adjacent)."""
        return self._revision.sequence

    def record_revision(self) -> bool:
        """Keep the revision beside an on-disk store, before saving anything keyed on it."""
        return self._revision.record()

    def _changing(self) -> None:
        """Called before every write: a saved projection stops matching until ``_changed``."""
        self._revision.begin()

    def _changed(self) -> None:
        self._revision.commit()
        self._size = None

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store, for read access by the analysis and benchmarks."""
        return self._store

    def __len__(self) -> int:
        return len(self._store)

    #: The store's size at the current revision, once counted (``size``).
    _size: int | None = None

    def size(self) -> int:
        """How many quads the store holds: counted once, then kept by exact changes.

        Counting scans an index, which takes seconds on a store of millions of quads; a
        change known to add only absent quads and remove only present ones keeps the count
        without a rescan (``apply_change(exact=True)``). On disk the count is also kept beside
        the store with its revision, so that a restart does not count again.
        """
        if self._size is None:
            saved = self._revision.saved_size()
            if saved is None:
                saved = len(self._store)
                self._revision.save_size(saved)
            self._size = saved
        return self._size

    def _known_size(self, count: int) -> None:
        """The size at the current revision, kept beside an on-disk store for the next open."""
        self._size = count
        self._revision.save_size(count)

    #: Set when a write met a full disk: RocksDB then refuses every later write through the
    #: same handle, even after space is freed, so the next write reopens the store first.
    _needs_reopen = False
    #: Serialises the writes of the process with the reopen of a handle (one for every store).
    _write_lock = threading.RLock()

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction: all of them or none."""
        with self._writing():
            self._store.extend(quads)
        self._changed()

    def held(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
        """The ones of ``quads`` the store holds."""
        live = self._store
        return {q for q in quads if q in live}

    def add_new(self, quads: Iterable[ox.Quad]) -> int:
        """Add, in one transaction, the quads the store does not hold yet; how many they were."""
        new = 0

        def absent() -> Iterator[ox.Quad]:
            nonlocal new
            live = self._store
            for quad in quads:
                if quad not in live:
                    new += 1
                    yield quad

        self.add(absent())
        return new

    def remove(self, quads: Iterable[ox.Quad]) -> None:
        """Remove quads in one transaction: all of them or none."""
        self.apply_change(removed=quads)

    def apply_change(
        self,
        removed: Iterable[ox.Quad] = (),
        added: Iterable[ox.Quad] = (),
        exact: bool = False,
    ) -> None:
        """Remove ``removed`` and add ``added`` in ONE transaction (``store_writes``).

        Readers see the store before or after the change, never between, and a process
        killed at any moment leaves one of the two states on disk. ``exact`` says that every
        removed quad is in the store and no added one is, so the size follows without a count.
        """
        removed, added = list(removed), list(added)
        change = change_update(removed, added)
        if not change:
            return
        known = self._size
        with self._writing():
            self._store.update(change.text, custom_functions=change.custom_functions)
        self._changed()
        if exact and known is not None:
            self._known_size(known - len(removed) + len(added))

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One write: on a store that met a full disk, reopened first; a full disk -> StoreFull.

        A write refused for lack of space changed nothing (RocksDB commits a transaction whole
        or not at all), so StoreFull tells the caller that the store is as it was.
        """
        with self._write_lock:
            try:
                if self._pending:
                    self._create()
                if self._needs_reopen:
                    self._reopen()
                self._changing()
                yield
            except OSError as exc:
                if not is_disk_full(exc):
                    raise
                self._needs_reopen = self.path is not None
                raise StoreFull(
                    f"the disk holding the store {self.path or '(in memory)'} is full: nothing "
                    "was written and the store is as it was; free some space and retry"
                ) from exc

    def _create(self) -> None:
        """Create the folder of a store opened with ``create=False``, for its first write."""
        assert self.path is not None
        self.path.mkdir(parents=True, exist_ok=True)
        self._store = _open_disk_store(self.path)
        self._pending = False

    def is_empty(self) -> bool:
        """Whether the store holds no quad (one step of an index, not a count)."""
        return next(iter(self._store.quads_for_pattern(None, None, None, None)), None) is None

    def take_over(self, staging: Staging, size: int) -> None:
        """Make a staging store (holding ``size`` quads) this store; only for an empty store.

        In memory the staging store simply becomes the store. On disk the handle is closed,
        the staging folder exchanged with the store's folder in one rename (``staging``), and
        the new folder opened; the old, empty store is then deleted.
        """
        with self._write_lock:
            if self.path is None:
                self._changing()
                self._store = staging.store
                staging.store = ox.Store()
                self._changed()
                self._size = size
                return
            folder = staging.release()
            assert folder is not None
            self._store = ox.Store()
            gc.collect()
            if self.path.exists():
                # Nothing may hold the old folder open while it moves: a handle left open
                # would write its next files into the new store.
                probe = _open_disk_store(self.path)
                del probe
            self._changing()
            exchange_folders(folder, self.path)
            self._store = _open_disk_store(self.path)
            self._pending = False
            compacted = staging.compacted
            staging.discard()
            self._changed()
            self._known_size(size)
            if compacted:
                self._revision.save_compacted()

    def _reopen(self, wait: float = 5.0) -> None:
        """Replace a handle that met a full disk with a fresh one (raises OSError if it cannot).

        Only one read-write handle may be open in a process, so a read-only handle serves the
        readers while the old one is dropped; queries still running on the old one, and the
        traceback of the failed write until it is collected, hold it open a little longer,
        hence the bounded wait for its lock.
        """
        assert self.path is not None
        old, self._store = self._store, ox.Store.read_only(str(self.path))
        del old
        give_up = time.monotonic() + wait
        while True:
            try:
                self._store = ox.Store(str(self.path))
                break
            except OSError as exc:
                if "lock" not in str(exc).lower():
                    raise
                # The traceback of the write that failed may keep the old handle in a cycle.
                gc.collect()
                if time.monotonic() > give_up:
                    raise StoreBusy(
                        f"the store {self.path} is being reopened after its disk was full, and "
                        "queries still hold the old handle: retry the write in a moment"
                    ) from exc
                time.sleep(0.05)
        self._needs_reopen = False

    def bytes_on_disk(self) -> int:
        """The size of the store's files (0 in memory), read from the folder alone."""
        if self.path is None or self._pending:
            return 0
        self._store.flush()
        return folder_bytes(self.path)

    @property
    def compacted(self) -> bool:
        """Whether the store was compacted with no write since (in memory: nothing to do)."""
        return self.path is None or self._pending or self._revision.compacted()

    def compact(self) -> None:
        """RocksDB's full compaction of an on-disk store (nothing in memory).

        A bulk load leaves many overlapping files, which every scan merges; a full validation
        scans each index many times over. The data does not change, so neither does the
        revision. Readers go on meanwhile; a full disk raises StoreFull.
        """
        if self.path is None or self._pending:
            return
        try:
            self._store.optimize()
        except OSError as exc:
            if is_disk_full(exc):
                raise StoreFull(f"cannot compact the store {self.path}: its disk is full") from exc
            raise
        self._revision.save_compacted()

    def bulk_load(self, path: Path) -> None:
        """Fast, non-transactional load of a large file (benchmarks and the first fill).

        The store is counted once after it and the count kept (``size``), as a load through
        the facade does, so that the first update of a later process, which reports the size,
        does not scan the store for it.
        """
        self._changing()
        self._store.bulk_load(path=str(path), format=rdf_format_for(path))
        self._changed()
        self._known_size(len(self._store))

    #: The size and nesting bounds every SPARQL text is held to (``sparql_guard``); an
    #: instance may carry its own.
    sparql_limits: Limits = Limits.from_env()

    def query(self, sparql: str, **options: object) -> object:
        """A SPARQL query with the project's prefixes predeclared.

        ``sparql_guard`` sees the text first: beyond the limits (the engine's parser would
        overflow the stack) or able to call out (SERVICE) it is refused, whatever face sent it.
        """
        check_query(sparql, self.sparql_limits)
        return self._store.query(sparql, prefixes=PREFIXES, **options)  # type: ignore[arg-type]

    def select(
        self, sparql: str, substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None
    ) -> ox.QuerySolutions:
        """A SELECT query's solutions, typed, for code that iterates rows.

        Only for text the project builds from constants and terms serialised by pyoxigraph
        (``str(NamedNode)``), with request values passed as ``substitutions``: such text holds
        no request text, so only the guard's limits apply, not its SERVICE parse.
        """
        check_internal(sparql, self.sparql_limits)
        result = self._store.query(
            sparql,
            prefixes=PREFIXES,
            substitutions=substitutions,  # type: ignore[arg-type]
        )
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("select() takes a SELECT query")
        return result

    def stream(self, sparql: str) -> Iterator[ox.QuerySolution]:
        """A SELECT the project built, its solutions read as the engine yields them."""
        yield from self.select(sparql)

    def update(self, sparql: str, **options: object) -> None:
        """A SPARQL update, applied as one transaction, after ``sparql_guard`` let it pass."""
        check_update(sparql, self.sparql_limits)
        self._changing()
        self._store.update(sparql, prefixes=PREFIXES, **options)  # type: ignore[arg-type]
        self._changed()

    def quads(self) -> Iterator[ox.Quad]:
        return self._store.quads_for_pattern(None, None, None, None)

    def export(self, fmt: str = "ttl") -> bytes:
        """The whole store serialised; graph formats take the default graph only."""
        rdf_format = EXPORT_FORMATS[fmt]
        if rdf_format.supports_datasets:
            return self._store.dump(format=rdf_format) or b""
        return (
            self._store.dump(
                format=rdf_format,
                from_graph=ox.DefaultGraph(),
                prefixes=PREFIXES if rdf_format == ox.RdfFormat.TURTLE else None,
            )
            or b""
        )

    def flush(self) -> None:
        # A handle that met a full disk cannot flush; what it committed is in its log already.
        if self.path is not None and not self._needs_reopen and not self._pending:
            self._store.flush()

    def close(self) -> None:
        """Flush to disk and release the RocksDB lock."""
        self.flush()
        del self._store
