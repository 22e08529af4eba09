"""bulk tables: ratings, attributes and theme tags WITHOUT ROWID on SQLite; no rating index on the touchpoint alone

An import writes about ten of these rows per response. As rowid tables each row went into two B-trees (the table
and its primary-key index) and each rating into a third (the touchpoint index, which no query needs: ratings are
always reached through their responses). Rebuilt here as WITHOUT ROWID tables, each row goes into one B-tree,
ordered by the primary key, so a response's ratings are also read together.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ("rating", "attribute", "comment_theme")


def _rebuild(table: str, with_rowid: bool, drop_index: str | None = None) -> None:
    """SQLite: copy ``table`` into a new one with or without rowid (Alembic's batch mode keeps the other indexes)."""
    kwargs = {} if with_rowid else {"sqlite_with_rowid": False}
    with op.batch_alter_table(table, recreate="always", table_kwargs=kwargs) as batch:
        if drop_index:
            batch.drop_index(drop_index)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            _rebuild(table, with_rowid=False, drop_index="ix_rating_touchpoint_id" if table == "rating" else None)
    else:
        op.drop_index("ix_rating_touchpoint_id", table_name="rating")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            _rebuild(table, with_rowid=True)
    op.create_index("ix_rating_touchpoint_id", "rating", ["touchpoint_id"], unique=False)
