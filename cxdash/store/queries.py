"""Read-side queries: filters and aggregates computed in the database (SQLAlchemy Core, SQLite and PostgreSQL).

Each query returns sufficient statistics per group (counts, sums, sums of squares), so its cost grows with the
number of groups, not of rows; ``cxdash.analysis.metrics`` turns them into metrics with intervals.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, cast

import pandas as pd
from sqlalchemy import Engine, Float, Table, case, delete, func, insert, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.sql.elements import ColumnElement

from cxdash.analysis.metrics import (
    MIN_N,
    MetricValue,
    ces_from_moments,
    compare_means,
    compare_nps,
    compare_proportions,
    csat_from_counts,
    nps_from_counts,
)
from cxdash.errors import InputRefused
from cxdash.i18n import t
from cxdash.roles import format_scale, is_column_scale
from cxdash.store.engine import writer
from cxdash.store.models import (
    Attribute,
    Comment,
    ImportBatch,
    JourneyMap,
    Persona,
    Rating,
    Response,
    Setting,
    Touchpoint,
)

R = cast(Table, Response.__table__)  # type: ignore[attr-defined]
ST = cast(Table, Setting.__table__)  # type: ignore[attr-defined]
A = cast(Table, Attribute.__table__)  # type: ignore[attr-defined]
RT = cast(Table, Rating.__table__)  # type: ignore[attr-defined]
TP = cast(Table, Touchpoint.__table__)  # type: ignore[attr-defined]

CES_MIN, CES_MAX = 1, 7  # CES's scale when its answers say nothing else (and the scale of an answer without one)
DEFAULT_CSAT_MAX = 5
DEFAULT_CSAT_MIN = 1
TOP_TWO_FROM = 4  # scales of this many points or more count their top two boxes as satisfied; shorter ones the top
PERIODS = ("week", "month", "quarter")
NPS_CLASSES = ("promoters", "passives", "detractors")
SUMS = (*NPS_CLASSES, "csat_n", "csat_top2", "ces_n", "ces_sum", "ces_sumsq")


@dataclass(frozen=True)
class Filters:
    """What the sidebar selects; empty means everything.

    ``attributes`` maps a name to accepted values (values of one attribute OR-ed, attributes AND-ed);
    ``touchpoints`` keeps responses that rated any of them (and limits ``touchpoint_scores`` to them).
    A ``date`` bound is a whole day (``date_to`` inclusive); a ``datetime`` bound is exact.
    """

    date_from: date | datetime | None = None
    date_to: date | datetime | None = None
    attributes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    channels: Sequence[str] = ()
    touchpoints: Sequence[str] = ()


def _bounds(filters: Filters) -> tuple[datetime | None, datetime | None, bool]:
    """(start, end, end_inclusive) as datetimes; a date ``date_to`` becomes the exclusive start of the next day."""
    start = end = None
    inclusive = True
    if filters.date_from is not None:
        d = filters.date_from
        start = d if isinstance(d, datetime) else datetime.combine(d, time.min)
    if filters.date_to is not None:
        d = filters.date_to
        if isinstance(d, datetime):
            end = d
        else:
            end, inclusive = datetime.combine(d + timedelta(days=1), time.min), False
    return start, end, inclusive


def response_conditions(workspace_id: int, filters: Filters | None = None) -> list[ColumnElement[bool]]:
    """WHERE conditions on the response table for a workspace and filters (attributes as EXISTS subqueries)."""
    f = filters or Filters()
    conds: list[ColumnElement[bool]] = [R.c.workspace_id == workspace_id]
    start, end, inclusive = _bounds(f)
    if start is not None:
        conds.append(R.c.responded_at >= start)
    if end is not None:
        conds.append(R.c.responded_at <= end if inclusive else R.c.responded_at < end)
    if f.channels:
        conds.append(R.c.channel.in_(_storable(f.channels)))
    for i, (name, values) in enumerate(f.attributes.items()):
        if values:
            a = A.alias(f"f_attr_{i}")
            sub = select(a.c.response_id).where(
                a.c.response_id == R.c.id, a.c.name == name, a.c.value.in_(_storable(values))
            )
            conds.append(sub.correlate(R).exists())
    if f.touchpoints:
        rt, tp = RT.alias("f_rating"), TP.alias("f_touchpoint")
        sub = select(rt.c.response_id).where(
            rt.c.response_id == R.c.id, rt.c.touchpoint_id == tp.c.id, tp.c.name.in_(_storable(f.touchpoints))
        )
        conds.append(sub.correlate(R).exists())
    return conds


def _storable(values: Sequence[Any]) -> list[str]:
    """Filter values as text, without those holding a NUL character: no stored value has one (PostgreSQL refuses
    NUL in text, so sending it fails), and such a value — like the persona filter's "no value" marker — matches
    nothing. An empty list makes ``IN`` false on every backend."""
    return [str(v) for v in values if "\x00" not in str(v)]


def _sum_if(cond: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


@dataclass(frozen=True)
class CesScale:
    """The scale a workspace's CES is reported on: the one the team chose for it (``chosen``), else the one most of
    its CES answers were given on (1–7 when it has none). Answers on another scale are rescaled onto it linearly,
    their end points onto its end points; ``others`` counts them per scale, for the page to say so."""

    lo: int = CES_MIN
    hi: int = CES_MAX
    on_scale: int = 0  # answers given on it
    others: tuple[tuple[tuple[int, int], int], ...] = ()
    chosen: bool = False

    @property
    def scale(self) -> tuple[int, int]:
        return self.lo, self.hi

    @property
    def answered_scales(self) -> list[tuple[int, int]]:
        """The scales its answers were given on, shortest first."""
        return sorted([s for s, _ in self.others] + ([self.scale] if self.on_scale else []), key=lambda s: s[1] - s[0])


#: Setting key: the scale a workspace reports CES on, JSON [lo, hi] (absent: the scale of most answers)
CES_SCALE_SETTING = "reporting.ces_scale"


def chosen_ces_scale(engine: Engine, workspace_id: int) -> tuple[int, int] | None:
    """The CES scale the team chose for the workspace, if any."""
    with engine.connect() as conn:
        text = conn.execute(
            select(ST.c.value_json).where(ST.c.workspace_id == workspace_id, ST.c.key == CES_SCALE_SETTING)
        ).scalar_one_or_none()
    try:
        lo, hi = json.loads(text) if text else (None, None)
    except (TypeError, ValueError):
        return None
    return (lo, hi) if isinstance(lo, int) and isinstance(hi, int) and is_column_scale((lo, hi)) else None


def set_ces_scale(engine: Engine, workspace_id: int, scale: tuple[int, int] | None) -> None:
    """Report the workspace's CES on ``scale`` from now on (None: on the scale of most of its answers again)."""
    if scale is not None and not is_column_scale(scale):
        raise InputRefused(t("kpi.bad_ces_scale", scale=format_scale(scale)))
    with writer(engine).begin() as conn:
        conn.execute(delete(ST).where(ST.c.workspace_id == workspace_id, ST.c.key == CES_SCALE_SETTING))
        if scale is not None:
            value = json.dumps([int(scale[0]), int(scale[1])])
            conn.execute(insert(ST).values(workspace_id=workspace_id, key=CES_SCALE_SETTING, value_json=value))


def _scale_counts(engine: Engine, workspace_id: int, kind: str, default: tuple[int, int]) -> Counter[tuple[int, int]]:
    """How many of the workspace's answers of ``kind`` ("ces", "csat") were given on each scale (an answer stored
    without one counted on ``default``)."""
    value, lo_col, hi_col = R.c[kind], R.c[f"{kind}_min"], R.c[f"{kind}_max"]
    stmt = (
        select(lo_col, hi_col, func.count())
        .where(R.c.workspace_id == workspace_id, value.is_not(None))
        .group_by(lo_col, hi_col)
    )
    counts: Counter[tuple[int, int]] = Counter()
    with engine.connect() as conn:
        for lo, hi, n in conn.execute(stmt):
            known = lo is not None and hi is not None and hi > lo
            counts[(int(lo), int(hi)) if known else default] += int(n)
    return counts


def _most_answered(counts: Counter[tuple[int, int]], default: tuple[int, int]) -> tuple[int, int]:
    """The scale of most answers; on a tie, ``default`` or else the longer one."""
    return max(counts, key=lambda s: (counts[s], s == default, s[1] - s[0], s)) if counts else default


def ces_scale(engine: Engine, workspace_id: int) -> CesScale:
    """The workspace's CES scale (see ``CesScale``): the one chosen for it, else the scale of most CES answers; on a
    tie, 1–7 or else the longer one. Every filter and period of the workspace reports CES on it, so the axis never
    changes under a filter."""
    counts = _scale_counts(engine, workspace_id, "ces", (CES_MIN, CES_MAX))
    chosen = chosen_ces_scale(engine, workspace_id)
    if chosen is None and not counts:
        return CesScale()
    main = chosen or _most_answered(counts, (CES_MIN, CES_MAX))
    others = tuple(sorted((s, n) for s, n in counts.items() if s != main))
    return CesScale(main[0], main[1], counts[main], others, chosen is not None)


def csat_scale(engine: Engine, workspace_id: int) -> tuple[int, int]:
    """The scale most of the workspace's CSAT answers were given on (1–5 without answers): the one a CSAT answer is
    read on where it is an outcome (Drivers), answers on another scale rescaled onto it."""
    default = (DEFAULT_CSAT_MIN, DEFAULT_CSAT_MAX)
    return _most_answered(_scale_counts(engine, workspace_id, "csat", default), default)


def _on_scale(kind: str, target: tuple[int, int], default: tuple[int, int]) -> ColumnElement[Any]:
    """Each answer of ``kind`` on ``target``: an answer on another scale rescaled linearly, its end points onto the
    target's (one stored without a scale read as ``default``)."""
    value, lo_col, hi_col = sql_cast(R.c[kind], Float), R.c[f"{kind}_min"], R.c[f"{kind}_max"]
    unknown = lo_col.is_(None) | hi_col.is_(None) | (hi_col <= lo_col)
    lo = case((unknown, default[0]), else_=lo_col)
    hi = case((unknown, default[1]), else_=hi_col)
    scaled = target[0] + (value - lo) * float(target[1] - target[0]) / sql_cast(hi - lo, Float)
    return case(((lo == target[0]) & (hi == target[1]), value), else_=scaled)


def ces_scaled(ces: CesScale) -> ColumnElement[Any]:
    """Each CES answer on the workspace's CES scale (one without a scale read as 1–7)."""
    return _on_scale("ces", ces.scale, (CES_MIN, CES_MAX))


def csat_scaled(scale: tuple[int, int]) -> ColumnElement[Any]:
    """Each CSAT answer on ``scale`` (one without a scale read as 1–5)."""
    return _on_scale("csat", scale, (DEFAULT_CSAT_MIN, DEFAULT_CSAT_MAX))


def _nps_class_columns() -> list[ColumnElement[Any]]:
    """Counts of promoters, passives and detractors (``NPS_CLASSES``) among the rows aggregated."""
    return [
        _sum_if(R.c.nps >= 9).label("promoters"),
        _sum_if((R.c.nps >= 7) & (R.c.nps <= 8)).label("passives"),
        _sum_if((R.c.nps >= 0) & (R.c.nps <= 6)).label("detractors"),
    ]


def top_boxes(lo: ColumnElement[Any], hi: ColumnElement[Any]) -> ColumnElement[Any]:
    """The lowest answer counted as satisfied: the top two boxes of a scale of four points or more, the top box of
    a shorter one (Good / Bad: a share of the top two would be everyone)."""
    return case((hi - lo >= TOP_TWO_FROM - 1, hi - 1), else_=hi)


def _kpi_columns(ces_on: CesScale) -> list[ColumnElement[Any]]:
    """Aggregates for NPS classes, CSAT top-2 (on each response's own scale) and CES moments (on ``ces_on``)."""
    ces = ces_scaled(ces_on)
    csat_max = func.coalesce(R.c.csat_max, DEFAULT_CSAT_MAX)
    csat_min = func.coalesce(R.c.csat_min, DEFAULT_CSAT_MIN)
    return [
        *_nps_class_columns(),
        func.count(R.c.csat).label("csat_n"),
        _sum_if(R.c.csat >= top_boxes(csat_min, csat_max)).label("csat_top2"),
        func.count(R.c.ces).label("ces_n"),
        func.coalesce(func.sum(ces), 0.0).label("ces_sum"),
        func.coalesce(func.sum(ces * ces), 0.0).label("ces_sumsq"),
    ]


def _metrics(row: Mapping[str, Any], min_n: int = MIN_N) -> dict[str, MetricValue]:
    """Metric values from one row of KPI sums."""
    return {
        "nps": nps_from_counts(int(row["promoters"]), int(row["passives"]), int(row["detractors"]), min_n),
        "csat": csat_from_counts(int(row["csat_top2"]), int(row["csat_n"]), min_n),
        "ces": ces_from_moments(int(row["ces_n"]), float(row["ces_sum"]), float(row["ces_sumsq"]), min_n),
    }


def _kpi_sums(
    engine: Engine, workspace_id: int, filters: Filters | None, ces: CesScale | None = None
) -> dict[str, Any]:
    stmt = select(*_kpi_columns(ces or ces_scale(engine, workspace_id))).where(
        *response_conditions(workspace_id, filters)
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().one()
    return dict(row)


def kpis(
    engine: Engine,
    workspace_id: int,
    filters: Filters | None = None,
    min_n: int = MIN_N,
    ces: CesScale | None = None,
) -> dict[str, MetricValue]:
    """NPS, CSAT (top-2 %) and CES (mean on the workspace's CES scale, ``ces`` when known) with 95% intervals over
    the filtered responses."""
    return _metrics(_kpi_sums(engine, workspace_id, filters, ces), min_n)


def _month_start(engine: Engine) -> ColumnElement[Any]:
    """The first day of the response's month, per dialect (SQLite: text 'YYYY-MM-01'; PostgreSQL: a timestamp)."""
    if engine.dialect.name == "sqlite":
        return func.strftime("%Y-%m-01", R.c.responded_at)
    if engine.dialect.name == "postgresql":
        return func.date_trunc("month", R.c.responded_at)
    raise InputRefused(f"Trends by period are not available on {engine.dialect.name}; use SQLite or PostgreSQL.")


def _week_start(engine: Engine) -> ColumnElement[Any]:
    """Monday of the response's week, per dialect."""
    if engine.dialect.name == "sqlite":
        return func.date(R.c.responded_at, "-6 days", "weekday 1")
    if engine.dialect.name == "postgresql":
        return func.date_trunc("week", R.c.responded_at)
    raise InputRefused(f"Trends by period are not available on {engine.dialect.name}; use SQLite or PostgreSQL.")


def kpi_trend(
    engine: Engine,
    workspace_id: int,
    filters: Filters | None = None,
    period: str = "month",
    min_n: int = MIN_N,
    ces: CesScale | None = None,
) -> pd.DataFrame:
    """Long frame of KPIs per period: period (start, Timestamp), metric, value, n, lo, hi, low_n (CES on the
    workspace's CES scale)."""
    if period not in PERIODS:
        raise InputRefused(f"Period '{period}' is not one of {', '.join(PERIODS)}.")
    key = (_week_start(engine) if period == "week" else _month_start(engine)).label("period")
    conds = [*response_conditions(workspace_id, filters), R.c.responded_at.is_not(None)]
    columns = _kpi_columns(ces or ces_scale(engine, workspace_id))
    stmt = select(key, *columns).where(*conds).group_by(key).order_by(key)
    with engine.connect() as conn:
        sums = pd.DataFrame(conn.execute(stmt).mappings().all(), columns=["period", *SUMS])
    sums["period"] = pd.to_datetime(sums["period"].astype(str).str.slice(0, 10))
    if period == "quarter":
        sums["period"] = sums["period"].dt.to_period("Q").dt.start_time
        sums = sums.groupby("period", as_index=False)[list(SUMS)].sum()
    rows = []
    for rec in sums.to_dict("records"):
        for metric, mv in _metrics(rec, min_n).items():
            rows.append(
                {
                    "period": rec["period"],
                    "metric": metric,
                    "value": mv.value,
                    "n": mv.n,
                    "lo": mv.lo,
                    "hi": mv.hi,
                    "low_n": mv.low_n,
                }
            )
    frame = pd.DataFrame(rows, columns=["period", "metric", "value", "n", "lo", "hi", "low_n"])
    return frame.astype({"value": "float64", "lo": "float64", "hi": "float64", "n": "int64", "low_n": "bool"})


def kpis_by_attribute(
    engine: Engine,
    workspace_id: int,
    filters: Filters | None,
    attribute: str,
    min_n: int = MIN_N,
    ces: CesScale | None = None,
) -> pd.DataFrame:
    """One row per value of ``attribute``: n, NPS/CSAT/CES with intervals and low-n flags, and each metric's
    difference vs. the rest of the filtered responses with its interval and p-value (CES on the workspace's scale)."""
    ces = ces or ces_scale(engine, workspace_id)
    conds = [*response_conditions(workspace_id, filters), A.c.name == attribute]
    stmt = (
        select(A.c.value.label("value"), func.count().label("responses"), *_kpi_columns(ces))
        .select_from(R.join(A, A.c.response_id == R.c.id))
        .where(*conds)
        .group_by(A.c.value)
        .order_by(A.c.value)
    )
    total = _kpi_sums(engine, workspace_id, filters, ces)
    with engine.connect() as conn:
        groups = conn.execute(stmt).mappings().all()
    rows = []
    for g in groups:
        rest = {k: total[k] - g[k] for k in SUMS}
        row: dict[str, Any] = {"value": g["value"], "n": int(g["responses"]), "low_n": int(g["responses"]) < min_n}
        mets = _metrics(dict(g), min_n)
        comps = {
            "nps": compare_nps(
                (g["promoters"], g["passives"], g["detractors"]),
                (rest["promoters"], rest["passives"], rest["detractors"]),
                min_n,
            ),
            "csat": compare_proportions((g["csat_top2"], g["csat_n"]), (rest["csat_top2"], rest["csat_n"]), min_n),
            "ces": compare_means(
                (g["ces_n"], g["ces_sum"], g["ces_sumsq"]), (rest["ces_n"], rest["ces_sum"], rest["ces_sumsq"]), min_n
            ),
        }
        for m, mv in mets.items():
            c = comps[m]
            row |= {
                m: mv.value,
                f"{m}_n": mv.n,
                f"{m}_lo": mv.lo,
                f"{m}_hi": mv.hi,
                f"{m}_low_n": mv.low_n,
                f"{m}_diff": c.diff,
                f"{m}_diff_lo": c.ci95[0] if c.ci95 else None,
                f"{m}_diff_hi": c.ci95[1] if c.ci95 else None,
                f"{m}_p": c.p_value,
            }
        rows.append(row)
    cols = ["value", "n", "low_n"] + [
        f"{m}{s}"
        for m in ("nps", "csat", "ces")
        for s in ("", "_n", "_lo", "_hi", "_low_n", "_diff", "_diff_lo", "_diff_hi", "_p")
    ]
    frame = pd.DataFrame(rows, columns=cols)
    floats = [c for c in cols if c not in ("value", "n", "low_n") and not c.endswith(("_n", "_low_n"))]
    return frame.astype({c: "float64" for c in floats})


def attribute_values(engine: Engine, workspace_id: int) -> dict[str, list[str]]:
    """Every attribute name of the workspace with its distinct values, sorted (for the filter widgets).

    On SQLite the distinct (name, value) pairs come from the covering index on them and each is checked for one
    response of the workspace (25× faster than joining every attribute row to its response, which PostgreSQL's
    planner does well by itself).
    """
    if engine.dialect.name == "sqlite":
        pairs = select(A.c.name, A.c.value).distinct().subquery("pairs")
        a, r = A.alias("a"), R.alias("r")
        present = (
            select(a.c.response_id)
            .join(r, r.c.id == a.c.response_id)
            .where(a.c.name == pairs.c.name, a.c.value == pairs.c.value, r.c.workspace_id == workspace_id)
            .exists()
        )
        stmt = select(pairs.c.name, pairs.c.value).where(present).order_by(pairs.c.name, pairs.c.value)
    else:
        stmt = (
            select(A.c.name, A.c.value)
            .select_from(A.join(R, A.c.response_id == R.c.id))
            .where(R.c.workspace_id == workspace_id)
            .group_by(A.c.name, A.c.value)
            .order_by(A.c.name, A.c.value)
        )
    out: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for name, value in conn.execute(stmt):
            out.setdefault(name, []).append(value)
    return out


def date_range(engine: Engine, workspace_id: int) -> tuple[datetime | None, datetime | None]:
    """First and last response time of the workspace (None, None when it has no dated response)."""
    stmt = select(func.min(R.c.responded_at), func.max(R.c.responded_at)).where(R.c.workspace_id == workspace_id)
    with engine.connect() as conn:
        lo, hi = conn.execute(stmt).one()
    return lo, hi


def touchpoint_scores(
    engine: Engine, workspace_id: int, filters: Filters | None = None, min_n: int = MIN_N, with_nps: bool = False
) -> pd.DataFrame:
    """Per touchpoint (in journey order): stage, n, mean score with t 95% interval, top-2-box % (Wilson), scale.
    ``with_nps``: also the NPS classes of the responses that rated it (``promoters``, ``passives``, ``detractors``),
    from the same pass over the ratings."""
    f = filters or Filters()
    top2 = _sum_if(RT.c.score >= top_boxes(TP.c.scale_min, TP.c.scale_max))
    classes = _nps_class_columns() if with_nps else []
    stmt = (
        select(
            RT.c.touchpoint_id.label("id"),
            func.count().label("n"),
            func.sum(RT.c.score).label("total"),
            func.sum(RT.c.score * RT.c.score).label("total_sq"),
            top2.label("top2"),
            *classes,
        )
        .select_from(RT.join(R, RT.c.response_id == R.c.id).join(TP, RT.c.touchpoint_id == TP.c.id))
        .where(*response_conditions(workspace_id, f))
        .group_by(RT.c.touchpoint_id)
    )
    tp_stmt = select(TP.c.id, TP.c.name, TP.c.stage, TP.c.position, TP.c.scale_min, TP.c.scale_max).where(
        TP.c.workspace_id == workspace_id
    )
    if f.touchpoints:
        tp_stmt = tp_stmt.where(TP.c.name.in_(_storable(f.touchpoints)))
    with engine.connect() as conn:
        sums = {r["id"]: r for r in conn.execute(stmt).mappings()}
        tps = conn.execute(tp_stmt.order_by(TP.c.position, TP.c.id)).mappings().all()
    rows = []
    for tp in tps:
        s = sums.get(tp["id"])
        n = int(s["n"]) if s else 0
        mean = ces_from_moments(n, float(s["total"]), float(s["total_sq"]), min_n, "mean") if s else None
        share = csat_from_counts(int(s["top2"]), n, min_n, "top2") if s else None
        rows.append(
            {
                "touchpoint": tp["name"],
                "stage": tp["stage"],
                "position": tp["position"],
                "n": n,
                "mean": mean.value if mean else None,
                "lo": mean.lo if mean else None,
                "hi": mean.hi if mean else None,
                "top2": share.value if share else None,
                "top2_lo": share.lo if share else None,
                "top2_hi": share.hi if share else None,
                "scale_min": tp["scale_min"],
                "scale_max": tp["scale_max"],
                "low_n": n < min_n,
            }
        )
        if with_nps:
            rows[-1].update({c: int(s[c]) if s else 0 for c in NPS_CLASSES})
    cols = [
        "touchpoint",
        "stage",
        "position",
        "n",
        "mean",
        "lo",
        "hi",
        "top2",
        "top2_lo",
        "top2_hi",
        "scale_min",
        "scale_max",
        "low_n",
        *(NPS_CLASSES if with_nps else ()),
    ]
    frame = pd.DataFrame(rows, columns=cols)
    return frame.astype({c: "float64" for c in ("mean", "lo", "hi", "top2", "top2_lo", "top2_hi")})


def counts(engine: Engine, workspace_id: int) -> dict[str, int]:
    """How many responses, comments, touchpoints, personas, journeys and import batches the workspace holds."""
    C = cast(Table, Comment.__table__)  # type: ignore[attr-defined]
    tables: dict[str, Any] = {
        "responses": select(func.count()).select_from(R).where(R.c.workspace_id == workspace_id),
        "comments": select(func.count())
        .select_from(C.join(R, C.c.response_id == R.c.id))
        .where(R.c.workspace_id == workspace_id),
    }
    for key, model in (
        ("touchpoints", Touchpoint),
        ("personas", Persona),
        ("journeys", JourneyMap),
        ("batches", ImportBatch),
    ):
        t = cast(Table, model.__table__)  # type: ignore[union-attr]
        tables[key] = select(func.count()).select_from(t).where(t.c.workspace_id == workspace_id)
    stmt = select(*(q.scalar_subquery().label(k) for k, q in tables.items()))
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().one()
    return {k: int(v) for k, v in row.items()}


__all__ = [
    "CesScale",
    "Filters",
    "attribute_values",
    "ces_scale",
    "ces_scaled",
    "chosen_ces_scale",
    "csat_scale",
    "csat_scaled",
    "set_ces_scale",
    "counts",
    "date_range",
    "kpi_trend",
    "kpis",
    "kpis_by_attribute",
    "response_conditions",
    "touchpoint_scores",
]


def channel_values(engine: Engine, workspace_id: int) -> list[str]:
    """The distinct channels of a workspace's responses, sorted (for the channel filter)."""
    stmt = (
        select(R.c.channel)
        .where(R.c.workspace_id == workspace_id, R.c.channel.is_not(None))
        .group_by(R.c.channel)
        .order_by(R.c.channel)
    )
    with engine.connect() as conn:
        return [str(v) for (v,) in conn.execute(stmt)]


def touchpoint_names(engine: Engine, workspace_id: int) -> list[str]:
    """The workspace's touchpoints in journey order."""
    stmt = select(TP.c.name).where(TP.c.workspace_id == workspace_id).order_by(TP.c.position, TP.c.id)
    with engine.connect() as conn:
        return [str(v) for (v,) in conn.execute(stmt)]


def filters_from_pairs(items: Sequence[str]) -> Filters:
    """Filters from command-line ``ATTR=VALUE`` pairs (values of one attribute OR-ed, attributes AND-ed)."""
    attributes: dict[str, list[str]] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InputRefused(f"--filter takes ATTR=VALUE, not '{item}'.")
        attributes.setdefault(name.strip(), []).append(value.strip())
    return Filters(attributes=attributes)
