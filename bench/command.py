"""Commands timed as users run them: wall clock, exit status, and the peak memory of each process.

A command's own peak resident set comes from ``wait4`` (the kernel's ``ru_maxrss`` of that one
child). Processes it starts but never waits for, such as the JVM ``pyspark`` launches, are not
in that figure, so the tree below the command is sampled while it runs: the largest ``VmHWM``
seen among its descendants is reported beside it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.measure import ROOT, ChildFailed

#: How often the process tree of a running command is sampled for its descendants' peaks.
SAMPLE_EVERY_S = 0.25


def vckg() -> str:
    """The ``vckg`` console script of this interpreter's environment."""
    return str(Path(sys.executable).with_name("vckg"))


@dataclass(frozen=True)
class Finished:
    """One command run to its end."""

    seconds: float
    #: ``ru_maxrss`` of the command's own process, in bytes.
    peak_rss: int
    #: The largest ``VmHWM`` among the processes it started (0: none was seen), in bytes.
    descendants_rss: int
    stdout: str


def peak_rss(pid: int) -> int:
    """``VmHWM`` of a live process in bytes (0 once it is gone or unreadable)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _children_of() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: the parent pid follows it.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    return children


def _descendants(pid: int) -> list[int]:
    tree, found, todo = _children_of(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def run(argv: list[str], timeout: float = 7200, env: dict[str, str] | None = None) -> Finished:
    """Run ``argv`` to its end; a failure or a timeout raises ``ChildFailed`` with its stderr."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT, env=env)
        peaks: dict[int, int] = {}
        done = threading.Event()

        def sample() -> None:
            while not done.wait(SAMPLE_EVERY_S):
                for pid in _descendants(process.pid):
                    peaks[pid] = max(peaks.get(pid, 0), peak_rss(pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        deadline = start + timeout
        status, usage = 0, None
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                done.set()
                raise ChildFailed(f"{argv[1:3]} took longer than {timeout:.0f} s")
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
        done.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        if process.returncode != 0:
            tail = err.read().decode("utf-8", "replace").strip().splitlines()[-3:]
            raise ChildFailed(
                f"{' '.join(argv[1:3])} failed (exit {process.returncode}): {' | '.join(tail)}"
            )
    # Linux reports ru_maxrss in KiB.
    return Finished(seconds, usage.ru_maxrss * 1024, max(peaks.values(), default=0), stdout)
