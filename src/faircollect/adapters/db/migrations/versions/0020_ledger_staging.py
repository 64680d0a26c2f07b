"""A full ledger run's partitions staged and committed one at a time (issue 16).

``ledger_staged_states`` and ``ledger_staged_accruals`` have the columns of
``account_states`` and ``penalty_accruals`` without their keys; ``ledger_staged_parts``
marks each partition written, under the key of the run that computed it. A run killed
mid-way keeps its finished partitions and the rerun computes only the others. On
PostgreSQL the three tables are unlogged: nothing in them must outlive a server crash.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

STAGED = ("ledger_staged_states", "ledger_staged_accruals", "ledger_staged_parts")


def upgrade() -> None:
    day, money, code = sa.Date(), sa.BigInteger(), sa.String(length=16)
    op.create_table(
        "ledger_staged_states",
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("as_of", day, nullable=False),
        sa.Column("dpd", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=8), nullable=False),
        sa.Column("stage", code, nullable=False),
        *(
            sa.Column(name, money, nullable=False)
            for name in (
                "overdue_principal",
                "overdue_interest",
                "overdue_fee",
                "penalty",
                "outstanding_principal",
                "credit",
                "paid_total",
            )
        ),
        sa.Column("next_due_on", day, nullable=True),
        sa.Column("next_event_on", day, nullable=True),
        sa.Column("roll_until", day, nullable=True),
    )
    op.create_table(
        "ledger_staged_accruals",
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("installment", sa.Integer(), nullable=False),
        sa.Column("grace_end", day, nullable=False),
        sa.Column("accrued", money, nullable=False),
        sa.Column("daily", money, nullable=False),
        sa.Column("accrued_day", sa.Integer(), nullable=False),
    )
    op.create_table(
        "ledger_staged_parts",
        sa.Column("run_key", sa.String(length=64), nullable=False),
        sa.Column("part_no", sa.Integer(), nullable=False),
        sa.Column("loans", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("run_key", "part_no", name=op.f("pk_ledger_staged_parts")),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in STAGED:
            op.execute(f"ALTER TABLE {table} SET UNLOGGED")


def downgrade() -> None:
    for table in reversed(STAGED):
        op.drop_table(table)
