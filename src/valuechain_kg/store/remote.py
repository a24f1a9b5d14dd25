"""A remote SPARQL 1.1 engine as the store, reached through the SPARQL 1.1 Protocol.

Any engine that speaks the Protocol will do (Oxigraph server and Virtuoso are tested; QLever,
GraphDB and Neptune are described in docs/scale-out.md). Answers come back as pyoxigraph's own
result objects (``parse_query_results``), so the facade, the projection reader and the compiled
SHACL engine read a remote engine exactly as they read the embedded store.

What a remote engine cannot give, and how it is stood in for:

* **transactions across requests**: each change is ONE update request (``DELETE DATA`` then
  ``INSERT DATA``), which engines apply as one transaction; a load larger than one batch is
  several requests, each atomic, the whole not (docs/scale-out.md says so).
* **a revision**: every write through vckg replaces one token triple in the named graph
  ``REVISION_GRAPH`` in the same request as the data; the revision is that token, read again
  at most every ``revision_ttl`` seconds. A store no vckg write touched yet has no token; its
  revision is then its triple count.
* **a store of its own**: with ``graph`` set (``$VCKG_STORE_GRAPH``), vckg's default graph is
  that named graph on the engine: writes go into it and reads name it as the protocol's
  ``default-graph-uri``. Engines whose default graph is the union of all their graphs
  (Virtuoso) need one.
* **streaming**: ``stream`` reads a SELECT in one pass (``store.remote_stream``): one answer
  parsed as it arrives, or, on an engine that cuts answers at a row cap, keyset pages of the
  cap's size; ``page_size`` (``$VCKG_STORE_PAGE``) chooses: None finds out from the engine's
  first capped answer, 0 never pages, a number pages by that many rows.

Reads are idempotent and retried on transport errors and on 502, 503 and 504; writes are sent
once.
"""

from __future__ import annotations

import io
import itertools
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

import httpx
import pyoxigraph as ox

from valuechain_kg.errors import UsageError, VckgError
from valuechain_kg.namespaces import PREFIXES
from valuechain_kg.sparql_guard import Limits, check_internal, check_query, check_update
from valuechain_kg.store.embedded import EXPORT_FORMATS
from valuechain_kg.store.ontology import ONTOLOGY_GRAPH
from valuechain_kg.store.remote_stream import CAP_HEADER, Keyset, ResultsBody

if TYPE_CHECKING:
    from valuechain_kg.store.staging import Staging

__all__ = ["REVISION_GRAPH", "RemoteError", "RemoteSettings", "RemoteStore"]

_log = logging.getLogger(__name__)

#: The named graph holding the revision token of a remote store.
REVISION_GRAPH = ox.NamedNode("urn:valuechain-kg:revision")
_TOKEN = ox.NamedNode("urn:valuechain-kg:token")

_RESULTS_JSON = "application/sparql-results+json"
_RETRY_STATUSES = frozenset({502, 503, 504})
_RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


class RemoteError(VckgError):
    """The engine refused a request or could not be reached (after the retries of a read)."""

    exit_code = 3
    http_status = 502


@dataclass(frozen=True)
class RemoteSettings:
    """Where the engine is and how to talk to it."""

    query_url: str
    update_url: str
    #: The named graph used as vckg's default graph; None: the engine's default graph.
    graph: str | None = None
    user: str | None = None
    password: str | None = None
    token: str | None = None
    timeout: float = 60.0
    retries: int = 3
    #: Rows per keyset page of ``stream``: None pages only once the engine says it cut an
    #: answer (at its cap), 0 never pages.
    page_size: int | None = None
    batch_size: int = 2_000
    revision_ttl: float = 1.0

    @staticmethod
    def derived_update_url(query_url: str) -> str:
        """``.../query`` -> ``.../update`` (Oxigraph, Fuseki); else the same URL (Virtuoso,
        Neptune, QLever take both on one endpoint)."""
        if query_url.rstrip("/").endswith("/query"):
            return query_url.rstrip("/")[: -len("query")] + "update"
        return query_url

    @classmethod
    def from_env(cls, query_url: str, env: dict[str, str] | None = None) -> RemoteSettings:
        """Settings for ``query_url``, the rest from ``$VCKG_UPDATE_URL``, ``$VCKG_STORE_*``.

        Credentials come only from the environment, never from an argument a process list
        would show: ``VCKG_STORE_USER`` and ``VCKG_STORE_PASSWORD`` (basic) or
        ``VCKG_STORE_TOKEN`` (bearer).
        """
        env = dict(os.environ) if env is None else env

        def number(name: str, default: float, zero: bool = False) -> float:
            text = env.get(name)
            if not text:
                return default
            try:
                value = float(text)
            except ValueError as exc:
                raise UsageError(f"${name} must be a number, not {text!r}") from exc
            if value < 0 or (value == 0 and not zero):
                raise UsageError(f"${name} must be above 0, not {text!r}")
            return value

        page = env.get("VCKG_STORE_PAGE")

        return cls(
            query_url=query_url,
            update_url=env.get("VCKG_UPDATE_URL") or cls.derived_update_url(query_url),
            graph=env.get("VCKG_STORE_GRAPH") or None,
            user=env.get("VCKG_STORE_USER") or None,
            password=env.get("VCKG_STORE_PASSWORD") or None,
            token=env.get("VCKG_STORE_TOKEN") or None,
            timeout=number("VCKG_STORE_TIMEOUT", 60.0),
            retries=int(number("VCKG_STORE_RETRIES", 3)),
            page_size=int(number("VCKG_STORE_PAGE", 0, zero=True)) if page else None,
            batch_size=int(number("VCKG_STORE_BATCH", 2_000)),
            revision_ttl=number("VCKG_STORE_REVISION_TTL", 1.0),
        )


# --- SPARQL text ---------------------------------------------------------------------------

_PROLOG = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
_COMMENT_OR_STRING = re.compile(r"#[^\n]*|<[^>\s]*>|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
#: ``SELECT [DISTINCT] ?a ?b WHERE`` with no prolog: the queries ``stream`` can page.
_PAGEABLE = re.compile(
    r"^\s*SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?((?:\?\w+\s+)+)(?:WHERE\s*)?\{", re.IGNORECASE
)


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first such keyword outside IRIs and strings."""
    found = _FORM.search(_COMMENT_OR_STRING.sub(" ", sparql))
    return found.group(1).upper() if found else "SELECT"


def _term(term: object) -> str:
    """A term as SPARQL text (pyoxigraph's ``str`` is its N-Triples form)."""
    return str(term)


def _triple_text(quad: ox.Quad) -> str:
    return f"{_term(quad.subject)} {_term(quad.predicate)} {_term(quad.object)} ."


_VIRTUOSO_BNODE = re.compile(rb'"bnode"(\s*,\s*"value"\s*:\s*)"nodeID://')
#: Rows between two progress reports of a streamed answer.
_PROGRESS_ROWS = 10_000


class _Capped(Exception):
    """The engine cut the answer at its row cap (raised before any row is read)."""

    def __init__(self, rows: int) -> None:
        super().__init__(rows)
        self.rows = rows


def _boolean(value: bool) -> object:
    """An ASK answer as pyoxigraph's own ``QueryBoolean``."""
    text = '{"head": {}, "boolean": %s}' % ("true" if value else "false")
    return ox.parse_query_results(text, ox.QueryResultsFormat.JSON)


def _has_blank(quad: ox.Quad) -> bool:
    return any(isinstance(t, ox.BlankNode) for t in quad)


def _values_clause(substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal]) -> str:
    names = " ".join(f"?{v.value}" for v in substitutions)
    values = " ".join(_term(t) for t in substitutions.values())
    return f" VALUES ({names}) {{ ({values}) }} "


class RemoteStore:
    """A SPARQL 1.1 engine behind its query and update URLs, as a ``StoreBackend``."""

    path: Path | None = None
    sparql_limits: Limits = Limits.from_env()

    def __init__(
        self, settings: RemoteSettings, on_rows: Callable[[int], None] | None = None
    ) -> None:
        self.settings = settings
        #: Called with the rows read so far after every page ``stream`` reads.
        self.on_rows = on_rows
        auth: httpx.Auth | None = None
        headers = {"User-Agent": "valuechain-kg"}
        if settings.token:
            headers["Authorization"] = f"Bearer {settings.token}"
        elif settings.user:
            auth = httpx.BasicAuth(settings.user, settings.password or "")

        def client() -> httpx.Client:
            return httpx.Client(
                auth=auth, headers=headers, timeout=settings.timeout, follow_redirects=True
            )

        self._client = client()
        # A forked child (the server's query workers) must not share the parent's sockets.
        os.register_at_fork(after_in_child=lambda: setattr(self, "_client", client()))
        self._graph = ox.NamedNode(settings.graph) if settings.graph else None
        self._sequence = 0
        self._revision: tuple[float, str] | None = None
        #: The engine's row cap, once an answer was cut at it.
        self._cap: int | None = None

    def __repr__(self) -> str:
        return f"RemoteStore({self.settings.query_url!r})"

    # --- HTTP ----------------------------------------------------------------------------

    def _post(self, url: str, data: dict[str, str | list[str]], accept: str, read: bool) -> bytes:
        """One request; a read is retried with a growing pause, a write is sent once."""
        attempts = self.settings.retries + 1 if read else 1
        for attempt in range(attempts):
            try:
                response = self._client.post(url, data=data, headers={"Accept": accept})
            except httpx.TransportError as exc:
                if attempt + 1 == attempts:
                    raise RemoteError(
                        f"the SPARQL engine at {url} cannot be reached: {exc}"
                    ) from exc
            else:
                if response.status_code < 300:
                    return response.content
                if response.status_code not in _RETRY_STATUSES or attempt + 1 == attempts:
                    self._refuse(url, response)
            time.sleep(min(0.25 * 2**attempt, 4.0))
        raise AssertionError("unreachable")

    def _refuse(self, url: str, response: httpx.Response) -> None:
        text = response.text.strip()[:2000]
        if response.status_code == 400:
            # What the engine's parser said: the same kind of error as a local parse error.
            raise SyntaxError(f"the SPARQL engine refused the request: {text}")
        if response.status_code in (401, 403):
            raise RemoteError(
                f"the SPARQL engine at {url} refused the credentials ({response.status_code}): "
                "set VCKG_STORE_USER and VCKG_STORE_PASSWORD, or VCKG_STORE_TOKEN"
            )
        raise RemoteError(f"the SPARQL engine at {url} answered {response.status_code}: {text}")

    def _dataset(self, options: dict[str, object]) -> dict[str, str | list[str]]:
        """The protocol's dataset parameters: the caller's, else vckg's graph as the default."""
        data: dict[str, str | list[str]] = {}
        default = options.pop("default_graph", None)
        named = options.pop("named_graphs", None)
        if default is not None or named:
            graphs = list(default) if isinstance(default, list | tuple) else [default]
            if any(isinstance(g, ox.DefaultGraph) for g in graphs):
                if self._graph is None and not named:
                    # The engine's own default graph has no IRI to name in the protocol: the
                    # query reads it alone.
                    return data
                graphs = [self._graph if isinstance(g, ox.DefaultGraph) else g for g in graphs]
            uris = [g.value for g in graphs if isinstance(g, ox.NamedNode)]
            if uris:
                data["default-graph-uri"] = uris
            if named:
                data["named-graph-uri"] = [g.value for g in named]  # type: ignore[attr-defined]
        elif self._graph is not None:
            data["default-graph-uri"] = self._graph.value
        return data

    def _run(self, sparql: str, options: dict[str, object], dataset: bool = True) -> object:
        """Send a query (prefixes predeclared) and parse the answer into pyoxigraph objects."""
        options = dict(options)
        substitutions = options.pop("substitutions", None)
        base_iri = options.pop("base_iri", None)
        options.pop("use_default_graph_as_union", None)
        data = self._dataset(options) if dataset else {}
        # BASE first: Virtuoso takes no BASE after a PREFIX.
        text = (f"BASE <{base_iri}>\n" if base_iri else "") + _PROLOG + sparql
        if substitutions:
            # Inside the WHERE group, not after it: Virtuoso takes no trailing VALUES on ASK.
            at = text.index("{", len(text) - len(sparql)) + 1
            text = text[:at] + _values_clause(substitutions) + text[at:]  # type: ignore[arg-type]
        data["query"] = text
        form = query_form(sparql)
        if form in ("CONSTRUCT", "DESCRIBE"):
            return self._triples(self._post_rdf(data))
        body = self._post(self.settings.query_url, data, _RESULTS_JSON, read=True)
        # Virtuoso names blank nodes "nodeID://b10007", which is no blank-node label.
        body = _VIRTUOSO_BNODE.sub(rb'"bnode"\1"', body)
        try:
            result = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as exc:
            raise RemoteError(
                f"the SPARQL engine's answer is not SPARQL JSON results: {exc}"
            ) from exc
        if form == "ASK" and isinstance(result, ox.QuerySolutions):
            # Virtuoso answers ASK as one row (true) or none (false) of a SELECT.
            rows = list(result)
            truth = bool(rows) and rows[0][0] is not None and rows[0][0].value not in ("0", "false")
            return _boolean(truth)
        return result

    def _solutions(self, sparql: str, dataset: bool = True) -> list[ox.QuerySolution]:
        """The rows of a SELECT the store itself wrote."""
        result = self._run(sparql, {}, dataset)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("not a SELECT query")
        return list(result)

    def _post_rdf(self, data: dict[str, str | list[str]]) -> list[ox.Triple]:
        accept = "text/turtle, application/n-triples;q=0.9"
        for attempt in range(self.settings.retries + 1):
            try:
                response = self._client.post(
                    self.settings.query_url, data=data, headers={"Accept": accept}
                )
            except httpx.TransportError as exc:
                if attempt == self.settings.retries:
                    raise RemoteError(f"the SPARQL engine cannot be reached: {exc}") from exc
                continue
            if response.status_code >= 300:
                if response.status_code in _RETRY_STATUSES and attempt < self.settings.retries:
                    continue
                self._refuse(self.settings.query_url, response)
            kind = response.headers.get("content-type", "text/turtle").split(";")[0].strip()
            fmt = _RDF_FORMATS.get(kind, ox.RdfFormat.TURTLE)
            return [q.triple for q in ox.parse(response.content, format=fmt)]
        raise AssertionError("unreachable")

    @staticmethod
    def _triples(triples: list[ox.Triple]) -> object:
        """Triples as pyoxigraph's ``QueryTriples`` (what a local CONSTRUCT returns)."""
        scratch = ox.Store()
        scratch.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")

    def _send_update(self, text: str) -> None:
        self._post(self.settings.update_url, {"update": text}, "*/*", read=False)

    # --- reads ---------------------------------------------------------------------------

    def query(self, sparql: str, **options: object) -> object:
        """A query the user wrote: through ``sparql_guard``, then to the engine."""
        check_query(sparql, self.sparql_limits)
        return self._run(sparql, options)

    def select(
        self, sparql: str, substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None
    ) -> ox.QuerySolutions:
        """A SELECT the project built (only the guard's limits apply, as on the embedded store)."""
        check_internal(sparql, self.sparql_limits)
        result = self._run(sparql, {"substitutions": substitutions} if substitutions else {})
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("select() takes a SELECT query")
        return result

    def stream(self, sparql: str) -> Iterator[ox.QuerySolution]:
        """A SELECT the project built, read in one pass, with progress (``on_rows``).

        Unpaged (``page_size`` 0, or None while the engine cut no answer), it is one request
        whose answer is parsed as it arrives. Paged, it is keyset pages of ``page_size`` rows
        (or of the engine's cap, learnt from its first cut answer), so that no page makes
        the engine skip or sort again the rows already read. A query that cannot be wrapped
        (a prolog, ``*``, an aggregate) is always one request.
        """
        found = _PAGEABLE.match(sparql)
        size = self.settings.page_size if self.settings.page_size is not None else self._cap
        if found is None or not size:
            try:
                yield from self._counted(self._streamed(sparql, watch=found is not None))
                return
            except _Capped as capped:
                _log.info(
                    "%s cuts answers at %d rows: paging", self.settings.query_url, capped.rows
                )
                self._cap = size = capped.rows
        assert found is not None and size
        keyset = Keyset(sparql, found.group(1).split(), size)
        read = 0
        while True:
            cut: list[int] = []
            rows = list(self._streamed(keyset.page(), watch=False, cut=cut))
            keyset.read(rows)
            yield from rows
            read += len(rows)
            if self.on_rows is not None:
                self.on_rows(read)
            _log.debug("read %d rows from %s", read, self.settings.query_url)
            if cut and len(rows) == cut[0] < keyset.size:
                # A page larger than the engine's cap came back cut: page at the cap.
                self._cap = keyset.size = cut[0]
            elif len(rows) < keyset.size:
                return

    def _counted(self, rows: Iterator[ox.QuerySolution]) -> Iterator[ox.QuerySolution]:
        """Rows passed on, the count reported every ``_PROGRESS_ROWS`` rows and at the end."""
        read = 0
        for read, row in enumerate(rows, 1):  # noqa: B007 - the count is read after the loop
            yield row
            if self.on_rows is not None and read % _PROGRESS_ROWS == 0:
                self.on_rows(read)
        if self.on_rows is not None and read % _PROGRESS_ROWS:
            self.on_rows(read)

    def _streamed(
        self, sparql: str, watch: bool, cut: list[int] | None = None
    ) -> Iterator[ox.QuerySolution]:
        """One SELECT, its SPARQL JSON answer parsed as the bytes arrive.

        Retried like any read until its first row; a failure later is an error (the rows
        before it were passed on). When the engine says it cut the answer at its cap:
        ``watch`` raises ``_Capped`` (before any row), else the cap is appended to ``cut``.
        """
        check_internal(sparql, self.sparql_limits)
        data = self._dataset({})
        data["query"] = _PROLOG + sparql
        url = self.settings.query_url
        attempts = self.settings.retries + 1
        started = False
        for attempt in range(attempts):
            try:
                with self._client.stream(
                    "POST", url, data=data, headers={"Accept": _RESULTS_JSON}
                ) as response:
                    if response.status_code >= 300:
                        response.read()
                        if response.status_code not in _RETRY_STATUSES or attempt + 1 == attempts:
                            self._refuse(url, response)
                    else:
                        cap = response.headers.get(CAP_HEADER)
                        if cap and cap.isdigit() and int(cap) > 0:
                            if watch:
                                raise _Capped(int(cap))
                            if cut is not None:
                                cut.append(int(cap))
                        body = io.BufferedReader(ResultsBody(response.iter_bytes()))
                        result = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
                        if not isinstance(result, ox.QuerySolutions):
                            raise TypeError("stream() takes a SELECT query")
                        started = True
                        yield from result
                        return
            except httpx.TransportError as exc:
                if started or attempt + 1 == attempts:
                    raise RemoteError(
                        f"the SPARQL engine at {url} cannot be reached: {exc}"
                    ) from exc
            except (SyntaxError, ValueError) as exc:
                raise RemoteError(
                    f"the SPARQL engine's answer is not SPARQL JSON results: {exc}"
                ) from exc
            time.sleep(min(0.25 * 2**attempt, 4.0))
        raise AssertionError("unreachable")

    def __contains__(self, quad: ox.Quad) -> bool:
        pattern = _triple_text(quad)
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            return bool(self._run(f"ASK {{ GRAPH {quad.graph_name} {{ {pattern} }} }}", {}, False))
        return bool(self._run(f"ASK {{ {pattern} }}", {}))

    def quads_for_pattern(
        self,
        subject: object = None,
        predicate: object = None,
        obj: object = None,
        graph_name: object = None,
    ) -> Iterator[ox.Quad]:
        """Quads matching a pattern, paged; None as the graph: every graph of vckg's data."""
        if graph_name == ONTOLOGY_GRAPH and subject is None and predicate is None and obj is None:
            return self._ontology_quads()
        return self._matching(subject, predicate, obj, graph_name)

    def _matching(
        self, subject: object, predicate: object, obj: object, graph_name: object
    ) -> Iterator[ox.Quad]:
        terms = [subject, predicate, obj]
        names = ["?s", "?p", "?o"]
        pattern = " ".join(
            _term(t) if t is not None else n for t, n in zip(terms, names, strict=True)
        )
        variables = [n for t, n in zip(terms, names, strict=True) if t is None]
        head = " ".join(variables) or "?any"
        where = f"{pattern} ." if variables else f"{pattern} . BIND(1 AS ?any)"

        def quads(rows: Iterable[ox.QuerySolution], graph: object) -> Iterator[ox.Quad]:
            for row in rows:
                values = iter(row)
                s, p, o = (t if t is not None else next(values) for t in terms)
                yield ox.Quad(s, p, o, graph)  # type: ignore[arg-type]

        if graph_name is None or isinstance(graph_name, ox.DefaultGraph):
            yield from quads(self.stream(f"SELECT {head} WHERE {{ {where} }}"), ox.DefaultGraph())
        if graph_name is None and self._graph is None:
            excluded = f"FILTER(?g != {REVISION_GRAPH})"
            rows = self._stream_all_graphs(
                f"SELECT {head} ?g WHERE {{ GRAPH ?g {{ {where} }} {excluded} }}"
            )
            for row in rows:
                *values, graph = list(row)
                yield from quads([values], graph)  # type: ignore[list-item]
        elif graph_name is not None and not isinstance(graph_name, ox.DefaultGraph):
            rows = self._stream_all_graphs(
                f"SELECT {head} WHERE {{ GRAPH {_term(graph_name)} {{ {where} }} }}"
            )
            yield from quads(rows, graph_name)

    def _ontology_quads(self) -> Iterator[ox.Quad]:
        """The ontology graph, with the file's blank-node labels when it holds the file.

        The engine names blank nodes itself, so its copy of the ontology never equals the
        file's quads term for term; the same IRI and literal quads and as many blank-node
        quads is taken as the same ontology (``store.ontology.stale_ontology``).
        """
        from valuechain_kg.store.ontology import ontology_quads

        held = list(self._matching(None, None, None, ONTOLOGY_GRAPH))

        def ground(quads: Iterable[ox.Quad]) -> set[ox.Quad]:
            return {q for q in quads if not any(isinstance(t, ox.BlankNode) for t in q)}

        wanted = ontology_quads()
        same = ground(held) == ground(wanted) and len(held) == len(wanted)
        yield from wanted if same else held

    def _stream_all_graphs(self, sparql: str) -> Iterator[ox.QuerySolution]:
        """Pages of a query over named graphs: sent without vckg's default-graph parameter."""
        saved, self._graph = self._graph, None
        try:
            rows = list(self.stream(sparql))
        finally:
            self._graph = saved
        yield from rows

    def quads(self) -> Iterator[ox.Quad]:
        return self.quads_for_pattern(None, None, None, None)

    def __len__(self) -> int:
        if self._graph is None:
            where = (
                f"{{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {REVISION_GRAPH}) }}"
            )
        else:
            where = (
                f"{{ GRAPH {self._graph} {{ ?s ?p ?o }} }} "
                f"UNION {{ GRAPH {ONTOLOGY_GRAPH} {{ ?s ?p ?o }} }}"
            )
        rows = self._solutions(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}", dataset=False)
        return int(rows[0][0].value) if rows else 0  # type: ignore[union-attr]

    def size(self) -> int:
        """vckg's quads (its default graph and the ontology graph), counted by the engine."""
        return len(self)

    def is_empty(self) -> bool:
        return not self._run("ASK { ?s ?p ?o }", {})

    @property
    def oxigraph(self) -> ox.Store:
        """This store itself: it answers pyoxigraph's read calls (``query``,
        ``quads_for_pattern``, ``in``, ``len``), which is all its readers use."""
        return cast(ox.Store, self)

    def export(self, fmt: str = "ttl") -> bytes:
        """vckg's data serialised; graph formats take the default graph only."""
        rdf_format = EXPORT_FORMATS[fmt]
        out = io.BytesIO()
        self.dump(out, rdf_format, None if rdf_format.supports_datasets else ox.DefaultGraph())
        return out.getvalue()

    def dump(
        self,
        output: IO[bytes],
        format: ox.RdfFormat,  # noqa: A002 - pyoxigraph's name
        from_graph: object = None,
        prefixes: dict[str, str] | None = None,
    ) -> None:
        """Serialise quads streamed from the engine (``Store.dump``'s signature)."""
        quads = self.quads_for_pattern(None, None, None, from_graph)
        if format.supports_datasets:
            ox.serialize(quads, output, format=format)
        else:
            triples = (q.triple for q in quads)
            if prefixes is None and format == ox.RdfFormat.TURTLE:
                prefixes = PREFIXES
            ox.serialize(triples, output, format=format, prefixes=prefixes)

    # --- the revision ------------------------------------------------------------------------

    @property
    def revision(self) -> str:
        """The token of the last vckg write (read again after ``revision_ttl`` seconds)."""
        now = time.monotonic()
        if self._revision is not None and now - self._revision[0] < self.settings.revision_ttl:
            return self._revision[1]
        rows = self._solutions(
            f"SELECT ?t WHERE {{ GRAPH {REVISION_GRAPH} {{ {REVISION_GRAPH} {_TOKEN} ?t }} }}",
            dataset=False,
        )
        value = min((r[0].value for r in rows if r[0] is not None), default=None)
        if value is None:
            value = f"count-{len(self)}"
        self._revision = (now, value)
        return value

    @property
    def writes(self) -> int:
        return self._sequence

    def record_revision(self) -> bool:
        """Nothing is saved beside a remote store."""
        return False

    def _revision_text(self) -> tuple[str, str]:
        token = uuid.uuid4().hex
        text = (
            f"CLEAR SILENT GRAPH {REVISION_GRAPH} ;\n"
            f'INSERT DATA {{ GRAPH {REVISION_GRAPH} {{ {REVISION_GRAPH} {_TOKEN} "{token}" }} }}'
        )
        return token, text

    def _committed(self, token: str) -> None:
        self._sequence += 1
        self._revision = (time.monotonic(), token)

    # --- writes --------------------------------------------------------------------------

    def _data_block(self, keyword: str, quads: list[ox.Quad]) -> str:
        """``INSERT DATA``/``DELETE DATA`` of quads, the default graph as vckg's graph."""
        default: list[str] = []
        named: dict[str, list[str]] = {}
        for quad in quads:
            if isinstance(quad.object, ox.Triple) or isinstance(quad.subject, ox.Triple):
                raise UsageError("a remote store takes no RDF 1.2 triple terms")
            if keyword == "DELETE" and any(isinstance(t, ox.BlankNode) for t in quad):
                raise UsageError(
                    "a remote store cannot delete a quad holding a blank node (the engine names "
                    "its blank nodes itself): delete it with DELETE WHERE through vckg sparql"
                )
            if isinstance(quad.graph_name, ox.DefaultGraph):
                if self._graph is None:
                    default.append(_triple_text(quad))
                else:
                    named.setdefault(str(self._graph), []).append(_triple_text(quad))
            else:
                named.setdefault(str(quad.graph_name), []).append(_triple_text(quad))
        parts = ["\n".join(default)]
        parts += [f"GRAPH {g} {{\n" + "\n".join(lines) + "\n}" for g, lines in named.items()]
        body = "{\n" + "\n".join(p for p in parts if p) + "\n}"
        if keyword == "INSERT" and any(_has_blank(q) for q in quads):
            # A template, not data: some engines (Virtuoso) refuse blank nodes in INSERT DATA;
            # in one template a label names one new node, as in INSERT DATA.
            return f"INSERT {body} WHERE {{}}"
        return f"{keyword} DATA {body}"

    def apply_change(
        self, removed: Iterable[ox.Quad] = (), added: Iterable[ox.Quad] = (), exact: bool = False
    ) -> None:
        """Remove then add, with the new revision token, in ONE update request."""
        removed, added = list(removed), list(added)
        if not removed and not added:
            return
        token, revision = self._revision_text()
        operations = []
        if removed:
            operations.append(self._data_block("DELETE", removed))
        if added:
            operations.append(self._data_block("INSERT", added))
        self._send_update(" ;\n".join([*operations, revision]))
        self._committed(token)

    def remove(self, quads: Iterable[ox.Quad]) -> None:
        self.apply_change(removed=quads)

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in batches of ``batch_size``: each batch one request, with the token."""
        self.add_new(quads, count=False)

    def add_new(self, quads: Iterable[ox.Quad], count: bool = True) -> int:
        """Add quads in batches; how many the engine did not hold yet (one count per batch).

        The quads holding blank nodes go together in the last request: a blank node's label
        names one node only within one request, so its quads must not be split.
        """
        new = 0
        blank: list[ox.Quad] = []
        iterator = iter(quads)
        while batch := list(itertools.islice(iterator, self.settings.batch_size)):
            blank += [q for q in batch if _has_blank(q)]
            ground = [q for q in batch if not _has_blank(q)]
            if ground:
                new += len(ground) - self._present(ground) if count else 0
                self.apply_change(added=ground)
        if blank:
            # Blank nodes from a file are new nodes: every such quad is new.
            new += len(set(blank))
            self.apply_change(added=blank)
        return new

    def held(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
        """The ones of ``quads`` the engine holds: ground default-graph quads a batch per
        query, each named by its position so that no literal has to round-trip unchanged."""
        ground: list[ox.Quad] = []
        found: set[ox.Quad] = set()
        for quad in dict.fromkeys(quads):
            if isinstance(quad.graph_name, ox.DefaultGraph) and not _has_blank(quad):
                ground.append(quad)
            elif quad in self:
                found.add(quad)
        size = self.settings.batch_size
        for start in range(0, len(ground), size):
            batch = ground[start : start + size]
            values = " ".join(
                f"({n} {_term(q.subject)} {_term(q.predicate)} {_term(q.object)})"
                for n, q in enumerate(batch)
            )
            text = f"SELECT ?n WHERE {{ VALUES (?n ?s ?p ?o) {{ {values} }} ?s ?p ?o }}"
            found.update(batch[int(row[0].value)] for row in self._solutions(text))
        return found

    def _present(self, quads: list[ox.Quad]) -> int:
        """How many of ``quads`` (distinct) the engine holds, by one query."""
        default = [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
        found = 0
        bnodes = [q for q in default if any(isinstance(t, ox.BlankNode) for t in q)]
        rows = [q for q in dict.fromkeys(default) if q not in bnodes]
        if rows:
            values = " ".join(
                f"({_term(q.subject)} {_term(q.predicate)} {_term(q.object)})" for q in rows
            )
            text = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES (?s ?p ?o) {{ {values} }} ?s ?p ?o }}"
            result = self._solutions(text)
            found += int(result[0][0].value) if result and result[0][0] is not None else 0
        found += sum(
            1 for q in quads if not isinstance(q.graph_name, ox.DefaultGraph) and q in self
        )
        return found

    def take_over(self, staging: Staging, size: int) -> None:
        """Send a validated staging store to the (empty) engine, in batches."""
        self.add(staging.quads())

    def update(self, sparql: str, **options: object) -> None:
        """A SPARQL update sent as it is (with the revision token), after the guard."""
        check_update(sparql, self.sparql_limits)
        token, revision = self._revision_text()
        self._send_update(_PROLOG + sparql + " ;\n" + revision)
        self._committed(token)

    def bulk_load(self, path: Path) -> None:
        """A file sent in batches (no validation: the caller validated it)."""
        from valuechain_kg.store.embedded import rdf_format_for

        with path.open("rb") as stream:
            self.add(ox.parse(stream, format=rdf_format_for(path)))

    def flush(self) -> None:
        """Nothing is buffered here: every write was one request."""

    def close(self) -> None:
        self._client.close()
