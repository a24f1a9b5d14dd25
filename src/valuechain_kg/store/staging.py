"""A load's staging store: files parsed and loaded by Oxigraph itself, beside the target.

A load is written into a staging store first (in memory for an in-memory target, a hidden
folder beside an on-disk one, so that it lies on the same file system), validated there,
and only then committed. Oxigraph's own loader (``Store.bulk_load``) reads the files: no
quad of an RDF file becomes a Python object on the way in.

For an empty on-disk target the staging folder becomes the target: the two folders are
exchanged in one ``renameat2(RENAME_EXCHANGE)`` call (or, for a target folder that does not
exist yet, renamed into place with ``RENAME_NOREPLACE``), so a crash at any moment leaves
the old store or the new one at the target's path, and at worst a hidden staging folder
beside it, which the next load removes. Where ``renameat2`` is missing (not Linux), two
renames are used, and a crash between them leaves the target's path empty until the next
load finds the old store beside it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from valuechain_kg.errors import InputError, InputProblem, Location, StoreFull, is_disk_full

__all__ = ["STAGING_MARK", "Staging", "exchange_folders", "staging_folders_of"]

#: Staging folders are named ``.<target>.staging-<random>`` beside the target.
STAGING_MARK = ".staging-"

#: Lines counted between two progress reports.
PROGRESS_STEP = 10_000

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2


def _renameat2() -> object | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    function = getattr(ctypes.CDLL(name, use_errno=True), "renameat2", None)
    if function is not None:
        function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
        function.argtypes += [ctypes.c_uint]
    return function


_RENAMEAT2 = _renameat2()


def _rename(source: Path, target: Path, flags: int) -> bool:
    """renameat2 with ``flags``; False when the system has no such call."""
    if _RENAMEAT2 is None:
        return False
    result = _RENAMEAT2(  # type: ignore[operator]
        _AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), flags
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL):
        return False
    raise OSError(code, os.strerror(code), str(source), None, str(target))


def exchange_folders(staging: Path, target: Path) -> None:
    """Put ``staging`` at ``target``'s path in one step; the old target ends at ``staging``.

    A target that does not exist is not created by anyone else meanwhile: the rename then
    refuses to replace one that appeared.
    """
    if not target.exists():
        if not _rename(staging, target, _RENAME_NOREPLACE):
            if target.exists():
                raise FileExistsError(errno.EEXIST, "the store folder appeared", str(target))
            os.rename(staging, target)
        return
    if _rename(staging, target, _RENAME_EXCHANGE):
        return
    aside = staging.with_name(staging.name + "-old")
    os.rename(target, aside)
    os.rename(staging, target)
    os.rename(aside, staging)


def staging_folders_of(target: Path) -> list[Path]:
    """The staging folders a load into ``target`` may have left beside it."""
    if not target.parent.is_dir():
        return []
    prefix = f".{target.name}{STAGING_MARK}"
    return sorted(p for p in target.parent.iterdir() if p.name.startswith(prefix))


def _remove_stale(target: Path) -> None:
    """Remove staging folders left by a load that was killed (none of them is in use).

    A folder another running load holds is kept: its RocksDB lock refuses a second opening.
    A folder named ``-old`` is a target moved aside by the two-rename exchange: when the
    target is missing, it is the store, and goes back.
    """
    for folder in staging_folders_of(target):
        if folder.name.endswith("-old") and not target.exists():
            os.rename(folder, target)
            continue
        try:
            probe = ox.Store(str(folder))
        except OSError:
            continue
        del probe
        shutil.rmtree(folder, ignore_errors=True)


class _CountingReader:
    """A binary stream handed to Oxigraph's loader, reporting progress by lines read."""

    def __init__(self, stream: object, on_progress: object) -> None:
        self._stream = stream
        self._on_progress = on_progress
        self._pending = 0

    def read(self, size: int = -1) -> bytes:
        data: bytes = self._stream.read(size)  # type: ignore[attr-defined]
        self._pending += data.count(b"\n")
        while self._pending >= PROGRESS_STEP:
            self._pending -= PROGRESS_STEP
            self._on_progress(PROGRESS_STEP)  # type: ignore[operator]
        return data


def folder_bytes(path: Path) -> int:
    """The size of the files directly in a store's folder (RocksDB keeps no subfolders).

    RocksDB compacts in the background of an open store and deletes the files it merged, so a
    file listed here may be gone when its size is read: it is no longer part of the store.
    """
    total = 0
    with os.scandir(path) as entries:
        for entry in entries:
            try:
                if entry.is_file():
                    total += entry.stat().st_size
            except FileNotFoundError:
                continue
    return total


class Staging:
    """The store a load is written into before it is validated and committed."""

    def __init__(self, target: Path | None) -> None:
        self.path: Path | None = None
        self.compacted = False  #: whether ``compact`` ran: the store it becomes is compacted
        if target is None:
            self.store = ox.Store()
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(target)
        self.path = target.with_name(f".{target.name}{STAGING_MARK}{uuid.uuid4().hex[:12]}")
        try:
            self.store = ox.Store(str(self.path))
        except OSError as exc:
            shutil.rmtree(self.path, ignore_errors=True)
            if is_disk_full(exc):
                raise self._full(exc) from exc
            raise

    def _full(self, exc: OSError) -> StoreFull:
        return StoreFull(
            f"the disk holding the store {self.path.parent if self.path else '(in memory)'} is "
            f"full: nothing was written and the store is as it was; free some space and retry "
            f"({exc})"
        )

    def load_file(self, path: Path, fmt: ox.RdfFormat, on_progress: object | None = None) -> None:
        """Load one RDF file with Oxigraph's loader; bad syntax -> InputError naming the spot."""
        from valuechain_kg.ingest.rdf_limits import check_rdf_file, syntax_problem

        try:
            # Nesting and DTD limits first: past them the parser could crash the process.
            check_rdf_file(path, fmt)
            base = path.resolve().as_uri()
            if on_progress is None:
                self.store.bulk_load(path=str(path), format=fmt, base_iri=base)
            else:
                with path.open("rb") as stream:
                    reader = _CountingReader(stream, on_progress)
                    self.store.bulk_load(reader, format=fmt, base_iri=base)  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise InputError([syntax_problem(exc, str(path))]) from exc
        except OSError as exc:
            if is_disk_full(exc):
                raise self._full(exc) from exc
            raise InputError([InputProblem(Location(str(path)), str(exc))]) from exc
        except ValueError as exc:
            raise InputError([InputProblem(Location(str(path)), str(exc))]) from exc

    @contextmanager
    def _full_disk_reported(self) -> Iterator[None]:
        """A full disk as StoreFull naming the store; any other OSError as it is."""
        try:
            yield
        except OSError as exc:
            if is_disk_full(exc):
                raise self._full(exc) from exc
            raise

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        with self._full_disk_reported():
            self.store.bulk_extend(quads)

    def compact(self) -> None:
        """Compact an on-disk staging store into one sorted run per index (RocksDB's full
        compaction). Oxigraph's bulk loader leaves many overlapping files behind, which every
        later scan merges; a full validation of a large load reads each index many times over,
        and reads a compacted store much faster than the cost of compacting it."""
        if self.path is None:
            return
        with self._full_disk_reported():
            self.store.optimize()
        self.compacted = True

    def bytes_on_disk(self) -> int:
        """The size of the staging store's files (0 in memory), read from the folder alone."""
        if self.path is None:
            return 0
        with self._full_disk_reported():
            self.store.flush()
        return folder_bytes(self.path)

    def quads(self) -> Iterator[ox.Quad]:
        return self.store.quads_for_pattern(None, None, None, None)

    def count(self) -> int:
        """How many quads the load holds (the staging store holds nothing else)."""
        return len(self.store)

    def release(self) -> Path | None:
        """Close the staging store, so that its folder can be moved; the folder, if any."""
        if self.path is not None:
            self.store.flush()
        self.store = ox.Store()
        return self.path

    def discard(self) -> None:
        """Close and delete the staging store (a load that failed, or was committed)."""
        self.store = ox.Store()
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
