"""Penalty accruals per installment, how far account states may be carried forward, and
the payments index by loan and date covering the amount.

Lets the nightly run carry a loan whose only change is one more day overdue forward in
SQL. Existing states get ``roll_until`` NULL: they are recomputed by the engine on their
next event, which writes their accruals.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_payments_loan_paid_on", table_name="payments")
    op.create_index("ix_payments_loan_paid_on", "payments", ["loan_id", "paid_on", "amount"])
    op.add_column(
        "account_states",
        sa.Column("roll_until", sa.Date(), nullable=True),
    )
    op.create_table(
        "penalty_accruals",
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("installment", sa.Integer(), nullable=False),
        sa.Column("grace_end", sa.Date(), nullable=False),
        sa.Column("accrued", sa.BigInteger(), nullable=False),
        sa.Column("daily", sa.BigInteger(), nullable=False),
        sa.Column("accrued_day", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.loan_id"], name=op.f("fk_penalty_accruals_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("loan_id", "installment", name=op.f("pk_penalty_accruals")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_index("ix_payments_loan_paid_on", table_name="payments")
    op.create_index("ix_payments_loan_paid_on", "payments", ["loan_id", "paid_on"])
    op.drop_table("penalty_accruals")
    with op.batch_alter_table("account_states") as batch_op:
        batch_op.drop_column("roll_until")
