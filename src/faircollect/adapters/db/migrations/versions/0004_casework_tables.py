"""Casework tables: users, agencies, cases and their history, proposals, placements, visits, QA.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 03:54:39.106604
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from faircollect.adapters.db.types import ExactDecimal, UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("rate", ExactDecimal(), nullable=False),
        sa.Column("plan_rate", ExactDecimal(), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_agencies")),
    )
    op.create_table(
        "qa_findings",
        sa.Column("finding_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("finding_id", name=op.f("pk_qa_findings")),
    )
    with op.batch_alter_table("qa_findings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qa_findings_source"), ["source"], unique=False)

    op.create_table(
        "users",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_users")),
    )
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("owner_kind", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["borrower_id"], ["borrowers.borrower_id"], name=op.f("fk_cases_borrower_id_borrowers")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_borrower_id"), ["borrower_id"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("event_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("from_value", sa.String(length=64), nullable=True),
        sa.Column("to_value", sa.String(length=64), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_case_events_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_loans",
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_case_loans_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.loan_id"], name=op.f("fk_case_loans_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("case_id", "loan_id", name=op.f("pk_case_loans")),
    )
    op.create_table(
        "follow_ups",
        sa.Column("follow_up_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_follow_ups_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("follow_up_id", name=op.f("pk_follow_ups")),
    )
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_ups_case_id"), ["case_id"], unique=False)

    op.create_table(
        "placements",
        sa.Column("placement_id", sa.String(length=64), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("placed_on", sa.Date(), nullable=False),
        sa.Column("recall_on", sa.Date(), nullable=True),
        sa.Column("recalled_on", sa.Date(), nullable=True),
        sa.Column("placed_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.agency_id"], name=op.f("fk_placements_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_placements_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("placement_id", name=op.f("pk_placements")),
    )
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_placements_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_placements_case_id"), ["case_id"], unique=False)

    op.create_table(
        "proposals",
        sa.Column("proposal_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("months", sa.Integer(), nullable=True),
        sa.Column("annual_rate", ExactDecimal(), nullable=True),
        sa.Column("first_due", sa.Date(), nullable=True),
        sa.Column("method", sa.String(length=32), nullable=True),
        sa.Column("component", sa.String(length=16), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("submitted_by", sa.String(length=64), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_proposals_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.loan_id"], name=op.f("fk_proposals_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("proposal_id", name=op.f("pk_proposals")),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposals_case_id"), ["case_id"], unique=False)

    op.create_table(
        "visits",
        sa.Column("visit_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("visit_type", sa.String(length=16), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("staff", sa.Text(), nullable=False),
        sa.Column("notice_letter_sent_on", sa.Date(), nullable=False),
        sa.Column("planned_by", sa.String(length=64), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("recording_ref", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_visits_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("visit_id", name=op.f("pk_visits")),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visits_case_id"), ["case_id"], unique=False)

    op.create_table(
        "loan_adjustments",
        sa.Column("proposal_id", sa.String(length=64), nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("component", sa.String(length=16), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("carried_interest", sa.BigInteger(), nullable=False),
        sa.Column("carried_fee", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.loan_id"], name=op.f("fk_loan_adjustments_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.proposal_id"],
            name=op.f("fk_loan_adjustments_proposal_id_proposals"),
        ),
        sa.PrimaryKeyConstraint("proposal_id", name=op.f("pk_loan_adjustments")),
    )
    with op.batch_alter_table("loan_adjustments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loan_adjustments_loan_id"), ["loan_id"], unique=False)

    op.create_table(
        "restructured_installments",
        sa.Column("proposal_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("principal", sa.BigInteger(), nullable=False),
        sa.Column("interest", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["loan_adjustments.proposal_id"],
            name=op.f("fk_restructured_installments_proposal_id_loan_adjustments"),
        ),
        sa.PrimaryKeyConstraint("proposal_id", "number", name=op.f("pk_restructured_installments")),
    )


def downgrade() -> None:
    op.drop_table("restructured_installments")
    with op.batch_alter_table("loan_adjustments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loan_adjustments_loan_id"))

    op.drop_table("loan_adjustments")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visits_case_id"))

    op.drop_table("visits")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_case_id"))

    op.drop_table("proposals")
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placements_case_id"))
        batch_op.drop_index(batch_op.f("ix_placements_agency_id"))

    op.drop_table("placements")
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_ups_case_id"))

    op.drop_table("follow_ups")
    op.drop_table("case_loans")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_case_id"))

    op.drop_table("case_events")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_borrower_id"))

    op.drop_table("cases")
    op.drop_table("users")
    with op.batch_alter_table("qa_findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_findings_source"))

    op.drop_table("qa_findings")
    op.drop_table("agencies")
