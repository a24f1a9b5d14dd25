"""SHACL validation compiled to SPARQL on Oxigraph: pyshacl's verdicts at store scale (issue 7).

``valuechain_kg.validation.validate`` (pyshacl over rdflib) stays the reference; this package
gives the same ``ValidationReport`` from SPARQL queries that Oxigraph runs, fast enough for a
national value chain, and incrementally for loads and updates that touch a handful of nodes
(``validate_change``).
"""

from valuechain_kg.shacl_compiled.engine import validate_quads_fast, validate_store
from valuechain_kg.shacl_compiled.incremental import validate_change
from valuechain_kg.shacl_compiled.plan import PropertyPlan, compile_shapes

__all__ = [
    "PropertyPlan",
    "compile_shapes",
    "validate_change",
    "validate_quads_fast",
    "validate_store",
]
