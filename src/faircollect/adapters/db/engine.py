"""Where the database is and how to open it; no engine is built at import time."""

from __future__ import annotations

import os

from sqlalchemy import Engine, create_engine, event

DEFAULT_URL = "sqlite:///faircollect.db"
URL_VARIABLE = "FAIRCOLLECT_DATABASE_URL"


def database_url(explicit: str | None = None) -> str:
    """The explicit URL, else ``FAIRCOLLECT_DATABASE_URL``, else ./faircollect.db (SQLite)."""
    return explicit or os.environ.get(URL_VARIABLE) or DEFAULT_URL


def make_engine(url: str | None = None) -> Engine:
    """An engine for the URL; SQLite gets foreign keys on and a WAL journal."""
    engine = create_engine(database_url(url), future=True)
    if engine.dialect.name == "sqlite":
        sqlite_pragmas(engine)
    return engine


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
