"""Engines: a database URL or a SQLite file path in, a configured SQLAlchemy engine out.

SQLite gets foreign keys on every connection, WAL, a busy timeout, and ``BEGIN IMMEDIATE`` for write units of
work (``writer(engine)``) so that two writers queue instead of failing with "database is locked". In WAL mode
readers never wait for a writer (they read the last committed state); a writer waits for the one writing now —
for as long as ``write_wait_s`` (a large import can hold the lock for minutes), then gives up with ``StoreBusy``,
a message for the user, never SQLite's "database is locked".
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import create_engine

from cxdash.errors import CxdashError
from cxdash.textfold import register_sqlite

DEFAULT_DB_PATH = Path(__file__).resolve().parents[2] / "data" / "cxdash.db"
BUSY_TIMEOUT_MS = 30_000  # SQLite's own wait for a lock, per statement
WRITE_WAIT_S = 900.0  # how long a write unit of work waits for another writer in all (BEGIN IMMEDIATE retried)
BULK_CACHE_KIB = 65_536  # SQLite page cache of an import's connection while it writes (the default is 2,000 KiB)


_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()  # every engine make_engine made (close_all)
_CHECKPOINTS: dict[str, list[threading.Thread]] = {}  # database URL → checkpoints started on it (checkpoint_later)
_CHECKPOINTS_LOCK = threading.Lock()


class StoreBusy(CxdashError):
    """Another process or session kept the store's write lock for longer than a write waits; nothing was written."""


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


def make_engine(
    db: str | os.PathLike[str] | None = None,
    *,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    write_wait_s: float = WRITE_WAIT_S,
    **kwargs: Any,
) -> Engine:
    """Create an engine for ``db`` (see resolve_url); SQLite connections get the house pragmas.

    ``busy_timeout_ms`` is SQLite's wait for a lock per statement; ``write_wait_s`` how long a write unit of work
    (``writer``) keeps retrying to take the write lock before it raises ``StoreBusy``.
    """
    url = make_url(resolve_url(db))
    if url.get_backend_name() == "sqlite":
        kwargs.setdefault("connect_args", {})
        kwargs["connect_args"].setdefault("timeout", busy_timeout_ms / 1000)
        kwargs["connect_args"].setdefault("check_same_thread", False)
        engine = create_engine(url, **kwargs)
        in_memory = url.database in (None, "", ":memory:")
        _configure_sqlite(engine, in_memory, busy_timeout_ms, write_wait_s)
    else:
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **kwargs)
    _ENGINES.add(engine)
    return engine


def close_all() -> None:
    """Close the pooled connections of every engine this process made (a SQLite store's last connection to close
    folds its write-ahead log into the database file and removes it)."""
    for engine in list(_ENGINES):
        engine.dispose()


def _configure_sqlite(engine: Engine, in_memory: bool, busy_timeout_ms: int, write_wait_s: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN itself (pysqlite's own handling is off).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        register_sqlite(dbapi_conn)  # cx_fold(text): the verbatim search's width- and case-folding
        if not in_memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "engine_disposed")
    def _on_dispose(engine: Engine) -> None:
        wait_for_checkpoints(engine)  # its connection then closes last: the log is folded in and removed

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("cxdash_write"):
            _begin_immediate(conn, write_wait_s)
        else:
            conn.exec_driver_sql("BEGIN")


def is_busy(error: BaseException) -> bool:
    """True for SQLite's "database is locked" / "database table is locked" (SQLITE_BUSY, SQLITE_LOCKED)."""
    orig = getattr(error, "orig", error)
    name = str(getattr(orig, "sqlite_errorname", ""))
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in str(orig)


def _begin_immediate(conn: Any, wait_s: float) -> None:
    """``BEGIN IMMEDIATE``, retried while another connection writes (each try waits up to the busy timeout).

    SQLite's busy handler gives up after ``busy_timeout``; a large import holds the write lock for longer, and the
    edit or import queued behind it should simply go next, not fail. After ``wait_s`` in all: ``StoreBusy``.
    """
    start = time.monotonic()
    while True:
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as error:
            if not is_busy(error):
                raise
            waited = time.monotonic() - start
            if waited >= wait_s:
                how_long = f"{waited / 60:.0f} minutes" if waited >= 120 else f"{waited:.1f} seconds"
                raise StoreBusy(
                    f"The store is busy: another import or edit has been writing to it for {how_long}, so nothing "
                    "was written. Try again when it has finished (a large import can take minutes)."
                ) from error
            time.sleep(min(0.05, max(0.0, wait_s - waited)))


def writer(engine: Engine) -> Engine:
    """The same engine, but transactions take SQLite's write lock up front (no-op elsewhere).

    Use as ``with writer(engine).begin() as conn: ...`` for every unit of work that writes.
    """
    return engine.execution_options(cxdash_write=True)


@contextmanager
def bulk_writer(engine: Engine) -> Iterator[Connection]:
    """``writer(engine).begin()`` for a large write (an import). On SQLite, for the transaction only:

    - the connection's page cache is raised to ``CXDASH_IMPORT_CACHE_KIB`` (default ``BULK_CACHE_KIB``): the indexes
      of a million responses do not fit SQLite's default 2 MB, and each row inserted at a random place in one read
      its pages again (1M survey rows imported 5% faster);
    - foreign keys are not enforced: checking them costs two index look-ups per rating row (about an eighth of an
      import's time), and every key an import writes is one it has just inserted or read in the same transaction,
      holding the write lock. The caller deletes dependent rows itself (no ON DELETE cascade runs meanwhile);
    - the commit does not copy the write-ahead log into the database file (SQLite's automatic checkpoint: 0.2 s of
      a 100k-row import, 1.3 s of a 1M one): ``checkpoint_later`` does, after the commit, on a thread of its own.

    All are set back after the transaction (commit or rollback); a connection that cannot be set back is dropped
    from the pool, never handed out again without its foreign keys."""
    on_sqlite = is_sqlite(engine)
    size = bulk_cache_kib() if on_sqlite else 0
    with writer(engine).connect() as conn:
        raw = conn.connection.driver_connection if on_sqlite else None
        before = auto_checkpoint = 0
        wal = False
        if raw is not None:  # outside the transaction (autocommit): no BEGIN is sent for the pragmas
            before = int(raw.execute("PRAGMA cache_size").fetchone()[0])
            raw.execute(f"PRAGMA cache_size=-{size}")
            raw.execute("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction: set before BEGIN
            wal = str(raw.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal"
            if wal:
                auto_checkpoint = int(raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
                raw.execute("PRAGMA wal_autocheckpoint=0")
        try:
            with conn.begin():
                yield conn
        finally:
            if raw is not None:
                try:
                    raw.execute(f"PRAGMA cache_size={before}")
                    raw.execute("PRAGMA foreign_keys=ON")
                    if wal:
                        raw.execute(f"PRAGMA wal_autocheckpoint={auto_checkpoint}")
                except sqlite3.Error:  # a connection broken by the failure: closed, not reused
                    conn.invalidate()
    if wal:  # committed
        checkpoint_later(engine)


def checkpoint_later(engine: Engine) -> None:
    """Copy a SQLite store's write-ahead log into its database file on a thread of its own (after a large commit,
    which then returns sooner). It is SQLite's PASSIVE checkpoint, the one a commit runs itself: it neither waits for
    readers nor blocks writers, and what it cannot copy yet (a reader still on an older snapshot) a later checkpoint
    does. The data was committed before it starts: readers read it from the log, and a process that ends meanwhile
    loses nothing. ``engine.dispose()`` (so ``close_all``) waits for it: the last connection to close still folds
    the log in and removes it."""
    thread = threading.Thread(target=_checkpoint, args=(engine,), name="cxdash-checkpoint")
    key = str(engine.url)  # not the engine: ``writer(engine)`` is another object over the same pool
    with _CHECKPOINTS_LOCK:
        threads = [t for t in _CHECKPOINTS.get(key, []) if t.is_alive()]
        _CHECKPOINTS[key] = [*threads, thread]
        thread.start()


def _checkpoint(engine: Engine) -> None:
    # a connection of its own to the file, not one from the pool (which another thread may be using meanwhile)
    args, kwargs = engine.dialect.create_connect_args(engine.url)
    uri = bool(kwargs.get("uri"))
    if not uri and not os.path.exists(args[0]):  # the file went away: nothing to fold (not made anew)
        return
    try:
        raw = sqlite3.connect(args[0], uri=uri, check_same_thread=False)
    except sqlite3.Error:
        return
    try:
        raw.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except sqlite3.Error:  # the next commit's automatic checkpoint copies what this one did not
        pass
    finally:
        raw.close()  # after a dispose, the store's last connection: the log is folded in and removed


def wait_for_checkpoints(engine: Engine) -> None:
    """Wait for the checkpoints ``checkpoint_later`` started on ``engine``'s database."""
    with _CHECKPOINTS_LOCK:
        threads = _CHECKPOINTS.pop(str(engine.url), [])
    for thread in threads:
        thread.join()


def bulk_cache_kib() -> int:
    """The import connection's SQLite page cache in KiB: ``CXDASH_IMPORT_CACHE_KIB`` or ``BULK_CACHE_KIB``."""
    value = os.environ.get("CXDASH_IMPORT_CACHE_KIB", "").strip()
    if not value:
        return BULK_CACHE_KIB
    if not value.isdigit() or int(value) == 0:
        raise CxdashError(
            f"CXDASH_IMPORT_CACHE_KIB must be a whole number of KiB above 0 (for example 65536), not '{value}'."
        )
    return int(value)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
