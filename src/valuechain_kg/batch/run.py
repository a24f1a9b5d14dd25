"""One batch run: read edge tables, answer one question for every impact, write the answers.

Answers are written twice, by Spark's own writers so that a cluster writes them in parallel:
``<out>/<question>.parquet/`` (Parquet) and ``<out>/<question>.json/`` (JSON Lines, one answer
row a line, null fields kept), each a folder of part files in answer order: linked rows by
(impact id, mode rank, hops, actor id), leverage rows by (impact id, mode rank, target id).
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from valuechain_kg.batch.leverage import impact_leverage
from valuechain_kg.batch.linkage import linked_actors
from valuechain_kg.batch.options import BatchOptions
from valuechain_kg.batch.session import EdgeTables, read_edge_tables
from valuechain_kg.errors import UsageError

__all__ = ["QUESTIONS", "answer", "run", "write_answers"]

QUESTIONS = ("linked", "leverage")

_LINKED_COLUMNS = [
    "impact_id",
    "actor",
    "iri",
    "name",
    "kind",
    "involvement",
    "asserted",
    "assertion",
    "hops",
    "product_continuity",
    "confidence",
    "sources",
]
_LEVERAGE_COLUMNS = [
    "impact_id",
    "target",
    "iri",
    "name",
    "mode",
    "holders",
    "holders_total",
    "other_influence",
    "collective",
    "coalition",
]


def answer(
    spark: SparkSession, tables: EdgeTables, question: str, options: BatchOptions
) -> DataFrame:
    """The answer rows of ``question`` for every impact, in answer order, with ``impact_id``
    renamed ``impact`` (the column of an answer's impact id)."""
    if question not in QUESTIONS:
        raise UsageError(f"unknown batch question '{question}': one of {', '.join(QUESTIONS)}")
    linked = linked_actors(spark, tables, options)
    if question == "linked":
        frame = linked.orderBy("impact_id", "mode_rank", "hops", "node").select(*_LINKED_COLUMNS)
    else:
        frame = (
            impact_leverage(spark, tables, linked.localCheckpoint(), options)
            .orderBy("impact_id", "mode_rank", "target_node")
            .select(*_LEVERAGE_COLUMNS)
        )
    return frame.withColumnRenamed("impact_id", "impact")


def write_answers(frame: DataFrame, out: str, question: str) -> int:
    """Write the rows as Parquet and as JSON Lines under ``out``; returns how many rows."""
    frame = frame.localCheckpoint()
    frame.write.mode("overwrite").parquet(f"{out}/{question}.parquet")
    frame.write.mode("overwrite").option("ignoreNullFields", "false").json(f"{out}/{question}.json")
    return frame.count()


def run(spark: SparkSession, edges: str, out: str, question: str, options: BatchOptions) -> int:
    """Answer ``question`` for every impact of the edge tables at ``edges`` into ``out``."""
    tables = read_edge_tables(spark, edges)
    return write_answers(answer(spark, tables, question, options), out.rstrip("/"), question)
