"""The cyclic garbage collector kept off a projection: paused while one is built or read back,
and the projection set aside from its later passes.

A projection of a million actors is millions of small lists, tuples and dataclasses with no
cycles among them. While they are allocated the collector runs again and again over the
growing heap and finds nothing; once they are there, each full pass of the collector walks
them all again, a pause of seconds in the first answer after a restart. Reference counting,
which the collector does not replace, still frees a projection once nothing holds it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block, then move what the block allocated (and
    everything alive before it) out of the collector's sight, and enable it again if it was on.

    What is garbage already is collected first, while the heap is small, so that nothing in
    a cycle is set aside with the projection.
    """
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
