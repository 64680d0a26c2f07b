"""The importer's statements, inside its one transaction: which referenced rows exist,
which stored rows share an identity with new records, inserts, updates of set values
(``risk_scores.csv``) and the import batch new payments belong to. New rows go in through
``bulk.insert_rows``.

Lookups send a whole chunk's ids as one parameter (``bulk.member_of``); what is checked,
reported or skipped is ``services.importing``'s.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from faircollect.adapters.db import repository as stored
from faircollect.adapters.db.bulk import member_of, rows_with
from faircollect.adapters.db.tables import import_batches
from faircollect.domain.records import Record


def referenced(
    conn: Connection, target: stored.Stored, values: Sequence[Any], also: Sequence[str] = ()
) -> dict[Any, Mapping[str, Any]]:
    """The stored ``target`` rows whose lookup column holds one of ``values``, by that
    value: the lookup column and the columns ``also`` names."""
    column = target.table.c[target.lookup_column]
    query = select(column, *(target.table.c[name] for name in also)).where(member_of(column, conn))
    return {row[column.name]: row for row in rows_with(conn, query, values)}


def stored_records(
    conn: Connection, storage: stored.Stored, values: Sequence[Any]
) -> Iterator[Record]:
    """The stored records whose lookup column holds one of ``values``."""
    column = storage.table.c[storage.lookup_column]
    query = select(storage.table).where(member_of(column, conn))
    return (storage.from_row(row) for row in rows_with(conn, query, values))


def set_values(conn: Connection, storage: stored.Stored, rows: Sequence[dict[str, Any]]) -> None:
    """Set the stored rows' values to ``rows``' (matched on the lookup column)."""
    key = storage.lookup_column
    names = [name for name in rows[0] if name != key]
    # Bind names differ from the column names: SQLAlchemy reserves those for SET.
    statement = (
        update(storage.table)
        .where(storage.table.c[key] == bindparam("_key"))
        .values({name: bindparam(f"_{name}") for name in names})
    )
    params = [{"_key": row[key], **{f"_{name}": row[name] for name in names}} for row in rows]
    conn.execute(statement, params)


def new_batch(conn: Connection, source: str, now: datetime) -> int:
    """A new ``import_batches`` row; its id."""
    result = conn.execute(insert(import_batches).values(source=source, imported_at=now))
    key = result.inserted_primary_key
    assert key is not None, "the backend did not return the new batch id"
    return int(key[0])
