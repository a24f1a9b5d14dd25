"""Every impact at once on Apache Spark, beside a loop over the embedded facade.

* ``vckg batch linked --engine spark --store DIR --out OUT`` (and ``leverage``) as commands,
  wall clock from start to exit: interpreter, the facade's projection build and edge-table
  export, Spark's start-up (local mode, the command's default master) and the writing of the
  Parquet and JSON Lines answers are all in it;
* the anchor: one process opening the same store through the facade and answering
  ``linked_actors`` (resp. ``leverage``) for every impact, every row (no page limit), shown
  with the projection build and without it.

Both read the same disk store with no projection saved beside it (removed before each run), so
both build it. The answers are compared: the batch's JSON Lines rows and the facade's answers
map to the same plain rows (``bench.answers``), counted and digested; a difference makes the
row NOT met.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bench import command
from bench.answers import digest, leverage_row, linked_row
from bench.dataset import Dataset
from bench.measure import median, ratio, run_child, seconds, size_of
from bench.projection import ensure_store
from bench.remote import forget_saved_projection
from bench.report import Row, verdict

QUESTIONS = ("linked", "leverage")
#: No page limit: every row of every answer.
EVERYTHING = 2**31 - 1


def java_version() -> str:
    """The first line of ``java -version`` (the runtime Spark starts), or why there is none."""
    try:
        done = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=60)
    except OSError as exc:
        return f"not found ({exc.strerror})"
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[0] if lines else "unknown"


# Measurements, each run in a fresh process by ``bench.child``. ---------------------------


def facade_loop(directory: str, question: str) -> dict[str, Any]:
    """Open the store, build the projection, then answer ``question`` for every impact."""
    from valuechain_kg.graph import KnowledgeGraph

    start = time.perf_counter()
    kg = KnowledgeGraph.open(store=directory, create=False)
    kg.projection()
    build = time.perf_counter() - start
    rows: list[list[Any]] = []
    start = time.perf_counter()
    impacts = [s.id for s in kg.impacts(limit=EVERYTHING).impacts]
    for impact in impacts:
        if question == "linked":
            answer = kg.linked_actors(impact, limit=EVERYTHING)
            rows += [linked_row(impact, a.model_dump(by_alias=True)) for a in answer.actors]
        else:
            lev = kg.leverage(impact, limit=EVERYTHING)
            rows += [leverage_row(impact, t.model_dump(by_alias=True)) for t in lev.targets]
    loop = time.perf_counter() - start
    count, digested = digest(rows)
    return {
        "build": build,
        "loop": loop,
        "impacts": len(impacts),
        "rows": count,
        "digest": digested,
    }


# Orchestration, in the parent process. ----------------------------------------------------


def _batch_rows(out: Path, question: str) -> tuple[int, str]:
    """The JSON Lines answers of a batch run as plain rows, counted and digested."""
    to_row = linked_row if question == "linked" else leverage_row
    rows = []
    for part in sorted((out / f"{question}.json").glob("part-*.json")):
        for line in part.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            rows.append(to_row(record["impact"], record))
    return digest(rows)


def _command(data: Dataset, question: str) -> dict[str, Any]:
    runs, answers = [], None
    for i in range(data.repeat):
        out = data.scratch(f"batch-{question}-{i}")
        forget_saved_projection(data.store_dir)
        argv = [command.vckg(), "batch", question, "--engine", "spark"]
        runs.append(command.run([*argv, "--store", str(data.store_dir), "--out", str(out)]))
        answers = _batch_rows(out, question)
        shutil.rmtree(out, ignore_errors=True)
    assert answers is not None
    return {
        "seconds": median([r.seconds for r in runs]),
        "rss": median([r.peak_rss for r in runs]),
        "jvm_rss": median([r.descendants_rss for r in runs]),
        "rows": answers[0],
        "digest": answers[1],
    }


def _loop(data: Dataset, question: str) -> dict[str, Any]:
    runs = []
    for _ in range(data.repeat):
        forget_saved_projection(data.store_dir)
        runs.append(
            run_child("bench.batch:facade_loop", directory=str(data.store_dir), question=question)
        )
    last = runs[-1]
    return {
        "build": median([r["build"] for r in runs]),
        "loop": median([r["loop"] for r in runs]),
        "total": median([r["build"] + r["loop"] for r in runs]),
        "rss": median([r["peak_rss"] for r in runs]),
        "impacts": last["impacts"],
        "rows": last["rows"],
        "digest": last["digest"],
    }


def rows(data: Dataset) -> list[Row]:
    ensure_store(data)
    result = []
    for question in QUESTIONS:
        spark = _command(data, question)
        loop = _loop(data, question)
        same = (spark["rows"], spark["digest"]) == (loop["rows"], loop["digest"])
        result.append(
            Row(
                "batch",
                f"`vckg batch {question} --engine spark --store DIR --out DIR`, all "
                f"{loop['impacts']:,} impacts, wall clock (Spark start-up included)",
                data.actors,
                f"{spark['seconds']:.2f} s",
                f"loop over the embedded facade, `{question}` for every impact, one process, "
                "projection build included",
                f"{loop['total']:.2f} s",
                ratio(loop["total"] / spark["seconds"]),
                "same answers",
                verdict(same),
                size_of(spark["rss"]),
                f"ratio: loop time / batch time; without the projection build the loop takes "
                f"{seconds(loop['loop'])} ({ratio(loop['loop'] / spark['seconds'])}; build "
                f"{seconds(loop['build'])}); answers {'EQUAL' if same else 'DIFFERENT'}: "
                f"{spark['rows']:,} rows (digest {spark['digest']}) vs {loop['rows']:,} "
                f"(digest {loop['digest']}); peak RSS: vckg {size_of(spark['rss'])}, Spark's "
                f"JVM {size_of(spark['jvm_rss'])} (sampled), loop {size_of(loop['rss'])}",
            )
        )
    forget_saved_projection(data.store_dir)
    return result
