"""Engines: a database URL or a SQLite file path in, a configured SQLAlchemy engine out.

SQLite gets foreign keys on every connection, WAL, a busy timeout, and ``BEGIN IMMEDIATE`` for write units of
work (``writer(engine)``) so that two writers queue instead of failing with "database is locked".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import create_engine

DEFAULT_DB_PATH = Path(__file__).resolve().parents[2] / "data" / "cxdash.db"
BUSY_TIMEOUT_MS = 30_000


def resolve_url(db: str | os.PathLike[str] | None = None) -> str:
    """A SQLAlchemy URL from a CLI/UI value: a URL, a file path, or None (CXDASH_DATABASE_URL, else data/cxdash.db)."""
    if db is None:
        db = os.environ.get("CXDASH_DATABASE_URL") or DEFAULT_DB_PATH
    text = str(db)
    if "://" in text:
        return text
    path = Path(text).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def make_engine(db: str | os.PathLike[str] | None = None, **kwargs: Any) -> Engine:
    """Create an engine for ``db`` (see resolve_url); SQLite connections get the house pragmas."""
    url = make_url(resolve_url(db))
    if url.get_backend_name() == "sqlite":
        kwargs.setdefault("connect_args", {})
        kwargs["connect_args"].setdefault("timeout", BUSY_TIMEOUT_MS / 1000)
        kwargs["connect_args"].setdefault("check_same_thread", False)
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine, in_memory=url.database in (None, "", ":memory:"))
    else:
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **kwargs)
    return engine


def _configure_sqlite(engine: Engine, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN itself (pysqlite's own handling is off).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if not in_memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("cxdash_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def writer(engine: Engine) -> Engine:
    """The same engine, but transactions take SQLite's write lock up front (no-op elsewhere).

    Use as ``with writer(engine).begin() as conn: ...`` for every unit of work that writes.
    """
    return engine.execution_options(cxdash_write=True)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
