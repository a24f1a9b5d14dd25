"""The SHACL shapes compiled to SPARQL over Oxigraph.

``plan`` turns the shapes graph into one query plan per property shape, ``engine`` runs the
plans over a store, and ``values`` decides per value, with pyshacl's semantics, what SPARQL
cannot mirror exactly.
"""

from valuechain_kg.validation.compiled.engine import run_plans, validate_quads, validate_store
from valuechain_kg.validation.compiled.plan import PropertyPlan, compile_shapes

__all__ = ["PropertyPlan", "compile_shapes", "run_plans", "validate_quads", "validate_store"]
