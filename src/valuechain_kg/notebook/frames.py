"""Answers as pandas DataFrames: one row per actor, holder, impact or SPARQL solution.

Data scientists read answers as tables, not JSON. These functions turn the facade's pydantic
answers into :class:`pandas.DataFrame` objects: who is linked to an impact (MNE Guidelines
Ch. II; UNGP 13 and 19) and who holds leverage over the entity causing it (UNGP 19
commentary), collective leverage included.

Examples
--------
>>> from valuechain_kg.graph import KnowledgeGraph
>>> kg = KnowledgeGraph.open()
>>> kg.store.update(
...     "INSERT DATA { vcid:mine a vc:Actor ; schema:name 'Mine' . "
...     "vcid:buyer a vc:Actor ; schema:name 'Buyer' . vcid:mine vc:supplies vcid:buyer . "
...     "vcid:harm a vc:AdverseImpact ; schema:name 'Harm' . "
...     "vcid:inv a vc:Involvement ; vc:actor vcid:mine ; vc:impact vcid:harm ; vc:mode vc:Cause }"
... )
>>> list(to_frame(kg.linked_actors("harm"))[["id", "involvement", "hops"]].values.tolist())
[['mine', 'cause', 0], ['buyer', 'direct-linkage', 1]]
"""

from __future__ import annotations

import functools

import pandas as pd
import pyoxigraph as ox

from valuechain_kg import vocabulary as vocab
from valuechain_kg.analysis.notation import leverage_path, linkage_path
from valuechain_kg.models import (
    ActorImpactsAnswer,
    ImpactList,
    LeverageAnswer,
    LinkedActorsAnswer,
)
from valuechain_kg.namespaces import DEFAULT_BASE

__all__ = [
    "COLLECTIVE_COLUMNS",
    "HOLDER_COLUMNS",
    "IMPACT_COLUMNS",
    "LINKED_COLUMNS",
    "chapter_of",
    "collective_frame",
    "compact_ids",
    "leverage_change",
    "to_frame",
]


@functools.singledispatch
def to_frame(answer: object) -> pd.DataFrame:
    """An answer of the tool as a DataFrame, one row per actor, holder, impact or solution.

    Accepts a :class:`LinkedActorsAnswer` (columns ``LINKED_COLUMNS``), a :class:`LeverageAnswer`
    (one row per target and holder), an :class:`ImpactList`, an :class:`ActorImpactsAnswer`,
    pyoxigraph SELECT results, or a SPARQL 1.1 JSON results document (as SPARQLWrapper returns).
    """
    raise TypeError(f"to_frame does not know how to tabulate {type(answer).__name__}")


LINKED_COLUMNS = (
    "id",
    "name",
    "involvement",
    "asserted",
    "hops",
    "path",
    "confidence",
    "expected_response",
    "sources",
)
HOLDER_COLUMNS = (
    "target",
    "holder",
    "name",
    "strength",
    "hops",
    "bases",
    "path",
    "involvement",
)
IMPACT_COLUMNS = (
    "id",
    "title",
    "category",
    "chapter",
    "status",
    "scale",
    "scope",
    "irremediability",
    "severity",
    "likelihood",
)
COLLECTIVE_COLUMNS = ("target", "initiative", "name", "members", "strength")


@to_frame.register
def _linked(answer: LinkedActorsAnswer) -> pd.DataFrame:
    rows = [
        {
            "id": a.id,
            "name": a.name,
            "involvement": a.involvement,
            "asserted": a.asserted,
            "hops": a.hops,
            "path": linkage_path(a.id, a.path),
            "confidence": a.confidence,
            "expected_response": a.expected_response,
            "sources": len(a.sources),
        }
        for a in answer.actors
    ]
    return pd.DataFrame(rows, columns=list(LINKED_COLUMNS))


@to_frame.register
def _leverage(answer: LeverageAnswer) -> pd.DataFrame:
    rows = [
        {
            "target": t.id,
            "holder": h.id,
            "name": h.name,
            "strength": h.strength,
            "hops": h.hops,
            "bases": ", ".join(h.bases),
            "path": leverage_path(h.path, h.steps),
            "involvement": h.involvement,
        }
        for t in answer.targets
        for h in t.holders
    ]
    return pd.DataFrame(rows, columns=list(HOLDER_COLUMNS))


def chapter_of(category: str | None) -> str | None:
    """The MNE Guidelines chapter an impact category falls under (the first, if several)."""
    if category is None:
        return None
    if category in vocab.CHAPTERS:
        return category
    chapters = vocab.NARROWER_CATEGORIES.get(category)
    return chapters[0] if chapters else None


@to_frame.register
def _impacts(answer: ImpactList) -> pd.DataFrame:
    rows = []
    for i in answer.impacts:
        s = i.severity
        rows.append(
            {
                "id": i.id,
                "title": i.title,
                "category": i.category,
                "chapter": chapter_of(i.category),
                "status": i.status,
                "scale": s.scale,
                "scope": s.scope,
                "irremediability": s.irremediability,
                "severity": s.level,
                "likelihood": i.likelihood,
            }
        )
    return pd.DataFrame(rows, columns=list(IMPACT_COLUMNS))


@to_frame.register
def _actor_impacts(answer: ActorImpactsAnswer) -> pd.DataFrame:
    rows = [
        {
            "impact": x.impact.id,
            "title": x.impact.title,
            "category": x.impact.category,
            "involvement": x.involvement,
            "asserted": x.asserted,
            "hops": x.hops,
            "path": linkage_path(answer.actor.id, x.path),
        }
        for x in answer.impacts
    ]
    columns = ["impact", "title", "category", "involvement", "asserted", "hops", "path"]
    return pd.DataFrame(rows, columns=columns)


_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {_XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger")}
_DECIMALS = {_XSD + t for t in ("decimal", "double", "float")}


def _cell(value: str, datatype: str | None) -> object:
    """A SPARQL value as a Python value: numbers become numbers, everything else its text."""
    if datatype in _INTEGERS:
        return int(value)
    if datatype in _DECIMALS:
        return float(value)
    return value


@to_frame.register
def _solutions(answer: ox.QuerySolutions) -> pd.DataFrame:
    names = [v.value for v in answer.variables]
    rows = []
    for solution in answer:
        row: dict[str, object] = {}
        for name in names:
            term = solution[name]
            if term is None:
                row[name] = None
            elif isinstance(term, ox.Literal):
                row[name] = _cell(term.value, term.datatype.value)
            else:
                row[name] = term.value
        rows.append(row)
    return pd.DataFrame(rows, columns=names)


@to_frame.register
def _sparql_json(answer: dict) -> pd.DataFrame:  # type: ignore[type-arg]
    names = list(answer["head"]["vars"])
    rows = [
        {
            name: _cell(b[name]["value"], b[name].get("datatype")) if name in b else None
            for name in names
        }
        for b in answer["results"]["bindings"]
    ]
    return pd.DataFrame(rows, columns=names)


def compact_ids(frame: pd.DataFrame, base: str = DEFAULT_BASE) -> pd.DataFrame:
    """A copy of ``frame`` with IRIs under ``base`` shortened to their ids, for reading.

    SPARQL answers carry full IRIs; the tool's ids are their local part under the base.
    """

    def short(value: object) -> object:
        if isinstance(value, str) and value.startswith(base):
            return value[len(base) :]
        return value

    return frame.apply(lambda column: column.map(short))


def collective_frame(answer: LeverageAnswer) -> pd.DataFrame:
    """Collective leverage of initiatives over each target, plus the smallest coalition.

    Collective strength is ``1 - prod(1 - s_i)`` over members' strengths (DESIGN.md), the
    arithmetic of the Due Diligence Guidance's point that enterprises can build leverage together
    (Section II; UNGP 19 commentary). The coalition appears as a row whose initiative is
    ``(smallest coalition)``.
    """
    rows = []
    for t in answer.targets:
        for c in t.collective:
            rows.append(
                {
                    "target": t.id,
                    "initiative": c.initiative,
                    "name": c.name,
                    "members": ", ".join(c.members),
                    "strength": c.strength,
                }
            )
        if t.coalition is not None:
            rows.append(
                {
                    "target": t.id,
                    "initiative": "(smallest coalition)",
                    "name": f"first holders reaching {t.coalition.threshold:g}",
                    "members": ", ".join(t.coalition.members),
                    "strength": t.coalition.strength,
                }
            )
    return pd.DataFrame(rows, columns=list(COLLECTIVE_COLUMNS))


def leverage_change(before: LeverageAnswer, after: LeverageAnswer) -> pd.DataFrame:
    """What a what-if changed: holders, initiatives and coalition, before and after.

    Rows are ``(target, kind, id)`` with ``kind`` one of ``holder``, ``initiative`` or
    ``coalition``; only rows whose strength or membership changed are kept.
    """

    def entries(answer: LeverageAnswer) -> dict[tuple[str, str, str], tuple[float, str]]:
        found: dict[tuple[str, str, str], tuple[float, str]] = {}
        for t in answer.targets:
            for h in t.holders:
                found[(t.id, "holder", h.id)] = (h.strength, leverage_path(h.path, h.steps))
            for c in t.collective:
                found[(t.id, "initiative", c.initiative)] = (c.strength, ", ".join(c.members))
            if t.coalition is not None:
                found[(t.id, "coalition", "smallest")] = (
                    t.coalition.strength,
                    ", ".join(t.coalition.members),
                )
        return found

    old, new = entries(before), entries(after)
    rows = []
    for key in sorted(set(old) | set(new)):
        was, now = old.get(key), new.get(key)
        if was == now:
            continue
        rows.append(
            {
                "target": key[0],
                "kind": key[1],
                "id": key[2],
                "before": was[0] if was else None,
                "after": now[0] if now else None,
                "change": (now[0] if now else 0.0) - (was[0] if was else 0.0),
                "detail_before": was[1] if was else None,
                "detail_after": now[1] if now else None,
            }
        )
    columns = ["target", "kind", "id", "before", "after", "change", "detail_before", "detail_after"]
    return pd.DataFrame(rows, columns=columns)
