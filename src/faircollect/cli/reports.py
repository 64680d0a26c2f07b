"""``faircollect report NAME``: the managers' reports (issue 14) on the terminal or in a file.

``--date D`` (buckets, vintage: as of the stored night D; other reports: that one day),
``--from D1 --to D2`` (roll-rates, recovery: the two stored nights; other reports: the
period, inclusive); nothing: the last stored night (buckets, vintage) or the 7 days to
today. ``--format md|json|csv|xlsx``, ``--out FILE``
(required for xlsx). Bad input is refused before anything is read (exit 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from faircollect.domain.bad_input import BadInput

if TYPE_CHECKING:
    from datetime import date

    from faircollect.adapters.db.uow import UnitOfWork
    from faircollect.domain.reports import Report
    from faircollect.services.manager_reports import Dates

UrlOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Database URL (default: env or ./faircollect.db)."),
]


history_app = typer.Typer(
    help="The night states kept for the reports (account_state_history).", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.add_typer(history_app, name="history")


@history_app.command("prune")
def prune(
    keep_days: Annotated[
        int,
        typer.Option("--keep-days", min=1, help="Keep every night of the last N days."),
    ] = 92,
    database_url: UrlOption = None,
) -> None:
    """Drop stored night states older than --keep-days, except each month's last night."""
    from faircollect.cli.casework import _run
    from faircollect.cli.dates import today
    from faircollect.services.manager_reports import prune_history

    on = today()
    dropped = _run(database_url, None, lambda uow, _: prune_history(uow, keep_days, on))
    if not dropped:
        typer.echo("nothing to drop")
        return
    typer.echo(f"dropped {len(dropped)} nights, {dropped[0]} to {dropped[-1]}")


def report(
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME",
            help="buckets, roll-rates, ptp, contact, collectors, vintage, recovery, compliance.",
        ),
    ],
    day: Annotated[str | None, typer.Option("--date", help="One date YYYY-MM-DD.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="First date YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last date YYYY-MM-DD.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="md, json, csv or xlsx.")] = "md",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file (required for xlsx).")
    ] = None,
    user: Annotated[
        str | None,
        typer.Option("--as", help="Read as this user (its role is checked); default: console."),
    ] = None,
    database_url: UrlOption = None,
) -> None:
    """A manager's report: buckets, roll-rates (迁徙率), ptp, contact, collectors, vintage
    (账龄分析), recovery (回收率), compliance."""
    from faircollect.adapters.report_files import FORMATS, render
    from faircollect.cli.dates import option_date, today
    from faircollect.services import manager_reports as reports

    if name not in reports.REPORTS:
        raise BadInput(f"NAME: no report {name[:40]!r}; reports: {', '.join(reports.REPORTS)}")
    if fmt not in FORMATS:
        raise BadInput(f"--format: {fmt[:20]!r} is not one of {', '.join(FORMATS)}")
    if fmt == "xlsx" and out is None:
        raise BadInput("--out: an xlsx workbook is written to a file; give --out FILE.xlsx")
    if day is not None and (start is not None or end is not None):
        raise BadInput("--date: give either --date or --from/--to, not both")
    if (start is None) != (end is None):
        raise BadInput(f"{'--to' if end is None else '--from'}: --from and --to go together")
    if day is not None:
        one = option_date(day, "--date")
        dates = reports.Dates(one, one)
    elif start is not None and end is not None:
        first, last = option_date(start, "--from"), option_date(end, "--to")
        if first >= last:
            raise BadInput(f"--from/--to: --from {first} is not before --to {last}")
        dates = reports.Dates(first, last)
    else:
        dates = reports.Dates()
    if out is not None and out.is_dir():
        raise BadInput(f"--out: {out} is a directory")
    if out is not None and not out.parent.is_dir():
        raise BadInput(f"--out: no directory {out.parent}")
    found = _build(database_url, user, name, dates, today())
    body = render(found, fmt)
    if out is None:
        text = body.decode("utf-8")
        typer.echo(text, nl=not text.endswith("\n"))
        return
    out.write_bytes(body)
    typer.echo(f"{found.title}: {out}", err=True)


def _build(db: str | None, user: str | None, name: str, dates: Dates, on: date) -> Report:
    """The report, as ``user`` (role checked) or as the console operator."""
    from faircollect.cli.casework import _run
    from faircollect.domain.casework.roles import Actor, Role
    from faircollect.services import manager_reports as reports

    console = Actor("console", Role.ADMIN)

    def work(uow: UnitOfWork, actor: Actor | None) -> Report:
        return reports.build(uow, actor or console, name, dates, on)

    return _run(db, user, work)
