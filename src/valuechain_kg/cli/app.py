"""The ``vckg`` command line: a thin face over the KnowledgeGraph facade.

Each command parses its options, calls one facade method and renders the answer. Errors come
from one hierarchy (``errors.py``) and map to exit codes here, once: 0 ok, 1 validation found
violations, 2 bad input or usage.
"""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import date
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import typer
from rich.console import Console

from valuechain_kg.cli import output as out
from valuechain_kg.cli.help import HumanGroup
from valuechain_kg.datasets.synthetic import MIN_ACTORS
from valuechain_kg.errors import (
    InputError,
    UsageError,
    ValidationFailed,
    VckgError,
    is_disk_full,
)
from valuechain_kg.namespaces import DEFAULT_BASE
from valuechain_kg.service.graph import PROGRESS_THRESHOLD

app = typer.Typer(
    name="vckg",
    help="valuechain-kg: who is linked to an adverse impact, and who holds leverage over it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=HumanGroup,
)
import_app = typer.Typer(
    help="Turn third-party data into CSV bundles.", no_args_is_help=True, cls=HumanGroup
)
app.add_typer(import_app, name="import")

stdout = Console(soft_wrap=False)
stderr = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def _input_warnings_printed() -> Iterator[None]:
    """Print each warning about the input (a formula-like CSV cell) with its file and line."""
    import warnings

    from valuechain_kg.ingest.formulas import FormulaCellWarning

    with warnings.catch_warnings():
        original = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
            if isinstance(message, FormulaCellWarning):
                stderr.print(f"warning: {message.problem}", markup=False, highlight=False)
            else:
                original(message, category, *args, **kw)

        warnings.simplefilter("always", FormulaCellWarning)
        warnings.showwarning = show
        yield


#: Errors about a path the user named (``--out``, ``@FILE``, a source): bad input, exit 2.
_PATH_ERRORS = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)


def _print_error(exc: VckgError) -> None:
    """One ``error:`` line per problem of an input error; other lines indented under theirs."""
    if isinstance(exc, InputError) and exc.problems:
        lines = [f"error: {problem}" for problem in exc.problems]
    else:
        first, *rest = str(exc).splitlines() or [""]
        lines = [f"error: {first}", *(f"  {line}" for line in rest)]
    for line in lines:
        stderr.print(line, markup=False, highlight=False)


#: The stores a command opened (``_open``), closed when it ends.
_opened: list[Any] = []
#: The stores the last command closed, still held so that their projections are not freed
#: object by object before the process exits (see ``main``).
_closed: list[Any] = []


@contextmanager
def _stores_closed() -> Iterator[None]:
    """Close every store the command opened, when it ends: the projection a lookup built is
    saved beside an on-disk store, so the next command reads it back instead of building it."""
    _closed.clear()
    try:
        yield
    finally:
        while _opened:
            store = _opened.pop()
            store.close()
            _closed.append(store)


def reports_errors(func: F) -> F:
    """Map the error hierarchy to exit codes, once: 1 for violations, 2 for bad input or usage.

    A full disk and an unreadable or unwritable path the user named are bad input too; any
    other ``OSError`` is a fault and keeps its traceback.
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with _input_warnings_printed(), _stores_closed():
                return func(*args, **kwargs)
        except ValidationFailed as exc:
            _render_report(exc.report, "table")
            stderr.print(f"error: {exc}; nothing was loaded", markup=False, highlight=False)
            raise typer.Exit(exc.exit_code) from exc
        except VckgError as exc:
            _print_error(exc)
            raise typer.Exit(exc.exit_code) from exc
        except OSError as exc:
            if is_disk_full(exc):
                stderr.print(f"error: the disk is full: {exc}", markup=False, highlight=False)
                raise typer.Exit(2) from exc
            if isinstance(exc, _PATH_ERRORS) and exc.filename:
                stderr.print(
                    f"error: {exc.filename}: {exc.strerror}", markup=False, highlight=False
                )
                raise typer.Exit(2) from exc
            raise

    return wrapper  # type: ignore[return-value]


DEMO_DATA = ("data/cases", "data/apple-suppliers-2022")


class AnswerFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ReportFormat(StrEnum):
    table = "table"
    json = "json"


class SynthFormat(StrEnum):
    nt = "nt"
    csv = "csv"


class ImpactSort(StrEnum):
    by_severity = "severity"
    by_id = "id"
    by_title = "title"


class ImpactStatus(StrEnum):
    actual = "actual"
    potential = "potential"


class AssertionStatus(StrEnum):
    """How far a claim is established, weakest first (``vocabulary.ASSERTION_RANK``)."""

    alleged = "alleged"
    reported = "reported"
    acknowledged = "acknowledged"
    ncp_determined = "ncp-determined"
    court_determined = "court-determined"
    regulator_determined = "regulator-determined"


class ResultsFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    xml = "xml"


class ExportFormat(StrEnum):
    ttl = "ttl"
    nt = "nt"
    nq = "nq"
    trig = "trig"
    jsonld = "jsonld"
    rdfxml = "rdfxml"
    edges_parquet = "edges-parquet"


class BatchEngine(StrEnum):
    spark = "spark"


DataOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--data",
        "-d",
        metavar="PATH",
        help="RDF file or CSV bundle folder, read into memory (repeat for several).",
    ),
]
StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        "-s",
        metavar="DIR|URL",
        help="On-disk store folder, or a SPARQL 1.1 engine's http(s):// query URL "
        "(default: $VCKG_STORE).",
    ),
]
BaseOpt = Annotated[
    str, typer.Option("--base", metavar="IRI", help="IRI base that bare ids are made under.")
]
MaxHopsOpt = Annotated[
    int,
    typer.Option("--max-hops", min=0, metavar="N", help="Most edges on a derived path."),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of", metavar="DATE", help="Only relationships valid on this date (YYYY-MM-DD)."
    ),
]
MinStatusOpt = Annotated[
    AssertionStatus | None,
    typer.Option("--min-status", help="Ignore claims established less than this."),
]
StrictProductsOpt = Annotated[
    bool,
    typer.Option("--strict-products", help="Drop rows reached through edges naming no product."),
]
LimitOpt = Annotated[
    int,
    typer.Option(
        "--limit", min=0, metavar="N", help="Rows per page (a page of actors or holders)."
    ),
]
OffsetOpt = Annotated[
    int, typer.Option("--offset", min=0, metavar="N", help="Rows skipped before the page.")
]
FormatOpt = Annotated[AnswerFormat, typer.Option("--format", "-f", help="Output format.")]


def _open(  # type: ignore[no-untyped-def]
    data: list[Path] | None,
    store: str | None,
    base: str = DEFAULT_BASE,
    missing: Literal["refuse", "create", "create on write"] = "refuse",
):
    """The graph a command works on: files in memory, else a store (a folder, or an engine's
    URL: ``store.backend``), else $VCKG_STORE.

    ``missing`` says what a store folder that does not exist means: bad input for a command
    that only reads (rather than an empty store created for a question it cannot answer), a
    new store for ``serve``, a store created by its first write for ``load``.
    """
    from valuechain_kg.graph import KnowledgeGraph

    if data:
        return KnowledgeGraph.open(data=data, base=base)
    folder = store or os.environ.get("VCKG_STORE") or None
    if folder is None:
        raise UsageError(
            "no data given: pass --data PATH (an RDF file or CSV bundle folder), "
            "--store DIR|URL, or set VCKG_STORE"
        )
    remote = folder.startswith(("http://", "https://"))
    if missing == "refuse" and not remote and not Path(folder).exists():
        where = "--store" if store else "VCKG_STORE"
        raise UsageError(
            f"{where}: there is no store at {folder}; load data into it first "
            f"(vckg load FILE --store {folder}), or name the folder of an existing store"
        )
    kg = KnowledgeGraph.open(store=folder, base=base, create=missing == "create")
    _opened.append(kg)
    return kg


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"--as-of: '{text}' is not a date of the form YYYY-MM-DD") from exc


def _render_report(report: object, fmt: str) -> None:
    if fmt == "json":
        out.show_json(report.to_json(), stdout)  # type: ignore[attr-defined]
    else:
        out.render_validation(report, stdout)  # type: ignore[arg-type]


@contextmanager
def _load_progress() -> Iterator[Callable[[int], None] | None]:
    """A progress bar for loads past PROGRESS_THRESHOLD triples, shown on a terminal only."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(
        SpinnerColumn(),
        TextColumn("reading {task.completed:,} triples"),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=not stderr.is_terminal,
    )
    task = progress.add_task("load", total=None, visible=False)
    seen = 0

    def advance(count: int) -> None:
        nonlocal seen
        seen += count
        if seen >= PROGRESS_THRESHOLD and not progress.tasks[task].visible:
            progress.update(task, visible=True)
        progress.update(task, advance=count)

    if not stderr.is_terminal:
        # Off a terminal nothing is shown, and the loader then reads the file by itself.
        yield None
        return
    with progress:
        yield advance


# --- data in and out -----------------------------------------------------------------------


@app.command()
@reports_errors
def load(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help="RDF files, CSV bundles or folders.")
    ],
    store: StoreOpt = None,
    base: BaseOpt = DEFAULT_BASE,
    validate: Annotated[bool, typer.Option(help="SHACL-validate before loading.")] = True,
) -> None:
    """Load files into the store atomically: all of them, validated, or nothing."""
    # A store folder that does not exist yet is created by a load that succeeds, only.
    kg = _open(None, store, base, missing="create on write")
    try:
        with _load_progress() as on_progress:
            added = kg.load(paths, validate=validate, on_progress=on_progress)
    finally:
        kg.close()
    stderr.print(f"loaded {added} new triples from {len(paths)} source(s)")


@app.command()
@reports_errors
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(metavar="PATH", help="RDF files or CSV bundles to check (not loaded)."),
    ] = None,
    data: DataOpt = None,
    store: StoreOpt = None,
    base: BaseOpt = DEFAULT_BASE,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Report format.")
    ] = ReportFormat.table,
) -> None:
    """Check data against the SHACL shapes; exit 1 when a Violation is found."""
    from valuechain_kg.graph import KnowledgeGraph

    files = [*(paths or []), *(data or [])]
    if files:
        kg = KnowledgeGraph.open(base=base)
        result = kg.read(files)
        report = kg.validate_with(result.quads, result.origins)  # type: ignore[attr-defined]
    else:
        kg = _open(None, store, base)
        report = kg.validate_with()
    _render_report(report, fmt.value)
    if not report.conforms:
        raise typer.Exit(1)


@app.command()
@reports_errors
def sparql(
    query: Annotated[
        str, typer.Argument(metavar="QUERY", help="A SPARQL query, @FILE, or - for stdin.")
    ],
    data: DataOpt = None,
    store: StoreOpt = None,
    fmt: Annotated[
        ResultsFormat,
        typer.Option(
            "--format",
            "-f",
            help="Results format; CONSTRUCT and DESCRIBE: table (Turtle), json (JSON-LD), xml.",
        ),
    ] = ResultsFormat.table,
) -> None:
    """Run a SPARQL query: SELECT/ASK as a table or results format, CONSTRUCT as RDF."""
    text = _query_text(query)
    kg = _open(data, store)
    try:
        result = kg.sparql(text)
    except SyntaxError as exc:
        raise UsageError(f"SPARQL syntax error: {exc}") from exc
    out.show_sparql(result, fmt.value, stdout)


def _query_text(query: str) -> str:
    if query == "-":
        return sys.stdin.read()
    if query.startswith("@"):
        return Path(query[1:]).read_text(encoding="utf-8")
    return query


@app.command()
@reports_errors
def export(
    data: DataOpt = None,
    store: StoreOpt = None,
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="RDF serialisation.")
    ] = ExportFormat.ttl,
    output: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="FILE", help="File to write (default: stdout)."),
    ] = None,
) -> None:
    """Write the whole graph as Turtle, N-Triples, JSON-LD, ... or as Parquet edge tables
    (``edges-parquet``: a folder, for ``vckg batch --edges`` and Spark on a cluster)."""
    if fmt is ExportFormat.edges_parquet:
        from valuechain_kg.service.batch import export_edge_tables

        if output is None:
            raise UsageError("--format edges-parquet writes a folder: give it with --out DIR")
        counts = export_edge_tables(_open(data, store), output)
        stderr.print(f"wrote {len(counts)} edge tables to {output}")
        return
    body = _open(data, store).export(fmt.value)
    if output:
        output.write_bytes(body)
    else:
        sys.stdout.buffer.write(body)


@app.command()
@reports_errors
def info(
    data: DataOpt = None,
    store: StoreOpt = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ReportFormat.table,
) -> None:
    """Counts of actors by role, relationships by type, impacts, involvements, leverage, ..."""
    summary = _open(data, store).info()
    if fmt is ReportFormat.json:
        out.show_model(summary, stdout)
        return
    stdout.print(
        f"{summary.triples} triples, {summary.actors} actors, {summary.impacts} impacts, "
        f"{len(summary.initiatives)} initiatives"
    )
    stdout.print(
        f"{summary.products} products, {summary.impacts_with_period} impacts with a period, "
        f"{summary.specific_instances} NCP specific instances"
    )
    for title, counts in (
        ("Actors by role", summary.actors_by_role),
        ("Relationships by type", summary.relationships_by_type),
        ("Impacts by category", summary.impacts_by_category),
        ("Impacts by status", summary.impacts_by_status),
        ("Involvements by mode", summary.involvements_by_mode),
        ("Leverage by basis", summary.leverage_by_basis),
        ("Responses by type", summary.responses_by_type),
        ("Claims by assertion status", summary.claims_by_assertion),
    ):
        out.show_counts(title, counts, stdout)
    out.show_counts(
        "Initiatives (members)", {i.name: i.members for i in summary.initiatives}, stdout
    )


# --- the two questions ---------------------------------------------------------------------


def _analysis_options(
    max_hops: int,
    as_of: str | None,
    min_status: AssertionStatus | None,
    strict_products: bool,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """The options every analysis command passes to the facade, read from its flags."""
    return {
        "max_hops": max_hops,
        "as_of": _as_of(as_of),
        "min_status": min_status.value if min_status else None,
        "strict_products": strict_products,
        "limit": limit,
        "offset": offset,
    }


@app.command()
@reports_errors
def linked(
    impact: Annotated[str, typer.Argument(metavar="IMPACT", help="Impact id, CURIE or IRI.")],
    data: DataOpt = None,
    store: StoreOpt = None,
    max_hops: MaxHopsOpt = 6,
    as_of: AsOfOpt = None,
    min_status: MinStatusOpt = None,
    strict_products: StrictProductsOpt = False,
    limit: LimitOpt = 1000,
    offset: OffsetOpt = 0,
    fmt: FormatOpt = AnswerFormat.table,
) -> None:
    """Who causes, contributes to, or is directly linked to an adverse impact."""
    answer = _open(data, store).linked_actors(
        impact,
        **_analysis_options(max_hops, as_of, min_status, strict_products, limit, offset),
    )
    out.show_linked(answer, fmt.value, stdout)


@app.command()
@reports_errors
def leverage(
    impact: Annotated[str, typer.Argument(metavar="IMPACT", help="Impact id, CURIE or IRI.")],
    data: DataOpt = None,
    store: StoreOpt = None,
    threshold: Annotated[
        float, typer.Option(metavar="STRENGTH", help="Coalition target strength, in (0, 1].")
    ] = 0.5,
    max_hops: MaxHopsOpt = 6,
    as_of: AsOfOpt = None,
    min_status: MinStatusOpt = None,
    strict_products: StrictProductsOpt = False,
    limit: LimitOpt = 1000,
    offset: OffsetOpt = 0,
    fmt: FormatOpt = AnswerFormat.table,
) -> None:
    """Who holds leverage over the entities causing or contributing to an impact."""
    answer = _open(data, store).leverage(
        impact,
        threshold=threshold,
        **_analysis_options(max_hops, as_of, min_status, strict_products, limit, offset),
    )
    out.show_leverage(answer, fmt.value, stdout)


@app.command("impacts-of")
@reports_errors
def impacts_of(
    actor: Annotated[str, typer.Argument(metavar="ACTOR", help="Actor id, CURIE or IRI.")],
    data: DataOpt = None,
    store: StoreOpt = None,
    max_hops: MaxHopsOpt = 6,
    as_of: AsOfOpt = None,
    min_status: MinStatusOpt = None,
    strict_products: StrictProductsOpt = False,
    limit: LimitOpt = 1000,
    offset: OffsetOpt = 0,
    fmt: FormatOpt = AnswerFormat.table,
) -> None:
    """Every impact an actor is linked to, and how."""
    answer = _open(data, store).impacts_of(
        actor,
        **_analysis_options(max_hops, as_of, min_status, strict_products, limit, offset),
    )
    out.show_any(answer, fmt.value, stdout, title=f"Impacts linked to {actor}")


@app.command()
@reports_errors
def screen(
    actor: Annotated[
        str | None, typer.Argument(metavar="[ACTOR]", help="Actor id, CURIE or IRI; all if none.")
    ] = None,
    data: DataOpt = None,
    store: StoreOpt = None,
    max_hops: MaxHopsOpt = 6,
    as_of: AsOfOpt = None,
    min_status: MinStatusOpt = None,
    strict_products: StrictProductsOpt = False,
    limit: LimitOpt = 1000,
    offset: OffsetOpt = 0,
    fmt: FormatOpt = AnswerFormat.table,
) -> None:
    """Risk-based scoping: the risk indicators that reach an actor, with their paths (potential
    exposure, never an impact)."""
    from valuechain_kg.cli.screening_output import show_risks

    answer = _open(data, store).screen(
        actor,
        **_analysis_options(max_hops, as_of, min_status, strict_products, limit, offset),
    )
    show_risks(answer, fmt.value, stdout)


@app.command()
@reports_errors
def impacts(
    data: DataOpt = None,
    store: StoreOpt = None,
    category: Annotated[
        str | None, typer.Option(metavar="CATEGORY", help="Category slug, e.g. privacy.")
    ] = None,
    status: Annotated[ImpactStatus | None, typer.Option(help="Impact status.")] = None,
    country: Annotated[
        str | None, typer.Option(metavar="CODE", help="ISO 3166-1 alpha-2 country code.")
    ] = None,
    sort: Annotated[ImpactSort, typer.Option(help="Order of the list.")] = ImpactSort.by_severity,
    limit: LimitOpt = 1000,
    offset: OffsetOpt = 0,
    fmt: FormatOpt = AnswerFormat.table,
) -> None:
    """List impacts, most severe first."""
    answer = _open(data, store).impacts(
        category=category,
        status=status.value if status else None,
        country=country,
        sort=sort.value,
        limit=limit,
        offset=offset,
    )
    out.show_any(answer, fmt.value, stdout, title="Adverse impacts")


# --- every impact at once ------------------------------------------------------------------

batch_app = typer.Typer(
    help="Answer a question for every impact at once on Apache Spark (the spark extra).",
    no_args_is_help=True,
)
app.add_typer(batch_app, name="batch")

EngineOpt = Annotated[BatchEngine, typer.Option("--engine", help="Batch engine.")]
BatchOutOpt = Annotated[
    Path, typer.Option("--out", "-o", help="Folder for <question>.parquet/ and <question>.json/.")
]
EdgesOpt = Annotated[
    Path | None,
    typer.Option("--edges", help="Edge tables from vckg export --format edges-parquet."),
]
MasterOpt = Annotated[str, typer.Option("--master", help="Spark master URL.")]


def _batch(
    question: str,
    out: Path,
    data: list[Path] | None,
    store: str | None,
    edges: Path | None,
    master: str,
    options: dict[str, Any],
) -> None:
    from valuechain_kg.batch.options import BatchOptions
    from valuechain_kg.service.batch import run_batch

    given = _analysis_options(
        options["max_hops"], options["as_of"], options["min_status"], False, 0, 0
    )
    settings = BatchOptions(
        max_hops=given["max_hops"],
        as_of=given["as_of"].isoformat() if given["as_of"] else None,
        min_status=given["min_status"],
        strict_products=options["strict_products"],
        threshold=options.get("threshold", 0.5),
    )
    kg = None if edges is not None else _open(data, store)
    rows = run_batch(question, out, settings, kg=kg, edges=edges, master=master)
    stderr.print(f"wrote {rows} {question} rows to {out}")


@batch_app.command("linked")
@reports_errors
def batch_linked(
    out: BatchOutOpt,
    data: DataOpt = None,
    store: StoreOpt = None,
    edges: EdgesOpt = None,
    engine: EngineOpt = BatchEngine.spark,
    master: MasterOpt = "local[2]",
    max_hops: MaxHopsOpt = 6,
    as_of: AsOfOpt = None,
    min_status: MinStatusOpt = None,
    strict_products: StrictProductsOpt = False,
) -> None:
    """Every impact's linked actors (modes, hops, product continuity) as Parquet and JSON Lines."""
    options = {
        "max_hops": max_hops,
        "as_of": as_of,
        "min_status": min_status,
        "strict_products": strict_products,
    }
    _batch("linked", out, data, store, edges, master, options)


@batch_app.command("leverage")
@reports_errors
def batch_leverage(
    out: BatchOutOpt,
    data: DataOpt = None,
    store: StoreOpt = None,
    edges: EdgesOpt = None,
    engine: EngineOpt = BatchEngine.spark,
    master: MasterOpt = "local[2]",
    threshold: Annotated[float, typer.Option(help="Coalition target strength, in (0, 1].")] = 0.5,
    max_hops: MaxHopsOpt = 6,
    as_of: AsOfOpt = None,
    min_status: MinStatusOpt = None,
    strict_products: StrictProductsOpt = False,
) -> None:
    """Every impact's targets with holders, collective leverage and coalitions, as Parquet and
    JSON Lines."""
    options = {
        "max_hops": max_hops,
        "as_of": as_of,
        "min_status": min_status,
        "strict_products": strict_products,
        "threshold": threshold,
    }
    _batch("leverage", out, data, store, edges, master, options)


# --- making data ---------------------------------------------------------------------------


@import_app.command("ilab")
@reports_errors
def import_ilab(
    source: Annotated[
        Path, typer.Argument(help="The ILAB list of goods: the app's XML or its flat CSV.")
    ],
    output: Annotated[Path, typer.Option("--out", help="Bundle folder to write.")] = Path(
        "data/ilab-list-of-goods-2021"
    ),
) -> None:
    """The US Department of Labor's List of Goods Produced by Child Labor or Forced Labor, as
    a CSV bundle of products and risk indicators."""
    from valuechain_kg.datasets.ilab import import_ilab as run

    report = run(source, output)
    stdout.print(
        f"{report.rows} rows ({report.goods} goods, {report.countries} countries) -> "
        f"{report.products} products, {report.indicators} risk indicators in {output}"
    )


@import_app.command("apple-suppliers")
@reports_errors
def import_apple_suppliers(
    source: Annotated[
        Path, typer.Argument(metavar="FILE", help="The compiled Apple supplier list CSV.")
    ],
    year: Annotated[int, typer.Option(metavar="YEAR", help="Which year's list.")] = 2022,
    output: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="Bundle folder to write.")
    ] = Path("data/apple-suppliers-2022"),
    base: BaseOpt = DEFAULT_BASE,
    names_from: Annotated[
        Path,
        typer.Option(
            metavar="DIR",
            help="Case bundles whose actor names win over the list's spellings "
            "(those become alternate names).",
        ),
    ] = Path("data/cases"),
) -> None:
    """Apple's published supplier list for one year, as a CSV bundle."""
    from valuechain_kg.datasets.apple_suppliers import case_actor_names
    from valuechain_kg.datasets.apple_suppliers import import_apple_suppliers as run

    report = run(source, year, output, base=base, canonical_names=case_actor_names(names_from))
    stdout.print(
        f"{report.rows} rows -> {report.actors} actors, {report.relationships} relationships, "
        f"{report.sites} sites in {output}"
    )


@app.command()
@reports_errors
def synth(
    actors: Annotated[
        int, typer.Option("--actors", min=MIN_ACTORS, metavar="N", help="How many actors.")
    ],
    output: Annotated[
        Path, typer.Option("--out", metavar="PATH", help="N-Triples file or bundle folder.")
    ],
    seed: Annotated[int, typer.Option(metavar="N", help="Random seed: same seed, same bytes.")] = 1,
    fmt: Annotated[
        SynthFormat, typer.Option("--format", "-f", help="N-Triples file or CSV bundle folder.")
    ] = SynthFormat.nt,
) -> None:
    """Generate a synthetic value chain that looks like a real one (for benchmarks)."""
    from valuechain_kg.datasets.synthetic import write

    write(actors, seed, output, "nt" if fmt is SynthFormat.nt else "csv")
    stderr.print(f"wrote {actors} synthetic actors to {output}")


@app.command()
@reports_errors
def serve(
    data: DataOpt = None,
    store: StoreOpt = None,
    host: Annotated[
        str, typer.Option(metavar="HOST", help="Interface to listen on.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, metavar="PORT", help="TCP port.")] = 8000,
    demo: Annotated[
        bool, typer.Option("--demo", help="Load the bundled demo data into an empty store.")
    ] = False,
) -> None:
    """Serve the REST API, the SPARQL endpoint and the query page over HTTP."""
    from valuechain_kg.api.server import serve as run

    if demo and not (data or store or os.environ.get("VCKG_STORE")):
        from valuechain_kg.graph import KnowledgeGraph

        kg = KnowledgeGraph.open()  # the demo in memory: nothing to keep
    else:
        kg = _open(data, store, missing="create")
    if demo and kg.is_empty():
        sources = [Path(p) for p in DEMO_DATA if Path(p).exists()]
        stderr.print(f"loading demo data from {', '.join(map(str, sources))} ...")
        kg.load(sources, validate=False)
    run(kg, host=host, port=port)


@app.command()
@reports_errors
def version() -> None:
    """Print the version."""
    from valuechain_kg import __version__

    stdout.print(__version__)


def main() -> None:
    """The ``vckg`` console script: the command, then an exit that leaves the heap unfreed.

    A lookup on a large store holds millions of projection objects, and an interpreter that
    shuts down frees them one at a time, a wait after the answer is printed for memory the
    operating system takes back at once. Once the command has ended (its stores closed and
    its projection saved by ``reports_errors``), the exit handlers run, the output is flushed
    and the process ends without the interpreter's teardown. An unexpected exception still
    ends it the usual way, with its traceback.
    """
    try:
        app()
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
