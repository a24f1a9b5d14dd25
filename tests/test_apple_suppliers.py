"""The Apple supplier list importer: one actor per enterprise, counts that match the source."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import SHARED

from valuechain_kg.datasets.apple_suppliers import (
    APPLE_ID,
    COUNTRY_CODES,
    case_actor_names,
    import_apple_suppliers,
    supplier_role,
)
from valuechain_kg.datasets.supplier_names import normalise_supplier_name, supplier_id
from valuechain_kg.errors import InputError
from valuechain_kg.ingest import read_bundle
from valuechain_kg.ingest.countries import ISO_ALPHA2
from valuechain_kg.namespaces import DEFAULT_BASE
from valuechain_kg.store import GraphStore

SOURCE = SHARED / "data" / "apple-supplier-list" / "apple-supplier-list.csv"
GENERATED = Path(__file__).resolve().parents[1] / "data" / "apple-suppliers-2022"
CASES = GENERATED.parent / "cases"

needs_source = pytest.mark.skipif(not SOURCE.is_file(), reason="shared Apple list not present")


def source_rows(year: int) -> list[dict[str, str]]:
    with SOURCE.open(newline="", encoding="utf-8") as stream:
        return [row for row in csv.DictReader(stream) if row["year"] == str(year)]


SAME_ENTERPRISE = [
    (
        "Hon Hai Precision Industry Co Ltd (Foxconn)",
        "Hon Hai Precision Industry Co., Ltd. (Foxconn)",
    ),
    (
        "Hon Hai Precision Industry Co. Ltd. (Foxconn)",
        "Hon Hai Precision Industry Company Limited (Foxconn)",
    ),
    ("Foxconn", "Hon Hai Precision Industry Company Limited (Foxconn)"),
    ("Pegatron Corp", "Pegatron Corporation"),
    ("Pegatron Corp.", "PEGATRON CORPORATION"),
    ("Catcher Technology Co., Ltd.", "Catcher Technology Co Ltd"),
    ("Boyd Die Cut Co,. Ltd.", "Boyd Die Cut Co., Ltd."),
    (
        "Shenzhen Desay Battery Technology Company\nLimited",
        "Shenzhen Desay Battery Technology Co., Ltd.",
    ),
    ("Renesas Electronics Corporation (continued)", "Renesas Electronics Corp."),
    (
        "Taiwan Semiconductor Manufacturing Co. Ltd. (TSMC)",
        "Taiwan Semiconductor Manufacturing Company Limited",
    ),
    ("R.R. Donnelley & Sons Co.", "RR Donnelley and Sons Company"),
    ("Radiant Opto Electronics Corp", "Radiant Opto-Electronics Corporation"),
    ("Samsung SDI. Co., Ltd.", "Samsung SDI Company Limited"),
    ("Henkel AG & Company, KGaA", "Henkel Ag & Co."),
    ("NXP Semiconductor N.V.", "NXP Semiconductor NV"),
    ("Career Technology (Mfg.) Co., Ltd.", "Career Technology (Mfg) Company Limited"),
    (
        "Tian Jin Lishen Battery Joint-Stock Company Ltd",
        "Tianjin Lishen Battery Joint-Stock Co. Ltd.",
    ),
    ("Asahi Glass Co., Ltd.", "AGC Incorporated"),
    ("Minebea Co., Ltd.", "MinebeaMitsumi Incorporated"),
    ("LUXSHARE-ICT", "Luxshare Precision Industry Company Limited"),
    ("Hynix Semiconductor Inc.", "SK hynix Incorporated"),
    ("The Chemours Company", "The Chemours Company FC, LLC"),
    ("Nanofilm Technologies International Private Limited", "Nanofilm Technologies International"),
]

DISTINCT_ENTERPRISES = [
    ("LG Display Co., Ltd.", "LG Innotek Co., Ltd."),
    ("LG Display Company Limited", "LG Chem Limited"),
    ("Samsung Electronics Co., Ltd.", "Samsung SDI Co Ltd"),
    ("Samsung Electronics Company Limited", "Samsung Electro-Mechanics Company Limited"),
    ("Samsung SDI Company Limited", "SDI Corporation"),
    ("Mitsumi Electric Co., Ltd.", "MinebeaMitsumi Incorporated"),
    ("Nan Ya Plastics Corp.", "Nan Ya Printed Circuit Board Corp"),
    ("Hon Hai Precision Industry Co., Ltd. (Foxconn)", "Foxconn Interconnect Technology (FIT)"),
    (
        "Cheng Uei Precision Industry Co., Ltd. (Foxlink)",
        "Hon Hai Precision Industry Co., Ltd. (Foxconn)",
    ),
    ("Sumitomo Chemical Co., Ltd.", "Sumitomo Electric Industries Ltd."),
    ("Omron Corporation", "Omron Precision Technology Co. Ltd."),
    ("Cathay Tat Ming (HK) Company Limited", "Cathay Tat Ming Precision Metal Products Co., Ltd."),
    ("Laird PLC", "Laird Technologies Inc."),
    ("OSRAM Opto Semiconductor GmbH", "ams AG"),
]


@pytest.mark.parametrize(("first", "second"), SAME_ENTERPRISE)
def test_spellings_of_one_enterprise_resolve_to_one_key(first: str, second: str) -> None:
    assert normalise_supplier_name(first) == normalise_supplier_name(second)


@pytest.mark.parametrize(("first", "second"), DISTINCT_ENTERPRISES)
def test_distinct_enterprises_keep_distinct_keys(first: str, second: str) -> None:
    assert normalise_supplier_name(first) != normalise_supplier_name(second)


def test_supplier_ids_are_slugs_the_bundle_reader_accepts() -> None:
    assert (
        supplier_id("Hon Hai Precision Industry Co., Ltd. (Foxconn)")
        == "hon-hai-precision-industry"
    )
    assert supplier_id("AT&S AG") == "at-and-s-austria-technologie-and-systemtechnik"


def test_roles_tell_electronics_makers_from_other_manufacturers() -> None:
    assert supplier_role(normalise_supplier_name("LG Display Co., Ltd.")) == "hardware-manufacturer"
    assert supplier_role(normalise_supplier_name("R.R. Donnelley & Sons Co.")) == "manufacturer"


@needs_source
def test_every_country_of_the_source_has_an_iso_code() -> None:
    with SOURCE.open(newline="", encoding="utf-8") as stream:
        countries = {row["country"] for row in csv.DictReader(stream)}
    assert countries <= set(COUNTRY_CODES)
    assert set(COUNTRY_CODES.values()) <= ISO_ALPHA2


@needs_source
def test_import_counts_match_the_source_for_2022(tmp_path: Path) -> None:
    rows = source_rows(2022)
    suppliers = {normalise_supplier_name(row["supplier_name"]) for row in rows}
    sites = {
        (
            normalise_supplier_name(row["supplier_name"]),
            COUNTRY_CODES[row["country"]],
            " ".join(row["supplier_address"].split()),
        )
        for row in rows
    }
    report = import_apple_suppliers(SOURCE, 2022, tmp_path)
    assert report.rows == len(rows) == 710
    assert report.actors == len(suppliers) + 1
    assert report.relationships == len(suppliers)
    assert report.sites == len(sites)


@needs_source
def test_imported_bundle_reads_and_every_supplier_supplies_apple(tmp_path: Path) -> None:
    report = import_apple_suppliers(SOURCE, 2022, tmp_path)
    store = GraphStore()
    store.add(read_bundle(tmp_path).quads)
    answer = store.query(
        f"SELECT (COUNT(DISTINCT ?s) AS ?c) WHERE {{ ?s vc:supplies <{DEFAULT_BASE}{APPLE_ID}> }}"
    )
    assert int(next(iter(answer))["c"].value) == report.relationships  # type: ignore[call-overload]
    sites = store.query("SELECT (COUNT(?s) AS ?c) WHERE { ?s a vc:Site }")
    assert int(next(iter(sites))["c"].value) == report.sites  # type: ignore[call-overload]


@needs_source
def test_the_committed_2022_bundle_is_what_the_importer_writes(tmp_path: Path) -> None:
    import_apple_suppliers(SOURCE, 2022, tmp_path, canonical_names=case_actor_names(CASES))
    for name in ("actors.csv", "relationships.csv", "sites.csv", "README.md"):
        assert (GENERATED / name).read_text(encoding="utf-8") == (tmp_path / name).read_text(
            encoding="utf-8"
        )


def test_the_committed_2022_bundle_reads_without_error_and_carries_the_mit_notice() -> None:
    result = read_bundle(GENERATED)
    assert DEFAULT_BASE + "hon-hai-precision-industry" in result.origins
    readme = (GENERATED / "README.md").read_text(encoding="utf-8")
    assert "MIT License" in readme and "Copyright (c) 2021 cwgrouptw" in readme


def test_an_unknown_country_is_reported_with_its_line(tmp_path: Path) -> None:
    source = tmp_path / "list.csv"
    source.write_text(
        "year,supplier_name,country_area,country,supplier_address\n"
        "2022,Acme Co.,x,Japan,Tokyo\n"
        "2022,Beta Ltd.,x,Atlantis,Somewhere\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        import_apple_suppliers(source, 2022, tmp_path / "out")
    [problem] = caught.value.problems
    assert (problem.location.line, problem.location.column) == (3, "country")
    assert "Atlantis" in problem.message


def test_a_year_without_rows_is_an_error(tmp_path: Path) -> None:
    source = tmp_path / "list.csv"
    source.write_text(
        "year,supplier_name,country_area,country,supplier_address\n2022,Acme,x,Japan,Tokyo\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="no rows for year 2019"):
        import_apple_suppliers(source, 2019, tmp_path / "out")


def test_a_case_bundles_name_wins_and_the_lists_spelling_becomes_an_alternate_name(
    tmp_path: Path,
) -> None:
    source = tmp_path / "list.csv"
    source.write_text(
        "year,supplier_name,country_area,country,supplier_address\n"
        "2022,Sony Corporation,x,Japan,Tokyo\n"
        "2022,Acme Co.,x,Japan,Osaka\n",
        encoding="utf-8",
    )
    cases = tmp_path / "cases"
    (cases / "one").mkdir(parents=True)
    (cases / "one" / "actors.csv").write_text(
        "id,name,role\nsony,Sony Group Corporation,technology-company\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    import_apple_suppliers(source, 2022, out, canonical_names=case_actor_names(cases))
    with (out / "actors.csv").open(newline="", encoding="utf-8") as stream:
        rows = {row["id"]: row for row in csv.DictReader(stream)}
    assert (rows["sony"]["name"], rows["sony"]["alternate_names"]) == (
        "Sony Group Corporation",
        "Sony Corporation",
    )
    assert (rows["acme"]["name"], rows["acme"]["alternate_names"]) == ("Acme Co.", "")
    store = GraphStore()
    store.add(read_bundle(cases / "one").quads + read_bundle(out).quads)
    names = store.query(
        f"SELECT ?p ?n WHERE {{ <{DEFAULT_BASE}sony> ?p ?n ."
        " FILTER(?p IN (schema:name, schema:alternateName)) }"
    )
    found = {(row["p"].value.rsplit("/", 1)[1], row["n"].value) for row in names}  # type: ignore[attr-defined]
    assert found == {("name", "Sony Group Corporation"), ("alternateName", "Sony Corporation")}


def test_no_case_folder_means_no_names_to_override(tmp_path: Path) -> None:
    assert case_actor_names(tmp_path / "absent") == {}
