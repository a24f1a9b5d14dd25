"""SHACL: full validation at each size, and incremental validation of a small update.

Targets: full validation at 1M actors in under a minute and 8 GiB; incremental validation at
least 100x faster than a full pyshacl run at 100k; the verdicts always equal pyshacl's. pyshacl
(``valuechain_kg.validation.reference.validate``) is the reference; it works on an in-memory
rdflib graph (~1.1 KB per triple), so it only runs where that fits. The fast engine is
``valuechain_kg.validation.validate_store``: the shapes compiled to SPARQL that Oxigraph runs
over the disk store, in full or for a set of focus nodes. A full run goes through
``KnowledgeGraph.validate_with``, as ``vckg validate --store DIR`` does, so that a large store
not compacted since its last write is compacted beside the check, as users meet it.

The clean store is checked first, as the bulk loader left it (the first check a store loaded
without validation gets), then the store with the defects below (a small write after a check).

The synthetic data conforms, and "same verdict" on clean data would prove little, so every
size also applies one update that breaks a handful of nodes in different ways (a missing name,
a malformed country, a share out of range, a missing source, an invalid mode). The compiled
engine (full and incremental) and pyshacl validate the same broken data, and their result lists
are compared result for result (as a digest). The update is undone afterwards, so the store the
HTTP family serves is the clean one.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.dataset import Dataset
from bench.measure import ChildFailed, median, ratio, run_child, seconds, size_of
from bench.report import AT_1M, NOT_RUN, Row, verdict

#: pyshacl is run up to this many triples (rdflib memory, and minutes of time per run).
PYSHACL_MAX_TRIPLES = 2_000_000
PYSHACL_TIMEOUT_S = 1800
COMPILED_TIMEOUT_S = 1800
INCREMENTAL_RUNS = 5

VC = "https://w3id.org/valuechain#"
_PREFIXES = (
    f"PREFIX vc: <{VC}> PREFIX schema: <https://schema.org/> "
    "PREFIX prov: <http://www.w3.org/ns/prov#> "
)

#: Each defect: a query for one node and the triple to change, and what to put instead.
#: ``None`` as replacement deletes the triple. The shapes each of these breaks are named after it.
_DEFECTS: list[tuple[str, str, Callable[[Any], str] | None]] = [
    # "An actor needs a name"
    (
        "SELECT ?s ?o WHERE { ?s a vc:Actor ; schema:name ?o } LIMIT 1",
        "<https://schema.org/name>",
        None,
    ),
    # "A country must be an ISO 3166-1 alpha-2 code in capitals"
    (
        "SELECT ?s ?o WHERE { ?s a vc:Actor ; vc:country ?o } OFFSET 1 LIMIT 1",
        f"<{VC}country>",
        lambda _: '"Atlantis"',
    ),
    # "A revenue share must be a decimal number between 0 and 1"
    (
        "SELECT ?s ?o WHERE { ?s vc:revenueShare ?o } LIMIT 1",
        f"<{VC}revenueShare>",
        lambda _: '"1.5"^^<http://www.w3.org/2001/XMLSchema#decimal>',
    ),
    # "An impact needs a source"
    (
        "SELECT ?s ?o WHERE { ?s a vc:AdverseImpact ; prov:wasDerivedFrom ?o } LIMIT 1",
        "<http://www.w3.org/ns/prov#wasDerivedFrom>",
        None,
    ),
    # "The mode must be cause, contribution or direct-linkage"
    (
        "SELECT ?s ?o WHERE { ?s a vc:Involvement ; vc:mode ?o } LIMIT 1",
        f"<{VC}mode>",
        lambda _: f"<{VC}Bystander>",
    ),
]


def defect_update(store: Any) -> dict[str, Any]:
    """The SPARQL update that breaks a handful of nodes, its inverse, and the touched nodes.

    ``added`` and ``removed`` are the same change as N-Triples lines, for ``validate_change``.
    """
    removed: list[str] = []
    added: list[str] = []
    focus: list[str] = []
    for query, predicate, replace in _DEFECTS:
        found = list(store.query(_PREFIXES + query))
        if not found:
            continue  # a tiny graph may lack, say, a revenue share
        subject, old = found[0]["s"], found[0]["o"]
        focus.append(subject.value)
        removed.append(f"{subject} {predicate} {old} .")
        if replace is not None:
            added.append(f"{subject} {predicate} {replace(old)} .")

    def change(delete: list[str], insert: list[str]) -> str:
        return (
            _PREFIXES
            + "DELETE DATA { "
            + " ".join(delete)
            + " } ; INSERT DATA { "
            + " ".join(insert)
            + " }"
        )

    return {
        "apply": change(removed, added),
        "undo": change(added, removed),
        "focus": focus,
        "added": added,
        "removed": removed,
    }


def _quads(lines: list[str]) -> list[Any]:
    import pyoxigraph as ox

    text = "\n".join(lines).encode()
    return [
        ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(text, ox.RdfFormat.N_TRIPLES)
    ]


def _digest(report: Any) -> str:
    """A fingerprint of a report's results, in order: equal digests mean equal reports."""
    lines = [json.dumps(r.model_dump(), sort_keys=True) for r in report.results]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def _summary(report: Any, elapsed: float) -> dict[str, Any]:
    return {
        "seconds": elapsed,
        "conforms": report.conforms,
        "results": len(report.results),
        "violations": len(report.violations),
        "digest": _digest(report),
    }


# Measurements, each run in a fresh process by ``bench.child``. ---------------------------


def _full(kg: Any) -> tuple[Any, dict[str, Any]]:
    """One full validation through the facade, timed, and whether it compacted the store."""
    from valuechain_kg.service.writes import compaction_before_validating

    compacts = compaction_before_validating(kg.store) is not None
    start = time.perf_counter()
    report = kg.validate_with()
    return report, {**_summary(report, time.perf_counter() - start), "compacted": compacts}


def compiled(directory: str, runs: int) -> dict[str, Any]:
    """Full compiled validation of the clean store, then of the broken one, then incremental."""
    from valuechain_kg.service.graph import KnowledgeGraph
    from valuechain_kg.store import GraphStore
    from valuechain_kg.validation import validate_change, validate_store
    from valuechain_kg.validation.incremental import affected_focus_nodes, footprint

    store = GraphStore(Path(directory))
    out: dict[str, Any] = {"clean": _full(KnowledgeGraph(store))[1]}
    update = defect_update(store.oxigraph)
    added, removed = _quads(update["added"]), _quads(update["removed"])
    # The incremental path that loads and updates take: the store before the change, and the
    # change; only the focus nodes it can affect are checked, over their neighbourhood.
    reach = footprint()
    assert reach is not None, "the project's shapes look one step away (incremental is sound)"
    nodes = affected_focus_nodes(store.oxigraph, set(added), set(removed), reach)
    affected = {node.value for node in nodes}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        change = validate_change(store, added=added, removed=removed)
        times.append(time.perf_counter() - start)
    out["change"] = _summary(change, median(times))
    out["affected"] = len(affected)
    store.oxigraph.update(update["apply"])
    try:
        broken, out["broken"] = _full(KnowledgeGraph(store))
        focus = set(update["focus"])
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            partial = validate_store(store, focus_nodes=focus)
            times.append(time.perf_counter() - start)
        out["incremental"] = _summary(partial, median(times))
        # The full run's results about the touched nodes are what the incremental run must give.
        about_focus = [r for r in broken.results if r.focus_node in focus]
        out["incremental"]["same_as_full"] = [r.sort_key() for r in about_focus] == [
            r.sort_key() for r in partial.results
        ]
        out["focus"] = len(focus)
        about_affected = [r for r in broken.results if r.focus_node in affected]
        out["change"]["same_as_full"] = [r.sort_key() for r in about_affected] == [
            r.sort_key() for r in change.results
        ]
    finally:
        store.oxigraph.update(update["undo"])
        store.close()
    return out


def full_pyshacl(nt: str, directory: str) -> dict[str, Any]:
    """pyshacl over the same broken data: the file parsed, the same update applied in memory."""
    import pyoxigraph as ox

    from valuechain_kg.store import GraphStore
    from valuechain_kg.validation.reference import validate

    # The update is computed on the disk store, exactly as the compiled run computed it.
    disk = GraphStore(Path(directory))
    update = defect_update(disk.oxigraph)
    disk.close()
    start = time.perf_counter()
    memory = ox.Store()
    memory.bulk_load(path=nt, format=ox.RdfFormat.N_TRIPLES)
    memory.update(update["apply"])
    quads = list(memory.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    del memory
    parsed = time.perf_counter() - start
    report = validate(quads)
    out = _summary(report, time.perf_counter() - start)
    out["parse"] = parsed
    return out


# Orchestration, in the parent process. ----------------------------------------------------

FULL_TARGET = "< 60 s and 8 GiB at 1M actors"
SAME = "verdicts equal pyshacl's"


def _failed(data: Dataset, measure: str, anchor: str, target: str, why: str) -> Row:
    return Row("shacl", measure, data.actors, "-", anchor, "-", "-", target, NOT_RUN, "", why)


def rows(data: Dataset) -> list[Row]:
    try:
        c = run_child(
            "bench.shacl:compiled",
            timeout=COMPILED_TIMEOUT_S,
            directory=str(data.store_dir),
            runs=INCREMENTAL_RUNS,
        )
    except ChildFailed as exc:
        c = {"error": str(exc)}
    p: dict[str, Any] | None = None
    why_no_pyshacl = ""
    if data.triples > PYSHACL_MAX_TRIPLES:
        why_no_pyshacl = (
            f"pyshacl not run: {data.triples:,} triples exceed its budget of "
            f"{PYSHACL_MAX_TRIPLES:,} (rdflib needs ~1.1 KB per triple and minutes per 100k "
            "actors; 1M would not fit in 16 GiB)"
        )
    else:
        try:
            p = run_child(
                "bench.shacl:full_pyshacl",
                timeout=PYSHACL_TIMEOUT_S,
                nt=str(data.nt),
                directory=str(data.store_dir),
            )
        except ChildFailed as exc:
            why_no_pyshacl = f"pyshacl failed: {exc}"
    return [
        *_full_rows(data, c, p, why_no_pyshacl),
        *(_incremental_row(data, c, p, why_no_pyshacl, key) for key in _INCREMENTAL),
    ]


def _equality(compiled_run: dict[str, Any], pyshacl_run: dict[str, Any] | None) -> str:
    if pyshacl_run is None:
        return "no pyshacl reference at this size"
    same = compiled_run["digest"] == pyshacl_run["digest"]
    return (
        f"verdicts {'EQUAL' if same else 'DIFFERENT'} to pyshacl's "
        f"({compiled_run['results']} results each way, digest {compiled_run['digest']})"
        if same
        else f"verdicts DIFFERENT: compiled {compiled_run['results']} results "
        f"(digest {compiled_run['digest']}), pyshacl {pyshacl_run['results']} "
        f"(digest {pyshacl_run['digest']})"
    )


def _compaction(run: dict[str, Any]) -> str:
    if run["compacted"]:
        return "the store compacted beside the check (large, not compacted since its last write)"
    return "the store not compacted (small, or compacted with no write since)"


def _within(data: Dataset, run: dict[str, Any], peak: int, same: bool = True) -> str:
    """The verdict of a full run: judged at 1M (time and memory), equality at every size."""
    if not same:
        return verdict(False)
    if data.actors < 1_000_000:
        return AT_1M
    return verdict(run["seconds"] < 60 and peak < 8 * 2**30)


def _full_rows(
    data: Dataset, c: dict[str, Any], p: dict[str, Any] | None, why_no_pyshacl: str
) -> list[Row]:
    """The first full check of the store the bulk loader wrote, and the check of the same
    store after a small update breaking a few nodes, compared with pyshacl's."""
    name = "pyshacl full run (`validation.reference.validate`, rdflib in memory)"
    if "error" in c:
        return [_failed(data, "full validation, compiled", name, FULL_TARGET, c["error"])]
    clean, broken, peak = c["clean"], c["broken"], c["peak_rss"]
    same = p is None or p["digest"] == broken["digest"]
    note = (
        f"on the data with {c['focus']} nodes broken: {broken['violations']} violations; "
        f"{_equality(broken, p)}; {_compaction(broken)}"
    )
    if p is not None:
        note += f"; pyshacl: parse {seconds(p['parse'])} of its time, peak RSS "
        note += f"{size_of(p['peak_rss'])}, one run"
    else:
        note += f"; {why_no_pyshacl}"
    measure = (
        "full validation as `vckg validate --store DIR` runs it (`KnowledgeGraph.validate_with`"
    )
    return [
        Row(
            "shacl",
            f"{measure}, disk store as the bulk loader wrote it, clean data)",
            data.actors,
            seconds(clean["seconds"]),
            target=FULL_TARGET,
            verdict=_within(data, clean, peak),
            peak_rss=size_of(peak),
            note=f"conforms={clean['conforms']}; {_compaction(clean)}",
        ),
        Row(
            "shacl",
            f"{measure}, the same store after a small update breaking a few nodes)",
            data.actors,
            seconds(broken["seconds"]),
            name,
            seconds(p["seconds"]) if p else "-",
            ratio(p["seconds"] / broken["seconds"]) if p else "-",
            f"{FULL_TARGET}; {SAME}",
            _within(data, broken, peak, same),
            size_of(peak),
            note,
        ),
    ]


#: The two incremental measurements: the key in the child's result, and how each is described.
_INCREMENTAL = {
    "change": (
        "incremental validation of an update touching a handful of nodes "
        "(`validate_change`: the nodes the change can affect, over their neighbourhood)",
        "affected focus nodes",
    ),
    "incremental": (
        "validation of the touched nodes only (`validate_store(focus_nodes=...)` on the store)",
        "focus nodes",
    ),
}


def _incremental_row(
    data: Dataset, c: dict[str, Any], p: dict[str, Any] | None, why_no_pyshacl: str, key: str
) -> Row:
    target = ">= 100x faster than full pyshacl at 100k; same verdicts as full"
    measure, nodes = _INCREMENTAL[key]
    if "error" in c:
        return _failed(data, measure, "full pyshacl run", target, c["error"])
    inc, broken = c[key], c["broken"]
    speedup = p["seconds"] / inc["seconds"] if p else float("nan")
    same = inc["same_as_full"]
    if p is not None and data.actors >= 100_000:
        ok = verdict(speedup >= 100 and same)
    elif not same:
        ok = verdict(False)
    else:
        ok = "target is for 100k"
    count = c["affected"] if key == "change" else c["focus"]
    note = (
        f"{count} {nodes} ({c['focus']} nodes broken), median of {INCREMENTAL_RUNS}; "
        f"{inc['results']} results, {'equal' if same else 'NOT equal'} to the full run's "
        f"results about those nodes; {ratio(broken['seconds'] / inc['seconds'])} faster than "
        "the full compiled run"
    )
    if p is None:
        note += f"; {why_no_pyshacl}"
    return Row(
        "shacl",
        measure,
        data.actors,
        seconds(inc["seconds"]),
        "full pyshacl run",
        seconds(p["seconds"]) if p else "-",
        ratio(speedup),
        target,
        ok,
        size_of(c["peak_rss"]),
        note,
    )
