"""The ontology and its SKOS vocabularies, kept in the store beside the data.

A researcher climbing from ``child-labour`` to the Guidelines' chapters with ``skos:broader*``
needs the taxonomy in the store. It lives in its own named graph, named by the ontology's IRI
(``https://w3id.org/valuechain``), so that it never mixes with the data: the shapes, the
projection and every analysis read the default graph only, and a Graph Store client can fetch
or replace the vocabulary as one graph.

A query that names no dataset (no ``FROM``, no protocol ``default-graph-uri``) sees the union
of the store's default graph and the ontology graph as its default graph (``query_options``);
other named graphs stay apart, reachable with ``GRAPH`` or ``FROM``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from valuechain_kg.namespaces import ONTOLOGY
from valuechain_kg.sparql_tokens import names_query_dataset

__all__ = [
    "ONTOLOGY_FILE",
    "ONTOLOGY_GRAPH",
    "ontology_quads",
    "query_options",
    "stale_ontology",
]

ONTOLOGY_FILE = Path(__file__).resolve().parents[3] / "ontology" / "valuechain.ttl"
ONTOLOGY_GRAPH = ox.NamedNode(ONTOLOGY)


@lru_cache(maxsize=1)
def ontology_quads() -> frozenset[ox.Quad]:
    """The ontology file's triples, as quads of the ontology graph.

    Blank nodes get ids by their order in the file, so that every process reads the same quads
    and a store already holding this ontology is seen to hold it (nothing to write).
    """
    names: dict[ox.BlankNode, ox.BlankNode] = {}

    def stable(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> object:
        if isinstance(term, ox.BlankNode):
            return names.setdefault(term, ox.BlankNode(f"vc-ontology-{len(names)}"))
        return term

    triples = ox.parse(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE)
    return frozenset(
        ox.Quad(stable(t.subject), t.predicate, stable(t.object), ONTOLOGY_GRAPH)  # type: ignore[arg-type]
        for t in triples
    )


def stale_ontology(store: ox.Store) -> tuple[frozenset[ox.Quad], frozenset[ox.Quad]]:
    """(missing, outdated): what the store's ontology graph lacks and holds beyond the file."""
    wanted = ontology_quads()
    held = frozenset(store.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH))
    return wanted - held, held - wanted


def query_options(query: str, options: dict[str, object]) -> dict[str, object]:
    """Query options: the ontology joins the default graph, unless a dataset is named.

    A dataset named by the caller (``default_graph``, ``named_graphs``, the union flag) or by the
    query itself (``FROM``, which pyoxigraph's ``default_graph`` option would override) is left as
    it is.
    """
    named = {"default_graph", "named_graphs", "use_default_graph_as_union"}
    if named & options.keys() or names_query_dataset(query):
        return options
    return {**options, "default_graph": [ox.DefaultGraph(), ONTOLOGY_GRAPH]}
