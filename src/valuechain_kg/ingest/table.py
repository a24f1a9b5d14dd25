"""Reading one CSV file of a bundle into rows that remember their physical line.

Spreadsheets write a byte-order mark, CRLF line ends and quoted cells that span lines; curators
then need error messages that point at the line their editor shows. So a row's line is the
physical line where it starts (the header is line 1), counted the way the CSV reader consumes the
file, and every problem is collected rather than raised so that one reading reports them all.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from valuechain_kg.errors import InputProblem, Location
from valuechain_kg.ingest.formulas import warn_formula_cells
from valuechain_kg.ingest.hints import decimal_comma_hint
from valuechain_kg.ingest.template import TemplateFile

__all__ = ["Row", "read_table"]


@dataclass(frozen=True)
class Row:
    """A data row: where it starts and its stripped cells, keyed by the known column names."""

    file: str
    line: int
    cells: dict[str, str]

    def at(self, column: str | None = None) -> Location:
        return Location(self.file, self.line, column)


def _decode(path: Path, problems: list[InputProblem]) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(InputProblem(Location(str(path)), f"cannot read the file: {exc}"))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(
            InputProblem(
                Location(str(path), line),
                "the file is not UTF-8 (save it as 'CSV UTF-8' from the spreadsheet)",
            )
        )
        return None


def _header(
    names: list[str], spec: TemplateFile, file: str, problems: list[InputProblem]
) -> list[str | None]:
    """The known column at each position (None for an unknown one), reporting what is wrong."""
    known: list[str | None] = []
    seen: set[str] = set()
    for raw in names:
        name = raw.strip().lower()
        if name in spec.columns and name not in seen:
            known.append(name)
            seen.add(name)
        elif name in seen:
            problems.append(InputProblem(Location(file, 1, name), "column appears twice"))
            known.append(None)
        elif name == "":
            known.append(None)
        else:
            allowed = ", ".join(spec.columns)
            problems.append(
                InputProblem(
                    Location(file, 1, raw.strip()),
                    f"unknown column {raw.strip()!r} in {spec.name}; allowed: {allowed}",
                )
            )
            known.append(None)
    for name in spec.columns:
        if name in spec.required and name not in seen:
            problems.append(
                InputProblem(Location(file, 1, name), f"required column {name!r} is missing")
            )
    return known


def read_table(
    path: Path,
    spec: TemplateFile,
    problems: list[InputProblem],
    unparsed: list[Row] | None = None,
) -> list[Row]:
    """The data rows of one CSV file; problems are appended to `problems`, never raised.

    Blank lines and rows whose cells are all empty (spreadsheets write those) are skipped.
    A row whose cells do not match the header is reported once and, when ``unparsed`` is
    given, kept there with its cells read by position: the bundle reader then knows the id it
    meant to define and does not report every reference to it as a second mistake.
    """
    file = str(path)
    text = _decode(path, problems)
    if text is None:
        return []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    columns: list[str | None] | None = None
    previous_end = 0
    while True:
        start = previous_end + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(InputProblem(Location(file, start), f"the row does not parse: {exc}"))
            # The reader cannot resynchronise reliably inside a broken quote: stop this file.
            break
        previous_end = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if columns is None:
            columns = _header(record, spec, file, problems)
            continue
        extra = record[len(columns) :]
        if any(cell.strip() for cell in extra) or len(record) < len(columns):
            message = (
                f"the row does not parse: it has {len(record)} cells "
                f"but the header has {len(columns)} columns"
            )
            hint = decimal_comma_hint(columns, record) if len(record) > len(columns) else None
            problems.append(
                InputProblem(Location(file, start), f"{message}; {hint}" if hint else message)
            )
            if unparsed is not None:
                by_position = zip(columns, record, strict=False)
                cells = {name: cell.strip() for name, cell in by_position if name is not None}
                unparsed.append(Row(file, start, cells))
            continue
        warn_formula_cells(file, start, columns, record)
        # Line ends inside a quoted cell are normalised, whatever the spreadsheet wrote.
        cells = {
            name: cell.strip().replace("\r\n", "\n").replace("\r", "\n")
            for name, cell in zip(columns, record, strict=False)
            if name is not None
        }
        rows.append(Row(file, start, cells))
    if columns is None:
        problems.append(InputProblem(Location(file, 1), "the file is empty: expected a header row"))
    return rows
