"""``/sparql`` served past the router answers exactly as the router's route does, and reads
the request's query and URL from the scope exactly as ``Request.url`` does.

Two apps over one graph: the app as it is, and the same app with the dispatch middleware taken
out, so every request goes through FastAPI's router to the declared routes. Each request below
(queries in every form and format, protocol errors, updates with and without the token, the
service description, the browser's editor page, the other methods) must get the same status,
headers and body from both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette._exception_handler import _lookup_exception_handler
from starlette.exceptions import HTTPException
from starlette.requests import Request

from valuechain_kg.api import ApiSettings, create_app
from valuechain_kg.api.problems import ProblemError
from valuechain_kg.api.sparql import _endpoint_iri, url_query
from valuechain_kg.api.sparql_dispatch import SparqlDispatch, exception_handler_for
from valuechain_kg.api.workers import QueryCrashed, QueryTimeout
from valuechain_kg.errors import NotFound
from valuechain_kg.graph import KnowledgeGraph

TOKEN = "dispatch-token"
ID = "https://w3id.org/valuechain/id/"
DATA = f"""
@prefix vc: <https://w3id.org/valuechain#> .
@prefix schema: <https://schema.org/> .
<{ID}mine> a vc:Actor ; schema:name "Mine" ; vc:supplies <{ID}smelter> .
<{ID}smelter> a vc:Actor ; schema:name "Smelter" .
"""
SELECT = f"SELECT ?p ?o WHERE {{ <{ID}mine> ?p ?o }} ORDER BY ?p ?o"
CONSTRUCT = f"CONSTRUCT {{ <{ID}mine> ?p ?o }} WHERE {{ <{ID}mine> ?p ?o }}"
SERVICE = "SELECT * WHERE { SERVICE <http://e/> { ?s ?p ?o } }"
DIRECT = "application/sparql-query"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
AUTH = {"Authorization": f"Bearer {TOKEN}"}

#: (method, path, keyword arguments for the client).
REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/sparql", {"params": {"query": SELECT}}),
    ("GET", "/sparql/", {"params": {"query": SELECT}}),
    ("GET", "/sparql", {"params": {"query": SELECT}, "headers": {"Accept": "text/csv"}}),
    ("GET", "/sparql", {"params": {"query": "ASK { ?s ?p ?o }"}}),
    ("GET", "/sparql", {"params": {"query": CONSTRUCT}, "headers": {"Accept": "text/turtle"}}),
    ("GET", "/sparql", {"params": {"query": CONSTRUCT}}),
    ("GET", "/sparql", {"params": {"query": SELECT}, "headers": {"Accept": "image/png"}}),
    ("GET", "/sparql", {"params": {"query": "SELECT * WHERE { ?s ?p "}}),
    ("GET", "/sparql", {"params": {"query": SERVICE}}),
    ("GET", "/sparql", {"params": [("query", SELECT), ("query", SELECT)]}),
    ("GET", "/sparql", {"params": {"update": "CLEAR ALL"}}),
    ("GET", "/sparql", {}),
    ("GET", "/sparql", {"headers": {"Accept": "application/n-triples"}}),
    ("GET", "/sparql", {"headers": {"Accept": "text/html,application/xml;q=0.9,*/*;q=0.8"}}),
    (
        "GET",
        "/sparql",
        {"params": {"query": SELECT}, "headers": {"Accept": "text/html,*/*;q=0.8"}},
    ),
    ("GET", "/sparql", {"params": {"query": SELECT, "default-graph-uri": "not an iri"}}),
    ("HEAD", "/sparql", {"params": {"query": SELECT}}),
    ("POST", "/sparql", {"data": {"query": SELECT}}),
    ("POST", "/sparql", {"content": SELECT, "headers": {"Content-Type": DIRECT}}),
    ("POST", "/sparql", {"content": SELECT, "headers": {"Content-Type": "text/plain"}}),
    ("POST", "/sparql", {"content": b"\xff\xfe", "headers": FORM}),
    ("POST", "/sparql", {"data": {"query": SELECT, "update": "CLEAR ALL"}}),
    ("POST", "/sparql", {"data": {"update": f"INSERT DATA {{ <{ID}x> <{ID}p> 1 }}"}}),
    (
        "POST",
        "/sparql",
        {
            "data": {"update": f"INSERT DATA {{ <{ID}x> <{ID}p> 1 }}"},
            "headers": {"Authorization": "Bearer wrong"},
        },
    ),
    ("POST", "/sparql", {"data": {"update": "INSERT DATA { <urn:a> <urn:b> "}, "headers": AUTH}),
    ("OPTIONS", "/sparql", {}),
    ("PUT", "/sparql", {"content": b"x"}),
    ("DELETE", "/sparql/", {}),
]


def _graph() -> KnowledgeGraph:
    kg = KnowledgeGraph.open()
    kg.store.add(ox.parse(DATA.encode(), format=ox.RdfFormat.TURTLE))
    return kg


def _client(kg: KnowledgeGraph, dispatch: bool) -> TestClient:
    app = create_app(kg, ApiSettings(update_token=TOKEN))
    if not dispatch:
        app.user_middleware = [m for m in app.user_middleware if m.cls is not SparqlDispatch]
    return TestClient(app)


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[TestClient, TestClient]]:
    kg = _graph()
    with _client(kg, dispatch=True) as fast, _client(kg, dispatch=False) as routed:
        yield fast, routed
    kg.close()


_BLANK = re.compile(rb"_:[0-9a-f]{16,}")


def _relabelled(body: bytes) -> bytes:
    """Blank node labels, random per answer, renamed in order of appearance."""
    names: dict[bytes, bytes] = {}
    return _BLANK.sub(lambda m: names.setdefault(m.group(), b"_:b%d" % len(names)), body)


def _seen(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    # The length varies with the blank node labels; the bodies are compared instead.
    unstable = {"date", "content-length"}
    headers = sorted((k, v) for k, v in response.headers.items() if k not in unstable)
    return response.status_code, headers, _relabelled(response.content)


@pytest.mark.parametrize(("method", "path", "options"), REQUESTS)
def test_the_dispatched_answer_is_the_routed_answer(
    clients: tuple[TestClient, TestClient], method: str, path: str, options: dict[str, Any]
) -> None:
    fast, routed = clients
    assert _seen(fast.request(method, path, **options)) == _seen(
        routed.request(method, path, **options)
    )


def test_an_update_is_applied_once_through_the_dispatch(
    clients: tuple[TestClient, TestClient],
) -> None:
    fast, _ = clients
    update = f"INSERT DATA {{ <{ID}dispatched> <{ID}p> 1 }}"
    answer = fast.post("/sparql", data={"update": update}, headers=AUTH)
    assert answer.status_code == 200, answer.text
    assert answer.json()["added"] == 1
    ask = fast.get("/sparql", params={"query": f"ASK {{ <{ID}dispatched> ?p ?o }}"})
    assert ask.json()["boolean"] is True


def test_handlers_are_picked_as_the_exception_middleware_picks_them() -> None:
    app = create_app(_graph())
    handlers = app.exception_handlers
    for exc in [
        ProblemError(400, "bad"),
        QueryTimeout("late"),
        QueryCrashed("gone"),
        NotFound("nothing"),
        HTTPException(404),
        OSError(28, "full"),
        ValueError("no handler"),
    ]:
        expected = _lookup_exception_handler(
            {k: v for k, v in handlers.items() if k not in (500, Exception)}, exc
        )
        assert exception_handler_for(handlers, exc) is expected
    assert exception_handler_for(handlers, ValueError("x")) is None


_URL_TEXT = st.lists(
    st.sampled_from([*"aZ09-._~%/?#&=+ \t\r\n:@[]é", "%20", "%E2%82%AC"]), max_size=30
).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    query=_URL_TEXT,
    path=_URL_TEXT.map(lambda p: "/sparql" + p),
    host=st.sampled_from([None, b"example.org", b"example.org:8080", b"[::1]:81", b"bad host"]),
    scheme=st.sampled_from(["http", "https"]),
    server=st.sampled_from([None, ("127.0.0.1", 80), ("::1", 8000), ("10.0.0.1", 443)]),
)
def test_the_query_and_endpoint_read_from_the_scope_are_the_request_urls(
    query: str,
    path: str,
    host: bytes | None,
    scheme: str,
    server: tuple[str, int] | None,
) -> None:
    scope: dict[str, Any] = {
        "type": "http",
        "scheme": scheme,
        "server": server,
        "path": path,
        "query_string": query.encode(),
        "headers": [] if host is None else [(b"host", host)],
    }
    request = Request(scope)
    assert url_query(scope) == request.url.query
    assert _endpoint_iri(request) == str(request.url.replace(query="", fragment=""))
