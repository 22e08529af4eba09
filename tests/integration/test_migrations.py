"""The Alembic migrations build exactly the schema the table models describe, and downgrade cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from cxdash.store import models  # noqa: F401  (registers the tables)
from cxdash.store.engine import make_engine, writer
from cxdash.store.schema import alembic_config, current_revision, head_revision, upgrade
from tests.stores import StoreFactory


def test_head_schema_matches_the_models(store_factory: StoreFactory) -> None:
    engine = make_engine(store_factory.blank())
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    engine.dispose()
    assert diff == [], f"migrations and models differ: {diff}"


def test_themes_revision_adds_and_removes_its_tables(store_factory: StoreFactory) -> None:
    engine = make_engine(store_factory.blank())
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


@pytest.mark.sqlite_only
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


def _rows_by_column(path: Path, columns: dict[str, list[str]]) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the given tables, only the given columns, in a stable order (raw SQLite, no cxdash code)."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        out = {}
        for table, cols in columns.items():
            listed = ", ".join(f'"{c}"' for c in cols)
            out[table] = conn.execute(f'SELECT {listed} FROM "{table}" ORDER BY {listed}').fetchall()
        return out
    finally:
        conn.close()


@pytest.mark.sqlite_only
def test_a_database_from_schema_0002_keeps_its_data_after_the_upgrade(tmp_path: Path) -> None:
    """The previous release's store (checked in, made by tests/data/make_schema_0002_db.py with that release's code)
    opens after the upgrade to 0003 with every row as it was, shows the same numbers, and the new tables work."""
    import shutil
    import sqlite3
    from datetime import datetime

    from sqlmodel import Session, select

    from cxdash.ingest.load import import_file
    from cxdash.store import journeys
    from cxdash.store.models import (
        ActionTouchpoint,
        AuditLog,
        Customer,
        FollowupCase,
        ImprovementAction,
        Response,
        Setting,
        Touchpoint,
    )
    from cxdash.store.personas import list_personas
    from cxdash.store.queries import counts, kpis
    from cxdash.store.workspaces import delete_workspace, get_workspace, open_store

    old = tmp_path / "old.db"
    shutil.copy(Path(__file__).resolve().parents[1] / "data" / "cxdash_schema_0002.db", old)
    raw = sqlite3.connect(old)
    tables = [
        name
        for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        if name != "alembic_version"
    ]
    columns = {t: [row[1] for row in raw.execute(f'PRAGMA table_info("{t}")')] for t in tables}
    raw.close()
    assert {"theme", "comment_theme", "response", "journey_step"} <= set(tables) and "followup_case" not in tables
    before = _rows_by_column(old, columns)
    engine = make_engine(str(old))
    assert current_revision(engine) == "0002"
    engine.dispose()

    engine = open_store(str(old))
    assert current_revision(engine) == head_revision()
    # Every row of every table of the old schema, column by column, is what it was.
    assert _rows_by_column(old, columns) == before
    # And the app shows the same things.
    en = get_workspace(engine, "Legacy shop (EN)").id
    ja = get_workspace(engine, "旧店舗アンケート (JA)").id
    assert en is not None and ja is not None
    assert counts(engine, en) == {
        "responses": 180, "comments": 132, "touchpoints": 4, "personas": 1, "journeys": 1, "batches": 2,
    }  # fmt: skip
    assert counts(engine, ja)["responses"] == 60 and counts(engine, ja)["comments"] == 49
    nps = kpis(engine, en)["nps"]
    assert nps.n == 180 and nps.value == pytest.approx((30 - 127) / 180 * 100)  # 30 promoters, 127 detractors
    assert kpis(engine, ja)["nps"].value == pytest.approx(-50.0)
    persona = list_personas(engine, en)[0]
    assert (persona.name, persona.avatar) == ("Busy parent", "👩‍👧")
    (journey,) = journeys.list_journeys(engine, en)
    content = journeys.journey_content(engine, int(journey.id or 0))
    assert content["stages"][0]["name"] == "Discover & compare"
    assert "Reads reviews" in [s["touchpoint_label"] for s in content["stages"][0]["steps"]]
    with engine.connect() as conn:
        ja_comment = conn.exec_driver_sql(
            "SELECT c.label, c.method FROM comment c JOIN response r ON r.id = c.response_id "
            "WHERE r.workspace_id = ? AND c.text = ?",
            (ja, "髙島屋の方が品揃えが良いと思います。"),
        ).first()
        rain_tags = conn.exec_driver_sql(
            "SELECT COUNT(*) FROM comment_theme ct JOIN theme t ON t.id = ct.theme_id WHERE t.name = 'Rain damage'"
        ).scalar_one()
    assert ja_comment is not None and ja_comment[0] == "positive" and ja_comment[1].startswith("ja-")
    assert rain_tags == 22

    # The tables and columns 0003 added work on the old data.
    with Session(writer(engine)) as s:
        customer = s.exec(select(Customer).where(Customer.workspace_id == en, Customer.external_id == "CU-006")).one()
        assert (customer.name, customer.email) == (None, None)
        customer.name, customer.email = "山田 花子", "hanako@example.com"
        s.add(customer)
        response = s.exec(select(Response).where(Response.external_id == "EN-0001")).one()
        delivery = s.exec(
            select(Touchpoint.id).where(Touchpoint.workspace_id == en, Touchpoint.name == "Delivery")
        ).one()
        s.add(Setting(workspace_id=en, key="followup_rules", value_json='{"nps_max": 6}'))
        s.add(FollowupCase(workspace_id=en, response_id=int(response.id or 0), reason="detractor", owner="Aiko"))
        action = ImprovementAction(workspace_id=en, title="Rain covers for parcels", start_date=datetime(2026, 1, 5))
        s.add(action)
        s.flush()
        s.add(ActionTouchpoint(action_id=int(action.id or 0), touchpoint_id=int(delivery or 0)))
        s.add(AuditLog(actor="migration test", workspace_name="Legacy shop (EN)", event="personal_data_kept"))
        s.commit()
    with Session(engine) as s:
        assert s.exec(select(Customer.name).where(Customer.external_id == "CU-006")).one() == "山田 花子"
        case = s.exec(select(FollowupCase)).one()
        assert (case.status, case.owner) == ("new", "Aiko")
        assert s.exec(select(ActionTouchpoint)).one().touchpoint_id == delivery

    # A new import into the upgraded store: a Japanese file updating two members' answers and adding one.
    new = tmp_path / "追加分.csv"
    new.write_bytes(
        "タイムスタンプ,会員番号,推奨度,ご意見\r\n2026/01/10 10:00:00,M0001,10,とても満足です\r\n"
        "2026/01/11 11:00:00,M0002,2,配送が遅い\r\n2026/01/12 12:00:00,M9999,8,\r\n".encode("cp932")
    )
    mapping = {"タイムスタンプ": "date", "会員番号": "customer_id", "推奨度": "nps", "ご意見": "comment"}
    result = import_file(engine, new, new.name, workspace="旧店舗アンケート (JA)", mapping=mapping)
    assert (result.status, result.responses, result.comments) == ("imported", 3, 2)
    assert counts(engine, ja)["responses"] == 63 and counts(engine, ja)["batches"] == 2
    with engine.connect() as conn:  # M0001 and M0002 are the customers the old batch knew; M9999 is new
        members = conn.exec_driver_sql("SELECT COUNT(*) FROM customer WHERE workspace_id = ?", (ja,)).scalar_one()
    assert members == 61

    # Deleting the old workspace takes its new rows with it, except the audit log (kept on purpose).
    delete_workspace(engine, en)
    with engine.connect() as conn:
        left = {
            t: conn.exec_driver_sql(f"SELECT COUNT(*) FROM {t} WHERE workspace_id = ?", (en,)).scalar_one()
            for t in ("followup_case", "setting", "improvement_action")
        }
        assert left == {"followup_case": 0, "setting": 0, "improvement_action": 0}
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM action_touchpoint").scalar_one() == 0
        audit = conn.exec_driver_sql("SELECT event FROM audit_log WHERE workspace_name = 'Legacy shop (EN)'").all()
        assert ("personal_data_kept",) in audit
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    assert counts(engine, ja)["responses"] == 63
    engine.dispose()


def test_the_head_revision_constant_is_the_newest_migration() -> None:
    """Opening an up-to-date store skips Alembic by comparing with HEAD_REVISION: it must name the newest script."""
    from cxdash.store.schema import HEAD_REVISION

    assert head_revision() == HEAD_REVISION
