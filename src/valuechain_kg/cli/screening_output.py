"""``vckg screen`` output: one row per exposure, its path read from indicator to actor."""

from __future__ import annotations

from rich.console import Console

from valuechain_kg.analysis.notation import walk_path
from valuechain_kg.cli.output import show_model, show_records
from valuechain_kg.models import RiskExposure, RisksAnswer

__all__ = ["show_risks"]

_HEADER = [
    "actor",
    "category",
    "country",
    "listed",
    "producer",
    "product",
    "hops",
    "product_continuity",
    "path",
]


def _path(x: RiskExposure) -> str:
    """From the product made or sourced through its producer to the actor, as the walk reached
    it (the indicator and the product it lists have their own columns)."""
    steps = x.path[1:]
    return walk_path(steps[0].from_, steps) if steps else x.producer


def show_risks(answer: RisksAnswer, fmt: str, console: Console) -> None:
    """JSON as it is; a table or CSV with one row per exposure."""
    if fmt == "json":
        show_model(answer, console)
        return
    rows = [
        [
            x.actor.id,
            x.indicator.category
            + (" (forced child labour)" if x.indicator.forced_child_labour else ""),
            x.indicator.country
            + (f" (input from {x.indicator.derived_from})" if x.indicator.derived_from else ""),
            x.indicator.product,
            x.producer,
            x.product,
            str(x.hops),
            str(x.product_continuity).lower(),
            _path(x),
        ]
        for x in answer.risks
    ]
    who = answer.actor.id if answer.actor is not None else "every actor"
    kind = answer.note or "potential, not impacts"
    title = f"Potential risks reaching {who} ({answer.total}; {kind})"
    show_records(title, _HEADER, rows, fmt, console)
