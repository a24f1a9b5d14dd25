"""``linked`` and ``leverage`` on random impacts with a warm projection vs SPARQL on Oxigraph.

Targets: at least 10x faster than the same question as a SPARQL property-path query,
and p50 under 50 ms at 1M actors for impacts whose answer has up to 1,000 actors; time linear in
the size of the answer beyond that. The SPARQL formulations are *unbounded* reachability
(SPARQL has no hop bound, no shortest path and no product of strengths), so they answer a
looser question; the row says so.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

from bench.dataset import Dataset
from bench.measure import ChildFailed, median, percentile, ratio, run_child, seconds, size_of
from bench.projection import ensure_store
from bench.report import NOT_RUN, Row, verdict
from valuechain_kg.vocabulary import FINANCIAL_RELATIONS, FLOW_RELATIONS

_FIN = "(" + "|".join(f"<{iri}>" for iri in FINANCIAL_RELATIONS.values()) + ")"
_FLOW = "(" + "|".join(f"<{iri}>" for iri in FLOW_RELATIONS.values()) + ")"
_CAUSES = "?inv vc:impact <{impact}> ; vc:mode vc:Cause ; vc:actor ?e ."

#: Who is directly linked, as SPARQL can say it: financial edges, then flow edges one way.
#: One path expression from the bound cause, which Oxigraph walks backwards from ``?e``.
LINKED_SPARQL = (
    (
        "SELECT DISTINCT ?a WHERE { { ?v vc:impact <{impact}> ; vc:actor ?a } UNION { "
        + _CAUSES
        + " ?a FIN*/(FLOW+|(^FLOW)+)? ?e } }"
    )
    .replace("FIN", _FIN)
    .replace("FLOW", _FLOW)
)

#: Who can reach a cause along leverage-bearing edges (asserted leverage, ownership, customers).
LEVERAGE_SPARQL = (
    "SELECT DISTINCT ?h WHERE { "
    + _CAUSES
    + " ?h (^vc:holder/vc:target|<https://w3id.org/valuechain#investsIn>|^FLOW)+ ?e }"
).replace("FLOW", _FLOW)


def _sparql(store: Any, template: str, impact: str) -> tuple[float, int]:
    query = template.replace("{impact}", impact)
    start = time.perf_counter()
    count = sum(1 for _ in store.query(query))
    return time.perf_counter() - start, count


def linked_and_leverage(
    directory: str, seed: int, samples: int, sparql_samples: int
) -> dict[str, Any]:
    from valuechain_kg.analysis import linkage
    from valuechain_kg.graph import KnowledgeGraph
    from valuechain_kg.store import GraphStore

    kg = KnowledgeGraph(GraphStore(Path(directory)))
    start = time.perf_counter()
    projection = kg.projection()
    warmup = time.perf_counter() - start
    impacts = sorted(projection.involvements)
    chosen = random.Random(seed).sample(impacts, min(samples, len(impacts)))
    out: dict[str, Any] = {"warmup": warmup, "impacts": len(impacts), "linked": [], "lev": []}
    for i, impact in enumerate(chosen):
        start = time.perf_counter()
        answer = kg.linked_actors(impact)
        linked_s = time.perf_counter() - start
        start = time.perf_counter()
        lev = kg.leverage(impact)
        lev_s = time.perf_counter() - start
        holders = sum(t.holders_total for t in lev.targets)
        start = time.perf_counter()
        linkage.linked_actors(projection, impact)
        core_s = time.perf_counter() - start
        row_l = {"s": linked_s, "n": answer.total, "core_s": core_s}
        row_v = {"s": lev_s, "n": holders}
        if i < sparql_samples:
            row_l["sparql_s"], row_l["sparql_n"] = _sparql(kg.store, LINKED_SPARQL, impact)
            row_v["sparql_s"], row_v["sparql_n"] = _sparql(kg.store, LEVERAGE_SPARQL, impact)
        out["linked"].append(row_l)
        out["lev"].append(row_v)
    return out


def _rows_for(data: Dataset, name: str, runs: list[dict], note_sparql: str, rss: str) -> list[Row]:
    if not runs:
        return [Row("analysis", f"`{name}`", data.actors, "-", verdict=NOT_RUN, note="no impacts")]
    times = [r["s"] for r in runs]
    small = [r["s"] for r in runs if r["n"] <= 1000]
    both = [r for r in runs if "sparql_s" in r]
    ours = median([r["s"] for r in both])
    theirs = median([r["sparql_s"] for r in both])
    speedup = theirs / ours if ours else float("nan")
    big = [r for r in runs if r["n"] > 1000]
    per_actor = median([r["s"] / r["n"] for r in big]) if big else float("nan")
    sizes = sorted(r["n"] for r in runs)
    note = (
        f"{len(runs)} random impacts (answer sizes median {sizes[len(sizes) // 2]:,}, max "
        f"{sizes[-1]:,}); p95 {seconds(percentile(times, 95))}; SPARQL on {len(both)} of them: "
        f"{note_sparql}"
    )
    if big:
        note += f"; answers > 1,000 actors: {per_actor * 1e6:.1f} µs per answer actor"
    p50_small = median(small)
    rows = [
        Row(
            "analysis",
            f"`{name}` p50, warm projection (facade, default page)",
            data.actors,
            seconds(median(times)),
            "same question as SPARQL property paths on Oxigraph",
            seconds(theirs),
            ratio(speedup),
            ">= 10x faster than SPARQL",
            verdict(speedup >= 10) if both else NOT_RUN,
            rss,
            note,
        ),
    ]
    if data.actors >= 1_000_000:
        rows.append(
            Row(
                "analysis",
                f"`{name}` p50, answers <= 1,000 actors",
                data.actors,
                seconds(p50_small),
                "",
                "",
                "",
                "< 50 ms at 1M actors",
                verdict(p50_small < 0.05) if small else NOT_RUN,
                rss,
                f"{len(small)} impacts",
            )
        )
    return rows


def rows(data: Dataset, samples: int = 30) -> list[Row]:
    ensure_store(data)
    sparql_samples = samples if data.actors <= 100_000 else max(3, samples // 6)
    try:
        r = run_child(
            "bench.analysis:linked_and_leverage",
            directory=str(data.store_dir),
            seed=data.seed,
            samples=samples,
            sparql_samples=sparql_samples,
        )
    except ChildFailed as exc:
        return [
            Row(
                "analysis",
                "`linked` / `leverage`",
                data.actors,
                "-",
                "SPARQL",
                "-",
                "-",
                ">= 10x faster than SPARQL",
                NOT_RUN,
                "",
                str(exc),
            )
        ]
    rss = size_of(r["peak_rss"])
    linked_note = "unbounded reachability (no hop bound, no paths)"
    lev_note = "unbounded reachability over asserted leverage, investsIn and reversed flow edges "
    lev_note += "(no strengths, no hop bound; cannot filter on shares inside a path)"
    result = _rows_for(data, "linked_actors", r["linked"], linked_note, rss)
    result += _rows_for(data, "leverage", r["lev"], lev_note, rss)
    result.append(
        Row(
            "analysis",
            "projection warm-up (first `kg.projection()`)",
            data.actors,
            seconds(r["warmup"]),
            "",
            "",
            "",
            "",
            "",
            rss,
            f"{r['impacts']:,} impacts with involvements; paid once per store revision",
        )
    )
    return result
