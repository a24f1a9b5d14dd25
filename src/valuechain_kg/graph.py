"""The short import path of the facade: ``from valuechain_kg.graph import KnowledgeGraph``.

The facade lives in ``valuechain_kg.service.graph``; notebooks, scripts and the README use
this path.
"""

from valuechain_kg.service.graph import KnowledgeGraph

__all__ = ["KnowledgeGraph"]
