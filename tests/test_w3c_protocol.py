"""The W3C SPARQL 1.1 Protocol test suite, all of it, against a real ``vckg serve`` process.

The manifest (W3C test suite licence; read from the shared data folder, not copied) describes
each test as HTTP requests with the expected status, result format and boolean. The runner
loads each test's ``ut:graphData`` into the named graphs it labels, replays the requests on a
server started once for this module (with an update token, which the update tests send), and
checks the answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import httpx
import live_server
import pytest
import rdflib
from rdflib.collection import Collection

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PROTOCOL = SHARED / "data" / "w3c-rdf-tests" / "sparql" / "sparql11" / "protocol"
MANIFEST = PROTOCOL / "manifest.ttl"
TOKEN = "w3c-suite-token"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"

RESULT_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = RESULT_TYPES | {"text/csv", "text/tab-separated-values"}
RDF_TYPES = {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"}


@dataclass(frozen=True)
class ProtocolRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[int]  # allowed status classes: 2, 3, 4
    expected_format: str | None
    expected_boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    label: str
    graph_data: dict[str, Path] = field(default_factory=dict)
    requests: list[ProtocolRequest] = field(default_factory=list)


def _request(graph: rdflib.Graph, node: rdflib.term.Node) -> ProtocolRequest:
    headers = {}
    header_list = graph.value(node, HT.headers)
    if header_list is not None:
        for header in Collection(graph, header_list):
            name = str(graph.value(header, HT.fieldName))
            headers[name] = str(graph.value(header, HT.fieldValue))
    body = None
    body_node = graph.value(node, HT.body)
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding)
    response = graph.value(node, HT.resp)
    statuses = frozenset(
        int(str(s).removeprefix(HTS)[0]) for s in graph.objects(response, MF.expectedStatus)
    )
    fmt = graph.value(response, MF.expectedFormat)
    boolean = graph.value(response, MF.expectedBoolean)
    return ProtocolRequest(
        method=str(graph.value(node, HT.methodName)),
        path=str(graph.value(node, HT.absolutePath)),
        headers=headers,
        body=body,
        statuses=statuses,
        expected_format=str(fmt) if fmt is not None else None,
        expected_boolean=boolean.toPython() if boolean is not None else None,
    )


def read_manifest(path: Path = MANIFEST) -> list[ProtocolTest]:
    """Every test of the manifest, in its own order."""
    graph = rdflib.Graph().parse(path, format="turtle")
    manifest = next(graph.subjects(rdflib.RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(graph, graph.value(manifest, MF.entries)):
        data = {
            str(graph.value(d, rdflib.RDFS.label)): PROTOCOL
            / str(graph.value(d, UT.graph)).split("/")[-1]
            for d in graph.objects(entry, UT.graphData)
        }
        action = graph.value(entry, MF.action)
        requests = [_request(graph, r) for r in Collection(graph, graph.value(action, HT.requests))]
        tests.append(
            ProtocolTest(
                name=str(entry).rsplit("#", 1)[-1],
                label=str(graph.value(entry, MF.name)),
                graph_data=data,
                requests=requests,
            )
        )
    return tests


TESTS = read_manifest() if MANIFEST.exists() else []


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server process on a free loopback port, with its own on-disk store."""
    folder = tmp_path_factory.mktemp("w3c-store")
    server = live_server.start(
        folder / "server.log",
        "--store",
        str(folder / "store"),
        env={"VCKG_UPDATE_TOKEN": TOKEN},
    )
    yield server.url
    server.stop()


def load_graph_data(base: str, graph_data: dict[str, Path]) -> None:
    """Empty the store, then put each data file into the named graph its label gives."""
    inserts = " ".join(f"GRAPH <{g}> {{ {p.read_text()} }}" for g, p in graph_data.items())
    response = httpx.post(
        f"{base}/sparql",
        content=f"DROP ALL ; INSERT DATA {{ {inserts} }}",
        headers={
            "content-type": "application/sparql-update",
            "authorization": f"Bearer {TOKEN}",
        },
    )
    assert response.status_code == 200, response.text


def is_update(request: ProtocolRequest) -> bool:
    content_type = request.headers.get("content-type", "")
    form_update = (request.body or b"").startswith(b"update=")
    return "sparql-update" in content_type or form_update or "update=" in request.path


def check_format(request: ProtocolRequest, response: httpx.Response) -> None:
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    if request.expected_format == "boolean":
        assert media_type in RESULT_TYPES
    elif request.expected_format == "tabular":
        assert media_type in TABULAR_TYPES
    elif request.expected_format == "RDF":
        assert media_type in RDF_TYPES
    if request.expected_boolean is not None:
        if media_type == "application/sparql-results+json":
            value = json.loads(response.content)["boolean"]
        else:
            root = ElementTree.fromstring(response.content)
            node = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
            value = node is not None and node.text == "true"
        assert value is request.expected_boolean


def test_the_manifest_has_all_34_protocol_tests() -> None:
    assert len(TESTS) == 34
    assert len({t.name for t in TESTS}) == 34


@pytest.mark.parametrize("case", TESTS, ids=[t.name for t in TESTS])
def test_w3c_protocol(endpoint: str, case: ProtocolTest) -> None:
    if case.graph_data:
        load_graph_data(endpoint, case.graph_data)
    for request in case.requests:
        headers = dict(request.headers)
        if is_update(request):
            headers["authorization"] = f"Bearer {TOKEN}"
        response = httpx.request(
            request.method,
            endpoint + request.path,
            headers=headers,
            content=request.body,
            follow_redirects=False,
            timeout=30,
        )
        assert response.status_code // 100 in request.statuses, (
            f"{case.label}: {request.method} {request.path} -> "
            f"{response.status_code} {response.text[:300]}"
        )
        if response.status_code // 100 == 2:
            check_format(request, response)
