"""Synthetic value chains: deterministic, shaped like real ones, and true to the RDF contract."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from valuechain_kg.datasets.synthetic import MIN_ACTORS, generate, rows, write
from valuechain_kg.namespaces import VC

SUPPLY = (VC + "supplies", VC + "sellsTo")


def _store(actors: int, seed: int) -> ox.Store:
    store = ox.Store()
    store.extend(generate(actors, seed))
    return store


def _select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    prefixed = f"PREFIX vc: <{VC}>\n" + query
    return [tuple(term.value for term in solution) for solution in store.query(prefixed)]


@pytest.fixture(scope="module")
def chain_2k() -> ox.Store:
    return _store(2000, seed=11)


def test_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.nt", tmp_path / "b.nt", tmp_path / "c.nt"
    write(500, 3, first)
    write(500, 3, second)
    write(500, 4, other)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_csv_bundle_is_deterministic_and_has_a_header_per_file(tmp_path: Path) -> None:
    write(300, 5, tmp_path / "one", fmt="csv")
    write(300, 5, tmp_path / "two", fmt="csv")
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert "actors.csv" in names and "relationships.csv" in names
    for name in names:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    header = (tmp_path / "one" / "actors.csv").read_text().splitlines()[0]
    assert header.split(",")[:3] == ["id", "name", "role"]


def test_ntriples_file_and_generated_quads_are_the_same_graph(tmp_path: Path) -> None:
    path = tmp_path / "g.nt"
    summary = write(400, 9, path)
    from_file = ox.Store()
    from_file.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    generated = _store(400, 9)
    assert len(from_file) == len(generated) == summary.triples
    assert set(from_file) == set(generated)


def test_supply_chains_are_five_to_eight_tiers_deep(chain_2k: ox.Store) -> None:
    edges = _select(chain_2k, "SELECT ?s ?o WHERE { ?s vc:supplies|vc:sellsTo ?o }")
    graph = nx.DiGraph(edges)
    assert nx.is_directed_acyclic_graph(graph)
    # A path of k edges spans k + 1 tiers.
    assert 4 <= nx.dag_longest_path_length(graph) <= 7
    producer_query = "SELECT ?s WHERE { ?s vc:role vc:role-raw-material-producer }"
    producers = {s for (s,) in _select(chain_2k, producer_query)}
    end_query = (
        "SELECT ?s WHERE { ?s vc:role ?r "
        "FILTER(?r IN (vc:role-retailer, vc:role-user-enterprise)) }"
    )
    ends = {s for (s,) in _select(chain_2k, end_query)}
    depths: Counter[int] = Counter()
    for end in ends:
        upstream = nx.ancestors(graph, end)
        assert upstream & producers, "every retailer or user sources from a raw-material producer"
        depths[max(nx.shortest_path_length(graph, p, end) for p in upstream & producers)] += 1
    assert min(depths) >= 4 and max(depths) <= 7


def test_customers_per_supplier_are_heavy_tailed(chain_2k: ox.Store) -> None:
    edges = _select(chain_2k, "SELECT ?s ?o WHERE { ?s vc:supplies|vc:sellsTo ?o }")
    customers = Counter(s for s, _ in edges)
    degrees = list(customers.values())
    assert max(degrees) >= 10 * statistics.median(degrees)


def test_about_one_impact_per_fifty_actors_each_with_a_cause(chain_2k: ox.Store) -> None:
    impacts = _select(chain_2k, "SELECT ?i WHERE { ?i a vc:AdverseImpact }")
    assert len(impacts) == 2000 // 50
    uncaused = _select(
        chain_2k,
        "SELECT ?i WHERE { ?i a vc:AdverseImpact "
        "FILTER NOT EXISTS { ?v vc:impact ?i ; vc:mode vc:Cause ; a vc:Involvement } }",
    )
    assert uncaused == []
    contributions = _select(chain_2k, "SELECT ?v WHERE { ?v vc:mode vc:Contribution }")
    assert contributions, "some impacts have contributors"


def test_investors_form_ownership_chains_and_cross_holdings(chain_2k: ox.Store) -> None:
    chains = _select(
        chain_2k, "SELECT ?a ?b ?c WHERE { ?a vc:investsIn ?b . ?b vc:investsIn ?c . }"
    )
    assert chains, "a fund holds an investor that holds a company"
    mutual = _select(chain_2k, "SELECT ?a ?b WHERE { ?a vc:investsIn ?b . ?b vc:investsIn ?a }")
    assert mutual, "some investors hold each other"
    financed = _select(chain_2k, "SELECT ?a WHERE { ?a vc:finances ?b }")
    asserted = _select(chain_2k, "SELECT ?l WHERE { ?l a vc:Leverage ; vc:strength ?s }")
    members = _select(chain_2k, "SELECT ?a WHERE { ?a vc:memberOf ?i . ?i a vc:Initiative }")
    assert financed and asserted and members


def test_every_relationship_is_reified_beside_its_direct_triple(chain_2k: ox.Store) -> None:
    missing = _select(
        chain_2k,
        "SELECT ?r WHERE { ?r a vc:BusinessRelationship ; vc:fromActor ?a ; vc:toActor ?b ; "
        "vc:relationshipType ?p FILTER NOT EXISTS { ?a ?p ?b } }",
    )
    assert missing == []
    reified = _select(chain_2k, "SELECT ?r WHERE { ?r a vc:BusinessRelationship }")
    assert reified[0][0].startswith("https://w3id.org/valuechain/id/relationship/")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actors=st.integers(MIN_ACTORS, 600), seed=st.integers(0, 2**32))
def test_any_seed_gives_consistent_rows(actors: int, seed: int) -> None:
    owned: defaultdict[str, float] = defaultdict(float)
    ids: Counter[str] = Counter()
    keys: Counter[tuple[str, ...]] = Counter()
    caused: set[str] = set()
    impacts: set[str] = set()
    for kind, row in rows(actors, seed):
        if kind in ("actors", "impacts", "initiatives"):
            ids[row["id"]] += 1
        if kind == "impacts":
            impacts.add(row["id"])
        if kind == "involvements" and row["mode"] == "cause":
            caused.add(row["impact"])
        if kind == "relationships":
            keys[("rel", row["source"], row["type"], row["target"])] += 1
            if row.get("ownership_share"):
                owned[row["target"]] += float(row["ownership_share"])
                assert 0 < float(row["ownership_share"]) <= 1
        if kind == "leverage":
            keys[("lev", row["holder"], row["target"], row["basis"])] += 1
            assert 0 < float(row["strength"]) <= 1
    assert sum(1 for i in ids if i.startswith("actor-")) == actors
    assert max(ids.values()) == 1 and max(keys.values()) == 1, "no id or row key twice"
    assert all(total <= 1 + 1e-9 for total in owned.values()), "nobody owns more than all"
    assert impacts == caused


def test_too_few_actors_is_refused() -> None:
    with pytest.raises(ValueError):
        list(rows(MIN_ACTORS - 1, 0))


def test_csv_bundle_read_by_the_ingest_is_the_ntriples_graph(tmp_path: Path) -> None:
    from valuechain_kg.ingest.csv_bundle import read_bundle

    write(700, 21, tmp_path / "bundle", fmt="csv")
    write(700, 21, tmp_path / "graph.nt")
    from_csv = ox.Store()
    from_csv.extend(read_bundle(tmp_path / "bundle").quads)
    from_nt = ox.Store()
    from_nt.bulk_load(path=str(tmp_path / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    only_csv = set(from_csv) - set(from_nt)
    only_nt = set(from_nt) - set(from_csv)
    assert (sorted(map(str, only_csv))[:5], sorted(map(str, only_nt))[:5]) == ([], [])


def test_a_thousand_actors_conform_to_the_shapes_without_a_single_result() -> None:
    from valuechain_kg.validation.reference import validate

    report = validate(generate(1000, seed=13))
    assert report.conforms
    assert [r.message for r in report.results][:3] == []
