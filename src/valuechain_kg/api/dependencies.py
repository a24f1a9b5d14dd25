"""What every REST route needs, declared once: the facade, the workers, the shared parameters.

The routes take these through ``Depends``, so a parameter's name, default, bounds and
description are written here and nowhere else, and the OpenAPI document says the same of every
route that uses it. The facade is called through :func:`run_in_worker` with a bound method, so
the type checker (and go-to-definition) follows each route to the facade method it answers with.

The dependencies are ``async`` functions: FastAPI runs a plain function in its thread pool,
a needless hop for work this small.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, ParamSpec, TypedDict, TypeVar

from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from valuechain_kg import vocabulary as vocab
from valuechain_kg.api.caching import note_analysis_revision
from valuechain_kg.api.problems import ProblemError
from valuechain_kg.api.workers import Workers
from valuechain_kg.service.graph import KnowledgeGraph, served_revision

__all__ = [
    "AnalysisOptions",
    "Graph",
    "Options",
    "Page",
    "Paging",
    "Threshold",
    "WorkerPool",
    "analysis_options",
    "get_kg",
    "get_workers",
    "known_query_only",
    "paging",
    "run_in_worker",
    "threshold",
]

P = ParamSpec("P")
T = TypeVar("T")


async def get_kg(request: Request) -> KnowledgeGraph:
    """The facade the app was created over (``create_app`` puts it in ``app.state.kg``)."""
    kg: KnowledgeGraph = request.app.state.kg
    return kg


async def get_workers(request: Request) -> Workers:
    """The app's bounded thread slots: blocking facade calls run there, off the event loop."""
    workers: Workers = request.app.state.workers
    return workers


def _declared_query(route: APIRoute) -> frozenset[str]:
    """The query parameter names a route declares, through all of its dependencies."""
    known: frozenset[str] | None = getattr(route, "_vckg_query_names", None)
    if known is None:
        known = frozenset(_query_names(route.dependant))
        route._vckg_query_names = known  # type: ignore[attr-defined]
    return known


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def known_query_only(request: Request) -> None:
    """Refuse a query parameter the route does not take (422 naming it), never ignore it.

    ``?involvement=cause`` on a route without that parameter would otherwise answer the
    unfiltered list, a quiet wrong answer.
    """
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not route.include_in_schema:
        # A route hidden from the OpenAPI (a method refusal) answers for itself.
        return
    known = _declared_query(route)
    unknown = sorted({name for name in request.query_params if name not in known})
    if unknown:
        takes = ", ".join(sorted(known)) or "none"
        raise ProblemError(
            422,
            f"unknown query parameter(s): {', '.join(unknown)}; this route takes: {takes}",
            errors=[{"field": name, "message": "unknown query parameter"} for name in unknown],
        )


Graph = Annotated[KnowledgeGraph, Depends(get_kg)]
WorkerPool = Annotated[Workers, Depends(get_workers)]


async def run_in_worker(
    workers: Workers, method: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
) -> T:
    """``method(*args, **kwargs)`` in a worker slot, under the request deadline.

    ``method`` is a bound facade method (``kg.leverage``), so its arguments and its answer
    are checked against the facade's own signature.
    """

    def work(_deadline: object) -> tuple[T, str | None]:
        served_revision()  # forget what an earlier call on this thread used
        return method(*args, **kwargs), served_revision()

    answer, revision = await workers.run(work)
    # Analysis answers state the projection revision they came from (``api.caching``).
    note_analysis_revision(revision)
    return answer


class Window(TypedDict):
    """A page as keyword arguments of the facade."""

    limit: int
    offset: int


class Walk(TypedDict):
    """The analysis options as keyword arguments of the facade."""

    max_hops: int
    as_of: str | None
    min_status: str | None
    strict_products: bool


@dataclass(frozen=True)
class Paging:
    """Which slice of an answer's list to return."""

    limit: int
    offset: int

    def window(self) -> Window:
        """As the facade's keyword arguments."""
        return {"limit": self.limit, "offset": self.offset}


async def paging(
    limit: Annotated[int, Query(ge=0, description="Page size.")] = 1000,
    offset: Annotated[int, Query(ge=0, description="Page start.")] = 0,
) -> Paging:
    """``limit`` and ``offset``, shared by every route that returns a list."""
    return Paging(limit=limit, offset=offset)


@dataclass(frozen=True)
class AnalysisOptions:
    """How far an analysis follows chains, on which date relationships must be valid, how
    established a claim must be, and whether paths must follow named products."""

    max_hops: int
    #: A date written YYYY-MM-DD: checked as a date by the facade (422 when it is none).
    as_of: str | None
    min_status: str | None = None
    strict_products: bool = False

    def walk(self) -> Walk:
        """As the facade's keyword arguments, for the questions that follow chains."""
        return {
            "max_hops": self.max_hops,
            "as_of": self.as_of,
            "min_status": self.min_status,
            "strict_products": self.strict_products,
        }


async def analysis_options(
    max_hops: Annotated[int, Query(ge=0, le=50, description="Bound on derived paths (hops).")] = 6,
    as_of: Annotated[
        str | None,
        Query(
            description="Only relationships valid on this date (YYYY-MM-DD).",
            pattern=r"^\d{4}-\d{2}-\d{2}$",
            json_schema_extra={"format": "date"},
        ),
    ] = None,
    min_status: Annotated[
        str | None,
        Query(
            description="Ignore claims below this assertion status (alleged, reported, "
            "acknowledged, ncp-determined, court-determined, regulator-determined).",
            json_schema_extra={"enum": list(vocab.ASSERTION_RANK)},
        ),
    ] = None,
    strict_products: Annotated[
        bool, Query(description="Drop rows reached through edges naming no product.")
    ] = False,
) -> AnalysisOptions:
    """``max_hops``, ``as_of``, ``min_status`` and ``strict_products``, shared by every route
    that follows chains."""
    return AnalysisOptions(
        max_hops=max_hops, as_of=as_of, min_status=min_status, strict_products=strict_products
    )


async def threshold(
    threshold: Annotated[
        float, Query(gt=0, le=1, description="Coalition target strength, in (0, 1].")
    ] = 0.5,
) -> float:
    """The strength a coalition must reach together, shared by the leverage routes."""
    return threshold


Page = Annotated[Paging, Depends(paging)]
Options = Annotated[AnalysisOptions, Depends(analysis_options)]
Threshold = Annotated[float, Depends(threshold)]
