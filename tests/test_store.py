"""The embedded store: atomic loads, errors that say where, revisions that say when."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from valuechain_kg.errors import InputError
from valuechain_kg.store import GraphStore, parse_rdf_file


def _good_turtle(n: int) -> str:
    return "".join(f"<urn:ex:s{i}> <urn:ex:p> {i} .\n" for i in range(n))


def test_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(_good_turtle(3) + '<urn:ex:s> <urn:ex:p> "unclosed .\n')
    with pytest.raises(InputError) as caught:
        parse_rdf_file(bad)
    problem = caught.value.problems[0]
    assert problem.location.file == str(bad)
    assert problem.location.line == 4
    assert problem.location.column is not None


def test_failed_load_leaves_disk_store_unchanged_across_reopening(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    store = GraphStore(store_dir)
    store.add([ox.Quad(ox.NamedNode("urn:ex:kept"), ox.NamedNode("urn:ex:p"), ox.Literal("x"))])
    before = sorted(str(q) for q in store.quads())
    bad = tmp_path / "bad.ttl"
    bad.write_text(_good_turtle(1000) + "<urn:ex:s> <urn:ex:p> .\n")
    with pytest.raises(InputError):
        store.add(parse_rdf_file(bad))
    assert sorted(str(q) for q in store.quads()) == before
    store.close()
    reopened = GraphStore(store_dir)
    assert sorted(str(q) for q in reopened.quads()) == before
    reopened.close()


def test_revision_changes_on_write_only() -> None:
    store = GraphStore()
    first = store.revision
    store.query("ASK { ?s ?p ?o }")
    assert store.revision == first
    store.update("INSERT DATA { <urn:ex:a> <urn:ex:p> 1 }")
    assert store.revision != first
    assert len(store) == 1


def test_unknown_extension_is_bad_input(tmp_path: Path) -> None:
    odd = tmp_path / "data.xyz"
    odd.write_text("hello")
    with pytest.raises(InputError, match="unknown RDF file extension"):
        parse_rdf_file(odd)


def test_parsing_reports_progress_in_chunks(tmp_path: Path) -> None:
    from valuechain_kg.graph import KnowledgeGraph

    big = tmp_path / "big.ttl"
    big.write_text(_good_turtle(25_000))
    seen: list[int] = []
    kg = KnowledgeGraph.open()
    added = kg.load([big], validate=False, on_progress=seen.append)
    assert added == 25_000
    assert seen == [10_000, 10_000]


def test_a_store_held_by_another_handle_is_reported_in_words(tmp_path: Path) -> None:
    from valuechain_kg.errors import StoreBusy

    first = GraphStore(tmp_path / "store")
    with pytest.raises(StoreBusy, match="in use by another process"):
        GraphStore(tmp_path / "store")
    first.close()


def test_counts_are_remembered_until_the_data_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    from valuechain_kg.graph import KnowledgeGraph

    kg = KnowledgeGraph.open()
    kg.store.update("INSERT DATA { vcid:a a vc:Actor }")
    from valuechain_kg.service import lookups

    count = lookups.graph_info
    calls: list[int] = []
    monkeypatch.setattr(lookups, "graph_info", lambda *a: calls.append(1) or count(*a))
    assert kg.info().actors == 1
    assert kg.info().actors == 1
    assert len(calls) == 1
    kg.store.update("DELETE DATA { vcid:a a vc:Actor }")
    assert kg.info().actors == 0
    assert len(calls) == 2


def test_a_bulk_load_keeps_the_count_so_a_later_process_does_not_scan_for_it(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data.nt"
    data.write_text("".join(f'<urn:ex:s{i}> <urn:ex:p> "x" .\n' for i in range(4)))
    store = GraphStore(tmp_path / "store")
    store.bulk_load(data)
    store.close()
    reopened = GraphStore(tmp_path / "store")
    # A raw write the handle cannot see: the kept count is what size() gives, so it did not
    # scan the store.
    reopened.oxigraph.add(
        ox.Quad(ox.NamedNode("urn:ex:raw"), ox.NamedNode("urn:ex:p"), ox.Literal("y"))
    )
    assert reopened.size() == 4


def test_the_count_is_kept_beside_a_disk_store_for_its_revision(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    store = GraphStore(store_dir)
    store.add(
        [
            ox.Quad(ox.NamedNode(f"urn:ex:s{i}"), ox.NamedNode("urn:ex:p"), ox.Literal("x"))
            for i in range(3)
        ]
    )
    assert store.size() == 3
    store.close()
    reopened = GraphStore(store_dir)
    # A raw write the handle cannot see: a count kept for the revision is taken, not recounted.
    reopened.oxigraph.add(
        ox.Quad(ox.NamedNode("urn:ex:raw"), ox.NamedNode("urn:ex:p"), ox.Literal("y"))
    )
    assert reopened.size() == 3
    reopened.add([ox.Quad(ox.NamedNode("urn:ex:new"), ox.NamedNode("urn:ex:p"), ox.Literal("z"))])
    assert reopened.size() == 5  # a new revision: counted again
