"""``faircollect outbox list|send``: what waits in the outbox, and the sender process a
lender runs with its gateways (the night only queues)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

outbox_app = typer.Typer(
    help="The outbox: queued messages and their sending.", no_args_is_help=True
)
SHANGHAI = ZoneInfo("Asia/Shanghai")

UrlOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Database URL (default: env or ./faircollect.db)."),
]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@outbox_app.command("list")
def outbox_list(
    day: Annotated[str | None, typer.Option("--date", help="Night YYYY-MM-DD.")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="queued, sent, delivered or failed.")
    ] = None,
    recipient: Annotated[str | None, typer.Option("--recipient", help="Phone or address.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
    database_url: UrlOption = None,
) -> None:
    """Outbox messages with their status as the channels reported it."""
    from faircollect.cli.database import open_engine
    from faircollect.cli.dates import option_date
    from faircollect.domain.outreach import MessageStatus
    from faircollect.domain.privacy import mask_text
    from faircollect.services.outbox import list_messages

    on = option_date(day, "--date") if day else None
    try:
        wanted = MessageStatus(status) if status else None
    except ValueError as err:
        raise _fail(f"--status: {err}") from err
    engine = open_engine(database_url)
    try:
        rows = list_messages(engine, day=on, status=wanted, recipient=recipient)
    finally:
        engine.dispose()
    for r in rows:  # the operator asked by number or not: listings show it masked
        r["recipient"] = _shown_recipient(r["channel"], r["recipient"])
        r["error"] = mask_text(r["error"]) if r["error"] else r["error"]
    if as_json:
        typer.echo(json.dumps([_plain(r) for r in rows], ensure_ascii=False, indent=2))
        return
    for r in rows:
        typer.echo(
            f"{r['message_id']}\t{r['channel']}\t{r['recipient']}\t{r['status']}"
            f"\t{r['error'] or ''}"
        )


def _shown_recipient(channel: str, recipient: str) -> str:
    from faircollect.domain.privacy import masked

    return masked({"sms": "phone", "call": "phone", "email": "email"}.get(channel, ""), recipient)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in row.items()}


@outbox_app.command("send")
def outbox_send(
    to_files: Annotated[
        list[str] | None,
        typer.Option(
            "--to-files",
            help="CHANNEL=DIR: hand CHANNEL's messages to JSON-lines files in DIR (a print "
            "house or gateway batch upload). Repeatable.",
        ),
    ] = None,
    letters_pdf: Annotated[
        Path | None,
        typer.Option(
            "--letters-pdf",
            help="DIR: lay out letters and lawyer letters as A4 PDFs in DIR (a print house's "
            "folder), with a manifest of their SHA-256.",
        ),
    ] = None,
    smtp: Annotated[
        str | None, typer.Option("--smtp", help="HOST:PORT of the SMTP server for e-mail.")
    ] = None,
    smtp_from: Annotated[str, typer.Option("--smtp-from", help="Sender address.")] = "",
    now: Annotated[
        str | None, typer.Option("--now", help="The sending moment, ISO (default: now).")
    ] = None,
    database_url: UrlOption = None,
) -> None:
    """Send the queued messages that are due, through the gateways given, asking the gate
    again at this moment; the rest stay queued."""
    from faircollect.adapters.channels.base import Channel
    from faircollect.adapters.channels.file import FileChannel
    from faircollect.adapters.channels.smtp import SmtpChannel
    from faircollect.cli.database import open_engine
    from faircollect.cli.dates import option_moment
    from faircollect.services.outbox import send_pending

    moment = option_moment(now, "--now")
    channels: dict[str, Channel] = {}
    for spec in to_files or ():
        name, _, folder = spec.partition("=")
        if not name or not folder:
            raise _fail(f"--to-files: '{spec}' is not CHANNEL=DIR")
        channels[name] = FileChannel(Path(folder))
    if letters_pdf is not None:
        from faircollect.adapters.channels.pdf_letters import LETTER_CHANNELS, PdfLetterChannel
        from faircollect.adapters.lender_file import lender_profile
        from faircollect.adapters.letter_pdf import cjk_font

        if letters_pdf.exists() and not letters_pdf.is_dir():
            raise _fail(f"--letters-pdf: {letters_pdf} is not a directory")
        cjk_font()  # no font: refused before anything is sent
        day = moment.astimezone(SHANGHAI).date()  # the letters' date: the sending day
        printer = PdfLetterChannel(
            letters_pdf, lender_profile(), lambda: day, lambda mid: _stored_pdf(engine, mid)
        )
        for name in LETTER_CHANNELS:
            channels[name] = printer
    if smtp:
        host, _, port = smtp.rpartition(":")
        if not host or not port.isdigit() or not smtp_from:
            raise _fail("--smtp HOST:PORT needs --smtp-from ADDRESS")
        channels["email"] = SmtpChannel(host, int(port), smtp_from)
    if not channels:
        raise _fail(
            "no gateway given (--to-files CHANNEL=DIR, --letters-pdf DIR, --smtp HOST:PORT): "
            "nothing sent"
        )
    engine = open_engine(database_url)  # the printer's lookup of stored letters reads it too
    try:
        report = send_pending(engine, channels, now=moment)
    finally:
        engine.dispose()
    typer.echo(
        f"{report.handed} message(s) handed over: "
        + ", ".join(f"{n} {s}" for s, n in sorted(report.by_status.items()))
    )
    for rule, count in sorted(report.refused_by_gate.items()):
        typer.echo(f"  {count} not sent: the gate refused them now ({rule})")


def _stored_pdf(engine: Any, message_id: str) -> bytes | None:
    """The PDF stored when the letter ``message_id`` was issued (None: a night's letter)."""
    from faircollect.adapters.db.uow import UnitOfWork

    with UnitOfWork(engine) as uow:
        return uow.letters.pdf(message_id)


def register(app: typer.Typer) -> None:
    app.add_typer(outbox_app, name="outbox")
