"""The service facade: one object that the CLI, the API and notebooks all call.

Faces stay thin: they parse arguments, call one method here, and render the pydantic model it
returns. That is what makes the CLI's JSON and the REST bodies identical.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pyoxigraph as ox

from valuechain_kg import vocabulary as vocab
from valuechain_kg.analysis import leverage as lev
from valuechain_kg.analysis import linkage, responses, screening, severity
from valuechain_kg.analysis.projection import Projection, edge_key, leverage_network
from valuechain_kg.errors import NotFound, UsageError
from valuechain_kg.identifiers import compact, expand
from valuechain_kg.models import (
    ActorDetail,
    ActorImpact,
    ActorImpactsAnswer,
    ActorList,
    ActorSummary,
    GraphInfo,
    HoldingsAnswer,
    HypotheticalLeverage,
    HypotheticalMembership,
    ImpactDetail,
    ImpactInvolvement,
    ImpactList,
    ImpactSummary,
    InitiativeRef,
    LeverageAnswer,
    LinkedActorsAnswer,
    Relationship,
    RisksAnswer,
    SearchAnswer,
    SearchHit,
)
from valuechain_kg.namespaces import DCTERMS, DEFAULT_BASE, PREFIXES, VC
from valuechain_kg.service import answers, loads, lookups, screening_answers, writes
from valuechain_kg.service.cache import ProjectionCache, RevisionMemo
from valuechain_kg.service.projection_file import ProjectionFile
from valuechain_kg.service.projection_patch import PATCH_LIMIT, patch_projection
from valuechain_kg.service.projection_reader import build_projection
from valuechain_kg.sparql_tokens import undeclared_prefixes
from valuechain_kg.store import PROGRESS_THRESHOLD, ProgressCallback
from valuechain_kg.store.backend import StoreBackend, open_store
from valuechain_kg.store.ontology import query_options

__all__ = ["PROGRESS_THRESHOLD", "KnowledgeGraph", "served_revision"]

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_IMPACT = ox.NamedNode(VC + "AdverseImpact")

_log = logging.getLogger(__name__)

#: Per thread: the revision of the projection the last analysis call on it used.
_served = threading.local()


def served_revision() -> str | None:
    """The revision of the projection the calling thread's last analysis answer came from,
    then forgotten (a face reads it right after the call, to state it beside the answer)."""
    found: str | None = getattr(_served, "revision", None)
    _served.revision = None
    return found


if TYPE_CHECKING:
    from valuechain_kg.ingest import IngestResult


class KnowledgeGraph:
    """A value-chain knowledge graph over one store: embedded Oxigraph or a remote engine."""

    def __init__(self, store: StoreBackend, base: str = DEFAULT_BASE) -> None:
        self.store = store
        self.base = base
        # The one piece of shared state besides the store: what was derived from it, keyed on
        # its revision so that a write makes it stale (DESIGN.md, "projection").
        self._projections: ProjectionCache[Projection] = ProjectionCache()
        self._answer_memo = RevisionMemo(store.revision)
        #: Saved beside an on-disk store, so that a restart reads it instead of rebuilding.
        self._saved = ProjectionFile(store.path) if store.path is not None else None
        self._builds = 0
        self._loads = 0
        self._patches = 0
        #: A server sets this: while a rebuild runs, analysis answers come from the previous
        #: projection (stating its revision) instead of waiting for the new one.
        self.serve_previous = False
        self._rebuild: threading.Thread | None = None
        self._rebuild_lock = threading.Lock()
        self._closed = False

    @classmethod
    def open(
        cls,
        store: Path | str | None = None,
        data: Sequence[Path | str] = (),
        base: str = DEFAULT_BASE,
        validate: bool = False,
        create: bool = True,
    ) -> KnowledgeGraph:
        """Open a store (a folder, an ``http(s)://`` SPARQL engine, or a fresh in-memory one)
        and load ``data`` into it.

        ``create`` False leaves a store folder that does not exist uncreated until a write.
        """
        kg = cls(open_store(store, create=create), base=base)
        if data:
            kg.load([Path(p) for p in data], validate=validate)
        return kg

    def close(self) -> None:
        """Save the projection beside an on-disk store and release the store; once."""
        if self._closed:
            return
        self._closed = True
        self.save_projection()
        self.store.close()

    def save_projection(self) -> bool:
        """Save the current projection beside an on-disk store, unless it is saved already.

        Patched projections are saved here (at close) rather than after every small write.
        """
        if self._saved is None:
            return False
        p = self._projections.peek(self.store.revision, None)
        if p is None or self._saved.saved_revision() == p.revision:
            return False
        return self.store.record_revision() and self._saved.save(p)

    # --- data in and out -------------------------------------------------------------------

    def read(
        self, paths: Sequence[Path], on_progress: ProgressCallback | None = None
    ) -> IngestResult:
        """Parse RDF files and CSV bundles without touching the store (raises InputError)."""
        from valuechain_kg.ingest import read_sources

        return read_sources(list(paths), base=self.base, on_progress=on_progress)

    def load(
        self,
        paths: Sequence[Path],
        validate: bool = True,
        on_progress: ProgressCallback | None = None,
    ) -> int:
        """Load files atomically: parsed and validated in full before anything is written.

        Returns how many quads the store gained. Raises InputError for unreadable input and
        ValidationFailed when the store plus the new data would break a shape (Violation).
        """
        before = self._before_write()
        gained, staged = loads.load_sources(
            self.store, paths, self.base, validate, on_progress, keep=PATCH_LIMIT
        )
        if staged is not None:
            # Every quad read, new or not: the patch reads the touched keys again from the store.
            self.observe_change(before, added=staged)
        return gained

    def update(
        self,
        update: str,
        base_iri: str | None = None,
        before_commit: Callable[[], None] | None = None,
        guarded: bool = True,
    ) -> writes.UpdateOutcome:
        """A SPARQL update as one validated transaction (``service.writes``): all or nothing.

        ``guarded`` False only for update text written by pyoxigraph from parsed quads.
        """
        before = self._before_write()
        outcome = writes.apply_validated_update(
            self.store, update, base_iri, before_commit, guarded=guarded
        )
        self.observe_change(before, added=outcome.added_quads, removed=outcome.removed_quads)
        return outcome

    # --- keeping the projection in step with writes ------------------------------------------

    def _before_write(self) -> tuple[str, int]:
        return self.store.revision, self.store.writes

    def observe_change(
        self,
        before: tuple[str, int],
        added: Sequence[ox.Quad] = (),
        removed: Sequence[ox.Quad] = (),
    ) -> bool:
        """Patch the projection with one write's difference (``before``: ``_before_write()``
        taken just before it); True when patched (or, in a server, a patch started), False
        when the next use rebuilds.

        Patched only when this write is the one right after the projection's revision (no other
        write landed between), and when it is small and touches relationships, involvements or
        leverage claims only (``projection_patch``).
        """
        revision, writes_before = before
        now, writes_now = self.store.revision, self.store.writes
        if writes_now == writes_before:
            return False  # nothing was written
        if writes_now != writes_before + 1:
            return False
        self._carry_impact_table(revision, now, added, removed)
        current = self._projections.peek(revision, None)
        if current is None:
            return False
        if not self.serve_previous:
            return self._patch(current, added, removed, now, writes_now)
        # A server answers from the current projection, stating its revision, while the patch
        # runs beside it: the write is not held up by it, and no rebuild starts meanwhile.
        with self._rebuild_lock:
            if self._rebuild is not None and self._rebuild.is_alive():
                return False
            self._rebuild = threading.Thread(
                target=self._patch,
                args=(current, added, removed, now, writes_now),
                name="vckg-projection-patch",
                daemon=True,
            )
            self._rebuild.start()
        return True

    def _carry_impact_table(
        self, revision: str, now: str, added: Sequence[ox.Quad], removed: Sequence[ox.Quad]
    ) -> None:
        """Keep the impact table read at ``revision`` for ``now`` when the one write between
        them (``added``, ``removed``) has no impact node as a subject and types none: the table
        is made of those nodes' own properties only, so it is the same."""
        memo = self._answer_memo
        if not memo.fresh_for(revision) or len(added) + len(removed) > PATCH_LIMIT:
            return
        known, table = memo.known(("impact-table",))
        if not known:
            return
        for q in (*added, *removed):
            if q.predicate == _RDF_TYPE and q.object == _IMPACT:
                return
            if getattr(q.subject, "value", None) in table:  # a quoted triple is no impact
                return
        carried = RevisionMemo(now)
        carried.put(("impact-table",), table)
        if not self._answer_memo.fresh_for(now):
            self._answer_memo = carried

    def _patch(
        self,
        current: Projection,
        added: Sequence[ox.Quad],
        removed: Sequence[ox.Quad],
        now: str,
        writes_now: int,
    ) -> bool:
        """Bring ``current`` to revision ``now`` with one write's difference, and keep it."""
        try:
            patched = patch_projection(current, self.store, added, removed, now)
        except Exception:  # a patch that fails must not fail the write that succeeded
            _log.exception("patching the projection failed; it will be rebuilt")
            return False
        # A write that landed while the touched rows were read makes them a mix of two states.
        if patched is None or self.store.writes != writes_now:
            return False
        self._projections.drop_other_dates()
        self._projections.put(None, patched)
        self._patches += 1
        return True

    def validate_with(self, extra: Sequence[ox.Quad] = (), origins: dict | None = None):  # type: ignore[no-untyped-def]
        """SHACL report for what the store holds plus ``extra`` quads not yet loaded.

        Runs the shapes compiled to SPARQL on Oxigraph (``validation``): the same report as
        pyshacl (``validation.reference``, tested equal) in a fraction of the time.
        Without ``extra`` the whole store is checked. With ``extra`` into a store that holds
        data, only the focus nodes the new quads can affect are checked, over their
        neighbourhood in the store (``validation.incremental``): a 20-row bundle into a
        national value chain must not re-validate every actor. Large loads
        relative to the store, and loads into an empty store, are checked in full.

        A large embedded store checked whole is compacted beside the check, as a validated
        load compacts its staging store, unless it was compacted with no write since: a store
        filled by a load without validation keeps the bulk loader's overlapping files
        otherwise, and every scan of the check merges them.
        """
        from valuechain_kg.store import GraphStore
        from valuechain_kg.validation import validate_change, validate_store

        if not extra:
            compaction = None
            if isinstance(self.store, GraphStore):
                compaction = writes.compaction_before_validating(self.store)
            return validate_store(self.store, origins=origins, alongside=compaction)
        return validate_change(self.store, added=extra, origins=origins)

    def export(self, fmt: str = "ttl") -> bytes:
        return self.store.export(fmt)

    def sparql(self, query: str, **options: object) -> object:
        """Run a SPARQL query against the store (the researcher's way in).

        ``options`` are pyoxigraph's (``default_graph``, ``named_graphs``, ``base_iri``, ...);
        the text passes ``sparql_guard`` first, as every query does. Without a dataset of its
        own, the query's default graph is the data's plus the ontology's (``store.ontology``).
        """
        try:
            return self.store.query(query, **query_options(query, options))
        except SyntaxError as exc:
            # The engine names neither the prefix nor the ones it knows; say both.
            unknown = undeclared_prefixes(query, PREFIXES)
            if not unknown:
                raise
            prefix, line, column = unknown[0]
            known = ", ".join(f"{p}:" for p in PREFIXES)
            raise SyntaxError(
                f"error at {line}:{column}: unknown prefix '{prefix}:'; declare it with "
                f"PREFIX {prefix}: <...> or use a predeclared prefix: {known}"
            ) from exc

    @property
    def revision(self) -> str:
        """Changes whenever the data changes: what ETags and caches key on."""
        return self.store.revision

    @property
    def persistent(self) -> bool:
        """Whether the store is on disk (it outlives the process)."""
        return self.store.path is not None

    def is_empty(self) -> bool:
        return next(iter(self.store.quads()), None) is None

    def graph_quads(
        self, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph
    ) -> Iterator[ox.Quad]:
        """The quads of one graph of the store, streamed (the Graph Store Protocol's read)."""
        return self.store.oxigraph.quads_for_pattern(None, None, None, graph)

    def dump_graph(
        self,
        out: IO[bytes],
        graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph,
        fmt: ox.RdfFormat,
        prefixes: dict[str, str] | None = None,
    ) -> None:
        """One graph serialised to ``out`` in a graph format (Turtle, N-Triples, ...)."""
        self.store.oxigraph.dump(out, format=fmt, from_graph=graph, prefixes=prefixes)

    # --- ids ---------------------------------------------------------------------------------

    def iri(self, identifier: str) -> str:
        return expand(identifier, self.base)

    def id_of(self, iri: str) -> str:
        return compact(iri, self.base)

    def resolve(self, identifier: str, kind: str | None = None) -> str:
        """The IRI of an existing node of a class (e.g. ``vc:AdverseImpact``), else NotFound."""
        iri = self.iri(identifier)
        what = kind.split(":")[-1] if kind else "node"
        node = _named_node(iri, f"no {what} with id {identifier!r}")
        if not lookups.node_exists(self.store, node, kind):
            raise NotFound(f"no {what} with id {identifier!r} (looked for {node})")
        return iri

    # --- overview ----------------------------------------------------------------------------

    def info(self) -> GraphInfo:
        """Counts by kind, the way a curator checks what a load brought in.

        Counting scans the whole store, and ``GET /health`` asks for
        these counts on every probe, so they are remembered until the data changes.
        """
        info = self._memo().get(("info",), lambda: lookups.graph_info(self.store, self.base))
        return info.model_copy(deep=True)

    # --- analysis: who is linked, who holds leverage -----------------------------------------
    # The projection is built from the store once per (revision, as_of) and reused until the
    # data changes; every answer below is assembled from it plus a few small SPARQL look-ups.
    # Core results (linkage, holders, impact summaries, path evidence) are remembered per
    # revision in a bounded memo; pydantic models are built only for the page returned.

    @property
    def projection_builds(self) -> int:
        """How many times a projection was built from the store (the cache tests watch this)."""
        return self._builds

    @property
    def projection_loads(self) -> int:
        """How many times the saved projection was read back instead of built."""
        return self._loads

    @property
    def projection_patches(self) -> int:
        """How many writes were folded into the projection without rebuilding it."""
        return self._patches

    @property
    def analysis_ready(self) -> bool:
        """Whether the projection of the store as it is now is in memory (no build needed)."""
        return self._projections.peek(self.store.revision, None) is not None

    @property
    def analysis_revision(self) -> str | None:
        """The revision of the projection analysis answers come from now (None: none yet)."""
        p = self._projections.latest(None)
        return p.revision if p is not None else None

    def projection(self, as_of: date | str | None = None) -> Projection:
        """The actor network at the store's current revision, built only when data changed.

        With ``serve_previous`` set and a projection of an older revision at hand, that one is
        returned while a background thread builds the new one.
        """
        when = _iso_date(as_of)
        revision = self.store.revision
        found = self._projections.peek(revision, when)
        if found is None and self.serve_previous:
            found = self._projections.latest(when)
            if found is not None:
                self._rebuild_in_background(when)
        if found is None:
            found = self._projections.get(revision, when, lambda: self._build(when))
        _served.revision = found.revision
        return found

    def _rebuild_in_background(self, when: str | None) -> None:
        """Start one thread building the projection of the current revision, if none runs."""
        with self._rebuild_lock:
            if self._rebuild is not None and self._rebuild.is_alive():
                return

            def rebuild() -> None:
                try:
                    # Until the build catches up with the writes that land meanwhile.
                    while True:
                        revision = self.store.revision
                        self._projections.get(revision, when, lambda: self._build(when))
                        if self.store.revision == revision:
                            return
                except Exception:
                    _log.exception("rebuilding the projection failed")

            self._rebuild = threading.Thread(target=rebuild, name="vckg-projection", daemon=True)
            self._rebuild.start()

    def wait_for_rebuild(self, timeout: float | None = None) -> None:
        """Wait for a background rebuild started by ``projection`` (tests, orderly shutdown)."""
        thread = self._rebuild
        if thread is not None:
            thread.join(timeout)

    def _build(self, when: str | None) -> Projection:
        saved = self._saved if when is None else None
        revision = self.store.revision
        built = saved.load(revision) if saved is not None else None
        if built is not None:
            self._loads += 1
        else:
            built = build_projection(self.store, as_of=when, base=self.base)
            self._builds += 1
            if saved is not None and built.revision == revision and self.store.record_revision():
                saved.save(built)
        # A server warms what every answer shows, so that its start-up warm-up pays for it
        # rather than a request in the hot path; a command asking about one impact reads that
        # impact only (``_known_impact``).
        if self.serve_previous:
            self._impact_table()
        return built

    def _memo(self) -> RevisionMemo:
        """Remembered answers for the store's current revision (a new revision, a new memo)."""
        if not self._answer_memo.fresh_for(self.store.revision):
            self._answer_memo = RevisionMemo(self.store.revision)
        return self._answer_memo

    def _impact_table(self) -> dict[str, ImpactSummary]:
        """Every impact's summary, read in one batch once per store revision.

        Every question starts from an impact or lists impacts, so the first question after a
        change pays one scan of the few impact nodes instead of two SPARQL look-ups per question.
        """
        return self._memo().get(("impact-table",), self._read_impact_table)

    def _read_impact_table(self) -> dict[str, ImpactSummary]:
        # Every typed impact is in it, with or without summary properties (its type is a row).
        return lookups.impact_summaries(self.store, self.base)

    def _known_impact(self, identifier: str) -> tuple[str, ImpactSummary]:
        """The IRI and summary of an existing impact (NotFound otherwise), from the table when
        it has been read at this revision, else read alone: a one-question command need not
        read every impact."""
        iri = self.iri(identifier)
        read, table = self._memo().known(("impact-table",))
        if read:
            summary = table.get(iri)
        else:
            alone = lookups.impact_summaries(self.store, self.base, [iri], typed_only=True)
            summary = alone.get(iri)
        if summary is None:
            raise NotFound(f"no AdverseImpact with id '{identifier}' (looked for <{iri}>)")
        return iri, summary

    def _linkage(
        self,
        p: Projection,
        iri: str,
        max_hops: int,
        min_status: str | None = None,
        strict_products: bool = False,
    ) -> list[linkage.Linkage]:
        """Who is linked to an impact under these options (the projection's ``as_of``, if any,
        replacing the impact's period), remembered per revision."""
        return self._memo().get(
            ("linked", p.revision, p.as_of, iri, max_hops, min_status, strict_products),
            lambda: linkage.linked_actors(
                p, iri, max_hops, p.as_of, min_status=min_status, strict_products=strict_products
            ),
        )

    def linked_actors(
        self,
        impact: str,
        max_hops: int = 6,
        as_of: date | str | None = None,
        limit: int = 1000,
        offset: int = 0,
        min_status: str | None = None,
        strict_products: bool = False,
    ) -> LinkedActorsAnswer:
        """Every actor that causes, contributes to or is directly linked to an impact.

        MNE Guidelines 2023, Chapter II, A.11-A.12 and its commentary; UNGP 13 and 19 (DESIGN.md,
        "Linkage"). ``as_of`` replaces the impact's period with one day; ``min_status`` ignores
        claims asserted below it; ``strict_products`` keeps only derived rows whose path
        follows the harm's product throughout.
        """
        _check_options(max_hops, limit, offset)
        linkage.status_rank(min_status)
        iri, summary = self._known_impact(impact)
        p = self.projection(as_of)
        found = self._linkage(p, iri, max_hops, min_status, strict_products)
        page = found[offset : offset + limit]
        evidence = self._relationship_sources(p, {n for x in page for n in x.path})
        note = None
        if not any(x.mode == "cause" for x in found):
            note = (
                "No entity is known to cause this impact: direct linkage is derived from causes "
                "only, so only asserted involvements are listed."
            )
        # One validation call over plain dicts: pydantic-core builds the nested models in Rust,
        # faster than one constructor call per actor and path step (same JSON).
        return LinkedActorsAnswer.model_validate(
            {
                "impact": summary.model_dump(),
                "actors": [
                    answers.linked_actor_record(p, x, evidence, summary.status) for x in page
                ],
                "total": len(found),
                "limit": limit,
                "offset": offset,
                "note": note,
            }
        )

    def leverage(
        self,
        impact: str,
        threshold: float = 0.5,
        max_hops: int = 6,
        as_of: date | str | None = None,
        min_status: str | None = None,
        strict_products: bool = False,
        limit: int = 1000,
        offset: int = 0,
    ) -> LeverageAnswer:
        """Who holds leverage over each entity causing or contributing to an impact: alone,
        along the impact's own value chain, or together.

        UNGP 19 commentary; MNE Guidelines 2023, Chapter II and its commentary (DESIGN.md,
        "Leverage").
        """
        return self.leverage_what_if(
            impact,
            threshold=threshold,
            max_hops=max_hops,
            as_of=as_of,
            min_status=min_status,
            strict_products=strict_products,
            limit=limit,
            offset=offset,
        )

    def leverage_what_if(
        self,
        impact: str,
        extra_leverage: Sequence[HypotheticalLeverage] = (),
        extra_memberships: Sequence[HypotheticalMembership] = (),
        threshold: float = 0.5,
        max_hops: int = 6,
        as_of: date | str | None = None,
        min_status: str | None = None,
        strict_products: bool = False,
        limit: int = 1000,
        offset: int = 0,
    ) -> LeverageAnswer:
        """The leverage answer as it would be with hypothetical edges and memberships added.

        Nothing is written: the store and the cached projection stay as they were. Useful to
        ask whether joining an initiative, or a new contract clause, would build enough
        leverage (UNGP 19 commentary; Due Diligence Guidance 2018, Section II).
        """
        _check_options(max_hops, limit, offset)
        if not 0.0 < threshold <= 1.0:
            raise UsageError(f"threshold must be in (0, 1], not {threshold}")
        linkage.status_rank(min_status)  # an unknown status is a usage error, before any work
        iri, summary = self._known_impact(impact)
        when = _iso_date(as_of)
        p = self.projection(when)
        found_linkage = self._linkage(p, iri, max_hops, min_status, strict_products)
        network = self._leverage_network(p, iri, when, min_status)
        if extra_leverage:
            network = network.with_extra(self._hypothetical_edges(p, extra_leverage))
        members, names = p.members, p.initiative_names
        if extra_memberships:
            members = {k: list(v) for k, v in members.items()}
            names = dict(names)
            for m in extra_memberships:
                node = self._actor_node(p, m.actor)
                initiative = self.iri(m.initiative)
                if node not in members.setdefault(initiative, []):
                    members[initiative].append(node)
                if m.name:
                    names[initiative] = m.name

        def analyse() -> list[lev.TargetLeverage[int]]:
            return lev.impact_leverage(
                network,
                [(x.actor, x.mode) for x in found_linkage if x.mode in _TARGET_MODES],
                {x.actor for x in found_linkage},
                threshold=threshold,
                max_hops=max_hops,
                category=summary.category,
                kind_of=p.kind,
                members=members,
                scopes=p.initiative_scopes,
                key_of=self.id_of,
            )

        if extra_leverage or extra_memberships:
            found = analyse()
        else:
            key = (
                "leverage",
                p.revision,
                when,
                iri,
                max_hops,
                min_status,
                strict_products,
                threshold,
            )
            found = self._memo().get(key, analyse)
        modes = {x.actor: x.mode for x in found_linkage}
        page = slice(offset, offset + limit)
        targets = []
        for target in found:
            model = answers.leverage_target(p, target, names, threshold, self.id_of)
            model.holders = answers.holder_models(p, network, modes, target.holders[page])
            model.other_influence = answers.holder_models(p, network, modes, target.other_influence)
            targets.append(model)
        note = None
        if not targets:
            note = (
                "No entity is known to cause or contribute to this impact, so there is no one "
                "to hold leverage over."
            )
        return LeverageAnswer(
            # A fresh copy for the caller: dump and validate is cheaper than a deep copy.
            impact=ImpactSummary.model_validate(summary.model_dump()),
            targets=targets,
            limit=limit,
            offset=offset,
            note=note,
        )

    def _leverage_network(
        self, p: Projection, iri: str, when: str | None, min_status: str | None
    ) -> lev.LeverageNetwork[int]:
        """The leverage edges that count for one impact (its period or ``as_of``, its
        ``min_status``), remembered per revision: rebuilt only when something is excluded."""
        return self._memo().get(
            ("leverage-network", p.revision, p.as_of, iri, when, min_status),
            lambda: leverage_network(p, iri, when, min_status),
        )

    def impacts_of(
        self,
        actor: str,
        max_hops: int = 6,
        as_of: date | str | None = None,
        limit: int = 1000,
        offset: int = 0,
        min_status: str | None = None,
        strict_products: bool = False,
    ) -> ActorImpactsAnswer:
        """Every impact an actor is involved in, and how: the reverse of ``linked_actors``,
        under the same options."""
        _check_options(max_hops, limit, offset)
        linkage.status_rank(min_status)
        p = self.projection(as_of)
        node = self._actor_node(p, actor)
        linked = linkage.impacts_of(
            p, node, max_hops, p.as_of, min_status=min_status, strict_products=strict_products
        )
        table = self._impact_table()
        # An involvement may name an impact node that is not typed as one (no summary in the
        # table): it gets an empty summary, which sorts last among its mode.
        summaries = {
            x.impact: table.get(x.impact) or lookups.impact_summary(x.impact, {}, self.base)
            for x in linked
        }
        # By mode, then most severe first (UNGP 24), as ``impacts`` orders them.
        found = sorted(
            linked,
            key=lambda x: (vocab.MODE_RANK[x.mode], _severity_order(summaries[x.impact])),
        )
        page = found[offset : offset + limit]
        kind = responses.actor_kind(p.roles[node])
        # Copies: the answer is the caller's to change, the table is not.
        by_iri = {
            x.impact: ImpactSummary.model_validate(summaries[x.impact].model_dump()) for x in page
        }
        evidence = self._relationship_sources(p, {n for x in page for n in x.path})
        impacts = [
            ActorImpact(
                impact=by_iri[x.impact],
                involvement=x.mode,
                asserted=x.asserted,
                assertion=x.assertion,
                hops=x.hops,
                product_continuity=x.product_continuity,
                path=answers.path_steps(p, x.path, evidence),
                expected_response=responses.expected_response(
                    x.mode, by_iri[x.impact].status, kind
                ),
                confidence=x.confidence,
                sources=list(x.sources),
            )
            for x in page
        ]
        return ActorImpactsAnswer(
            actor=self._actor_summary(p, node),
            impacts=impacts,
            total=len(found),
            limit=limit,
            offset=offset,
        )

    def screen(
        self,
        actor: str | None = None,
        max_hops: int = 6,
        as_of: date | str | None = None,
        limit: int = 1000,
        offset: int = 0,
        min_status: str | None = None,
        strict_products: bool = False,
    ) -> RisksAnswer:
        """Risk-based scoping: the risk indicators that reach an actor (or every actor), each
        with its explaining path, most severe category and closest first.

        Due Diligence Guidance, Section II, step 2; UNGP 17 commentary. Results are potential
        exposure, never causes, contributions or direct linkage; the options are linkage's.
        """
        _check_options(max_hops, limit, offset)
        linkage.status_rank(min_status)
        p = self.projection(as_of)
        node = self._actor_node(p, actor) if actor is not None else None
        found = self._memo().get(
            ("screen", p.revision, p.as_of, node, max_hops, min_status, strict_products),
            lambda: screening.screen(
                p, node, max_hops, p.as_of, min_status=min_status, strict_products=strict_products
            ),
        )
        page = found[offset : offset + limit]
        evidence = self._relationship_sources(p, {n for x in page for n in x.path})
        note = None
        if not p.screening.indicators:
            note = "No risk indicator is loaded: import a list first (vckg import ilab)."
        elif not found:
            note = "No risk indicator reaches this actor through its production or relationships."
        return RisksAnswer(
            actor=self._actor_summary(p, node) if node is not None else None,
            risks=screening_answers.exposure_models(
                p, page, evidence, lambda n: self._actor_summary(p, n)
            ),
            by_category=screening.by_category(found),
            total=len(found),
            limit=limit,
            offset=offset,
            note=note,
        )

    def holdings(
        self,
        actor: str,
        max_hops: int = 6,
        as_of: date | str | None = None,
        limit: int = 1000,
        offset: int = 0,
    ) -> HoldingsAnswer:
        """Over whom an actor holds leverage, directly or along a chain (best path each)."""
        _check_options(max_hops, limit, offset)
        p = self.projection(as_of)
        node = self._actor_node(p, actor)
        best = lev.best_paths_from(p.leverage, node, max_hops)
        ordered = sorted(
            best.values(), key=lambda h: (-round(h.strength, lev.DIGITS), h.hops, h.target)
        )
        holdings = answers.holding_models(p, ordered[offset : offset + limit])
        return HoldingsAnswer(
            actor=self._actor_summary(p, node),
            holdings=holdings,
            total=len(ordered),
            limit=limit,
            offset=offset,
        )

    def actor(self, identifier: str) -> ActorDetail:
        """One actor: names, roles, sectors, memberships and business relationships."""
        iri = self.resolve(identifier, "vc:Actor")
        p = self.projection()
        node = p.node(iri)
        if node is None:  # added since the projection being served (a rebuild runs)
            raise NotFound(f"no actor with id {identifier!r} in the analysis yet: retry shortly")
        values = lookups.actor_properties(self.store, iri, self.base)
        # In the order a build numbers edges (a patch numbers new ones last).
        edge_numbers = sorted(
            {*p.flow_out[node], *p.flow_in[node], *p.financial_out[node], *p.financial_in[node]},
            key=lambda n: edge_key(p.edges[n]),
        )
        relationships = [
            Relationship(
                **{"from": p.ids[e.source], "relation": e.relation, "to": p.ids[e.target]},
                ownership_share=e.ownership_share,
                revenue_share=e.revenue_share,
                valid_from=e.valid_from,
                valid_until=e.valid_until,
            )
            for e in (p.edges[n] for n in edge_numbers)
        ]
        initiatives = [
            InitiativeRef(id=self.id_of(i), iri=i, name=p.initiative_names.get(i, self.id_of(i)))
            for i in sorted(set(values.get("vc:memberOf", [])))
        ]
        return ActorDetail(
            id=p.ids[node],
            iri=iri,
            name=p.names[node],
            roles=list(p.roles[node]),
            sectors=sorted(
                vocab.slug_of(vocab.SECTORS, s) or self.id_of(s)
                for s in values.get("vc:sector", [])
            ),
            country=min(values.get("vc:country", []), default=None),
            lei=min(values.get("vc:lei", []), default=None),
            website=min(values.get("schema:url", []), default=None),
            sources=sorted(set(values.get("prov:wasDerivedFrom", []))),
            initiatives=initiatives,
            relationships=relationships,
        )

    def impact(self, identifier: str) -> ImpactDetail:
        """One impact: its summary, place, affected group and asserted involvements."""
        iri = self.resolve(identifier, "vc:AdverseImpact")
        summary = lookups.impact_summaries(self.store, self.base, [iri])[iri]
        extra = lookups.impact_properties(self.store, iri)
        p = self.projection()
        involvements = [
            ImpactInvolvement(
                id=p.ids[inv.actor],
                iri=p.iris[inv.actor],
                name=p.names[inv.actor],
                involvement=inv.mode,
                confidence=inv.confidence,
                sources=list(inv.sources),
            )
            for inv in sorted(
                p.involvements.get(iri, ()), key=lambda i: (vocab.MODE_RANK[i.mode], i.actor)
            )
        ]
        return ImpactDetail(
            **summary.model_dump(),
            country=extra.get(VC + "country"),
            affected_group=extra.get(VC + "affectedGroup"),
            description=extra.get(DCTERMS + "description"),
            involvements=involvements,
        )

    def impacts(
        self,
        category: str | None = None,
        status: str | None = None,
        country: str | None = None,
        sort: str = "severity",
        limit: int = 1000,
        offset: int = 0,
    ) -> ImpactList:
        """Impacts, filtered, most severe first by default.

        Most severe first (UNGP 14 and 24; DDG Section II, step 2.4): by the most severe
        characteristic, then irremediability, scale, scope and likelihood, then id
        (``analysis.severity``). A chapter as
        ``category`` also matches the narrower categories under it.
        """
        _check_options(0, limit, offset)
        descending = sort.startswith("-")
        if sort.removeprefix("-") not in ("severity", "id", "title"):
            raise UsageError(
                f"sort must be severity, id or title (a leading '-' reverses), not '{sort}'"
            )
        sort = sort.removeprefix("-")
        wanted: set[str] | None = None
        if category is not None:
            if category not in vocab.CATEGORIES:
                known = ", ".join(sorted(vocab.CATEGORIES))
                raise UsageError(f"unknown impact category '{category}'; known: {known}")
            narrower = {c for c, up in vocab.NARROWER_CATEGORIES.items() if category in up}
            wanted = {category, *narrower}
        if status is not None and status not in vocab.STATUSES:
            raise UsageError(f"status must be actual or potential, not '{status}'")
        countries = lookups.impact_countries(self.store)
        found = [
            s
            for s in lookups.impact_summaries(self.store, self.base).values()
            if (wanted is None or s.category in wanted)
            and (status is None or s.status == status)
            and (country is None or country.upper() in countries.get(s.iri, ()))
        ]
        if sort == "severity":
            found.sort(key=_severity_order)
        elif sort == "title":
            found.sort(key=lambda s: (s.title.casefold(), s.id))
        else:
            found.sort(key=lambda s: s.id)
        if descending:
            found.reverse()
        return ImpactList(
            impacts=found[offset : offset + limit],
            total=len(found),
            limit=limit,
            offset=offset,
        )

    def actors(
        self,
        role: str | None = None,
        country: str | None = None,
        q: str | None = None,
        limit: int = 1000,
        offset: int = 0,
    ) -> ActorList:
        """Actors by id, filtered by role slug, country code and a piece of name or id."""
        _check_options(0, limit, offset)
        if role is not None and role not in vocab.ROLES:
            raise UsageError(f"unknown role '{role}'; known: {', '.join(sorted(vocab.ROLES))}")
        p = self.projection()
        countries = lookups.actor_countries(self.store)
        needle = q.casefold() if q else None
        chosen = [
            n
            for n in range(len(p))
            if p.is_actor[n]
            and (role is None or role in p.roles[n])
            and (country is None or countries.get(p.iris[n]) == country.upper())
            and (needle is None or needle in p.names[n].casefold() or needle in p.ids[n].casefold())
        ]
        actors = [
            ActorSummary(
                id=p.ids[n],
                iri=p.iris[n],
                name=p.names[n],
                roles=list(p.roles[n]),
                country=countries.get(p.iris[n]),
            )
            for n in chosen[offset : offset + limit]
        ]
        return ActorList(actors=actors, total=len(chosen), limit=limit, offset=offset)

    def search(self, text: str, limit: int = 50) -> SearchAnswer:
        """Actors, impacts and initiatives whose name or id contains ``text`` (any case)."""
        needle = text.strip().casefold()
        if not needle:
            raise UsageError("search needs some text")
        hits = []
        for iri, kind, label in lookups.search(self.store, needle):
            ident = self.id_of(iri)
            name = label if label is not None else ident
            if needle in name.casefold() or needle in ident.casefold():
                hits.append(SearchHit(id=ident, iri=iri, name=name, kind=kind))
        hits.sort(key=lambda h: (h.name.casefold() != needle, h.kind, h.id))
        return SearchAnswer(query=text, results=hits[:limit], total=len(hits))

    # --- helpers of the analysis answers ----------------------------------------------------

    def _actor_node(self, p: Projection, identifier: str) -> int:
        iri = self.resolve(identifier, "vc:Actor")
        node = p.node(iri)
        if node is None:  # an actor added since the projection was built cannot happen
            raise NotFound(f"no actor with id '{identifier}'")
        return node

    def _actor_summary(self, p: Projection, node: int) -> ActorSummary:
        country = lookups.actor_country(self.store, p.iris[node])
        return ActorSummary(
            id=p.ids[node],
            iri=p.iris[node],
            name=p.names[node],
            roles=list(p.roles[node]),
            country=country,
        )

    def _relationship_sources(self, p: Projection, edges: set[int]) -> dict[int, list[str]]:
        """Sources of the stored relationships behind path edges, fetched for one page only.

        A derived linkage is only as good as the relationships it walks, so its answer cites
        them; looking them up per page keeps them out of the projection's memory.
        """
        memo = self._memo()
        known: dict[int, list[str]] = {}
        missing: set[int] = set()
        for n in edges & p.sourced_edges:
            remembered, urls = memo.known(("evidence", p.revision, p.as_of, n))
            if not remembered:
                missing.add(n)
            elif urls:
                known[n] = urls
        for n, urls in lookups.relationship_sources(self.store, p, missing).items():
            memo.put(("evidence", p.revision, p.as_of, n), urls)
            if urls:
                known[n] = urls
        return known

    def _hypothetical_edges(
        self, p: Projection, extra: Sequence[HypotheticalLeverage]
    ) -> list[tuple[int, int, lev.LeverageEdge]]:
        edges = []
        for h in extra:
            if h.basis not in vocab.BASES:
                known = ", ".join(vocab.BASES)
                raise UsageError(f"unknown leverage basis '{h.basis}'; known: {known}")
            holder, target = self._actor_node(p, h.holder), self._actor_node(p, h.target)
            edges.append((holder, target, lev.LeverageEdge(h.strength, (h.basis,), (), False)))
        return edges


def _severity_order(summary: ImpactSummary) -> tuple[object, ...]:
    """The most-severe-first sort key of an impact summary."""
    s = summary.severity
    return severity.severity_key(
        summary.id, s.scale, s.scope, s.irremediability, summary.status, summary.likelihood
    )


def _iso_date(as_of: date | str | None) -> str | None:
    if as_of is None:
        return None
    if isinstance(as_of, date):
        return as_of.isoformat()
    try:
        return date.fromisoformat(as_of).isoformat()
    except ValueError as exc:
        raise UsageError(f"as_of: '{as_of}' is not a date of the form YYYY-MM-DD") from exc


#: The entities leverage is sought over: those whose practices cause or contribute to the harm.
_TARGET_MODES = ("cause", "contribution")


def _check_options(max_hops: int, limit: int, offset: int) -> None:
    if max_hops < 0:
        raise UsageError(f"max_hops must be 0 or more, not {max_hops}")
    if limit < 0:
        raise UsageError(f"limit must be 0 or more, not {limit}")
    if offset < 0:
        raise UsageError(f"offset must be 0 or more, not {offset}")


def _named_node(iri: str, not_found: str) -> ox.NamedNode:
    """The IRI as a validated term; text that is no IRI names nothing (NotFound)."""
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise NotFound(f"{not_found}: not an IRI ({exc})") from exc
