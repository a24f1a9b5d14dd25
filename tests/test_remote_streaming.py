"""Large SELECTs read from a real engine in one pass: one streamed answer, or keyset pages.

Two engines, each started once for the module (tests/sparql_engines.py): ``oxigraph serve``,
which answers every row, and Virtuoso 7 with ``ResultSetMaxRows`` set to ``CAP``, which cuts
every answer there. The store's rows must equal the embedded store's on both; the requests it
sends are counted on its own HTTP client.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs

import httpx
import pyoxigraph as ox
import pytest

from tests import sparql_engines
from valuechain_kg.store import GraphStore
from valuechain_kg.store.remote import RemoteSettings, RemoteStore

#: Virtuoso's row cap here: every answer longer than this is cut.
CAP = 100
P = ox.NamedNode("urn:test:p")
XSD = "http://www.w3.org/2001/XMLSchema#"
TRICKY = [
    ox.Literal('say "hi"\nthen \\ leave\tnow'),
    ox.Literal("it's ünïcødé ✓ 中文"),
    ox.Literal("colour", language="en"),
    ox.Literal("couleur", language="fr"),
    ox.Literal("a b } { ?x", datatype=ox.NamedNode("urn:test:dt")),
    ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("2020-01-02", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal(""),
    ox.Literal("urn:test:s-000"),  # the text of an IRI key
]


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso-capped"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sparql_engines.Engine]:
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "oxigraph":
        started = sparql_engines.start_oxigraph(folder)
    else:
        started = sparql_engines.start_virtuoso(folder, max_rows=CAP)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def remote(engine: sparql_engines.Engine) -> sparql_engines.Engine:
    engine.clear()
    return engine


def open_store(engine: sparql_engines.Engine, page_size: int | None = None) -> RemoteStore:
    settings = RemoteSettings.from_env(engine.query_url, engine.env)
    return RemoteStore(RemoteSettings(**{**settings.__dict__, "page_size": page_size}))


def quads(subjects: int, tied: int) -> list[ox.Quad]:
    """One triple per subject, ``tied`` more on the first subject, and the tricky literals."""
    first = ox.NamedNode("urn:test:s-000")
    made = [
        ox.Quad(ox.NamedNode(f"urn:test:s-{n:03d}"), P, ox.Literal(str(n))) for n in range(subjects)
    ]
    made += [ox.Quad(first, P, ox.NamedNode(f"urn:test:o-{n}")) for n in range(tied)]
    made += [ox.Quad(first, P, literal) for literal in TRICKY]
    made.append(ox.Quad(ox.NamedNode("urn:test:s-tricky"), P, first))
    return made


def embedded_rows(data: list[ox.Quad], query: str) -> list[tuple[object, ...]]:
    local = GraphStore()
    local.add(data)
    return sorted((tuple(row) for row in local.stream(query)), key=repr)


def counting(store: RemoteStore) -> list[str]:
    """The query text of every request the store sends from now on."""
    sent: list[str] = []

    def note(request: httpx.Request) -> None:
        form = parse_qs(request.content.decode())
        sent.append(form.get("query", [""])[0])

    store._client.event_hooks = {"request": [note]}
    return sent


QUERY = f"SELECT ?s ?o WHERE {{ ?s {P} ?o }}"


def test_a_result_beyond_the_cap_is_read_whole_and_equal_to_the_embedded_store(
    remote: sparql_engines.Engine,
) -> None:
    data = quads(3 * CAP // 2, tied=CAP + 20)  # more rows than the cap, and one key over it
    store = open_store(remote)
    try:
        store.add(data)
        progress: list[int] = []
        store.on_rows = progress.append
        sent = counting(store)
        rows = sorted((tuple(row) for row in store.stream(QUERY)), key=repr)
        assert len(rows) == len(data) > 2 * CAP
        assert rows == embedded_rows(data, QUERY)
        assert progress[-1] == len(data)
        if remote.name == "virtuoso":
            # The first answer said it was cut: that one is dropped, then keyset pages follow.
            assert store._cap == CAP
            assert len(sent) == 1 + len(data) // CAP + 1
            assert "FILTER" in sent[-1] and "LIMIT" in sent[-1]
        else:
            assert store._cap is None and len(sent) == 1
    finally:
        store.close()


@pytest.mark.parametrize("rows", [60, 120])
def test_requests_grow_linearly_with_the_rows(remote: sparql_engines.Engine, rows: int) -> None:
    page = 25
    data = [
        ox.Quad(ox.NamedNode(f"urn:test:s-{n:03d}"), P, ox.Literal(str(n))) for n in range(rows)
    ]
    store = open_store(remote, page_size=page)
    try:
        store.add(data)
        sent = counting(store)
        read = list(store.stream(QUERY))
        assert len(read) == rows
        assert len(sent) == rows // page + 1  # one per page, the last one short
        # Every key differs: each page starts at the last key read and skips only its one row.
        assert "OFFSET" not in sent[0]
        assert all("FILTER" in text and text.endswith(" OFFSET 1") for text in sent[1:])
        if remote.name == "oxigraph":
            unpaged = open_store(remote, page_size=0)
            try:
                sent = counting(unpaged)
                assert len(list(unpaged.stream(QUERY))) == rows
                assert len(sent) == 1
            finally:
                unpaged.close()
    finally:
        store.close()


@pytest.mark.parametrize("page_size", [None, 4])
def test_tricky_terms_round_trip_through_the_stream(
    remote: sparql_engines.Engine, page_size: int | None
) -> None:
    """Quotes, newlines, tabs, backslashes, non-ASCII, language tags, datatypes, blank nodes."""
    node = ox.BlankNode()
    subject = ox.NamedNode("urn:test:s")
    data = [ox.Quad(subject, P, literal) for literal in TRICKY]
    data += [ox.Quad(subject, P, node), ox.Quad(node, P, ox.Literal("inside\r\n"))]
    store = open_store(remote, page_size=page_size)
    try:
        store.add(data)
        read = list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        assert len(read) == len(data)
        ground = {q for q in read if not isinstance(q.subject, ox.BlankNode)}
        assert {q.object for q in ground if not isinstance(q.object, ox.BlankNode)} == set(TRICKY)
        blank = next(q.object for q in ground if isinstance(q.object, ox.BlankNode))
        assert [q.object for q in read if q.subject == blank] == [ox.Literal("inside\r\n")]
    finally:
        store.close()
