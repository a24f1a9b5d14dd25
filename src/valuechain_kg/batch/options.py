"""The options of a batch run: those of ``vckg linked`` and ``vckg leverage``, for all impacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from valuechain_kg.errors import UsageError
from valuechain_kg.vocabulary import ASSERTION_RANK

__all__ = ["BatchOptions"]


@dataclass(frozen=True)
class BatchOptions:
    """``max_hops``, ``as_of`` (ISO date), ``min_status``, ``strict_products`` and the
    coalition ``threshold``, checked as the facade checks them (a bad one is a usage error)."""

    max_hops: int = 6
    as_of: str | None = None
    min_status: str | None = None
    strict_products: bool = False
    threshold: float = 0.5

    def __post_init__(self) -> None:
        if self.max_hops < 0:
            raise UsageError(f"max_hops must be 0 or more, not {self.max_hops}")
        if not 0.0 < self.threshold <= 1.0:
            raise UsageError(f"threshold must be in (0, 1], not {self.threshold}")
        if self.min_status is not None and self.min_status not in ASSERTION_RANK:
            known = ", ".join(ASSERTION_RANK)
            raise UsageError(f"min_status must be one of {known}, not '{self.min_status}'")
        if self.as_of is not None:
            try:
                date.fromisoformat(self.as_of)
            except ValueError as exc:
                raise UsageError(f"as_of: '{self.as_of}' is not a date (YYYY-MM-DD)") from exc

    @property
    def floor(self) -> int:
        """The assertion rank below which claims are ignored (0: none is)."""
        return ASSERTION_RANK[self.min_status] if self.min_status is not None else 0
