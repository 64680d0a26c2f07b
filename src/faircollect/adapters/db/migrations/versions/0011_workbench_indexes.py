"""Indexes for the workbench's reads on a full book (bench/web.py at 100,000 accounts).

The morning after a night a lender has a case per delinquent borrower (23,500 at 100k
accounts), nearly all of them someone else's. Without this, every queue, case list and
case page of one collector read the whole ``cases`` table to filter it by owner:

- ``ix_cases_owner``: one user's cases by (owner_kind, owner_id).

(A loan's case by loan id, which the queue needs too, is 0010's ``ix_case_loans_loan_id``.)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 21:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_owner", "cases", ["owner_kind", "owner_id"])


def downgrade() -> None:
    op.drop_index("ix_cases_owner", table_name="cases")
