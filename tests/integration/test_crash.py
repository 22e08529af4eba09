"""An import killed (SIGKILL) in the middle of its transaction leaves the store as it was before it started.

The machine loses power, the OOM killer strikes, someone closes the terminal: the command-line import of a large
file dies while its rows are half written. Afterwards that batch is wholly absent (including the updates it had
made to responses imported earlier), the earlier data is intact to the byte, SQLite's integrity check passes,
and importing the same file again simply works.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, text

from cxdash.ingest.load import import_file
from cxdash.ingest.mapping import mapping_to_json
from cxdash.store.workspaces import get_workspace, open_store

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]  # SIGKILL against SQLite's write-ahead log

REPO = Path(__file__).resolve().parents[2]
WORKSPACE = "Crash test"
EARLIER_ROWS = 2_000
BIG_ROWS = 100_000  # two chunks of 50,000; killed while the first is being written into the log
SHARED = 500  # rows of the big file that re-import (and so update) responses of the earlier file
MID_WAL_BYTES = 4_000_000  # uncommitted pages in the log: the transaction is well under way
DEADLINE_S = 240
TOUCHPOINTS = ["Checkout", "Delivery", "Support", "Returns", "App"]
TEXTS = [
    "Great service",
    "Delivery was late again and nobody told me",
    "Checkout kept crashing on my phone",
    "配送が遅かったです",
    "とても丁寧な対応でした",
    "Support sorted it out quickly",
    "",
    "",
]
MAPPING = {
    "Response ID": "response_id",
    "Customer": "customer_id",
    "Date": "date",
    "NPS": "nps",
    "CSAT": "csat",
    **{f"Satisfaction - {t}": f"rating:{t}" for t in TOUCHPOINTS},
    "Plan": "attribute:Plan",
    "Comment": "comment",
}

# The earlier batch's content, by external keys (ids are the store's own).
CONTENT_SQL = [
    "SELECT r.external_id, cu.external_id, r.responded_at, r.nps, r.csat FROM response r "
    "LEFT JOIN customer cu ON cu.id = r.customer_id WHERE r.batch_id = :b ORDER BY 1",
    "SELECT r.external_id, t.name, ra.score FROM rating ra JOIN response r ON r.id = ra.response_id "
    "JOIN touchpoint t ON t.id = ra.touchpoint_id WHERE r.batch_id = :b ORDER BY 1, 2",
    "SELECT r.external_id, a.name, a.value FROM attribute a JOIN response r ON r.id = a.response_id "
    "WHERE r.batch_id = :b ORDER BY 1, 2",
    "SELECT r.external_id, c.text, c.label, c.compound FROM comment c JOIN response r ON r.id = c.response_id "
    "WHERE r.batch_id = :b ORDER BY 1, 2",
    "SELECT r.external_id, th.name FROM comment_theme ct JOIN comment c ON c.id = ct.comment_id "
    "JOIN response r ON r.id = c.response_id JOIN theme th ON th.id = ct.theme_id WHERE r.batch_id = :b ORDER BY 1, 2",
]


def survey(rows: int, seed: int, ids: list[str]) -> pd.DataFrame:
    """A survey export: ids, customer, date, NPS, CSAT, five touchpoint ratings, a plan and a short comment."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "Response ID": ids,
            "Customer": [f"C{i:06d}" for i in rng.integers(0, rows // 2 + 1, rows)],
            "Date": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 300 * 24 * 60, rows), unit="m"),
            "NPS": rng.integers(0, 11, rows),
            "CSAT": rng.integers(1, 6, rows),
            **{f"Satisfaction - {t}": rng.integers(1, 6, rows) for t in TOUCHPOINTS},
            "Plan": rng.choice(["Free", "Plus", "Premium"], rows),
            "Comment": rng.choice(TEXTS, rows),
        }
    )


def checksum(engine: Engine, batch_id: int) -> str:
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for sql in CONTENT_SQL:
            for row in conn.execute(text(sql), {"b": batch_id}):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def table_counts(engine: Engine) -> dict[str, int]:
    tables = ("import_batch", "customer", "response", "rating", "attribute", "comment", "comment_theme", "touchpoint")
    with engine.connect() as conn:
        return {t: int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()) for t in tables}


def committed_batches(db: Path) -> int:
    """What another reader sees right now (WAL: the last committed state, without waiting for the writer)."""
    conn = sqlite3.connect(db, timeout=5)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM import_batch").fetchone()[0])
    finally:
        conn.close()


def cli_import(path: Path, db: Path, mapping: Path) -> subprocess.Popen[bytes]:
    """`python -m cxdash import` in its own process group (so the kill takes any helper process with it)."""
    command = [sys.executable, "-m", "cxdash", "import", str(path), "--db", str(db), "--workspace", WORKSPACE]
    # SQLite's default page cache: the transaction's pages spill into the log while it runs (with the import's
    # large cache, a file this size would reach the log only at the commit, and a kill could not be timed mid-way)
    return subprocess.Popen(
        [*command, "--mapping", str(mapping), "--json"],
        cwd=REPO,
        env={**os.environ, "CXDASH_IMPORT_CACHE_KIB": "2000"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def test_an_import_killed_mid_transaction_leaves_no_trace(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    wal = Path(f"{db}-wal")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(mapping_to_json(MAPPING), encoding="utf-8")
    earlier_ids = [f"E{i:06d}" for i in range(EARLIER_ROWS)]
    earlier = tmp_path / "earlier.csv"
    survey(EARLIER_ROWS, 1, earlier_ids).to_csv(earlier, index=False)
    big = tmp_path / "big.csv"
    big_ids = earlier_ids[:SHARED] + [f"B{i:07d}" for i in range(BIG_ROWS - SHARED)]
    survey(BIG_ROWS, 2, big_ids).to_csv(big, index=False)

    # The store before: one batch imported earlier.
    engine = open_store(str(db))
    first = import_file(engine, earlier, earlier.name, workspace=WORKSPACE, mapping=MAPPING)
    assert (first.status, first.responses) == ("imported", EARLIER_ROWS)
    assert first.batch_id is not None
    before_counts, before_sum = table_counts(engine), checksum(engine, first.batch_id)
    engine.dispose()  # the last connection closes: the log is checkpointed and removed
    assert not wal.exists() or wal.stat().st_size == 0

    # The large import, killed once its transaction has written well into the log but not committed.
    proc = cli_import(big, db, mapping)
    deadline = time.monotonic() + DEADLINE_S
    try:
        while True:
            size = wal.stat().st_size if wal.exists() else 0
            if size >= MID_WAL_BYTES and committed_batches(db) == 1 and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                break
            if proc.poll() is not None:
                out, err = proc.communicate()
                pytest.fail(f"the import ended before it could be killed mid-way: {out!r} {err!r}")
            if time.monotonic() > deadline:
                pytest.fail(f"the import did not reach {MID_WAL_BYTES:,} bytes of log within {DEADLINE_S} s")
            time.sleep(0.05)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert wal.stat().st_size >= MID_WAL_BYTES  # the dead transaction's pages are in the log, uncommitted

    # SQLite's own checks on the file as the crash left it.
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    raw.close()

    # The batch is wholly absent; the earlier batch is exactly as it was, the 500 responses the dead import had
    # already rewritten included.
    engine = open_store(str(db))
    ws = get_workspace(engine, WORKSPACE).id
    assert ws is not None
    assert table_counts(engine) == before_counts
    assert checksum(engine, first.batch_id) == before_sum
    with engine.connect() as conn:
        names = conn.execute(text("SELECT file_name FROM import_batch")).scalars().all()
    assert names == ["earlier.csv"]
    engine.dispose()

    # And the same file imports normally now (it is not "already imported": nothing of it was kept).
    again = cli_import(big, db, mapping)
    try:
        out, err = again.communicate(timeout=DEADLINE_S)
    finally:
        if again.poll() is None:
            os.killpg(again.pid, signal.SIGKILL)
            again.wait(timeout=30)
    assert again.returncode == 0, err.decode(errors="replace")
    result = json.loads(out.decode().strip().splitlines()[-1])
    assert (result["status"], result["responses"], result["responses_updated"]) == ("imported", BIG_ROWS, SHARED)
    engine = open_store(str(db))
    after = table_counts(engine)
    assert after["import_batch"] == 2
    assert after["response"] == EARLIER_ROWS + BIG_ROWS - SHARED
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
    engine.dispose()
