"""Every command's help says what it accepts in words a person would write.

Checked over every command the app has (walked from the root group), so a command added later
is held to the same rule: no Python type names, no ``<bool>``, usage lines in one notation,
every option with help, every ``--format`` a fixed list whose words the help names.
"""

from __future__ import annotations

import re

import pytest
import typer.main
from typer.testing import CliRunner

from valuechain_kg.cli import app

ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}


def _commands(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path under the root group, the root included."""
    found = [prefix]
    ctx = group.make_context("vckg", [], resilient_parsing=True)  # type: ignore[attr-defined]
    for name in group.list_commands(ctx):  # type: ignore[attr-defined]
        sub = group.get_command(ctx, name)  # type: ignore[attr-defined]
        if hasattr(sub, "list_commands"):
            found += _commands(sub, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def _help(command: tuple[str, ...]) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], env=ENV)
    assert result.exit_code == 0, result.output
    return result.stdout


#: What Typer shows when it prints an annotation instead of a metavar.
TYPE_NAMES = re.compile(
    r"<(?:bool|str|int|float|path|list\[[^>]*\]|\w+ range|[\w-]+(?:\|[\w-]+)+)>"
    r"|\blist\[|\bint range\b|\bfloat range\b|\bPath\b|\bstr\b"
)


def test_the_walk_finds_the_commands() -> None:
    names = {" ".join(c) for c in COMMANDS}
    assert {"load", "linked", "leverage", "import apple-suppliers", "serve"} <= names


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "vckg")
def test_help_has_no_type_names(command: tuple[str, ...]) -> None:
    text = _help(command)
    assert "<bool>" not in text
    assert not TYPE_NAMES.search(text), TYPE_NAMES.search(text)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "vckg")
def test_usage_names_arguments_in_capitals(command: tuple[str, ...]) -> None:
    usage = next(line for line in _help(command).splitlines() if "Usage:" in line)
    assert "{" not in usage and "}" not in usage
    words = usage.split("[OPTIONS]", 1)[1].split() if "[OPTIONS]" in usage else []
    for word in words:
        assert word.strip("[].") == word.strip("[].").upper(), usage


def _options(command: tuple[str, ...]) -> list[object]:
    group = typer.main.get_command(app)
    ctx = group.make_context("vckg", [], resilient_parsing=True)  # type: ignore[attr-defined]
    node: object = group
    for name in command:
        node = node.get_command(ctx, name)  # type: ignore[attr-defined]
    return [p for p in node.get_params(ctx) if p.param_type_name == "option"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "vckg")
def test_every_option_has_help(command: tuple[str, ...]) -> None:
    for option in _options(command):
        assert (option.help or "").strip(), f"{' '.join(command)} {option.opts} has no help"  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "vckg")
def test_every_format_is_a_listed_choice(command: tuple[str, ...]) -> None:
    for option in _options(command):
        if "--format" not in option.opts:  # type: ignore[attr-defined]
            continue
        desc = option.type_descriptor  # type: ignore[attr-defined]
        assert desc.is_choice, f"{' '.join(command)} --format takes any word"
        words = [str(getattr(c, "value", c)) for c in desc.choices]
        assert f"One of: {', '.join(words)}." in option.help  # type: ignore[attr-defined]
        flat = " ".join(_help(command).replace("│", " ").split())
        assert f"One of: {', '.join(words)}." in flat


def test_choice_words_are_never_cut_in_the_help() -> None:
    text = _help(("linked",))
    for word in ("ncp-determined", "court-determined", "regulator-determined"):
        assert word in text


def test_an_unknown_format_is_a_usage_error(tmp_path: object) -> None:
    result = CliRunner().invoke(app, ["info", "--format", "yaml", "-d", "data/cases"], env=ENV)
    assert result.exit_code == 2
    assert "yaml" in result.output and "table" in result.output
