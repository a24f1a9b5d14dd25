"""The service facade: one object that the CLI, the API and notebooks all call.

Faces stay thin: they parse arguments, call one method here, and render the pydantic model it
returns. That is what makes the CLI's JSON and the REST bodies identical.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from valuechain_kg import vocabulary as vocab
from valuechain_kg.errors import NotFound, ValidationFailed
from valuechain_kg.identifiers import compact, expand
from valuechain_kg.models import GraphInfo, InitiativeCount
from valuechain_kg.namespaces import DEFAULT_BASE
from valuechain_kg.store import GraphStore


def _slug_counts(rows: Iterable[ox.QuerySolution], table: dict[str, str]) -> dict[str, int]:
    """Counts keyed by vocabulary slug (or the compacted IRI for words outside the vocabulary)."""
    counts: dict[str, int] = {}
    for row in rows:
        key_term, count = row[0], row[1]
        iri = key_term.value if key_term is not None else ""
        key = vocab.slug_of(table, iri) or compact(iri, DEFAULT_BASE)
        counts[key] = int(count.value)
    return dict(sorted(counts.items()))


class KnowledgeGraph:
    """A value-chain knowledge graph over one embedded Oxigraph store."""

    def __init__(self, store: GraphStore, base: str = DEFAULT_BASE) -> None:
        self.store = store
        self.base = base

    @classmethod
    def open(
        cls,
        store: Path | str | None = None,
        data: Sequence[Path | str] = (),
        base: str = DEFAULT_BASE,
        validate: bool = False,
    ) -> KnowledgeGraph:
        """Open an on-disk store (or a fresh in-memory one) and load ``data`` into it."""
        kg = cls(GraphStore(store), base=base)
        if data:
            kg.load([Path(p) for p in data], validate=validate)
        return kg

    def close(self) -> None:
        self.store.close()

    # --- data in and out -------------------------------------------------------------------

    def read(self, paths: Sequence[Path]) -> object:
        """Parse RDF files and CSV bundles without touching the store (raises InputError)."""
        from valuechain_kg.ingest import read_sources

        return read_sources(list(paths), base=self.base)

    def load(self, paths: Sequence[Path], validate: bool = True) -> int:
        """Load files atomically: parsed and validated in full before anything is written.

        Returns the number of quads read. Raises InputError for unreadable input and
        ValidationFailed when the store plus the new data would break a shape (Violation).
        """
        result = self.read(paths)
        quads: list[ox.Quad] = result.quads  # type: ignore[attr-defined]
        if validate:
            report = self.validate_with(quads, result.origins)  # type: ignore[attr-defined]
            if not report.conforms:
                raise ValidationFailed(report)
        before = len(self.store)
        self.store.add(quads)
        return len(self.store) - before

    def validate_with(self, extra: Sequence[ox.Quad] = (), origins: dict | None = None):  # type: ignore[no-untyped-def]
        """SHACL report for what the store holds plus ``extra`` quads not yet loaded."""
        from valuechain_kg.validation import validate

        return validate([*self.store.quads(), *extra], origins=origins)

    def export(self, fmt: str = "ttl") -> bytes:
        return self.store.export(fmt)

    def sparql(self, query: str) -> object:
        """Run a SPARQL query against the store (the researcher's way in)."""
        return self.store.query(query)

    # --- ids ---------------------------------------------------------------------------------

    def iri(self, identifier: str) -> str:
        return expand(identifier, self.base)

    def id_of(self, iri: str) -> str:
        return compact(iri, self.base)

    def resolve(self, identifier: str, kind: str | None = None) -> str:
        """The IRI of an existing node of a class (e.g. ``vc:AdverseImpact``), else NotFound."""
        iri = self.iri(identifier)
        type_pattern = f"a {kind}" if kind else "?p ?o"
        if not self.store.query(f"ASK {{ <{iri}> {type_pattern} }}"):
            what = kind.split(":")[-1] if kind else "node"
            raise NotFound(f"no {what} with id '{identifier}' (looked for <{iri}>)")
        return iri

    # --- overview ----------------------------------------------------------------------------

    def _count_by(self, cls: str, prop: str) -> list[ox.QuerySolution]:
        query = (
            f"SELECT ?k (COUNT(DISTINCT ?n) AS ?c) WHERE {{ ?n a {cls} ; {prop} ?k }} GROUP BY ?k"
        )
        return list(self.store.query(query))  # type: ignore[call-overload]

    def _count(self, pattern: str) -> int:
        rows = list(self.store.query(f"SELECT (COUNT(*) AS ?c) WHERE {{ {pattern} }}"))  # type: ignore[call-overload]
        return int(rows[0][0].value)

    def info(self) -> GraphInfo:
        """Counts by kind, the way a curator checks what a load brought in."""
        relation_iris = " ".join(f"<{iri}>" for iri in vocab.RELATIONS.values())
        relationships = list(
            self.store.query(  # type: ignore[call-overload]
                "SELECT ?k (COUNT(*) AS ?c) WHERE { ?a ?k ?b . ?a a vc:Actor . "
                f"VALUES ?k {{ {relation_iris} }} }} GROUP BY ?k"
            )
        )
        initiatives = [
            InitiativeCount(
                id=self.id_of(row[0].value),
                iri=row[0].value,
                name=row[1].value if row[1] is not None else self.id_of(row[0].value),
                members=int(row[2].value),
            )
            for row in self.store.query(  # type: ignore[union-attr]
                "SELECT ?i (SAMPLE(?n) AS ?name) (COUNT(DISTINCT ?m) AS ?c) WHERE {"
                " ?i a vc:Initiative . OPTIONAL { ?i schema:name ?n }"
                " OPTIONAL { ?m vc:memberOf ?i } } GROUP BY ?i ORDER BY ?i"
            )
        ]
        return GraphInfo(
            triples=len(self.store),
            actors=self._count("?a a vc:Actor"),
            actors_by_role=_slug_counts(self._count_by("vc:Actor", "vc:role"), vocab.ROLES),
            relationships_by_type=_slug_counts(relationships, vocab.RELATIONS),
            impacts=self._count("?i a vc:AdverseImpact"),
            impacts_by_category=_slug_counts(
                self._count_by("vc:AdverseImpact", "vc:category"), vocab.CATEGORIES
            ),
            impacts_by_status=_slug_counts(
                self._count_by("vc:AdverseImpact", "vc:status"), vocab.STATUSES
            ),
            involvements_by_mode=_slug_counts(
                self._count_by("vc:Involvement", "vc:mode"), vocab.MODES
            ),
            leverage_by_basis=_slug_counts(self._count_by("vc:Leverage", "vc:basis"), vocab.BASES),
            initiatives=initiatives,
            responses_by_type=_slug_counts(
                self._count_by("vc:Response", "vc:responseType"), vocab.RESPONSE_TYPES
            ),
        )
