"""Store reads behind the drivers page: the analysis frame, and a touchpoint's trend, verbatims and themes.

Aggregates run in the database (SQLAlchemy Core, SQLite and PostgreSQL). Verbatims of a touchpoint are the comments
tied to it or mentioning it by name (a Japanese name is matched by its kanji/katakana words).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Table, and_, func, select
from sqlalchemy.sql.elements import ColumnElement

from cxdash.analysis.metrics import MIN_N, ces_from_moments
from cxdash.errors import InputRefused
from cxdash.store.frames import cursor_rows, read_times, response_frame
from cxdash.store.models import Attribute, Comment, CommentTheme, Rating, Response, Theme, Touchpoint
from cxdash.store.queries import Filters, attribute_values, response_conditions
from cxdash.textfold import fold

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
            long = pd.DataFrame(cursor_rows(conn.execute(stmt)), columns=["id", "name", "value"])
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


@dataclass(frozen=True)
class TouchpointComments:
    """The comments of a workspace's filtered responses, read once and folded once, to find the comments about each
    touchpoint: those tied to it, and those naming it (``touchpoint_terms``, folded as the search folds text). A
    term is found in all of them at once by ``str.find`` over their folded texts joined by a separator no term
    holds; in the database, a fold per comment per term and query made a touchpoint's comments and themes take
    1.2 s at 100k responses."""

    ids: np.ndarray  # comment ids, ascending
    tied_to: np.ndarray  # the name of the touchpoint a comment is tied to, "" when none
    texts: list[str]
    compound: np.ndarray  # NaN where unscored
    labels: list[str | None]
    negative: np.ndarray  # label "negative"
    labelled: np.ndarray  # any label
    responded_at: list[Any]  # as the driver gives them (SQLite: text, which orders as the times do; ``read_times``)
    joined: str  # the folded texts, joined by "\0"
    starts: np.ndarray  # where each comment's folded text starts in ``joined``
    tag_row: np.ndarray  # theme tags: the comment (its row here) ...
    tag_theme: np.ndarray  # ... and the theme (its position in ``theme_ids``)
    theme_ids: list[int]
    theme_names: dict[int, str]
    _about: dict[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)  # the latest asked

    def about(self, touchpoint: str) -> np.ndarray:
        """Which comments are about the touchpoint (a boolean per comment; do not change it)."""
        found = self._about.get(touchpoint)
        if found is None:
            found = self.tied_to == touchpoint
            for term in touchpoint_terms(touchpoint):
                found |= self.holding(term)
            if len(self._about) >= 32:  # a page asks for a few touchpoints at a time
                self._about.clear()
            found.setflags(write=False)  # kept and handed out again
            self._about[touchpoint] = found
        return found

    def holding(self, term: str) -> np.ndarray:
        """Which comments' folded texts hold ``term`` (folded; "" is in every one, as LIKE '%%' finds)."""
        found = np.zeros(len(self.ids), dtype=bool)
        if not term:
            found[:] = True
            return found
        hits: list[int] = []  # the comments holding it, found in turn: after a hit, the search goes on at the next one
        starts, joined, last = self.starts, self.joined, len(self.ids) - 1
        at = joined.find(term)
        while at >= 0:
            row = int(np.searchsorted(starts, at, side="right")) - 1
            hits.append(row)
            at = joined.find(term, int(starts[row + 1])) if row < last else -1
        found[hits] = True
        return found


def read_touchpoint_comments(engine: Engine, workspace_id: int, filters: Filters | None = None) -> TouchpointComments:
    """The filtered comments, with their theme tags, for ``TouchpointComments``."""
    conds = response_conditions(workspace_id, filters)
    base = C.join(R, R.c.id == C.c.response_id).outerjoin(
        TP, and_(TP.c.id == C.c.touchpoint_id, TP.c.workspace_id == workspace_id)
    )
    comments = (
        select(C.c.id, TP.c.name, C.c.text, C.c.compound, C.c.label, R.c.responded_at)
        .select_from(base)
        .where(*conds)
        .order_by(C.c.id)
    )
    tagged = CT.join(C, C.c.id == CT.c.comment_id).join(R, R.c.id == C.c.response_id)
    tags = select(CT.c.comment_id, CT.c.theme_id).select_from(tagged).where(*conds)
    with engine.connect() as conn:
        rows = cursor_rows(conn.execute(comments))
        pairs = cursor_rows(conn.execute(tags))
        theme_names = dict(conn.execute(select(T.c.id, T.c.name).where(T.c.workspace_id == workspace_id)).all())
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    texts = [str(row[2]) for row in rows]
    folded_texts = [fold(text) for text in texts]
    theme_ids = sorted(theme_names)
    theme_pos = {tid: i for i, tid in enumerate(theme_ids)}
    known = [(cid, tid) for cid, tid in pairs if tid in theme_pos]
    tagged_ids = np.array([cid for cid, _ in known], dtype=np.int64)
    tag_row = np.searchsorted(ids, tagged_ids)
    tag_theme = np.array([theme_pos[tid] for _, tid in known], dtype=np.int64)
    # only tags of the comments read (PostgreSQL reads each query at its own moment: a comment committed between
    # the two has tags here but no row above)
    kept = tag_row < len(ids)
    kept[kept] = ids[tag_row[kept]] == tagged_ids[kept]
    return TouchpointComments(
        ids=ids,
        tied_to=np.array([row[1] or "" for row in rows], dtype=object),
        texts=texts,
        compound=np.array([np.nan if row[3] is None else row[3] for row in rows], dtype=np.float64),
        labels=[row[4] for row in rows],
        negative=np.array([row[4] == "negative" for row in rows], dtype=bool),
        labelled=np.array([row[4] is not None for row in rows], dtype=bool),
        responded_at=[row[5] for row in rows],
        joined="\0".join(folded_texts),
        starts=np.cumsum([0] + [len(t) + 1 for t in folded_texts[:-1]]) if rows else np.zeros(0, dtype=np.int64),
        tag_row=tag_row[kept],
        tag_theme=tag_theme[kept],
        theme_ids=theme_ids,
        theme_names={int(k): str(v) for k, v in theme_names.items()},
    )


def touchpoint_comments(
    engine: Engine,
    workspace_id: int,
    touchpoint: str,
    filters: Filters | None = None,
    limit: int = 6,
    comments: TouchpointComments | None = None,
) -> tuple[pd.DataFrame, int]:
    """Comments about a touchpoint and how many there are: (id, text, label, compound, responded_at, times), total.

    Each text once, however often it was written ("Too slow" × 40: ``times`` says how often), tied to the touchpoint
    first, then naming it, most negative first; ``responded_at`` is the latest date it was written (``id``, ``label``
    and ``compound`` are of the last one stored). ``comments``: ``read_touchpoint_comments`` for these filters, when
    the caller has it already (the Drivers page keeps it while you click from touchpoint to touchpoint)."""
    if comments is None:
        comments = read_touchpoint_comments(engine, workspace_id, filters)
    rows = np.nonzero(comments.about(touchpoint))[0]
    named = comments.holding(fold(touchpoint))  # the whole name, not only its words: shown before the others
    groups: dict[str, list[Any]] = {}  # text → [times, last row, latest date, untied, score, first id, unnamed]
    for i in rows.tolist():
        text = comments.texts[i]
        score = 0.0 if np.isnan(comments.compound[i]) else float(comments.compound[i])
        at, untied = comments.responded_at[i], int(comments.tied_to[i] == "")
        group = groups.get(text)
        if group is None:
            groups[text] = [1, i, at, untied, score, int(comments.ids[i]), 0 if named[i] else 1]
            continue
        group[0] += 1
        group[1] = i  # rows are in id order: the last one has the largest id
        if at is not None and (group[2] is None or at > group[2]):
            group[2] = at
        group[3], group[4] = min(group[3], untied), min(group[4], score)

    def order(item: tuple[str, list[Any]]) -> tuple[int, int, float, int]:
        _, (_, _, _, untied, score, first_id, unnamed) = item
        return untied, unnamed, score, first_id

    shown = sorted(groups.items(), key=order)[:limit]
    out = []
    for text, (times, last, latest, *_) in shown:
        compound = comments.compound[last]
        scored = None if np.isnan(compound) else float(compound)
        out.append((int(comments.ids[last]), text, comments.labels[last], scored, latest, times))
    frame = pd.DataFrame(out, columns=["id", "text", "label", "compound", "responded_at", "times"])
    frame["responded_at"] = read_times(frame["responded_at"])
    return frame, len(rows)


def touchpoint_themes(
    engine: Engine,
    workspace_id: int,
    touchpoint: str,
    filters: Filters | None = None,
    total: int | None = None,
    comments: TouchpointComments | None = None,
) -> pd.DataFrame:
    """Themes of the comments about a touchpoint: theme, volume, share of those comments, share negative.

    ``total``: how many comments are about the touchpoint, when the caller counted them already
    (``touchpoint_comments`` does); ``comments`` as there."""
    if comments is None:
        comments = read_touchpoint_comments(engine, workspace_id, filters)
    about = comments.about(touchpoint)
    if total is None:
        total = int(about.sum())
    tagged = about[comments.tag_row]
    rows, themes = comments.tag_row[tagged], comments.tag_theme[tagged]
    n = len(comments.theme_ids)
    volume = np.bincount(themes, minlength=n)
    negatives = np.bincount(themes[comments.negative[rows]], minlength=n)
    labels = np.bincount(themes[comments.labelled[rows]], minlength=n)
    out = [
        (comments.theme_names[tid], int(volume[k]), int(negatives[k]), int(labels[k]))
        for k, tid in enumerate(comments.theme_ids)
        if volume[k]
    ]
    out.sort(key=lambda row: (-row[1], row[0]))
    frame = pd.DataFrame(out, columns=["theme", "volume", "negative", "labelled"])
    frame["share"] = frame["volume"] / total if total else np.nan
    frame["negative_share"] = (frame["negative"] / frame["labelled"].where(frame["labelled"] > 0)).astype(float)
    return frame[["theme", "volume", "share", "negative_share"]]
