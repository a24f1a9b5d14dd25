"""How severe an impact is, and which impacts come first.

UNGP 14 and its commentary judge severity by scale, scope and irremediable character, and one
of them can make an impact severe on its own: the characteristics are not added. An impact is
therefore as severe as its most severe characteristic (each 1-4 in the data). UNGP 24 asks
that the most severe impacts, or those a delay would make irremediable, come first; the Due
Diligence Guidance (Section II, step 2.4) then weighs likelihood. Hence the order: level, then
irremediability, then scale, then scope, then likelihood (an actual impact has happened: it
counts as certain), then id so that the order is total and stable.

Examples
--------
>>> level(2, None, 4)
4
>>> level(None, None, None) is None
True
>>> rows = [
...     ("potential-eleven", 4, 4, 3, "potential", 0.9),
...     ("actual-nine", 4, 1, 4, "actual", None),
...     ("sum-nine", 3, 3, 3, "actual", None),
...     ("one-severe", 4, None, None, "potential", 0.2),
...     ("unknown", None, None, None, "actual", None),
... ]
>>> [r[0] for r in sorted(rows, key=lambda r: severity_key(*r))]
['actual-nine', 'potential-eleven', 'one-severe', 'sum-nine', 'unknown']
"""

from __future__ import annotations

__all__ = ["level", "severity_key"]

#: Likelihood of an impact that has happened (UNGP 17 commentary: actual, not potential).
_ACTUAL = 1.0


def level(scale: int | None, scope: int | None, irremediability: int | None) -> int | None:
    """The most severe of the characteristics known, ``None`` when none is."""
    known = [v for v in (scale, scope, irremediability) if v is not None]
    return max(known) if known else None


def severity_key(
    identifier: str,
    scale: int | None,
    scope: int | None,
    irremediability: int | None,
    status: str | None = None,
    likelihood: float | None = None,
) -> tuple[int, int, int, int, int, float, str]:
    """A sort key putting the most severe impact first (ascending order, unknowns last).

    Each characteristic sorts descending with an unknown value after every known one; an
    actual impact's likelihood is 1 whatever the data says, a potential one without a
    likelihood sorts after those with one.
    """
    top = level(scale, scope, irremediability)
    chance = _ACTUAL if status == "actual" else likelihood
    return (
        _descending(top),
        _descending(irremediability),
        _descending(scale),
        _descending(scope),
        0 if chance is not None else 1,
        -(chance or 0.0),
        identifier,
    )


def _descending(value: int | None) -> int:
    """Larger values first, unknown last (the characteristics are small positive integers)."""
    return -value if value is not None else 1
