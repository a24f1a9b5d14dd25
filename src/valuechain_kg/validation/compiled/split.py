"""Run two halves of a CPU-bound job at once, one in a forked child, on a machine's two cores.

pyoxigraph holds the interpreter lock while it evaluates a query, so threads give a full SHACL
run no second core. A forked child does: it inherits the store (copy-on-write in memory, the
same open RocksDB handle on disk) and everything the parent had read so far, runs its half and
sends back a pickled answer through a pipe.

Forking is only safe where no other thread could hold a lock the child needs (an engine mutex,
an allocator lock): ``can_fork`` says so only in a single-threaded process, such as the
``vckg validate`` and ``vckg load`` commands. A server runs the two halves one after the other.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable
from typing import TypeVar, cast

__all__ = ["can_fork", "in_two_processes"]

T = TypeVar("T")


def can_fork() -> bool:
    """Whether a fork here copies no other thread's half-held lock."""
    return hasattr(os, "fork") and threading.active_count() == 1


def in_two_processes(here: Callable[[], T], there: Callable[[], T]) -> tuple[T, T]:
    """(``here()``, ``there()``), the second computed in a forked child at the same time.

    An exception in the child is raised here as a RuntimeError naming it; the child never
    returns into the caller's code (it leaves with ``os._exit``).
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        status = 0
        try:
            payload = pickle.dumps(("ok", there()))
        except BaseException as exc:  # everything goes back to the parent
            payload = pickle.dumps(("err", f"{type(exc).__name__}: {exc}"))
            status = 1
        with os.fdopen(write_end, "wb") as out:
            out.write(payload)
        os._exit(status)
    os.close(write_end)
    try:
        mine = here()
    finally:
        with os.fdopen(read_end, "rb") as source:
            blob = source.read()
        os.waitpid(pid, 0)
    kind, theirs = pickle.loads(blob) if blob else ("err", "the child ended without an answer")
    if kind != "ok":
        raise RuntimeError(f"the validation half run in a child process failed: {theirs}")
    return mine, cast(T, theirs)
