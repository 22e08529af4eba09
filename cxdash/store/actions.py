"""Improvement actions on touchpoints and their measured effect (plan → do → check → act).

An action has a title, a description, one or more touchpoints, an owner, a start date, a status and an expected
effect; it can come from the Drivers page (a "fix first" touchpoint), a journey-map pain point (``journey_step_id``)
or be written by hand. Its effect compares a window before the start date with a window after it (the user chooses
the lengths) over the respondents who rated one of its touchpoints: their rating of the touchpoint(s), their NPS and
the share of negative comments among their comments (general ones and those about these touchpoints). The store
returns sufficient statistics; ``cxdash.analysis.effect`` turns them into differences with intervals and tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

import pandas as pd
from sqlalchemy import Connection, Engine, Float, Table, delete, func, insert, or_, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.sql.elements import ColumnElement

from cxdash.analysis.effect import MetricEffect, SideStats, effects
from cxdash.analysis.metrics import MIN_N, ces_from_moments
from cxdash.errors import InputRefused, NotFound
from cxdash.store.engine import writer
from cxdash.store.models import (
    ActionTouchpoint,
    Comment,
    ImprovementAction,
    JourneyStep,
    Rating,
    Response,
    Touchpoint,
    utcnow,
)
from cxdash.store.queries import Filters, _month_start, _sum_if, _week_start, response_conditions

R = cast(Table, Response.__table__)  # type: ignore[attr-defined]
C = cast(Table, Comment.__table__)  # type: ignore[attr-defined]
RT = cast(Table, Rating.__table__)  # type: ignore[attr-defined]
TP = cast(Table, Touchpoint.__table__)  # type: ignore[attr-defined]
IA = cast(Table, ImprovementAction.__table__)  # type: ignore[attr-defined]
AT = cast(Table, ActionTouchpoint.__table__)  # type: ignore[attr-defined]
JS = cast(Table, JourneyStep.__table__)  # type: ignore[attr-defined]

STATUSES = ("planned", "in_progress", "done", "stopped")
ORIGINS = ("manual", "drivers", "journey")
DEFAULT_WINDOW_DAYS = 90
FIELDS = ("title", "description", "owner", "status", "expected_effect", "origin", "journey_step_id")


def _as_datetime(value: date | datetime | str) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time.min)
    try:
        return datetime.combine(date.fromisoformat(str(value).strip()[:10]), time.min)
    except ValueError:
        raise InputRefused(
            f"The start date '{value}' is not a date: write it as YYYY-MM-DD, e.g. 2026-06-01."
        ) from None


def _touchpoint_ids(conn: Connection, workspace_id: int, names: Sequence[str]) -> list[int]:
    wanted = [n.strip() for n in names if n and n.strip()]
    if not wanted:
        raise InputRefused("An action needs at least one touchpoint: the effect is measured on its ratings.")
    found = dict(
        conn.execute(select(TP.c.name, TP.c.id).where(TP.c.workspace_id == workspace_id, TP.c.name.in_(wanted))).all()
    )
    missing = [n for n in wanted if n not in found]
    if missing:
        known = [n for (n,) in conn.execute(select(TP.c.name).where(TP.c.workspace_id == workspace_id))]
        raise InputRefused(
            f"No touchpoint called {', '.join(repr(m) for m in missing)} in this workspace. "
            f"Touchpoints: {', '.join(known) or 'none yet (import ratings first)'}."
        )
    return [int(found[n]) for n in dict.fromkeys(wanted)]


def _check(title: str | None, status: str | None, origin: str | None) -> None:
    if title is not None and not title.strip():
        raise InputRefused("An action needs a title (what will be done).")
    if title is not None and len(title.strip()) > 300:
        raise InputRefused(f"The title is {len(title.strip())} characters long; keep it under 300.")
    if status is not None and status not in STATUSES:
        raise InputRefused(f"Unknown action status '{status}'. Use one of: {', '.join(STATUSES)}.")
    if origin is not None and origin not in ORIGINS:
        raise InputRefused(f"Unknown action origin '{origin}'. Use one of: {', '.join(ORIGINS)}.")


def create_action(
    engine: Engine,
    workspace_id: int,
    title: str,
    touchpoints: Sequence[str],
    start: date | datetime | str,
    *,
    owner: str = "",
    description: str = "",
    status: str = "planned",
    expected_effect: str = "",
    origin: str = "manual",
    journey_step_id: int | None = None,
) -> dict[str, Any]:
    """Create an action on the named touchpoints; returns it as ``get_action`` does."""
    _check(title, status, origin)
    start_at = _as_datetime(start)
    now = utcnow()
    with writer(engine).begin() as conn:
        tp_ids = _touchpoint_ids(conn, workspace_id, touchpoints)
        inserted = conn.execute(
            insert(IA).values(
                workspace_id=workspace_id,
                title=title.strip(),
                description=description,
                owner=owner.strip(),
                start_date=start_at,
                status=status,
                expected_effect=expected_effect,
                origin=origin,
                journey_step_id=journey_step_id,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key
        assert inserted is not None
        action_id = int(inserted[0])
        conn.execute(insert(AT), [{"action_id": action_id, "touchpoint_id": t} for t in tp_ids])
    return get_action(engine, int(action_id))


def update_action(
    engine: Engine,
    action_id: int,
    *,
    touchpoints: Sequence[str] | None = None,
    start: date | datetime | str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Change any of title, description, owner, status, expected_effect, origin, journey_step_id, start, touchpoints."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise InputRefused(f"Unknown action field(s): {', '.join(sorted(unknown))}.")
    _check(fields.get("title"), fields.get("status"), fields.get("origin"))
    values: dict[str, Any] = {k: (v.strip() if k in ("title", "owner") else v) for k, v in fields.items()}
    if start is not None:
        values["start_date"] = _as_datetime(start)
    values["updated_at"] = utcnow()
    with writer(engine).begin() as conn:
        ws = conn.execute(select(IA.c.workspace_id).where(IA.c.id == action_id)).scalar_one_or_none()
        if ws is None:
            raise NotFound(f"Improvement action {action_id} does not exist (it may have been deleted).")
        conn.execute(update(IA).where(IA.c.id == action_id).values(**values))
        if touchpoints is not None:
            tp_ids = _touchpoint_ids(conn, int(ws), touchpoints)
            conn.execute(delete(AT).where(AT.c.action_id == action_id))
            conn.execute(insert(AT), [{"action_id": action_id, "touchpoint_id": t} for t in tp_ids])
    return get_action(engine, action_id)


def delete_action(engine: Engine, action_id: int) -> None:
    with writer(engine).begin() as conn:
        if not conn.execute(delete(IA).where(IA.c.id == action_id)).rowcount:
            raise NotFound(f"Improvement action {action_id} does not exist (it may have been deleted already).")


def _rows(conn: Connection, where: list[ColumnElement[bool]]) -> list[dict[str, Any]]:
    rows = [
        dict(r) for r in conn.execute(select(IA).where(*where).order_by(IA.c.start_date.desc(), IA.c.id)).mappings()
    ]
    if not rows:
        return []
    names: dict[int, list[str]] = {}
    tp_rows = conn.execute(
        select(AT.c.action_id, TP.c.name)
        .join(TP, TP.c.id == AT.c.touchpoint_id)
        .where(AT.c.action_id.in_([r["id"] for r in rows]))
        .order_by(AT.c.action_id, TP.c.position, TP.c.id)
    )
    for aid, name in tp_rows:
        names.setdefault(int(aid), []).append(str(name))
    out = []
    for r in rows:
        out.append(
            {
                "id": int(r["id"]),
                "title": r["title"],
                "description": r["description"],
                "touchpoints": names.get(int(r["id"]), []),
                "owner": r["owner"],
                "start": r["start_date"].date().isoformat() if r["start_date"] else None,
                "status": r["status"],
                "expected_effect": r["expected_effect"],
                "origin": r["origin"],
                "journey_step_id": r["journey_step_id"],
                "workspace_id": int(r["workspace_id"]),
                "created_at": r["created_at"],
                "updated_at": r["updated_at"],
            }
        )
    return out


def get_action(engine: Engine, action_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        rows = _rows(conn, [IA.c.id == action_id])
    if not rows:
        raise NotFound(f"Improvement action {action_id} does not exist (it may have been deleted).")
    return rows[0]


def list_actions(
    engine: Engine,
    workspace_id: int,
    *,
    touchpoint: str | None = None,
    journey_step_id: int | None = None,
    statuses: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """The workspace's actions, newest start first; optionally those on a touchpoint or from a journey step."""
    where: list[ColumnElement[bool]] = [IA.c.workspace_id == workspace_id]
    if touchpoint:
        sub = select(AT.c.action_id).join(TP, TP.c.id == AT.c.touchpoint_id).where(TP.c.name == touchpoint)
        where.append(IA.c.id.in_(sub))
    if journey_step_id is not None:
        where.append(IA.c.journey_step_id == journey_step_id)
    if statuses:
        where.append(IA.c.status.in_(list(statuses)))
    with engine.connect() as conn:
        return _rows(conn, where)


def actions_in_progress_at(engine: Engine, workspace_id: int, when: datetime) -> int:
    """Actions started by ``when`` and still in progress now."""
    stmt = select(func.count()).where(
        IA.c.workspace_id == workspace_id, IA.c.status == "in_progress", IA.c.start_date <= when
    )
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


# ---------------------------------------------------------------------------------------------------------- effect


@dataclass(frozen=True)
class Windows:
    start: datetime
    before_from: datetime
    after_to: datetime  # exclusive

    @classmethod
    def around(cls, start: datetime, before_days: int, after_days: int) -> Windows:
        if before_days < 1 or after_days < 1:
            raise InputRefused("The before and after windows must each be at least one day long.")
        return cls(start, start - timedelta(days=before_days), start + timedelta(days=after_days))


def _action_scope(conn: Connection, action_id: int) -> tuple[dict[str, Any], list[int], bool]:
    """(action row, touchpoint ids, whether their scales differ — then scores are put on 0–100)."""
    row, tp_ids, rescale, _ = _action_scales(conn, action_id)
    return row, tp_ids, rescale


def _action_scales(
    conn: Connection, action_id: int
) -> tuple[dict[str, Any], list[int], bool, tuple[float, float] | None]:
    """_action_scope, and the range a score can take: 0–100 when rescaled, else the touchpoints' one scale."""
    row = conn.execute(select(IA).where(IA.c.id == action_id)).mappings().one_or_none()
    if row is None:
        raise NotFound(f"Improvement action {action_id} does not exist (it may have been deleted).")
    scales = conn.execute(
        select(TP.c.id, TP.c.scale_min, TP.c.scale_max)
        .join(AT, AT.c.touchpoint_id == TP.c.id)
        .where(AT.c.action_id == action_id)
    ).all()
    distinct = {(s[1], s[2]) for s in scales}
    rescale = len(distinct) > 1
    lo, hi = next(iter(distinct)) if len(distinct) == 1 else (None, None)
    bounds = (0.0, 100.0) if rescale else (float(lo), float(hi)) if lo is not None and hi is not None else None
    return dict(row), [int(s[0]) for s in scales], rescale, bounds


def _score_expr(rescale: bool) -> ColumnElement[Any]:
    score = sql_cast(RT.c.score, Float)
    if not rescale:
        return score
    return (score - TP.c.scale_min) * 100.0 / func.nullif(TP.c.scale_max - TP.c.scale_min, 0)


def _population(workspace_id: int, tp_ids: list[int], filters: Filters | None) -> list[ColumnElement[bool]]:
    """Responses (any date; windows are applied by the caller) of respondents who rated one of the touchpoints."""
    f = filters or Filters()
    undated = Filters(attributes=f.attributes, channels=f.channels)
    rated = select(RT.c.response_id).where(RT.c.response_id == R.c.id, RT.c.touchpoint_id.in_(tp_ids))
    return [*response_conditions(workspace_id, undated), rated.correlate(R).exists()]


def _side(
    conn: Connection, ws: int, tp_ids: list[int], rescale: bool, lo: datetime, hi: datetime, f: Filters | None
) -> SideStats:
    in_window = [R.c.responded_at >= lo, R.c.responded_at < hi]
    pop = [*_population(ws, tp_ids, f), *in_window]
    score = _score_expr(rescale)
    s = conn.execute(
        select(func.count(), func.coalesce(func.sum(score), 0.0), func.coalesce(func.sum(score * score), 0.0))
        .select_from(RT.join(R, R.c.id == RT.c.response_id).join(TP, TP.c.id == RT.c.touchpoint_id))
        .where(RT.c.touchpoint_id.in_(tp_ids), *pop)
    ).one()
    nps = conn.execute(
        select(
            _sum_if(R.c.nps >= 9),
            _sum_if((R.c.nps >= 7) & (R.c.nps <= 8)),
            _sum_if((R.c.nps >= 0) & (R.c.nps <= 6)),
        ).where(*pop, R.c.nps.is_not(None))
    ).one()
    com = conn.execute(
        select(func.count(), _sum_if(C.c.label == "negative"))
        .select_from(C.join(R, R.c.id == C.c.response_id))
        .where(*pop, C.c.label.is_not(None), or_(C.c.touchpoint_id.is_(None), C.c.touchpoint_id.in_(tp_ids)))
    ).one()
    return SideStats(
        score_n=int(s[0]),
        score_sum=float(s[1]),
        score_sumsq=float(s[2]),
        promoters=int(nps[0]),
        passives=int(nps[1]),
        detractors=int(nps[2]),
        comments=int(com[0]),
        negative=int(com[1]),
    )


@dataclass(frozen=True)
class ActionEffect:
    action: dict[str, Any]
    windows: Windows
    before: SideStats
    after: SideStats
    metrics: dict[str, MetricEffect]
    rescaled: bool  # scores on 0–100 because the touchpoints' scales differ

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": {k: self.action[k] for k in ("id", "title", "touchpoints", "start", "status")},
            "windows": {
                "before": [self.windows.before_from.date().isoformat(), self.windows.start.date().isoformat()],
                "after": [self.windows.start.date().isoformat(), self.windows.after_to.date().isoformat()],
            },
            "score_scale": "0-100" if self.rescaled else "touchpoint scale",
            **{name: m.as_dict() for name, m in self.metrics.items()},
        }


def action_effect(
    engine: Engine,
    action_id: int,
    window_days: int = DEFAULT_WINDOW_DAYS,
    *,
    before_days: int | None = None,
    after_days: int | None = None,
    filters: Filters | None = None,
    min_n: int = MIN_N,
) -> ActionEffect:
    """Before vs. after the action's start date: score, NPS and negative-comment share with intervals and tests.

    Windows are [start − before_days, start) and [start, start + after_days); both default to ``window_days``.
    ``filters`` may narrow by segment/channel (its dates are ignored: the windows decide).
    """
    action = get_action(engine, action_id)
    with engine.connect() as conn:
        row, tp_ids, rescale = _action_scope(conn, action_id)
        if not tp_ids:
            raise InputRefused(f"Action {action_id} has no touchpoint left (they were deleted): add one to measure it.")
        w = Windows.around(row["start_date"], before_days or window_days, after_days or window_days)
        ws = int(row["workspace_id"])
        before = _side(conn, ws, tp_ids, rescale, w.before_from, w.start, filters)
        after = _side(conn, ws, tp_ids, rescale, w.start, w.after_to, filters)
    return ActionEffect(action, w, before, after, effects(before, after, min_n), rescale)


def effect_series(
    engine: Engine,
    action_id: int,
    period: str = "week",
    filters: Filters | None = None,
    min_n: int = MIN_N,
) -> pd.DataFrame:
    """Mean score of the action's touchpoint(s) per week or month over all dates: period, n, mean, lo, hi (the
    interval kept within the scale: a week of three answers does not draw a band from −20 to 25 on 1–5)."""
    with engine.connect() as conn:
        row, tp_ids, rescale, bounds = _action_scales(conn, action_id)
        if not tp_ids:
            return pd.DataFrame(columns=["period", "n", "mean", "lo", "hi", "low_n"])
        key = (_week_start(engine) if period == "week" else _month_start(engine)).label("period")
        score = _score_expr(rescale)
        stmt = (
            select(key, func.count().label("n"), func.sum(score).label("s"), func.sum(score * score).label("ss"))
            .select_from(RT.join(R, R.c.id == RT.c.response_id).join(TP, TP.c.id == RT.c.touchpoint_id))
            .where(
                RT.c.touchpoint_id.in_(tp_ids),
                R.c.responded_at.is_not(None),
                *_population(int(row["workspace_id"]), tp_ids, filters),
            )
            .group_by(key)
            .order_by(key)
        )
        sums = pd.DataFrame(conn.execute(stmt).mappings().all(), columns=["period", "n", "s", "ss"])
    rows = []
    for rec in sums.to_dict("records"):
        mv = ces_from_moments(int(rec["n"]), float(rec["s"]), float(rec["ss"]), min_n, "score")
        rows.append({"period": rec["period"], "n": mv.n, "mean": mv.value, "lo": mv.lo, "hi": mv.hi, "low_n": mv.low_n})
    frame = pd.DataFrame(rows, columns=["period", "n", "mean", "lo", "hi", "low_n"])
    frame["period"] = pd.to_datetime(frame["period"].astype(str).str.slice(0, 10))
    frame = frame.astype({"mean": "float64", "lo": "float64", "hi": "float64"})
    if bounds is not None:
        frame[["lo", "hi"]] = frame[["lo", "hi"]].clip(*bounds)
    return frame


def journey_step_label(engine: Engine, step_id: int | None) -> str | None:
    """The step's touchpoint label or action text, to show where an action came from."""
    if step_id is None:
        return None
    with engine.connect() as conn:
        row = conn.execute(select(JS.c.touchpoint_label, JS.c.action).where(JS.c.id == step_id)).one_or_none()
    if row is None:
        return None
    return str(row[0] or row[1] or f"#{step_id}")
