"""The Spark session the batch runs in, and the edge tables read into it.

Locally (``--master local[N]``, the default) the session is small: few shuffle partitions,
no web UI, since the graphs a laptop holds fit a handful of partitions. Under ``spark-submit``
the cluster's own settings win: ``master`` None leaves the master to the submitter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

from valuechain_kg.batch.tables import FORMAT, TABLES
from valuechain_kg.errors import UsageError

__all__ = ["EdgeTables", "local_session", "read_edge_tables"]


def local_session(master: str | None = "local[2]", partitions: int = 4) -> SparkSession:
    """A Spark session: local with ``master``, else the one ``spark-submit`` configured."""
    builder = SparkSession.builder.appName("valuechain-kg batch")
    if master is not None:
        builder = (
            builder.master(master)
            .config("spark.sql.shuffle.partitions", str(partitions))
            .config("spark.default.parallelism", str(partitions))
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            # Small local graphs: re-planning and generated code cost more than they save.
            .config("spark.sql.adaptive.enabled", "false")
            .config("spark.sql.codegen.wholeStage", "false")
        )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


@dataclass(frozen=True)
class EdgeTables:
    """The edge tables as DataFrames, by name, with the base their ids are under."""

    base: str
    frames: dict[str, DataFrame]

    def __getitem__(self, name: str) -> DataFrame:
        return self.frames[name]


def read_edge_tables(spark: SparkSession, location: str) -> EdgeTables:
    """The edge tables in ``location`` (a folder, or any URI Spark reads: hdfs://, s3a://).

    ``meta.json`` is read through Spark too, so a folder on a cluster's file system works.
    """
    root = location.rstrip("/")
    try:
        text = "\n".join(r.value for r in spark.read.text(f"{root}/meta.json").collect())
    except Exception as exc:  # Spark raises its own AnalysisException for a missing path
        raise UsageError(f"{location}: no edge tables here (meta.json missing)") from exc
    meta = json.loads(text)
    if meta.get("format") != FORMAT:
        raise UsageError(
            f"{location}: edge tables of format {meta.get('format')!r}, not {FORMAT!r}"
        )
    frames = {name: spark.read.parquet(f"{root}/{name}.parquet") for name in TABLES}
    return EdgeTables(str(meta["base"]), frames)


def as_location(folder: Path | str) -> str:
    """A local folder as the absolute path Spark reads; a URI as given."""
    text = str(folder)
    return text if "://" in text else str(Path(text).resolve())
