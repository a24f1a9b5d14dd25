"""schemathesis over the server's own OpenAPI document, against a real ``vckg serve`` process.

Every operation gets a bounded number of generated requests (valid and invalid ones) and every
check schemathesis has: no 5xx, each status code and content type declared for the operation,
bodies matching their declared schemas, invalid input refused, ``Allow`` on 405. The server
serves the bundled demo cases, so ids in the path can resolve as well as fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import live_server
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from valuechain_kg.api.app import create_app
from valuechain_kg.api.settings import ApiSettings
from valuechain_kg.graph import KnowledgeGraph

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "cases"
#: Examples per operation: about twenty operations, so this bounds the whole run.
EXAMPLES = 25


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = live_server.start(
        tmp_path_factory.mktemp("schemathesis") / "server.log",
        "--data",
        str(CASES),
        "--no-validate",
        env={"VCKG_QUERY_TIMEOUT": "5"},
    )
    yield server.url
    server.stop()


def _openapi() -> dict[str, Any]:
    """The OpenAPI document of the app the server runs (the same code, read in-process)."""
    return create_app(KnowledgeGraph.open(), ApiSettings()).openapi()


#: Every check runs. Valid-by-schema requests may still be refused with 400 or 422 when a value
#: the schema cannot describe is wrong: an unknown role slug, a string that is not an IRI, both
#: ``graph`` and ``default`` (OpenAPI cannot say "exactly one of two parameters").
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "406", "422"]
            }
        }
    }
)
schema = schemathesis.openapi.from_dict(_openapi(), config=CONFIG)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_conforms_to_its_openapi(base_url: str, case: schemathesis.Case) -> None:
    case.call_and_validate(base_url=base_url, timeout=30)


def test_every_operation_declares_its_problem_documents(base_url: str) -> None:
    document = httpx.get(f"{base_url}/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            errors = {s: r for s, r in operation["responses"].items() if s.startswith(("4", "5"))}
            assert errors, f"{method.upper()} {path} declares no error answer"
            for status, answer in errors.items():
                assert list(answer["content"]) == ["application/problem+json"], (
                    f"{method.upper()} {path} {status}"
                )
