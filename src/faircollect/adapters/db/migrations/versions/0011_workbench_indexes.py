"""Indexes for the workbench's reads on a full book (bench/web.py at 100,000 accounts).

The morning after a night a lender has a case per delinquent borrower (23,500 at 100k
accounts), nearly all of them someone else's. Without these, every queue, case list and
case page of one collector read the whole ``cases`` table (filtered by owner) and looked
loans up in ``case_loans`` by a scan (its primary key leads with the case id):

- ``ix_cases_owner``: one user's cases by (owner_kind, owner_id);
- ``ix_case_loans_loan_id``: a loan's case, covering (loan_id, case_id).

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
    op.create_index("ix_case_loans_loan_id", "case_loans", ["loan_id", "case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_loans_loan_id", table_name="case_loans")
    op.drop_index("ix_cases_owner", table_name="cases")
