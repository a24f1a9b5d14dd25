"""SHACL validation against ``shapes/``: the compiled engine, incremental checks, one report type.

The shapes are compiled to SPARQL that Oxigraph runs (``compiled/``), so a national value chain
is checked in the store itself, and a load or update is checked on the focus nodes it can
affect (``incremental``). pyshacl stays the reference (``reference``): the tests hold the
compiled engine's reports equal to its reports, so callers cannot tell the engines apart.

- ``validate_store(store)``: the whole default graph of a store;
- ``validate_change(store, added=..., removed=...)``: the store as a change would leave it,
  reporting what the change touches;
- ``validate_quads(quads)``: quads no store holds yet.

A shape using a construct the compiler does not run raises ``errors.ShapeCompileError``.
"""

from valuechain_kg.validation.compiled.engine import validate_quads, validate_store
from valuechain_kg.validation.incremental import validate_change
from valuechain_kg.validation.report import Severity, ValidationReport, ValidationResult
from valuechain_kg.validation.shapes import SHAPES_DIR, load_shapes

__all__ = [
    "SHAPES_DIR",
    "Severity",
    "ValidationReport",
    "ValidationResult",
    "load_shapes",
    "validate_change",
    "validate_quads",
    "validate_store",
]
