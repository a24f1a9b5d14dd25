"""Apple's published Supplier List for one year, as a CSV bundle of the template.

Apple publishes the suppliers that make up most of its direct spend on materials, manufacturing
and assembly, with their production sites. For a value-chain graph this is the first tier of a
well-documented electronics chain: each listed supplier is in a business relationship with Apple
(MNE Guidelines, Chapter II, A.12: impacts directly linked to an enterprise's products by a
business relationship; UNGP 13(b)). The source read here is
CommonWealth Magazine's compilation of the lists 2012-2022 (MIT licence); the facts are Apple's.

Each claim is phrased as reported: "listed in Apple's Supplier List {year}", with the list's URL
and the compilation's URL as sources. Names are resolved to one actor per enterprise by
`normalise_supplier_name`; countries are mapped to ISO 3166-1 alpha-2 codes by `COUNTRY_CODES`.

One name per actor across bundles: an id is one actor wherever it is defined, so two bundles
naming it differently would give it two `schema:name`s. The rule is that a case bundle's name
wins (a case study names the legal entity its sources discuss); for an actor a case defines, the
importer writes the case's name and keeps the list's spelling as an `alternate_names` entry
(`schema:alternateName`). `case_actor_names` reads those names from the case bundles.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from valuechain_kg.datasets.supplier_names import normalise_supplier_name, supplier_id
from valuechain_kg.errors import InputError, InputProblem, Location
from valuechain_kg.ingest.template import TEMPLATE
from valuechain_kg.namespaces import DEFAULT_BASE

__all__ = [
    "APPLE_ID",
    "COUNTRY_CODES",
    "AppleImportReport",
    "SupplierSite",
    "case_actor_names",
    "import_apple_suppliers",
    "read_supplier_sites",
    "supplier_role",
]

APPLE_ID: Final = "apple"
COMPILATION_URL: Final = "https://github.com/cwgrouptw/data"
SUPPLIER_RESPONSIBILITY_URL: Final = "https://www.apple.com/supplier-responsibility/"

#: Where Apple published the list of a given year, when known.
LIST_URLS: Final[dict[int, str]] = {
    2022: "https://www.apple.com/supplier-responsibility/pdf/Apple-Supplier-List.pdf",
}

#: Every country name of the compilation (all years) and its ISO 3166-1 alpha-2 code.
COUNTRY_CODES: Final[dict[str, str]] = {
    "Australia": "AU",
    "Austria": "AT",
    "Belgium": "BE",
    "Brazil": "BR",
    "Cambodia": "KH",
    "Canada": "CA",
    "China": "CN",
    "Costa Rica": "CR",
    "Czech": "CZ",
    "Finland": "FI",
    "France": "FR",
    "Germany": "DE",
    "Hong Kong": "HK",
    "Hungary": "HU",
    "India": "IN",
    "Indonesia": "ID",
    "Ireland": "IE",
    "Israel": "IL",
    "Italy": "IT",
    "Japan": "JP",
    "Korea": "KR",  # the lists' sites are in the Republic of Korea
    "Malaysia": "MY",
    "Malta": "MT",
    "Mauritius": "MU",
    "Mexico": "MX",
    "Morocco": "MA",
    "Netherlands": "NL",
    "Norway": "NO",
    "Philippines": "PH",
    "Poland": "PL",
    "Portugal": "PT",
    "Puerto Rico": "PR",
    "Singapore": "SG",
    "Spain": "ES",
    "Taiwan": "TW",
    "Thailand": "TH",
    "United Kingdom": "GB",
    "USA": "US",
    "Vietnam": "VN",
}

#: Words in a supplier's name that mark a maker of electronic hardware (components, displays,
#: semiconductors, assembly); other listed suppliers (materials, packaging, printing, metal
#: work) are plain manufacturers. A heuristic on names only, stated as such in the README.
_HARDWARE_WORDS = re.compile(
    r"\b(?:electro|semicon|display|circuit|optic|opto|optronic|micro|devices|interconnect|"
    r"computer|innotek|precision|technolog|battery|stmicro)"
    # well-known electronics makers whose names carry none of the words above
    r"|\b(?:sk hynix|intel|qualcomm|broadcom|pegatron|wistron|jabil|flex|goertek|sony|sharp|"
    r"panasonic|toshiba|kioxia|murata|tdk|kyocera|rohm|nichia|nidec|molex|amphenol|knowles|"
    r"qorvo|skyworks|synaptics|diodes|txc|yageo|taiyo yuden|sumida|minebeamitsumi|alps|hirose|"
    r"dexerials|cirrus|infineon|lumentum|viavi|coherent|ams|lumileds|varta|byd)\b"
)


def supplier_role(key: str) -> str:
    """`hardware-manufacturer` for makers of electronic hardware, else `manufacturer`."""
    return "hardware-manufacturer" if _HARDWARE_WORDS.search(key) else "manufacturer"


@dataclass(frozen=True)
class SupplierSite:
    """One row of the list: a supplier's production site in a country (and province)."""

    name: str
    country: str
    address: str
    line: int


@dataclass(frozen=True)
class AppleImportReport:
    """What an import produced: the year's rows read, and actors (Apple included), relationships
    and sites written."""

    rows: int
    actors: int
    relationships: int
    sites: int


def read_supplier_sites(source_csv: Path, year: int) -> list[SupplierSite]:
    """The rows of one year, with country names mapped; an unknown country is bad input."""
    problems: list[InputProblem] = []
    sites: list[SupplierSite] = []
    try:
        stream = source_csv.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError([InputProblem(Location(str(source_csv)), str(exc))]) from exc
    with stream:
        reader = csv.DictReader(stream)
        previous_end = 1
        for record in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if str(record.get("year", "")).strip() != str(year):
                continue
            country = (record.get("country") or "").strip()
            if country not in COUNTRY_CODES:
                problems.append(
                    InputProblem(
                        Location(str(source_csv), line, "country"),
                        f"no ISO code known for country {country!r}; add it to COUNTRY_CODES",
                    )
                )
                continue
            address = " ".join((record.get("supplier_address") or "").split())
            sites.append(
                SupplierSite(
                    name=" ".join((record.get("supplier_name") or "").split()),
                    country=COUNTRY_CODES[country],
                    address="" if address == "NA" else address,
                    line=line,
                )
            )
    if problems:
        raise InputError(problems)
    return sites


def _display_names(sites: list[SupplierSite]) -> dict[str, str]:
    """The name shown for each actor: its most frequent spelling that year (then the first)."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for site in sites:
        spellings[supplier_id(site.name)][site.name] += 1
    return {
        actor: max(sorted(counter), key=lambda name: counter[name])
        for actor, counter in spellings.items()
    }


def case_actor_names(cases: Path) -> dict[str, str]:
    """The `name` of each actor defined in the bundles under `cases` (each folder's actors.csv).

    The case bundles define each shared actor identically, so the first name read is the name.
    A missing folder gives no names: the list's own spellings are then written as they are.
    """
    names: dict[str, str] = {}
    for actors in sorted(cases.glob("*/actors.csv")):
        with actors.open(newline="", encoding="utf-8-sig") as stream:
            for record in csv.DictReader(stream):
                ident, name = (record.get("id") or "").strip(), (record.get("name") or "").strip()
                if ident and name:
                    names.setdefault(ident, name)
    return names


def _named(actor: str, listed: str, canonical: Mapping[str, str]) -> dict[str, str]:
    """The name and alternate_names cells: the canonical name wins, the list's spelling stays."""
    name = canonical.get(actor, listed)
    return {"name": name, "alternate_names": "" if name == listed else listed}


def _write(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def import_apple_suppliers(
    source_csv: Path,
    year: int,
    out: Path,
    base: str = DEFAULT_BASE,
    canonical_names: Mapping[str, str] | None = None,
) -> AppleImportReport:
    """Write Apple's supplier list of `year` as a CSV bundle in `out`, with its attribution.

    `canonical_names` maps ids to the name another bundle gives them (see `case_actor_names`):
    such an actor is written under that name, with the list's spelling as its alternate name.

    Writes actors.csv (Apple and one actor per supplier), relationships.csv (each supplier
    `supplies` Apple), sites.csv (one per distinct supplier, country and address) and README.md
    (the MIT notice and the provenance). `base` is accepted for symmetry with the other readers;
    a bundle holds ids, not IRIs, so it does not change what is written.

    Raises InputError when the source cannot be read, has no row for `year`, or names a
    country without a known code.
    """
    del base  # ids are written, IRIs are made when the bundle is read
    sites = read_supplier_sites(source_csv, year)
    if not sites:
        raise InputError(
            [InputProblem(Location(str(source_csv), None, "year"), f"no rows for year {year}")]
        )
    list_url = LIST_URLS.get(year, SUPPLIER_RESPONSIBILITY_URL)
    sources = f"{list_url} {COMPILATION_URL}"
    names = _display_names(sites)
    canonical = canonical_names or {}
    out.mkdir(parents=True, exist_ok=True)
    actors = [
        {
            "id": APPLE_ID,
            **_named(APPLE_ID, "Apple Inc.", canonical),
            "role": "technology-company;hardware-manufacturer",
            "country": "US",
            "sector": "technology",
            "wikidata": "Q312",
            "website": "https://www.apple.com",
            "source_url": list_url,
        }
    ]
    actors += [
        {
            "id": actor,
            **_named(actor, names[actor], canonical),
            "role": supplier_role(normalise_supplier_name(names[actor])),
            "sector": "manufacturing",
            "source_url": sources,
        }
        for actor in sorted(names)
    ]
    relationships = [
        {
            "source": actor,
            "type": "supplies",
            "target": APPLE_ID,
            "description": f"Listed as a supplier in Apple's Supplier List {year}.",
            "source_url": sources,
        }
        for actor in sorted(names)
    ]
    distinct = sorted({(supplier_id(s.name), s.country, s.address) for s in sites})
    site_rows = [
        {"actor": actor, "country": country, "address": address, "source_url": sources}
        for actor, country, address in distinct
    ]
    _write(out / "actors.csv", TEMPLATE["actors.csv"].columns, actors)
    _write(out / "relationships.csv", TEMPLATE["relationships.csv"].columns, relationships)
    _write(out / "sites.csv", TEMPLATE["sites.csv"].columns, site_rows)
    (out / "README.md").write_text(_readme(year, list_url, len(sites)), encoding="utf-8")
    return AppleImportReport(
        rows=len(sites),
        actors=len(actors),
        relationships=len(relationships),
        sites=len(site_rows),
    )


def _readme(year: int, list_url: str, rows: int) -> str:
    return f"""# Apple Supplier List {year} as a CSV bundle

Generated by `vckg import apple-suppliers` (`valuechain_kg.datasets.apple_suppliers`); do not
edit by hand, regenerate instead.

## What it says

- `actors.csv`: Apple and each supplier listed in Apple's Supplier List {year}, one actor per
  enterprise however the list spelled its name (see `normalise_supplier_name` and its `ALIASES`
  table in `valuechain_kg.datasets.supplier_names`). Roles are inferred from the name only
  (`hardware-manufacturer` for makers of electronic hardware, else `manufacturer`); the list
  itself says no more than that the enterprise is a supplier. Where a case bundle in
  `data/cases` defines the same actor, its name is written in `name` and the list's spelling in
  `alternate_names`, so that each actor has one name when the bundles are loaded together.
- `relationships.csv`: each supplier `supplies` Apple, as reported by the list.
- `sites.csv`: the production sites the list gives (country and, for {year}, the province or
  district only), {rows} rows of the source for this year.

Legal-form variants merge: two entities whose names differ only by a legal form (e.g. a
"Corporation" and a "Limited" of the same name) become one actor.

## Provenance

- Facts: Apple Inc., Supplier List {year}, {list_url}
- Compilation: CommonWealth Magazine (Taiwan), `apple-supplier-list/apple-supplier-list.csv`
  in https://github.com/cwgrouptw/data (snapshot b60fe07e2a1ee73080cea2cf7cd4fc4d6b16e32b),
  Apple's Supplier Lists 2012-2018 and 2020-2022.

## Licence of the compilation

MIT License

Copyright (c) 2021 cwgrouptw

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""
