"""The SPARQL 1.1 Protocol (W3C Recommendation, 2013) at ``/sparql``, as one mountable router.

- query: GET ``?query=``, POST form ``query=``, POST ``application/sparql-query`` (section 2.1),
  with ``default-graph-uri`` / ``named-graph-uri`` (2.1.4; they override FROM / FROM NAMED);
- update: POST form ``update=`` or ``application/sparql-update`` (2.2), with
  ``using-graph-uri`` / ``using-named-graph-uri`` (2.2.3; a clash with USING/WITH is 400),
  only for a client holding the operator's bearer token, as one SHACL-validated transaction;
- GET without a query: the SPARQL service description (Turtle, or another RDF format asked
  for); a browser (``text/html`` preferred to every format offered) gets the SPARQL editor, with
  its ``?query=`` filled in when it sent one.

Graphs named by the protocol or by FROM/USING are graphs in the store, never fetched: an absent
one is empty. ``SERVICE`` and ``LOAD`` are refused (400). Queries run in the bounded worker
pool with a deadline (503 after ``VCKG_QUERY_TIMEOUT``).
"""

from __future__ import annotations

import functools
import hmac
import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.datastructures import URL
from starlette.types import Scope

from valuechain_kg.api.negotiation import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    Choice,
    NotAcceptable,
    choose,
    parse_accept,
)
from valuechain_kg.api.openapi_responses import SPARQL_GET, SPARQL_POST, SPARQL_POST_BODY
from valuechain_kg.api.page import editor_page
from valuechain_kg.api.problems import ProblemError
from valuechain_kg.api.settings import ApiSettings
from valuechain_kg.api.sparql_syntax import (
    names_own_dataset,
    query_form,
    with_using_clauses,
)
from valuechain_kg.api.workers import Deadline, DeadlineWriter, Workers
from valuechain_kg.namespaces import ONTOLOGY
from valuechain_kg.rdf_output import write_graph
from valuechain_kg.sparql_guard import prepare

if TYPE_CHECKING:
    from valuechain_kg.service.graph import KnowledgeGraph

# The SERVICE/LOAD check's grammar, loaded before any query process is forked.
prepare()

__all__ = [
    "ProtocolRequest",
    "answer",
    "evaluate_query",
    "rdf_response",
    "read_protocol_request",
    "router",
    "service_description",
]

router = APIRouter(tags=["SPARQL 1.1 Protocol"])

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
_POSITION = re.compile(r"error at (\d+):(\d+)")


@dataclass(frozen=True)
class ProtocolRequest:
    """One protocol operation, as read from the HTTP request."""

    operation: str  # "query", "update" or "description"
    text: str = ""
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise ProblemError(400, f"more than one '{name}' parameter (protocol 2.1/2.2: exactly one)")
    return values[0] if values else None


def _decode_utf8(body: bytes, content_type: str) -> str:
    """Protocol 2.1.3 / 2.2.2: a direct POST body is UTF-8; anything else is refused."""
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in {
            "utf-8",
            "utf8",
        }:
            raise ProblemError(415, f"the body must be UTF-8, not {value.strip()}")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemError(400, f"the body is not valid UTF-8: {exc}") from exc


def _operation(params: dict[str, list[str]], text_key: str | None, text: str | None) -> str:
    if text_key is None:
        query, update = _single(params, "query"), _single(params, "update")
        if query is not None and update is not None:
            raise ProblemError(400, "a request carries either 'query' or 'update', not both")
        return "query" if query is not None else "update" if update is not None else ""
    return text_key


def _from_params(operation: str, text: str, params: dict[str, list[str]]) -> ProtocolRequest:
    if operation == "query":
        return ProtocolRequest(
            "query",
            text,
            params.get("default-graph-uri", []),
            params.get("named-graph-uri", []),
        )
    return ProtocolRequest(
        "update",
        text,
        params.get("using-graph-uri", []),
        params.get("using-named-graph-uri", []),
    )


async def read_protocol_request(request: Request) -> ProtocolRequest:
    """The operation a GET or POST asks for, or a ProblemError saying what is wrong with it."""
    params = parse_qs(url_query(request.scope), keep_blank_values=True)
    if request.method in {"GET", "HEAD"}:
        if "update" in params:
            raise ProblemError(400, "updates are POSTed (protocol 2.2), never sent with GET")
        query = _single(params, "query")
        if query is None:
            return ProtocolRequest("description")
        return _from_params("query", query, params)
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";")[0].strip().lower()
    body = await request.body()
    if media_type == FORM:
        form = parse_qs(_decode_utf8(body, content_type), keep_blank_values=True)
        for key, values in params.items():
            form.setdefault(key, []).extend(values)
        operation = _operation(form, None, None)
        if not operation:
            raise ProblemError(400, "a form POST needs a 'query' or an 'update' field")
        return _from_params(operation, _single(form, operation) or "", form)
    if media_type == SPARQL_QUERY:
        return _from_params("query", _decode_utf8(body, content_type), params)
    if media_type == SPARQL_UPDATE:
        return _from_params("update", _decode_utf8(body, content_type), params)
    raise ProblemError(
        415,
        f"unsupported Content-Type '{content_type or '(none)'}': use {FORM}, "
        f"{SPARQL_QUERY} or {SPARQL_UPDATE}",
    )


def syntax_problem(exc: SyntaxError, what: str) -> ProblemError:
    """400 with the parser's message and, when it gives one, the line and column."""
    message = str(exc.msg if exc.msg else exc)
    match = _POSITION.search(message)
    if match is None:
        return ProblemError(400, f"malformed {what}: {message}")
    return ProblemError(
        400,
        f"malformed {what}: {message}",
        line=int(match.group(1)),
        column=int(match.group(2)),
    )


def _graph_terms(iris: list[str]) -> list[ox.NamedNode]:
    try:
        return [ox.NamedNode(iri) for iri in iris]
    except ValueError as exc:
        raise ProblemError(400, f"not an IRI in a graph parameter: {exc}") from exc


def evaluate_query(
    kg: KnowledgeGraph,
    request: ProtocolRequest,
    choice: Choice,
    deadline: Deadline,
    base_iri: str | None = None,
) -> bytes:
    """Run a query and serialise its answer, checking the deadline at every chunk written.

    With a protocol dataset, the named graphs make up the dataset; without one, the query
    reads the store's default graph (where loads go) and may name store graphs in FROM.
    """
    options: dict[str, object] = {"base_iri": base_iri}
    if request.default_graphs or request.named_graphs:
        options["default_graph"] = _graph_terms(request.default_graphs)
        options["named_graphs"] = _graph_terms(request.named_graphs)
    try:
        results = kg.sparql(request.text, **options)
    except SyntaxError as exc:
        raise syntax_problem(exc, "query") from exc
    writer = DeadlineWriter(deadline)
    try:
        if isinstance(results, ox.QueryTriples):
            assert isinstance(choice.format, ox.RdfFormat)
            write_graph(results, writer, choice.format)
        else:
            results.serialize(writer, format=choice.format)  # type: ignore[attr-defined]
    except ValueError as exc:  # a graph that JSON-LD with a context cannot write
        raise ProblemError(406, f"{exc}: ask for Turtle or N-Triples") from exc
    finally:
        # pyoxigraph's result iterators must be dropped on the thread that made them, not
        # later on the event loop through a traceback that still holds this frame.
        del results
    deadline.check()
    return writer.getvalue()


GRAPH_FORMAT_SET = frozenset(c.format for c in GRAPH_FORMATS.values())


def _evaluate_in_worker(
    kg: KnowledgeGraph,
    deadline: Deadline,
    request: ProtocolRequest,
    media_type: str,
    graph: bool,
    base_iri: str,
) -> bytes:
    """``evaluate_query`` as a query-process task: the format travels as its media type."""
    table = GRAPH_FORMATS if graph else RESULT_FORMATS
    choice = next(c for c in table.values() if c.media_type == media_type)
    return evaluate_query(kg, request, choice, deadline, base_iri)


def _table_for(form: str | None) -> dict[str, Choice]:
    """The formats a query of this form can be answered in."""
    return GRAPH_FORMATS if form in {"CONSTRUCT", "DESCRIBE"} else RESULT_FORMATS


def _choice_for(form: str | None, accept: str | None) -> Choice:
    table = _table_for(form)
    try:
        return choose(accept, table)
    except NotAcceptable as exc:
        raise ProblemError(406, str(exc), offered=exc.offered) from exc


def _authorise_update(request: Request, settings: ApiSettings) -> None:
    """Updates need the operator's bearer token: none configured is 403, a wrong one 401."""
    if not settings.update_token:
        raise ProblemError(403, "updates are disabled on this server (no VCKG_UPDATE_TOKEN set)")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), settings.update_token.encode()
    ):
        raise ProblemError(
            401,
            "updates need 'Authorization: Bearer <token>' with the server's token",
            {"WWW-Authenticate": 'Bearer realm="vckg-sparql-update"'},
        )


def url_query(scope: Scope) -> str:
    """``Request.url.query``, read from the scope without building the whole URL.

    Starlette decodes the query string as UTF-8 and splits the URL with ``urlsplit``, which
    drops tabs and line breaks and ends the query at the first ``#``.
    """
    query: str = scope.get("query_string", b"").decode()
    if "\t" in query or "\r" in query or "\n" in query:
        query = query.replace("\t", "").replace("\r", "").replace("\n", "")
    return query.partition("#")[0]


@functools.lru_cache(maxsize=64)
def _endpoint_for(
    scheme: str, server: tuple[str, int] | None, path: str, host: bytes | None
) -> str:
    headers = [] if host is None else [(b"host", host)]
    scope = {"scheme": scheme, "server": server, "path": path, "headers": headers}
    return str(URL(scope=scope).replace(query="", fragment=""))


def _endpoint_iri(request: Request) -> str:
    """The request's URL without query or fragment: what ``Request.url`` builds it from, once
    for each scheme, server, path and ``Host``."""
    scope = request.scope
    host = next((value for key, value in scope["headers"] if key == b"host"), None)
    server = scope.get("server")
    return _endpoint_for(
        scope.get("scheme", "http"), tuple(server) if server else None, scope["path"], host
    )


_DESCRIPTION_COMMENT = (
    "Value-chain actors, adverse impacts and leverage (OECD Guidelines for MNEs). "
    "A query naming no dataset reads the store's default graph together with the ontology "
    "graph; FROM or default-graph-uri name other graphs. "
    "SERVICE and LOAD are refused; updates need a bearer token."
)


def service_description(endpoint: str) -> str:
    """The SPARQL 1.1 Service Description of this endpoint, in Turtle.

    Written after the Service Description recommendation (2013): the endpoint, its languages
    and formats, and the default dataset (the data's default graph, the ontology's named graph,
    and the VoID description of both at ``/void``).
    """
    results = ", ".join(
        f"<http://www.w3.org/ns/formats/{name}>"
        for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV")
    )
    graphs = ", ".join(
        f"<http://www.w3.org/ns/formats/{name}>"
        for name in ("Turtle", "N-Triples", "JSON-LD", "RDF_XML")
    )
    root = endpoint.rsplit("/sparql", 1)[0]
    return f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

<{endpoint}#service> a sd:Service ;
    rdfs:label "valuechain-kg SPARQL endpoint" ;
    rdfs:comment "{_DESCRIPTION_COMMENT}" ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query, sd:SPARQL11Update ;
    sd:resultFormat {results}, {graphs} ;
    sd:defaultEntailmentRegime <http://www.w3.org/ns/entailment/Simple> ;
    sd:defaultDataset <{endpoint}#dataset> .

<{endpoint}#dataset> a sd:Dataset ;
    rdfs:seeAlso <{root}/void> ;
    sd:defaultGraph [ a sd:Graph ;
        rdfs:comment "the data's default graph with the ontology graph" ;
        dcterms:source <{root}/void#data> , <{root}/void#ontology> ] ;
    sd:namedGraph [ a sd:NamedGraph ;
        sd:name <{ONTOLOGY}> ;
        sd:graph [ a sd:Graph ; dcterms:source <{root}/void#ontology> ] ] .
"""


#: The vocabularies of the service and VoID descriptions, as Turtle prefixes.
DESCRIPTION_PREFIXES = {
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "void": "http://rdfs.org/ns/void#",
    "formats": "http://www.w3.org/ns/formats/",
}


def rdf_response(request: Request, turtle: str) -> Response:
    """A graph written in Turtle here, answered in the RDF format the client asks for."""
    try:
        choice = choose(request.headers.get("accept"), GRAPH_FORMATS)
    except NotAcceptable as exc:
        raise ProblemError(406, str(exc), offered=exc.offered) from exc
    assert isinstance(choice.format, ox.RdfFormat)  # GRAPH_FORMATS holds only RDF formats
    output = io.BytesIO()
    triples = ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE)
    write_graph(triples, output, choice.format, DESCRIPTION_PREFIXES)
    return Response(output.getvalue(), media_type=choice.media_type, headers={"Vary": "Accept"})


def _description_response(request: Request) -> Response:
    return rdf_response(request, service_description(_endpoint_iri(request)))


async def _query_response(
    request: Request, operation: ProtocolRequest, form: str | None
) -> Response:
    # ``GraphStore.query`` puts the text through ``sparql_guard`` in the worker (400 when it
    # is too complex or could call out), so that the event loop never parses it.
    choice = _choice_for(form, request.headers.get("accept"))
    workers: Workers = request.app.state.workers
    graph = choice.format in GRAPH_FORMAT_SET
    base = _endpoint_iri(request)
    body = await workers.run_isolated(
        _evaluate_in_worker, operation, choice.media_type, graph, base
    )
    return Response(body, media_type=choice.media_type, headers={"Vary": "Accept"})


async def _update_response(request: Request, operation: ProtocolRequest) -> Response:
    settings: ApiSettings = request.app.state.settings
    _authorise_update(request, settings)
    if (operation.default_graphs or operation.named_graphs) and names_own_dataset(operation.text):
        raise ProblemError(
            400,
            "using-graph-uri / using-named-graph-uri may not be combined with an update that "
            "has its own USING or WITH (SPARQL 1.1 Protocol 2.2.3)",
        )
    text = with_using_clauses(operation.text, operation.default_graphs, operation.named_graphs)
    kg = request.app.state.kg
    workers: Workers = request.app.state.workers
    base = _endpoint_iri(request)

    def work(deadline: Deadline) -> dict[str, int]:
        # The writer puts the text that runs, USING clauses included, through the guard.
        try:
            with workers.writing():
                outcome = kg.update(text, base, before_commit=deadline.check)
        except SyntaxError as exc:
            raise syntax_problem(exc, "update") from exc
        return {
            "added": outcome.added,
            "removed": outcome.removed,
            "triples": outcome.triples_after,
        }

    return JSONResponse(await workers.run(work))


def _browser_wants_html(accept: str | None, table: dict[str, Choice]) -> bool:
    """Whether ``text/html`` is the client's first choice over every format of ``table``.

    A browser sends ``text/html,...,application/xml;q=0.9,*/*;q=0.8``: HTML wins. A client
    naming only RDF or results formats, or sending ``*/*``, gets RDF as before.
    """
    if not accept:
        return False
    html = max(
        (
            q
            for media, q, _ in parse_accept(accept)
            if media in {"text/html", "application/xhtml+xml"}
        ),
        default=0.0,
    )
    named = max((q for media, q, _ in parse_accept(accept) if media in table), default=0.0)
    return html > 0 and html >= named


async def answer(request: Request) -> Response:
    """The protocol's answer to a GET, HEAD or POST on ``/sparql``."""
    operation = await read_protocol_request(request)
    form = query_form(operation.text) if operation.operation == "query" else None
    if request.method in {"GET", "HEAD"} and operation.operation in {"description", "query"}:
        table = _table_for(form) if operation.operation == "query" else GRAPH_FORMATS
        if _browser_wants_html(request.headers.get("accept"), table):
            return HTMLResponse(editor_page(operation.text or None), headers={"Vary": "Accept"})
    if operation.operation == "description":
        return _description_response(request)
    if operation.operation == "query":
        return await _query_response(request, operation, form)
    return await _update_response(request, operation)


@router.get(
    "/sparql",
    summary="SPARQL query by GET, or the service description",
    responses=SPARQL_GET,
)
@router.get("/sparql/", include_in_schema=False)
@router.head("/sparql", include_in_schema=False)
@router.head("/sparql/", include_in_schema=False)
async def sparql_get(request: Request) -> Response:
    """``?query=`` with optional ``default-graph-uri`` / ``named-graph-uri``; without a query,
    the service description (Turtle)."""
    return await answer(request)


#: The methods ``/sparql`` serves, as ``Allow`` lists them (RFC 9110 section 10.2.1).
ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS"


@router.api_route("/sparql", methods=["OPTIONS", "PUT", "DELETE", "PATCH"], include_in_schema=False)
@router.api_route(
    "/sparql/", methods=["OPTIONS", "PUT", "DELETE", "PATCH"], include_in_schema=False
)
async def sparql_other_methods(request: Request) -> Response:
    """OPTIONS lists the methods served; the other methods are refused with the same list."""
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": ALLOWED_METHODS})
    raise ProblemError(
        405, f"{request.method} is not served at /sparql", {"Allow": ALLOWED_METHODS}
    )


@router.post(
    "/sparql",
    summary="SPARQL query or update by POST",
    responses=SPARQL_POST,
    openapi_extra={"requestBody": SPARQL_POST_BODY},
)
@router.post("/sparql/", include_in_schema=False)
async def sparql_post(request: Request) -> Response:
    """A query (form ``query=`` or ``application/sparql-query``) or an update (form ``update=``
    or ``application/sparql-update``, with ``Authorization: Bearer <token>``)."""
    return await answer(request)
