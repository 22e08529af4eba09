"""Response-level frames for analyses that need rows, not aggregates (drivers, what-if, clustering).

One row per response: its id, time, NPS / CSAT / CES and one column per touchpoint rating (NaN = not rated).
"""

from __future__ import annotations

from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import CursorResult, Engine, Result, Table, select

from cxdash.errors import InputRefused
from cxdash.store.models import Rating, Response, Touchpoint
from cxdash.store.queries import (
    CesScale,
    Filters,
    ces_scale,
    ces_scaled,
    csat_scale,
    csat_scaled,
    response_conditions,
)

R: Table = Response.__table__  # type: ignore[attr-defined]
RT: Table = Rating.__table__  # type: ignore[attr-defined]
TP: Table = Touchpoint.__table__  # type: ignore[attr-defined]

OUTCOME_COLUMNS = ("nps", "csat", "ces")


def touchpoint_scales(engine: Engine, workspace_id: int) -> dict[str, tuple[int, int]]:
    """Touchpoint name → (scale min, scale max), in journey order."""
    stmt = (
        select(TP.c.name, TP.c.scale_min, TP.c.scale_max)
        .where(TP.c.workspace_id == workspace_id)
        .order_by(TP.c.position, TP.c.id)
    )
    with engine.connect() as conn:
        return {name: (int(lo), int(hi)) for name, lo, hi in conn.execute(stmt)}


def plain_rows(result: Result[Any]) -> list[tuple[Any, ...]]:
    """A result's rows as plain tuples: pandas probes each SQLAlchemy ``Row`` for namedtuple fields (an exception
    per row inside SQLAlchemy), which made building a frame of 100k rows take seconds instead of milliseconds."""
    return [tuple(row) for row in result.all()]


def cursor_rows(result: CursorResult[Any]) -> list[tuple[Any, ...]]:
    """A result's rows as the driver's own tuples, fetched from its cursor in one go: for plain values (numbers,
    text) that need no conversion by SQLAlchemy, without a ``Row`` per row (0.3 s per 200k rows)."""
    cursor = result.cursor
    rows = list(cursor.fetchall()) if cursor is not None else []
    result.close()
    return rows if not rows or isinstance(rows[0], tuple) else [tuple(row) for row in rows]


def read_times(values: pd.Series) -> pd.Series:
    """A column of times read with ``cursor_rows`` as datetimes, as SQLAlchemy would have read them: SQLite gives the
    text SQLAlchemy stored (``2026-01-05 09:30:00.000000``), parsed here in one call instead of one Python call per
    row (0.25 s per 64k comments); PostgreSQL gives datetimes already (pandas made the column of them)."""
    if values.isna().all() or not pd.api.types.is_string_dtype(values):
        return values
    return pd.to_datetime(values, format="ISO8601").astype("datetime64[us]")


def numeric_rows(result: CursorResult[Any], width: int) -> np.ndarray:
    """A result of numbers only as a float matrix (NULL: NaN), read from the driver's cursor in one go (no SQLAlchemy
    ``Row`` per row: for the millions of ratings of a large workspace that per-row work was most of the time), its
    values streamed into the array (``np.array`` of the tuples takes 2–3× as long)."""
    rows = cursor_rows(result)
    values = np.fromiter(chain.from_iterable(rows), dtype="float64", count=len(rows) * width)
    return values.reshape(-1, width)


def response_frame(
    engine: Engine, workspace_id: int, filters: Filters | None = None, ces: CesScale | None = None
) -> pd.DataFrame:
    """Responses matching the filters with outcomes and touchpoint ratings as columns (touchpoints in order); CES
    on the workspace's CES scale (``ces`` when known), as the metrics report it, and CSAT on the scale of most of its
    answers (``csat_max`` stays each answer's own).

    One row per respondent by nature (regressions, what-if and clustering need them), so its cost grows with the
    responses: two queries (responses; their ratings, long) and a numpy scatter into the wide matrix.
    """
    conds = response_conditions(workspace_id, filters)
    ces_column = ces_scaled(ces or ces_scale(engine, workspace_id)).label("ces")
    csat_column = csat_scaled(csat_scale(engine, workspace_id)).label("csat")
    base = select(R.c.id, R.c.responded_at, R.c.nps, csat_column, R.c.csat_max, ces_column).where(*conds)
    # Ratings of the matching responses as a semi-join: SQLite then reads them in response order (the join walked
    # the responses in time order, one random page per response: twice as slow on a million responses).
    ratings = select(RT.c.response_id, RT.c.touchpoint_id, RT.c.score).where(
        RT.c.response_id.in_(select(R.c.id).where(*conds))
    )
    tp_stmt = select(TP.c.id, TP.c.name).where(TP.c.workspace_id == workspace_id).order_by(TP.c.position, TP.c.id)
    with engine.connect() as conn:
        frame = pd.DataFrame(
            cursor_rows(conn.execute(base)), columns=["id", "responded_at", "nps", "csat", "csat_max", "ces"]
        )
        long = numeric_rows(conn.execute(ratings), 3)
        touchpoints = [(int(i), str(name)) for i, name in conn.execute(tp_stmt)]
    frame["responded_at"] = read_times(frame["responded_at"])
    frame = frame.set_index("id")
    for col in OUTCOME_COLUMNS:
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    if len(long):
        rated = {int(t) for t in np.unique(long[:, 1])}
        order = [(tp_id, name) for tp_id, name in touchpoints if tp_id in rated]
        clash = [name for _, name in order if name in frame.columns]
        if clash:
            raise InputRefused(
                f"The touchpoint {clash[0]!r} has the name of a built-in column; rename the touchpoint to analyse it."
            )
        column_of = np.full(int(long[:, 1].max()) + 1, -1, dtype="int64")
        for j, (tp_id, _) in enumerate(order):
            column_of[tp_id] = j
        rows = frame.index.get_indexer(long[:, 0].astype("int64"))
        cols = column_of[long[:, 1].astype("int64")]
        # Only ratings of this frame's responses and of this workspace's touchpoints (PostgreSQL reads each query
        # at its own moment: a response committed in between has ratings but no row here).
        keep = (rows >= 0) & (cols >= 0)
        wide = np.full((len(frame), len(order)), np.nan)
        wide[rows[keep], cols[keep]] = long[keep, 2]
        frame = frame.join(pd.DataFrame(wide, index=frame.index, columns=[name for _, name in order]))
    return frame
