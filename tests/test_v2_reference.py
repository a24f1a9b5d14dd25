"""The facade's version-2 answers equal a brute-force reference of DESIGN.md on random bundles.

Each example is a small bundle written on the CSV template (actors of every kind, products with
composition, relationships with products, shares, validity and assertion status, causes,
contributors and asserted direct linkage, leverage claims, initiatives with scopes), loaded the
way a researcher loads one, and asked both questions through ``KnowledgeGraph`` under random
options. ``reference_v2`` answers the same questions by enumerating simple paths straight from
DESIGN.md's text, so a disagreement is a misreading on one side.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reference_v2 import (
    FINANCIAL,
    FLOW,
    Claim,
    Initiative,
    Involvement,
    Options,
    Rel,
    Scenario,
    leverage,
    linked_actors,
    linked_order,
    path_follows_the_rules,
)

from valuechain_kg.graph import KnowledgeGraph

SRC = "https://example.org/report"
CATEGORIES = ["child-labour", "privacy", "climate-change", "human-rights"]
SCOPES = ["employment", "human-rights", "environment", "privacy", "freedom-of-expression"]
DATES = ["2010", "2016-06", "2018", "2020-02-29", "2022"]
AS_OF = [None, None, None, "2016-06-15", "2019-01-01", "2023-05-01"]
STATUSES = [None, None, None, None, "alleged", "acknowledged", "ncp-determined"]
#: (valid_from, valid_until): open most of the time, else a year, a month or a day each side.
validities = st.one_of(
    st.just((None, None)),
    st.just((None, None)),
    st.tuples(st.sampled_from(DATES), st.just(None)),
    st.tuples(st.just(None), st.sampled_from(DATES)),
    st.lists(st.sampled_from(DATES), min_size=2, max_size=2).map(lambda d: tuple(sorted(d))),
)
#: Exact in binary, so products and collective strengths compare exactly.
STRENGTHS = [0.25, 0.5, 0.75, 1.0]
SHARES = [0.125, 0.25, 0.375, 0.5]
HEADERS = {
    "actors": ["id", "name", "role"],
    "products": ["id", "name", "kind", "made_from"],
    "relationships": [
        "source",
        "type",
        "target",
        "products",
        "ownership_share",
        "revenue_share",
        "valid_from",
        "valid_until",
        "assertion",
        "source_url",
    ],
    "impacts": ["id", "title", "category", "status", "started", "ended", "source_url"],
    "involvements": ["actor", "impact", "mode", "products", "assertion", "source_url"],
    "leverage": ["holder", "target", "basis", "strength", "assertion", "source_url"],
    "initiatives": ["id", "name", "kind", "scope"],
    "memberships": ["actor", "initiative"],
}


# --- random scenarios ----------------------------------------------------------------------------


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    n = draw(st.integers(3, 9))
    actors = [f"a{i}" for i in range(n)]
    role = st.sampled_from(
        ["manufacturer"] * 5 + ["investor", "state-entity", "civil-society-organisation"]
    )
    roles = {a: (draw(role),) for a in actors}
    products: dict[str, tuple[str, ...]] = {}
    for i in range(draw(st.integers(0, 5))):
        earlier = sorted(products)
        made_from = draw(st.sets(st.sampled_from(earlier), max_size=2)) if earlier else set()
        products[f"p{i}"] = tuple(sorted(made_from))
    product_sets = (
        st.sets(st.sampled_from(sorted(products)), max_size=2) if products else st.just(set())
    )
    rels: dict[tuple[str, str, str], Rel] = {}
    for _ in range(draw(st.integers(2, 16))):
        pair = st.lists(st.sampled_from(actors), min_size=2, max_size=2, unique=True)
        source, target = draw(pair)
        kind = draw(st.sampled_from([*FLOW[:2], "sells-to", "supplies", *FINANCIAL]))
        valid_from, valid_until = draw(validities)
        rels[(source, kind, target)] = Rel(
            source,
            kind,
            target,
            tuple(sorted(draw(product_sets))) if kind in FLOW else (),
            draw(st.sampled_from([None, *SHARES])) if kind == "invests-in" else None,
            draw(st.sampled_from([None, None, *SHARES])) if kind in FLOW else None,
            valid_from,
            valid_until,
            draw(st.sampled_from(STATUSES)),
        )
    modes = draw(
        st.lists(
            st.sampled_from(["cause", "cause", "contribution", "direct-linkage"]),
            min_size=1,
            max_size=3,
        )
    )
    involved = draw(st.lists(st.sampled_from(actors), min_size=len(modes), max_size=len(modes)))
    involvements = {
        (a, m): Involvement(
            a, m, tuple(sorted(draw(product_sets))), draw(st.sampled_from(STATUSES))
        )
        for a, m in zip(involved, modes, strict=True)
    }
    claims = {}
    for _ in range(draw(st.integers(0, 6))):
        holder, target = draw(
            st.lists(st.sampled_from(actors), min_size=2, max_size=2, unique=True)
        )
        basis = draw(st.sampled_from(["contract-terms", "regulatory", "reputational"]))
        claims[(holder, target, basis)] = Claim(
            holder, target, basis, draw(st.sampled_from(STRENGTHS)), draw(st.sampled_from(STATUSES))
        )
    initiatives = [
        Initiative(
            f"ini{i}",
            tuple(sorted(draw(st.sets(st.sampled_from(SCOPES), max_size=2)))),
            tuple(sorted(draw(st.sets(st.sampled_from(actors), max_size=4)))),
        )
        for i in range(draw(st.integers(0, 2)))
    ]
    period = draw(
        st.sampled_from(
            [(None, None), (None, None), ("2016", "2017"), ("2019-03", None), (None, "2015")]
        )
    )
    return Scenario(
        roles=roles,
        products=products,
        relationships=list(rels.values()),
        category=draw(st.sampled_from(CATEGORIES)),
        started=period[0],
        ended=period[1],
        involvements=list(involvements.values()),
        claims=list(claims.values()),
        initiatives=initiatives,
    )


options = st.builds(
    Options,
    max_hops=st.integers(0, 5),
    as_of=st.sampled_from(AS_OF),
    min_status=st.sampled_from([None, None, None, "reported", "acknowledged"]),
    strict_products=st.booleans(),
    threshold=st.sampled_from([0.5, 0.75, 0.9, 1.0]),
)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return ";".join(value)
    return str(value)


def write_scenario(folder: Path, s: Scenario) -> Path:
    """The scenario as a CSV bundle on the template, impact ``harm``."""
    tables: dict[str, list[dict[str, object]]] = {
        "actors": [{"id": a, "name": a.upper(), "role": r} for a, r in s.roles.items()],
        "products": [
            {"id": p, "name": p.upper(), "kind": "material", "made_from": m}
            for p, m in s.products.items()
        ],
        "relationships": [
            {
                "source": r.source,
                "type": r.type,
                "target": r.target,
                "products": r.products,
                "ownership_share": r.ownership_share,
                "revenue_share": r.revenue_share,
                "valid_from": r.valid_from,
                "valid_until": r.valid_until,
                "assertion": r.assertion,
                "source_url": f"https://example.org/{r.source}-{r.type}-{r.target}",
            }
            for r in s.relationships
        ],
        "impacts": [
            {
                "id": "harm",
                "title": "Harm",
                "category": s.category,
                "status": "actual",
                "started": s.started,
                "ended": s.ended,
                "source_url": SRC,
            }
        ],
        "involvements": [
            {
                "actor": i.actor,
                "impact": "harm",
                "mode": i.mode,
                "products": i.products,
                "assertion": i.assertion,
                "source_url": SRC,
            }
            for i in s.involvements
        ],
        "leverage": [
            {
                "holder": c.holder,
                "target": c.target,
                "basis": c.basis,
                "strength": c.strength,
                "assertion": c.assertion,
                "source_url": f"https://example.org/lev-{c.holder}-{c.target}",
            }
            for c in s.claims
        ],
        "initiatives": [
            {"id": i.id, "name": i.id.upper(), "kind": "industry", "scope": i.scope}
            for i in s.initiatives
        ],
        "memberships": [{"actor": a, "initiative": i.id} for i in s.initiatives for a in i.members],
    }
    for name, rows in tables.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=HEADERS[name])
            writer.writeheader()
            writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    return folder


def open_scenario(s: Scenario) -> KnowledgeGraph:
    with tempfile.TemporaryDirectory() as tmp:
        return KnowledgeGraph.open(data=[write_scenario(Path(tmp), s)], validate=True)


def ask_linked(kg: KnowledgeGraph, o: Options):  # type: ignore[no-untyped-def]
    return kg.linked_actors(
        "harm",
        max_hops=o.max_hops,
        as_of=o.as_of,
        min_status=o.min_status,
        strict_products=o.strict_products,
    )


def ask_leverage(kg: KnowledgeGraph, o: Options):  # type: ignore[no-untyped-def]
    return kg.leverage(
        "harm",
        threshold=o.threshold,
        max_hops=o.max_hops,
        as_of=o.as_of,
        min_status=o.min_status,
        strict_products=o.strict_products,
    )


RANDOM = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


#: Ore from the mine reaches a broker on an edge naming no product; the broker sells an
#: unrelated product on: the walk still carries the ore, so the buyer of the other product is
#: not linked.
UNSPECIFIED_THEN_UNRELATED = Scenario(
    roles={"mine": ("raw-material-producer",), "broker": ("trader",), "buyer": ("manufacturer",)},
    products={"ore": (), "grain": ()},
    relationships=[
        Rel("mine", "supplies", "broker"),
        Rel("broker", "sells-to", "buyer", ("grain",)),
    ],
    involvements=[Involvement("mine", "cause", ("ore",))],
)
#: The police misuse spyware: upstream, the cloud it runs on and that cloud's chips are
#: linked, the vendor's furniture supplier is not; a buyer whose contract began after the
#: impact's period is not linked either.
UPSTREAM_AND_PERIOD = Scenario(
    roles={
        "police": ("state-entity",),
        "vendor": ("technology-company",),
        "cloud": ("digital-infrastructure-provider",),
        "chips": ("hardware-manufacturer",),
        "office": ("manufacturer",),
        "late": ("manufacturer",),
    },
    products={"chip": (), "hosting": ("chip",), "spyware": ("hosting",), "furniture": ()},
    relationships=[
        Rel("vendor", "licenses-technology", "police", ("spyware",)),
        Rel("cloud", "provides-service", "vendor", ("hosting",)),
        Rel("chips", "supplies", "cloud", ("chip",)),
        Rel("office", "supplies", "vendor", ("furniture",)),
        Rel("late", "provides-service", "vendor", ("hosting",), valid_from="2020-02"),
    ],
    category="privacy",
    started="2018",
    ended="2019",
    involvements=[Involvement("police", "cause", ("spyware",))],
)
#: Two chains of equal strength and length: the smaller id sequence wins.
EQUAL_CHAINS = Scenario(
    roles={
        "mine": ("raw-material-producer",),
        "x": ("trader",),
        "y": ("trader",),
        "b": ("retailer",),
    },
    relationships=[
        Rel("mine", "supplies", "y"),
        Rel("mine", "supplies", "x"),
        Rel("y", "sells-to", "b"),
        Rel("x", "sells-to", "b"),
    ],
    involvements=[Involvement("mine", "cause")],
    claims=[
        Claim("b", "y", "contract-terms", 0.5),
        Claim("b", "x", "contract-terms", 0.5),
        Claim("y", "mine", "contract-terms", 0.5),
        Claim("x", "mine", "contract-terms", 0.5),
    ],
)
#: Child labour is narrower than employment: an initiative scoped to employment covers it.
SCOPE_BY_HIERARCHY = Scenario(
    roles={"mine": ("raw-material-producer",), "b1": ("manufacturer",), "b2": ("retailer",)},
    involvements=[Involvement("mine", "cause")],
    claims=[
        Claim("b1", "mine", "contract-terms", 0.5),
        Claim("b2", "mine", "contract-terms", 0.25),
    ],
    initiatives=[
        Initiative("labour-ini", ("employment",), ("b1", "b2")),
        Initiative("climate-ini", ("environment",), ("b1",)),
    ],
)


# --- linkage -------------------------------------------------------------------------------------


@RANDOM
@example(s=UNSPECIFIED_THEN_UNRELATED, o=Options())
@example(s=UPSTREAM_AND_PERIOD, o=Options())
@given(s=scenarios(), o=options)
def test_linked_actors_equal_the_reference(s: Scenario, o: Options) -> None:
    answer = ask_linked(open_scenario(s), o)
    expected = linked_actors(s, o)
    got = {a.id: (a.involvement, a.asserted, a.hops, a.product_continuity) for a in answer.actors}
    assert got == {
        a: (r.mode, r.asserted, r.hops, r.product_continuity) for a, r in expected.items()
    }
    assert [a.id for a in answer.actors] == linked_order(expected)
    for a in answer.actors:
        assert a.kind == s.kind(a.id)
        if not a.asserted:
            assert (a.assertion, a.sources) == ("inferred", [])
        if a.path:
            steps = [(x.from_, x.relation, x.to) for x in a.path]
            assert len(steps) == a.hops
            assert path_follows_the_rules(s, o, a.id, steps, a.product_continuity), steps


# --- leverage ------------------------------------------------------------------------------------


def _holder(h):  # type: ignore[no-untyped-def]
    return (h.id, h.strength, h.hops, tuple(h.path), h.kind, h.involvement)


@RANDOM
@example(s=SCOPE_BY_HIERARCHY, o=Options(threshold=0.6))
@example(s=EQUAL_CHAINS, o=Options())
@given(s=scenarios(), o=options)
def test_leverage_equals_the_reference(s: Scenario, o: Options) -> None:
    answer = ask_leverage(open_scenario(s), o)
    expected = leverage(s, o)
    assert {t.id: t.mode for t in answer.targets} == {t: r.mode for t, r in expected.items()}
    for t in answer.targets:
        want = expected[t.id]
        assert [_holder(h) for h in t.holders] == [
            (h, r.strength, r.hops, r.path, r.kind, r.involvement) for h, r in want.holders
        ]
        assert t.holders_total == len(want.holders)
        assert [_holder(h) for h in t.other_influence] == [
            (h, r.strength, r.hops, r.path, r.kind, r.involvement) for h, r in want.other_influence
        ]
        assert [(c.initiative, frozenset(c.members), c.strength) for c in t.collective] == [
            (i, m, pytest.approx(x)) for i, m, x in want.collective
        ]
        if want.coalition is None:
            assert t.coalition is None
        else:
            assert t.coalition is not None
            assert (tuple(t.coalition.members), t.coalition.strength) == (
                want.coalition[0],
                pytest.approx(want.coalition[1]),
            )
            assert t.coalition.threshold == o.threshold
        for h in [*t.holders, *t.other_influence]:
            assert [(x.from_, x.to) for x in h.steps] == list(zip(h.path, h.path[1:], strict=False))
