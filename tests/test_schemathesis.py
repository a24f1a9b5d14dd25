"""schemathesis over the server's own OpenAPI document, against a real ``vckg serve`` process.

Every operation gets a bounded number of generated requests (valid and invalid ones) and every
check schemathesis has: no 5xx, each status code and content type declared for the operation,
bodies matching their declared schemas, invalid input refused, ``Allow`` on 405. The server
serves the bundled demo cases, so ids in the path can resolve as well as fail.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("schemathesis") / "server.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "valuechain_kg.api.server", "--port", str(port)]
        + ["--data", str(CASES), "--no-validate"],
        env={**os.environ, "VCKG_QUERY_TIMEOUT": "5"},
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("the server did not start: " + log.read_text())
        time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=30)


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
