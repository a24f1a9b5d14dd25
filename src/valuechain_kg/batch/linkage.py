"""Who is linked to every impact at once, as hop-bounded frontier joins on Spark.

The rules are those of :mod:`valuechain_kg.analysis.linkage` (DESIGN.md, "Linkage of actor A
to impact I", "Products", "Periods", "Assertion status", "Actor kinds"), and so is the search:
a breadth-first walk outwards from the causes over states (impact, node, phase, carried
product, continuity). Here each round of the walk is one join of the frontier with the
relationship table, for every impact together; a state already seen is dropped by an anti-join,
so each state gets its least depth. Per node, the depth reported is that of its shortest walk
with product continuity, else of its shortest walk without: the same numbers the embedded walk
finds, since its pruning only skips states dominated by one seen no later.

The phases: ``0`` the ``(investsIn | finances)*`` prefix walked against the edges, ``1``
upstream (flow edges walked backwards, to suppliers), ``2`` downstream (flow edges walked
forwards, to customers). A carried product of ``-1`` is "any": the cause named none.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from valuechain_kg.analysis.linkage import INFERRED
from valuechain_kg.analysis.projection import transitive_inputs
from valuechain_kg.batch.columns import assertion_rank, impact_windows, in_window, mode_rank
from valuechain_kg.batch.options import BatchOptions
from valuechain_kg.batch.session import EdgeTables

__all__ = ["linked_actors"]

_FINANCIAL, _UPSTREAM, _DOWNSTREAM = 0, 1, 2
_ANY = -1
_STATE = ["impact", "node", "phase", "slot", "cont"]


def _product_moves(spark: SparkSession, tables: EdgeTables) -> DataFrame:
    """(phase, slot, q): a walk carrying ``slot`` may take an edge carrying ``q`` (q != slot).

    Upstream, ``q`` must be one of the carried product's inputs; downstream, the carried
    product must be one of ``q``'s inputs (``vc:madeFrom``, transitively). Products are few
    beside actors, so the closure is taken on the driver.
    """
    rows = tables["products"].select("product", "made_from").collect()
    size = max((r["product"] for r in rows), default=-1) + 1
    made_from: list[tuple[int, ...]] = [()] * size
    for r in rows:
        made_from[r["product"]] = tuple(r["made_from"] or ())
    closure = transitive_inputs(made_from)
    moves = []
    for product, inputs in enumerate(closure):
        for q in inputs:
            moves.append((_UPSTREAM, product, q))
            moves.append((_DOWNSTREAM, q, product))
    schema = "phase int, slot int, q int"
    return spark.createDataFrame(moves, schema)


def _asserted(tables: EdgeTables, windows: DataFrame, options: BatchOptions) -> DataFrame:
    """The involvements that count (known impacts, ``min_status`` or above)."""
    return (
        tables["involvements"]
        .where(assertion_rank(F.col("assertion")) >= options.floor)
        .join(windows, "impact")
    )


def _strongest(involvements: DataFrame) -> DataFrame:
    """Each actor's strongest asserted involvement per impact (cause > contribution > linkage)."""
    order = Window.partitionBy("impact", "actor").orderBy(
        mode_rank(F.col("mode")), "assertion", F.col("confidence").desc_nulls_last()
    )
    return involvements.withColumn("n", F.row_number().over(order)).where(F.col("n") == 1).drop("n")


def _starts(causes: DataFrame, options: BatchOptions) -> DataFrame:
    """The walk's first states: every cause, in each phase, carrying each of its products."""
    if options.strict_products:
        causes = causes.where(F.size("products") > 0)  # every row would lack continuity
    cont = (F.size("products") > 0).cast("int")
    base = causes.select(
        "impact", "ws", "we", F.col("actor").alias("node"), "products", cont.alias("cont")
    )
    financial = base.select(
        "impact",
        "ws",
        "we",
        "node",
        F.lit(_FINANCIAL).alias("phase"),
        F.lit(_ANY).alias("slot"),
        "cont",
    )
    carried = base.select(
        "impact", "ws", "we", "node", "cont", F.explode_outer("products").alias("carried")
    )
    flow = carried.select(
        "impact",
        "ws",
        "we",
        "node",
        F.explode(F.array(F.lit(_UPSTREAM), F.lit(_DOWNSTREAM))).alias("phase"),
        F.coalesce(F.col("carried"), F.lit(_ANY)).alias("slot"),
        "cont",
    )
    return financial.unionByName(flow).distinct()


def _steps(tables: EdgeTables, options: BatchOptions) -> tuple[DataFrame, DataFrame]:
    """The edges the walk may take: financial ones (investee -> investor) and flow ones in
    both phases (node -> other), all asserted at ``min_status`` or above."""
    edges = tables["relationships"].where(assertion_rank(F.col("assertion")) >= options.floor)
    financial = edges.where("financial").select(
        F.col("target").alias("node"), F.col("source").alias("other"), "valid_from", "valid_until"
    )
    flow = edges.where(~F.col("financial"))
    if options.strict_products:
        flow = flow.where(F.size("products") > 0)
    cols = ["products", "valid_from", "valid_until"]
    up = flow.select(
        F.lit(_UPSTREAM).alias("phase"),
        F.col("target").alias("node"),
        F.col("source").alias("other"),
        *cols,
    )
    down = flow.select(
        F.lit(_DOWNSTREAM).alias("phase"),
        F.col("source").alias("node"),
        F.col("target").alias("other"),
        *cols,
    )
    return financial, up.unionByName(down)


def _expand(
    frontier: DataFrame, financial: DataFrame, flow: DataFrame, moves: DataFrame
) -> DataFrame:
    """Every state one edge further out than a state of ``frontier``."""
    keep = ["impact", "ws", "we"]
    fin = (
        frontier.where(F.col("phase") == _FINANCIAL)
        .join(financial, "node")
        .where(in_window(F.col("valid_from"), F.col("valid_until")))
        .select(
            *keep,
            F.col("other").alias("node"),
            F.lit(_FINANCIAL).alias("phase"),
            F.lit(_ANY).alias("slot"),
            "cont",
        )
    )
    fl = (
        frontier.where(F.col("phase") != _FINANCIAL)
        .join(flow, ["phase", "node"])
        .where(in_window(F.col("valid_from"), F.col("valid_until")))
        .withColumn("q", F.explode_outer("products"))
        .join(moves.withColumn("allowed", F.lit(True)), ["phase", "slot", "q"], "left")
    )
    followed = (
        F.col("q").isNull()
        | (F.col("slot") == _ANY)
        | (F.col("q") == F.col("slot"))
        | F.col("allowed").isNotNull()
    )
    # An edge naming no product is followed carrying what the walk carried, without continuity.
    moved = fl.where(followed).select(
        *keep,
        F.col("other").alias("node"),
        "phase",
        F.coalesce(F.col("q"), F.col("slot")).alias("slot"),
        F.when(F.col("q").isNull(), F.lit(0)).otherwise(F.col("cont")).alias("cont"),
    )
    # Wherever the flow part reaches, a financial prefix may begin: the node is a possible B.
    begins = moved.select(
        *keep, "node", F.lit(_FINANCIAL).alias("phase"), F.lit(_ANY).alias("slot"), "cont"
    )
    return fin.unionByName(moved).unionByName(begins).distinct()


def _walk(
    spark: SparkSession, tables: EdgeTables, causes: DataFrame, options: BatchOptions
) -> DataFrame:
    """(impact, node, hops, continuity): the best financial state of every node reached."""
    financial, flow = _steps(tables, options)
    moves = F.broadcast(_product_moves(spark, tables))
    frontier = _starts(causes, options).localCheckpoint()
    seen = frontier.select(*_STATE, F.lit(0).alias("depth"))
    for depth in range(1, options.max_hops + 1):
        found = _expand(frontier, financial, flow, moves)
        frontier = found.join(seen.select(*_STATE), _STATE, "left_anti").localCheckpoint()
        if frontier.isEmpty():
            break
        # Each piece is checkpointed already: the union keeps a shallow plan.
        seen = seen.unionByName(frontier.select(*_STATE, F.lit(depth).alias("depth")))
    with_continuity = F.min(F.when(F.col("cont") == 1, F.col("depth")))
    return (
        seen.where(F.col("phase") == _FINANCIAL)
        .groupBy("impact", "node")
        .agg(with_continuity.alias("d1"), F.min("depth").alias("d0"))
        .select(
            "impact",
            "node",
            F.coalesce("d1", "d0").alias("hops"),
            F.col("d1").isNotNull().alias("continuity"),
        )
    )


def linked_actors(spark: SparkSession, tables: EdgeTables, options: BatchOptions) -> DataFrame:
    """Every actor linked to every impact, one row each (embedded: ``linked_actors``).

    Columns: impact, impact_id, node, actor (id), iri, name, kind, involvement, asserted,
    assertion, hops, product_continuity, confidence, sources, mode_rank.
    """
    windows = impact_windows(tables["impacts"], options)
    involvements = _asserted(tables, windows, options)
    asserted = _strongest(involvements)
    causes = involvements.where(F.col("mode") == "cause").select(
        "impact", "ws", "we", "actor", "products"
    )
    if options.max_hops > 0:
        best = _walk(spark, tables, causes, options)
    else:
        best = spark.createDataFrame([], "impact string, node int, hops int, continuity boolean")
    nodes = tables["nodes"].select("node", F.col("id").alias("actor"), "iri", "name", "kind")

    joined = asserted.withColumnRenamed("actor", "node").join(best, ["impact", "node"], "left")
    derived_too = (
        (F.col("mode") == "direct-linkage") & F.col("hops").isNotNull() & (F.col("hops") > 0)
    )
    asserted_rows = joined.select(
        "impact",
        "node",
        F.col("mode").alias("involvement"),
        F.lit(True).alias("asserted"),
        "assertion",
        F.when(derived_too, F.col("hops")).otherwise(F.lit(0)).alias("hops"),
        F.when(derived_too, F.col("continuity")).alias("product_continuity"),
        "confidence",
        "sources",
    )
    derived_rows = (
        best.join(
            asserted.select("impact", F.col("actor").alias("node")), ["impact", "node"], "left_anti"
        )
        .join(nodes.where(F.col("kind") == "enterprise").select("node"), "node")
        .select(
            "impact",
            "node",
            F.lit("direct-linkage").alias("involvement"),
            F.lit(False).alias("asserted"),
            F.lit(INFERRED).alias("assertion"),
            "hops",
            F.col("continuity").alias("product_continuity"),
            F.lit(None).cast("double").alias("confidence"),
            F.array().cast("array<string>").alias("sources"),
        )
    )
    return (
        asserted_rows.unionByName(derived_rows)
        .join(windows.select("impact", "impact_id"), "impact")
        .join(nodes, "node")
        .withColumn("mode_rank", mode_rank(F.col("involvement")))
    )
