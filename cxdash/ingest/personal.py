"""Personal data at import: whether this import keeps it, and what the batch report says about it.

By default (the workspace's setting, see cxdash.store.privacy) comments are masked (cxdash.privacy) and the
columns mapped to ``customer_name`` / ``customer_email`` are dropped. An import that keeps personal data stores
both and leaves an entry in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, Engine

from cxdash.i18n import t
from cxdash.ingest.result import ImportResult
from cxdash.ingest.validate import ImportPlan, ValidChunk
from cxdash.privacy import describe_counts
from cxdash.roles import PERSONAL_ROLES

if TYPE_CHECKING:
    from cxdash.ingest.write import ChunkWriter


def contact_columns(plan: ImportPlan) -> list[str]:
    """The file's columns mapped to a customer's name or e-mail address."""
    return [c.column for c in plan.columns if c.role.kind in PERSONAL_ROLES]


def resolve_keep(engine: Engine, workspace_id: int | None, keep: bool | None) -> bool:
    """This import's choice: the one given, else the workspace's default (a new workspace: mask)."""
    if keep is not None:
        return keep
    if workspace_id is None:
        return False
    from cxdash.store.privacy import keep_personal_data

    return keep_personal_data(engine, workspace_id)


def audit_if_kept(
    conn: Connection, keep: bool, plan: ImportPlan, actor: str, workspace_id: int, batch_id: int, file_name: str
) -> None:
    """Inside the import's transaction: an audit entry when personal data was kept."""
    if keep:
        from cxdash.store.privacy import record_import_with_personal_data

        record_import_with_personal_data(conn, actor, workspace_id, batch_id, file_name, contact_columns(plan))


def report(result: ImportResult, plan: ImportPlan, keep: bool, writer: ChunkWriter | None = None) -> ImportResult:
    """Add what happened to personal data to an import's result: masked items, dropped or stored contact columns."""
    result.personal_data_kept = keep
    columns = contact_columns(plan)
    listed = ", ".join(f"'{c}'" for c in columns)
    if keep:
        if columns and plan.single("customer_id") is None:
            result.warnings.append(t("privacy.import.contacts_need_customer", columns=listed))
        elif columns and writer is not None:
            result.warnings.append(t("privacy.import.contacts_kept", columns=listed, n=writer.contacts_stored))
        return result
    result.contact_columns_dropped = columns
    if columns:
        result.warnings.append(t("privacy.import.contacts_dropped", columns=listed))
    if writer is not None:
        result.masked = writer.masked.as_dict()
        said = describe_counts(writer.masked)
        if said:
            result.message = f"{result.message} {t('privacy.import.masked', what=said)}".strip()
    return result


@dataclass
class Suppression:
    """The workspace's forgotten customers (fingerprints of their ids), and what this import skipped because of
    them: their rows are not imported again (cxdash.store.privacy.delete_customer puts them on the list)."""

    workspace_id: int
    refs: set[str]
    rows: int = 0
    customers: set[str] = field(default_factory=set)

    def apply(self, valid: ValidChunk) -> ValidChunk:
        """The chunk without the rows of forgotten customers (counted)."""
        if not self.refs or valid.responses.empty:
            return valid
        from cxdash.store.privacy import suppression_ref

        customers = valid.responses["customer"]
        met = {c: suppression_ref(self.workspace_id, str(c)) for c in customers.dropna().unique()}
        met = {c: ref for c, ref in met.items() if ref in self.refs}
        if not met:
            return valid
        drop = customers.isin(list(met)).to_numpy(dtype=bool)
        rows = valid.responses.index[drop]
        self.rows += int(drop.sum())
        self.customers.update(met.values())

        def without(frame: pd.DataFrame) -> pd.DataFrame:
            return frame[~frame["source_row"].isin(rows)].reset_index(drop=True)

        return replace(
            valid,
            responses=valid.responses[~drop],
            ratings=without(valid.ratings),
            attributes=without(valid.attributes),
            comments=without(valid.comments),
        )

    def warnings(self) -> list[str]:
        if not self.rows:
            return []
        return [skipped_message(self.rows, len(self.customers), self.rows)]


def skipped_message(rows: int, customers: int, shown_rows: object) -> str:
    """The sentence for rows skipped because their customers were forgotten (``shown_rows``: the count as shown)."""
    if rows == 1:
        return t("ingest.forgotten_skipped_row")
    if customers == 1:
        return t("ingest.forgotten_skipped_one", rows=shown_rows)
    return t("ingest.forgotten_skipped", rows=shown_rows, customers=customers)
