"""The notebooks run top to bottom in a fresh kernel, offline, and show the pictures they promise.

Each notebook is executed with nbclient in ``notebooks/`` (where ``make lab`` opens them), so a
notebook that breaks because the package or the demo data changed fails the suite. The committed
files must carry their outputs too, so that they read well on a code host without running.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

#: Pictures (PNG outputs) each notebook promises: severity, two value chains and a leverage chart;
#: the leverage chart before and after a what-if; the chapter-by-role heatmap; screened risks by
#: country and category, and one actor's exposure paths.
PROMISED_FIGURES = {
    "01-explore-a-value-chain.ipynb": 4,
    "02-leverage.ipynb": 2,
    "03-sparql-for-researchers.ipynb": 1,
    "04-risk-screening.ipynb": 2,
}
BUDGET_SECONDS = 120


def _execute(nb: NotebookNode) -> NotebookNode:
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=BUDGET_SECONDS,
        allow_errors=False,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    return nb


def _images(nb: NotebookNode) -> int:
    return sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    )


def _errors(nb: NotebookNode) -> list[str]:
    return [
        f"{output.get('ename')}: {output.get('evalue')}"
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]


def test_every_notebook_promises_a_number_of_figures() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(PROMISED_FIGURES)


def test_the_kernel_runs_the_interpreter_of_the_test_suite() -> None:
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("import sys, valuechain_kg; print(sys.executable)")]
    )
    _execute(nb)
    printed = nb.cells[0].outputs[0]["text"].strip()
    assert Path(printed).resolve() == Path(sys.executable).resolve()


@pytest.mark.parametrize("name", sorted(PROMISED_FIGURES))
def test_committed_notebook_carries_its_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code), "run every cell before committing"
    assert _images(nb) == PROMISED_FIGURES[name]
    assert _errors(nb) == []


@pytest.mark.parametrize("name", sorted(PROMISED_FIGURES))
def test_notebook_runs_top_to_bottom_in_a_fresh_kernel_with_its_figures(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    started = time.monotonic()
    _execute(nb)  # raises CellExecutionError on the first failing cell
    elapsed = time.monotonic() - started
    assert elapsed < BUDGET_SECONDS, f"{name} took {elapsed:.0f} s"
    assert _errors(nb) == []
    assert _images(nb) == PROMISED_FIGURES[name]
