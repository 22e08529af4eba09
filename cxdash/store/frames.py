"""Response-level frames for analyses that need rows, not aggregates (drivers, what-if, clustering).

One row per response: its id, time, NPS / CSAT / CES and one column per touchpoint rating (NaN = not rated).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, Table, select

from cxdash.store.models import Rating, Response, Touchpoint
from cxdash.store.queries import Filters, response_conditions

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


def response_frame(engine: Engine, workspace_id: int, filters: Filters | None = None) -> pd.DataFrame:
    """Responses matching the filters with outcomes and touchpoint ratings as columns (touchpoints in order)."""
    conds = response_conditions(workspace_id, filters)
    base = select(R.c.id, R.c.responded_at, R.c.nps, R.c.csat, R.c.csat_max, R.c.ces).where(*conds)
    ratings = (
        select(RT.c.response_id, TP.c.name, RT.c.score)
        .select_from(RT.join(R, RT.c.response_id == R.c.id).join(TP, RT.c.touchpoint_id == TP.c.id))
        .where(*conds)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(base).all(), columns=["id", "responded_at", "nps", "csat", "csat_max", "ces"])
        long = pd.DataFrame(conn.execute(ratings).all(), columns=["id", "touchpoint", "score"])
    frame = frame.set_index("id")
    for col in OUTCOME_COLUMNS:
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    if not long.empty:
        wide = long.pivot(index="id", columns="touchpoint", values="score").astype("float64")
        order = [t for t in touchpoint_scales(engine, workspace_id) if t in wide.columns]
        frame = frame.join(wide[order], how="left")
    return frame
