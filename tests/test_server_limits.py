"""The server's own limits, against a real ``vckg serve``: slow headers and bodies are cut off,
connections are capped, oversized chunked bodies get 413, ``/sparql`` says which methods it
serves, and the API docs page never sends the schema to an outside validator."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_server import LiveServer, start

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "cases"
HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 1.0
MAX_BODY = 2000
MAX_CONNECTIONS = 80


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("limits")
    running = start(
        tmp / "server.log",
        "--data",
        str(CASES / "cobalt-drc"),
        "--no-validate",
        env={
            "VCKG_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
            "VCKG_BODY_TIMEOUT": str(BODY_TIMEOUT),
            "VCKG_MAX_BODY_BYTES": str(MAX_BODY),
            "VCKG_MAX_CONNECTIONS": str(MAX_CONNECTIONS),
        },
    )
    yield running
    if running.process.poll() is None:
        assert running.stop() == 0


def connect(server: LiveServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return sock


def closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server closes the connection (EOF or reset) within ``within`` seconds."""
    sock.settimeout(within)
    try:
        while True:
            if not sock.recv(4096):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


def healthy(server: LiveServer) -> bool:
    return httpx.get(f"{server.url}/health", timeout=5).status_code == 200


def test_slowloris_connections_are_closed_after_the_header_timeout(server: LiveServer) -> None:
    sockets = [connect(server) for _ in range(50)]
    try:
        for sock in sockets:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n")
        # Trickling more header bytes does not keep a connection alive past the deadline.
        for n in range(3):
            time.sleep(HEADER_TIMEOUT / 4)
            for sock in sockets:
                sock.sendall(f"X-Slow-{n}: 1\r\n".encode())
        assert healthy(server)  # held connections do not stop normal requests
        started = time.monotonic()
        assert all(closed_by_server(sock, HEADER_TIMEOUT + 2) for sock in sockets)
        assert time.monotonic() - started < HEADER_TIMEOUT + 2
    finally:
        for sock in sockets:
            sock.close()
    assert healthy(server)


def test_a_silent_connection_is_closed_too(server: LiveServer) -> None:
    with connect(server) as sock:
        assert closed_by_server(sock, HEADER_TIMEOUT + 2)


def test_a_body_that_arrives_too_slowly_gets_408(server: LiveServer) -> None:
    with connect(server) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/sparql-query\r\nContent-Length: 200\r\n\r\nSELECT"
        )
        sock.settimeout(BODY_TIMEOUT + 3)
        # The head and the body may arrive in separate packets: read until the server closes.
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert b'"title":"Request Timeout"' in answer
    assert healthy(server)


def test_connections_past_the_cap_are_refused_and_the_cap_frees_up(server: LiveServer) -> None:
    held = [connect(server) for _ in range(MAX_CONNECTIONS)]
    try:
        time.sleep(0.2)
        with connect(server) as extra:
            extra.settimeout(5)
            assert extra.recv(4096).startswith(b"HTTP/1.1 503 ")
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.2)
    assert healthy(server)


def test_a_chunked_body_over_the_limit_gets_413_and_is_logged_as_413(
    server: LiveServer,
) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"#" * (MAX_BODY // 4)

    marker = f"oversized-{time.monotonic_ns()}"
    response = httpx.post(
        f"{server.url}/sparql",
        params={"marker": marker},
        content=chunks(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=10,
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 413
    time.sleep(0.2)
    lines = [line for line in server.log.read_text().splitlines() if marker in line]
    assert len(lines) == 1 and " POST /sparql?marker=" in lines[0] and " 413 " in lines[0]
    assert "Traceback" not in server.log.read_text()
    assert healthy(server)


def test_a_body_within_the_limit_still_works(server: LiveServer) -> None:
    response = httpx.post(
        f"{server.url}/sparql",
        content=iter([b"ASK ", b"{ ?s ?p ?o }"]),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 200
    assert response.json()["boolean"] is True


def test_options_and_405_on_sparql_list_every_method_served(server: LiveServer) -> None:
    options = httpx.options(f"{server.url}/sparql")
    assert options.status_code == 204
    allowed = {m.strip() for m in options.headers["allow"].split(",")}
    assert allowed == {"GET", "HEAD", "POST", "OPTIONS"}
    assert httpx.get(f"{server.url}/sparql").status_code == 200  # each one listed is served
    assert httpx.head(f"{server.url}/sparql").status_code == 200
    ask = httpx.post(f"{server.url}/sparql", data={"query": "ASK { ?s ?p ?o }"})
    assert ask.status_code == 200
    refused = httpx.put(f"{server.url}/sparql", content=b"x")
    assert refused.status_code == 405
    assert {m.strip() for m in refused.headers["allow"].split(",")} == allowed


def swagger_config(page: str) -> dict[str, object]:
    """The JSON members FastAPI writes into the page's ``SwaggerUIBundle({...})`` call."""
    block = page[page.index("SwaggerUIBundle({") : page.index("presets:")]
    members = re.findall(r'^\s*("[^"]+":\s*.+?),?\s*$', block, flags=re.MULTILINE)
    parsed: dict[str, object] = json.loads("{" + ",".join(members) + "}")
    return parsed


def test_the_docs_page_never_points_at_an_outside_validator(server: LiveServer) -> None:
    page = httpx.get(f"{server.url}/docs").text
    config = swagger_config(page)
    assert "validatorUrl" in config and config["validatorUrl"] is None
    assert "validator.swagger.io" not in page
    assert not re.search(r"(src|href)=\"https?://", page)  # assets are served locally
