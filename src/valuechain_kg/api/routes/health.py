"""``GET /health``: is the store reachable, what does it hold, which version answers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from valuechain_kg import __version__
from valuechain_kg.models import GraphInfo

__all__ = ["Health", "router"]

router = APIRouter(tags=["service"])


class Health(BaseModel):
    """The answer of ``GET /health``: status, version, store revision and counts by kind."""

    status: str
    version: str
    revision: str
    persistent: bool
    counts: GraphInfo


@router.get("/health", response_model=Health, summary="Store reachable, counts, version")
async def health(request: Request) -> Health:
    kg = request.app.state.kg
    counts = await request.app.state.workers.run(lambda _deadline: kg.info())
    return Health(
        status="ok",
        version=__version__,
        revision=kg.store.revision,
        persistent=kg.store.path is not None,
        counts=counts,
    )
