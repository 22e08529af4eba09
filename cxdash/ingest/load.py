"""Load a mapped table into the store: one transaction per import batch, chunked bulk inserts, all or nothing.

Re-importing the same content is a no-op (content hash); re-importing a response id updates that response (its
ratings, attributes and comments are replaced), never duplicates it. A file none of whose rows is valid, or any
error on the way, leaves the store as it was.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, Table, delete, insert, select, update
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from cxdash.errors import InputRefused, NotFound
from cxdash.ingest.enrich import enrich_batch
from cxdash.ingest.result import ImportResult, Rejection
from cxdash.ingest.table import CHUNK_ROWS, SAMPLE_ROWS, RawTable
from cxdash.ingest.validate import ImportPlan, not_rated_warnings, plan_import, preview_import, validate_chunk
from cxdash.ingest.write import ChunkWriter
from cxdash.store.engine import writer
from cxdash.store.models import ImportBatch, utcnow

Progress = Callable[[float, str], None]
BATCHES: Table = ImportBatch.__table__  # type: ignore[attr-defined]


def import_table(
    engine: Engine,
    workspace_id: int | None,
    table: RawTable,
    mapping: dict[str, str],
    progress: Progress | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Validate and load ``table`` into the workspace in one transaction; ``dry_run`` only previews.

    ``workspace_id`` may be None only with ``dry_run`` (a workspace that does not exist yet).
    """
    plan = plan_import(table, mapping)
    earlier = _batch_with_hash(engine, workspace_id, table.content_hash) if workspace_id is not None else None
    if earlier is not None:
        when = earlier.created_at.strftime("%Y-%m-%d %H:%M")
        return _result(
            table,
            plan,
            "unchanged",
            earlier.id,
            rejected=[],
            message=f"'{table.file_name}' was already imported on {when} UTC (batch {earlier.id}): nothing changed.",
        )
    if dry_run:
        preview = preview_import(table, mapping)
        return _result(
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
            message=f"Dry run: {preview.rows_valid} of {preview.rows_read} rows of '{table.file_name}' would be "
            "imported; nothing was written.",
        )
    if workspace_id is None:
        raise ValueError("import_table needs a workspace_id unless dry_run is set")
    return _load(engine, workspace_id, table, plan, progress)


def _load(
    engine: Engine, workspace_id: int, table: RawTable, plan: ImportPlan, progress: Progress | None
) -> ImportResult:
    """The transaction: batch row, then each chunk validated and written, then the batch's counts."""
    rejected: list[Rejection] = []
    seen: set[str] = set()
    not_rated: dict[str, int] = {}
    touchpoints: set[str] = set(plan.touchpoints)
    rows_read = written = updated = comments = rows_rejected = 0
    total = len(table.sample) if len(table.sample) < SAMPLE_ROWS else None
    with writer(engine).begin() as conn:
        batch_id = conn.execute(
            insert(BATCHES).values(
                workspace_id=workspace_id,
                file_name=table.file_name,
                content_hash=table.content_hash or f"unhashed:{uuid.uuid4().hex}",
                sheet=table.sheet,
                encoding=table.encoding,
                header_rows=table.header_rows,
                mapping_json=json.dumps(plan.mapping, ensure_ascii=False),
                rows_read=0,
                responses=0,
                responses_updated=0,
                comments=0,
                rows_rejected=0,
                created_at=utcnow(),
            )
        ).inserted_primary_key[0]  # type: ignore[index]
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
        )
        chunk_writer.ensure_touchpoints(plan.touchpoints)
        for chunk in table.chunks(CHUNK_ROWS):
            valid, rejections = validate_chunk(chunk, plan, seen)
            n_written, n_updated, n_comments = chunk_writer.write(valid)
            rows_read += valid.rows_read
            written, updated, comments = written + n_written, updated + n_updated, comments + n_comments
            rows_rejected += len({r.row for r in rejections})
            rejected.extend(rejections)
            touchpoints.update(valid.touchpoints)
            for column, n in valid.not_rated.items():
                not_rated[column] = not_rated.get(column, 0) + n
            if progress is not None:
                fraction = rows_read / total if total else 1 - 0.5 ** (rows_read / CHUNK_ROWS)
                progress(min(fraction, 0.99), f"{rows_read:,} rows read, {written:,} responses loaded")
        if written == 0:
            raise InputRefused(_nothing_valid(table.file_name, rows_read, rejected))
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
    if progress is not None:
        progress(0.99, "Tagging comments with themes…")
    enrich_batch(engine, workspace_id, batch_id)
    if progress is not None:
        progress(1.0, f"Imported {written:,} responses")
    note = f", {rows_rejected} rejected" if rows_rejected else ""
    return _result(
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
        warnings=plan.warnings + not_rated_warnings(plan, not_rated) + chunk_writer.warnings,
        message=f"Imported {written:,} of {rows_read:,} rows of '{table.file_name}' ({updated:,} updated{note}).",
    )


def _nothing_valid(file_name: str, rows_read: int, rejected: list[Rejection]) -> str:
    """The refusal for a file none of whose rows can be imported."""
    if rows_read == 0:
        return f"'{file_name}' has no data rows: check that the file is the export you meant and is not empty."
    first = rejected[0]
    where = f"column '{first.column}'" if first.column else "the whole row"
    return (
        f"No row of '{file_name}' could be imported: all {rows_read:,} rows were rejected "
        f"(first: row {first.row}, {where}: {first.reason})."
    )


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
    )


def _batch_with_hash(engine: Engine, workspace_id: int, content_hash: str) -> ImportBatch | None:
    """The earlier batch of this workspace with the same content, if any."""
    if not content_hash:
        return None
    with Session(engine) as session:
        query = sm_select(ImportBatch).where(
            ImportBatch.workspace_id == workspace_id, ImportBatch.content_hash == content_hash
        )
        return session.exec(query).first()


def import_file(
    engine: Engine,
    source: bytes | Path,
    file_name: str,
    workspace: str,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Read a file, map it (suggested roles when no mapping is given) and import it into the named workspace."""
    from cxdash.ingest.read import read_table
    from cxdash.store.workspaces import get_or_create_workspace, get_workspace

    table = read_table(source, file_name, sheet)
    warnings: list[str] = []
    if mapping is None:
        from cxdash.ingest.suggest import suggest_roles

        mapping = suggest_roles(table)
    else:
        unknown = [c for c in mapping if c not in table.columns]
        if unknown:
            listed = ", ".join(f"'{c}'" for c in unknown)
            raise InputRefused(
                f"The saved mapping names columns that '{file_name}' does not have ({listed}): "
                "choose the roles for this file again or fix the mapping."
            )
        extra = [c for c in table.columns if c not in mapping]
        if extra:
            listed = ", ".join(f"'{c}'" for c in extra)
            warnings.append(f"Columns not in the saved mapping are ignored: {listed}.")
    if dry_run:
        try:
            workspace_id: int | None = get_workspace(engine, workspace).id
        except NotFound:
            workspace_id = None
    else:
        workspace_id = get_or_create_workspace(engine, workspace).id
    result = import_table(engine, workspace_id, table, mapping, progress=progress, dry_run=dry_run)
    result.warnings = warnings + result.warnings
    return result


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
            raise NotFound(f"Import batch {batch_id} does not exist (it may have been deleted already).")
        conn.execute(delete(BATCHES).where(BATCHES.c.id == batch_id))
