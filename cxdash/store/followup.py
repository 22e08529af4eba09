"""The follow-up queue: unhappy customers become cases with an owner, a status, notes and dates.

Which responses become cases is a per-workspace rule set (``FollowupRules``, kept in the ``setting`` table):
detractors by default; optionally low CSAT (bottom-2 box of its own scale) and responses with a negative comment
(on any touchpoint or on chosen ones). ``sync_cases`` runs after every import, so new responses flow into the queue;
a case is keyed by its response (unique), and a re-imported response keeps its response row, so re-imports never
duplicate a case, and a case once opened is never removed by a later import.

A case's clock starts when the customer answered (``opened_at`` = the response's time, or the import time when the
file has no dates): time to first contact and time to resolution are measured from there.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, cast

import pandas as pd
from sqlalchemy import Engine, String, Table, and_, case, delete, func, insert, literal, or_, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.sql.elements import ColumnElement

from cxdash.errors import InputRefused, NotFound
from cxdash.store.engine import writer
from cxdash.store.models import (
    Attribute,
    Comment,
    FollowupCase,
    Rating,
    Response,
    Setting,
    Touchpoint,
    utcnow,
)
from cxdash.store.queries import Filters, response_conditions
from cxdash.store.verbatims import ESCAPE, escape_like
from cxdash.textfold import fold, folded

R = cast(Table, Response.__table__)  # type: ignore[attr-defined]
C = cast(Table, Comment.__table__)  # type: ignore[attr-defined]
A = cast(Table, Attribute.__table__)  # type: ignore[attr-defined]
RT = cast(Table, Rating.__table__)  # type: ignore[attr-defined]
TP = cast(Table, Touchpoint.__table__)  # type: ignore[attr-defined]
FC = cast(Table, FollowupCase.__table__)  # type: ignore[attr-defined]
ST = cast(Table, Setting.__table__)  # type: ignore[attr-defined]

STATUSES = ("new", "contacted", "resolved", "no_action")
OPEN_STATUSES = ("new", "contacted")
CLOSED_STATUSES = ("resolved", "no_action")
REASONS = ("detractor", "low_csat", "negative_comment")
RULES_KEY = "followup_rules"
DEFAULT_CSAT_MAX = 5


@dataclass(frozen=True)
class FollowupRules:
    """Which responses open a case. ``negative_touchpoints`` empty = a negative comment on anything."""

    detractors: bool = True
    low_csat: bool = False
    negative_comment: bool = False
    negative_touchpoints: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_json(cls, text: str | None) -> FollowupRules:
        try:
            raw = json.loads(text or "null")
        except ValueError:
            raw = None
        if not isinstance(raw, dict):
            return cls()
        return cls(
            detractors=bool(raw.get("detractors", True)),
            low_csat=bool(raw.get("low_csat", False)),
            negative_comment=bool(raw.get("negative_comment", False)),
            negative_touchpoints=tuple(str(t) for t in raw.get("negative_touchpoints", []) or []),
        )

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "negative_touchpoints": list(self.negative_touchpoints)}, ensure_ascii=False)


def get_rules(engine: Engine, workspace_id: int) -> FollowupRules:
    with engine.connect() as conn:
        text = conn.execute(
            select(ST.c.value_json).where(ST.c.workspace_id == workspace_id, ST.c.key == RULES_KEY)
        ).scalar_one_or_none()
    return FollowupRules.from_json(text)


def set_rules(engine: Engine, workspace_id: int, rules: FollowupRules) -> int:
    """Save the workspace's rules and bring the queue up to date with them; returns the cases opened."""
    with writer(engine).begin() as conn:
        conn.execute(delete(ST).where(ST.c.workspace_id == workspace_id, ST.c.key == RULES_KEY))
        conn.execute(insert(ST).values(workspace_id=workspace_id, key=RULES_KEY, value_json=rules.to_json()))
    return sync_cases(engine, workspace_id)


def _negative_comment_exists(rules: FollowupRules) -> ColumnElement[bool]:
    conds: list[ColumnElement[bool]] = [C.c.response_id == R.c.id, C.c.label == "negative"]
    if rules.negative_touchpoints:
        tp_ids = select(TP.c.id).where(TP.c.workspace_id == R.c.workspace_id, TP.c.name.in_(rules.negative_touchpoints))
        rated = select(RT.c.response_id).where(
            RT.c.response_id == R.c.id, RT.c.touchpoint_id.in_(tp_ids.scalar_subquery())
        )
        # a comment tied to one of the touchpoints, or a general comment of someone who rated one of them
        conds.append(
            or_(C.c.touchpoint_id.in_(tp_ids.scalar_subquery()), and_(C.c.touchpoint_id.is_(None), rated.exists()))
        )
    return select(C.c.id).where(*conds).correlate(R).exists()


def _rule_reason(rules: FollowupRules) -> tuple[ColumnElement[bool] | None, ColumnElement[Any]]:
    """(WHERE condition matching the rules, CASE giving the first matching reason) over the response table."""
    whens: list[tuple[ColumnElement[bool], str]] = []
    if rules.detractors:
        whens.append(((R.c.nps >= 0) & (R.c.nps <= 6), "detractor"))
    if rules.low_csat:
        csat_min = func.coalesce(R.c.csat_min, 1)
        whens.append((R.c.csat.is_not(None) & (R.c.csat <= csat_min + 1), "low_csat"))
    if rules.negative_comment:
        whens.append((_negative_comment_exists(rules), "negative_comment"))
    if not whens:
        return None, literal("detractor")
    return or_(*(w for w, _ in whens)), case(*whens, else_="detractor")


def sync_cases(engine: Engine, workspace_id: int, batch_id: int | None = None) -> int:
    """Open a case for every response matching the workspace's rules that has none yet; returns how many."""
    rules = get_rules(engine, workspace_id)
    cond, reason = _rule_reason(rules)
    if cond is None:
        return 0
    now = utcnow()
    has_case = select(FC.c.id).where(FC.c.response_id == R.c.id).correlate(R).exists()
    where = [R.c.workspace_id == workspace_id, cond, ~has_case]
    if batch_id is not None:
        where.append(R.c.batch_id == batch_id)
    source = select(
        R.c.workspace_id,
        R.c.id,
        reason,
        literal("new"),
        literal(""),
        literal(""),
        func.coalesce(R.c.responded_at, now),
        literal(now),
    ).where(*where)
    stmt = insert(FC).from_select(
        ["workspace_id", "response_id", "reason", "status", "owner", "notes", "opened_at", "updated_at"], source
    )
    with writer(engine).begin() as conn:
        # INSERT … SELECT reports its row count only when asked to keep it (psycopg: -1 otherwise)
        return int(conn.execute(stmt.execution_options(preserve_rowcount=True)).rowcount or 0)


@dataclass(frozen=True)
class CaseQuery:
    """Filters of the queue; ``statuses`` empty = all."""

    statuses: Sequence[str] = ()
    reasons: Sequence[str] = ()
    owner: str | None = None
    touchpoint: str | None = None
    search: str | None = None
    sort: str = "age"  # age (oldest first), score (lowest first), status
    limit: int = 500
    segment: Filters | None = None  # the sidebar's segment filters (attributes, channels), see in_segment


def in_segment(workspace_id: int, filters: Filters | None) -> list[ColumnElement[bool]]:
    """Conditions on cases: their response is in the sidebar's segment (its attributes and channels, as the
    Overview's scorecard reads them; not its dates: a case open now may come from an older answer)."""
    if filters is None or not (any(filters.attributes.values()) or filters.channels):
        return []
    segment = Filters(attributes=filters.attributes, channels=filters.channels)
    inside = select(R.c.id).where(R.c.id == FC.c.response_id, *response_conditions(workspace_id, segment))
    return [inside.correlate(FC).exists()]


def _case_base(workspace_id: int, query: CaseQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [FC.c.workspace_id == workspace_id, *in_segment(workspace_id, query.segment)]
    if query.statuses:
        conds.append(FC.c.status.in_(list(query.statuses)))
    if query.reasons:
        conds.append(FC.c.reason.in_(list(query.reasons)))
    if query.owner is not None:
        conds.append(FC.c.owner == query.owner)
    if query.touchpoint:
        tp = (
            select(RT.c.response_id)
            .join(TP, TP.c.id == RT.c.touchpoint_id)
            .where(RT.c.response_id == FC.c.response_id, TP.c.name == query.touchpoint)
        )
        conds.append(tp.correlate(FC).exists())
    if query.search:
        needle = f"%{escape_like(fold(query.search.strip()))}%"  # whatever its case and width, as on the Voice page
        text_match = select(C.c.id).where(
            C.c.response_id == FC.c.response_id, folded(C.c.text).like(needle, escape=ESCAPE)
        )
        conds.append(or_(text_match.correlate(FC).exists(), folded(FC.c.notes).like(needle, escape=ESCAPE)))
    return conds


CASE_COLUMNS = [
    "case_id", "response", "responded", "age_days", "nps", "csat", "reason", "touchpoint", "touchpoint_score",
    "comment", "segment", "status", "owner", "notes", "opened_at", "first_contact_at", "resolved_at",
]  # fmt: skip


def list_cases(
    engine: Engine, workspace_id: int, query: CaseQuery | None = None, now: datetime | None = None
) -> pd.DataFrame:
    """The queue: one row per case with the score, comment, weakest touchpoint, segment and age (days)."""
    q = query or CaseQuery()
    now = now or utcnow()
    order = {
        "age": [FC.c.opened_at.asc(), FC.c.id.asc()],
        "score": [R.c.nps.asc().nulls_last(), FC.c.opened_at.asc()],
        "status": [FC.c.status.asc(), FC.c.opened_at.asc()],
        "newest": [FC.c.opened_at.desc(), FC.c.id.desc()],
    }.get(q.sort, [FC.c.opened_at.asc()])
    stmt = (
        select(
            FC.c.id.label("case_id"),
            FC.c.response_id,
            func.coalesce(R.c.external_id, sql_cast(R.c.id, String)).label("response"),
            R.c.responded_at.label("responded"),
            R.c.nps,
            R.c.csat,
            FC.c.reason,
            FC.c.status,
            FC.c.owner,
            FC.c.notes,
            FC.c.opened_at,
            FC.c.first_contact_at,
            FC.c.resolved_at,
        )
        .join(R, R.c.id == FC.c.response_id)
        .where(*_case_base(workspace_id, q))
        .order_by(*order)
        .limit(q.limit)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(stmt).mappings().all())
        if frame.empty:
            return pd.DataFrame(columns=CASE_COLUMNS)
        ids = [int(i) for i in frame["response_id"]]
        weakest = _weakest_touchpoints(conn, ids)
        comments = _comments(conn, ids)
        segments = _segments(conn, ids)
    frame["touchpoint"] = [weakest.get(i, (None, None))[0] for i in ids]
    frame["touchpoint_score"] = [weakest.get(i, (None, None))[1] for i in ids]
    frame["comment"] = [comments.get(i, "") for i in ids]
    frame["segment"] = [segments.get(i, "") for i in ids]
    opened = pd.to_datetime(frame["opened_at"])
    frame["age_days"] = ((pd.Timestamp(now) - opened).dt.total_seconds() / 86400.0).round(1)
    return frame[CASE_COLUMNS].reset_index(drop=True)


def _chunks(ids: Sequence[int], size: int = 900) -> list[Sequence[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _weakest_touchpoints(conn: Any, ids: Sequence[int]) -> dict[int, tuple[str, float]]:
    """The lowest-rated touchpoint (relative to its scale) of each response."""
    out: dict[int, tuple[str, float, float]] = {}
    for part in _chunks(ids):
        rows = conn.execute(
            select(RT.c.response_id, TP.c.name, RT.c.score, TP.c.scale_min, TP.c.scale_max)
            .join(TP, TP.c.id == RT.c.touchpoint_id)
            .where(RT.c.response_id.in_(list(part)))
        )
        for rid, name, score, lo, hi in rows:
            rel = (float(score) - lo) / (hi - lo) if hi != lo else float(score)
            if rid not in out or rel < out[rid][2]:
                out[rid] = (name, float(score), rel)
    return {k: (v[0], v[1]) for k, v in out.items()}


def _comments(conn: Any, ids: Sequence[int]) -> dict[int, str]:
    out: dict[int, list[str]] = {}
    for part in _chunks(ids):
        rows = conn.execute(
            select(C.c.response_id, C.c.text).where(C.c.response_id.in_(list(part))).order_by(C.c.response_id, C.c.id)
        )
        for rid, text in rows:
            out.setdefault(rid, []).append(text)
    return {k: " / ".join(v) for k, v in out.items()}


def _segments(conn: Any, ids: Sequence[int]) -> dict[int, str]:
    out: dict[int, list[str]] = {}
    for part in _chunks(ids):
        rows = conn.execute(
            select(A.c.response_id, A.c.name, A.c.value)
            .where(A.c.response_id.in_(list(part)))
            .order_by(A.c.response_id, A.c.name)
        )
        for rid, name, value in rows:
            out.setdefault(rid, []).append(f"{name}: {value}")
    return {k: " · ".join(v) for k, v in out.items()}


def update_case(
    engine: Engine,
    case_id: int,
    *,
    status: str | None = None,
    owner: str | None = None,
    notes: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """Change a case's status, owner or notes; the first move out of "new" stamps first contact, closing stamps
    resolution (re-opening clears it). Returns the case as a dict."""
    if status is not None and status not in STATUSES:
        raise InputRefused(f"Unknown case status '{status}'. Use one of: {', '.join(STATUSES)}.")
    at = at or utcnow()
    with writer(engine).begin() as conn:
        row = conn.execute(select(FC).where(FC.c.id == case_id)).mappings().one_or_none()
        if row is None:
            raise NotFound(f"Follow-up case {case_id} does not exist (it may have been deleted with its response).")
        values: dict[str, Any] = {"updated_at": at}
        if owner is not None:
            values["owner"] = owner.strip()
        if notes is not None:
            values["notes"] = notes
        if status is not None and status != row["status"]:
            values["status"] = status
            if status in ("contacted", "resolved") and row["first_contact_at"] is None:
                values["first_contact_at"] = at
            if status in CLOSED_STATUSES:
                values["resolved_at"] = at
            else:
                values["resolved_at"] = None
        conn.execute(update(FC).where(FC.c.id == case_id).values(**values))
        new = conn.execute(select(FC).where(FC.c.id == case_id)).mappings().one()
    return dict(new)


@dataclass(frozen=True)
class CaseStats:
    """Counts by status and the service times of the queue (hours; None when nothing to measure)."""

    by_status: dict[str, int]
    open: int
    total: int
    median_hours_to_contact: float | None
    median_hours_to_resolution: float | None
    contacted_within_48h: float | None  # share of cases with a first contact that had it within 48 hours
    n_contacted: int
    n_resolved: int


def case_stats(engine: Engine, workspace_id: int, segment: Filters | None = None) -> CaseStats:
    """Counts by status and contact/resolution times of a workspace's cases (of those in ``segment``, see
    in_segment)."""
    cases = [FC.c.workspace_id == workspace_id, *in_segment(workspace_id, segment)]
    counts_stmt = select(FC.c.status, func.count()).where(*cases).group_by(FC.c.status)
    times_stmt = select(FC.c.opened_at, FC.c.first_contact_at, FC.c.resolved_at, FC.c.status).where(
        *cases, FC.c.first_contact_at.is_not(None) | FC.c.resolved_at.is_not(None)
    )
    with engine.connect() as conn:
        by_status = {s: 0 for s in STATUSES}
        for status, n in conn.execute(counts_stmt):
            by_status[str(status)] = int(n)
        times = pd.DataFrame(conn.execute(times_stmt).mappings().all())
    to_contact: pd.Series = pd.Series(dtype=float)
    to_resolve: pd.Series = pd.Series(dtype=float)
    if not times.empty:
        opened = pd.to_datetime(times["opened_at"])
        contact = pd.to_datetime(times["first_contact_at"])
        resolved = pd.to_datetime(times["resolved_at"])
        to_contact = ((contact - opened).dt.total_seconds() / 3600.0).dropna().clip(lower=0)
        resolved_ok = times["status"] == "resolved"
        to_resolve = ((resolved[resolved_ok] - opened[resolved_ok]).dt.total_seconds() / 3600.0).dropna().clip(lower=0)
    return CaseStats(
        by_status=by_status,
        open=sum(by_status[s] for s in OPEN_STATUSES),
        total=sum(by_status.values()),
        median_hours_to_contact=float(to_contact.median()) if len(to_contact) else None,
        median_hours_to_resolution=float(to_resolve.median()) if len(to_resolve) else None,
        contacted_within_48h=float((to_contact <= 48).mean()) if len(to_contact) else None,
        n_contacted=len(to_contact),
        n_resolved=len(to_resolve),
    )


def open_cases_at(engine: Engine, workspace_id: int, when: datetime, segment: Filters | None = None) -> int:
    """Cases that were open at ``when``: opened by then and not closed by then (of those in ``segment``)."""
    stmt = select(func.count()).where(
        FC.c.workspace_id == workspace_id,
        *in_segment(workspace_id, segment),
        FC.c.opened_at <= when,
        or_(FC.c.resolved_at.is_(None), FC.c.resolved_at > when),
    )
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def case_owners(engine: Engine, workspace_id: int) -> list[str]:
    stmt = select(FC.c.owner).where(FC.c.workspace_id == workspace_id, FC.c.owner != "").distinct().order_by(FC.c.owner)
    with engine.connect() as conn:
        return [str(o) for (o,) in conn.execute(stmt)]
