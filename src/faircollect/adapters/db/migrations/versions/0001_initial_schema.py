"""Initial schema: the tables of adapters/db/tables.py as first shipped.

Revision ID: 0001
Revises:
Create Date: 2026-11-29 02:31:26.033798
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from faircollect.adapters.db.types import ExactDecimal, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "borrowers",
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("id_number", sa.String(length=32), nullable=False),
        sa.Column("city", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("borrower_id", name=op.f("pk_borrowers")),
    )
    op.create_table(
        "import_batches",
        sa.Column("batch_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_import_batches")),
    )
    op.create_table(
        "runs",
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("last_batch_id", sa.Integer(), nullable=True),
        sa.Column("loans_computed", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("run_date", name=op.f("pk_runs")),
    )
    op.create_table(
        "contacts",
        sa.Column("contact_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=False),
        sa.Column("is_emergency", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["borrower_id"],
            ["borrowers.borrower_id"],
            name=op.f("fk_contacts_borrower_id_borrowers"),
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("borrower_id", "phone", name="uq_contacts_borrower_phone"),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contacts_borrower_id"), ["borrower_id"], unique=False)

    op.create_table(
        "loans",
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("product", sa.String(length=64), nullable=False),
        sa.Column("contract_principal", sa.BigInteger(), nullable=False),
        sa.Column("received_amount", sa.BigInteger(), nullable=False),
        sa.Column("annual_rate", ExactDecimal(), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("disbursed_on", sa.Date(), nullable=False),
        sa.Column("penalty_rate_daily", ExactDecimal(), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("periodic_fee", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["borrower_id"], ["borrowers.borrower_id"], name=op.f("fk_loans_borrower_id_borrowers")
        ),
        sa.PrimaryKeyConstraint("loan_id", name=op.f("pk_loans")),
    )
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loans_borrower_id"), ["borrower_id"], unique=False)

    op.create_table(
        "account_states",
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("dpd", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=8), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("overdue_principal", sa.BigInteger(), nullable=False),
        sa.Column("overdue_interest", sa.BigInteger(), nullable=False),
        sa.Column("overdue_fee", sa.BigInteger(), nullable=False),
        sa.Column("penalty", sa.BigInteger(), nullable=False),
        sa.Column("outstanding_principal", sa.BigInteger(), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.Column("paid_total", sa.BigInteger(), nullable=False),
        sa.Column("next_due_on", sa.Date(), nullable=True),
        sa.Column("next_event_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.loan_id"], name=op.f("fk_account_states_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("loan_id", name=op.f("pk_account_states")),
    )
    with op.batch_alter_table("account_states", schema=None) as batch_op:
        batch_op.create_index("ix_account_states_next_event_on", ["next_event_on"], unique=False)

    op.create_table(
        "payments",
        sa.Column("payment_id", sa.String(length=64), nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.batch_id"],
            name=op.f("fk_payments_batch_id_import_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.loan_id"], name=op.f("fk_payments_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_payments")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_batch", ["batch_id"], unique=False)
        batch_op.create_index("ix_payments_loan_paid_on", ["loan_id", "paid_on"], unique=False)

    op.create_table(
        "stage_history",
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("previous_stage", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.loan_id"], name=op.f("fk_stage_history_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("loan_id", "entered_on", name=op.f("pk_stage_history")),
    )


def downgrade() -> None:
    op.drop_table("stage_history")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_loan_paid_on")
        batch_op.drop_index("ix_payments_batch")

    op.drop_table("payments")
    with op.batch_alter_table("account_states", schema=None) as batch_op:
        batch_op.drop_index("ix_account_states_next_event_on")

    op.drop_table("account_states")
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loans_borrower_id"))

    op.drop_table("loans")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_borrower_id"))

    op.drop_table("contacts")
    op.drop_table("runs")
    op.drop_table("import_batches")
    op.drop_table("borrowers")
