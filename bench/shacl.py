"""SHACL: full validation at each size, and incremental validation of a small update.

Targets (issue 7): full validation at 1M actors in under 2 minutes and 8 GiB; incremental
validation at least 100x faster than a full pyshacl run at 100k; the verdicts always equal
pyshacl's. pyshacl (through ``valuechain_kg.validation.validate``) is the reference; it works
on an in-memory rdflib graph (~1.1 KB per triple), so it only runs where that fits.
"""

from __future__ import annotations

import time
from typing import Any

from bench.dataset import Dataset
from bench.measure import ChildFailed, run_child, seconds, size_of
from bench.report import AT_1M, NOT_RUN, Row, verdict

#: pyshacl is run up to this many triples (rdflib memory, and minutes of time per run).
PYSHACL_MAX_TRIPLES = 2_000_000
PYSHACL_TIMEOUT_S = 1800


def full_pyshacl(nt: str) -> dict[str, Any]:
    import pyoxigraph as ox

    from valuechain_kg.validation import validate

    start = time.perf_counter()
    with open(nt, "rb") as stream:
        quads = list(ox.parse(stream, format=ox.RdfFormat.N_TRIPLES))
    parsed = time.perf_counter() - start
    report = validate(quads)
    total = time.perf_counter() - start
    return {
        "seconds": total,
        "parse": parsed,
        "conforms": report.conforms,
        "violations": len(report.violations),
        "results": len(report.results),
    }


def _incremental_available() -> str | None:
    """The name of an incremental or compiled validator, when the validation module has one."""
    import valuechain_kg.validation as validation

    for name in ("validate_incremental", "validate_update", "validate_store", "compiled"):
        if hasattr(validation, name):
            return name
    return None


def rows(data: Dataset) -> list[Row]:
    result: list[Row] = []
    name = "pyshacl full run (`validation.validate`, rdflib in memory)"
    if data.triples > PYSHACL_MAX_TRIPLES:
        result.append(
            Row(
                "shacl",
                "full validation",
                data.actors,
                "-",
                name,
                "-",
                "-",
                "< 2 min and 8 GiB at 1M actors",
                NOT_RUN,
                "",
                f"{data.triples:,} triples exceed the pyshacl budget of "
                f"{PYSHACL_MAX_TRIPLES:,} (rdflib memory and time); no compiled validator yet",
            )
        )
    else:
        try:
            r = run_child("bench.shacl:full_pyshacl", timeout=PYSHACL_TIMEOUT_S, nt=str(data.nt))
            result.append(
                Row(
                    "shacl",
                    "full validation (pyshacl is the only validator so far)",
                    data.actors,
                    seconds(r["seconds"]),
                    name,
                    seconds(r["seconds"]),
                    "1.00x",
                    "< 2 min and 8 GiB at 1M actors",
                    verdict(r["seconds"] < 120 and r["peak_rss"] < 8 * 2**30)
                    if data.actors >= 1_000_000
                    else AT_1M,
                    size_of(r["peak_rss"]),
                    f"conforms={r['conforms']}, {r['violations']} violations, {r['results']} "
                    f"results; parse {seconds(r['parse'])} of it; one run (minutes each)",
                )
            )
        except ChildFailed as exc:
            result.append(
                Row(
                    "shacl",
                    "full validation",
                    data.actors,
                    "-",
                    name,
                    "-",
                    "-",
                    "",
                    NOT_RUN,
                    "",
                    str(exc),
                )
            )
    if _incremental_available() is None:
        result.append(
            Row(
                "shacl",
                "incremental validation of an update touching a handful of nodes",
                data.actors,
                "-",
                "full pyshacl run",
                "see row above",
                "-",
                ">= 100x faster than full at 100k; same verdicts",
                NOT_RUN,
                "",
                "`valuechain_kg.validation` has no incremental or compiled validator yet",
            )
        )
    return result
