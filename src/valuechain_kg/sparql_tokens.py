"""The keywords, IRIs and braces of a SPARQL text, skipping strings and comments.

Just enough lexing for the questions asked before a text runs (which query form is it, does it
name its own dataset); the engine parses and runs it, and ``sparql_guard`` decides whether it may.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Token", "names_query_dataset", "tokens"]

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


def tokens(text: str) -> list[Token]:
    """The keywords, IRIs and braces of a query or update, skipping strings and comments."""
    found: list[Token] = []
    depth = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char == "#":
            newline = text.find("\n", i)
            i = len(text) if newline < 0 else newline + 1
            continue
        if char in "\"'":
            match = _STRING.match(text, i)
            i = match.end() if match else i + 1
            continue
        if char == "<":
            match = _IRI.match(text, i)
            if match:
                found.append(Token("iri", match.group(), i, match.end(), depth))
                i = match.end()
                continue
        if char == "{":
            found.append(Token("open", char, i, i + 1, depth))
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
            found.append(Token("close", char, i, i + 1, depth))
        elif char.isalnum() or char in "?$_:":
            match = _WORD.match(text, i)
            if match:
                word = match.group()
                if word.isalpha():
                    found.append(Token("keyword", word.upper(), i, match.end(), depth))
                i = match.end()
                continue
        i += 1
    return found


def names_query_dataset(query: str) -> bool:
    """Whether a query has a ``FROM`` or ``FROM NAMED`` clause (a keyword only there)."""
    return any(t.kind == "keyword" and t.text == "FROM" for t in tokens(query))
