"""Shared fixtures: paths of the project and small named value chains."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture
def root() -> Path:
    return ROOT


#: Test modules that start real servers, kill processes or run notebooks and benchmarks:
#: ``make test`` runs them, ``make test-fast`` (``-m "not slow"``) leaves them out.
SLOW_MODULES = frozenset(
    {
        "test_batch_spark",
        "test_bench",
        "test_connections",
        "test_browser",
        "test_deadlines",
        "test_graph_store_protocol",
        "test_ilab",
        "test_load_staging",
        "test_notebooks",
        "test_remote_store",
        "test_remote_streaming",
        "test_schemathesis",
        "test_server",
        "test_server_limits",
        "test_update_atomicity",
        "test_v2_reference",
        "test_w3c_protocol",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.stem in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
