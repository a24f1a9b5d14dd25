"""Run one measurement in a fresh process: ``python -m bench.child module:function``.

Why a process per measurement: peak memory (``ru_maxrss``) is only meaningful for a process
that did one thing, and a loader that leaks or fragments memory must not tax the next one.
The keyword arguments arrive as JSON on stdin; the result, a JSON object, is the last line of
stdout, with the process's peak resident set size added as ``peak_rss``.
"""

from __future__ import annotations

import importlib
import json
import resource
import sys


def main(target: str) -> None:
    module_name, function_name = target.split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    kwargs = json.loads(sys.stdin.read() or "{}")
    result = dict(function(**kwargs))
    # Linux reports ru_maxrss in KiB.
    result["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    sys.stdout.write("\n" + json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
