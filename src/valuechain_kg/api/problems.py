"""Errors as RFC 9457 problem documents: the one place where an error type becomes a status.

The error hierarchy of ``valuechain_kg.errors`` carries its own ``http_status`` (NotFound 404,
UsageError 422, ValidationFailed 422, InputError 400, StoreFull 507); this module only renders
it. A disk-full OSError that reaches the face without passing through ``GraphStore`` is 507
as well, never a plain-text 500.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from valuechain_kg.api.workers import QueryTimeout
from valuechain_kg.errors import InputError, ValidationFailed, VckgError, is_disk_full

__all__ = ["ProblemError", "install_problem_handlers", "problem_response"]

PROBLEM_JSON = "application/problem+json"

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    408: "Request Timeout",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Unprocessable request",
    503: "Service unavailable",
    507: "Insufficient storage",
}


class ProblemError(Exception):
    """An HTTP-level refusal raised by the face itself (bad protocol use, auth, limits)."""

    def __init__(
        self,
        status: int,
        detail: str,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra
        super().__init__(detail)


def problem_response(
    status: int,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json body with ``type``, ``title``, ``status``, ``detail`` and any extras."""
    body: dict[str, Any] = {
        # RFC 9457 section 4.2.1: "about:blank" when the status code says it all.
        "type": "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _report_body(report: object) -> object:
    """A validation report as JSON: its pydantic dump when it has one, else its text."""
    dump = getattr(report, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    return str(report)


async def _vckg_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, VckgError)
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationFailed):
        extra["report"] = _report_body(exc.report)
    if isinstance(exc, InputError):
        extra["problems"] = [str(p) for p in exc.problems]
    return problem_response(exc.http_status, str(exc), **extra)


async def _problem_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(exc.status, exc.detail, exc.headers, **exc.extra)


def _line_and_column(text: str, position: int) -> tuple[int, int]:
    """The 1-based line and column of a character offset, as an editor shows them."""
    before = text[:position]
    line = before.count("\n") + 1
    return line, position - (before.rfind("\n") + 1) + 1


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    """422 naming what is wrong: where malformed JSON broke, which fields are unknown."""
    assert isinstance(exc, RequestValidationError)
    found = exc.errors()
    broken = next((e for e in found if e.get("type") == "json_invalid"), None)
    if broken is not None:
        position = int(broken["loc"][-1]) if isinstance(broken["loc"][-1], int) else 0
        body = (await request.body()).decode("utf-8", errors="replace")
        line, column = _line_and_column(body, position)
        reason = (broken.get("ctx") or {}).get("error", "not JSON")
        return problem_response(
            422,
            f"the body is not valid JSON: {reason} at line {line}, column {column}",
            line=line,
            column=column,
        )
    errors = [
        {"field": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]), "message": e["msg"]}
        for e in found
    ]
    unknown = [
        err["field"] for err, e in zip(errors, found, strict=True) if e["type"] == "extra_forbidden"
    ]
    for err, e in zip(errors, found, strict=True):
        if e["type"] == "extra_forbidden":
            err["message"] = "unknown field"
    if unknown and len(unknown) == len(errors):
        detail = f"unknown field(s) in the body: {', '.join(unknown)}"
    else:
        detail = "invalid parameter(s): " + "; ".join(
            f"{e['field']}: {e['message']}" for e in errors
        )
    return problem_response(422, detail, errors=errors)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem_response(exc.status_code, str(exc.detail), dict(exc.headers or {}))


async def _os_error(_: Request, exc: Exception) -> JSONResponse:
    if not is_disk_full(exc):
        raise exc
    return problem_response(507, f"the disk holding the store is full; nothing was written: {exc}")


async def _timeout(_: Request, exc: Exception) -> JSONResponse:
    return problem_response(503, str(exc), {"Retry-After": "60"})


def install_problem_handlers(app: FastAPI) -> None:
    """Map every error the face can meet to a problem document, once."""
    app.add_exception_handler(QueryTimeout, _timeout)
    app.add_exception_handler(VckgError, _vckg_error)
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OSError, _os_error)
