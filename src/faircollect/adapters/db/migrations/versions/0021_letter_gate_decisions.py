"""A letter keeps the gate's decision on sending it.

Letters issued from the case page or ``letter render`` wait in the outbox like the night's
messages, and the compliance report proves every queued message was allowed by the gate.
The night's messages carry their decision in ``planned_actions``; a letter carries it here.
Letters issued before the gate was asked keep NULL, and the report lists them as
unauthorised, which they were.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 20:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("letters") as batch:
        batch.add_column(sa.Column("gate_decision", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("letters") as batch:
        batch.drop_column("gate_decision")
