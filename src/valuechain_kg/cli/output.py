"""How the CLI shows answers: rich tables for people, JSON and CSV for other tools.

JSON is the pydantic model dumped as it is, so it equals the REST body for the same question.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from valuechain_kg.analysis.notation import leverage_path, linkage_path
from valuechain_kg.errors import UsageError
from valuechain_kg.ingest.formulas import neutralise
from valuechain_kg.namespaces import curie
from valuechain_kg.rdf_output import write_graph

FORMATS = ("table", "json", "csv")


def to_json(model: BaseModel) -> str:
    return json.dumps(model.model_dump(mode="json", by_alias=True), indent=2, ensure_ascii=False)


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]], lineterminator: str = "\n") -> str:
    """CSV text whose cells a spreadsheet shows and never runs (see `ingest.formulas`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow([neutralise(name) for name in header])
    writer.writerows([neutralise(value) for value in row] for row in rows)
    return out.getvalue()


def _neutralised_csv(text: str) -> str:
    """SPARQL CSV results (CRLF, as the format says) with formula-like cells neutralised."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return _csv(rows[0], rows[1:], lineterminator="\r\n") if rows else text


#: Columns of running text: the only ones a table on a terminal may fold.
PROSE_COLUMNS = frozenset(
    {"name", "title", "message", "expected_response", "description", "note", "outcome"}
)


def _table(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    """A table whose identifiers never wrap: only prose columns fold to fit a terminal."""
    table = Table(title=title, title_justify="left")
    for name in header:
        if name in PROSE_COLUMNS:
            table.add_column(name, overflow="fold")
        else:
            table.add_column(name, no_wrap=True, overflow="ignore")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    return table


def print_table(table: Table, console: Console) -> None:
    """Print a table; off a terminal at the width it needs, so each row stays on one line.

    A report piped to a file or to grep keeps every id and IRI whole; on a terminal the
    table fits the window by folding prose columns only.
    """
    if console.is_terminal:
        console.print(table)
        return
    from rich.measure import Measurement

    needed = Measurement.get(console, console.options.update(width=10**6), table).maximum
    # The same console, widened for this table: what it records and where it writes stay.
    width = console.width
    console.width = max(needed, width)
    try:
        console.print(table, soft_wrap=False)
    finally:
        console.width = width


def _impact_title(impact: dict[str, Any]) -> str:
    return f"{impact['title']} ({impact['id']}; {impact.get('category')}, {impact.get('status')})"


LINKED_HEADER = ("id", "name", "involvement", "asserted", "hops", "path", "confidence")


def linked_rows(doc: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            a["id"],
            a["name"],
            a["involvement"],
            a["asserted"],
            a["hops"],
            linkage_path(a["id"], a["path"]),
            a.get("confidence"),
        )
        for a in doc["actors"]
    ]


HOLDER_HEADER = ("target", "holder", "name", "strength", "hops", "bases", "path", "involvement")


def holder_rows(doc: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            t["id"],
            h["id"],
            h["name"],
            h["strength"],
            h["hops"],
            ";".join(h["bases"]),
            leverage_path(h["path"], h["steps"]),
            h.get("involvement"),
        )
        for t in doc["targets"]
        for h in t["holders"]
    ]


def show_linked(model: BaseModel, fmt: str, console: Console) -> None:
    doc = model.model_dump(mode="json", by_alias=True)
    if fmt == "json":
        console.file.write(to_json(model) + "\n")
    elif fmt == "csv":
        console.file.write(_csv(LINKED_HEADER, linked_rows(doc)))
    else:
        title = f"Linked to {_impact_title(doc['impact'])}"
        print_table(_table(title, LINKED_HEADER, linked_rows(doc)), console)
        console.print(f"{len(doc['actors'])} of {doc['total']} actors", style="dim")
        if doc.get("note"):
            console.print(doc["note"], style="yellow", soft_wrap=True)


def show_leverage(model: BaseModel, fmt: str, console: Console) -> None:
    doc = model.model_dump(mode="json", by_alias=True)
    if fmt == "json":
        console.file.write(to_json(model) + "\n")
        return
    if fmt == "csv":
        console.file.write(_csv(HOLDER_HEADER, holder_rows(doc)))
        return
    console.print(f"Leverage over the causes of {_impact_title(doc['impact'])}", soft_wrap=True)
    for target in doc["targets"]:
        rows = [r[1:] for r in holder_rows({"targets": [target]})]
        print_table(_table(f"Holders over {target['name']}", HOLDER_HEADER[1:], rows), console)
        for group in target["collective"]:
            members = ", ".join(group["members"])
            console.print(
                f"  collective via {group['name']}: {group['strength']} ({members})",
                soft_wrap=True,
            )
        coalition = target["coalition"]
        if coalition:
            console.print(
                f"  smallest coalition reaching {coalition['threshold']}: "
                f"{', '.join(coalition['members'])} ({coalition['strength']})",
                soft_wrap=True,
            )
        else:
            console.print("  no coalition of holders reaches the threshold", style="dim")
    if doc.get("note"):
        console.print(doc["note"], style="yellow", soft_wrap=True)


def show_records(
    title: str, header: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str, console: Console
) -> None:
    """Plain lists (impacts, impacts of an actor) as a table or CSV."""
    if fmt == "csv":
        console.file.write(_csv(header, rows))
    else:
        print_table(_table(title, header, rows), console)


def show_model(model: BaseModel, console: Console) -> None:
    console.file.write(to_json(model) + "\n")


def show_counts(title: str, counts: dict[str, int], console: Console) -> None:
    print_table(_table(title, ("", "count"), sorted(counts.items())), console)


def show_json(doc: object, console: Console) -> None:
    console.file.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


class ValidationResultView(Protocol):
    """What the table shows of one SHACL result (``validation.ValidationResult``)."""

    @property
    def severity(self) -> str: ...
    @property
    def where(self) -> str: ...
    @property
    def path(self) -> str | None: ...
    @property
    def value(self) -> str | None: ...
    @property
    def message(self) -> str: ...


class ValidationReportView(Protocol):
    """What the table shows of a SHACL report (``validation.ValidationReport``).

    A structural type, so the CLI renders the report the facade hands it without importing
    the validation package.
    """

    @property
    def conforms(self) -> bool: ...
    @property
    def results(self) -> Sequence[ValidationResultView]: ...
    def summary(self) -> str: ...


def render_validation(report: ValidationReportView, console: Console) -> None:
    """Print a table (severity, where, property, value, message) and a one-line summary."""
    if report.results:
        table = Table(show_lines=False)
        for column in ("severity", "where", "property", "value"):
            table.add_column(column, no_wrap=True, overflow="ignore")
        table.add_column("message", overflow="fold")
        for r in report.results:
            style = "red" if r.severity == "Violation" else "yellow"
            table.add_row(
                f"[{style}]{r.severity}[/{style}]",
                r.where,
                curie(r.path) if r.path else "",
                curie(r.value) if r.value else "",
                r.message,
            )
        print_table(table, console)
    console.print(report.summary(), style="green" if report.conforms else "red")


def show_sparql(result: object, fmt: str, console: Console) -> None:
    """SELECT/ASK as a table or a SPARQL results format; CONSTRUCT/DESCRIBE as Turtle (with the
    project's prefixes), JSON-LD (with its ``@context``) or RDF/XML."""
    import pyoxigraph as ox

    if isinstance(result, ox.QueryTriples):
        graph_formats = {
            "table": ox.RdfFormat.TURTLE,
            "json": ox.RdfFormat.JSON_LD,
            "xml": ox.RdfFormat.RDF_XML,
        }
        if fmt not in graph_formats:
            raise UsageError(
                f"--format {fmt}: CONSTRUCT and DESCRIBE give a graph; use --format table "
                "(Turtle), json (JSON-LD) or xml (RDF/XML)"
            )
        buffer = io.BytesIO()
        write_graph(result, buffer, graph_formats[fmt])
        console.file.write(buffer.getvalue().decode())
        return
    formats = {
        "json": ox.QueryResultsFormat.JSON,
        "csv": ox.QueryResultsFormat.CSV,
        "tsv": ox.QueryResultsFormat.TSV,
        "xml": ox.QueryResultsFormat.XML,
    }
    if fmt in formats:
        text = result.serialize(format=formats[fmt]).decode()  # type: ignore[attr-defined]
        console.file.write(_neutralised_csv(text) if fmt == "csv" else text)
        return
    if isinstance(result, ox.QueryBoolean):
        console.print("yes" if bool(result) else "no")
        return
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    rows = [[_term_text(solution[n]) for n in names] for solution in result]
    print_table(_table("", names, rows), console)
    console.print(f"{len(rows)} rows", style="dim")


def _term_text(term: object) -> str:
    if term is None:
        return ""
    return str(getattr(term, "value", term))


def show_any(model: BaseModel, fmt: str, console: Console, title: str) -> None:
    """A list answer: JSON as it is; table and CSV from its first list of flat records."""
    if fmt == "json":
        show_model(model, console)
        return
    doc = model.model_dump(mode="json", by_alias=True)
    records = next((v for v in doc.values() if isinstance(v, list)), [])
    skips = TABLE_SKIPS if fmt == "table" else frozenset()
    header = [k for k in (records[0] if records else ["id"]) if k not in skips]
    actor = (doc.get("actor") or {}).get("id")
    rows = [
        [
            linkage_path(actor, r["path"]) if k == "path" and actor else _flat(r.get(k))
            for k in header
        ]
        for r in records
    ]
    show_records(title, header, rows, fmt, console)


#: Columns too long for a terminal table; JSON and CSV keep them.
TABLE_SKIPS = frozenset({"iri", "sources", "expected_response", "path"})


def _flat(value: Any) -> str:
    if isinstance(value, dict) and "id" in value:
        return str(value["id"])
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return "; ".join(_flat(v) for v in value)
    return "" if value is None else str(value)
