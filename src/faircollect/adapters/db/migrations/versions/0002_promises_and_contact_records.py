"""Promises to pay and contact records (催记), shared by the nightly run and casework.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 03:11:05.376565
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from faircollect.adapters.db.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_records",
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=True),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("action_id", sa.String(length=64), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("party", sa.String(length=24), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["borrower_id"],
            ["borrowers.borrower_id"],
            name=op.f("fk_contact_records_borrower_id_borrowers"),
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.loan_id"], name=op.f("fk_contact_records_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_contact_records")),
    )
    with op.batch_alter_table("contact_records", schema=None) as batch_op:
        batch_op.create_index("ix_contact_records_borrower_at", ["borrower_id", "at"], unique=False)

    op.create_table(
        "promises",
        sa.Column("promise_id", sa.String(length=64), nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("paid", sa.BigInteger(), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("made_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.loan_id"], name=op.f("fk_promises_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("promise_id", name=op.f("pk_promises")),
    )
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_promises_loan_id"), ["loan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promises_loan_id"))

    op.drop_table("promises")
    with op.batch_alter_table("contact_records", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_records_borrower_at")

    op.drop_table("contact_records")
