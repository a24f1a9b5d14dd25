"""The REST API over the demo cases: same documents as the CLI, ids in three spellings, errors."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from valuechain_kg.api import ApiSettings, create_app
from valuechain_kg.cli import app as cli_app
from valuechain_kg.graph import KnowledgeGraph

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "cases"
COBALT = CASES / "cobalt-drc"
IMPACT = "cobalt-child-labour-drc"
BASE = "https://w3id.org/valuechain/id/"


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return KnowledgeGraph.open(data=[CASES])


@pytest.fixture(scope="module")
def client(kg: KnowledgeGraph) -> Iterator[TestClient]:
    with TestClient(create_app(kg, ApiSettings())) as c:
        yield c


def cli_json(*args: str) -> object:
    result = CliRunner().invoke(cli_app, [*args, "--data", str(CASES), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


# --- REST JSON is the CLI's JSON --------------------------------------------------------------


def test_linked_actors_body_equals_the_cli_json(client: TestClient) -> None:
    rest = client.get(f"/impacts/{IMPACT}/linked-actors", params={"max_hops": 4, "limit": 5})
    assert rest.status_code == 200
    assert rest.json() == cli_json("linked", IMPACT, "--max-hops", "4", "--limit", "5")


def test_leverage_body_equals_the_cli_json(client: TestClient) -> None:
    params = {"threshold": 0.4, "max_hops": 3, "offset": 1}
    rest = client.get(f"/impacts/{IMPACT}/leverage", params=params)
    assert rest.status_code == 200
    cli = cli_json("leverage", IMPACT, "--threshold", "0.4", "--max-hops", "3", "--offset", "1")
    assert rest.json() == cli


def test_impact_list_and_impacts_of_equal_the_cli_json(client: TestClient) -> None:
    assert client.get("/impacts", params={"category": "human-rights"}).json() == cli_json(
        "impacts", "--category", "human-rights"
    )
    assert client.get("/actors/apple/impacts").json() == cli_json("impacts-of", "apple")


# --- the answers themselves, checked against the CSV rows ---------------------------------------


def test_linked_actors_list_every_asserted_involvement_of_the_impact(client: TestClient) -> None:
    body = client.get(f"/impacts/{IMPACT}/linked-actors").json()
    asserted = {
        (r["actor"], r["mode"]) for r in rows(COBALT / "involvements.csv") if r["impact"] == IMPACT
    }
    reported = {(a["id"], a["involvement"]) for a in body["actors"] if a["asserted"]}
    assert asserted <= reported
    assert body["total"] == len(body["actors"])
    assert body["actors"][0]["involvement"] == "cause"


def test_paging_keeps_the_total_and_slices_the_actors(client: TestClient) -> None:
    full = client.get(f"/impacts/{IMPACT}/linked-actors").json()
    page = client.get(f"/impacts/{IMPACT}/linked-actors", params={"limit": 2, "offset": 1}).json()
    assert page["total"] == full["total"]
    assert page["actors"] == full["actors"][1:3]
    assert (page["limit"], page["offset"]) == (2, 1)


def test_the_owner_holds_leverage_over_the_causing_entity(client: TestClient) -> None:
    body = client.get(f"/impacts/{IMPACT}/leverage").json()
    target = next(t for t in body["targets"] if t["id"] == "congo-dongfang-mining")
    owner = next(h for h in target["holders"] if h["id"] == "huayou-cobalt")
    assert owner["strength"] == 1.0
    assert "ownership" in owner["bases"]


def test_actor_leverage_lists_whom_the_actor_can_influence(client: TestClient) -> None:
    body = client.get("/actors/huayou-cobalt/leverage").json()
    assert body["actor"]["id"] == "huayou-cobalt"
    assert "congo-dongfang-mining" in {h["id"] for h in body["holdings"]}


def test_what_if_adds_a_hypothetical_holder_without_changing_the_store(
    client: TestClient, kg: KnowledgeGraph
) -> None:
    before = len(kg.store)
    hypothetical = {
        "leverage": [
            {
                "holder": "sony",
                "target": "congo-dongfang-mining",
                "basis": "contract-terms",
                "strength": 0.9,
            }
        ]
    }
    url = f"/impacts/{IMPACT}/leverage/what-if"
    body = client.post(url, json=hypothetical).json()
    target = next(t for t in body["targets"] if t["id"] == "congo-dongfang-mining")
    assert any(h["id"] == "sony" and h["strength"] == 0.9 for h in target["holders"])
    plain = client.get(f"/impacts/{IMPACT}/leverage").json()
    plain_target = next(t for t in plain["targets"] if t["id"] == "congo-dongfang-mining")
    assert all(not (h["id"] == "sony" and h["hops"] == 1) for h in plain_target["holders"])
    assert len(kg.store) == before


def test_actors_filter_by_role_and_report_the_total(client: TestClient) -> None:
    body = client.get("/actors", params={"role": "investor", "limit": 1}).json()
    assert body["total"] > 1
    assert len(body["actors"]) == 1
    assert "investor" in body["actors"][0]["roles"]


def test_actor_detail_and_impact_detail(client: TestClient) -> None:
    actor = client.get("/actors/huayou-cobalt").json()
    assert actor["country"] == "CN"
    impact = client.get(f"/impacts/{IMPACT}").json()
    assert impact["title"].startswith("Child labour")
    assert impact["severity"] == {"level": 4, "scale": 4, "scope": 3, "irremediability": 3}


def test_impacts_are_sorted_most_severe_first(client: TestClient) -> None:
    impacts = client.get("/impacts").json()["impacts"]
    levels = [i["severity"]["level"] for i in impacts]
    known = [v for v in levels if v is not None]
    assert known == sorted(known, reverse=True)
    assert levels == known + [None] * (len(levels) - len(known))
    # Equal level: the more irremediable first, whatever the other two add up to.
    for a, b in zip(impacts, impacts[1:], strict=False):
        if a["severity"]["level"] == b["severity"]["level"] is not None:
            assert (a["severity"]["irremediability"] or 0) >= (
                b["severity"]["irremediability"] or 0
            )


# --- ids: bare, CURIE, URL-encoded IRI ----------------------------------------------------------


@pytest.mark.parametrize("spelling", [IMPACT, f"vcid:{IMPACT}", quote(BASE + IMPACT, safe="")])
def test_an_impact_id_may_be_bare_a_curie_or_an_encoded_iri(
    client: TestClient, spelling: str
) -> None:
    body = client.get(f"/impacts/{spelling}/linked-actors").json()
    assert body["impact"]["iri"] == BASE + IMPACT


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/impacts/no-such-impact", "/impacts/no-such-impact/leverage", "/actors/nobody/impacts"],
)
def test_unknown_id_is_a_404_problem(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "detail"} <= body.keys()
    assert "no-such-impact" in body["detail"] or "nobody" in body["detail"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"max_hops": -1}, "max_hops"),
        ({"threshold": 1.5}, "threshold"),
        ({"as_of": "last year"}, "as_of"),
        ({"limit": "many"}, "limit"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(
    client: TestClient, params: dict[str, object], field: str
) -> None:
    response = client.get(f"/impacts/{IMPACT}/leverage", params=params)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


def test_usage_errors_from_the_facade_are_422(client: TestClient) -> None:
    response = client.get("/impacts", params={"category": "not-a-category"})
    assert response.status_code == 422
    assert "not-a-category" in response.json()["detail"]


def test_rest_answers_carry_an_etag_and_honour_if_none_match(client: TestClient) -> None:
    first = client.get(f"/impacts/{IMPACT}")
    assert first.status_code == 200
    again = client.get(f"/impacts/{IMPACT}", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304
