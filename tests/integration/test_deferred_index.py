"""SQLite: a large import drops the response time and customer indexes (its rows bring their keys in no order) and
builds them again after its rows, before its commit; a small one into a large table keeps them; a batch that fails
leaves them as they were."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, event, text

from cxdash.ingest.load import delete_batch, import_table
from cxdash.ingest.table import RawTable
from cxdash.ingest.write import DEFER_MIN_ROWS, DEFER_SHARE, SQLITE_DEFERRED_INDEXES
from cxdash.store.workspaces import get_or_create_workspace, open_store

pytestmark = pytest.mark.sqlite_only  # SQLite's own indexes and statistics

INDEX = "ix_response_ws_time"
MAPPING = {
    "ResponseID": "response_id",
    "Customer": "customer_id",
    "Date": "date",
    "NPS": "nps",
    "Delivery": "rating:Delivery",
}
DEFERRED = len(SQLITE_DEFERRED_INDEXES)


def _survey(n: int, prefix: str, seed: int) -> RawTable:
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365 * 24 * 60, n), unit="min")
    frame = pd.DataFrame(
        {
            "ResponseID": [f"{prefix}{i}" for i in range(n)],
            "Customer": [f"c{k}" for k in rng.integers(0, n // 3, n)],  # returning customers, in no order
            "Date": days.strftime("%Y-%m-%d %H:%M"),  # in no order, as a survey tool's export
            "NPS": rng.integers(0, 11, n).astype(str),
            "Delivery": rng.integers(1, 6, n).astype(str),
        }
    )
    return RawTable.from_frame(frame, file_name=f"{prefix}.csv", content_hash=f"{prefix}-{n}-{seed}")


@pytest.fixture
def store(db_path: Path) -> Iterator[tuple[Engine, int, list[str]]]:
    """A SQLite store, its workspace and the SQL statements sent to it (recorded from here on)."""
    engine = open_store(str(db_path))
    ws = get_or_create_workspace(engine, "Test").id
    assert ws is not None
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    yield engine, ws, sent
    engine.dispose()


def _index_state(engine: Engine) -> tuple[list[object], list[tuple[object, ...]], object]:
    """The deferred indexes' CREATE statements, their planner statistics and SQLite's integrity check."""
    with engine.connect() as conn:
        sql = [
            conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": name}).scalar()
            for name in SQLITE_DEFERRED_INDEXES
        ]
        has_stats = conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first()
        stats = (
            [
                tuple(r)
                for name in SQLITE_DEFERRED_INDEXES
                for r in conn.execute(text("SELECT idx, stat FROM sqlite_stat1 WHERE idx = :n"), {"n": name})
            ]
            if has_stats
            else []
        )
        return sql, stats, conn.execute(text("PRAGMA integrity_check")).scalar()


def _ddl(sent: list[str]) -> list[str]:
    """The DROP INDEX and CREATE INDEX statements among those sent, in order."""
    return [s.split()[0] for s in sent if s.lstrip().upper().startswith(("DROP INDEX", "CREATE INDEX"))]


def test_a_large_batch_builds_the_time_index_after_its_rows(store: tuple[Engine, int, list[str]]) -> None:
    engine, ws, sent = store
    before = _index_state(engine)[0]
    result = import_table(engine, ws, _survey(DEFER_MIN_ROWS + 500, "a", 1), MAPPING)
    assert result.responses == DEFER_MIN_ROWS + 500
    assert _ddl(sent) == ["DROP"] * DEFERRED + ["CREATE"] * DEFERRED
    created = next(i for i, s in enumerate(sent) if s.lstrip().upper().startswith("CREATE INDEX"))
    inserts = ("INSERT INTO response ", 'INSERT INTO "response"')
    last_insert = max(i for i, s in enumerate(sent) if s.startswith(inserts))
    assert last_insert < created  # built once, after every response row
    sql, stats, integrity = _index_state(engine)
    assert (sql, integrity) == (before, "ok") and all(sql)
    assert [(name, str(stat).split()[0]) for name, stat in stats] == [
        (name, str(DEFER_MIN_ROWS + 500)) for name in SQLITE_DEFERRED_INDEXES
    ]  # the planner knows them
    with engine.connect() as conn:
        plan = " ".join(
            str(r[-1])
            for r in conn.execute(
                text("EXPLAIN QUERY PLAN SELECT count(*) FROM response WHERE workspace_id = :w AND responded_at > :d"),
                {"w": ws, "d": "2025-06-01"},
            )
        )
        n = conn.execute(
            text("SELECT count(*) FROM response WHERE workspace_id = :w AND responded_at > '2025-06-01'"), {"w": ws}
        ).scalar()
        m = conn.execute(text("SELECT count(*) FROM response NOT INDEXED WHERE responded_at > '2025-06-01'")).scalar()
    assert INDEX in plan and n == m > 0


def test_a_small_batch_keeps_the_index(store: tuple[Engine, int, list[str]]) -> None:
    engine, ws, sent = store
    first = 4 * DEFER_MIN_ROWS
    import_table(engine, ws, _survey(first, "a", 1), MAPPING)
    sent.clear()
    import_table(engine, ws, _survey(int(DEFER_SHARE * first) - 1, "b", 2), MAPPING)  # under half the table
    import_table(engine, ws, _survey(DEFER_MIN_ROWS - 1, "c", 3), MAPPING)  # too few to be worth a build
    assert _ddl(sent) == []
    assert _index_state(engine)[2] == "ok"


def test_a_batch_that_fails_after_dropping_the_index_leaves_it_as_it_was(
    store: tuple[Engine, int, list[str]],
) -> None:
    engine, ws, sent = store
    import_table(engine, ws, _survey(DEFER_MIN_ROWS, "a", 1), MAPPING)
    before = _index_state(engine)
    assert before[1]  # statistics, which a dropped index loses
    good = _survey(3 * DEFER_MIN_ROWS, "b", 2)

    def failing(size: int) -> Iterator[pd.DataFrame]:
        yield next(good.chunks(size))
        raise OSError("disk went away")

    bad = RawTable(file_name="b.csv", columns=good.columns, sample=good.sample, chunk_source=failing, content_hash="x")
    sent.clear()
    with pytest.raises(OSError, match="disk went away"):
        import_table(engine, ws, bad, MAPPING)
    assert _ddl(sent) == ["DROP"] * DEFERRED  # dropped for the batch, which then failed
    assert _index_state(engine) == before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM response")).scalar() == DEFER_MIN_ROWS


def test_a_rebuilt_index_gets_statistics_however_little_the_table_grew_by_them(
    store: tuple[Engine, int, list[str]],
) -> None:
    engine, ws, _ = store
    big = import_table(engine, ws, _survey(10 * DEFER_MIN_ROWS, "a", 1), MAPPING)
    assert big.batch_id is not None
    delete_batch(engine, big.batch_id)  # the statistics still count its rows
    import_table(engine, ws, _survey(DEFER_MIN_ROWS, "b", 2), MAPPING)  # a tenth of what they know: not re-read
    sql, stats, integrity = _index_state(engine)
    assert all(sql) and integrity == "ok"
    assert [(name, str(stat).split()[0]) for name, stat in stats] == [
        (name, str(DEFER_MIN_ROWS)) for name in SQLITE_DEFERRED_INDEXES
    ]
