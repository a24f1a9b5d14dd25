"""The human page at ``/``: what this is, where the docs are, and a plain SPARQL form.

Rendered on the server as plain HTML (no script, no CDN), so it works offline and in any
browser: the form GETs ``/?query=...`` and the answer comes back as a table.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from valuechain_kg.api.workers import Deadline, QueryTimeout, Workers
from valuechain_kg.errors import QueryTooComplex, UnsafeQuery

if TYPE_CHECKING:
    from valuechain_kg.service.graph import KnowledgeGraph

__all__ = ["EXAMPLE_QUERY", "MAX_ROWS", "render_page", "router"]

router = APIRouter()

#: Rows shown on the page; the full answer is one click away on ``/sparql``.
MAX_ROWS = 500

EXAMPLE_QUERY = """# Adverse impacts and who is involved in them, by mode
SELECT ?impact ?title ?actor ?name ?mode WHERE {
  ?inv a vc:Involvement ; vc:impact ?impact ; vc:actor ?actor ; vc:mode ?mode .
  ?impact schema:name ?title .
  ?actor schema:name ?name .
}
ORDER BY ?impact ?mode ?actor
LIMIT 50"""


def _term(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        value = escape(term.value)
        return f'<a href="{value}">{value}</a>'
    if isinstance(term, ox.Literal):
        return escape(term.value)
    return escape(str(term))


def _table(head: list[str], rows: list[list[object]], more: bool) -> str:
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_term(c)}</td>" for c in row) + "</tr>" for row in rows)
    note = f"<p>First {MAX_ROWS} rows shown.</p>" if more else f"<p>{len(rows)} row(s).</p>"
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>{note}"


def answer_html(kg: KnowledgeGraph, query: str, deadline: Deadline) -> str:
    """The answer to a query as an HTML fragment (a table, or the boolean of an ASK).

    ``store.query`` puts the text through ``sparql_guard`` first (UnsafeQuery, QueryTooComplex),
    so the guard's scan and parse run here, in the worker, never on the event loop.
    """
    results = kg.sparql(query)
    try:
        return _answer_fragment(results, deadline)
    finally:
        del results  # dropped on the worker thread that made it (pyoxigraph requires it)


def _answer_in_worker(kg: KnowledgeGraph, deadline: Deadline, query: str) -> str:
    """``answer_html`` as a query-process task (killed at the deadline, like ``/sparql``)."""
    return answer_html(kg, query, deadline)


def _answer_fragment(results: object, deadline: Deadline) -> str:
    if isinstance(results, ox.QueryBoolean):
        return f"<p class='boolean'>{'true' if bool(results) else 'false'}</p>"
    rows: list[list[object]] = []
    more = False
    if isinstance(results, ox.QuerySolutions):
        head = [v.value for v in results.variables]
        for solution in results:
            deadline.check()
            if len(rows) == MAX_ROWS:
                more = True
                break
            rows.append([solution[name] for name in head])
        return _table(head, rows, more)
    for triple in results:  # type: ignore[attr-defined]
        deadline.check()
        if len(rows) == MAX_ROWS:
            more = True
            break
        rows.append([triple.subject, triple.predicate, triple.object])
    return _table(["subject", "predicate", "object"], rows, more)


def render_page(query: str, answer: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>valuechain-kg</title>
<link rel="stylesheet" href="/static/page.css"></head>
<body>
<h1>valuechain-kg</h1>
<p>A knowledge graph of value-chain actors, adverse impacts and leverage, built on the
OECD Guidelines for Multinational Enterprises on Responsible Business Conduct. It answers two
questions about an adverse impact: who is linked to it (cause, contribution, direct linkage),
and who holds leverage over the entity causing it.</p>
<ul>
<li><a href="/docs">REST API documentation</a> (<a href="/openapi.json">OpenAPI</a>)</li>
<li><a href="/sparql">SPARQL 1.1 endpoint</a> (service description; query with
<code>?query=</code>)</li>
<li><a href="/health">health and counts</a></li>
</ul>
<h2>Run a SPARQL query</h2>
<p>Prefixes <code>vc:</code>, <code>vcid:</code>, <code>schema:</code>, <code>org:</code>,
<code>prov:</code>, <code>skos:</code>, <code>rdfs:</code> are predeclared.</p>
<form method="get" action="/">
<textarea name="query" rows="12" cols="100">{escape(query)}</textarea><br>
<button type="submit">Run</button>
</form>
{answer}
</body></html>
"""


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def page(request: Request, query: str | None = Query(None)) -> HTMLResponse:
    """The home page; with ``?query=`` it also shows the answer as a table."""
    if query is None or not query.strip():
        return HTMLResponse(render_page(EXAMPLE_QUERY, ""))
    workers: Workers = request.app.state.workers
    status = 200
    try:
        answer = await workers.run_isolated(_answer_in_worker, query)
    except (UnsafeQuery, QueryTooComplex) as exc:
        answer, status = f"<p class='error'>{escape(str(exc))}</p>", 400
    except SyntaxError as exc:
        answer, status = f"<p class='error'>Malformed query: {escape(str(exc))}</p>", 400
    except QueryTimeout as exc:
        answer, status = f"<p class='error'>{escape(str(exc))}</p>", 503
    return HTMLResponse(render_page(query, answer), status_code=status)
