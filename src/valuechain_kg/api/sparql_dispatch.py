"""``/sparql`` answered straight from the ASGI scope, past the router.

The SPARQL endpoint is the one route clients call thousands of times a second, and its handler
takes nothing from FastAPI but the ``Request``: no parameters to validate, no dependencies. Yet
finding it walks every route of every included router, twice, before the handler runs. This
middleware, the innermost of the app's own, hands ``GET``, ``HEAD`` and ``POST`` on ``/sparql``
and ``/sparql/`` to that same handler directly. What the router would have done around it is
done here too: an exception the handler raises becomes the response of the handler the app
registered for it (as Starlette's exception middleware picks it: by status, then by class), and
one without a handler goes on up to the server-error middleware. The middleware outside this
one (access log, ETags, CORS, body limits) sees the request as before, and the routes stay in
the router, which still serves the other methods and documents all of them.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["SparqlDispatch", "exception_handler_for"]

PATHS = frozenset({"/sparql", "/sparql/"})
METHODS = frozenset({"GET", "HEAD", "POST"})

Handler = Callable[[Request, Exception], Response | Awaitable[Response]]


#: Handlers Starlette gives the server-error middleware, outside this one, rather than the
#: exception middleware: an exception they would catch is left to go on up.
_SERVER_ERROR_KEYS = (500, Exception)


def exception_handler_for(handlers: Mapping[Any, Handler], exc: Exception) -> Handler | None:
    """The handler Starlette's exception middleware would pick for ``exc``, if any."""
    status = exc.status_code if isinstance(exc, HTTPException) else None
    if status is not None and status not in _SERVER_ERROR_KEYS and status in handlers:
        return handlers[status]
    for cls in type(exc).__mro__:
        if cls in handlers and cls not in _SERVER_ERROR_KEYS:
            return handlers[cls]
    return None


class SparqlDispatch:
    """Serve ``/sparql`` queries and updates with ``answer``; pass everything else on."""

    def __init__(self, app: ASGIApp, answer: Callable[[Request], Awaitable[Response]]) -> None:
        self.app = app
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] not in PATHS
            or scope["method"] not in METHODS
            or scope.get("root_path")  # mounted under a prefix: the router knows the way
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive, send)
        try:
            response = await self.answer(request)
        except Exception as exc:
            handler = exception_handler_for(scope["app"].exception_handlers, exc)
            if handler is None:
                raise
            handled = handler(request, exc)
            response = await handled if inspect.isawaitable(handled) else handled
        await response(scope, receive, send)
