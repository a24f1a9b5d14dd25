"""The README's command examples are run here, so they cannot drift from what the tool does."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from valuechain_kg.cli import app

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```console\n\$ (vckg [^\n]+)\n(.*?)```", re.DOTALL)


def _examples() -> list[tuple[str, str]]:
    return BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_readme_has_a_tour() -> None:
    commands = [command.split()[1] for command, _ in _examples()]
    assert {"info", "impacts", "linked", "leverage", "validate", "load"} <= set(commands)


@pytest.mark.parametrize(("command", "shown"), _examples(), ids=lambda v: v[:60])
def test_readme_example_prints_what_the_readme_shows(
    command: str, shown: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(ROOT)
    args = [arg.replace("/tmp/vckg-readme-store", str(tmp_path)) for arg in shlex.split(command)]
    result = runner_invoke(args[1:])
    lines = shown.rstrip("\n").split("\n")
    expected_exit = 0
    if lines and lines[-1].startswith("# exit "):
        expected_exit = int(lines.pop()[len("# exit ") :])
    assert result.exit_code == expected_exit, result.output
    printed = (result.stdout + result.stderr).rstrip("\n").split("\n")
    assert printed == [line.replace("/tmp/vckg-readme-store", str(tmp_path)) for line in lines]


def runner_invoke(args: list[str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, args, env={"COLUMNS": "80"})
