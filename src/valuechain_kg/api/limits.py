"""Ceilings on request bodies: a client cannot make the server buffer an unbounded upload, nor
hold a request open by sending its body slowly.

The size is checked twice: against ``Content-Length`` before anything is read, and against the
bytes actually received (a chunked upload has no length); either way the answer is 413. The
whole body must arrive within ``read_timeout`` seconds, else 408. Both refusals are raised
inside the app, where a route reads the body, so they are rendered and logged like any other
problem; they close the connection, since the rest of the body is not wanted.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from valuechain_kg.api.problems import ProblemError, problem_response

__all__ = ["BodyReadTimeout", "BodySizeLimit", "BodyTooLarge"]

_CLOSE = {"Connection": "close"}


class BodyTooLarge(ProblemError):
    """413: the body passed the limit."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"the request body is larger than {max_bytes} bytes", dict(_CLOSE))


class BodyReadTimeout(ProblemError):
    """408: the body did not arrive in time."""

    def __init__(self, seconds: float) -> None:
        super().__init__(408, f"the request body did not arrive within {seconds:g} s", dict(_CLOSE))


class BodySizeLimit:
    """ASGI middleware answering 413 to bodies over ``max_bytes``, 408 to slow ones."""

    def __init__(self, app: ASGIApp, max_bytes: int, read_timeout: float | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout = read_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            refusal = BodyTooLarge(self.max_bytes)
            await problem_response(refusal.status, refusal.detail, refusal.headers)(
                scope, receive, send
            )
            return
        loop = asyncio.get_running_loop()
        read_by = None if self.read_timeout is None else loop.time() + self.read_timeout
        received = 0
        body_done = False
        refused: ProblemError | None = None
        started = False

        async def limited_receive() -> Message:
            nonlocal received, body_done, refused
            if body_done:
                return await receive()
            try:
                left = None if read_by is None else max(read_by - loop.time(), 0.0)
                message = await asyncio.wait_for(receive(), left)
            except TimeoutError:
                assert self.read_timeout is not None
                refused = BodyReadTimeout(self.read_timeout)
                raise refused from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = BodyTooLarge(self.max_bytes)
                    raise refused
                body_done = not message.get("more_body", False)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watching_send)
        except BaseException:
            # Read outside the app's error handlers (a middleware, a task group): answer here.
            if refused is None or started:
                raise
            await problem_response(refused.status, refused.detail, refused.headers)(
                scope, receive, send
            )
