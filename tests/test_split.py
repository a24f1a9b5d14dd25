"""Jobs shared by two processes: each run once, results in order, errors carried back."""

from __future__ import annotations

import os
import time

import pytest

from valuechain_kg.validation.compiled.split import in_two_processes


def test_each_job_runs_once_and_the_results_come_in_the_jobs_order() -> None:
    def job(n: int) -> tuple[int, int]:
        time.sleep(0.01)
        return n * n, os.getpid()

    results = in_two_processes([lambda n=n: job(n) for n in range(40)])
    assert [square for square, _ in results] == [n * n for n in range(40)]
    assert os.getpid() in {pid for _, pid in results}


def test_the_process_left_free_takes_the_jobs_the_busy_one_cannot() -> None:
    # The first job is long: whichever process takes it, the other one runs every other job.
    def long() -> int:
        time.sleep(2.0)
        return os.getpid()

    def short() -> int:
        time.sleep(0.01)
        return os.getpid()

    first, *rest = in_two_processes([long, *[short] * 20])
    assert set(rest) == {rest[0]} and rest[0] != first
    assert len({first, os.getpid(), rest[0]}) == 2


def test_a_failing_job_in_the_child_is_raised_here_naming_it() -> None:
    parent = os.getpid()

    def job(n: int) -> int:
        if os.getpid() != parent:
            raise ValueError(f"job {n} broke")
        time.sleep(0.2)
        return n

    with pytest.raises(RuntimeError, match=r"ValueError: job \d+ broke"):
        in_two_processes([lambda n=n: job(n) for n in range(10)])


def test_no_jobs_gives_no_results() -> None:
    assert in_two_processes([]) == []
