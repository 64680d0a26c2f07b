"""``faircollect quickstart``: what ``make run`` does for a new user.

Builds a demo portfolio into the database if it holds no loans yet, runs tonight's job for
today (Asia/Shanghai: account states, then the lawful plan) and prints the summary and the
day's plan.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy import Engine

DEMO_ACCOUNTS = 5_000


def quickstart(
    accounts: int = typer.Option(DEMO_ACCOUNTS, "--accounts", min=1, help="Demo portfolio size."),
    database_url: str | None = typer.Option(None, "--database-url", help="Database URL."),
    seed: int = typer.Option(42, "--seed", help="Demo portfolio seed."),
) -> None:
    """Build a demo portfolio if the database is empty, run tonight's job, show the day."""
    from rich.console import Console

    from faircollect.adapters.db.engine import database_url as resolve_url
    from faircollect.cli.database import open_engine
    from faircollect.cli.nightly import compute_night, show_plan
    from faircollect.services.nightly_ledger import run_day

    console = Console()
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    engine = open_engine(database_url, create=True)
    try:
        if _holds_no_loans(engine):
            _load_demo(engine, accounts, seed, today, console)
        with console.status(f"nightly run for {today}") as status:
            report = run_day(engine, today, progress=lambda step: status.update(step))
        for day in report.days:
            console.print(f"nightly run {day.run_date}: {day.loans_computed:,} loans computed")
        if report.note:
            console.print(report.note)
        _print_summary(engine, console)
        compute_night(engine, today, console)
        show_plan(engine, today, console)
        console.print(f"database: {resolve_url(database_url)}")
    finally:
        engine.dispose()


def _holds_no_loans(engine: Engine) -> bool:
    from sqlalchemy import func, select

    from faircollect.adapters.db.tables import loans

    with engine.connect() as conn:
        return not conn.execute(select(func.count()).select_from(loans)).scalar()


def _load_demo(engine: Engine, accounts: int, seed: int, today: date, console: Console) -> None:
    """The demo portfolio, and the example collectors, supervisors and agencies so that the
    night's 分案 and agency placements reach casework as they would for a real team."""
    from faircollect.adapters.db.uow import UnitOfWork
    from faircollect.adapters.org_file import example_org_text
    from faircollect.services.demo import generate
    from faircollect.services.importing import import_directory
    from faircollect.services.organisation import load_organisation

    with (
        tempfile.TemporaryDirectory(prefix="faircollect-demo-") as folder,
        console.status(f"building a demo portfolio of {accounts:,} loans"),
    ):
        generate(accounts, Path(folder), seed=seed, as_of=today)
        import_directory(engine, Path(folder), datetime.now(UTC))
    with UnitOfWork(engine) as uow:
        org = load_organisation(uow, example_org_text(), "example organisation")
    console.print(f"demo portfolio: {accounts:,} loans generated and imported")
    console.print(f"example team: {org.users} users in {org.teams} teams, {org.agencies} agencies")


def _print_summary(engine: Engine, console: Console) -> None:
    from rich.table import Table

    from faircollect.domain.money import format_yuan
    from faircollect.services.portfolio_summary import summarize

    summary = summarize(engine)
    for title, groups in (("bucket 账龄", summary.by_bucket), ("stage 阶段", summary.by_stage)):
        table = Table(title=f"{title} — as of {summary.as_of}")
        for heading in (
            title,
            "accounts 户数",
            "overdue principal 逾期本金",
            "total overdue 逾期总额",
        ):
            table.add_column(heading, justify="left" if heading == title else "right")
        for group in groups:
            table.add_row(
                group.name,
                f"{group.accounts:,}",
                format_yuan(group.overdue_principal),
                format_yuan(group.total_overdue),
            )
        console.print(table)
    console.print(
        f"{summary.accounts:,} accounts; {format_yuan(summary.total_overdue)} yuan overdue in all "
        "(amounts in yuan; total overdue includes payable penalty 罚息)"
    )


def register(app: typer.Typer) -> None:
    """Attach ``quickstart`` to the root app."""
    app.command("quickstart")(quickstart)
