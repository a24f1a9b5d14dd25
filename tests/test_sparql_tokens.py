"""The SPARQL lexer of ``sparql_tokens``: one regular-expression scan that must read every text
exactly as a plain character-by-character reading does (kept here as the reference), strings,
comments, IRIs and stray quotes or ``<`` included."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from valuechain_kg.api.sparql_syntax import query_form
from valuechain_kg.sparql_tokens import Token, iter_tokens, names_query_dataset, tokens

_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_STRING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'',
    re.DOTALL,
)
_WORD = re.compile(r"[?$]?[A-Za-z0-9_][A-Za-z0-9_\-.]*(?::[A-Za-z0-9_\-.%\\]*)?|:[A-Za-z0-9_\-.]*")


def reference_tokens(text: str) -> list[Token]:
    """The plain reading: one character at a time, trying each kind of lexeme where it starts."""
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


#: Pieces that open, close or hide lexemes, mixed with words and odd characters.
PIECES = st.sampled_from(
    [
        "SELECT",
        "select",
        "ask",
        "CONSTRUCT",
        "FROM",
        "where",
        "?x",
        "$y",
        "ex:a",
        ":b",
        "a",
        "1.5",
        "_:b0",
        "<urn:x>",
        "<http://e/#f>",
        "<",
        ">",
        "<a b>",
        '"',
        "'",
        '"str"',
        "'s'",
        '"""long\n"""',
        "'''x'''",
        '"\\""',
        "\\",
        "#",
        "# c {\n",
        "\n",
        " ",
        "{",
        "}",
        "(",
        ")",
        ".",
        ";",
        "-",
        "é",
        "²",
        "%",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_the_scan_reads_like_the_character_by_character_reading(text: str) -> None:
    assert tokens(text) == reference_tokens(text)
    assert list(iter_tokens(text)) == reference_tokens(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_reads_like_the_character_by_character_reading(text: str) -> None:
    assert tokens(text) == reference_tokens(text)


def test_the_form_is_the_first_form_keyword_outside_strings_comments_and_iris() -> None:
    assert query_form("# SELECT\n ASK {}") == "ASK"
    assert query_form('PREFIX s: <urn:SELECT> CONSTRUCT { ?s ?p "DESCRIBE" } WHERE {}') == (
        "CONSTRUCT"
    )
    assert query_form("describe <urn:x>") == "DESCRIBE"
    assert query_form("PREFIX x: <urn:x>") is None


def test_from_is_found_as_a_keyword_only() -> None:
    assert names_query_dataset("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }")
    assert not names_query_dataset('SELECT * WHERE { ?s ?p "FROM" } # FROM')
