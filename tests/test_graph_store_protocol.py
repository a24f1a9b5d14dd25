"""The W3C SPARQL 1.1 Graph Store Protocol tests, one case each, against a real server process.

The manifests (W3C test suite licence; read from the shared data folder, not copied) describe
each test as a sequence of HTTP requests on one connection, with the expected status, headers
and body (compared as graphs, blank nodes up to isomorphism). Paths starting ``/gsp`` are
rewritten to this server's ``/rdf-graphs/service``, a ``Location`` answered by graph creation
replaces ``$LOCATION$`` in later requests, and every test starts from an empty store.

Tests that require direct graph identification (``mf:DirectGraphIdentification``) are skipped:
the server offers indirect identification only (see ``valuechain_kg.api.graph_store``).

Below the W3C cases, the server's own refusals: writes without the token, bodies that do not
parse or are too large, data that breaks the shapes, hostile RDF/XML, and ``Allow``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import live_server
import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.compare import isomorphic

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
GSP = SHARED / "data" / "w3c-rdf-tests" / "sparql" / "sparql11" / "graph-store-protocol"
MANIFEST = GSP / "manifest.ttl"
TOKEN = "gsp-suite-token"
SERVICE = "/rdf-graphs/service"
AUTH = {"authorization": f"Bearer {TOKEN}"}

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
STATUS_NAMES = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
SUPPORTED = {MF.IndirectGraphIdentification, MF.POSTGraphCreation}
RDF_PARSERS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


@dataclass(frozen=True)
class GspRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[int | str]  # exact codes, or "2xx"-style classes
    response_headers: dict[str, str]
    response_body: str | None
    location_variable: str | None


@dataclass(frozen=True)
class GspTest:
    name: str
    label: str
    requires: frozenset[rdflib.URIRef]
    requests: list[GspRequest]


def _headers(graph: rdflib.Graph, node: rdflib.term.Node | None) -> dict[str, str]:
    if node is None:
        return {}
    return {
        str(graph.value(h, HT.fieldName)).lower(): str(graph.value(h, HT.fieldValue))
        for h in Collection(graph, node)
    }


def _chars(graph: rdflib.Graph, node: rdflib.term.Node | None) -> str | None:
    return None if node is None else str(graph.value(node, CNT.chars))


def _status(term: rdflib.term.Node) -> int | str:
    name = str(term).removeprefix(HTS)
    if name.startswith("StatusCode"):
        return name.removeprefix("StatusCode").lower()  # a class such as "2xx"
    return STATUS_NAMES[name]


def _request(graph: rdflib.Graph, node: rdflib.term.Node) -> GspRequest:
    response = graph.value(node, HT.resp)
    body = _chars(graph, graph.value(node, HT.body))
    location = graph.value(response, MF.expectedLocation)
    return GspRequest(
        method=str(graph.value(node, HT.methodName)),
        path=str(graph.value(node, HT.absolutePath)),
        headers=_headers(graph, graph.value(node, HT.headers)),
        body=body.encode("utf-8") if body is not None else None,
        statuses=frozenset(_status(s) for s in graph.objects(response, MF.expectedStatus)),
        response_headers=_headers(graph, graph.value(response, HT.headers)),
        response_body=_chars(graph, graph.value(response, HT.body)),
        location_variable=str(location) if location is not None else None,
    )


def read_manifests(path: Path = MANIFEST) -> list[GspTest]:
    """Every test of every manifest the top manifest includes, in their order."""
    top = rdflib.Graph().parse(path, format="turtle")
    tests = []
    root = next(top.subjects(rdflib.RDF.type, MF.Manifest))
    for included in Collection(top, top.value(root, MF.include)):
        graph = rdflib.Graph().parse(GSP / str(included).rsplit("/", 1)[-1], format="turtle")
        manifest = next(graph.subjects(rdflib.RDF.type, MF.Manifest))
        for entry in Collection(graph, graph.value(manifest, MF.entries)):
            action = graph.value(entry, MF.action)
            tests.append(
                GspTest(
                    name=str(entry).rsplit("#", 1)[-1],
                    label=str(graph.value(entry, MF.name)),
                    requires=frozenset(graph.objects(entry, MF.requires)),  # type: ignore[arg-type]
                    requests=[
                        _request(graph, r)
                        for r in Collection(graph, graph.value(action, HT.requests))
                    ],
                )
            )
    return tests


TESTS = read_manifests() if MANIFEST.exists() else []


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server process on a free loopback port, with its own on-disk store and a token."""
    folder = tmp_path_factory.mktemp("gsp-store")
    server = live_server.start(
        folder / "server.log",
        "--store",
        str(folder / "store"),
        env={"VCKG_UPDATE_TOKEN": TOKEN},
    )
    yield server.url
    server.stop()


def empty_store(base: str) -> None:
    response = httpx.post(
        f"{base}/sparql",
        content="DROP ALL",
        headers={"content-type": "application/sparql-update", **AUTH},
    )
    assert response.status_code == 200, response.text


def _status_ok(code: int, allowed: frozenset[int | str]) -> bool:
    return code in allowed or f"{code // 100}xx" in allowed


def _media_type(value: str) -> tuple[str, dict[str, str]]:
    fields = [f.strip() for f in value.split(";")]
    params = {}
    for field in fields[1:]:
        name, _, val = field.partition("=")
        params[name.strip().lower()] = val.strip().strip('"').lower()
    return fields[0].lower(), params


def check_response(request: GspRequest, response: httpx.Response, where: str) -> None:
    for name, expected in request.response_headers.items():
        actual = response.headers.get(name, "")
        if name == "content-type":
            assert _media_type(actual) == _media_type(expected), f"{where}: {actual}"
        else:
            assert actual == expected, f"{where}: {name}: {actual}"
    if request.response_body is not None and request.method != "HEAD":
        media_type, _ = _media_type(response.headers["content-type"])
        answered = rdflib.Graph().parse(data=response.content, format=RDF_PARSERS[media_type])
        expected = rdflib.Graph().parse(data=request.response_body, format="turtle")
        assert isomorphic(answered, expected), f"{where}: got\n{response.text}"


@pytest.mark.parametrize("case", TESTS, ids=[t.name for t in TESTS])
def test_w3c_graph_store_protocol(endpoint: str, case: GspTest) -> None:
    missing = case.requires - SUPPORTED
    if missing:
        pytest.skip("needs " + ", ".join(str(m).rsplit("#", 1)[-1] for m in missing))
    empty_store(endpoint)
    variables: dict[str, str] = {}
    for number, request in enumerate(case.requests, 1):
        path, body = request.path, request.body
        for variable, value in variables.items():
            path = path.replace(variable, value)
            body = body.replace(variable.encode(), value.encode()) if body else body
        assert path.startswith("/gsp")
        path = SERVICE + path.removeprefix("/gsp")
        headers = dict(request.headers)
        if request.method in {"PUT", "POST", "DELETE"}:
            headers.update(AUTH)
        response = httpx.request(
            request.method, endpoint + path, headers=headers, content=body, timeout=30
        )
        where = f"{case.name} request {number} ({request.method} {path})"
        assert _status_ok(response.status_code, request.statuses), (
            f"{where}: {response.status_code} {response.text[:300]}"
        )
        check_response(request, response, where)
        if request.location_variable is not None:
            variables[request.location_variable] = response.headers["location"]


def test_the_manifests_hold_all_13_tests() -> None:
    assert len(TESTS) == 13
    assert sum(1 for t in TESTS if not t.requires - SUPPORTED) == 9


# --- the server's own behaviour beyond the W3C cases ----------------------------------------

GRAPH = "http://example.org/gsp/own"
URL = f"{SERVICE}?graph={quote(GRAPH, safe='')}"
PERSON = b'<http://example.org/p> <http://xmlns.com/foaf/0.1/name> "P" .\n'


def put(
    base: str, body: bytes, content_type: str = "text/turtle", **headers: str
) -> httpx.Response:
    return httpx.put(
        base + URL, content=body, headers={"content-type": content_type, **AUTH, **headers}
    )


def graph_text(base: str) -> httpx.Response:
    return httpx.get(base + URL, headers={"accept": "application/n-triples"})


def test_writes_need_the_token_and_change_nothing_without_it(endpoint: str) -> None:
    empty_store(endpoint)
    for method in ("PUT", "POST", "DELETE"):
        response = httpx.request(
            method, endpoint + URL, content=PERSON, headers={"content-type": "text/turtle"}
        )
        assert response.status_code == 401, method
        assert response.headers["content-type"] == "application/problem+json"
        wrong = httpx.request(
            method,
            endpoint + URL,
            content=PERSON,
            headers={"content-type": "text/turtle", "authorization": "Bearer nope"},
        )
        assert wrong.status_code == 401, method
    assert graph_text(endpoint).status_code == 404


def test_a_bad_body_is_400_with_line_and_column_and_the_graph_stays(endpoint: str) -> None:
    empty_store(endpoint)
    assert put(endpoint, PERSON).status_code == 201
    response = put(endpoint, b"<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n")
    assert response.status_code == 400
    problem = response.json()
    assert (problem["line"], problem["column"]) == (2, 23)
    assert graph_text(endpoint).text == PERSON.decode()


def test_an_oversized_body_is_413(endpoint: str) -> None:
    big = PERSON * (1_100_000 // len(PERSON))
    assert put(endpoint, big).status_code == 413


def test_rdf_xml_with_a_dtd_is_refused(endpoint: str) -> None:
    empty_store(endpoint)
    laughs = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">
<rdf:Description rdf:about="http://x"><ex:p>&b;</ex:p></rdf:Description></rdf:RDF>"""
    response = put(endpoint, laughs, "application/rdf+xml")
    assert response.status_code == 400
    assert "DTD" in response.json()["detail"]
    assert graph_text(endpoint).status_code == 404


def test_deep_nesting_is_refused_not_a_crash(endpoint: str) -> None:
    empty_store(endpoint)
    depth = 20_000
    deep_json = b'{"@id": "http://a", "http://p": ' * depth + b'"x"' + b"}" * depth
    assert put(endpoint, deep_json, "application/ld+json").status_code == 400
    terms = b"<<( <http://a> <http://b> " * 2_000 + b"<http://c>" + b" )>>" * 2_000
    deep_terms = b"<http://a> <http://b> " + terms + b" ."
    assert put(endpoint, deep_terms).status_code == 400
    deep_turtle = b"<http://a> <http://b> " + b"[ <http://c> " * depth + b"]" * depth + b" ."
    assert put(endpoint, deep_turtle).status_code in {201, 400}
    assert httpx.get(endpoint + "/health").status_code == 200
    assert graph_text(endpoint).status_code in {200, 404}


def test_json_ld_and_rdf_xml_bodies_are_read(endpoint: str) -> None:
    empty_store(endpoint)
    doc = b'{"@id": "http://a", "http://b": [{"@id": "http://c"}], "http://n": "[{not json}]"}'
    assert put(endpoint, doc, "application/ld+json").status_code == 201
    assert "<http://a> <http://b> <http://c> ." in graph_text(endpoint).text
    remote = b'{"@context": "http://example.org/context.jsonld", "@id": "http://a"}'
    refused = put(endpoint, remote, "application/ld+json")
    assert refused.status_code == 400
    assert "remote JSON-LD contexts are not fetched" in refused.json()["detail"]


def test_data_breaking_the_shapes_is_422_and_the_default_graph_stays(endpoint: str) -> None:
    empty_store(endpoint)
    default = f"{SERVICE}?default"
    kept = httpx.put(
        endpoint + default, content=PERSON, headers={"content-type": "text/turtle", **AUTH}
    )
    assert kept.status_code == 204
    # An actor with no name, type or country breaks the project's actor shape.
    broken = b"<https://w3id.org/valuechain/id/nameless> a <https://w3id.org/valuechain#Actor> ."
    response = httpx.put(
        endpoint + default, content=broken, headers={"content-type": "text/turtle", **AUTH}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    after = httpx.get(endpoint + default, headers={"accept": "application/n-triples"})
    assert after.text == PERSON.decode()


def test_a_trig_body_may_not_name_another_graph(endpoint: str) -> None:
    empty_store(endpoint)
    other = b"<http://example.org/other> { <http://a> <http://b> <http://c> . }"
    assert put(endpoint, other, "application/trig").status_code == 400
    own = f"<{GRAPH}> {{ <http://a> <http://b> <http://c> . }}".encode()
    assert put(endpoint, own, "application/trig").status_code == 201
    assert graph_text(endpoint).text == "<http://a> <http://b> <http://c> .\n"


def test_blank_nodes_of_two_posts_stay_two_nodes(endpoint: str) -> None:
    empty_store(endpoint)
    body = b'_:x <http://xmlns.com/foaf/0.1/name> "same label" .'
    for _ in range(2):
        response = httpx.post(
            endpoint + URL, content=body, headers={"content-type": "text/turtle", **AUTH}
        )
        assert response.status_code in {201, 204}
    lines = graph_text(endpoint).text.splitlines()
    assert len(lines) == 2 and lines[0].split()[0] != lines[1].split()[0]


def test_a_plus_in_a_graph_iri_stays_a_plus(endpoint: str) -> None:
    empty_store(endpoint)
    url = f"{SERVICE}?graph=http://example.org/a+b"
    created = httpx.put(
        endpoint + url, content=PERSON, headers={"content-type": "text/turtle", **AUTH}
    )
    assert created.status_code == 201
    encoded = f"{SERVICE}?graph={quote('http://example.org/a+b', safe='')}"
    assert httpx.get(endpoint + encoded).status_code == 200
    spaced = f"{SERVICE}?graph={quote('http://example.org/a b', safe='')}"
    assert httpx.get(endpoint + spaced).status_code == 400


def test_unsupported_formats_and_parameters(endpoint: str) -> None:
    empty_store(endpoint)
    assert put(endpoint, PERSON, "text/html").status_code == 415
    assert put(endpoint, PERSON, "text/turtle; charset=latin-1").status_code == 415
    assert httpx.get(endpoint + SERVICE).status_code == 400
    both = httpx.get(endpoint + URL + "&default")
    assert both.status_code == 400
    relative = httpx.get(endpoint + SERVICE + "?graph=not-absolute")
    assert relative.status_code == 400
    assert put(endpoint, PERSON).status_code == 201
    refused = httpx.get(endpoint + URL, headers={"accept": "text/html"})
    assert refused.status_code == 406


def test_allow_lists_every_method(endpoint: str) -> None:
    options = httpx.options(endpoint + SERVICE)
    assert options.status_code == 204
    allowed = {m.strip() for m in options.headers["allow"].split(",")}
    assert allowed == {"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"}
    patch = httpx.patch(endpoint + URL, content=PERSON, headers=AUTH)
    assert patch.status_code == 405
    assert {m.strip() for m in patch.headers["allow"].split(",")} == allowed


def test_triple_terms_nest_as_the_shared_limits_allow(endpoint: str) -> None:
    def nested(depth: int) -> bytes:
        terms = b"<<( <http://a> <http://b> " * depth + b"<http://c>" + b" )>>" * depth
        return b"<http://a> <http://b> " + terms + b" ."

    empty_store(endpoint)
    # Within the load limits (and deeper than Python's recursion limit): stored whole.
    assert put(endpoint, nested(990)).status_code == 201
    assert graph_text(endpoint).text.count("<<(") == 990
    # Past them: a 400 naming the line and column, the server still up.
    response = put(endpoint, nested(1100))
    assert response.status_code == 400, response.text[:300]
    assert "nested deeper than 1000 levels" in response.json()["detail"]
    assert "request body, line 1, column" in response.json()["detail"]
    assert httpx.get(endpoint + "/health").status_code == 200
