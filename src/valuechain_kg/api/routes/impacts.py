"""``/impacts``: the two questions of the OECD Guidelines about an adverse impact, over HTTP.

Who is linked to it (Guidelines, Chapter II paras A.11-A.12, Chapter IV para 4; UNGP 13, 19)
and who holds leverage over the entity causing it (Guidelines Chapter II commentary para 19;
Due Diligence Guidance Annex Q3.2). Each route calls one facade method and returns its model
unchanged, so the body equals the CLI's ``--format json`` document.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from valuechain_kg.api.openapi_responses import LOOKUP, READ, problems
from valuechain_kg.models import (
    HypotheticalLeverage,
    HypotheticalMembership,
    ImpactDetail,
    ImpactList,
    LeverageAnswer,
    LinkedActorsAnswer,
)

__all__ = ["WhatIf", "router"]

router = APIRouter(prefix="/impacts", tags=["impacts"])

MaxHops = Query(6, ge=0, le=50, description="Bound on derived paths (hops).")
AsOf = Query(None, description="Only relationships valid on this date (YYYY-MM-DD).")
Limit = Query(1000, ge=0, description="Page size.")
Offset = Query(0, ge=0, description="Page start.")
Threshold = Query(0.5, gt=0, le=1, description="Coalition target strength, in (0, 1].")


class WhatIf(BaseModel):
    """Edges and memberships to imagine before computing leverage; the store is not changed."""

    leverage: list[HypotheticalLeverage] = []
    memberships: list[HypotheticalMembership] = []


async def _call(request: Request, method: str, *args: Any, **kwargs: Any) -> Any:
    kg = request.app.state.kg
    return await request.app.state.workers.run(lambda _d: getattr(kg, method)(*args, **kwargs))


@router.get("", summary="Adverse impacts, filtered, most severe first", responses=READ)
async def list_impacts(
    request: Request,
    category: str | None = Query(None, description="Category slug, e.g. privacy."),
    status: str | None = Query(None, description="actual or potential."),
    country: str | None = Query(None, description="ISO 3166-1 alpha-2 code."),
    sort: str = Query(
        "severity", pattern="^(severity|id|title)$", description="severity, id or title."
    ),
    limit: int = Limit,
    offset: int = Offset,
) -> ImpactList:
    return await _call(
        request,
        "impacts",
        category=category,
        status=status,
        country=country,
        sort=sort,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/{impact_id:path}/linked-actors",
    summary="Who causes, contributes, is linked",
    responses=LOOKUP,
)
async def linked_actors(
    request: Request,
    impact_id: str,
    max_hops: int = MaxHops,
    as_of: date | None = AsOf,
    limit: int = Limit,
    offset: int = Offset,
) -> LinkedActorsAnswer:
    return await _call(
        request,
        "linked_actors",
        impact_id,
        max_hops=max_hops,
        as_of=as_of,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/{impact_id:path}/leverage",
    summary="Who holds leverage over the causing entities",
    responses=LOOKUP,
)
async def leverage(
    request: Request,
    impact_id: str,
    threshold: float = Threshold,
    max_hops: int = MaxHops,
    as_of: date | None = AsOf,
    limit: int = Limit,
    offset: int = Offset,
) -> LeverageAnswer:
    return await _call(
        request,
        "leverage",
        impact_id,
        threshold=threshold,
        max_hops=max_hops,
        as_of=as_of,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/{impact_id:path}/leverage/what-if",
    summary="Leverage with hypothetical leverage edges or memberships (nothing is stored)",
    responses=problems(400, 404, 413, 422, 503),
)
async def leverage_what_if(
    request: Request,
    impact_id: str,
    what_if: WhatIf,
    threshold: float = Threshold,
    max_hops: int = MaxHops,
    as_of: date | None = AsOf,
    limit: int = Limit,
    offset: int = Offset,
) -> LeverageAnswer:
    return await _call(
        request,
        "leverage_what_if",
        impact_id,
        extra_leverage=what_if.leverage,
        extra_memberships=what_if.memberships,
        threshold=threshold,
        max_hops=max_hops,
        as_of=as_of,
        limit=limit,
        offset=offset,
    )


@router.get("/{impact_id:path}", summary="One adverse impact", responses=LOOKUP)
async def get_impact(request: Request, impact_id: str) -> ImpactDetail:
    return await _call(request, "impact", impact_id)
