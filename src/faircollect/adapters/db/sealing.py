"""Walking the sealed columns: how many values are under which key, and re-sealing them.

The sealed columns are those of type ``types.Sealed`` in the schema (``SEALED``), so a new
sealed column is counted and rotated without being listed here. Values are read as the raw
stored text (``type_coerce`` to ``Text``: nothing is opened to be counted) and walked in
primary-key order a batch at a time (keyset pagination: each batch is an indexed range).
A batch re-seals only what is not under the current key yet, so a rotation that stopped
half-way simply runs again: what it did is skipped without being opened.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, Table, Text, bindparam, func, select, type_coerce, update

from faircollect.adapters.data_keys import Keyring
from faircollect.adapters.db.tables import metadata
from faircollect.adapters.db.types import Sealed
from faircollect.domain.sealed import key_id_of

CLEAR = "clear"
"""What ``key_counts`` calls a value not sealed at all (stored before 0016)."""


@dataclass(frozen=True, slots=True)
class SealedColumn:
    table: Table
    column: Column[Any]
    key: Column[Any]

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.column.name}"


def sealed_columns() -> list[SealedColumn]:
    """Every sealed column of the schema, with its table's (single-column) primary key."""
    found = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, Sealed):
                (key,) = table.primary_key.columns
                found.append(SealedColumn(table, column, key))
    return found


def raw(column: Column[Any]) -> Any:
    """The column's stored text, not opened."""
    return type_coerce(column, Text)


def key_counts(conn: Connection, batch: int = 20_000) -> dict[str, Counter[str]]:
    """Per sealed column, how many values are under each key id (``CLEAR``: not sealed)."""
    counts: dict[str, Counter[str]] = {}
    for sealed in sealed_columns():
        counter: Counter[str] = Counter()
        for rows in _batches(conn, sealed, batch):
            counter.update(key_id_of(value) or CLEAR for _, value in rows)
        counts[sealed.name] = counter
    return counts


def to_reseal(conn: Connection, sealed: SealedColumn, current_id: str) -> int:
    """How many values of the column are not under the key ``current_id`` (a count query)."""
    stored = raw(sealed.column)
    query = select(func.count()).where(
        sealed.column.is_not(None), stored != "", stored.not_like(f"fc1:{current_id}:%")
    )
    return int(conn.execute(query.select_from(sealed.table)).scalar_one())


def reseal_batches(
    conn: Connection, sealed: SealedColumn, ring: Keyring, batch: int = 5_000
) -> Iterator[int]:
    """Re-seal the column's values under ``ring``'s current key, one batch at a time; yields
    how many values each batch re-sealed, after writing them (the caller commits)."""
    statement = (
        update(sealed.table)
        .where(sealed.key == bindparam("_key"))
        .values({sealed.column.name: bindparam("_value", type_=Text)})
    )
    for rows in _batches(conn, sealed, batch):
        changed = []
        for key, value in rows:
            fresh = ring.reseal(value)
            if fresh is not None:
                changed.append({"_key": key, "_value": fresh})
        if changed:
            conn.execute(statement, changed)
        yield len(changed)


def _batches(conn: Connection, sealed: SealedColumn, size: int) -> Iterator[list[Any]]:
    """(primary key, stored text) of the column's non-empty values, in key order (the empty
    text is never sealed: ``types.Sealed``)."""
    query = (
        select(sealed.key, raw(sealed.column))
        .where(sealed.column.is_not(None), raw(sealed.column) != "")
        .order_by(sealed.key)
        .limit(size)
    )
    last: Any = None
    while True:
        page = query if last is None else query.where(sealed.key > last)
        rows = [tuple(row) for row in conn.execute(page)]
        if not rows:
            return
        yield rows
        last = rows[-1][0]
