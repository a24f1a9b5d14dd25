"""The notebook face: the demo graph in one call, answers as DataFrames, and figures.

Everything a data scientist needs in Jupyter, importable from one place::

    from valuechain_kg.notebook import demo_graph, to_frame, draw_impact
"""

from valuechain_kg.notebook.demo import DEMO_BUNDLES, demo_graph, find_project_root
from valuechain_kg.notebook.figures import (
    EDGE_STYLES,
    MODE_COLOURS,
    MODE_LABELS,
    draw_heatmap,
    draw_impact,
    draw_leverage,
    impact_subgraph,
)
from valuechain_kg.notebook.frames import (
    COLLECTIVE_COLUMNS,
    HOLDER_COLUMNS,
    IMPACT_COLUMNS,
    LINKED_COLUMNS,
    chapter_of,
    collective_frame,
    compact_ids,
    leverage_change,
    to_frame,
)

__all__ = [
    "COLLECTIVE_COLUMNS",
    "DEMO_BUNDLES",
    "EDGE_STYLES",
    "HOLDER_COLUMNS",
    "IMPACT_COLUMNS",
    "LINKED_COLUMNS",
    "MODE_COLOURS",
    "MODE_LABELS",
    "chapter_of",
    "collective_frame",
    "compact_ids",
    "demo_graph",
    "draw_heatmap",
    "draw_impact",
    "draw_leverage",
    "find_project_root",
    "impact_subgraph",
    "leverage_change",
    "to_frame",
]
