"""How every command opens the database: at the schema this version of faircollect needs.

A database from an older version (or a fresh file) is upgraded with the packaged Alembic
migrations before anything reads it, so a command never fails half-way on a missing
column after an upgrade of faircollect. At head the check is one query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine


def open_engine(url: str | None) -> Engine:
    """An engine for ``url`` (default: the configured database), schema at head."""
    from faircollect.adapters.db.engine import create_schema, make_engine

    engine = make_engine(url)
    create_schema(engine)
    return engine
