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
    LeverageStep,
    LeverageTarget,
    PathStep,
)


def path_step_records(
    p: Projection, path: Sequence[int], evidence: dict[int, list[str]]
) -> list[dict[str, object]]:
    """A path's stored edges in walk order, each with its own subject and object, products,
    assertion and sources: the evidence of a derived row is on its steps."""
    ids, pids = p.ids, p.product_ids
    return [
        {
            "from": ids[e.source],
            "relation": e.relation,
            "to": ids[e.target],
            "products": [pids[q] for q in e.products],
            "assertion": e.assertion,
            "sources": evidence.get(n, []),
        }
        for n, e in ((n, p.edges[n]) for n in path)
    ]


def path_steps(
    p: Projection, path: Sequence[int], evidence: dict[int, list[str]] | None = None
) -> list[PathStep]:
    """A path's steps as models (:func:`path_step_records`)."""
    # Validating constructors, not model_construct: pydantic-core validates in Rust, so
    # model_construct (pure Python) is the slower of the two for these small models.
    return [PathStep(**step) for step in path_step_records(p, path, evidence or {})]  # type: ignore[arg-type]


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
    # An asserted involvement cites its own sources; a derived row cites none of its own (the
    # relationships' sources are on the path steps, they do not support the conclusion).
    ids = p.ids
    kind = responses.actor_kind(p.roles[x.actor])
    return {
        "id": ids[x.actor],
        "iri": p.iris[x.actor],
        "name": p.names[x.actor],
        "kind": kind,
        "involvement": x.mode,
        "asserted": x.asserted,
        "assertion": x.assertion,
        "hops": x.hops,
        "product_continuity": x.product_continuity,
        "path": path_step_records(p, x.path, evidence),
        "expected_response": responses.expected_response(x.mode, status, kind),
        "confidence": x.confidence,
        "sources": list(x.sources),
    }


def leverage_target(
    p: Projection,
    found: lev.TargetLeverage,
    names: dict[str, str],
    threshold: float,
    id_of: Callable[[str], str],
) -> LeverageTarget:
    """One target's collective leverage and coalition, as the answer shows them.

    ``holders`` and ``other_influence`` are left empty for the caller to fill with
    :func:`holder_models` (DESIGN.md: holders are paged, collective leverage and coalitions
    always use all holders).
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
        mode=found.mode,
        holders=[],
        holders_total=len(found.holders),
        collective=collective,
        coalition=coalition,
    )


def holder_models(
    p: Projection,
    network: lev.LeverageNetwork[int],
    modes: dict[int, str],
    page: Sequence[lev.HolderPath[int]],
) -> list[Holder]:
    """Holders of one page, each with every step of its path.

    A holder's ``bases`` are those of its own (first) edge, the way it holds leverage; its
    ``sources`` are the union over the steps, in path order, since a chain is only as good as
    each of its edges.
    """
    holders = []
    for h in page:
        steps = []
        sources: list[str] = []
        for a, b in zip(h.path, h.path[1:], strict=False):
            edge = network.edges[(a, b)]
            steps.append(
                LeverageStep(
                    **{"from": p.ids[a]},
                    to=p.ids[b],
                    bases=list(edge.bases),
                    strength=round(edge.strength, lev.DIGITS),
                    sources=list(edge.sources),
                )
            )
            sources += [url for url in edge.sources if url not in sources]
        holders.append(
            Holder(
                id=p.ids[h.holder],
                iri=p.iris[h.holder],
                name=p.names[h.holder],
                kind=p.kind(h.holder),
                strength=round(h.strength, lev.DIGITS),
                hops=h.hops,
                bases=list(steps[0].bases) if steps else [],
                path=[p.ids[n] for n in h.path],
                steps=steps,
                involvement=modes.get(h.holder),
                sources=sources,
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
