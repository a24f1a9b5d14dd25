"""A CSV bundle (the spreadsheet template) to RDF, as `docs/rdf-model.md` specifies.

Why a spreadsheet: the people who know which enterprise causes, contributes to or is directly
linked to an adverse impact (MNE Guidelines, Chapter II, paras. 11-12; Chapter IV, para. 2;
UNGP 13 and 19) are NCP officers, NGO researchers and investors, and they keep their evidence in
spreadsheets. Why so strict: every claim about a real organisation must carry its source
(Due Diligence Guidance, Section II, step 2 and Annex Q.19 on tracking evidence), and a typo in a
vocabulary word or id would silently change who is linked to what. So reading reports every
problem at once with file, line and column, and returns nothing when there is any problem.

Several bundles read together share one id space for actors: "the same id in two bundles is the
same actor", so a bundle may refer to actors another bundle defines.

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

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from valuechain_kg import vocabulary as v
from valuechain_kg.errors import InputError, InputProblem, Location
from valuechain_kg.ingest.cells import (
    CellError,
    PartialDate,
    parse_country,
    parse_date,
    parse_fraction,
    parse_lei,
    parse_level,
    parse_slug,
    parse_url,
    parse_urls,
    parse_wikidata,
    parse_word,
    parse_words,
)
from valuechain_kg.ingest.table import Row, TableSpec, read_table
from valuechain_kg.namespaces import (
    DCTERMS,
    DEFAULT_BASE,
    ORG,
    PROV,
    RDF_TYPE,
    RDFS,
    SCHEMA,
    VC,
    XSD,
)

__all__ = ["SPECS", "IngestResult", "read_bundle", "read_bundles"]

T = TypeVar("T")


def _spec(name: str, columns: str, required: str) -> TableSpec:
    return TableSpec(name, tuple(columns.split()), frozenset(required.split()))


#: The nine files of the template, in DESIGN.md's order, with their columns in order.
SPECS: dict[str, TableSpec] = {
    s.name: s
    for s in (
        _spec(
            "actors.csv",
            "id name role country sector lei wikidata website source_url",
            "id name role",
        ),
        _spec(
            "relationships.csv",
            "source type target ownership_share revenue_share valid_from valid_until "
            "description source_url",
            "source type target",
        ),
        _spec(
            "impacts.csv",
            "id title category status scale scope irremediability likelihood country "
            "affected_group description source_url",
            "id title category status source_url",
        ),
        _spec(
            "involvements.csv",
            "actor impact mode confidence description source_url",
            "actor impact mode source_url",
        ),
        _spec(
            "leverage.csv",
            "holder target basis strength description source_url",
            "holder target basis strength source_url",
        ),
        _spec("initiatives.csv", "id name kind website source_url", "id name"),
        _spec("memberships.csv", "actor initiative since source_url", "actor initiative"),
        _spec(
            "responses.csv",
            "actor impact type status date description source_url",
            "actor impact type",
        ),
        _spec("sites.csv", "actor country address source_url", "actor country"),
    )
}

#: Files whose rows define ids; actors, impacts and initiatives share one id space.
_DEFINING = {"actors.csv": "actor", "impacts.csv": "impact", "initiatives.csv": "initiative"}


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

    def iri(self, local: str) -> ox.NamedNode:
        return ox.NamedNode(self.base + local)

    def add(self, subject: ox.NamedNode, predicate: str, obj: ox.NamedNode | ox.Literal) -> None:
        self.quads.append(ox.Quad(subject, ox.NamedNode(predicate), obj))

    def node(self, row: Row, local: str, what: str) -> ox.NamedNode | None:
        """The node a (non-defining) row makes, or None if the same file made it already."""
        iri = self.base + local
        first = self.made_in_file.get((row.file, iri))
        if first is not None:
            self.problems.append(
                InputProblem(row.at(), f"duplicate {what}: the same one is on line {first}")
            )
            return None
        self.made_in_file[(row.file, iri)] = row.line
        self.origins.setdefault(iri, row.at())
        return ox.NamedNode(iri)


class _Cells:
    """The cells of one row, read through parsers that report problems with their column."""

    def __init__(self, row: Row, spec: TableSpec, reading: _Reading) -> None:
        self.row = row
        self.spec = spec
        self.reading = reading

    def problem(self, column: str | None, message: str) -> None:
        self.reading.problems.append(InputProblem(self.row.at(column), message))

    def get(self, column: str, parse: Callable[[str], T]) -> T | None:
        text = self.row.cells.get(column, "")
        if not text:
            if column in self.spec.required and column in self.row.cells:
                self.problem(column, f"missing required value for {column!r}")
            return None
        try:
            return parse(text)
        except CellError as exc:
            self.problem(column, exc.message)
            return None

    def text(self, column: str) -> str | None:
        return self.get(column, lambda s: s)

    def ref(self, column: str, kind: str) -> str | None:
        """A slug that must name an actor, impact or initiative defined in the bundles read."""
        slug = self.get(column, parse_slug)
        if slug is None:
            return None
        definition = self.reading.definitions.get(slug)
        if definition is None:
            self.problem(column, f"{slug!r} is not defined: no {kind} with this id in {kind}s.csv")
            return None
        if definition.kind != kind:
            self.problem(
                column,
                f"{slug!r} is an {definition.kind} ({definition.location}), not an {kind}",
            )
            return None
        return slug


def _decimal(value: Decimal) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "decimal"))


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def _xsd_date(value: PartialDate | None, end: bool) -> ox.Literal | None:
    """`valid_from` / `valid_until` widened to a whole day, so that periods compare."""
    if value is None:
        return None
    day = value.last_day() if end else value.first_day()
    return ox.Literal(day.isoformat(), datatype=ox.NamedNode(XSD + "date"))


def _precise_date(value: PartialDate | None) -> ox.Literal | None:
    """`since` and response `date` keep the precision the source gave."""
    if value is None:
        return None
    if value.month is None:
        return ox.Literal(f"{value.year:04d}", datatype=ox.NamedNode(XSD + "gYear"))
    if value.day is None:
        text = f"{value.year:04d}-{value.month:02d}"
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "gYearMonth"))
    return ox.Literal(value.first_day().isoformat(), datatype=ox.NamedNode(XSD + "date"))


@dataclass(frozen=True)
class _Common:
    """`description` and `source_url`, which most files share, read before the node is known."""

    description: str | None
    sources: list[str]

    @staticmethod
    def read(c: _Cells) -> _Common:
        description = c.text("description") if "description" in c.spec.columns else None
        return _Common(description, c.get("source_url", parse_urls) or [])

    def emit(self, r: _Reading, node: ox.NamedNode) -> None:
        if self.description:
            r.add(node, DCTERMS + "description", ox.Literal(self.description))
        # Every claim carries its sources (Due Diligence Guidance, Annex Q.19 on evidence).
        for url in self.sources:
            r.add(node, PROV + "wasDerivedFrom", ox.NamedNode(url))


def _named(r: _Reading, node: ox.NamedNode, name: str | None) -> None:
    if name:
        r.add(node, SCHEMA + "name", ox.Literal(name))
        r.add(node, RDFS + "label", ox.Literal(name))


def _optional(r: _Reading, node: ox.NamedNode, predicate: str, obj: object) -> None:
    if isinstance(obj, ox.NamedNode | ox.Literal):
        r.add(node, predicate, obj)


def _actor(r: _Reading, c: _Cells, node: ox.NamedNode) -> None:
    r.add(node, RDF_TYPE, ox.NamedNode(VC + "Actor"))
    _named(r, node, c.text("name"))
    for role in c.get("role", lambda s: parse_words(s, v.ROLES, "role")) or []:
        r.add(node, VC + "role", ox.NamedNode(role))
    sector = c.get("sector", lambda s: parse_word(s, v.SECTORS, "sector"))
    _optional(r, node, VC + "sector", sector and ox.NamedNode(sector))
    country = c.get("country", parse_country)
    _optional(r, node, VC + "country", country and ox.Literal(country))
    lei = c.get("lei", parse_lei)
    _optional(r, node, VC + "lei", lei and ox.Literal(lei))
    wikidata = c.get("wikidata", parse_wikidata)
    _optional(r, node, SCHEMA + "sameAs", wikidata and ox.NamedNode(wikidata))
    website = c.get("website", parse_url)
    _optional(r, node, SCHEMA + "url", website and ox.NamedNode(website))
    _Common.read(c).emit(r, node)


def _impact(r: _Reading, c: _Cells, node: ox.NamedNode) -> None:
    r.add(node, RDF_TYPE, ox.NamedNode(VC + "AdverseImpact"))
    _named(r, node, c.text("title"))
    category = c.get("category", lambda s: parse_word(s, v.CATEGORIES, "category"))
    _optional(r, node, VC + "category", category and ox.NamedNode(category))
    status = c.get("status", lambda s: parse_word(s, v.STATUSES, "status"))
    _optional(r, node, VC + "status", status and ox.NamedNode(status))
    # Severity by scale, scope and irremediable character (Due Diligence Guidance, Q.13-14).
    for column, predicate in (
        ("scale", "scale"),
        ("scope", "scope"),
        ("irremediability", "irremediability"),
    ):
        level = c.get(column, parse_level)
        _optional(r, node, VC + predicate, level is not None and _integer(level))
    likelihood = c.get("likelihood", parse_fraction)
    _optional(r, node, VC + "likelihood", likelihood is not None and _decimal(likelihood))
    country = c.get("country", parse_country)
    _optional(r, node, VC + "country", country and ox.Literal(country))
    group = c.text("affected_group")
    _optional(r, node, VC + "affectedGroup", group and ox.Literal(group))
    _Common.read(c).emit(r, node)


def _initiative(r: _Reading, c: _Cells, node: ox.NamedNode) -> None:
    r.add(node, RDF_TYPE, ox.NamedNode(VC + "Initiative"))
    r.add(node, RDF_TYPE, ox.NamedNode(ORG + "Organization"))
    _named(r, node, c.text("name"))
    kind = c.get("kind", lambda s: parse_word(s, v.INITIATIVE_KINDS, "initiative kind"))
    _optional(r, node, VC + "initiativeKind", kind and ox.NamedNode(kind))
    website = c.get("website", parse_url)
    _optional(r, node, SCHEMA + "url", website and ox.NamedNode(website))
    _Common.read(c).emit(r, node)


_DEFINE: dict[str, Callable[[_Reading, _Cells, ox.NamedNode], None]] = {
    "actors.csv": _actor,
    "impacts.csv": _impact,
    "initiatives.csv": _initiative,
}


def _relationship(r: _Reading, c: _Cells) -> None:
    source = c.ref("source", "actor")
    kind = c.get("type", lambda s: (s, parse_word(s, v.RELATIONS, "relationship type")))
    target = c.ref("target", "actor")
    ownership = c.get("ownership_share", parse_fraction)
    revenue = c.get("revenue_share", parse_fraction)
    start = c.get("valid_from", parse_date)
    end = c.get("valid_until", parse_date)
    common = _Common.read(c)
    if start and end and end.last_day() < start.first_day():
        c.problem("valid_until", "the relationship ends before it starts (valid_from)")
    if not (source and kind and target):
        return
    slug, prop = kind
    node = r.node(c.row, f"relationship/{source}--{slug}--{target}", "relationship")
    if node is None:
        return
    r.add(node, RDF_TYPE, ox.NamedNode(VC + "BusinessRelationship"))
    r.add(node, VC + "fromActor", r.iri(source))
    r.add(node, VC + "toActor", r.iri(target))
    r.add(node, VC + "relationshipType", ox.NamedNode(prop))
    _optional(r, node, VC + "ownershipShare", ownership is not None and _decimal(ownership))
    _optional(r, node, VC + "revenueShare", revenue is not None and _decimal(revenue))
    _optional(r, node, VC + "validFrom", _xsd_date(start, end=False))
    _optional(r, node, VC + "validUntil", _xsd_date(end, end=True))
    common.emit(r, node)
    # The direct triple too, so that SPARQL property paths walk the chain.
    r.quads.append(ox.Quad(r.iri(source), ox.NamedNode(prop), r.iri(target)))


def _involvement(r: _Reading, c: _Cells) -> None:
    # Cause, contribution or direct linkage: MNE Guidelines Ch. II paras. 11-12, UNGP 13 and 19.
    actor = c.ref("actor", "actor")
    impact = c.ref("impact", "impact")
    mode = c.get("mode", lambda s: (s, parse_word(s, v.MODES, "mode")))
    confidence = c.get("confidence", parse_fraction)
    common = _Common.read(c)
    if not (actor and impact and mode):
        return
    node = r.node(c.row, f"involvement/{actor}--{impact}--{mode[0]}", "involvement")
    if node is None:
        return
    r.add(node, RDF_TYPE, ox.NamedNode(VC + "Involvement"))
    r.add(node, VC + "actor", r.iri(actor))
    r.add(node, VC + "impact", r.iri(impact))
    r.add(node, VC + "mode", ox.NamedNode(mode[1]))
    _optional(r, node, VC + "confidence", confidence is not None and _decimal(confidence))
    common.emit(r, node)


def _leverage(r: _Reading, c: _Cells) -> None:
    # Leverage: the ability to effect change in the wrongful practices of the entity that
    # causes a harm (MNE Guidelines Ch. II, commentary para. 19; UNGP 19 commentary).
    holder = c.ref("holder", "actor")
    target = c.ref("target", "actor")
    basis = c.get("basis", lambda s: (s, parse_word(s, v.BASES, "leverage basis")))
    strength = c.get("strength", parse_fraction)
    common = _Common.read(c)
    if not (holder and target and basis):
        return
    node = r.node(c.row, f"leverage/{holder}--{target}--{basis[0]}", "leverage")
    if node is None:
        return
    r.add(node, RDF_TYPE, ox.NamedNode(VC + "Leverage"))
    r.add(node, VC + "holder", r.iri(holder))
    r.add(node, VC + "target", r.iri(target))
    r.add(node, VC + "basis", ox.NamedNode(basis[1]))
    _optional(r, node, VC + "strength", strength is not None and _decimal(strength))
    common.emit(r, node)


def _membership(r: _Reading, c: _Cells) -> None:
    # Collective leverage through industry and multi-stakeholder initiatives (Due Diligence
    # Guidance, Section II, 3.2 and Annex Q.10).
    actor = c.ref("actor", "actor")
    initiative = c.ref("initiative", "initiative")
    since = c.get("since", parse_date)
    # A membership is a claim about a real organisation too, so it may carry its source
    # (an extension of the template: DESIGN's columns plus an optional source_url).
    common = _Common.read(c)
    if not (actor and initiative):
        return
    node = r.node(c.row, f"membership/{actor}--{initiative}", "membership")
    if node is None:
        return
    r.add(node, RDF_TYPE, ox.NamedNode(ORG + "Membership"))
    r.add(node, ORG + "member", r.iri(actor))
    r.add(node, ORG + "organization", r.iri(initiative))
    _optional(r, node, VC + "since", _precise_date(since))
    common.emit(r, node)
    r.quads.append(ox.Quad(r.iri(actor), ox.NamedNode(VC + "memberOf"), r.iri(initiative)))


def _response(r: _Reading, c: _Cells) -> None:
    # Prevent, mitigate, remediate, use leverage, disengage (Due Diligence Guidance steps 3 and 6).
    actor = c.ref("actor", "actor")
    impact = c.ref("impact", "impact")
    kind = c.get("type", lambda s: (s, parse_word(s, v.RESPONSE_TYPES, "response type")))
    status = c.get("status", lambda s: parse_word(s, v.RESPONSE_STATUSES, "response status"))
    when = c.get("date", parse_date)
    common = _Common.read(c)
    if not (actor and impact and kind):
        return
    node = r.node(c.row, f"response/{actor}--{impact}--{kind[0]}", "response")
    if node is None:
        return
    r.add(node, RDF_TYPE, ox.NamedNode(VC + "Response"))
    r.add(node, VC + "actor", r.iri(actor))
    r.add(node, VC + "impact", r.iri(impact))
    r.add(node, VC + "responseType", ox.NamedNode(kind[1]))
    _optional(r, node, VC + "responseStatus", status and ox.NamedNode(status))
    _optional(r, node, VC + "date", _precise_date(when))
    common.emit(r, node)


def _site(r: _Reading, c: _Cells) -> None:
    actor = c.ref("actor", "actor")
    country = c.get("country", parse_country)
    address = c.text("address")
    common = _Common.read(c)
    if not (actor and country):
        return
    # n = the row's rank among that actor's rows for that country, over the whole reading.
    rank = r.site_ranks.get((actor, country), 0) + 1
    r.site_ranks[(actor, country)] = rank
    node = r.node(c.row, f"site/{actor}--{country}--{rank}", "site")
    if node is None:
        return
    r.add(node, RDF_TYPE, ox.NamedNode(VC + "Site"))
    r.add(node, VC + "siteOf", r.iri(actor))
    r.add(node, VC + "country", ox.Literal(country))
    _optional(r, node, SCHEMA + "address", address and ox.Literal(address))
    common.emit(r, node)
    r.quads.append(ox.Quad(r.iri(actor), ox.NamedNode(VC + "hasSite"), node))


_REFER: dict[str, Callable[[_Reading, _Cells], None]] = {
    "relationships.csv": _relationship,
    "involvements.csv": _involvement,
    "leverage.csv": _leverage,
    "memberships.csv": _membership,
    "responses.csv": _response,
    "sites.csv": _site,
}


def _read_tables(folder: Path, problems: list[InputProblem]) -> dict[str, list[Row]]:
    """The rows of every template file present in one bundle folder."""
    if not (folder / "actors.csv").is_file():
        problems.append(
            InputProblem(
                Location(str(folder)),
                "not a CSV bundle: actors.csv is missing (it is the one required file)",
            )
        )
        return {}
    return {
        name: read_table(folder / name, spec, problems)
        for name, spec in SPECS.items()
        if (folder / name).is_file()
    }


def _define(r: _Reading, bundle: int, name: str, row: Row) -> None:
    """Register the id a defining row introduces, and build its node.

    Within one bundle an id may be defined once across actors, impacts and initiatives. Across
    bundles the same id of the same kind is the same node (merged); of another kind, a clash.
    """
    c = _Cells(row, SPECS[name], r)
    kind = _DEFINING[name]
    slug = c.get("id", parse_slug)
    if slug is None:
        # Still read the other cells so that every problem of the row is reported.
        _DEFINE[name](r, c, r.iri("-"))
        return
    first = r.definitions.get(slug)
    if first is not None and (first.bundle == bundle or first.kind != kind):
        c.problem(
            "id",
            f"duplicate id {slug!r}: already defined as {first.kind} in "
            f"{first.location.file} line {first.location.line} "
            "(actors, impacts and initiatives share one id space)",
        )
        _DEFINE[name](r, c, r.iri("-"))  # still check the row's other cells
        return
    if first is None:
        r.definitions[slug] = _Definition(kind, bundle, row.at())
        r.origins[r.base + slug] = row.at()
    _DEFINE[name](r, c, r.iri(slug))


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
    bundles = [_read_tables(folder, r.problems) for folder in folders]
    for index, tables in enumerate(bundles):
        for name in _DEFINING:
            for row in tables.get(name, []):
                _define(r, index, name, row)
    for tables in bundles:
        for name, build in _REFER.items():
            for row in tables.get(name, []):
                build(r, _Cells(row, SPECS[name], r))
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
