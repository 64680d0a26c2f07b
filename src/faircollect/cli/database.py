"""How every command opens the database: at the schema this version of faircollect needs.

Only ``init`` and ``quickstart`` pass ``create=True`` (and write a key file when no data
key is configured: ``ensure_keys``); every other command refuses a
missing SQLite file or a database without the faircollect schema, and a schema newer than
this version (see ``adapters.db.opening``). A database from an older version is upgraded
before anything reads it. Problems surface as one ``DatabaseProblem`` line (exit 2).

The URL of the database a command opened is remembered, so that an error the database
raises later in the command is reported against it (``last_url``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from faircollect.domain.bad_input import BadInput

if TYPE_CHECKING:
    from sqlalchemy import Engine

_OPENED: list[str] = []


def open_engine(url: str | None, *, create: bool = False) -> Engine:
    """An engine for ``url`` (default: the configured database), schema at head."""
    from faircollect.adapters.db.engine import database_url
    from faircollect.adapters.db.opening import open_database

    resolved = database_url(url)
    _OPENED.append(resolved)
    if create:
        ensure_keys()
    return open_database(resolved, create=create)


def ensure_keys() -> None:
    """``init`` and ``quickstart`` (``make run``) on a machine with no data key configured:
    write a key file with fresh keys (outside the database) and say where it is."""
    import typer

    from faircollect.adapters.data_keys import create_key_file, keys_configured

    if keys_configured():
        return
    path = create_key_file()
    typer.echo(
        f"no data key configured: wrote fresh keys to {path} (outside the database; without "
        "it the ID and phone numbers stored cannot be read: keep it, and keep it private)",
        err=True,
    )


def last_url() -> str:
    """The URL of the database this command opened last (the configured one if none)."""
    from faircollect.adapters.db.engine import database_url

    return _OPENED[-1] if _OPENED else database_url(None)


class EmptyPortfolio(BadInput):
    """A nightly run over a database that holds no loans: almost always a wrong URL."""


def require_loans(engine: Engine) -> None:
    """Refuse a database without loans (``run-day`` without ``--allow-empty``)."""
    from sqlalchemy import select

    from faircollect.adapters.db.errors import hide_password
    from faircollect.adapters.db.tables import loans

    with engine.connect() as conn:
        if conn.execute(select(loans.c.loan_id).limit(1)).first() is not None:
            return
    shown = hide_password(engine.url.render_as_string(hide_password=False))
    raise EmptyPortfolio(
        f"database {shown} holds no loans, so there is nothing to compute — import a "
        "portfolio first (`faircollect import DIR`), check the URL, or pass --allow-empty"
    )
