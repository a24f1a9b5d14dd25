"""The shapes graph: the project's ``shapes/`` folder, or a file or folder a caller names.

Both engines read the shapes as an rdflib graph (pyshacl needs one; the compiler walks it). It
is parsed once per set of files and modification times, so a long-running server that validates
every update does not re-parse Turtle each time, yet an edited shapes file is picked up.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import rdflib

__all__ = ["SHAPES_DIR", "load_shapes"]

#: The shapes shipped with the project (the repository root is three levels above this package).
SHAPES_DIR = Path(__file__).resolve().parents[3] / "shapes"


def load_shapes(shapes: Path | None = None) -> rdflib.Graph:
    """The shapes graph from a Turtle file or every ``*.ttl`` below a folder (cached).

    >>> load_shapes() is load_shapes()
    True
    """
    path = (shapes or SHAPES_DIR).resolve()
    files = [path] if path.is_file() else sorted(path.rglob("*.ttl"))
    stamp = tuple((str(f), f.stat().st_mtime_ns) for f in files)
    return _parse_shapes(stamp)


@lru_cache(maxsize=8)
def _parse_shapes(stamp: tuple[tuple[str, int], ...]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for file, _ in stamp:
        graph.parse(file, format="turtle")
    return graph
