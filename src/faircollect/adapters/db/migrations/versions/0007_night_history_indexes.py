"""Indexes for the night's reads over a growing history (planned actions, contact records).

A first night reads almost empty history tables; after a month at a million loans
``planned_actions`` holds ~4M wide rows and ``contact_records`` over a million. The night's
history queries then walked whole tables row by row (bench/nightly.py --history-nights 30):

- visit notices sent (CN-VISIT-1, ``services.visit_notices``): every row before tonight
  through the run_date index; now a partial index of the sent notices only (~1,600 of a
  night's 132,000 actions), grouped in index order, never reading the table. Partial so
  that the night's 132,000 inserts and 84,000 status updates to ``sent`` leave it alone
  (a full index holding ``status`` doubled the send step); the query writes the key and
  status as literals so the planner can match the index's condition.
- previous owners (sticky 分案, ``nightly_load.previous_owners``): every row's assignee from
  the table; now a partial index of the assigned rows only, covering the query.
- consecutive failed attempts (``nightly_load._attempts``): every contact record from the
  table; the (borrower_id, at) index now also carries record_id, party and outcome, so the
  scan never leaves the index (same prefix: every query using it before still does).
- the gate's recent contacts (``nightly_load.load_history``): the whole table for two days;
  now a range on ``at``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _partial(name: str, columns: list[str], where: str) -> None:
    condition = sa.text(where)
    op.create_index(
        name, "planned_actions", columns, sqlite_where=condition, postgresql_where=condition
    )


def upgrade() -> None:
    _partial(
        "ix_planned_actions_notice_sent",
        ["loan_id", "run_date", "action_key", "status"],
        "action_key = 'visit_notice' AND status = 'sent'",
    )
    _partial(
        "ix_planned_actions_owner",
        ["borrower_id", "run_date", "action_id", "assignee"],
        "assignee IS NOT NULL",
    )
    op.drop_index("ix_contact_records_borrower_at", table_name="contact_records")
    op.create_index(
        "ix_contact_records_borrower_at",
        "contact_records",
        ["borrower_id", "at", "record_id", "party", "outcome"],
    )
    op.create_index("ix_contact_records_at", "contact_records", ["at"])


def downgrade() -> None:
    op.drop_index("ix_contact_records_at", table_name="contact_records")
    op.drop_index("ix_contact_records_borrower_at", table_name="contact_records")
    op.create_index("ix_contact_records_borrower_at", "contact_records", ["borrower_id", "at"])
    op.drop_index("ix_planned_actions_owner", table_name="planned_actions")
    op.drop_index("ix_planned_actions_notice_sent", table_name="planned_actions")
