"""``/actors``: list, look up, and ask what an actor is linked to and whom it can influence.

Thin: each route calls one facade method, off the event loop, and returns its pydantic model
unchanged, so the body is the CLI's ``--format json`` document for the same question.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from valuechain_kg import vocabulary as vocab
from valuechain_kg.api.dependencies import (
    Graph,
    Options,
    Page,
    WorkerPool,
    known_query_only,
    run_in_worker,
)
from valuechain_kg.api.openapi_responses import LOOKUP, READ
from valuechain_kg.models import ActorDetail, ActorImpactsAnswer, ActorList, HoldingsAnswer

__all__ = ["router"]

router = APIRouter(prefix="/actors", tags=["actors"], dependencies=[Depends(known_query_only)])


@dataclass(frozen=True)
class ActorFilters:
    """Which actors ``GET /actors`` lists."""

    role: str | None
    country: str | None
    q: str | None


async def actor_filters(
    role: Annotated[
        str | None,
        Query(
            description="Role slug, e.g. investor.", json_schema_extra={"enum": sorted(vocab.ROLES)}
        ),
    ] = None,
    country: Annotated[str | None, Query(description="ISO 3166-1 alpha-2 code.")] = None,
    q: Annotated[str | None, Query(description="Text found in the name or id.")] = None,
) -> ActorFilters:
    """The list's filters, a dependency like paging, so a request's parameters are read in order."""
    return ActorFilters(role=role, country=country, q=q)


@router.get("", summary="Actors, filtered by role, country or a text query", responses=READ)
async def list_actors(
    kg: Graph,
    workers: WorkerPool,
    filters: Annotated[ActorFilters, Depends(actor_filters)],
    page: Page,
) -> ActorList:
    return await run_in_worker(
        workers,
        kg.actors,
        role=filters.role,
        country=filters.country,
        q=filters.q,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/{actor_id:path}/impacts",
    summary="Every impact an actor is linked to, and how",
    responses=LOOKUP,
)
async def actor_impacts(
    kg: Graph, workers: WorkerPool, actor_id: str, options: Options, page: Page
) -> ActorImpactsAnswer:
    return await run_in_worker(
        workers,
        kg.impacts_of,
        actor_id,
        **options.walk(),
        **page.window(),
    )


@router.get(
    "/{actor_id:path}/leverage",
    summary="Over whom this actor holds leverage, directly and through chains",
    responses=LOOKUP,
)
async def actor_leverage(
    kg: Graph, workers: WorkerPool, actor_id: str, options: Options, page: Page
) -> HoldingsAnswer:
    return await run_in_worker(
        workers,
        kg.holdings,
        actor_id,
        max_hops=options.max_hops,
        as_of=options.as_of,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{actor_id:path}", summary="One actor", responses=LOOKUP)
async def get_actor(kg: Graph, workers: WorkerPool, actor_id: str) -> ActorDetail:
    return await run_in_worker(workers, kg.actor, actor_id)
