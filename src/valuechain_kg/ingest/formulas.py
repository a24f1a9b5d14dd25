"""Spreadsheet formula injection: cells that a spreadsheet would run instead of showing.

A CSV opened in Excel or LibreOffice runs a cell starting with ``=``, ``+``, ``-`` or ``@`` (and,
in some of them, one starting with a tab or a carriage return, or a full-width ``＝ ＋ － ＠``)
as a formula: ``=HYPERLINK(...)`` leaks data, ``+cmd|...`` starts programs. The graph holds text
from outside (supplier lists, NGO reports), so every CSV the project writes neutralises such
cells, the way OWASP recommends: a single quote in front, which spreadsheets show as text.

Plain numbers are left alone: ``-0.5`` or ``+3`` is what a spreadsheet reads as a number and
runs nothing, and a numeric column must stay numeric. Only a string that starts like a formula
and is not a plain number is changed; a Python number is never changed.

Reading a bundle does not refuse such cells (a description may start with ``-``), it warns:
`warn_formula_cells` issues a `FormulaCellWarning` per cell, which the CLI prints with the file,
line and column, and which a library caller may turn into errors with the warnings filters.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

from valuechain_kg.errors import InputProblem, Location

__all__ = [
    "FORMULA_STARTS",
    "FormulaCellWarning",
    "looks_like_formula",
    "neutralise",
    "warn_formula_cells",
]

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")

_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class FormulaCellWarning(UserWarning):
    """A bundle cell that starts like a spreadsheet formula; it was loaded as plain text."""

    def __init__(self, problem: InputProblem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def looks_like_formula(text: str) -> bool:
    """True for text a spreadsheet would run as a formula; plain numbers are not formulas."""
    return bool(text) and text[0] in FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(text)


def neutralise(value: object) -> object:
    """A value safe to write into a CSV cell: a formula-like string gets a leading ``'``."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def warn_formula_cells(
    file: str, line: int, columns: Sequence[str | None], cells: Sequence[str]
) -> None:
    """Warn about each cell of one row that starts like a formula, as read or once stripped.

    `columns` names the cell at each position (None for a column the reader ignores).
    """
    for column, cell in zip(columns, cells, strict=False):
        if column is None or not (looks_like_formula(cell) or looks_like_formula(cell.strip())):
            continue
        shown = cell if len(cell) <= 40 else cell[:37] + "..."
        problem = InputProblem(
            Location(file, line, column),
            f"the cell {shown!r} starts like a spreadsheet formula: loaded as text; "
            "CSV outputs write it with a leading ' so that spreadsheets do not run it",
        )
        warnings.warn(FormulaCellWarning(problem), stacklevel=2)
