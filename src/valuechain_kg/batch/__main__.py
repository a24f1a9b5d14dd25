"""``spark-submit`` entry: the batch on a cluster, over edge tables already exported.

    spark-submit --master spark://HOST:7077 valuechain_kg/batch/__main__.py \\
        linked --edges hdfs:///vckg/graph --out hdfs:///vckg/answers

Only the driver runs Python: the jobs are DataFrame operations, so executors need no package.
The master and every Spark setting come from ``spark-submit``; ``--master local[2]`` here
runs it locally without one.
"""

from __future__ import annotations

import argparse
import sys

from valuechain_kg.batch.options import BatchOptions
from valuechain_kg.batch.run import QUESTIONS, run
from valuechain_kg.batch.session import as_location, local_session
from valuechain_kg.vocabulary import ASSERTION_RANK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="valuechain_kg.batch", description=__doc__.splitlines()[0]
    )
    parser.add_argument("question", choices=QUESTIONS)
    parser.add_argument("--edges", required=True, help="Folder or URI of the edge tables.")
    parser.add_argument("--out", required=True, help="Folder or URI to write the answers to.")
    parser.add_argument("--master", default=None, help="Spark master (default: spark-submit's).")
    parser.add_argument("--max-hops", type=int, default=6)
    parser.add_argument("--as-of", default=None)
    parser.add_argument("--min-status", choices=list(ASSERTION_RANK), default=None)
    parser.add_argument("--strict-products", action="store_true")
    parser.add_argument("--threshold", type=float, default=0.5)
    args = parser.parse_args(argv)
    options = BatchOptions(
        args.max_hops, args.as_of, args.min_status, args.strict_products, args.threshold
    )
    spark = local_session(args.master)
    rows = run(spark, as_location(args.edges), as_location(args.out), args.question, options)
    print(f"wrote {rows} {args.question} rows to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
