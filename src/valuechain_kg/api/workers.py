"""Blocking store work off the event loop, in a bounded pool, with a deadline.

pyoxigraph cannot cancel a running query. So a query runs in one of a few worker threads
(pyoxigraph releases the GIL while it evaluates), the request waits for it at most the
configured timeout and then answers 503, and the worker checks the same deadline each time it
writes a chunk of the answer, so an abandoned query stops at its next chunk instead of
running to the end. The event loop never blocks: other requests are answered meanwhile.
"""

from __future__ import annotations

import asyncio
import io
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["Deadline", "DeadlineWriter", "QueryTimeout", "Workers"]

T = TypeVar("T")


class QueryTimeout(Exception):
    """The work ran past its deadline; the client is told 503 and may retry later."""


class Deadline:
    """A point in time after which the work it guards should give up."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._at = time.monotonic() + seconds
        self._abandoned = threading.Event()

    def abandon(self) -> None:
        """Mark the work as no longer awaited (the client already got its 503)."""
        self._abandoned.set()

    @property
    def expired(self) -> bool:
        return self._abandoned.is_set() or time.monotonic() > self._at

    def check(self) -> None:
        if self.expired:
            raise QueryTimeout(f"the query ran longer than {self.seconds:g} s")


class DeadlineWriter(io.RawIOBase):
    """A byte sink for pyoxigraph's serialisers that checks the deadline at every write."""

    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._deadline = deadline
        self._buffer = io.BytesIO()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._deadline.check()
        return self._buffer.write(data)

    def getvalue(self) -> bytes:
        return self._buffer.getvalue()


class Workers:
    """A fixed number of threads for store work, shared by all requests of one app."""

    def __init__(self, threads: int, timeout: float) -> None:
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="vckg-query")

    async def run(self, work: Callable[[Deadline], T]) -> T:
        """Run ``work(deadline)`` in a worker; QueryTimeout once the deadline passes."""
        deadline = Deadline(self.timeout)
        future = self._pool.submit(work, deadline)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except TimeoutError as exc:
            deadline.abandon()
            raise QueryTimeout(f"the query ran longer than {self.timeout:g} s") from exc

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
