"""The borrower portal (issue 13): sign-in codes, borrower sessions, complaints, contact
preferences.

A sign-in code is stored only as its argon2 hash, with its expiry, its wrong tries and
when it was used; every request for a code is a row (known number or not), so the rate
limits per phone are counted from this table. A borrower's session is separate from the
workbench's. A complaint pauses collection contact to its borrower (COMP-1) until the
compliance officer closes it; the queue reads open complaints by their deadline. A
borrower's contact preferences (times within the lawful hours, channels turned off) are
one row per borrower; the gate honours them (DNC-1). A payment the borrower starts is a
``payment_intents`` row until the gateway's signed webhook confirms it; the confirmed
payment enters the ledger as its own import batch, once per gateway payment id.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from faircollect.adapters.db.types import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "borrower_codes",
        sa.Column("code_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("code_hash", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("wrong_tries", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("voided", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("code_id", name=op.f("pk_borrower_codes")),
    )
    op.create_index("ix_borrower_codes_phone_created", "borrower_codes", ["phone", "created_at"])
    op.create_table(
        "borrower_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["borrower_id"],
            ["borrowers.borrower_id"],
            name=op.f("fk_borrower_sessions_borrower_id_borrowers"),
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_borrower_sessions")),
    )
    op.create_index(op.f("ix_borrower_sessions_borrower_id"), "borrower_sessions", ["borrower_id"])
    op.create_table(
        "complaints",
        sa.Column("complaint_id", sa.String(length=64), nullable=False),
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=True),
        sa.Column("contact_id", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("answer_by", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["borrower_id"],
            ["borrowers.borrower_id"],
            name=op.f("fk_complaints_borrower_id_borrowers"),
        ),
        sa.PrimaryKeyConstraint("complaint_id", name=op.f("pk_complaints")),
    )
    op.create_index(op.f("ix_complaints_borrower_id"), "complaints", ["borrower_id"])
    op.create_index("ix_complaints_status_answer_by", "complaints", ["status", "answer_by"])
    op.create_table(
        "borrower_preferences",
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("contact_slots", sa.Text(), nullable=False),
        sa.Column("channels_off", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["borrower_id"],
            ["borrowers.borrower_id"],
            name=op.f("fk_borrower_preferences_borrower_id_borrowers"),
        ),
        sa.PrimaryKeyConstraint("borrower_id", name=op.f("pk_borrower_preferences")),
    )

    op.create_table(
        "payment_intents",
        sa.Column("intent_id", sa.String(length=64), nullable=False),
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("gateway", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("gateway_payment_id", sa.String(length=64), nullable=True),
        sa.Column("payment_id", sa.String(length=64), nullable=True),
        sa.Column("confirmed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["borrower_id"],
            ["borrowers.borrower_id"],
            name=op.f("fk_payment_intents_borrower_id_borrowers"),
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.loan_id"], name=op.f("fk_payment_intents_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("intent_id", name=op.f("pk_payment_intents")),
        sa.UniqueConstraint(
            "gateway_payment_id", name=op.f("uq_payment_intents_gateway_payment_id")
        ),
    )
    op.create_index(op.f("ix_payment_intents_borrower_id"), "payment_intents", ["borrower_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_payment_intents_borrower_id"), table_name="payment_intents")
    op.drop_table("payment_intents")
    op.drop_table("borrower_preferences")
    op.drop_index("ix_complaints_status_answer_by", table_name="complaints")
    op.drop_index(op.f("ix_complaints_borrower_id"), table_name="complaints")
    op.drop_table("complaints")
    op.drop_index(op.f("ix_borrower_sessions_borrower_id"), table_name="borrower_sessions")
    op.drop_table("borrower_sessions")
    op.drop_index("ix_borrower_codes_phone_created", table_name="borrower_codes")
    op.drop_table("borrower_codes")
