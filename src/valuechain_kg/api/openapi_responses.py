"""What the OpenAPI document says a route can answer, written once for every router.

A client generator (or schemathesis) reads these declarations to know every status and media
type a route can give; problem documents are ``application/problem+json`` (RFC 9457), never
plain JSON, so they are declared under that media type with their own schema.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from valuechain_kg.api.negotiation import GRAPH_FORMATS, RESULT_FORMATS

__all__ = [
    "LOOKUP",
    "NOT_MODIFIED",
    "PROBLEM_JSON",
    "READ",
    "SPARQL_GET",
    "SPARQL_POST",
    "SPARQL_POST_BODY",
    "Problem",
    "Responses",
    "media",
    "no_content",
    "problems",
]

PROBLEM_JSON = "application/problem+json"

Responses = dict[int | str, dict[str, Any]]

_DESCRIPTIONS = {
    400: "Malformed request: bad syntax, a bad parameter or an input over a limit",
    401: "A write without the server's bearer token",
    403: "Writes are disabled on this server (no token configured)",
    404: "No such resource",
    405: "Method not allowed (see the Allow header)",
    406: "None of the formats in the Accept header can be given",
    413: "The request body is larger than the configured limit",
    415: "Unsupported Content-Type of the request body",
    422: (
        "Invalid parameter, an unknown query parameter or body field (named in `errors`), "
        "malformed JSON (with its `line` and `column`), unknown id, or a write that would "
        "violate the SHACL shapes"
    ),
    503: "The work ran past the configured deadline; retry later",
    507: "The store has no space left; nothing was written",
}


class Problem(BaseModel):
    """An RFC 9457 problem document; some carry extra members (``errors``, ``line``, ...)."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str


_PROBLEM_SCHEMA = Problem.model_json_schema()


def problems(*statuses: int) -> Responses:
    """Problem-document answers for the given statuses."""
    return {
        status: {
            "description": _DESCRIPTIONS.get(status, "Error"),
            "content": {PROBLEM_JSON: {"schema": _PROBLEM_SCHEMA}},
        }
        for status in statuses
    }


def media(status: int, description: str, *media_types: str, **headers: str) -> Responses:
    """An answer with a body in any of ``media_types`` (schema-less: RDF, CSV, XML ...)."""
    answer: dict[str, Any] = {
        "description": description,
        "content": {m: {"schema": {"type": "string"}} for m in media_types},
    }
    if headers:
        answer["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in headers.items()
        }
    return {status: answer}


def no_content(status: int, description: str, **headers: str) -> Responses:
    """An answer without a body (204, 201 without body, 304)."""
    answer: dict[str, Any] = {"description": description}
    if headers:
        answer["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in headers.items()
        }
    return {status: answer}


#: What every read route can answer besides its 200: a revalidated ETag, bad or unknown
#: parameters and ids, and the deadline.
NOT_MODIFIED = no_content(304, "Not modified (If-None-Match matched the ETag)")
READ: Responses = {**NOT_MODIFIED, **problems(400, 422, 503)}
#: A read of one resource named by an id in the path.
LOOKUP: Responses = {**NOT_MODIFIED, **problems(400, 404, 422, 503)}


def _sparql_answers() -> list[str]:
    tables = (RESULT_FORMATS, GRAPH_FORMATS)
    return sorted({c.media_type for table in tables for c in table.values()})


#: ``GET /sparql``: query results (SELECT/ASK) or a graph (CONSTRUCT/DESCRIBE, the service
#: description), in the negotiated format.
SPARQL_GET: Responses = {
    **media(200, "Query results, or the service description", *_sparql_answers()),
    **NOT_MODIFIED,
    **problems(400, 406, 503),
}
#: ``POST /sparql``: a query's answer as for GET, or an update's outcome as JSON.
SPARQL_POST: Responses = {
    **media(
        200,
        "Query results, or (an update) the counts it added and removed as JSON",
        *_sparql_answers(),
        "application/json",
    ),
    **problems(400, 401, 403, 406, 413, 415, 422, 503, 507),
}

#: ``POST /sparql`` bodies (SPARQL 1.1 Protocol 2.1.2, 2.1.3, 2.2.1, 2.2.2).
SPARQL_POST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {"query": {"type": "string"}, "update": {"type": "string"}},
            }
        },
        "application/sparql-query": {"schema": {"type": "string"}},
        "application/sparql-update": {"schema": {"type": "string"}},
    },
}
