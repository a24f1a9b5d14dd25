"""The HTTP face's settings, read once from the environment (``VCKG_*``) or given in code."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["ApiSettings"]


@dataclass(frozen=True)
class ApiSettings:
    """What an operator may tune. Defaults are safe: read-only, no CORS, 30 s, 1 MiB bodies.

    ``update_token`` None means SPARQL updates are refused (403): a public endpoint must not
    let anyone rewrite the graph that analysts cite.
    """

    update_token: str | None = None
    cors_origins: tuple[str, ...] = ()
    query_timeout: float = 30.0
    max_body_bytes: int = 1_048_576
    query_threads: int = 4

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ApiSettings:
        env = os.environ if environ is None else environ
        origins = tuple(o.strip() for o in env.get("VCKG_CORS_ORIGINS", "").split(",") if o.strip())
        return cls(
            update_token=env.get("VCKG_UPDATE_TOKEN") or None,
            cors_origins=origins,
            query_timeout=float(env.get("VCKG_QUERY_TIMEOUT", "30")),
            max_body_bytes=int(env.get("VCKG_MAX_BODY_BYTES", str(1_048_576))),
            query_threads=int(env.get("VCKG_QUERY_THREADS", "4")),
        )
