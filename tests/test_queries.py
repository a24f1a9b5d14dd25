"""Every ready query in ``queries/`` runs on the demo cases and returns the rows the CSVs imply.

Expected rows are computed here straight from the CSV files with the csv module (not through
the ingest or the store), so a query that misreads the RDF mapping fails.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest

from valuechain_kg.graph import KnowledgeGraph
from valuechain_kg.store.ontology import ONTOLOGY_GRAPH

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "cases"
QUERIES = ROOT / "queries"
BASE = "https://w3id.org/valuechain/id/"
MODE = {"cause": "Cause", "contribution": "Contribution", "direct-linkage": "DirectLinkage"}
FLOWS = {"supplies", "provides-service", "licenses-technology", "provides-data", "sells-to"}
# DESIGN.md, "Vocabulary words": the MNE Guidelines chapters above each narrower category.
CHAPTERS = {
    "disclosure",
    "human-rights",
    "employment",
    "environment",
    "bribery",
    "consumer-interests",
    "science-technology",
    "competition",
    "taxation",
}
BROADER = {
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

Row = tuple[object, ...]


def table(name: str) -> list[dict[str, str]]:
    """The rows of one CSV file across all demo bundles."""
    found: list[dict[str, str]] = []
    for path in sorted(CASES.glob(f"*/{name}")):
        with path.open(newline="", encoding="utf-8-sig") as f:
            found.extend(csv.DictReader(f))
    return found


def iri(slug: str) -> str:
    return BASE + slug


def causes() -> set[tuple[str, str]]:
    return {(r["actor"], r["impact"]) for r in table("involvements.csv") if r["mode"] == "cause"}


def reach(edges: Iterable[tuple[str, str]], start: str) -> set[str]:
    following: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        following[a].add(b)
    seen: set[str] = set()
    todo = list(following[start])
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(following[node])
    return seen


def term_value(term: object) -> object:
    if term is None:
        return None
    if isinstance(term, ox.Literal) and term.datatype.value.endswith(("#decimal", "#double")):
        return float(term.value)
    if isinstance(term, ox.Literal) and term.datatype.value.endswith("#integer"):
        return int(term.value)
    return term.value  # type: ignore[attr-defined]


# --- expected rows, one function per query ---------------------------------------------------


def expect_labour() -> list[Row]:
    labour = {"employment", "labour", "child-labour", "forced-labour", "occupational-safety"}
    category = {r["id"]: r["category"] for r in table("impacts.csv")}
    names = {r["id"]: r["name"] for r in table("actors.csv")}
    rows = {
        (
            iri(r["impact"]),
            category[r["impact"]],
            iri(r["actor"]),
            names[r["actor"]],
            MODE[r["mode"]],
        )
        for r in table("involvements.csv")
        if category[r["impact"]] in labour
    }
    return sorted(rows, key=lambda r: (r[0], r[4], r[2]))


def expect_investors() -> list[Row]:
    edges = {(r["holder"], r["target"]) for r in table("leverage.csv")}
    edges |= {
        (r["source"], r["target"]) for r in table("relationships.csv") if r["type"] == "invests-in"
    }
    privacy = {r["id"] for r in table("impacts.csv") if r["category"] == "privacy"}
    investors = {r["id"] for r in table("actors.csv") if "investor" in r["role"].split(";")}
    rows = {
        (iri(investor), iri(cause), iri(impact))
        for investor in investors
        for cause, impact in causes()
        if impact in privacy and cause != investor and cause in reach(edges, investor)
    }
    return sorted(rows)


def expect_chapters() -> list[Row]:
    """Most severe first: the largest characteristic, then irremediability, scale, scope,
    likelihood (an actual impact as 1), id; unknown values last (DESIGN.md, "Severity")."""
    keyed = []
    for r in table("impacts.csv"):
        scale, scope, irr = (
            int(r[k]) if r[k] else None for k in ("scale", "scope", "irremediability")
        )
        known = [v for v in (scale, scope, irr) if v is not None]
        severity = max(known) if known else None
        chance = (
            1.0
            if r["status"] == "actual"
            else (float(r["likelihood"]) if r["likelihood"] else None)
        )

        def down(v: float | None) -> float:
            return -v if v is not None else float("inf")

        chapters = (r["category"],) if r["category"] in CHAPTERS else BROADER[r["category"]]
        for chapter in chapters:
            key = (
                chapter,
                down(severity),
                down(irr),
                down(scale),
                down(scope),
                down(chance),
                iri(r["id"]),
            )
            keyed.append((key, (chapter, iri(r["id"]), r["category"], severity)))
    return [row for _, row in sorted(keyed)]


def expect_without_response() -> list[Row]:
    responded = {(r["actor"], r["impact"]) for r in table("responses.csv")}
    rows = {
        (iri(r["actor"]), iri(r["impact"]), MODE[r["mode"]])
        for r in table("involvements.csv")
        if (r["actor"], r["impact"]) not in responded
    }
    return sorted(rows, key=lambda r: (r[1], r[0], r[2]))


def expect_owners() -> list[Row]:
    rows = {
        (iri(r["source"]), iri(cause), float(r["ownership_share"]), iri(impact))
        for r in table("relationships.csv")
        if r["type"] == "invests-in" and r["ownership_share"]
        for cause, impact in causes()
        if cause == r["target"]
    }
    return sorted(rows, key=lambda r: (r[3], -r[2], r[0]))  # type: ignore[operator]


def expect_initiative_members() -> list[Row]:
    involved = defaultdict(set)
    for r in table("involvements.csv"):
        involved[r["actor"]].add((r["impact"], MODE[r["mode"]]))
    rows = {
        (iri(m["initiative"]), iri(m["actor"]), iri(impact), mode)
        for m in table("memberships.csv")
        for impact, mode in involved[m["actor"]]
    }
    return sorted(rows, key=lambda r: (r[0], r[1], r[2]))


def expect_downstream() -> list[Row]:
    flows = {(r["source"], r["target"]) for r in table("relationships.csv") if r["type"] in FLOWS}
    rows = {
        (iri(impact), iri(cause), iri(customer))
        for cause, impact in causes()
        for customer in reach(flows, cause)
        if customer != cause
    }
    return sorted(rows)


def expect_potential() -> list[Row]:
    rows = [
        (iri(r["id"]), r["category"], float(r["likelihood"]) if r["likelihood"] else None)
        for r in table("impacts.csv")
        if r["status"] == "potential"
    ]
    return sorted(set(rows), key=lambda r: (-(r[2] or -1.0), r[0]))  # type: ignore[operator]


def expect_bases() -> list[Row]:
    claims = {(r["holder"], r["target"], r["basis"]) for r in table("leverage.csv")}
    counts = Counter(basis for _, _, basis in claims)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


EXPECTED: dict[str, Callable[[], list[Row]]] = {
    "labour-impacts-actors-by-mode.rq": expect_labour,
    "investors-leverage-over-privacy-causes.rq": expect_investors,
    "impacts-by-chapter-and-severity.rq": expect_chapters,
    "linked-without-response.rq": expect_without_response,
    "owners-of-causing-entities.rq": expect_owners,
    "initiative-members-involved-in-impacts.rq": expect_initiative_members,
    "downstream-of-causing-entities.rq": expect_downstream,
    "potential-impacts-by-likelihood.rq": expect_potential,
    "leverage-claims-by-basis.rq": expect_bases,
}


@pytest.fixture(scope="module")
def demo() -> KnowledgeGraph:
    return KnowledgeGraph.open(data=[CASES])


def test_there_are_at_least_eight_queries_and_each_has_a_test() -> None:
    names = {p.name for p in QUERIES.glob("*.rq")}
    assert len(names) >= 8
    assert names == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_query_starts_with_a_comment_saying_what_it_answers(name: str) -> None:
    first = (QUERIES / name).read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ") and len(first) > 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_query_returns_the_rows_the_csvs_imply(demo: KnowledgeGraph, name: str) -> None:
    text = (QUERIES / name).read_text(encoding="utf-8")
    # run without the store's predeclared prefixes (a researcher pastes the file anywhere), on
    # the dataset the endpoint gives a query: the data and the ontology as the default graph
    results = demo.store.oxigraph.query(text, default_graph=[ox.DefaultGraph(), ONTOLOGY_GRAPH])
    got = [tuple(term_value(t) for t in solution) for solution in results]  # type: ignore[union-attr]
    expected = EXPECTED[name]()
    assert expected, f"{name}: the demo data should give this query something to find"
    assert got == expected


def test_labour_query_gives_one_row_per_involvement_when_bundles_name_an_actor_twice(
    tmp_path: Path,
) -> None:
    """A second bundle spelling an actor's name its own way must not duplicate the rows."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "actors.csv").write_text(
        "id,name,role,source_url\n"
        "samsung-electronics,Samsung Electronics Company Limited,hardware-manufacturer,"
        "https://example.org/list\n",
        encoding="utf-8",
    )
    kg = KnowledgeGraph.open(data=[CASES, other])
    text = (QUERIES / "labour-impacts-actors-by-mode.rq").read_text(encoding="utf-8")
    keys = [
        (s["impact"].value, s["actor"].value, s["mode"].value)  # type: ignore[index]
        for s in kg.sparql(text)  # type: ignore[attr-defined]
    ]
    assert iri("samsung-electronics") in {actor for _, actor, _ in keys}
    assert len(keys) == len(set(keys)) == len(expect_labour())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_client_that_guesses_the_form_from_the_text_sees_a_query(name: str) -> None:
    """SPARQLWrapper picks query or update by the first form keyword anywhere in the text,
    comments included ("loaded" reads as LOAD), and sends an update to the update endpoint."""
    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper("http://localhost/sparql")
    client.setQuery((QUERIES / name).read_text(encoding="utf-8"))
    assert client.queryType in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
