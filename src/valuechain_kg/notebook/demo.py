"""The bundled demo data, opened for a notebook in one call.

Notebooks run from ``notebooks/`` under JupyterLab and from the project root under the tests;
``find_project_root`` looks upwards so both work without a hard-coded path.
"""

from __future__ import annotations

from pathlib import Path

from valuechain_kg.graph import KnowledgeGraph

__all__ = ["DEMO_BUNDLES", "demo_graph", "find_project_root"]

#: The demo data, relative to the project root: the documented cases and Apple's supplier list.
DEMO_BUNDLES: tuple[str, ...] = ("data/cases", "data/apple-suppliers-2022")


def find_project_root(start: Path | str | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: the working directory) with demo data.

    Notebooks run from ``notebooks/`` under JupyterLab and from the project root under the tests;
    looking upwards makes both work without a hard-coded path.
    """
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / DEMO_BUNDLES[0]).is_dir():
            return folder
    raise FileNotFoundError(f"no folder at or above {here} holds {DEMO_BUNDLES[0]}")


def demo_graph(root: Path | str | None = None, validate: bool = False) -> KnowledgeGraph:
    """An in-memory graph of the bundled demo data (the cases and Apple's 2022 supplier list).

    The demo data is checked against the shapes by its own tests, so ``validate`` is off by
    default to keep notebooks quick.
    """
    folder = Path(root) if root is not None else find_project_root()
    paths = [folder / p for p in DEMO_BUNDLES if (folder / p).exists()]
    return KnowledgeGraph.open(data=paths, validate=validate)
