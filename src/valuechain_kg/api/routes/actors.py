"""``/actors``: list, look up, and ask what an actor is linked to and whom it can influence.

Thin: each route calls one facade method, off the event loop, and returns its pydantic model
unchanged, so the body is the CLI's ``--format json`` document for the same question.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request

from valuechain_kg.api.openapi_responses import LOOKUP, READ
from valuechain_kg.models import ActorDetail, ActorImpactsAnswer, ActorList, HoldingsAnswer

__all__ = ["router"]

router = APIRouter(prefix="/actors", tags=["actors"])

MaxHops = Query(6, ge=0, le=50, description="Bound on derived paths (hops).")
AsOf = Query(None, description="Only relationships valid on this date (YYYY-MM-DD).")
Limit = Query(1000, ge=0, description="Page size.")
Offset = Query(0, ge=0, description="Page start.")


async def _call(request: Request, method: str, *args: Any, **kwargs: Any) -> Any:
    kg = request.app.state.kg
    return await request.app.state.workers.run(lambda _d: getattr(kg, method)(*args, **kwargs))


@router.get("", summary="Actors, filtered by role, country or a text query", responses=READ)
async def list_actors(
    request: Request,
    role: str | None = Query(None, description="Role slug, e.g. investor."),
    country: str | None = Query(None, description="ISO 3166-1 alpha-2 code."),
    q: str | None = Query(None, description="Text found in the name or id."),
    limit: int = Limit,
    offset: int = Offset,
) -> ActorList:
    return await _call(
        request, "actors", role=role, country=country, q=q, limit=limit, offset=offset
    )


@router.get(
    "/{actor_id:path}/impacts",
    summary="Every impact an actor is linked to, and how",
    responses=LOOKUP,
)
async def actor_impacts(
    request: Request,
    actor_id: str,
    max_hops: int = MaxHops,
    as_of: date | None = AsOf,
    limit: int = Limit,
    offset: int = Offset,
) -> ActorImpactsAnswer:
    return await _call(
        request,
        "impacts_of",
        actor_id,
        max_hops=max_hops,
        as_of=as_of,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/{actor_id:path}/leverage",
    summary="Over whom this actor holds leverage, directly and through chains",
    responses=LOOKUP,
)
async def actor_leverage(
    request: Request,
    actor_id: str,
    max_hops: int = MaxHops,
    as_of: date | None = AsOf,
    limit: int = Limit,
    offset: int = Offset,
) -> HoldingsAnswer:
    return await _call(
        request,
        "holdings",
        actor_id,
        max_hops=max_hops,
        as_of=as_of,
        limit=limit,
        offset=offset,
    )


@router.get("/{actor_id:path}", summary="One actor", responses=LOOKUP)
async def get_actor(request: Request, actor_id: str) -> ActorDetail:
    return await _call(request, "actor", actor_id)
