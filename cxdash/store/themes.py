"""Themes in the store: the editable taxonomy per workspace, comment tagging, and theme aggregates.

Tags (comment_theme rows) are derived data: ``tag_comments`` rebuilds them from the rules in bulk, and
``save_theme`` re-tags the theme it saved. Aggregates run in the database (SQLAlchemy Core, SQLite and
PostgreSQL alike); only tokenising and rule matching run in Python.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, cast

import pandas as pd
from sqlalchemy import Connection, Engine, Table, and_, case, delete, exists, func, insert, select
from sqlmodel import Session
from sqlmodel import select as sm_select

from cxdash.analysis.themes import ThemeMatcher, ThemeRules, load_default_taxonomy, rules_text, uncovered_terms
from cxdash.errors import InputRefused, NotFound
from cxdash.ingest.write import insert_rows
from cxdash.store.engine import writer
from cxdash.store.frames import cursor_rows, read_times
from cxdash.store.models import Attribute, Comment, CommentTheme, Response, Theme, Touchpoint, Workspace
from cxdash.store.queries import Filters, response_conditions

T: Table = Theme.__table__  # type: ignore[attr-defined]
CT: Table = CommentTheme.__table__  # type: ignore[attr-defined]
C: Table = Comment.__table__  # type: ignore[attr-defined]
R: Table = Response.__table__  # type: ignore[attr-defined]
A: Table = Attribute.__table__  # type: ignore[attr-defined]
TP: Table = Touchpoint.__table__  # type: ignore[attr-defined]
W: Table = Workspace.__table__  # type: ignore[attr-defined]

CHUNK = 50_000
IN_CHUNK = 5_000
NO_TOUCHPOINT = "(no touchpoint)"
SUMMARY_COLUMNS = [
    "theme_id", "theme", "volume", "share", "negative_share", "negative", "volume_previous", "share_previous",
    "volume_change", "volume_change_pct", "share_change", "example_ids", "examples",
]  # fmt: skip


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """Consecutive slices of at most ``size`` items (bounded IN lists and insert batches)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def list_themes(engine: Engine, workspace_id: int) -> list[Theme]:
    """The workspace's themes in display order."""
    with Session(engine) as session:
        q = sm_select(Theme).where(Theme.workspace_id == workspace_id).order_by(T.c.position, T.c.id)
        return list(session.exec(q))


def seed_themes(engine: Engine, workspace_id: int, taxonomy: Sequence[ThemeRules] | None = None) -> int:
    """Give a workspace without themes the default taxonomy; returns how many were added (0 if it had some)."""
    with writer(engine).begin() as conn:
        return seed_themes_in(conn, workspace_id, taxonomy)


def seed_themes_in(conn: Connection, workspace_id: int, taxonomy: Sequence[ThemeRules] | None = None) -> int:
    """``seed_themes`` inside the caller's transaction (an import seeds and tags in its own)."""
    if conn.execute(select(func.count()).select_from(T).where(T.c.workspace_id == workspace_id)).scalar_one():
        return 0
    if taxonomy is None:
        language = conn.execute(select(W.c.language).where(W.c.id == workspace_id)).scalar_one_or_none()
        taxonomy = load_default_taxonomy(language=language or "en")  # named in the workspace's language
    items = list(taxonomy)
    rows = [
        {"workspace_id": workspace_id, "name": t.name, "keywords_en": t.keywords_en, "keywords_ja": t.keywords_ja,
         "position": i}
        for i, t in enumerate(items)
    ]  # fmt: skip
    if rows:
        conn.execute(insert(T), rows)
    return len(items)


def theme_rules(conn: Connection, workspace_id: int) -> list[ThemeRules]:
    """The workspace's themes as the matcher takes them (with their ids), in display order."""
    q = select(T.c.id, T.c.name, T.c.keywords_en, T.c.keywords_ja).where(T.c.workspace_id == workspace_id)
    return [
        ThemeRules(r.name, r.keywords_en, r.keywords_ja, r.id) for r in conn.execute(q.order_by(T.c.position, T.c.id))
    ]


def save_theme(
    engine: Engine,
    workspace_id: int,
    name: str,
    keywords_en: str | Sequence[str],
    keywords_ja: str | Sequence[str],
    theme_id: int | None = None,
    *,
    retag: bool = True,
) -> Theme:
    """Create a theme (theme_id None) or update one; rules are checked first, and its comments re-tagged."""
    name = (name or "").strip()
    en, ja = rules_text(keywords_en), rules_text(keywords_ja)
    if not name:
        raise InputRefused("A theme needs a name.")
    if len(name) > 200:
        raise InputRefused(f"The theme name '{name[:40]}…' is longer than 200 characters.")
    if not any(not r.startswith("-") for r in (en + "\n" + ja).split("\n") if r):
        raise InputRefused(f"Theme '{name}' needs at least one keyword rule (English or Japanese).")
    ThemeMatcher([ThemeRules(name, en, ja)])  # raises InputRefused on a rule that cannot match
    with Session(writer(engine)) as session:
        clash = session.exec(
            sm_select(Theme).where(Theme.workspace_id == workspace_id, Theme.name == name, Theme.id != theme_id)
        ).first()
        if clash is not None:
            raise InputRefused(f"There is already a theme called '{name}': choose another name or edit that one.")
        if theme_id is None:
            last = session.exec(sm_select(func.max(Theme.position)).where(Theme.workspace_id == workspace_id)).one()
            theme = Theme(
                workspace_id=workspace_id,
                name=name,
                keywords_en=en,
                keywords_ja=ja,
                position=(last if last is not None else -1) + 1,
            )
        else:
            found = session.get(Theme, theme_id)
            if found is None or found.workspace_id != workspace_id:
                raise NotFound(f"Theme {theme_id} does not exist in this workspace.")
            theme = found
            theme.name, theme.keywords_en, theme.keywords_ja = name, en, ja
        session.add(theme)
        session.commit()
        session.refresh(theme)
    if retag:
        assert theme.id is not None
        tag_comments(engine, workspace_id, theme_ids=[theme.id])
    return theme


def delete_theme(engine: Engine, workspace_id: int, theme_id: int) -> None:
    """Delete a theme and its tags."""
    with writer(engine).begin() as conn:
        gone = conn.execute(delete(T).where(T.c.id == theme_id, T.c.workspace_id == workspace_id)).rowcount
    if not gone:
        raise NotFound(f"Theme {theme_id} does not exist in this workspace.")


def _matcher(themes: Sequence[Theme]) -> ThemeMatcher:
    return ThemeMatcher([ThemeRules(t.name, t.keywords_en, t.keywords_ja, t.id) for t in themes])


def _comment_rows(conn: Connection, workspace_id: int, comment_ids: Sequence[int] | None) -> list[Any]:
    """(id, text, language) of the workspace's comments, all or the given ids."""
    if comment_ids is None:
        q = (
            select(C.c.id, C.c.text, C.c.language)
            .join(R, R.c.id == C.c.response_id)
            .where(R.c.workspace_id == workspace_id)
        )
        return list(conn.execute(q.order_by(C.c.id)))
    # Driven by the id list, the workspace checked per comment: a join lets SQLite walk every response of the
    # workspace and probe the IN list for each (quadratic: 20 s for 6,000 comments of a 10,000-row batch).
    in_workspace = exists().where(R.c.id == C.c.response_id, R.c.workspace_id == workspace_id)
    q = select(C.c.id, C.c.text, C.c.language).where(in_workspace)
    rows: list[Any] = []
    for part in _chunks(list(comment_ids), IN_CHUNK):
        rows.extend(conn.execute(q.where(C.c.id.in_(part))))
    return rows


def tag_comments(
    engine: Engine, workspace_id: int, comment_ids: Sequence[int] | None = None, theme_ids: Sequence[int] | None = None
) -> int:
    """Re-tag comments (all, or the given ids) with the themes (all, or the given ids); returns tags written."""
    themes = [t for t in list_themes(engine, workspace_id) if theme_ids is None or t.id in set(theme_ids)]
    matcher = _matcher(themes)
    ids = [cast(int, t.id) for t in themes]
    with writer(engine).begin() as conn:
        # Read the comments under the write lock: a concurrent import may replace some of them (a re-imported
        # response id), and tags must go to the comments as they are now, not as they were a moment ago.
        rows = _comment_rows(conn, workspace_id, comment_ids)
        hits = matcher.match_many([r[1] for r in rows], [r[2] for r in rows])
        tags = [(r[0], ids[i]) for r, found in zip(rows, hits, strict=True) for i in found]
        for theme_part in _chunks(ids, IN_CHUNK):
            if comment_ids is None:
                conn.execute(delete(CT).where(CT.c.theme_id.in_(theme_part)))
            else:
                for part in _chunks([r[0] for r in rows], IN_CHUNK):
                    conn.execute(delete(CT).where(CT.c.theme_id.in_(theme_part), CT.c.comment_id.in_(part)))
        insert_rows(conn, CT, {"comment_id": [t[0] for t in tags], "theme_id": [t[1] for t in tags]}, CHUNK)
    return len(tags)


def _conditions(workspace_id: int, filters: Filters | None, date_from: Any = None, date_to: Any = None) -> list[Any]:
    f = replace(filters or Filters(), date_from=date_from, date_to=date_to) if date_from or date_to else filters
    return response_conditions(workspace_id, f)


def previous_period(date_from: date | datetime, date_to: date | datetime) -> tuple[date | datetime, date | datetime]:
    """The period of the same length just before [date_from, date_to] (whole days when given dates)."""
    if isinstance(date_from, datetime) or isinstance(date_to, datetime):
        start = date_from if isinstance(date_from, datetime) else datetime.combine(date_from, datetime.min.time())
        end = date_to if isinstance(date_to, datetime) else datetime.combine(date_to, datetime.max.time())
        return start - (end - start) - timedelta(microseconds=1), start - timedelta(microseconds=1)
    days = (date_to - date_from).days + 1
    return date_from - timedelta(days=days), date_from - timedelta(days=1)


def _period_counts(engine: Engine, conds: list[Any]) -> tuple[int, dict[int, tuple[int, int, int]]]:
    """(comments in period, {theme_id: (volume, negative, labelled)})."""
    neg = func.sum(case((C.c.label == "negative", 1), else_=0))
    labelled = func.sum(case((C.c.label.is_not(None), 1), else_=0))
    base = C.join(R, R.c.id == C.c.response_id)
    with engine.connect() as conn:
        total = conn.execute(select(func.count(C.c.id)).select_from(base).where(*conds)).scalar_one()
        q = (
            select(CT.c.theme_id, func.count(), neg, labelled)
            .select_from(base.join(CT, CT.c.comment_id == C.c.id))
            .where(*conds)
            .group_by(CT.c.theme_id)
        )
        per = {r[0]: (int(r[1]), int(r[2] or 0), int(r[3] or 0)) for r in conn.execute(q)}
    return int(total), per


#: the latest comments per theme read to find its examples (more only when they repeat one text)
EXAMPLE_CANDIDATES = 10


def _examples(engine: Engine, conds: list[Any], n: int, theme_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """Up to n most recent comments per theme, each text once ("Too slow" × 40 is one example): {theme_id: [(comment
    id, text)]}. The latest ``EXAMPLE_CANDIDATES`` × n of each theme are read; a theme whose latest comments repeat
    fewer than n texts is read again with each text once, which costs a sort of all its comments by text."""
    limit = n * EXAMPLE_CANDIDATES
    out: dict[int, list[tuple[int, str]]] = {}
    read: dict[int, int] = {}
    for tid, cid, text in _latest(engine, conds, limit, theme_ids):
        read[tid] = read.get(tid, 0) + 1
        shown = out.setdefault(tid, [])
        if len(shown) < n and all(text != seen for _, seen in shown):
            shown.append((cid, text))
    short = [tid for tid, shown in out.items() if len(shown) < n and read[tid] == limit]
    if short:
        for tid in short:
            out[tid] = []
        for tid, cid, text in _newest_texts(engine, [*conds, CT.c.theme_id.in_(short)], n):
            out[tid].append((cid, text))
    return out


def _latest(engine: Engine, conds: list[Any], n: int, theme_ids: list[int]) -> list[Any]:
    """(theme id, comment id, text) of the n newest comments of each theme, newest first, theme by theme: one
    query per theme with a LIMIT sorts only that theme's comments (numbering every tagged comment with a window
    took 2.6× as long at 100k responses)."""
    base = C.join(R, R.c.id == C.c.response_id).join(CT, CT.c.comment_id == C.c.id)
    rows: list[Any] = []
    with engine.connect() as conn:
        for tid in sorted(theme_ids):
            q = (
                select(CT.c.theme_id, C.c.id, C.c.text)
                .select_from(base)
                .where(*conds, CT.c.theme_id == tid)
                .order_by(R.c.responded_at.desc().nulls_last(), C.c.id.desc())
                .limit(n)
            )
            rows.extend(conn.execute(q))
    return rows


def _newest_texts(engine: Engine, conds: list[Any], n: int) -> list[Any]:
    """(theme id, comment id, text) of the n newest texts of each theme, newest first: of each text only its newest
    writing."""
    base: Any = C.join(R, R.c.id == C.c.response_id).join(CT, CT.c.comment_id == C.c.id)
    newest_first = (R.c.responded_at.desc().nulls_last(), C.c.id.desc())
    copy = func.row_number().over(partition_by=(CT.c.theme_id, C.c.text), order_by=newest_first)
    rows = select(CT.c.theme_id, C.c.id, C.c.text, R.c.responded_at, copy.label("copy")).select_from(base).where(*conds)
    texts = rows.subquery()
    order = (texts.c.responded_at.desc().nulls_last(), texts.c.id.desc())
    rank = func.row_number().over(partition_by=texts.c.theme_id, order_by=order).label("rank")
    inner = select(texts.c.theme_id, texts.c.id, texts.c.text, rank).where(texts.c.copy == 1)
    ranked = inner.subquery()
    q = select(ranked.c.theme_id, ranked.c.id, ranked.c.text).where(ranked.c.rank <= n)
    with engine.connect() as conn:
        return list(conn.execute(q.order_by(ranked.c.theme_id, ranked.c.rank)))


def theme_summary(
    engine: Engine,
    workspace_id: int,
    date_from: date | datetime | None = None,
    date_to: date | datetime | None = None,
    previous_from: date | datetime | None = None,
    previous_to: date | datetime | None = None,
    *,
    filters: Filters | None = None,
    n_examples: int = 3,
) -> pd.DataFrame:
    """Per theme: volume, share of all comments, share negative (of labelled), change vs. the previous period.

    Without previous bounds, the previous period is the one of equal length just before [date_from, date_to]
    (when both are given; otherwise the *_previous columns are empty). ``share_change`` is in share points.
    """
    if filters is not None and date_from is None and date_to is None:
        date_from, date_to = filters.date_from, filters.date_to
    if previous_from is None and previous_to is None and date_from is not None and date_to is not None:
        previous_from, previous_to = previous_period(date_from, date_to)
    conds = _conditions(workspace_id, filters, date_from, date_to)
    total, cur = _period_counts(engine, conds)
    has_prev = previous_from is not None or previous_to is not None
    p_total, prev = (
        _period_counts(engine, _conditions(workspace_id, filters, previous_from, previous_to)) if has_prev else (0, {})
    )
    tagged = [tid for tid, (vol, _, _) in cur.items() if vol]
    examples = _examples(engine, conds, n_examples, tagged) if n_examples else {}
    rows = []
    for t in list_themes(engine, workspace_id):
        vol, negs, lab = cur.get(cast(int, t.id), (0, 0, 0))
        pvol = prev.get(cast(int, t.id), (0, 0, 0))[0]
        share = vol / total if total else float("nan")
        pshare = pvol / p_total if p_total else float("nan")
        ex = examples.get(cast(int, t.id), [])
        rows.append(
            {
                "theme_id": t.id,
                "theme": t.name,
                "volume": vol,
                "share": share,
                "negative_share": negs / lab if lab else float("nan"),
                "negative": negs,
                "volume_previous": pvol if has_prev else float("nan"),
                "share_previous": pshare,
                "volume_change": vol - pvol if has_prev else float("nan"),
                "volume_change_pct": (vol / pvol - 1.0) if has_prev and pvol else float("nan"),
                "share_change": share - pshare,
                "example_ids": [e[0] for e in ex],
                "examples": [e[1] for e in ex],
            }
        )
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    return frame.sort_values("volume", ascending=False, kind="stable", ignore_index=True)


def themes_by_touchpoint(engine: Engine, workspace_id: int, *, filters: Filters | None = None) -> pd.DataFrame:
    """Tagged comments per touchpoint × theme: volume, share of the touchpoint's comments, share negative."""
    conds = _conditions(workspace_id, filters)
    base = C.join(R, R.c.id == C.c.response_id).outerjoin(TP, TP.c.id == C.c.touchpoint_id)
    tp_name = func.coalesce(TP.c.name, NO_TOUCHPOINT).label("touchpoint")
    tp_pos = func.coalesce(TP.c.position, 1_000_000).label("tp_position")
    neg = func.sum(case((C.c.label == "negative", 1), else_=0))
    labelled = func.sum(case((C.c.label.is_not(None), 1), else_=0))
    with engine.connect() as conn:
        totals_q = select(tp_name, func.count(C.c.id)).select_from(base).where(*conds).group_by(tp_name)
        totals = {r[0]: r[1] for r in conn.execute(totals_q)}
        q = (
            select(tp_name, tp_pos, T.c.id, T.c.name, T.c.position, func.count(), neg, labelled)
            .select_from(base.join(CT, CT.c.comment_id == C.c.id).join(T, T.c.id == CT.c.theme_id))
            .where(*conds)
            .group_by(tp_name, tp_pos, T.c.id, T.c.name, T.c.position)
        )
        rows = list(conn.execute(q))
    frame = pd.DataFrame(
        rows,
        columns=["touchpoint", "tp_position", "theme_id", "theme", "theme_position", "volume", "negative", "labelled"],
    )
    if frame.empty:
        return pd.DataFrame(columns=["touchpoint", "theme_id", "theme", "volume", "share", "negative_share"])
    frame["share"] = frame["volume"] / frame["touchpoint"].map(totals).astype(float)
    frame["negative_share"] = (frame["negative"] / frame["labelled"].where(frame["labelled"] > 0)).astype(float)
    frame = frame.sort_values(["tp_position", "touchpoint", "theme_position", "theme_id"], ignore_index=True)
    return frame[["touchpoint", "theme_id", "theme", "volume", "share", "negative_share"]]


def comments_frame(
    engine: Engine,
    workspace_id: int,
    *,
    filters: Filters | None = None,
    attribute: str | None = None,
    with_themes: bool = False,
) -> pd.DataFrame:
    """Comments for keyword analysis: id, text, language, label, touchpoint (+ the attribute, + theme rows).

    With ``with_themes`` a comment appears once per theme (theme None when it has none): group by "theme".
    """
    cols: list[Any] = [
        C.c.id,
        C.c.response_id,
        C.c.text,
        C.c.language,
        C.c.label,
        C.c.compound,
        func.coalesce(TP.c.name, NO_TOUCHPOINT).label("touchpoint"),
        R.c.responded_at,
    ]
    base = C.join(R, R.c.id == C.c.response_id).outerjoin(TP, TP.c.id == C.c.touchpoint_id)
    if attribute is not None:
        a = A.alias("attr")
        base = base.outerjoin(a, and_(a.c.response_id == R.c.id, a.c.name == attribute))
        cols.append(a.c.value.label(attribute))
    if with_themes:
        base = base.outerjoin(CT, CT.c.comment_id == C.c.id).outerjoin(T, T.c.id == CT.c.theme_id)
        cols.append(T.c.name.label("theme"))
    with engine.connect() as conn:
        stmt = select(*cols).select_from(base).where(*_conditions(workspace_id, filters)).order_by(C.c.id)
        frame = pd.DataFrame(cursor_rows(conn.execute(stmt)), columns=[c.name for c in cols])
    frame["responded_at"] = read_times(frame["responded_at"])
    return frame


def suggest_new_themes(
    engine: Engine, workspace_id: int, k: int = 10, *, filters: Filters | None = None, min_count: int = 2
) -> pd.DataFrame:
    """Frequent terms and phrases of comments that no theme covers (term, count, score, examples)."""
    tagged = exists().where(CT.c.comment_id == C.c.id)
    q = (
        select(C.c.id, C.c.text, C.c.language, tagged.label("covered"))
        .select_from(C.join(R, R.c.id == C.c.response_id))
        .where(*_conditions(workspace_id, filters))
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(cursor_rows(conn.execute(q)), columns=["id", "text", "language", "covered"])
    if frame.empty:
        return pd.DataFrame(columns=["term", "n_words", "count", "share", "score", "example_ids", "examples"])
    matcher = _matcher(list_themes(engine, workspace_id))
    return uncovered_terms(frame, frame["covered"].astype(bool).tolist(), matcher, k, min_count=min_count)
