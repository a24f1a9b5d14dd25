"""The REST API refuses what it does not understand, and says what it would accept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from valuechain_kg import vocabulary as vocab
from valuechain_kg.api import ApiSettings, create_app
from valuechain_kg.graph import KnowledgeGraph

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
IMPACT = "cobalt-child-labour-drc"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(KnowledgeGraph.open(data=[CASES]), ApiSettings())) as c:
        yield c


@pytest.mark.parametrize(
    "url",
    [f"/impacts/{IMPACT}/linked-actors", f"/impacts/{IMPACT}/leverage", "/impacts", "/actors"],
)
def test_an_unknown_query_parameter_is_422_naming_it(client: TestClient, url: str) -> None:
    response = client.get(url, params={"involvement": "cause", "limit": 2})
    assert response.status_code == 422
    body = response.json()
    assert [e["field"] for e in body["errors"]] == ["involvement"]
    assert "involvement" in body["detail"] and "limit" in body["detail"]


def test_known_parameters_still_answer(client: TestClient) -> None:
    response = client.get(f"/impacts/{IMPACT}/linked-actors", params={"max_hops": 2, "limit": 3})
    assert response.status_code == 200
    assert len(response.json()["actors"]) == 3


def test_an_unknown_body_field_is_422_naming_it(client: TestClient) -> None:
    body = {"membership": [{"actor": "apple", "initiative": "rmi"}]}
    response = client.post(f"/impacts/{IMPACT}/leverage/what-if", json=body)
    assert response.status_code == 422
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == ["membership"]
    assert "membership" in problem["detail"]


def test_an_unknown_field_inside_a_hypothetical_edge_is_422(client: TestClient) -> None:
    edge = {"holder": "apple", "target": "congo-dongfang-mining", "strenght": 0.9}
    response = client.post(f"/impacts/{IMPACT}/leverage/what-if", json={"leverage": [edge]})
    assert response.status_code == 422
    fields = [e["field"] for e in response.json()["errors"]]
    assert "leverage.0.strenght" in fields


def test_malformed_json_says_where_it_broke(client: TestClient) -> None:
    text = '{\n  "leverage": [\n    {"holder": "apple",, "target": "x"}\n  ]\n}'
    response = client.post(
        f"/impacts/{IMPACT}/leverage/what-if",
        content=text,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    problem = response.json()
    assert (problem["line"], problem["column"]) == (3, 24)
    assert "line 3, column 24" in problem["detail"]


def test_a_vocabulary_error_lists_the_allowed_values(client: TestClient) -> None:
    response = client.get("/actors", params={"role": "smelter"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "smelter" in detail
    assert all(role in detail for role in vocab.ROLES)
    category = client.get("/impacts", params={"category": "labor"}).json()["detail"]
    assert "labour" in category and "child-labour" in category


def test_sort_takes_a_direction(client: TestClient) -> None:
    ids = [i["id"] for i in client.get("/impacts", params={"sort": "id"}).json()["impacts"]]
    back = client.get("/impacts", params={"sort": "-id"}).json()["impacts"]
    assert [i["id"] for i in back] == list(reversed(ids))
    severe = client.get("/impacts", params={"sort": "severity", "limit": 1}).json()
    least = client.get("/impacts", params={"sort": "-severity", "limit": 1}).json()
    assert severe["impacts"][0]["id"] != least["impacts"][0]["id"]
    assert client.get("/impacts", params={"sort": "+id"}).status_code == 422


def test_the_openapi_document_says_so(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    listing = doc["paths"]["/impacts"]["get"]
    assert "unknown query parameter" in listing["responses"]["422"]["description"]
    params = {p["name"]: p for p in listing["parameters"]}
    assert "-" in params["sort"]["schema"]["pattern"]
    assert params["status"]["schema"]["anyOf"][0].get("enum") == ["actual", "potential"] or (
        params["status"]["schema"].get("enum") == ["actual", "potential"]
    )
    what_if = doc["components"]["schemas"]["WhatIf"]
    assert what_if.get("additionalProperties") is False


@pytest.mark.parametrize("as_of", ["0", "1700000000", "2021-13-45", "yesterday"])
def test_as_of_must_be_a_calendar_date_on_every_route(client: TestClient, as_of: str) -> None:
    for url in ("/risks", f"/impacts/{IMPACT}/linked-actors"):
        response = client.get(url, params={"as_of": as_of})
        assert response.status_code == 422, (url, response.text)
        assert "as_of" in response.json()["detail"]
