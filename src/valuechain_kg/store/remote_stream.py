"""Reading a large SELECT from a remote engine in one pass: the pieces ``RemoteStore.stream`` uses.

Two ways, both linear in the rows read:

* **one streamed answer**: the SPARQL JSON results are parsed by pyoxigraph as the bytes
  arrive (``ResultsBody`` is the file it reads), so no answer is held whole and no page makes
  the engine sort the result again;
* **keyset pages**, for an engine that cuts every answer at a row cap (Virtuoso's
  ``ResultSetMaxRows``): each page is ``FILTER(key >= last)``, ordered by the key, so the
  engine never skips rows it already sent. The key is the string of the first projected
  variable; the rows sharing the last key of a page are skipped by an ``OFFSET`` within that
  key only, so equal keys (duplicate rows, a literal equal to an IRI's text, blank nodes) are
  neither lost nor read twice.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pyoxigraph as ox

__all__ = ["CAP_HEADER", "Keyset", "ResultsBody", "key_of"]

#: The header Virtuoso adds to an answer it cut at ``ResultSetMaxRows`` (its value: the cap).
CAP_HEADER = "X-SPARQL-MaxRows"

# Virtuoso names blank nodes "nodeID://b10007", which is no blank-node label.
_VIRTUOSO_BNODE = re.compile(rb'"bnode"(\s*,\s*"value"\s*:\s*)"nodeID://')


class ResultsBody(io.RawIOBase):
    """An HTTP answer's chunks as a readable file, with Virtuoso's blank-node labels repaired.

    A chunk is passed on up to its last ``}``: the repaired pattern holds no brace, so it never
    straddles the cut.
    """

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._carry = b""
        self._ready = b""

    def readable(self) -> bool:
        return True

    def _fill(self) -> bool:
        for chunk in self._chunks:
            data = self._carry + chunk
            cut = data.rfind(b"}") + 1
            self._carry = data[cut:]
            if cut:
                self._ready = _VIRTUOSO_BNODE.sub(rb'"bnode"\1"', data[:cut])
                return True
        if self._carry:
            self._ready, self._carry = _VIRTUOSO_BNODE.sub(rb'"bnode"\1"', self._carry), b""
            return True
        return False

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if not self._ready and not self._fill():
            return 0
        size = min(len(buffer), len(self._ready))
        buffer[:size] = self._ready[:size]
        self._ready = self._ready[size:]
        return size


def key_of(term: object) -> str:
    """A row's key as the engine computes it in ``Keyset.page``: a blank node or no value
    is the empty string, any other term its string."""
    if term is None or isinstance(term, ox.BlankNode):
        return ""
    return str(term.value)  # type: ignore[attr-defined]


class Keyset:
    """The pages of one SELECT (``SELECT ?a ?b ... WHERE {...}``) read by its first variable."""

    def __init__(self, sparql: str, variables: list[str], size: int) -> None:
        self.sparql = sparql
        self.variables = variables
        self.size = size
        first = variables[0]
        self._key = f'COALESCE(IF(isBlank({first}), "", STR({first})), "")'
        # Rows of one key are skipped by position, so their order must be total on every
        # engine: by the text, language and datatype of each term, then the term (which
        # orders blank nodes), not by the engine's ordering of mixed terms alone.
        ties = " ".join(f"(STR({v})) (LANG({v})) (STR(DATATYPE({v}))) {v}" for v in variables)
        self._order = f"({self._key}) {ties}"
        #: The key of the last row read, and how many rows read so far have it.
        self.last: str | None = None
        self.tied = 0

    def page(self) -> str:
        """The next page's query: ``size`` rows (fewer back: the last page)."""
        names = " ".join(self.variables)
        where = f"{{ {self.sparql} }}"
        if self.last is not None:
            where += f" FILTER({self._key} >= {ox.Literal(self.last)})"
        text = f"SELECT {names} WHERE {{ {where} }} ORDER BY {self._order} LIMIT {self.size}"
        if self.tied:
            text += f" OFFSET {self.tied}"
        return text

    def read(self, rows: list[ox.QuerySolution]) -> None:
        """Note the rows of a page: the next page starts after them."""
        for row in rows:
            key = key_of(row[0])
            if key == self.last:
                self.tied += 1
            else:
                self.last, self.tied = key, 1
