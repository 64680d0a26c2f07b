"""Alembic environment: always run on a connection handed over by ``faircollect``.

``faircollect.adapters.db.migrate`` builds the Alembic config in code and puts an open
connection in ``config.attributes["connection"]``, so there is no alembic.ini and no URL
read here. Batch mode is on so later ALTERs also work on SQLite.
"""

from __future__ import annotations

from alembic import context

from faircollect.adapters.db.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through faircollect.adapters.db.migrate.upgrade()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
