"""One way to write a path as text, used by every face (CLI tables and CSV, notebook frames).

A path is written in the order its walk takes, each actor once, each edge as an arrow that
points the way the stored edge does and names its relation:

- linkage, from the cause to the linked actor:
  ``tatmadaw <-provides-service- meta <-invests-in- akademikerpension`` reads "meta provides a
  service to the Tatmadaw, and AkademikerPension invests in Meta";
- leverage, from the holder to the target, the relation being the step's bases:
  ``apple -reputational-> huayou-cobalt -ownership-> congo-dongfang-mining``;
- screening, from the listed product to the exposed actor:
  ``cobalt-ore -sourced-by-> congo-dongfang-mining -supplies-> huayou-cobalt``.

The JSON documents keep their steps as structured data; this text is only how a person reads
them, so it is the same wherever a person reads one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: Joins the bases of one leverage step inside its arrow: ``-ownership/financing->``.
BASES_JOIN = "/"


def _field(step: Any, name: str) -> Any:
    """A step's field, from a pydantic model (``from_``) or its JSON dump (``from``)."""
    if isinstance(step, Mapping):
        return step[name]
    return getattr(step, "from_" if name == "from" else name)


def _arrow(relation: str, forward: bool) -> str:
    return f"-{relation}->" if forward else f"<-{relation}-"


def linkage_path(actor: str, steps: Sequence[Any]) -> str:
    """A linkage path from the cause to ``actor``; steps are stored from the actor's end.

    Empty for an asserted involvement reached by no walk.
    """
    if not steps:
        return ""
    hops: list[tuple[str, Any, str]] = []  # (nearer the actor, step, nearer the cause)
    here = actor
    for step in steps:
        source, target = _field(step, "from"), _field(step, "to")
        there = target if source == here else source
        hops.append((here, step, there))
        here = there
    parts = [here]
    for near_actor, step, near_cause in reversed(hops):
        forward = _field(step, "from") == near_cause
        parts += [_arrow(_field(step, "relation"), forward), near_actor]
    return " ".join(parts)


def walk_path(start: str, steps: Sequence[Any]) -> str:
    """A path walked from ``start`` through ``steps`` in the order given, each arrow pointing
    the stored edge's way (screening: from the listed product to the exposed actor)."""
    parts, here = [start], start
    for step in steps:
        source, target = _field(step, "from"), _field(step, "to")
        forward = source == here
        here = target if forward else source
        parts += [_arrow(_field(step, "relation"), forward), here]
    return " ".join(parts)


def leverage_path(path: Sequence[str], steps: Sequence[Any]) -> str:
    """A holder's path over its target, each arrow naming that step's bases."""
    if not steps:
        return " -> ".join(path)
    parts = [_field(steps[0], "from")]
    for step in steps:
        parts += [_arrow(BASES_JOIN.join(_field(step, "bases")), True), _field(step, "to")]
    return " ".join(parts)
