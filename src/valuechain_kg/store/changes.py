"""How a change to the store is written: one SPARQL update, so all of it or none of it lands.

pyoxigraph has no transaction object and no bulk remove; ``Store.update`` is the one call that
both removes and adds inside a single transaction (readers see the state before it or after
it, and a process killed at any moment leaves one of the two on disk). A change given as quads
is therefore written as the text of one update:

* quads made only of IRIs and literals become ``DELETE DATA { ... }`` and ``INSERT DATA { ... }``
  blocks, with named-graph quads inside ``GRAPH <g> { ... }``; pyoxigraph's ``str()`` of a term
  is its N-Triples form, which is also valid SPARQL;
* quads holding a blank node (or a triple term, or a literal with a base direction) cannot be
  written as data: ``DELETE DATA`` forbids blank nodes, and a blank node in ``INSERT DATA`` is
  a fresh one, not the one the change means. Those quads are numbered, and one
  ``DELETE { ?s ?p ?o } WHERE { VALUES ?i { ... } BIND(term(?i, 0) AS ?s) ... }`` per kind
  (default graph or named) binds each variable to the exact term through a custom function
  that reads it from the Python list. A variable bound to a blank node names that very node,
  in a delete template as in an insert template, so the store ends with exactly the given
  quads, whatever labels they carry.

Disk-full errors are recognised here too, since they are what a write most often meets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

__all__ = ["StoreChange", "change_update"]

#: The custom function that hands the update the terms that have no SPARQL text.
TERM_FUNCTION = ox.NamedNode("urn:valuechain-kg:store-writes:term")

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = tuple[Term | ox.DefaultGraph, ...]


@dataclass(frozen=True)
class StoreChange:
    """A change as the arguments of one ``Store.update`` call."""

    text: str
    custom_functions: dict[ox.NamedNode, Callable[..., Term | None]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.text)


def _as_text(term: object) -> bool:
    """Whether the term's N-Triples form names exactly it in SPARQL data."""
    if isinstance(term, ox.NamedNode | ox.DefaultGraph):
        return True
    return isinstance(term, ox.Literal) and term.direction is None


def _data_block(keyword: str, quads: list[ox.Quad]) -> str:
    default: list[str] = []
    named: dict[str, list[str]] = {}
    for quad in quads:
        triple = f"{quad.subject} {quad.predicate} {quad.object} ."
        if isinstance(quad.graph_name, ox.DefaultGraph):
            default.append(triple)
        else:
            named.setdefault(str(quad.graph_name), []).append(triple)
    parts = ["\n".join(default)]
    parts += [f"GRAPH {graph} {{\n" + "\n".join(lines) + "\n}" for graph, lines in named.items()]
    return f"{keyword} DATA {{\n" + "\n".join(p for p in parts if p) + "\n}"


def _bound_block(keyword: str, rows: list[Row], first: int, named: bool) -> str:
    """``keyword`` of ``rows`` (numbered from ``first``), each term bound by TERM_FUNCTION."""
    template = "GRAPH ?g { ?s ?p ?o }" if named else "?s ?p ?o"
    numbers = " ".join(str(first + n) for n in range(len(rows)))
    binds = " ".join(
        f"BIND({TERM_FUNCTION}(?i, {k}) AS ?{v})" for k, v in enumerate("spog"[: 4 if named else 3])
    )
    return f"{keyword} {{ {template} }} WHERE {{ VALUES ?i {{ {numbers} }} {binds} }}"


def change_update(removed: Iterable[ox.Quad] = (), added: Iterable[ox.Quad] = ()) -> StoreChange:
    """One update that removes ``removed`` and then adds ``added`` (empty text: no change)."""
    rows: list[Row] = []
    operations: list[str] = []
    for keyword, quads in (("DELETE", list(removed)), ("INSERT", list(added))):
        as_data = [q for q in quads if all(map(_as_text, q))]
        if as_data:
            operations.append(_data_block(keyword, as_data))
        if len(as_data) == len(quads):
            continue
        others: list[Row] = [tuple(q) for q in quads if not all(map(_as_text, q))]
        in_default = [row for row in others if isinstance(row[3], ox.DefaultGraph)]
        in_named = [row for row in others if not isinstance(row[3], ox.DefaultGraph)]
        for group, named in ((in_default, False), (in_named, True)):
            if group:
                operations.append(_bound_block(keyword, group, len(rows), named))
                rows.extend(group)
    if not rows:
        return StoreChange(" ;\n".join(operations))

    def term(index: ox.Literal, position: ox.Literal) -> Term:
        value = rows[int(index.value)][int(position.value)]
        assert not isinstance(value, ox.DefaultGraph)  # only named rows bind ?g
        return value

    return StoreChange(" ;\n".join(operations), {TERM_FUNCTION: term})
