"""forgotten customers: the suppression list that keeps a forgotten customer out of later imports

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forgotten_customer",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("forgotten_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workspace_id", "ref"),
    )


def downgrade() -> None:
    op.drop_table("forgotten_customer")
