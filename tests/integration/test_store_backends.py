"""What must hold on SQLite and on PostgreSQL alike (each test runs on the backend the fixtures give: SQLite files
by default, PostgreSQL under ``.ci/run``): bulk writes store exactly what was written, filters that can match
nothing, the respondent frame, fresh planner statistics after a bulk write, and the benchmark's generator."""

from __future__ import annotations

import importlib.util
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, Table, bindparam, func, insert, select, text, update

from cxdash.errors import CxdashError, InputRefused
from cxdash.ingest.load import import_file
from cxdash.ingest.write import SQLITE_ROWS_PER_INSERT, delete_where_in, insert_rows, update_rows
from cxdash.store.engine import BULK_CACHE_KIB, bulk_cache_kib, bulk_writer, writer
from cxdash.store.frames import numeric_rows, response_frame
from cxdash.store.models import Comment, ImportBatch, Rating, Response, Touchpoint, Workspace
from cxdash.store.queries import Filters, kpis, touchpoint_scores
from cxdash.store.workspaces import get_workspace, open_store

REPO = Path(__file__).resolve().parents[2]
R = cast(Table, Response.__table__)
C = cast(Table, Comment.__table__)
RT = cast(Table, Rating.__table__)
TP = cast(Table, Touchpoint.__table__)
CSV = """id,date,nps,plan,Delivery,Checkout,comment
r1,2026-01-05,2,Basic,1,3,Late again
r2,2026-01-20,9,Plus,5,,Great
r3,2026-02-03,7,Basic,,4,
r4,2026-02-10,10,Plus,4,5,Lovely staff
r5,2026-03-01,0,Basic,2,1,Never again
"""
MAPPING = {
    "id": "response_id", "date": "date", "nps": "nps", "plan": "attribute:plan", "Delivery": "rating:Delivery",
    "Checkout": "rating:Checkout", "comment": "comment",
}  # fmt: skip


@pytest.fixture
def ws(engine: Engine) -> int:
    import_file(engine, CSV.encode(), "s.csv", "Shop", mapping=MAPPING)
    ws_id = get_workspace(engine, "Shop").id
    assert ws_id is not None
    return ws_id


def test_bulk_writer_stores_exactly_what_it_was_given(engine: Engine, ws: int) -> None:
    """Text that COPY's text format must escape (tabs, newlines, backslashes, \\N), non-ASCII, None and times."""
    texts = ["tab\there", "two\nlines", "back\\slash", "\\N", "", "配送が遅い 😡", "quote ' and \" and ,", "x" * 5000]
    with engine.connect() as conn:
        rid = conn.execute(select(R.c.id).where(R.c.workspace_id == ws).order_by(R.c.id)).scalars().first()
    with writer(engine).begin() as conn:
        insert_rows(
            conn,
            C,
            {
                "response_id": [rid] * len(texts),
                "touchpoint_id": [None] * len(texts),
                "source": ["bulk"] * len(texts),
                "text": texts,
                "language": [None] * len(texts),
                "compound": [0.25, -1.0, None, 0.0, 1e-9, -0.5, 0.125, None],
                "label": ["positive", "negative", None, "neutral", None, "negative", "positive", None],
                "method": ["m"] * len(texts),
            },
        )
    with engine.connect() as conn:
        back = conn.execute(
            select(C.c.text, C.c.compound, C.c.label).where(C.c.source == "bulk").order_by(C.c.id)
        ).all()
    assert [tuple(r) for r in back] == [
        ("tab\there", 0.25, "positive"),
        ("two\nlines", -1.0, "negative"),
        ("back\\slash", None, None),
        ("\\N", 0.0, "neutral"),
        ("", 1e-9, None),
        ("配送が遅い 😡", -0.5, "negative"),
        ("quote ' and \" and ,", 0.125, "positive"),
        ("x" * 5000, None, None),
    ]


def test_bulk_writer_keeps_every_row_in_order_past_one_statement(engine: Engine, ws: int) -> None:
    """Many rows per INSERT on SQLite: groups of rows, the rows left over and several executemany calls (a small
    ``chunk``) store every row once, in the order given (ids are assigned in insertion order)."""
    with engine.connect() as conn:
        rid = conn.execute(select(R.c.id).where(R.c.workspace_id == ws).order_by(R.c.id)).scalars().first()
    n = 2 * SQLITE_ROWS_PER_INSERT + 13  # two full groups at most, then single rows
    texts = [f"row {i}" for i in range(n)]
    compounds = [None if i % 7 == 0 else i / n for i in range(n)]
    with writer(engine).begin() as conn:
        insert_rows(
            conn,
            C,
            {"response_id": [rid] * n, "source": ["order"] * n, "text": texts, "compound": compounds},
            chunk=3,
        )
        with pytest.raises(ValueError):
            insert_rows(conn, C, {"response_id": [rid] * 2, "source": ["order"], "text": ["a", "b"]})
    with engine.connect() as conn:
        back = conn.execute(select(C.c.text, C.c.compound).where(C.c.source == "order").order_by(C.c.id)).all()
    assert [tuple(r) for r in back] == list(zip(texts, compounds, strict=True))


def test_bulk_transaction_commits_or_rolls_back_and_leaves_sqlite_cache_as_it_was(engine: Engine, ws: int) -> None:
    """An import's transaction (bulk_writer): committed when the block ends, rolled back when it raises; on SQLite
    the connection's page cache is large only while it writes (the pool hands the connection out again after)."""
    row = {"workspace_id": [ws], "batch_id": [1], "source_row": [77]}
    sqlite = engine.dialect.name == "sqlite"
    used = []

    def cache(raw: Any) -> int:
        return int(raw.execute("PRAGMA cache_size").fetchone()[0])

    with pytest.raises(RuntimeError), bulk_writer(engine) as conn:
        insert_rows(conn, R, row)
        used.append(conn.connection.driver_connection)
        if sqlite:  # while it writes: a large cache, foreign keys not checked
            assert cache(used[-1]) == -BULK_CACHE_KIB
            assert used[-1].execute("PRAGMA foreign_keys").fetchone()[0] == 0
        raise RuntimeError("rolled back")
    with engine.connect() as conn:
        assert conn.execute(select(R.c.id).where(R.c.source_row == 77)).first() is None
    with bulk_writer(engine) as conn:
        insert_rows(conn, R, row)
        used.append(conn.connection.driver_connection)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).where(R.c.source_row == 77)).scalar_one() == 1
    if sqlite:  # SQLite's default (-2000, in KiB) and foreign keys again on the connections the pool keeps
        assert [cache(raw) for raw in used] == [-2000, -2000]
        assert [raw.execute("PRAGMA foreign_keys").fetchone()[0] for raw in used] == [1, 1]


def test_import_cache_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CXDASH_IMPORT_CACHE_KIB", raising=False)
    assert bulk_cache_kib() == BULK_CACHE_KIB
    monkeypatch.setenv("CXDASH_IMPORT_CACHE_KIB", " 4096 ")
    assert bulk_cache_kib() == 4096
    for bad in ("0", "-5", "64MB"):
        monkeypatch.setenv("CXDASH_IMPORT_CACHE_KIB", bad)
        with pytest.raises(CxdashError, match="CXDASH_IMPORT_CACHE_KIB must be a whole number"):
            bulk_cache_kib()


def test_bulk_writer_keeps_times_and_the_transaction(engine: Engine, ws: int) -> None:
    when = datetime(2026, 3, 4, 5, 6, 7, 891011)
    with pytest.raises(RuntimeError), writer(engine).begin() as conn:
        insert_rows(conn, R, {"workspace_id": [ws], "batch_id": [1], "source_row": [99], "responded_at": [when]})
        raise RuntimeError("rolled back")
    with engine.connect() as conn:
        assert conn.execute(select(R.c.id).where(R.c.source_row == 99)).first() is None
    with writer(engine).begin() as conn:
        insert_rows(conn, R, {"workspace_id": [ws], "batch_id": [1], "source_row": [99], "responded_at": [when]})
    with engine.connect() as conn:
        assert conn.execute(select(R.c.responded_at).where(R.c.source_row == 99)).scalar_one() == when


def test_bulk_times_from_numpy_are_stored_as_sqlalchemy_stores_them(engine: Engine, ws: int) -> None:
    """A datetime64 column (bound in one numpy call on SQLite) lands exactly as SQLAlchemy's insert writes the same
    Python datetimes, missing times included; both read back as the same datetimes."""
    times = [datetime(2026, 3, 4, 5, 6, 7, 891011), None, datetime(1999, 12, 31, 23, 59, 59), datetime(2026, 1, 1)]
    stamps = pd.Series(times, dtype="datetime64[ns]").to_numpy(dtype="datetime64[us]")
    rows = list(range(200, 200 + len(times)))
    with writer(engine).begin() as conn:
        columns = {"workspace_id": [ws] * 4, "batch_id": [1] * 4, "source_row": rows, "responded_at": stamps}
        insert_rows(conn, R, columns)
        by_orm = [
            {"workspace_id": ws, "batch_id": 1, "source_row": r + 100, "responded_at": t}
            for r, t in zip(rows, times, strict=True)
        ]
        conn.execute(insert(R), by_orm)
    with engine.connect() as conn:
        raw = text("SELECT source_row, CAST(responded_at AS TEXT) FROM response WHERE source_row >= 200")
        stored = dict(conn.execute(raw).all())
        typed = dict(conn.execute(select(R.c.source_row, R.c.responded_at).where(R.c.source_row >= 200)).all())
    assert [stored[r] for r in rows] == [stored[r + 100] for r in rows]
    assert [typed[r] for r in rows] == times


def test_bulk_updates_and_deletes_store_what_sqlalchemy_would(engine: Engine, ws: int) -> None:
    """update_rows (times from numpy, missing values) leaves each row as SQLAlchemy's update would; delete_where_in
    removes exactly the rows named, also past one statement's worth of ids."""
    times = [datetime(2026, 5, 6, 7, 8, 9, 123456), None]
    stamps = pd.Series(times, dtype="datetime64[ns]").to_numpy(dtype="datetime64[us]")
    with engine.connect() as conn:
        ids = conn.execute(select(R.c.id).where(R.c.workspace_id == ws).order_by(R.c.id)).scalars().all()[:4]
    with writer(engine).begin() as conn:
        update_rows(conn, R, "id", ids[:2], {"nps": [7, None], "channel": ["web", None], "responded_at": stamps})
        conn.execute(
            update(R).where(R.c.id == bindparam("rid")),
            [
                {"rid": rid, "nps": n, "channel": c, "responded_at": t}
                for rid, n, c, t in zip(ids[2:], [7, None], ["web", None], times, strict=True)
            ],
        )
    with engine.connect() as conn:
        raw = text("SELECT id, nps, channel, CAST(responded_at AS TEXT) FROM response WHERE id IN :ids")
        got = {r[0]: tuple(r[1:]) for r in conn.execute(raw.bindparams(bindparam("ids", expanding=True)), {"ids": ids})}
        typed = dict(conn.execute(select(R.c.id, R.c.responded_at).where(R.c.id.in_(ids))).all())
    assert [got[i] for i in ids[:2]] == [got[i] for i in ids[2:]]
    assert [typed[i] for i in ids[:2]] == times
    with writer(engine).begin() as conn:
        before = conn.execute(select(func.count()).select_from(RT)).scalar_one()
        named = conn.execute(select(func.count()).select_from(RT).where(RT.c.response_id.in_(ids[:3]))).scalar_one()
        delete_where_in(conn, RT, "response_id", [*ids[:3], *range(10**9, 10**9 + 150_000)])
        assert conn.execute(select(func.count()).select_from(RT)).scalar_one() == before - named > 0


def test_a_filter_value_no_store_can_hold_matches_nothing(engine: Engine, ws: int) -> None:
    """A NUL character (the persona filter's "no value" marker) is refused by PostgreSQL in text: such a value must
    match nothing on both backends instead of failing, and the other values of the same filter still count."""
    assert kpis(engine, ws)["nps"].n == 5
    assert kpis(engine, ws, Filters(attributes={"plan": ["\x00(no value)"]}))["nps"].n == 0
    assert kpis(engine, ws, Filters(attributes={"plan": ["\x00(no value)", "Plus"]}))["nps"].n == 2
    assert kpis(engine, ws, Filters(channels=["\x00"]))["nps"].n == 0
    assert touchpoint_scores(engine, ws, Filters(touchpoints=["Delivery\x00"])).empty


def _pivot_by_hand(engine: Engine, ws: int) -> pd.DataFrame:
    """The respondent frame the long way: every row through pandas, pivoted by touchpoint name."""
    with engine.connect() as conn:
        base = pd.DataFrame(
            [tuple(r) for r in conn.execute(
                select(R.c.id, R.c.responded_at, R.c.nps, R.c.csat, R.c.csat_max, R.c.ces).where(R.c.workspace_id == ws)
            )],
            columns=["id", "responded_at", "nps", "csat", "csat_max", "ces"],
        ).set_index("id")  # fmt: skip
        long = pd.DataFrame(
            [tuple(r) for r in conn.execute(
                select(RT.c.response_id, TP.c.name, RT.c.score).join(TP, TP.c.id == RT.c.touchpoint_id)
                .where(TP.c.workspace_id == ws)
            )],
            columns=["id", "touchpoint", "score"],
        )  # fmt: skip
        order = list(conn.execute(select(TP.c.name).where(TP.c.workspace_id == ws).order_by(TP.c.position)).scalars())
    for col in ("nps", "csat", "ces"):
        base[col] = pd.to_numeric(base[col], errors="coerce").astype("float64")
    wide = long.pivot(index="id", columns="touchpoint", values="score").astype("float64")
    return base.join(wide[[t for t in order if t in wide.columns]], how="left")


def test_respondent_frame_equals_the_pandas_pivot(engine: Engine, ws: int) -> None:
    frame = response_frame(engine, ws)
    pd.testing.assert_frame_equal(frame, _pivot_by_hand(engine, ws), check_names=False)
    assert list(frame.columns) == ["responded_at", "nps", "csat", "csat_max", "ces", "Delivery", "Checkout"]
    assert frame.loc[frame["nps"] == 7.0, "Delivery"].isna().all()  # r3 did not rate Delivery
    assert frame["Checkout"].isna().sum() == 1 and frame["Delivery"].isna().sum() == 1
    plus = response_frame(engine, ws, Filters(attributes={"plan": ["Plus"]}))
    assert sorted(plus["nps"]) == [9.0, 10.0]
    assert response_frame(engine, ws, Filters(date_from=datetime(2030, 1, 1))).empty


def test_numeric_rows_reads_numbers_nulls_as_nan_and_no_rows(engine: Engine, ws: int) -> None:
    query = select(R.c.id, R.c.nps, R.c.ces).where(R.c.workspace_id == ws).order_by(R.c.id)
    with engine.connect() as conn:
        got = numeric_rows(conn.execute(query), 3)
        expected = [tuple(row) for row in conn.execute(query)]
        none = numeric_rows(conn.execute(query.where(R.c.id < 0)), 3)
    assert got.shape == (len(expected), 3) and none.shape == (0, 3)
    want = np.array([[np.nan if v is None else float(v) for v in row] for row in expected])
    np.testing.assert_array_equal(got, want)
    assert np.isnan(got).any()  # a response without a CES answer


def test_respondent_frame_keeps_to_the_workspaces_own_touchpoints(engine: Engine, ws: int) -> None:
    """A rating pointing at another workspace's touchpoint (never written by the importer) is not a column here,
    and a workspace whose responses carry only such ratings has no touchpoint columns."""
    import_file(engine, CSV.encode(), "other.csv", "Other", mapping=MAPPING)
    other = get_workspace(engine, "Other").id
    with engine.connect() as conn:
        foreign = conn.execute(select(TP.c.id).where(TP.c.workspace_id == other, TP.c.name == "Delivery")).scalar_one()
        rid = conn.execute(select(R.c.id).where(R.c.workspace_id == ws, R.c.external_id == "r3")).scalar_one()
    with writer(engine).begin() as conn:
        conn.execute(insert(RT).values(response_id=rid, touchpoint_id=foreign, score=5.0))
    frame = response_frame(engine, ws)
    pd.testing.assert_frame_equal(frame, _pivot_by_hand(engine, ws), check_names=False)
    assert pd.isna(frame.loc[rid, "Delivery"])  # r3 did not rate this workspace's Delivery
    with writer(engine).begin() as conn:
        conn.execute(TP.delete().where(TP.c.workspace_id == ws))
        conn.execute(insert(RT).values(response_id=rid, touchpoint_id=foreign + 1, score=1.0))
    assert list(response_frame(engine, ws).columns) == ["responded_at", "nps", "csat", "csat_max", "ces"]


def test_a_touchpoint_named_like_a_built_in_column_is_refused_with_a_message(engine: Engine, ws: int) -> None:
    with writer(engine).begin() as conn:
        conn.execute(TP.update().where(TP.c.workspace_id == ws, TP.c.name == "Delivery").values(name="nps"))
    with pytest.raises(InputRefused, match="'nps' has the name of a built-in column"):
        response_frame(engine, ws)


def _known_rows(conn: Any) -> float | None:
    """How many responses the planner's statistics know of (None: no statistics)."""
    if conn.dialect.name == "postgresql":
        return float(conn.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'response'")).scalar_one())
    if conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first() is None:
        return None
    stat = conn.execute(text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'response' LIMIT 1")).scalar()
    return float(stat.split()[0]) if stat else None


def test_planner_statistics_follow_a_bulk_write(engine: Engine, ws: int) -> None:
    """A bulk write of many rows refreshes the response table's statistics inside its transaction (stale ones made
    the queries after an import walk every row per row on PostgreSQL, and page queries on SQLite read the table in
    random order); a small write leaves them alone."""
    with engine.connect() as conn:
        before = _known_rows(conn)
    assert before is None or before < 1_000  # the five responses of the fixture did not trigger an ANALYZE
    n = 5_000
    with writer(engine).begin() as conn:
        insert_rows(
            conn,
            R,
            {"workspace_id": [ws] * n, "batch_id": [1] * n, "source_row": list(range(1000, 1000 + n))},
        )
        assert (_known_rows(conn) or 0) >= n
    with writer(engine).begin() as conn:
        insert_rows(conn, R, {"workspace_id": [ws] * 10, "batch_id": [1] * 10, "source_row": list(range(10))})
        assert (_known_rows(conn) or 0) < n + 10  # 10 more rows are no reason to read the table again
    assert kpis(engine, ws)["nps"].n == 5


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_pages", REPO / "bench" / "bench_pages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_data_is_what_the_pages_read_and_ids_keep_counting(store_url: str) -> None:
    """The benchmark writes explicit ids; afterwards the store still hands out new ids (PostgreSQL sequences moved
    past them) and the page queries see every generated row."""
    bench = _bench()
    engine = open_store(store_url)
    with writer(engine).begin() as conn:
        bench.generate(conn, 300)
    with engine.connect() as conn:
        n_nps = conn.execute(select(R.c.id).where(R.c.nps.is_not(None))).all()
        n_ratings = len(conn.execute(select(RT.c.response_id)).all())
    assert kpis(engine, 1)["nps"].n == len(n_nps)
    scores = touchpoint_scores(engine, 1)
    assert list(scores["touchpoint"]) == [name for name, *_ in bench.TOUCHPOINTS]
    assert int(scores["n"].sum()) == n_ratings
    calls: dict[str, Any] = {**bench.overview(engine), **bench.drivers_data_calls(engine)}
    assert all(fn() is not None for fn in calls.values())
    with writer(engine).begin() as conn:  # new rows after explicit ids
        now = datetime(2026, 1, 1)
        ws = conn.execute(
            insert(cast(Table, Workspace.__table__)).values(name="After", language="en", created_at=now)
        ).inserted_primary_key
        batch = conn.execute(
            insert(cast(Table, ImportBatch.__table__)).values(
                workspace_id=ws[0], file_name="f", content_hash="h", created_at=now
            )
        ).inserted_primary_key
        new = conn.execute(insert(R).values(workspace_id=ws[0], batch_id=batch[0], source_row=1)).inserted_primary_key
    assert ws[0] == 2 and new[0] == 301
    engine.dispose()
