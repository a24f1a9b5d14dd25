"""Frozen slotted dataclasses pickled as a call of their class, for a fast projection file.

A frozen dataclass with slots is restored from a pickle by the ``__setstate__`` dataclasses
writes for it, which looks up the class's fields once per object; a projection of a million
actors holds hundreds of thousands of leverage edges and involvements (its relationship edges
and leverage parts are columns, ``analysis.columns``). Pickled as ``cls(*values)`` instead,
each object is restored by its own ``__init__``.
"""

from __future__ import annotations

import operator
from dataclasses import fields
from typing import Any, TypeVar

__all__ = ["pickled_as_call"]

T = TypeVar("T")


def pickled_as_call(cls: type[T]) -> type[T]:
    """Give a dataclass a ``__reduce__`` that rebuilds it from its field values, in order."""
    values = operator.attrgetter(*(f.name for f in fields(cls)))  # type: ignore[arg-type]

    def __reduce__(self: Any) -> tuple[type[T], tuple[Any, ...]]:
        found = values(self)
        return cls, found if isinstance(found, tuple) else (found,)

    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]
    return cls
