"""Re-score the sentiment of every comment of a workspace (after the analyser improved, or a language was fixed).

Comments are read in chunks by id (keyset paging, so memory stays flat), scored with
:func:`cxdash.analysis.sentiment.score_texts` and written back with one Core ``UPDATE … executemany`` per chunk,
each chunk its own short write transaction so the app stays usable while it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import Engine, Select, Table, bindparam, func, select, update

from cxdash.analysis.sentiment import score_texts
from cxdash.store.engine import writer
from cxdash.store.models import Comment, Response

C = cast(Table, Comment.__table__)  # type: ignore[attr-defined]
R = cast(Table, Response.__table__)  # type: ignore[attr-defined]

CHUNK = 20_000
Progress = Callable[[int, int], None]


def _workspace_comments(workspace_id: int) -> Select[Any]:
    return (
        select(C.c.id, C.c.text)
        .select_from(C.join(R, R.c.id == C.c.response_id))
        .where(R.c.workspace_id == workspace_id)
    )


def rescore_workspace(
    engine: Engine, workspace_id: int, progress: Progress | None = None, *, chunk: int = CHUNK
) -> int:
    """Score every comment of the workspace again (language, compound, label, method); returns how many.

    ``progress(done, total)`` is called after each chunk (and once at 0).
    """
    count = select(func.count(C.c.id)).select_from(C.join(R, R.c.id == C.c.response_id))
    with engine.connect() as conn:
        total = int(conn.execute(count.where(R.c.workspace_id == workspace_id)).scalar_one())
    if progress:
        progress(0, total)
    stmt = (
        update(C)
        .where(C.c.id == bindparam("cid"))
        .values(language=bindparam("lang"), compound=bindparam("cmp"), label=bindparam("lab"), method=bindparam("meth"))
    )
    done, last_id = 0, 0
    while True:
        with engine.connect() as conn:
            page = conn.execute(
                _workspace_comments(workspace_id).where(C.c.id > last_id).order_by(C.c.id).limit(chunk)
            ).all()
        if not page:
            break
        scores = score_texts([str(text) for _, text in page])
        params = [
            {"cid": cid, "lang": s.lang, "cmp": s.compound, "lab": s.label, "meth": s.method}
            for (cid, _), s in zip(page, scores, strict=True)
        ]
        with writer(engine).begin() as conn:
            conn.execute(stmt, params)
        done += len(page)
        last_id = int(page[-1][0])
        if progress:
            progress(done, total)
    return done
