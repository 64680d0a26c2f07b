"""PostgreSQL fast paths of the nightly ledger's bulk storage (``portfolio_store.Store``).

The portable statements the store sends to SQLite cost PostgreSQL a round trip and a
parse per statement and a Python tuple per row read. Here, on the same psycopg 3 cursor
(the run's transaction):

- writes go through ``COPY … FROM STDIN`` (psycopg's C row encoder), straight into the
  table when it holds none of the rows, else into a temporary staging table merged by one
  ``INSERT … SELECT … ON CONFLICT`` (the upsert of an incremental night);
- the portfolio is read with ``COPY (SELECT …) TO STDOUT``: the loans' integer columns and
  every payment arrive as one tab-separated text parsed by numpy in C, and a payment names
  its loan by position (``row_number()`` over the same order as the loans), so no loan id
  is hashed in Python per payment;
- a full refill (``refilling``) truncates, drops the secondary indexes and foreign keys,
  and re-creates them after the COPY: one sorted index build and one validating join;
- tables refilled in the run are ``ANALYZE``d inside the transaction (PostgreSQL counts the
  transaction's own new rows), so the statements that follow in the same run are planned
  for a million rows, not for the empty table the statistics last saw.

Everything stays inside the caller's transaction: a killed run leaves nothing behind
(the staging table is temporary and emptied on commit). Text that needs COPY escaping
(a backslash, tab or newline inside a loan id) is read through the portable path instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np


def copy_in(cursor: Any, table: str, names: Sequence[str], columns: Sequence[list[Any]]) -> None:
    """``COPY table (names) FROM STDIN`` with the rows of ``columns`` (one list a column;
    dates as ISO text or date objects, None as NULL)."""
    if not columns or not len(columns[0]):
        return
    copy_rows(cursor, table, names, zip(*columns, strict=True))


def copy_rows(cursor: Any, table: str, names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """``COPY table (names) FROM STDIN`` with ``rows`` (tuples in ``names`` order)."""
    with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def upsert_via_copy(
    cursor: Any,
    table: str,
    names: Sequence[str],
    columns: Sequence[list[Any]],
    conflict: str,
    update: Sequence[str] | None = None,
) -> None:
    """Insert or update ``table`` rows keyed by ``conflict`` (the primary key columns):
    COPY into a temporary twin of the table, then one merging statement. A row already
    there gets the ``update`` columns (default: every column not in the key)."""
    if not columns or not len(columns[0]):
        return
    staging = f"fc_in_{table}"
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} "
        f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    cursor.execute(f"TRUNCATE {staging}")
    copy_in(cursor, staging, names, columns)
    keys = {key.strip() for key in conflict.split(",")}
    changed = update if update is not None else [name for name in names if name not in keys]
    updates = ", ".join(f"{name} = excluded.{name}" for name in changed)
    listed = ", ".join(names)
    cursor.execute(
        f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {staging} "  # nosec B608
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )


@contextmanager
def refilling(cursor: Any, *tables: str) -> Iterator[None]:
    """Empty ``tables`` for a complete refill by COPY inside the block, then restore.

    ``TRUNCATE`` instead of deleting row by row; the tables' secondary indexes and foreign
    keys are dropped and re-created after the refill, so each index is built in one sorted
    pass and each foreign key is validated by one join instead of a trigger per row (the
    row-by-row checks were most of the COPY's time). PostgreSQL DDL is transactional: a run
    killed in the block leaves the tables, indexes and constraints as they were. The
    tables are locked (ACCESS EXCLUSIVE) until the run commits, as SQLite's run holds its
    write lock; only a full run (first night, ``--full``, a gap) takes this path.
    """
    names = list(tables)
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
        (names,),
    )
    keys = cursor.fetchall()
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = current_schema() "
        "AND tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conname = i.indexname AND c.contype IN ('p', 'u', 'x'))",
        (names,),
    )
    indexes = cursor.fetchall()
    for table, name, _ in keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute(f"TRUNCATE {', '.join(names)}")
    yield
    for _, sql in indexes:
        cursor.execute(sql)
    for table, name, definition in keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    analyze(cursor, *names)
    cursor.close()


def analyze(cursor: Any, *tables: str) -> None:
    """Fresh planner statistics for tables just refilled in this transaction."""
    for table in tables:
        cursor.execute(f"ANALYZE {table}")


def copy_out(cursor: Any, query: str, params: Sequence[Any] = ()) -> str:
    """The text ``COPY (query) TO STDOUT`` produces (rows by newline, fields by tab)."""
    chunks: list[bytes] = []
    with cursor.copy(f"COPY ({query}) TO STDOUT", tuple(params) or None) as copy:
        for block in copy:
            chunks.append(bytes(block))
    return b"".join(chunks).decode()


def integer_rows(text: str, width: int) -> np.ndarray:
    """Rows of ``width`` integers from COPY text, as an (n, width) int64 array."""
    values: np.ndarray = np.fromstring(text, dtype=np.int64, sep=" ")
    if values.size % width:
        raise RuntimeError("COPY output is not rows of integers")
    return values.reshape(-1, width)


def text_rows(text: str, width: int) -> list[list[str]] | None:
    """The columns of COPY text rows of ``width`` fields, or None when a field holds an
    escape (a backslash: a NULL, tab, newline or backslash in the data)."""
    if "\\" in text:
        return None
    if not text:
        return [[] for _ in range(width)]
    flat = text[:-1].replace("\n", "\t").split("\t")
    if len(flat) % width:
        return None
    return [flat[k::width] for k in range(width)]
