"""The projection kept in step with writes and restarts: patched on small writes (equal to a
rebuild), saved beside an on-disk store and read back on start when its revision matches,
ignored when it does not, and, in a server, the previous one answering while a rebuild runs."""

from __future__ import annotations

import pickle
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from valuechain_kg.analysis.projection import canonical
from valuechain_kg.api import ApiSettings, create_app
from valuechain_kg.errors import NotFound
from valuechain_kg.graph import KnowledgeGraph
from valuechain_kg.service.projection_file import ProjectionFile
from valuechain_kg.service.projection_reader import build_projection
from valuechain_kg.store import GraphStore
from valuechain_kg.store.revision import state_folder

ROOT = Path(__file__).resolve().parents[1]
COBALT = ROOT / "data" / "cases" / "cobalt-drc"
VC = "https://w3id.org/valuechain#"
ID = "https://w3id.org/valuechain/id/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
ACTORS = [f"a{n}" for n in range(5)]
#: A node with no type, numbered because a relationship of the base graph names it.
UNTYPED = "trader"
IMPACTS = ["harm-1", "harm-2"]
XSD = "http://www.w3.org/2001/XMLSchema#"


def _n(local: str) -> ox.NamedNode:
    return ox.NamedNode(ID + local)


def _v(local: str) -> ox.NamedNode:
    return ox.NamedNode(VC + local)


def _base_graph() -> KnowledgeGraph:
    """Five typed actors, two typed impacts, one product: the ground the writes vary on."""
    kg = KnowledgeGraph(GraphStore())
    quads = [ox.Quad(_n(a), RDF_TYPE, _v("Actor")) for a in ACTORS]
    quads += [ox.Quad(_n(i), RDF_TYPE, _v("AdverseImpact")) for i in IMPACTS]
    quads.append(ox.Quad(_n("cobalt"), RDF_TYPE, _v("Product")))
    quads += _relationship(1000, "a0", UNTYPED, None, False)
    quads += _relationship(1001, "a1", "a2", 0.4, False, relation="invests-in")
    kg.store.add(quads)
    return kg


def _relationship(
    k: int,
    a: str,
    b: str,
    share: float | None,
    product: bool,
    dated: bool = False,
    alleged: bool = False,
    relation: str = "supplies",
) -> list[ox.Quad]:
    """A relationship (supplies unless told), reified with a share (a revenue share on a flow,
    an ownership share on an investment), a product, a start date and an assertion status
    when asked."""
    quads = [ox.Quad(_n(a), _v(relation.replace("-i", "I")), _n(b))]
    if share is None and not product and not dated and not alleged:
        return quads
    r = _n(f"rel-{k}")
    quads += [
        ox.Quad(r, RDF_TYPE, _v("BusinessRelationship")),
        ox.Quad(r, _v("fromActor"), _n(a)),
        ox.Quad(r, _v("toActor"), _n(b)),
        ox.Quad(r, _v("relationshipType"), _v(relation.replace("-i", "I"))),
        ox.Quad(
            r,
            ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"),
            ox.NamedNode(f"https://example.org/src/{k}"),
        ),
    ]
    if share is not None:
        attribute = "ownershipShare" if relation == "invests-in" else "revenueShare"
        literal = ox.Literal(str(share), datatype=ox.NamedNode(XSD + "decimal"))
        quads.append(ox.Quad(r, _v(attribute), literal))
    if product:
        quads.append(ox.Quad(r, _v("product"), _n("cobalt")))
    if dated:
        start = ox.Literal("2020-01-01", datatype=ox.NamedNode(XSD + "date"))
        quads.append(ox.Quad(r, _v("validFrom"), start))
    if alleged:
        quads.append(ox.Quad(r, _v("assertion"), _v("assertion-alleged")))
    return quads


def _involvement(k: int, actor: str, impact: str, mode: str) -> list[ox.Quad]:
    node = _n(f"inv-{k}")
    return [
        ox.Quad(node, RDF_TYPE, _v("Involvement")),
        ox.Quad(node, _v("actor"), _n(actor)),
        ox.Quad(node, _v("impact"), _n(impact)),
        ox.Quad(node, _v("mode"), _v(mode)),
    ]


def _leverage(k: int, holder: str, target: str, strength: float) -> list[ox.Quad]:
    node = _n(f"lev-{k}")
    return [
        ox.Quad(node, RDF_TYPE, _v("Leverage")),
        ox.Quad(node, _v("holder"), _n(holder)),
        ox.Quad(node, _v("target"), _n(target)),
        ox.Quad(node, _v("basis"), _v("ContractTerms")),
        ox.Quad(
            node,
            _v("strength"),
            ox.Literal(
                str(strength), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
            ),
        ),
    ]


actor = st.sampled_from(ACTORS)
end = st.sampled_from([*ACTORS, UNTYPED])
_additions = st.one_of(
    st.builds(
        lambda a, b, share, product, dated, alleged, relation: (
            "rel",
            a,
            b,
            share,
            product,
            dated,
            alleged,
            relation,
        ),
        actor,
        end,
        st.one_of(st.none(), st.sampled_from([0.1, 0.3, 0.6])),
        st.booleans(),
        st.booleans(),
        st.booleans(),
        st.sampled_from(["supplies", "supplies", "invests-in"]),
    ),
    st.builds(
        lambda a, i, m: ("inv", a, i, m),
        actor,
        st.sampled_from(IMPACTS),
        st.sampled_from(["Cause", "Contribution", "DirectLinkage"]),
    ),
    st.builds(lambda h, t, s: ("lev", h, t, s), actor, actor, st.sampled_from([0.2, 0.7])),
)
#: Each step adds one thing, or removes (whole or one quad of) something added earlier.
steps = st.lists(
    st.tuples(
        st.sampled_from(["add", "add", "remove", "remove-one"]), _additions, st.integers(0, 50)
    ),
    min_size=1,
    max_size=8,
)


def _answers(kg: KnowledgeGraph) -> list[object]:
    """What the analysis answers about every impact and actor of the test graphs."""

    def dumped(call: object, *args: object) -> object:
        try:
            return call(*args).model_dump(mode="json")  # type: ignore[operator]
        except Exception as exc:  # an answer that is an error must be the same error
            return repr(exc)

    found: list[object] = []
    for impact in IMPACTS:
        found.append(dumped(kg.linked_actors, impact))
        found.append(dumped(kg.leverage, impact))
    for node in [*ACTORS, UNTYPED]:
        found.append(dumped(kg.impacts_of, node))
        found.append(dumped(kg.actor, node))
    return found


def _same_as_a_build(kg: KnowledgeGraph) -> None:
    """The projection in ``kg`` holds what a build from its store holds, and answers alike."""
    patched = kg.projection()
    built = build_projection(kg.store)
    assert canonical(patched) == canonical(built)
    assert _answers(kg) == _answers(KnowledgeGraph(kg.store))


def _quads_of(k: int, thing: tuple[object, ...]) -> list[ox.Quad]:
    kind = thing[0]
    if kind == "rel":
        return _relationship(k, *thing[1:])  # type: ignore[arg-type]
    if kind == "inv":
        return _involvement(k, *thing[1:])  # type: ignore[arg-type]
    return _leverage(k, *thing[1:])  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_patched_projection_equals_a_rebuilt_one(
    plan: list[tuple[str, tuple[object, ...], int]],
) -> None:
    kg = _base_graph()
    kg.projection()
    builds = kg.projection_builds
    written: list[list[ox.Quad]] = []
    for k, (action, thing, pick) in enumerate(plan):
        if action == "add" or not written:
            added, removed = [q for q in _quads_of(k, thing) if q not in kg.store.oxigraph], []
            if added:  # a restatement of what the store holds writes nothing to take back
                written.append(added)
        else:
            group = written[pick % len(written)]
            chosen = (
                group if action == "remove" else group[pick % len(group) : pick % len(group) + 1]
            )
            added, removed = [], [q for q in chosen if q in kg.store.oxigraph]
        anchored = {
            q.subject
            for q in kg.store.quads()
            if q.predicate in (_v("impact"), _v("holder"), _v("fromActor"), _v("supplies"))
        }
        anchored |= {
            q.subject
            for q in removed
            if q.predicate in (_v("impact"), _v("holder"), _v("fromActor"), _v("supplies"))
        }
        before = (kg.store.revision, kg.store.writes)
        previous = kg.projection()
        frozen = pickle.dumps(previous)
        kg.store.apply_change(removed=removed, added=added)
        # A lone quad left behind by an earlier partial removal (a node with no vc:impact,
        # vc:holder or vc:fromActor any more) anchors nothing: a write removing one is rebuilt
        # instead, even beside quads that are anchored.
        lone = any(q.subject not in anchored for q in removed)
        if (added or removed) and not lone:
            assert kg.observe_change(before, added=added, removed=removed)
            assert kg.projection_builds == builds  # patched, not rebuilt
        # A reader still holding the previous projection sees it exactly as it was.
        assert pickle.loads(frozen) == previous
        _same_as_a_build(kg)
        builds = kg.projection_builds


def test_a_write_touching_actors_is_not_patched_but_rebuilt() -> None:
    kg = _base_graph()
    kg.projection()
    name = [ox.Quad(_n("a1"), ox.NamedNode("https://schema.org/name"), ox.Literal("Mine"))]
    before = (kg.store.revision, kg.store.writes)
    kg.store.add(name)
    assert not kg.observe_change(before, added=name)
    assert kg.projection().names[kg.projection().index[ID + "a1"]] == "Mine"
    assert kg.projection_builds == 2


def test_a_patch_skipped_when_another_write_landed_between() -> None:
    kg = _base_graph()
    kg.projection()
    before = (kg.store.revision, kg.store.writes)
    kg.store.add(_involvement(1, "a0", "harm-1", "Cause"))
    change = _involvement(2, "a1", "harm-1", "Cause")
    kg.store.add(change)
    assert not kg.observe_change(before, added=change)
    assert len(kg.projection().involvements[ID + "harm-1"]) == 2


def test_a_relationship_write_is_patched_not_rebuilt() -> None:
    kg = _base_graph()
    kg.projection()
    before = (kg.store.revision, kg.store.writes)
    quads = _relationship(9, "a0", "a3", 0.6, True)
    kg.store.add(quads)
    assert kg.observe_change(before, added=quads)
    assert kg.projection_patches == 1
    assert canonical(kg.projection()) == canonical(build_projection(kg.store))
    assert kg.projection_builds == 1


# --- saved beside the store --------------------------------------------------------------------


def test_restart_reads_the_saved_projection_instead_of_building(tmp_path: Path) -> None:
    store = tmp_path / "kg"
    kg = KnowledgeGraph.open(store, data=[COBALT])
    first = kg.projection()
    assert kg.projection_builds == 1
    kg.close()
    assert (state_folder(store) / "projection.pickle").is_file()
    assert not any(p.name.endswith(".pickle") for p in store.iterdir())  # not in RocksDB's folder

    again = KnowledgeGraph.open(store)
    assert again.revision == first.revision  # the revision survived the restart
    answer = again.linked_actors("cobalt-child-labour-drc")
    assert answer.total > 0
    assert (again.projection_builds, again.projection_loads) == (0, 1)
    assert again.projection() == first
    again.close()


def test_the_saved_projection_is_ignored_when_the_store_changed(tmp_path: Path) -> None:
    store = tmp_path / "kg"
    kg = KnowledgeGraph.open(store, data=[COBALT])
    saved = kg.projection()
    kg.close()
    # A write by a process that never builds a projection: the saved one no longer matches.
    writer = GraphStore(store)
    writer.update("INSERT DATA { vcid:newcomer a vc:Actor }")
    assert writer.revision != saved.revision
    writer.close()

    again = KnowledgeGraph.open(store)
    p = again.projection()
    assert (again.projection_builds, again.projection_loads) == (1, 0)
    assert ID + "newcomer" in p.index
    again.close()


def test_a_write_cut_short_leaves_no_matching_revision(tmp_path: Path) -> None:
    store = tmp_path / "kg"
    kg = KnowledgeGraph.open(store, data=[COBALT])
    saved = kg.projection()
    kg.close()
    # What a process killed in the middle of a write leaves: the revision file says dirty.
    (state_folder(store) / "revision").write_text("dirty")
    again = KnowledgeGraph.open(store)
    assert again.revision != saved.revision
    again.projection()
    assert (again.projection_builds, again.projection_loads) == (1, 0)
    again.close()


def test_a_file_of_another_revision_or_not_ours_is_not_read(tmp_path: Path) -> None:
    store = tmp_path / "kg"
    kg = KnowledgeGraph.open(store, data=[COBALT])
    p = kg.projection()
    kg.close()
    saved = ProjectionFile(store)
    assert saved.load(p.revision) == p
    assert saved.load("someotherrevision") is None
    saved.path.write_bytes(b"not a projection at all")
    assert saved.load(p.revision) is None


@pytest.mark.parametrize(
    "body",
    [
        b"cvaluechain_kg.analysis.gone_module\nGone\n)\x81.",  # a class since moved
        b"c__builtin__\nlen\n(I5\ntR.",  # a constructor whose arguments no longer fit
    ],
)
def test_a_file_another_version_wrote_is_rebuilt_not_raised(tmp_path: Path, body: bytes) -> None:
    """Same header and revision, but a body this version of the package cannot restore."""
    store = tmp_path / "kg"
    kg = KnowledgeGraph.open(store, data=[COBALT])
    p = kg.projection()
    kg.close()
    saved = ProjectionFile(store)
    head = saved.path.read_bytes().split(b"\n", 2)
    saved.path.write_bytes(head[0] + b"\n" + head[1] + b"\n" + body)
    assert saved.saved_revision() == p.revision
    assert saved.load(p.revision) is None
    again = KnowledgeGraph.open(store)
    assert again.linked_actors("cobalt-child-labour-drc").total > 0
    assert (again.projection_builds, again.projection_loads) == (1, 0)
    again.close()


# --- a server answers from the previous projection while rebuilding ----------------------------


def test_server_answers_from_the_previous_projection_while_rebuilding() -> None:
    kg = KnowledgeGraph.open(data=[COBALT])
    with TestClient(create_app(kg, ApiSettings())) as client:
        kg.wait_for_rebuild(5)
        kg.projection()  # the warm-up's build
        old = kg.revision
        first = client.get("/impacts/cobalt-child-labour-drc/linked-actors")
        assert first.headers["analysis-revision"] == old
        assert client.get("/health").json()["analysis_ready"] is True

        # Hold the build lock, as a long rebuild does, and write something not patched.
        with kg._projections._lock:
            kg.store.update("INSERT DATA { vcid:newcomer a vc:Actor }")
            health = client.get("/health").json()
            assert (health["analysis_ready"], health["analysis_revision"]) == (False, old)
            during = client.get("/impacts/cobalt-child-labour-drc/linked-actors")
            assert during.status_code == 200
            assert during.headers["analysis-revision"] == old
            assert during.json() == first.json()
            # Its tag is the old revision's: a client never keeps it as the new state.
            assert during.headers["etag"] == first.headers["etag"]
        kg.wait_for_rebuild(30)
        after = client.get("/impacts/cobalt-child-labour-drc/linked-actors")
        assert after.headers["analysis-revision"] == kg.revision != old
        assert client.get("/health").json()["analysis_ready"] is True


@pytest.mark.parametrize("serve_previous", [False])
def test_outside_a_server_answers_wait_for_the_new_projection(serve_previous: bool) -> None:
    kg = _base_graph()
    kg.serve_previous = serve_previous
    kg.projection()
    kg.store.update("INSERT DATA { vcid:z a vc:Actor }")
    assert ID + "z" in kg.projection().index


# --- SPARQL updates feed the same patch ------------------------------------------------------


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { vcid:hunan-shanshan vc:supplies vcid:tianjin-bm }",
        "DELETE { ?l ?p ?o } WHERE { ?l a vc:Leverage ; vc:holder vcid:hunan-shanshan ; "
        "vc:target vcid:huayou-cobalt ; ?p ?o }",
    ],
    ids=["insert-data", "delete-where"],
)
def test_a_sparql_update_patches_the_projection_instead_of_rebuilding(update: str) -> None:
    kg = KnowledgeGraph.open(data=[COBALT])
    kg.projection()
    outcome = kg.update(update)
    assert outcome.added + outcome.removed >= 1
    assert kg.projection_patches == 1
    assert canonical(kg.projection()) == canonical(build_projection(kg.store))
    assert kg.projection_builds == 1


def test_a_cli_lookup_saves_the_projection_for_the_next_command(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from valuechain_kg.cli import app

    store = tmp_path / "store"
    runner = CliRunner()
    assert runner.invoke(app, ["load", str(COBALT), "--store", str(store)]).exit_code == 0
    first = runner.invoke(app, ["linked", "cobalt-child-labour-drc", "--store", str(store)])
    assert first.exit_code == 0, first.output
    assert "could not be read" not in first.output  # nothing saved yet is no error
    kg = KnowledgeGraph.open(store=store)
    try:
        kg.projection()
        assert (kg.projection_loads, kg.projection_builds) == (1, 0)
    finally:
        kg.close()


def test_in_a_server_the_patch_runs_beside_the_write_and_answers_state_their_revision() -> None:
    from valuechain_kg.service.graph import served_revision

    kg = KnowledgeGraph.open(data=[COBALT])
    kg.serve_previous = True
    before = kg.projection().revision
    kg.update("INSERT DATA { vcid:hunan-shanshan vc:supplies vcid:tianjin-bm }")
    served = kg.projection()
    assert served_revision() == served.revision in (before, kg.revision)
    kg.wait_for_rebuild(timeout=60)
    assert kg.projection().revision == kg.revision
    assert canonical(kg.projection()) == canonical(build_projection(kg.store))
    assert (kg.projection_patches, kg.projection_builds) == (1, 1)


def test_a_patch_copies_only_what_the_write_touches() -> None:
    kg = _base_graph()
    kg.store.add(_involvement(1, "a4", "harm-1", "Cause"))
    old = kg.projection()
    a0, a3, a4 = (old.index[ID + a] for a in ("a0", "a3", "a4"))
    before = (kg.store.revision, kg.store.writes)
    quads = _relationship(9, "a0", "a3", 0.6, False)
    kg.store.add(quads)
    assert kg.observe_change(before, added=quads)
    new = kg.projection()
    assert len(new.edges) == len(old.edges) + 1
    assert new.flow_out[a0] != old.flow_out[a0]  # a copy of the touched list, changed
    assert new.flow_out[a4] is old.flow_out[a4]  # untouched lists are shared
    assert new.involvements is old.involvements and new.index is old.index
    assert new.leverage.edges[(a3, a0)].strength == 1.0  # the share's derived leverage
    assert (a3, a0) not in old.leverage.edges
    assert canonical(new) == canonical(build_projection(kg.store))


def test_a_write_adding_a_node_is_rebuilt() -> None:
    kg = _base_graph()
    kg.projection()
    before = (kg.store.revision, kg.store.writes)
    quads = _relationship(9, "a0", "newcomer", None, False)
    kg.store.add(quads)
    assert not kg.observe_change(before, added=quads)
    assert ID + "newcomer" in kg.projection().index
    assert kg.projection_builds == 2


def test_a_write_taking_the_last_mention_of_an_untyped_node_is_rebuilt() -> None:
    kg = _base_graph()
    assert ID + UNTYPED in kg.projection().index
    before = (kg.store.revision, kg.store.writes)
    quads = _relationship(1000, "a0", UNTYPED, None, False)
    kg.store.remove(quads)
    assert not kg.observe_change(before, removed=quads)
    assert ID + UNTYPED not in kg.projection().index
    assert kg.projection() == build_projection(kg.store)


def test_the_impact_table_is_kept_across_a_write_that_touches_no_impact() -> None:
    kg = KnowledgeGraph.open(data=[COBALT])
    impact = "cobalt-child-labour-drc"
    title = kg.linked_actors(impact).impact.title
    table = kg._impact_table()
    kg.update("INSERT DATA { vcid:hunan-shanshan vc:supplies vcid:tianjin-bm }")
    assert kg._impact_table() is table  # not read again
    kg.update(f'INSERT DATA {{ vcid:{impact} schema:name "Renamed" }}')
    assert kg._impact_table() is not table
    assert kg.linked_actors(impact).impact.title == min(title, "Renamed")
    with pytest.raises(NotFound):
        kg.linked_actors("new-harm")
    # A write typing a new impact: the table must be read again to know it.
    before = (kg.store.revision, kg.store.writes)
    typed = [ox.Quad(_n("new-harm"), RDF_TYPE, _v("AdverseImpact"))]
    kg.store.add(typed)
    kg.observe_change(before, added=typed)
    assert kg.linked_actors("new-harm").total == 0


def test_projection_parts_pickle_as_a_call_of_their_class_with_every_field() -> None:
    from valuechain_kg.analysis.leverage import LeverageEdge
    from valuechain_kg.analysis.projection import Involvement

    kg = KnowledgeGraph.open(data=[COBALT])
    projection = kg.projection()
    parts = [
        *list(projection.leverage.edges.values())[:3],
        *[i for found in projection.involvements.values() for i in found][:3],
    ]
    assert {type(p) for p in parts} == {LeverageEdge, Involvement}
    for part in parts:
        rebuilt, values = part.__reduce__()  # type: ignore[misc]
        assert rebuilt is type(part)
        assert pickle.loads(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)) == part
    kg.close()


def test_a_pair_with_one_leverage_part_shares_its_edge_object_with_the_network() -> None:
    """So a saved projection holds, and restores, one object for both."""
    projection = KnowledgeGraph.open(data=[COBALT]).projection()
    parts = projection.leverage_parts
    pairs = Counter(zip(parts.holder, parts.target, strict=True))
    single = [n for n in range(len(parts)) if pairs[parts.holder[n], parts.target[n]] == 1]
    assert single
    for n in single:
        assert projection.leverage.edges[parts.holder[n], parts.target[n]] is parts.edge[n]


def test_reading_a_saved_projection_leaves_the_collector_as_it_found_it(tmp_path: Path) -> None:
    import gc

    store = tmp_path / "kg"
    kg = KnowledgeGraph.open(store, data=[COBALT])
    first = kg.projection()
    kg.close()
    saved = ProjectionFile(store)
    assert gc.isenabled()
    assert saved.load(first.revision) == first
    assert gc.isenabled()
    gc.disable()
    try:
        assert saved.load("another revision") is None
        assert saved.load(first.revision) == first
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_restarted_lookup_reads_its_impact_alone_and_still_refuses_a_non_impact(
    tmp_path: Path,
) -> None:
    store = tmp_path / "kg"
    kg = KnowledgeGraph.open(store, data=[COBALT])
    whole = kg.linked_actors("cobalt-child-labour-drc")
    kg.close()
    again = KnowledgeGraph.open(store)
    assert again.linked_actors("cobalt-child-labour-drc") == whole
    assert again._memo().known(("impact-table",)) == (False, None)  # one impact read, not all
    for not_an_impact in ("huayou-cobalt", "no-such-node"):
        with pytest.raises(NotFound, match="no AdverseImpact"):
            again.linked_actors(not_an_impact)
    assert again.impacts().total > 0
    again.close()
