"""The night's temporary tables: made empty, analysed for PostgreSQL's planner, dropped.

Several steps of the night stage rows in temporary tables (分案's work, tonight's case
owners, the chosen loans); they share how such a table is made and dropped here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, Table
from sqlalchemy.schema import CreateTable, DropTable


@contextmanager
def temporary_tables(conn: Connection, tables: Sequence[Table]) -> Iterator[None]:
    """Create ``tables`` empty; drop them (in reverse order) when the block ends without
    error. IF NOT EXISTS and DELETE: a night that failed part way may have left a table on
    a pooled connection (SQLite does not undo DDL run outside a transaction). Not on an
    error: the night's transaction rolls back (with the tables on PostgreSQL), and a
    statement in a failed PostgreSQL transaction would hide the error."""
    for table in tables:
        conn.execute(CreateTable(table, if_not_exists=True))
        conn.execute(table.delete())
    yield
    for table in reversed(tables):
        conn.execute(DropTable(table, if_exists=True))


def analyze(conn: Connection, *tables: Table) -> None:
    """PostgreSQL plans over a temporary table as if it were tiny until it is analysed
    (autovacuum never sees temporary tables); the row counts decide hash or loop."""
    if conn.dialect.name == "postgresql":
        for table in tables:
            conn.exec_driver_sql(f"ANALYZE {table.name}")
