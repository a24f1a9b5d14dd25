"""The store's revision: what caches, ETags and the saved projection key on.

In memory the revision is a random generation plus a counter of writes through the handle. On
disk it must survive a restart, so that a projection saved beside the store can be recognised
as current: it is a random token kept in ``<store>.vckg/revision``, beside the RocksDB folder
(never inside it: RocksDB owns that folder). Every write goes through two steps:

* :meth:`StoreRevision.begin`, before the write: the file is replaced by ``dirty``;
* :meth:`StoreRevision.commit`, after it: the file gets a fresh token.

A process killed between the two leaves ``dirty`` behind, and a store opened with a ``dirty``
(or missing, or unreadable) file gets a fresh token that no saved projection carries; so a
saved projection is only ever taken for the very content it was built from. A write through
anything other than ``GraphStore`` (a raw pyoxigraph handle) is not seen: the folder is the
server's own. The number of quads is kept the same way, in ``size`` with the token it was
counted at, and whether the store was compacted since its last write, in ``compacted``.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

__all__ = ["DIRTY", "StoreRevision", "state_folder"]

#: What the revision file holds while a write is under way.
DIRTY = "dirty"


def state_folder(store_path: Path) -> Path:
    """The folder beside an on-disk store where the service keeps what it derived from it."""
    return store_path.with_name(store_path.name + ".vckg")


def _write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` so that a reader (or a crash) sees the old or the new."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="ascii") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


class StoreRevision:
    """The revision of one store handle; persisted beside the store when it is on disk."""

    def __init__(self, store_path: Path | None = None) -> None:
        self.sequence = 0  #: writes committed through this handle
        self._file = state_folder(store_path) / "revision" if store_path is not None else None
        self._recorded = False
        self._generation = uuid.uuid4().hex[:12]
        self._token = self._open()
        self._dirty = False

    def _open(self) -> str:
        if self._file is None:
            return self._generation
        try:
            found = self._file.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            found = ""
        if found and found != DIRTY and found.isalnum():
            self._recorded = True
            return found
        # Written only once something is saved against it (``record``) or a write lands, so
        # that opening a store creates nothing beside it.
        return uuid.uuid4().hex

    def _persist(self, text: str) -> None:
        assert self._file is not None
        try:
            self._file.parent.mkdir(mode=0o700, exist_ok=True)
            _write_atomically(self._file, text)
        except OSError:
            # A folder we cannot write to only costs the saved projection; but the file must
            # not keep naming content the store no longer holds.
            with contextlib.suppress(OSError):
                self._file.unlink(missing_ok=True)

    @property
    def persistent(self) -> bool:
        """Whether the revision outlives the process (a token kept beside the store)."""
        return self._file is not None

    @property
    def value(self) -> str:
        if self._file is None:
            return f"{self._generation}-{self.sequence}"
        return self._token

    def record(self) -> bool:
        """Make sure the file holds the current token (before saving state keyed on it).

        False while a write is under way, or when the folder cannot be written: then nothing
        should be saved against the token.
        """
        if self._file is None or self._dirty:
            return False
        if not self._recorded:
            self._persist(self._token)
            self._recorded = self._file.is_file()
        return self._recorded

    def saved_size(self) -> int | None:
        """The number of quads kept beside the store for the current token, if any.

        Counting a store of millions of quads scans an index for seconds; the count is kept
        with the token it was taken at, so a restart need not count again. A count kept for
        another token (or while a write is under way) is not taken.
        """
        count = self._kept("size")
        return int(count) if count is not None and count.isdigit() else None

    def save_size(self, count: int) -> None:
        """Keep ``count`` beside the store as the number of quads at the current token."""
        self._keep("size", str(count))

    def compacted(self) -> bool:
        """Whether the store was compacted at the current token (no write since)."""
        return self._kept("compacted") == "yes"

    def save_compacted(self) -> None:
        """Note that the store was compacted at the current token."""
        self._keep("compacted", "yes")

    def _kept(self, name: str) -> str | None:
        """What file ``name`` beside the revision keeps for the current token, if anything."""
        if self._file is None or self._dirty:
            return None
        try:
            token, value = self._file.with_name(name).read_text(encoding="ascii").split()
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        return value if token == self._token else None

    def _keep(self, name: str, value: str) -> None:
        if not self.record():
            return
        assert self._file is not None
        with contextlib.suppress(OSError):
            _write_atomically(self._file.with_name(name), f"{self._token} {value}\n")

    def begin(self) -> None:
        """A write is about to start: until :meth:`commit`, no saved state matches the store."""
        if self._file is not None and not self._dirty:
            self._persist(DIRTY)
            self._dirty = True
            self._recorded = False

    def commit(self) -> None:
        """A write ended (or failed, which may have changed nothing): a new revision."""
        self.sequence += 1
        if self._file is not None:
            self._token = uuid.uuid4().hex
            self._persist(self._token)
            self._dirty = False
            self._recorded = self._file.is_file()
