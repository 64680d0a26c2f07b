"""What went wrong with the database, in one line a person can act on.

Every way a database can fail a command (an unreachable server, a file that is not SQLite,
a locked or read-only database, a schema from a newer faircollect, a URL that is not one, a
driver that is not installed) is classified here, once, into a ``DatabaseProblem``: what
is wrong, which database (the URL with its password hidden) and what to do. Front doors
show ``str(problem)`` and exit 2; nothing else needs to read SQLAlchemy's or the driver's
messages.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from faircollect.domain.bad_input import BadInput

_PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")
"""``scheme://user:secret@host``: what to mask in a URL that SQLAlchemy cannot parse."""


class DatabaseProblem(BadInput):
    """A database the command cannot use; the message says what, which and what to do."""

    def __init__(self, what: str, url: str, todo: str) -> None:
        self.what = what
        self.url = hide_password(url)
        self.todo = todo
        super().__init__(f"database {self.url}: {what} — {todo}")


def is_database_error(error: BaseException) -> bool:
    """Whether ``error`` came from the database: SQLAlchemy's, or a driver's own (the bulk
    paths use the driver's cursor directly, so its errors arrive unwrapped)."""
    import sqlite3

    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(error, SQLAlchemyError | sqlite3.Error):
        return True
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(error, psycopg.Error)


def hide_password(url: str) -> str:
    """The URL as it may be shown: any password replaced by ``***``."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        return _PASSWORD_IN_URL.sub(r"\1***@", url)


@dataclass(frozen=True, slots=True)
class _Pattern:
    """A driver message fragment (lower case) and what it means for the user."""

    fragment: str
    what: str
    todo: str


_INIT = "run `faircollect init --database-url URL` to create the faircollect schema"
_SERVER = (
    "check that the server is running and that host, port and database name are right "
    "(FAIRCOLLECT_DATABASE_URL or --database-url)"
)

_PATTERNS = (
    _Pattern(
        "database is locked",
        "the database is locked by another process (a run-day or import still running?)",
        "wait for it to finish and try again",
    ),
    _Pattern(
        "readonly database",
        "the database is read-only for this user",
        "check the file's permissions (and its directory's, SQLite writes a journal there)",
    ),
    _Pattern(
        "file is not a database",
        "the file is not a SQLite database",
        "check the path: it names some other kind of file",
    ),
    _Pattern(
        "unable to open database file",
        "cannot open the SQLite file (its directory does not exist, or it is a directory)",
        "check the path in the URL",
    ),
    _Pattern(
        "disk i/o error",
        "the disk failed while reading or writing the database",
        "check the disk and the file",
    ),
    _Pattern(
        "database or disk is full",
        "the disk is full",
        "free some space and try again",
    ),
    _Pattern(
        "database disk image is malformed",
        "the SQLite file is damaged",
        "restore it from a backup",
    ),
    _Pattern(
        "password authentication failed",
        "the server refused the user name or password",
        "check the credentials in the URL",
    ),
    _Pattern(
        "no password supplied",
        "the server asks for a password and the URL has none",
        "add the password to the URL or to ~/.pgpass",
    ),
    _Pattern("no such table", "the database has no faircollect schema (a table is missing)", _INIT),
    _Pattern('relation "', "the database has no faircollect schema (a table is missing)", _INIT),
    _Pattern("no such column", "the schema is older than this faircollect expects", _INIT),
    _Pattern('column "', "the schema is older than this faircollect expects", _INIT),
    _Pattern(
        "does not exist",
        "the server has no such database or role",
        "create it (e.g. `createdb NAME`), then run `faircollect init`",
    ),
    _Pattern("connection refused", "nothing answers at that host and port", _SERVER),
    _Pattern("failed to resolve host", "the host name does not resolve", _SERVER),
    _Pattern("could not translate host name", "the host name does not resolve", _SERVER),
    _Pattern("timeout expired", "the server did not answer in time", _SERVER),
    _Pattern("server closed the connection", "the server closed the connection", _SERVER),
    _Pattern("terminating connection", "the server ended the connection", "try again"),
    _Pattern("permission denied", "the database user may not do this", "check its grants"),
)


def explain(error: BaseException, url: str) -> DatabaseProblem:
    """The ``DatabaseProblem`` for an error raised while opening or using ``url``."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    if isinstance(error, DatabaseProblem):
        return error
    if isinstance(error, NoSuchModuleError):
        return DatabaseProblem(
            "unknown kind of database in the URL",
            url,
            "use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB",
        )
    if isinstance(error, ArgumentError):
        return DatabaseProblem(
            "not a database URL",
            url,
            "use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB",
        )
    if isinstance(error, ImportError):
        module = error.name or "its module"
        return DatabaseProblem(
            f"the database driver is not installed (no module {module!r})",
            url,
            "install it, or use postgresql+psycopg:// (psycopg 3 ships with faircollect)",
        )
    message = _driver_message(error)
    lowered = message.lower()
    for pattern in _PATTERNS:
        if pattern.fragment in lowered:
            return DatabaseProblem(f"{pattern.what} ({message})", url, pattern.todo)
    return DatabaseProblem(f"the database failed: {message}", url, "see the message; try again")


def _driver_message(error: BaseException) -> str:
    """The driver's own message (SQLAlchemy's wrapper adds SQL and links), on one line."""
    cause = getattr(error, "orig", None) or error
    text = " ".join(str(cause).split())
    if not text:
        text = type(cause).__name__
    return text if len(text) <= 300 else text[:297] + "..."
