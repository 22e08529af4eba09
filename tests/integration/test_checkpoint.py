"""A large write's commit on SQLite (``bulk_writer``: an import) leaves its write-ahead log to a checkpoint on a
thread of its own: the commit returns without copying the log into the database file, the checkpoint copies it
after, and disposing of the engine waits for it, so the store's last connection still folds the log in and removes
it (a copy of the database file alone then holds everything)."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import Engine, Table

from cxdash.ingest.write import insert_rows
from cxdash.store import engine as engine_module
from cxdash.store.engine import bulk_writer, wait_for_checkpoints
from cxdash.store.models import Response
from cxdash.store.workspaces import get_or_create_workspace, open_store

R = cast(Table, Response.__table__)
ROWS = 30_000  # about 8 MB: past SQLite's automatic checkpoint (1,000 pages), which would have run in the commit


def _store(tmp_path: Path) -> tuple[Engine, int]:
    engine = open_store(str(tmp_path / "cx.db"))
    ws = get_or_create_workspace(engine, "Big").id
    assert ws is not None
    with engine.connect() as conn:  # the schema and the workspace in the database file itself
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return engine, ws


def _write(engine: Engine, ws: int) -> None:
    with bulk_writer(engine) as conn:
        columns = {
            "workspace_id": [ws] * ROWS,
            "batch_id": [1] * ROWS,
            "source_row": list(range(ROWS)),
            "channel": [f"channel {i} " + "x" * 200 for i in range(ROWS)],
        }
        insert_rows(conn, R, columns)


def _in_file_alone(tmp_path: Path) -> int:
    """Responses in a copy of the database file without its log (as a user copying only cx.db would have)."""
    copy = tmp_path / f"copy-{time.monotonic_ns()}.db"
    shutil.copy(tmp_path / "cx.db", copy)
    raw = sqlite3.connect(copy)
    try:
        return int(raw.execute("SELECT count(*) FROM response").fetchone()[0])
    finally:
        raw.close()


def test_a_bulk_commit_leaves_the_log_to_the_checkpoint_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, ws = _store(tmp_path)
    checkpoint = engine_module._checkpoint
    started: list[Engine] = []
    monkeypatch.setattr(engine_module, "_checkpoint", started.append)  # started, not run: what the commit left
    _write(engine, ws)
    wait_for_checkpoints(engine)
    assert started == [engine]
    with engine.connect() as conn:  # committed: every connection reads the rows (from the log)
        assert conn.exec_driver_sql("SELECT count(*) FROM response").scalar_one() == ROWS
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 1000  # SQLite's default again
    assert _in_file_alone(tmp_path) == 0  # the commit did not copy the log into the file

    checkpoint(engine)
    assert _in_file_alone(tmp_path) == ROWS
    engine.dispose()


def test_disposing_of_the_engine_waits_for_the_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine, ws = _store(tmp_path)
    checkpoint = engine_module._checkpoint
    opened = threading.Event()

    def slow(engine: Engine) -> None:  # a connection of its own, open while the engine is disposed of
        own = sqlite3.connect(tmp_path / "cx.db")
        own.execute("SELECT count(*) FROM workspace").fetchone()  # it has the log open
        opened.set()
        try:
            time.sleep(0.3)
            checkpoint(engine)
        finally:
            own.close()

    monkeypatch.setattr(engine_module, "_checkpoint", slow)
    _write(engine, ws)
    assert opened.wait(30)
    engine.dispose()
    assert not Path(f"{tmp_path / 'cx.db'}-wal").exists()  # the last connection closed: the log folded in, removed
    assert _in_file_alone(tmp_path) == ROWS
