"""Letters issued from the case page or the CLI, stored with their SHA-256, and the
night's cache of reports (issue 14).

``letters`` keeps each issued letter's PDF bytes and hash, who laid it out and when; the
letter waits in ``outbox`` under the same id until a dispatch channel reports it.
``report_cache`` holds the reports as of a night (buckets, vintage) that the night
computed, as JSON, for the workbench's report pages.

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-03 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from faircollect.adapters.db.types import UTCDateTime

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "letters",
        sa.Column("letter_id", sa.String(length=64), nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("reference", sa.String(length=96), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("rendered_at", UTCDateTime(), nullable=False),
        sa.Column("rendered_by", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.loan_id"], name=op.f("fk_letters_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("letter_id", name=op.f("pk_letters")),
    )
    op.create_index("ix_letters_loan_id", "letters", ["loan_id", "rendered_at"])
    op.create_table(
        "report_cache",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", "night", name=op.f("pk_report_cache")),
    )


def downgrade() -> None:
    op.drop_table("report_cache")
    op.drop_index("ix_letters_loan_id", table_name="letters")
    op.drop_table("letters")
