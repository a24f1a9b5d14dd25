"""Answers as comparable plain rows, so two engines' answers can be counted and digested.

A ``linked`` row is one (impact, actor) with its mode, assertion, hops, product continuity,
kind, confidence and sources; a ``leverage`` row is one (impact, target) with its holders (each
with strength, hops, path, bases and steps), other influence, collective leverage and
coalition. The facade's answers (``model_dump(by_alias=True)``) and the batch's JSON Lines rows
carry the same fields under the same names, so both map to the same rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any


def linked_row(impact: str, actor: dict[str, Any]) -> list[Any]:
    """One linked actor of ``impact``; ``actor`` is a facade actor or a batch row."""
    return [
        impact,
        actor.get("actor", actor.get("id")),
        actor["involvement"],
        actor["asserted"],
        actor["assertion"],
        actor["hops"],
        actor["product_continuity"],
        actor["kind"],
        actor["confidence"],
        sorted(actor["sources"]),
    ]


def _holder(h: dict[str, Any]) -> list[Any]:
    steps = [
        [s["from"], s["to"], s["bases"], s["strength"], sorted(s["sources"])] for s in h["steps"]
    ]
    return [
        h["id"],
        h["kind"],
        h["strength"],
        h["hops"],
        h["path"],
        h["bases"],
        h["involvement"],
        sorted(h["sources"]),
        steps,
    ]


def leverage_row(impact: str, target: dict[str, Any]) -> list[Any]:
    """One target of ``impact``; ``target`` is a facade target or a batch row."""
    coalition = target["coalition"]
    return [
        impact,
        target.get("target", target.get("id")),
        target["mode"],
        [_holder(h) for h in target["holders"]],
        target["holders_total"],
        [_holder(h) for h in target["other_influence"]],
        [[c["initiative"], c["name"], c["members"], c["strength"]] for c in target["collective"]],
        None
        if coalition is None
        else [coalition["threshold"], coalition["members"], coalition["strength"]],
    ]


def digest(rows: Iterable[list[Any]]) -> tuple[int, str]:
    """How many rows, and a digest of them that ignores their order."""
    lines = sorted(json.dumps(row, sort_keys=True) for row in rows)
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
