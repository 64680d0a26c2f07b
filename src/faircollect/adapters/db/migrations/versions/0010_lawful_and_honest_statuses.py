"""Compliance holes closed: honest outbox statuses, sane promises, illegal debts marked.

- ``outbox``: a message is ``queued`` until a channel accepted it (``sent``) or reported it
  delivered (``delivered_at``); a refusal is ``failed`` with the ``error`` after
  ``attempts`` tries. Until now every queued row was marked sent.
- ``promises.kind``: 一次性 (``once``) or 分期 (``instalments``).
- ``loans.illegal_debt``: an import may mark a loan illegal (CRIM-1); such a debt is never
  collected by coercive means.
- ``case_loans(loan_id)``: which case a loan is in, without scanning the ~150k cases the
  night opens at a million loans.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from faircollect.adapters.db.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "outbox", sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0"))
    )
    op.add_column("outbox", sa.Column("error", sa.Text(), nullable=True))
    op.add_column("outbox", sa.Column("delivered_at", UTCDateTime(), nullable=True))
    op.add_column("promises", sa.Column("kind", sa.String(length=16), nullable=True))
    op.add_column("loans", sa.Column("illegal_debt", sa.Boolean(), nullable=True))
    op.create_index("ix_case_loans_loan_id", "case_loans", ["loan_id"])


def downgrade() -> None:
    op.drop_index("ix_case_loans_loan_id", table_name="case_loans")
    with op.batch_alter_table("loans") as batch_op:
        batch_op.drop_column("illegal_debt")
    with op.batch_alter_table("promises") as batch_op:
        batch_op.drop_column("kind")
    with op.batch_alter_table("outbox") as batch_op:
        for column in ("delivered_at", "error", "attempts"):
            batch_op.drop_column(column)
