"""Retention: the day a borrower's identity was anonymised.

``faircollect retention run`` empties a borrower's name, phone, ID number and e-mail once
their last case has been closed for the retention period; the row stays (the ledger refers
to it) and ``anonymised_on`` records the day, so a second run skips it and pages can say
why the name is gone.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("borrowers") as batch:
        batch.add_column(sa.Column("anonymised_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("borrowers") as batch:
        batch.drop_column("anonymised_on")
