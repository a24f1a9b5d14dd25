"""IRIs of the vocabularies the graph speaks, in one place so no module spells them twice."""

from __future__ import annotations

VC = "https://w3id.org/valuechain#"
DEFAULT_BASE = "https://w3id.org/valuechain/id/"
#: The ontology's IRI, which also names the store graph holding the ontology and its vocabularies.
ONTOLOGY = "https://w3id.org/valuechain"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SH = "http://www.w3.org/ns/shacl#"

RDF_TYPE = RDF + "type"

#: Prefixes known to CURIE resolution, SPARQL queries and Turtle export.
PREFIXES: dict[str, str] = {
    "vc": VC,
    "vcid": DEFAULT_BASE,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "org": ORG,
    "prov": PROV,
    "schema": SCHEMA,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "sh": SH,
}


def sparql_prefixes(base: str = DEFAULT_BASE) -> str:
    """PREFIX lines for every known namespace, so queries in code stay short."""
    lines = [f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items() if p != "vcid"]
    lines.append(f"PREFIX vcid: <{base}>")
    return "\n".join(lines) + "\n"


def curie(iri: str) -> str:
    """A CURIE for an IRI under a known prefix (the longest namespace wins), else the IRI.

    >>> curie("https://w3id.org/valuechain/id/acme")
    'vcid:acme'
    >>> curie("urn:x")
    'urn:x'
    """
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri
