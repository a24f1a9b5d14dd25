"""An update is all or nothing, named graphs are SHACL-gated, and a full disk is a clear refusal.

* kill -9 of a real ``vckg serve`` at a random moment of an update that replaces thousands of
  triples leaves the on-disk store exactly as before or exactly as after it;
* readers polling during such an update see only the before or the after state;
* an update into a named graph that breaks a shape is 422 and changes nothing;
* on a small tmpfs that fills up, the server answers 507 with a problem document, the CLI says
  so with exit 2, the store is left as it was, and writes work again once space is freed.
"""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from tests.test_server import Server, start_server, stop
from valuechain_kg.api.app import create_app
from valuechain_kg.api.settings import ApiSettings
from valuechain_kg.errors import StoreFull
from valuechain_kg.graph import KnowledgeGraph
from valuechain_kg.service.writes import apply_validated_update
from valuechain_kg.store import GraphStore
from valuechain_kg.store.changes import change_update

ONTOLOGY = ox.NamedNode("https://w3id.org/valuechain")
TOKEN = "atomicity-token"
EX = "http://example.org/atomic/"
VALUE = ox.NamedNode(f"{EX}value")
SUBJECTS = 3000
#: Replaces every value triple: 3,000 removed and 3,000 added in one update.
BUMP = (
    f"DELETE {{ ?s <{VALUE.value}> ?v }} INSERT {{ ?s <{VALUE.value}> ?w }} "
    f"WHERE {{ ?s <{VALUE.value}> ?v BIND(?v + 1 AS ?w) }}"
)
AUTH = {"authorization": f"Bearer {TOKEN}", "content-type": "application/sparql-update"}


def value_quads(value: int, count: int = SUBJECTS) -> set[ox.Quad]:
    return {ox.Quad(ox.NamedNode(f"{EX}s{i}"), VALUE, ox.Literal(value)) for i in range(count)}


def quads_on_disk(path: Path) -> set[ox.Quad]:
    """The data the store holds (not the ontology graph every load brings), read by pyoxigraph
    itself once the server is gone."""
    store = ox.Store(str(path))
    try:
        return {
            q for q in store.quads_for_pattern(None, None, None, None) if q.graph_name != ONTOLOGY
        }
    finally:
        del store


def bumped(quads: set[ox.Quad]) -> set[ox.Quad]:
    return {
        ox.Quad(q.subject, q.predicate, ox.Literal(int(q.object.value) + 1))  # type: ignore[union-attr]
        for q in quads
    }


def serve_store(tmp: Path, **env: str) -> Server:
    return start_server(tmp, env={"VCKG_UPDATE_TOKEN": TOKEN, **env})


def post_update(server: Server, text: str, timeout: float = 60) -> httpx.Response:
    return httpx.post(f"{server.url}/sparql", content=text, headers=AUTH, timeout=timeout)


# --- kill -9 during an update ----------------------------------------------------------------


#: Large enough that the commit of the old write path (one remove per quad) lasted long enough
#: for a kill to land inside it.
KILL_SUBJECTS = 20_000


def test_kill_9_at_any_moment_of_an_update_leaves_before_or_after(tmp_path: Path) -> None:
    seeded = GraphStore(tmp_path / "store")
    seeded.add(value_quads(0, KILL_SUBJECTS))
    seeded.close()
    # One undisturbed run tells how long an update takes, and that it does replace the set.
    server = serve_store(tmp_path)
    started = time.monotonic()
    response = post_update(server, BUMP)
    took = time.monotonic() - started
    assert response.status_code == 200, response.text
    assert response.json()["added"] == response.json()["removed"] == KILL_SUBJECTS
    stop(server)
    assert quads_on_disk(tmp_path / "store") == value_quads(1, KILL_SUBJECTS)

    rng = random.Random(20240610)
    outcomes: list[str] = []
    for trial in range(6):
        before = quads_on_disk(tmp_path / "store")
        after = bumped(before)
        server = serve_store(tmp_path)
        unchanged = _totals(server)
        sender = threading.Thread(target=_post_ignoring_errors, args=(server, BUMP), daemon=True)
        sender.start()
        if trial % 2 == 0:
            time.sleep(rng.uniform(0.2, 1.05) * took)  # any moment of the request
        else:
            # The moment the first change shows: inside the commit, if it has an inside.
            _wait_for_a_change(server, unchanged, time.monotonic() + 2 * took + 5)
            time.sleep(rng.uniform(0, 0.01))
        server.process.kill()
        server.process.wait(timeout=30)
        sender.join(timeout=30)
        state = quads_on_disk(tmp_path / "store")
        whole = state in (before, after)
        assert whole, (
            f"after kill -9 the store holds {len(state)} triples: {len(before - state)} of the "
            f"state before lost, {len(state & after)} of the state after present"
        )
        outcomes.append("after" if state == after else "before")
    assert len(outcomes) == 6


TOTALS = f"SELECT (COUNT(?s) AS ?n) (SUM(?v) AS ?sum) WHERE {{ ?s <{VALUE.value}> ?v }}"


def _totals(server: Server) -> tuple[str, str]:
    row = httpx.get(f"{server.url}/sparql", params={"query": TOTALS}, timeout=30).json()
    values = row["results"]["bindings"][0]
    return values["n"]["value"], values["sum"]["value"]


def _wait_for_a_change(server: Server, unchanged: tuple[str, str], give_up: float) -> None:
    with contextlib.suppress(httpx.TransportError):
        while time.monotonic() < give_up and _totals(server) == unchanged:
            pass


def _post_ignoring_errors(server: Server, text: str) -> None:
    with contextlib.suppress(httpx.TransportError):  # killed mid-request, as intended
        post_update(server, text)


# --- readers during an update ------------------------------------------------------------------


READ = (
    f"SELECT (COUNT(?s) AS ?all) (SUM(IF(?v = 0, 1, 0)) AS ?old) WHERE {{ ?s <{VALUE.value}> ?v }}"
)


def test_readers_during_an_update_see_only_before_or_after(tmp_path: Path) -> None:
    seeded = GraphStore(tmp_path / "store")
    seeded.add(value_quads(0))
    seeded.close()
    server = serve_store(tmp_path)
    try:
        seen: list[tuple[int, int]] = []
        done = threading.Event()

        def read() -> None:
            with httpx.Client(timeout=30) as client:
                while not done.is_set():
                    answer = client.get(f"{server.url}/sparql", params={"query": READ})
                    row = answer.json()["results"]["bindings"][0]
                    seen.append((int(row["all"]["value"]), int(row["old"]["value"])))

        readers = [threading.Thread(target=read) for _ in range(3)]
        for reader in readers:
            reader.start()
        time.sleep(0.3)
        # Three values per subject through the update: 0 -> 1, back to 0, and 0 -> 1 again.
        reverse = BUMP.replace("?v + 1", "?v - 1")
        for text in (BUMP, reverse, BUMP):
            assert post_update(server, text).status_code == 200
        time.sleep(0.3)
        done.set()
        for reader in readers:
            reader.join(timeout=60)
        states = set(seen)
        assert states <= {(SUBJECTS, SUBJECTS), (SUBJECTS, 0)}, sorted(states)
        assert len(seen) > 10
    finally:
        stop(server)


# --- the commit itself: one update, exact terms ------------------------------------------------


def tricky_quads() -> list[ox.Quad]:
    graph = ox.NamedNode(f"{EX}graph")
    node = ox.BlankNode("kept")
    p = ox.NamedNode(f"{EX}p")
    return [
        ox.Quad(ox.NamedNode(f"{EX}a"), p, ox.Literal('quote " back \\ line\n tab\t é \u2028')),
        ox.Quad(ox.NamedNode(f"{EX}a"), p, ox.Literal("chat", language="fr"), graph),
        ox.Quad(
            ox.NamedNode(f"{EX}a"),
            p,
            ox.Literal("2.50", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
        ),
        ox.Quad(node, p, ox.Literal("1")),
        ox.Quad(node, p, node, graph),
        ox.Quad(ox.NamedNode(f"{EX}a"), p, node),
        ox.Quad(ox.NamedNode(f"{EX}a"), p, ox.Literal("in a blank graph"), ox.BlankNode("g")),
    ]


def test_apply_change_removes_and_adds_exactly_the_given_quads() -> None:
    store = GraphStore()
    keep = ox.Quad(ox.NamedNode(f"{EX}keep"), VALUE, ox.Literal(1))
    store.add([*tricky_quads(), keep])
    fresh = [
        ox.Quad(ox.BlankNode("kept"), VALUE, ox.BlankNode("new")),
        ox.Quad(ox.NamedNode(f"{EX}b"), VALUE, ox.Literal("x"), ox.NamedNode(f"{EX}graph")),
    ]
    store.apply_change(removed=tricky_quads(), added=fresh)
    assert set(store.quads()) == {keep, *fresh}


def test_remove_is_one_update_and_takes_blank_nodes() -> None:
    change = change_update(removed=tricky_quads())
    assert change.text.count("DELETE") == 3  # data, blank nodes in the default graph, named
    assert "INSERT" not in change.text
    store = GraphStore()
    store.add(tricky_quads())
    store.remove(tricky_quads()[:4])
    assert set(store.quads()) == set(tricky_quads()[4:])


def test_an_update_deleting_blank_nodes_commits_exactly_its_result() -> None:
    store = GraphStore()
    store.update(
        f"INSERT DATA {{ <{EX}a> <{EX}has> [ <{EX}n> 1 ] , [ <{EX}n> 2 ] . <{EX}b> <{EX}n> 3 }}"
    )
    # Deletes blank-node triples and mints new blank nodes and UUIDs: a second run of the text
    # on the live store would give another result; the commit must give the validated one.
    update = (
        f"DELETE {{ ?x <{EX}n> ?v }} INSERT {{ ?x <{EX}m> ?w . <{EX}b> <{EX}id> ?u }} "
        f"WHERE {{ ?x <{EX}n> ?v FILTER(isBlank(?x)) BIND(BNODE() AS ?w) BIND(UUID() AS ?u) }}"
    )
    outcome = apply_validated_update(store, update)
    assert (outcome.added, outcome.removed) == (4, 2)
    assert outcome.triples_after == len(store) == 7
    left = list(store.oxigraph.quads_for_pattern(None, ox.NamedNode(f"{EX}n"), None))
    assert [q.subject for q in left] == [ox.NamedNode(f"{EX}b")]
    linked = {
        q.subject for q in store.oxigraph.quads_for_pattern(None, ox.NamedNode(f"{EX}m"), None)
    }
    held = {
        q.object for q in store.oxigraph.quads_for_pattern(None, ox.NamedNode(f"{EX}has"), None)
    }
    assert linked == held and len(held) == 2


# --- named graphs are validated ------------------------------------------------------------------


GRAPH = "http://example.org/atomic/curated"
VC = "https://w3id.org/valuechain#"
ACTOR = (
    f'<{EX}acme> a <{VC}Actor> ; <https://schema.org/name> "Acme" ; '
    f'<http://www.w3.org/2000/01/rdf-schema#label> "Acme" ; <{VC}role> <{VC}role-investor> .'
)


@pytest.fixture
def client_and_kg() -> Iterator[tuple[TestClient, KnowledgeGraph]]:
    kg = KnowledgeGraph.open()
    settings = ApiSettings(update_token=TOKEN)
    with TestClient(create_app(kg, settings)) as client:
        yield client, kg


def test_a_violation_inserted_into_a_named_graph_is_422_and_changes_nothing(
    client_and_kg: tuple[TestClient, KnowledgeGraph],
) -> None:
    client, kg = client_and_kg
    assert (
        client.post(
            "/sparql", content=f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {ACTOR} }} }}", headers=AUTH
        ).status_code
        == 200
    )
    before, revision = set(kg.store.quads()), kg.store.revision
    violating = (
        f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{EX}lev> a <{VC}Leverage> ; <{VC}strength> 5.0 }} }}"
    )
    response = client.post("/sparql", content=violating, headers=AUTH)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert GRAPH in response.json()["detail"]
    assert any("trength" in r["message"] for r in response.json()["report"]["results"])
    assert set(kg.store.quads()) == before and kg.store.revision == revision


def test_removing_what_a_shape_needs_from_a_named_graph_is_422(
    client_and_kg: tuple[TestClient, KnowledgeGraph],
) -> None:
    client, kg = client_and_kg
    client.post("/sparql", content=f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {ACTOR} }} }}", headers=AUTH)
    before = set(kg.store.quads())
    unnamed = f'DELETE DATA {{ GRAPH <{GRAPH}> {{ <{EX}acme> <https://schema.org/name> "Acme" }} }}'
    response = client.post("/sparql", content=unnamed, headers=AUTH)
    assert response.status_code == 422, response.text
    assert set(kg.store.quads()) == before


def test_each_named_graph_is_validated_as_a_graph_of_its_own(
    client_and_kg: tuple[TestClient, KnowledgeGraph],
) -> None:
    """A relationship needs its actors' types in its own graph, not in the default graph."""
    client, kg = client_and_kg
    client.post("/sparql", content=f"INSERT DATA {{ {ACTOR} }}", headers=AUTH)
    other = ACTOR.replace("acme", "zenith").replace("Acme", "Zenith")
    client.post("/sparql", content=f"INSERT DATA {{ {other} }}", headers=AUTH)
    relationship = (
        f"<{EX}rel> a <{VC}BusinessRelationship> ; <{VC}fromActor> <{EX}acme> ; "
        f"<{VC}toActor> <{EX}zenith> ; <{VC}relationshipType> <{VC}supplies> . "
        f"<{EX}acme> <{VC}supplies> <{EX}zenith> ."
    )
    in_default = client.post("/sparql", content=f"INSERT DATA {{ {relationship} }}", headers=AUTH)
    assert in_default.status_code == 200, in_default.text
    alone = relationship.replace(f"<{EX}rel>", f"<{EX}rel2>")
    in_graph = client.post(
        "/sparql", content=f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {alone} }} }}", headers=AUTH
    )
    assert in_graph.status_code == 422, in_graph.text
    with_actors = client.post(
        "/sparql",
        content=f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {ACTOR} {other} {alone} }} }}",
        headers=AUTH,
    )
    assert with_actors.status_code == 200, with_actors.text
    assert bool(kg.store.query(f"ASK {{ GRAPH <{GRAPH}> {{ <{EX}rel2> ?p ?o }} }}"))


# --- a full disk ----------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 20 MB tmpfs: filling it is fast, and it cannot fill the machine's disk."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.fail(f"the disk-full tests need to mount a tmpfs (as root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        if subprocess.run(["umount", str(mount)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(disk: Path, leave: int = 0) -> Path:
    """Take every free byte of the disk but ``leave`` with one file; deleting it frees them."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        for size in (1 << 20, 4096, 1):
            with contextlib.suppress(OSError):
                while os.write(fd, b"\0" * size):
                    pass
    finally:
        os.close(fd)
    if leave:
        os.truncate(filler, filler.stat().st_size - leave)
    return filler


def many_quads(count: int, tag: str) -> list[ox.Quad]:
    text = "x" * 400
    return [
        ox.Quad(ox.NamedNode(f"{EX}{tag}{i}"), VALUE, ox.Literal(f"{text}{i}"))
        for i in range(count)
    ]


def test_a_full_disk_refuses_the_write_keeps_the_store_and_recovers(small_disk: Path) -> None:
    store = GraphStore(small_disk / "store")
    store.add(many_quads(500, "kept"))
    filler = fill(small_disk)
    with pytest.raises(StoreFull, match="full"):
        store.add(many_quads(5000, "more"))
    assert set(store.quads()) == set(many_quads(500, "kept"))
    with pytest.raises(StoreFull):
        store.remove(many_quads(10, "kept"))
    assert len(store) == 500
    filler.unlink()
    store.add(many_quads(5000, "more"))
    store.remove(many_quads(10, "kept"))
    assert len(store) == 5490
    store.close()
    assert len(quads_on_disk(small_disk / "store")) == 5490


BIG_INSERT = (
    f"INSERT {{ ?s <{EX}note> ?note }} WHERE {{ ?s <{VALUE.value}> ?v "
    f'BIND(CONCAT(STR(?s), "{"n" * 2000}") AS ?note) }}'
)


def test_the_server_answers_507_on_a_full_disk_and_writes_again_after(
    small_disk: Path, tmp_path: Path
) -> None:
    seeded = GraphStore(small_disk / "store")
    seeded.add(value_quads(0))
    seeded.close()
    # The server's log stays off the full disk; its store is on it.
    (tmp_path / "server").mkdir()
    (tmp_path / "server" / "store").symlink_to(small_disk / "store")
    server = serve_store(tmp_path / "server")
    try:
        filler = fill(small_disk)
        response = post_update(server, BIG_INSERT)
        assert response.status_code == 507, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == 507
        assert "full" in response.json()["detail"]
        again = post_update(server, f'INSERT DATA {{ <{EX}small> <{EX}p> "1" }}')
        assert again.status_code == 507
        count = httpx.get(f"{server.url}/sparql", params={"query": READ}, timeout=30)
        assert count.json()["results"]["bindings"][0]["all"]["value"] == str(SUBJECTS)
        filler.unlink()
        recovered = post_update(server, BIG_INSERT)
        assert recovered.status_code == 200, recovered.text
        assert recovered.json()["added"] == SUBJECTS
    finally:
        assert stop(server) == 0
    assert "Traceback" not in server.log.read_text()
    assert len(quads_on_disk(small_disk / "store")) == 2 * SUBJECTS


def test_the_cli_says_the_disk_is_full_with_exit_2(small_disk: Path, tmp_path: Path) -> None:
    data = tmp_path / "data.nt"
    data.write_text(
        "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in many_quads(8000, "f"))
    )
    store = small_disk / "store"
    GraphStore(store).close()
    # Room to open the store, not to write the file's 3 MB into it.
    filler = fill(small_disk, leave=256 * 1024)
    vckg = [str(Path(sys.executable).with_name("vckg"))]
    env = {**os.environ, "COLUMNS": "200"}
    run = subprocess.run(
        [*vckg, "load", str(data), "--store", str(store), "--no-validate"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert run.returncode == 2, run.stderr
    assert "disk holding the store" in run.stderr and "nothing was written" in run.stderr
    assert "Traceback" not in run.stderr
    filler.unlink()
    assert len(quads_on_disk(store)) == 0
    run = subprocess.run(
        [*vckg, "load", str(data), "--store", str(store), "--no-validate"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    assert len(quads_on_disk(store)) == 8000
