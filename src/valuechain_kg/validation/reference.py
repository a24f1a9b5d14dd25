"""pyshacl over rdflib: the reference the compiled engine is tested equal to.

The OECD Due Diligence Guidance asks that claims about enterprises rest on credible information
(Due Diligence Guidance, Section II); the shapes make that checkable: every impact, involvement and
leverage claim needs a source, and numbers and vocabulary words stay in their ranges. pyshacl is
the W3C-conformant reading of those shapes, so the tests compare the compiled engine's reports
with its reports; the tool itself validates with the compiled engine (``validation``), because
pyshacl copies the data into rdflib and checks one focus node at a time, which does not scale
to a national value chain. pyshacl needs rdflib, so the quads to check are copied into a
bounded rdflib graph. Validation runs without inference: the data graph never contains the
ontology, and RDFS inference over shared properties would misclassify nodes (DESIGN, "property
hygiene").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate

from valuechain_kg.errors import Location
from valuechain_kg.namespaces import SH
from valuechain_kg.validation.compiled.values import to_rdflib_term
from valuechain_kg.validation.report import ValidationReport, ValidationResult
from valuechain_kg.validation.shapes import load_shapes

__all__ = ["to_rdflib_graph", "validate"]

_SH = rdflib.Namespace(SH)


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


def validate(
    quads: Iterable[ox.Quad],
    origins: Mapping[str, Location] | None = None,
    shapes: Path | None = None,
) -> ValidationReport:
    """Check quads (their default graph) against the SHACL shapes with pyshacl.

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
    # run one rdflib query per focus node, far too slow on a large value chain.
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
    return ValidationReport.of(list(unique))


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
