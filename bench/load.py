"""Bulk load into the project's disk store vs raw ``pyoxigraph.Store.bulk_load`` vs rdflib.

Target: the project's store loads at least 0.8 of raw Oxigraph's throughput at every
size. rdflib needs about 1.1 KB of RAM per triple, so it is only run where that fits.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from bench.dataset import Dataset
from bench.measure import ChildFailed, median, rate, ratio, run_child, size_of
from bench.report import NOT_RUN, Row, verdict
from valuechain_kg.store.revision import state_folder

#: rdflib is run only when its estimated footprint stays under this (of a 24 GiB machine).
RDFLIB_BUDGET_BYTES = 12 * 2**30
RDFLIB_BYTES_PER_TRIPLE = 1_150


# Measurements, each run in a fresh process by ``bench.child``. ---------------------------


def graphstore_bulk_load(nt: str, directory: str) -> dict[str, Any]:
    from valuechain_kg.store import GraphStore

    start = time.perf_counter()
    store = GraphStore(Path(directory))
    store.bulk_load(Path(nt))
    store.close()
    return {"seconds": time.perf_counter() - start}


def oxigraph_bulk_load(nt: str, directory: str) -> dict[str, Any]:
    import pyoxigraph as ox

    start = time.perf_counter()
    store = ox.Store(directory)
    store.bulk_load(path=nt, format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    return {"seconds": time.perf_counter() - start}


def rdflib_parse(nt: str) -> dict[str, Any]:
    import rdflib

    start = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(nt, format="nt")
    return {"seconds": time.perf_counter() - start, "triples": len(graph)}


# Orchestration, in the parent process. ----------------------------------------------------


def _repeated(data: Dataset, target: str, name: str, keep: Path | None = None) -> list[dict]:
    """Each run into a fresh folder; the last one's store kept at ``keep``, moved with what
    the project keeps beside it (its revision and count), as a user moves a store."""
    results = []
    for i in range(data.repeat):
        directory = data.scratch(f"{name}-{i}")
        results.append(run_child(target, nt=str(data.nt), directory=str(directory)))
        beside = state_folder(directory)
        if keep is not None and i == data.repeat - 1:
            shutil.rmtree(keep, ignore_errors=True)
            shutil.rmtree(state_folder(keep), ignore_errors=True)
            directory.rename(keep)
            if beside.exists():
                beside.rename(state_folder(keep))
        else:
            shutil.rmtree(directory, ignore_errors=True)
            shutil.rmtree(beside, ignore_errors=True)
    return results


def rows(data: Dataset) -> list[Row]:
    """The load rows of one size; leaves a loaded store at ``data.store_dir`` for the others."""
    raw = _repeated(data, "bench.load:oxigraph_bulk_load", "oxigraph")
    ours = _repeated(data, "bench.load:graphstore_bulk_load", "graphstore", keep=data.store_dir)
    raw_s = median([r["seconds"] for r in raw])
    ours_s = median([r["seconds"] for r in ours])
    share = raw_s / ours_s  # throughput of ours relative to raw
    result = [
        Row(
            "load",
            "bulk load, disk store (`GraphStore.bulk_load`)",
            data.actors,
            rate(data.triples, ours_s) + f" ({ours_s:.2f} s)",
            "raw `pyoxigraph.Store.bulk_load` (disk)",
            rate(data.triples, raw_s) + f" ({raw_s:.2f} s)",
            ratio(share),
            ">= 0.8x raw throughput",
            verdict(share >= 0.8),
            size_of(median([r["peak_rss"] for r in ours])),
            f"raw peak RSS {size_of(median([r['peak_rss'] for r in raw]))}",
        ),
    ]
    result.append(_rdflib_row(data, ours_s))
    return result


def _rdflib_row(data: Dataset, ours_s: float) -> Row:
    estimate = data.triples * RDFLIB_BYTES_PER_TRIPLE
    name = "rdflib `Graph.parse` (memory)"
    if estimate > RDFLIB_BUDGET_BYTES:
        return Row(
            "load",
            "bulk load vs rdflib",
            data.actors,
            "see row above",
            name,
            "-",
            "-",
            "",
            NOT_RUN,
            "",
            f"rdflib would need ~{size_of(estimate)} at ~1.1 KB/triple: does not fit",
        )
    try:
        runs = [run_child("bench.load:rdflib_parse", nt=str(data.nt)) for _ in range(data.repeat)]
    except ChildFailed as exc:
        return Row(
            "load",
            "bulk load vs rdflib",
            data.actors,
            "see row above",
            name,
            "-",
            "-",
            "",
            NOT_RUN,
            "",
            str(exc),
        )
    rdflib_s = median([r["seconds"] for r in runs])
    rss = median([r["peak_rss"] for r in runs])
    return Row(
        "load",
        "bulk load vs rdflib",
        data.actors,
        rate(data.triples, ours_s) + f" ({ours_s:.2f} s)",
        name,
        rate(data.triples, rdflib_s) + f" ({rdflib_s:.2f} s)",
        ratio(rdflib_s / ours_s),
        "",
        "",
        size_of(rss),
        f"rdflib: {rss / data.triples:,.0f} B of RSS per triple",
    )
