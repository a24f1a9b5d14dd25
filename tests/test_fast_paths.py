"""Every fast path agrees with its plain reference: fast, but never wrong.

* the projection read one predicate at a time equals the one a straightforward OPTIONAL-heavy
  query set gives, on perturbed synthetic graphs (bare triples, reified nodes without their
  direct triple - not edges, the shapes require the triple - validity dates, shares);
* a question about a further impact asks the store nothing once the projection is warm;
* the compact linkage walk agrees with the version-2 brute-force reference (``reference_v2``),
  and the networkx face (``to_networkx()``) gives the same answer;
* the hop-bounded leverage relaxation agrees with networkx simple-path enumeration, chains
  passing only through the actors linked to the impact;
* remembered answers are the answers, until the store changes;
* the server builds the projection as it starts, not on the first request.
"""

from __future__ import annotations

import itertools
import random
import time
from collections import Counter

import networkx as nx
import pyoxigraph as ox
import reference_v2 as reference
from chains import B, Chain
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from valuechain_kg import vocabulary as vocab
from valuechain_kg.analysis import linkage
from valuechain_kg.analysis.leverage import best_paths_to
from valuechain_kg.analysis.projection import Projection
from valuechain_kg.api.app import create_app
from valuechain_kg.datasets.synthetic import generate
from valuechain_kg.errors import NotFound
from valuechain_kg.graph import KnowledgeGraph
from valuechain_kg.namespaces import VC
from valuechain_kg.service.projection_reader import build_projection
from valuechain_kg.store import GraphStore

# --- the projection against a straightforward reference query set ----------------------------

_SLUGS = {iri: slug for slug, iri in vocab.RELATIONS.items()}
_RELATION_VALUES = " ".join(f"<{iri}>" for iri in vocab.RELATIONS.values())

REFERENCE_RELATIONSHIPS = """SELECT ?r ?from ?type ?to ?own ?rev ?vf ?vu WHERE {
  ?r a vc:BusinessRelationship ; vc:fromActor ?from ; vc:toActor ?to ; vc:relationshipType ?type .
  OPTIONAL { ?r vc:ownershipShare ?own } OPTIONAL { ?r vc:revenueShare ?rev }
  OPTIONAL { ?r vc:validFrom ?vf } OPTIONAL { ?r vc:validUntil ?vu }
}"""
#: Reified relationships that carry attributes and stand beside their direct triple (the shapes
#: require the triple; a reified node without attributes adds nothing to the traversal).
REFERENCE_ATTRIBUTED = """SELECT ?r ?from ?type ?to ?own ?rev ?vf ?vu WHERE {
  ?r a vc:BusinessRelationship ; vc:fromActor ?from ; vc:toActor ?to ; vc:relationshipType ?type .
  OPTIONAL { ?r vc:ownershipShare ?own } OPTIONAL { ?r vc:revenueShare ?rev }
  OPTIONAL { ?r vc:validFrom ?vf } OPTIONAL { ?r vc:validUntil ?vu }
  FILTER(BOUND(?own) || BOUND(?rev) || BOUND(?vf) || BOUND(?vu))
  FILTER EXISTS { ?from ?type ?to }
}"""
REFERENCE_BARE = f"""SELECT ?a ?p ?b WHERE {{
  VALUES ?p {{ {_RELATION_VALUES} }} ?a ?p ?b
  FILTER NOT EXISTS {{ ?r a vc:BusinessRelationship ; vc:fromActor ?a ; vc:relationshipType ?p ;
                       vc:toActor ?b .
                       {{ ?r vc:ownershipShare ?x }} UNION {{ ?r vc:revenueShare ?x }} UNION
                       {{ ?r vc:validFrom ?x }} UNION {{ ?r vc:validUntil ?x }} }}
}}"""
REFERENCE_ACTORS = """SELECT ?a (MIN(?name) AS ?n) (MIN(?label) AS ?l) WHERE {
  ?a a vc:Actor . OPTIONAL { ?a schema:name ?name } OPTIONAL { ?a rdfs:label ?label }
} GROUP BY ?a"""
REFERENCE_ROLES = "SELECT ?a ?role WHERE { ?a a vc:Actor ; vc:role ?role }"
REFERENCE_INVOLVEMENTS = """SELECT ?actor ?impact ?mode ?conf WHERE {
  ?inv a vc:Involvement ; vc:actor ?actor ; vc:impact ?impact ; vc:mode ?mode .
  OPTIONAL { ?inv vc:confidence ?conf }
}"""


def _v(term: object) -> str | None:
    return None if term is None else term.value  # type: ignore[attr-defined]


def _in_force(vf: str | None, vu: str | None, as_of: str | None) -> bool:
    return as_of is None or ((vf is None or vf <= as_of) and (vu is None or vu >= as_of))


def reference_edges(store: GraphStore, as_of: str | None) -> Counter[tuple]:
    """Edges as the plain reading of DESIGN.md gives them, by IRI, with their attributes:
    one per direct triple, or one per attributed reified node beside it."""
    edges: Counter[tuple] = Counter()
    for row in store.select(REFERENCE_ATTRIBUTED):
        vf, vu = _v(row["vf"]), _v(row["vu"])
        if row["type"].value in _SLUGS and _in_force(vf, vu, as_of):
            own, rev = _v(row["own"]), _v(row["rev"])
            edges[
                (
                    row["from"].value,
                    _SLUGS[row["type"].value],
                    row["to"].value,
                    None if own is None else float(own),
                    None if rev is None else float(rev),
                    vf,
                    vu,
                    row["r"].value,
                )
            ] += 1
    for row in store.select(REFERENCE_BARE):
        edges[(row["a"].value, _SLUGS[row["p"].value], row["b"].value, *[None] * 5)] += 1
    return edges


def projected_edges(p: Projection) -> Counter[tuple]:
    return Counter(
        (
            p.iris[e.source],
            e.relation,
            p.iris[e.target],
            e.ownership_share,
            e.revenue_share,
            e.valid_from,
            e.valid_until,
            e.iri,
        )
        for e in p.edges
    )


def perturbed_synthetic_store(actors: int, seed: int) -> GraphStore:
    """A synthetic graph, then the shapes real data takes that synth does not produce.

    Some direct triples are dropped (invalid data: the reified node alone is not an edge), some
    bare triples
    are added (an edge with no attributes), some relationships get validity periods, one actor
    loses its schema:name (its rdfs:label stands in).
    """
    store = GraphStore()
    store.add(generate(actors, seed))
    rng = random.Random(seed)
    reified = list(store.select(REFERENCE_RELATIONSHIPS))
    removed, added = [], []
    for row in rng.sample(reified, min(5, len(reified))):
        removed.append(ox.Quad(row["from"], ox.NamedNode(row["type"].value), row["to"]))
    for row in rng.sample(reified, min(8, len(reified))):
        year = rng.choice(["2015", "2019", "2022"])
        added.append(ox.Quad(row["r"], ox.NamedNode(VC + "validFrom"), ox.Literal(f"{year}-01-01")))
        if rng.random() < 0.5:
            until = ox.Literal(f"{int(year) + 2}-12-31")
            added.append(ox.Quad(row["r"], ox.NamedNode(VC + "validUntil"), until))
    for _ in range(5):
        a, b = rng.randrange(actors), rng.randrange(actors)
        kind = rng.choice(list(vocab.RELATIONS.values()))
        added.append(
            ox.Quad(
                ox.NamedNode(f"{B}actor-{a}"), ox.NamedNode(kind), ox.NamedNode(f"{B}actor-{b}")
            )
        )
    unnamed = ox.NamedNode(f"{B}actor-{rng.randrange(actors)}")
    removed += list(
        store.oxigraph.quads_for_pattern(unnamed, ox.NamedNode("https://schema.org/name"), None)
    )
    store.remove(removed)
    store.add(added)
    return store


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), as_of=st.sampled_from([None, "2016-06-01", "2020-06-01"]))
def test_projection_equals_the_reference_query_set_on_perturbed_synthetic_graphs(
    seed: int, as_of: str | None
) -> None:
    store = perturbed_synthetic_store(300, seed)
    p = build_projection(store, as_of=as_of)

    assert projected_edges(p) == reference_edges(store, as_of)
    names = {row["a"].value: _v(row["n"]) or _v(row["l"]) for row in store.select(REFERENCE_ACTORS)}
    assert {p.iris[n]: p.names[n] for n in range(len(p)) if p.is_actor[n]} == names
    roles: dict[str, set[str]] = {}
    for row in store.select(REFERENCE_ROLES):
        roles.setdefault(row["a"].value, set()).add(vocab.slug_of(vocab.ROLES, row["role"].value))
    assert {p.iris[n]: set(p.roles[n]) for n in range(len(p)) if p.roles[n]} == roles
    involvements = Counter(
        (row["actor"].value, row["impact"].value, vocab.slug_of(vocab.MODES, row["mode"].value))
        for row in store.select(REFERENCE_INVOLVEMENTS)
    )
    assert (
        Counter((p.iris[i.actor], i.impact, i.mode) for v in p.involvements.values() for i in v)
        == involvements
    )


# --- linkage against the version-2 reference, over the networkx face too -------------------

NODES = [f"n{i}" for i in range(7)]
KINDS = ["supplies", "sells-to", "provides-data", "invests-in", "finances"]
ROLES = ["manufacturer", "manufacturer", "investor", "state-entity", "civil-society-organisation"]

edge_lists = st.lists(
    st.tuples(
        st.sampled_from(NODES),
        st.sampled_from(KINDS),
        st.sampled_from(NODES),
        st.sampled_from([(None, None), (None, None), ("2018-01-01", None)]),
    ),
    max_size=14,
    unique_by=lambda e: e[:3],
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edges=edge_lists,
    roles=st.lists(st.sampled_from(ROLES), min_size=len(NODES), max_size=len(NODES)),
    causes=st.sets(st.sampled_from(NODES), min_size=1, max_size=2),
    max_hops=st.integers(0, 6),
    as_of=st.sampled_from([None, "2016-06-01"]),
)
def test_linkage_agrees_with_the_reference_and_over_the_networkx_face(
    edges: list[tuple[str, str, str, tuple[str | None, str | None]]],
    roles: list[str],
    causes: set[str],
    max_hops: int,
    as_of: str | None,
) -> None:
    chain = Chain()
    for node, role in zip(NODES, roles, strict=True):
        chain.actor(node, None, role)
    kept = [(a, k, b, v) for a, k, b, v in edges if a != b]
    for a, kind, b, (valid_from, valid_until) in kept:
        chain.rel(a, kind, b, valid_from=valid_from, valid_until=valid_until)
    for cause in sorted(causes):
        chain.causes(cause, "harm")
    p = build_projection(chain.graph().store)
    found = linkage.linked_actors(p, B + "harm", max_hops, as_of)

    scenario = reference.Scenario(
        roles={n: (r,) for n, r in zip(NODES, roles, strict=True)},
        relationships=[
            reference.Rel(a, k, b, valid_from=f, valid_until=u) for a, k, b, (f, u) in kept
        ],
        involvements=[reference.Involvement(c, "cause") for c in sorted(causes)],
    )
    options = reference.Options(max_hops=max_hops, as_of=as_of)
    expected = reference.linked_actors(scenario, options)
    assert [p.ids[x.actor] for x in found] == reference.linked_order(expected)
    assert {p.ids[x.actor]: (x.hops, x.product_continuity) for x in found} == {
        a: (r.hops, r.product_continuity) for a, r in expected.items()
    }
    for x in found:
        steps = [
            (p.ids[p.edges[e].source], p.edges[e].relation, p.ids[p.edges[e].target])
            for e in x.path
        ]
        assert len(steps) == (0 if x.asserted else x.hops)
        assert not steps or reference.path_follows_the_rules(
            scenario, options, p.ids[x.actor], steps, x.product_continuity
        )
    assert linkage.linked_actors(p.to_networkx(), "harm", max_hops, as_of) == found


# --- leverage against networkx simple paths ----------------------------------------------------

STRENGTHS = [0.2, 0.5, 0.8, 1.0]  # few values, so equal products (ties) are common
leverage_lists = st.lists(
    st.tuples(st.sampled_from(NODES), st.sampled_from(NODES), st.sampled_from(STRENGTHS)),
    max_size=14,
)


def networkx_best(
    g: nx.MultiDiGraph, target: str, max_hops: int, linked: set[str]
) -> dict[str, tuple]:
    """Best (product, hops, path) per holder over every simple path of <= max_hops edges whose
    intermediaries are all linked; a holder not linked counts through its direct edge only."""
    lev = nx.DiGraph()
    for a, b, data in g.edges(data=True):
        if data["kind"] == "leverage":
            lev.add_edge(a, b, strength=data["strength"])
    best: dict[str, tuple] = {}
    if target not in lev:
        return best
    for holder in lev.nodes:
        if holder == target:
            continue
        inside = lev.subgraph(linked | {holder, target}) if holder in linked else None
        paths = (
            nx.all_simple_paths(inside, holder, target, cutoff=max_hops)
            if inside is not None
            else ([[holder, target]] if lev.has_edge(holder, target) else [])
        )
        for path in paths:
            product = 1.0
            for a, b in itertools.pairwise(path):
                product *= lev.edges[a, b]["strength"]
            key = (-round(product, 12), len(path) - 1, path)
            if holder not in best or key < best[holder]:
                best[holder] = key
    return {h: (-k[0], k[1], k[2]) for h, k in best.items()}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    raw=leverage_lists,
    target=st.sampled_from(NODES),
    max_hops=st.integers(1, 5),
    linked=st.sets(st.sampled_from(NODES)),
)
def test_leverage_agrees_with_networkx_simple_path_enumeration(
    raw: list[tuple[str, str, float]], target: str, max_hops: int, linked: set[str]
) -> None:
    chain = Chain().actor(target)
    for holder, tgt, strength in raw:
        if holder != tgt:
            chain.leverage(holder, tgt, strength, "contract-terms")
    p = build_projection(chain.graph().store)
    through = {p.index[B + n] for n in linked | {target} if B + n in p.index}
    found = best_paths_to(p.leverage, p.index[B + target], max_hops, through)

    expected = networkx_best(p.to_networkx(), target, max_hops, linked | {target})
    assert {
        p.ids[h]: (round(x.strength, 12), x.hops, [p.ids[n] for n in x.path])
        for h, x in found.items()
    } == expected


# --- remembered answers and the warm start ----------------------------------------------------


def test_a_repeated_question_is_answered_from_memory_until_the_store_changes(
    monkeypatch: object,
) -> None:
    kg = (
        Chain()
        .rel("mine", "supplies", "smelter", revenue=0.3)
        .rel("smelter", "supplies", "maker")
        .causes("mine", "harm")
        .impact("harm", "Harm")
        .graph()
    )
    calls = []
    original = linkage.linked_actors

    def counting(*args: object, **kwargs: object) -> list[linkage.Linkage]:
        calls.append(args)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(linkage, "linked_actors", counting)  # type: ignore[attr-defined]
    first = kg.linked_actors("harm")
    assert kg.linked_actors("harm") == first
    kg.leverage("harm")
    assert len(calls) == 1
    assert [a.id for a in kg.linked_actors("harm", limit=1, offset=1).actors] == ["smelter"]
    assert len(calls) == 1

    kg.store.update(f"INSERT DATA {{ <{B}maker> vc:sellsTo <{B}shop> }}")
    assert "shop" in {a.id for a in kg.linked_actors("harm").actors}
    assert len(calls) == 2


def test_a_changed_answer_object_does_not_change_the_next_answer() -> None:
    kg = Chain().rel("mine", "supplies", "maker").causes("mine", "harm").impact("harm").graph()
    answer = kg.linked_actors("harm")
    answer.impact.title = "scribbled over"
    answer.actors.clear()
    again = kg.linked_actors("harm")
    assert again.impact.title == "harm"
    assert [a.id for a in again.actors] == ["mine", "maker"]


def test_paging_holders_keeps_collective_leverage_over_all_holders() -> None:
    chain = Chain().causes("mine", "harm").impact("harm").initiative("rmi", "RMI")
    for n, strength in enumerate([0.5, 0.4, 0.3]):
        chain.leverage(f"buyer{n}", "mine", strength, "contract-terms").member(f"buyer{n}", "rmi")
    kg = chain.graph()
    whole = kg.leverage("harm").targets[0]
    paged = kg.leverage("harm", limit=1, offset=1).targets[0]
    assert [h.id for h in paged.holders] == ["buyer1"]
    assert paged.holders_total == whole.holders_total == 3
    assert paged.collective == whole.collective
    assert paged.coalition == whole.coalition


def test_the_server_builds_the_projection_as_it_starts() -> None:
    kg = Chain().rel("mine", "supplies", "maker").causes("mine", "harm").impact("harm").graph()
    with TestClient(create_app(kg)):
        deadline = time.monotonic() + 10
        while kg.projection_builds == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert kg.projection_builds == 1
    assert isinstance(kg, KnowledgeGraph)


# --- no SPARQL on the hot path ------------------------------------------------------------------


def _counting_graph() -> tuple[KnowledgeGraph, list[str]]:
    """Two impacts on one chain, and the list of every SPARQL query the store answers."""
    kg = (
        Chain()
        .rel("mine", "supplies", "smelter")
        .rel("smelter", "supplies", "maker")
        .causes("mine", "harm")
        .impact("harm", "Harm")
        .causes("smelter", "spill")
        .impact("spill", "Spill")
        .graph()
    )
    queries: list[str] = []
    original = kg.store.query

    def counting(sparql: str, **options: object) -> object:
        queries.append(sparql)
        return original(sparql, **options)

    kg.store.query = counting  # type: ignore[method-assign]
    return kg, queries


def test_questions_about_further_impacts_ask_the_store_nothing_once_warm() -> None:
    kg, queries = _counting_graph()
    kg.projection()
    first = kg.linked_actors("harm")
    assert first.impact.title == "Harm"
    queries.clear()
    spill = kg.linked_actors("spill")
    held = kg.leverage("spill")
    assert spill.impact.title == held.impact.title == "Spill"
    assert {a.id for a in spill.actors} == {"smelter", "maker", "mine"}
    assert queries == []


def test_an_unknown_impact_is_not_found_from_the_table_and_a_write_refreshes_it() -> None:
    kg, queries = _counting_graph()
    kg.linked_actors("harm")
    queries.clear()
    try:
        kg.linked_actors("nothing")
    except NotFound as exc:
        assert "nothing" in str(exc)
    else:
        raise AssertionError("an unknown impact must be NotFound")
    assert queries == []
    kg.store.update(f"INSERT DATA {{ <{B}nothing> a vc:AdverseImpact }}")
    assert kg.linked_actors("nothing").impact.title == "nothing"


def test_a_reified_relationship_without_its_direct_triple_is_not_an_edge() -> None:
    """The shapes require the direct triple beside every reified relationship
    (``vcsh:relationship-direct-triple``), so the projection reads edges from direct triples
    only and takes attributes from the reified nodes that carry them."""
    kg = (
        Chain()
        .rel("mine", "supplies", "smelter", revenue=0.4, valid_from="2020-01-01")
        .rel("smelter", "supplies", "maker", revenue=0.3)
        .graph()
    )
    kg.store.update(f"DELETE DATA {{ <{B}smelter> vc:supplies <{B}maker> }}")
    p = kg.projection()
    edges = [(p.ids[e.source], e.relation, p.ids[e.target]) for e in p.edges]
    assert edges == [("mine", "supplies", "smelter")]
    (edge,) = p.edges
    assert (edge.revenue_share, edge.valid_from) == (0.4, "2020-01-01")
    assert edge.iri == f"{B}relationship/mine--supplies--smelter"
    assert len(kg.projection("2019-06-01").edges) == 0
    assert p.names[p.index[f"{B}maker"]] == "maker"


def test_adjacency_lists_list_neighbours_in_id_order_then_relation() -> None:
    """Traversals meet neighbours in id order: the tie rule of the shortest explaining path."""
    store = perturbed_synthetic_store(300, 3)
    p = build_projection(store)
    for lists, end in (
        (p.flow_out, "target"),
        (p.financial_out, "target"),
        (p.flow_in, "source"),
        (p.financial_in, "source"),
    ):
        for lst in lists:
            keys = [(getattr(p.edges[e], end), p.edges[e].relation, e) for e in lst]
            assert keys == sorted(keys)
    assert [p.ids[n] for n in range(len(p))] == sorted(p.ids)
