"""The command line face, ``vckg``: the typer app (``app``),
and how answers are shown (``output``).
"""

from valuechain_kg.cli.app import app, main

__all__ = ["app", "main"]
