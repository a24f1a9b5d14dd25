"""``python -m bench --sizes 10k,100k,1m [--out bench/RESULTS.md] [--repeat N]``."""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import analysis, environment, http, load, projection, restart, shacl, writes
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
    "http": http.rows,  # last: it also reports the server's peak memory
}

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
    return shlex.join(words)


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> Report:
    args = _arguments(argv)
    families = [f for f in args.families.split(",") if f]
    command = _command_line(args)
    notes = [
        *NOTES,
        f"Figures are medians of {args.repeat} runs ({args.large_repeat} at {LARGE:,} actors "
        "and more, where one load alone takes minutes), except where a row says otherwise.",
    ]
    report = Report(command, environment.describe(), notes=notes)
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
                try:
                    report.rows += FAMILIES[family](data)
                except (ChildFailed, ImportError, OSError, RuntimeError) as exc:
                    report.rows.append(
                        Row(family, "-", actors, "-", verdict=NOT_RUN, note=f"failed: {exc}")
                    )
                report.write(args.out)  # keep partial results if a later size fails
            shutil.rmtree(workdir / str(actors), ignore_errors=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    report.write(args.out)
    _log(f"wrote {args.out}")
    return report


if __name__ == "__main__":
    main()
