"""Projection build vs a bare SPARQL SELECT of the same edges.

Target: building the projection takes at most twice the time of streaming the
business-relationship edges out of Oxigraph with one SELECT, i.e. the projection adds little
beyond reading what it must read.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.dataset import Dataset
from bench.measure import ChildFailed, median, ratio, run_child, seconds, size_of
from bench.report import NOT_RUN, Row, verdict
from valuechain_kg.vocabulary import RELATIONS

EDGES_QUERY = (
    "SELECT ?s ?p ?o WHERE { VALUES ?p { "
    + " ".join(f"<{iri}>" for iri in RELATIONS.values())
    + " } ?s ?p ?o }"
)


def build_vs_select(directory: str, repeat: int) -> dict[str, Any]:
    """Alternate the anchor and the projection so drift on a shared machine hits both."""
    from valuechain_kg.service.projection_reader import build_projection
    from valuechain_kg.store import GraphStore

    store = GraphStore(Path(directory))
    select_s, build_s = [], []
    edges = nodes = 0
    for _ in range(repeat):
        start = time.perf_counter()
        solutions = store.oxigraph.query(EDGES_QUERY)
        read = [(s.value, p.value, o.value) for s, p, o in solutions]  # type: ignore[union-attr]
        edges = len(read)
        del read
        select_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        projection = build_projection(store)
        build_s.append(time.perf_counter() - start)
        nodes = len(projection)
        del projection
    return {"select": median(select_s), "build": median(build_s), "edges": edges, "nodes": nodes}


def ensure_store(data: Dataset) -> None:
    """Load the size's N-Triples into ``data.store_dir`` unless the load family already did.

    Lets ``--families projection,analysis`` run alone; the load itself is not timed here.
    """
    if data.store_dir.exists() and any(data.store_dir.iterdir()):
        return
    run_child("bench.projection:bulk_load", nt=str(data.nt), directory=str(data.store_dir))


def bulk_load(nt: str, directory: str) -> dict[str, Any]:
    from valuechain_kg.store import GraphStore

    store = GraphStore(Path(directory))
    store.bulk_load(Path(nt))
    store.close()
    return {}


def rows(data: Dataset) -> list[Row]:
    ensure_store(data)
    try:
        r = run_child(
            "bench.projection:build_vs_select", directory=str(data.store_dir), repeat=data.repeat
        )
    except ChildFailed as exc:
        return [
            Row(
                "projection",
                "projection build",
                data.actors,
                "-",
                "bare SPARQL SELECT of the edges",
                "-",
                "-",
                "<= 2x the SELECT",
                NOT_RUN,
                "",
                str(exc),
            )
        ]
    share = r["build"] / r["select"]
    return [
        Row(
            "projection",
            "projection build (`build_projection`)",
            data.actors,
            seconds(r["build"]),
            "bare SPARQL SELECT of the same edges, all rows read",
            seconds(r["select"]),
            ratio(share),
            "<= 2x the SELECT",
            verdict(share <= 2),
            size_of(r["peak_rss"]),
            f"{r['edges']:,} relationship edges, {r['nodes']:,} nodes; RSS includes the store",
        )
    ]
