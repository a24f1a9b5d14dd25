"""The query processes' round trip on the event loop: real forked workers over a real store.

A task and its answer travel through non-blocking pipes watched by the loop, so these check what
that must get right: frames far larger than a pipe's buffer in both directions, several calls
at once, a worker killed at its deadline and replaced, a worker that dies mid-task, and the
store's revision moving on between calls.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from valuechain_kg.api.query_processes import QueryProcesses, fork_available
from valuechain_kg.api.workers import Deadline, QueryCrashed, QueryTimeout, Workers
from valuechain_kg.graph import KnowledgeGraph

pytestmark = pytest.mark.skipif(not fork_available(), reason="query processes need fork")

#: Larger than a pipe's buffer (64 KiB on Linux) many times over.
BIG = 3 * 2**20

#: While set, every child forked from this process sleeps before it goes on: a worker that
#: starts slowly, as one forked from a large server on a busy machine does.
SLOW_START = threading.Event()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: SLOW_START.is_set() and time.sleep(1.2))


def echo_length(kg: KnowledgeGraph, deadline: Deadline, text: str) -> int:
    return len(text)


def make_bytes(kg: KnowledgeGraph, deadline: Deadline, size: int) -> bytes:
    return bytes(range(256)) * (size // 256)


def worker_pid(kg: KnowledgeGraph, deadline: Deadline) -> int:
    return os.getpid()


def sleep_then_pid(kg: KnowledgeGraph, deadline: Deadline, seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def die(kg: KnowledgeGraph, deadline: Deadline) -> None:
    os._exit(3)


def fail(kg: KnowledgeGraph, deadline: Deadline) -> None:
    raise ValueError("refused in the worker")


def count_triples(kg: KnowledgeGraph, deadline: Deadline) -> int:
    return len(list(kg.sparql("SELECT * WHERE { <urn:a> ?p ?o }")))  # type: ignore[arg-type]


@pytest.fixture
def kg() -> Iterator[KnowledgeGraph]:
    graph = KnowledgeGraph.open()
    yield graph
    graph.close()


def run(processes: QueryProcesses, fn: Any, *args: Any, seconds: float = 10.0) -> Any:
    async def go() -> Any:
        return await processes.call(fn, args, seconds)

    return asyncio.run(go())


def test_frames_larger_than_a_pipe_buffer_cross_both_ways(kg: KnowledgeGraph) -> None:
    processes = QueryProcesses(kg, 1)
    try:
        assert run(processes, echo_length, "x" * BIG) == BIG
        answer = run(processes, make_bytes, BIG)
        assert len(answer) == BIG and answer[:256] == bytes(range(256))
    finally:
        processes.kill_all()


def test_calls_at_once_each_get_their_own_answer(kg: KnowledgeGraph) -> None:
    processes = QueryProcesses(kg, 2)

    async def go() -> list[int]:
        calls = [processes.call(echo_length, ("y" * n,), 10.0) for n in range(1, 9)]
        return list(await asyncio.gather(*calls))

    try:
        assert asyncio.run(go()) == list(range(1, 9))
    finally:
        processes.kill_all()


def test_a_worker_past_its_deadline_is_killed_and_replaced(kg: KnowledgeGraph) -> None:
    processes = QueryProcesses(kg, 1)
    try:
        first = run(processes, worker_pid)
        began = time.monotonic()
        with pytest.raises(QueryTimeout):
            run(processes, sleep_then_pid, 30.0, seconds=0.3)
        assert time.monotonic() - began < 5
        second = run(processes, worker_pid)
        assert second != first
        # The killed worker is gone (reaped), not left running the sleep.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.kill(first, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"worker {first} still exists after its deadline")
    finally:
        processes.kill_all()


def test_a_worker_that_starts_slower_than_the_timeout_still_answers(kg: KnowledgeGraph) -> None:
    """The clock of a query starts once its worker is ready: a start that takes longer than
    the timeout would otherwise kill every new worker before its first answer."""
    processes = QueryProcesses(kg, 1)
    SLOW_START.set()
    try:
        began = time.monotonic()
        assert run(processes, echo_length, "abc", seconds=0.3) == 3
        assert time.monotonic() - began >= 1.2
        with pytest.raises(QueryTimeout):
            run(processes, sleep_then_pid, 30.0, seconds=0.3)
        assert run(processes, echo_length, "abcd", seconds=0.3) == 4
    finally:
        SLOW_START.clear()
        processes.kill_all()


def test_a_worker_that_dies_mid_task_is_a_crash_and_the_next_call_works(
    kg: KnowledgeGraph,
) -> None:
    processes = QueryProcesses(kg, 1)
    try:
        with pytest.raises(QueryCrashed, match="exit"):
            run(processes, die)
        with pytest.raises(ValueError, match="refused in the worker"):
            run(processes, fail)
        assert run(processes, echo_length, "abc") == 3
    finally:
        processes.kill_all()


def test_a_worker_is_kept_between_calls_and_replaced_when_the_store_moves_on(
    kg: KnowledgeGraph,
) -> None:
    processes = QueryProcesses(kg, 1)
    try:
        first = run(processes, worker_pid)
        assert run(processes, worker_pid) == first
        assert run(processes, count_triples) == 0
        kg.update("INSERT DATA { <urn:a> <urn:p> <urn:b> }")
        assert run(processes, count_triples) == 1
        assert run(processes, worker_pid) != first
    finally:
        processes.kill_all()


def test_a_cancelled_request_leaves_its_call_to_finish_and_free_the_slot(
    kg: KnowledgeGraph,
) -> None:
    workers = Workers(1, 5.0, kg=kg, processes=1)

    async def go() -> int:
        request = asyncio.ensure_future(workers.run_isolated(sleep_then_pid, 0.3))
        await asyncio.sleep(0.1)
        request.cancel()
        with pytest.raises(asyncio.CancelledError):
            await request
        # The one slot comes back when the cancelled call ends, and the worker is kept.
        return int(await asyncio.wait_for(workers.run_isolated(worker_pid), 5.0))

    try:
        pid = asyncio.run(go())
        assert pid > 0
    finally:
        workers.shutdown()
