"""``faircollect audit verify|export``: check the audit trail's hash chain, and export it.

Operator commands (run on the server, like ``loan show``): they read the database
directly, with no ``--as USER``. ``verify`` exits 0 printing how many entries it checked
when the chain is intact, 1 naming the first broken entry when it is not.
"""

from __future__ import annotations

import csv
import json
from enum import StrEnum
from typing import Annotated

import typer

audit_app = typer.Typer(
    help="The audit trail: verify its hash chain, export it.", no_args_is_help=True
)

UrlOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Database URL (default: env or ./faircollect.db)."),
]

EXPORT_FIELDS = ["id", "at", "actor", "action", "subject", "before", "after", "prev_hash", "hash"]


class AuditFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


@audit_app.command("verify")
def audit_verify(
    since: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Check from the first entry on this day (YYYY-MM-DD, Shanghai), linked to "
            "the entry before it. Default: the whole log.",
        ),
    ] = None,
    anchor: Annotated[
        str | None,
        typer.Option(
            "--anchor",
            help="ID:HASH as an earlier verify printed it (kept outside the database): that "
            "entry must still hold that hash.",
        ),
    ] = None,
    database_url: UrlOption = None,
) -> None:
    """Check the hash chain: exit 0 and the count when intact, 1 and the first broken id.
    Prints the last entry's id and hash: keep them elsewhere and pass them as --anchor."""
    from faircollect.adapters.db.uow import UnitOfWork
    from faircollect.cli.database import open_engine
    from faircollect.cli.dates import option_date
    from faircollect.services.audit import last_entry, verify_chain

    day = option_date(since, "--from") if since is not None else None
    expected = _anchor(anchor) if anchor is not None else None
    engine = open_engine(database_url)
    try:
        with UnitOfWork(engine) as uow:
            verdict = verify_chain(uow, day, expected)
            last_id, last_hash = last_entry(uow)
    finally:
        engine.dispose()
    scope = f" from {day}" if day else ""
    if verdict.intact:
        typer.echo(f"audit trail intact{scope}: {verdict.checked} entries checked")
        if last_id:
            typer.echo(f"anchor: {last_id}:{last_hash}")
        return
    typer.echo(
        f"audit trail BROKEN at entry {verdict.broken_id}: {verdict.reason}"
        f" ({verdict.checked} entries before it are intact{scope})"
    )
    raise typer.Exit(1)


def _anchor(text: str) -> tuple[int, str]:
    """``ID:HASH`` (a positive entry id, 64 hex digits) or bad input naming --anchor."""
    from faircollect.domain.bad_input import BadInput

    entry_id, _, digest = text.strip().partition(":")
    digest = digest.lower()
    if not (
        entry_id.isdigit()
        and entry_id.isascii()
        and int(entry_id) > 0
        and len(digest) == 64
        and all(c in "0123456789abcdef" for c in digest)
    ):
        raise BadInput(
            f"--anchor: expected ID:HASH (an entry id and 64 hex digits), got {text[:80]!r}"
        )
    return int(entry_id), digest


@audit_app.command("export")
def audit_export(
    since: Annotated[str, typer.Option("--from", help="First day YYYY-MM-DD (Shanghai).")],
    until: Annotated[str, typer.Option("--to", help="Last day YYYY-MM-DD, included.")],
    fmt: Annotated[AuditFormat, typer.Option("--format")] = AuditFormat.CSV,
    database_url: UrlOption = None,
) -> None:
    """The entries of days D1..D2 oldest first: id, at, actor, action, subject, before,
    after (JSON text), prev_hash, hash."""
    from faircollect.adapters.db.uow import UnitOfWork
    from faircollect.cli.csv_out import csv_stdout
    from faircollect.cli.database import open_engine
    from faircollect.cli.dates import option_date
    from faircollect.domain.bad_input import BadInput
    from faircollect.services.audit import AuditQuery, entry_dict, export_entries

    first = option_date(since, "--from")
    last = option_date(until, "--to")
    if last < first:
        raise BadInput(f"--to: {last} is before --from ({first})")
    engine = open_engine(database_url)
    try:
        with UnitOfWork(engine) as uow:
            rows = (entry_dict(e) for e in export_entries(uow, AuditQuery(first, last)))
            if fmt is AuditFormat.JSON:
                typer.echo(json.dumps(list(rows), ensure_ascii=False, indent=2))
                return
            with csv_stdout(False) as out:
                writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
