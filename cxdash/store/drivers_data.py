"""Store reads behind the drivers page: the analysis frame, and a touchpoint's trend, verbatims and themes.

Aggregates run in the database (SQLAlchemy Core, SQLite and PostgreSQL). Verbatims of a touchpoint are the comments
tied to it or mentioning it by name (a Japanese name is matched by its kanji/katakana words).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Table, and_, case, false, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from cxdash.analysis.metrics import MIN_N, ces_from_moments
from cxdash.errors import InputRefused
from cxdash.store.frames import plain_rows, response_frame
from cxdash.store.models import Attribute, Comment, CommentTheme, Rating, Response, Theme, Touchpoint
from cxdash.store.queries import Filters, attribute_values, response_conditions
from cxdash.textfold import fold, folded

R = cast(Table, Response.__table__)  # type: ignore[attr-defined]
A = cast(Table, Attribute.__table__)  # type: ignore[attr-defined]
RT = cast(Table, Rating.__table__)  # type: ignore[attr-defined]
TP = cast(Table, Touchpoint.__table__)  # type: ignore[attr-defined]
C = cast(Table, Comment.__table__)  # type: ignore[attr-defined]
CT = cast(Table, CommentTheme.__table__)  # type: ignore[attr-defined]
T = cast(Table, Theme.__table__)  # type: ignore[attr-defined]

PROMOTER = "promoter"
_STOP = {"and", "the", "for", "with", "of", "&", "service", "rating", "options"}
_JA_WORD = re.compile(r"[\u4e00-\u9fff]{2,}|[\u30a0-\u30ff]{2,}")


def numeric_attributes(engine: Engine, workspace_id: int) -> list[str]:
    """Attributes whose values are all numbers with at least two distinct values (candidate outcomes, e.g. 0/1)."""
    out = []
    for name, values in attribute_values(engine, workspace_id).items():
        nums = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
        if nums.notna().all() and nums.nunique() >= 2:
            out.append(name)
    return out


def driver_frame(
    engine: Engine, workspace_id: int, filters: Filters | None = None, attributes: Sequence[str] = ()
) -> pd.DataFrame:
    """``response_frame`` plus a 0/1 ``promoter`` column (NPS ≥ 9) and the named attributes as numbers."""
    frame = response_frame(engine, workspace_id, filters)
    frame[PROMOTER] = (frame["nps"] >= 9).astype(float).where(frame["nps"].notna())
    if attributes:
        conds = response_conditions(workspace_id, filters)
        stmt = (
            select(A.c.response_id, A.c.name, A.c.value)
            .select_from(A.join(R, A.c.response_id == R.c.id))
            .where(*conds, A.c.name.in_(list(attributes)))
        )
        with engine.connect() as conn:
            long = pd.DataFrame(plain_rows(conn.execute(stmt)), columns=["id", "name", "value"])
        for name in attributes:
            if name in frame.columns:
                raise InputRefused(f"The attribute {name!r} has the name of a built-in column; rename it to use it.")
            part = long[long["name"] == name].set_index("id")["value"]
            frame[name] = pd.to_numeric(part, errors="coerce").reindex(frame.index).astype("float64")
    return frame


def _period_start(engine: Engine) -> ColumnElement[Any]:
    """First day of the response's month, per dialect."""
    if engine.dialect.name == "sqlite":
        return func.strftime("%Y-%m-01", R.c.responded_at)
    if engine.dialect.name == "postgresql":
        return func.date_trunc("month", R.c.responded_at)
    raise InputRefused(f"Trends by month are not available on {engine.dialect.name}; use SQLite or PostgreSQL.")


def touchpoint_trend(
    engine: Engine, workspace_id: int, touchpoint: str, filters: Filters | None = None, min_n: int = MIN_N
) -> pd.DataFrame:
    """Monthly mean rating of one touchpoint with a t 95% interval: period, n, mean, lo, hi, low_n."""
    key = _period_start(engine).label("period")
    # SQLite walks the workspace's responses (in the filters' date range) and finds the touchpoint's rating of each
    # by the rating table's key (response, touchpoint): 0.17 s for 100k responses. There is no rating index on the
    # touchpoint alone (migration 0005: it cost every import a third B-tree write per rating); with it this query
    # took 0.12 s.
    tp_id = select(TP.c.id).where(TP.c.workspace_id == workspace_id, TP.c.name == touchpoint)
    stmt = (
        select(key, func.count().label("n"), func.sum(RT.c.score), func.sum(RT.c.score * RT.c.score))
        .select_from(RT.join(R, RT.c.response_id == R.c.id))
        .where(
            *response_conditions(workspace_id, filters), RT.c.touchpoint_id.in_(tp_id), R.c.responded_at.is_not(None)
        )
        .group_by(key)
        .order_by(key)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    out = []
    for period, n, total, total_sq in rows:
        mv = ces_from_moments(int(n), float(total), float(total_sq), min_n, "mean")
        lo, hi = mv.ci95 if mv.ci95 else (np.nan, np.nan)
        out.append({"period": str(period)[:10], "n": int(n), "mean": mv.value, "lo": lo, "hi": hi})
    frame = pd.DataFrame(out, columns=["period", "n", "mean", "lo", "hi"])
    frame["period"] = pd.to_datetime(frame["period"])
    frame["low_n"] = frame["n"] < min_n
    return frame.astype({"mean": "float64", "lo": "float64", "hi": "float64"})


def touchpoint_terms(name: str) -> list[str]:
    """Words of a touchpoint name that a comment about it would contain (folded as the search folds text: NFKC in
    lower case, so ＷＥＢ and ﾚｼﾞ are found too; Japanese by script runs)."""
    name = fold(name)
    ja = _JA_WORD.findall(name)
    if ja:
        return list(dict.fromkeys(ja))
    words = [w for w in re.split(r"[^\w]+", name) if len(w) >= 4 and w not in _STOP]
    return list(dict.fromkeys(words or [name.strip()]))


def _about(workspace_id: int, touchpoint: str, filters: Filters | None) -> list[ColumnElement[bool]]:
    """Conditions for the comments of the filtered responses that are tied to or mention the touchpoint."""
    tied = C.c.touchpoint_id.in_(select(TP.c.id).where(TP.c.workspace_id == workspace_id, TP.c.name == touchpoint))
    text = folded(C.c.text)
    mentions = [text.contains(t, autoescape=True) for t in touchpoint_terms(touchpoint)]
    return [*response_conditions(workspace_id, filters), or_(tied, *mentions) if mentions else or_(tied, false())]


def touchpoint_comments(
    engine: Engine, workspace_id: int, touchpoint: str, filters: Filters | None = None, limit: int = 6
) -> tuple[pd.DataFrame, int]:
    """Comments about a touchpoint and how many there are: (id, text, label, compound, responded_at, times), total.

    Each text once, however often it was written ("Too slow" × 40: ``times`` says how often), tied to the touchpoint
    first, then naming it, most negative first; ``responded_at`` is the latest date it was written (``id``, ``label``
    and ``compound`` are of the last one stored)."""
    conds = _about(workspace_id, touchpoint, filters)
    base = C.join(R, R.c.id == C.c.response_id)
    keys = [
        func.min(case((C.c.touchpoint_id.is_(None), 1), else_=0)).label("untied"),
        case((folded(C.c.text).contains(fold(touchpoint), autoescape=True), 0), else_=1).label("unnamed"),
        func.min(func.coalesce(C.c.compound, 0.0)).label("score"),
        func.min(C.c.id).label("first_id"),
    ]
    distinct = (
        select(
            C.c.text,
            func.count().label("times"),
            func.max(C.c.id).label("last_id"),
            func.max(R.c.responded_at).label("last_at"),
            *keys,
        )
        .select_from(base)
        .where(*conds)
        .group_by(C.c.text)
        .order_by(*keys)
        .limit(limit)
        .subquery()
    )
    stmt = (
        select(C.c.id, C.c.text, C.c.label, C.c.compound, distinct.c.last_at, distinct.c.times)
        .select_from(distinct.join(C, C.c.id == distinct.c.last_id))
        .order_by(*(distinct.c[k.name] for k in keys))
    )
    with engine.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(base).where(*conds)).scalar_one())
        rows = conn.execute(stmt).all()
    return pd.DataFrame(rows, columns=["id", "text", "label", "compound", "responded_at", "times"]), total


def touchpoint_themes(
    engine: Engine, workspace_id: int, touchpoint: str, filters: Filters | None = None, total: int | None = None
) -> pd.DataFrame:
    """Themes of the comments about a touchpoint: theme, volume, share of those comments, share negative.

    ``total``: how many comments are about the touchpoint, when the caller counted them already
    (``touchpoint_comments`` does: the count is a scan of the comments, 0.25 s at 100k responses)."""
    conds = _about(workspace_id, touchpoint, filters)
    base = C.join(R, R.c.id == C.c.response_id)
    neg = func.sum(case((C.c.label == "negative", 1), else_=0))
    labelled = func.sum(case((C.c.label.is_not(None), 1), else_=0))
    stmt = (
        select(T.c.name, func.count().label("volume"), neg, labelled)
        .select_from(base.join(CT, CT.c.comment_id == C.c.id).join(T, and_(T.c.id == CT.c.theme_id)))
        .where(*conds)
        .group_by(T.c.id, T.c.name)
        .order_by(func.count().desc(), T.c.name)
    )
    with engine.connect() as conn:
        if total is None:
            total = int(conn.execute(select(func.count()).select_from(base).where(*conds)).scalar_one())
        rows = conn.execute(stmt).all()
    frame = pd.DataFrame(rows, columns=["theme", "volume", "negative", "labelled"])
    frame["share"] = frame["volume"] / total if total else np.nan
    frame["negative_share"] = (frame["negative"] / frame["labelled"].where(frame["labelled"] > 0)).astype(float)
    return frame[["theme", "volume", "share", "negative_share"]]
