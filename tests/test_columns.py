"""The relationship edges of a projection, kept as columns, read like a list of edges."""

from __future__ import annotations

import pickle

import pytest

from valuechain_kg.analysis.columns import EdgeTable, RelationEdge

EDGES = [
    RelationEdge(0, 1, "supplies", False, revenue_share=0.4, iri="r1", products=(2,)),
    RelationEdge(1, 2, "invests-in", True, ownership_share=0.6, valid_from="2020-01-01"),
    RelationEdge(2, 0, "supplies", False, assertion="alleged"),
]


def test_a_table_reads_like_the_list_of_its_edges() -> None:
    table = EdgeTable(EDGES)
    assert len(table) == 3
    assert list(table) == EDGES
    assert table[1] == EDGES[1] and table[-1] == EDGES[-1]
    assert table[:2] == EDGES[:2]
    assert table == EDGES and table != EDGES[:2]
    assert EdgeTable() == [] and EdgeTable() != table
    assert table.target == [1, 2, 0]
    assert table.products == [(2,), (), ()]
    with pytest.raises(IndexError):
        table[3]


def test_a_copy_changes_without_changing_the_table_it_was_taken_from() -> None:
    table = EdgeTable(EDGES)
    copy = table.copy()
    added = RelationEdge(2, 1, "buys-from", False)
    copy.append(added)
    copy[0] = EDGES[2]
    assert copy.pop() == added
    assert list(copy) == [EDGES[2], EDGES[1], EDGES[2]]
    assert list(table) == EDGES
    assert table != copy


def test_a_table_pickles_as_its_columns_and_comes_back_equal() -> None:
    table = EdgeTable(EDGES)
    data = pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL)
    assert b"RelationEdge" not in data  # no object per edge
    back = pickle.loads(data)
    assert isinstance(back, EdgeTable) and back == table
    assert back.iri == ["r1", None, None]


def test_parts_taken_by_number_are_a_table_of_their_own() -> None:
    from valuechain_kg.analysis.columns import LeveragePart, PartTable
    from valuechain_kg.analysis.leverage import LeverageEdge

    edge = LeverageEdge(0.5, ("ownership",), (), False)
    rows = [LeveragePart(n, n + 1, edge, None if n % 2 else n, "reported") for n in range(5)]
    table = PartTable(rows)
    taken = table.taken([4, 1])
    assert list(taken) == [rows[4], rows[1]]
    taken.relation[0] = 9
    assert table.relation[4] == 4
    taken.extend(rows[:1])
    assert len(taken) == 3 and taken[2] == rows[0]
    assert PartTable() != EdgeTable()  # empty, but tables of different rows
