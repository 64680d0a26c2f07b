"""``faircollect letter render``: one loan's letter as an A4 PDF (issue 14).

The letter is written from the loan's lawful amounts as of ``--date`` (default today),
screened, stored with its SHA-256 (audited, and queued in the outbox: ``outbox send
--letters-pdf DIR`` prints the stored PDF and only then is it sent), and refused (exit 1,
with every reason) when it may not be sent: a loan not overdue, a lawyer letter without
a configured law firm, a coercive letter on an illegal debt, or language the screener
flags. Bad options are exit 2 and nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from faircollect.domain.bad_input import BadInput

if TYPE_CHECKING:
    from faircollect.adapters.db.uow import UnitOfWork
    from faircollect.domain.letters import IssuedLetter

letter_app = typer.Typer(help="Letters to borrowers as PDF.", no_args_is_help=True)

UrlOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Database URL (default: env or ./faircollect.db)."),
]


def register(app: typer.Typer) -> None:
    app.add_typer(letter_app, name="letter")


@letter_app.command("render")
def render(
    loan: Annotated[str, typer.Option("--loan", help="Loan id.")],
    kind: Annotated[
        str, typer.Option("--kind", help="overdue_notice, visit_notice or lawyer_letter.")
    ],
    out: Annotated[Path, typer.Option("--out", help="The PDF file to write.")],
    day: Annotated[
        str | None, typer.Option("--date", help="Amounts as of YYYY-MM-DD (default today).")
    ] = None,
    user: Annotated[
        str | None,
        typer.Option("--as", help="Issue as this user (its scope is checked); default: console."),
    ] = None,
    database_url: UrlOption = None,
) -> None:
    """Render a letter (逾期提醒函, 上门通知函, 律师函) for one loan as an A4 PDF."""
    from datetime import UTC, datetime

    from faircollect.adapters.letter_pdf import cjk_font, render_pdf
    from faircollect.cli.casework import _run
    from faircollect.cli.dates import option_date
    from faircollect.domain.casework.roles import Actor, Role
    from faircollect.domain.letters import LetterKind
    from faircollect.services.letters import issue

    try:
        chosen = LetterKind(kind)
    except ValueError:
        names = ", ".join(k.value for k in LetterKind)
        raise BadInput(f"--kind: {kind[:40]!r} is not one of {names}") from None
    if out.is_dir():
        raise BadInput(f"--out: {out} is a directory")
    if not out.parent.is_dir():
        raise BadInput(f"--out: no directory {out.parent}")
    as_of = option_date(day, "--date")
    cjk_font()  # no font: refused before anything is read

    console = Actor("console", Role.ADMIN)

    def work(uow: UnitOfWork, actor: Actor | None) -> tuple[IssuedLetter, bytes]:
        moment = datetime.now(UTC)
        return issue(uow, actor or console, loan, chosen, as_of, render_pdf, moment)

    issued, body = _run(database_url, user, work)
    out.write_bytes(body)
    typer.echo(
        f"{issued.reference} ({issued.letter_id}): {out} ({len(body):,} bytes, "
        f"sha256 {issued.sha256}); queued: `outbox send --letters-pdf DIR` dispatches it"
    )
