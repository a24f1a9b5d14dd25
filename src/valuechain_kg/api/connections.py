"""uvicorn's HTTP/1.1 protocol with the two limits it lacks: a header read timeout and a cap
on open connections.

uvicorn arms a timer only between requests on a kept-alive connection, and the timer is
cancelled by any byte received, so a client that opens a connection and sends a request's
headers a byte at a time (slowloris) holds it for ever; enough of them exhaust the server's
file descriptors. Here a connection must deliver complete request headers within
``header_timeout`` seconds of opening, or of the first byte of each later request; it is
closed otherwise. A connection opened while ``max_connections`` are open is closed at once
with a 503. (The body read timeout is the ASGI middleware in ``limits``.)
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

__all__ = ["LimitedH11Protocol", "limited_protocol"]

_BUSY_BODY = b"too many connections, retry later\n"
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
    b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(_BUSY_BODY)
) + _BUSY_BODY


class LimitedH11Protocol(H11Protocol):
    """H11Protocol with a header deadline and a connection cap (class attributes below)."""

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
        if self.transport is None:
            return
        if self.conn.their_state is h11.IDLE and self._header_timer is None:
            self._arm_header_timer()  # the first byte of a request on a kept-alive connection
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._cancel_header_timer()  # the headers are in

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def limited_protocol(header_timeout: float, max_connections: int) -> type[LimitedH11Protocol]:
    """A protocol class with these limits, for ``uvicorn.Config(http=...)``."""
    return type(
        "ConfiguredH11Protocol",
        (LimitedH11Protocol,),
        {"header_timeout": header_timeout, "max_connections": max_connections},
    )
