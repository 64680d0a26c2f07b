"""The packaged migrations build exactly the schema that tables.py declares, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from faircollect.adapters.db.engine import create_schema
from faircollect.adapters.db.migrate import current_revision, head_revision
from faircollect.adapters.db.tables import metadata


def test_migrated_schema_equals_metadata(db_engine: Engine) -> None:
    with db_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_database_is_at_head_and_upgrade_is_idempotent(db_engine: Engine) -> None:
    assert current_revision(db_engine) == head_revision()
    before = sorted(inspect(db_engine).get_table_names())
    create_schema(db_engine)
    assert current_revision(db_engine) == head_revision()
    assert sorted(inspect(db_engine).get_table_names()) == before
    assert set(metadata.tables) <= set(before)
