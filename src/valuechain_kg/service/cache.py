"""What the service remembers per store revision: projections and answers.

Answers remembered for one store revision, so a repeated question costs a dict look-up.

Analysts ask the same impacts again and again (a dashboard, an NGO's watch list, paging through
a long answer). Every answer the analysis gives is a pure function of the data and the options,
so it can be kept until the data change: the memo is tied to one store revision and a new
revision simply starts a new, empty memo. The number of entries is bounded (least recently used
go first) so that a crawler asking for every impact cannot grow the process without limit.

Examples
--------
>>> memo = RevisionMemo("rev-1", capacity=2)
>>> memo.get(("linked", "harm"), lambda: [1, 2, 3])
[1, 2, 3]
>>> memo.get(("linked", "harm"), lambda: [])  # remembered: the second function is not called
[1, 2, 3]
>>> memo.fresh_for("rev-2")
False
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, Protocol, TypeVar

__all__ = ["ProjectionCache", "RevisionMemo"]

T = TypeVar("T")
P = TypeVar("P", bound="Revisioned")

#: Enough for every impact of a national graph asked once with the default options.
DEFAULT_CAPACITY = 50_000


class RevisionMemo:
    """A bounded least-recently-used memo valid for one store revision; safe across threads."""

    def __init__(self, revision: str, capacity: int = DEFAULT_CAPACITY) -> None:
        self.revision = revision
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def fresh_for(self, revision: str) -> bool:
        return self.revision == revision

    def __len__(self) -> int:
        return len(self._entries)

    def known(self, key: Hashable) -> tuple[bool, Any]:
        """(True, value) when ``key`` is remembered, else (False, None); nothing is computed."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return True, self._entries[key]
        return False, None

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The remembered value for ``key``, computing (outside the lock) and keeping it if new.

        Two threads missing the same key at once both compute it; both results are equal, and
        the later one is kept. That is cheaper than making every reader wait on a writer.
        """
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]  # type: ignore[no-any-return]
        value = compute()
        self.put(key, value)
        return value


#: Projections kept at once: the current one plus a few ``as_of`` dates being compared.
PROJECTIONS_KEPT = 8


class Revisioned(Protocol):
    """What the cache needs of a projection: the store revision it was made at."""

    @property
    def revision(self) -> str: ...


class ProjectionCache(Generic[P]):
    """The latest projection per ``as_of`` date, at most ``capacity`` of them.

    A projection is built once per (revision, as_of) and shared by every answer until the data
    change. The one made at an older revision is kept until its replacement is in (``latest``),
    so a server can keep answering from it while a rebuild runs. One build at a time: requests
    arriving while a build runs (a server warming up) wait for it instead of starting their own.
    """

    def __init__(self, capacity: int = PROJECTIONS_KEPT) -> None:
        self.capacity = capacity
        self.builds = 0
        self._entries: OrderedDict[str | None, P] = OrderedDict()
        self._lock = threading.Lock()
        self._guard = threading.Lock()

    def peek(self, revision: str, as_of: str | None) -> P | None:
        """The projection for (``revision``, ``as_of``) if it is in; nothing is built."""
        with self._guard:
            found = self._entries.get(as_of)
            if found is None or found.revision != revision:
                return None
            self._entries.move_to_end(as_of)
            return found

    def latest(self, as_of: str | None) -> P | None:
        """The most recent projection for ``as_of``, whatever its revision."""
        with self._guard:
            return self._entries.get(as_of)

    def put(self, as_of: str | None, projection: P) -> None:
        """Keep ``projection`` as the one for ``as_of`` (a patched or a loaded one)."""
        with self._guard:
            self._entries[as_of] = projection
            self._entries.move_to_end(as_of)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def drop_other_dates(self, keep: str | None = None) -> None:
        """Forget the projections of every ``as_of`` but ``keep`` (after a patched write)."""
        with self._guard:
            for as_of in [a for a in self._entries if a != keep]:
                del self._entries[as_of]

    def get(self, revision: str, as_of: str | None, build: Callable[[], P]) -> P:
        """The projection for (``revision``, ``as_of``), built by ``build`` when missing."""
        found = self.peek(revision, as_of)
        if found is not None:
            return found
        with self._lock:
            found = self.peek(revision, as_of)
            if found is not None:
                return found
            built = build()
            self.builds += 1
            self.put(as_of, built)
            return built

    @property
    def building(self) -> bool:
        """Whether a build runs now."""
        return self._lock.locked()
