"""Queries past their deadline are stopped, not just answered 503: a real server, slow queries
that would never end, and checks that /health and new queries are served meanwhile, that the
work really stops (no CPU spent after the deadline), and that SIGTERM ends it all quickly."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from live_server import LiveServer, start, write_triples

from valuechain_kg.api.workers import QueryTimeout, ServerBusy, Workers
from valuechain_kg.store import GraphStore

TIMEOUT = 1.5
TRIPLES = 3000
#: Streams rows: a serialiser that checks the deadline at each chunk can stop it.
STREAMING = "SELECT * WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"
#: Blocks inside the engine (no row comes out before the end): only killing it stops it.
BLOCKING = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"
#: The data's triples, not the ontology's, which every load brings into the default view.
FAST = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o "
    "FILTER NOT EXISTS { GRAPH <https://w3id.org/valuechain> { ?s ?p ?o } } }"
)


def serve(tmp: Path, *args: str, processes: int = 2) -> LiveServer:
    data = write_triples(tmp / "data.nt", TRIPLES)
    return start(
        tmp / "server.log",
        "--data",
        str(data),
        "--no-validate",
        *args,
        env={
            "VCKG_QUERY_TIMEOUT": str(TIMEOUT),
            "VCKG_QUERY_PROCESSES": str(processes),
            "VCKG_SHUTDOWN_TIMEOUT": "2",
        },
    )


def fire(server: LiveServer, queries: list[str]) -> tuple[list[threading.Thread], dict[int, int]]:
    statuses: dict[int, int] = {}

    def run(i: int, query: str) -> None:
        try:
            response = httpx.get(f"{server.url}/sparql", params={"query": query}, timeout=60)
            statuses[i] = response.status_code
        except httpx.TransportError:
            statuses[i] = -1  # the server went away (only expected around SIGTERM)

    threads = [threading.Thread(target=run, args=(i, q)) for i, q in enumerate(queries)]
    for thread in threads:
        thread.start()
    return threads, statuses


def fast_count(server: LiveServer) -> int:
    response = httpx.get(f"{server.url}/sparql", params={"query": FAST}, timeout=10)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def assert_slow_queries_stopped(server: LiveServer, queries: list[str]) -> None:
    threads, statuses = fire(server, queries)
    time.sleep(0.3)
    for _ in range(3):  # every probe answers while all query slots are taken
        started = time.monotonic()
        assert httpx.get(f"{server.url}/health", timeout=10).status_code == 200
        assert time.monotonic() - started < 1.0
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == {i: 503 for i in range(len(queries))}
    started = time.monotonic()
    assert fast_count(server) == TRIPLES
    assert time.monotonic() - started < 2.0
    # Stopped means stopped: nothing keeps computing once every client had its 503.
    time.sleep(0.5)
    before = server.cpu_seconds()
    time.sleep(1.5)
    assert server.cpu_seconds() - before < 0.5


@pytest.mark.parametrize("store", ["disk", "memory"])
def test_slow_queries_are_killed_at_the_deadline_and_sigterm_is_quick(
    tmp_path: Path, store: str
) -> None:
    args = ("--store", str(tmp_path / "store")) if store == "disk" else ()
    server = serve(tmp_path, *args)
    try:
        assert_slow_queries_stopped(server, [STREAMING, BLOCKING] * 3)
        # SIGTERM while queries are stuck inside the engine: out in a few seconds, exit 0.
        threads, _ = fire(server, [BLOCKING] * 4)
        time.sleep(0.5)
        started = time.monotonic()
        assert server.stop(timeout=15) == 0
        assert time.monotonic() - started < 6.0
        for thread in threads:
            thread.join(timeout=10)
    finally:
        if server.process.poll() is None:
            server.process.kill()
    if store == "disk":
        reopened = GraphStore(tmp_path / "store")  # fails if RocksDB was left locked
        try:
            assert (
                len(list(reopened.oxigraph.quads_for_pattern(None, None, None, ox.DefaultGraph())))
                == TRIPLES
            )
        finally:
            reopened.close()
    assert "Traceback" not in server.log.read_text()


def test_without_query_processes_streaming_queries_still_stop_between_rows(
    tmp_path: Path,
) -> None:
    server = serve(tmp_path, processes=0)
    try:
        assert_slow_queries_stopped(server, [STREAMING] * 4)
        assert server.stop(timeout=15) == 0
    finally:
        if server.process.poll() is None:
            server.process.kill()


def test_an_abandoned_thread_gives_its_slot_back_and_abandoned_work_is_bounded() -> None:
    release = threading.Event()
    workers = Workers(threads=1, timeout=0.2, max_abandoned=2)

    async def scenario() -> None:
        with pytest.raises(QueryTimeout):
            await workers.run(lambda _d: release.wait(10))
        assert workers.abandoned == 1
        # The one slot is free again although the abandoned work still runs.
        assert await workers.run(lambda _d: "answered") == "answered"
        with pytest.raises(QueryTimeout):
            await workers.run(lambda _d: release.wait(10))
        assert workers.abandoned == 2
        with pytest.raises(ServerBusy):
            await workers.run(lambda _d: "refused while too much abandoned work runs")
        release.set()
        for _ in range(50):
            if workers.abandoned == 0:
                break
            await asyncio.sleep(0.02)
        assert await workers.run(lambda _d: "answered again") == "answered again"

    asyncio.run(scenario())


def test_the_query_page_stops_slow_queries_too(tmp_path: Path) -> None:
    server = serve(tmp_path)
    try:
        answers: dict[int, int] = {}

        def ask(i: int) -> None:
            # The home page sends a query to the editor on /sparql, which runs it there.
            sent = httpx.get(f"{server.url}/", params={"query": BLOCKING}, timeout=10)
            assert sent.status_code == 303 and "/sparql?" in sent.headers["location"]
            answers[i] = httpx.get(
                f"{server.url}/sparql", params={"query": BLOCKING}, timeout=60
            ).status_code

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert answers == {0: 503, 1: 503, 2: 503}
        assert httpx.get(f"{server.url}/sparql", params={"query": FAST}).status_code == 200
        time.sleep(0.5)
        before = server.cpu_seconds()
        time.sleep(1.5)
        assert server.cpu_seconds() - before < 0.5
        assert server.stop(timeout=15) == 0
    finally:
        if server.process.poll() is None:
            server.process.kill()
