"""``python -m bench --sizes 10k,100k,1m [--out bench/RESULTS.md] [--repeat N] [--merge]``.

With ``--merge`` the rows of the (family, size) pairs this run measures replace those already
in the output file, and every other row stays there (with the command that produced it).
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import (
    analysis,
    batch,
    environment,
    http,
    load,
    projection,
    remote,
    restart,
    shacl,
    writes,
)
from bench.dataset import Dataset, parse_sizes, prepare
from bench.measure import ChildFailed, rate, seconds, size_of
from bench.report import NOT_RUN, Report, Row

FAMILIES: dict[str, Callable[[Dataset], list[Row]]] = {
    "load": load.rows,  # first: it leaves the loaded disk store the others read
    "vckg-load": writes.load_rows,
    "update": writes.update_rows,
    "restart": restart.rows,
    "projection": projection.rows,
    "analysis": analysis.rows,
    "shacl": shacl.rows,
    "http": http.rows,  # it also reports the server's peak memory
    "remote": remote.rows,
    "batch": batch.rows,
}
#: The order of row families in the table: each family, then the rows it also writes.
ROW_ORDER = [name for f in FAMILIES for name in ([f, "memory"] if f == "http" else [f])]

#: From this size on, figures are the median of ``--large-repeat`` runs instead of ``--repeat``.
LARGE = 1_000_000

NOTES = [
    "Each load runs in a fresh process into a fresh folder; peak RSS is that process's "
    "`ru_maxrss` (interpreter and imports included).",
    "Query-side families open the disk store written by the `GraphStore` load of the same size.",
    "SPARQL anchors for `linked`/`leverage` are unbounded reachability queries: SPARQL has no "
    "hop bound, no shortest explaining path and no product of strengths, so they answer a "
    "looser question than the analysis functions.",
    "HTTP: the client (httpx, 8 threads, one keep-alive connection each) runs on the same two "
    "cores as the server it measures, so the fastest server's throughput is partly bounded by "
    "the client; all three servers meet the same client, one after the other.",
    "Figures are medians of the `--repeat` runs of the command that produced them "
    "(`--large-repeat` at 1,000,000 actors and more, where one load alone takes minutes), "
    "except where a row says otherwise.",
    "Remote: `oxigraph serve` runs on the same two cores as the vckg process that talks to it.",
]


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default="10k,100k", help="actors per size, e.g. 10k,100k,1m")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "RESULTS.md")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument(
        "--large-repeat",
        type=int,
        default=1,
        help="runs per figure at 1M actors and more (each load alone takes minutes there)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--families", default=",".join(FAMILIES), help="which families to run")
    parser.add_argument("--workdir", type=Path, default=None, help="scratch folder (temporary)")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the rows already in --out for the (family, size) pairs this run does not run",
    )
    parser.add_argument(
        "--remote-loads",
        default=",".join(remote.LOAD_MODES),
        help="which `vckg load` variants the remote family runs: validated, no-validate",
    )
    return parser.parse_args(argv)


def _command_line(args: argparse.Namespace) -> str:
    """The command as a person would type it: no machine-specific scratch or output paths."""
    words = ["python", "-m", "bench", "--sizes", args.sizes, "--repeat", str(args.repeat)]
    words += ["--large-repeat", str(args.large_repeat)]
    if args.seed != 7:
        words += ["--seed", str(args.seed)]
    if args.families != ",".join(FAMILIES):
        words += ["--families", args.families]
    if args.workdir is not None:
        words += ["--workdir", "SCRATCH_DIR"]
    if args.remote_loads != ",".join(remote.LOAD_MODES):
        words += ["--remote-loads", args.remote_loads]
    if args.merge:
        words += ["--merge"]
    return shlex.join(words)


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> Report:
    args = _arguments(argv)
    families = [f for f in args.families.split(",") if f]
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        raise SystemExit(f"unknown families: {', '.join(unknown)}; known: {', '.join(FAMILIES)}")
    modes = tuple(m for m in args.remote_loads.split(",") if m)
    if not set(modes) <= set(remote.LOAD_MODES):
        raise SystemExit(f"--remote-loads: one or more of {', '.join(remote.LOAD_MODES)}")
    remote.LOAD_MODES = modes
    command = _command_line(args)
    described = environment.describe()
    if "batch" in families:
        described.append(("Java (Spark)", batch.java_version()))
    report = Report(command, described, notes=list(NOTES))

    def write() -> None:
        # Read again at each write: another run may have merged its rows in meanwhile.
        earlier = Report.read(args.out) if args.merge and args.out.exists() else None
        (report.merged(earlier, ROW_ORDER) if earlier else report).write(args.out)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="vckg-bench-"))
    try:
        for actors in parse_sizes(args.sizes):
            _log(f"{actors:,} actors: generating")
            repeat = args.repeat if actors < LARGE else min(args.repeat, args.large_repeat)
            data = prepare(actors, args.seed, workdir / str(actors), repeat)
            report.sizes.append(
                (
                    actors,
                    data.triples,
                    size_of(data.nt.stat().st_size),
                    f"{seconds(data.generation_seconds)} "
                    f"({rate(data.triples, data.generation_seconds)})",
                )
            )
            for family in families:
                _log(f"{actors:,} actors: {family}")
                report.ran.add((family, actors))
                try:
                    report.rows += FAMILIES[family](data)
                except (ChildFailed, ImportError, OSError, RuntimeError) as exc:
                    report.rows.append(
                        Row(family, "-", actors, "-", verdict=NOT_RUN, note=f"failed: {exc}")
                    )
                write()  # keep partial results if a later size fails
            shutil.rmtree(workdir / str(actors), ignore_errors=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    write()
    _log(f"wrote {args.out}")
    return report


if __name__ == "__main__":
    main()
