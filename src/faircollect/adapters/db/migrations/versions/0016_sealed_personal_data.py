"""Personal numbers sealed at rest: ID numbers, phone numbers, e-mail, visit addresses.

The columns holding them become ``Sealed`` text (AES-256-GCM under the data key, which is
configuration, never in the database: ``adapters.data_keys``), and the searched ones get
a keyed hash beside them (``borrowers.phone_hash``, ``borrowers.id_number_hash``,
``contacts.phone_hash``; one contact per number and borrower is now unique on the hash).
Sign-in codes keep only the hash of the number asked for (``borrower_codes.phone_hash``).

Rows already there are hashed and sealed here, a batch at a time, under the configured key
(a database with no such rows needs no key to be migrated).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 06:30:00
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

SEALED = {
    "borrowers": ("borrower_id", ("phone", "id_number", "email")),
    "contacts": ("contact_id", ("phone",)),
    "contact_records": ("record_id", ("phone",)),
    "planned_actions": ("action_id", ("target",)),
    "outbox": ("message_id", ("recipient",)),
    "visits": ("visit_id", ("address",)),
}
"""Table: (primary key, the columns sealed from now on)."""

BATCH = 5_000


def upgrade() -> None:
    with op.batch_alter_table("borrowers") as batch:
        batch.alter_column("phone", type_=sa.Text(), existing_nullable=False)
        batch.alter_column("id_number", type_=sa.Text(), existing_nullable=False)
        batch.alter_column("email", type_=sa.Text(), existing_nullable=True)
        batch.add_column(sa.Column("phone_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("id_number_hash", sa.String(64), nullable=True))
    with op.batch_alter_table("contacts") as batch:
        batch.alter_column("phone", type_=sa.Text(), existing_nullable=False)
        batch.add_column(sa.Column("phone_hash", sa.String(64), nullable=True))
    for table, column in (
        ("contact_records", "phone"),
        ("planned_actions", "target"),
        ("outbox", "recipient"),
    ):
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, type_=sa.Text())

    _fill_hashes("borrowers", "borrower_id", {"phone_hash": "phone", "id_number_hash": "id_number"})
    _fill_hashes("contacts", "contact_id", {"phone_hash": "phone"})
    with op.batch_alter_table("borrowers") as batch:
        batch.alter_column("phone_hash", existing_type=sa.String(64), nullable=False)
        batch.alter_column("id_number_hash", existing_type=sa.String(64), nullable=False)
        batch.create_index("ix_borrowers_phone_hash", ["phone_hash"])
        batch.create_index("ix_borrowers_id_number_hash", ["id_number_hash"])
    with op.batch_alter_table("contacts") as batch:
        batch.alter_column("phone_hash", existing_type=sa.String(64), nullable=False)
        batch.drop_constraint("uq_contacts_borrower_phone", type_="unique")
        batch.create_unique_constraint(
            "uq_contacts_borrower_phone_hash", ["borrower_id", "phone_hash"]
        )
        batch.create_index("ix_contacts_phone_hash", ["phone_hash"])

    op.drop_index("ix_borrower_codes_phone_created", table_name="borrower_codes")
    with op.batch_alter_table("borrower_codes") as batch:
        batch.add_column(sa.Column("phone_hash", sa.String(64), nullable=True))
    _fill_hashes("borrower_codes", "code_id", {"phone_hash": "phone"})
    with op.batch_alter_table("borrower_codes") as batch:
        batch.alter_column("phone_hash", existing_type=sa.String(64), nullable=False)
        batch.drop_column("phone")
    op.create_index(
        "ix_borrower_codes_phone_hash_created", "borrower_codes", ["phone_hash", "created_at"]
    )

    for table, (key, columns) in SEALED.items():
        for column in columns:
            _seal(table, key, column)


def _rows(table: str, key: str, columns: list[str]) -> list[list[sa.Row[tuple[object, ...]]]]:
    conn = op.get_bind()
    t = sa.table(table, sa.column(key), *(sa.column(c) for c in columns))
    found = list(conn.execute(sa.select(t.c[key], *(t.c[c] for c in columns)).order_by(t.c[key])))
    return [found[i : i + BATCH] for i in range(0, len(found), BATCH)]


def _update(table: str, key: str, values: list[dict[str, object]]) -> None:
    names = [name for name in values[0] if name != "_key"]
    t = sa.table(table, sa.column(key), *(sa.column(n) for n in names))
    statement = (
        sa.update(t)
        .where(t.c[key] == sa.bindparam("_key"))
        .values({n: sa.bindparam(f"_{n}") for n in names})
    )
    op.get_bind().execute(
        statement, [{"_key": v["_key"], **{f"_{n}": v[n] for n in names}} for v in values]
    )


def _fill_hashes(table: str, key: str, hashes: dict[str, str]) -> None:
    """``hash column <- lookup_hash(source column)`` for every row."""
    sources = list(hashes.values())
    for batch in _rows(table, key, sources):
        hashed = _hasher()
        values: list[dict[str, object]] = []
        for row in batch:
            value: dict[str, object] = {"_key": row[0]}
            for name, source in hashes.items():
                clear = row[1 + sources.index(source)]
                value[name] = None if clear is None else hashed(str(clear))
            values.append(value)
        _update(table, key, values)


def _seal(table: str, key: str, column: str) -> None:
    from faircollect.adapters.data_keys import keyring
    from faircollect.domain.sealed import is_sealed

    for batch in _rows(table, key, [column]):
        ring = keyring()
        values: list[dict[str, object]] = [
            {"_key": row[0], column: ring.seal(str(row[1]))}
            for row in batch
            if row[1] is not None and not is_sealed(str(row[1]))
        ]
        if values:
            _update(table, key, values)


def _hasher() -> Callable[[str], str]:
    from faircollect.adapters.data_keys import keyring

    return keyring().lookup_hash


def downgrade() -> None:
    raise NotImplementedError("sealed values are not unsealed by a downgrade")
