"""The projection saved beside an on-disk store, so that a restart does not rebuild it.

The file lives in the folder the service keeps beside the store (``<store>.vckg/``, created
owner-only; never inside the RocksDB folder) and starts with a header naming the store
revision it was built at. It is read back only when that revision is the store's current one
(``store.revision``: a token persisted beside the store and replaced by every write), so a
store changed since, or a write cut short, makes the file be ignored and rebuilt.

The body is a pickle: the projection is a tree of lists, dicts and frozen dataclasses, and
pickle writes and reads it at memory speed. Unpickling runs code named in the file, so the file
must be trusted: only this server writes it, into a folder it owns, and anyone who can write
that folder can already write the store (docs/security.md, threat model). A file that is not
one of ours, or is cut short, is ignored.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
from pathlib import Path

from valuechain_kg.analysis.projection import Projection
from valuechain_kg.service.collector import collector_paused
from valuechain_kg.store.revision import state_folder

__all__ = ["ProjectionFile"]

_MAGIC = b"valuechain-kg projection 3\n"
_log = logging.getLogger(__name__)


class ProjectionFile:
    """Where the projection of one on-disk store is saved, and how it is read back."""

    def __init__(self, store_path: Path) -> None:
        self.path = state_folder(store_path) / "projection.pickle"

    def saved_revision(self) -> str | None:
        """The revision the saved projection was built at, read from the header only."""
        try:
            with self.path.open("rb") as stream:
                return _read_header(stream.read(len(_MAGIC) + 200))
        except OSError:
            return None

    def load(self, revision: str) -> Projection | None:
        """The saved projection if it was built at ``revision``, else None (never raises)."""
        try:
            with self.path.open("rb") as stream:
                head = stream.read(len(_MAGIC))
                line = stream.readline(200)
                if head != _MAGIC or line.rstrip(b"\n").decode("ascii") != revision:
                    return None
                with collector_paused():
                    found = pickle.load(stream)
        except FileNotFoundError:
            return None  # nothing saved yet: the first use builds it
        except Exception:
            # Cut short, or written by another version of the package (a class since moved,
            # a constructor since changed): whatever stops it, the projection is rebuilt.
            _log.warning("the saved projection %s could not be read; rebuilding", self.path)
            return None
        if not isinstance(found, Projection) or found.revision != revision:
            return None
        return found

    def save(self, projection: Projection) -> bool:
        """Write ``projection`` (atomically: a reader sees the old file or the new one)."""
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(mode=0o700, exist_ok=True)
            with tmp.open("wb") as out:
                out.write(_MAGIC + projection.revision.encode("ascii") + b"\n")
                pickle.dump(projection, out, protocol=pickle.HIGHEST_PROTOCOL)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except (OSError, pickle.PicklingError, UnicodeEncodeError):
            _log.warning("could not save the projection to %s", self.path, exc_info=True)
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            return False
        return True


def _read_header(data: bytes) -> str | None:
    if not data.startswith(_MAGIC):
        return None
    line = data[len(_MAGIC) :].split(b"\n", 1)[0]
    try:
        return line.decode("ascii")
    except UnicodeDecodeError:
        return None
