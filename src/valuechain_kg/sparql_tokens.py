"""The keywords, IRIs and braces of a SPARQL text, skipping strings and comments.

Just enough lexing for the questions asked before a text runs (which query form is it, does it
name its own dataset); the engine parses and runs it, and ``sparql_guard`` decides whether it may.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["Token", "iter_tokens", "names_query_dataset", "tokens", "undeclared_prefixes"]

_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_STRING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'',
    re.DOTALL,
)
# A word with what may be glued to it (variables, prefixed names, numbers): only bare words
# can be keywords.
_WORD = re.compile(r"[?$]?[A-Za-z0-9_][A-Za-z0-9_\-.]*(?::[A-Za-z0-9_\-.%\\]*)?|:[A-Za-z0-9_\-.]*")


@dataclass(frozen=True)
class Token:
    """A keyword, IRI or brace, with its place in the text and the brace depth around it."""

    kind: str  # "keyword", "iri", "open", "close"
    text: str
    start: int
    end: int
    depth: int


#: One scan over the text: each match is a comment, a string, an IRI, a brace or a word, and
#: whatever matches none of them (operators, punctuation, a quote or ``<`` that opens nothing)
#: is stepped over one character at a time.
_LEXEME = re.compile(
    rf"(?P<comment>#[^\n]*\n?)|(?P<string>{_STRING.pattern})|(?P<iri>{_IRI.pattern})"
    rf"|(?P<open>\{{)|(?P<close>\}})|(?P<word>{_WORD.pattern})",
    re.DOTALL,
)


def iter_tokens(text: str) -> Iterator[Token]:
    """The keywords, IRIs and braces of a query or update, in order, as they are found.

    Lazy, so a question answered by the first tokens (which query form is it) reads no further.
    """
    depth = 0
    for match in _LEXEME.finditer(text):
        kind = match.lastgroup
        if kind == "word":
            word = match.group()
            if word.isalpha():
                yield Token("keyword", word.upper(), match.start(), match.end(), depth)
        elif kind == "iri":
            yield Token("iri", match.group(), match.start(), match.end(), depth)
        elif kind == "open":
            yield Token("open", "{", match.start(), match.end(), depth)
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
            yield Token("close", "}", match.start(), match.end(), depth)


def tokens(text: str) -> list[Token]:
    """The keywords, IRIs and braces of a query or update, skipping strings and comments."""
    return list(iter_tokens(text))


def names_query_dataset(query: str) -> bool:
    """Whether a query has a ``FROM`` or ``FROM NAMED`` clause (a keyword only there)."""
    return any(t.kind == "keyword" and t.text == "FROM" for t in iter_tokens(query))


_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w\-.]*)?:", re.IGNORECASE)
_PREFIXED = re.compile(r"(?<![\w?$:<])([A-Za-z][\w\-.]*)?:(?=[\w%\\]|\s|[;,.)\]}]|$)")


def undeclared_prefixes(text: str, known: Iterable[str]) -> list[tuple[str, int, int]]:
    """The prefixes a text uses but neither declares nor finds in ``known``: (prefix, line, column).

    Strings, comments and IRIs are skipped; line and column are 1-based, of the first use.
    """
    code = _blank_literals(text)
    declared = {m.group(1) or "" for m in _DECLARED.finditer(code)} | set(known)
    found: dict[str, tuple[int, int]] = {}
    for match in _PREFIXED.finditer(code):
        prefix = match.group(1) or ""
        if prefix in declared or prefix in found or prefix.upper() == "PREFIX":
            continue
        line = code.count("\n", 0, match.start()) + 1
        column = match.start() - (code.rfind("\n", 0, match.start()) + 1) + 1
        found[prefix] = (line, column)
    return [(prefix, line, column) for prefix, (line, column) in found.items()]


def _blank_literals(text: str) -> str:
    """The text with strings, comments and IRIs replaced by spaces (lines and columns kept)."""
    out = list(text)
    i = 0
    while i < len(text):
        char = text[i]
        end = i + 1
        if char == "#":
            newline = text.find("\n", i)
            end = len(text) if newline < 0 else newline
        elif char in "\"'":
            match = _STRING.match(text, i)
            end = match.end() if match else i + 1
        elif char == "<":
            match = _IRI.match(text, i)
            end = match.end() if match else i + 1
            if not match:
                i += 1
                continue
        else:
            i += 1
            continue
        for j in range(i, end):
            if out[j] != "\n":
                out[j] = " "
        i = end
    return "".join(out)
