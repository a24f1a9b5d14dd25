"""ETags from the store's revision, so clients and proxies can revalidate for free.

Every read answer depends only on the data (the store's revision), the URL and the requested
format, so a tag made of those three is known before any work is done: a matching
``If-None-Match`` gets 304 without touching the store (RFC 9110 section 13.1.2).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

__all__ = ["etag_for", "install_etags"]

#: Paths whose answers do not come from the store (assets, the OpenAPI page).
_STATIC_PREFIXES = ("/static/", "/docs", "/openapi.json")


def etag_for(revision: str, request: Request) -> str:
    """A strong ETag for the answer to ``request`` at store ``revision``."""
    key = "\n".join(
        [revision, request.url.path, request.url.query, request.headers.get("accept", "")]
    )
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def _matches(header: str, tag: str) -> bool:
    candidates = [c.strip().removeprefix("W/") for c in header.split(",")]
    return "*" in candidates or tag in candidates


def install_etags(app: FastAPI) -> None:
    """Tag every GET answer read from the graph, and answer 304 when the client's tag matches."""

    @app.middleware("http")
    async def etags(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.method not in {"GET", "HEAD"} or request.url.path.startswith(_STATIC_PREFIXES):
            return await call_next(request)
        tag = etag_for(request.app.state.kg.revision, request)
        if _matches(request.headers.get("if-none-match", ""), tag):
            return Response(status_code=304, headers={"ETag": tag})
        response = await call_next(request)
        if 200 <= response.status_code < 300:
            response.headers["ETag"] = tag
        return response
