"""Turning analysis results over a projection into the answer models of DESIGN.md.

Pure functions: the facade decides what to compute and which page to show; these only shape
results into the JSON contract, so the CLI and the REST API return the same documents.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from valuechain_kg.analysis import leverage as lev
from valuechain_kg.analysis import linkage, responses
from valuechain_kg.analysis.projection import Projection
from valuechain_kg.models import (
    Coalition,
    Collective,
    Holder,
    Holding,
    LeverageTarget,
    PathStep,
)


def path_steps(p: Projection, path: Sequence[int]) -> list[PathStep]:
    """A path's stored edges in walk order, each with its own subject and object."""
    # Validating constructors, not model_construct: pydantic-core validates in Rust, so
    # model_construct (pure Python) is the slower of the two for these small models.
    return [
        PathStep(**{"from": p.ids[e.source], "relation": e.relation, "to": p.ids[e.target]})
        for e in (p.edges[n] for n in path)
    ]


def linked_actor_record(
    p: Projection,
    x: linkage.Linkage,
    evidence: dict[int, list[str]],
    status: str | None = None,
) -> dict[str, object]:
    """One linked actor as the plain dict a ``LinkedActor`` is validated from.

    ``status`` is the impact's (actual or potential): with the actor's mode and kind it decides
    the expected response.
    """
    # An asserted involvement cites its own sources; a derived one cites the path it walks.
    sources = list(x.sources)
    if not x.asserted:
        for edge in x.path:
            sources += [url for url in evidence.get(edge, []) if url not in sources]
    ids = p.ids
    kind = responses.actor_kind(p.roles[x.actor])
    return {
        "id": ids[x.actor],
        "iri": p.iris[x.actor],
        "name": p.names[x.actor],
        "kind": kind,
        "involvement": x.mode,
        "asserted": x.asserted,
        "hops": x.hops,
        "path": [
            {"from": ids[e.source], "relation": e.relation, "to": ids[e.target]}
            for e in (p.edges[n] for n in x.path)
        ],
        "expected_response": responses.expected_response(x.mode, status, kind),
        "confidence": x.confidence,
        "sources": sources,
    }


def leverage_target(
    p: Projection,
    found: lev.TargetLeverage,
    names: dict[str, str],
    threshold: float,
    id_of: Callable[[str], str],
) -> LeverageTarget:
    """One target's collective leverage and coalition, as the answer shows them.

    ``holders`` is left empty for the caller to fill with the page only (DESIGN.md: collective
    leverage and coalitions always use all holders).
    """
    collective = [
        Collective(
            initiative=id_of(g.initiative),
            name=names.get(g.initiative, id_of(g.initiative)),
            members=[p.ids[n] for n in g.members],
            strength=g.strength,
        )
        for g in found.collective
    ]
    coalition = None
    if found.coalition is not None:
        size, strength = found.coalition
        coalition = Coalition(
            threshold=threshold,
            members=[p.ids[h.holder] for h in found.holders[:size]],
            strength=strength,
        )
    target = found.target
    return LeverageTarget(
        id=p.ids[target],
        iri=p.iris[target],
        name=p.names[target],
        holders=[],
        holders_total=len(found.holders),
        collective=collective,
        coalition=coalition,
    )


def holder_models(
    p: Projection,
    network: lev.LeverageNetwork,
    modes: dict[int, str],
    page: Sequence[lev.HolderPath],
) -> list[Holder]:
    """Holders of one page; an indirect holder's bases and sources are its first edge's."""
    holders = []
    for h in page:
        first = network.edges[(h.path[0], h.path[1])]
        holders.append(
            Holder(
                id=p.ids[h.holder],
                iri=p.iris[h.holder],
                name=p.names[h.holder],
                strength=round(h.strength, lev.DIGITS),
                hops=h.hops,
                bases=list(first.bases),
                path=[p.ids[n] for n in h.path],
                involvement=modes.get(h.holder),
                sources=list(first.sources),
            )
        )
    return holders


def holding_models(p: Projection, page: Sequence[lev.HolderPath]) -> list[Holding]:
    """Targets an actor holds leverage over, for one page; bases and sources of the first edge."""
    holdings = []
    for h in page:
        first = p.leverage.edges[(h.path[0], h.path[1])]
        holdings.append(
            Holding(
                id=p.ids[h.target],
                iri=p.iris[h.target],
                name=p.names[h.target],
                strength=round(h.strength, lev.DIGITS),
                hops=h.hops,
                bases=list(first.bases),
                path=[p.ids[n] for n in h.path],
                sources=list(first.sources),
            )
        )
    return holdings
