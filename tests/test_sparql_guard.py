"""No SPARQL text reaches the network or crashes the engine, through any face.

A real loopback listener counts connections: every SERVICE / LOAD variant must be refused with
a clear message and leave the count at zero, through REST, the CLI and the facade. Texts deep
or long enough to overflow the engine's recursive parser are refused by name, and the server
keeps answering.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from chains import surveillance_chain
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from valuechain_kg import sparql_guard
from valuechain_kg.api import ApiSettings, create_app
from valuechain_kg.api.sparql_syntax import with_using_clauses
from valuechain_kg.cli import app as cli_app
from valuechain_kg.errors import QueryTooComplex, UnsafeQuery
from valuechain_kg.graph import KnowledgeGraph

TOKEN = "guard-token"
runner = CliRunner()


class Listener:
    """A TCP server on loopback that counts the connections made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    time.sleep(0.2)  # a connection attempt made in the background would be counted by now
    assert server.connections == 0
    server.close()


def network_queries(port: int) -> dict[str, str]:
    """SERVICE in every spelling that fooled a text scanner, and the plain one."""
    url = f"http://127.0.0.1:{port}/x"
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?x ?y ?z }} }}",
        "lower": f"select * where {{ service silent <{url}> {{ ?x ?y ?z }} }}",
        "escaped-hash": (
            f"PREFIX ex: <http://e/> SELECT (ex:a\\#b AS ?q) ?x "
            f"WHERE {{ SERVICE <{url}> {{ ?x ?y ?z }} }}"
        ),
        "escaped-quote": (
            f"PREFIX ex: <http://e/> SELECT (ex:a\\'b AS ?q) ?x "
            f"WHERE {{ SERVICE <{url}> {{ ?x ?y ?z }} }}"
        ),
        "u-escape-in-iri": f"SELECT * WHERE {{ SERVICE <{url}\\u0041#> {{ ?x ?y ?z }} }}",
        "u-escape-keyword": f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?x ?y ?z }} }}",
        "in-exists": (
            f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}"
        ),
    }


def network_updates(port: int) -> dict[str, str]:
    url = f"http://127.0.0.1:{port}/x"
    return {
        "load": f"LOAD <{url}>",
        "load-silent-into": f"LOAD SILENT <{url}> INTO GRAPH <http://g/>",
        "load-after-insert": f"INSERT DATA {{ <http://a/s> <http://a/p> 1 }} ; load <{url}>",
        "service-in-where": f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "escaped-load": f"PREFIX ex: <http://e/> INSERT {{ ex:a\\'b ex:p 1 }} WHERE {{}} ; "
        f"LOAD <{url}>",
    }


#: Shapes that overflowed the engine's stack (each is well beyond a limit).
CRASHERS = {
    "minus-chain": "SELECT * WHERE { ?s ?p ?o" + " MINUS { ?s ?p ?o }" * 2500 + " }",
    "triple-patterns": "SELECT * WHERE { " + " . ".join(["?s ?p ?o"] * 10000) + " }",
    "and-chain": "SELECT * WHERE { FILTER(" + " && ".join(["true"] * 9000) + ") }",
    "nested-braces": "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
    "nested-optional": "SELECT * WHERE { " + "OPTIONAL { " * 3000 + "}" * 3000 + " }",
    "parentheses": "SELECT * WHERE { FILTER(" + "(" * 10000 + "1" + ")" * 10000 + ") }",
    "union": "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 10000) + " }",
    "sum": "SELECT (" + "+".join(["1"] * 10000) + " AS ?x) WHERE {}",
}


def as_update(query: str) -> str:
    """The same shape as an update: the query's WHERE pattern under an INSERT."""
    where = query[query.index("WHERE") + len("WHERE") :]
    if query.startswith("SELECT ("):
        expression = query[len("SELECT (") : query.index(" AS ?x)")]
        return f"INSERT {{ <http://a/s> <http://a/p> ?x }} WHERE {{ BIND({expression} AS ?x) }}"
    return "INSERT { <http://a/s> <http://a/p> 1 } WHERE " + where


@pytest.fixture
def kg() -> KnowledgeGraph:
    return surveillance_chain().graph()


@pytest.fixture
def client(kg: KnowledgeGraph) -> Iterator[TestClient]:
    settings = ApiSettings(update_token=TOKEN, max_body_bytes=1_048_576)
    with TestClient(create_app(kg, settings)) as test_client:
        yield test_client


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "chain.ttl"
    path.write_text(surveillance_chain().turtle())
    return path


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_rest_refuses_every_service_spelling_without_connecting(
    client: TestClient, listener: Listener
) -> None:
    for name, text in network_queries(listener.port).items():
        for response in (
            client.get("/sparql", params={"query": text}),
            client.post(
                "/sparql", content=text, headers={"Content-Type": "application/sparql-query"}
            ),
        ):
            assert response.status_code == 400, (name, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert "SERVICE" in response.json()["detail"], (name, response.json())


def test_rest_refuses_load_and_service_in_updates_without_connecting(
    client: TestClient, listener: Listener, kg: KnowledgeGraph
) -> None:
    before = len(kg.store)
    for name, text in network_updates(listener.port).items():
        response = client.post(
            "/sparql",
            content=text,
            headers={**AUTH, "Content-Type": "application/sparql-update"},
        )
        assert response.status_code == 400, (name, response.text)
        detail = response.json()["detail"]
        assert "LOAD" in detail or "SERVICE" in detail, (name, detail)
    assert len(kg.store) == before


def test_cli_refuses_every_service_spelling_without_connecting(
    data_file: Path, listener: Listener
) -> None:
    for name, text in network_queries(listener.port).items():
        result = runner.invoke(cli_app, ["sparql", text, "--data", str(data_file)])
        assert result.exit_code == 2, (name, result.output)
        assert "SERVICE" in result.output, (name, result.output)


def test_facade_refuses_service_and_load_without_connecting(
    kg: KnowledgeGraph, listener: Listener
) -> None:
    for text in network_queries(listener.port).values():
        with pytest.raises(UnsafeQuery, match="SERVICE"):
            kg.sparql(text)
    for text in network_updates(listener.port).values():
        with pytest.raises(UnsafeQuery, match="LOAD|SERVICE"):
            kg.store.update(text)


def test_unparseable_text_that_mentions_service_is_refused_as_unchecked(
    kg: KnowledgeGraph, listener: Listener
) -> None:
    # rdflib's grammar does not read this escaped local name; what cannot be checked never runs.
    text = network_queries(listener.port)["escaped-hash"]
    with pytest.raises(UnsafeQuery, match="cannot be checked"):
        kg.sparql(text)


def test_the_word_service_in_names_and_literals_still_runs(
    kg: KnowledgeGraph, client: TestClient, data_file: Path
) -> None:
    text = (
        "SELECT ?a ?b WHERE { ?a vc:providesServiceTo ?b "
        'FILTER(STR(?a) != "provides-service" && !CONTAINS(STR(?b), "LOAD")) }'
    )
    rows = list(kg.sparql(text))  # type: ignore[call-overload]
    assert [(r["a"].value, r["b"].value) for r in rows] == [(kg.iri("cloudco"), kg.iri("vendor"))]
    response = client.get(
        "/sparql", params={"query": text}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]["bindings"]) == 1
    result = runner.invoke(cli_app, ["sparql", text, "--data", str(data_file), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["results"]["bindings"]) == 1
    update = 'INSERT DATA { vcid:cloudco schema:description "downloads and service" }'
    ok = client.post(
        "/sparql", content=update, headers={**AUTH, "Content-Type": "application/sparql-update"}
    )
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize("shape", sorted(CRASHERS))
def test_crashing_shapes_are_refused_by_rest_query_update_and_cli(
    shape: str, client: TestClient, data_file: Path
) -> None:
    query = CRASHERS[shape]
    response = client.post(
        "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 400, response.text
    assert "limit is" in response.json()["detail"]
    update = client.post(
        "/sparql",
        content=as_update(query),
        headers={**AUTH, "Content-Type": "application/sparql-update"},
    )
    assert update.status_code == 400, update.text
    assert "limit is" in update.json()["detail"]
    result = runner.invoke(cli_app, ["sparql", query, "--data", str(data_file)])
    assert result.exit_code == 2, result.output
    assert "limit is" in result.output
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200


def test_guard_limits_name_themselves_and_a_setting() -> None:
    with pytest.raises(QueryTooComplex, match="brackets nested.*VCKG_SPARQL_MAX_NESTING"):
        sparql_guard.check_query(CRASHERS["nested-braces"])
    with pytest.raises(QueryTooComplex, match="UNION.*VCKG_SPARQL_MAX_KEYWORDS"):
        sparql_guard.check_query(CRASHERS["union"])
    with pytest.raises(QueryTooComplex, match="operator.*VCKG_SPARQL_MAX_OPERATORS"):
        sparql_guard.check_query(CRASHERS["sum"])
    with pytest.raises(QueryTooComplex, match="separators.*VCKG_SPARQL_MAX_SEPARATORS"):
        sparql_guard.check_query(CRASHERS["triple-patterns"])
    collection = "SELECT * WHERE { ?s ?p (" + " 1" * 5000 + ") }"
    with pytest.raises(QueryTooComplex, match="VCKG_SPARQL_MAX_LIST"):
        sparql_guard.check_query(collection)
    with pytest.raises(QueryTooComplex, match="VCKG_SPARQL_MAX_CHARS"):
        sparql_guard.check_query("#" * (sparql_guard.MAX_CHARS + 1))
    small = sparql_guard.Limits.from_env({"VCKG_SPARQL_MAX_NESTING": "3"})
    with pytest.raises(QueryTooComplex, match="the limit is 3"):
        sparql_guard.check_query("SELECT * WHERE { { { { } } } }", small)


def test_each_chain_kind_has_its_own_limit_and_setting() -> None:
    # 1,500 of each kind: past a single shared limit of 1,000, within each kind's own limit
    # except for the keywords.
    patterns = "SELECT * WHERE { " + " . ".join(["?s ?p ?o"] * 1500) + " }"
    sums = "SELECT (" + "+".join(["1"] * 1500) + " AS ?x) WHERE {}"
    sparql_guard.check_query(patterns)
    sparql_guard.check_query(sums)
    unions = "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 1500) + " }"
    with pytest.raises(QueryTooComplex, match="VCKG_SPARQL_MAX_KEYWORDS"):
        sparql_guard.check_query(unions)
    for name, text in (("SEPARATORS", patterns), ("OPERATORS", sums), ("KEYWORDS", unions)):
        tight = sparql_guard.Limits.from_env({f"VCKG_SPARQL_MAX_{name}": "100"})
        with pytest.raises(QueryTooComplex, match=f"limit is 100 .VCKG_SPARQL_MAX_{name}"):
            sparql_guard.check_query(text, tight)


def ground_triples(count: int) -> str:
    """``count`` distinct triples with typed and tagged literals, as a Graph Store write has."""
    return " .\n".join(
        f'<http://e/s{i}> <http://e/p> "v-{i}"@en-GB ; <http://e/q> "{i}"^^<http://e/t#int>'
        for i in range(count)
    )


def test_data_blocks_are_not_counted_as_chains() -> None:
    data = ground_triples(5000)
    sparql_guard.check_update(f"INSERT DATA {{ {data} }}")
    sparql_guard.check_update(
        f"DROP SILENT GRAPH <http://g#1> ; DELETE DATA {{ GRAPH <http://g#1> {{ {data} }} }}"
    )
    # The same triples as a pattern are a 10,000-way join: refused.
    with pytest.raises(QueryTooComplex, match="separators"):
        sparql_guard.check_update(f"DELETE WHERE {{ {data} }}")
    with pytest.raises(QueryTooComplex, match="separators"):
        sparql_guard.check_update(f"INSERT {{ ?s ?p ?o }} WHERE {{ {data} }}")


def test_a_where_after_data_is_still_counted() -> None:
    where = " . ".join(["?s ?p ?o"] * 9000)
    update = (
        f"INSERT DATA {{ <http://a/s> <http://a/p> 1 }} ; INSERT {{ ?s ?p ?o }} WHERE {{ {where} }}"
    )
    with pytest.raises(QueryTooComplex, match="separators"):
        sparql_guard.check_update(update)


def test_data_the_engine_might_read_otherwise_is_counted() -> None:
    data = " . ".join(["<http://a/s> <http://a/p> <http://a/o>"] * 9000)
    # ``<a'b>`` may be a less-than and the start of a string: from there on nothing is data.
    after_doubt = f"INSERT {{ ?s ?p ?o }} WHERE {{ FILTER(?a <a'b> 1) }} ; INSERT DATA {{ {data} }}"
    # An escaped quote closes the string in the escape-expanded reading, so the WHERE is code.
    where = " . ".join(["?s ?p ?o"] * 9000)
    escaped = (
        'INSERT DATA { <http://a/s> <http://a/p> "x\\u0022 } ; INSERT { ?s ?p ?o } WHERE { '
        + where
        + ' } ; INSERT DATA { <http://a/s> <http://a/p> "y" }'
    )
    # A block inside braces is not an operation: the engine reads it as a pattern.
    nested = f"INSERT {{ ?s ?p ?o }} WHERE {{ INSERT DATA {{ {data} }} }}"
    for update in (after_doubt, escaped, nested):
        with pytest.raises(QueryTooComplex, match="separators"):
            sparql_guard.check_update(update)


@pytest.mark.parametrize("opening,closing", [("<<( ", " )>>"), ("<< ", " >>")])
def test_deep_triple_terms_in_data_are_refused(opening: str, closing: str) -> None:
    depth = 20000
    term = (opening + "<http://a/s> <http://a/p> ") * depth + "<http://a/o>" + closing * depth
    with pytest.raises(QueryTooComplex, match="brackets nested"):
        sparql_guard.check_update(f"INSERT DATA {{ <http://a/s> <http://a/p> {term} }}")
    shallow = (opening + "<http://a/s> <http://a/p> ") * 3 + "<http://a/o>" + closing * 3
    sparql_guard.check_update(f"INSERT DATA {{ <http://a/s> <http://a/p> {shallow} }}")


def test_service_in_the_literals_of_a_large_write_needs_no_parse() -> None:
    data = " .\n".join(
        f'<http://e/s{i}> <http://e/p> "service and download {i}"' for i in range(2000)
    )
    sparql_guard.check_update(f"INSERT DATA {{ {data} }}")
    with pytest.raises(UnsafeQuery, match="LOAD|cannot be checked"):
        sparql_guard.check_update(f"INSERT DATA {{ {data} }} ; LOAD <http://127.0.0.1:1/x>")


def test_rest_insert_data_of_20000_triples_is_accepted(client: TestClient) -> None:
    data = " .\n".join(f'vcid:n{i} schema:description "d{i}"' for i in range(20000))
    response = client.post(
        "/sparql",
        content=f"INSERT DATA {{ {data} }}",
        headers={**AUTH, "Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 200, response.text[:500]
    count = client.get(
        "/sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s schema:description ?d }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert int(count.json()["results"]["bindings"][0]["n"]["value"]) >= 20000
    where = " . ".join(f"?s{i} ?p ?o" for i in range(9000))
    refused = client.post(
        "/sparql",
        content=f"INSERT {{ <http://a/s> <http://a/p> 1 }} WHERE {{ {where} }}",
        headers={**AUTH, "Content-Type": "application/sparql-update"},
    )
    assert refused.status_code == 400
    assert "VCKG_SPARQL_MAX_SEPARATORS" in refused.json()["detail"]


def test_brackets_hidden_from_the_count_are_still_counted() -> None:
    # ``<1#>`` read as "less than 1" and a comment hides the closing brackets from the engine.
    hidden = "SELECT * WHERE { FILTER(" + "(((( ?a<1#>))))\n+" * 100 + "1) }"
    with pytest.raises(QueryTooComplex, match="brackets nested"):
        sparql_guard.check_query(hidden)
    # A string that holds closing brackets does not close anything.
    strings = "SELECT * WHERE { FILTER(" + '("))))" + ' * 300 + "1" + ")" * 300 + ") }"
    with pytest.raises(QueryTooComplex, match="brackets nested"):
        sparql_guard.check_query(strings)
    # Brackets inside strings and comments do not count against a large, flat query.
    rows = " ".join(f'(<http://e/a{i}> "(((") # ((((\n' for i in range(600))
    sparql_guard.check_query(f"SELECT * WHERE {{ VALUES (?a ?b) {{ {rows} }} }}")


def test_escaped_brackets_count_for_the_escape_reading() -> None:
    text = "SELECT * WHERE { " + "\\u007B" * 300 + "\\u007D" * 300 + " }"
    with pytest.raises(QueryTooComplex, match="brackets nested"):
        sparql_guard.check_query(text)


def test_a_query_naming_neither_word_never_reaches_the_slow_parse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cheap path: without "service" or "load" no keyword can exist, so rdflib's parser,
    slow and recursive, is not run (its cost is measured in bench, not here)."""
    text = (
        "SELECT ?a ?n WHERE { ?a a vc:Actor ; schema:name ?n OPTIONAL { ?a vc:country ?c } "
        'FILTER(?c = "DE" && STRLEN(?n) > 3) } ORDER BY ?n LIMIT 10'
    )

    def refuse(*_args: object) -> None:
        raise AssertionError("the slow parse ran")

    monkeypatch.setattr(sparql_guard, "_refuse_network", refuse)
    sparql_guard.check_query(text)
    with pytest.raises(AssertionError, match="slow parse"):
        sparql_guard.check_query(text.replace("LIMIT 10", "LIMIT 10 # a service note"))


def test_using_graph_iris_are_written_by_the_library() -> None:
    text = with_using_clauses("INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", ["http://g/a"], [])
    assert "USING <http://g/a> WHERE" in text
    from valuechain_kg.api.problems import ProblemError

    for bad in ["http://g/> } ; LOAD <http://x/", "not an iri", "http://g/a b"]:
        with pytest.raises(ProblemError) as info:
            with_using_clauses("INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", [bad], [])
        assert info.value.status == 400


def test_rest_bad_using_graph_iri_is_400(client: TestClient, listener: Listener) -> None:
    bad = f"http://g/> {{}} ; LOAD <http://127.0.0.1:{listener.port}/x"
    response = client.post(
        "/sparql?using-graph-uri=" + quote(bad, safe=""),
        content="INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
        headers={**AUTH, "Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 400, response.text


# --- ids through the REST routes and the CLI --------------------------------------------------

BAD_IDS = [
    "apple> ?p ?o . SERVICE <http:\\u002F\\u002F127.0.0.1:{port}\\u002Fx> { ?a ?b ?c } } #",
    "has space",
    'quote"d',
    "back\\slash",
    "angle>d",
    "control\x01char",
    "tab\there",
    "{brace}",
    "http://e/x> ?p ?o } ",
]

ID_ROUTES = [
    "/actors/{id}",
    "/actors/{id}/impacts",
    "/actors/{id}/leverage",
    "/impacts/{id}",
    "/impacts/{id}/linked-actors",
    "/impacts/{id}/leverage",
]


def test_rest_ids_that_are_no_iri_are_404_and_never_connect(
    client: TestClient, listener: Listener
) -> None:
    for raw in BAD_IDS:
        ident = raw.replace("{port}", str(listener.port))
        for route in ID_ROUTES:
            url = route.replace("{id}", quote(ident, safe=""))
            response = client.get(url)
            assert response.status_code in {404, 422}, (url, response.status_code, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")


def test_rest_id_with_deep_nesting_is_404_not_a_crash(client: TestClient) -> None:
    response = client.get("/actors/" + quote("x> " + "{" * 5000, safe=""))
    assert response.status_code == 404
    assert client.get("/actors/vendor").status_code == 200


def test_cli_linked_with_bad_ids_exits_2(data_file: Path, listener: Listener) -> None:
    for raw in BAD_IDS:
        ident = raw.replace("{port}", str(listener.port))
        result = runner.invoke(cli_app, ["linked", ident, "--data", str(data_file)])
        assert result.exit_code == 2, (ident, result.output)
        assert "no " in result.output.lower(), (ident, result.output)


def test_facade_search_keeps_any_text_one_literal(kg: KnowledgeGraph) -> None:
    assert kg.search('") || true) } SERVICE <http://127.0.0.1:1/x> { ?a ?b ?c } #').total == 0
    assert [h.id for h in kg.search("cloud").results] == ["cloudco"]


def test_query_page_refuses_service_and_crashing_shapes_from_its_worker(
    client: TestClient, listener: Listener
) -> None:
    # The page's queries run in the query processes, the guard with them: its refusals come
    # back from the worker as the page's 400, and nothing connects out.
    assert client.app.state.workers.isolated  # type: ignore[attr-defined]
    for name, text in network_queries(listener.port).items():
        response = client.get("/", params={"query": text})
        assert response.status_code == 400, (name, response.text[-300:])
        assert "SERVICE" in response.text, name
    too_complex = [
        "SELECT * WHERE { " + " UNION ".join(["{}"] * 1500) + " }",
        "SELECT * WHERE " + "{" * 300 + "}" * 300,
    ]
    for text in too_complex:
        response = client.get("/", params={"query": text})
        assert response.status_code == 400, response.text[-300:]
        assert "limit is" in response.text
    assert client.get("/", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200
