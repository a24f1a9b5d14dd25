"""HTTP on loopback at concurrency 8: `/sparql` lookups and joins, and `/impacts/{id}/leverage`.

Targets (issue 7): `/sparql` at least 0.5 of ``oxigraph serve``'s throughput on both queries,
at least 100x rdflib-endpoint's on the join, and no request blocked behind a slow one; the
server holding 1M actors peaks under 8 GiB of RSS. The server is ``vckg serve`` on the disk
store (``python -m valuechain_kg.api.server --store DIR``); its peak RSS is read from
``/proc/PID/status`` (VmHWM) after the requests.
"""

from __future__ import annotations

import concurrent.futures
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from bench.dataset import Dataset
from bench.environment import version
from bench.measure import ROOT, median, percentile, rate, seconds, size_of
from bench.report import AT_1M, NOT_RUN, Row, verdict

CONCURRENCY = 8
REQUESTS = 400

LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/valuechain/id/{actor}> ?p ?o }"
JOIN = (
    "PREFIX vc: <https://w3id.org/valuechain#> PREFIX schema: <https://schema.org/> "
    "SELECT ?s ?c ?n WHERE { ?s vc:supplies <https://w3id.org/valuechain/id/{actor}> . "
    "?s vc:country ?c . ?s schema:name ?n . ?s vc:role ?r }"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _peak_rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Server:
    """``vckg serve`` in a child process, started on a free port and stopped by its pid."""

    def __init__(self, store: Path) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "valuechain_kg.api.server",
                "--store",
                str(store),
                "--port",
                str(self.port),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the server exited while starting")
            try:
                if httpx.get(self.url + "/health", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the server did not answer /health within 10 minutes")

    def stop(self) -> int:
        peak = _peak_rss(self.process.pid)
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        return peak


def _load(requests: list[Callable[[httpx.Client], httpx.Response]]) -> dict[str, float]:
    """Run the requests at concurrency 8; throughput, latency percentiles, failures."""
    latencies: list[float] = []
    failures = 0
    with httpx.Client(timeout=120, limits=httpx.Limits(max_connections=CONCURRENCY)) as client:

        def one(send: Callable[[httpx.Client], httpx.Response]) -> tuple[float, bool]:
            start = time.perf_counter()
            response = send(client)
            return time.perf_counter() - start, response.status_code == 200

        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(CONCURRENCY) as pool:
            for latency, ok in pool.map(one, requests):
                latencies.append(latency)
                failures += not ok
        elapsed = time.perf_counter() - start
    return {
        "elapsed": elapsed,
        "count": len(requests),
        "p50": median(latencies),
        "p99": percentile(latencies, 99),
        "failures": failures,
    }


def _sparql(url: str, query: str) -> Callable[[httpx.Client], httpx.Response]:
    return lambda client: client.get(
        url + "/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    )


def _get(url: str) -> Callable[[httpx.Client], httpx.Response]:
    return lambda client: client.get(url)


def rows(data: Dataset) -> list[Row]:
    import random

    rng = random.Random(data.seed)
    width = len(str(data.actors - 1))
    actors = [f"actor-{rng.randrange(data.actors):0{width}d}" for _ in range(REQUESTS)]
    # A tiny (smoke) size only checks that the family runs.
    n = 40 if data.actors < 5_000 else REQUESTS
    server = Server(data.store_dir)
    try:
        impacts = httpx.get(server.url + "/impacts", params={"limit": 50}, timeout=300).json()
        items = impacts.get("items") or impacts.get("impacts") or []
        impact_ids = [i["id"] for i in items] or ["impact-0"]
        lookups = _load([_sparql(server.url, LOOKUP.replace("{actor}", a)) for a in actors[:n]])
        joins = _load([_sparql(server.url, JOIN.replace("{actor}", a)) for a in actors[:n]])
        paths = [f"/impacts/{impact_ids[k % len(impact_ids)]}/leverage" for k in range(n)]
        leverage = _load([_get(server.url + path) for path in paths])
    finally:
        peak = server.stop()
    anchors = {"oxigraph": version("oxigraph"), "rdflib-endpoint": version("rdflib-endpoint")}
    missing = [k for k, v in anchors.items() if v is None]
    anchor_note = (
        f"anchors not installed ({', '.join(missing)}): ratios not measured" if missing else ""
    )
    result = []
    for label, r in (
        ("`/sparql` one-actor lookup", lookups),
        ("`/sparql` 4-pattern join", joins),
        ("`/impacts/{id}/leverage`", leverage),
    ):
        note = (
            f"{r['count']:.0f} requests at concurrency {CONCURRENCY}; p50 "
            f"{seconds(r['p50'])}, p99 {seconds(r['p99'])}; {r['failures']:.0f} not 200"
        )
        if anchor_note and "sparql" in label:
            note += "; " + anchor_note
        result.append(
            Row(
                "http",
                label + " (vckg serve, disk store)",
                data.actors,
                rate(r["count"], r["elapsed"], "req/s"),
                "`oxigraph serve` / rdflib-endpoint" if "sparql" in label else "",
                "-",
                "-",
                ">= 0.5x oxigraph serve; join >= 100x rdflib-endpoint" if "sparql" in label else "",
                NOT_RUN if "sparql" in label else "",
                size_of(peak),
                note,
            )
        )
    result.append(
        Row(
            "memory",
            "peak RSS of the server after these requests",
            data.actors,
            size_of(peak),
            "",
            "",
            "",
            "< 8 GiB at 1M actors",
            verdict(peak < 8 * 2**30) if data.actors >= 1_000_000 else AT_1M,
            size_of(peak),
            "VmHWM of the server process, disk store",
        )
    )
    return result
