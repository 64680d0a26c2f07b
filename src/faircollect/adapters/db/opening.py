"""Open a faircollect database, or refuse it with one clear ``DatabaseProblem``.

Only ``init`` and ``quickstart`` create a database (``create=True``). Every other command
refuses a SQLite file that does not exist and a database without the faircollect schema
(no ``alembic_version`` table), saying to run ``faircollect init``: a nightly job with a
typo in its URL must fail, not compute an empty portfolio and report success.

A database from an older faircollect is upgraded with the packaged migrations (a command
never fails half-way on a missing column after an upgrade of faircollect); one whose schema
revision this version does not know, because a newer faircollect migrated it, is refused
rather than "upgraded". At head the check is one query.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from faircollect.adapters.db.errors import DatabaseProblem, explain

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL

_INIT = "run `faircollect init --database-url URL` first (only init and quickstart create one)"


def open_database(url: str, *, create: bool = False) -> Engine:
    """An engine on ``url`` with the schema at head; ``DatabaseProblem`` when unusable.

    ``create``: a missing SQLite file or an empty database gets the schema (``init``,
    ``quickstart``); otherwise both are refused.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from faircollect.adapters.db.engine import make_engine

    try:
        engine = make_engine(url)
    except (SQLAlchemyError, ImportError) as error:
        raise explain(error, url) from error
    try:
        if engine.dialect.name == "sqlite":
            _check_sqlite_path(engine.url, url, create)
        _bring_to_head(engine, url, create)
    except BaseException as error:
        engine.dispose()
        if isinstance(error, SQLAlchemyError | ImportError):
            raise explain(error, url) from error
        raise
    return engine


def _check_sqlite_path(parsed: URL, url: str, create: bool) -> None:
    """A SQLite file must exist (unless creating it) and be a regular file; its directory
    must exist when creating."""
    database = parsed.database or ""
    if parsed.query.get("uri") or database.startswith("file:"):
        return  # a SQLite URI names its file and mode itself; SQLite checks it
    if database in ("", ":memory:"):
        if not create:
            what = "an in-memory SQLite database holds no faircollect data"
            raise DatabaseProblem(what, url, _INIT)
        return
    path = Path(database)
    if os.path.isdir(path):
        raise DatabaseProblem(f"{path} is a directory, not a database file", url, "fix the path")
    if path.exists():
        return
    if not create:
        where = (
            "is the path mistyped?"
            if path.parent.is_dir()
            else f"the directory {path.parent} does not exist either"
        )
        raise DatabaseProblem(
            f"no database file at {path} ({where})",
            url,
            "check the path, or create the database with `faircollect init --database-url URL`",
        )
    if not path.parent.is_dir():
        raise DatabaseProblem(
            f"the directory {path.parent} does not exist", url, "create it or fix the path"
        )


@cache
def _known_revisions() -> tuple[frozenset[str], str | None]:
    """Every revision the packaged migrations know, and the head."""
    from alembic.script import ScriptDirectory

    from faircollect.adapters.db.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    known = frozenset(revision.revision for revision in script.walk_revisions())
    return known, script.get_current_head()


def _bring_to_head(engine: Engine, url: str, create: bool) -> None:
    from alembic.runtime.migration import MigrationContext

    from faircollect.adapters.db.migrate import upgrade

    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    known, head = _known_revisions()
    if current is None and not create:
        raise DatabaseProblem("the database has no faircollect schema", url, _INIT)
    if current is not None and current not in known:
        raise DatabaseProblem(
            f"its schema (revision {current}) is newer than this faircollect knows "
            f"(newest: {head})",
            url,
            "upgrade faircollect, or point at the database this version made",
        )
    if current != head:
        upgrade(engine)
