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

    Time limits, in seconds, each with its ``VCKG_*`` variable:

    - ``query_timeout`` (``VCKG_QUERY_TIMEOUT``): a query past it is stopped and answered 503;
    - ``header_timeout`` (``VCKG_HEADER_TIMEOUT``): from a connection's first byte (or its
      opening) to the end of the request headers; a slower client is disconnected;
    - ``body_timeout`` (``VCKG_BODY_TIMEOUT``): for the whole request body; slower is 408;
    - ``keep_alive_timeout`` (``VCKG_KEEP_ALIVE_TIMEOUT``): an idle kept-alive connection;
    - ``shutdown_timeout`` (``VCKG_SHUTDOWN_TIMEOUT``): how long SIGTERM waits for requests
      in flight before closing their connections.

    ``max_connections`` (``VCKG_MAX_CONNECTIONS``): open connections beyond it are closed at
    once. ``query_processes`` (``VCKG_QUERY_PROCESSES``): worker processes for SPARQL queries,
    killed at the deadline; 0 runs queries in threads, which cannot be stopped inside the
    engine. ``query_threads`` (``VCKG_QUERY_THREADS``): threads for the REST analyses.
    """

    update_token: str | None = None
    cors_origins: tuple[str, ...] = ()
    query_timeout: float = 30.0
    max_body_bytes: int = 1_048_576
    query_threads: int = 4
    query_processes: int = 2
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    keep_alive_timeout: float = 5.0
    shutdown_timeout: float = 3.0
    max_connections: int = 256

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ApiSettings:
        env = os.environ if environ is None else environ
        origins = tuple(o.strip() for o in env.get("VCKG_CORS_ORIGINS", "").split(",") if o.strip())
        defaults = cls()

        def number(name: str, default: float) -> float:
            return float(env.get(name, str(default)))

        def count(name: str, default: int) -> int:
            return int(env.get(name, str(default)))

        return cls(
            update_token=env.get("VCKG_UPDATE_TOKEN") or None,
            cors_origins=origins,
            query_timeout=number("VCKG_QUERY_TIMEOUT", defaults.query_timeout),
            max_body_bytes=count("VCKG_MAX_BODY_BYTES", defaults.max_body_bytes),
            query_threads=count("VCKG_QUERY_THREADS", defaults.query_threads),
            query_processes=count("VCKG_QUERY_PROCESSES", defaults.query_processes),
            header_timeout=number("VCKG_HEADER_TIMEOUT", defaults.header_timeout),
            body_timeout=number("VCKG_BODY_TIMEOUT", defaults.body_timeout),
            keep_alive_timeout=number("VCKG_KEEP_ALIVE_TIMEOUT", defaults.keep_alive_timeout),
            shutdown_timeout=number("VCKG_SHUTDOWN_TIMEOUT", defaults.shutdown_timeout),
            max_connections=count("VCKG_MAX_CONNECTIONS", defaults.max_connections),
        )
