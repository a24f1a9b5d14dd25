"""Column expressions both jobs share: assertion ranks, validity windows, impact windows."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from valuechain_kg.batch.options import BatchOptions
from valuechain_kg.vocabulary import ASSERTION_RANK, DEFAULT_ASSERTION, MODE_RANK

__all__ = ["assertion_rank", "impact_windows", "in_window", "mode_rank"]


def _mapping(values: dict[str, int]) -> Column:
    return F.create_map(*[F.lit(x) for pair in values.items() for x in pair])


def assertion_rank(column: Column) -> Column:
    """The rank of an assertion slug; an unknown one ranks as the default (``reported``)."""
    return F.coalesce(_mapping(ASSERTION_RANK)[column], F.lit(ASSERTION_RANK[DEFAULT_ASSERTION]))


def mode_rank(column: Column) -> Column:
    """cause 0, contribution 1, direct-linkage 2: the order of strength of involvement."""
    return _mapping(MODE_RANK)[column]


def impact_windows(impacts: DataFrame, options: BatchOptions) -> DataFrame:
    """(impact, impact_id, category, ws, we): the dates a relationship must overlap to count
    for each impact: ``as_of`` for every impact when given, else the impact's own period
    (either end open, both open for an impact without one)."""
    if options.as_of is not None:
        start = end = F.lit(options.as_of)
    else:
        start, end = F.col("started"), F.col("ended")
    return impacts.select(
        F.col("iri").alias("impact"),
        F.col("id").alias("impact_id"),
        "category",
        start.alias("ws"),
        end.alias("we"),
    )


def in_window(valid_from: Column, valid_until: Column) -> Column:
    """Does a validity (ISO dates, either open) overlap the window ``ws``..``we`` of the row?

    Dates compare as strings once cut to their day, as the embedded analysis compares them.
    """
    starts_in_time = (
        valid_from.isNull() | F.col("we").isNull() | (F.substring(valid_from, 1, 10) <= F.col("we"))
    )
    lasts_long_enough = (
        valid_until.isNull()
        | F.col("ws").isNull()
        | (F.substring(valid_until, 1, 10) >= F.col("ws"))
    )
    return starts_in_time & lasts_long_enough
