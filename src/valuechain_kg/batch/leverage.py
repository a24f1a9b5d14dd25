"""Who holds leverage over every impact's causes and contributors, on Spark.

The rules are those of :mod:`valuechain_kg.analysis.leverage` (DESIGN.md, "Leverage"), and so
is the search: a relaxation layered by hops from each target, each round one join of the
frontier with the impact's leverage edges, the best candidate per (impact, target, holder)
kept by a max-product aggregation (products within a relative 1e-9 are equal; then fewer hops,
then the smallest id sequence: node numbers follow id order, so arrays of them compare as the
ids do). As in the embedded search only nodes whose best path improved are expanded, a path
never repeats a node, and every node strictly inside a path is an actor linked to the impact.

Collective leverage (``1 - prod(1 - s_i)`` over an initiative's members among the holders)
and the coalition (the first prefix of holders reaching the threshold) are folded over arrays
in holder order with Spark's ``aggregate``, multiplying in the same order as the embedded code,
so the rounded strengths agree.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from valuechain_kg.analysis.leverage import DIGITS, RELATIVE_TOLERANCE, in_scope
from valuechain_kg.batch.columns import assertion_rank, impact_windows, in_window
from valuechain_kg.batch.options import BatchOptions
from valuechain_kg.batch.session import EdgeTables

__all__ = ["impact_leverage"]

_TARGET_MODES = ("cause", "contribution")
_BEST = ["impact", "target", "node", "strength", "hops", "path"]


def _network(
    tables: EdgeTables, windows: DataFrame, linked: DataFrame, options: BatchOptions
) -> DataFrame:
    """(impact, holder, target, strength, bases, sources): the leverage edges that count for
    each impact, one per pair, only those into an actor linked to it (no path uses another).

    A share's leverage lives as long as its relationship is in force in the impact's window;
    claims below ``min_status`` are dropped; the strongest part of a pair counts, with every
    basis and source listed.
    """
    validity = tables["relationships"].select(
        F.col("edge").alias("relation"), "valid_from", "valid_until"
    )
    parts = (
        tables["leverage"]
        .where(assertion_rank(F.col("assertion")) >= options.floor)
        .where(F.col("holder") != F.col("target"))
        .join(validity, "relation", "left")
    )
    into_linked = linked.select("impact", F.col("node").alias("target")).distinct()
    return (
        parts.join(into_linked, "target")
        .join(windows.select("impact", "ws", "we"), "impact")
        .where(F.col("relation").isNull() | in_window(F.col("valid_from"), F.col("valid_until")))
        .groupBy("impact", "holder", "target")
        .agg(
            F.max("strength").alias("strength"),
            F.array_sort(F.array_distinct(F.flatten(F.collect_list("bases")))).alias("bases"),
            F.array_sort(F.array_distinct(F.flatten(F.collect_list("sources")))).alias("sources"),
        )
    )


def _relax(targets: DataFrame, network: DataFrame, members: DataFrame, max_hops: int) -> DataFrame:
    """(impact, target, node, strength, hops, path): every holder's best path to each target,
    ``path`` holder first, of at most ``max_hops`` edges."""
    edges = network.select(
        "impact",
        F.col("target").alias("node"),
        F.col("holder").alias("other"),
        F.col("strength").alias("s"),
    )
    frontier = targets.select(
        "impact",
        "target",
        F.col("target").alias("node"),
        F.lit(1.0).alias("strength"),
        F.lit(0).alias("hops"),
        F.array(F.col("target")).alias("path"),
    ).localCheckpoint()
    best = frontier.limit(0)
    group = ["impact", "target", "other"]
    for _ in range(max_hops):
        step = frontier.join(edges, ["impact", "node"]).where(
            (F.col("other") != F.col("target"))
            & (F.col("s") > 0.0)
            & ~F.array_contains(F.col("path"), F.col("other"))
        )
        # An actor outside the impact's chain holds leverage only by a direct edge.
        inner = step.where(F.col("hops") > 0).join(
            members.select("impact", F.col("node").alias("other")), ["impact", "other"], "left_semi"
        )
        step = step.where(F.col("hops") == 0).unionByName(inner)
        cand = step.select(
            *group,
            (F.col("strength") * F.col("s")).alias("strength"),
            (F.col("hops") + 1).alias("hops"),
            F.concat(F.array(F.col("other")), F.col("path")).alias("path"),
        )
        strongest = F.max("strength").over(Window.partitionBy(*group))
        first = Window.partitionBy(*group).orderBy("path")
        cand = (
            cand.withColumn("top", strongest)
            .where(F.col("strength") >= F.col("top") - RELATIVE_TOLERANCE * F.col("top"))
            .withColumn("n", F.row_number().over(first))
            .where(F.col("n") == 1)
            .select(F.col("other").alias("node"), *[c for c in _BEST if c != "node"])
        )
        old = best.select("impact", "target", "node", F.col("strength").alias("old"))
        improved = (
            cand.join(old, ["impact", "target", "node"], "left")
            .where(
                F.col("old").isNull()
                | (F.col("strength") - F.col("old") > RELATIVE_TOLERANCE * F.col("strength"))
            )
            .select(*_BEST)
            .localCheckpoint()
        )
        if improved.isEmpty():
            break
        best = (
            best.join(
                improved.select("impact", "target", "node"),
                ["impact", "target", "node"],
                "left_anti",
            )
            .unionByName(improved)
            .localCheckpoint()
        )
        frontier = improved.join(members.select("impact", "node"), ["impact", "node"], "left_semi")
    return best


def _scope_table(spark: SparkSession, tables: EdgeTables) -> DataFrame:
    """(initiative, category): the initiatives that count for impacts of each category.

    Initiatives and categories are few, so the scope rule (:func:`in_scope`) runs on the driver.
    """
    initiatives = tables["initiatives"].select("iri", "scope").collect()
    categories = [r["category"] for r in tables["impacts"].select("category").distinct().collect()]
    pairs = [
        (r["iri"], category or "")
        for r in initiatives
        for category in categories
        if in_scope(category, r["scope"] or ())
    ]
    return spark.createDataFrame(pairs, "initiative string, category string")


def _steps(best: DataFrame, network: DataFrame) -> DataFrame:
    """Each holder's path as steps (from, to, bases, strength, sources), in path order."""
    pairs = best.select(
        *_BEST,
        F.explode(
            F.expr(
                "transform(sequence(0, size(path) - 2), "
                "i -> named_struct('i', i, 'a', path[i], 'b', path[i + 1]))"
            )
        ).alias("pair"),
    )
    edges = network.select(
        "impact",
        F.col("holder").alias("a"),
        F.col("target").alias("b"),
        F.col("strength").alias("s"),
        "bases",
        "sources",
    )
    return pairs.select(*_BEST, "pair.*").join(edges, ["impact", "a", "b"])


def impact_leverage(
    spark: SparkSession, tables: EdgeTables, linked: DataFrame, options: BatchOptions
) -> DataFrame:
    """Leverage over every target of every impact, one row per (impact, target), from the
    batch's ``linked`` rows (:func:`valuechain_kg.batch.linkage.linked_actors`).

    Columns: impact_id, target (id), iri, name, mode, holders, holders_total, other_influence,
    collective, coalition, and the sort keys impact, mode_rank, target_node.
    """
    windows = impact_windows(tables["impacts"], options)
    members = linked.select("impact", "node").distinct().localCheckpoint()
    targets = linked.where(F.col("involvement").isin(*_TARGET_MODES)).select(
        "impact", F.col("node").alias("target"), F.col("involvement").alias("mode"), "mode_rank"
    )
    network = _network(tables, windows, linked, options).localCheckpoint()
    best = _relax(targets, network, members, options.max_hops)
    nodes = tables["nodes"]

    steps = _steps(best, network)
    step = F.struct(
        F.col("i"),
        F.struct(
            F.col("a_id").alias("from"),
            F.col("b_id").alias("to"),
            "bases",
            F.round("s", DIGITS).alias("strength"),
            "sources",
        ).alias("step"),
    )
    ids = nodes.select("node", "id")
    steps = (
        steps.join(ids.select(F.col("node").alias("a"), F.col("id").alias("a_id")), "a")
        .join(ids.select(F.col("node").alias("b"), F.col("id").alias("b_id")), "b")
        .groupBy("impact", "target", "node")
        .agg(F.array_sort(F.collect_list(step)).alias("steps"))
        .select(
            "impact", "target", "node", F.transform("steps", lambda x: x["step"]).alias("steps")
        )
    )
    path_ids = (
        best.select("impact", "target", "node", F.posexplode("path").alias("i", "n"))
        .join(ids.select(F.col("node").alias("n"), "id"), "n")
        .groupBy("impact", "target", "node")
        .agg(F.array_sort(F.collect_list(F.struct("i", "id"))).alias("ids"))
        .select("impact", "target", "node", F.transform("ids", lambda x: x["id"]).alias("path_ids"))
    )
    modes = linked.select("impact", "node", F.col("involvement").alias("holder_involvement"))
    holders = (
        best.join(steps, ["impact", "target", "node"])
        .join(path_ids, ["impact", "target", "node"])
        .join(nodes.select("node", "id", "iri", "name", "kind"), "node")
        .join(modes, ["impact", "node"], "left")
        .select(
            "impact",
            "target",
            "node",
            "kind",
            F.round("strength", DIGITS).alias("rounded"),
            F.col("strength").alias("raw"),
            "hops",
            F.struct(
                "id",
                "iri",
                "name",
                "kind",
                F.round("strength", DIGITS).alias("strength"),
                "hops",
                F.col("steps")[0]["bases"].alias("bases"),
                F.col("path_ids").alias("path"),
                "steps",
                F.col("holder_involvement").alias("involvement"),
                F.array_distinct(F.flatten(F.transform("steps", lambda x: x["sources"]))).alias(
                    "sources"
                ),
            ).alias("holder"),
        )
    )
    # Holder order: (-strength, hops, id); node numbers follow id order.
    keyed = holders.withColumn(
        "key",
        F.struct(
            (-F.col("rounded")).alias("k1"), F.col("hops").alias("k2"), F.col("node").alias("k3")
        ),
    ).localCheckpoint()
    enterprise = keyed.where(F.col("kind") == "enterprise")

    def ordered(frame: DataFrame, name: str) -> DataFrame:
        entry = F.struct("key", "holder", F.col("raw").alias("s"))
        return frame.groupBy("impact", "target").agg(
            F.array_sort(F.collect_list(entry)).alias(name)
        )

    holder_lists = ordered(enterprise, "entries")
    other_lists = ordered(keyed.where(F.col("kind") != "enterprise"), "others")

    categories = windows.select("impact", F.coalesce("category", F.lit("")).alias("category"))
    scoped = _scope_table(spark, tables)
    initiatives = tables["initiatives"].select(
        F.col("iri").alias("initiative"), F.col("id").alias("initiative_id"), "name"
    )
    collective = (
        enterprise.join(tables["memberships"].withColumnRenamed("actor", "node"), "node")
        .join(categories, "impact")
        .join(F.broadcast(scoped), ["initiative", "category"], "left_semi")
        .groupBy("impact", "target", "initiative")
        .agg(
            F.array_sort(
                F.collect_list(
                    F.struct("key", F.col("holder.id").alias("id"), F.col("raw").alias("s"))
                )
            ).alias("m")
        )
        .join(initiatives, "initiative")
        .select(
            "impact",
            "target",
            F.struct(
                F.col("initiative_id").alias("initiative"),
                "name",
                F.transform("m", lambda x: x["id"]).alias("members"),
                F.round(
                    1.0
                    - F.aggregate(
                        F.transform("m", lambda x: x["s"]),
                        F.lit(1.0),
                        lambda acc, x: acc * (1.0 - x),
                    ),
                    DIGITS,
                ).alias("strength"),
            ).alias("group"),
        )
        .groupBy("impact", "target")
        .agg(
            F.array_sort(
                F.collect_list(
                    F.struct(
                        (-F.col("group.strength")).alias("k1"),
                        F.col("group.initiative").alias("k2"),
                        "group",
                    )
                )
            ).alias("groups")
        )
        .select("impact", "target", F.transform("groups", lambda x: x["group"]).alias("collective"))
    )

    reach = options.threshold - 1e-12

    def fold(acc, x):  # type: ignore[no-untyped-def]
        remaining = acc["rem"] * (1.0 - x["s"])
        strength = F.round(1.0 - remaining, DIGITS)
        hit = (acc["n"] == 0) & (strength >= reach)
        return F.struct(
            remaining.alias("rem"),
            (acc["i"] + 1).alias("i"),
            F.when(hit, acc["i"] + 1).otherwise(acc["n"]).alias("n"),
            F.when(hit, strength).otherwise(acc["s"]).alias("s"),
        )

    start = F.struct(
        F.lit(1.0).alias("rem"),
        F.lit(0).alias("i"),
        F.lit(0).alias("n"),
        F.lit(None).cast("double").alias("s"),
    )
    folded = F.aggregate(F.coalesce("entries", F.array()), start, fold)
    holder_ids = F.transform(F.coalesce("entries", F.array()), lambda x: x["holder"]["id"])
    coalition = F.when(
        folded["n"] > 0,
        F.struct(
            F.lit(options.threshold).alias("threshold"),
            F.slice(holder_ids, 1, folded["n"]).alias("members"),
            folded["s"].alias("strength"),
        ),
    )
    target_nodes = nodes.select(
        F.col("node").alias("target"), F.col("id").alias("target_id"), "iri", "name"
    )
    return (
        targets.join(holder_lists, ["impact", "target"], "left")
        .join(other_lists, ["impact", "target"], "left")
        .join(collective, ["impact", "target"], "left")
        .join(windows.select("impact", "impact_id"), "impact")
        .join(target_nodes, "target")
        .select(
            "impact",
            "impact_id",
            F.col("target").alias("target_node"),
            F.col("target_id").alias("target"),
            "iri",
            "name",
            "mode",
            "mode_rank",
            F.transform(F.coalesce("entries", F.array()), lambda x: x["holder"]).alias("holders"),
            F.size(F.coalesce("entries", F.array())).alias("holders_total"),
            F.transform(F.coalesce("others", F.array()), lambda x: x["holder"]).alias(
                "other_influence"
            ),
            F.coalesce("collective", F.array()).alias("collective"),
            coalition.alias("coalition"),
        )
    )
