"""docs/cli.md is the help of every command, generated and checked here so it cannot drift.

Regenerate it after changing a command:
``VCKG_UPDATE_DOCS=1 python -m pytest tests/test_cli_reference.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from valuechain_kg.cli import app

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
COMMANDS = [
    [],
    ["load"],
    ["validate"],
    ["info"],
    ["sparql"],
    ["export"],
    ["linked"],
    ["leverage"],
    ["impacts-of"],
    ["impacts"],
    ["screen"],
    ["serve"],
    ["synth"],
    ["import", "apple-suppliers"],
    ["import", "ilab"],
    ["version"],
]


def _help(command: list[str]) -> str:
    result = CliRunner().invoke(
        app, [*command, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    )
    assert result.exit_code == 0, result.output
    return "\n".join(line.rstrip() for line in result.stdout.splitlines()).strip("\n")


def render_reference() -> str:
    parts = [
        "# Command-line reference",
        "",
        "Generated from `vckg ... --help` by `tests/test_cli_reference.py`; do not edit by hand.",
    ]
    for command in COMMANDS:
        title = " ".join(["vckg", *command])
        parts += ["", f"## `{title}`", "", "```text", _help(command), "```"]
    return "\n".join(parts) + "\n"


def test_cli_reference_is_up_to_date() -> None:
    text = render_reference()
    if os.environ.get("VCKG_UPDATE_DOCS"):
        REFERENCE.write_text(text, encoding="utf-8")
    assert REFERENCE.read_text(encoding="utf-8") == text, (
        "docs/cli.md is stale: regenerate it with "
        "VCKG_UPDATE_DOCS=1 python -m pytest tests/test_cli_reference.py"
    )


def test_every_command_is_in_the_reference() -> None:
    names = {
        c.name or c.callback.__name__.replace("_", "-")  # type: ignore[union-attr]
        for c in app.registered_commands
    } | {"import"}
    assert names <= {command[0] for command in COMMANDS if command}
