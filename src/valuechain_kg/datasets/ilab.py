"""The US Department of Labor's List of Goods Produced by Child Labor or Forced Labor, as a bundle.

The Bureau of International Labor Affairs (ILAB) lists goods and the countries where it has
reason to believe they are produced by child labour or forced labour: a public product and
geographic risk factor for scoping (Due Diligence Guidance, Section II, step 2). Each good
becomes a product (``products.csv``) and each listed good, country and category a risk
indicator (``risk-indicators.csv``), published by ILAB (``actors.csv``). The list's own
"derived" entries (goods made with an input the list names, such as lithium-ion batteries from
China made with cobalt from the DRC) become ``made_from`` edges between products
(``DERIVED_INPUTS``) and indicators that carry the category of that input in its country.

Where a good is the same thing as a product the cases already name, it takes that product's
id, name and kind (``SAME_AS_PROJECT``), so that indicators meet the cases' supply chains.

The source is the list as shipped in ILAB's Sweat & Toil app (``goods_2021.xml``, labelled
2021, already holding the 2022 additions) or its one-row-per-good-and-country flattening.
"""

from __future__ import annotations

import csv
import re
import unicodedata
import xml.etree.ElementTree as ET  # noqa: N817 - the list is a public-domain file we ship
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from valuechain_kg.errors import InputError, InputProblem, Location

__all__ = [
    "COUNTRY_CODES",
    "DERIVED_INPUTS",
    "EDITION",
    "PUBLISHER",
    "SAME_AS_PROJECT",
    "IlabReport",
    "IlabRow",
    "import_ilab",
    "product_id",
    "read_ilab",
]

EDITION: Final = "2021"
PUBLISHER: Final = "us-dol-ilab"
LIST_URL: Final = "https://www.dol.gov/agencies/ilab/reports/child-labor/list-of-goods"
DATA_URL: Final = "https://github.com/USDepartmentofLabor/Child-Labor-Android"

#: The list's country names, as the list spells them, to ISO 3166-1 alpha-2.
COUNTRY_CODES: Final[dict[str, str]] = {
    "Afghanistan": "AF", "Angola": "AO", "Argentina": "AR", "Azerbaijan": "AZ",
    "Bangladesh": "BD", "Belize": "BZ", "Benin": "BJ", "Bolivia": "BO", "Brazil": "BR",
    "Burkina Faso": "BF", "Burma": "MM", "Cambodia": "KH", "Cameroon": "CM",
    "Central African Republic": "CF", "Chad": "TD", "China": "CN", "Colombia": "CO",
    "Congo, Democratic Republic of the": "CD", "Costa Rica": "CR", "Côte d'Ivoire": "CI",
    "Dominican Republic": "DO", "Ecuador": "EC", "Egypt": "EG", "El Salvador": "SV",
    "Eswatini": "SZ", "Ethiopia": "ET", "Ghana": "GH", "Guatemala": "GT", "Guinea": "GN",
    "Honduras": "HN", "India": "IN", "Indonesia": "ID", "Iran": "IR", "Kazakhstan": "KZ",
    "Kenya": "KE", "Kyrgyz Republic": "KG", "Lebanon": "LB", "Lesotho": "LS", "Liberia": "LR",
    "Madagascar": "MG", "Malawi": "MW", "Malaysia": "MY", "Mali": "ML", "Mauritania": "MR",
    "Mexico": "MX", "Mongolia": "MN", "Mozambique": "MZ", "Nepal": "NP", "Nicaragua": "NI",
    "Niger": "NE", "Nigeria": "NG", "North Korea": "KP", "Pakistan": "PK", "Panama": "PA",
    "Paraguay": "PY", "Peru": "PE", "Philippines": "PH", "Russia": "RU", "Rwanda": "RW",
    "Senegal": "SN", "Sierra Leone": "SL", "South Sudan": "SS", "Sudan": "SD",
    "Suriname": "SR", "Taiwan": "TW", "Tajikistan": "TJ", "Tanzania": "TZ", "Thailand": "TH",
    "Turkey (Türkiye)": "TR", "Turkmenistan": "TM", "Uganda": "UG", "Ukraine": "UA",
    "Uzbekistan": "UZ", "Venezuela": "VE", "Vietnam": "VN", "Yemen": "YE", "Zambia": "ZM",
    "Zimbabwe": "ZW",
}  # fmt: skip

#: Goods that are the same thing as a product of the cases: (id, name, kind) of that product.
SAME_AS_PROJECT: Final[dict[str, tuple[str, str, str]]] = {
    "Cobalt ore (heterogenite)": ("cobalt-ore", "Cobalt ore", "material"),
    "Lithium-Ion Batteries": ("lithium-ion-batteries", "Lithium-ion batteries", "component"),
}

#: Goods whose names carry a mineral's common name: one id per mineral ore.
_RENAMED: Final[dict[str, str]] = {
    "Tantalum ore (coltan)": "tantalum-ore",
    "Tin ore (cassiterite)": "tin-ore",
    "Tungsten ore (wolframite)": "tungsten-ore",
}

#: The composition behind the list's derived entries: each derived good and its direct inputs
#: (product ids), the list's own chains (polysilicon -> ingots -> wafers -> cells -> modules;
#: palm fruit -> crude oils -> refined oils and oleochemicals; cobalt -> batteries).
DERIVED_INPUTS: Final[dict[str, tuple[str, ...]]] = {
    "lithium-ion-batteries": ("cobalt-ore",),
    "photovoltaic-ingots": ("polysilicon",),
    "photovoltaic-wafers": ("photovoltaic-ingots",),
    "solar-cells": ("photovoltaic-wafers",),
    "solar-modules": ("solar-cells",),
    "crude-palm-oil": ("palm-fruit",),
    "crude-palm-kernel-oil": ("palm-fruit",),
    "refined-palm-oil": ("crude-palm-oil",),
    "refined-palm-kernel-oil": ("crude-palm-kernel-oil",),
    "oleochemicals": ("crude-palm-oil", "crude-palm-kernel-oil"),
}


@dataclass(frozen=True)
class IlabRow:
    """One good in one country, as the list states it."""

    good: str
    sector: str
    country: str
    child_labour: bool
    forced_labour: bool
    forced_child_labour: bool
    derived: bool
    derived_country: str | None


@dataclass(frozen=True)
class IlabReport:
    goods: int
    countries: int
    rows: int
    products: int
    indicators: int


def product_id(good: str) -> str:
    """The product id of a good: the project's where it is the same thing, else a slug."""
    if good in SAME_AS_PROJECT:
        return SAME_AS_PROJECT[good][0]
    if good in _RENAMED:
        return _RENAMED[good]
    plain = unicodedata.normalize("NFKD", good).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def _yes(text: str | None) -> bool:
    return (text or "").strip() == "Yes"


def _row(source: Path, line: int, cells: dict[str, str | None]) -> IlabRow:
    country, derived_from = cells.get("country") or "", cells.get("derived_country") or "No"
    problems = []
    for name in (country, derived_from):
        if name != "No" and name not in COUNTRY_CODES:
            problems.append(
                InputProblem(
                    Location(str(source), line),
                    f"no ISO code known for country {name!r}; add it to COUNTRY_CODES",
                )
            )
    if problems:
        raise InputError(problems)
    return IlabRow(
        good=(cells.get("good") or "").strip(),
        sector=(cells.get("sector") or "").strip(),
        country=COUNTRY_CODES[country],
        child_labour=_yes(cells.get("child")),
        forced_labour=_yes(cells.get("forced")),
        forced_child_labour=_yes(cells.get("forced_child")),
        derived=_yes(cells.get("derived")),
        derived_country=None if derived_from == "No" else COUNTRY_CODES[derived_from],
    )


def read_ilab(source: Path) -> list[IlabRow]:
    """The list's rows, from the app's XML or from its flattening to CSV."""
    rows: list[IlabRow] = []
    if source.suffix.lower() == ".xml":
        root = ET.parse(source).getroot()  # noqa: S314 - a shipped public-domain file
        for good in root.iter("Good"):
            for number, country in enumerate(good.iter("Country"), start=1):
                cells = {
                    "good": good.findtext("Good_Name"),
                    "sector": good.findtext("Good_Sector"),
                    "country": country.findtext("Country_Name"),
                    "child": country.findtext("Child_Labor"),
                    "forced": country.findtext("Forced_Labor"),
                    "forced_child": country.findtext("Forced_Child_Labor"),
                    "derived": country.findtext("Derived_Labor_Exploitation"),
                    "derived_country": country.findtext("Derived_Country"),
                }
                rows.append(_row(source, number, cells))
        return rows
    with source.open(encoding="utf-8-sig", newline="") as stream:
        for line, record in enumerate(csv.DictReader(stream), start=2):
            cells = {
                "good": record["good"],
                "sector": record["sector"],
                "country": record["Country_Name"],
                "child": record["Child_Labor"],
                "forced": record["Forced_Labor"],
                "forced_child": record["Forced_Child_Labor"],
                "derived": record["Derived_Labor_Exploitation"],
                "derived_country": record["Derived_Country"],
            }
            rows.append(_row(source, line, cells))
    return rows


def _kind(row: IlabRow) -> str:
    return "material" if row.sector == "Mining" else "good"


def _closure(product: str) -> set[str]:
    seen: set[str] = set()
    stack = list(DERIVED_INPUTS.get(product, ()))
    while stack:
        q = stack.pop()
        if q not in seen:
            seen.add(q)
            stack.extend(DERIVED_INPUTS.get(q, ()))
    return seen


def _write(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def import_ilab(source: Path, output: Path) -> IlabReport:
    """Write the list as a CSV bundle in ``output``; the counts of what was read and written."""
    from valuechain_kg.ingest.template import TEMPLATE

    rows = read_ilab(source)
    sources = f"{LIST_URL} {DATA_URL}"
    products: dict[str, dict[str, str]] = {}
    for row in rows:
        pid = product_id(row.good)
        name, kind = (
            (SAME_AS_PROJECT[row.good][1:])
            if row.good in SAME_AS_PROJECT
            else (
                row.good,
                _kind(row),
            )
        )
        products.setdefault(pid, {"id": pid, "name": name, "kind": kind, "source_url": sources})
    for pid, inputs in DERIVED_INPUTS.items():
        if pid in products:
            products[pid]["made_from"] = ";".join(i for i in inputs if i in products)

    listed: dict[tuple[str, str], IlabRow] = {(product_id(r.good), r.country): r for r in rows}
    indicators: list[dict[str, str]] = []

    def indicator(row: IlabRow, category: str, forced_child: bool, derived: str = "") -> None:
        flag = "yes" if forced_child else "no"
        description = f"Listed by ILAB ({EDITION} edition as published in Sweat & Toil): {row.good}"
        description += f", {row.country}, {category.replace('-', ' ')}"
        if derived:
            description += f", made with an input from {derived} the list names"
        indicators.append(
            {
                "product": product_id(row.good),
                "country": row.country,
                "category": category,
                "publisher": PUBLISHER,
                "edition": EDITION,
                "forced_child_labour": flag,
                "derived_from": derived,
                "description": description + ".",
                "source_url": sources,
            }
        )

    for row in rows:
        if row.child_labour:
            indicator(row, "child-labour", row.forced_child_labour)
        if row.forced_labour:
            indicator(row, "forced-labour", False)
        if row.derived and row.derived_country:
            # The category the derived good carries is its input's, in the input's country.
            carriers = [
                listed[(q, row.derived_country)]
                for q in sorted(_closure(product_id(row.good)))
                if (q, row.derived_country) in listed
            ]
            for category in ("child-labour", "forced-labour"):
                if any(getattr(i, category.replace("-", "_")) for i in carriers):
                    indicator(row, category, False, row.derived_country)
    output.mkdir(parents=True, exist_ok=True)
    _write(
        output / "actors.csv",
        TEMPLATE["actors.csv"].columns,
        [
            {
                "id": PUBLISHER,
                "name": "Bureau of International Labor Affairs, US Department of Labor",
                "role": "state-entity",
                "country": "US",
                "sector": "public-sector",
                "website": "https://www.dol.gov/agencies/ilab",
                "source_url": LIST_URL,
            }
        ],
    )
    _write(
        output / "products.csv",
        TEMPLATE["products.csv"].columns,
        [products[k] for k in sorted(products)],
    )
    _write(output / "risk-indicators.csv", TEMPLATE["risk-indicators.csv"].columns, indicators)
    return IlabReport(
        goods=len({r.good for r in rows}),
        countries=len({r.country for r in rows}),
        rows=len(rows),
        products=len(products),
        indicators=len(indicators),
    )
