"""A CSV bundle (the spreadsheet template) to RDF, as `docs/rdf-model.md` specifies.

Why a spreadsheet: the people who know which enterprise causes, contributes to or is directly
linked to an adverse impact (MNE Guidelines, Chapter II, A.11-A.12 and its commentary;
UNGP 13 and 19) are NCP officers, NGO researchers and investors, and they keep their evidence in
spreadsheets. Why so strict: every claim about a real organisation must carry its source
(Due Diligence Guidance, Section II, on tracking the evidence), and a typo in a
vocabulary word or id would silently change who is linked to what. So reading reports every
problem at once with file, line and column, and returns nothing when there is any problem.

Several bundles read together share one id space: "the same id in two bundles is the same
actor", so a bundle may refer to actors (or impacts, initiatives, products) another bundle
defines. Actors, impacts, initiatives, products and specific instances share that space, since
each becomes ``{base}{id}``.

Example
-------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "actors.csv").write_text("id,name,role\\nacme,Acme,manufacturer\\n")
>>> result = read_bundle(folder)
>>> sorted(result.origins)
['https://w3id.org/valuechain/id/acme']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from valuechain_kg.errors import InputError, InputProblem, Location
from valuechain_kg.ingest.cells import PartialDate
from valuechain_kg.ingest.cycles import find_cycles
from valuechain_kg.ingest.hints import closest_id
from valuechain_kg.ingest.rdf_rows import row_to_rdf
from valuechain_kg.ingest.table import Row, read_table
from valuechain_kg.ingest.template import TEMPLATE, TemplateFile, parse_row
from valuechain_kg.namespaces import DEFAULT_BASE

__all__ = ["SPECS", "IngestResult", "read_bundle", "read_bundles"]

#: The files of the template (``template.TEMPLATE``), by file name.
SPECS: dict[str, TemplateFile] = TEMPLATE

#: Files whose rows define ids; actors, impacts, initiatives, products and specific instances
#: share one id space.
_DEFINING = {name: f.defines for name, f in TEMPLATE.items() if f.defines is not None}

#: Columns that must not end before another column starts: (file, start, end, message).
_PERIODS = (
    (
        "relationships.csv",
        "valid_from",
        "valid_until",
        "the relationship ends before it starts (valid_from)",
    ),
    ("impacts.csv", "started", "ended", "the impact ends before it starts (started)"),
    (
        "specific-instances.csv",
        "submitted",
        "concluded",
        "the specific instance is concluded before it was submitted (submitted)",
    ),
)


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _check_periods(r: _Reading, row: Row, name: str, values: dict[str, Any]) -> None:
    for file, start_column, end_column, message in _PERIODS:
        if file != name:
            continue
        start: PartialDate | None = values.get(start_column)
        end: PartialDate | None = values.get(end_column)
        if start and end and end.last_day() < start.first_day():
            r.problem(row, end_column, message)


@dataclass(frozen=True)
class IngestResult:
    """What a reading produced: quads for the default graph, and where each node came from.

    `origins` maps a node IRI to the row that made it (for actors, impacts and initiatives, the
    row that defined them), so that a SHACL violation can name the curator's file and line.
    """

    quads: list[ox.Quad]
    origins: dict[str, Location]


@dataclass(frozen=True)
class _Definition:
    kind: str
    bundle: int
    location: Location


@dataclass
class _Reading:
    """The state of one reading of one or more bundles."""

    base: str
    definitions: dict[str, _Definition] = field(default_factory=dict)
    problems: list[InputProblem] = field(default_factory=list)
    quads: list[ox.Quad] = field(default_factory=list)
    origins: dict[str, Location] = field(default_factory=dict)
    # (file, node IRI) -> line of the first row that made the node, to catch duplicate rows.
    made_in_file: dict[tuple[str, str], int] = field(default_factory=dict)
    site_ranks: dict[tuple[str, str], int] = field(default_factory=dict)
    # Defining rows that refer to other ids, mapped once every id is known.
    deferred: list[tuple[Row, str, dict[str, Any]]] = field(default_factory=list)
    # Product id -> the ids of its inputs (made_from), over every bundle.
    made_from: dict[str, list[str]] = field(default_factory=dict)
    # Ids whose defining row did not parse (already reported): references to them hold back
    # their own row silently instead of reporting the same mistake again.
    unparsed_ids: set[str] = field(default_factory=set)

    def problem(self, row: Row, column: str | None, message: str) -> None:
        self.problems.append(InputProblem(row.at(column), message))

    def cells(self, row: Row, name: str) -> dict[str, Any]:
        """The parsed cells of a row, every cell that does not read reported."""
        return parse_row(TEMPLATE[name], row.cells, lambda col, msg: self.problem(row, col, msg))

    def emit(self, row: Row, name: str, values: dict[str, Any], what: str) -> None:
        """Add the row's quads, unless the same file already made the same node."""
        node, quads = row_to_rdf(name, values, self.base)
        first = self.made_in_file.get((row.file, node.value))
        if first is not None:
            self.problem(row, None, f"duplicate {what}: the same one is on line {first}")
            return
        self.made_in_file[(row.file, node.value)] = row.line
        self.origins.setdefault(node.value, row.at())
        self.quads.extend(quads)


def _references_hold(r: _Reading, row: Row, name: str, values: dict[str, Any]) -> bool:
    """Whether every id the row refers to names a defined node of the right kind.

    Reports each reference that does not hold; a reference cell already reported as
    unreadable (absent from ``values``) does not hold either.
    """
    held = True
    for column in TEMPLATE[name].columns_spec:
        kind = column.refers_to
        if kind is None:
            continue
        value = values.get(column.name)
        if value is None:
            # A required reference missing, or a cell already reported as unreadable, does not
            # hold; an optional reference left empty does.
            if column.required or row.cells.get(column.name):
                held = False
            continue
        for slug in value if isinstance(value, list) else [value]:
            definition = r.definitions.get(slug)
            if definition is None and slug in r.unparsed_ids:
                held = False
            elif definition is None:
                message = f"{slug!r} is not defined: no {kind} with this id in {kind}s.csv"
                near = closest_id(slug, (s for s, d in r.definitions.items() if d.kind == kind))
                r.problem(
                    row, column.name, f"{message}; did you mean {near!r}?" if near else message
                )
                held = False
            elif definition.kind != kind:
                message = (
                    f"{slug!r} is {_article(definition.kind)} ({definition.location}), "
                    f"not {_article(kind)}"
                )
                r.problem(row, column.name, message)
                held = False
    return held


def _refer(r: _Reading, name: str, row: Row) -> None:
    """A row that refers to defined ids: checked, then mapped to RDF."""
    values = r.cells(row, name)
    _check_periods(r, row, name, values)
    if not _references_hold(r, row, name, values):
        return
    if any(column not in values for column in TEMPLATE[name].key):
        return
    if name == "relationships.csv" and values["source"] == values["target"]:
        r.problem(
            row,
            "target",
            f"a relationship from {values['source']!r} to itself: source and target must differ",
        )
        return
    if name == "sites.csv":
        # n = the row's rank among that actor's rows for that country, over the whole reading.
        key = (values["actor"], values["country"])
        r.site_ranks[key] = values["rank"] = r.site_ranks.get(key, 0) + 1
    r.emit(row, name, values, TEMPLATE[name].stem.removesuffix("s"))


def _read_tables(
    folder: Path, problems: list[InputProblem], unparsed: dict[str, list[Row]]
) -> dict[str, list[Row]]:
    """The rows of every template file present in one bundle folder.

    Rows that did not parse go to ``unparsed`` by file name (see ``table.read_table``).
    """
    if not (folder / "actors.csv").is_file():
        problems.append(
            InputProblem(
                Location(str(folder)),
                "not a CSV bundle: actors.csv is missing (it is the one required file)",
            )
        )
        return {}
    return {
        name: read_table(folder / name, spec, problems, unparsed.setdefault(name, []))
        for name, spec in SPECS.items()
        if (folder / name).is_file()
    }


def _define(r: _Reading, bundle: int, name: str, row: Row) -> None:
    """Register the id a defining row introduces, and build its node.

    Within one bundle an id may be defined once across actors, impacts, initiatives, products
    and specific instances. Across bundles the same id of the same kind is the same node
    (merged); of another kind, a clash. Every cell is read either way, so that every problem of
    the row is reported. A row that refers to other ids (a product's inputs, a specific
    instance's enterprises) is mapped once every id is defined (``_map_deferred``).
    """
    values = r.cells(row, name)
    _check_periods(r, row, name, values)
    kind = _DEFINING[name]
    slug = values.get("id")
    if slug is None:
        return
    first = r.definitions.get(slug)
    if first is not None and (first.bundle == bundle or first.kind != kind):
        r.problem(
            row,
            "id",
            f"duplicate id {slug!r}: already defined as {first.kind} in "
            f"{first.location.file} line {first.location.line} "
            "(actors, impacts, initiatives, products and specific instances share one id space)",
        )
        return
    if first is None:
        r.definitions[slug] = _Definition(kind, bundle, row.at())
        r.origins[r.base + slug] = row.at()
    if any(column.refers_to for column in TEMPLATE[name].columns_spec):
        r.deferred.append((row, name, values))
    else:
        r.quads.extend(row_to_rdf(name, values, r.base)[1])


def _map_deferred(r: _Reading) -> None:
    """Map the defining rows that refer to ids, once all are defined; then check made_from."""
    for row, name, values in r.deferred:
        if not _references_hold(r, row, name, values):
            continue
        if name == "products.csv":
            inputs = r.made_from.setdefault(values["id"], [])
            inputs.extend(i for i in values.get("made_from", ()) if i not in inputs)
        r.quads.extend(row_to_rdf(name, values, r.base)[1])
    for cycle in find_cycles(r.made_from):
        location = r.definitions[cycle[0]].location
        r.problems.append(
            InputProblem(
                Location(location.file, location.line, "made_from"),
                "made_from forms a cycle: "
                + " -> ".join(cycle)
                + " (a product cannot be made, even indirectly, from itself)",
            )
        )


def read_bundles(folders: list[Path], base: str = DEFAULT_BASE) -> IngestResult:
    """Read several CSV bundles together, as one graph; raise InputError listing every problem.

    Parameters
    ----------
    folders : the bundle folders, each holding at least actors.csv.
    base : the namespace under which ids become IRIs.

    Returns
    -------
    IngestResult with the quads (default graph, no duplicates, in reading order) and the origin
    row of every node.

    Raises
    ------
    InputError : with one InputProblem(Location(file, line, column), message) per problem; in
        that case nothing is returned, so nothing can be loaded.
    """
    r = _Reading(base)
    unparsed: dict[str, list[Row]] = {}
    bundles = [_read_tables(folder, r.problems, unparsed) for folder in folders]
    r.unparsed_ids = {
        row.cells["id"]
        for name in _DEFINING
        for row in unparsed.get(name, [])
        if row.cells.get("id")
    }
    for index, tables in enumerate(bundles):
        for name in _DEFINING:
            for row in tables.get(name, []):
                _define(r, index, name, row)
    _map_deferred(r)
    for tables in bundles:
        for name in TEMPLATE:
            if name not in _DEFINING:
                for row in tables.get(name, []):
                    _refer(r, name, row)
    if r.problems:
        order = {folder_file: i for i, folder_file in enumerate(_files_in_order(folders))}
        problems = sorted(
            r.problems,
            key=lambda p: (order.get(p.location.file, -1), p.location.line or 0),
        )
        raise InputError(problems)
    return IngestResult(list(dict.fromkeys(r.quads)), r.origins)


def _files_in_order(folders: list[Path]) -> list[str]:
    return [str(folder / name) for folder in folders for name in SPECS]


def read_bundle(folder: Path, base: str = DEFAULT_BASE) -> IngestResult:
    """Read one CSV bundle; see `read_bundles` for the result and the errors."""
    return read_bundles([folder], base)
