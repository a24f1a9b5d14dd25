"""The notebook helpers: answers as DataFrames and the pictures of the two questions."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
from chains import Chain, cobalt_chain, surveillance_chain
from matplotlib.figure import Figure

from valuechain_kg.models import HypotheticalMembership
from valuechain_kg.notebook import (
    COLLECTIVE_COLUMNS,
    HOLDER_COLUMNS,
    IMPACT_COLUMNS,
    LINKED_COLUMNS,
    MODE_LABELS,
    chapter_of,
    collective_frame,
    compact_ids,
    demo_graph,
    draw_heatmap,
    draw_impact,
    draw_leverage,
    find_project_root,
    impact_subgraph,
    leverage_change,
    to_frame,
)


def mixed_chain() -> Chain:
    """A cause, a contributor, an upstream supplier, an investor, and leverage over the cause."""
    return (
        cobalt_chain()
        .involved("trader", "child-labour-katanga", "contribution")
        .actor("outsider", "Unrelated firm")
        .leverage("refiner", "mine", 0.4, "commercial-importance")
        .leverage("carmaker", "refiner", 0.5, "contract-terms")
        .leverage("ngo-funder", "mine", 0.3, "financing")
        .initiative("rmi", "Responsible Minerals Initiative")
        .member("refiner", "rmi")
        .member("ngo-funder", "rmi")
    )


def _actor_markers(fig: Figure) -> dict[str, int]:
    """Markers drawn per involvement mode, read back from the figure's node collections."""
    found: dict[str, int] = {}
    for artist in fig.axes[0].collections:
        gid = artist.get_gid() or ""
        if gid.startswith("actors:"):
            found[gid.removeprefix("actors:")] = len(artist.get_offsets())
    return found


def _legend_texts(fig: Figure, axis: int = 0) -> list[str]:
    legend = fig.axes[axis].get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


def test_linked_actors_frame_has_one_row_per_actor_with_the_documented_columns() -> None:
    kg = mixed_chain().graph()
    answer = kg.linked_actors("child-labour-katanga")
    frame = to_frame(answer)
    assert list(frame.columns) == list(LINKED_COLUMNS)
    assert list(frame["id"]) == [a.id for a in answer.actors]
    row = frame.set_index("id").loc["carmaker"]
    assert row["involvement"] == "direct-linkage"
    assert row["hops"] == 4
    assert row["path"] == (
        "mine -supplies-> trader -supplies-> refiner -supplies-> cellmaker -supplies-> carmaker"
    )


def test_leverage_frame_lists_each_holder_of_each_target_strongest_first() -> None:
    kg = mixed_chain().graph()
    frame = to_frame(kg.leverage("child-labour-katanga"))
    assert list(frame.columns) == list(HOLDER_COLUMNS)
    assert set(frame["target"]) == {"mine"}
    assert list(frame["holder"]) == ["refiner", "ngo-funder", "carmaker"]
    carmaker = frame.set_index("holder").loc["carmaker"]
    assert carmaker["strength"] == pytest.approx(0.2)
    assert carmaker["path"] == "carmaker -contract-terms-> refiner -commercial-importance-> mine"


def test_collective_frame_shows_initiatives_and_the_smallest_coalition() -> None:
    kg = mixed_chain().graph()
    frame = collective_frame(kg.leverage("child-labour-katanga", threshold=0.5))
    assert list(frame.columns) == list(COLLECTIVE_COLUMNS)
    rmi = frame.set_index("initiative").loc["rmi"]
    assert rmi["strength"] == pytest.approx(1 - 0.6 * 0.7)
    coalition = frame.set_index("initiative").loc["(smallest coalition)"]
    assert coalition["members"] == "refiner, ngo-funder"


def test_leverage_change_reports_only_what_a_what_if_changed() -> None:
    kg = mixed_chain().graph()
    before = kg.leverage("child-labour-katanga")
    after = kg.leverage_what_if(
        "child-labour-katanga",
        extra_memberships=[HypotheticalMembership(actor="carmaker", initiative="rmi")],
    )
    change = leverage_change(before, after)
    assert list(zip(change["kind"], change["id"], strict=True)) == [("initiative", "rmi")]
    row = change.iloc[0]
    assert row["after"] == pytest.approx(1 - 0.6 * 0.7 * 0.8)
    assert row["change"] == pytest.approx(row["after"] - row["before"])


def test_impact_list_frame_shows_the_severity_level_and_names_the_guidelines_chapter() -> None:
    kg = mixed_chain().graph()
    frame = to_frame(kg.impacts())
    assert list(frame.columns) == list(IMPACT_COLUMNS)
    row = frame.iloc[0]
    # An impact is as severe as its most severe characteristic (UNGP 14 commentary).
    assert (row["severity"], row["chapter"]) == (4, "employment")


def test_sparql_results_become_typed_columns_from_the_store_and_from_json() -> None:
    kg = mixed_chain().graph()
    query = "SELECT ?i (COUNT(?x) AS ?n) WHERE { ?x vc:impact ?i } GROUP BY ?i"
    frame = to_frame(kg.sparql(query))
    assert list(frame.columns) == ["i", "n"]
    assert frame["n"].tolist() == [2]
    document = {
        "head": {"vars": ["a", "s"]},
        "results": {
            "bindings": [
                {"a": {"type": "uri", "value": "https://x/a"}},
                {
                    "s": {
                        "type": "literal",
                        "value": "0.25",
                        "datatype": "http://www.w3.org/2001/XMLSchema#decimal",
                    }
                },
            ]
        },
    }
    frame = to_frame(document)
    assert frame["a"].tolist()[0] == "https://x/a"
    assert frame["s"].tolist()[1] == pytest.approx(0.25)


def test_to_frame_refuses_what_it_cannot_tabulate() -> None:
    with pytest.raises(TypeError, match="int"):
        to_frame(3)


def test_chapter_of_maps_narrower_categories_to_their_mne_chapter() -> None:
    assert chapter_of("climate-change") == "environment"
    assert chapter_of("privacy") == "human-rights"
    assert chapter_of("taxation") == "taxation"
    assert chapter_of(None) is None


def test_subgraph_holds_the_linked_actors_their_relationships_and_the_impact() -> None:
    kg = mixed_chain().graph()
    graph = impact_subgraph(kg, "child-labour-katanga")
    actors = {n for n, d in graph.nodes(data=True) if d["kind"] == "actor"}
    linked = {a.id for a in kg.linked_actors("child-labour-katanga").actors}
    assert actors == linked
    assert "outsider" not in graph
    assert graph.has_edge("fund", "carmaker", key="invests-in")
    assert graph.has_edge("mine", "child-labour-katanga", key="cause")
    assert graph.has_edge("trader", "child-labour-katanga", key="contribution")


def test_impact_figure_draws_one_marker_per_linked_actor_coloured_by_mode() -> None:
    kg = mixed_chain().graph()
    fig = draw_impact(kg, "child-labour-katanga")
    answer = kg.linked_actors("child-labour-katanga")
    markers = _actor_markers(fig)
    assert sum(markers.values()) == answer.total
    by_mode: dict[str, int] = {}
    for a in answer.actors:
        by_mode[a.involvement] = by_mode.get(a.involvement, 0) + 1
    assert markers == by_mode


def test_impact_legend_has_an_entry_per_mode_present_and_per_edge_kind() -> None:
    fig = draw_impact(mixed_chain().graph(), "child-labour-katanga")
    texts = _legend_texts(fig)
    for mode in ("cause", "contribution", "direct-linkage"):
        assert any(t.startswith(MODE_LABELS[mode]) for t in texts), mode
    assert "invests in / finances" in texts
    assert "supplies / serves (flow)" in texts

    only_cause = draw_impact(surveillance_chain().graph(), "journalist-surveillance")
    texts = _legend_texts(only_cause)
    assert not any(t.startswith(MODE_LABELS["contribution"]) for t in texts)
    assert "invests in / finances" not in texts


def test_impact_figure_labels_every_actor_by_name() -> None:
    fig = draw_impact(surveillance_chain().graph(), "journalist-surveillance")
    labels = {t.get_text() for t in fig.axes[0].texts}
    assert {"State security agency", "Spyware vendor", "Cloud host", "Chip maker"} <= labels


def test_leverage_figure_ranks_holders_and_shows_collective_leverage() -> None:
    kg = mixed_chain().graph()
    fig = draw_leverage(kg, "child-labour-katanga")
    left, right = fig.axes[0], fig.axes[1]
    widths = [bar.get_width() for bar in left.patches]
    assert widths == sorted(widths, reverse=True)
    assert len(widths) == 3
    names = [t.get_text() for t in right.get_yticklabels()]
    assert names[0] == "Responsible Minerals Initiative"
    assert names[-1].startswith("smallest coalition")


def test_leverage_figure_of_an_impact_without_cause_says_so() -> None:
    kg = mixed_chain().impact("orphan", "No known cause").graph()
    fig = draw_leverage(kg, "orphan")
    assert any("No entity is known to cause" in t.get_text() for t in fig.axes[0].texts)


def test_heatmap_annotates_each_non_zero_cell() -> None:
    import pandas as pd

    table = pd.DataFrame([[1, 0], [2, 3]], index=["a", "b"], columns=["x", "y"])
    fig = draw_heatmap(table, title="t")
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["1", "2", "3"]


def test_project_root_is_found_from_the_notebooks_folder(root) -> None:  # type: ignore[no-untyped-def]
    assert find_project_root(root / "notebooks") == root
    with pytest.raises(FileNotFoundError):
        find_project_root(root.anchor)


def test_demo_graph_loads_the_bundled_cases(root) -> None:  # type: ignore[no-untyped-def]
    kg = demo_graph(root)
    assert kg.info().impacts > 0


def test_compact_ids_shortens_only_iris_under_the_base() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {"a": ["https://w3id.org/valuechain/id/mine", "https://other.org/x"], "n": [1, 2]}
    )
    short = compact_ids(frame)
    assert short["a"].tolist() == ["mine", "https://other.org/x"]
    assert short["n"].tolist() == [1, 2]
    assert frame["a"].tolist()[0].startswith("https://")
