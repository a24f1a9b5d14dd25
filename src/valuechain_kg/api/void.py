"""``/void``: a VoID description of the data (Describing Linked Datasets, W3C Note 2011).

Two subsets, the data (the store's default graph) and the ontology (its named graph), each with
its triple count; the data with a class partition (entities per class) and a property partition
(triples per property), so that a researcher sees what there is to query before writing a
query. Counted once per store revision; any RDF format the endpoint offers (Turtle by default).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from valuechain_kg.api.negotiation import GRAPH_FORMATS
from valuechain_kg.api.openapi_responses import NOT_MODIFIED, media, problems
from valuechain_kg.api.sparql import rdf_response
from valuechain_kg.api.workers import Deadline, Workers
from valuechain_kg.namespaces import DEFAULT_BASE, ONTOLOGY

if TYPE_CHECKING:
    from valuechain_kg.service.graph import KnowledgeGraph

__all__ = ["router", "void_description"]

router = APIRouter(tags=["SPARQL 1.1 Protocol"])

_CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c"
_PROPERTIES = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p"
_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

_cache: dict[str, str] = {}
_cache_lock = threading.Lock()


def _rows(kg: KnowledgeGraph, query: str, graph: ox.NamedNode | ox.DefaultGraph) -> list[list[str]]:
    solutions = kg.sparql(query, default_graph=[graph])
    return [[term.value for term in solution] for solution in solutions]  # type: ignore[attr-defined]


def void_description(kg: KnowledgeGraph, root: str) -> str:
    """The VoID description of ``kg`` served under ``root`` (the server's base URL), in Turtle."""
    data, ontology = ox.DefaultGraph(), ox.NamedNode(ONTOLOGY)
    ((data_triples,),) = _rows(kg, _TRIPLES, data)
    ((ontology_triples,),) = _rows(kg, _TRIPLES, ontology)
    classes = "".join(
        f"\n    void:classPartition [ void:class <{c}> ; void:entities {n} ] ;"
        for c, n in _rows(kg, _CLASSES, data)
    )
    properties = "".join(
        f"\n    void:propertyPartition [ void:property <{p}> ; void:triples {n} ] ;"
        for p, n in _rows(kg, _PROPERTIES, data)
    )
    total = int(data_triples) + int(ontology_triples)
    return f"""@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<{root}/void#dataset> a void:Dataset ;
    dcterms:title "valuechain-kg" ;
    rdfs:comment "Value-chain actors, adverse impacts and leverage, with the ontology." ;
    void:sparqlEndpoint <{root}/sparql> ;
    void:uriSpace "{DEFAULT_BASE}" ;
    void:vocabulary <{ONTOLOGY}#> ;
    void:triples {total} ;
    void:subset <{root}/void#data>, <{root}/void#ontology> .

<{root}/void#data> a void:Dataset ;
    rdfs:comment "the store's default graph: the data loaded" ;
    void:sparqlEndpoint <{root}/sparql> ;{classes}{properties}
    void:triples {data_triples} .

<{root}/void#ontology> a void:Dataset ;
    rdfs:comment "the ontology and its SKOS vocabularies, in the named graph <{ONTOLOGY}>" ;
    void:sparqlEndpoint <{root}/sparql> ;
    void:triples {ontology_triples} .
"""


VOID_RESPONSES = {
    **media(
        200,
        "The VoID description",
        *sorted({choice.media_type for choice in GRAPH_FORMATS.values()}),
    ),
    **NOT_MODIFIED,
    **problems(406, 503),
}


@router.get(
    "/void",
    summary="VoID description: triples per class and property",
    responses=VOID_RESPONSES,
)
async def void(request: Request) -> Response:
    """The dataset's VoID description (Turtle, or the RDF format asked for)."""
    kg: KnowledgeGraph = request.app.state.kg
    workers: Workers = request.app.state.workers
    root = str(request.base_url).rstrip("/")
    key = f"{id(kg)} {kg.revision} {root}"
    with _cache_lock:
        turtle = _cache.get(key)
    if turtle is None:

        def describe(_deadline: Deadline) -> str:
            return void_description(kg, root)

        turtle = await workers.run(describe)
        with _cache_lock:
            _cache.clear()
            _cache[key] = turtle
    return rdf_response(request, turtle)
