"""The ``faircollect`` command: one Typer app, each feature registering its own commands.

Feature modules import their heavy dependencies inside the command functions, so
``faircollect --help`` and quick commands start fast. Every command runs under one
top-level handler (``cli.failures``): bad input is one line and exit 2, anything
unexpected one line and exit 1, never a traceback unless ``--debug`` asks for it.
"""

from __future__ import annotations

import os
import sys

import typer

from faircollect.cli import (
    apr,
    audit,
    backup,
    casework,
    gate,
    keys,
    ledger,
    letters,
    nightly,
    outbox,
    quickstart,
    reports,
    retention,
    rules,
    run_day,
    screen,
    serve,
    strategy,
)
from faircollect.cli.failures import GuardedGroup, report

app = typer.Typer(
    name="faircollect",
    help="faircollect: a lawful collections system (贷后催收管理系统).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=GuardedGroup,
)


@app.callback()
def root(
    debug: bool = typer.Option(
        False,
        "--debug",
        envvar="FAIRCOLLECT_DEBUG",
        help="On an unexpected error, print the Python traceback too.",
    ),
) -> None:
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
    reports,
    letters,
    serve,
    audit,
    retention,
    backup,
    keys,
):
    feature.register(app)


def main() -> None:
    """Console-script entry point; the last guard for a failure outside any command."""
    try:
        app()
    except Exception as error:  # commands are guarded by GuardedGroup; this is the rest
        debug = "--debug" in sys.argv or bool(os.environ.get("FAIRCOLLECT_DEBUG"))
        raise SystemExit(report(error, debug)) from None
