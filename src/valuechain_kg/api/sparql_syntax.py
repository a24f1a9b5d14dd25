"""Just enough SPARQL lexing to apply the protocol's dataset parameters.

Oxigraph parses and runs the queries; this module only looks at keywords outside strings, IRIs
and comments, to answer three questions the protocol needs before anything runs: what kind of
query is it (to negotiate the answer's format first), does an update name its own dataset
(``USING`` / ``WITH``, which clash with ``using-graph-uri``, SPARQL 1.1 Protocol section 2.2.3),
and where its ``WHERE`` clauses start (to add the protocol's ``USING``, each graph IRI written by
pyoxigraph). Whether a text may run at all (size, nesting, ``SERVICE``, ``LOAD``) is decided
from a real parse by ``valuechain_kg.sparql_guard``, never here.
"""

from __future__ import annotations

import pyoxigraph as ox

from valuechain_kg.api.problems import ProblemError
from valuechain_kg.errors import QueryTooComplex, UnsafeQuery
from valuechain_kg.sparql_guard import check_query
from valuechain_kg.sparql_tokens import Token, iter_tokens, tokens

__all__ = [
    "Token",
    "forbidden_feature",
    "names_own_dataset",
    "query_form",
    "tokens",
    "with_using_clauses",
]


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the form of a query, read from its first keyword."""
    for token in iter_tokens(text):
        if token.kind == "keyword" and token.text in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}:
            return token.text
    return None


def forbidden_feature(text: str) -> str | None:
    """Why ``sparql_guard`` refuses a query (too complex, or able to call out), else None."""
    try:
        check_query(text)
    except (UnsafeQuery, QueryTooComplex) as exc:
        return str(exc)
    return None


def names_own_dataset(update: str) -> bool:
    """Whether an update has a USING or WITH clause of its own."""
    return any(
        t.kind == "keyword" and t.depth == 0 and t.text in {"USING", "WITH"}
        for t in iter_tokens(update)
    )


def _graph_iri(iri: str) -> str:
    """A request's graph IRI written by pyoxigraph, so that it stays one IRI (400 otherwise)."""
    try:
        return str(ox.NamedNode(iri))
    except ValueError as exc:
        raise ProblemError(400, f"not an IRI in a using-graph parameter: {iri!r} ({exc})") from exc


def _using_text(default_graphs: list[str], named_graphs: list[str]) -> str:
    clauses = [f"USING {_graph_iri(iri)}" for iri in default_graphs]
    clauses += [f"USING NAMED {_graph_iri(iri)}" for iri in named_graphs]
    return " ".join(clauses) + " "


def _closing_brace(found: list[Token], open_index: int) -> Token:
    depth = found[open_index].depth
    for token in found[open_index + 1 :]:
        if token.kind == "close" and token.depth == depth:
            return token
    raise ValueError("unbalanced braces")


def with_using_clauses(update: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """The update with the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` applied.

    SPARQL 1.1 Protocol 2.2.3: these parameters act as ``USING`` / ``USING NAMED`` on every
    operation that has a ``WHERE`` clause. ``DELETE WHERE { P }`` allows no ``USING``, so it
    is spelt out as ``DELETE { P } USING ... WHERE { P }``, which means the same.
    """
    if not default_graphs and not named_graphs:
        return update
    using = _using_text(default_graphs, named_graphs)
    found = tokens(update)
    edits: list[tuple[int, int, str]] = []
    for index, token in enumerate(found):
        if token.kind != "keyword" or token.text != "WHERE" or token.depth != 0:
            continue
        previous = found[index - 1] if index > 0 else None
        if previous is not None and previous.kind == "keyword" and previous.text == "DELETE":
            if index + 1 >= len(found) or found[index + 1].kind != "open":
                continue
            close = _closing_brace(found, index + 1)
            pattern = update[found[index + 1].start : close.end]
            edits.append((token.start, close.end, f"{pattern} {using}WHERE {pattern}"))
        else:
            edits.append((token.start, token.start, using))
    for start, end, text in reversed(edits):
        update = update[:start] + text + update[end:]
    return update
