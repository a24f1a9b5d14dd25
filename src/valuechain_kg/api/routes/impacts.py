"""``/impacts``: the two questions of the OECD Guidelines about an adverse impact, over HTTP.

Who is linked to it (MNE Guidelines, Chapter II and its commentary; UNGP 13 and 19), and who
holds leverage over the entity causing it (MNE Guidelines, Chapter II commentary; UNGP 19 and
its commentary). Each route calls one facade method and returns its model unchanged, so the
body equals the CLI's ``--format json`` document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict

from valuechain_kg import vocabulary as vocab
from valuechain_kg.api.dependencies import (
    Graph,
    Options,
    Page,
    Threshold,
    WorkerPool,
    known_query_only,
    run_in_worker,
)
from valuechain_kg.api.openapi_responses import LOOKUP, READ, problems
from valuechain_kg.api.problems import ProblemError
from valuechain_kg.models import (
    HypotheticalLeverage,
    HypotheticalMembership,
    ImpactDetail,
    ImpactList,
    LeverageAnswer,
    LinkedActorsAnswer,
)

__all__ = ["WhatIf", "router"]

router = APIRouter(prefix="/impacts", tags=["impacts"], dependencies=[Depends(known_query_only)])


class WhatIf(BaseModel):
    """Edges and memberships to imagine before computing leverage; the store is not changed.

    An unknown field (``membership`` for ``memberships``) is refused, not ignored.
    """

    model_config = ConfigDict(extra="forbid")

    leverage: list[HypotheticalLeverage] = []
    memberships: list[HypotheticalMembership] = []


@dataclass(frozen=True)
class ImpactFilters:
    """Which impacts ``GET /impacts`` lists, and in which order."""

    category: str | None
    status: str | None
    country: str | None
    sort: str


async def impact_filters(
    category: Annotated[
        str | None,
        Query(
            description="Category slug, e.g. privacy; a chapter also matches its narrower ones.",
            json_schema_extra={"enum": sorted(vocab.CATEGORIES)},
        ),
    ] = None,
    status: Annotated[
        str | None,
        Query(
            description="actual or potential.", json_schema_extra={"enum": ["actual", "potential"]}
        ),
    ] = None,
    country: Annotated[str | None, Query(description="ISO 3166-1 alpha-2 code.")] = None,
    sort: Annotated[
        str,
        Query(
            pattern="^-?(severity|id|title)$",
            description="severity (most severe first), id or title; a leading '-' reverses "
            "the order (-severity: least severe first, -title: Z to A).",
        ),
    ] = "severity",
) -> ImpactFilters:
    """The list's filters, a dependency like paging, so a request's parameters are read in order."""
    return ImpactFilters(category=category, status=status, country=country, sort=sort)


@router.get("", summary="Adverse impacts, filtered, most severe first", responses=READ)
async def list_impacts(
    kg: Graph,
    workers: WorkerPool,
    filters: Annotated[ImpactFilters, Depends(impact_filters)],
    page: Page,
) -> ImpactList:
    return await run_in_worker(
        workers,
        kg.impacts,
        category=filters.category,
        status=filters.status,
        country=filters.country,
        sort=filters.sort,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/{impact_id:path}/linked-actors",
    summary="Who causes, contributes, is linked",
    responses=LOOKUP,
)
async def linked_actors(
    kg: Graph, workers: WorkerPool, impact_id: str, options: Options, page: Page
) -> LinkedActorsAnswer:
    return await run_in_worker(
        workers,
        kg.linked_actors,
        impact_id,
        **options.walk(),
        **page.window(),
    )


@router.get(
    "/{impact_id:path}/leverage",
    summary="Who holds leverage over the causing entities",
    responses=LOOKUP,
)
async def leverage(
    kg: Graph,
    workers: WorkerPool,
    impact_id: str,
    threshold: Threshold,
    options: Options,
    page: Page,
) -> LeverageAnswer:
    return await run_in_worker(
        workers,
        kg.leverage,
        impact_id,
        threshold=threshold,
        **options.walk(),
        **page.window(),
    )


@router.post(
    "/{impact_id:path}/leverage/what-if",
    summary="Leverage with hypothetical leverage edges or memberships (nothing is stored)",
    responses=problems(400, 404, 413, 422, 503),
)
async def leverage_what_if(
    kg: Graph,
    workers: WorkerPool,
    impact_id: str,
    what_if: WhatIf,
    threshold: Threshold,
    options: Options,
    page: Page,
) -> LeverageAnswer:
    return await run_in_worker(
        workers,
        kg.leverage_what_if,
        impact_id,
        extra_leverage=what_if.leverage,
        extra_memberships=what_if.memberships,
        threshold=threshold,
        **options.walk(),
        **page.window(),
    )


@router.api_route(
    "/{impact_id:path}/leverage/what-if",
    methods=["GET", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
async def what_if_other_methods(request: Request) -> None:
    """A what-if is asked with POST; any other method is 405, not a look-up of an odd id."""
    raise ProblemError(405, f"{request.method} is not offered here", {"Allow": "POST"})


@router.get("/{impact_id:path}", summary="One adverse impact", responses=LOOKUP)
async def get_impact(kg: Graph, workers: WorkerPool, impact_id: str) -> ImpactDetail:
    return await run_in_worker(workers, kg.impact, impact_id)
