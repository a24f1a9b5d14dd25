"""The SPARQL 1.1 Graph Store HTTP Protocol (W3C Recommendation, 2013) at ``/rdf-graphs/service``.

Graphs are identified indirectly (section 4.2): ``?graph=<IRI>`` names a graph of the store,
``?default`` its default graph (where ``vckg load`` puts the project's data). The query string
is percent-decoded once and ``+`` stays ``+`` (an IRI has no spaces, and may hold a ``+``).
Direct identification (a graph named by the request URL) is not offered: a graph's name would
then depend on the host name and scheme a client or proxy happened to use.

- GET / HEAD: the graph, in the format the Accept header asks for (Turtle by default; N-Triples,
  RDF/XML, JSON-LD, TriG, N-Quads); 404 for a named graph that holds no triple.
- PUT: replace the graph with the body (201 if it held nothing before, else 204).
- POST: merge the body into the graph (201 / 204); the body may be ``multipart/form-data``, each
  part one RDF document. POST to the service itself (neither parameter) creates a new graph
  named ``urn:uuid:...`` and answers 201 with that name in ``Location``.
- DELETE: drop the graph (204; 404 for a named graph that holds no triple).

Writes need the same bearer token as SPARQL updates and go through the same path: the body is
parsed by pyoxigraph (a bad body is 400 with its line and column), turned into a SPARQL update
from the parsed terms (never from the request's text), and applied by
``apply_validated_update``: checked against the SHACL shapes, all of it or none. Blank nodes of
a body are new nodes, never ones already in the store. A named graph exists while it holds at
least one triple; the store keeps no empty graphs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from valuechain_kg.api.negotiation import GRAPH_FORMATS, Choice, NotAcceptable, choose
from valuechain_kg.api.openapi_responses import Responses, media, no_content, problems
from valuechain_kg.api.problems import ProblemError
from valuechain_kg.api.sparql import _authorise_update
from valuechain_kg.api.workers import Deadline, DeadlineWriter, Workers
from valuechain_kg.ingest.rdf_limits import check_rdf_bytes
from valuechain_kg.namespaces import PREFIXES

if TYPE_CHECKING:
    from valuechain_kg.service.graph import KnowledgeGraph

__all__ = ["BODY_FORMATS", "SERVICE", "router", "update_for"]

SERVICE = "/rdf-graphs/service"

router = APIRouter(tags=["SPARQL 1.1 Graph Store Protocol"])

Graph = ox.NamedNode | ox.DefaultGraph

#: What GET can answer: the SPARQL router's graph formats plus the two dataset formats.
ANSWER_FORMATS: dict[str, Choice] = {
    **GRAPH_FORMATS,
    "application/trig": Choice("application/trig", ox.RdfFormat.TRIG),
    "application/n-quads": Choice("application/n-quads", ox.RdfFormat.N_QUADS),
}

#: What a PUT or POST body may be (the media type of ``Content-Type``, parameters aside).
BODY_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
MULTIPART = "multipart/form-data"


# --- which graph a request names ------------------------------------------------------------


def _query_params(query: str) -> dict[str, list[str]]:
    """The query string's parameters, percent-decoded once, ``+`` kept as it is."""
    params: dict[str, list[str]] = {}
    for part in query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        params.setdefault(unquote(name), []).append(unquote(value))
    return params


def target_graph(request: Request) -> Graph | None:
    """The graph named by ``?graph=`` or ``?default``; None when neither is given."""
    params = _query_params(request.url.query)
    graphs = params.get("graph", [])
    if len(graphs) > 1:
        raise ProblemError(400, "more than one 'graph' parameter")
    if graphs and "default" in params:
        raise ProblemError(400, "a request names either '?graph=IRI' or '?default', not both")
    if "default" in params:
        return ox.DefaultGraph()
    if not graphs:
        return None
    try:
        return ox.NamedNode(graphs[0])
    except ValueError as exc:
        raise ProblemError(400, f"'graph' is not an absolute IRI: {exc}") from exc


def _required_target(request: Request) -> Graph:
    graph = target_graph(request)
    if graph is None:
        raise ProblemError(400, "name a graph with '?graph=IRI' or '?default'")
    return graph


def graph_exists(kg: KnowledgeGraph, graph: Graph) -> bool:
    """The default graph always exists; a named one while it holds a triple."""
    if isinstance(graph, ox.DefaultGraph):
        return True
    return next(iter(kg.graph_quads(graph)), None) is not None


def _graph_label(graph: Graph) -> str:
    return "the default graph" if isinstance(graph, ox.DefaultGraph) else f"graph {graph}"


# --- reading and writing ------------------------------------------------------------------


def _choose_answer(request: Request) -> Choice:
    try:
        return choose(request.headers.get("accept"), ANSWER_FORMATS)
    except NotAcceptable as exc:
        raise ProblemError(406, str(exc), offered=exc.offered) from exc


def serialise_graph(kg: KnowledgeGraph, graph: Graph, choice: Choice, deadline: Deadline) -> bytes:
    """The graph in the chosen format, checking the deadline at every chunk written."""
    if not graph_exists(kg, graph):
        raise ProblemError(404, f"the store holds no {_graph_label(graph)}")
    assert isinstance(choice.format, ox.RdfFormat)  # ANSWER_FORMATS holds only RDF formats
    writer = DeadlineWriter(deadline)
    with_prefixes = choice.format in {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG}
    prefixes = PREFIXES if with_prefixes else None
    if choice.format.supports_datasets:
        quads = kg.graph_quads(graph)
        ox.serialize(quads, writer, format=choice.format, prefixes=prefixes)  # type: ignore[arg-type]
    else:
        kg.dump_graph(writer, graph, choice.format, prefixes)  # type: ignore[arg-type]
    deadline.check()
    return writer.getvalue()


def _body_format(content_type: str) -> ox.RdfFormat:
    media_type = content_type.split(";")[0].strip().lower()
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in {"utf-8", "utf8"}:
            raise ProblemError(415, f"the body must be UTF-8, not {value.strip()}")
    fmt = BODY_FORMATS.get(media_type)
    if fmt is None:
        raise ProblemError(
            415,
            f"unsupported Content-Type '{content_type or '(none)'}': use one of "
            + ", ".join(sorted(BODY_FORMATS)),
        )
    return fmt


def _syntax_problem(exc: SyntaxError, where: str) -> ProblemError:
    message = str(exc.msg or exc)
    if "LoadDocumentCallback" in message:
        message = "remote JSON-LD contexts are not fetched; inline the @context"
    extra: dict[str, Any] = {}
    if exc.lineno is not None:
        extra = {"line": exc.lineno, "column": exc.offset}
    return ProblemError(400, f"malformed RDF in {where}: {message}", **extra)


def refuse_hostile(body: bytes, fmt: ox.RdfFormat) -> None:
    """Refuse what the parsers must never see, before they see it.

    The shared load limits (``check_rdf_bytes``): nesting of JSON-LD, RDF/XML and the Turtle
    family, triple terms included, and any DTD in RDF/XML; each refusal is an InputError (400)
    with its line and column. RDF/XML must also be UTF-8, as every body is.
    """
    if fmt == ox.RdfFormat.RDF_XML and (
        body.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in body
    ):
        raise ProblemError(400, "RDF/XML bodies must be UTF-8")
    check_rdf_bytes(body, fmt, source="request body")


def _fresh(term: Any, nodes: dict[str, ox.BlankNode]) -> Any:
    """``term`` with its blank nodes replaced by new ones (one per label of the document).

    Walked with a stack: triple terms nest as deep as the load limits let a body nest, which
    is deeper than Python's recursion limit.
    """
    stack: list[tuple[Any, bool]] = [(term, False)]
    done: list[Any] = []
    while stack:
        node, built = stack.pop()
        if isinstance(node, ox.Triple):
            if built:
                obj = done.pop()
                done.append(ox.Triple(done.pop(), node.predicate, obj))
            else:
                stack += [(node, True), (node.object, False), (node.subject, False)]
        elif isinstance(node, ox.BlankNode):
            done.append(nodes.setdefault(node.value, ox.BlankNode()))
        else:
            done.append(node)
    return done.pop()


def parse_document(body: bytes, fmt: ox.RdfFormat, base_iri: str, target: Graph) -> list[ox.Triple]:
    """One RDF document's triples; a dataset format may name no graph other than ``target``."""
    refuse_hostile(body, fmt)
    try:
        quads = list(ox.parse(body, format=fmt, base_iri=base_iri))
    except SyntaxError as exc:
        raise _syntax_problem(exc, "the body") from exc
    nodes: dict[str, ox.BlankNode] = {}
    triples = []
    for quad in quads:
        if not isinstance(quad.graph_name, ox.DefaultGraph) and quad.graph_name != target:
            raise ProblemError(
                400,
                f"the body names graph {quad.graph_name}: a Graph Store request carries one "
                "graph (put its triples in the document's default graph)",
            )
        triples.append(
            ox.Triple(_fresh(quad.subject, nodes), quad.predicate, _fresh(quad.object, nodes))
        )
    return triples


def parse_body(body: bytes, content_type: str, base_iri: str, target: Graph) -> list[ox.Triple]:
    """The triples of a PUT or POST body: one RDF document, or (POST) a multipart of them."""
    if content_type.split(";")[0].strip().lower() != MULTIPART:
        return parse_document(body, _body_format(content_type), base_iri, target)
    header = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(header + body)
    if not message.is_multipart():
        raise ProblemError(400, "a multipart/form-data body without parts (is the boundary set?)")
    triples: list[ox.Triple] = []
    for part in message.iter_parts():
        part_type = str(part.get("content-type", ""))
        payload = part.get_payload(decode=True)
        if not part_type or not isinstance(payload, bytes):
            raise ProblemError(415, "every part of a multipart body needs an RDF Content-Type")
        triples.extend(parse_document(payload, _body_format(part_type), base_iri, target))
    return triples


def update_for(graph: Graph, triples: Iterable[ox.Triple], replace: bool) -> str:
    """The SPARQL update that puts ``triples`` into ``graph`` (after dropping it if ``replace``).

    Written from parsed terms, whose string forms are N-Triples terms (IRIs validated, literals
    escaped), so no byte of the request's text reaches the update.
    """
    data = " .\n".join(str(t) for t in triples)
    if isinstance(graph, ox.NamedNode):
        insert = f"INSERT DATA {{ GRAPH {graph} {{\n{data}\n}} }}"
    else:
        insert = f"INSERT DATA {{\n{data}\n}}"
    return (_drop(graph) + " ;\n" if replace else "") + insert


def _drop(graph: Graph) -> str:
    return (
        f"DROP SILENT GRAPH {graph}" if isinstance(graph, ox.NamedNode) else "DROP SILENT DEFAULT"
    )


def _write(
    workers: Workers,
    kg: KnowledgeGraph,
    graph: Graph,
    update: str,
    deadline: Deadline,
    must_exist: bool = False,
) -> bool:
    """Apply ``update`` as one validated transaction; whether ``graph`` existed before it.

    The existence test runs under the update lock, just before the commit, so the answer
    (201 or 204, or 404 with ``must_exist``) describes the state the update really changed.
    ``workers.writing()`` is held as for SPARQL updates: no query process forks mid-write.
    """
    existed: list[bool] = []

    def before_commit() -> None:
        deadline.check()
        existed.append(graph_exists(kg, graph))
        if must_exist and not existed[0]:
            raise ProblemError(404, f"the store holds no {_graph_label(graph)}")

    with workers.writing():
        # The update is written by pyoxigraph from the parsed body, which the RDF load limits
        # already bounded: the guard is for text a client wrote.
        kg.update(update, before_commit=before_commit, guarded=False)
    return existed[0]


async def _run(request: Request, work: Callable[[Deadline], Any]) -> Any:
    workers: Workers = request.app.state.workers
    return await workers.run(work)


def _base_iri(request: Request, graph: Graph) -> str:
    """Relative IRIs in a body resolve against the graph's IRI, or the service's for default."""
    if isinstance(graph, ox.NamedNode):
        return graph.value
    return str(request.url.replace(query="", fragment=""))


async def _store_body(request: Request, graph: Graph, replace: bool) -> bool:
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    if replace and content_type.split(";")[0].strip().lower() == MULTIPART:
        raise ProblemError(415, "PUT takes one RDF document; multipart bodies are for POST")
    kg: KnowledgeGraph = request.app.state.kg
    base = _base_iri(request, graph)

    def work(deadline: Deadline) -> bool:
        triples = parse_body(body, content_type, base, graph)
        update = update_for(graph, triples, replace)
        return _write(request.app.state.workers, kg, graph, update, deadline)

    existed: bool = await _run(request, work)
    return existed


# --- OpenAPI ------------------------------------------------------------------------------

_GRAPH_PARAMETERS = [
    {
        "name": "graph",
        "in": "query",
        "required": False,
        "description": "The graph's IRI, percent-encoded (indirect identification).",
        "schema": {"type": "string"},
    },
    {
        "name": "default",
        "in": "query",
        "required": False,
        "description": "Present (any value) to name the default graph instead.",
        "allowEmptyValue": True,
        "schema": {"type": "string"},
    },
]
_BODY_TYPES = [*BODY_FORMATS, MULTIPART]
_BODY = {
    "required": True,
    "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in _BODY_TYPES},
}
_ANSWER_TYPES = sorted({c.media_type for c in ANSWER_FORMATS.values()})
_READ: Responses = {
    **media(200, "The graph", *_ANSWER_TYPES),
    **no_content(304, "Not modified (If-None-Match matched the ETag)"),
    **problems(400, 404, 406, 503),
}
_WRITE_ERRORS = problems(400, 401, 403, 413, 415, 422, 503, 507)
_WRITE: Responses = {
    **no_content(201, "The graph was created", Location="The new graph's IRI"),
    **no_content(204, "The graph existed and was changed"),
    **_WRITE_ERRORS,
}


# --- routes -------------------------------------------------------------------------------


async def _read(request: Request, head: bool) -> Response:
    graph = _required_target(request)
    choice = _choose_answer(request)
    kg: KnowledgeGraph = request.app.state.kg
    if head:
        if not graph_exists(kg, graph):
            raise ProblemError(404, f"the store holds no {_graph_label(graph)}")
        response = Response(None, media_type=choice.media_type, headers={"Vary": "Accept"})
        del response.headers["content-length"]  # unknown without writing the graph out
        return response
    body = await _run(request, lambda d: serialise_graph(kg, graph, choice, d))
    return Response(body, media_type=choice.media_type, headers={"Vary": "Accept"})


@router.get(
    SERVICE,
    summary="Graph Store Protocol: a graph of the store",
    responses=_READ,
    openapi_extra={"parameters": _GRAPH_PARAMETERS},
)
async def get_graph(request: Request) -> Response:
    """``?graph=IRI`` or ``?default``: the graph, content-negotiated (Turtle by default)."""
    return await _read(request, head=False)


@router.head(
    SERVICE,
    summary="Graph Store Protocol: does the graph exist (headers of GET)",
    responses=_READ,
    openapi_extra={"parameters": _GRAPH_PARAMETERS},
)
async def head_graph(request: Request) -> Response:
    """The headers GET would give, without the body."""
    return await _read(request, head=True)


@router.put(
    SERVICE,
    summary="Graph Store Protocol: replace a graph (bearer token)",
    status_code=204,
    responses=_WRITE,
    openapi_extra={"parameters": _GRAPH_PARAMETERS, "requestBody": _BODY},
)
async def put_graph(request: Request) -> Response:
    """Replace the graph with the body, validated against the shapes, in one transaction."""
    _authorise_update(request, request.app.state.settings)
    graph = _required_target(request)
    existed = await _store_body(request, graph, replace=True)
    created = not existed and isinstance(graph, ox.NamedNode)
    return Response(status_code=201 if created else 204)


@router.post(
    SERVICE,
    summary="Graph Store Protocol: merge into a graph, or create one (bearer token)",
    status_code=204,
    responses=_WRITE,
    openapi_extra={"parameters": _GRAPH_PARAMETERS, "requestBody": _BODY},
)
async def post_graph(request: Request) -> Response:
    """Merge the body into the graph; without ``graph``/``default``, into a new graph whose
    IRI the ``Location`` header gives."""
    _authorise_update(request, request.app.state.settings)
    graph = target_graph(request)
    if graph is None:
        created = ox.NamedNode(f"urn:uuid:{uuid.uuid4()}")
        await _store_body(request, created, replace=False)
        return Response(status_code=201, headers={"Location": created.value})
    existed = await _store_body(request, graph, replace=False)
    new = not existed and isinstance(graph, ox.NamedNode)
    return Response(status_code=201 if new else 204)


@router.delete(
    SERVICE,
    summary="Graph Store Protocol: drop a graph (bearer token)",
    status_code=204,
    responses={
        **no_content(204, "The graph was dropped"),
        **problems(400, 401, 403, 404, 503, 507),
    },
    openapi_extra={"parameters": _GRAPH_PARAMETERS},
)
async def delete_graph(request: Request) -> Response:
    """Drop the graph (the default graph: remove its triples)."""
    _authorise_update(request, request.app.state.settings)
    graph = _required_target(request)
    kg: KnowledgeGraph = request.app.state.kg
    if not graph_exists(kg, graph):
        raise ProblemError(404, f"the store holds no {_graph_label(graph)}")
    workers: Workers = request.app.state.workers
    await workers.run(lambda d: _write(workers, kg, graph, _drop(graph), d, must_exist=True))
    return Response(status_code=204)


ALLOW = "GET, HEAD, PUT, POST, DELETE, OPTIONS"


@router.api_route(
    SERVICE, methods=["OPTIONS", "PATCH", "TRACE", "CONNECT"], include_in_schema=False
)
async def other_methods(request: Request) -> Response:
    """OPTIONS lists the methods; any other method is 405 with the same ``Allow``.

    Without this route the router would answer 405 with the ``Allow`` of whichever single-method
    route it met first.
    """
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": ALLOW})
    raise ProblemError(405, f"{request.method} is not offered here", {"Allow": ALLOW})
