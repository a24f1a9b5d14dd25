"""ETags from the store's revision, so clients and proxies can revalidate for free.

Every read answer depends only on the data (the store's revision), the URL and the requested
format, so a tag made of those three is known before any work is done: a matching
``If-None-Match`` gets 304 without touching the store (RFC 9110 section 13.1.2).

An analysis answer names the revision of the projection it came from in its
``Analysis-Revision`` header; one served from a projection older than the store (while a
rebuild runs) is tagged with that older revision, so a client never caches stale content under
the store's current tag.

A pure ASGI middleware: it reads the request line and headers from the scope and adds one
header to the response's start message, so answers pass through untouched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from contextvars import ContextVar

from fastapi import FastAPI, Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "ANALYSIS_REVISION",
    "ETags",
    "etag_for",
    "install_etags",
    "note_analysis_revision",
    "request_path",
]

#: Paths whose answers do not come from the store (assets, the OpenAPI page).
_STATIC_PREFIXES = ("/static/", "/docs", "/openapi.json")

#: The response header naming the store revision an analysis answer was computed at.
ANALYSIS_REVISION = "Analysis-Revision"

#: Per request: where a route notes the projection revision its answer came from.
_noted: ContextVar[list[str] | None] = ContextVar("vckg_analysis_revision", default=None)


def request_path(scope: Scope) -> str:
    """The request's path as ``Request.url.path`` spells it (``?``, ``#``, ``\\`` escaped)."""
    path: str = scope["path"]
    return path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")


def _tag(revision: str, path: str, query: str, accept: str) -> str:
    key = "\n".join([revision, path, query, accept])
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def etag_for(revision: str, request: Request) -> str:
    """A strong ETag for the answer to ``request`` at store ``revision``."""
    return _tag(revision, request.url.path, request.url.query, request.headers.get("accept", ""))


def _matches(header: str, tag: str) -> bool:
    candidates = [c.strip().removeprefix("W/") for c in header.split(",")]
    return "*" in candidates or tag in candidates


def note_analysis_revision(revision: str | None) -> None:
    """Record, for the current request, the revision of the projection its answer came from."""
    noted = _noted.get()
    if noted is not None and revision is not None:
        noted.append(revision)


class ETags:
    """Tag every GET answer read from the graph, and answer 304 when the client's tag matches."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = request_path(scope)
        if scope["method"] not in {"GET", "HEAD"} or path.startswith(_STATIC_PREFIXES):
            await self.app(scope, receive, send)
            return
        headers: Mapping[str, str] = Headers(scope=scope)
        query = scope.get("query_string", b"").decode("latin-1")
        accept = headers.get("accept", "")
        revision: str = scope["app"].state.kg.revision
        tag = _tag(revision, path, query, accept)
        if _matches(headers.get("if-none-match", ""), tag):
            await Response(status_code=304, headers={"ETag": tag})(scope, receive, send)
            return
        noted: list[str] = []
        token = _noted.set(noted)

        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start" and 200 <= message["status"] < 300:
                out = MutableHeaders(scope=message)
                served = noted[-1] if noted else revision
                if noted:
                    out[ANALYSIS_REVISION] = served
                out["ETag"] = tag if served == revision else _tag(served, path, query, accept)
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        finally:
            _noted.reset(token)


def install_etags(app: FastAPI) -> None:
    """Wrap ``app`` in :class:`ETags` (outside every middleware installed before it)."""
    app.add_middleware(ETags)
