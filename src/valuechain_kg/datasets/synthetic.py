"""Synthetic value chains: deterministic, realistic-looking graphs of any size.

Why: real users load national or sector-wide graphs (hundreds of thousands to millions of
actors) that we cannot ship, so the benchmarks and the scale tests need data with the same
shape: tiered supply chains five to eight tiers deep, a few suppliers with very many customers,
ownership chains and cross-holdings by investors, financing, industry and investor initiatives,
and adverse impacts with causes, contributors and asserted leverage.

The structure follows the OECD Due Diligence Guidance for RBC (2018) on the *upstream* and
*downstream* parts of a supply chain, and the MNE Guidelines (2023), Chapter II and its
commentary, on the three modes of involvement (cause, contribution, direct linkage); investors
and financiers are business relationships too (UNGP 13 and its commentary).

Everything is generated as rows of the CSV template (one dict per row, keyed by the template's
column names), and each row is turned into RDF exactly as ``docs/rdf-model.md`` prescribes, so
the N-Triples output and the CSV bundle output describe the same graph. The same
``(actors, seed)`` always gives the same bytes. Generation streams: memory holds a few integer
arrays of one entry per actor, never the rows.

Examples
--------
>>> from valuechain_kg.datasets.synthetic import rows
>>> kinds = [kind for kind, _ in rows(200, seed=1)]
>>> kinds[0], "relationships" in kinds, "impacts" in kinds
('actors', True, True)
"""

from __future__ import annotations

import csv
import math
import random
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyoxigraph as ox

from valuechain_kg.ingest.rdf_rows import row_to_rdf
from valuechain_kg.ingest.template import TEMPLATE
from valuechain_kg.namespaces import DEFAULT_BASE

__all__ = [
    "MIN_ACTORS",
    "SOURCE_ROOT",
    "SynthSummary",
    "generate",
    "quads_of",
    "rows",
    "write",
]

#: The smallest graph that still has every structure (tiers, investors, initiatives, impacts).
MIN_ACTORS = 60

#: Every synthetic claim is derived from a made-up report under this root, so nobody can
#: mistake synthetic data for a sourced claim about a real organisation.
SOURCE_ROOT = "https://example.org/synthetic/"

Row = dict[str, str]

_COUNTRIES = ("CD", "CN", "IN", "BD", "VN", "ID", "BR", "PE", "DE", "US", "NL", "GB", "FR", "JP")
_UPSTREAM_COUNTRIES = ("CD", "CN", "IN", "BD", "VN", "ID", "BR", "PE", "ZA", "CI", "GH", "MY")
_DOWNSTREAM_COUNTRIES = ("DE", "US", "NL", "GB", "FR", "JP", "SE", "CA", "AU", "KR", "IT", "ES")


@dataclass(frozen=True)
class _ChainKind:
    """One kind of sector supply chain: who sits at each end and what goes wrong where."""

    name: str
    producer_sector: str
    component_role: str
    brand_role: str
    downstream: tuple[tuple[str, str], ...]  # (role, sector) of the last tier
    upstream_categories: tuple[str, ...]
    midstream_categories: tuple[str, ...]
    downstream_categories: tuple[str, ...]


_CHAIN_KINDS = (
    _ChainKind(
        "electronics",
        "extractives",
        "hardware-manufacturer",
        "technology-company",
        (("retailer", "retail"), ("user-enterprise", "healthcare")),
        ("child-labour", "forced-labour", "occupational-safety", "environment"),
        ("labour", "occupational-safety", "climate-change"),
        ("privacy", "freedom-of-expression", "democracy", "consumer-safety"),
    ),
    _ChainKind(
        "apparel",
        "agriculture",
        "manufacturer",
        "manufacturer",
        (("retailer", "retail"),),
        ("child-labour", "forced-labour", "environment"),
        ("labour", "occupational-safety", "forced-labour"),
        ("consumer-safety", "disclosure"),
    ),
    _ChainKind(
        "food",
        "agriculture",
        "manufacturer",
        "manufacturer",
        (("retailer", "retail"), ("user-enterprise", "retail")),
        ("child-labour", "environment", "climate-change"),
        ("occupational-safety", "labour"),
        ("consumer-safety", "competition"),
    ),
    _ChainKind(
        "ai-services",
        "extractives",
        "hardware-manufacturer",
        "technology-company",
        (("user-enterprise", "healthcare"), ("user-enterprise", "agriculture")),
        ("forced-labour", "environment"),
        ("climate-change", "labour"),
        ("privacy", "social-cohesion", "democracy", "freedom-of-expression"),
    ),
)

#: Relative size of each tier: many producers, fewer traders, few brands, many retailers.
_TIER_WEIGHT = {"producer": 3.0, "trader": 1.0, "component": 1.5, "brand": 0.4, "end": 2.0}

_DIGITAL_ROLES = (
    ("digital-infrastructure-provider", "telecommunications", "provides-service"),
    ("data-curator", "technology", "provides-data"),
    ("content-creator", "media", "provides-data"),
    ("researcher", "research", "licenses-technology"),
)


@dataclass
class SynthSummary:
    """How much a run produced, per CSV file, and (for N-Triples) how many triples."""

    rows: Counter[str] = field(default_factory=Counter)
    triples: int = 0

    @property
    def actors(self) -> int:
        return self.rows["actors"]


def _decimal(value: float, places: int = 2) -> str:
    """A decimal with at most ``places`` digits and no trailing zeros, as a person would type."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return text or "0"


def _pareto_index(rng: random.Random, size: int, skew: float) -> int:
    """An index in [0, size) where low indices are far more likely: a heavy-tailed popularity.

    ``u ** skew`` with skew > 1 puts a density ~ x^(1/skew - 1) on the unit interval, so the
    first few suppliers of a tier get a large share of all customers, as in real supply chains
    where a few smelters or foundries serve most of an industry.
    """
    return min(size - 1, int(size * rng.random() ** skew))


@dataclass(frozen=True)
class _Tier:
    start: int
    size: int
    kind: str  # producer | trader | component | brand | end


@dataclass(frozen=True)
class _Chain:
    kind: _ChainKind
    tiers: tuple[_Tier, ...]

    def pick(self, rng: random.Random, tier: int) -> int:
        t = self.tiers[tier]
        return t.start + rng.randrange(t.size)


class _Builder:
    """Draws one synthetic graph; a single random stream keeps it deterministic for a seed."""

    def __init__(self, actors: int, seed: int) -> None:
        if actors < MIN_ACTORS:
            raise ValueError(f"a synthetic value chain needs at least {MIN_ACTORS} actors")
        self.n = actors
        self.rng = random.Random(seed)
        self.width = len(str(actors - 1))
        n_investors = max(3, actors * 3 // 100)
        n_digital = max(2, actors * 3 // 100)
        n_other = max(2, actors // 100)
        n_supply = actors - n_investors - n_digital - n_other
        self.chains = self._plan_chains(n_supply)
        self.digital = range(n_supply, n_supply + n_digital)
        self.investors = range(n_supply + n_digital, n_supply + n_digital + n_investors)
        self.others = range(n_supply + n_digital + n_investors, actors)
        # One entry per actor; -1 means none yet. Used to pick plausible contributors and
        # leverage holders without keeping the edge list.
        self.first_customer = array("i", [-1]) * actors
        self.first_financier = array("i", [-1]) * actors
        self.owned = array("f", [0.0]) * actors
        self.financial_pairs: set[tuple[int, int]] = set()
        self.leverage_keys: set[tuple[int, int, str]] = set()

    def actor_id(self, i: int) -> str:
        return f"actor-{i:0{self.width}d}"

    def _plan_chains(self, n_supply: int) -> list[_Chain]:
        n_chains = max(2, min(64, n_supply // 2500))
        chains: list[_Chain] = []
        start = 0
        for c in range(n_chains):
            size = n_supply // n_chains + (1 if c < n_supply % n_chains else 0)
            depth = 5 + self.rng.randrange(4)  # five to eight tiers
            kinds = ["producer", "trader"] + ["component"] * (depth - 4) + ["brand", "end"]
            weights = [_TIER_WEIGHT[k] for k in kinds]
            total = sum(weights)
            sizes = [max(1, int(size * w / total)) for w in weights]
            sizes[0] += size - sum(sizes)  # the remainder goes to the producers
            tiers = []
            for kind, tier_size in zip(kinds, sizes, strict=True):
                tiers.append(_Tier(start, tier_size, kind))
                start += tier_size
            chains.append(_Chain(_CHAIN_KINDS[c % len(_CHAIN_KINDS)], tuple(tiers)))
        return chains

    # actors -----------------------------------------------------------------------------

    def actor_rows(self) -> Iterator[Row]:
        rng = self.rng
        for chain in self.chains:
            for depth, tier in enumerate(chain.tiers):
                for i in range(tier.start, tier.start + tier.size):
                    role, sector, country = self._supply_role(chain, tier, depth, rng)
                    yield self._actor(i, role, sector, country)
        for i in self.digital:
            role, sector, _ = _DIGITAL_ROLES[i % len(_DIGITAL_ROLES)]
            yield self._actor(i, role, sector, rng.choice(_COUNTRIES))
        for i in self.investors:
            role = "financial-institution" if i % 3 == 0 else "investor"
            yield self._actor(i, role, "finance", rng.choice(_DOWNSTREAM_COUNTRIES))
        for i in self.others:
            if i % 2:
                yield self._actor(i, "state-entity", "public-sector", rng.choice(_COUNTRIES))
            else:
                yield self._actor(i, "civil-society-organisation", "", rng.choice(_COUNTRIES))

    def _supply_role(
        self, chain: _Chain, tier: _Tier, depth: int, rng: random.Random
    ) -> tuple[str, str, str]:
        kind = chain.kind
        if tier.kind == "producer":
            return "raw-material-producer", kind.producer_sector, rng.choice(_UPSTREAM_COUNTRIES)
        if tier.kind == "trader":
            return "trader", kind.producer_sector, rng.choice(_COUNTRIES)
        if tier.kind == "component":
            # The tier just below the brands assembles; the ones before make components.
            last = depth == len(chain.tiers) - 3
            role = "manufacturer" if last else kind.component_role
            return role, "manufacturing", rng.choice(_UPSTREAM_COUNTRIES)
        if tier.kind == "brand":
            sector = "technology" if kind.brand_role == "technology-company" else "manufacturing"
            return kind.brand_role, sector, rng.choice(_DOWNSTREAM_COUNTRIES)
        role, sector = rng.choice(kind.downstream)
        return role, sector, rng.choice(_DOWNSTREAM_COUNTRIES)

    def _actor(self, i: int, role: str, sector: str, country: str) -> Row:
        label = role.replace("-", " ")
        return {
            "id": self.actor_id(i),
            "name": f"Synthetic {label} {i}",
            "role": role,
            "country": country,
            "sector": sector,
            "source_url": f"{SOURCE_ROOT}register/{i}",
        }

    # relationships ----------------------------------------------------------------------

    def relationship_rows(self) -> Iterator[Row]:
        yield from self._supply_edges()
        yield from self._digital_edges()
        yield from self._financial_edges()

    def _flow(self, supplier: int, kind: str, customer: int, revenue_share: bool) -> Row:
        if self.first_customer[supplier] < 0:
            self.first_customer[supplier] = customer
        row = {"source": self.actor_id(supplier), "type": kind, "target": self.actor_id(customer)}
        if revenue_share:
            row["revenue_share"] = _decimal(0.02 + 0.58 * self.rng.random())
        return row

    def _supply_edges(self) -> Iterator[Row]:
        """Every actor of tier t buys from one to five suppliers of tier t-1.

        Suppliers are drawn with a heavy-tailed popularity, so the number of customers per
        supplier is heavy-tailed too; every customer has a supplier, so the longest supply
        path runs through every tier of its chain.
        """
        rng = self.rng
        for chain in self.chains:
            for depth in range(1, len(chain.tiers)):
                up, tier = chain.tiers[depth - 1], chain.tiers[depth]
                kind = "sells-to" if tier.kind == "end" else "supplies"
                for customer in range(tier.start, tier.start + tier.size):
                    n_suppliers = 1
                    while n_suppliers < 5 and rng.random() < 0.45:
                        n_suppliers += 1
                    chosen: list[int] = []
                    for _ in range(n_suppliers):
                        s = up.start + _pareto_index(rng, up.size, 2.5)
                        if s not in chosen:
                            chosen.append(s)
                    for supplier in chosen:
                        yield self._flow(supplier, kind, customer, rng.random() < 0.3)

    def _digital_edges(self) -> Iterator[Row]:
        """Infrastructure, data and research flow into brands and component makers."""
        rng = self.rng
        for i in self.digital:
            _, _, kind = _DIGITAL_ROLES[i % len(_DIGITAL_ROLES)]
            chosen: set[int] = set()
            for _ in range(1 + int(6 * rng.random() ** 3)):
                chain = self.chains[rng.randrange(len(self.chains))]
                chosen.add(chain.pick(rng, len(chain.tiers) - 2 - rng.randrange(2)))
            for customer in sorted(chosen):
                yield self._flow(i, kind, customer, rng.random() < 0.1)

    def _financial_edges(self) -> Iterator[Row]:
        """Ownership chains (fund -> holding -> company), cross-holdings and loans.

        Investors are business relationships of their investees (UNGP 13 commentary; MNE
        Guidelines, Chapter II and its commentary), so an ownership chain links a fund to its
        holdings' impacts.
        """
        rng = self.rng
        investors = list(self.investors)
        for i in investors:
            if i % 3 == 0:  # a financial institution: holds investors, lends to companies
                for _ in range(1 + rng.randrange(3)):
                    yield from self._invest(i, rng.choice(investors))
                for _ in range(1 + rng.randrange(4)):
                    yield from self._finance(i, self._random_company())
            else:
                for _ in range(1 + int(12 * rng.random() ** 3)):
                    yield from self._invest(i, self._random_company())
                if rng.random() < 0.1:  # a cross-holding: two investors hold each other
                    other = rng.choice(investors)
                    yield from self._invest(i, other)
                    yield from self._invest(other, i)

    def _random_company(self) -> int:
        chain = self.chains[self.rng.randrange(len(self.chains))]
        tier = len(chain.tiers) - 2 - _pareto_index(self.rng, len(chain.tiers) - 1, 2.0)
        return chain.pick(self.rng, tier)

    def _invest(self, holder: int, investee: int) -> Iterator[Row]:
        if holder == investee or (holder, investee) in self.financial_pairs:
            return
        rng = self.rng
        share = 0.5 + 0.4 * rng.random() if rng.random() < 0.1 else 0.01 + 0.2 * rng.random()
        share = min(share, 1.0 - self.owned[investee])  # nobody owns more than all of it
        if share < 0.01:
            return
        share = math.floor(share * 100) / 100  # rounding down keeps the total at most 1
        self.owned[investee] += share
        self.financial_pairs.add((holder, investee))
        yield {
            "source": self.actor_id(holder),
            "type": "invests-in",
            "target": self.actor_id(investee),
            "ownership_share": _decimal(share),
        }

    def _finance(self, lender: int, borrower: int) -> Iterator[Row]:
        if (lender, borrower) in self.financial_pairs:
            return
        self.financial_pairs.add((lender, borrower))
        if self.first_financier[borrower] < 0:
            self.first_financier[borrower] = lender
        yield {
            "source": self.actor_id(lender),
            "type": "finances",
            "target": self.actor_id(borrower),
        }

    # initiatives ------------------------------------------------------------------------

    def initiative_rows(self) -> Iterator[tuple[str, Row]]:
        """Industry, investor and multi-stakeholder initiatives: the vehicles of collective
        leverage (UNGP 19 commentary: collaborating with other actors)."""
        rng = self.rng
        kinds = ("industry", "investor", "multi-stakeholder")
        for k in range(max(3, self.n // 2000)):
            kind = kinds[k % 3]
            initiative = f"initiative-{k}"
            yield (
                "initiatives",
                {
                    "id": initiative,
                    "name": f"Synthetic {kind} initiative {k}",
                    "kind": kind,
                    "source_url": f"{SOURCE_ROOT}initiative/{k}",
                },
            )
            members: set[int] = set()
            for _ in range(2 + int(60 * rng.random() ** 2)):
                members.add(self._initiative_member(kind))
            for m in sorted(members):
                yield (
                    "memberships",
                    {
                        "actor": self.actor_id(m),
                        "initiative": initiative,
                        "since": str(2005 + rng.randrange(19)),
                    },
                )

    def _initiative_member(self, kind: str) -> int:
        rng = self.rng
        if kind == "investor":
            return self.investors[rng.randrange(len(self.investors))]
        if kind == "multi-stakeholder" and rng.random() < 0.3:
            return self.others[rng.randrange(len(self.others))]
        chain = self.chains[rng.randrange(len(self.chains))]
        return chain.pick(rng, len(chain.tiers) - 2 - rng.randrange(2))

    # impacts ----------------------------------------------------------------------------

    def impact_rows(self) -> Iterator[tuple[str, Row]]:
        """About one impact per 50 actors, each with at least one cause.

        Causes sit mostly upstream (the Due Diligence Guidance: the most severe risks are
        often deep in supply chains), contributors are customers of a cause (buying
        practices, MNE Guidelines, Chapter II and its commentary), and leverage is asserted
        where the relationship gives it (customer contract terms, a lender's financing).
        """
        for k in range(max(1, round(self.n / 50))):
            yield from self._impact(k)

    def _impact(self, k: int) -> Iterator[tuple[str, Row]]:
        rng = self.rng
        chain = self.chains[rng.randrange(len(self.chains))]
        where = rng.random()
        if where < 0.6:
            tier, categories = rng.randrange(2), chain.kind.upstream_categories
        elif where < 0.85:
            tier = 2 + rng.randrange(len(chain.tiers) - 4)
            categories = chain.kind.midstream_categories
        else:
            tier, categories = len(chain.tiers) - 2, chain.kind.downstream_categories
        impact = f"impact-{k}"
        status = "actual" if rng.random() < 0.7 else "potential"
        category = rng.choice(categories)
        row = {
            "id": impact,
            "title": f"Synthetic {category.replace('-', ' ')} impact {k}",
            "category": category,
            "status": status,
            "scale": str(1 + rng.randrange(4)),
            "scope": str(1 + rng.randrange(4)),
            "irremediability": str(1 + rng.randrange(4)),
            "country": rng.choice(_UPSTREAM_COUNTRIES if tier < 2 else _COUNTRIES),
            "affected_group": "workers" if tier < 4 else "users",
            "source_url": f"{SOURCE_ROOT}report/{k}",
        }
        if status == "potential":
            row["likelihood"] = _decimal(0.05 + 0.9 * rng.random())
        yield "impacts", row
        causes = [chain.pick(rng, tier)]
        if rng.random() < 0.1:
            second = chain.pick(rng, tier)
            if second != causes[0]:
                causes.append(second)
        involved: set[tuple[int, str]] = set()
        for cause in causes:
            yield from self._involvement(involved, cause, impact, "cause", k)
            customer = self.first_customer[cause]
            if customer >= 0 and rng.random() < 0.5:
                yield from self._involvement(involved, customer, impact, "contribution", k)
            yield from self._leverage(cause, customer, k)
        if rng.random() < 0.3:
            brand = chain.pick(rng, len(chain.tiers) - 2)
            if all(brand != a for a, _ in involved):
                yield from self._involvement(involved, brand, impact, "direct-linkage", k)
        if rng.random() < 0.5:
            yield (
                "responses",
                {
                    "actor": self.actor_id(causes[0]),
                    "impact": impact,
                    "type": rng.choice(("mitigate", "remediate", "prevent")),
                    "status": rng.choice(("planned", "ongoing", "completed")),
                    "date": f"{2018 + rng.randrange(6)}-{1 + rng.randrange(12):02d}-01",
                    "source_url": f"{SOURCE_ROOT}report/{k}",
                },
            )

    def _involvement(
        self, involved: set[tuple[int, str]], actor: int, impact: str, mode: str, k: int
    ) -> Iterator[tuple[str, Row]]:
        if (actor, mode) in involved:
            return
        involved.add((actor, mode))
        yield (
            "involvements",
            {
                "actor": self.actor_id(actor),
                "impact": impact,
                "mode": mode,
                "confidence": _decimal(0.5 + 0.5 * self.rng.random()),
                "source_url": f"{SOURCE_ROOT}report/{k}",
            },
        )

    def _leverage(self, cause: int, customer: int, k: int) -> Iterator[tuple[str, Row]]:
        rng = self.rng
        holders: list[tuple[int, str]] = []
        if customer >= 0 and rng.random() < 0.5:
            holders.append((customer, "contract-terms"))
        lender = self.first_financier[cause]
        if lender >= 0:
            holders.append((lender, "financing"))
        for holder, basis in holders:
            if (holder, cause, basis) in self.leverage_keys:  # one row per holder, target, basis
                continue
            self.leverage_keys.add((holder, cause, basis))
            yield (
                "leverage",
                {
                    "holder": self.actor_id(holder),
                    "target": self.actor_id(cause),
                    "basis": basis,
                    "strength": _decimal(0.1 + 0.8 * rng.random()),
                    "source_url": f"{SOURCE_ROOT}leverage/{k}",
                },
            )


def rows(actors: int, seed: int) -> Iterator[tuple[str, Row]]:
    """The rows of a synthetic CSV bundle, as ``(file stem, {column: value})``, in a fixed order.

    Parameters
    ----------
    actors : the number of actors (at least ``MIN_ACTORS``); impacts, initiatives and
        relationships scale with it.
    seed : the seed of the one random stream; the same seed gives the same rows.

    Raises
    ------
    ValueError : fewer than ``MIN_ACTORS`` actors.
    """
    builder = _Builder(actors, seed)
    for row in builder.actor_rows():
        yield "actors", row
    for row in builder.relationship_rows():
        yield "relationships", row
    yield from builder.initiative_rows()
    yield from builder.impact_rows()


# RDF, through the template's one row mapping --------------------------------------------

#: Each template file's column parsers, by file stem.
_PARSERS = {f.stem: {c.name: c.parse for c in f.columns_spec} for f in TEMPLATE.values()}


def quads_of(kind: str, row: Row, base: str = DEFAULT_BASE) -> list[ox.Quad]:
    """The quads of one generated row (``kind`` is the file stem), as a curator's row maps."""
    parsers = _PARSERS[kind]
    values = {column: parsers[column](text) for column, text in row.items() if text}
    return row_to_rdf(f"{kind}.csv", values, base)[1]


def generate(actors: int, seed: int, base: str = DEFAULT_BASE) -> Iterator[ox.Quad]:
    """The synthetic graph as pyoxigraph quads in the default graph, streamed.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> store = ox.Store()
    >>> store.extend(generate(100, seed=7))
    >>> len(store) > 1000
    True
    """
    for kind, row in rows(actors, seed):
        yield from quads_of(kind, row, base)


def write(
    actors: int,
    seed: int,
    out: Path,
    fmt: Literal["nt", "csv"] = "nt",
    base: str = DEFAULT_BASE,
) -> SynthSummary:
    """Write a synthetic value chain to ``out``: one N-Triples file, or a CSV bundle folder.

    The CSV bundle is the researchers' template (DESIGN.md, "CSV bundle"), readable by the
    ingest; the N-Triples file is what that bundle becomes, ready for a bulk load. Both are
    byte-for-byte the same for the same ``actors`` and ``seed``.
    """
    summary = SynthSummary()
    if fmt == "nt":
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("wb", buffering=1 << 20) as nt:
            chunk: list[ox.Quad] = []
            for kind, row in rows(actors, seed):
                quads = quads_of(kind, row, base)
                summary.rows[kind] += 1
                summary.triples += len(quads)
                chunk += quads
                if len(chunk) >= 50_000:
                    nt.write(ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES) or b"")
                    chunk = []
            nt.write(ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES) or b"")
        return summary
    if fmt != "csv":
        raise ValueError(f"unknown synthetic output format {fmt!r} (known: nt, csv)")
    out.mkdir(parents=True, exist_ok=True)
    files = {f.stem: f for f in TEMPLATE.values()}
    streams = {k: (out / f.name).open("w", encoding="utf-8", newline="") for k, f in files.items()}
    try:
        writers = {
            k: csv.DictWriter(s, fieldnames=files[k].columns, restval="", lineterminator="\n")
            for k, s in streams.items()
        }
        for writer in writers.values():
            writer.writeheader()
        for kind, row in rows(actors, seed):
            writers[kind].writerow(row)
            summary.rows[kind] += 1
    finally:
        for stream in streams.values():
            stream.close()
    return summary
