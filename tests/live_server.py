"""A real ``vckg serve`` process for the tests that need sockets, signals and child processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest


@dataclass
class LiveServer:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, then the exit status (pytest fails if it takes longer than ``timeout``)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"the server did not stop within {timeout} s after SIGTERM")

    def cpu_seconds(self) -> float:
        """CPU time of the server and all its child processes, ended ones included."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        own = _stat_fields(self.process.pid)
        if own is not None:
            total += sum(int(f) for f in own[11:15])  # utime, stime, cutime, cstime
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and entry.name != str(self.process.pid):
                fields = _stat_fields(int(entry.name))
                if fields is not None and int(fields[1]) == self.process.pid:  # its child
                    total += int(fields[11]) + int(fields[12])
        return total / ticks


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state is index 0, ppid 1)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(log: Path, *args: str, env: dict[str, str] | None = None) -> LiveServer:
    """``python -m valuechain_kg.api.server ARGS`` on a free port, once /health answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "valuechain_kg.api.server", "--port", str(port), *args],
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return LiveServer(url, port, process, log)
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("the server did not start: " + log.read_text())
        time.sleep(0.2)


def write_triples(path: Path, count: int) -> Path:
    """``count`` generated triples as N-Triples: enough for a cartesian product never to end."""
    lines = (
        f'<http://example.org/s{i}> <http://example.org/p{i % 5}> "{i}" .\n' for i in range(count)
    )
    path.write_text("".join(lines))
    return path
