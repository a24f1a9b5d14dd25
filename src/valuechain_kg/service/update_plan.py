"""An update's exact difference against the live store, without copying the store.

A SPARQL update request is split into its operations by a small lexer that knows where SPARQL
text can hide a brace or a semicolon (IRIs, strings, comments). Each operation is then turned
into quads with Oxigraph itself, so every term is built by the engine that will store it:

* ``INSERT DATA`` is run on an empty scratch store: what it holds afterwards is what the
  operation adds (its blank nodes fresh, as the real run would make them);
* ``DELETE DATA`` is run as ``INSERT DATA`` on an empty scratch store: what it holds and the
  live store holds too is what the operation removes;
* ``DELETE/INSERT ... WHERE`` (and the ``DELETE WHERE`` short form): the WHERE is evaluated
  once, as a SELECT, on the live store, so ``BNODE()``, ``UUID()`` and ``NOW()`` in it take one
  value each; then each template is instantiated by running ``INSERT { template }`` on an
  empty scratch store over those very solutions, each solution one ``VALUES`` row whose
  variables are bound to the solution's exact terms by a custom function (blank nodes of the
  live store included). A template variable left unbound, or a triple that is not RDF, drops
  that triple as SPARQL says, and a blank node written in an insert template is fresh for each
  solution, because each row is a solution of its own.

Operations run in order, each seeing the ones before it; the difference is kept as
(quads to add, quads to remove) relative to the live store. A WHERE is only evaluated on the
live store while the operations before it changed nothing; otherwise, and for what this
module does not compute (``WITH``, ``USING``, ``LOAD``, ``CLEAR``, ``CREATE``, ``DROP``,
``ADD``, ``MOVE``, ``COPY``, or text the lexer cannot follow), :func:`plan_update` returns
None and the caller falls back to running the update on a copy of the store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from valuechain_kg.namespaces import PREFIXES

__all__ = ["UpdateDifference", "plan_update"]

#: The custom function handing the template the WHERE solutions' terms.
_SOLUTION_FUNCTION = ox.NamedNode("urn:valuechain-kg:update-plan:solution")
#: The row variable of the instantiating update; no user variable is spelled like this.
_ROW = "vckg_solution_row_5f1c"

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
        |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<word>[A-Za-z_][\w\-]*(?::[\w\-.]*)?|:[\w\-.]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int

    def keyword(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


class _Unsupported(Exception):
    """The request holds something this module does not compute: fall back."""


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("space", "comment"):
            continue
        if kind == "other" and match.group() in "\"'":
            raise _Unsupported  # an unterminated string: the lexer cannot follow the text
        tokens.append(_Token(kind, match.group(), match.start(), match.end()))
    return tokens


def _operations(tokens: list[_Token]) -> Iterator[list[_Token]]:
    """The request's operations (prologue included), split at top-level semicolons."""
    depth = 0
    current: list[_Token] = []
    for token in tokens:
        if token.text == "{" and token.kind == "other":
            depth += 1
        elif token.text == "}" and token.kind == "other":
            depth -= 1
            if depth < 0:
                raise _Unsupported
        if depth == 0 and token.kind == "other" and token.text == ";":
            yield current
            current = []
        else:
            current.append(token)
    if depth != 0:
        raise _Unsupported
    yield current


def _group_end(tokens: list[_Token], start: int) -> int:
    """The index of the ``}`` closing the ``{`` at ``start``."""
    if not (tokens[start].kind == "other" and tokens[start].text == "{"):
        raise _Unsupported
    depth = 0
    for index in range(start, len(tokens)):
        token = tokens[index]
        if token.kind == "other" and token.text in "{}":
            depth += 1 if token.text == "{" else -1
            if depth == 0:
                return index
    raise _Unsupported


@dataclass
class _Operation:
    kind: str  # "insert-data", "delete-data" or "modify"
    #: Text of a data block's braces, or of the delete / insert templates' braces.
    data: str = ""
    delete: str | None = None
    insert: str | None = None
    where: str = ""


def _parse_operation(text: str, tokens: list[_Token]) -> tuple[str, _Operation | None]:
    """(the operation's prologue text, the operation or None for an empty one)."""
    index = 0
    prologue: list[str] = []
    while index < len(tokens) and tokens[index].keyword("PREFIX", "BASE"):
        width = 3 if tokens[index].keyword("PREFIX") else 2
        part = tokens[index : index + width]
        if len(part) != width or part[-1].kind != "iri":
            raise _Unsupported
        prologue.append(text[part[0].start : part[-1].end])
        index += width
    rest = tokens[index:]
    if not rest:
        return " ".join(prologue), None

    def span(at: int) -> tuple[str, int]:
        end = _group_end(rest, at)
        return text[rest[at].start : rest[end].end], end + 1

    first = rest[0]
    second = rest[1] if len(rest) > 1 else None
    if first.keyword("INSERT", "DELETE") and second is not None and second.keyword("DATA"):
        block, after = span(2)
        kind = "insert-data" if first.keyword("INSERT") else "delete-data"
        operation = _Operation(kind, data=block)
    elif first.keyword("DELETE") and second is not None and second.keyword("WHERE"):
        block, after = span(2)
        operation = _Operation("modify", delete=block, where=block)
    elif first.keyword("DELETE", "INSERT"):
        operation = _Operation("modify")
        at = 0
        if rest[at].keyword("DELETE"):
            operation.delete, at = span(at + 1)
        if at < len(rest) and rest[at].keyword("INSERT"):
            operation.insert, at = span(at + 1)
        if at >= len(rest) or not rest[at].keyword("WHERE"):
            raise _Unsupported  # USING, or text this module does not follow
        operation.where, after = span(at + 1)
    else:
        raise _Unsupported  # WITH, LOAD, CLEAR, CREATE, DROP, ADD, MOVE, COPY
    if after != len(rest):
        raise _Unsupported
    return " ".join(prologue), operation


@dataclass
class UpdateDifference:
    """What an update does to the live store: quads it adds (absent) and removes (present)."""

    added: dict[ox.Quad, None] = field(default_factory=dict)
    removed: dict[ox.Quad, None] = field(default_factory=dict)

    def insert(self, quads: Iterator[ox.Quad], live: ox.Store) -> None:
        for quad in quads:
            if quad in self.removed:
                del self.removed[quad]
            elif quad not in live:
                self.added[quad] = None

    def delete(self, quads: Iterator[ox.Quad], live: ox.Store) -> None:
        for quad in quads:
            if quad in self.added:
                del self.added[quad]
            elif quad in live:
                self.removed[quad] = None

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


def _scratch_quads(
    update: str,
    base_iri: str | None,
    custom_functions: dict[ox.NamedNode, Callable[..., object]] | None = None,
) -> Iterator[ox.Quad]:
    scratch = ox.Store()
    scratch.update(
        update,
        base_iri=base_iri,
        prefixes=PREFIXES,
        custom_functions=custom_functions,  # type: ignore[arg-type]
    )
    return scratch.quads_for_pattern(None, None, None, None)


def _instantiate(
    prologue: str,
    template: str,
    solutions: list[tuple[object, ...]],
    variables: list[str],
    base_iri: str | None,
) -> Iterator[ox.Quad]:
    """The quads of ``template`` over the solutions, each solution its own row."""
    if not solutions:
        return iter(())
    rows = " ".join(str(n) for n in range(len(solutions)))
    binds = " ".join(
        f"BIND({_SOLUTION_FUNCTION}(?{_ROW}, {k}) AS ?{name})" for k, name in enumerate(variables)
    )

    def solution(row: ox.Literal, column: ox.Literal) -> object:
        return solutions[int(row.value)][int(column.value)]

    text = f"{prologue}\nINSERT {template} WHERE {{ VALUES ?{_ROW} {{ {rows} }} {binds} }}"
    return _scratch_quads(text, base_iri, {_SOLUTION_FUNCTION: solution})


def _modify(
    live: ox.Store,
    prologue: str,
    operation: _Operation,
    difference: UpdateDifference,
    base_iri: str | None,
) -> None:
    result = live.query(
        f"{prologue}\nSELECT * WHERE {operation.where}", base_iri=base_iri, prefixes=PREFIXES
    )
    if not isinstance(result, ox.QuerySolutions):
        raise _Unsupported
    variables = [v.value for v in result.variables]
    solutions = [tuple(s[k] for k in range(len(variables))) for s in result]
    if operation.delete is not None:
        difference.delete(
            _instantiate(prologue, operation.delete, solutions, variables, base_iri), live
        )
    if operation.insert is not None:
        difference.insert(
            _instantiate(prologue, operation.insert, solutions, variables, base_iri), live
        )


def plan_update(
    live: ox.Store, update: str, base_iri: str | None = None
) -> UpdateDifference | None:
    """The exact difference ``update`` makes to ``live`` (read only), or None to fall back.

    ``update`` must already be known to parse (a SyntaxError here means the lexer and the
    engine disagree, and the caller falls back as for None).
    """
    try:
        tokens = _tokens(update)
        difference = UpdateDifference()
        prologue = ""
        for operation_tokens in _operations(tokens):
            own, operation = _parse_operation(update, operation_tokens)
            prologue = f"{prologue}\n{own}" if own else prologue
            if operation is None:
                continue
            if operation.kind == "insert-data":
                text = f"{prologue}\nINSERT DATA {operation.data}"
                difference.insert(_scratch_quads(text, base_iri), live)
            elif operation.kind == "delete-data":
                text = f"{prologue}\nINSERT DATA {operation.data}"
                difference.delete(_scratch_quads(text, base_iri), live)
            else:
                if difference:
                    raise _Unsupported  # its WHERE would have to see the earlier operations
                _modify(live, prologue, operation, difference, base_iri)
    except (_Unsupported, SyntaxError):
        return None
    return difference
