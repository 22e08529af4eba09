"""Load a mapped table into the store: one transaction per import batch, chunked bulk inserts, all or nothing.

Re-importing the same content is a no-op (content hash); re-importing a response id updates that response (its
ratings, attributes and comments are replaced), never duplicates it. A file none of whose rows is valid, or any
error on the way, leaves the store as it was. Comments are scored and tagged with the workspace's themes by the
worker processes while the chunk's other rows are written, and their tags go in with them; follow-up cases are
opened after the commit.

Imports may run at the same time (two users, two processes): they write one after the other (SQLite's write lock,
a per-workspace advisory lock on PostgreSQL), and the content hash is checked again once the lock is held, so the
second of two imports of the same file ends "unchanged" instead of failing on the batch's unique constraint.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Table, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from cxdash.analysis.comments import warm_up
from cxdash.analysis.lang import ANSWER_CHARS, has_cjk, is_japanese_answer
from cxdash.analysis.themes import ThemeRules
from cxdash.errors import InputRefused, NotFound
from cxdash.gctune import collect_less
from cxdash.i18n import t
from cxdash.ingest import personal
from cxdash.ingest.result import ImportResult, Rejection
from cxdash.ingest.sniff import starts_japanese
from cxdash.ingest.table import CHUNK_ROWS, SAMPLE_ROWS, RawTable
from cxdash.ingest.validate import (
    ImportNotes,
    ImportPlan,
    StoredScales,
    comment_texts,
    plan_import,
    preview_import,
    validate_chunk,
)
from cxdash.ingest.write import ChunkWriter
from cxdash.store.engine import bulk_writer, writer
from cxdash.store.followup import sync_cases
from cxdash.store.frames import touchpoint_scales
from cxdash.store.models import ImportBatch, Workspace, utcnow
from cxdash.store.privacy import forgotten_refs
from cxdash.store.themes import seed_themes_in, theme_rules

if TYPE_CHECKING:
    import pandas as pd

Progress = Callable[[float, str], None]
BATCHES: Table = ImportBatch.__table__  # type: ignore[attr-defined]
IMPORT_LOCK = 0x6378  # first key of PostgreSQL's per-workspace import lock (pg_advisory_xact_lock(IMPORT_LOCK, ws))


class _SameContent(Exception):
    """Another session committed a batch with this content first (the batch's unique constraint said so)."""


@collect_less()  # millions of short-lived lists and tuples, next to no reference cycles
def import_table(
    engine: Engine,
    workspace_id: int | None,
    table: RawTable,
    mapping: dict[str, str],
    progress: Progress | None = None,
    dry_run: bool = False,
    keep_personal_data: bool | None = None,
    actor: str = "",
) -> ImportResult:
    """Validate and load ``table`` into the workspace in one transaction; ``dry_run`` only previews.

    ``workspace_id`` may be None only with ``dry_run`` (a workspace that does not exist yet). Personal data is
    masked/dropped unless ``keep_personal_data`` (None: the workspace's default; ``actor`` goes to the audit log).
    """
    keep = personal.resolve_keep(engine, workspace_id, keep_personal_data)
    stored = stored_scales(engine, workspace_id, mapping) if workspace_id is not None else None
    plan = plan_import(table, mapping, stored)
    earlier = _batch_with_hash(engine, workspace_id, table.content_hash) if workspace_id is not None else None
    if earlier is not None:
        assert earlier.id is not None
        return _unchanged(table, plan, earlier.id, earlier.created_at)
    if dry_run:
        preview = preview_import(table, mapping, stored)
        if preview.rows_valid == 0:  # the import itself would be refused: the dry run says so the same way
            raise InputRefused(_nothing_valid(table.file_name, preview.rows_read, preview.rejected))
        dry = _result(
            table,
            plan,
            "dry_run",
            None,
            rejected=preview.rejected,
            rows_read=preview.rows_read,
            responses=preview.rows_valid,
            comments=preview.comments,
            touchpoints=len(preview.touchpoints),
            warnings=preview.warnings,
            message=t("ingest.dry_run", valid=preview.rows_valid, read=preview.rows_read, file=table.file_name),
        )
        return personal.report(dry, plan, keep)
    if workspace_id is None:
        raise ValueError("import_table needs a workspace_id unless dry_run is set")
    try:
        return _load(engine, workspace_id, table, plan, progress, keep, actor)
    except _SameContent:
        earlier = _batch_with_hash(engine, workspace_id, table.content_hash)
        if earlier is None or earlier.id is None:
            raise
        return _unchanged(table, plan, earlier.id, earlier.created_at)


def _unchanged(table: RawTable, plan: ImportPlan, batch_id: int, created_at: datetime) -> ImportResult:
    """The result of importing content this workspace already holds: nothing written."""
    when = created_at.strftime("%Y-%m-%d %H:%M")
    return _result(
        table,
        plan,
        "unchanged",
        batch_id,
        rejected=[],
        message=t("ingest.already_imported", file=table.file_name, when=when, batch=batch_id),
    )


def _take_import_lock(conn: Connection, workspace_id: int) -> None:
    """PostgreSQL: imports into one workspace take turns (SQLite's BEGIN IMMEDIATE already serialises writers)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k, :ws)"), {"k": IMPORT_LOCK, "ws": workspace_id})


def _insert_batch(conn: Connection, values: dict[str, object]) -> int:
    """Insert the batch row; ``_SameContent`` when another session's batch with this content won the race."""
    try:
        return int(conn.execute(insert(BATCHES).values(**values)).inserted_primary_key[0])  # type: ignore[index]
    except IntegrityError as error:
        if "content" in str(error.orig).lower():  # uq_batch_content / import_batch.content_hash
            raise _SameContent() from error
        raise


def _load(
    engine: Engine,
    workspace_id: int,
    table: RawTable,
    plan: ImportPlan,
    progress: Progress | None,
    keep: bool = False,
    actor: str = "",
) -> ImportResult:
    """The transaction: batch row, then each chunk validated and written, then the batch's counts."""
    rejected: list[Rejection] = []
    seen: set[str] = set()
    notes = ImportNotes()
    touchpoints: set[str] = set(plan.touchpoints)
    rows_read = written = updated = comments = rows_rejected = 0
    total = len(table.sample) if len(table.sample) < SAMPLE_ROWS else None
    if plan.of_kind("comment"):  # the workers start (or, read just before, are up) while this writes the first rows
        start_workers_for(table)
    with bulk_writer(engine) as conn:
        _take_import_lock(conn, workspace_id)
        earlier = _earlier_batch(conn, workspace_id, table.content_hash)
        if earlier is not None:  # another session imported the same content while this one was validating
            return _unchanged(table, plan, int(earlier.id), earlier.created_at)
        batch_id = _insert_batch(
            conn,
            {
                "workspace_id": workspace_id,
                "file_name": table.file_name,
                "content_hash": table.content_hash or f"unhashed:{uuid.uuid4().hex}",
                "sheet": table.sheet,
                "encoding": table.encoding,
                "header_rows": table.header_rows,
                "mapping_json": json.dumps(plan.mapping, ensure_ascii=False),
                "rows_read": 0,
                "responses": 0,
                "responses_updated": 0,
                "comments": 0,
                "rows_rejected": 0,
                "created_at": utcnow(),
            },
        )
        long_rating = plan.single("rating")
        csat, ces = plan.single("csat"), plan.single("ces")
        chunk_writer = ChunkWriter(
            conn,
            workspace_id,
            batch_id,
            plan.touchpoint_scales(),
            long_scale=long_rating.scale if long_rating else None,
            csat_scale=csat.scale if csat else None,
            ces_scale=ces.scale if ces else None,
            kept=plan.kept,
            keep_personal_data=keep,
            themes=_themes(conn, workspace_id),
        )
        chunk_writer.ensure_touchpoints(plan.touchpoints)
        suppression = personal.Suppression(workspace_id, forgotten_refs(conn, workspace_id))
        for chunk in table.chunks(CHUNK_ROWS):
            texts = comment_texts(chunk, plan)
            chunk_writer.analyse_ahead(text for column in texts.values() for text in column.dropna())
            valid, rejections = validate_chunk(chunk, plan, seen, texts)
            valid = suppression.apply(valid)  # forgotten customers stay out
            n_written, n_updated, n_comments = chunk_writer.write(valid)
            rows_read += valid.rows_read
            written, updated, comments = written + n_written, updated + n_updated, comments + n_comments
            rows_rejected += len({r.row for r in rejections})
            rejected.extend(rejections)
            touchpoints.update(valid.touchpoints)
            notes.add(valid)
            if progress is not None:
                fraction = rows_read / total if total else 1 - 0.5 ** (rows_read / CHUNK_ROWS)
                progress(min(fraction, 0.99), t("ingest.progress_rows", rows=rows_read, written=written))
        if written == 0 and suppression.rows and not rejected:
            raise InputRefused(t("ingest.only_forgotten", file=table.file_name, rows=suppression.rows))
        if written == 0:
            raise InputRefused(_nothing_valid(table.file_name, rows_read, rejected))
        chunk_writer.finish()
        conn.execute(
            update(BATCHES)
            .where(BATCHES.c.id == batch_id)
            .values(
                rows_read=rows_read,
                responses=written,
                responses_updated=updated,
                comments=comments,
                rows_rejected=rows_rejected,
            )
        )
        personal.audit_if_kept(conn, keep, plan, actor, workspace_id, batch_id, table.file_name)
    if progress is not None:
        progress(0.99, t("ingest.progress_cases"))
    _open_cases(engine, workspace_id)
    if progress is not None:
        progress(1.0, t("ingest.progress_done", n=written))
    done: dict[str, Any] = {"written": written, "read": rows_read, "file": table.file_name, "updated": updated}
    result = _result(
        table,
        plan,
        "imported",
        batch_id,
        rejected=rejected,
        rows_read=rows_read,
        responses=written,
        comments=comments,
        touchpoints=len(touchpoints),
        updated=updated,
        warnings=plan.warnings + notes.warnings(plan) + chunk_writer.warnings + suppression.warnings(),
        message=t("ingest.imported_with_rejected", rejected=rows_rejected, **done)
        if rows_rejected
        else t("ingest.imported", **done),
    )
    result.forgotten_rows, result.forgotten_customers = suppression.rows, len(suppression.customers)
    return personal.report(result, plan, keep, chunk_writer)


def _themes(conn: Connection, workspace_id: int) -> list[ThemeRules]:
    """The themes the batch's comments are tagged with, in the import's transaction (seeded on first use)."""
    seed_themes_in(conn, workspace_id)
    return theme_rules(conn, workspace_id)


def _open_cases(engine: Engine, workspace_id: int, tries: int = 3) -> None:
    """Follow-up cases for the committed batch; run again if a concurrent import changed it meanwhile.

    (PostgreSQL reads committed data statement by statement: another import may replace some of this batch's
    responses between reading them and opening their cases. The next try reads anew.)
    """
    for attempt in range(1, tries + 1):
        try:
            sync_cases(engine, workspace_id)  # the whole workspace: also catches up a batch cut short before this
            return
        except IntegrityError:
            if attempt == tries:
                raise


def _nothing_valid(file_name: str, rows_read: int, rejected: list[Rejection]) -> str:
    """The refusal for a file none of whose rows can be imported."""
    if rows_read == 0:
        return t("ingest.no_data_rows", file=file_name)
    first = rejected[0]
    where = t("ingest.where_column", column=first.column) if first.column else t("ingest.where_row")
    return t("ingest.all_rejected", file=file_name, read=rows_read, row=first.row, where=where, reason=first.reason)


def _result(
    table: RawTable,
    plan: ImportPlan,
    status: str,
    batch_id: int | None,
    *,
    rejected: list[Rejection],
    rows_read: int = 0,
    responses: int = 0,
    comments: int = 0,
    touchpoints: int = 0,
    updated: int = 0,
    warnings: list[str] | None = None,
    message: str = "",
) -> ImportResult:
    """An ImportResult carrying the table's reading details."""
    return ImportResult(
        status=status,
        batch_id=batch_id,
        rows_read=rows_read,
        responses=responses,
        comments=comments,
        touchpoints=touchpoints,
        rejected_rows=rejected,
        mapping=plan.mapping,
        encoding=table.encoding,
        header_rows=table.header_rows,
        responses_updated=updated,
        warnings=warnings or [],
        message=message,
        scales=plan.scales,
    )


def _earlier_batch(conn: Connection, workspace_id: int, content_hash: str) -> Any:
    """(id, created_at) of the workspace's batch with this content, read inside the import's transaction."""
    if not content_hash:
        return None
    query = select(BATCHES.c.id, BATCHES.c.created_at).where(
        BATCHES.c.workspace_id == workspace_id, BATCHES.c.content_hash == content_hash
    )
    return conn.execute(query).first()


def _batch_with_hash(engine: Engine, workspace_id: int, content_hash: str) -> ImportBatch | None:
    """The earlier batch of this workspace with the same content, if any."""
    if not content_hash:
        return None
    with Session(engine) as session:
        query = sm_select(ImportBatch).where(
            ImportBatch.workspace_id == workspace_id, ImportBatch.content_hash == content_hash
        )
        return session.exec(query).first()


def stored_scales(engine: Engine, workspace_id: int, mapping: Mapping[str, str] | None = None) -> StoredScales:
    """The scales a workspace holds, for planning an import into it: its touchpoints', and its CES scale when it has
    CES answers (asked only when ``mapping`` has a CES column, or without a mapping)."""
    from cxdash.store.queries import ces_scale

    wants_ces = mapping is None or any(role.strip().lower().startswith("ces") for role in mapping.values())
    ces = ces_scale(engine, workspace_id) if wants_ces else None
    return StoredScales(
        touchpoint_scales(engine, workspace_id), ces.scale if ces is not None and ces.on_scale else None
    )


def start_workers_for(table: RawTable) -> None:
    """Start the comment-scoring worker processes now when ``table`` is large (its sample is full), so that their
    start overlaps with suggesting roles, planning and the user's review of the roles instead of delaying the first
    comments (an import with comments calls it again for itself: a pool stopped meanwhile is started again)."""
    if len(table.sample) >= SAMPLE_ROWS:
        warm_up(japanese=japanese_comments(table))


#: a file at least this large starts the comment workers before it is read (one of 5,000 rows is about 1 MB)
EARLY_WORKERS_BYTES = 512 * 1024


def _large(source: bytes | Path) -> bool:
    """Whether a file is large enough to start the comment workers before it is read."""
    if isinstance(source, bytes | bytearray | memoryview):
        return len(source) >= EARLY_WORKERS_BYTES
    try:
        return Path(source).stat().st_size >= EARLY_WORKERS_BYTES
    except OSError:  # missing: read_table says so
        return False


def japanese_comments(table: RawTable) -> bool:
    """Whether the table's sample has Japanese comments (asked once per table)."""
    if table.japanese_sample is None:
        table.japanese_sample = has_japanese_text(table.sample)
    return table.japanese_sample


def comments_language(table: RawTable, mapping: dict[str, str]) -> str:
    """The language of a new workspace made for this file: "ja" when most of the sample's answers in the comment
    columns are Japanese (a file of English comments with some Japanese ones stays "en"); without comment columns,
    "ja" when the sample's values are Japanese (会員ランク: ゴールド)."""
    columns = [c for c, role in mapping.items() if role.split(":", 1)[0] == "comment" and c in table.sample.columns]
    if not columns:
        return "ja" if has_japanese_text(table.sample, min_chars=2) else "en"
    answers = [v for c in columns for v in table.sample[c].dropna().unique() if isinstance(v, str) and v.strip()]
    japanese = sum(1 for v in answers if has_cjk(v))
    return "ja" if answers and japanese * 2 > len(answers) else "en"


def has_japanese_text(sample: pd.DataFrame, min_chars: int = ANSWER_CHARS) -> bool:
    """Whether a table's sample has text in Japanese long enough to be a comment (not just a Japanese header or a
    segment value such as 会員): the workers then load the embedding model while the import starts."""
    for column in sample.columns:
        for value in sample[column].dropna().unique()[:200]:
            if isinstance(value, str) and is_japanese_answer(value, min_chars):
                return True
    return False


@collect_less()  # reading, planning and loading allocate millions of short-lived lists, next to no cycles
def import_file(
    engine: Engine,
    source: bytes | Path,
    file_name: str,
    workspace: str,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    keep_personal_data: bool | None = None,
    actor: str = "",
) -> ImportResult:
    """Read a file, map it (suggested roles when no mapping is given) and import it into the named workspace."""
    if not dry_run and _large(source):  # the workers' start overlaps with reading the file instead of following it
        warm_up(japanese=starts_japanese(source))
    from cxdash.ingest.read import read_table
    from cxdash.store.workspaces import get_or_create_workspace, get_workspace

    table = read_table(source, file_name, sheet)
    if not dry_run:
        start_workers_for(table)
    warnings: list[str] = list(table.notes)
    created: int | None = None  # the id of a workspace made for this import
    if mapping is None:
        from cxdash.ingest.suggest import suggest_roles

        mapping = suggest_roles(table)
    else:
        unknown = [c for c in mapping if c not in table.columns]
        if unknown:
            listed = ", ".join(f"'{c}'" for c in unknown)
            raise InputRefused(t("ingest.saved_mapping_unknown", file=file_name, columns=listed))
        extra = [c for c in table.columns if c not in mapping]
        if extra:
            listed = ", ".join(f"'{c}'" for c in extra)
            warnings.append(t("ingest.columns_not_in_mapping", columns=listed))
    if dry_run:
        try:
            workspace_id: int | None = get_workspace(engine, workspace).id
        except NotFound:
            workspace_id = None
    else:
        try:
            workspace_id = get_workspace(engine, workspace).id
        except NotFound:
            language = comments_language(table, mapping)  # a new workspace for Japanese comments is Japanese
            workspace_id = created = get_or_create_workspace(engine, workspace, language).id
    try:
        result = import_table(
            engine,
            workspace_id,
            table,
            mapping,
            progress=progress,
            dry_run=dry_run,
            keep_personal_data=keep_personal_data,
            actor=actor,
        )
    except Exception:  # refused, or stopped by a bug: either way no new, empty workspace is left behind
        if created is not None:
            _drop_if_unused(engine, created)
        raise
    result.warnings = warnings + result.warnings
    return result


def _drop_if_unused(engine: Engine, workspace_id: int) -> None:
    """Delete a workspace made for an import that was refused, in one statement, unless a batch has landed in it."""
    workspaces: Table = Workspace.__table__  # type: ignore[attr-defined]
    in_use = select(BATCHES.c.id).where(BATCHES.c.workspace_id == workspace_id).exists()
    with writer(engine).begin() as conn:
        conn.execute(delete(workspaces).where(workspaces.c.id == workspace_id, ~in_use))


def list_batches(engine: Engine, workspace_id: int) -> list[ImportBatch]:
    """The import batches of a workspace, newest first."""
    with Session(engine) as session:
        query = sm_select(ImportBatch).where(ImportBatch.workspace_id == workspace_id)
        return list(session.exec(query.order_by(col(ImportBatch.created_at).desc(), col(ImportBatch.id).desc())))


def delete_batch(engine: Engine, batch_id: int) -> None:
    """Delete an import batch with its responses and their ratings, attributes and comments (cascade)."""
    with writer(engine).begin() as conn:
        found = conn.execute(select(BATCHES.c.id).where(BATCHES.c.id == batch_id)).first()
        if found is None:
            raise NotFound(t("ingest.batch_not_found", batch=batch_id))
        conn.execute(delete(BATCHES).where(BATCHES.c.id == batch_id))
