"""Whether an analysis input is a networkx graph, without importing networkx.

The analysis functions take a projection or a ``networkx.MultiDiGraph``. A command that never
builds a networkx graph (a load, a lookup) should not pay for importing networkx, and no such
graph can exist before networkx is imported, so the test looks in ``sys.modules`` first.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["is_networkx_graph"]


def is_networkx_graph(obj: Any) -> bool:
    networkx = sys.modules.get("networkx")
    return networkx is not None and isinstance(obj, networkx.MultiDiGraph)
