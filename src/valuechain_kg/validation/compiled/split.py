"""Run a CPU-bound list of jobs in two processes at once, on a machine's two cores.

pyoxigraph holds the interpreter lock while it evaluates a query, so threads give a full SHACL
run no second core. A forked child does: it inherits the store (copy-on-write in memory, the
same open RocksDB handle on disk) and everything the parent had read so far, runs its jobs and
sends back a pickled answer through a pipe.

The jobs are not split in advance: both processes take the next job from one queue whenever
they finish one, so neither waits long for the other however wrong a guess of the jobs' costs
is. The queue is a pipe holding each job's number in a few bytes: a read that small takes a
whole number, and only one process gets it.

Forking is only safe where no other thread could hold a lock the child needs (an engine mutex,
an allocator lock): ``can_fork`` says so only in a single-threaded process, such as the
``vckg validate`` and ``vckg load`` commands. A server runs the jobs one after the other.
"""

from __future__ import annotations

import os
import pickle
import struct
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar, cast

__all__ = ["Beside", "can_fork", "in_two_processes"]

T = TypeVar("T")

_NUMBER = struct.Struct("<I")


def can_fork() -> bool:
    """Whether a fork here copies no other thread's half-held lock."""
    return hasattr(os, "fork") and threading.active_count() == 1


class Beside:
    """Work run in a thread beside the block of a ``with``, such as a compaction of the store,
    which pyoxigraph runs without the interpreter lock. Leaving the block waits for the work,
    then raises its error unless the block is already raising its own. No work, no thread.
    """

    def __init__(self, work: Callable[[], object] | None) -> None:
        self._work = work
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Beside:
        if self._work is not None:
            self._thread = threading.Thread(target=self._run, args=(self._work,), name="beside")
            self._thread.start()
        return self

    def _run(self, work: Callable[[], object]) -> None:
        try:
            work()
        except BaseException as exc:  # raised again on leaving the block, in its thread
            self._error = exc

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if self._thread is not None:
            self._thread.join()
        if kind is None and self._error is not None:
            raise self._error


def _taken(queue: int) -> Iterator[int]:
    """The job numbers this process takes from the queue, until it is empty."""
    while number := os.read(queue, _NUMBER.size):
        yield _NUMBER.unpack(number)[0]


def in_two_processes(jobs: Sequence[Callable[[], T]]) -> list[T]:
    """Each job's result, in the jobs' order; each job run once, here or in a forked child.

    The jobs are taken in their order, so the costly ones should come first. An exception in
    the child is raised here as a RuntimeError naming it; the child never returns into the
    caller's code (it leaves with ``os._exit``).
    """
    numbers = b"".join(_NUMBER.pack(n) for n in range(len(jobs)))
    if len(numbers) > 65_536:  # more than a pipe is sure to hold before anyone reads
        raise ValueError(f"too many jobs for one queue: {len(jobs)}")
    queue, feed = os.pipe()
    os.write(feed, numbers)
    os.close(feed)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        status = 0
        try:
            payload = pickle.dumps(("ok", {n: jobs[n]() for n in _taken(queue)}))
        except BaseException as exc:  # everything goes back to the parent
            payload = pickle.dumps(("err", f"{type(exc).__name__}: {exc}"))
            status = 1
        with os.fdopen(write_end, "wb") as out:
            out.write(payload)
        os._exit(status)
    os.close(write_end)
    try:
        mine = {n: jobs[n]() for n in _taken(queue)}
    finally:
        os.close(queue)
        with os.fdopen(read_end, "rb") as source:
            blob = source.read()
        os.waitpid(pid, 0)
    kind, theirs = pickle.loads(blob) if blob else ("err", "the child ended without an answer")
    if kind != "ok":
        raise RuntimeError(f"the validation jobs run in a child process failed: {theirs}")
    done: dict[int, T] = {**mine, **cast(dict[int, T], theirs)}
    return [done[n] for n in range(len(jobs))]
