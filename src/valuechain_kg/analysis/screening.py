"""Risk-based scoping: which actors public risk lists reach, through which product and path.

The Due Diligence Guidance asks an enterprise first to identify the general areas where the
risk of adverse impacts is most significant, from sector, product and geographic risk factors,
and to prioritise them, before any impact is documented (Due Diligence Guidance, Section II,
step 2; UNGP 17 commentary). A risk indicator (a public list naming a product from a country
as at risk of, say, child labour) reaches an actor:

* directly, when the actor produces or sources the listed product (or a product grouped under
  it by ``vc:broaderProduct``) in the listed country; a production claim without a country
  takes place at each of the actor's sites;
* along the version-2 walk of linkage (DESIGN.md, "Products", "Periods", "Assertion status"),
  from those producers downstream to their customers, following the product and what is made
  from it (``vc:madeFrom``), only over relationships valid on ``as_of`` and asserted at least
  ``min_status``; an edge naming no product is followed without product continuity (dropped
  under ``strict_products``); investors are reached through their investees.

A screening result is *potential* exposure and says which indicator it comes from. It is never
an impact, a cause, a contribution or a direct linkage: nothing here writes or reads
involvements. Results are ranked most severe category first (forced child labour, then forced
labour, then child labour, then any other category: the project's own order), then closest.

Examples
--------
>>> from valuechain_kg.store import GraphStore
>>> from valuechain_kg.service.projection_reader import build_projection
>>> store = GraphStore()
>>> store.update('''INSERT DATA {
...   vcid:ore a vc:Product . vcid:mine vc:supplies vcid:smelter .
...   vcid:p a vc:Production ; vc:actor vcid:mine ; vc:product vcid:ore ;
...     vc:productionType vc:produces ; vc:country "CD" .
...   vcid:i a vc:RiskIndicator ; vc:product vcid:ore ; vc:country "CD" ;
...     vc:riskCategory vc:category-child-labour .
... }''')
>>> p = build_projection(store)
>>> [(p.ids[x.actor], x.hops, x.product_continuity) for x in screen(p)]
[('mine', 0, True), ('smelter', 1, False)]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from valuechain_kg.analysis.linkage import _blocked_edges, status_rank
from valuechain_kg.analysis.projection import Projection
from valuechain_kg.analysis.risk_rows import IndicatorRow, ProductionRow
from valuechain_kg.vocabulary import ASSERTION_RANK, DEFAULT_ASSERTION

__all__ = [
    "Exposure",
    "ProductRisk",
    "category_rank",
    "derived_product_risks",
    "families",
    "producers",
    "screen",
]

_FLOW = 0  # downstream of the producer, along flow edges
_FINANCIAL = 1  # investors, against financial edges


@dataclass(frozen=True, slots=True)
class Exposure:
    """An actor potentially exposed to one indicator. ``path`` holds relationship edge numbers
    from the producer towards the actor; ``product`` is the product number the actor is
    reached through (the producer's product at hops 0)."""

    actor: int
    indicator: IndicatorRow
    producer: int
    production: ProductionRow
    product: int
    hops: int
    path: tuple[int, ...]
    product_continuity: bool


@dataclass(frozen=True, slots=True)
class ProductRisk:
    """A product made, transitively, from an input an indicator names (``via``)."""

    product: int
    indicator: IndicatorRow
    via: int


def category_rank(indicator: IndicatorRow) -> int:
    """Most severe first: forced child labour, forced labour, child labour, anything else."""
    if indicator.forced_child_labour:
        return 0
    return {"forced-labour": 1, "child-labour": 2}.get(indicator.category, 3)


def families(p: Projection) -> list[frozenset[int]]:
    """Every product's families: itself and its ``vc:broaderProduct`` ancestors, transitively."""
    index = p.product_index
    up: dict[int, set[int]] = defaultdict(set)
    for narrower, wider in p.screening.broader:
        if narrower in index and wider in index:
            up[index[narrower]].add(index[wider])
    closure: list[frozenset[int]] = []
    for q in range(len(p.product_ids)):
        seen = {q}
        stack = list(up.get(q, ()))
        while stack:
            w = stack.pop()
            if w not in seen:
                seen.add(w)
                stack.extend(up.get(w, ()))
        closure.append(frozenset(seen))
    return closure


def _rank(assertion: str | None) -> int:
    return ASSERTION_RANK.get(assertion or DEFAULT_ASSERTION, ASSERTION_RANK[DEFAULT_ASSERTION])


def _countries(p: Projection) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for actor, country in p.screening.sites:
        found[actor].add(country)
    return found


def producers(
    p: Projection, product: int, country: str, min_rank: int = 0
) -> list[tuple[int, ProductionRow, int]]:
    """(actor, production claim, its product) for every claim that meets a product and country:
    the claim's product is ``product`` or grouped under it, and its country (else one of its
    actor's sites) is ``country``. In (actor, claim) order."""
    fam = families(p)
    sites = _countries(p)
    found = []
    for row in p.screening.productions:
        q = p.product_index.get(row.product)
        node = p.index.get(row.actor)
        if q is None or node is None or product not in fam[q] or _rank(row.assertion) < min_rank:
            continue
        where = {row.country} if row.country else sites.get(row.actor, set())
        if country in where:
            found.append((node, row, q))
    return sorted(found, key=lambda f: (f[0], f[1].iri))


def derived_product_risks(p: Projection) -> list[ProductRisk]:
    """The risks products inherit from their inputs: for each indicator on product P (or a
    family P heads), every product made, transitively, from it. This is how a list's own
    "derived" entries (batteries made with cobalt from the DRC) follow from its inputs."""
    fam = families(p)
    found = []
    for indicator in p.screening.indicators:
        listed = p.product_index.get(indicator.product)
        if listed is None:
            continue
        for q, inputs in enumerate(p.inputs):
            via = sorted(i for i in inputs if listed in fam[i])
            if via:
                found.append(ProductRisk(q, indicator, via[0]))
    return found


def _walk(
    p: Projection,
    starts: list[tuple[int, ProductionRow, int]],
    max_hops: int,
    blocked: frozenset[int],
    strict: bool,
) -> dict[int, tuple[int, tuple[int, ...], bool, int, int, ProductionRow]]:
    """Breadth first from the producers; per actor its shortest path with product continuity,
    else its shortest without: (hops, path, continuity, product, producer, claim)."""
    State = tuple[int, int, int, int]  # node, phase, product (-1: none carried), continuity
    seen: set[State] = set()
    parent: dict[State, tuple[State, int]] = {}
    origin: dict[State, tuple[int, ProductionRow]] = {}
    best: dict[int, tuple[int, tuple[int, ...], bool, int, int, ProductionRow]] = {}
    frontier: list[tuple[State, int]] = []

    def path_of(state: State) -> tuple[int, ...]:
        steps = []
        while state in parent:
            state, edge = parent[state]
            steps.append(edge)
        return tuple(reversed(steps))

    def reach(state: State, depth: int, came: tuple[State, int] | None, carried: int) -> None:
        if state in seen or (not state[3] and (state[0], state[1], state[2], 1) in seen):
            return
        seen.add(state)
        if came is not None:
            parent[state] = came
            origin[state] = origin[came[0]]
        frontier.append((state, depth))
        node, cont = state[0], bool(state[3])
        current = best.get(node)
        if current is None or (cont and not current[2]):
            producer, claim = origin[state]
            best[node] = (depth, path_of(state), cont, carried, producer, claim)

    for node, claim, q in starts:
        for phase in (_FLOW, _FINANCIAL):
            state = (node, phase, q if phase == _FLOW else -1, 1)
            if state not in origin:
                origin[state] = (node, claim)
            reach(state, 0, None, q)
    carried_at: dict[State, int] = {s: s[2] for s, _ in frontier}
    sources, targets, products = p.edges.source, p.edges.target, p.edges.products
    inputs = p.inputs
    for depth in range(1, max_hops + 1):
        current, frontier[:] = list(frontier), []
        for state, _ in current:
            node, phase, c, cont = state
            carried = carried_at.get(state, c)
            if phase == _FINANCIAL:
                for e in p.financial_in[node]:
                    if e not in blocked:
                        nxt = (sources[e], _FINANCIAL, -1, cont)
                        carried_at.setdefault(nxt, carried)
                        reach(nxt, depth, (state, e), carried)
                continue
            for e in p.flow_out[node]:
                if e in blocked:
                    continue
                carried_on = products[e]
                if not carried_on:
                    if strict:
                        continue
                    moves = [(c, 0)]
                else:
                    moves = [(q, cont) for q in carried_on if q == c or c in inputs[q]]
                target = targets[e]
                for q, ncont in moves:
                    for nxt in (
                        (target, _FLOW, q, ncont),
                        (target, _FINANCIAL, -1, ncont),
                    ):
                        carried_at.setdefault(nxt, q)
                        reach(nxt, depth, (state, e), q)
        if not frontier:
            break
    return best


def screen(
    p: Projection,
    actor: int | None = None,
    max_hops: int = 6,
    as_of: str | None = None,
    min_status: str | None = None,
    strict_products: bool = False,
) -> list[Exposure]:
    """Every (actor, indicator) exposure through its closest producer, or, for ``actor``, one
    per (indicator, producer) that reaches it; most severe and closest first.

    Producers (hops 0) are listed whatever their kind; an actor reached along relationships is
    listed only if it is an enterprise (DESIGN.md, "Actor kinds"), though the walk passes
    through others. ``as_of`` keeps only relationships valid that day; ``min_status`` ignores
    production claims and relationships asserted below it.
    """
    min_rank = status_rank(min_status)
    window = (as_of, as_of) if as_of is not None else None
    blocked = _blocked_edges(p, window, min_rank)
    groups: dict[tuple[str, str], list[IndicatorRow]] = defaultdict(list)
    for indicator in p.screening.indicators:
        groups[(indicator.product, indicator.country)].append(indicator)
    found: list[Exposure] = []
    for (product_iri, country), indicators in sorted(groups.items()):
        listed = p.product_index.get(product_iri)
        if listed is None:
            continue
        starts = producers(p, listed, country, min_rank)
        if not starts:
            continue
        # For one actor, every producer that reaches it (each a path into its value chain);
        # for all actors, the closest producer of each.
        walks = [[start] for start in starts] if actor is not None else [starts]
        for group in walks:
            reached = _walk(p, group, max_hops, blocked, strict_products)
            for node, (hops, path, cont, q, producer, claim) in reached.items():
                if actor is not None and node != actor:
                    continue
                if hops > 0 and p.kind(node) != "enterprise":
                    continue
                found.extend(
                    Exposure(node, ind, producer, claim, q, hops, path, cont) for ind in indicators
                )
    return sorted(found, key=_order(p))


def _order(p: Projection):  # type: ignore[no-untyped-def]
    def key(x: Exposure) -> tuple[object, ...]:
        return (
            category_rank(x.indicator),
            x.hops,
            p.ids[x.actor],
            x.indicator.iri,
            p.ids[x.producer],
        )

    return key


def by_category(exposures: Iterable[Exposure]) -> dict[str, int]:
    """How many exposures each category has (for summaries and charts)."""
    counts: dict[str, int] = defaultdict(int)
    for x in exposures:
        counts[x.indicator.category] += 1
    return dict(sorted(counts.items()))
