"""One log line per request: who asked what, the status, and how long it took.

A pure ASGI middleware: it only watches the ``http.response.start`` message go by, so a request
pays no extra task, queue or body copy for being logged (``BaseHTTPMiddleware`` costs both).
"""

from __future__ import annotations

import logging
import time

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from valuechain_kg.api.caching import request_path

__all__ = ["LOGGER_NAME", "AccessLog", "install_access_log"]

LOGGER_NAME = "valuechain_kg.api.access"
_log = logging.getLogger(LOGGER_NAME)


class AccessLog:
    """Log ``client method path?query status duration`` once per HTTP request, at INFO.

    The status is the one the app started its response with; 500 when it raised before that.
    The duration runs until the app returned, so it includes sending a streamed body.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            query = scope.get("query_string", b"").decode("latin-1")
            target = request_path(scope) + (f"?{query}" if query else "")
            client = scope.get("client")
            host = client[0] if client else "-"
            elapsed = (time.perf_counter() - started) * 1000
            _log.info("%s %s %s %d %.1fms", host, scope["method"], target[:300], status, elapsed)


def install_access_log(app: FastAPI) -> None:
    """Wrap ``app`` in :class:`AccessLog` (outside every middleware installed before it)."""
    app.add_middleware(AccessLog)
