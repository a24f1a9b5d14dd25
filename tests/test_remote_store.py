"""The same tool over real SPARQL engines: ``oxigraph serve`` and Virtuoso 7 (``--store URL``).

Each engine is started once for the module (tests/sparql_engines.py) and emptied before every
test. The CLI, the REST API and the analysis are asked the same questions as over the embedded
store, and must give the same JSON; a synthetic graph read in small pages gives the embedded
store's linked and leverage answers for every impact.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from tests import live_server, sparql_engines
from valuechain_kg.datasets.synthetic import generate
from valuechain_kg.errors import ValidationFailed
from valuechain_kg.graph import KnowledgeGraph
from valuechain_kg.store import GraphStore
from valuechain_kg.store.remote import REVISION_GRAPH, RemoteSettings, RemoteStore

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "cases"
IMPACT = "cobalt-child-labour-drc"
#: The console script of this environment.
VCKG = str(Path(sys.executable).with_name("vckg"))


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sparql_engines.Engine]:
    started = sparql_engines.start(request.param, tmp_path_factory.mktemp(request.param))
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def remote(engine: sparql_engines.Engine, monkeypatch: pytest.MonkeyPatch) -> sparql_engines.Engine:
    """The engine emptied, and this process's environment pointing at it."""
    engine.clear()
    for name, value in engine.env.items():
        monkeypatch.setenv(name, value)
    return engine


def vckg(engine: sparql_engines.Engine, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [VCKG, *args],
        env=sparql_engines.environment(engine),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def embedded_json(*args: str) -> object:
    result = subprocess.run(
        [VCKG, *args, "--data", str(CASES), "-f", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(result.stdout)


def test_cli_answers_equal_the_embedded_store(remote: sparql_engines.Engine) -> None:
    loaded = vckg(remote, "load", str(CASES), "--store", remote.query_url)
    assert loaded.returncode == 0, loaded.stderr
    for command in (["linked", IMPACT], ["leverage", IMPACT], ["impacts"], ["info"]):
        answer = vckg(remote, *command, "-f", "json")  # the store from $VCKG_STORE
        assert answer.returncode == 0, answer.stderr
        assert json.loads(answer.stdout) == embedded_json(*command), command
    # The compiled shapes run as SPARQL on the engine: the loaded data conforms.
    checked = vckg(remote, "validate", "-f", "json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    report = json.loads(checked.stdout)
    assert report["conforms"] is True
    # The same results as the embedded store's, but for the CSV file and line, which only a
    # load from the bundle itself knows.
    local = embedded_json("validate")

    def where_not(results: list[dict[str, object]]) -> list[dict[str, object]]:
        return [{k: v for k, v in r.items() if not k.startswith("source_")} for r in results]

    assert where_not(report["results"]) == where_not(local["results"])  # type: ignore[index]


def test_update_is_validated_and_changes_the_revision(remote: sparql_engines.Engine) -> None:
    kg = KnowledgeGraph.open(store=remote.query_url)
    try:
        kg.load([CASES])
        before, size = kg.revision, kg.store.size()
        # An actor without a name or role breaks the shapes: refused, nothing sent.
        bad = "INSERT DATA { <https://w3id.org/valuechain/id/nameless> a vc:Actor }"
        with pytest.raises(ValidationFailed):
            kg.update(bad)
        assert kg.store.size() == size
        assert kg.revision == before
        good = (
            "INSERT DATA { <https://w3id.org/valuechain/id/newco> a vc:Actor ; "
            'schema:name "NewCo" ; vc:role vc:role-hardware-manufacturer }'
        )
        outcome = kg.update(good)
        assert outcome.added == 3
        assert kg.store.size() == size + 3
        assert kg.revision != before
        assert kg.actor("newco").name == "NewCo"
        after = kg.revision
    finally:
        kg.close()
    # Another process sees the revision token the write left in its graph.
    other = RemoteStore(RemoteSettings.from_env(remote.query_url))
    try:
        assert other.revision == after
        assert other.query(f"ASK {{ GRAPH {REVISION_GRAPH} {{ ?s ?p ?o }} }}")
    finally:
        other.close()


def test_rest_answers_equal_the_embedded_store(
    remote: sparql_engines.Engine, tmp_path: Path
) -> None:
    kg = KnowledgeGraph.open(store=remote.query_url)
    kg.load([CASES])
    kg.close()
    server = live_server.start(tmp_path / "server.log", "--store", remote.query_url, env=remote.env)
    try:
        embedded = KnowledgeGraph.open(data=[CASES])
        for path, expected in (
            (f"/impacts/{IMPACT}/linked-actors", embedded.linked_actors(IMPACT)),
            (f"/impacts/{IMPACT}/leverage", embedded.leverage(IMPACT)),
        ):
            response = httpx.get(server.url + path, timeout=120)
            assert response.status_code == 200, response.text
            assert response.json() == expected.model_dump(mode="json", by_alias=True), path
        sparql = httpx.post(
            server.url + "/sparql",
            data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a a vc:Actor }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        assert sparql.status_code == 200, sparql.text
        count = int(sparql.json()["results"]["bindings"][0]["n"]["value"])
        assert count == embedded.info().model_dump()["actors"]
    finally:
        server.stop()


@pytest.mark.parametrize("seed", [3, 11])
def test_synthetic_linked_and_leverage_equal_the_embedded_store(
    remote: sparql_engines.Engine, seed: int
) -> None:
    """Differential: every impact of a synthetic graph, read from the engine in pages of 50."""
    quads = list(generate(120, seed))
    local = GraphStore()
    local.add(quads)
    pages: list[int] = []
    settings = RemoteSettings.from_env(remote.query_url)
    store = RemoteStore(
        RemoteSettings(**{**settings.__dict__, "page_size": 50, "batch_size": 300}),
        on_rows=pages.append,
    )
    store.add(quads)
    embedded, over_engine = KnowledgeGraph(local), KnowledgeGraph(store)
    try:
        assert store.size() == len(local)
        impacts = [i.id for i in embedded.impacts().impacts]
        assert impacts and [i.id for i in over_engine.impacts().impacts] == impacts
        for impact in impacts:
            assert over_engine.linked_actors(impact) == embedded.linked_actors(impact), impact
            assert over_engine.leverage(impact) == embedded.leverage(impact), impact
        assert max(pages) > 50  # the projection came in several pages, with progress
    finally:
        store.close()


def test_quads_round_trip_with_named_graphs_and_blank_nodes(remote: sparql_engines.Engine) -> None:
    store = RemoteStore(RemoteSettings.from_env(remote.query_url))
    try:
        a, b = ox.NamedNode("urn:test:a"), ox.NamedNode("urn:test:b")
        graph = ox.NamedNode("urn:test:graph")
        blank = ox.BlankNode()
        store.add(
            [
                ox.Quad(a, b, ox.Literal("x", language="en")),
                ox.Quad(a, b, blank),
                ox.Quad(blank, b, ox.Literal("1", datatype=ox.NamedNode("urn:test:dt"))),
                ox.Quad(b, a, a, graph),
            ]
        )
        default = list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        assert len(default) == 3
        objects = {q.object for q in default if q.subject == a}
        assert ox.Literal("x", language="en") in objects
        node = next(o for o in objects if isinstance(o, ox.BlankNode))
        assert any(q.subject == node for q in default)  # the two blank-node quads meet
        assert ox.Quad(b, a, a, graph) in store
        assert list(store.quads_for_pattern(None, None, None, graph)) == [ox.Quad(b, a, a, graph)]
        store.apply_change(removed=[ox.Quad(b, a, a, graph)])
        assert ox.Quad(b, a, a, graph) not in store
        # Counted against the engine: one of the two was there already.
        assert store.add_new([ox.Quad(b, a, ox.Literal("1")), ox.Quad(b, b, b)]) == 2
        assert store.add_new([ox.Quad(b, a, ox.Literal("1")), ox.Quad(a, a, a)]) == 1
    finally:
        store.close()


def test_an_engine_that_does_not_answer_is_a_clear_error(tmp_path: Path) -> None:
    port = live_server.free_port()
    store = RemoteStore(RemoteSettings(f"http://127.0.0.1:{port}/query", "", retries=1))
    with pytest.raises(Exception, match="cannot be reached"):
        store.is_empty()
    store.close()
    failed = subprocess.run(
        [VCKG, "info", "--store", f"http://127.0.0.1:{port}/q"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "VCKG_STORE_RETRIES": "1"},
        timeout=60,
        check=False,
    )
    assert failed.returncode == 3
    assert "cannot be reached" in failed.stderr


def test_update_url_and_credentials_from_the_environment() -> None:
    env = {"VCKG_STORE_USER": "u", "VCKG_STORE_PASSWORD": "p", "VCKG_STORE_TIMEOUT": "5"}
    settings = RemoteSettings.from_env("https://h/ds/query", env)
    assert settings.update_url == "https://h/ds/update"
    assert (settings.user, settings.password, settings.timeout) == ("u", "p", 5.0)
    assert RemoteSettings.from_env("http://h/sparql", {}).update_url == "http://h/sparql"
    given = RemoteSettings.from_env("http://h/sparql", {"VCKG_UPDATE_URL": "http://h/up"})
    assert given.update_url == "http://h/up"
    with pytest.raises(Exception, match="VCKG_STORE_PAGE"):
        RemoteSettings.from_env("http://h/sparql", {"VCKG_STORE_PAGE": "none"})
    with pytest.raises(Exception, match="VCKG_STORE_PAGE"):
        RemoteSettings.from_env("http://h/sparql", {"VCKG_STORE_PAGE": "-5"})
    # Unset: page only once the engine cuts an answer; 0: never page.
    assert RemoteSettings.from_env("http://h/sparql", {}).page_size is None
    assert RemoteSettings.from_env("http://h/sparql", {"VCKG_STORE_PAGE": "0"}).page_size == 0
    assert RemoteSettings.from_env("http://h/sparql", {"VCKG_STORE_PAGE": "500"}).page_size == 500
