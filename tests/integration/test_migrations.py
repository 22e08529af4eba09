"""The Alembic migrations build exactly the schema the table models describe, and downgrade cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from cxdash.store import models  # noqa: F401  (registers the tables)
from cxdash.store.engine import make_engine, writer
from cxdash.store.schema import alembic_config, current_revision, head_revision, upgrade


def test_head_schema_matches_the_models(tmp_path: Path) -> None:
    engine = make_engine(str(tmp_path / "empty.db"))
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    engine.dispose()
    assert diff == [], f"migrations and models differ: {diff}"


def test_themes_revision_adds_and_removes_its_tables(tmp_path: Path) -> None:
    engine = make_engine(str(tmp_path / "steps.db"))
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"theme", "comment_theme"} <= tables
    index_names = {ix["name"] for ix in inspect(engine).get_indexes("comment_theme")}
    assert "ix_comment_theme_theme_id" in index_names
    cfg = alembic_config()
    with writer(engine).begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    tables = set(inspect(engine).get_table_names())
    assert "theme" not in tables and "comment_theme" not in tables and "comment" in tables
    assert current_revision(engine) == "0001"
    engine.dispose()
