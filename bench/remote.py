"""The remote store (``--store http://...``) on a real ``oxigraph serve`` beside the embedded store.

The engine is the ``oxigraph`` wheel's server, started by the bench on a free loopback port
over a fresh folder for every load (``bench.http.Server``, the starter the HTTP family uses;
the bench keeps its own so that it imports nothing from the tests). Each figure is measured
beside its anchor in the same run, on the same N-Triples file:

* load: ``vckg load FILE --store http://HOST:PORT/query`` as a command (validated, and with
  ``--no-validate``), wall clock, against ``vckg load FILE --store DIR`` with the same flags,
  and against the engine's own best load: one POST of the file to its Graph Store endpoint
  (``/store?default``, httpx, streamed from disk);
* projection: ``build_projection`` streamed from the engine in ordered pages, against the same
  build on the embedded store the embedded load wrote;
* ``linked``: p50 through the facade with the projection warm, on random impacts, remote
  against embedded (answers digested and compared); and the first answer of ``vckg linked
  IMPACT --store ...`` in a fresh process, which builds the projection on both (the saved
  projection beside the embedded store is removed first; the answer with it is in the note).

Peak memory: ``ru_maxrss`` of the vckg process, and ``VmHWM`` of the engine (read before it is
stopped). The engine is restarted on its loaded folder before the query rows, so its peak
there is that of the queries, not of the load.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from bench import command
from bench.answers import digest, linked_row
from bench.dataset import Dataset
from bench.http import Server, _tool
from bench.measure import ChildFailed, median, percentile, rate, ratio, run_child, seconds, size_of
from bench.report import Row, verdict

#: Which ``vckg load`` variants the load rows run: ``validated`` and ``no-validate``.
LOAD_MODES: tuple[str, ...] = ("validated", "no-validate")
#: Impacts sampled for the warm ``linked`` p50.
SAMPLES = 30
#: Bytes per chunk of the streamed Graph Store POST.
CHUNK = 4 * 2**20


def engine(folder: Path) -> Server:
    """``oxigraph serve`` (read-write) over ``folder``, on a free loopback port."""
    argv = [_tool("oxigraph"), "serve", "--location", str(folder), "--bind", "127.0.0.1:{port}"]
    return Server("oxigraph serve", argv, "/query", "/query?query=ASK%7B%7D")


def forget_saved_projection(store: Path) -> None:
    """Remove the projection saved beside an embedded store, so the next use builds it."""
    from valuechain_kg.service.projection_file import ProjectionFile

    ProjectionFile(store).path.unlink(missing_ok=True)


# Measurements, each run in a fresh process by ``bench.child``. ---------------------------


def projection_and_linked(store: str, seed: int, samples: int, repeat: int) -> dict[str, Any]:
    """Projection builds, then the warm facade's ``linked`` on sampled impacts, digested."""
    from valuechain_kg.graph import KnowledgeGraph
    from valuechain_kg.service.projection_reader import build_projection

    kg = KnowledgeGraph.open(store=store, create=False)
    builds, nodes = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        built = build_projection(kg.store)
        builds.append(time.perf_counter() - start)
        nodes = len(built)
        del built
    projection = kg.projection()  # the facade's own, kept warm for the answers below
    impacts = sorted(projection.involvements)
    chosen = random.Random(seed).sample(impacts, min(samples, len(impacts)))
    times, rows = [], []
    for impact in chosen:
        start = time.perf_counter()
        answer = kg.linked_actors(impact)
        times.append(time.perf_counter() - start)
        rows += [linked_row(impact, a.model_dump(by_alias=True)) for a in answer.actors]
    count, digested = digest(rows)
    return {
        "build": median(builds),
        "nodes": nodes,
        "linked": times,
        "rows": count,
        "digest": digested,
        "impact": chosen[0] if chosen else None,
    }


# Orchestration, in the parent process. ----------------------------------------------------


def _load_argv(data: Dataset, store: str, mode: str) -> list[str]:
    flags = ["--no-validate"] if mode == "no-validate" else []
    return [command.vckg(), "load", str(data.nt), "--store", store, *flags]


def remove_store(folder: Path) -> None:
    """A store folder and the state folder vckg keeps beside it."""
    from valuechain_kg.store.revision import state_folder

    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(state_folder(folder), ignore_errors=True)


def _remote_loads(data: Dataset, mode: str, keep: Path) -> dict[str, float]:
    """``vckg load`` into a fresh engine, ``data.repeat`` times; the last one's folder is
    ``keep`` (a folder is used where it was written: vckg keeps state beside it)."""
    times, ours, theirs = [], [], []
    for i in range(data.repeat):
        last = i == data.repeat - 1
        folder = keep if last else data.scratch(f"remote-{mode}-{i}")
        remove_store(folder)
        server = engine(folder)
        try:
            done = command.run(_load_argv(data, server.endpoint, mode))
        finally:
            theirs.append(server.stop())
        times.append(done.seconds)
        ours.append(done.peak_rss)
        if not last:
            remove_store(folder)
    return {"seconds": median(times), "rss": median(ours), "engine_rss": median(theirs)}


def _embedded_loads(data: Dataset, mode: str, keep: Path) -> dict[str, float]:
    times, ours = [], []
    for i in range(data.repeat):
        last = i == data.repeat - 1
        folder = keep if last else data.scratch(f"embedded-{mode}-{i}")
        remove_store(folder)  # the command creates the store itself
        done = command.run(_load_argv(data, str(folder), mode))
        times.append(done.seconds)
        ours.append(done.peak_rss)
        if not last:
            remove_store(folder)
    return {"seconds": median(times), "rss": median(ours)}


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as stream:
        while block := stream.read(CHUNK):
            yield block


def _graph_store_posts(data: Dataset) -> dict[str, float]:
    """One POST of the whole file to a fresh engine's ``/store?default``, timed by the client."""
    times, peaks = [], []
    for i in range(data.repeat):
        folder = data.scratch(f"gsp-{i}")
        server = engine(folder)
        try:
            start = time.perf_counter()
            response = httpx.post(
                f"{server.url}/store?default",
                content=_chunks(data.nt),
                headers={"Content-Type": "application/n-triples"},
                timeout=None,
            )
            times.append(time.perf_counter() - start)
            if response.status_code >= 300:
                raise ChildFailed(f"/store POST: HTTP {response.status_code} {response.text[:200]}")
        finally:
            peaks.append(server.stop())
            remove_store(folder)
    return {"seconds": median(times), "engine_rss": median(peaks)}


def _load_rows(data: Dataset, remote_db: Path, embedded_db: Path) -> list[Row]:
    post = _graph_store_posts(data)
    post_value = rate(data.triples, post["seconds"]) + f" ({post['seconds']:.2f} s)"
    rows = []
    for mode in LOAD_MODES:
        remote = _remote_loads(data, mode, remote_db)
        embedded = _embedded_loads(data, mode, embedded_db)
        value = rate(data.triples, remote["seconds"]) + f" ({remote['seconds']:.2f} s)"
        engine_note = f"engine (`oxigraph serve`) peak RSS {size_of(remote['engine_rss'])}"
        rows.append(
            Row(
                "remote",
                f"`vckg load FILE --store http://HOST:PORT/query` ({mode}), wall clock",
                data.actors,
                value,
                f"`vckg load FILE --store DIR` ({mode}), embedded",
                rate(data.triples, embedded["seconds"]) + f" ({embedded['seconds']:.2f} s)",
                ratio(embedded["seconds"] / remote["seconds"]),
                peak_rss=size_of(remote["rss"]),
                note=f"ratio: remote throughput / embedded; vckg peak RSS embedded "
                f"{size_of(embedded['rss'])}; {engine_note}",
            )
        )
        rows.append(
            Row(
                "remote",
                f"`vckg load FILE --store http://HOST:PORT/query` ({mode}), wall clock",
                data.actors,
                value,
                "one POST of the file to the engine's `/store?default` (httpx)",
                post_value,
                ratio(post["seconds"] / remote["seconds"]),
                peak_rss=size_of(remote["rss"]),
                note=f"ratio: vckg throughput / the engine's own load; {engine_note}; "
                f"engine peak RSS on the POST {size_of(post['engine_rss'])}",
            )
        )
    return rows


def _first_answer(store: str, impact: str, repeat: int, embedded: Path | None) -> dict[str, Any]:
    argv = [command.vckg(), "linked", impact, "--store", store, "-f", "json"]
    runs = []
    for _ in range(repeat):
        if embedded is not None:
            forget_saved_projection(embedded)
        runs.append(command.run(argv))
    return {
        "seconds": median([r.seconds for r in runs]),
        "rss": median([r.peak_rss for r in runs]),
        "answer": json.loads(runs[-1].stdout),
    }


def _query_rows(data: Dataset, remote_db: Path, embedded_db: Path) -> list[Row]:
    forget_saved_projection(embedded_db)
    target = "bench.remote:projection_and_linked"
    kwargs = {"seed": data.seed, "samples": SAMPLES, "repeat": data.repeat}
    ours_emb = run_child(target, store=str(embedded_db), **kwargs)
    server = engine(remote_db)
    try:
        ours_rem = run_child(target, store=server.endpoint, **kwargs)
        impact = ours_rem["impact"]
        first_rem = _first_answer(server.endpoint, impact, data.repeat, None)
    finally:
        engine_rss = server.stop()
    first_emb = _first_answer(str(embedded_db), impact, data.repeat, embedded_db)
    saved = command.run(
        [command.vckg(), "linked", impact, "--store", str(embedded_db), "-f", "json"]
    )
    same = (ours_rem["rows"], ours_rem["digest"]) == (ours_emb["rows"], ours_emb["digest"])
    engine_note = f"engine peak RSS over these queries {size_of(engine_rss)}"
    rem_p50, emb_p50 = median(ours_rem["linked"]), median(ours_emb["linked"])
    same_first = first_rem["answer"] == first_emb["answer"]
    return [
        Row(
            "remote",
            "projection build (`build_projection`) over the remote store, streamed in pages",
            data.actors,
            seconds(ours_rem["build"]),
            "the same build over the embedded store",
            seconds(ours_emb["build"]),
            ratio(ours_emb["build"] / ours_rem["build"]),
            peak_rss=size_of(ours_rem["peak_rss"]),
            note=f"ratio: embedded time / remote time; {ours_rem['nodes']:,} nodes remote, "
            f"{ours_emb['nodes']:,} embedded; vckg peak RSS embedded "
            f"{size_of(ours_emb['peak_rss'])}; {engine_note}",
        ),
        Row(
            "remote",
            "`linked` p50 over the remote store (facade, warm projection)",
            data.actors,
            seconds(rem_p50),
            "the same over the embedded store",
            seconds(emb_p50),
            ratio(emb_p50 / rem_p50),
            "same answers",
            verdict(same),
            size_of(ours_rem["peak_rss"]),
            f"{len(ours_rem['linked'])} random impacts; p95 remote "
            f"{seconds(percentile(ours_rem['linked'], 95))}; "
            f"answers {'EQUAL' if same else 'DIFFERENT'} ({ours_rem['rows']:,} vs "
            f"{ours_emb['rows']:,} actor rows, digest {ours_rem['digest']} vs "
            f"{ours_emb['digest']}); {engine_note}",
        ),
        Row(
            "remote",
            "first answer of `vckg linked IMPACT --store http://...` in a fresh process",
            data.actors,
            f"{first_rem['seconds']:.2f} s",
            "`vckg linked IMPACT --store DIR`, no saved projection",
            f"{first_emb['seconds']:.2f} s",
            ratio(first_emb["seconds"] / first_rem["seconds"]),
            "same answers",
            verdict(same_first),
            size_of(first_rem["rss"]),
            f"both build the projection; JSON {'EQUAL' if same_first else 'DIFFERENT'}; "
            f"embedded with the projection saved beside the store: {saved.seconds:.2f} s; "
            f"vckg peak RSS embedded {size_of(first_emb['rss'])}; {engine_note}",
        ),
    ]


def rows(data: Dataset) -> list[Row]:
    remote_db = data.workdir / f"remote-db-{data.actors}"
    embedded_db = data.workdir / f"remote-embedded-{data.actors}"
    result = _load_rows(data, remote_db, embedded_db)
    result += _query_rows(data, remote_db, embedded_db)
    remove_store(remote_db)
    remove_store(embedded_db)
    return result
