"""The README's set-up facts and reading notes, checked against the Makefile, the package and
the answers, so they stay true as those change (the commands are run by test_readme.py)."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from valuechain_kg.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def _make_default(name: str) -> str:
    found = re.search(rf"^{name} \?= (\S+)$", MAKEFILE, re.MULTILINE)
    assert found, f"the Makefile has no overridable {name}"
    return found.group(1)


def test_the_overrides_the_readme_names_exist_with_its_defaults() -> None:
    assert "PORT=" in README and "STORE=" in README and "HOST=" in README
    assert _make_default("PORT") == "8000"
    assert _make_default("HOST") == "127.0.0.1"
    assert _make_default("STORE") == ".vckg-store"
    assert "127.0.0.1:8000" in README and "`.vckg-store/`" in README
    assert "--store $(STORE)" in MAKEFILE and "--port $(PORT)" in MAKEFILE


def test_the_command_lives_where_the_readme_says() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert "vckg" in scripts
    assert re.search(r"^VENV := \.venv$", MAKEFILE, re.MULTILINE)
    assert "`.venv/bin/vckg`" in README and "source .venv/bin/activate" in README


def test_the_first_make_test_duration_is_stated() -> None:
    assert re.search(r"first `make test`.*about \w+ minutes", README, re.DOTALL)


def _csv(*args: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(app, [*args, "--data", "data/cases", "--format", "csv"])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_the_path_examples_are_what_the_tool_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    linked = {r["id"]: r["path"] for r in _csv("linked", "rohingya-violence-2017")}
    assert f"`{linked['akademikerpension']}`" in README
    holders = {r["holder"]: r["path"] for r in _csv("leverage", "cobalt-child-labour-drc")}
    shown = " ".join(holders["apple"].split())
    assert shown in " ".join(README.replace("`", " ").split())


def test_the_rounding_note_names_numbers_the_answers_hold() -> None:
    for number in ("0.4645", "0.05314032"):
        assert f"`{number}`" in README
        assert f'"strength":{number}' in README
