"""Blocking store work off the event loop, bounded, with a deadline that is kept.

pyoxigraph cannot cancel a running query, so there are two kinds of work:

- user queries (``run_isolated``) run in forked worker processes (``query_processes``), which
  are killed at the deadline: whatever the engine was doing stops, and the slot is free again;
- the server's own bounded work (REST analyses, counts) runs in threads (``run``). Each checks
  the deadline where it can (a query's answer is written in chunks, each one checked); one that
  cannot stop is abandoned at its deadline: its slot goes to the next request and it finishes
  on a daemon thread. At most ``max_abandoned`` such threads may run; past that new work is
  refused with 503 until they end, so abandoned work cannot pile up without bound.

``run_apart`` is for ``/health``: its own thread, never queued behind the others.
Without ``fork`` (or with ``processes=0``) user queries run as threads too.
"""

from __future__ import annotations

import asyncio
import io
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from valuechain_kg.api.query_processes import QueryProcesses
    from valuechain_kg.service.graph import KnowledgeGraph

__all__ = [
    "Deadline",
    "DeadlineWriter",
    "QueryCrashed",
    "QueryTimeout",
    "ServerBusy",
    "Workers",
]

T = TypeVar("T")


class QueryTimeout(Exception):
    """The work ran past its deadline; the client is told 503 and may retry later."""


class QueryCrashed(QueryTimeout):
    """The worker process running the query died (or the server is stopping): also 503."""


class ServerBusy(QueryTimeout):
    """Too much abandoned work is still running: 503 until some of it ends."""


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
    def remaining(self) -> float:
        return max(0.0, self._at - time.monotonic())

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


def _in_daemon_thread(work: Callable[[], T], name: str) -> Future[T]:
    """Run ``work`` on a new daemon thread: the process may exit without waiting for it."""
    future: Future[T] = Future()

    def target() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(work())
        except BaseException as exc:
            future.set_exception(exc)

    threading.Thread(target=target, name=name, daemon=True).start()
    return future


class _Slots:
    """A counting semaphore usable from any event loop (tests drive apps from several)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._used = 0
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        """Take a free slot now, if there is one and nobody is waiting for it."""
        with self._lock:
            if self._used < self._size and not self._waiters:
                self._used += 1
                return True
            return False

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._used < self._size:
                self._used += 1
                return
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append((loop, waiter))
        try:
            await waiter
        except BaseException:
            with self._lock:
                if (loop, waiter) in self._waiters:
                    self._waiters.remove((loop, waiter))
                    raise
            self.release()  # handed a slot while being cancelled: pass it on
            raise

    def release(self) -> None:
        with self._lock:
            while self._waiters:
                loop, waiter = self._waiters.pop(0)
                if not loop.is_closed():
                    loop.call_soon_threadsafe(_wake, waiter)
                    return
            self._used -= 1


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class Workers:
    """Store work for all requests of one app: thread slots, and query processes if given."""

    def __init__(
        self,
        threads: int,
        timeout: float,
        *,
        kg: KnowledgeGraph | None = None,
        processes: int = 0,
        max_abandoned: int | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_abandoned = threads if max_abandoned is None else max_abandoned
        self._slots = _Slots(threads)
        self._abandoned = 0
        self._abandoned_lock = threading.Lock()
        self._kg = kg
        self._processes: QueryProcesses | None = None
        self._process_slots = _Slots(max(processes, 1))
        #: Query-process calls in flight (a task is only weakly held by its loop).
        self._calls: set[asyncio.Future[Any]] = set()
        if kg is not None and processes > 0:
            from valuechain_kg.api.query_processes import QueryProcesses, fork_available

            if fork_available():
                self._processes = QueryProcesses(kg, processes)
                # An app dropped without its lifespan shutdown still ends its workers.
                weakref.finalize(self, self._processes.kill_all)

    @property
    def isolated(self) -> bool:
        """Whether user queries run in killable processes (else in threads)."""
        return self._processes is not None

    @property
    def abandoned(self) -> int:
        """Threads still running work whose client was already answered 503."""
        return self._abandoned

    def _timeout(self) -> QueryTimeout:
        return QueryTimeout(f"the query ran longer than {self.timeout:g} s")

    async def _await(self, future: Future[T], deadline: Deadline) -> T:
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), deadline.remaining)
        except TimeoutError as exc:
            deadline.abandon()
            raise self._timeout() from exc

    def _track_abandoned(self, future: Future[Any]) -> None:
        if future.done():
            return
        with self._abandoned_lock:
            self._abandoned += 1

        def finished(_: Future[Any]) -> None:
            with self._abandoned_lock:
                self._abandoned -= 1

        future.add_done_callback(finished)

    async def run(self, work: Callable[[Deadline], T]) -> T:
        """Run ``work(deadline)`` in a thread slot; QueryTimeout once the deadline passes."""
        deadline = Deadline(self.timeout)
        if self._abandoned >= self.max_abandoned:
            raise ServerBusy(
                f"{self._abandoned} queries past their deadline are still running; retry later"
            )
        try:
            await asyncio.wait_for(self._slots.acquire(), deadline.remaining)
        except TimeoutError as exc:
            raise self._timeout() from exc
        future: Future[T] | None = None
        try:
            future = _in_daemon_thread(lambda: work(deadline), "vckg-query")
            return await self._await(future, deadline)
        finally:
            if future is not None:
                self._track_abandoned(future)
            self._slots.release()

    async def run_isolated(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(kg, deadline, *args)`` in a query process (a thread slot without one).

        ``fn`` must be a module-level function and ``args`` picklable: they are sent to the
        worker process, which is killed if the deadline passes.
        """
        processes = self._processes
        if processes is None:
            kg = self._kg
            if kg is None:
                raise RuntimeError("run_isolated needs Workers(kg=...)")
            return await self.run(lambda deadline: fn(kg, deadline, *args))
        deadline = Deadline(self.timeout)
        if not self._process_slots.try_acquire():
            try:
                async with asyncio.timeout(deadline.remaining):  # no task, unlike wait_for
                    await self._process_slots.acquire()
            except TimeoutError as exc:
                raise self._timeout() from exc
        # The call ends by the deadline at the latest (then the process is killed); it runs as
        # its own task, shielded from the request's cancellation, and frees the slot when it
        # ends, so there are never more calls than processes.
        seconds = max(deadline.remaining, 0.001)
        call = asyncio.ensure_future(self._call_then_release(processes, fn, args, seconds))
        self._calls.add(call)
        call.add_done_callback(self._settled)
        return await asyncio.shield(call)

    async def _call_then_release(
        self, processes: QueryProcesses, fn: Callable[..., T], args: tuple[Any, ...], seconds: float
    ) -> T:
        try:
            result: T = await processes.call(fn, args, seconds)
            return result
        finally:
            self._process_slots.release()

    def _settled(self, call: asyncio.Future[Any]) -> None:
        """Forget a finished call; its outcome is read even when no request awaits it now."""
        self._calls.discard(call)
        if not call.cancelled():
            call.exception()

    def writing(self) -> threading.Lock | _NoLock:
        """Hold while writing to the store, so no worker process is forked mid-write."""
        return self._processes.fork_lock if self._processes is not None else _NoLock()

    async def run_apart(self, work: Callable[[], T]) -> T:
        """Run ``work`` on its own thread, outside the slots, with the same deadline."""
        deadline = Deadline(self.timeout)
        return await self._await(_in_daemon_thread(work, "vckg-side"), deadline)

    def stop_queries(self) -> None:
        """Kill every query process now (shutdown): requests waiting on them answer 503."""
        if self._processes is not None:
            self._processes.kill_all()

    def shutdown(self) -> None:
        self.stop_queries()


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None
