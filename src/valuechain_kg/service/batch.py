"""The batch questions, for the faces: the graph exported as edge tables, then Spark.

The graph is read the way every command reads it (files in memory, a store folder) through
the facade; its projection is written as Parquet edge tables (:mod:`valuechain_kg.batch.tables`)
and the Spark jobs answer from those, so the batch sees exactly the data the embedded answers
see. The embedded engine stays the engine of every other command.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from valuechain_kg.batch.options import BatchOptions
from valuechain_kg.batch.tables import write_edge_tables
from valuechain_kg.service.graph import KnowledgeGraph

__all__ = ["export_edge_tables", "run_batch"]


def export_edge_tables(kg: KnowledgeGraph, folder: Path) -> dict[str, int]:
    """Write the graph's edge tables into ``folder``; returns the row count of each table."""
    impacts = kg.impacts(limit=2**31 - 1).impacts
    return write_edge_tables(kg.projection(), {s.iri: s.category for s in impacts}, folder)


def run_batch(
    question: str,
    out: Path | str,
    options: BatchOptions,
    kg: KnowledgeGraph | None = None,
    edges: Path | str | None = None,
    master: str | None = "local[2]",
) -> int:
    """Answer ``question`` (``linked`` or ``leverage``) for every impact into ``out``.

    The graph is ``kg`` (exported to a temporary folder first) or edge tables already written
    at ``edges``. Returns the number of answer rows written.
    """
    # pyspark is an optional extra: imported only when a batch runs.
    from valuechain_kg.batch.run import run
    from valuechain_kg.batch.session import as_location, local_session

    spark = local_session(master)
    if edges is not None:
        return run(spark, as_location(edges), as_location(out), question, options)
    if kg is None:
        raise ValueError("run_batch needs a graph or edge tables")
    with tempfile.TemporaryDirectory(prefix="vckg-edges-") as tmp:
        export_edge_tables(kg, Path(tmp))
        return run(spark, as_location(tmp), as_location(out), question, options)
