"""The HTML around every human page, and the SPARQL editor a browser gets at ``/sparql``.

Pages are shells: the server writes the frame (navigation, style, the script to run), and the
page's own script fills it from the JSON the API serves. Every asset is served from
``/static`` (the libraries vendored from npm under ``static/vendor/``), so the pages work
offline and call no outside site.

The editor is YASGUI: the ready queries of ``queries/`` are its examples, the predeclared
prefixes are listed and known to it, and its results link to the explorer's pages.
"""

from __future__ import annotations

import json
from functools import lru_cache
from html import escape
from pathlib import Path

from valuechain_kg.namespaces import PREFIXES

__all__ = ["QUERIES", "START_QUERY", "editor_page", "example_queries", "shell"]

QUERIES = Path(__file__).resolve().parents[3] / "queries"

#: The query the editor opens with when a browser asks ``/sparql`` without one.
START_QUERY = """# Adverse impacts and who is involved in them, by mode
PREFIX vc: <https://w3id.org/valuechain#>
PREFIX schema: <https://schema.org/>
SELECT ?impact ?title ?actor ?name ?mode WHERE {
  ?inv a vc:Involvement ; vc:impact ?impact ; vc:actor ?actor ; vc:mode ?mode .
  ?impact schema:name ?title .
  ?actor schema:name ?name .
}
ORDER BY ?impact ?mode ?actor
LIMIT 50"""

_NAV = (
    ("/", "Impacts"),
    ("/sparql", "SPARQL"),
    ("/docs", "REST API"),
    ("/void", "VoID"),
    ("/health", "health"),
)


def shell(
    title: str, main: str, scripts: tuple[str, ...] = (), styles: tuple[str, ...] = ()
) -> str:
    """A whole page: ``main`` inside the common frame, ``scripts`` loaded as modules."""
    nav = "".join(f'<a href="{href}">{escape(label)}</a>' for href, label in _NAV)
    links = "".join(f'<link rel="stylesheet" href="{escape(s)}">' for s in styles)
    tags = "".join(f'<script type="module" src="{escape(s)}"></script>' for s in scripts)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}: valuechain-kg</title>
<link rel="icon" href="data:,">
{links}<link rel="stylesheet" href="/static/page.css"></head>
<body><header><strong>valuechain-kg</strong><nav>{nav}</nav></header>
{main}
{tags}
</body></html>
"""


@lru_cache(maxsize=1)
def example_queries() -> list[dict[str, str]]:
    """The ready queries of ``queries/``: name and text, in file order."""
    return [
        {"name": path.stem, "query": path.read_text(encoding="utf-8")}
        for path in sorted(QUERIES.glob("*.rq"))
    ]


def editor_page(query: str | None = None) -> str:
    """The SPARQL editor; ``query`` (a browser's ``?query=``) opens in it and runs."""
    config = {
        "endpoint": "/sparql",
        "query": query if query and query.strip() else START_QUERY,
        "run": bool(query and query.strip()),
        "prefixes": PREFIXES,
        "examples": example_queries(),
    }
    prefixes = "".join(
        f"<li><code>{escape(name)}:</code> <code>{escape(iri)}</code></li>"
        for name, iri in PREFIXES.items()
    )
    data = json.dumps(config).replace("</", "<\\/")
    main = f"""<main>
<h1>SPARQL editor</h1>
<p>Run a ready query or write your own. The endpoint is <code>/sparql</code> (SPARQL 1.1
Protocol; GET or POST, results as JSON, XML, CSV; graphs as Turtle, JSON-LD, N-Triples). The
ontology and its vocabularies are part of the default graph, so <code>skos:broader*</code>
climbs from a category to its Guidelines chapter. IRIs in the results open the explorer.</p>
<p><label>Ready queries <select id="examples"><option value="">choose one</option></select>
</label></p>
<div id="yasgui"></div>
<details><summary>Predeclared prefixes (usable without a PREFIX line)</summary>
<ul id="prefixes">{prefixes}</ul></details>
<script type="application/json" id="editor-config">{data}</script>
</main>"""
    return shell(
        "SPARQL editor",
        main,
        scripts=("/static/vendor/yasgui/yasgui.min.js", "/static/explorer/editor.js"),
        styles=("/static/vendor/yasgui/yasgui.min.css",),
    )
