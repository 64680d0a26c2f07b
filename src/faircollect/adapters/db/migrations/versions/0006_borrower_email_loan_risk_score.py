"""A borrower's e-mail address and a loan's risk score, both optional.

The import formats gained them as optional columns so that the strategy's risk-score
segments and e-mail actions have data to work on. Both are nullable: rows imported before
this revision (and files without the columns) simply have none.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("borrowers", sa.Column("email", sa.String(length=254), nullable=True))
    op.add_column("loans", sa.Column("risk_score", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("loans") as batch_op:
        batch_op.drop_column("risk_score")
    with op.batch_alter_table("borrowers") as batch_op:
        batch_op.drop_column("email")
