"""Imports from several processes into one store at once, while other processes read metrics.

Two analysts import at the same moment — different files that share customers and some responses, or the same
file twice — while dashboards keep reading. Nobody sees "database is locked" or any other error, readers only
ever see whole batches, and the store ends exactly as if the imports had run one after the other.

Runs on the test store of the session: SQLite files by default, PostgreSQL when CXDASH_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import csv
import multiprocessing as mp
import queue
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from bench.gen_survey import generate

ROWS = 3_000
SHARED_ROWS = 300  # rows of file A repeated, unchanged, in file B (same response ids: updated, not duplicated)
WORKSPACE = "Concurrent shop"
DEADLINE_S = 240  # the whole scenario, start to finish (the machine may be shared)
SPAWN = mp.get_context("spawn")

# What a dashboard shows of the store, by content (never by internal ids, which depend on who wrote first).
SNAPSHOT_SQL = {
    "responses": "SELECT r.external_id, cu.external_id, r.responded_at, r.channel, r.nps, r.csat, r.ces "
    "FROM response r LEFT JOIN customer cu ON cu.id = r.customer_id ORDER BY 1",
    "ratings": "SELECT r.external_id, t.name, ra.score FROM rating ra JOIN response r ON r.id = ra.response_id "
    "JOIN touchpoint t ON t.id = ra.touchpoint_id ORDER BY 1, 2",
    "attributes": "SELECT r.external_id, a.name, a.value FROM attribute a JOIN response r ON r.id = a.response_id "
    "ORDER BY 1, 2",
    "comments": "SELECT r.external_id, c.text, c.language, c.label, c.compound FROM comment c "
    "JOIN response r ON r.id = c.response_id ORDER BY 1, 2",
    "theme_tags": "SELECT r.external_id, th.name FROM comment_theme ct JOIN comment c ON c.id = ct.comment_id "
    "JOIN response r ON r.id = c.response_id JOIN theme th ON th.id = ct.theme_id ORDER BY 1, 2",
    "customers": "SELECT external_id FROM customer ORDER BY 1",
    "touchpoints": "SELECT name, scale_min, scale_max FROM touchpoint ORDER BY 1",
    "themes": "SELECT name FROM theme ORDER BY 1",
    "followup_cases": "SELECT r.external_id, f.reason, f.status FROM followup_case f "
    "JOIN response r ON r.id = f.response_id ORDER BY 1",
}


# --- the files ------------------------------------------------------------------------------------------------------


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """survey_a.csv and survey_b.csv: 3,000 rows each, the same customers, 300 rows of A repeated in B."""
    tmp = tmp_path_factory.mktemp("concurrency_files")
    generate(ROWS, tmp / "raw_a.csv", seed=11)
    generate(ROWS, tmp / "raw_b.csv", seed=12)
    a, b = _rows(tmp / "raw_a.csv"), _rows(tmp / "raw_b.csv")
    for row in a[1:]:
        row[0] = "A" + row[0][1:]  # R00000001 → A00000001
    for row in b[1:]:
        row[0] = "B" + row[0][1:]
    b[1 : 1 + SHARED_ROWS] = [list(r) for r in a[1 : 1 + SHARED_ROWS]]
    return {"a": _write(tmp / "survey_a.csv", a), "b": _write(tmp / "survey_b.csv", b)}


# --- what the store holds -------------------------------------------------------------------------------------------


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's content by external keys; sentiment to 3 decimals (the Japanese model's float noise)."""
    with engine.connect() as conn:
        out = {key: [tuple(r) for r in conn.execute(text(sql))] for key, sql in SNAPSHOT_SQL.items()}
    out["comments"] = [(*r[:-1], None if r[-1] is None else round(r[-1], 3)) for r in out["comments"]]
    return out


def table_counts(engine: Engine) -> dict[str, int]:
    names = [n for n in inspect(engine).get_table_names() if n != "alembic_version"]
    with engine.connect() as conn:
        return {n: int(conn.execute(text(f'SELECT COUNT(*) FROM "{n}"')).scalar_one()) for n in names}


def batches(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        q = "SELECT file_name, rows_read, responses, responses_updated, rows_rejected FROM import_batch ORDER BY id"
        return [tuple(r) for r in conn.execute(text(q))]


def _import(url: str, path: Path) -> None:
    from cxdash.ingest.load import import_file
    from cxdash.store.workspaces import get_or_create_workspace, open_store

    engine = open_store(url)
    get_or_create_workspace(engine, WORKSPACE)
    result = import_file(engine, path, path.name, workspace=WORKSPACE)
    assert result.status == "imported", result.message
    engine.dispose()


@pytest.fixture(scope="module")
def expected(store_factory: Any, files: dict[str, Path]) -> Iterator[dict[str, Any]]:
    """The store after importing A alone, and A then B, one after the other (the reference)."""
    from cxdash.store.workspaces import open_store

    url = store_factory.new("reference")
    _import(url, files["a"])
    engine = open_store(url)
    after_a = {"snapshot": snapshot(engine), "counts": table_counts(engine)}
    engine.dispose()
    _import(url, files["b"])
    engine = open_store(url)
    after_ab = {"snapshot": snapshot(engine), "counts": table_counts(engine)}
    engine.dispose()
    yield {"a": after_a, "ab": after_ab}
    store_factory.drop(url)


# --- the processes --------------------------------------------------------------------------------------------------


def _importer(url: str, path: str, barrier: Any, out: Any) -> None:
    """One analyst: import a file into the shared workspace; report the result or the error."""
    try:
        from cxdash.ingest.load import import_file
        from cxdash.store.workspaces import open_store

        engine = open_store(url)
        barrier.wait(timeout=60)
        result = import_file(engine, Path(path), Path(path).name, workspace=WORKSPACE)
        out.put(("import", Path(path).name, result.status, result.message, result.responses, None))
        engine.dispose()
    except BaseException:
        out.put(("import", Path(path).name, "error", "", 0, traceback.format_exc()))


def _writing_now(db_file: str) -> bool:
    """SQLite: does some connection hold the write lock at this moment? (Tries to take it without waiting.)"""
    import sqlite3

    probe = sqlite3.connect(db_file, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def _reader(url: str, workspace_id: int, barrier: Any, stop: Any, out: Any) -> None:
    """A dashboard: read KPIs, counts and touchpoint scores in a loop until told to stop; report what it saw."""
    reads = during_writes = 0
    seen: set[int] = set()
    error = None
    try:
        from cxdash.store.queries import counts, kpis, touchpoint_scores
        from cxdash.store.workspaces import open_store

        engine = open_store(url)
        db_file = make_url(url).database if engine.dialect.name == "sqlite" else None
        barrier.wait(timeout=60)
        deadline = time.monotonic() + DEADLINE_S
        while reads == 0 or (not stop.is_set() and time.monotonic() < deadline):
            before = _writing_now(db_file) if db_file else False
            seen.add(counts(engine, workspace_id)["responses"])
            seen.add(kpis(engine, workspace_id)["nps"].n)  # every generated row answers the NPS question
            touchpoint_scores(engine, workspace_id)
            if before and _writing_now(db_file):  # the whole read ran while an import held the write lock
                during_writes += 1
            reads += 1
            time.sleep(0.05)  # a dashboard rerun, not a busy loop (the importers need the CPU too)
        engine.dispose()
    except BaseException:
        error = traceback.format_exc()
    out.put(("read", reads, during_writes, sorted(seen), error))


def run_at_once(url: str, imports: list[Path], readers: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Start the importers and readers together (a barrier), wait for all of them (bounded); their reports."""
    from cxdash.store.workspaces import get_or_create_workspace, open_store

    engine = open_store(url)
    workspace_id = get_or_create_workspace(engine, WORKSPACE).id
    engine.dispose()
    out, stop = SPAWN.Queue(), SPAWN.Event()
    barrier = SPAWN.Barrier(len(imports) + readers)
    procs = [SPAWN.Process(target=_importer, args=(url, str(p), barrier, out)) for p in imports]
    procs += [SPAWN.Process(target=_reader, args=(url, workspace_id, barrier, stop, out)) for _ in range(readers)]
    for p in procs:
        p.start()
    deadline = time.monotonic() + DEADLINE_S
    reports: list[tuple[Any, ...]] = []
    try:
        while len(reports) < len(procs):
            if len([r for r in reports if r[0] == "import"]) == len(imports):
                stop.set()
            try:
                reports.append(out.get(timeout=max(0.1, min(2.0, deadline - time.monotonic()))))
            except queue.Empty:
                if time.monotonic() > deadline:
                    pytest.fail(f"the processes did not finish within {DEADLINE_S} s; reports so far: {reports}")
                if not any(p.is_alive() for p in procs) and out.empty():
                    pytest.fail(f"a process died without reporting; reports so far: {reports}")
    finally:
        stop.set()
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
                p.join(timeout=5)
    return [r for r in reports if r[0] == "import"], [r for r in reports if r[0] == "read"]


def _no_errors(imports: list[tuple[Any, ...]], reads: list[tuple[Any, ...]]) -> None:
    errors = [r[5] for r in imports if r[5]] + [r[4] for r in reads if r[4]]
    assert not errors, "errors reached a user:\n" + "\n".join(errors)
    messages = " ".join(str(r[3]) for r in imports).lower()
    assert "locked" not in messages and "busy" not in messages


# --- the scenarios --------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_two_different_files_at_once_while_dashboards_read(
    store_url: str, files: dict[str, Path], expected: dict[str, Any]
) -> None:
    from cxdash.store.workspaces import open_store

    imports, reads = run_at_once(store_url, [files["a"], files["b"]], readers=3)
    _no_errors(imports, reads)
    assert sorted((r[1], r[2], r[4]) for r in imports) == [
        ("survey_a.csv", "imported", ROWS),
        ("survey_b.csv", "imported", ROWS),
    ]
    # Readers saw only whole batches: nothing, one file (3,000 either way), or both (5,700) — never a part of one.
    whole = {0, ROWS, 2 * ROWS - SHARED_ROWS}
    for _, n_reads, _, seen, _ in reads:
        assert n_reads > 0 and set(seen) <= whole, f"a reader saw a partial batch: {seen}"
    engine = open_store(store_url)
    if engine.dialect.name == "sqlite":  # WAL: readers went on reading while an import held the write lock
        assert sum(r[2] for r in reads) > 0, reads
    # Exactly what one import after the other gives: no row lost, none duplicated, shared responses updated once.
    assert table_counts(engine) == expected["ab"]["counts"]
    assert snapshot(engine) == expected["ab"]["snapshot"]
    info = batches(engine)
    assert sorted(b[0] for b in info) == ["survey_a.csv", "survey_b.csv"]
    assert sum(b[3] for b in info) == SHARED_ROWS  # whichever came second updated the shared responses
    engine.dispose()


@pytest.mark.slow
def test_the_same_file_twice_at_once_is_imported_once(
    store_url: str, files: dict[str, Path], expected: dict[str, Any]
) -> None:
    from cxdash.store.workspaces import open_store

    imports, reads = run_at_once(store_url, [files["a"], files["a"]], readers=2)
    _no_errors(imports, reads)
    outcome = sorted((r[2], r[4]) for r in imports)
    assert outcome == [("imported", ROWS), ("unchanged", 0)]
    loser = next(r for r in imports if r[2] == "unchanged")
    assert "survey_a.csv' was already imported" in loser[3] and "nothing changed" in loser[3]
    for _, _, _, seen, _ in reads:
        assert set(seen) <= {0, ROWS}, f"a reader saw a partial batch: {seen}"
    engine = open_store(store_url)
    assert [b[0] for b in batches(engine)] == ["survey_a.csv"]
    assert table_counts(engine) == expected["a"]["counts"]
    assert snapshot(engine) == expected["a"]["snapshot"]
    engine.dispose()


# --- the write lock itself (SQLite) ---------------------------------------------------------------------------------


class _LockHolder:
    """Another process's long write: holds SQLite's write lock until released (a raw connection, no cxdash)."""

    def __init__(self, db: Path) -> None:
        import sqlite3
        import threading

        self.db, self.locked, self.release = db, threading.Event(), threading.Event()
        self._sqlite3 = sqlite3
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        conn = self._sqlite3.connect(self.db, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        self.locked.set()
        self.release.wait(timeout=60)
        conn.execute("COMMIT")
        conn.close()

    def __enter__(self) -> _LockHolder:
        self.thread.start()
        assert self.locked.wait(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join(timeout=10)


@pytest.mark.sqlite_only
def test_a_write_waits_for_a_long_writer_beyond_the_busy_timeout(db_path: Path) -> None:
    """SQLite gives up on a lock after its busy timeout; a cxdash write keeps queueing (a big import takes minutes)."""
    import threading

    from cxdash.store.engine import make_engine
    from cxdash.store.queries import counts
    from cxdash.store.workspaces import get_or_create_workspace, list_workspaces, open_store

    first = open_store(str(db_path))
    existing = get_or_create_workspace(first, "Existing").id
    first.dispose()
    assert existing is not None
    engine = make_engine(str(db_path), busy_timeout_ms=100, write_wait_s=60)
    done: list[object] = []
    with _LockHolder(db_path):
        writer_thread = threading.Thread(target=lambda: done.append(get_or_create_workspace(engine, "Queued")))
        writer_thread.start()
        time.sleep(0.8)  # several busy timeouts pass while the other writer holds the lock
        assert done == []  # still waiting, not failed
        assert counts(engine, existing)["responses"] == 0  # and readers are not kept waiting meanwhile
    writer_thread.join(timeout=30)
    assert [w.name for w in list_workspaces(engine)] == ["Existing", "Queued"]
    engine.dispose()


@pytest.mark.sqlite_only
def test_a_write_that_cannot_get_the_lock_in_time_says_so_and_writes_nothing(db_path: Path) -> None:
    from cxdash.store.engine import StoreBusy, make_engine
    from cxdash.store.workspaces import get_or_create_workspace, list_workspaces, open_store

    open_store(str(db_path)).dispose()
    engine = make_engine(str(db_path), busy_timeout_ms=100, write_wait_s=0.5)
    with _LockHolder(db_path), pytest.raises(StoreBusy) as caught:
        get_or_create_workspace(engine, "Too soon")
    message = str(caught.value)
    assert message.startswith("The store is busy: another import or edit has been writing to it for")
    assert "nothing was written" in message and "locked" not in message
    assert list_workspaces(engine) == []
    assert get_or_create_workspace(engine, "Later").name == "Later"  # the same engine writes once the lock is free
    engine.dispose()
