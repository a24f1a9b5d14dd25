"""``python -m bench.demo``: how long the two questions take on the bundled demo data.

The synthetic sizes in ``python -m bench`` measure scale; this measures what a newcomer meets
first: every impact of ``data/cases`` plus Apple's 2022 supplier list, asked with a warm
projection and no remembered answers (each question computed afresh).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from valuechain_kg.graph import KnowledgeGraph
from valuechain_kg.service.cache import RevisionMemo

ROOT = Path(__file__).resolve().parents[1]
DEMO = (ROOT / "data" / "cases", ROOT / "data" / "apple-suppliers-2022")


def _median_and_max(kg: KnowledgeGraph, ask: Callable[[str], object], repeat: int) -> str:
    impacts = [i.id for i in kg.impacts().impacts]
    runs = []
    for _ in range(repeat):
        for impact in impacts:
            # Forget remembered answers; the impact table is read again, untimed, as the
            # projection warm-up does after every change.
            kg._answer_memo = RevisionMemo(kg.store.revision)
            kg._impact_table()
            start = time.perf_counter()
            ask(impact)
            runs.append(time.perf_counter() - start)
    return (
        f"p50 {statistics.median(runs) * 1000:.2f} ms, max {max(runs) * 1000:.2f} ms "
        f"over {len(runs)} questions ({len(impacts)} impacts x {repeat})"
    )


def main(repeat: int = 5) -> None:
    start = time.perf_counter()
    kg = KnowledgeGraph.open(data=list(DEMO))
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    kg.projection()
    warm = time.perf_counter() - start
    print(f"demo data: {len(kg.store):,} triples, read and loaded in {loaded * 1000:.0f} ms")
    print(f"projection warm-up: {warm * 1000:.0f} ms")
    print(f"linked_actors: {_median_and_max(kg, kg.linked_actors, repeat)}")
    print(f"leverage: {_median_and_max(kg, kg.leverage, repeat)}")


if __name__ == "__main__":
    main()
