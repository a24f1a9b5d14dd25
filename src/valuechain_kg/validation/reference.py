"""SHACL validation of the graph against ``shapes/``, reported in words a curator understands.

The OECD Due Diligence Guidance asks that claims about enterprises rest on credible information
(DDG Section II, step 2.2); the shapes make that checkable: every impact, involvement and
leverage claim needs a source, and numbers and vocabulary words stay in their ranges. pyshacl
needs rdflib, so the quads to check are copied into a bounded rdflib graph; the store itself
stays in Oxigraph. Validation runs without inference: the data graph never contains the
ontology, and RDFS inference over shared properties would misclassify nodes (DESIGN, "property
hygiene").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Literal as TypingLiteral

import pyoxigraph as ox
import rdflib
from pydantic import BaseModel, ConfigDict
from pyshacl import validate as shacl_validate
from rich.console import Console
from rich.table import Table

from valuechain_kg.errors import Location
from valuechain_kg.namespaces import ORG, PREFIXES, RDF_TYPE, SH, VC, XSD
from valuechain_kg.store import GraphStore

__all__ = [
    "SHAPES_DIR",
    "Severity",
    "ValidationReport",
    "ValidationResult",
    "load_shapes",
    "to_rdflib_graph",
    "validate",
    "validate_nodes",
]

#: The shapes shipped with the project (the repository root is two levels above the package).
SHAPES_DIR = Path(__file__).resolve().parents[2] / "shapes"

Severity = TypingLiteral["Violation", "Warning", "Info"]
_SEVERITY_RANK: dict[str, int] = {"Violation": 0, "Warning": 1, "Info": 2}

_SH = rdflib.Namespace(SH)
_XSD_STRING = XSD + "string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class ValidationResult(BaseModel):
    """One thing a shape found wrong, with the CSV row it came from when known."""

    model_config = ConfigDict(frozen=True)

    focus_node: str
    path: str | None
    value: str | None
    message: str
    severity: Severity
    shape: str | None
    source_file: str | None = None
    source_line: int | None = None

    @property
    def where(self) -> str:
        """The CSV file and line when known, else the focus node (shortened to a CURIE)."""
        if self.source_file is not None:
            if self.source_line is not None:
                return f"{self.source_file}:{self.source_line}"
            return self.source_file
        return compact(self.focus_node)

    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (
            _SEVERITY_RANK[self.severity],
            self.focus_node,
            self.path or "",
            self.message,
            self.value or "",
        )


class ValidationReport(BaseModel):
    """The verdict of a SHACL run: it conforms when there is no Violation (Warnings allowed)."""

    model_config = ConfigDict(frozen=True)

    conforms: bool
    results: list[ValidationResult]

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    def summary(self) -> str:
        """One line: the verdict and how many violations and warnings were found."""
        verdict = "conforms" if self.conforms else "does not conform"
        v, w = len(self.violations), len(self.warnings)
        return (
            f"The data {verdict}: {v} violation{'s' if v != 1 else ''}, "
            f"{w} warning{'s' if w != 1 else ''}."
        )

    def to_json(self) -> dict[str, object]:
        """The report as a JSON-ready document (the same for the CLI and the REST API)."""
        return {
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "results": [r.model_dump() for r in self.results],
        }

    def render(self, console: Console) -> None:
        """Print a table (severity, where, property, value, message) and a one-line summary."""
        if self.results:
            table = Table(show_lines=False)
            for column in ("severity", "where", "property", "value", "message"):
                table.add_column(column, overflow="fold")
            for r in self.results:
                style = "red" if r.severity == "Violation" else "yellow"
                table.add_row(
                    f"[{style}]{r.severity}[/{style}]",
                    r.where,
                    compact(r.path) if r.path else "",
                    compact(r.value) if r.value else "",
                    r.message,
                )
            console.print(table)
        console.print(self.summary(), style="green" if self.conforms else "red")


def compact(iri: str) -> str:
    """A CURIE for an IRI under a known prefix (longest namespace first), else the IRI."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def to_rdflib_term(term: object) -> rdflib.term.Identifier:
    """The rdflib twin of a pyoxigraph term (plain xsd:string literals stay plain)."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype in (_XSD_STRING, _RDF_LANG_STRING):
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(datatype))
    raise TypeError(f"cannot validate an RDF term of type {type(term).__name__}")


def to_rdflib_graph(quads: Iterable[ox.Quad]) -> rdflib.Graph:
    """The default-graph triples of some quads as an rdflib graph, for pyshacl."""
    graph = rdflib.Graph()
    for quad in quads:
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            continue
        graph.add(
            (
                to_rdflib_term(quad.subject),
                to_rdflib_term(quad.predicate),
                to_rdflib_term(quad.object),
            )
        )
    return graph


def load_shapes(shapes: Path | None = None) -> rdflib.Graph:
    """The shapes graph from a Turtle file or every ``*.ttl`` below a folder (cached)."""
    path = (shapes or SHAPES_DIR).resolve()
    files = [path] if path.is_file() else sorted(path.rglob("*.ttl"))
    stamp = tuple((str(f), f.stat().st_mtime_ns) for f in files)
    return _parse_shapes(stamp)


@lru_cache(maxsize=8)
def _parse_shapes(stamp: tuple[tuple[str, int], ...]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for file, _ in stamp:
        graph.parse(file, format="turtle")
    return graph


def validate(
    quads: Iterable[ox.Quad],
    origins: Mapping[str, Location] | None = None,
    shapes: Path | None = None,
) -> ValidationReport:
    """Check quads (their default graph) against the SHACL shapes.

    Parameters
    ----------
    quads:
        The data to check, for example the quads an ingest is about to load.
    origins:
        Node IRI -> where it came from (CSV file and line); a result whose focus node has an
        origin carries it, so a curator can find the row to fix.
    shapes:
        A shapes file or folder; by default the project's ``shapes/``.

    Returns
    -------
    ValidationReport
        Results in a stable order: severity, focus node, path.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> actor = ox.NamedNode("https://w3id.org/valuechain/id/acme")
    >>> a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    >>> report = validate([ox.Quad(actor, a, ox.NamedNode("https://w3id.org/valuechain#Actor"))])
    >>> report.conforms
    False
    >>> sorted({r.message.split(":")[0] for r in report.violations})
    ['An actor needs a name', 'An actor needs at least one role']
    """
    data = to_rdflib_graph(quads)
    return _run(data, load_shapes(shapes), origins or {})


def _run(
    data: rdflib.Graph, shapes_graph: rdflib.Graph, origins: Mapping[str, Location]
) -> ValidationReport:
    # advanced=True for SHACL-AF SPARQL targets: the shapes find cross-node mistakes (a missing
    # direct triple, a self-loop) with one query over the graph, where a SPARQL constraint would
    # run one rdflib query per focus node (about 9 ms each, minutes on a large value chain).
    _, results_graph, _ = shacl_validate(
        data,
        shacl_graph=shapes_graph,
        inference="none",
        advanced=True,
        abort_on_first=False,
        allow_warnings=True,
    )
    assert isinstance(results_graph, rdflib.Graph)
    # A value that breaks two parts of one shape (datatype and range) is reported once.
    unique = {
        _result(results_graph, node, origins) for node in results_graph.objects(None, _SH.result)
    }
    results = sorted(unique, key=ValidationResult.sort_key)
    conforms = not any(r.severity == "Violation" for r in results)
    return ValidationReport(conforms=conforms, results=results)


def _result(
    graph: rdflib.Graph, node: rdflib.term.Node, origins: Mapping[str, Location]
) -> ValidationResult:
    focus = _text(graph.value(node, _SH.focusNode)) or ""
    severity = _text(graph.value(node, _SH.resultSeverity)) or SH + "Violation"
    messages = sorted(str(m) for m in graph.objects(node, _SH.resultMessage))
    origin = origins.get(focus)
    return ValidationResult(
        focus_node=focus,
        path=_path_text(graph, graph.value(node, _SH.resultPath)),
        value=_text(graph.value(node, _SH.value)),
        message=messages[0] if messages else "The data breaks a shape.",
        severity=severity.removeprefix(SH),  # type: ignore[arg-type]
        shape=_text(graph.value(node, _SH.sourceShape)),
        source_file=origin.file if origin else None,
        source_line=origin.line if origin else None,
    )


def _text(term: rdflib.term.Node | None) -> str | None:
    """An IRI or a literal's lexical form; blank nodes have no stable text."""
    if term is None or isinstance(term, rdflib.BNode):
        return None
    return str(term)


def _path_text(graph: rdflib.Graph, path: rdflib.term.Node | None) -> str | None:
    """A property path: its IRI, or an inverse path written ``^iri``."""
    if isinstance(path, rdflib.BNode):
        inverse = graph.value(path, _SH.inversePath)
        return f"^{inverse}" if inverse is not None else None
    return _text(path)


_TYPE = ox.NamedNode(RDF_TYPE)
_FROM, _TO, _KIND = (ox.NamedNode(VC + p) for p in ("fromActor", "toActor", "relationshipType"))
_MEMBER, _ORGANIZATION = ox.NamedNode(ORG + "member"), ox.NamedNode(ORG + "organization")
_MEMBER_OF, _HAS_SITE = ox.NamedNode(VC + "memberOf"), ox.NamedNode(VC + "hasSite")


def validate_nodes(
    store: GraphStore,
    focus_nodes: set[str],
    origins: Mapping[str, Location] | None = None,
    shapes: Path | None = None,
) -> ValidationReport:
    """Validate only some nodes of a store, with the same verdict a full run gives on them.

    Validating a whole national value chain after every small edit takes minutes with pyshacl,
    so an edit is checked on the nodes it touched. The bounded graph holds what the shapes read
    about each focus node: its own triples, the rdf:type of every node it points to (for
    ``sh:class``), the actors that list it as their site (``vcsh:site-direct-triple``), and the
    direct triple that its relationship or membership node reifies. Results about other nodes
    (typed neighbours pulled in) are dropped.

    Examples
    --------
    >>> store = GraphStore()
    >>> store.add([ox.Quad(ox.NamedNode("https://w3id.org/valuechain/id/acme"),
    ...                    ox.NamedNode(RDF_TYPE), ox.NamedNode(VC + "Actor"))])
    >>> validate_nodes(store, {"https://w3id.org/valuechain/id/acme"}).conforms
    False
    >>> validate_nodes(store, {"https://w3id.org/valuechain/id/other"}).conforms
    True
    """
    neighbourhood = _neighbourhood(store.oxigraph, focus_nodes)
    report = _run(to_rdflib_graph(neighbourhood), load_shapes(shapes), origins or {})
    results = [r for r in report.results if r.focus_node in focus_nodes]
    return ValidationReport(
        conforms=not any(r.severity == "Violation" for r in results), results=results
    )


def _neighbourhood(store: ox.Store, focus_nodes: set[str]) -> list[ox.Quad]:
    default = ox.DefaultGraph()
    quads: set[ox.Quad] = set()

    def match(s: object, p: object, o: object) -> list[ox.Quad]:
        return list(store.quads_for_pattern(s, p, o, default))  # type: ignore[arg-type]

    for iri in sorted(focus_nodes):
        node = ox.NamedNode(iri)
        own = match(node, None, None)
        quads.update(own)
        for quad in own:
            if isinstance(quad.object, ox.NamedNode | ox.BlankNode):
                quads.update(match(quad.object, _TYPE, None))
        quads.update(match(None, _HAS_SITE, node))
        for start, end, kind in _reified(own):
            quads.update(match(start, kind, end))
    return list(quads)


def _reified(own: list[ox.Quad]) -> list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode]]:
    """The direct triples that a relationship or membership node stands for, if it is one."""
    values: dict[ox.NamedNode, list[ox.NamedNode]] = {}
    for quad in own:
        if isinstance(quad.object, ox.NamedNode):
            values.setdefault(quad.predicate, []).append(quad.object)
    found = [
        (start, end, kind)
        for start in values.get(_FROM, [])
        for end in values.get(_TO, [])
        for kind in values.get(_KIND, [])
    ]
    found += [
        (member, initiative, _MEMBER_OF)
        for member in values.get(_MEMBER, [])
        for initiative in values.get(_ORGANIZATION, [])
    ]
    return found
