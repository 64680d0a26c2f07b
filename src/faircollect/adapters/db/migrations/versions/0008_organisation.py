"""One organisation model: teams, and users with their team, 分案 facts and password.

Until now the night's 分案 read teams and capacities from a YAML file while casework read
users from the database, so people could be handed work who could not sign in. Now both
read the ``users`` and ``teams`` rows: a collector's team, daily capacity, skills and
whether on duty live beside the role, and an agency's daily capacity beside its terms.
``password_hash`` (argon2) lets people sign in to the workbench.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_teams")),
    )
    op.add_column("users", sa.Column("team_id", sa.String(length=64), nullable=True))
    op.add_column(
        "users", sa.Column("capacity", sa.Integer(), nullable=False, server_default=sa.text("0"))
    )
    op.add_column(
        "users", sa.Column("skills", sa.String(length=128), nullable=False, server_default="")
    )
    op.add_column(
        "users", sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    op.add_column("users", sa.Column("password_hash", sa.Text(), nullable=True))
    op.add_column(
        "agencies",
        sa.Column("capacity", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )


def downgrade() -> None:
    with op.batch_alter_table("agencies") as batch_op:
        batch_op.drop_column("capacity")
    with op.batch_alter_table("users") as batch_op:
        for column in ("password_hash", "active", "skills", "capacity", "team_id"):
            batch_op.drop_column(column)
    op.drop_table("teams")
