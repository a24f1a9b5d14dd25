"""Ceilings on request bodies: a client cannot make the server buffer an unbounded upload, nor
hold a request open by sending its body slowly.

The body is read here, before the app sees the request: refused at once if ``Content-Length``
says it is too large, else read up to ``max_bytes`` (a chunked upload has no length) within
``read_timeout`` seconds, then handed to the app in one piece. Too large is 413, too slow 408;
both close the connection (the rest of the body is not wanted) and are logged on the access
log like any answer. Reading the body here, rather than raising from inside the app's
``receive``, keeps the refusal out of the app's middleware, which would see it as a crash.
"""

from __future__ import annotations

import asyncio
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from valuechain_kg.api.access_log import LOGGER_NAME
from valuechain_kg.api.problems import problem_response

__all__ = ["BodySizeLimit"]

_log = logging.getLogger(LOGGER_NAME)


class _Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        self.status = status
        self.detail = detail
        super().__init__(detail)


class _ClientGone(Exception):
    """The client disconnected before its body was complete."""


class BodySizeLimit:
    """ASGI middleware answering 413 to bodies over ``max_bytes``, 408 to slow ones."""

    def __init__(self, app: ASGIApp, max_bytes: int, read_timeout: float | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout = read_timeout

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            raise _Refused(413, f"the request body is larger than {self.max_bytes} bytes")
        chunks: list[bytes] = []
        received = 0
        try:
            async with asyncio.timeout(self.read_timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        raise _ClientGone
                    chunk = message.get("body", b"")
                    received += len(chunk)
                    if received > self.max_bytes:
                        raise _Refused(
                            413, f"the request body is larger than {self.max_bytes} bytes"
                        )
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        return b"".join(chunks)
        except TimeoutError:
            assert self.read_timeout is not None
            raise _Refused(
                408, f"the request body did not arrive within {self.read_timeout:g} s"
            ) from None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        try:
            body = await self._read_body(scope, receive)
        except _ClientGone:
            return
        except _Refused as refusal:
            response = problem_response(refusal.status, refusal.detail, {"Connection": "close"})
            await response(scope, receive, send)
            _log_refusal(scope, refusal.status, started)
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _log_refusal(scope: Scope, status: int, started: float) -> None:
    """The access log's one line for a request refused before the app saw it."""
    query = scope.get("query_string", b"").decode("latin-1")
    target = scope.get("path", "") + (f"?{query}" if query else "")
    client = scope.get("client")
    elapsed = (time.perf_counter() - started) * 1000
    host = client[0] if client else "-"
    _log.info("%s %s %s %d %.1fms", host, scope.get("method"), target[:300], status, elapsed)
