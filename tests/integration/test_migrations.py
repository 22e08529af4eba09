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


def test_a_database_from_schema_0001_keeps_its_data_after_the_upgrade(tmp_path: Path) -> None:
    """A real database file made by the first schema version (checked in) opens, upgrades and keeps its rows."""
    import shutil

    from cxdash.ingest.load import import_file
    from cxdash.store.queries import counts, kpis
    from cxdash.store.themes import list_themes
    from cxdash.store.workspaces import get_workspace, open_store

    old = tmp_path / "old.db"
    shutil.copy(Path(__file__).resolve().parents[1] / "data" / "cxdash_schema_0001.db", old)
    engine = make_engine(str(old))
    assert current_revision(engine) == "0001"
    engine.dispose()
    engine = open_store(str(old))
    assert current_revision(engine) == head_revision()
    ws = get_workspace(engine, "Legacy study")
    assert ws.id == 1
    assert counts(engine, 1)["responses"] == 3 and counts(engine, 1)["comments"] == 2
    assert kpis(engine, 1)["nps"].value == 0.0  # one promoter, one detractor, one passive
    # and the upgraded store takes new imports (themes, added in 0002, are seeded on first use)
    new = tmp_path / "new.csv"
    new.write_text("Response ID,NPS,Why\nR4,9,Great delivery\nR1,6,Changed my mind\n", encoding="utf-8")
    result = import_file(
        engine,
        new,
        "new.csv",
        workspace="Legacy study",
        mapping={"Response ID": "response_id", "NPS": "nps", "Why": "comment"},
    )
    assert (result.status, result.responses, result.responses_updated) == ("imported", 2, 1)
    assert counts(engine, 1)["responses"] == 4
    assert list_themes(engine, 1)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    engine.dispose()
