"""Hints that turn a curator's error message into the fix: the usual slips of hand-filled CSV.

A spreadsheet set to a European locale writes ``0,25`` for a quarter; unquoted, that is two
cells, and the row has one cell too many. An id typed by hand is often one letter off the
defined one. The reader's messages name these likely causes, so the curator need not guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["closest_id", "decimal_comma_hint", "edit_distance"]

_DIGITS = re.compile(r"-?\d+")
_FRACTION = re.compile(r"\d+")


def decimal_comma_hint(header: Sequence[str | None], record: Sequence[str]) -> str | None:
    """The hint for a row with too many cells when two neighbours read as one decimal number.

    ``header`` holds the column name at each position (None for an unknown one); the first
    such pair is named, by the column the number was meant for.
    """
    for i in range(len(record) - 1):
        whole, fraction = record[i].strip(), record[i + 1].strip()
        if _DIGITS.fullmatch(whole) and _FRACTION.fullmatch(fraction):
            column = header[i] if i < len(header) else None
            where = f" in column {column!r}" if column else ""
            return (
                f"'{whole},{fraction}'{where} looks like a number with a decimal comma: "
                f"write {whole}.{fraction} (a decimal point), or quote the cell"
            )
    return None


def edit_distance(a: str, b: str, bound: int) -> int:
    """Levenshtein distance between ``a`` and ``b``, or ``bound + 1`` once it exceeds ``bound``."""
    if abs(len(a) - len(b)) > bound:
        return bound + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > bound:
            return bound + 1
        previous = current
    return previous[-1]


def closest_id(slug: str, known: Iterable[str]) -> str | None:
    """The known id nearest to ``slug`` within a small edit distance (ties: the smallest id).

    Small means at most 2 edits, and at most 1 for an id of 6 characters or fewer, so that a
    short id is not "corrected" into an unrelated one.
    """
    bound = 1 if len(slug) <= 6 else 2
    best: tuple[int, str] | None = None
    for candidate in known:
        distance = edit_distance(slug, candidate, bound)
        if distance <= bound and (best is None or (distance, candidate) < best):
            best = (distance, candidate)
    return best[1] if best else None
