"""CLI for the nightly plan: ``plan``, ``export actions``, ``compliance report``, ``ptp``.

Commands parse and print; the work is in ``services.night``, ``services.nightly_report``
and ``services.casework.promises``. ``night_progress`` and ``print_night`` render a night
for ``run-day`` and ``quickstart`` too.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from faircollect.cli.csv_out import EXCEL_OPTION
from faircollect.cli.export_group import attach, export_app

if TYPE_CHECKING:
    from collections import Counter

    from rich.console import Console
    from sqlalchemy import Engine

    from faircollect.services.night import NightProgress, NightStep
    from faircollect.services.nightly_plan import NightSummary

EXIT_BAD_INPUT = 2
EXIT_CHECK_FAILED = 1
SHANGHAI = ZoneInfo("Asia/Shanghai")

compliance_app = typer.Typer(help="Compliance proof (合规报告).", no_args_is_help=True)
ptp_app = typer.Typer(help="Promises to pay (承诺还款).", no_args_is_help=True)

UrlOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Database URL (default: env or ./faircollect.db)."),
]
DateOption = Annotated[
    str | None,
    typer.Option("--date", help="Business date YYYY-MM-DD (default: today, Asia/Shanghai)."),
]


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


class ReportFormat(StrEnum):
    MD = "md"
    JSON = "json"


def register(app: typer.Typer) -> None:
    """Attach ``plan``, ``export actions``, ``compliance`` and ``ptp`` to the root app."""
    app.command("plan")(plan)
    export_app().command("actions")(export_actions)
    attach(app)
    app.add_typer(compliance_app, name="compliance")
    app.add_typer(ptp_app, name="ptp")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_BAD_INPUT)


def _day(text: str | None, field: str = "--date") -> date:
    from faircollect.cli.dates import option_date

    return option_date(text, field)


def _engine(url: str | None) -> Engine:
    from faircollect.cli.database import open_engine

    return open_engine(url)


def plan(
    day: DateOption = None,
    compute: Annotated[
        bool, typer.Option("--compute", help="Plan the night first from the stored states.")
    ] = False,
    database_url: UrlOption = None,
) -> None:
    """The day's plan: actions by stage, channel and collector; denied actions by rule."""
    from rich.console import Console

    as_of = _day(day)
    engine = _engine(database_url)
    console = Console()
    if compute:
        compute_night(engine, as_of, console)
    show_plan(engine, as_of, console)


def show_plan(engine: Engine, as_of: date, console: Console) -> None:
    """Print the stored plan for a day (also shown by ``run-day`` and ``quickstart``)."""
    from faircollect.services.nightly_report import plan_summary

    summary = plan_summary(engine, as_of)
    console.print(f"[bold]Plan for {as_of.isoformat()}[/bold]: {summary.total} actions")
    for title, column, counts in (
        ("By stage", "stage", summary.by_stage),
        ("By channel", "channel", summary.by_channel),
        ("By status", "status", summary.by_status),
        ("By collector / agency (分案)", "assignee", summary.by_assignee),
        ("Denied by rule", "rule", summary.denied_by_rule),
    ):
        console.print(_table(title, column, counts))


def compute_night(engine: Engine, as_of: date, console: Console) -> None:
    """Plan, gate, assign and queue the night of ``as_of`` from the stored states, with progress."""
    from faircollect.services.night import plan_stored

    with night_progress(console) as progress:
        summary = plan_stored(engine, as_of, progress=progress)
    print_night(summary, console)


@contextmanager
def night_progress(console: Console) -> Iterator[NightProgress]:
    """A transient display of a night's progress (``services.night.NightStep``): a spinner
    naming the ledger's (or the demo's) current step, a bar per planning step and day.
    Nothing when the console is not a terminal (output piped to a file or a test)."""
    from rich.progress import Progress, TaskID

    if not console.is_terminal:
        yield lambda _: None
        return
    with Progress(console=console, transient=True) as bar:
        tasks: dict[tuple[object, ...], TaskID] = {}
        named: list[TaskID] = []

        def show(step: NightStep) -> None:
            if step.phase != "plan":
                key: tuple[object, ...] = (step.phase,)
                if key not in tasks:
                    tasks[key] = bar.add_task(step.name, total=None)
                    named.append(tasks[key])
                bar.update(tasks[key], description=step.name)
                return
            while named:  # the named steps are over: stop their spinners
                bar.update(named.pop(), total=1, completed=1)
            key = (step.day, step.name)
            if key not in tasks:
                label = step.name if step.day is None else f"{step.day} {step.name}"
                tasks[key] = bar.add_task(label, total=max(step.total, 1))
            bar.update(tasks[key], completed=step.done, total=max(step.total, 1))

        yield show


def print_night(summary: NightSummary, console: Console) -> None:
    """What the night did in casework (cases opened and moved by 分案, agency placements),
    when there was anything."""
    as_of, cases = summary.run_date, summary.casework
    opened = summary.cases.opened + len(cases.opened)
    if opened or summary.cases.moved or cases.placed or cases.recalled or cases.not_placed:
        moved = f", {summary.cases.moved} moved by 分案" if summary.cases.moved else ""
        console.print(
            f"{as_of}: casework: {opened} case(s) opened{moved}, {len(cases.placed)}"
            f" placed with an agency, {len(cases.recalled)} recalled",
            soft_wrap=True,
        )
    for line in not_placed_lines(cases.not_placed):
        console.print(line, markup=False, soft_wrap=True)
    for case_id, why in sorted(cases.not_recalled.items()):
        line = f"  case {case_id} recalled, owner not handed back: {why}"
        console.print(line, markup=False, soft_wrap=True)


def _table(title: str, column: str, counts: Counter[str]) -> object:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column(column)
    table.add_column("count", justify="right")
    for name, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(name, str(count))
    return table


def export_actions(
    day: Annotated[str, typer.Option("--date", help="Business date YYYY-MM-DD.")],
    fmt: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.CSV,
    database_url: UrlOption = None,
    excel: bool = EXCEL_OPTION,
) -> None:
    """The day's actions: ids, stage, channel, party, time, status, denial rules, arm, assignee."""
    from faircollect.cli.csv_out import csv_stdout, refuse_excel_for_json
    from faircollect.services.nightly_report import EXPORT_FIELDS, action_rows

    refuse_excel_for_json(excel, fmt.value)
    as_of = _day(day)
    rows = action_rows(_engine(database_url), as_of)
    if fmt is ExportFormat.JSON:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    with csv_stdout(excel) as out:
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@compliance_app.command("report")
def compliance_report(
    day: Annotated[str, typer.Option("--date", help="Business date YYYY-MM-DD.")],
    fmt: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.MD,
    database_url: UrlOption = None,
) -> None:
    """Each contact with its gate decision; denials by rule; the outbox check (exit 1 if failed)."""
    from faircollect.services.nightly_report import compliance_report as build

    as_of = _day(day)
    report = build(_engine(database_url), as_of)
    if fmt is ReportFormat.JSON:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        typer.echo(_markdown(report))
    if not report.passed:
        raise typer.Exit(EXIT_CHECK_FAILED)


def _markdown(report: object) -> str:
    from faircollect.services.nightly_report import ComplianceReport

    assert isinstance(report, ComplianceReport)
    lines = [f"# Compliance report {report.run_date.isoformat()}", ""]
    if report.passed:
        lines.append(
            f"**Checked:** all {report.outbox_rows} outbox messages have an allowing gate "
            "decision; no contact left the system without one."
        )
    else:
        lines.append(
            f"**CHECK FAILED: {len(report.unauthorised)} of {report.outbox_rows} outbox messages "
            "have NO allowing gate decision:** " + ", ".join(report.unauthorised)
        )
    lines += ["", "## Denials by rule", "", "| rule | denied |", "|---|---:|"]
    lines += [f"| {r} | {n} |" for r, n in sorted(report.denied_by_rule.items())]
    lines += ["", "## Contacts", "", "| action | loan | channel | party | at | status | rules |"]
    lines.append("|---|---|---|---|---|---|---|")
    for c in report.contacts:
        lines.append(
            f"| {c['action_id']} | {c['loan_id']} | {c['channel']} | {c['party']} | "
            f"{c['scheduled_at']} | {c['status']} | {c['rules']} |"
        )
    return "\n".join(lines)


AsOption = Annotated[str, typer.Option("--as", envvar="FAIRCOLLECT_USER", help="Acting user id.")]


@ptp_app.command("add")
def ptp_add(
    user: AsOption,
    loan: Annotated[str, typer.Option("--loan", help="Loan id.")],
    amount: Annotated[
        str, typer.Option("--amount", help="Promised amount in yuan (≤ 2 decimals).")
    ],
    due: Annotated[str, typer.Option("--due", help="Promised payment date YYYY-MM-DD.")],
    on: Annotated[
        str | None, typer.Option("--on", help="Day the promise was made (default today).")
    ] = None,
    database_url: UrlOption = None,
) -> None:
    """Record a promise to pay on a loan you work; the night of its due date settles it."""
    from faircollect.cli.casework import run_as
    from faircollect.domain.money import MoneyError, format_yuan, parse_yuan_text
    from faircollect.services.casework.promises import make_promise

    try:
        fen = parse_yuan_text(amount)
    except MoneyError as err:
        raise _fail(f"--amount: {err}") from err
    due_on, made_on = _day(due, "--due"), _day(on, "--on")
    row = run_as(
        database_url,
        user,
        lambda uow, actor: make_promise(uow, actor, loan, fen, due_on, made_on),
    )
    typer.echo(
        f"{row.promise_id}: {format_yuan(row.amount)} yuan on {row.loan_id} "
        f"due {row.due_on.isoformat()}"
    )


@ptp_app.command("list")
def ptp_list(
    user: AsOption,
    loan: Annotated[str | None, typer.Option("--loan", help="Only this loan.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
    database_url: UrlOption = None,
) -> None:
    """Promises on the cases you may see, with their status (open, kept, partly_kept,
    broken) and what was paid."""
    from faircollect.cli.casework import run_as
    from faircollect.domain.money import format_yuan
    from faircollect.services.casework.promises import list_promises

    today = _day(None)
    rows = [
        {
            "ptp_id": r.promise_id,
            "loan_id": r.loan_id,
            "amount": format_yuan(r.amount),
            "made_on": r.made_on.isoformat(),
            "due": r.due_on.isoformat(),
            "status": r.status,
            "paid": format_yuan(r.paid),
            "settled_on": r.settled_on.isoformat() if r.settled_on else None,
        }
        for r in run_as(
            database_url, user, lambda uow, actor: list_promises(uow, actor, today, loan)
        )
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        typer.echo(
            f"{r['ptp_id']}\t{r['loan_id']}\t{r['amount']}\t{r['due']}\t{r['status']}\t{r['paid']}"
        )


SHOWN_PER_REASON = 5
"""Loan ids listed per reason a placement did not reach casework (the rest are counted)."""


def not_placed_lines(not_placed: dict[str, str]) -> list[str]:
    """One line per reason with its count and the first loan ids: on a big book the same
    reason (say, an agency without commission terms) can hold back hundreds of loans."""
    by_reason: dict[str, list[str]] = {}
    for loan_id, why in sorted(not_placed.items()):
        by_reason.setdefault(why, []).append(loan_id)
    lines = []
    for why, loans in sorted(by_reason.items()):
        shown = ", ".join(loans[:SHOWN_PER_REASON])
        more = len(loans) - SHOWN_PER_REASON
        tail = f" and {more} more" if more > 0 else ""
        lines.append(f"  {len(loans)} loan(s) not placed: {why} ({shown}{tail})")
    return lines
