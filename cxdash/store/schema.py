"""Create or upgrade a database to the current schema with Alembic migrations (a user's data survives upgrades).

Opening a store that is already up to date reads its revision with one query and does not load Alembic (about
0.1 s of every CLI command and app start); ``HEAD_REVISION`` names the newest migration (a test checks it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from cxdash.store.engine import writer

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
#: the newest migration in ``migrations/versions`` (update it with each new migration: a test compares them)
HEAD_REVISION = "0005"


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    """The newest revision, as Alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The database's revision (None for a database without migrations: a new one)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _stored_revisions(engine: Engine) -> list[str]:
    """The revisions in the database's ``alembic_version`` table (none for a new database), read directly."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return []
        return [str(v) for v in conn.execute(text("SELECT version_num FROM alembic_version")).scalars()]


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema; a no-op when it is already there."""
    if _stored_revisions(engine) == [HEAD_REVISION]:
        return
    if current_revision(engine) == head_revision():
        return
    from alembic import command

    cfg = alembic_config()
    with writer(engine).begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
