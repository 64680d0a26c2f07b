"""``faircollect backup --out FILE`` and ``faircollect restore FILE``: operator commands.

``backup`` copies the configured database (``--database-url``) while the app runs: SQLite
through its online backup API, PostgreSQL through ``pg_dump -Fc``. ``restore`` loads such a
file into an empty database (``--force`` replaces a non-empty one), brings its schema to
this version's head, and checks the audit trail's hash chain, printing the count and the
anchor to compare with ``audit verify`` on the original. Problems exit 2 naming the file or
the database; a restored chain that does not verify exits 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

UrlOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Database URL (default: env or ./faircollect.db)."),
]


def backup(
    out: Annotated[Path, typer.Option("--out", help="The backup file to write (must not exist).")],
    database_url: UrlOption = None,
) -> None:
    """A consistent copy of the database, taken while the app runs."""
    from faircollect.adapters.db.backup import backup as take
    from faircollect.adapters.db.engine import database_url as resolve
    from faircollect.adapters.db.errors import hide_password

    url = resolve(database_url)
    made = take(url, out)
    how = "SQLite online backup" if made.kind == "sqlite" else "pg_dump, custom format"
    typer.echo(f"backed up {hide_password(url)} to {made.path} ({made.size:,} bytes, {how})")


def restore(
    file: Annotated[Path, typer.Argument(help="A file `faircollect backup` wrote.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace what a non-empty target database holds.")
    ] = False,
    database_url: UrlOption = None,
) -> None:
    """Load a backup into an empty database and verify its audit trail."""
    from faircollect.adapters.db.backup import restore as load
    from faircollect.adapters.db.engine import database_url as resolve
    from faircollect.adapters.db.errors import hide_password
    from faircollect.adapters.db.uow import UnitOfWork
    from faircollect.cli.database import open_engine
    from faircollect.services.audit import last_entry, verify_chain

    url = resolve(database_url)
    load(file, url, force=force)
    typer.echo(f"restored {file} into {hide_password(url)}")
    engine = open_engine(url)
    try:
        with UnitOfWork(engine) as uow:
            verdict = verify_chain(uow)
            last_id, last_hash = last_entry(uow)
    finally:
        engine.dispose()
    if not verdict.intact:
        typer.echo(f"audit trail BROKEN at entry {verdict.broken_id}: {verdict.reason}")
        raise typer.Exit(1)
    typer.echo(f"audit trail intact: {verdict.checked} entries checked")
    if last_id:
        typer.echo(f"anchor: {last_id}:{last_hash}")


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
