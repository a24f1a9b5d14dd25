"""Timing and process helpers shared by the benchmark families."""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


class ChildFailed(RuntimeError):
    """A measurement process failed or ran out of time; the row says so instead of a figure."""


def run_child(target: str, timeout: float = 3600, **kwargs: Any) -> dict[str, Any]:
    """Run ``module:function(**kwargs)`` in a fresh interpreter and return its JSON result."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.child", target],
            input=json.dumps(kwargs),
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise ChildFailed(f"{target} took longer than {timeout:.0f} s") from exc
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        raise ChildFailed(f"{target} failed (exit {done.returncode}): {' | '.join(tail)}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds taken by one call, and its result."""
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank: plain, and honest for small samples."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def seconds(value: float) -> str:
    if value != value:  # NaN
        return "-"
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.2f} s"


def rate(count: float, elapsed: float, unit: str = "triples/s") -> str:
    if not elapsed or elapsed != elapsed:
        return "-"
    per_second = count / elapsed
    if per_second >= 1e4:
        return f"{per_second / 1e3:,.0f}k {unit}"
    if per_second >= 1e3:  # three significant digits: "1k" would hide a 2x difference
        return f"{per_second / 1e3:,.2f}k {unit}"
    return f"{per_second:,.1f} {unit}"


def size_of(n_bytes: float) -> str:
    if n_bytes != n_bytes or n_bytes <= 0:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n_bytes < 1024 or unit == "GiB":
            return f"{n_bytes:.0f} {unit}" if unit in ("B", "KiB") else f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} GiB"


def ratio(value: float) -> str:
    return "-" if value != value else f"{value:.2f}x"
