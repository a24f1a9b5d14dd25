"""A ceiling on request bodies: a client cannot make the server buffer an unbounded upload.

Checked twice: against ``Content-Length`` before anything is read, and against the bytes
actually received (a chunked upload has no length). Either way the answer is 413.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from valuechain_kg.api.problems import ProblemError, problem_response

__all__ = ["BodySizeLimit"]


def _too_large(limit: int) -> ProblemError:
    return ProblemError(413, f"the request body is larger than {limit} bytes")


class BodySizeLimit:
    """ASGI middleware answering 413 to bodies over ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            response = problem_response(413, str(_too_large(self.max_bytes)))
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _too_large(self.max_bytes)
            return message

        await self.app(scope, counting_receive, send)
