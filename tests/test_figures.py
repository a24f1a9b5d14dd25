"""The notebook pictures read on a code host: enough dots, whole labels, no edge along a column."""

from __future__ import annotations

from pathlib import Path

import pytest

from valuechain_kg.graph import KnowledgeGraph
from valuechain_kg.notebook import figures

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
IMPACT = "cobalt-child-labour-drc"


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return KnowledgeGraph.open(data=[CASES])


def _texts(fig: object) -> list[str]:
    found = [t.get_text() for t in fig.findobj(match=lambda a: hasattr(a, "get_text"))]  # type: ignore[attr-defined]
    return [" ".join(t.split()) for t in found if t]


def test_every_figure_has_a_readable_resolution(kg: KnowledgeGraph) -> None:
    assert figures.FIGURE_DPI >= 150
    for fig in (figures.draw_impact(kg, IMPACT), figures.draw_leverage(kg, IMPACT)):
        assert fig.dpi >= 150


def test_impact_labels_are_whole_names(kg: KnowledgeGraph) -> None:
    fig = figures.draw_impact(kg, IMPACT)
    texts = _texts(fig)
    assert not any(t.endswith("…") for t in texts)
    for actor in kg.linked_actors(IMPACT).actors:
        assert actor.name in texts, actor.name


def test_leverage_labels_are_whole_names(kg: KnowledgeGraph) -> None:
    texts = " | ".join(_texts(figures.draw_leverage(kg, IMPACT)))
    assert "…" not in texts
    answer = kg.leverage(IMPACT)
    for target in answer.targets:
        for holder in target.holders[:5]:
            assert holder.name in texts


def test_no_relationship_runs_along_a_column_of_the_impact_picture(kg: KnowledgeGraph) -> None:
    graph = figures.impact_subgraph(kg, IMPACT)
    layers = figures._layers(graph, IMPACT)
    drawn = [(u, v) for u, v, d in graph.edges(data=True) if d["kind"] in ("flow", "financial")]
    assert drawn
    assert all(layers[u] != layers[v] for u, v in drawn)
    direct = [n for n, d in graph.nodes(data=True) if d.get("involvement") == "direct-linkage"]
    assert len({layers[n] for n in direct}) > 1
