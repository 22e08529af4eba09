"""Personal data in the store: the workspace's keep-personal-data setting, forgetting one customer, deleting a whole
workspace, and the audit log that records each of these (counts and who, never the data itself).

Every change and its audit entry are written in one transaction: there is no deletion without its entry and no
entry for a deletion that did not happen. Audit entries name the workspace rather than pointing at it, so they
outlive a deleted workspace.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, delete, func, insert, select

from cxdash.errors import InputRefused, NotFound
from cxdash.i18n import t
from cxdash.store.engine import writer
from cxdash.store.models import (
    Attribute,
    AuditLog,
    Comment,
    CommentTheme,
    Customer,
    FollowupCase,
    ForgottenCustomer,
    ImportBatch,
    Rating,
    Response,
    Setting,
    Workspace,
    utcnow,
)

KEEP_PERSONAL_DATA = "privacy.keep_personal_data"  # Setting key: JSON true/false (absent = false: mask)
EVENTS = ("forget_customer", "allow_customer", "delete_workspace", "privacy_setting", "import_personal_data")

WS = cast(Table, Workspace.__table__)  # type: ignore[attr-defined]
CU = cast(Table, Customer.__table__)  # type: ignore[attr-defined]
R = cast(Table, Response.__table__)  # type: ignore[attr-defined]
RT = cast(Table, Rating.__table__)  # type: ignore[attr-defined]
AT = cast(Table, Attribute.__table__)  # type: ignore[attr-defined]
C = cast(Table, Comment.__table__)  # type: ignore[attr-defined]
CT = cast(Table, CommentTheme.__table__)  # type: ignore[attr-defined]
FC = cast(Table, FollowupCase.__table__)  # type: ignore[attr-defined]
B = cast(Table, ImportBatch.__table__)  # type: ignore[attr-defined]
ST = cast(Table, Setting.__table__)  # type: ignore[attr-defined]
AL = cast(Table, AuditLog.__table__)  # type: ignore[attr-defined]
FG = cast(Table, ForgottenCustomer.__table__)  # type: ignore[attr-defined]


# --- the audit log --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    id: int
    at: datetime
    actor: str
    workspace: str
    event: str
    detail: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"at": self.at.isoformat(timespec="seconds")}


def record(conn: Connection, actor: str, workspace_name: str, event: str, detail: dict[str, Any]) -> None:
    """Add an audit entry in the caller's transaction (``detail`` holds counts and settings, never personal data)."""
    conn.execute(
        insert(AL).values(
            at=utcnow(),
            actor=actor or "",
            workspace_name=workspace_name,
            event=event,
            detail_json=json.dumps(detail, ensure_ascii=False, sort_keys=True),
        )
    )


def audit_entries(engine: Engine, workspace_name: str | None = None, limit: int = 500) -> list[AuditEntry]:
    """The newest audit entries first (of one workspace name, or all)."""
    query = select(AL).order_by(AL.c.at.desc(), AL.c.id.desc()).limit(limit)
    if workspace_name is not None:
        query = query.where(AL.c.workspace_name == workspace_name)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [AuditEntry(r.id, r.at, r.actor, r.workspace_name, r.event, _load_detail(r.detail_json)) for r in rows]


def _load_detail(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {"unreadable": text}
    return value if isinstance(value, dict) else {"value": value}


def customer_ref(workspace_name: str, external_id: str) -> str:
    """A short fingerprint of a customer id for the audit log: shows *that* a given id was forgotten (recompute it
    from the id to check) without keeping the id itself in the log."""
    return hashlib.sha256(f"{workspace_name}\x00{external_id}".encode()).hexdigest()[:16]


# --- the keep-personal-data setting ----------------------------------------------------------------------------------


def keep_personal_data(engine: Engine, workspace_id: int) -> bool:
    """Whether imports into the workspace keep personal data by default (False: comments masked, names and e-mail
    addresses dropped)."""
    with engine.connect() as conn:
        text = conn.execute(
            select(ST.c.value_json).where(ST.c.workspace_id == workspace_id, ST.c.key == KEEP_PERSONAL_DATA)
        ).scalar_one_or_none()
    try:
        return json.loads(text) is True if text else False
    except ValueError:
        return False


def set_keep_personal_data(engine: Engine, workspace_id: int, keep: bool, actor: str) -> None:
    """Change the workspace's default (and note the change in the audit log)."""
    with writer(engine).begin() as conn:
        name = _workspace_name(conn, workspace_id)
        conn.execute(delete(ST).where(ST.c.workspace_id == workspace_id, ST.c.key == KEEP_PERSONAL_DATA))
        conn.execute(insert(ST).values(workspace_id=workspace_id, key=KEEP_PERSONAL_DATA, value_json=json.dumps(keep)))
        record(conn, actor, name, "privacy_setting", {"keep_personal_data": bool(keep)})


def _workspace_name(conn: Connection, workspace_id: int) -> str:
    name = conn.execute(select(WS.c.name).where(WS.c.id == workspace_id)).scalar_one_or_none()
    if name is None:
        raise NotFound(t("privacy.errors.no_workspace", id=workspace_id))
    return str(name)


# --- forgetting a customer -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerFootprint:
    """What the store holds about one customer id: the numbers shown before, and recorded after, deleting it."""

    customer_id: str
    responses: int
    ratings: int
    comments: int
    attributes: int
    theme_tags: int
    followup_cases: int
    contact_details: bool  # a name or e-mail address is stored

    def counts(self) -> dict[str, int | bool]:
        """The numbers without the id (what the audit log keeps)."""
        data: dict[str, int | bool] = {k: v for k, v in asdict(self).items() if k != "customer_id"}
        return data


def _customer(conn: Connection, workspace_id: int, external_id: str) -> tuple[int, str, bool]:
    """(row id, workspace name, has contact details) of a customer; refuses an empty id, NotFound for an unknown."""
    wanted = external_id.strip()
    name = _workspace_name(conn, workspace_id)
    if not wanted:
        raise InputRefused(t("privacy.errors.no_customer_id"))
    row = conn.execute(
        select(CU.c.id, CU.c.name, CU.c.email).where(CU.c.workspace_id == workspace_id, CU.c.external_id == wanted)
    ).first()
    if row is None:
        raise NotFound(t("privacy.errors.unknown_customer", workspace=name, customer=wanted))
    return int(row.id), name, bool(row.name or row.email)


def _footprint(conn: Connection, customer_row: int, external_id: str, contact: bool) -> CustomerFootprint:
    responses = select(R.c.id).where(R.c.customer_id == customer_row).scalar_subquery()
    comments = select(C.c.id).where(C.c.response_id.in_(responses)).scalar_subquery()

    def count(table: Table, *where: Any) -> int:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())

    return CustomerFootprint(
        customer_id=external_id.strip(),
        responses=count(R, R.c.customer_id == customer_row),
        ratings=count(RT, RT.c.response_id.in_(responses)),
        comments=count(C, C.c.response_id.in_(responses)),
        attributes=count(AT, AT.c.response_id.in_(responses)),
        theme_tags=count(CT, CT.c.comment_id.in_(comments)),
        followup_cases=count(FC, FC.c.response_id.in_(responses)),
        contact_details=contact,
    )


def customer_footprint(engine: Engine, workspace_id: int, external_id: str) -> CustomerFootprint:
    """What forgetting ``external_id`` would delete (raises NotFound when the workspace has no such customer)."""
    with engine.connect() as conn:
        row, _, contact = _customer(conn, workspace_id, external_id)
        return _footprint(conn, row, external_id, contact)


def delete_customer(engine: Engine, workspace_id: int, external_id: str, actor: str) -> CustomerFootprint:
    """Delete everything about one customer — their responses with ratings, comments, attributes, theme tags and
    follow-up cases, and the customer row with any name/e-mail — put the id's fingerprint on the workspace's
    suppression list (later imports skip the customer's rows) and write an audit entry, in one transaction."""
    with writer(engine).begin() as conn:
        row, name, contact = _customer(conn, workspace_id, external_id)
        footprint = _footprint(conn, row, external_id, contact)
        conn.execute(delete(R).where(R.c.customer_id == row))  # ratings, comments, tags, cases: ON DELETE CASCADE
        conn.execute(delete(CU).where(CU.c.id == row))
        ref = suppression_ref(workspace_id, footprint.customer_id)
        conn.execute(delete(FG).where(FG.c.workspace_id == workspace_id, FG.c.ref == ref))
        conn.execute(insert(FG).values(workspace_id=workspace_id, ref=ref, forgotten_at=utcnow()))
        detail = {"customer_ref": customer_ref(name, footprint.customer_id), **footprint.counts()}
        record(conn, actor, name, "forget_customer", detail)
    return footprint


# --- the suppression list: forgotten customers stay out of later imports ---------------------------------------------


def suppression_ref(workspace_id: int, external_id: str) -> str:
    """The fingerprint under which a forgotten customer id is kept on the workspace's suppression list."""
    return hashlib.sha256(f"{workspace_id}\x00{external_id.strip()}".encode()).hexdigest()


def forgotten_refs(conn: Connection, workspace_id: int) -> set[str]:
    """The fingerprints of the workspace's forgotten customers (read inside an import's transaction)."""
    return set(conn.execute(select(FG.c.ref).where(FG.c.workspace_id == workspace_id)).scalars())


def forgotten_count(engine: Engine, workspace_id: int) -> int:
    """How many customers of the workspace are on its suppression list."""
    with engine.connect() as conn:
        query = select(func.count()).select_from(FG).where(FG.c.workspace_id == workspace_id)
        return int(conn.execute(query).scalar_one())


def allow_customer_again(engine: Engine, workspace_id: int, external_id: str, actor: str) -> str:
    """Take a customer id off the suppression list (they gave their data again, e.g. a new survey with consent):
    later imports keep their rows. Audited; returns the id as matched, NotFound when it is not on the list."""
    wanted = external_id.strip()
    if not wanted:
        raise InputRefused(t("privacy.errors.no_customer_id"))
    with writer(engine).begin() as conn:
        name = _workspace_name(conn, workspace_id)
        ref = suppression_ref(workspace_id, wanted)
        gone = conn.execute(delete(FG).where(FG.c.workspace_id == workspace_id, FG.c.ref == ref)).rowcount
        if not gone:
            raise NotFound(t("privacy.errors.not_forgotten", workspace=name, customer=wanted))
        record(conn, actor, name, "allow_customer", {"customer_ref": customer_ref(name, wanted)})
    return wanted


# --- deleting a workspace --------------------------------------------------------------------------------------------


def workspace_footprint(engine: Engine, workspace_id: int) -> dict[str, int]:
    """How much a workspace holds: import batches, responses, comments and customers."""
    with engine.connect() as conn:
        _workspace_name(conn, workspace_id)
        return _workspace_counts(conn, workspace_id)


def _workspace_counts(conn: Connection, workspace_id: int) -> dict[str, int]:
    responses = select(R.c.id).where(R.c.workspace_id == workspace_id).scalar_subquery()

    def count(table: Table, *where: Any) -> int:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())

    return {
        "import_batches": count(B, B.c.workspace_id == workspace_id),
        "responses": count(R, R.c.workspace_id == workspace_id),
        "comments": count(C, C.c.response_id.in_(responses)),
        "customers": count(CU, CU.c.workspace_id == workspace_id),
    }


def delete_workspace(engine: Engine, workspace_id: int, actor: str, confirm_name: str | None = None) -> dict[str, int]:
    """Delete a workspace with everything in it (cascade) and write an audit entry, in one transaction.

    ``confirm_name``, when given, must be the workspace's name (what the user typed to confirm).
    """
    with writer(engine).begin() as conn:
        name = _workspace_name(conn, workspace_id)
        if confirm_name is not None and confirm_name.strip() != name:
            raise InputRefused(t("privacy.errors.wrong_name", typed=confirm_name.strip(), name=name))
        counts = _workspace_counts(conn, workspace_id)
        conn.execute(delete(WS).where(WS.c.id == workspace_id))
        record(conn, actor, name, "delete_workspace", dict(counts))
    return counts


def record_import_with_personal_data(
    conn: Connection, actor: str, workspace_id: int, batch_id: int, file_name: str, columns: list[str]
) -> None:
    """Audit an import that kept personal data (comments not masked; the name/e-mail columns listed were stored)."""
    detail = {"batch": batch_id, "file": file_name, "comments_masked": False, "contact_columns": columns}
    record(conn, actor, _workspace_name(conn, workspace_id), "import_personal_data", detail)
