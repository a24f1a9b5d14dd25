"""Every SPARQL read the facade runs, besides the projection's own (``projection_reader``).

Answers are assembled from the projection; the few facts the projection does not hold (an
impact's title, severity and sources; the sources of a relationship on a path; an actor's or
an impact's details; counts; search) are read here with one query per batch, never one per
node. IRIs and literals enter the query text only as terms serialised by pyoxigraph
(``str(NamedNode)``, ``str(Literal)``), which cannot break out of their place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from valuechain_kg import vocabulary as vocab
from valuechain_kg.analysis import severity
from valuechain_kg.analysis.projection import Projection
from valuechain_kg.identifiers import compact
from valuechain_kg.models import GraphInfo, ImpactSummary, InitiativeCount, Period, Severity
from valuechain_kg.namespaces import DEFAULT_BASE, VC
from valuechain_kg.store.backend import StoreBackend

#: The impact properties a summary shows (compacted as ``compact`` gives them).
SUMMARY_KEYS = frozenset(
    {
        "schema:name",
        "rdfs:label",
        "vc:category",
        "vc:status",
        "vc:scale",
        "vc:scope",
        "vc:irremediability",
        "vc:likelihood",
        "vc:started",
        "vc:ended",
        "prov:wasDerivedFrom",
    }
)


def impact_summaries(
    store: StoreBackend, base: str, iris: Sequence[str] | None = None, typed_only: bool = False
) -> dict[str, ImpactSummary]:
    """Summaries of some impacts (or all, for None) with one query, not one per impact.

    Every property of the impact nodes is read and the summary's own picked in Python: the same
    join restricted by a ``VALUES ?p`` list is much slower, because Oxigraph then scans each
    predicate whole. A named IRI that is not a typed impact gets an empty summary, or none
    with ``typed_only``.
    """
    values = ""
    if iris is not None:
        if not iris:
            return {}
        named = [node for node in map(_named_node, iris) if node is not None]
        if not named:
            return {} if typed_only else {iri: impact_summary(iri, {}, base) for iri in iris}
        values = "VALUES ?i { " + " ".join(map(str, named)) + " } "
    query = f"SELECT ?i ?p ?o WHERE {{ {values}?i a vc:AdverseImpact . ?i ?p ?o }}"
    found: dict[str, dict[str, list[str]]] = {}
    for row in store.select(query):
        props = found.setdefault(row[0].value, {})
        key = compact(row[1].value, base)
        if key in SUMMARY_KEYS:
            props.setdefault(key, []).append(row[2].value)
    for iri in () if typed_only else iris or ():
        found.setdefault(iri, {})
    return {iri: impact_summary(iri, props, base) for iri, props in found.items()}


def _named_node(iri: str) -> ox.NamedNode | None:
    """The IRI as a term, or None when it is no IRI at all (and so names no impact)."""
    try:
        return ox.NamedNode(iri)
    except ValueError:
        return None


def impact_summary(iri: str, props: dict[str, list[str]], base: str) -> ImpactSummary:
    """One impact's summary from its compacted properties (the smallest value where several)."""

    def first(key: str) -> str | None:
        return min(props.get(key, []), default=None)

    def integer(key: str) -> int | None:
        value = first(key)
        return int(value) if value is not None else None

    categories = sorted(
        vocab.slug_of(vocab.CATEGORIES, c) or compact(c, base) for c in props.get("vc:category", [])
    )
    status = first("vc:status")
    likelihood = first("vc:likelihood")
    scale, scope, irremediability = (
        integer("vc:scale"),
        integer("vc:scope"),
        integer("vc:irremediability"),
    )
    return ImpactSummary(
        id=compact(iri, base),
        iri=iri,
        title=first("schema:name") or first("rdfs:label") or compact(iri, base),
        category=categories[0] if categories else None,
        status=(vocab.slug_of(vocab.STATUSES, status) or compact(status, base)) if status else None,
        severity=Severity(
            level=severity.level(scale, scope, irremediability),
            scale=scale,
            scope=scope,
            irremediability=irremediability,
        ),
        likelihood=float(likelihood) if likelihood is not None else None,
        # Several bounds widen the period, as the projection reads it.
        period=Period(
            started=min((d[:10] for d in props.get("vc:started", [])), default=None),
            ended=max((d[:10] for d in props.get("vc:ended", [])), default=None),
        ),
        sources=sorted(set(props.get("prov:wasDerivedFrom", []))),
    )


def impact_countries(store: StoreBackend) -> dict[str, set[str]]:
    """The countries of every impact, for filtering lists by country."""
    countries: dict[str, set[str]] = {}
    for row in store.select("SELECT ?i ?c WHERE { ?i a vc:AdverseImpact ; vc:country ?c }"):
        countries.setdefault(row[0].value, set()).add(row[1].value.upper())
    return countries


def relationship_sources(
    store: StoreBackend, p: Projection, edges: set[int]
) -> dict[int, list[str]]:
    """Sources of the stored relationships behind some path edges, in one query.

    Every edge asked about gets an entry, maybe empty, so that callers can remember the
    absence too.
    """
    if not edges:
        return {}
    # Sources belong to a (from, type, to) triple: every edge of that triple cites them all.
    keys: dict[tuple[str, str, str], list[int]] = {}
    for n in edges:
        stored = p.edges[n]
        triple = (p.iris[stored.source], vocab.RELATIONS[stored.relation], p.iris[stored.target])
        keys.setdefault(triple, []).append(n)
    values = " ".join(
        f"({ox.NamedNode(a)} {ox.NamedNode(r)} {ox.NamedNode(b)})" for a, r, b in keys
    )
    rows = store.select(
        "SELECT ?a ?r ?b ?src WHERE { VALUES (?a ?r ?b) { " + values + " } "
        "?rel vc:fromActor ?a ; vc:toActor ?b ; vc:relationshipType ?r ; "
        "prov:wasDerivedFrom ?src }"
    )
    found: dict[int, list[str]] = {n: [] for n in edges}
    for row in rows:
        for edge in keys[(row["a"].value, row["r"].value, row["b"].value)]:
            found[edge].append(row["src"].value)
    return {edge: sorted(urls) for edge, urls in found.items()}


def _slug_counts(rows: Iterable[ox.QuerySolution], table: dict[str, str]) -> dict[str, int]:
    """Counts keyed by vocabulary slug (or the compacted IRI for words outside the vocabulary)."""
    counts: dict[str, int] = {}
    for row in rows:
        key_term, count = row[0], row[1]
        iri = key_term.value if key_term is not None else ""
        key = vocab.slug_of(table, iri) or compact(iri, DEFAULT_BASE)
        counts[key] = int(count.value)
    return dict(sorted(counts.items()))


def _count_by(store: StoreBackend, cls: str, prop: str) -> list[ox.QuerySolution]:
    query = f"SELECT ?k (COUNT(DISTINCT ?n) AS ?c) WHERE {{ ?n a {cls} ; {prop} ?k }} GROUP BY ?k"
    return list(store.select(query))


def _count(store: StoreBackend, pattern: str) -> int:
    rows = list(store.select(f"SELECT (COUNT(*) AS ?c) WHERE {{ {pattern} }}"))
    return int(rows[0][0].value)


def graph_info(store: StoreBackend, base: str) -> GraphInfo:
    """Counts by kind, the way a curator checks what a load brought in."""
    relation_iris = " ".join(f"<{iri}>" for iri in vocab.RELATIONS.values())
    relationships = list(
        store.select(
            "SELECT ?k (COUNT(*) AS ?c) WHERE { ?a ?k ?b . ?a a vc:Actor . "
            f"VALUES ?k {{ {relation_iris} }} }} GROUP BY ?k"
        )
    )
    initiatives = [
        InitiativeCount(
            id=compact(row[0].value, base),
            iri=row[0].value,
            name=row[1].value if row[1] is not None else compact(row[0].value, base),
            members=int(row[2].value),
        )
        for row in store.select(
            "SELECT ?i (SAMPLE(?n) AS ?name) (COUNT(DISTINCT ?m) AS ?c) WHERE {"
            " ?i a vc:Initiative . OPTIONAL { ?i schema:name ?n }"
            " OPTIONAL { ?m vc:memberOf ?i } } GROUP BY ?i ORDER BY ?i"
        )
    ]
    return GraphInfo(
        triples=len(store),
        actors=_count(store, "?a a vc:Actor"),
        actors_by_role=_slug_counts(_count_by(store, "vc:Actor", "vc:role"), vocab.ROLES),
        relationships_by_type=_slug_counts(relationships, vocab.RELATIONS),
        impacts=_count(store, "?i a vc:AdverseImpact"),
        impacts_by_category=_slug_counts(
            _count_by(store, "vc:AdverseImpact", "vc:category"), vocab.CATEGORIES
        ),
        impacts_by_status=_slug_counts(
            _count_by(store, "vc:AdverseImpact", "vc:status"), vocab.STATUSES
        ),
        involvements_by_mode=_slug_counts(
            _count_by(store, "vc:Involvement", "vc:mode"), vocab.MODES
        ),
        leverage_by_basis=_slug_counts(_count_by(store, "vc:Leverage", "vc:basis"), vocab.BASES),
        initiatives=initiatives,
        responses_by_type=_slug_counts(
            _count_by(store, "vc:Response", "vc:responseType"), vocab.RESPONSE_TYPES
        ),
        products=_count(store, "?p a vc:Product"),
        impacts_with_period=_count(
            store, "?i a vc:AdverseImpact FILTER EXISTS { ?i vc:started|vc:ended ?d }"
        ),
        claims_by_assertion=_slug_counts(
            store.select(
                "SELECT ?k (COUNT(DISTINCT ?n) AS ?c) WHERE { ?n vc:assertion ?k } GROUP BY ?k"
            ),
            vocab.ASSERTIONS,
        ),
        specific_instances=_count(store, "?s a vc:SpecificInstance"),
    )


def node_exists(store: StoreBackend, node: ox.NamedNode, kind: str | None = None) -> bool:
    """Whether ``node`` is in the store (as an instance of the CURIE ``kind``, if given).

    ``kind`` is a CURIE written by the facade; the node travels as a term, never as text.
    """
    pattern = f"a {kind}" if kind else "?p ?o"
    return bool(
        store.query(f"ASK {{ ?node {pattern} }}", substitutions={ox.Variable("node"): node})
    )


def actor_properties(store: StoreBackend, iri: str, base: str) -> dict[str, list[str]]:
    """An actor's detail properties (compacted keys: ``vc:role``, ``schema:url``, ...)."""
    values: dict[str, list[str]] = {}
    for row in store.select(
        "SELECT ?p ?o WHERE { VALUES ?p { vc:role vc:sector vc:country vc:lei schema:url "
        f"prov:wasDerivedFrom vc:memberOf }} {ox.NamedNode(iri)} ?p ?o }}"
    ):
        values.setdefault(compact(row[0].value, base), []).append(row[1].value)
    return values


def impact_properties(store: StoreBackend, iri: str) -> dict[str, str]:
    """An impact's place, affected group and description, keyed by property IRI."""
    extra: dict[str, str] = {}
    for row in store.select(
        "SELECT ?p ?o WHERE { VALUES ?p { vc:country vc:affectedGroup dcterms:description } "
        f"{ox.NamedNode(iri)} ?p ?o }}"
    ):
        extra.setdefault(row[0].value, row[1].value)
    return extra


def actor_countries(store: StoreBackend) -> dict[str, str]:
    """Actor IRI -> its country code (the first stored, when several)."""
    countries: dict[str, str] = {}
    for row in store.select("SELECT ?a ?c WHERE { ?a a vc:Actor ; vc:country ?c }"):
        countries.setdefault(row[0].value, row[1].value)
    return countries


def actor_country(store: StoreBackend, iri: str) -> str | None:
    for row in store.select(f"SELECT ?c WHERE {{ {ox.NamedNode(iri)} vc:country ?c }} LIMIT 1"):
        return str(row[0].value)
    return None


_KINDS = {VC + "Actor": "actor", VC + "AdverseImpact": "impact", VC + "Initiative": "initiative"}


def search(store: StoreBackend, needle: str) -> list[tuple[str, str, str | None]]:
    """(IRI, kind, name) of the actors, impacts and initiatives whose IRI or name holds
    ``needle`` (lower case). The needle is written by pyoxigraph's own serialiser: any text is
    one literal."""
    literal = str(ox.Literal(needle))
    query = (
        "SELECT ?n ?type (SAMPLE(?name) AS ?label) WHERE { "
        "VALUES ?type { vc:Actor vc:AdverseImpact vc:Initiative } ?n a ?type . "
        "OPTIONAL { ?n schema:name ?name } "
        f"FILTER(CONTAINS(LCASE(STR(?n)), {literal}) || "
        f"CONTAINS(LCASE(STR(COALESCE(?name, ''))), {literal})) }} GROUP BY ?n ?type"
    )
    rows = store.select(query)
    return [
        (row[0].value, _KINDS[row[1].value], row[2].value if row[2] is not None else None)
        for row in rows
    ]
