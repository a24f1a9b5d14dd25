"""What SPARQL text may reach the engine: bounded in size and nesting, and never calling out.

Two dangers come with a query or update text, and both are decided here, before the engine sees
it:

- **Outbound network.** Oxigraph really runs ``SERVICE <iri>`` (it sends the sub-query to that
  endpoint) and ``LOAD <iri>`` (it fetches the document), and it offers neither a service hook
  nor a parse-only call. A server that fetches on a client's request is an open proxy, so the
  decision is taken from a real parse: rdflib's SPARQL grammar (which applies the
  specification's ``\\u``/``\\U`` escape expansion itself) builds the parse tree, and a tree
  holding a ``ServiceGraphPattern`` or a ``Load`` is refused. Text in which neither word occurs
  (case-insensitively, before or after escape expansion) cannot hold either keyword and skips
  the parse, which keeps the common case cheap. Text that mentions a word but that rdflib cannot
  parse is refused too: what cannot be checked does not run.
- **Recursion.** Oxigraph's parser and algebra are recursive and overflow the native stack (the
  whole process dies) on deep nesting or on long chains that build deep trees (``UNION``,
  ``MINUS``, ``OPTIONAL``, binary operators, path steps, ``.``-separated triples, long
  collections). rdflib's parser is recursive too (it raises ``RecursionError`` instead) and slow
  on long expressions. So every text is measured first, without recursion, and refused above
  named limits.

The measure must be an upper bound of what the engine will meet whatever way a piece of text is
read. Strings, comments and IRIs are skipped, which is exact where the reading is unambiguous.
One reading is not: ``<`` starts an IRI in a term position and is the less-than operator in an
expression, so ``<...>`` text holding ``#`` (a comment start when read as code), quotes or
brackets is counted both ways: its brackets count as opening (never as closing), and closing
brackets up to the end of its line do not count (a comment may have hidden them). Where even
that cannot bound the reading (an unterminated string, a long string that such a reading could
start), every opening bracket of the rest of the text counts and no closing one does.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from valuechain_kg.errors import QueryTooComplex, UnsafeQuery

__all__ = [
    "DEFAULT_LIMITS",
    "MAX_CHAIN",
    "MAX_CHARS",
    "MAX_LIST",
    "MAX_NESTING",
    "CHECKER_MAX_CHAIN",
    "CHECKER_MAX_CHARS",
    "Limits",
    "Measure",
    "check_internal",
    "check_query",
    "check_update",
    "expand_escapes",
    "measure",
    "prepare",
]

#: Longest query or update text accepted, in characters.
MAX_CHARS = 1_048_576
#: Deepest nesting of ``{}``, ``()`` and ``[]`` accepted.
MAX_NESTING = 200
#: Most chain-building tokens accepted: operators and separators (``. , ; | & / + * ! = < > ^
#: -``) and the keywords ``UNION``, ``OPTIONAL``, ``MINUS`` and ``FILTER``.
MAX_CHAIN = 1_000
#: Most items directly inside one pair of parentheses (an RDF collection is one deep tree).
MAX_LIST = 1_000
#: Longest text, after escape expansion, that the SERVICE/LOAD check parses.
CHECKER_MAX_CHARS = 20_000
#: Most chain-building tokens in a text that the SERVICE/LOAD check parses.
CHECKER_MAX_CHAIN = 200


@dataclass(frozen=True)
class Limits:
    """The bounds a text must keep; ``from_env`` reads ``VCKG_SPARQL_MAX_*`` overrides."""

    max_chars: int = MAX_CHARS
    max_nesting: int = MAX_NESTING
    max_chain: int = MAX_CHAIN
    max_list: int = MAX_LIST

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        env = os.environ if environ is None else environ

        def number(name: str, default: int) -> int:
            return int(env.get(f"VCKG_SPARQL_MAX_{name}", str(default)))

        return cls(
            max_chars=number("CHARS", MAX_CHARS),
            max_nesting=number("NESTING", MAX_NESTING),
            max_chain=number("CHAIN", MAX_CHAIN),
            max_list=number("LIST", MAX_LIST),
        )


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Measure:
    """Upper bounds of a text's nesting, chain-building tokens and widest parenthesised list."""

    nesting: int
    chain: int
    list_items: int

    def worst(self, other: Measure) -> Measure:
        return Measure(
            max(self.nesting, other.nesting),
            max(self.chain, other.chain),
            max(self.list_items, other.list_items),
        )


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def expand_escapes(text: str) -> str:
    """SPARQL 1.1 section 19.2: ``\\uXXXX`` and ``\\UXXXXXXXX`` replaced before parsing."""
    if "\\u" not in text and "\\U" not in text:
        return text

    def char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group()

    return _ESCAPE.sub(char, text)


_OPENERS = "({["
_CLOSERS = ")}]"
_CHAIN_CHARS = ".,;|&/+*!=<>^-"
_CHAIN_WORDS = re.compile(r"union|optional|minus|filter", re.IGNORECASE)
_NO_CLOSERS = str.maketrans(dict.fromkeys(_CLOSERS, " "))
_SPECIAL = re.compile(r"[\"'#<\\]")
_LONG_STRING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'', re.S
)
_SHORT_STRING = re.compile(r'"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\'', re.S)
_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_AMBIGUOUS_IN_IRI = re.compile(r"[#'()\[\]]")
_LINE_END = re.compile(r"[\n\r]")
_STRUCTURE = re.compile(r"[(){}\[\]]|[^\s(){}\[\]]+")


def _cheap_bound(text: str) -> Measure:
    """Bounds from character counts alone: true for any reading, and enough for most texts."""
    openers = sum(text.count(c) for c in _OPENERS)
    chain = sum(text.count(c) for c in _CHAIN_CHARS) + len(_CHAIN_WORDS.findall(text))
    return Measure(openers, chain, len(text))


def _code_pieces(text: str) -> Iterator[str]:
    """The text with strings, comments and IRIs blanked, as the engine reads it (see above)."""
    pos = 0
    no_closers_until = -1  # closing brackets before this position do not count
    length = len(text)
    while pos < length:
        found = _SPECIAL.search(text, pos)
        end = found.start() if found else length
        if end > pos:
            code = text[pos:end]
            if pos < no_closers_until:
                split = min(end, no_closers_until) - pos
                code = code[:split].translate(_NO_CLOSERS) + code[split:]
            yield code
        if found is None:
            return
        pos = end
        char = text[pos]
        if char == "#":
            line_end = _LINE_END.search(text, pos)
            pos = line_end.start() if line_end else length
            continue
        if char == "\\":
            yield " "
            pos += 2
            continue
        if char == "<":
            iri = _IRI.match(text, pos)
            if iri is None:
                yield "<"
                pos += 1
                continue
            content = iri.group()[1:-1]
            if _AMBIGUOUS_IN_IRI.search(content) is None:
                yield " "
                pos = iri.end()
                continue
            if "''" in content:
                yield text[pos:].translate(_NO_CLOSERS)
                return
            yield content.translate(_NO_CLOSERS)
            line_end = _LINE_END.search(text, iri.end())
            no_closers_until = line_end.start() if line_end else length
            pos = iri.end()
            continue
        # A quote: a string, long or short.
        string = _LONG_STRING.match(text, pos) or _SHORT_STRING.match(text, pos)
        if string is None or (pos < no_closers_until and string.group().startswith(("'''", '"""'))):
            yield text[pos:].translate(_NO_CLOSERS)
            return
        yield " "
        pos = string.end()


def _structure(code: str) -> tuple[int, int]:
    """The deepest nesting and the most items directly inside one ``(...)`` of code."""
    depth = deepest = widest = 0
    stack: list[list[int]] = []  # per open bracket: [is parenthesis, items so far]
    for match in _STRUCTURE.finditer(code):
        token = match.group()
        if token in _OPENERS:
            if stack:
                stack[-1][1] += 1
            stack.append([token == "(", 0])
            depth += 1
            deepest = max(deepest, depth)
        elif token in _CLOSERS:
            if stack:
                is_paren, items = stack.pop()
                if is_paren:
                    widest = max(widest, items)
                depth -= 1
        elif stack:
            # Glued variables (``?a?b``) are separate items.
            stack[-1][1] += 1 + token.count("?", 1) + token.count("$", 1)
    for is_paren, items in stack:
        if is_paren:
            widest = max(widest, items)
    return deepest, widest


def measure(text: str, limits: Limits = DEFAULT_LIMITS) -> Measure:
    """Upper bounds of nesting, chain and list width, cheap when the text is plainly small."""
    cheap = _cheap_bound(text)
    if (
        cheap.nesting <= limits.max_nesting
        and cheap.chain <= limits.max_chain
        and cheap.list_items <= limits.max_list
    ):
        return cheap
    code = "".join(_code_pieces(text))
    deepest, widest = _structure(code)
    chain = sum(code.count(c) for c in _CHAIN_CHARS) + len(_CHAIN_WORDS.findall(code))
    return Measure(deepest, chain, widest)


def _bounded(text: str, what: str, limits: Limits) -> str:
    """The escape-expanded text, after refusing any text beyond the limits (raw or expanded)."""
    if len(text) > limits.max_chars:
        raise QueryTooComplex(
            f"the {what} is {len(text)} characters long; the limit is {limits.max_chars} "
            "(VCKG_SPARQL_MAX_CHARS)"
        )
    expanded = expand_escapes(text)
    found = measure(text, limits)
    if expanded is not text:
        found = found.worst(measure(expanded, limits))
    for value, limit, name, env in (
        (found.nesting, limits.max_nesting, "brackets nested", "NESTING"),
        (
            found.chain,
            limits.max_chain,
            "operators, separators and UNION/OPTIONAL/MINUS/FILTER",
            "CHAIN",
        ),
        (found.list_items, limits.max_list, "items in one parenthesised list", "LIST"),
    ):
        if value > limit:
            raise QueryTooComplex(
                f"the {what} is too complex to run safely: up to {value} {name}, "
                f"the limit is {limit} (VCKG_SPARQL_MAX_{env})"
            )
    return expanded


def prepare() -> None:
    """Import the checker's grammar now (half a second) rather than at the first request.

    A server calls this before it forks its query processes: importing rdflib inside a child
    forked from a threaded server can block for good on a lock another thread held at the fork.
    """
    import rdflib.plugins.sparql.parser  # noqa: F401


def _mentions_network(text: str, expanded: str) -> bool:
    lowered = text.lower()
    if "service" in lowered or "load" in lowered:
        return True
    if expanded is text:
        return False
    lowered = expanded.lower()
    return "service" in lowered or "load" in lowered


def _node_names(tree: object) -> Iterator[str]:
    """The names of every parse-tree node rdflib built, walked without recursion."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node.name
            stack.extend(node.values())
        elif isinstance(node, ParseResults):
            stack.extend(node)
            stack.extend(node.as_dict().values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())


def _refuse_network(text: str, expanded: str, what: str) -> None:
    """Parse with rdflib and refuse SERVICE and LOAD; refuse what cannot be parsed."""
    cannot = f"the {what} mentions SERVICE or LOAD and cannot be checked for them"
    if len(expanded) > CHECKER_MAX_CHARS:
        raise UnsafeQuery(
            f"{cannot}: it is longer than the check reads ({CHECKER_MAX_CHARS} characters)"
        )
    if measure(expanded, Limits(max_chain=CHECKER_MAX_CHAIN)).chain > CHECKER_MAX_CHAIN:
        raise UnsafeQuery(
            f"{cannot}: it has more than {CHECKER_MAX_CHAIN} operators and separators"
        )
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        tree = parseUpdate(text) if what == "update" else parseQuery(text)
    except RecursionError as exc:
        raise UnsafeQuery(f"{cannot}: it is nested too deeply for the check") from exc
    except Exception as exc:  # pyparsing's ParseException and anything else it raises
        raise UnsafeQuery(f"{cannot}: {exc}") from exc
    for name in _node_names(tree):
        if name == "ServiceGraphPattern":
            raise UnsafeQuery("SERVICE is refused: this endpoint never calls other endpoints")
        if name == "Load":
            raise UnsafeQuery("LOAD is refused: this endpoint never fetches documents")


def check_query(text: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a query beyond the limits (QueryTooComplex) or able to call out (UnsafeQuery)."""
    expanded = _bounded(text, "query", limits)
    if _mentions_network(text, expanded):
        _refuse_network(text, expanded, "query")


def check_update(text: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse an update beyond the limits or one that could call out, as ``check_query``."""
    expanded = _bounded(text, "update", limits)
    if _mentions_network(text, expanded):
        _refuse_network(text, expanded, "update")


def check_internal(text: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Bound a query the project built itself from constants and library-serialised terms.

    Such text carries no request text that could form a keyword (ids and values are terms
    serialised by pyoxigraph, or passed as substitutions), so only the limits apply.
    """
    _bounded(text, "query", limits)
