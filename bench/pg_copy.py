"""Benchmark helper (no benchmark of its own): a throwaway PostgreSQL database holding a copy
of a SQLite benchmark database.

The benchmarks build their portfolios in SQLite (the builders write raw SQL, and a kept
SQLite file makes a slow build a one-off). To time the same portfolio on PostgreSQL, a
fresh database is created on the server named by ``--database-url`` (a URL such as
``postgresql+psycopg://postgres@127.0.0.1:5432/test``: its database is only the one to
connect to while creating and dropping), brought to the schema head by the packaged
migrations, and every non-empty table of the SQLite file is copied into it with ``COPY``
(values as SQLite stores them: ISO dates and times, 0/1 booleans, decimal text, which
PostgreSQL's text input reads as they are). Sequences are moved past the copied ids and
the tables analysed, as autovacuum would have done on a production database. Not timed by
the benchmarks; the database is dropped when the ``with`` block ends.
"""

from __future__ import annotations

import sqlite3
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import Integer, Table, create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from faircollect.adapters.db import tables as t  # noqa: E402
from faircollect.adapters.db.engine import create_schema, make_engine  # noqa: E402


def is_postgres(url: str | None) -> bool:
    return url is not None and make_url(url).get_backend_name() == "postgresql"


@contextmanager
def throwaway_database(server_url: str, prefix: str = "fcbench") -> Iterator[str]:
    """The URL of a new empty database on ``server_url``'s server; dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def copy_from_sqlite(source: Path, url: str) -> dict[str, int]:
    """Schema at head on ``url``, then every non-empty table of ``source`` copied in;
    rows per table copied."""
    engine = make_engine(url)
    create_schema(engine)
    copied: dict[str, int] = {}
    lite = sqlite3.connect(source)
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        cursor = raw.cursor()  # type: ignore[union-attr]
        cursor.execute("SET TIME ZONE 'UTC'")  # SQLite holds UTC times without a zone
        # The rows come from a database that enforced the same foreign keys: skip the
        # per-row checks (superuser only; the bench connects as postgres).
        cursor.execute("SET LOCAL session_replication_role = replica")
        for table in t.metadata.sorted_tables:
            if table.name == "alembic_version":
                continue
            present = lite.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table.name,)
            ).fetchone()
            if not present:
                continue
            names = [c.name for c in table.columns]
            rows = lite.execute(f'SELECT {", ".join(names)} FROM "{table.name}"')
            count = 0
            # Rows a migration seeded (e.g. the audit chain's head) come from SQLite too.
            cursor.execute(f'DELETE FROM "{table.name}"')
            columns = ", ".join(f'"{n}"' for n in names)
            with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                while chunk := rows.fetchmany(50_000):
                    for row in chunk:
                        copy.write_row(row)
                    count += len(chunk)
            if count:
                copied[table.name] = count
            _move_sequence(cursor, table)
    lite.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return copied


def _move_sequence(cursor: object, table: Table) -> None:
    """An integer id column with a sequence: the next id follows the copied ones."""
    keys = list(table.primary_key.columns)
    if len(keys) != 1 or not isinstance(keys[0].type, Integer):
        return
    column = keys[0].name
    cursor.execute(  # type: ignore[attr-defined]
        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column}'), "
        f'COALESCE((SELECT MAX("{column}") FROM "{table.name}"), 0) + 1, false) '
        f"WHERE pg_get_serial_sequence('{table.name}', '{column}') IS NOT NULL"
    )
