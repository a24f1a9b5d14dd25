"""The HTTP protocol's own limits on a real uvicorn server and real sockets: a head larger than
the cap is refused, slow heads are cut off on a kept-alive connection too, pipelined requests
are all answered, and connections past the cap get 503."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from starlette.types import Receive, Scope, Send

from valuechain_kg.api.connections import limited_protocol

HEADER_TIMEOUT = 0.5
MAX_CONNECTIONS = 4
HEAD_CAP = 16 * 1024


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    body = scope["path"].encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = int(probe.getsockname()[1])
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=free,
        log_level="warning",
        lifespan="off",
        http=limited_protocol(HEADER_TIMEOUT, MAX_CONNECTIONS),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield free
    server.should_exit = True
    thread.join(timeout=10)


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=5)


def read_until_closed(sock: socket.socket, within: float = 5.0) -> bytes:
    sock.settimeout(within)
    answer = b""
    try:
        while chunk := sock.recv(65536):
            answer += chunk
    except ConnectionResetError:
        pass
    return answer


def request(path: str, extra: bytes = b"", close: bool = False) -> bytes:
    connection = b"Connection: close\r\n" if close else b""
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + connection + extra + b"\r\n"


def test_a_head_within_the_cap_is_served(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(request("/" + "a" * 8000, b"X-Pad: " + b"b" * 7000 + b"\r\n", close=True))
        assert read_until_closed(sock).startswith(b"HTTP/1.1 200 ")


def test_a_head_past_the_cap_is_refused_with_400(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(request("/x", b"X-Pad: " + b"b" * (HEAD_CAP + 10) + b"\r\n"))
        assert read_until_closed(sock).startswith(b"HTTP/1.1 400 ")
    with connect(port) as sock:  # a long URL counts too, even sent in pieces
        sock.sendall(b"GET /" + b"a" * 9000)
        time.sleep(0.05)
        sock.sendall(b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_until_closed(sock).startswith(b"HTTP/1.1 400 ")


def test_pipelined_requests_are_all_answered(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(request("/one") + request("/two") + request("/three", close=True))
        answer = read_until_closed(sock)
    assert answer.count(b"HTTP/1.1 200 ") == 3
    assert answer.index(b"/one") < answer.index(b"/two") < answer.index(b"/three")


def test_a_slow_head_on_a_kept_alive_connection_is_cut_off(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(request("/first"))
        sock.settimeout(5)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
        sock.sendall(b"GET /second HTTP/1.1\r\nHost: x\r\n")  # the head never ends
        started = time.monotonic()
        for _ in range(3):  # trickled header lines do not keep it open
            time.sleep(HEADER_TIMEOUT / 4)
            sock.sendall(b"X-Slow: 1\r\n")
        assert read_until_closed(sock, HEADER_TIMEOUT + 3) == b""
        assert time.monotonic() - started < HEADER_TIMEOUT + 2


def test_a_silent_connection_is_closed_after_the_header_timeout(port: int) -> None:
    with connect(port) as sock:
        started = time.monotonic()
        assert read_until_closed(sock, HEADER_TIMEOUT + 3) == b""
        assert time.monotonic() - started < HEADER_TIMEOUT + 2


def test_a_request_slower_than_the_header_timeout_to_answer_is_not_cut_off(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(request("/a"))
        sock.settimeout(5)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
        time.sleep(HEADER_TIMEOUT * 2)  # idle between requests: the keep-alive timer's business
        sock.sendall(request("/b", close=True))
        assert read_until_closed(sock).startswith(b"HTTP/1.1 200 ")


def test_connections_past_the_cap_get_503(port: int) -> None:
    held = [connect(port) for _ in range(MAX_CONNECTIONS)]
    try:
        time.sleep(0.1)
        with connect(port) as extra:
            assert read_until_closed(extra).startswith(b"HTTP/1.1 503 ")
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.1)
    with connect(port) as sock:
        sock.sendall(request("/again", close=True))
        assert read_until_closed(sock).startswith(b"HTTP/1.1 200 ")
