"""Bulk reads and writes for imports of millions of rows, inside the caller's transaction.

SQLAlchemy's executemany builds a parameter dict per row, which dominates an import of
millions of payments. Here rows go through each column type's own bind processor (so
values are stored exactly as SQLAlchemy would store them) and then straight to the
driver: ``executemany`` on SQLite, ``COPY ... FROM STDIN`` on PostgreSQL (psycopg 3).
Lookups "which of these N ids exist" send the ids as one parameter (a JSON array on
SQLite, an array on PostgreSQL), so one compiled statement serves every chunk and no
backend parameter limit is hit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Select,
    String,
    Table,
    any_,
    bindparam,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY

from faircollect.adapters.data_keys import keyring

IDS = "ids"
"""The name of the single bind parameter that carries the id list of a lookup."""


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) into ``table`` in the open transaction."""
    if not rows:
        return
    dialect = conn.dialect
    names = list(rows[0])
    if dialect.name not in ("sqlite", "postgresql"):
        conn.execute(insert(table), list(rows))
        return
    columns_: list[list[Any]] = []
    for name in names:
        values = [row[name] for row in rows]
        process = _bind_processor(table.c[name], conn)
        columns_.append(list(map(process, values)) if process else values)
    for column in table.columns:  # keyed hashes of sealed values (a Core default does it)
        source = column.info.get("hash_of")
        if source in names and column.name not in names:
            ring = keyring()
            values = [row[source] for row in rows]
            columns_.append([None if v is None else ring.lookup_hash(str(v)) for v in values])
            names.append(column.name)
    data = list(zip(*columns_, strict=True))
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)
    cursor = conn.connection.cursor()
    try:
        if dialect.name == "sqlite":
            marks = ", ".join("?" for _ in names)
            cursor.executemany(
                f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})", data  # nosec B608
            )
        else:
            with cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
                for record in data:
                    copy.write_row(record)
    finally:
        cursor.close()


def _bind_processor(column: Column[Any], conn: Connection) -> Callable[[Any], Any] | None:
    return column.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)


def member_of(column: Column[Any], conn: Connection) -> Any:
    """``column IN (<the ids parameter>)`` as one bind parameter on this backend."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(IDS, type_=ARRAY(String)))
    if conn.dialect.name == "sqlite":
        listed: Select[Any] = select(literal_column("value")).select_from(
            func.json_each(bindparam(IDS))
        )
        return column.in_(listed.scalar_subquery())
    return column.in_(bindparam(IDS, expanding=True))


def ids_parameter(conn: Connection, values: Sequence[str]) -> Any:
    """The ids list in the form ``member_of`` expects on this backend."""
    if conn.dialect.name == "sqlite":
        return json.dumps(list(values), ensure_ascii=False)
    return list(values)


def rows_with(conn: Connection, query: Select[Any], values: Sequence[str]) -> list[Any]:
    """Run a query built with ``member_of`` for these ids; rows as mappings."""
    if not values:
        return []
    return list(conn.execute(query, {IDS: ids_parameter(conn, values)}).mappings())
