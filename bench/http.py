"""HTTP on loopback at concurrency 8: `/sparql` lookups and joins, and `/impacts/{id}/leverage`.

Targets: `/sparql` at least 0.8 of ``oxigraph serve``'s throughput on each query mix,
at least 100x rdflib-endpoint's on the join, and no request blocked behind a slow one; the
server holding 1M actors peaks under 8 GiB of RSS.

Three query mixes: a one-actor lookup; a selective 4-pattern join (one actor's suppliers, with
country, name and role), which costs little more than a lookup; and a 4-pattern join over a
country (thousands of rows, counted), where the engine's join speed shows rather than HTTP.

Three servers answer the same queries over the same data, one after the other (the disk store
takes one process at a time):

- ``vckg serve`` on the disk store (``python -m valuechain_kg.api.server --store DIR``);
- ``oxigraph serve-read-only --location DIR --union-default-graph`` (the ``oxigraph``
  package's server, in Rust) on that same disk store: the anchor for what the store itself can
  serve. A query naming no dataset reads the default graph and the ontology graph on
  ``vckg serve`` (``store.ontology``); the anchor's default graph is the union of the store's
  graphs, which are those (the ontology graph when a load through the project wrote it), so
  both answer the same question over the same triples;
- ``rdflib-endpoint serve FILE``: rdflib parses the N-Triples file into memory, where it fits.

The disk store is first compacted when a validated ``vckg load`` of the same file would have
compacted it (``as_vckg_load_leaves_it``), so every server reads the layout users serve.

"Blocked behind a slow one": fast lookups are measured alone, then again while a slow query
(a bounded cross product of actors, seconds long) keeps running on another connection. A server
that runs queries off its event loop keeps the fast lookups' latency; one that evaluates on the
loop makes them wait for the slow query. Peak RSS is ``VmHWM`` of each server process.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.command import peak_rss
from bench.dataset import Dataset
from bench.environment import version
from bench.measure import ROOT, median, percentile, rate, ratio, seconds, size_of
from bench.report import AT_1M, NOT_RUN, Row, verdict, verdict_from_100k

CONCURRENCY = 8
REQUESTS = 400
#: A bounded request run stops issuing requests after this long (every server, every mix).
BUDGET_S = 60.0
#: rdflib-endpoint holds the graph in rdflib: run it only where its footprint fits.
RDFLIB_BYTES_PER_TRIPLE = 1_500
RDFLIB_BUDGET_BYTES = 16 * 2**30
START_TIMEOUT_S = 1200.0
#: Fast lookups sent alone, then beside the slow query (all within one slow query on vckg).
BLOCKING_LOOKUPS = 100

_ID = "https://w3id.org/valuechain/id/"
LOOKUP = "SELECT ?p ?o WHERE { <" + _ID + "{actor}> ?p ?o }"
JOIN = (
    "PREFIX vc: <https://w3id.org/valuechain#> PREFIX schema: <https://schema.org/> "
    "SELECT ?s ?c ?n WHERE { ?s vc:supplies <" + _ID + "{actor}> . "
    "?s vc:country ?c . ?s schema:name ?n . ?s vc:role ?r }"
)
#: A join that reads thousands of rows (every supplier in one actor's country, and what it
#: supplies), answered as one count: the kind of query where an engine's join speed shows
#: rather than the HTTP overhead. ~4% of the synthetic actors share a country.
COUNTRY_JOIN = (
    "PREFIX vc: <https://w3id.org/valuechain#> SELECT (COUNT(*) AS ?n) WHERE { "
    "<" + _ID + "{actor}> vc:country ?k . ?s vc:country ?k . ?s vc:supplies ?t . ?t vc:role ?r }"
)
#: The query mixes, by name: (label in the table, template).
MIXES = {
    "lookup": ("one-actor lookup", LOOKUP),
    "join": ("4-pattern join, one actor's suppliers", JOIN),
    "country": ("4-pattern join over a country, counted", COUNTRY_JOIN),
}
#: The mixes that the ">= 100x rdflib-endpoint" target is about.
JOINS = ("join", "country")
#: A query that takes seconds whatever the size (a cross product of at most n x n actors).
SLOW = (
    "PREFIX vc: <https://w3id.org/valuechain#> SELECT (COUNT(*) AS ?n) WHERE { "
    "{ SELECT ?a WHERE { ?a a vc:Actor } LIMIT {n} } "
    "{ SELECT ?b WHERE { ?b a vc:Actor } LIMIT {n} } FILTER(STR(?a) < STR(?b)) }"
)
#: The cross product's side: ~seconds on Oxigraph, and also seconds on rdflib with a smaller one.
SLOW_SIDE = {"oxigraph": 1000, "rdflib": 150}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tool(name: str) -> str:
    """A console script installed beside this interpreter (the virtualenv's ``bin``)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed (pip install valuechain-kg[bench])")
    return found


class Server:
    """A SPARQL server in a child process on a free port, stopped by its own pid."""

    def __init__(self, name: str, command: list[str], endpoint: str, probe: str) -> None:
        self.name = name
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.endpoint = self.url + endpoint
        argv = [a.replace("{port}", str(self.port)) for a in command]
        start = time.perf_counter()
        self.process = subprocess.Popen(
            argv,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} exited while starting")
            try:
                # One probe at a time, with time to answer: a probe abandoned by the client
                # would still occupy a server worker.
                if httpx.get(self.url + probe, timeout=120).status_code == 200:
                    self.start_seconds = time.perf_counter() - start
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{name} did not answer within {START_TIMEOUT_S:.0f} s")

    def sparql(self, query: str) -> Callable[[httpx.Client], httpx.Response]:
        endpoint = self.endpoint
        return lambda client: client.get(
            endpoint,
            params={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )

    def stop(self) -> int:
        peak = peak_rss(self.process.pid)
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return peak


def vckg_server(store: Path) -> Server:
    command = [sys.executable, "-m", "valuechain_kg.api.server", "--store", str(store)]
    # Ready when SPARQL answers: ``/health`` counts the store by kind, which takes minutes at
    # 1M actors while the projection warms up.
    probe = "/sparql?query=ASK%7B%7D"
    return Server("vckg serve", [*command, "--port", "{port}"], "/sparql", probe)


def oxigraph_server(store: Path) -> Server:
    command = [
        _tool("oxigraph"), "serve-read-only", "--location", str(store), "--union-default-graph"
    ]  # fmt: skip
    probe = "/query?query=ASK%7B%7D"
    return Server("oxigraph serve", [*command, "--bind", "127.0.0.1:{port}"], "/query", probe)


def rdflib_server(nt: Path) -> Server:
    command = [_tool("rdflib-endpoint"), "serve", str(nt), "--host", "127.0.0.1"]
    probe = "/?query=ASK%7B%7D"
    return Server("rdflib-endpoint", [*command, "--port", "{port}"], "/", probe)


def _get(url: str) -> Callable[[httpx.Client], httpx.Response]:
    return lambda client: client.get(url)


def _load(
    requests: list[Callable[[httpx.Client], httpx.Response]], budget: float | None = None
) -> dict[str, float]:
    """Send the requests from 8 threads; throughput, latency percentiles, failures.

    With a ``budget`` (seconds), no new request is sent once it is spent, so a slow server
    answers a bounded run; throughput counts only the requests answered.
    """
    latencies: list[float] = []
    failures = 0
    pending = iter(requests)
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + budget if budget else float("inf")
    timeout = max(120.0, budget or 0.0)

    def worker(client: httpx.Client) -> None:
        nonlocal failures
        while time.perf_counter() < deadline:
            with lock:
                send = next(pending, None)
            if send is None:
                return
            began = time.perf_counter()
            try:
                ok = send(client).status_code == 200
            except httpx.HTTPError:
                ok = False
            with lock:
                latencies.append(time.perf_counter() - began)
                failures += not ok

    limits = httpx.Limits(max_connections=CONCURRENCY)
    with httpx.Client(timeout=timeout, limits=limits) as client:
        threads = [threading.Thread(target=worker, args=(client,)) for _ in range(CONCURRENCY)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    elapsed = time.perf_counter() - start
    return {
        "elapsed": elapsed,
        "count": len(latencies),
        "rate": len(latencies) / elapsed if elapsed else float("nan"),
        "p50": median(latencies),
        "p99": percentile(latencies, 99),
        "failures": failures,
    }


def _with_slow_query(
    server: Server, fast: list[str], slow: str, budget: float | None
) -> dict[str, float]:
    """The fast queries' latencies while one slow query after another runs beside them."""
    stop = threading.Event()
    slow_times: list[float] = []
    started = threading.Event()

    def keep_slow_busy() -> None:
        with httpx.Client(timeout=600) as client:
            while not stop.is_set():
                began = time.perf_counter()
                started.set()
                with contextlib.suppress(httpx.HTTPError):
                    server.sparql(slow)(client)
                slow_times.append(time.perf_counter() - began)

    thread = threading.Thread(target=keep_slow_busy)
    thread.start()
    started.wait()
    time.sleep(0.3)  # let the slow query reach the server's evaluator first
    try:
        loaded = _load([server.sparql(q) for q in fast], budget)
    finally:
        stop.set()
        thread.join()
    loaded["slow"] = median(slow_times)
    loaded["slow_runs"] = len(slow_times)
    return loaded


@dataclass
class Measured:
    """One server's figures at one size."""

    name: str
    runs: dict[str, dict[str, float]]
    alone: dict[str, float]
    beside_slow: dict[str, float]
    peak: int
    start_seconds: float
    extra: dict[str, Any]


def _measure(
    server: Server, queries: dict[str, list[str]], slow: str, budget: float | None
) -> Measured:
    try:
        # One untimed request each: connection set-up and first-query caches.
        _load([server.sparql(texts[0]) for texts in queries.values()])
        runs = {
            name: _load([server.sparql(q) for q in texts], budget)
            for name, texts in queries.items()
        }
        lookups = queries["lookup"][:BLOCKING_LOOKUPS]
        alone = _load([server.sparql(q) for q in lookups], budget)
        beside = _with_slow_query(server, lookups, slow, budget)
    finally:
        peak = server.stop()
    return Measured(server.name, runs, alone, beside, peak, server.start_seconds, {})


def _analysis_ready(server: Server, until: float) -> bool:
    """Wait for ``/health`` to say analysis answers from the store as it is (the build done)."""
    while time.perf_counter() < until:
        if httpx.get(server.url + "/health", timeout=60).json().get("analysis_ready"):
            return True
        time.sleep(0.5)
    return False


def _vckg(data: Dataset, queries: dict[str, list[str]], n: int) -> Measured:
    server = vckg_server(data.store_dir)
    try:
        listed = httpx.get(server.url + "/impacts", params={"limit": 50}, timeout=300).json()
        items = listed.get("items") or listed.get("impacts") or []
        impact_ids = [i["id"] for i in items] or ["impact-0"]
        paths = [f"/impacts/{impact_ids[k % len(impact_ids)]}/leverage" for k in range(n)]
        # The first leverage request starts the projection's build: timed apart, until the
        # server says analysis is ready, so that no figure below is taken beside the build.
        began = time.perf_counter()
        first = httpx.get(server.url + paths[0], timeout=START_TIMEOUT_S)
        ready = _analysis_ready(server, began + START_TIMEOUT_S)
        warmup = time.perf_counter() - began
        leverage = _load([_get(server.url + path) for path in paths])
    except BaseException:
        server.stop()
        raise
    slow = SLOW.replace("{n}", str(SLOW_SIDE["oxigraph"]))
    measured = _measure(server, queries, slow, BUDGET_S)
    measured.extra = {
        "leverage": leverage,
        "warmup": warmup,
        "warmup_status": first.status_code,
        "ready": ready,
        "impacts": len(impact_ids),
    }
    return measured


def _anchor(
    make: Callable[[], Server],
    queries: dict[str, list[str]],
    slow: str,
    budget: float | None,
) -> Measured | str:
    """An anchor server's figures, or why it could not be measured."""
    try:
        server = make()
    except (RuntimeError, OSError) as exc:
        return str(exc)
    return _measure(server, queries, slow, budget)


def as_vckg_load_leaves_it(store_dir: Path) -> str:
    """Compact the store when a validated ``vckg load`` of the same file would have; say which.

    The store the load family keeps is as Oxigraph's bulk loader wrote it: many overlapping
    files, which every read merges. A validated ``vckg load`` of a large file compacts the
    store it writes, so that is the layout users serve; and a server opening the bulk layout
    read-write would spend its first minute compacting it beside the requests measured, while
    the read-only anchor after it would meet the store that compaction left.
    """
    from valuechain_kg.service.writes import compaction_before_validating
    from valuechain_kg.store import GraphStore

    store = GraphStore(store_dir)
    try:
        compaction = compaction_before_validating(store)
        if compaction is None:
            return "store served as loaded (small, or compacted since its last write)"
        start = time.perf_counter()
        compaction()
        took = time.perf_counter() - start
    finally:
        store.close()
    return f"store compacted first ({seconds(took)}), as a validated `vckg load` leaves it"


def measure_all(data: Dataset) -> tuple[Measured, Measured | str, Measured | str]:
    layout = as_vckg_load_leaves_it(data.store_dir)
    rng = random.Random(data.seed)
    width = len(str(data.actors - 1))
    actors = [f"actor-{rng.randrange(data.actors):0{width}d}" for _ in range(REQUESTS)]
    # A tiny (smoke) size only checks that the family runs.
    n = 40 if data.actors < 5_000 else REQUESTS
    queries = {
        name: [template.replace("{actor}", a) for a in actors[:n]]
        for name, (_, template) in MIXES.items()
    }
    ours = _vckg(data, queries, n)
    ours.extra["layout"] = layout
    slow_ox = SLOW.replace("{n}", str(SLOW_SIDE["oxigraph"]))
    oxigraph = _anchor(lambda: oxigraph_server(data.store_dir), queries, slow_ox, BUDGET_S)
    footprint = data.triples * RDFLIB_BYTES_PER_TRIPLE
    rdflib: Measured | str
    if footprint > RDFLIB_BUDGET_BYTES:
        rdflib = (
            f"rdflib-endpoint not run: ~{size_of(footprint)} of RAM at ~1.5 KB per triple "
            f"does not fit the {size_of(RDFLIB_BUDGET_BYTES)} budget"
        )
    else:
        slow_rdf = SLOW.replace("{n}", str(SLOW_SIDE["rdflib"]))
        rdflib = _anchor(lambda: rdflib_server(data.nt), queries, slow_rdf, BUDGET_S)
    return ours, oxigraph, rdflib


# Rows. ------------------------------------------------------------------------------------


def _latency(r: dict[str, float]) -> str:
    return (
        f"{r['count']:.0f} requests at concurrency {CONCURRENCY}; p50 {seconds(r['p50'])}, "
        f"p99 {seconds(r['p99'])}; {r['failures']:.0f} not 200"
    )


def _versus(
    data: Dataset,
    label: str,
    ours: dict[str, float],
    anchor: Measured | str,
    key: str,
    target: float | None,
    peak: int,
    layout: str = "",
) -> Row:
    # The target against the engine's own server is set for 100k and 1M actors.
    against_engine = "oxigraph" in label
    name = "`oxigraph serve`" if against_engine else "rdflib-endpoint"
    at = " at 100k and 1M" if against_engine else ""
    target_text = f">= {target:g}x {name}{at}" if target else ""
    measure = f"`/sparql` {MIXES[key][0]}"
    if isinstance(anchor, str):
        return Row(
            "http",
            f"{measure} (vckg serve, disk store) vs {name}",
            data.actors,
            rate(ours["count"], ours["elapsed"], "req/s"),
            label,
            "-",
            "-",
            target_text,
            NOT_RUN if target else "",
            size_of(peak),
            f"{_latency(ours)}; {anchor}",
        )
    theirs = anchor.runs[key]
    share = ours["rate"] / theirs["rate"] if theirs["rate"] else float("nan")
    judged = ""
    if target:
        ok = share >= target
        judged = verdict_from_100k(data.actors, ok) if against_engine else verdict(ok)
    budget = f" (bounded: no new request after {BUDGET_S:.0f} s, as for vckg)"
    return Row(
        "http",
        f"{measure} (vckg serve, disk store) vs {name}",
        data.actors,
        rate(ours["count"], ours["elapsed"], "req/s"),
        label,
        rate(theirs["count"], theirs["elapsed"], "req/s"),
        ratio(share),
        target_text,
        judged,
        size_of(peak),
        f"vckg: {_latency(ours)}. {name}{budget}: {_latency(theirs)}; its peak RSS "
        f"{size_of(anchor.peak)}, ready after {seconds(anchor.start_seconds)}"
        + (f"; {layout}" if layout else ""),
    )


def _blocking_row(data: Dataset, ours: Measured, anchors: list[Measured | str]) -> Row:
    alone, beside = ours.alone, ours.beside_slow
    slowed = beside["p50"] / alone["p50"] if alone["p50"] else float("nan")
    # Blocked would mean a fast request waits for the slow query: latency ~ its duration.
    ok = beside["p99"] < 0.5 * beside["slow"] and slowed < 3
    notes = [
        f"vckg: p50 alone {seconds(alone['p50'])}, beside the slow query "
        f"{seconds(beside['p50'])} (p99 {seconds(beside['p99'])}, {beside['count']:.0f} "
        f"lookups); slow query {seconds(beside['slow'])} each, {beside['slow_runs']:.0f} run"
    ]
    anchor_value = "-"
    for anchor in anchors:
        if isinstance(anchor, str):
            continue
        a, b = anchor.alone, anchor.beside_slow
        notes.append(
            f"{anchor.name}: p50 alone {seconds(a['p50'])}, beside its slow query "
            f"{seconds(b['p50'])} (p99 {seconds(b['p99'])}); its slow query "
            f"{seconds(b['slow'])} each"
        )
        if anchor.name == "oxigraph serve":
            anchor_value = f"{seconds(a['p50'])} -> {seconds(b['p50'])}"
    notes.append(
        "slow query: COUNT of a filtered cross product of "
        f"{SLOW_SIDE['oxigraph']:,} x {SLOW_SIDE['oxigraph']:,} actors "
        f"({SLOW_SIDE['rdflib']} x {SLOW_SIDE['rdflib']} on rdflib)"
    )
    return Row(
        "http",
        "no request blocked behind a slow one: lookup p50 alone -> beside a slow query (vckg)",
        data.actors,
        f"{seconds(alone['p50'])} -> {seconds(beside['p50'])}",
        "`oxigraph serve`, same test",
        anchor_value,
        ratio(slowed),
        "fast p99 < half the slow query; p50 < 3x alone",
        verdict(ok) if data.actors >= 5_000 else "smoke size: not judged",
        size_of(ours.peak),
        "; ".join(notes),
    )


def rows(data: Dataset) -> list[Row]:
    ours, oxigraph, rdflib = measure_all(data)
    layout = ours.extra["layout"]
    ox_label = (
        f"`oxigraph serve-read-only --union-default-graph` {version('oxigraph') or ''} "
        "(same disk store: data and ontology graph)"
    )
    rdf_label = f"rdflib-endpoint {version('rdflib-endpoint') or ''} (rdflib in memory)"
    result = [
        *(
            _versus(data, ox_label, ours.runs[k], oxigraph, k, 0.8, ours.peak, layout)
            for k in MIXES
        ),
        _versus(data, rdf_label, ours.runs["lookup"], rdflib, "lookup", None, ours.peak),
        *(
            _versus(data, rdf_label, ours.runs[k], rdflib, k, 100, ours.peak)
            for k in ("join", "country")
        ),
        _blocking_row(data, ours, [oxigraph, rdflib]),
    ]
    lev = ours.extra["leverage"]
    result.append(
        Row(
            "http",
            "`/impacts/{id}/leverage` (vckg serve, disk store), warm projection",
            data.actors,
            rate(lev["count"], lev["elapsed"], "req/s"),
            "",
            "",
            "",
            "",
            "",
            size_of(ours.peak),
            f"{_latency(lev)}; {ours.extra['impacts']} impacts in turn (answers may be cached "
            f"per store revision); the first request (HTTP {ours.extra['warmup_status']}) "
            f"started the projection's build, and analysis was "
            f"{'ready' if ours.extra['ready'] else 'still not ready'} after "
            f"{seconds(ours.extra['warmup'])}, before any request measured here",
        )
    )
    peak = ours.peak
    result.append(
        Row(
            "memory",
            "peak RSS of `vckg serve` after these requests",
            data.actors,
            size_of(peak),
            "`oxigraph serve` on the same store",
            size_of(oxigraph.peak) if isinstance(oxigraph, Measured) else "-",
            "",
            "< 8 GiB at 1M actors",
            verdict(peak < 8 * 2**30) if data.actors >= 1_000_000 else AT_1M,
            size_of(peak),
            "VmHWM of the server process (disk store, projection built, all requests above)",
        )
    )
    return result
