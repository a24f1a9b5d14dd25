"""Run the app on uvicorn: one log line per request, clean shutdown on SIGTERM or Ctrl-C.

uvicorn turns SIGTERM and SIGINT into a graceful shutdown (stop accepting, finish the requests
in flight for at most ``shutdown_timeout`` seconds, then cancel them and kill the query
processes); only then is the store closed, which flushes RocksDB and releases its lock, so an
on-disk store is never left half-written.

The connection limits of ``ApiSettings`` (header timeout, keep-alive, connection cap) are
applied here, through the protocol class of ``connections``.

Also runnable as ``python -m valuechain_kg.api.server [--store DIR | --data PATH ...]``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Callable, Generator, Sequence
from pathlib import Path

import uvicorn

from valuechain_kg.api.access_log import LOGGER_NAME
from valuechain_kg.api.app import create_app
from valuechain_kg.api.connections import limited_protocol
from valuechain_kg.api.settings import ApiSettings
from valuechain_kg.graph import KnowledgeGraph

__all__ = ["main", "serve"]

KnowledgeGraphSource = KnowledgeGraph | Callable[[], KnowledgeGraph]


class _GracefulServer(uvicorn.Server):
    """uvicorn's server, minus re-raising the caught signal once it has shut down.

    uvicorn re-raises SIGTERM after its graceful shutdown so the process dies of it, which
    would skip closing the store. Here the signal only starts the shutdown; ``serve`` then
    closes the store and returns normally (exit status 0).
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


def _configure_logging(level: str) -> None:
    logger = logging.getLogger(LOGGER_NAME)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False


def serve(
    kg: KnowledgeGraphSource,
    host: str = "127.0.0.1",
    port: int = 8000,
    settings: ApiSettings | None = None,
    log_level: str = "info",
) -> None:
    """Serve ``kg`` (or what a factory returns) until SIGTERM/SIGINT, then close its store."""
    graph = kg() if callable(kg) else kg
    settings = settings or ApiSettings.from_env()
    _configure_logging(log_level)
    try:
        app = create_app(graph, settings)
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level=log_level,
            access_log=False,  # our own access log writes the one line per request
            lifespan="on",
            http=limited_protocol(settings.header_timeout, settings.max_connections),
            timeout_keep_alive=settings.keep_alive_timeout,  # type: ignore[arg-type]
            timeout_graceful_shutdown=settings.shutdown_timeout,  # type: ignore[arg-type]
        )
        _GracefulServer(config).run()
    finally:
        graph.close()


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m valuechain_kg.api.server``: the same as ``vckg serve``, for scripts and tests."""
    parser = argparse.ArgumentParser(prog="python -m valuechain_kg.api.server")
    parser.add_argument(
        "--store", default=None, help="on-disk store folder, or a SPARQL engine's http(s):// URL"
    )
    parser.add_argument("--data", type=Path, action="append", default=[], help="RDF or CSV")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--no-validate", action="store_true", help="load --data without SHACL")
    args = parser.parse_args(argv)

    def open_graph() -> KnowledgeGraph:
        kg = KnowledgeGraph.open(store=args.store)
        if args.data:
            kg.load(args.data, validate=not args.no_validate)
        return kg

    serve(open_graph, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
