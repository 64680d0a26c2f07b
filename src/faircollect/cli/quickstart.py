"""``faircollect quickstart``: what ``make run`` does for a new user.

Builds a demo portfolio into the database if it holds no loans yet, runs tonight's job for
today (Asia/Shanghai: account states, then the lawful plan) and prints the summary and the
day's plan.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy import Engine

    from faircollect.services.portfolio_summary import PortfolioSummary

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
    from faircollect.cli.nightly import night_progress, print_night, show_plan
    from faircollect.services.quickstart import quickstart as run_quickstart

    console = Console()
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    engine = open_engine(database_url, create=True)
    try:
        with night_progress(console) as progress:
            report = run_quickstart(engine, today, accounts=accounts, seed=seed, progress=progress)
        if report.demo is not None:
            console.print(f"demo portfolio: {report.demo.accounts:,} loans generated and imported")
            org = report.demo.organisation
            console.print(
                f"example team: {org.users} users in {org.teams} teams, {org.agencies} agencies"
            )
        for day in report.night.ledger.days:
            console.print(f"nightly run {day.run_date}: {day.loans_computed:,} loans computed")
        if report.night.ledger.note:
            console.print(report.night.ledger.note)
        _print_summary(report.summary, console)
        for summary in report.night.plans:
            print_night(summary, console)
        show_plan(engine, today, console)
        console.print(f"database: {resolve_url(database_url)}")
        _print_logins(engine, console)
    finally:
        engine.dispose()


def _print_summary(summary: PortfolioSummary, console: Console) -> None:
    from rich.table import Table

    from faircollect.domain.money import format_yuan

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


def _print_logins(engine: Engine, console: Console) -> None:
    from faircollect.services.quickstart import DEMO_PASSWORD, demo_logins
    from faircollect.web.pages.labels import zh

    console.print(
        "[bold]工作台 workbench[/bold]: sign in at the URL `make run` prints, password "
        f"[bold]{DEMO_PASSWORD}[/bold] for every demo user:"
    )
    for user_id, name, role in demo_logins(engine):
        console.print(f"  {user_id:<6} {name}（{zh(role)}）")
    _print_borrower(engine, console)


def _print_borrower(engine: Engine, console: Console) -> None:
    from faircollect.adapters.db.uow import UnitOfWork
    from faircollect.services.borrower_auth import demo_borrower

    with UnitOfWork(engine) as uow:
        found = demo_borrower(uow)
    if found is None:
        return
    borrower_id, name, phone = found
    console.print(
        f"[bold]借款人服务 borrower portal[/bold]: open /my/ and sign in as the demo borrower "
        f"{name} ({borrower_id}) with phone [bold]{phone}[/bold]; no SMS gateway is configured, "
        f"so the 6-digit code appears in `faircollect outbox list --recipient {phone} --json`"
    )


def register(app: typer.Typer) -> None:
    """Attach ``quickstart`` to the root app."""
    app.command("quickstart")(quickstart)
