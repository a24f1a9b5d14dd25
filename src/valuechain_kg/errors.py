"""Errors are part of the interface: one hierarchy, mapped once to exit codes and HTTP statuses."""

from __future__ import annotations

import errno
from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a piece of bad input sits, as precisely as the reader could tell."""

    file: str
    line: int | None = None
    column: str | int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column {self.column}"
        return where


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with the input, with where it is."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class VckgError(Exception):
    """Base of every error the tool reports to a person."""

    exit_code = 2
    http_status = 400


class InputError(VckgError):
    """Input that cannot be read: nothing was loaded (exit 2)."""

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UsageError(VckgError):
    """A command or request asked for something that makes no sense (exit 2, HTTP 422)."""

    http_status = 422


class StoreBusy(VckgError):
    """An on-disk store that another process holds open (exit 2, HTTP 503)."""

    http_status = 503


class NotFound(VckgError):
    """An id that names nothing in the graph (exit 2, HTTP 404)."""

    http_status = 404


class ValidationFailed(VckgError):
    """Data that breaks a shape with Violation severity; the store was left as it was (exit 1)."""

    exit_code = 1
    http_status = 422

    def __init__(self, report: object, message: str = "the data violates the shapes") -> None:
        self.report = report
        super().__init__(message)


class ShapeCompileError(VckgError):
    """A SHACL shape uses a construct the compiled engine does not run (exit 2).

    A shape the engine skipped would let data through that the shapes forbid, so the engine
    refuses the whole shapes graph and says which construct, in which shape, it cannot run.
    """

    def __init__(self, construct: str, shape: str) -> None:
        self.construct = construct
        self.shape = shape
        super().__init__(
            f"the SHACL engine does not support {construct} (in the shape {shape}); "
            "rewrite the shape with the supported constructs or extend the compiler"
        )


class StoreFull(VckgError):
    """The disk under an on-disk store has no room left: the write was refused and the store is
    as it was before it (exit 2, HTTP 507 Insufficient Storage); writes work again once space
    is freed."""

    http_status = 507


class UnsafeQuery(VckgError):
    """SPARQL that could reach the network (SERVICE, LOAD) or that cannot be checked for it
    (exit 2, HTTP 400)."""


class QueryTooComplex(VckgError):
    """SPARQL beyond a size or nesting limit: the engine's recursive parser must never see it
    (exit 2, HTTP 400)."""


def is_disk_full(exc: BaseException) -> bool:
    """Whether an error means the disk (or the user's quota) has no room left.

    RocksDB reports it as an OSError without an errno whose text says "No space left on device".
    """
    if not isinstance(exc, OSError):
        return False
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    return "no space left on device" in text or "disk quota exceeded" in text
