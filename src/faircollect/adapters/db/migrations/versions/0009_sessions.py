"""Workbench sign-in (sessions, failed sign-ins), first calls on the web, the morning queue.

A session row holds the SHA-256 of the cookie's random token (a stolen database does not
sign anyone in), the CSRF token and the expiry. Failed sign-ins are kept per user id so
that a sixth wrong password within 15 minutes is refused before it is checked. The queue
reads the actions the night assigned to one collector on one day: an index on both. A
guided first call driven from the web keeps its answers in ``call_sessions`` between steps.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from faircollect.adapters.db.types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_sessions")),
    )
    op.create_index(op.f("ix_sessions_user_id"), "sessions", ["user_id"])
    op.create_table(
        "call_sessions",
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_call_sessions")),
    )
    op.create_table(
        "login_failures",
        sa.Column("failure_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("failure_id", name=op.f("pk_login_failures")),
    )
    op.create_index("ix_login_failures_user_at", "login_failures", ["user_id", "at"])
    op.create_index("ix_planned_actions_assignee_day", "planned_actions", ["assignee", "run_date"])


def downgrade() -> None:
    op.drop_index("ix_planned_actions_assignee_day", table_name="planned_actions")
    op.drop_index("ix_login_failures_user_at", table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_table("call_sessions")
    op.drop_index(op.f("ix_sessions_user_id"), table_name="sessions")
    op.drop_table("sessions")
