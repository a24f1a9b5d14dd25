"""One log line per request: who asked what, the status, and how long it took."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

__all__ = ["LOGGER_NAME", "install_access_log"]

LOGGER_NAME = "valuechain_kg.api.access"
_log = logging.getLogger(LOGGER_NAME)


def install_access_log(app: FastAPI) -> None:
    """Log ``client method path?query status duration`` once per request, at INFO."""

    @app.middleware("http")
    async def access_log(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            client = request.client.host if request.client else "-"
            elapsed = (time.perf_counter() - started) * 1000
            _log.info("%s %s %s %d %.1fms", client, request.method, target[:300], status, elapsed)
