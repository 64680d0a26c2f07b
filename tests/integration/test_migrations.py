"""The packaged migrations build exactly the schema that tables.py declares, on every backend."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect
from typer.testing import CliRunner

from faircollect.adapters.db.engine import create_schema, make_engine
from faircollect.adapters.db.migrate import current_revision, head_revision, upgrade
from faircollect.adapters.db.tables import metadata
from faircollect.cli.app import app


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


def test_commands_bring_an_older_database_to_head_first(tmp_path: Path) -> None:
    """A database written by an older faircollect (schema 0005, before the optional import
    columns) is upgraded by the command that opens it instead of failing half-way."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0005")
    assert current_revision(engine) == "0005"
    result = CliRunner().invoke(
        app, ["run-day", "--date", "2026-11-29", "--allow-empty", "--database-url", url]
    )
    assert result.exit_code == 0, result.output
    assert current_revision(engine) == head_revision()
    engine.dispose()
