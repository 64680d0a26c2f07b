"""Indexes for the night's reads over a growing history (planned actions, contact records).

A first night reads almost empty history tables; after a month at a million loans
``planned_actions`` holds ~4M wide rows and ``contact_records`` over a million. The night's
history queries then walked whole tables row by row (bench/nightly.py --history-nights 30):

- visit notices sent (CN-VISIT-1, ``services.visit_notices``): every row before tonight
  through the run_date index; now a range on (action_key, loan_id, run_date), grouped in
  index order, the table read only for the notices' status. ``status`` is left out of the
  index on purpose: phase two marks every sent message's action ``sent``, and an index
  holding status doubled the send step (each update moved an index entry).
- previous owners (sticky 分案, ``nightly_load.previous_owners``): every row's assignee from
  the table; now a partial index of the assigned rows only, covering the query.
- consecutive failed attempts (``nightly_load._attempts``): every contact record from the
  table; the (borrower_id, at) index now also carries record_id, party and outcome, so the
  scan never leaves the index (same prefix: every query using it before still does).
- the gate's recent contacts (``nightly_load.load_history``): the whole table for two days;
  now a range on ``at``.

Revision ID: 0007
Revises: 0006 (committed as 0005 until the scores branch's 0006 is merged: set
down_revision to "0006" then)
Create Date: 2026-11-29 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None

_ASSIGNED = sa.text("assignee IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_planned_actions_key_loan",
        "planned_actions",
        ["action_key", "loan_id", "run_date"],
    )
    op.create_index(
        "ix_planned_actions_owner",
        "planned_actions",
        ["borrower_id", "run_date", "action_id", "assignee"],
        sqlite_where=_ASSIGNED,
        postgresql_where=_ASSIGNED,
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
    op.drop_index("ix_planned_actions_key_loan", table_name="planned_actions")
