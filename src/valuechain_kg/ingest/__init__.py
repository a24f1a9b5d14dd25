"""Reading input into quads: RDF files and CSV bundles, all problems reported at once.

Parsing everything completely before anything is written is what makes a load atomic: a
curator either gets the whole of their data in the graph or a list of everything to fix.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from valuechain_kg.errors import InputError, InputProblem, Location
from valuechain_kg.ingest.csv_bundle import IngestResult, read_bundle, read_bundles
from valuechain_kg.namespaces import DEFAULT_BASE
from valuechain_kg.store import FORMATS_BY_EXTENSION, ProgressCallback, parse_rdf_file

__all__ = ["IngestResult", "find_sources", "read_bundle", "read_bundles", "read_sources"]


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def find_sources(paths: list[Path]) -> tuple[list[Path], list[Path], list[InputProblem]]:
    """The CSV bundle folders and RDF files that the given paths name, in a stable order.

    A path is an RDF file, a bundle folder (it holds actors.csv), or a folder searched
    recursively for both (hidden folders skipped). Returns (bundles, rdf_files, problems).
    """
    bundles: dict[Path, None] = {}
    rdf_files: dict[Path, None] = {}
    problems: list[InputProblem] = []
    for path in paths:
        if path.is_dir() and (path / "actors.csv").is_file():
            bundles[path] = None
        elif path.is_dir():
            found_bundles = sorted(
                p.parent for p in path.rglob("actors.csv") if not _hidden(p, path)
            )
            found_rdf = sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in FORMATS_BY_EXTENSION and p.is_file() and not _hidden(p, path)
            )
            if not found_bundles and not found_rdf:
                problems.append(
                    InputProblem(
                        Location(str(path)),
                        "no CSV bundle (a folder with actors.csv) and no RDF file in this folder",
                    )
                )
            bundles.update(dict.fromkeys(found_bundles))
            rdf_files.update(dict.fromkeys(found_rdf))
        elif path.is_file() and path.suffix.lower() == ".csv":
            problems.append(
                InputProblem(
                    Location(str(path)),
                    "a CSV file alone is not a bundle: give the folder that holds actors.csv",
                )
            )
        elif path.is_file():
            rdf_files[path] = None
        else:
            problems.append(InputProblem(Location(str(path)), "no such file or folder"))
    return list(bundles), list(rdf_files), problems


def read_sources(
    paths: list[Path],
    base: str = DEFAULT_BASE,
    on_progress: ProgressCallback | None = None,
) -> IngestResult:
    """Every quad from RDF files and CSV bundles, or one InputError with every problem.

    All bundles found are read together (`read_bundles`), so a bundle may refer to actors that
    another one defines. RDF files contribute quads only; their nodes have no row origin.
    """
    bundles, rdf_files, problems = find_sources(paths)
    quads: list[ox.Quad] = []
    origins: dict[str, Location] = {}
    for file in rdf_files:
        try:
            quads.extend(parse_rdf_file(file, on_progress))
        except InputError as exc:
            problems.extend(exc.problems)
    if bundles:
        try:
            result = read_bundles(bundles, base)
        except InputError as exc:
            problems.extend(exc.problems)
        else:
            quads.extend(result.quads)
            origins.update(result.origins)
    if problems:
        raise InputError(problems)
    return IngestResult(list(dict.fromkeys(quads)), origins)
