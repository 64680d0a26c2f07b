"""Schema migrations run from code: the Alembic scripts live in this package.

``upgrade(engine)`` is what ``faircollect init`` and the test fixtures call; nothing here
reads alembic.ini, so an installed wheel migrates any database it is pointed at.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

SCRIPT_LOCATION = "faircollect.adapters.db:migrations"


def alembic_config() -> Config:
    """An Alembic config pointing at the migrations shipped in this package."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind ``engine`` to ``revision`` (idempotent at head).

    On SQLite, foreign keys are off while migrating (the pragma only takes effect outside a
    transaction): a batch migration rebuilds a table by copy, drop and rename, and dropping
    a table other rows refer to (``borrowers``, 0016) would otherwise fail. The references
    are checked before the migration commits (``PRAGMA foreign_key_check``)."""
    config = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise RuntimeError(f"migration left a dangling reference: {broken}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with this version of faircollect."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
