"""The one FastAPI app: REST routes, the SPARQL endpoint and the human page over one facade."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from valuechain_kg import __version__
from valuechain_kg.api import graph_store, sparql, void
from valuechain_kg.api.access_log import install_access_log
from valuechain_kg.api.caching import install_etags
from valuechain_kg.api.docs import install_offline_docs
from valuechain_kg.api.limits import BodySizeLimit
from valuechain_kg.api.problems import install_problem_handlers
from valuechain_kg.api.routes import actors, explorer, health, impacts, risks
from valuechain_kg.api.settings import ApiSettings
from valuechain_kg.api.sparql_dispatch import SparqlDispatch
from valuechain_kg.api.workers import Workers
from valuechain_kg.graph import KnowledgeGraph

__all__ = ["create_app"]

STATIC = Path(__file__).resolve().parent / "static"

DESCRIPTION = """Who is linked to an adverse impact, and who holds leverage over the entity
causing it: value-chain actors, adverse impacts and leverage under the OECD Guidelines for
Multinational Enterprises on Responsible Business Conduct. Read-only JSON; the same documents
as the `vckg` CLI's `--format json`. Researchers: SPARQL 1.1 Protocol at `/sparql`."""


def _warm_projection(kg: KnowledgeGraph) -> threading.Thread:
    """Build the projection in a background thread as the server starts.

    The analysis routes need it, and building it reads the whole store; built lazily, the first
    requests would all queue behind it. The event loop stays free meanwhile
    (SPARQL and look-ups are answered), and analysis requests arriving early wait for this one
    build rather than starting their own.
    """

    def build() -> None:
        try:
            kg.projection()
        except Exception:  # the store may be closed under us; the first request will say why
            logging.getLogger(__name__).exception("warming the projection failed")

    thread = threading.Thread(target=build, name="vckg-projection-warm-up", daemon=True)
    thread.start()
    return thread


def create_app(kg: KnowledgeGraph, settings: ApiSettings | None = None) -> FastAPI:
    """A FastAPI app serving ``kg``; ``settings`` default to the ``VCKG_*`` environment."""
    settings = settings or ApiSettings.from_env()
    workers = Workers(
        settings.query_threads,
        settings.query_timeout,
        kg=kg,
        processes=settings.query_processes,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        _warm_projection(kg)
        yield
        workers.shutdown()

    app = FastAPI(
        title="valuechain-kg",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.kg = kg
    # A server answers analysis from the previous projection while a rebuild runs (the
    # answer's Analysis-Revision header says which), rather than making requests wait on it.
    kg.serve_previous = True
    app.state.settings = settings
    app.state.workers = workers
    install_problem_handlers(app)
    install_offline_docs(app)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.include_router(health.router)
    app.include_router(risks.actor_router)  # before the actors' catch-all route
    app.include_router(actors.router)
    app.include_router(risks.router)
    app.include_router(impacts.router)
    app.include_router(sparql.router)
    app.include_router(graph_store.router)
    app.include_router(void.router)
    app.include_router(explorer.router)
    app.add_middleware(SparqlDispatch, answer=sparql.answer)  # innermost: past the router
    install_etags(app)
    install_access_log(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Accept", "Content-Type", "Authorization", "If-None-Match"],
            expose_headers=["ETag"],
        )
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, read_timeout=settings.body_timeout
    )
    return app
