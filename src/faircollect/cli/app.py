"""The ``faircollect`` command: one Typer app, each feature registering its own commands.

Feature modules import their heavy dependencies inside the command functions, so
``faircollect --help`` and quick commands start fast.
"""

from __future__ import annotations

import typer

from faircollect.cli import (
    apr,
    casework,
    gate,
    ledger,
    nightly,
    outbox,
    quickstart,
    rules,
    run_day,
    screen,
    serve,
    strategy,
)

app = typer.Typer(
    name="faircollect",
    help="faircollect: a lawful collections system (贷后催收管理系统).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def root() -> None:
    """faircollect: a lawful collections system (贷后催收管理系统)."""


@app.command()
def version() -> None:
    """Print the faircollect version."""
    from faircollect import __version__

    typer.echo(__version__)


for feature in (
    quickstart,
    ledger,
    run_day,
    apr,
    rules,
    gate,
    screen,
    strategy,
    casework,
    nightly,
    outbox,
    serve,
):
    feature.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
