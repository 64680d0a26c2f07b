"""Per-night account states for the managers' reports (issue 14).

``account_states`` holds only the latest state of each loan, so buckets as of an earlier
date and roll rates between two dates had nothing to read. The night now copies the
figures the reports need into ``account_state_history`` after storing the day's states
(one row per loan and night; ``services.nightly_ledger``). The latest completed night, if
any, is copied here so a database upgraded from 0011 can report on it at once.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-03 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_state_history",
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("loan_id", sa.String(64), nullable=False),
        sa.Column("dpd", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(8), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("overdue_principal", sa.BigInteger(), nullable=False),
        sa.Column("overdue_total", sa.BigInteger(), nullable=False),
        sa.Column("outstanding_principal", sa.BigInteger(), nullable=False),
        sa.Column("paid_total", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("night", "loan_id", name="pk_account_state_history"),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO account_state_history (night, loan_id, dpd, bucket, stage, "
        "overdue_principal, overdue_total, outstanding_principal, paid_total) "
        "SELECT r.run_date, s.loan_id, s.dpd, s.bucket, s.stage, s.overdue_principal, "
        "s.overdue_principal + s.overdue_interest + s.overdue_fee + s.penalty, "
        "s.outstanding_principal, s.paid_total FROM account_states s "
        "CROSS JOIN (SELECT MAX(run_date) AS run_date FROM runs) r "
        "WHERE r.run_date IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("account_state_history")
