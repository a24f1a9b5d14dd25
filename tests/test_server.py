"""A real server process: real SPARQL clients read it, it logs each request once, a slow query
does not block other requests, and SIGTERM shuts it down leaving an on-disk store intact."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import live_server
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, XML, SPARQLWrapper

from valuechain_kg.store import GraphStore

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "cases"
ACTOR_COUNT = "PREFIX vc: <https://w3id.org/valuechain#> SELECT (COUNT(?a) AS ?n) { ?a a vc:Actor }"


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    store: Path


def start_server(tmp: Path, *extra: str, env: dict[str, str] | None = None) -> Server:
    store = tmp / "store"
    log = tmp / "server.log"
    live = live_server.start(log, "--store", str(store), *extra, env=env)
    return Server(live.url, live.process, log, store)


def stop(server: Server) -> int:
    server.process.send_signal(signal.SIGTERM)
    return server.process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(
        tmp_path_factory.mktemp("served"),
        "--data",
        str(CASES),
        "--no-validate",
        env={"VCKG_QUERY_TIMEOUT": "1"},
    )
    yield running
    if running.process.poll() is None:
        stop(running)


def actors_in(server: Server) -> int:
    return int(httpx.get(f"{server.url}/health").json()["counts"]["actors"])


def test_sparqlwrapper_reads_the_endpoint_as_json_and_xml(server: Server) -> None:
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery(ACTOR_COUNT)
    client.setReturnFormat(JSON)
    as_json = client.query().convert()
    count = int(as_json["results"]["bindings"][0]["n"]["value"])  # type: ignore[index,call-overload]
    assert count == actors_in(server) > 0
    client.setReturnFormat(XML)
    as_xml = client.query().convert()
    assert str(count) in as_xml.toxml()  # type: ignore[union-attr]


def test_rdflib_sparqlstore_reads_the_endpoint(server: Server) -> None:
    graph = rdflib.Graph(store=SPARQLStore(f"{server.url}/sparql"))
    rows = list(graph.query(ACTOR_COUNT))
    assert int(rows[0][0]) == actors_in(server)  # type: ignore[index,arg-type]
    vc = rdflib.Namespace("https://w3id.org/valuechain#")
    owner = rdflib.URIRef("https://w3id.org/valuechain/id/huayou-cobalt")
    assert (
        owner,
        vc.investsIn,
        rdflib.URIRef("https://w3id.org/valuechain/id/congo-dongfang-mining"),
    ) in graph


def test_a_slow_query_gets_503_while_other_requests_are_answered(server: Server) -> None:
    slow = "SELECT * WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"
    outcome: dict[str, int] = {}

    def run_slow() -> None:
        response = httpx.get(f"{server.url}/sparql", params={"query": slow}, timeout=30)
        outcome["status"] = response.status_code

    worker = threading.Thread(target=run_slow)
    worker.start()
    time.sleep(0.2)
    started = time.monotonic()
    assert httpx.get(f"{server.url}/health", timeout=5).status_code == 200
    assert time.monotonic() - started < 1.0
    worker.join(timeout=30)
    assert outcome["status"] == 503


def test_each_request_is_logged_on_one_line(server: Server) -> None:
    marker = f"log-check-{time.monotonic_ns()}"
    for _ in range(3):
        httpx.get(f"{server.url}/actors", params={"q": marker})
    time.sleep(0.2)
    lines = [line for line in server.log.read_text().splitlines() if marker in line]
    assert len(lines) == 3
    assert all(" GET /actors?q=" in line and " 200 " in line for line in lines)


def test_the_pages_are_served_over_http(server: Server) -> None:
    assert httpx.get(f"{server.url}/").status_code == 200
    assert httpx.get(f"{server.url}/docs").status_code == 200
    described = httpx.get(f"{server.url}/sparql")
    assert described.headers["content-type"].startswith("text/turtle")


def test_sigterm_shuts_down_cleanly_and_the_store_reopens_intact(tmp_path: Path) -> None:
    server = start_server(tmp_path, "--data", str(CASES / "cobalt-drc"), "--no-validate")
    triples = httpx.get(f"{server.url}/health").json()["counts"]["triples"]
    assert triples > 0
    assert stop(server) == 0
    reopened = GraphStore(server.store)  # fails if RocksDB was left locked or corrupt
    try:
        assert len(reopened) == triples
    finally:
        reopened.close()
    assert "Traceback" not in server.log.read_text()
