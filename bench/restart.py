"""First analysis answers where users wait for them, each beside its anchor in the same run.

* restart: ``vckg linked IMPACT --store DIR`` as a command in a fresh process, on a store
  whose projection an earlier command saved beside it, timed from the command's start to its
  exit; the anchor is the bare SPARQL SELECT of the relationship edges (``bench.projection``)
  in a fresh process, all rows read: what any rebuild must at least read;
* after a small update: on a facade run as ``vckg serve`` runs it (answers from the previous
  projection, revision stated, while a patch runs), with its projection warm, one validated
  ``INSERT DATA`` of a supplies relationship between two existing actors, then the linked
  actors of an impact, timed together (after one earlier update, as on a running server);
  the anchor is the same update given to raw ``Store.update``. The relationship is taken out
  again, so the store is left as found.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.dataset import Dataset
from bench.measure import median, ratio, run_child
from bench.projection import EDGES_QUERY
from bench.report import Row, verdict

VC = "https://w3id.org/valuechain#"


def _impact_and_actors(store: Any) -> tuple[str, str, str]:
    impact = next(iter(store.query(f"SELECT ?i WHERE {{ ?x <{VC}impact> ?i }} LIMIT 1")))["i"]
    actors = [r["a"] for r in store.query(f"SELECT ?a WHERE {{ ?a a <{VC}Actor> }} LIMIT 2")]
    return impact.value, actors[0].value, actors[1].value


def _relationship(first: str, second: str) -> str:
    return f"<{first}> <{VC}supplies> <{second}>"


# Measurements, each run in a fresh process by ``bench.child``. ---------------------------


def edge_select(directory: str) -> dict[str, Any]:
    """Open the store and read every relationship edge, as a fresh process would."""
    import pyoxigraph as ox

    start = time.perf_counter()
    store = ox.Store.read_only(directory)
    edges = 0
    for _ in store.query(EDGES_QUERY):  # type: ignore[union-attr]
        edges += 1
    return {"seconds": time.perf_counter() - start, "edges": edges}


def impact_of(directory: str) -> dict[str, Any]:
    import pyoxigraph as ox

    impact, _, _ = _impact_and_actors(ox.Store.read_only(directory))
    return {"impact": impact}


def update_then_answer(directory: str) -> dict[str, Any]:
    from valuechain_kg.graph import KnowledgeGraph

    kg = KnowledgeGraph.open(store=directory)
    kg.serve_previous = True  # as `vckg serve` runs it
    impact, first, second = _impact_and_actors(kg.store.oxigraph)
    kg.linked_actors(impact)  # warm, not timed
    text = _relationship(first, second)
    # A server has written before: the validator's imports are paid by an earlier update.
    for warm_up in ("INSERT DATA", "DELETE DATA"):
        kg.update(f"{warm_up} {{ {text} }}")
        kg.wait_for_rebuild()
    kg.linked_actors(impact)
    patches = kg.projection_patches
    start = time.perf_counter()
    kg.update(f"INSERT DATA {{ {text} }}")
    kg.linked_actors(impact)
    seconds = time.perf_counter() - start
    kg.wait_for_rebuild()  # the patch, run beside the answers
    current = time.perf_counter() - start
    patched = kg.projection_patches - patches
    kg.update(f"DELETE DATA {{ {text} }}")
    kg.close()
    return {"seconds": seconds, "current": current, "patched": patched}


def raw_update(directory: str) -> dict[str, Any]:
    import pyoxigraph as ox

    store = ox.Store(directory)
    _, first, second = _impact_and_actors(store)
    text = _relationship(first, second)
    start = time.perf_counter()
    store.update(f"INSERT DATA {{ {text} }}")
    seconds = time.perf_counter() - start
    store.update(f"DELETE DATA {{ {text} }}")
    store.flush()
    return {"seconds": seconds}


# Orchestration, in the parent process. ----------------------------------------------------


def _linked_command(directory: Path, impact: str) -> float:
    vckg = str(Path(sys.executable).with_name("vckg"))
    command = [vckg, "linked", impact, "--store", str(directory), "-f", "json"]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, timeout=7200)
    return time.perf_counter() - start


def rows(data: Dataset) -> list[Row]:
    directory = data.store_dir
    impact = run_child("bench.restart:impact_of", directory=str(directory))["impact"]
    first = _linked_command(directory, impact)  # builds the projection and saves it
    restarts = [_linked_command(directory, impact) for _ in range(data.repeat)]
    anchor = [
        run_child("bench.restart:edge_select", directory=str(directory)) for _ in range(data.repeat)
    ]
    ours, select = median(restarts), median([a["seconds"] for a in anchor])
    result = [
        Row(
            "restart",
            "first `vckg linked` answer in a fresh process, projection saved beside the store",
            data.actors,
            f"{ours:.2f} s",
            "bare edge SELECT in a fresh process, all rows read",
            f"{select:.2f} s",
            ratio(select / ours),
            "< 5 s at 1M actors",
            verdict(ours < 5.0),
            note=(
                f"the command before, which built and saved the projection, took {first:.2f} s; "
                f"{anchor[0]['edges']:,} edges"
            ),
        )
    ]
    after = [
        run_child("bench.restart:update_then_answer", directory=str(directory))
        for _ in range(data.repeat)
    ]
    raw = [run_child("bench.restart:raw_update", directory=str(directory)) for _ in after]
    seconds = median([a["seconds"] for a in after])
    result.append(
        Row(
            "restart",
            "a one-relationship `INSERT DATA` then the first `linked` answer (facade, warm)",
            data.actors,
            f"{seconds * 1000:.1f} ms",
            "the same update on raw `Store.update`",
            f"{median([r['seconds'] for r in raw]) * 1000:.1f} ms",
            ratio(median([r["seconds"] for r in raw]) / seconds),
            "< 1 s",
            verdict(seconds < 1.0),
            note=(
                "the answer comes from the projection before the update, its revision stated, "
                "while the patch runs beside it; answers reflect the update after "
                f"{median([a['current'] for a in after]):.2f} s (projection patched, not "
                f"rebuilt: {all(a['patched'] == 1 for a in after)})"
            ),
        )
    )
    return result
