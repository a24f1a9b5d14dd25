"""The relationship edges and leverage parts of a projection, kept as one column per field.

A projection of a million actors holds over a million relationship edges and hundreds of
thousands of leverage parts. Kept as one object each, a restart that reads the saved
projection back spends most of its time building those objects, one constructor call per row;
kept as columns, it reads a few lists. The walks read the columns they need
(``edges.target[e]``); everything else asks for a row by number and gets a frozen dataclass,
built then.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Self, TypeVar, cast, overload

from valuechain_kg import vocabulary as vocab
from valuechain_kg.analysis.leverage import LeverageEdge

__all__ = ["Columns", "EdgeTable", "LeveragePart", "PartTable", "RelationEdge"]

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class RelationEdge:
    """A business relationship as stored: ``source`` supplies/invests in/... ``target``."""

    source: int
    target: int
    relation: str  #: the CSV slug, e.g. ``supplies`` or ``invests-in``
    financial: bool
    ownership_share: float | None = None
    revenue_share: float | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    iri: str | None = None  #: the reified ``vc:BusinessRelationship`` node, if any
    #: What flows on it (product numbers, sorted); empty when the data does not say.
    products: tuple[int, ...] = ()
    #: How far the relationship is established (an ``ASSERTIONS`` slug).
    assertion: str = vocab.DEFAULT_ASSERTION


@dataclass(frozen=True, slots=True)
class LeveragePart:
    """One source of leverage before pairs are joined: an asserted ``vc:Leverage`` claim
    (``relation`` None) or the share on relationship edge number ``relation``.

    Kept apart so that an answer can drop what its impact's period or its ``min_status``
    excludes and join the rest again (``projection.leverage_network``).
    """

    holder: int
    target: int
    edge: LeverageEdge
    relation: int | None
    assertion: str


def _names(row: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(row))


class Columns(Sequence[R]):
    """Rows of one frozen dataclass by number, one list per field (named as the field).

    Reads like a list of rows (``len``, ``table[n]``, iteration, slices, equality with a list
    of rows); ``append``, ``table[n] = row`` and ``pop`` change it in place, for a patch
    working on its own :meth:`copy`. Once a projection holds it, it is not changed.
    """

    __slots__ = ()
    row: ClassVar[type]
    names: ClassVar[tuple[str, ...]]  #: the fields of ``row``, in order: the columns

    def __init__(self, rows: Iterable[R] = ()) -> None:
        listed = list(rows)
        for name in self.names:
            setattr(self, name, [getattr(row, name) for row in listed])

    def _columns(self) -> list[list[Any]]:
        return [getattr(self, name) for name in self.names]

    def __len__(self) -> int:
        return len(getattr(self, self.names[0]))

    @overload
    def __getitem__(self, number: int) -> R: ...

    @overload
    def __getitem__(self, number: slice) -> list[R]: ...

    def __getitem__(self, number: int | slice) -> R | list[R]:
        if isinstance(number, slice):
            return list(map(self.row, *(column[number] for column in self._columns())))
        return cast(R, self.row(*[column[number] for column in self._columns()]))

    def __iter__(self) -> Iterator[R]:
        return map(self.row, *self._columns())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Columns):
            return type(self) is type(other) and self._columns() == other._columns()
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # it can change, as a list can

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"

    def __getstate__(self) -> tuple[list[Any], ...]:
        return tuple(self._columns())

    def __setstate__(self, columns: tuple[list[Any], ...]) -> None:
        for name, column in zip(self.names, columns, strict=True):
            setattr(self, name, column)

    def copy(self) -> Self:
        """A table of the same rows whose columns are its own."""
        return self._of(tuple(list(column) for column in self._columns()))

    def taken(self, numbers: Iterable[int]) -> Self:
        """A table of the rows numbered ``numbers``, in that order."""
        chosen = list(numbers)
        return self._of(tuple(list(map(column.__getitem__, chosen)) for column in self._columns()))

    def _of(self, columns: tuple[list[Any], ...]) -> Self:
        table = type(self).__new__(type(self))
        table.__setstate__(columns)
        return table

    def append(self, row: R) -> None:
        for name in self.names:
            getattr(self, name).append(getattr(row, name))

    def extend(self, rows: Iterable[R]) -> None:
        for row in rows:
            self.append(row)

    def __setitem__(self, number: int, row: R) -> None:
        for name in self.names:
            getattr(self, name)[number] = getattr(row, name)

    def pop(self) -> R:
        """Remove the last row, and give it."""
        last = self[-1]
        for column in self._columns():
            column.pop()
        return last


class EdgeTable(Columns[RelationEdge]):
    """The relationship edges of a projection, numbered."""

    names = __slots__ = _names(RelationEdge)
    row = RelationEdge

    source: list[int]
    target: list[int]
    relation: list[str]
    financial: list[bool]
    ownership_share: list[float | None]
    revenue_share: list[float | None]
    valid_from: list[str | None]
    valid_until: list[str | None]
    iri: list[str | None]
    products: list[tuple[int, ...]]
    assertion: list[str]


class PartTable(Columns[LeveragePart]):
    """The leverage parts of a projection, asserted and derived."""

    names = __slots__ = _names(LeveragePart)
    row = LeveragePart

    holder: list[int]
    target: list[int]
    edge: list[LeverageEdge]
    relation: list[int | None]
    assertion: list[str]
