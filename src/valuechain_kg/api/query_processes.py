"""User queries in forked worker processes that are killed at their deadline.

pyoxigraph has no way to cancel a running query: a thread evaluating an ORDER BY, GROUP BY or
COUNT over a huge join runs until the engine is done, however long ago its client gave up. A
process can be killed. So each worker is a child forked from the server, holding the store as
it was at the fork (copy-on-write for an in-memory store; the same open RocksDB handle, read
only, for an on-disk one). It answers one task at a time; when a task passes its deadline the
parent kills the child and forks a fresh one on the next demand. A worker is also replaced when
the store's revision moves on, so a query never reads data older than the request.

Workers are kept between queries because forking costs time proportional to the server's
memory, while a round trip to a forked worker costs a pipe write and a pickle.

The parent's side of a round trip runs on the event loop itself: the pipes are non-blocking and
watched by the loop, so a query costs no thread of its own (starting one, and handing the GIL
to it and back, would cost the loop more than the pipe and the pickle do). Only the rare
blocking steps, forking a worker (which may wait for a write to finish) and reaping a killed
one, run in the loop's executor.

A task is a module-level function ``fn(kg, deadline, *args)`` (sent by name, with pickled
arguments); its return value or exception comes back pickled.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import pickle
import select
import signal
import stat
import struct
import threading
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from valuechain_kg.api.workers import Deadline, QueryCrashed, QueryTimeout

if TYPE_CHECKING:
    from valuechain_kg.service.graph import KnowledgeGraph

__all__ = ["QueryProcesses", "fork_available"]

_LENGTH = struct.Struct("!Q")
#: After its own deadline, a worker checks itself for this long before the parent kills it,
#: so a query that stops at a result row reports a clean timeout and the worker is kept.
_GRACE = 0.5
#: How long a freshly forked worker may take to say it is ready before it counts as crashed.
_START_LIMIT = 10.0


def fork_available() -> bool:
    return hasattr(os, "fork") and hasattr(os, "register_at_fork")


def _write_frame(fd: int, payload: bytes) -> None:
    """One length-prefixed frame onto a blocking pipe (the child's side)."""
    data = memoryview(_LENGTH.pack(len(payload)) + payload)
    while data:
        data = data[os.write(fd, data) :]


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks: list[bytes] = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _read_frame(fd: int) -> bytes | None:
    """One length-prefixed frame from a blocking pipe (the child's side); None at end of file."""
    header = _read_exactly(fd, _LENGTH.size)
    if header is None:
        return None
    return _read_exactly(fd, _LENGTH.unpack(header)[0])


async def _ready(fd: int, writing: bool) -> None:
    """Until the event loop sees ``fd`` readable (or writable)."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    if writing:
        loop.add_writer(fd, wake)
    else:
        loop.add_reader(fd, wake)
    try:
        await ready
    finally:
        if writing:
            loop.remove_writer(fd)
        else:
            loop.remove_reader(fd)


async def _send_frame(fd: int, payload: bytes) -> None:
    """One length-prefixed frame onto a non-blocking pipe, waiting on the loop when it is full."""
    data = memoryview(_LENGTH.pack(len(payload)) + payload)
    while data:
        try:
            data = data[os.write(fd, data) :]
        except BlockingIOError:
            await _ready(fd, writing=True)


async def _receive_frame(fd: int) -> bytes | None:
    """One length-prefixed frame from a non-blocking pipe; None at end of file.

    The child writes one frame per task and then waits for the next task, so whatever the pipe
    holds belongs to this frame.
    """
    received = bytearray()
    size: int | None = None
    while size is None or len(received) < size:
        try:
            chunk = os.read(fd, 1 << 20)
        except BlockingIOError:
            await _ready(fd, writing=False)
            continue
        if not chunk:
            return None
        received += chunk
        if size is None and len(received) >= _LENGTH.size:
            size = _LENGTH.size + _LENGTH.unpack_from(received)[0]
    return bytes(received[_LENGTH.size : size])


def _close_inherited(keep: set[int]) -> None:
    """Close the sockets and pipes the child inherited, except its own two pipes.

    A child holding a copy of a client connection would keep that TCP connection open after
    the server closes it, and one holding the listening socket would keep the port bound.
    Regular files stay: an on-disk store reads through them.
    """
    fd_dir = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    for name in os.listdir(fd_dir):
        fd = int(name)
        if fd in keep or fd <= 2:
            continue
        try:
            mode = os.fstat(fd).st_mode
        except OSError:
            continue
        if stat.S_ISSOCK(mode) or stat.S_ISFIFO(mode):
            os.close(fd)


def _pack_exception(exc: BaseException) -> tuple[str, Any]:
    """An exception as something that unpickles even when its ``__init__`` takes keywords."""
    try:
        return ("err", pickle.dumps((type(exc), exc.args, vars(exc))))
    except Exception:
        return ("err", pickle.dumps((RuntimeError, (f"{type(exc).__name__}: {exc}",), {})))


def _unpack_exception(blob: bytes) -> BaseException:
    cls, args, attributes = pickle.loads(blob)
    exc: BaseException
    try:
        exc = cls(*args)  # built-in exceptions keep their slots (SyntaxError.msg) this way
    except Exception:
        exc = cls.__new__(cls)
        exc.args = args
    exc.__dict__.update(attributes)
    return exc


def _serve_tasks(kg: KnowledgeGraph, tasks: int, results: int) -> None:
    """The child's loop: one task in, one answer out, until the parent closes the pipe."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the group; the parent decides
    _close_inherited({tasks, results})
    # Every object inherited from the server goes to the permanent generation, so that no
    # collection in the worker walks (and copies, page by page) the server's whole heap.
    gc.freeze()
    _write_frame(results, b"")  # ready: the parent starts a task's clock only from here
    while True:
        frame = _read_frame(tasks)
        if frame is None:
            return
        fn, args, seconds = pickle.loads(frame)
        # The kernel ends this process past the deadline even if the parent is gone.
        signal.setitimer(signal.ITIMER_REAL, seconds + 2 * _GRACE + 1)
        deadline = Deadline(seconds)
        try:
            answer: tuple[str, Any] = ("ok", fn(kg, deadline, *args))
        except BaseException as exc:  # everything goes back to the parent, which re-raises
            answer = _pack_exception(exc)
        signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            payload = pickle.dumps(answer)
        except Exception as exc:
            payload = pickle.dumps(_pack_exception(exc))
        _write_frame(results, payload)


class _Child:
    """One forked worker and the two pipes to it."""

    def __init__(self, pid: int, tasks: int, results: int, revision: str) -> None:
        self.pid = pid
        self.tasks = tasks
        self.results = results
        self.revision = revision
        self._status: int | None = None

    def signal_kill(self) -> None:
        """SIGKILL, unless already reaped (its pid may belong to someone else by then)."""
        if self._status is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL, reap, close: the engine stops wherever it was."""
        self.signal_kill()
        self.reap()

    def reap(self) -> int:
        """Close the pipes and collect the exit status, once (a second call only reads it)."""
        if self._status is None:
            os.close(self.tasks)
            os.close(self.results)
            try:
                self._status = os.waitpid(self.pid, 0)[1]
            except ChildProcessError:
                self._status = 0
        return self._status


def _await_ready(child: _Child) -> None:
    """Block until a new worker's empty ready frame arrives.

    A worker forked from a large server can take a while to start on a busy machine (the
    copy-on-write faults of its first steps); that time is the server's, not the query's, so a
    slow start never makes the worker miss its first deadline and be replaced by another slow
    starter. A worker that does not start within ``_START_LIMIT`` is killed as crashed.
    """
    readable, _, _ = select.select([child.results], [], [], _START_LIMIT)
    frame = _read_frame(child.results) if readable else None
    if frame != b"":
        child.kill()
        raise QueryCrashed("the query process did not start")


class QueryProcesses:
    """At most ``size`` forked workers over ``store``; ``call`` is awaited on the event loop."""

    def __init__(self, kg: KnowledgeGraph, size: int) -> None:
        self.kg = kg
        self.size = size
        self._idle: list[_Child] = []
        self._busy: set[_Child] = set()
        self._lock = threading.Lock()
        #: Held while forking and by store writers, so no fork copies a write half done.
        self.fork_lock = threading.Lock()
        self._closed = False

    def _fork(self, until: float) -> _Child:
        if not self.fork_lock.acquire(timeout=max(until - time.monotonic(), 0.0)):
            raise TimeoutError  # a write holds the store for longer than the query may wait
        try:
            task_r, task_w = os.pipe()
            result_r, result_w = os.pipe()
            with warnings.catch_warnings():
                # Forking a threaded process is safe here: the child runs only this module's
                # loop and the engine, then leaves by os._exit without running any cleanup.
                warnings.simplefilter("ignore", DeprecationWarning)
                revision = self.kg.revision
                pid = os.fork()
        finally:
            self.fork_lock.release()
        if pid == 0:  # the child
            status = 0
            try:
                os.close(task_w)
                os.close(result_r)
                _serve_tasks(self.kg, task_r, result_w)
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        os.close(task_r)
        os.close(result_w)
        child = _Child(pid, task_w, result_r, revision)
        _await_ready(child)
        os.set_blocking(task_w, False)
        os.set_blocking(result_r, False)
        return child

    def _idle_child(self) -> _Child | None:
        """An idle worker forked at the current revision, taken without blocking, if any.

        None when there is none, or when stale workers must first be killed (which waits for
        them to exit): ``_take`` does both, off the event loop.
        """
        revision = self.kg.revision
        with self._lock:
            if self._closed or not self._idle:
                return None
            if any(c.revision != revision for c in self._idle):
                return None
            child = self._idle.pop()
            self._busy.add(child)
        return child

    def _take(self, until: float) -> _Child:
        """An idle worker forked at the current revision, or a new one (blocks: forks)."""
        revision = self.kg.revision
        with self._lock:
            if self._closed:
                raise QueryCrashed("the server is shutting down")
            stale = [c for c in self._idle if c.revision != revision]
            self._idle = [c for c in self._idle if c.revision == revision]
            child = self._idle.pop() if self._idle else None
        for old in stale:
            old.kill()
        if child is None:
            child = self._fork(until)
        with self._lock:
            self._busy.add(child)
        return child

    def _give_back(self, child: _Child, healthy: bool) -> None:
        """Keep a healthy worker for the next task; kill any other, reaped off the loop."""
        with self._lock:
            self._busy.discard(child)
            keep = healthy and not self._closed and len(self._idle) < self.size
            if keep:
                self._idle.append(child)
        if not keep:
            child.signal_kill()
            asyncio.get_running_loop().run_in_executor(None, child.reap)

    async def call(self, fn: Callable[..., Any], args: tuple[Any, ...], seconds: float) -> Any:
        """``fn(kg, deadline, *args)`` in a worker; QueryTimeout once ``seconds`` pass.

        Past the deadline (and its grace) the worker is killed, whatever it was doing.
        """
        timeout = QueryTimeout(f"the query ran longer than {seconds:g} s")
        child = self._idle_child()
        if child is None:
            loop = asyncio.get_running_loop()
            try:
                # A write holding the store counts against the query; a worker's start does not.
                child = await loop.run_in_executor(
                    None, self._take, time.monotonic() + seconds + _GRACE
                )
            except TimeoutError:
                raise timeout from None
        until = time.monotonic() + seconds + _GRACE
        healthy = False
        try:
            try:
                async with asyncio.timeout(max(until - time.monotonic(), 0.0)):
                    await _send_frame(child.tasks, pickle.dumps((fn, args, seconds)))
                    frame = await _receive_frame(child.results)
            except TimeoutError:
                raise timeout from None
            except OSError:  # a broken pipe: the worker died while taking the task
                frame = None
            if frame is None:
                loop = asyncio.get_running_loop()
                status = await loop.run_in_executor(None, child.reap)
                how = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else "an exit"
                raise QueryCrashed(f"the query process ended unexpectedly ({how})")
            healthy = True
            kind, value = pickle.loads(frame)
        finally:
            self._give_back(child, healthy)
        if kind == "err":
            raise _unpack_exception(value)
        return value

    def kill_all(self) -> None:
        """End every worker now, busy or not: queries in flight answer 503 at once."""
        with self._lock:
            self._closed = True
            busy = set(self._busy)
            children = [*self._idle, *busy]
            self._idle = []
        for child in children:
            child.signal_kill()
        for child in children:
            if child not in busy:
                child.reap()
