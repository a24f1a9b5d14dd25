"""``/risks`` and ``/actors/{id}/risks``: risk-based scoping over HTTP.

Which public risk indicators reach which actors, through which product and path (Due Diligence
Guidance, Section II, step 2; UNGP 17 commentary). Results are potential exposure, never
impacts. Each route calls the facade's ``screen`` and returns its model unchanged, so the body
equals ``vckg screen --format json``. ``actor_router`` is registered before the actors'
catch-all route so that ``/actors/{id}/risks`` reaches it.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from valuechain_kg.api.dependencies import (
    Graph,
    Options,
    Page,
    WorkerPool,
    known_query_only,
    run_in_worker,
)
from valuechain_kg.api.openapi_responses import LOOKUP, READ
from valuechain_kg.models import RisksAnswer

__all__ = ["actor_router", "router"]

router = APIRouter(prefix="/risks", tags=["risks"], dependencies=[Depends(known_query_only)])
actor_router = APIRouter(prefix="/actors", tags=["risks"], dependencies=[Depends(known_query_only)])


@router.get("", summary="Every actor a risk indicator reaches, with its path", responses=READ)
async def all_risks(kg: Graph, workers: WorkerPool, options: Options, page: Page) -> RisksAnswer:
    return await run_in_worker(
        workers,
        kg.screen,
        None,
        **options.walk(),
        **page.window(),
    )


@actor_router.get(
    "/{actor_id:path}/risks",
    summary="The risk indicators that reach an actor, one row per producer",
    responses=LOOKUP,
)
async def actor_risks(
    kg: Graph, workers: WorkerPool, actor_id: str, options: Options, page: Page
) -> RisksAnswer:
    return await run_in_worker(
        workers,
        kg.screen,
        actor_id,
        **options.walk(),
        **page.window(),
    )
