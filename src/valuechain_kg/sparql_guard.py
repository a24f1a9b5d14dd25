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
    "MAX_CHARS",
    "MAX_KEYWORDS",
    "MAX_LIST",
    "MAX_NESTING",
    "MAX_OPERATORS",
    "MAX_SEPARATORS",
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
#: Deepest nesting of ``{}``, ``()``, ``[]`` (and, in update data, ``<< >>``) accepted.
MAX_NESTING = 200
#: Most separators accepted: ``.``, ``,`` and ``;``, which chain triple patterns into one join.
#: Those inside ``INSERT DATA`` / ``DELETE DATA`` blocks are not counted: ground data builds
#: no pattern, and the engine reads it flat.
MAX_SEPARATORS = 3_000
#: Most operator characters accepted (``| & / + * ! = < > ^ -``): binary and unary operators
#: and property-path steps, each of which nests the tree one level deeper.
MAX_OPERATORS = 2_500
#: Most ``UNION``, ``OPTIONAL``, ``MINUS`` and ``FILTER`` keywords accepted.
MAX_KEYWORDS = 1_000
#: Most items directly inside one pair of parentheses (an RDF collection is one deep tree).
MAX_LIST = 1_000
#: Longest text, after escape expansion, that the SERVICE/LOAD check parses.
CHECKER_MAX_CHARS = 20_000
#: Most chain-building tokens (all three kinds) in a text that the SERVICE/LOAD check parses.
CHECKER_MAX_CHAIN = 200


@dataclass(frozen=True)
class Limits:
    """The bounds a text must keep; ``from_env`` reads ``VCKG_SPARQL_MAX_*`` overrides.

    The three chain kinds have limits of their own because the engine's stack gives out at
    different lengths for each: one shared limit would have to be the smallest of them.
    """

    max_chars: int = MAX_CHARS
    max_nesting: int = MAX_NESTING
    max_separators: int = MAX_SEPARATORS
    max_operators: int = MAX_OPERATORS
    max_keywords: int = MAX_KEYWORDS
    max_list: int = MAX_LIST

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        env = os.environ if environ is None else environ

        def number(name: str, default: int) -> int:
            return int(env.get(f"VCKG_SPARQL_MAX_{name}", str(default)))

        return cls(
            max_chars=number("CHARS", MAX_CHARS),
            max_nesting=number("NESTING", MAX_NESTING),
            max_separators=number("SEPARATORS", MAX_SEPARATORS),
            max_operators=number("OPERATORS", MAX_OPERATORS),
            max_keywords=number("KEYWORDS", MAX_KEYWORDS),
            max_list=number("LIST", MAX_LIST),
        )

    def allows(self, found: Measure) -> bool:
        return (
            found.nesting <= self.max_nesting
            and found.separators <= self.max_separators
            and found.operators <= self.max_operators
            and found.keywords <= self.max_keywords
            and found.list_items <= self.max_list
        )


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Measure:
    """Upper bounds of a text's nesting, chain-building tokens and widest parenthesised list."""

    nesting: int
    separators: int
    operators: int
    keywords: int
    list_items: int

    @property
    def chain(self) -> int:
        """All chain-building tokens together."""
        return self.separators + self.operators + self.keywords

    def worst(self, other: Measure) -> Measure:
        return Measure(
            max(self.nesting, other.nesting),
            max(self.separators, other.separators),
            max(self.operators, other.operators),
            max(self.keywords, other.keywords),
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
_SEPARATOR_CHARS = ".,;"
_OPERATOR_CHARS = "|&/+*!=<>^-"
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
    return Measure(
        sum(text.count(c) for c in _OPENERS),
        *_chains(text),
        len(text),
    )


def _chains(code: str) -> tuple[int, int, int]:
    """Separators, operator characters and chain keywords in ``code``."""
    return (
        sum(code.count(c) for c in _SEPARATOR_CHARS),
        sum(code.count(c) for c in _OPERATOR_CHARS),
        len(_CHAIN_WORDS.findall(code)),
    )


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


# Data blocks: read exactly as the engine reads them, or not at all (see ``_data_blocks``).
_DATA_START = re.compile(
    r"[{}\"'#<\\]|(?<![\w:?$\-])(?:insert|delete)[ \t\r\n]+data[ \t\r\n]*(?=\{)",
    re.IGNORECASE,
)
_IN_DATA = re.compile(r"[{}\[\]()\"'#<>\\]")


def _skip_string(text: str, pos: int) -> int | None:
    string = _LONG_STRING.match(text, pos) or _SHORT_STRING.match(text, pos)
    return string.end() if string else None


def _skip_comment(text: str, pos: int) -> int:
    line_end = _LINE_END.search(text, pos)
    return line_end.start() if line_end else len(text)


def _data_end(text: str, pos: int) -> tuple[int, int] | None:
    """Where the data block whose ``{`` is at ``pos`` closes, and how deep it nests.

    Ground data has no expressions, so ``<`` starts an IRI or a triple term ``<<`` and never
    means less-than: the reading is the engine's. Anything that reading cannot place (an
    escape outside a string, a lone ``<`` or ``>``, an unterminated string) ends the attempt.
    """
    depth = deepest = 0
    while (found := _IN_DATA.search(text, pos)) is not None:
        pos = found.start()
        char = text[pos]
        if char in "{[(" or text.startswith("<<", pos):
            depth += 1
            deepest = max(deepest, depth)
            pos += 2 if char == "<" else 1
        elif char in "}])" or text.startswith(">>", pos):
            depth -= 1
            if depth < 0:
                return None
            if depth == 0 and char == "}":
                return pos, deepest
            pos += 2 if char == ">" else 1
        elif char == "#":
            pos = _skip_comment(text, pos)
        elif char in "\"'":
            end = _skip_string(text, pos)
            if end is None:
                return None
            pos = end
        elif char == "<" and (iri := _IRI.match(text, pos)) is not None:
            pos = iri.end()
        else:
            return None
    return None


def _data_blocks(text: str) -> tuple[list[tuple[int, int]], int]:
    """The ``INSERT DATA`` / ``DELETE DATA`` blocks of an update, and their deepest nesting.

    Only blocks the engine is sure to read as data count: the update is read from its start as
    the engine reads it, and at the first place where that reading is in doubt (an IRI that
    could be a less-than inside a block, an escape outside a string, an unterminated string)
    the search stops, so the rest of the text is measured as code. ``INSERT DATA`` is an
    operation of its own, so a block opens only outside every brace.
    """
    blocks: list[tuple[int, int]] = []
    deepest = depth = pos = 0
    while (found := _DATA_START.search(text, pos)) is not None:
        pos = found.start()
        char = text[pos]
        if char in "iIdD":
            if depth > 0:
                pos = found.end()
                continue
            opening = found.end()
            closed = _data_end(text, opening)
            if closed is None:
                break
            blocks.append((opening + 1, closed[0]))
            deepest = max(deepest, closed[1])
            pos = closed[0] + 1
        elif char == "{":
            depth += 1
            pos += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                break
            pos += 1
        elif char == "#":
            pos = _skip_comment(text, pos)
        elif char in "\"'":
            end = _skip_string(text, pos)
            if end is None:
                break
            pos = end
        elif char == "<":
            iri = _IRI.match(text, pos)
            if iri is None:
                pos += 1  # a less-than, read so by the engine too
            elif depth == 0 or _AMBIGUOUS_IN_IRI.search(iri.group()) is None:
                pos = iri.end()  # outside braces there are no expressions: an IRI
            else:
                break
        else:
            break  # an escape outside a string
    return blocks, deepest


def _without_blocks(text: str, blocks: list[tuple[int, int]]) -> str:
    """``text`` with the inside of each data block blanked (its braces kept)."""
    if not blocks:
        return text
    pieces: list[str] = []
    pos = 0
    for start, end in blocks:
        pieces.append(text[pos:start])
        pieces.append(" ")
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def measure(text: str, limits: Limits = DEFAULT_LIMITS, *, update: bool = False) -> Measure:
    """Upper bounds of nesting, chains and list width, cheap when the text is plainly small.

    For an ``update``, the separators, operators and keywords inside ``INSERT DATA`` /
    ``DELETE DATA`` blocks do not count, and their ``<< >>`` triple terms count as nesting.
    """
    cheap = _cheap_bound(text)
    if limits.allows(cheap):
        return cheap
    code = "".join(_code_pieces(text))
    deepest, widest = _structure(code)
    if not update:
        return Measure(deepest, *_chains(code), widest)
    blocks, data_depth = _data_blocks(text)
    outside = _without_blocks(text, blocks)
    chains = _chains("".join(_code_pieces(outside))) if blocks else _chains(code)
    # A block opens at depth one; its own brackets are already part of ``deepest``.
    return Measure(max(deepest, data_depth + 1), *chains, widest)


def _bounded(text: str, what: str, limits: Limits) -> str:
    """The escape-expanded text, after refusing any text beyond the limits (raw or expanded)."""
    if len(text) > limits.max_chars:
        raise QueryTooComplex(
            f"the {what} is {len(text)} characters long; the limit is {limits.max_chars} "
            "(VCKG_SPARQL_MAX_CHARS)"
        )
    expanded = expand_escapes(text)
    update = what == "update"
    found = measure(text, limits, update=update)
    if expanded is not text:
        found = found.worst(measure(expanded, limits, update=update))
    for value, limit, name, env in (
        (found.nesting, limits.max_nesting, "brackets nested", "NESTING"),
        (
            found.separators,
            limits.max_separators,
            "separators (. , ;)",
            "SEPARATORS",
        ),
        (found.operators, limits.max_operators, "operator characters", "OPERATORS"),
        (found.keywords, limits.max_keywords, "UNION/OPTIONAL/MINUS/FILTER", "KEYWORDS"),
        (found.list_items, limits.max_list, "items in one parenthesised list", "LIST"),
    ):
        if value > limit:
            raise QueryTooComplex(
                f"the {what} is too complex to run safely: up to {value} {name}, "
                f"the limit is {limit} (VCKG_SPARQL_MAX_{env})"
            )
    return expanded


def prepare() -> None:
    """Import the checker's grammar now rather than make the first request wait for it.

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
    checker = Limits(
        max_separators=CHECKER_MAX_CHAIN,
        max_operators=CHECKER_MAX_CHAIN,
        max_keywords=CHECKER_MAX_CHAIN,
    )
    if measure(expanded, checker).chain > CHECKER_MAX_CHAIN:
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
    # Data blocks hold no keyword, so words such as "service" in their literals do not
    # send a large write through the parse; each reading is searched with its own blocks.
    bare = _without_blocks(text, _data_blocks(text)[0])
    bare_expanded = (
        bare if expanded is text else _without_blocks(expanded, _data_blocks(expanded)[0])
    )
    if _mentions_network(bare, bare_expanded):
        _refuse_network(text, expanded, "update")


def check_internal(text: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Bound a query the project built itself from constants and library-serialised terms.

    Such text carries no request text that could form a keyword (ids and values are terms
    serialised by pyoxigraph, or passed as substitutions), so only the limits apply.
    """
    _bounded(text, "query", limits)
