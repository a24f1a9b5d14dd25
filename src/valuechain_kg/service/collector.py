"""The cyclic garbage collector held off while a projection is built or read back.

A projection of a million actors is millions of small lists, tuples and dataclasses with no
cycles among them. While they are allocated the collector runs again and again over the
growing heap and finds nothing, which costs more than the allocation itself; reference
counting still frees everything once it is dropped.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block, and enable it again if it was on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
