"""The `vckg` command line: a thin face over the KnowledgeGraph facade."""

from __future__ import annotations

import typer

app = typer.Typer(help="valuechain-kg: who is linked to an adverse impact, and who holds leverage.")


@app.command()
def version() -> None:
    """Print the version."""
    from valuechain_kg import __version__

    typer.echo(__version__)


def main() -> None:
    app()
