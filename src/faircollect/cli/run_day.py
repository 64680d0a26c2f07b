"""CLI: ``faircollect run-day`` (the nightly ledger) and ``faircollect export accounts``."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

import typer

from faircollect.cli.csv_out import EXCEL_OPTION
from faircollect.services.ledger_partitions import PARTITION_LOANS, WORKERS

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


class Format(StrEnum):
    CSV = "csv"
    JSON = "json"


def _today() -> date:
    """Today's business date in Asia/Shanghai (the clock is read here, at the edge)."""
    return datetime.now(BUSINESS_TZ).date()


def _parse_date(text: str | None) -> date:
    from faircollect.cli.dates import option_date

    return option_date(text, "--date")


def run_day_command(
    on: str | None = typer.Option(None, "--date", help="Business date (default: today, Shanghai)."),
    database_url: str | None = typer.Option(None, "--database-url", help="Database URL."),
    full: bool = typer.Option(False, "--full", help="Recompute every loan, not only changes."),
    ledger_only: bool = typer.Option(
        False, "--ledger-only", help="Only the account states; plan no contacts."
    ),
    allow_empty: bool = typer.Option(
        False, "--allow-empty", help="Succeed on a database with no loans (else exit 2)."
    ),
    workers: int = typer.Option(
        WORKERS,
        "--workers",
        min=1,
        help="Processes computing a full ledger run's partitions and the night plan's "
        "(1: the run's own process).",
    ),
    partition_size: int = typer.Option(
        PARTITION_LOANS,
        "--partition-size",
        min=1,
        help="Loans read, computed and written at a time (memory follows it).",
    ),
) -> None:
    """The nightly run: account states as of a date, then the day's lawful plan and outbox.

    Catches up missed days in order. Each day: states (DPD, bucket, stage), promises settled,
    actions planned from the strategy, every contact checked by the gate, texts screened,
    work assigned (分案), allowed messages queued and handed to the channel adapters.
    """
    from rich.console import Console

    from faircollect.cli.database import open_engine, require_loans
    from faircollect.cli.nightly import night_progress, print_night, show_plan
    from faircollect.services.night import run_night

    as_of = _parse_date(on)
    engine = open_engine(database_url)
    try:
        if not allow_empty:
            require_loans(engine)
        with night_progress(Console(stderr=True)) as progress:
            report = run_night(
                engine,
                as_of,
                plan=not ledger_only,
                recompute_all=full,
                progress=progress,
                workers=workers,
                partition_loans=partition_size,
            )
        for day in report.ledger.days:
            kind = "full" if day.full else "incremental"
            if day.rolled:
                kind += f", {day.rolled} carried forward in SQL"
            if day.kept:
                kind += f", {day.kept} staged by an interrupted run and kept"
            typer.echo(
                f"{day.run_date}: {day.loans_computed} loans computed ({kind}), "
                f"{day.transitions} stage transitions"
            )
        if report.ledger.note:
            typer.echo(report.ledger.note)
        console = Console()
        for summary in report.plans:
            print_night(summary, console)
        if report.plans:
            show_plan(engine, report.plans[-1].run_date, console)
    finally:
        engine.dispose()


def export_accounts(
    on: str = typer.Option(..., "--date", help="As-of date (YYYY-MM-DD)."),
    fmt: Format = typer.Option(Format.CSV, "--format", help="csv or json."),
    database_url: str | None = typer.Option(None, "--database-url", help="Database URL."),
    excel: bool = EXCEL_OPTION,
) -> None:
    """One row per loan: DPD, bucket, stage and amounts overdue as of a date (yuan)."""
    from faircollect.cli.csv_out import csv_stdout, refuse_excel_for_json
    from faircollect.cli.database import open_engine
    from faircollect.services.account_export import account_rows, write_csv, write_json

    refuse_excel_for_json(excel, fmt.value)
    as_of = _parse_date(on)
    engine = open_engine(database_url)
    rows = account_rows(engine, as_of)
    engine.dispose()
    with csv_stdout(excel) as out:
        (write_json if fmt is Format.JSON else write_csv)(rows, out)


def register(app: typer.Typer) -> None:
    """Attach ``run-day`` and ``export accounts`` to the root app."""
    from faircollect.cli.export_group import attach, export_app

    app.command("run-day")(run_day_command)
    export_app().command("accounts")(export_accounts)
    attach(app)
