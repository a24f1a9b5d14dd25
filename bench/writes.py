"""Writes as users run them, each beside raw pyoxigraph in the same run.

* ``vckg-load``: the ``vckg load FILE --store DIR`` command (validated, and ``--no-validate``),
  timed from the command's start to its exit, against raw ``Store.bulk_load`` into a fresh
  folder (timed inside its process, so the command also pays its interpreter start-up);
* ``update``: one small SPARQL update through the facade (``KnowledgeGraph.update``: planned on
  the live store, validated, one transaction) on the disk store of that size, against the same
  text given to raw ``Store.update`` on the same store: an ``INSERT DATA`` of one actor, the
  ``DELETE DATA`` taking it out again, and a ``DELETE/INSERT ... WHERE`` renaming one actor
  (and back). Each measurement leaves the store as it found it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.dataset import Dataset
from bench.load import _repeated
from bench.measure import median, rate, ratio, run_child
from bench.report import Row, verdict, verdict_from_100k

VC = "https://w3id.org/valuechain#"
ACTOR = "https://w3id.org/valuechain/id/bench-update-actor"
INSERT = (
    f'INSERT DATA {{ <{ACTOR}> a <{VC}Actor> ; <https://schema.org/name> "Bench" ; '
    f'<http://www.w3.org/2000/01/rdf-schema#label> "Bench" ; <{VC}role> <{VC}role-investor> }}'
)
DELETE = INSERT.replace("INSERT DATA", "DELETE DATA", 1)
RENAME = (
    "DELETE {{ ?a <https://schema.org/name> ?n }} INSERT {{ ?a <https://schema.org/name> {new} }} "
    "WHERE {{ VALUES ?a {{ <{actor}> }} ?a <https://schema.org/name> ?n }}"
)


def _first_actor(store: Any) -> tuple[str, str]:
    row = next(
        iter(
            store.query(
                f"SELECT ?a ?n WHERE {{ ?a a <{VC}Actor> ; <https://schema.org/name> ?n }} LIMIT 1"
            )
        )
    )
    return row["a"].value, str(row["n"])


def _updates(store: Any) -> list[tuple[str, str]]:
    actor, name = _first_actor(store)
    return [
        ("INSERT DATA (one actor)", INSERT),
        ("DELETE DATA (that actor)", DELETE),
        ("DELETE/INSERT WHERE (rename one actor)", RENAME.format(new='"Renamed"', actor=actor)),
        ("DELETE/INSERT WHERE (name back)", RENAME.format(new=name, actor=actor)),
    ]


# Measurements, each run in a fresh process by ``bench.child``. ---------------------------


def facade_updates(directory: str) -> dict[str, Any]:
    from valuechain_kg.graph import KnowledgeGraph

    kg = KnowledgeGraph.open(store=directory)
    timings = {}
    for name, text in _updates(kg.store.oxigraph):
        start = time.perf_counter()
        kg.update(text)
        timings[name] = time.perf_counter() - start
    kg.close()
    return {"seconds": timings}


def oxigraph_updates(directory: str) -> dict[str, Any]:
    import pyoxigraph as ox

    store = ox.Store(directory)
    timings = {}
    for name, text in _updates(store):
        start = time.perf_counter()
        store.update(text)
        timings[name] = time.perf_counter() - start
    store.flush()
    return {"seconds": timings}


# Orchestration, in the parent process. ----------------------------------------------------


def _command(data: Dataset, validate: bool) -> float:
    """Median wall-clock seconds of ``vckg load`` into a fresh folder."""
    vckg = str(Path(sys.executable).with_name("vckg"))
    times = []
    for i in range(data.repeat):
        directory = data.scratch(f"vckg-load-{validate}-{i}")
        shutil.rmtree(directory, ignore_errors=True)  # the command creates the store itself
        command = [vckg, "load", str(data.nt), "--store", str(directory)]
        command += [] if validate else ["--no-validate"]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, timeout=7200)
        times.append(time.perf_counter() - start)
        shutil.rmtree(directory, ignore_errors=True)
    return median(times)


def load_rows(data: Dataset) -> list[Row]:
    raw = median([r["seconds"] for r in _repeated(data, "bench.load:oxigraph_bulk_load", "raw")])
    rows = []
    for validate, target in ((True, 0.5), (False, 0.9)):
        ours = _command(data, validate)
        share = raw / ours
        flag = "validated, atomic" if validate else "--no-validate"
        rows.append(
            Row(
                "vckg-load",
                f"`vckg load FILE --store DIR` ({flag}), wall clock",
                data.actors,
                rate(data.triples, ours) + f" ({ours:.2f} s)",
                "raw `Store.bulk_load` (disk)",
                rate(data.triples, raw) + f" ({raw:.2f} s)",
                ratio(share),
                f">= {target}x raw throughput at 100k and 1M",
                verdict_from_100k(data.actors, share >= target),
            )
        )
    return rows


def update_rows(data: Dataset) -> list[Row]:
    ours = run_child("bench.writes:facade_updates", directory=str(data.store_dir))["seconds"]
    raw = run_child("bench.writes:oxigraph_updates", directory=str(data.store_dir))["seconds"]
    rows = []
    for name, seconds in ours.items():
        anchor = raw[name]
        rows.append(
            Row(
                "update",
                f"{name}, `KnowledgeGraph.update` (validated)",
                data.actors,
                f"{seconds * 1000:.1f} ms",
                "raw `Store.update`",
                f"{anchor * 1000:.1f} ms",
                ratio(anchor / seconds),
                "< 1 s",
                verdict(seconds < 1.0),
            )
        )
    return rows
