"""The embedded Oxigraph store: the one place where triples live.

Used through pyoxigraph directly (not through rdflib) because at the sizes our users load, rdflib
parses about ten times slower in about 2.6 times the memory. Every write goes through this class
so that it can keep a revision number, which the facade uses to know when its projection and its
cached answers are stale.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from valuechain_kg.errors import InputError, InputProblem, Location, StoreBusy
from valuechain_kg.namespaces import PREFIXES

#: RDF formats read by file extension.
FORMATS_BY_EXTENSION: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}

EXPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}

#: Above this many triples a load reports progress on a terminal.
PROGRESS_THRESHOLD = 100_000

ProgressCallback = Callable[[int], None]


def rdf_format_for(path: Path) -> ox.RdfFormat:
    """The RDF format of a file, from its extension; an unknown one is bad input."""
    fmt = FORMATS_BY_EXTENSION.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS_BY_EXTENSION))
        raise InputError(
            [InputProblem(Location(str(path)), f"unknown RDF file extension (known: {known})")]
        )
    return fmt


def parse_rdf_file(path: Path, on_progress: ProgressCallback | None = None) -> list[ox.Quad]:
    """Every quad of one RDF file, or an InputError naming the file, line and column.

    Parsing completely before anything is written is what makes a load atomic.
    """
    fmt = rdf_format_for(path)
    quads: list[ox.Quad] = []
    try:
        with path.open("rb") as stream:
            for quad in ox.parse(stream, format=fmt, base_iri=path.resolve().as_uri()):
                quads.append(quad)
                if on_progress is not None and len(quads) % 10_000 == 0:
                    on_progress(10_000)
    except SyntaxError as exc:
        line = getattr(exc, "lineno", None)
        column = getattr(exc, "offset", None)
        raise InputError(
            [InputProblem(Location(str(path), line, column), f"RDF syntax error: {exc.msg}")]
        ) from exc
    except (OSError, ValueError) as exc:
        raise InputError([InputProblem(Location(str(path)), str(exc))]) from exc
    return quads


def rdf_files_under(path: Path) -> list[Path]:
    """A file itself, or the RDF files found below a folder, in a stable order."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.suffix.lower() in FORMATS_BY_EXTENSION)


def _open_disk_store(path: Path) -> ox.Store:
    """Open a RocksDB store, turning "someone else holds it" into words a person can act on."""
    try:
        return ox.Store(str(path))
    except OSError as exc:
        if "lock" in str(exc).lower():
            raise StoreBusy(
                f"the store {path} is in use by another process (a running 'vckg serve'?): "
                "stop that process, or ask the running server through its /sparql endpoint"
            ) from exc
        problem = InputProblem(Location(str(path)), f"cannot open the store: {exc}")
        raise InputError([problem]) from exc


class GraphStore:
    """An Oxigraph store, in memory or on disk (RocksDB), with a revision number."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            self.path.mkdir(parents=True, exist_ok=True)
            self._store = _open_disk_store(self.path)
        else:
            self._store = ox.Store()
        # A store opened twice must not share ETags with an earlier opening.
        self._generation = uuid.uuid4().hex[:12]
        self._revision = 0

    @property
    def revision(self) -> str:
        """Changes whenever the data changes through this handle."""
        return f"{self._generation}-{self._revision}"

    def _changed(self) -> None:
        self._revision += 1

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store, for read access by the analysis and benchmarks."""
        return self._store

    def __len__(self) -> int:
        return len(self._store)

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction: all of them or none."""
        self._store.extend(quads)
        self._changed()

    def remove(self, quads: Iterable[ox.Quad]) -> None:
        for quad in list(quads):
            self._store.remove(quad)
        self._changed()

    def bulk_load(self, path: Path) -> None:
        """Fast, non-transactional load of a large file (benchmarks and the first fill)."""
        self._store.bulk_load(path=str(path), format=rdf_format_for(path))
        self._changed()

    def query(self, sparql: str, **options: object) -> object:
        """A SPARQL query with the project's prefixes predeclared."""
        return self._store.query(sparql, prefixes=PREFIXES, **options)  # type: ignore[arg-type]

    def select(self, sparql: str) -> ox.QuerySolutions:
        """A SELECT query's solutions, typed, for code that iterates rows."""
        result = self.query(sparql)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("select() takes a SELECT query")
        return result

    def update(self, sparql: str, **options: object) -> None:
        """A SPARQL update, applied as one transaction."""
        self._store.update(sparql, prefixes=PREFIXES, **options)  # type: ignore[arg-type]
        self._changed()

    def quads(self) -> Iterator[ox.Quad]:
        return self._store.quads_for_pattern(None, None, None, None)

    def export(self, fmt: str = "ttl") -> bytes:
        """The whole store serialised; graph formats take the default graph only."""
        rdf_format = EXPORT_FORMATS[fmt]
        if rdf_format.supports_datasets:
            return self._store.dump(format=rdf_format) or b""
        return (
            self._store.dump(
                format=rdf_format,
                from_graph=ox.DefaultGraph(),
                prefixes=PREFIXES if rdf_format == ox.RdfFormat.TURTLE else None,
            )
            or b""
        )

    def flush(self) -> None:
        if self.path is not None:
            self._store.flush()

    def close(self) -> None:
        """Flush to disk and release the RocksDB lock."""
        self.flush()
        del self._store
