"""Screening results as answer models: each exposure with its indicator and explaining path.

The path reads as the question does: the indicator names a product, a producer makes or buys
it in the listed country, and relationships carry it on to the actor. The first two steps are
the indicator's and the production claim's own (with their sources); the rest are the stored
relationships, as linkage paths show them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from valuechain_kg.analysis.projection import Projection
from valuechain_kg.analysis.screening import Exposure
from valuechain_kg.identifiers import compact
from valuechain_kg.models import ActorSummary, PathStep, RiskExposure, RiskIndicatorRef
from valuechain_kg.service.answers import path_steps

__all__ = ["exposure_models", "indicator_model"]


def indicator_model(p: Projection, x: Exposure) -> RiskIndicatorRef:
    ind = x.indicator
    names = dict(p.screening.product_names)
    product_id = compact(ind.product, p.base)
    return RiskIndicatorRef(
        id=compact(ind.iri, p.base),
        iri=ind.iri,
        product=product_id,
        product_name=names.get(ind.product, product_id),
        country=ind.country,
        category=ind.category,
        forced_child_labour=ind.forced_child_labour,
        derived_from=ind.derived_from,
        publisher=compact(ind.publisher, p.base) if ind.publisher else None,
        edition=ind.edition,
        sources=list(ind.sources),
    )


def _steps(p: Projection, x: Exposure, evidence: dict[int, list[str]]) -> list[PathStep]:
    claim = x.production
    listed = compact(x.indicator.product, p.base)
    made = compact(claim.product, p.base)
    producer = p.ids[x.producer]
    steps = [
        PathStep.model_validate(
            {
                "from": compact(x.indicator.iri, p.base),
                "relation": "lists",
                "to": listed,
                "products": [listed],
                "assertion": "reported",
                "sources": list(x.indicator.sources),
            }
        ),
        PathStep.model_validate(
            {
                "from": made,
                "relation": "produced-by" if claim.kind == "produces" else "sourced-by",
                "to": producer,
                "products": [made],
                "assertion": claim.assertion or "reported",
                "sources": list(claim.sources),
            }
        ),
    ]
    return steps + path_steps(p, x.path, evidence)


def exposure_models(
    p: Projection,
    found: Sequence[Exposure],
    evidence: dict[int, list[str]],
    summary: Callable[[int], ActorSummary],
) -> list[RiskExposure]:
    """One model per exposure; ``summary`` gives an actor's summary by node number."""
    summaries: dict[int, ActorSummary] = {}
    out = []
    for x in found:
        if x.actor not in summaries:
            summaries[x.actor] = summary(x.actor)
        out.append(
            RiskExposure(
                actor=summaries[x.actor],
                indicator=indicator_model(p, x),
                hops=x.hops,
                product=p.product_ids[x.product],
                producer=p.ids[x.producer],
                product_continuity=x.product_continuity,
                path=_steps(p, x, evidence),
            )
        )
    return out
