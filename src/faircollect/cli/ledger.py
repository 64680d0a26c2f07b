"""CLI commands for storage: ``init``, ``import`` and ``demo``.

(This module holds only init/import/demo; the nightly ``run-day`` and ``export`` commands
live in their own module.) Commands are thin: they parse options, call a service, print.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from faircollect.adapters.input_files import Encoding

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from faircollect.services.importing import ImportFailed, ImportReport
    from faircollect.services.importing import Progress as ProgressCallback

EXIT_BAD_INPUT = 2

DatabaseOption = typer.Option(
    None,
    "--database-url",
    help="SQLAlchemy URL; default $FAIRCOLLECT_DATABASE_URL, else sqlite:///faircollect.db.",
)


def init(database_url: str | None = DatabaseOption) -> None:
    """Create the database schema, or upgrade it to the newest version (safe to repeat)."""
    from faircollect.adapters.db.migrate import current_revision
    from faircollect.cli.database import open_engine

    engine = open_engine(database_url, create=True)
    typer.echo(
        f"database ready at {engine.url.render_as_string()} (schema {current_revision(engine)})"
    )
    engine.dispose()


def import_(
    directory: Path = typer.Argument(
        ..., help="Directory holding any of borrowers.csv, contacts.csv, loans.csv, payments.csv."
    ),
    database_url: str | None = DatabaseOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
    encoding: Encoding = typer.Option(
        Encoding.AUTO,
        "--encoding",
        help="auto: UTF-8 (with or without BOM), else GB18030 (Excel on Chinese Windows).",
    ),
    limits_file: Path | None = typer.Option(
        None,
        "--limits",
        envvar="FAIRCOLLECT_LIMITS",
        help="YAML file raising or lowering the plausibility bounds (data/limits/limits.yaml).",
    ),
) -> None:
    """Import the CSV files in DIRECTORY: all rows or none; rows already stored are skipped."""
    from datetime import UTC, datetime

    from faircollect.adapters.limits_file import load_limits
    from faircollect.cli.database import open_engine
    from faircollect.services.importing import ImportFailed, import_directory

    if not directory.is_dir():
        typer.echo(f"error: {directory} is not a directory", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    limits = load_limits(limits_file)
    engine = open_engine(database_url)
    show = not quiet and sys.stderr.isatty()
    try:
        with _progress(show) as bar:
            report = import_directory(
                engine,
                directory,
                datetime.now(UTC),
                _reporter(bar) if bar else None,
                encoding=encoding,
                limits=limits,
            )
    except ImportFailed as failed:
        _print_failure(failed)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    finally:
        engine.dispose()
    _print_report(report)


def demo(
    accounts: int = typer.Option(..., "--accounts", min=1, help="Number of loans to generate."),
    out: Path = typer.Option(..., "--out", help="Directory to write the four CSV files into."),
    seed: int = typer.Option(42, "--seed", help="Same seed, same portfolio."),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="Business date the portfolio is seen from (YYYY-MM-DD); default today in Shanghai.",
    ),
) -> None:
    """Write a realistic synthetic portfolio (names, products, repayment behaviour) as CSV."""
    from faircollect.cli.dates import option_date
    from faircollect.services.demo import generate

    day = option_date(as_of, "--as-of")
    counts = generate(accounts, out, seed=seed, as_of=day)
    summary = ", ".join(f"{name}: {count}" for name, count in counts.items())
    typer.echo(f"wrote {out} as of {day} ({summary})")


def _progress(show: bool) -> Progress | _NoProgress:
    if not show:
        return _NoProgress()
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[rows]:>10,} rows"),
        TextColumn("{task.fields[rate]:>9,.0f} rows/s"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )


class _NoProgress:
    """Stands in for a Rich progress display when output is not a terminal or --quiet."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None


def _reporter(bar: Progress) -> ProgressCallback:
    """Feeds the importer's per-chunk progress into one Rich bar per file, with rows/s."""
    tasks: dict[str, TaskID] = {}

    def report(file: str, rows: int, done: int, total: int) -> None:
        if file not in tasks:
            tasks[file] = bar.add_task(file, total=total, rows=0, rate=0.0)
        task = tasks[file]
        elapsed = bar.tasks[task].elapsed or 0.0
        bar.update(task, completed=done, rows=rows, rate=rows / elapsed if elapsed else 0.0)

    return report


def _print_failure(failed: ImportFailed) -> None:
    typer.echo(f"import failed: {failed.total} error(s); nothing was imported", err=True)
    for error in failed.errors:
        typer.echo(f"  {error}", err=True)
    if failed.total > len(failed.errors):
        typer.echo(f"  ... and {failed.total - len(failed.errors)} more", err=True)


def _print_report(report: ImportReport) -> None:
    for file in report.files:
        changed = f"{file.updated} changed, " if file.updated else ""
        read_as = f" (read as {file.encoding})" if file.encoding != "UTF-8" else ""
        typer.echo(
            f"{file.file}{read_as}: {file.inserted} new, {changed}{file.skipped} already stored"
        )
    batch = f"batch {report.batch_id}" if report.batch_id is not None else "no new payments"
    typer.echo(f"import complete ({batch})")


def register(app: typer.Typer) -> None:
    """Attach init, import and demo to the root app."""
    app.command("init")(init)
    app.command("import")(import_)
    app.command("demo")(demo)
