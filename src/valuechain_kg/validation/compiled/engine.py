"""Run compiled shapes as SPARQL over Oxigraph, giving the report pyshacl would give.

pyshacl copies the data into rdflib and checks one focus node at a time, which takes minutes on
a national value chain. Here each property shape is a handful of set-oriented SELECT queries
that Oxigraph answers over the whole store (or, for an update, over the few focus nodes bound
with VALUES); only distinct literal values travel to Python for the checks whose semantics must
be rdflib's (``values.py``). The results are ``ValidationResult`` objects with the same
messages, severities, shapes and order as the reference's (``validation.reference``), so
callers cannot tell the engines apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from valuechain_kg.errors import Location
from valuechain_kg.namespaces import RDF_TYPE, RDFS
from valuechain_kg.store.backend import StoreBackend
from valuechain_kg.validation.compiled.plan import PropertyPlan, compile_shapes
from valuechain_kg.validation.compiled.split import Beside, can_fork, in_two_processes
from valuechain_kg.validation.compiled.values import less_or_equal, to_rdflib_term
from valuechain_kg.validation.report import ValidationReport, ValidationResult
from valuechain_kg.validation.shapes import load_shapes

__all__ = ["run_plans", "validate_quads", "validate_store"]

#: Bad values bound per VALUES clause (keeps each query text small).
_CHUNK = 2_000
#: Above this many focus nodes a full run starts each constraint from its candidates.
_LARGE_TARGETS = 10_000
#: Above this many candidates, a constraint is checked in one pass over its targets.
_MANY_CANDIDATES = 10_000
#: Focus nodes from which the counts of plans over the same targets are decided in one pass
#: (``_FullRun.count_groups``). Below it the properties, which other classes use too, are most
#: of what a pass reads, and each plan's own queries cost no more.
_COUNT_TOGETHER_FROM = 100_000
#: Focus nodes (summed over plans) from which a full run is worth a second process.
_TWO_PROCESSES_FROM = 200_000
#: Passes over the largest targets a plan with a SPARQL target is taken to cost when a run is
#: split in two.
_NARROW_PASSES = 4

Row = tuple[ox.NamedNode | ox.BlankNode, object]


def validate_store(
    store: StoreBackend | ox.Store,
    focus_nodes: set[str] | None = None,
    origins: Mapping[str, Location] | None = None,
    shapes: Path | None = None,
    alongside: Callable[[], object] | None = None,
) -> ValidationReport:
    """Check a store's default graph against the shapes, with pyshacl's verdicts.

    Parameters
    ----------
    store:
        The data, left unchanged.
    focus_nodes:
        When given, only these nodes (IRIs) are checked as focus nodes: for an update that
        touched a handful of nodes. Their results equal a full run's results about them.
    origins:
        Node IRI -> the CSV file and line it came from, copied onto its results.
    shapes:
        A shapes file or folder; by default the project's ``shapes/``.
    alongside:
        Work on the same store that the run's heavy plans are best run after, such as a
        compaction (``Store.optimize``): a full run does it in a thread while it runs its
        cheapest plans, and waits for it before the others; a focused run does it first.
        Its error is raised.

    Raises
    ------
    ShapeCompileError
        When a shape uses a SHACL construct the compiler does not support.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> store = ox.Store()
    >>> store.add(ox.Quad(ox.NamedNode("https://w3id.org/valuechain/id/acme"),
    ...     ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
    ...     ox.NamedNode("https://w3id.org/valuechain#Actor")))
    >>> report = validate_store(store)
    >>> sorted({r.message.split(":")[0] for r in report.violations})
    ['An actor needs a name', 'An actor needs at least one role']
    """
    oxigraph = store if isinstance(store, ox.Store) else store.oxigraph
    plans = compile_shapes(load_shapes(shapes))
    return run_plans(oxigraph, plans, focus_nodes, origins or {}, alongside=alongside)


def validate_quads(
    quads: Iterable[ox.Quad],
    origins: Mapping[str, Location] | None = None,
    shapes: Path | None = None,
) -> ValidationReport:
    """Check some quads (their default graph) that no store holds yet, in a scratch store.

    The same report as ``validation.reference.validate`` on those quads.
    """
    store = ox.Store()
    store.extend(q for q in quads if isinstance(q.graph_name, ox.DefaultGraph))
    return validate_store(store, origins=origins, shapes=shapes)


def run_plans(
    store: ox.Store,
    plans: Iterable[PropertyPlan],
    focus_nodes: set[str] | None,
    origins: Mapping[str, Location],
    processes: int | None = None,
    alongside: Callable[[], object] | None = None,
) -> ValidationReport:
    """Every plan's results over a store, deduplicated and ordered as the reference does.

    A full run (``focus_nodes`` None) over many focus nodes uses two processes where that is
    safe (``split``); ``processes`` 1 or 2 decides instead, for the tests. ``alongside`` is
    as in ``validate_store``.
    """
    if focus_nodes is None:
        return ValidationReport.of(
            list(_full_run(store, list(plans), origins, processes, alongside))
        )
    if alongside is not None:
        alongside()
    if not focus_nodes:
        return ValidationReport.of([])
    found: set[ValidationResult] = set()
    focus = _focus_clause(focus_nodes)
    for plan in plans:
        for node, value in _violations(store, plan, focus):
            found.add(_result(plan, node, value, origins))
    return ValidationReport.of(list(found))


def _full_run(
    store: ox.Store,
    plans: list[PropertyPlan],
    origins: Mapping[str, Location],
    processes: int | None,
    alongside: Callable[[], object] | None = None,
) -> set[ValidationResult]:
    """The results of every plan over the whole graph.

    Work ``alongside`` runs in a thread while this one counts the targets and runs the
    cheapest plans; the rest wait for it, in two processes once it is done (a fork with the
    thread still running could copy a lock it holds).
    """
    run = _FullRun(store)

    def results(chosen: list[PropertyPlan]) -> set[ValidationResult]:
        run.count_together(chosen)
        return {_result(p, n, v, origins) for p in chosen for n, v in run.violations(p)}

    forkable = can_fork()
    found: set[ValidationResult] = set()
    with Beside(alongside) as beside:
        # Counted before any fork, so both processes start with the counts. A SPARQL target
        # is not counted (counting would run it): it joins several properties of a large
        # class, so it weighs as several passes over the largest targets.
        counted = [None if p.narrow_targets else run.target_count(p) for p in plans]
        largest = max((n for n in counted if n is not None), default=0)
        weights = [_NARROW_PASSES * largest if n is None else n for n in counted]
        units = _units(plans, weights, run.count_groups(plans))
        while beside.running() and units:
            found |= results(units.pop())
    if processes is None:
        focus_nodes = sum(n for n in counted if n is not None)
        processes = 2 if focus_nodes >= _TWO_PROCESSES_FROM and forkable else 1
    if processes < 2 or len(units) < 2:
        for unit in units:
            found |= results(unit)
        return found
    for part in in_two_processes([partial(results, unit) for unit in units]):
        found |= part
    return found


def _units(
    plans: list[PropertyPlan], weights: list[int], together: list[list[int]]
) -> list[list[PropertyPlan]]:
    """The jobs of a full run, the heaviest first, so that the last ones either of two
    processes takes are short; work alongside the run takes the cheapest, from the end.

    A unit is a plan, or the plans (by index) of one group in ``together``, whose counts one
    pass decides (``_FullRun.count_groups``) and which are kept in one job for it; that pass
    reads each of the group's properties once, and weighs about half a plan's two passes per
    property. Other plans are jobs of their own rather than kept together by targets: the path
    values and candidates both processes may then read twice cost little beside them.
    """

    def unit_weight(unit: list[int]) -> int:
        if len(unit) == 1:
            return weights[unit[0]]
        return weights[unit[0]] * (len({plans[i].path for i in unit}) + 1) // 2

    grouped = {i for group in together for i in group}
    units = [*together, *([i] for i in range(len(plans)) if i not in grouped)]
    heaviest = sorted(units, key=lambda unit: (-unit_weight(unit), unit))
    return [[plans[i] for i in unit] for unit in heaviest]


def _focus_clause(focus_nodes: Iterable[str] | None) -> str:
    if focus_nodes is None:
        return ""
    return "VALUES ?this { " + " ".join(f"<{iri}>" for iri in sorted(focus_nodes)) + " }"


def _union(blocks: Iterable[str]) -> str:
    return " UNION ".join("{ " + b + " }" for b in blocks)


class _Queries:
    """The SPARQL texts of one plan, with its targets and prefixes filled in.

    Over a few focus nodes the targets come first and each constraint is an index lookup from
    them. Over the whole graph they are a subquery instead: Oxigraph then joins them with the
    constraint's pattern by hashing both sides, where one lookup per target node of a large
    class costs many times more.
    """

    def __init__(self, plan: PropertyPlan, focus: str) -> None:
        self.plan = plan
        self.focus = focus
        self.targets = _union(t.replace("{focus}", focus) for t in plan.targets)
        if focus:
            self.joined = self.targets
        else:
            whole = _union(t.replace("{focus}", "") for t in plan.whole_targets)
            self.joined = f"{{ SELECT ?this WHERE {{ {whole} }} }}"
        header = {"rdfs": RDFS, **plan.prefixes}
        self.header = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in header.items())

    def select(self, head: str, body: str, tail: str = "") -> str:
        return f"{self.header}SELECT {head} WHERE {{ {self.joined} {body} }} {tail}"

    def pairs(self, lookup: str, whole: str) -> str:
        """A constraint's (?this, ?value) pattern: as lookups from a few focus nodes, or
        written to be joined with the whole targets by hashing."""
        return lookup if self.focus else whole

    def among(self, values: str, body: str) -> str:
        """(?this, ?value) pairs of ``body`` starting from a VALUES clause of a few bad values,
        kept where ?this is a focus node: the targets are a test here, not a join, which also
        keeps Virtuoso from a property path after VALUES, a combination it cannot run."""
        return (
            f"{self.header}SELECT DISTINCT ?this ?value WHERE {{ {values} {body} "
            f"FILTER EXISTS {{ {self.targets} }} }}"
        )


def _violations(store: ox.Store, plan: PropertyPlan, focus: str) -> Iterator[Row]:
    q = _Queries(plan, focus)
    path = plan.path
    if plan.min_count == 1:
        yield from _focus_only(store, q.select("?this", f"FILTER NOT EXISTS {{ ?this {path} ?v }}"))
    elif plan.min_count is not None and plan.min_count > 1:
        having = f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {plan.min_count})"
        yield from _focus_only(
            store, q.select("?this", f"OPTIONAL {{ ?this {path} ?value }}", having)
        )
    if plan.max_count is not None:
        having = f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {plan.max_count})"
        yield from _focus_only(store, q.select("?this", f"?this {path} ?value .", having))
    if plan.bad_value_filters:
        condition = " || ".join(plan.bad_value_filters)
        body = f"?this {path} ?value . FILTER({condition})"
        yield from _pairs(store, q.select("DISTINCT ?this ?value", body))
    for other in plan.equals:
        body = f"?this {other} ?value . FILTER NOT EXISTS {{ ?this {path} ?value }}"
        yield from _pairs(store, q.select("DISTINCT ?this ?value", body))
    if plan.value_tests:
        yield from _value_tests(store, q)
    for other in plan.less_or_equals:
        yield from _less_or_equals(store, q, other)


def _focus_only(store: ox.Store, query: str) -> Iterator[Row]:
    for solution in store.query(query):  # type: ignore[union-attr]
        yield solution["this"], None


def _pairs(store: ox.Store, query: str) -> Iterator[Row]:
    for solution in store.query(query):  # type: ignore[union-attr]
        yield solution["this"], solution["value"]


def _value_tests(store: ox.Store, q: _Queries) -> Iterator[Row]:
    plan = q.plan
    if q.focus:
        candidates = q.select("DISTINCT ?value", f"?this {plan.path} ?value .")
    else:
        # Every value of the path, targeted or not: cheaper than the join, and the bad ones are
        # joined with the targets below anyway.
        candidates = f"{q.header}SELECT DISTINCT ?value WHERE {{ ?any {plan.path} ?value }}"
    bad: list[str] = []
    blank = False
    for solution in store.query(candidates):  # type: ignore[union-attr]
        value = solution["value"]
        term = to_rdflib_term(value)
        if all(test(term) for test in plan.value_tests):
            continue
        if isinstance(value, ox.BlankNode):
            blank = True
        else:
            bad.append(str(value))
    for start in range(0, len(bad), _CHUNK):
        chunk = " ".join(bad[start : start + _CHUNK])
        yield from _pairs(
            store, q.among(f"VALUES ?value {{ {chunk} }}", f"?this {plan.path} ?value .")
        )
    if blank:
        body = f"?this {plan.path} ?value . FILTER(isBlank(?value))"
        yield from _pairs(store, q.select("DISTINCT ?this ?value", body))


def _whole(path: str, value: str) -> str:
    """The pairs of a path as a subquery: joined with another by hashing, in a full run."""
    return f"{{ SELECT ?this {value} WHERE {{ ?this {path} {value} }} }}"


def _less_or_equals(store: ox.Store, q: _Queries, other: str) -> Iterator[Row]:
    path = q.plan.path
    body = f"?this {path} ?value . ?this {other} ?other ."
    pairs = body if q.focus else f"{_whole(path, '?value')} {_whole(other, '?other')}"
    bad: list[str] = []
    for solution in store.query(q.select("DISTINCT ?value ?other", pairs)):  # type: ignore[union-attr]
        value, bound = solution["value"], solution["other"]
        if not less_or_equal(to_rdflib_term(value), to_rdflib_term(bound)):
            bad.append(f"({value} {bound})")
    for start in range(0, len(bad), _CHUNK):
        chunk = " ".join(bad[start : start + _CHUNK])
        yield from _pairs(store, q.among(f"VALUES (?value ?other) {{ {chunk} }}", body))


class _FullRun:
    """A run over every focus node, where the targets are large (a million relationships).

    Joining each constraint with its targets costs a pass over every target node per
    constraint. Instead each constraint first finds its candidates over the whole graph
    without the targets (nodes with too many values, values failing a filter or a class
    test, the distinct values of a path for the value tests), which are few on real data,
    and only those are checked again with the targets, by the same query a focused run uses.
    The distinct values of a path and the candidates of a test over a path are read once per
    run and shared by every plan that needs them, and the counts of a large class's plain
    properties are decided for all its plans in one pass (``count_groups``).
    """

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._values: dict[str, list[object]] = {}
        self._candidates: dict[str, list[object]] = {}
        self._counts: dict[str, int] = {}
        #: Plan (by id) -> the plans whose counts are decided with it in one pass.
        self._groups: dict[int, list[PropertyPlan]] = {}
        #: Plan (by id) -> its focus nodes with too few or too many values, once counted.
        self._counted: dict[int, list[ox.NamedNode | ox.BlankNode]] = {}

    def count_groups(self, plans: list[PropertyPlan]) -> list[list[int]]:
        """The plans (as indexes) over the same large targets whose sh:minCount 1 and
        sh:maxCount on a plain property one pass over the targets and those properties decides:
        each property read once and grouped by node, instead of a MINUS and a GROUP BY over the
        targets for each plan."""
        groups: dict[tuple[str, ...], list[int]] = {}
        for index, plan in enumerate(plans):
            counted = plan.min_count == 1 or plan.max_count is not None
            plain = plan.path.startswith("<") and (plan.min_count or 0) <= 1
            large = not plan.narrow_targets and self.target_count(plan) >= _COUNT_TOGETHER_FROM
            if counted and plain and large:
                groups.setdefault(plan.whole_targets, []).append(index)
        return [group for group in groups.values() if len(group) > 1]

    def count_together(self, plans: list[PropertyPlan]) -> None:
        """Decide the counts of ``plans`` by group (``count_groups``) when they are needed."""
        self._groups = {}
        for group in self.count_groups(plans):
            members = [plans[i] for i in group]
            for plan in members:
                self._groups[id(plan)] = members

    def _counted_in_group(self, plan: PropertyPlan) -> list[ox.NamedNode | ox.BlankNode] | None:
        """The plan's count violations from its group's pass; None if it has no group."""
        group = self._groups.get(id(plan))
        if group is None:
            return None
        if id(plan) not in self._counted:
            self._count_pass(group)
        return self._counted[id(plan)]

    def _count_pass(self, group: list[PropertyPlan]) -> None:
        """One GROUP BY over the union of the targets and each property of the group.

        In a plain property's branch each row is one triple, so ``COUNT(?vN)`` is the number of
        values of the node (the default graph holds each triple once); a node is a target when
        its target branch gave it a row.
        """
        paths = {path: n for n, path in enumerate(sorted({p.path for p in group}))}
        whole = _union(t.replace("{focus}", "") for t in group[0].whole_targets)
        branches = [f"{{ ?this {path} ?v{n} }}" for path, n in paths.items()]
        branches.append(f"{{ SELECT ?this (1 AS ?target) WHERE {{ {whole} }} }}")
        tests: set[str] = set()
        for plan in group:
            values = f"COUNT(?v{paths[plan.path]})"
            if plan.min_count == 1:
                tests.add(f"{values} < 1")
            if plan.max_count is not None:
                tests.add(f"{values} > {plan.max_count}")
        heads = " ".join(f"(COUNT(?v{n}) AS ?n{n})" for n in paths.values())
        query = (
            f"{_Queries(group[0], '').header}SELECT ?this {heads} WHERE "
            f"{{ {' UNION '.join(branches)} }} GROUP BY ?this "
            f"HAVING (COUNT(?target) > 0 && ({' || '.join(sorted(tests))}))"
        )
        found: dict[int, list[ox.NamedNode | ox.BlankNode]] = {id(plan): [] for plan in group}
        for solution in self.store.query(query):  # type: ignore[union-attr]
            for plan in group:
                number = int(solution[f"n{paths[plan.path]}"].value)
                few = plan.min_count == 1 and number < 1
                if few or (plan.max_count is not None and number > plan.max_count):
                    found[id(plan)].append(solution["this"])
        self._counted.update(found)

    def values_of(self, header: str, path: str) -> list[object]:
        """The distinct objects of ``path`` over the whole graph."""
        if path not in self._values:
            query = f"{header}SELECT DISTINCT ?value WHERE {{ ?any {path} ?value }}"
            self._values[path] = [s["value"] for s in self.store.query(query)]  # type: ignore[union-attr]
        return self._values[path]

    def not_instances(self, header: str, path: str, classes: tuple[str, ...]) -> list[object]:
        """The distinct objects of ``path`` over the whole graph that are SHACL instances
        (typed with the class or a subclass) of none of ``classes``: found by the engine,
        which removes each class's instances from the values by hashing, so that only the
        few bad values reach Python."""
        instances = " ".join(
            f"MINUS {{ SELECT ?value WHERE {{ {{ ?value <{RDF_TYPE}> {c} }} UNION "
            f"{{ ?value <{RDF_TYPE}>/rdfs:subClassOf+ {c} }} }} }}"
            for c in classes
        )
        query = (
            f"{header}SELECT ?value WHERE {{ "
            f"{{ SELECT DISTINCT ?value WHERE {{ ?any {path} ?value }} }} {instances} }}"
        )
        return [s["value"] for s in self.store.query(query)]  # type: ignore[union-attr]

    def target_count(self, plan: PropertyPlan) -> int:
        """How many focus nodes the plan's targets select (once per distinct targets)."""
        q = _Queries(plan, "")
        if q.targets not in self._counts:
            query = f"{q.header}SELECT (COUNT(*) AS ?n) WHERE {{ {q.targets} }}"
            (solution,) = self.store.query(query)  # type: ignore[misc]
            self._counts[q.targets] = int(solution["n"].value)
        return self._counts[q.targets]

    def violations(self, plan: PropertyPlan) -> Iterator[Row]:
        """The plan's (focus node, value) results, a few targeted queries where the targets
        are few, the candidates first where they are many."""
        if plan.narrow_targets:
            yield from _violations(self.store, plan, "")
            return
        count = self.target_count(plan)
        if count == 0:
            return
        if count <= _LARGE_TARGETS:
            yield from self._on_target_nodes(plan)
            return
        store, path = self.store, plan.path
        q = _Queries(plan, "")
        counted = self._counted_in_group(plan)
        if counted is not None:
            yield from ((node, None) for node in counted)
        elif plan.min_count == 1:
            yield from _focus_only(store, q.select("?this", f"MINUS {{ ?this {path} ?v }}"))
        elif plan.min_count is not None and plan.min_count > 1:
            having = f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {plan.min_count})"
            yield from _focus_only(
                store, q.select("?this", f"OPTIONAL {{ ?this {path} ?value }}", having)
            )
        if plan.max_count is not None and counted is None:
            having = f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {plan.max_count})"
            body = f"?this {path} ?value ."
            candidates = f"{q.header}SELECT ?this WHERE {{ {body} }} {_more_values_than(plan)}"
            for focused in self._on_candidates(plan, candidates):
                pairs = focused.pairs(body, _whole(path, "?value"))
                yield from _focus_only(store, focused.select("?this", pairs, having))
        if plan.plain_filters:
            body = f"?this {path} ?value . FILTER({' || '.join(plan.plain_filters)})"
            candidates = f"{q.header}SELECT DISTINCT ?this WHERE {{ {body} }}"
            whole = f"{{ SELECT ?this ?value WHERE {{ {body} }} }}"
            for focused in self._on_candidates(plan, candidates):
                pairs = focused.pairs(body, whole)
                yield from _pairs(store, focused.select("DISTINCT ?this ?value", pairs))
        for group in plan.class_groups:
            yield from _joined_with_targets(store, q, self.not_instances(q.header, path, group))
        for other in plan.disjoint:
            body = f"?this {path} ?value . ?this {other} ?value ."
            both = f"{_whole(path, '?value')} {_whole(other, '?value')}"
            candidates = f"{q.header}SELECT DISTINCT ?this WHERE {{ {both} }}"
            for focused in self._on_candidates(plan, candidates):
                pairs = focused.pairs(body, both)
                yield from _pairs(store, focused.select("DISTINCT ?this ?value", pairs))
        for other in plan.equals:
            body = f"?this {other} ?value . FILTER NOT EXISTS {{ ?this {path} ?value }}"
            missing = f"{_whole(other, '?value')} MINUS {_whole(path, '?value')}"
            candidates = f"{q.header}SELECT DISTINCT ?this WHERE {{ {missing} }}"
            for focused in self._on_candidates(plan, candidates):
                pairs = focused.pairs(body, missing)
                yield from _pairs(store, focused.select("DISTINCT ?this ?value", pairs))
        if plan.value_tests:
            values = self.values_of(q.header, path)
            bad = [v for v in values if not all(t(to_rdflib_term(v)) for t in plan.value_tests)]
            yield from _joined_with_targets(store, q, bad)
        for other in plan.less_or_equals:
            yield from _less_or_equals(store, q, other)

    def _on_target_nodes(self, plan: PropertyPlan) -> Iterator[Row]:
        """A plan over few targets, run as a focused run over those nodes: the engine then
        starts from them rather than from every value of the path."""
        q = _Queries(plan, "")
        for focused in self._on_candidates(
            plan, f"{q.header}SELECT DISTINCT ?this WHERE {{ {q.joined} }}"
        ):
            yield from _violations(self.store, plan, focused.focus)

    def _on_candidates(self, plan: PropertyPlan, candidates: str) -> Iterator[_Queries]:
        """The plan's queries focused on the candidate nodes, a chunk at a time; over the whole
        targets when a candidate is not an IRI (the focus VALUES names IRIs only) or when
        there are so many that one pass over the targets costs less."""
        if candidates not in self._candidates:
            # One more than a focused run takes is enough to know it is not worth one.
            found = self.store.query(f"{candidates} LIMIT {_MANY_CANDIDATES + 1}")
            self._candidates[candidates] = [s["this"] for s in found]  # type: ignore[union-attr]
        nodes = self._candidates[candidates]
        if len(nodes) > _MANY_CANDIDATES or not all(isinstance(n, ox.NamedNode) for n in nodes):
            yield _Queries(plan, "")
            return
        iris = [n.value for n in nodes]  # type: ignore[attr-defined]
        for start in range(0, len(iris), _CHUNK):
            yield _Queries(plan, _focus_clause(iris[start : start + _CHUNK]))


def _more_values_than(plan: PropertyPlan) -> str:
    """The HAVING of the nodes with more values of the plan's path than its sh:maxCount, over
    the path alone (no targets joined). A property or its inverse gives each value once per
    node, as the default graph holds each triple once, so rows are counted without the set of
    distinct values per node that COUNT(DISTINCT) keeps."""
    counted = "COUNT(*)" if plan.path_text is not None else "COUNT(DISTINCT ?value)"
    return f"GROUP BY ?this HAVING ({counted} > {plan.max_count})"


def _joined_with_targets(store: ox.Store, q: _Queries, bad: list[object]) -> Iterator[Row]:
    """The (focus node, value) pairs of the plan's targets whose value is one of ``bad``."""
    path = q.plan.path
    named = [str(v) for v in bad if not isinstance(v, ox.BlankNode)]
    for start in range(0, len(named), _CHUNK):
        chunk = " ".join(named[start : start + _CHUNK])
        yield from _pairs(store, q.among(f"VALUES ?value {{ {chunk} }}", f"?this {path} ?value ."))
    if len(named) < len(bad):
        blanks = {v for v in bad if isinstance(v, ox.BlankNode)}
        body = f"?this {path} ?value . FILTER(isBlank(?value))"
        for this, value in _pairs(store, q.select("DISTINCT ?this ?value", body)):
            if value in blanks:
                yield this, value


def _text(term: object) -> str | None:
    if term is None or isinstance(term, ox.BlankNode):
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    # rdflib normalises literals (01 -> 1); the report shows what pyshacl would show.
    return str(to_rdflib_term(term))


def _result(
    plan: PropertyPlan, node: object, value: object, origins: Mapping[str, Location]
) -> ValidationResult:
    focus = _text(node) or ""
    origin = origins.get(focus)
    return ValidationResult(
        focus_node=focus,
        path=plan.path_text,
        value=_text(value),
        message=plan.message,
        severity=plan.severity,  # type: ignore[arg-type]
        shape=plan.shape,
        source_file=origin.file if origin else None,
        source_line=origin.line if origin else None,
    )
