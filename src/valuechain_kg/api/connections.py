"""uvicorn's HTTP/1.1 protocol (on httptools' parser) with the limits it lacks: a header read
timeout, a cap on the header block's size and a cap on open connections.

uvicorn arms a timer only between requests on a kept-alive connection, and the timer is
cancelled by any byte received, so a client that opens a connection and sends a request's
headers a byte at a time (slowloris) holds it for ever; enough of them exhaust the server's
file descriptors. Here a connection must deliver complete request headers within
``header_timeout`` seconds of opening, or of the first byte of each later request; it is
closed otherwise. The request line and headers may take at most ``max_header_bytes`` (uvicorn's
``h11_max_incomplete_event_size``, 16 KiB unless configured): a larger head is answered 400
and the connection closed, as uvicorn's h11 protocol does, since httptools sets no bound of its
own. A connection opened while ``max_connections`` are open is closed at once with a 503. (The
body read timeout is the ASGI middleware in ``limits``.)

httptools parses in C, where uvicorn's h11 protocol parses and writes each message in Python:
on the SPARQL endpoint's small answers that is a large part of a request's cost.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

__all__ = ["LimitedHttpToolsProtocol", "limited_protocol"]

_BUSY_BODY = b"too many connections, retry later\n"
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
    b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(_BUSY_BODY)
) + _BUSY_BODY


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with a header deadline, a header size cap and a connection cap."""

    header_timeout: float = 10.0
    max_connections: int = 256

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._header_timer: asyncio.TimerHandle | None = None
        self.max_header_bytes: int = config.h11_max_incomplete_event_size or 16 * 1024
        #: Between a request's first byte and the end of its headers (or before any byte).
        self._awaiting_headers = True
        #: Between a request's first byte and the end of its body.
        self._in_request = False
        self._head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self.max_connections:
            transport.write(_BUSY)
            transport.close()
            return
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        if self.transport is None:  # refused in connection_made: never counted
            return
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.transport is None or self.parser is None:
            return
        if not self._in_request and self._header_timer is None:
            self._arm_header_timer()  # the first byte of a request on a kept-alive connection
        super().data_received(data)
        if not self._awaiting_headers:
            self._cancel_header_timer()  # the headers are in

    def on_message_begin(self) -> None:
        self._in_request = True
        self._awaiting_headers = True
        self._head_bytes = 0
        super().on_message_begin()

    def _count_head(self, size: int) -> None:
        """Refuse a head past the cap: the parser turns the error into uvicorn's 400."""
        self._head_bytes += size
        if self._head_bytes > self.max_header_bytes:
            raise ValueError(f"request head larger than {self.max_header_bytes} bytes")

    def on_url(self, url: bytes) -> None:
        self._count_head(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_head(len(name) + len(value) + 4)  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._awaiting_headers = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_request = False
        super().on_message_complete()

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        waiting = self._awaiting_headers or not self._in_request
        if waiting and not self.transport.is_closing():
            self.transport.close()


def limited_protocol(header_timeout: float, max_connections: int) -> type[LimitedHttpToolsProtocol]:
    """A protocol class with these limits, for ``uvicorn.Config(http=...)``."""
    return type(
        "ConfiguredHttpToolsProtocol",
        (LimitedHttpToolsProtocol,),
        {"header_timeout": header_timeout, "max_connections": max_connections},
    )
