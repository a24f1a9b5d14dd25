"""Help text a person would write: ``PATH...``, ``--format FORMAT``, never a Python type name.

Typer shows each parameter's annotation (``<list[Path]>``, ``<bool>``, ``<int range>``) and
brackets required arguments as ``{paths}...``. The classes here keep Typer's layout and change
only the words: an argument is named by its metavar in capitals (``PATH...`` when required,
``[PATH]...`` when optional), a flag shows no value, an option with a value shows a metavar
(explicit, else one read from its type), and an option taking a word from a fixed list says
the words in its help. The root group applies them to every command it hands out, so a
command added with a plain ``@app.command()`` gets them too.
"""

from __future__ import annotations

from typing import Any

from typer import _click as click
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

#: Metavars for values whose option names no metavar of its own.
_TYPE_METAVARS = {int: "INTEGER", float: "NUMBER", str: "TEXT", bool: "BOOLEAN"}

#: Marks a parameter whose help already lists its choices (help is built once per process).
_CHOICES_LISTED = "_vckg_choices_listed"


class HumanArgument(TyperArgument):
    """A positional argument shown as ``NAME`` (``NAME...`` when it takes several)."""

    @property
    def display_name_raw(self) -> str:
        name = (self.metavar or (self.name or "").replace("_", "-")).upper()
        return name + ("..." if self.nargs != 1 else "")

    def display_type_rich(self, ctx: click.Context) -> str | None:
        # The name says what to give; the help says the rest.
        return None

    def _rich_display_name(self) -> str:
        return self.display_name_raw

    def _usage_display_name(self) -> str:
        if self.required:
            return self.display_name_raw
        bare = self.display_name_raw.removesuffix("...")
        return f"[{bare}]" + ("..." if self.nargs != 1 else "")


class HumanOption(TyperOption):
    """An option whose value is shown by a metavar, and a flag shown by its name alone."""

    def display_type_rich(self, ctx: click.Context) -> str | None:
        if self.is_flag or self.count:
            return None
        if self.metavar is not None:
            return self.metavar
        return _metavar_of(self)


def _metavar_of(option: TyperOption) -> str:
    """A metavar read from the option's type: the option's last word for a choice."""
    desc = option.type_descriptor
    if desc.is_choice:
        longest = max(option.opts, key=len).lstrip("-")
        return longest.rsplit("-", 1)[-1].upper()
    if desc.is_path:
        return "PATH"
    annotation: Any = desc.annotation
    return _TYPE_METAVARS.get(annotation, "VALUE")


def _choices_help(option: TyperOption) -> None:
    """Append the words a choice option takes to its help, once."""
    desc = option.type_descriptor
    if not desc.is_choice or getattr(option, _CHOICES_LISTED, False):
        return
    words = [str(getattr(c, "value", c)) for c in desc.choices or ()]
    listed = f"One of: {', '.join(words)}."
    option.help = f"{option.help.rstrip()} {listed}" if option.help else listed
    setattr(option, _CHOICES_LISTED, True)


def humanise(params: list[click.Parameter]) -> list[click.Parameter]:
    """Give each of Typer's parameters the human display (in place; idempotent)."""
    for param in params:
        if type(param) is TyperArgument:
            param.__class__ = HumanArgument
        elif type(param) is TyperOption:
            param.__class__ = HumanOption
        if isinstance(param, TyperOption):
            _choices_help(param)
    return params


class HumanCommand(TyperCommand):
    """A command whose help and usage line use the human display."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return humanise(super().get_params(ctx))


class HumanGroup(TyperGroup):
    """A group that shows its own options, and every command it hands out, the human way."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return humanise(super().get_params(ctx))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if type(command) is TyperCommand:
            command.__class__ = HumanCommand
        elif type(command) is TyperGroup:
            command.__class__ = HumanGroup
        return command
