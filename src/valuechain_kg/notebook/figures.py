"""Pictures of the two questions: the value chain around an impact, and who holds leverage.

Figures are built on :class:`matplotlib.figure.Figure` directly, not through ``pyplot``: nothing
global is touched, a figure returned as a cell's last value is shown once, and the functions run
the same under the ``Agg`` backend of the tests.
"""

from __future__ import annotations

import textwrap
from collections import deque
from datetime import date
from typing import Any

import networkx as nx
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from valuechain_kg import vocabulary as vocab
from valuechain_kg.graph import KnowledgeGraph
from valuechain_kg.models import (
    LeverageAnswer,
)

__all__ = [
    "EDGE_STYLES",
    "FIGURE_DPI",
    "MODE_COLOURS",
    "MODE_LABELS",
    "draw_heatmap",
    "draw_impact",
    "draw_leverage",
    "impact_subgraph",
]

#: One colour per involvement mode (colour-blind safe: Okabe-Ito red, orange and blue).
MODE_COLOURS: dict[str, str] = {
    "cause": "#D55E00",
    "contribution": "#E69F00",
    "direct-linkage": "#0072B2",
}
MODE_LABELS: dict[str, str] = {
    "cause": "causes",
    "contribution": "contributes to",
    "direct-linkage": "directly linked",
}
#: Resolution of every figure: sharp on a high-density screen and on a code host's page.
FIGURE_DPI = 150

_IMPACT_COLOUR = "#444444"
_ASSERTED_OUTLINE = "#000000"
_NO_MODE_COLOUR = "#999999"

#: Line style per kind of edge in :func:`draw_impact`: goods, services, data or technology flow;
#: money (investment, finance); and the asserted involvement of an actor in the impact.
EDGE_STYLES: dict[str, dict[str, Any]] = {
    "flow": {"style": "solid", "colour": "#333333", "label": "supplies / serves (flow)"},
    "financial": {"style": "dashed", "colour": "#009E73", "label": "invests in / finances"},
    "involvement": {"style": "dotted", "colour": "#D55E00", "label": "asserted involvement"},
}


# --- the subgraph around an impact ----------------------------------------------------------------


def impact_subgraph(
    kg: KnowledgeGraph,
    impact: str,
    max_hops: int = 6,
    as_of: date | str | None = None,
) -> nx.MultiDiGraph:
    """Every actor linked to ``impact``, the relationships among them, and the impact itself.

    Actor nodes carry ``kind="actor"``, ``name``, ``involvement`` (mode), ``hops`` and
    ``asserted``; the impact node (keyed by its id) has ``kind="impact"``. Edges are the flow and
    financial relationships between linked actors (``kind`` ``flow`` or ``financial``, key the
    relation slug) and one ``kind="involvement"`` edge from each asserted involvement to the
    impact.
    """
    linked = kg.linked_actors(impact, max_hops=max_hops, as_of=as_of)
    graph = nx.MultiDiGraph()
    for a in linked.actors:
        graph.add_node(
            a.id,
            kind="actor",
            name=a.name,
            involvement=a.involvement,
            hops=a.hops,
            asserted=a.asserted,
        )
    whole = kg.projection(as_of).to_networkx()
    for u, v, key, data in whole.edges(keys=True, data=True):
        if data.get("kind") in ("flow", "financial") and u in graph and v in graph:
            graph.add_edge(u, v, key=key, kind=data["kind"], relation=key)
    graph.add_node(linked.impact.id, kind="impact", name=linked.impact.title)
    for a in linked.actors:
        if a.asserted:
            graph.add_edge(a.id, linked.impact.id, key=a.involvement, kind="involvement")
    return graph


def _layers(graph: nx.MultiDiGraph, impact_id: str) -> dict[str, int]:
    """Layer 0 is the impact, layer 1 its causes and contributors, then each actor by how many
    relationships separate it from them in the picture.

    Counting relationships drawn (either direction) rather than an actor's own ``hops`` puts
    the two ends of every relationship in different layers, so no edge runs along a column
    through the labels there. An actor no drawn relationship reaches (an asserted direct
    linkage the data gives no path for) gets a column of its own after the others.
    """
    layers = {impact_id: 0}
    actors = [n for n, d in graph.nodes(data=True) if d.get("kind") == "actor"]
    first = [n for n in actors if graph.nodes[n]["involvement"] in ("cause", "contribution")]
    relations = nx.Graph()
    relations.add_nodes_from(actors)
    relations.add_edges_from(
        (u, v) for u, v, d in graph.edges(data=True) if d["kind"] in ("flow", "financial")
    )
    _spread(relations, first, 1, layers)
    last = max(layers.values()) + 1
    for node in sorted(actors):
        if node not in layers:
            _spread(relations, [node], last, layers)
    return layers


def _spread(relations: nx.Graph, start: list[str], layer: int, layers: dict[str, int]) -> None:
    """Breadth first from ``start`` (placed at ``layer``): each actor one layer past its parent."""
    queue = deque(start)
    for node in start:
        layers[node] = layer
    while queue:
        node = queue.popleft()
        for other in sorted(relations[node]):
            if other not in layers:
                layers[other] = layers[node] + 1
                queue.append(other)


def _positions(graph: nx.MultiDiGraph, layers: dict[str, int]) -> dict[str, tuple[float, float]]:
    """Left to right by layer; inside a layer near the neighbours already placed, spread top
    to bottom (ties by mode rank, then id), so edges between columns cross as little as may be.
    """
    by_layer: dict[int, list[str]] = {}
    for node, layer in layers.items():
        by_layer.setdefault(layer, []).append(node)
    pos: dict[str, tuple[float, float]] = {}
    undirected = graph.to_undirected(as_view=True)
    for layer in sorted(by_layer):
        nodes = by_layer[layer]

        def order(n: str) -> tuple[float, int, str]:
            placed = [pos[m][1] for m in undirected[n] if m in pos and m != n]
            centre = -sum(placed) / len(placed) if placed else 0.0
            rank = vocab.MODE_RANK.get(graph.nodes[n].get("involvement", ""), 3)
            return (centre, rank, n)

        nodes.sort(key=order)
        count = len(nodes)
        for k, node in enumerate(nodes):
            y = (count - 1) / 2 - k if count > 1 else 0.0
            pos[node] = (float(layer), y)
    return pos


def _wrap(text: str, width: int = 24) -> str:
    """A label broken into lines of about ``width`` characters; never cut short."""
    return textwrap.fill(text, width=width, break_long_words=False, break_on_hyphens=False)


def draw_impact(
    kg: KnowledgeGraph,
    impact: str,
    max_hops: int = 6,
    as_of: date | str | None = None,
) -> Figure:
    """The value chain around an impact: who causes, contributes to or is linked to it.

    Actors are coloured by involvement mode (MNE Guidelines, Chapter II and its commentary),
    placed left to right by how many business relationships separate them from the entity that
    causes the impact; solid arrows are flows of goods, services, data or technology, dashed
    arrows are investment and finance, dotted arrows are involvements asserted by a source.
    Returns the figure (one marker per linked actor, plus one for the impact).
    """
    graph = impact_subgraph(kg, impact, max_hops=max_hops, as_of=as_of)
    impact_id = next(n for n, d in graph.nodes(data=True) if d["kind"] == "impact")
    layers = _layers(graph, impact_id)
    pos = _positions(graph, layers)
    tallest = max(list(layers.values()).count(v) for v in set(layers.values()))
    width = 3.2 * (max(layers.values()) + 1) + 1.5
    fig = Figure(
        figsize=(min(width, 18), min(1.2 + 0.8 * tallest, 16)),
        layout="constrained",
        dpi=FIGURE_DPI,
    )
    ax = fig.add_subplot()
    ax.set_axis_off()

    # An involvement edge is drawn from the column next to the impact only; further out it
    # would cross every column's labels, so an asserted actor there is outlined instead.
    drawn_edges = {
        kind: [
            (u, v)
            for u, v, d in graph.edges(data=True)
            if d["kind"] == kind and (kind != "involvement" or layers[u] == 1)
        ]
        for kind in EDGE_STYLES
    }
    for kind, style in EDGE_STYLES.items():
        edges = drawn_edges[kind]
        if edges:
            collection = nx.draw_networkx_edges(
                graph,
                pos,
                edgelist=edges,
                ax=ax,
                style=style["style"],
                edge_color=style["colour"],
                arrows=True,
                arrowsize=10,
                width=1.0,
                node_size=260,
                connectionstyle="arc3,rad=0.08",
            )
            for artist in collection if isinstance(collection, list) else [collection]:
                artist.set_gid(f"edges:{kind}")

    handles: list[Any] = []
    for mode, colour in MODE_COLOURS.items():
        nodes = [n for n, d in graph.nodes(data=True) if d.get("involvement") == mode]
        if not nodes:
            continue
        outlined = [
            _ASSERTED_OUTLINE if graph.nodes[n]["asserted"] and layers[n] > 1 else colour
            for n in nodes
        ]
        drawn = nx.draw_networkx_nodes(
            graph,
            pos,
            nodelist=nodes,
            node_color=colour,
            node_size=260,
            edgecolors=outlined,
            linewidths=1.8,
            ax=ax,
        )
        drawn.set_gid(f"actors:{mode}")
        handles.append(Patch(color=colour, label=f"{MODE_LABELS[mode]} ({len(nodes)})"))
    marker = nx.draw_networkx_nodes(
        graph, pos, nodelist=[impact_id], node_color=_IMPACT_COLOUR, node_shape="D", ax=ax
    )
    marker.set_gid("impact")
    handles.append(
        Line2D([], [], marker="D", color=_IMPACT_COLOUR, linestyle="none", label="the impact")
    )
    for kind, style in EDGE_STYLES.items():
        if drawn_edges[kind]:
            handles.append(
                Line2D(
                    [], [], color=style["colour"], linestyle=style["style"], label=style["label"]
                )
            )
    if any(graph.nodes[n].get("asserted") and layers[n] > 1 for n in layers if n != impact_id):
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                color="#FFFFFF",
                markeredgecolor=_ASSERTED_OUTLINE,
                markeredgewidth=1.8,
                linestyle="none",
                label="involvement asserted by a source (outlined)",
            )
        )

    for node, (x, y) in pos.items():
        data = graph.nodes[node]
        text = _wrap(data["name"], 30 if node == impact_id else 24)
        ax.annotate(
            text,
            (x, y),
            xytext=(0, 7),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=7,
            fontweight="bold" if node == impact_id else "normal",
        )
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.7, max(xs) + 0.7)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.9)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    ax.set_title(_wrap(graph.nodes[impact_id]["name"], 90), fontsize=10)
    return fig


# --- leverage -------------------------------------------------------------------------------------


def draw_leverage(
    kg: KnowledgeGraph,
    impact: str,
    threshold: float = 0.5,
    answer: LeverageAnswer | None = None,
    top: int = 12,
) -> Figure:
    """Holders of leverage over each causing entity, ranked, with initiatives' collective leverage.

    One row of panels per entity that causes the impact: on the left its holders as horizontal
    bars (strongest on top, coloured by the holder's own involvement, hatched when the leverage
    runs through a chain of others), on the right each initiative's collective strength and the
    smallest coalition reaching ``threshold`` (UNGP 19 commentary: leverage can be built and used
    together). Pass ``answer`` to draw a what-if answer instead of the stored graph's.
    """
    found = answer if answer is not None else kg.leverage(impact, threshold=threshold)
    targets = found.targets
    rows = max(len(targets), 1)
    tallest = max([min(len(t.holders), top) for t in targets] + [3])
    fig = Figure(figsize=(12, rows * (0.9 + 0.42 * tallest)), layout="constrained", dpi=FIGURE_DPI)
    if not targets:
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, found.note or "no causing entity", ha="center", wrap=True)
        return fig
    axes = fig.subplots(rows, 2, squeeze=False, width_ratios=[3, 2])
    for (left, right), target in zip(axes, targets, strict=True):
        _holder_bars(left, target, top)
        _collective_bars(right, target, threshold)
    fig.suptitle(_wrap(found.impact.title, 100), fontsize=10)
    return fig


def _holder_bars(ax: Any, target: Any, top: int) -> None:
    holders = list(target.holders)[:top]
    labels = [_wrap(h.name, 32) for h in holders]
    colours = [MODE_COLOURS.get(h.involvement or "", _NO_MODE_COLOUR) for h in holders]
    bars = ax.barh(range(len(holders)), [h.strength for h in holders], color=colours)
    for bar, h in zip(bars, holders, strict=True):
        if h.hops > 1:
            bar.set_hatch("//")
            bar.set_edgecolor("white")
        ax.annotate(
            f"{h.strength:.2f} {'/'.join(h.bases)}",
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
    ax.set_yticks(range(len(holders)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.3)
    ax.set_xlabel("strength of leverage (0-1)")
    more = f" (top {top} of {target.holders_total})" if target.holders_total > top else ""
    ax.set_title(f"Who holds leverage over {target.name}{more}", fontsize=9)
    modes = sorted(
        {h.involvement for h in holders if h.involvement}, key=lambda m: vocab.MODE_RANK[m]
    )
    handles = [Patch(color=MODE_COLOURS[m], label=MODE_LABELS[m]) for m in modes]
    if any(h.involvement is None for h in holders):
        handles.append(Patch(color=_NO_MODE_COLOUR, label="not linked"))
    if any(h.hops > 1 for h in holders):
        handles.append(Patch(facecolor="#bbbbbb", hatch="//", label="through others"))
    if handles:
        ax.legend(handles=handles, fontsize=7, loc="lower right")


def _collective_bars(ax: Any, target: Any, threshold: float) -> None:
    names = [_wrap(c.name, 36) for c in target.collective]
    values = [c.strength for c in target.collective]
    colours = ["#009E73"] * len(values)
    if target.coalition is not None:
        names.append(f"smallest coalition ({len(target.coalition.members)})")
        values.append(target.coalition.strength)
        colours.append("#CC79A7")
    if not values:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no initiative or coalition\nreaches this entity", ha="center")
        return
    bars = ax.barh(range(len(values)), values, color=colours)
    for bar, value in zip(bars, values, strict=True):
        ax.annotate(
            f"{value:.2f}",
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
    ax.axvline(threshold, color="#555555", linestyle=":", linewidth=1)
    ax.set_yticks(range(len(values)), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.15)
    ax.set_xlabel(f"collective strength (dotted: threshold {threshold:g})")
    ax.set_title("Together: initiatives, smallest coalition", fontsize=9)


# --- a table as a heatmap -------------------------------------------------------------------


def draw_heatmap(table: pd.DataFrame, title: str = "", cmap: str = "Blues") -> Figure:
    """A count table (e.g. ``pandas.crosstab``) as an annotated heatmap."""
    rows, cols = table.shape
    fig = Figure(
        figsize=(1.2 + 0.75 * max(cols, 1), 1.2 + 0.45 * max(rows, 1)),
        layout="constrained",
        dpi=FIGURE_DPI,
    )
    ax = fig.add_subplot()
    image = ax.imshow(table.to_numpy(dtype=float), cmap=cmap, aspect="auto")
    ax.set_xticks(range(cols), [str(c) for c in table.columns], rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(rows), [str(r) for r in table.index], fontsize=8)
    top = float(table.to_numpy().max()) if table.size else 0.0
    for i in range(rows):
        for j in range(cols):
            value = table.iat[i, j]
            if value:
                colour = "white" if top and value > top / 2 else "black"
                ax.text(j, i, f"{value:g}", ha="center", va="center", fontsize=8, color=colour)
    fig.colorbar(image, ax=ax, shrink=0.8)
    if title:
        ax.set_title(title, fontsize=10)
    return fig
