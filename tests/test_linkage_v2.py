"""Specification of linkage, version 2 (DESIGN.md, "Products", "Periods", "Assertion status",
"Actor kinds", "Linkage of actor A to impact I"), on held-out scenarios written on the CSV
template with products and periods, loaded the way a researcher loads a bundle.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from valuechain_kg.analysis import linkage
from valuechain_kg.analysis.graph_input import projection_from_networkx
from valuechain_kg.graph import KnowledgeGraph

SRC = "https://example.org/report"


def write_bundle(folder: Path, **tables: list[dict[str, str]]) -> Path:
    """One CSV file per table (``actors`` -> actors.csv), headers from the rows' keys."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        header: list[str] = []
        for row in rows:
            header += [k for k in row if k not in header]
        with (folder / f"{name.replace('_', '-')}.csv").open("w", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)
    return folder


def actors(*specs: str) -> list[dict[str, str]]:
    """``id`` or ``id:role``; the role defaults to manufacturer."""
    rows = []
    for spec in specs:
        ident, _, role = spec.partition(":")
        rows.append({"id": ident, "name": ident.title(), "role": role or "manufacturer"})
    return rows


def rel(source: str, target: str, products: str = "", kind: str = "supplies", **extra: str):  # type: ignore[no-untyped-def]
    return {
        "source": source,
        "type": kind,
        "target": target,
        "products": products,
        "source_url": f"https://example.org/{source}-{target}",
        **extra,
    }


def cause(actor: str, impact: str, products: str = "", **extra: str) -> dict[str, str]:
    return {
        "actor": actor,
        "impact": impact,
        "mode": "cause",
        "products": products,
        "source_url": SRC,
        **extra,
    }


def impact(ident: str, **extra: str) -> dict[str, str]:
    return {
        "id": ident,
        "title": ident.replace("-", " "),
        "category": "child-labour",
        "status": "actual",
        "source_url": SRC,
        **extra,
    }


def product(ident: str, made_from: str = "", kind: str = "material") -> dict[str, str]:
    return {"id": ident, "name": ident, "kind": kind, "made_from": made_from}


def open_bundle(folder: Path) -> KnowledgeGraph:
    return KnowledgeGraph.open(data=[folder])


def linked(kg: KnowledgeGraph, ident: str, **options: object) -> dict[str, object]:
    return {a.id: a for a in kg.linked_actors(ident, **options).actors}  # type: ignore[arg-type]


BATTERY_PRODUCTS = [
    product("cobalt-ore"),
    product("copper-ore"),
    product("refined-cobalt", "cobalt-ore"),
    product("cathode", "refined-cobalt", "component"),
    product("battery-cell", "cathode", "component"),
    product("smartphone", "battery-cell", "good"),
    product("copper-wire", "copper-ore", "component"),
]


def battery_bundle(folder: Path) -> KnowledgeGraph:
    """Child labour at a cobalt mine; the trader also sells copper to a wire maker.

    mine -cobalt-ore-> trader -cobalt-ore-> refiner -refined-cobalt-> cathodeco -cathode->
    cellco -battery-cell-> phoneco; trader -copper-ore-> wireco -copper-wire-> cableco.
    """
    return open_bundle(
        write_bundle(
            folder,
            actors=actors(
                "mine:raw-material-producer",
                "trader:trader",
                "refiner",
                "cathodeco",
                "cellco",
                "phoneco",
                "wireco",
                "cableco",
            ),
            products=BATTERY_PRODUCTS,
            relationships=[
                rel("mine", "trader", "cobalt-ore"),
                rel("trader", "refiner", "cobalt-ore"),
                rel("refiner", "cathodeco", "refined-cobalt"),
                rel("cathodeco", "cellco", "cathode"),
                rel("cellco", "phoneco", "battery-cell"),
                rel("trader", "wireco", "copper-ore"),
                rel("wireco", "cableco", "copper-wire"),
            ],
            impacts=[impact("cobalt-child-labour")],
            involvements=[cause("mine", "cobalt-child-labour", "cobalt-ore")],
        )
    )


def test_a_sibling_product_line_is_not_linked(tmp_path: Path) -> None:
    found = linked(battery_bundle(tmp_path), "cobalt-child-labour")
    assert "trader" in found
    assert "wireco" not in found and "cableco" not in found


def test_composition_carries_the_harm_downstream(tmp_path: Path) -> None:
    found = linked(battery_bundle(tmp_path), "cobalt-child-labour")
    hops = {k: found[k].hops for k in ("trader", "refiner", "cathodeco", "cellco", "phoneco")}
    assert hops == {"trader": 1, "refiner": 2, "cathodeco": 3, "cellco": 4, "phoneco": 5}
    phone = found["phoneco"]
    assert phone.product_continuity is True
    assert [s.products for s in phone.path] == [
        ["battery-cell"],
        ["cathode"],
        ["refined-cobalt"],
        ["cobalt-ore"],
        ["cobalt-ore"],
    ]


def test_upstream_of_a_cause_follows_that_products_inputs_only(tmp_path: Path) -> None:
    """The police misuse spyware: the cloud it runs on and that cloud's chips are linked, the
    vendor's office supplier and its payroll provider are not."""
    kg = open_bundle(
        write_bundle(
            tmp_path,
            actors=actors(
                "police:state-entity",
                "vendor:technology-company",
                "cloudco:digital-infrastructure-provider",
                "chipco:hardware-manufacturer",
                "officeco",
                "payrollco",
            ),
            products=[
                product("chip", kind="component"),
                product("cloud-hosting", "chip", "service"),
                product("spyware", "cloud-hosting", "software"),
                product("furniture", kind="good"),
                product("payroll", kind="service"),
            ],
            relationships=[
                rel("vendor", "police", "spyware", "licenses-technology"),
                rel("cloudco", "vendor", "cloud-hosting", "provides-service"),
                rel("chipco", "cloudco", "chip"),
                rel("officeco", "vendor", "furniture"),
                rel("payrollco", "vendor", "payroll", "provides-service"),
            ],
            impacts=[impact("journalist-surveillance", category="privacy")],
            involvements=[cause("police", "journalist-surveillance", "spyware")],
        )
    )
    found = linked(kg, "journalist-surveillance")
    assert {k: found[k].hops for k in ("vendor", "cloudco", "chipco")} == {
        "vendor": 1,
        "cloudco": 2,
        "chipco": 3,
    }
    assert "officeco" not in found and "payrollco" not in found
    assert found["police"].kind == "state" and found["police"].involvement == "cause"


def test_an_unspecified_edge_is_followed_and_flagged_and_dropped_under_strict_products(
    tmp_path: Path,
) -> None:
    kg = open_bundle(
        write_bundle(
            tmp_path,
            actors=actors("mine", "trader", "refiner", "broker", "buyer"),
            products=BATTERY_PRODUCTS,
            relationships=[
                rel("mine", "trader", "cobalt-ore"),
                rel("trader", "refiner", "cobalt-ore"),
                rel("mine", "broker"),  # names no product
                rel("broker", "buyer", "cobalt-ore"),
            ],
            impacts=[impact("harm")],
            involvements=[cause("mine", "harm", "cobalt-ore")],
        )
    )
    found = linked(kg, "harm")
    assert found["trader"].product_continuity is True
    assert found["broker"].product_continuity is False
    assert found["buyer"].product_continuity is False  # reached through the unspecified edge
    assert found["buyer"].path[-1].products == []
    strict = linked(kg, "harm", strict_products=True)
    assert {"trader", "refiner"} <= set(strict)
    assert "broker" not in strict and "buyer" not in strict


def test_a_cause_naming_no_product_links_every_path_without_continuity(tmp_path: Path) -> None:
    kg = open_bundle(
        write_bundle(
            tmp_path,
            actors=actors("mine", "trader", "wireco"),
            products=BATTERY_PRODUCTS,
            relationships=[
                rel("mine", "trader", "cobalt-ore"),
                rel("trader", "wireco", "copper-ore"),
            ],
            impacts=[impact("harm")],
            involvements=[cause("mine", "harm")],
        )
    )
    found = linked(kg, "harm")
    # The cobalt ore is carried from the trader on: the copper line is not followed.
    assert set(found) == {"mine", "trader"}
    assert found["trader"].product_continuity is False
    assert set(linked(kg, "harm", strict_products=True)) == {"mine"}


def test_the_shortest_path_with_continuity_wins_over_a_shorter_one_without(tmp_path: Path) -> None:
    kg = open_bundle(
        write_bundle(
            tmp_path,
            actors=actors("mine", "trader", "refiner", "buyer"),
            products=BATTERY_PRODUCTS,
            relationships=[
                rel("mine", "buyer"),  # one hop, no product named
                rel("mine", "trader", "cobalt-ore"),
                rel("trader", "refiner", "cobalt-ore"),
                rel("refiner", "buyer", "refined-cobalt"),
            ],
            impacts=[impact("harm")],
            involvements=[cause("mine", "harm", "cobalt-ore")],
        )
    )
    buyer = linked(kg, "harm")["buyer"]
    assert (buyer.hops, buyer.product_continuity) == (3, True)
    short = linked(kg, "harm", max_hops=2)["buyer"]
    assert (short.hops, short.product_continuity) == (1, False)


def test_a_relationship_outside_the_impacts_period_is_not_followed_and_as_of_overrides(
    tmp_path: Path,
) -> None:
    """Atrocities of 2016-2017 do not link a buyer whose contract began in 2023."""
    kg = open_bundle(
        write_bundle(
            tmp_path,
            actors=actors("platform:technology-company", "oldbuyer", "newbuyer", "client"),
            relationships=[
                rel("platform", "newbuyer", kind="provides-service", valid_from="2023"),
                rel("platform", "oldbuyer", kind="provides-service", valid_until="2016-05"),
                rel("client", "platform", kind="provides-service", valid_from="2015"),
            ],
            impacts=[impact("violence", category="human-rights", started="2016", ended="2017")],
            involvements=[cause("platform", "violence")],
        )
    )
    found = linked(kg, "violence")
    assert "newbuyer" not in found
    assert "oldbuyer" in found  # its validity (to May 2016) overlaps the period
    assert "client" in found
    assert kg.linked_actors("violence").impact.period.model_dump() == {
        "started": "2016-01-01",
        "ended": "2017-12-31",
    }
    on_day = linked(kg, "violence", as_of="2024-01-01")
    assert "newbuyer" in on_day and "oldbuyer" not in on_day


def test_min_status_drops_an_alleged_edge_and_an_alleged_contribution(tmp_path: Path) -> None:
    kg = open_bundle(
        write_bundle(
            tmp_path,
            actors=actors("mine", "trader", "rumoured", "helper"),
            relationships=[
                rel("mine", "trader", assertion="acknowledged"),
                rel("mine", "rumoured", assertion="alleged"),
            ],
            impacts=[impact("harm")],
            involvements=[
                cause("mine", "harm"),
                {
                    "actor": "helper",
                    "impact": "harm",
                    "mode": "contribution",
                    "assertion": "alleged",
                    "source_url": SRC,
                },
            ],
        )
    )
    everything = linked(kg, "harm")
    assert {"trader", "rumoured", "helper"} <= set(everything)
    assert everything["helper"].assertion == "alleged"
    assert everything["rumoured"].path[0].assertion == "alleged"
    kept = linked(kg, "harm", min_status="reported")
    assert set(kept) == {"mine", "trader"}
    assert kept["mine"].assertion == "reported"
    assert set(linked(kg, "harm", min_status="acknowledged")) == set()  # the cause is reported


def test_a_state_downstream_is_not_listed_but_passes_the_product_on(tmp_path: Path) -> None:
    kg = open_bundle(
        write_bundle(
            tmp_path,
            actors=actors("mine", "agency:state-entity", "ngo:civil-society-organisation", "buyer"),
            relationships=[
                rel("mine", "agency", "cobalt-ore"),
                rel("mine", "ngo", "cobalt-ore"),
                rel("agency", "buyer", "cobalt-ore", "sells-to"),
            ],
            products=BATTERY_PRODUCTS,
            impacts=[impact("harm")],
            involvements=[cause("mine", "harm", "cobalt-ore")],
        )
    )
    found = linked(kg, "harm")
    assert "agency" not in found and "ngo" not in found
    assert [(s.from_, s.to) for s in found["buyer"].path] == [
        ("agency", "buyer"),
        ("mine", "agency"),
    ]


def test_derived_rows_cite_no_sources_of_their_own_and_steps_carry_theirs(tmp_path: Path) -> None:
    found = linked(battery_bundle(tmp_path), "cobalt-child-labour")
    refiner = found["refiner"]
    assert (refiner.asserted, refiner.assertion, refiner.sources) == (False, "inferred", [])
    assert [s.sources for s in refiner.path] == [
        ["https://example.org/trader-refiner"],
        ["https://example.org/mine-trader"],
    ]
    assert all(s.assertion == "reported" for s in refiner.path)
    mine = found["mine"]
    assert (mine.asserted, mine.assertion, mine.sources, mine.product_continuity) == (
        True,
        "reported",
        [SRC],
        None,
    )


def test_an_asserted_direct_linkage_also_derived_keeps_its_assertion_and_sources(
    tmp_path: Path,
) -> None:
    kg = open_bundle(
        write_bundle(
            tmp_path,
            actors=actors("mine", "trader", "refiner"),
            products=BATTERY_PRODUCTS,
            relationships=[
                rel("mine", "trader", "cobalt-ore"),
                rel("trader", "refiner", "cobalt-ore"),
            ],
            impacts=[impact("harm")],
            involvements=[
                cause("mine", "harm", "cobalt-ore"),
                {
                    "actor": "refiner",
                    "impact": "harm",
                    "mode": "direct-linkage",
                    "assertion": "ncp-determined",
                    "source_url": "https://example.org/ncp",
                },
            ],
        )
    )
    refiner = linked(kg, "harm")["refiner"]
    assert (refiner.asserted, refiner.assertion, refiner.hops) == (True, "ncp-determined", 2)
    assert (refiner.product_continuity, refiner.sources) == (True, ["https://example.org/ncp"])


def test_impacts_of_gives_each_impact_the_same_row_as_linked_actors(tmp_path: Path) -> None:
    kg = battery_bundle(tmp_path)
    phone = kg.impacts_of("phoneco").impacts
    assert [(i.impact.id, i.hops, i.product_continuity) for i in phone] == [
        ("cobalt-child-labour", 5, True)
    ]
    assert kg.impacts_of("cableco").impacts == []


# --- the networkx face: the same answers from an edited graph ---------------------------------


def test_a_networkx_graph_edited_by_hand_is_asked_the_same_question(tmp_path: Path) -> None:
    kg = battery_bundle(tmp_path)
    g = kg.projection().to_networkx()
    g.add_node("recycler", kind="actor", roles=["manufacturer"])
    g.add_edge("phoneco", "recycler", key="sells-to", kind="flow", relation="sells-to",
               products=["smartphone"])  # fmt: skip
    g.remove_edge("cellco", "phoneco", "supplies")
    q = projection_from_networkx(g)
    found = {q.ids[x.actor] for x in linkage.linked_actors(g, "cobalt-child-labour")}
    assert "cellco" in found and "phoneco" not in found and "recycler" not in found
    g.add_edge("cellco", "phoneco", key="supplies", kind="flow", relation="supplies",
               products=["battery-cell"])  # fmt: skip
    found = {q2.ids[x.actor] for q2 in [projection_from_networkx(g)]
             for x in linkage.linked_actors(g, "cobalt-child-labour")}  # fmt: skip
    assert {"phoneco", "recycler"} <= found


PRODUCTS = ["p0", "p1", "p2", "p3"]
NODES = [f"n{i}" for i in range(7)]
KINDS = ["supplies", "sells-to", "invests-in", "finances"]


def random_bundle(folder: Path, seed: int) -> KnowledgeGraph:
    """A random small bundle: products with composition, edges with products, validity and
    statuses, two causes, a State, an impact period."""
    rng = random.Random(seed)
    products = [product("p0"), product("p1", "p0"), product("p2", "p1"), product("p3")]
    rows = []
    for _ in range(rng.randrange(4, 16)):
        a, b = rng.sample(NODES, 2)
        kind = rng.choice(KINDS)
        extra: dict[str, str] = {}
        if rng.random() < 0.3:
            extra["valid_from"] = rng.choice(["2010", "2018", "2022"])
        if rng.random() < 0.2:
            extra["assertion"] = rng.choice(["alleged", "acknowledged"])
        names = (
            ""
            if kind in ("invests-in", "finances") or rng.random() < 0.3
            else ";".join(sorted(rng.sample(PRODUCTS, rng.randrange(1, 3))))
        )
        rows.append(rel(a, b, names, kind, **extra))
    unique = {(r["source"], r["type"], r["target"]): r for r in rows}
    causes = rng.sample(NODES, 2)
    return open_bundle(
        write_bundle(
            folder,
            actors=actors(*[f"{n}:state-entity" if n == "n6" else n for n in NODES]),
            products=products,
            relationships=list(unique.values()),
            impacts=[impact("harm", started="2015", ended="2019")],
            involvements=[
                cause(causes[0], "harm", rng.choice(["", "p0", "p1"])),
                cause(causes[1], "harm", rng.choice(["", "p2"]), assertion="alleged"),
            ],
        )
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    seed=st.integers(0, 10_000),
    max_hops=st.integers(0, 5),
    as_of=st.sampled_from([None, "2020-06-01"]),
    min_status=st.sampled_from([None, "reported"]),
    strict=st.booleans(),
)
def test_the_networkx_path_equals_the_fast_path_on_random_graphs(
    tmp_path_factory: object,
    seed: int,
    max_hops: int,
    as_of: str | None,
    min_status: str | None,
    strict: bool,
) -> None:
    folder = tmp_path_factory.mktemp("bundle")  # type: ignore[attr-defined]
    p = random_bundle(folder, seed).projection()
    iri = p.base + "harm"
    fast = linkage.linked_actors(p, iri, max_hops, as_of, min_status, strict)
    g = p.to_networkx()
    assert isinstance(g, nx.MultiDiGraph)
    slow = linkage.linked_actors(g, "harm", max_hops, as_of, min_status, strict)
    assert slow == fast
    for x in fast:
        assert p.kind(x.actor) == "enterprise" or x.asserted
        assert (x.product_continuity is not False) or not strict


# --- every option on every face ---------------------------------------------------------------


def test_the_options_reach_the_cli_and_the_rest_api_alike(tmp_path: Path) -> None:
    import json

    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from valuechain_kg.api.app import create_app
    from valuechain_kg.cli import app

    folder = tmp_path / "bundle"
    kg = open_bundle(
        write_bundle(
            folder,
            actors=actors("mine", "trader", "broker", "late"),
            products=BATTERY_PRODUCTS,
            relationships=[
                rel("mine", "trader", "cobalt-ore"),
                rel("mine", "broker", assertion="alleged"),
                rel("mine", "late", "cobalt-ore", valid_from="2024"),
            ],
            impacts=[impact("harm", started="2019", ended="2020")],
            involvements=[cause("mine", "harm", "cobalt-ore")],
        )
    )
    flags = ["--max-hops", "3", "--min-status", "reported", "--strict-products"]
    runner = CliRunner()
    result = runner.invoke(
        app, ["linked", "harm", "--data", str(folder), "--format", "json", *flags]
    )
    assert result.exit_code == 0, result.output
    cli_doc = json.loads(result.stdout)
    assert [a["id"] for a in cli_doc["actors"]] == ["mine", "trader"]
    query = "max_hops=3&min_status=reported&strict_products=true"
    with TestClient(create_app(kg)) as client:
        rest_doc = client.get(f"/impacts/harm/linked-actors?{query}").json()
        assert rest_doc == cli_doc
        late = client.get("/impacts/harm/linked-actors?as_of=2024-06-01").json()
        assert "late" in [a["id"] for a in late["actors"]]
        assert client.get("/impacts/harm/linked-actors?min_status=rumour").status_code in (400, 422)
        broker = client.get("/actors/broker/impacts?min_status=reported").json()
        assert broker["impacts"] == []
        assert [
            i["impact"]["id"] for i in client.get("/actors/broker/impacts").json()["impacts"]
        ] == ["harm"]
    result = runner.invoke(
        app,
        ["impacts-of", "late", "--data", str(folder), "--format", "json", "--as-of", "2024-06-01"],
    )
    assert result.exit_code == 0, result.output
    assert [i["impact"]["id"] for i in json.loads(result.stdout)["impacts"]] == ["harm"]
    result = runner.invoke(app, ["impacts-of", "late", "--data", str(folder), "--format", "json"])
    assert json.loads(result.stdout)["impacts"] == []
