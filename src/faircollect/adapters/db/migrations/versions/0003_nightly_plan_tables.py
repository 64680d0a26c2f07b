"""Nightly plan tables: planned actions with their gate decisions, the outbox, agency placements.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 03:50:52.038930
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from faircollect.adapters.db.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=128), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("queued_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_run_date_status", ["run_date", "status"], unique=False)

    op.create_table(
        "loan_placements",
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("placed_on", sa.Date(), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("recall_on", sa.Date(), nullable=False),
        sa.Column("action_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.loan_id"], name=op.f("fk_loan_placements_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("loan_id", "placed_on", name=op.f("pk_loan_placements")),
    )
    op.create_table(
        "planned_actions",
        sa.Column("action_id", sa.String(length=64), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("segment", sa.String(length=64), nullable=False),
        sa.Column("arm", sa.String(length=16), nullable=False),
        sa.Column("action_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("party", sa.String(length=24), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=128), nullable=True),
        sa.Column("template", sa.String(length=64), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("scheduled_at", UTCDateTime(), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("rendered", sa.Text(), nullable=True),
        sa.Column("assignee", sa.String(length=64), nullable=True),
        sa.Column("assignee_kind", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["borrower_id"],
            ["borrowers.borrower_id"],
            name=op.f("fk_planned_actions_borrower_id_borrowers"),
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.loan_id"], name=op.f("fk_planned_actions_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("action_id", name=op.f("pk_planned_actions")),
    )
    with op.batch_alter_table("planned_actions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_planned_actions_borrower_run_date", ["borrower_id", "run_date"], unique=False
        )
        batch_op.create_index("ix_planned_actions_run_date", ["run_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("planned_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_planned_actions_run_date")
        batch_op.drop_index("ix_planned_actions_borrower_run_date")

    op.drop_table("planned_actions")
    op.drop_table("loan_placements")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_run_date_status")

    op.drop_table("outbox")
