"""The explorer: pages for people who do not write SPARQL, each view at its own URL.

The server sends a small HTML shell per view; the page's own script (``static/explorer/``)
fills it from the REST JSON this API serves, so the explorer shows exactly what
``/impacts/...`` and ``/actors/...`` answer. Every link a page makes stays on this server:
``/explore/resolve?iri=`` sends an IRI to its impact or actor page, and any other IRI to the
SPARQL editor describing it.
"""

from __future__ import annotations

from html import escape
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from valuechain_kg.api.page import shell
from valuechain_kg.api.workers import Deadline, Workers
from valuechain_kg.errors import NotFound

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _view(title: str, script: str, data: dict[str, str], body: str) -> HTMLResponse:
    attributes = " ".join(f'data-{name}="{escape(value)}"' for name, value in data.items())
    main = f'<main id="view" {attributes}>{body}</main>'
    return HTMLResponse(shell(title, main, scripts=(f"/static/explorer/{script}",)))


@router.get("/")
async def home(query: Annotated[str | None, Query()] = None) -> Response:
    """Impacts, most severe first, with filters; ``?query=`` goes on to the SPARQL editor."""
    if query is not None and query.strip():
        return RedirectResponse(f"/sparql?query={quote(query)}", status_code=303)
    return _view("Adverse impacts", "home.js", {}, _HOME)


@router.get("/explore/impacts/{impact_id:path}")
async def impact_page(impact_id: str) -> HTMLResponse:
    """One impact: who is linked to it (a graph) and who holds leverage over its causes."""
    return _view("Adverse impact", "impact.js", {"impact": impact_id}, _IMPACT)


@router.get("/explore/actors/{actor_id:path}")
async def actor_page(actor_id: str) -> HTMLResponse:
    """One actor: its impacts, its leverage, what it holds, its specific instances."""
    return _view("Actor", "actor.js", {"actor": actor_id}, _ACTOR)


@router.get("/explore/resolve")
async def resolve(request: Request, iri: Annotated[str, Query()]) -> RedirectResponse:
    """The explorer page of an IRI: an impact's or an actor's page, else the editor on it."""
    kg = request.app.state.kg
    workers: Workers = request.app.state.workers

    def find(_deadline: Deadline) -> str | None:
        for kind, prefix in (("vc:AdverseImpact", "impacts"), ("vc:Actor", "actors")):
            try:
                kg.resolve(iri, kind)
            except (NotFound, ValueError):
                continue
            return f"/explore/{prefix}/{quote(kg.id_of(iri), safe='')}"
        return None

    found = await workers.run(find)
    if found is None:
        describe = f"DESCRIBE <{iri}>" if ">" not in iri and " " not in iri else ""
        found = f"/sparql?query={quote(describe)}"
    return RedirectResponse(found, status_code=303)


_HOME = """
<h1>Adverse impacts</h1>
<p class="lead">Who is linked to an adverse impact, and who could act on it. Pick an impact to
see the actors linked to it and who holds leverage over the entity causing it.</p>
<form id="filters" class="filters">
  <label>Search <input type="search" name="q" placeholder="words in a title or a name"></label>
  <label>Category <select name="category"><option value="">any</option></select></label>
  <label>Status <select name="status"><option value="">any</option>
    <option value="actual">actual</option><option value="potential">potential</option></select>
  </label>
  <label>Country <select name="country"><option value="">any</option></select></label>
</form>
<p id="count" class="muted"></p>
<table id="impacts"><thead><tr><th>impact</th><th>category (chapter)</th><th>status</th>
<th>severity</th></tr></thead><tbody></tbody></table>
"""

_IMPACT = """
<p><a href="/">&larr; all impacts</a></p>
<h1 id="title">&hellip;</h1>
<p id="facts" class="muted"></p>
<section>
  <h2>Who is linked</h2>
  <p class="muted">Colour by mode: <span class="mode cause">cause</span>
  <span class="mode contribution">contribution</span>
  <span class="mode direct-linkage">direct linkage</span>. Pick an actor to highlight its path;
  each step shows its relation, products and assertion.</p>
  <div id="graph" class="graph"></div>
  <p id="path" class="path"></p>
  <table id="linked"><thead><tr><th>actor</th><th>mode</th><th>hops</th><th>assertion</th>
  <th>path</th></tr></thead><tbody></tbody></table>
</section>
<section>
  <h2>Who holds leverage over the causes</h2>
  <label>Coalition threshold <input id="threshold" type="range" min="0.05" max="1" step="0.05"
  value="0.5"> <output id="threshold-value">0.5</output></label>
  <div id="targets"></div>
</section>
<section>
  <h2>What if?</h2>
  <p class="muted">Imagine a membership or a leverage claim and see the leverage change. Nothing
  is stored.</p>
  <form id="what-if" class="filters">
    <label>Add <select name="kind"><option value="membership">a membership</option>
    <option value="leverage">a leverage claim</option></select></label>
    <label>Actor <input name="actor" list="actor-ids" required></label>
    <label><span id="other-label">Initiative</span> <input name="other" required></label>
    <label>Strength <input name="strength" type="number" min="0" max="1" step="0.05"
    value="0.5"></label>
    <button type="submit">Show the leverage</button>
  </form>
  <datalist id="actor-ids"></datalist>
  <div id="what-if-result"></div>
</section>
"""

_ACTOR = """
<p><a href="/">&larr; all impacts</a></p>
<h1 id="name">&hellip;</h1>
<p id="facts" class="muted"></p>
<section><h2>Impacts it is linked to</h2>
<table id="impacts"><thead><tr><th>impact</th><th>mode</th><th>hops</th><th>assertion</th>
<th>expected response</th></tr></thead><tbody></tbody></table></section>
<section><h2>Leverage it holds</h2>
<table id="holdings"><thead><tr><th>over</th><th>strength</th><th>bases</th><th>hops</th></tr>
</thead><tbody></tbody></table></section>
<section><h2>Initiatives and relationships</h2><ul id="ties"></ul></section>
<section><h2>Specific instances (National Contact Points)</h2><ul id="instances"></ul></section>
"""
