"""A deliberately plain reference of DESIGN.md's version-2 rules, for the random-graph tests.

Written from DESIGN.md's text ("Semantics of the two questions (version 2)") and nothing else:
it enumerates every simple path up to ``max_hops`` and checks each against the rules one by
one, with none of the search machinery of the analysis package, so that when the two disagree
one of them has misread the text. It works on a plain description of a bundle
(:class:`Scenario`), the same rows a researcher writes into the CSV template.

Readings of the text where it leaves a choice (each one a place to look first when the
reference and the analysis disagree):

* an edge naming no product is followed and the walk keeps carrying the product it carried;
  a cause naming no product starts a walk that carries nothing yet, so the first edge naming
  products is followed and its product is carried from there on;
* financial edges carry no product and neither make nor break product continuity: an
  investor's row has the continuity of the flow part it reaches (a cause naming a product, with
  only financial edges, has continuity);
* an asserted direct linkage that is also derived takes the derived ``hops`` and
  ``product_continuity``; one that is not derived has ``hops`` 0 and continuity ``None``, as
  causes and contributors do;
* leverage paths have at least one edge and at most ``max_hops``: ``max_hops=0`` gives no
  holders.
"""

from __future__ import annotations

import calendar
import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import networkx as nx

# --- the words of the text -----------------------------------------------------------------------

FLOW = ("supplies", "provides-service", "licenses-technology", "provides-data", "sells-to")
FINANCIAL = ("invests-in", "finances")
MODE_RANK = {"cause": 0, "contribution": 1, "direct-linkage": 2}
STATUS_RANK = {
    "alleged": 0,
    "reported": 1,
    "acknowledged": 2,
    "ncp-determined": 3,
    "court-determined": 3,
    "regulator-determined": 3,
}
DEFAULT_STATUS = "reported"
#: Narrower impact category -> its broader concepts, as DESIGN.md's CSV section lists them.
CATEGORY_BROADER: dict[str, tuple[str, ...]] = {
    "privacy": ("human-rights", "consumer-interests"),
    "freedom-of-expression": ("human-rights",),
    "democracy": ("human-rights",),
    "social-cohesion": ("human-rights",),
    "labour": ("employment",),
    "occupational-safety": ("employment",),
    "child-labour": ("employment", "human-rights"),
    "forced-labour": ("employment", "human-rights"),
    "climate-change": ("environment",),
    "consumer-safety": ("consumer-interests",),
}


def kind_of_role(roles: Iterable[str]) -> str:
    """``state-entity`` -> state, ``civil-society-organisation`` -> civil-society, else
    enterprise (DESIGN.md, "Actor kinds")."""
    roles = set(roles)
    if "state-entity" in roles:
        return "state"
    if "civil-society-organisation" in roles:
        return "civil-society"
    return "enterprise"


# --- the data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rel:
    source: str
    type: str
    target: str
    products: tuple[str, ...] = ()
    ownership_share: float | None = None
    revenue_share: float | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    assertion: str | None = None


@dataclass(frozen=True)
class Involvement:
    actor: str
    mode: str
    products: tuple[str, ...] = ()
    assertion: str | None = None


@dataclass(frozen=True)
class Claim:
    holder: str
    target: str
    basis: str
    strength: float
    assertion: str | None = None


@dataclass(frozen=True)
class Initiative:
    id: str
    scope: tuple[str, ...] = ()
    members: tuple[str, ...] = ()


@dataclass
class Scenario:
    """One impact and everything around it, as plain rows."""

    roles: dict[str, tuple[str, ...]]
    products: dict[str, tuple[str, ...]] = field(default_factory=dict)  # id -> made_from
    relationships: list[Rel] = field(default_factory=list)
    category: str = "child-labour"
    started: str | None = None
    ended: str | None = None
    involvements: list[Involvement] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    initiatives: list[Initiative] = field(default_factory=list)

    def kind(self, actor: str) -> str:
        return kind_of_role(self.roles[actor])


@dataclass(frozen=True)
class Options:
    max_hops: int = 6
    as_of: str | None = None
    min_status: str | None = None
    strict_products: bool = False
    threshold: float = 0.5


# --- dates and statuses --------------------------------------------------------------------------


def first_day(text: str) -> str:
    """A date of a year or a month widened to its first day."""
    parts = text.split("-")
    if len(parts) == 1:
        return f"{parts[0]}-01-01"
    if len(parts) == 2:
        return f"{parts[0]}-{parts[1]}-01"
    return text


def last_day(text: str) -> str:
    """A date of a year or a month widened to its last day."""
    parts = text.split("-")
    if len(parts) == 1:
        return f"{parts[0]}-12-31"
    if len(parts) == 2:
        days = calendar.monthrange(int(parts[0]), int(parts[1]))[1]
        return f"{parts[0]}-{parts[1]}-{days:02d}"
    return text


def in_period(rel: Rel, s: Scenario, as_of: str | None) -> bool:
    """Valid on ``as_of`` when given, else overlapping the impact's period (all when none)."""
    lo = first_day(rel.valid_from) if rel.valid_from else "0000-01-01"
    hi = last_day(rel.valid_until) if rel.valid_until else "9999-12-31"
    if as_of is not None:
        return lo <= as_of <= hi
    if s.started is None and s.ended is None:
        return True
    started = first_day(s.started) if s.started else "0000-01-01"
    ended = last_day(s.ended) if s.ended else "9999-12-31"
    return lo <= ended and hi >= started


def kept(assertion: str | None, min_status: str | None) -> bool:
    """``min_status S`` ignores every claim below S."""
    if min_status is None:
        return True
    return STATUS_RANK[assertion or DEFAULT_STATUS] >= STATUS_RANK[min_status]


def relationships_in_force(s: Scenario, o: Options) -> list[Rel]:
    return [
        r for r in s.relationships if in_period(r, s, o.as_of) and kept(r.assertion, o.min_status)
    ]


# --- linkage -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedRow:
    mode: str
    asserted: bool
    hops: int
    product_continuity: bool | None


def made_from_graph(s: Scenario) -> nx.DiGraph:
    """Product -> each of its direct inputs."""
    g = nx.DiGraph()
    g.add_nodes_from(s.products)
    for product, inputs in s.products.items():
        for source in inputs:
            g.add_edge(product, source)
    return g


def follows(
    products: Sequence[str], carried: str | None, downstream: bool, m: nx.DiGraph
) -> list[str]:
    """The products of an edge that the walk may carry on, given what it carries.

    Downstream a product Q is followed when it is the carried product or made, transitively,
    from it; upstream when it is the carried product or one of its inputs, transitively.
    """
    if carried is None:
        return list(products)
    out = []
    for q in products:
        made = carried in nx.descendants(m, q) if downstream else q in nx.descendants(m, carried)
        if q == carried or made:
            out.append(q)
    return out


def flow_continuity(
    steps: Sequence[Rel], start: Sequence[str], downstream: bool, m: nx.DiGraph
) -> bool | None:
    """Whether a flow path (edges in walk order, from the cause) is followed: None if not,
    else whether some way of carrying the product keeps continuity on every edge."""
    states: set[tuple[str | None, bool]] = {(p, True) for p in start} if start else {(None, False)}
    for rel in steps:
        nxt: set[tuple[str | None, bool]] = set()
        for carried, continuous in states:
            if not rel.products:
                nxt.add((carried, False))
            else:
                for q in follows(rel.products, carried, downstream, m):
                    nxt.add((q, continuous))
        states = nxt
        if not states:
            return None
    return any(c for _, c in states)


def simple_flow_paths(
    flow: Sequence[Rel], cause: str, downstream: bool, limit: int
) -> Iterator[tuple[str, list[Rel]]]:
    """Every simple path of flow edges from the cause, all downstream or all upstream, of at
    most ``limit`` edges, as (end actor, edges in walk order), the empty path included."""

    def walk(node: str, seen: set[str], steps: list[Rel]) -> Iterator[tuple[str, list[Rel]]]:
        yield node, steps
        if len(steps) == limit:
            return
        for rel in flow:
            here, there = (rel.source, rel.target) if downstream else (rel.target, rel.source)
            if here == node and there not in seen:
                yield from walk(there, seen | {there}, [*steps, rel])

    yield from walk(cause, {cause}, [])


def investors_of(
    financial: Sequence[Rel], actor: str, seen: set[str], limit: int
) -> Iterator[tuple[str, int]]:
    """Every actor reaching ``actor`` through (investsIn | finances)* on a simple path of at
    most ``limit`` edges, with the path's length, the actor itself (length 0) included."""
    yield actor, 0
    if limit == 0:
        return
    for rel in financial:
        if rel.target == actor and rel.source not in seen:
            for who, n in investors_of(financial, rel.source, seen | {rel.source}, limit - 1):
                yield who, n + 1


def asserted_modes(s: Scenario, o: Options) -> dict[str, Involvement]:
    """Each actor's strongest asserted involvement among those kept under ``min_status``."""
    best: dict[str, Involvement] = {}
    for inv in s.involvements:
        if not kept(inv.assertion, o.min_status):
            continue
        if inv.actor not in best or MODE_RANK[inv.mode] < MODE_RANK[best[inv.actor].mode]:
            best[inv.actor] = inv
    return best


def derivations(s: Scenario, o: Options) -> dict[str, tuple[int, bool]]:
    """Every actor derivable from a cause, with its best (hops, continuity): the shortest path
    with product continuity, else the shortest without (none of those under strict)."""
    rels = relationships_in_force(s, o)
    flow = [r for r in rels if r.type in FLOW]
    financial = [r for r in rels if r.type in FINANCIAL]
    m = made_from_graph(s)
    causes = [inv for inv in asserted_modes(s, o).values() if inv.mode == "cause"]
    found: dict[str, list[tuple[int, bool]]] = {}
    for inv in causes:
        for downstream in (True, False):
            for end, steps in simple_flow_paths(flow, inv.actor, downstream, o.max_hops):
                continuity = flow_continuity(steps, inv.products, downstream, m)
                if continuity is None:
                    continue
                on_path = {inv.actor, end} | {r.source for r in steps} | {r.target for r in steps}
                for who, n in investors_of(financial, end, on_path, o.max_hops - len(steps)):
                    hops = len(steps) + n
                    if hops == 0:
                        continue
                    found.setdefault(who, []).append((hops, continuity))
    best: dict[str, tuple[int, bool]] = {}
    for who, options in found.items():
        continuous = [h for h, c in options if c]
        if continuous:
            best[who] = (min(continuous), True)
        elif not o.strict_products:
            best[who] = (min(h for h, _ in options), False)
    return best


def linked_actors(s: Scenario, o: Options) -> dict[str, LinkedRow]:
    """Actor -> its row: asserted involvements always, derived direct linkage for
    enterprises, each actor once under its strongest mode."""
    rows: dict[str, LinkedRow] = {}
    derived = derivations(s, o) if o.max_hops > 0 else {}
    for actor, inv in asserted_modes(s, o).items():
        if inv.mode == "direct-linkage" and actor in derived:
            hops, continuity = derived[actor]
            rows[actor] = LinkedRow(inv.mode, True, hops, continuity)
        else:
            rows[actor] = LinkedRow(inv.mode, True, 0, None)
    for actor, (hops, continuity) in derived.items():
        if actor not in rows and s.kind(actor) == "enterprise":
            rows[actor] = LinkedRow("direct-linkage", False, hops, continuity)
    return rows


def linked_order(rows: dict[str, LinkedRow]) -> list[str]:
    return sorted(rows, key=lambda a: (MODE_RANK[rows[a].mode], rows[a].hops, a))


def path_follows_the_rules(
    s: Scenario,
    o: Options,
    actor: str,
    steps: Sequence[tuple[str, str, str]],
    continuity: bool | None,
) -> bool:
    """Is a reported path (steps from the actor towards a cause, as (from, relation, to))
    a walk by the rules, of that continuity? Financial steps first, then one flow direction."""
    rels = {(r.source, r.type, r.target): r for r in relationships_in_force(s, o)}
    if any(step not in rels for step in steps):
        return False
    causes = {a: inv for a, inv in asserted_modes(s, o).items() if inv.mode == "cause"}
    node, fin, flow_steps, downstream = actor, True, [], None
    for source, relation, target in steps:
        if relation in FINANCIAL:
            if not fin or source != node:
                return False
            node = target
            continue
        fin = False
        if source == node and downstream is not True:
            downstream, node = False, target  # the actor's side supplies the cause: upstream
        elif target == node and downstream is not False:
            downstream, node = True, source
        else:
            return False
        flow_steps.append(rels[(source, relation, target)])
    if node not in causes:
        return False
    walk_order = list(reversed(flow_steps))
    got = flow_continuity(walk_order, causes[node].products, bool(downstream), made_from_graph(s))
    return got is not None and got == continuity


# --- leverage ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edge:
    strength: float
    bases: frozenset[str]


@dataclass(frozen=True)
class HolderRow:
    strength: float
    hops: int
    path: tuple[str, ...]
    kind: str
    involvement: str | None


@dataclass(frozen=True)
class TargetRow:
    mode: str
    holders: list[tuple[str, HolderRow]]  # in answer order
    other_influence: list[tuple[str, HolderRow]]
    collective: list[tuple[str, frozenset[str], float]]  # (initiative, members, strength)
    coalition: tuple[tuple[str, ...], float] | None


def leverage_edges(s: Scenario, o: Options) -> dict[tuple[str, str], Edge]:
    """Holder -> target edges: claims, ``min(1, 2s)`` from ownership on invests-in,
    ``min(1, 2r)`` customer over supplier from revenue shares; the strongest per pair, with
    every basis."""
    raw: list[tuple[str, str, float, str]] = []
    for c in s.claims:
        if kept(c.assertion, o.min_status):
            raw.append((c.holder, c.target, c.strength, c.basis))
    for r in relationships_in_force(s, o):
        if r.type == "invests-in" and r.ownership_share is not None:
            raw.append((r.source, r.target, min(1.0, 2 * r.ownership_share), "ownership"))
        if r.type in FLOW and r.revenue_share is not None:
            raw.append((r.target, r.source, min(1.0, 2 * r.revenue_share), "commercial-importance"))
    edges: dict[tuple[str, str], Edge] = {}
    for holder, target, strength, basis in raw:
        if holder == target:
            continue
        old = edges.get((holder, target))
        if old is None:
            edges[(holder, target)] = Edge(strength, frozenset([basis]))
        else:
            edges[(holder, target)] = Edge(max(old.strength, strength), old.bases | {basis})
    return edges


def better(a: tuple[float, int, tuple[str, ...]], b: tuple[float, int, tuple[str, ...]]) -> bool:
    """Is ``a`` a better (product, hops, path) than ``b``: stronger beyond a relative 1e-9,
    then fewer hops, then the smaller id sequence."""
    if not math.isclose(a[0], b[0], rel_tol=1e-9, abs_tol=0.0):
        return a[0] > b[0]
    return (a[1], a[2]) < (b[1], b[2])


def scope_covers(scope: Sequence[str], category: str) -> bool:
    """An empty scope covers all; else the category or one it is narrower than, transitively."""
    if not scope:
        return True
    up = nx.DiGraph([(n, b) for n, bs in CATEGORY_BROADER.items() for b in bs])
    above = {category} | (nx.descendants(up, category) if category in up else set())
    return bool(above & set(scope))


def collective_strength(strengths: Iterable[float]) -> float:
    rest = 1.0
    for x in strengths:
        rest *= 1.0 - x
    return 1.0 - rest


def best_holder_paths(
    edges: dict[tuple[str, str], Edge] | dict[tuple[str, str], float],
    target: str,
    max_hops: int,
    linked: set[str] | None,
    actors: Iterable[str],
) -> dict[str, tuple[float, int, tuple[str, ...]]]:
    """Holder -> its best (product, hops, path) over ``target``: over every simple path of
    1 to ``max_hops`` edges whose intermediaries are all in ``linked``, or, for a holder not
    in ``linked``, over the direct edge only (``linked`` None: paths pass anywhere)."""

    def strength(pair: tuple[str, str]) -> float:
        e = edges[pair]
        return e.strength if isinstance(e, Edge) else e

    g = nx.DiGraph()
    g.add_nodes_from(actors)
    g.add_edges_from(edges)
    best: dict[str, tuple[float, int, tuple[str, ...]]] = {}
    for holder in list(g.nodes):
        if holder == target or max_hops < 1:
            continue
        if linked is None or holder in linked:
            inside = g if linked is None else g.subgraph(linked | {holder, target})
            paths: Iterable[list[str]] = nx.all_simple_paths(
                inside, holder, target, cutoff=max_hops
            )
        else:
            paths = [[holder, target]] if (holder, target) in edges else []
        for path in paths:
            product = 1.0
            for pair in itertools.pairwise(path):
                product *= strength(pair)
            key = (product, len(path) - 1, tuple(path))
            if product > 0 and (holder not in best or better(key, best[holder])):
                best[holder] = key
    return best


def leverage(s: Scenario, o: Options) -> dict[str, TargetRow]:
    """Target id -> its holders, other influence, collective leverage and coalition."""
    linked = linked_actors(s, o)
    edges = leverage_edges(s, o)
    targets = {a: r.mode for a, r in linked.items() if r.mode in ("cause", "contribution")}
    out: dict[str, TargetRow] = {}
    for target, mode in targets.items():
        best = best_holder_paths(edges, target, o.max_hops, set(linked), s.roles)
        rows = {
            h: HolderRow(k[0], k[1], k[2], s.kind(h), linked[h].mode if h in linked else None)
            for h, k in best.items()
        }
        order = sorted(rows, key=lambda h: (-rows[h].strength, rows[h].hops, h))
        holders = [(h, rows[h]) for h in order if rows[h].kind == "enterprise"]
        other = [(h, rows[h]) for h in order if rows[h].kind != "enterprise"]
        strength_of = dict((h, r.strength) for h, r in holders)
        collective = []
        for ini in s.initiatives:
            if not scope_covers(ini.scope, s.category):
                continue
            members = [m for m in ini.members if m in strength_of]
            if any(strength_of[m] > 0 for m in members):
                collective.append(
                    (
                        ini.id,
                        frozenset(members),
                        collective_strength(strength_of[m] for m in members),
                    )
                )
        collective.sort(key=lambda c: (-c[2], c[0]))
        coalition = None
        for n in range(1, len(holders) + 1):
            together = collective_strength(r.strength for _, r in holders[:n])
            if together >= o.threshold:
                coalition = (tuple(h for h, _ in holders[:n]), together)
                break
        out[target] = TargetRow(mode, holders, other, collective, coalition)
    return out
