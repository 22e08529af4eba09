"""Enrichment after a batch is loaded: comments are tagged with the workspace's themes (seeded on first use) and
the follow-up queue gets its new cases.

Sentiment and language are computed while loading (they are columns of the comment); theme tags are derived
data kept in their own table and can always be recomputed (``tag_comments``), so they run after the commit.
"""

from __future__ import annotations

from sqlalchemy import Engine, Table, select

from cxdash.store.followup import sync_cases
from cxdash.store.models import Comment, Response
from cxdash.store.themes import seed_themes, tag_comments

C: Table = Comment.__table__  # type: ignore[attr-defined]
R: Table = Response.__table__  # type: ignore[attr-defined]


def batch_comment_ids(engine: Engine, batch_id: int) -> list[int]:
    """Ids of the comments that belong to responses of an import batch."""
    stmt = select(C.c.id).select_from(C.join(R, C.c.response_id == R.c.id)).where(R.c.batch_id == batch_id)
    with engine.connect() as conn:
        return [int(i) for (i,) in conn.execute(stmt)]


def enrich_batch(engine: Engine, workspace_id: int, batch_id: int) -> int:
    """Seed the default themes if the workspace has none, tag the batch's comments and open follow-up cases for its
    responses that match the workspace's rules (detractors by default); returns tags written."""
    seed_themes(engine, workspace_id)
    ids = batch_comment_ids(engine, batch_id)
    tags = tag_comments(engine, workspace_id, comment_ids=ids) if ids else 0
    sync_cases(engine, workspace_id)  # the whole workspace: also catches up a batch whose enrichment was cut short
    return tags
