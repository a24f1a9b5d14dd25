"""``GET /health``: is the store reachable, what does it hold, which version answers."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from valuechain_kg import __version__
from valuechain_kg.api.dependencies import Graph, WorkerPool
from valuechain_kg.api.openapi_responses import NOT_MODIFIED, problems
from valuechain_kg.models import GraphInfo

__all__ = ["Health", "router"]

router = APIRouter(tags=["service"])


class Health(BaseModel):
    """The answer of ``GET /health``: status, version, store revision and counts by kind."""

    status: str
    version: str
    revision: str
    persistent: bool
    #: Whether analysis answers come from the store as it is now; False while the projection
    #: is (re)built, when they come from the previous one (``analysis_revision``) or wait.
    analysis_ready: bool
    #: The store revision analysis answers are computed at now (None before the first build).
    analysis_revision: str | None
    counts: GraphInfo


@router.get(
    "/health",
    response_model=Health,
    summary="Store reachable, counts, version",
    responses={**NOT_MODIFIED, **problems(503)},
)
async def health(kg: Graph, workers: WorkerPool) -> Health:
    # Its own thread, not a query slot: a probe must answer while every slot is taken.
    counts = await workers.run_apart(kg.info)
    return Health(
        status="ok",
        version=__version__,
        revision=kg.revision,
        persistent=kg.persistent,
        analysis_ready=kg.analysis_ready,
        analysis_revision=kg.analysis_revision,
        counts=counts,
    )
