"""Where the database is and how to open it; no engine is built at import time."""

from __future__ import annotations

import os

from sqlalchemy import Engine, create_engine, event, make_url

DEFAULT_URL = "sqlite:///faircollect.db"
URL_VARIABLE = "FAIRCOLLECT_DATABASE_URL"


def database_url(explicit: str | None = None) -> str:
    """The explicit URL, else ``FAIRCOLLECT_DATABASE_URL``, else ./faircollect.db (SQLite)."""
    return explicit or os.environ.get(URL_VARIABLE) or DEFAULT_URL


CONNECT_TIMEOUT = 5
"""Seconds to wait for a database server to accept a connection before the request fails
(a 503 on the web) instead of hanging."""


def make_engine(url: str | None = None) -> Engine:
    """An engine for the URL; SQLite gets foreign keys on and a WAL journal.

    A server database gets ``pool_pre_ping``: a pooled connection is tested before it is
    handed out, so after the server restarted (or a backend was terminated) the next
    request gets a new connection instead of an error, and the app recovers by itself.
    A connection lost in the middle of a request fails that request (503) and is dropped
    from the pool."""
    resolved = make_url(database_url(url))
    if resolved.get_backend_name() == "sqlite":
        engine = create_engine(resolved, future=True)
        sqlite_pragmas(engine)
        return engine
    options: dict[str, object] = {"pool_pre_ping": True}
    if resolved.get_backend_name() == "postgresql":
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT}
    return create_engine(resolved, future=True, **options)


def sqlite_pragmas(engine: Engine) -> None:
    """Foreign keys on, WAL journal, normal sync for every connection of a SQLite engine."""
    event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_schema(engine: Engine) -> None:
    """Bring the schema up to date: ``alembic upgrade head`` with the packaged migrations.

    Idempotent: a database already at head is left as it is.
    """
    from faircollect.adapters.db.migrate import upgrade

    upgrade(engine)
