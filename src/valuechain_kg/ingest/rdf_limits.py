"""Bounds checked on RDF input before pyoxigraph parses it.

Why: parts of pyoxigraph's parsers recurse once per level of nesting and run in the caller's
thread, so a small file nested deep enough overflows the stack and kills the whole process (the
CLI with a segfault, the server with every connection). Deep JSON-LD and RDF/XML also take time
growing with the square of the depth. And the RDF/XML parser expands DTD entities, so a few
hundred bytes of nested entities become gigabytes. No legitimate data nests anywhere near the
limits below, so each check is a streaming scan that refuses early, with the place it stopped:

- JSON-LD: depth of JSON arrays and objects, brackets inside strings ignored;
- RDF/XML: element depth, read by expat (iterative, never expands anything here because a
  DOCTYPE is refused as soon as it starts);
- Turtle, TriG, N-Triples, N-Quads: depth of ``[ ( {`` and of triple terms ``<<( <<``, ignoring
  strings, IRIs, comments and escaped characters.

A DOCTYPE is refused in RDF/XML whatever it declares: entity declarations are the only thing in
it that the RDF parser acts on, and refusing the whole DTD leaves no room for this scan and the
parser to disagree about what the DTD declares.
"""

from __future__ import annotations

import mmap
import os
import re
import xml.parsers.expat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from valuechain_kg.errors import InputError, InputProblem, Location

__all__ = [
    "MAX_JSON_LD_DEPTH",
    "MAX_RDF_XML_DEPTH",
    "MAX_TURTLE_DEPTH",
    "check_rdf_bytes",
    "check_rdf_file",
    "check_rdf_stream",
    "syntax_problem",
]

#: Deepest nesting of JSON arrays and objects accepted in JSON-LD.
MAX_JSON_LD_DEPTH = 1000
#: Deepest nesting of XML elements accepted in RDF/XML.
MAX_RDF_XML_DEPTH = 1000
#: Deepest nesting of ``[ ( {`` and triple terms accepted in Turtle, TriG, N-Triples, N-Quads.
MAX_TURTLE_DEPTH = 1000

_CHUNK = 1 << 20

_TURTLE_FAMILY = (
    ox.RdfFormat.TURTLE,
    ox.RdfFormat.TRIG,
    ox.RdfFormat.N_TRIPLES,
    ox.RdfFormat.N_QUADS,
)

# One token of Turtle outside a long string. Order matters: an escape before anything else (a
# prefixed name may hold `\#` or `\'`), long quotes before short ones, an IRI before `<<`.
_TURTLE_TOKEN = re.compile(
    rb"""
      (?P<esc>\\.)
    | (?P<long>\"\"\"|''')
    | \"(?:[^\"\\\n\r]|\\.)*\"
    | '(?:[^'\\\n\r]|\\.)*'
    | <(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>
    | \#[^\n\r]*
    | (?P<open><<\(?|[\[({])
    | (?P<close>\)>>|>>|[\])}])
    | (?P<nl>\r\n|\n|\r)
    """,
    re.VERBOSE,
)
# The rest of a long string on one line: its body, then the closing quotes, a line end or the
# end of the piece.
_LONG_END = {
    quotes: re.compile(
        rb"(?:[^" + q + rb"\\\n\r]|\\[^\n\r]?|" + q + rb"(?!" + q + q + rb"))*"
        rb"(?:(?P<end>" + quotes + rb")|(?P<nl>\r\n|\n|\r)|\Z)"
    )
    for quotes, q in ((b'"""', b'"'), (b"'''", b"'"))
}
_JSON_TOKEN = re.compile(
    rb'"(?:[^"\\\n\r]|\\.)*"|(?P<open>[\[{])|(?P<close>[\]}])|(?P<nl>\r\n|\n|\r)'
)


@dataclass
class _Position:
    """Line and column (both 1-based) of the scan, in bytes of the current line."""

    line: int = 1
    line_start: int = 0  # offset in the whole input where the current line starts

    def location(self, source: str, offset: int) -> Location:
        return Location(source, self.line, offset - self.line_start + 1)


def _too_deep(source: str, where: Location, limit: int, what: str) -> InputError:
    return InputError(
        [
            InputProblem(
                where,
                f"{what} nested deeper than {limit} levels: refused before parsing "
                "(no real data nests this deep; flatten the structure)",
            )
        ]
    )


def _lines(chunks: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """(offset, text) pieces that end at a line end (or at the end), so no token straddles two.

    A line is never cut, however long: a minified document is one line held whole.
    """
    offset = 0
    carry = b""
    for chunk in chunks:
        data = carry + chunk
        # A CR at the very end may be the first half of a CRLF: keep it for the next piece.
        stop = len(data) - 1 if data.endswith(b"\r") else len(data)
        cut = max(data.rfind(b"\n", 0, stop), data.rfind(b"\r", 0, stop))
        if cut < 0:
            carry = data
            continue
        yield offset, data[: cut + 1]
        offset += cut + 1
        carry = data[cut + 1 :]
    if carry:
        yield offset, carry


def _scan_json(chunks: Iterable[bytes], source: str) -> None:
    depth = 0
    pos = _Position()
    for offset, text in _lines(chunks):
        for match in _JSON_TOKEN.finditer(text):
            kind = match.lastgroup
            if kind == "open":
                depth += 1
                if depth > MAX_JSON_LD_DEPTH:
                    where = pos.location(source, offset + match.start())
                    raise _too_deep(source, where, MAX_JSON_LD_DEPTH, "JSON-LD arrays and objects")
            elif kind == "close":
                depth = max(0, depth - 1)
            elif kind == "nl":
                pos.line += 1
                pos.line_start = offset + match.end()


def _scan_turtle(chunks: Iterable[bytes], source: str) -> None:
    depth = 0
    pos = _Position()
    long_end: re.Pattern[bytes] | None = None  # set while inside a long string
    for offset, text in _lines(chunks):
        index = 0
        while index < len(text):
            if long_end is not None:
                match = long_end.match(text, index)
                assert match is not None  # the pattern can match the empty string
                if match.lastgroup == "nl":
                    pos.line += 1
                    pos.line_start = offset + match.end()
                elif match.lastgroup == "end":
                    long_end = None
                index = match.end() if match.end() > index else len(text)
                continue
            for match in _TURTLE_TOKEN.finditer(text, index):
                kind = match.lastgroup
                if kind == "open":
                    depth += 1
                    if depth > MAX_TURTLE_DEPTH:
                        where = pos.location(source, offset + match.start())
                        what = "blank nodes, collections or triple terms"
                        raise _too_deep(source, where, MAX_TURTLE_DEPTH, what)
                elif kind == "close":
                    depth = max(0, depth - 1)
                elif kind == "nl":
                    pos.line += 1
                    pos.line_start = offset + match.end()
                elif kind == "long":
                    long_end = _LONG_END[match.group()]
                    index = match.end()
                    break
            else:
                index = len(text)


def _scan_rdf_xml(chunks: Iterable[bytes], source: str) -> None:
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    depth = 0

    def here() -> Location:
        return Location(source, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)

    def doctype(name: str, system_id: str | None, public_id: str | None, subset: bool) -> None:
        raise InputError(
            [
                InputProblem(
                    here(),
                    "RDF/XML with a DOCTYPE is refused: DTD entities can expand a few bytes "
                    "into gigabytes. Replace each entity reference (&name;) with its text, or "
                    "save the file as Turtle",
                )
            ]
        )

    def start(name: str, attributes: object) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_RDF_XML_DEPTH:
            raise _too_deep(source, here(), MAX_RDF_XML_DEPTH, "RDF/XML elements")

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError as exc:
        where = Location(source, exc.lineno, exc.offset + 1)
        message = xml.parsers.expat.errors.messages.get(exc.code, str(exc))
        raise InputError(
            [InputProblem(where, f"RDF/XML is not well-formed XML: {message}")]
        ) from exc


def check_rdf_stream(chunks: Iterable[bytes], fmt: ox.RdfFormat, source: str) -> None:
    """Raise InputError (with line and column) if the input breaks a limit; else return.

    `chunks` is read once, in order; `source` names the input in messages (a file name, or
    "request body"). Formats without nesting are accepted without reading.
    """
    if fmt == ox.RdfFormat.JSON_LD:
        _scan_json(chunks, source)
    elif fmt == ox.RdfFormat.RDF_XML:
        _scan_rdf_xml(chunks, source)
    elif fmt in _TURTLE_FAMILY:
        _scan_turtle(chunks, source)


def check_rdf_bytes(data: bytes, fmt: ox.RdfFormat, source: str = "request body") -> None:
    """`check_rdf_stream` over an input held in memory, such as an HTTP request body."""
    view = memoryview(data)
    check_rdf_stream(
        (bytes(view[i : i + _CHUNK]) for i in range(0, len(data), _CHUNK)), fmt, source
    )


def _read_chunks(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        yield chunk


def _opens_triple_term(stream: BinaryIO) -> bool:
    """Whether the file's bytes contain ``<<(`` anywhere, searched over its mapping.

    The search looks for ``(``, which N-Triples outside literals hardly holds, one byte at a
    time (memchr); searching for ``<<`` instead stops at every IRI's ``<``.
    """
    size = os.fstat(stream.fileno()).st_size
    if size == 0:
        return False
    with mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        found = mapped.find(b"(", 2)
        while found != -1:
            if mapped[found - 2 : found] == b"<<":
                return True
            found = mapped.find(b"(", found + 1)
        return False


def check_rdf_file(path: Path, fmt: ox.RdfFormat) -> None:
    """`check_rdf_stream` over a file, read in chunks (OSError propagates).

    In N-Triples and N-Quads only a triple term nests, and it opens with the one token
    ``<<(`` (the parser refuses ``<<`` alone or ``<< (``), so a file holding no ``<<(`` needs
    no token scan.
    """
    with path.open("rb") as stream:
        line_based = fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
        if line_based and not _opens_triple_term(stream):
            return
        stream.seek(0)
        check_rdf_stream(_read_chunks(stream), fmt, str(path))


def syntax_problem(exc: SyntaxError, source: str) -> InputProblem:
    """The InputProblem for a pyoxigraph parse error, in words a person can act on."""
    message = exc.msg or str(exc)
    if "LoadDocumentCallback" in message:
        message = (
            "remote JSON-LD contexts are not fetched; inline the context "
            '(put the object itself under "@context" instead of its URL)'
        )
        return InputProblem(Location(source), message)
    return InputProblem(
        Location(source, getattr(exc, "lineno", None), getattr(exc, "offset", None)),
        f"RDF syntax error: {message}",
    )
