"""The SPARQL 1.1 Protocol endpoint, case by case, through FastAPI's TestClient."""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import threading
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from valuechain_kg.api import ApiSettings, create_app
from valuechain_kg.api.sparql_syntax import forbidden_feature, query_form, with_using_clauses
from valuechain_kg.graph import KnowledgeGraph

TOKEN = "s3cret-token"
BASE = "https://w3id.org/valuechain/id/"
NAMED = "http://example.org/graphs/extra"

SMALL_CHAIN = f"""
@prefix vc: <https://w3id.org/valuechain#> .
@prefix schema: <https://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{BASE}mine> a vc:Actor ; schema:name "Cobalt Mine" ; rdfs:label "Cobalt Mine" ;
    vc:role vc:role-raw-material-producer ; vc:supplies <{BASE}smelter> .
<{BASE}smelter> a vc:Actor ; schema:name "Smelter" ; rdfs:label "Smelter" ;
    vc:role vc:role-manufacturer .
"""


def make_kg(extra_named: bool = True) -> KnowledgeGraph:
    kg = KnowledgeGraph.open()
    kg.store.add(ox.parse(SMALL_CHAIN.encode(), format=ox.RdfFormat.TURTLE))
    if extra_named:
        kg.store.add(
            [
                ox.Quad(
                    ox.NamedNode(f"{BASE}bank"),
                    ox.NamedNode("https://w3id.org/valuechain#investsIn"),
                    ox.NamedNode(f"{BASE}mine"),
                    ox.NamedNode(NAMED),
                )
            ]
        )
    return kg


@pytest.fixture
def kg() -> KnowledgeGraph:
    return make_kg()


def client_for(kg: KnowledgeGraph, **settings: object) -> TestClient:
    options: dict[str, object] = {"update_token": TOKEN, "max_body_bytes": 4096}
    options.update(settings)
    return TestClient(create_app(kg, ApiSettings(**options)))  # type: ignore[arg-type]


@pytest.fixture
def client(kg: KnowledgeGraph) -> Iterator[TestClient]:
    with client_for(kg) as c:
        yield c


def bindings(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return [
        {k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]
    ]


ACTORS = "SELECT ?a WHERE { ?a a vc:Actor } ORDER BY ?a"


# --- the three ways to send a query ---------------------------------------------------------


def test_query_by_get_reads_the_default_graph(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": ACTORS})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert [r["a"] for r in bindings(response)] == [f"{BASE}mine", f"{BASE}smelter"]


def test_query_by_form_post_and_by_direct_post_give_the_same_answer(client: TestClient) -> None:
    by_form = client.post(
        "/sparql",
        content=f"query={ACTORS.replace(' ', '+')}".encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    by_body = client.post(
        "/sparql", content=ACTORS, headers={"content-type": "application/sparql-query"}
    )
    assert by_form.status_code == by_body.status_code == 200
    assert bindings(by_form) == bindings(by_body)
    assert len(bindings(by_form)) == 2


def test_default_graph_without_protocol_dataset_excludes_named_graphs(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK { ?b vc:investsIn ?m }"})
    assert response.json()["boolean"] is False


def test_default_graph_uri_makes_a_named_graph_the_default(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": "ASK { ?b vc:investsIn ?m }", "default-graph-uri": NAMED},
    )
    assert response.json()["boolean"] is True


def test_named_graph_uri_limits_the_graphs_seen_by_graph_clauses(client: TestClient) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    seen = client.get("/sparql", params={"query": query, "named-graph-uri": NAMED})
    hidden = client.get(
        "/sparql", params={"query": query, "named-graph-uri": "http://example.org/other"}
    )
    assert [r["g"] for r in bindings(seen)] == [NAMED]
    assert bindings(hidden) == []


def test_a_graph_the_store_lacks_is_empty_not_an_error(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": ACTORS, "default-graph-uri": "http://example.org/nowhere"},
    )
    assert response.status_code == 200
    assert bindings(response) == []


def test_protocol_dataset_overrides_from_in_the_query(client: TestClient) -> None:
    query = f"ASK FROM <{NAMED}> {{ ?b vc:investsIn ?m }}"
    assert client.get("/sparql", params={"query": query}).json()["boolean"] is True
    overridden = client.get(
        "/sparql", params={"query": query, "default-graph-uri": "http://example.org/nowhere"}
    )
    assert overridden.json()["boolean"] is False


# --- content negotiation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/html;q=0.9, text/csv", "text/csv"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_answers_in_the_format_the_client_accepts(
    client: TestClient, accept: str, media_type: str
) -> None:
    response = client.get("/sparql", params={"query": ACTORS}, headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert f"{BASE}smelter" in response.text


def test_select_as_csv_has_a_header_and_one_row_per_solution(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": ACTORS}, headers={"accept": "text/csv"})
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows == [["a"], [f"{BASE}mine"], [f"{BASE}smelter"]]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_construct_answers_in_each_rdf_format_and_parses_back(
    client: TestClient, accept: str, fmt: ox.RdfFormat
) -> None:
    query = "CONSTRUCT { ?a vc:supplies ?b } WHERE { ?a vc:supplies ?b }"
    response = client.get("/sparql", params={"query": query}, headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    triples = list(ox.parse(response.content, format=fmt))
    assert [(t.subject.value, t.object.value) for t in triples] == [
        (f"{BASE}mine", f"{BASE}smelter")
    ]


def test_unacceptable_accept_header_is_406(client: TestClient) -> None:
    select = client.get("/sparql", params={"query": ACTORS}, headers={"accept": "image/png"})
    construct = client.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"accept": "application/sparql-results+json"},
    )
    assert select.status_code == 406
    assert construct.status_code == 406
    assert "text/turtle" in construct.json()["offered"]


# --- malformed requests ------------------------------------------------------------------------


def test_malformed_query_is_400_with_the_parsers_message_and_position(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?s WHERE {\n  ?s ?p }"})
    assert response.status_code == 400
    body = response.json()
    assert body["title"] and "malformed query" in body["detail"]
    assert body["line"] == 2  # the column is the parser's own, at or just after the "}"
    assert body["column"] in (9, 10)


def test_two_query_parameters_are_400(client: TestClient) -> None:
    response = client.get("/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D")
    assert response.status_code == 400


def test_post_without_a_sparql_media_type_is_refused(client: TestClient) -> None:
    assert client.post("/sparql", content="ASK {}").status_code == 415
    text = client.post("/sparql", content="ASK {}", headers={"content-type": "text/plain"})
    assert text.status_code == 415


def test_a_non_utf8_body_is_refused(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        content="ASK {}".encode("utf-16"),
        headers={"content-type": "application/sparql-query; charset=UTF-16"},
    )
    assert 400 <= response.status_code < 500


def test_other_methods_are_405(client: TestClient) -> None:
    assert client.put("/sparql?query=ASK%20%7B%7D").status_code == 405


def test_update_by_get_is_refused(client: TestClient) -> None:
    assert client.get("/sparql", params={"update": "CLEAR ALL"}).status_code == 400


# --- the network is never touched ----------------------------------------------------------


def test_service_is_refused_with_400(client: TestClient) -> None:
    query = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "SERVICE" in response.json()["detail"]


def test_load_of_a_remote_document_is_refused_with_400(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        content="LOAD <http://example.org/data.ttl>",
        headers={"content-type": "application/sparql-update", "authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 400
    assert "LOAD" in response.json()["detail"]


def test_no_request_makes_the_server_connect_anywhere(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A loopback listener stands in for a remote host: the Rust engine would reach it too."""
    attempts: list[object] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.3)
    remote = f"http://127.0.0.1:{listener.getsockname()[1]}"
    real_connect = socket.socket.connect

    def recording_connect(self: socket.socket, address: object) -> None:
        attempts.append(address)
        real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", recording_connect)
    monkeypatch.setattr(
        socket, "create_connection", lambda address, *a, **k: attempts.append(address)
    )
    auth = {"content-type": "application/sparql-update", "authorization": f"Bearer {TOKEN}"}
    answers = [
        client.get("/sparql", params={"query": f"ASK FROM <{remote}/g> {{ ?s ?p ?o }}"}),
        client.get("/sparql", params={"query": ACTORS, "default-graph-uri": f"{remote}/g"}),
        client.get("/sparql", params={"query": ACTORS, "named-graph-uri": f"{remote}/g"}),
        client.get(
            "/sparql", params={"query": f"SELECT * {{ SERVICE <{remote}/s> {{ ?s ?p ?o }} }}"}
        ),
        client.post("/sparql", content=f"LOAD <{remote}/x.ttl>", headers=auth),
        client.post(
            "/sparql", content=f"LOAD SILENT <{remote}/x.ttl> INTO GRAPH <g>", headers=auth
        ),
        client.post(
            "/sparql",
            content=f"INSERT {{ <{BASE}x> <{BASE}p> 1 }} USING <{remote}/g> WHERE {{ ?s ?p ?o }}",
            headers=auth,
        ),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 400, 400, 400, 200]
    with pytest.raises(TimeoutError):
        listener.accept()
    listener.close()
    assert attempts == []


def test_guard_ignores_keywords_inside_strings_iris_and_variables() -> None:
    text = 'SELECT ?service WHERE { ?s <http://x/SERVICE> "LOAD SERVICE" } # SERVICE'
    assert forbidden_feature(text) is None
    assert query_form("PREFIX x: <http://select/> CONSTRUCT WHERE { ?s ?p ?o }") == "CONSTRUCT"


# --- updates: token, dataset, validation, rollback ------------------------------------------


def post_update(client: TestClient, text: str, token: str | None = TOKEN, **params: str):  # type: ignore[no-untyped-def]
    headers = {"content-type": "application/sparql-update"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    return client.post("/sparql", content=text, headers=headers, params=params)


NEW_ACTOR = (
    f'INSERT DATA {{ <{BASE}new> a vc:Actor ; schema:name "New" ; rdfs:label "New" ;'
    " vc:role vc:role-investor }"
)


def test_update_with_the_token_changes_the_store(client: TestClient, kg: KnowledgeGraph) -> None:
    before = len(kg.store)
    response = post_update(client, NEW_ACTOR)
    assert response.status_code == 200
    assert response.json()["added"] == 4
    assert len(kg.store) == before + 4


def test_update_by_form_post_works_like_a_direct_post(
    client: TestClient, kg: KnowledgeGraph
) -> None:
    response = client.post(
        "/sparql",
        data={"update": NEW_ACTOR},
        headers={"authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 200
    assert bool(kg.store.query(f"ASK {{ <{BASE}new> a vc:Actor }}"))


def test_update_without_a_token_is_401_and_changes_nothing(
    client: TestClient, kg: KnowledgeGraph
) -> None:
    before = len(kg.store)
    assert post_update(client, NEW_ACTOR, token=None).status_code == 401
    wrong = post_update(client, NEW_ACTOR, token="guess")
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"].startswith("Bearer")
    assert len(kg.store) == before


def test_updates_are_403_when_the_server_has_no_token(kg: KnowledgeGraph) -> None:
    before = len(kg.store)
    with client_for(kg, update_token=None) as c:
        assert post_update(c, NEW_ACTOR).status_code == 403
    assert len(kg.store) == before


def test_update_violating_a_shape_is_422_and_the_store_is_exactly_as_before(
    client: TestClient, kg: KnowledgeGraph
) -> None:
    before = set(kg.store.quads())
    revision = kg.store.revision
    response = post_update(
        client,
        f"DELETE DATA {{ <{BASE}smelter> a vc:Actor }} ;"
        f" INSERT DATA {{ <{BASE}lev> a vc:Leverage ; vc:strength 5.0 }}",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["report"]["conforms"] is False
    assert any("Strength" in r["message"] for r in body["report"]["results"])
    assert set(kg.store.quads()) == before
    assert len(kg.store) == len(before)
    assert kg.store.revision == revision


def test_malformed_update_is_400(client: TestClient) -> None:
    response = post_update(client, "CLEAR XYZ")
    assert response.status_code == 400
    assert "malformed update" in response.json()["detail"]


def test_using_graph_uri_sets_the_where_clause_dataset(
    client: TestClient, kg: KnowledgeGraph
) -> None:
    update = (
        f"INSERT {{ GRAPH <{BASE}g/out> {{ ?b a <{BASE}Bank> }} }} WHERE {{ ?b vc:investsIn ?m }}"
    )
    assert post_update(client, update, **{"using-graph-uri": NAMED}).status_code == 200
    assert bool(kg.store.query(f"ASK {{ GRAPH <{BASE}g/out> {{ <{BASE}bank> a ?t }} }}"))


def test_using_graph_uri_clashing_with_with_clause_is_400(client: TestClient) -> None:
    update = f"WITH <{NAMED}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}"
    assert post_update(client, update, **{"using-graph-uri": NAMED}).status_code == 400


def test_delete_where_shorthand_takes_the_protocol_using_clause() -> None:
    rewritten = with_using_clauses("DELETE WHERE { ?s ?p 1 }", ["http://g"], ["http://n"])
    assert (
        rewritten == "DELETE { ?s ?p 1 } USING <http://g> USING NAMED <http://n> WHERE { ?s ?p 1 }"
    )


def test_queries_never_change_the_store(client: TestClient, kg: KnowledgeGraph) -> None:
    before = set(kg.store.quads())
    response = client.get("/sparql", params={"query": "DELETE WHERE { ?s ?p ?o }"})
    assert response.status_code == 400
    assert set(kg.store.quads()) == before


# --- limits ------------------------------------------------------------------------------------


def test_body_over_the_limit_is_413(client: TestClient) -> None:
    big = "ASK {} #" + "x" * 5000
    response = client.post(
        "/sparql", content=big, headers={"content-type": "application/sparql-query"}
    )
    assert response.status_code == 413


def test_chunked_body_over_the_limit_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"ASK {} #"
        for _ in range(10):
            yield b"x" * 1000

    response = client.post(
        "/sparql", content=chunks(), headers={"content-type": "application/sparql-query"}
    )
    assert response.status_code == 413


def test_a_query_past_the_timeout_gets_503_and_the_server_still_answers() -> None:
    kg = KnowledgeGraph.open()
    kg.store.add(
        ox.Quad(ox.NamedNode(f"{BASE}n{i}"), ox.NamedNode(f"{BASE}p"), ox.Literal(str(i)))
        for i in range(400)
    )
    slow = "SELECT * WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"  # 64 million rows
    with client_for(kg, query_timeout=0.3) as c:
        started = time.monotonic()
        response = c.get("/sparql", params={"query": slow})
        assert response.status_code == 503
        assert time.monotonic() - started < 5
        # The next query may meet the killed worker's replacement still starting on a busy
        # machine (its 0.3 s then runs out too); within a few seconds the server answers.
        recovered = time.monotonic() + 5
        answer = c.get("/sparql", params={"query": "ASK {}"})
        while answer.status_code == 503 and time.monotonic() < recovered:
            answer = c.get("/sparql", params={"query": "ASK {}"})
        assert answer.status_code == 200, answer.text
    # the abandoned worker stops at its next chunk instead of serialising every row
    deadline = time.monotonic() + 5
    while any(t.name.startswith("vckg-query") for t in threading.enumerate()):
        assert time.monotonic() < deadline, "an abandoned query kept running"
        time.sleep(0.05)


# --- service description, ETags, CORS, docs, page ------------------------------------------


def test_get_without_query_returns_the_service_description(client: TestClient) -> None:
    response = client.get("/sparql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoints = [t.object.value for t in triples if t.predicate.value == sd + "endpoint"]
    assert endpoints == ["http://testserver/sparql"]


def test_etag_follows_the_store_revision_and_if_none_match_gives_304(client: TestClient) -> None:
    first = client.get("/sparql", params={"query": ACTORS})
    tag = first.headers["etag"]
    again = client.get("/sparql", params={"query": ACTORS}, headers={"if-none-match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert post_update(client, NEW_ACTOR).status_code == 200
    changed = client.get("/sparql", params={"query": ACTORS}, headers={"if-none-match": tag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag
    assert len(bindings(changed)) == 3


def test_cors_is_off_by_default_and_on_for_configured_origins(kg: KnowledgeGraph) -> None:
    origin = {"origin": "https://analyst.example"}
    with client_for(kg) as closed:
        assert "access-control-allow-origin" not in closed.get("/health", headers=origin).headers
    with client_for(kg, cors_origins=("https://analyst.example",)) as open_:
        allowed = open_.get("/health", headers=origin).headers
        assert allowed["access-control-allow-origin"] == "https://analyst.example"


def test_cors_origins_are_read_from_the_environment() -> None:
    settings = ApiSettings.from_env(
        {"VCKG_CORS_ORIGINS": "https://a.example, https://b.example", "VCKG_QUERY_TIMEOUT": "7"}
    )
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert settings.query_timeout == 7.0
    assert settings.update_token is None


def test_docs_page_loads_swagger_from_the_server_itself(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    for asset in ("/static/swagger-ui/swagger-ui-bundle.js", "/static/swagger-ui/swagger-ui.css"):
        assert asset in page.text
        assert client.get(asset).status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "valuechain-kg"


def test_home_page_is_the_explorer_and_a_query_there_goes_to_the_editor(
    client: TestClient,
) -> None:
    home = client.get("/")
    assert home.status_code == 200
    assert 'href="/docs"' in home.text and 'href="/sparql"' in home.text
    assert "/static/explorer/home.js" in home.text
    assert not re.search(r"(src|href)=\"https?://", home.text)  # nothing from outside
    moved = client.get("/", params={"query": ACTORS}, follow_redirects=False)
    assert moved.status_code == 303
    assert moved.headers["location"].startswith("/sparql?query=")


def test_health_reports_counts_and_version(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["counts"]["actors"] == 2
    assert body["version"]


def test_every_request_is_logged_once(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="valuechain_kg.api.access"):
        client.get("/health")
        client.get("/sparql", params={"query": "ASK {}"})
    lines = [r.getMessage() for r in caplog.records if r.name == "valuechain_kg.api.access"]
    assert len(lines) == 2
    assert " GET /health 200 " in lines[0]
    assert json.dumps("x")  # keep json imported for readers extending these tests
