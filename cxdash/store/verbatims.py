"""Verbatims: the sentiment mix of comments aggregated in the database, and a filtered, paged full-text search.

Search is a substring match that ignores case and width (``cxdash.textfold``: both sides NFKC in lower case, so
"wifi" finds ＷｉＦｉ and ポイント finds ﾎﾟｲﾝﾄ), so it needs no tokeniser and works the same for English and Japanese;
every word (or "quoted phrase") of the query must occur. ``%`` and ``_`` typed by the user are escaped and match
themselves. Results come a page at a time, newest first, so a workspace with 100k comments stays fast.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, cast

import pandas as pd
from sqlalchemy import Engine, Table, case, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from cxdash.errors import InputRefused
from cxdash.store.frames import cursor_rows, plain_rows
from cxdash.store.models import Attribute, Comment, CommentTheme, Response, Theme, Touchpoint
from cxdash.store.queries import Filters, _month_start, _week_start, response_conditions
from cxdash.textfold import fold, folded

C = cast(Table, Comment.__table__)  # type: ignore[attr-defined]
R = cast(Table, Response.__table__)  # type: ignore[attr-defined]
A = cast(Table, Attribute.__table__)  # type: ignore[attr-defined]
TP = cast(Table, Touchpoint.__table__)  # type: ignore[attr-defined]
T = cast(Table, Theme.__table__)  # type: ignore[attr-defined]
CT = cast(Table, CommentTheme.__table__)  # type: ignore[attr-defined]

LABELS = ("positive", "neutral", "negative")
SCORE_BANDS = ("promoter", "passive", "detractor")
NO_TOUCHPOINT = "(no touchpoint)"
NO_STAGE = "(no stage)"
NO_VALUE = "(none)"
MIX_DIMENSIONS = ("period", "touchpoint", "stage", "segment", "theme")
MIX_COLUMNS = ["group", "order", "label", "n", "total", "share"]
VERBATIM_COLUMNS = [
    "id", "responded_at", "text", "language", "label", "compound", "method", "touchpoint", "stage", "nps",
    "score_band", "response_id", "themes",
]  # fmt: skip
MAX_PAGE = 500
MAX_EXPORT = 200_000
ESCAPE = "\\"
_TERM = re.compile(r'"([^"]+)"|(\S+)')


@dataclass(frozen=True)
class VerbatimQuery:
    """What the verbatim browser narrows to, on top of the page's global Filters (every part AND-ed).

    ``text``: words and "quoted phrases" that must all occur (case-insensitive). ``labels``: sentiment labels.
    ``theme_ids``: comments tagged with any of them. ``touchpoints``/``stages``: the comment's own touchpoint (or
    stage); NO_TOUCHPOINT / NO_STAGE select comments tied to none. ``score_bands``: the response's NPS class.
    ``date_from``/``date_to`` and ``attributes`` narrow further within the global filters.
    """

    text: str = ""
    labels: Sequence[str] = ()
    theme_ids: Sequence[int] = ()
    touchpoints: Sequence[str] = ()
    stages: Sequence[str] = ()
    score_bands: Sequence[str] = ()
    date_from: date | datetime | None = None
    date_to: date | datetime | None = None
    attributes: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def key(self) -> tuple[Any, ...]:
        """A hashable key for caches."""
        return (
            self.text,
            tuple(self.labels),
            tuple(self.theme_ids),
            tuple(self.touchpoints),
            tuple(self.stages),
            tuple(self.score_bands),
            self.date_from,
            self.date_to,
            tuple(sorted((k, tuple(v)) for k, v in self.attributes.items())),
        )


@dataclass(frozen=True)
class VerbatimPage:
    """One page of matching comments (columns VERBATIM_COLUMNS) and how many match in all."""

    rows: pd.DataFrame
    total: int
    offset: int
    limit: int


def search_terms(text: str) -> list[str]:
    """The words and "quoted phrases" of a search box, in order, without duplicates (full-width spaces split too)."""
    terms = [(m.group(1) or m.group(2)).strip() for m in _TERM.finditer(text or "")]
    return list(dict.fromkeys(t for t in terms if t))


def escape_like(term: str) -> str:
    """A term for LIKE with its wildcards (``%``, ``_``) and the escape character matched literally."""
    return term.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def _band_condition(band: str) -> ColumnElement[bool]:
    if band == "promoter":
        return R.c.nps >= 9
    if band == "passive":
        return (R.c.nps >= 7) & (R.c.nps <= 8)
    if band == "detractor":
        return (R.c.nps >= 0) & (R.c.nps <= 6)
    raise InputRefused(f"'{band}' is not an NPS score band: use promoter, passive or detractor.")


def _score_band() -> ColumnElement[Any]:
    return case(
        (R.c.nps >= 9, literal("promoter")),
        (R.c.nps >= 7, literal("passive")),
        (R.c.nps >= 0, literal("detractor")),
        else_=literal(None),
    )


def _named_or_none(column: Any, names: Sequence[str], none_name: str) -> ColumnElement[bool]:
    real = [n for n in names if n != none_name]
    conds = [column.in_(real)] if real else []
    if none_name in names:
        conds.append(column.is_(None))
    return conds[0] if len(conds) == 1 else (conds[0] | conds[1])


def verbatim_conditions(
    workspace_id: int, filters: Filters | None = None, query: VerbatimQuery | None = None
) -> list[ColumnElement[bool]]:
    """WHERE conditions over comment ⋈ response ⟕ touchpoint for the global filters and a verbatim query."""
    q = query or VerbatimQuery()
    conds = response_conditions(workspace_id, filters)
    if q.date_from is not None or q.date_to is not None or q.attributes:
        narrow = Filters(date_from=q.date_from, date_to=q.date_to, attributes=q.attributes)
        conds += response_conditions(workspace_id, narrow)[1:]
    for term in search_terms(q.text):
        conds.append(folded(C.c.text).like(f"%{escape_like(fold(term))}%", escape=ESCAPE))
    if q.labels:
        unknown = [lab for lab in q.labels if lab not in LABELS]
        if unknown:
            raise InputRefused(f"'{unknown[0]}' is not a sentiment label: use positive, neutral or negative.")
        conds.append(C.c.label.in_(list(q.labels)))
    if q.theme_ids:
        tagged = select(CT.c.comment_id).where(CT.c.comment_id == C.c.id, CT.c.theme_id.in_(list(q.theme_ids)))
        conds.append(tagged.correlate(C).exists())
    if q.touchpoints:
        conds.append(_named_or_none(TP.c.name, q.touchpoints, NO_TOUCHPOINT))
    if q.stages:
        conds.append(_named_or_none(TP.c.stage, q.stages, NO_STAGE))
    if q.score_bands:
        band = _band_condition(q.score_bands[0])
        for b in q.score_bands[1:]:
            band = band | _band_condition(b)
        conds.append(band)
    return conds


def _base() -> Any:
    return C.join(R, R.c.id == C.c.response_id).outerjoin(TP, TP.c.id == C.c.touchpoint_id)


def _themes_of(engine: Engine, ids: list[int]) -> dict[int, list[str]]:
    """Theme names per comment id, in theme order (a second query: string aggregation is not portable)."""
    out: dict[int, list[str]] = {}
    if not ids:
        return out
    stmt = (
        select(CT.c.comment_id, T.c.name)
        .select_from(CT.join(T, T.c.id == CT.c.theme_id))
        .where(CT.c.comment_id.in_(ids))
        .order_by(CT.c.comment_id, T.c.position, T.c.id)
    )
    with engine.connect() as conn:
        for cid, name in cursor_rows(conn.execute(stmt)):
            out.setdefault(int(cid), []).append(str(name))
    return out


def _verbatim_frame(engine: Engine, stmt: Any) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(stmt)
        names = list(result.keys())
        frame = pd.DataFrame(plain_rows(result), columns=names)[VERBATIM_COLUMNS[:-1]]
    tags = _themes_of_all(engine, frame)
    frame["themes"] = [", ".join(tags.get(int(i), [])) for i in frame["id"]]
    frame["touchpoint"] = frame["touchpoint"].fillna(NO_TOUCHPOINT)
    frame["responded_at"] = pd.to_datetime(frame["responded_at"])
    return frame


def _themes_of_all(engine: Engine, frame: pd.DataFrame) -> dict[int, list[str]]:
    """Theme names for every comment of the frame, in bounded IN lists."""
    out: dict[int, list[str]] = {}
    ids = [int(i) for i in frame["id"]]
    for start in range(0, len(ids), 5_000):
        out.update(_themes_of(engine, ids[start : start + 5_000]))
    return out


def _select_verbatims() -> Any:
    return select(
        C.c.id,
        R.c.responded_at,
        C.c.text,
        C.c.language,
        C.c.label,
        C.c.compound,
        C.c.method,
        TP.c.name.label("touchpoint"),
        TP.c.stage,
        R.c.nps,
        _score_band().label("score_band"),
        R.c.external_id.label("response_id"),
    ).select_from(_base())


def search_verbatims(
    engine: Engine,
    workspace_id: int,
    filters: Filters | None = None,
    query: VerbatimQuery | None = None,
    *,
    limit: int = 25,
    offset: int = 0,
) -> VerbatimPage:
    """One page of the matching comments, newest first, with the total number of matches."""
    if not 1 <= limit <= MAX_PAGE:
        raise InputRefused(f"A page shows 1 to {MAX_PAGE} comments, not {limit}.")
    conds = verbatim_conditions(workspace_id, filters, query)
    count = select(func.count(C.c.id)).select_from(_base()).where(*conds)
    with engine.connect() as conn:
        total = int(conn.execute(count).scalar_one())
    stmt = (
        _select_verbatims()
        .where(*conds)
        .order_by(R.c.responded_at.desc().nulls_last(), C.c.id.desc())
        .limit(limit)
        .offset(max(offset, 0))
    )
    return VerbatimPage(_verbatim_frame(engine, stmt), total, max(offset, 0), limit)


def export_verbatims(
    engine: Engine,
    workspace_id: int,
    filters: Filters | None = None,
    query: VerbatimQuery | None = None,
    *,
    limit: int = MAX_EXPORT,
) -> pd.DataFrame:
    """All matching comments (at most ``limit``), newest first, for a CSV export."""
    conds = verbatim_conditions(workspace_id, filters, query)
    stmt = _select_verbatims().where(*conds).order_by(R.c.responded_at.desc().nulls_last(), C.c.id.desc())
    return _verbatim_frame(engine, stmt.limit(limit))


def _period_bounds(group: str, period: str) -> tuple[date, date]:
    """The first and last day of the period that starts on ``group`` (an ISO date)."""
    start = date.fromisoformat(group[:10])
    if period == "week":
        return start, start + timedelta(days=6)
    months = 3 if period == "quarter" else 1
    y, m = divmod(start.month - 1 + months, 12)
    return start, date(start.year + y, m + 1, 1) - timedelta(days=1)


def period_query(group: str, period: str) -> VerbatimQuery:
    """A verbatim query for the comments of one period of the sentiment-over-time chart."""
    lo, hi = _period_bounds(group, period)
    return VerbatimQuery(date_from=datetime.combine(lo, time.min), date_to=datetime.combine(hi, time.max))


def sentiment_mix(
    engine: Engine,
    workspace_id: int,
    filters: Filters | None = None,
    by: str = "period",
    *,
    attribute: str | None = None,
    period: str = "month",
) -> pd.DataFrame:
    """Comments per group × sentiment label, counted in the database: group, order, label, n, total, share.

    ``by``: period (month/week/quarter of the response date), touchpoint or stage (the comment's own; comments
    tied to none form their own group), segment (values of ``attribute``; responses without it form '(none)'),
    or theme (a comment counts once for each theme it is tagged with). ``order`` sorts groups as the journey
    or the calendar does. Comments without a label are left out.
    """
    if by not in MIX_DIMENSIONS:
        raise InputRefused(f"Sentiment cannot be split by '{by}': use one of {', '.join(MIX_DIMENSIONS)}.")
    conds = [*response_conditions(workspace_id, filters), C.c.label.is_not(None)]
    base = _base()
    order: Any = literal(0)
    if by == "period":
        if period not in ("week", "month", "quarter"):
            raise InputRefused(f"Period '{period}' is not one of week, month, quarter.")
        key: Any = _week_start(engine) if period == "week" else _month_start(engine)
        conds.append(R.c.responded_at.is_not(None))
    elif by == "touchpoint":
        key, order = func.coalesce(TP.c.name, NO_TOUCHPOINT), func.coalesce(func.min(TP.c.position), 1_000_000)
    elif by == "stage":
        key, order = func.coalesce(TP.c.stage, NO_STAGE), func.coalesce(func.min(TP.c.position), 1_000_000)
    elif by == "segment":
        if not attribute:
            raise InputRefused("Choose a segment attribute to split sentiment by.")
        a = A.alias("mix_attr")
        base = base.outerjoin(a, (a.c.response_id == R.c.id) & (a.c.name == attribute))
        key = func.coalesce(a.c.value, NO_VALUE)
    else:
        base = base.join(CT, CT.c.comment_id == C.c.id).join(T, T.c.id == CT.c.theme_id)
        key, order = T.c.name, func.min(T.c.position)
    group = key.label("group")
    stmt = (
        select(group, order.label("order"), C.c.label, func.count(C.c.id).label("n"))
        .select_from(base)
        .where(*conds)
        .group_by(key, C.c.label)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(stmt).mappings().all(), columns=["group", "order", "label", "n"])
    if frame.empty:
        return pd.DataFrame(columns=MIX_COLUMNS)
    frame["n"] = frame["n"].astype("int64")
    if by == "period":
        frame["group"] = frame["group"].astype(str).str.slice(0, 10)
        if period == "quarter":
            starts = pd.to_datetime(frame["group"]).dt.to_period("Q").dt.start_time
            frame["group"] = starts.dt.strftime("%Y-%m-%d")
            frame = frame.groupby(["group", "label"], as_index=False)["n"].sum()
        frame["order"] = frame["group"]
    else:
        frame["group"] = frame["group"].astype(str)
        first = frame.groupby("group")["order"].transform("min")
        frame["order"] = first.fillna(0)
    frame["total"] = frame.groupby("group")["n"].transform("sum").astype("int64")
    frame["share"] = frame["n"] / frame["total"]
    by_order = frame.sort_values(["order", "group"], kind="stable")
    ranks = {g: i for i, g in enumerate(dict.fromkeys(by_order["group"]))}
    frame["order"] = frame["group"].map(ranks).astype("int64")
    frame["label"] = pd.Categorical(frame["label"], categories=list(LABELS))
    frame = frame.sort_values(["order", "label"], ignore_index=True)
    frame["label"] = frame["label"].astype(str)
    return frame[MIX_COLUMNS]


def outdated_scores(engine: Engine, workspace_id: int) -> dict[str, int]:
    """Comments of the workspace whose stored sentiment an earlier version of the analysers wrote: {method: count}
    (re-scoring, or importing the file again, scores them with the current version)."""
    from cxdash.analysis.sentiment import current_methods

    stmt = (
        select(C.c.method, func.count(C.c.id))
        .select_from(C.join(R, R.c.id == C.c.response_id))
        .where(R.c.workspace_id == workspace_id, C.c.method.is_not(None), C.c.method.not_in(current_methods()))
        .group_by(C.c.method)
        .order_by(C.c.method)
    )
    with engine.connect() as conn:
        return {str(m): int(n) for m, n in conn.execute(stmt)}


def tied_comment_count(engine: Engine, workspace_id: int) -> int:
    """How many comments of the workspace are tied to a touchpoint (the touchpoint/stage splits need some)."""
    stmt = (
        select(func.count(C.c.id))
        .select_from(C.join(R, R.c.id == C.c.response_id))
        .where(R.c.workspace_id == workspace_id, C.c.touchpoint_id.is_not(None))
    )
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())
