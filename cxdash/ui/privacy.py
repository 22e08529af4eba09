"""Widgets for personal data: the import's keep-personal-data choice, and the sections of the Data & privacy page
(workspace default, forget a customer, delete the workspace, audit log). Writes go through cxdash.store.privacy."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from cxdash.errors import CxdashError
from cxdash.i18n import fmt_number, t
from cxdash.ingest.personal import skipped_message
from cxdash.ingest.result import ImportResult
from cxdash.privacy import MaskCounts, describe_counts
from cxdash.roles import PERSONAL_ROLES
from cxdash.store import privacy as store
from cxdash.store.models import Workspace
from cxdash.store.workspaces import list_workspaces
from cxdash.ui import state
from cxdash.ui.auth import actor
from cxdash.ui.resources import data_changed

FORGET_ID = "privacy_forget_id"
FORGET_SURE = "privacy_forget_sure"
ALLOW_ID = "privacy_allow_id"
DELETE_NAME = "privacy_delete_name"
ERROR = "privacy_error"
AUDIT_ALL = "privacy_audit_all"
FOOTPRINT_FIELDS = ("responses", "ratings", "comments", "attributes", "theme_tags", "followup_cases")


# --- on the Import page ---------------------------------------------------------------------------------------------


def keep_choice(engine: Engine, workspace_name: str | None, mapping: dict[str, str] | None) -> bool:
    """The "keep personal data" checkbox of one import (its default: the workspace's setting) and what it means."""
    by_name = {w.name: w.id for w in list_workspaces(engine)}
    ws_id = by_name.get(workspace_name or "")
    default = store.keep_personal_data(engine, ws_id) if ws_id is not None else False
    keep = st.checkbox(
        t("privacy.import.keep_label"),
        value=default,
        key=f"import_keep_pii_{ws_id or 'new'}",
        help=t("privacy.import.keep_help"),
    )
    contacts = [c for c, role in (mapping or {}).items() if role in PERSONAL_ROLES]
    listed = ", ".join(contacts)
    if keep:
        st.warning(t("privacy.import.will_keep", columns=listed or "–"), icon="🔓")
    else:
        st.caption(
            t("privacy.import.will_mask") + (" " + t("privacy.import.will_drop", columns=listed) if contacts else "")
        )
    return bool(keep)


def import_note(result: ImportResult) -> str:
    """Sentences for the message after an import: what was masked, or that personal data was kept; the rows of
    forgotten customers that were skipped."""
    shown = fmt_number(result.forgotten_rows)
    skipped = (
        " " + skipped_message(result.forgotten_rows, result.forgotten_customers, shown) if result.forgotten_rows else ""
    )
    if result.personal_data_kept:
        return t("privacy.import.flash_kept") + skipped
    m = result.masked
    said = describe_counts(MaskCounts(m.get("email", 0), m.get("phone", 0), m.get("card", 0), m.get("texts", 0)))
    return ((t("privacy.import.masked", what=said) if said else "") + skipped).strip()


# --- the Data & privacy page ---------------------------------------------------------------------------------------


def show_error_left() -> None:
    """The error a callback left for this run."""
    message = st.session_state.pop(ERROR, None)
    if message:
        st.error(message, icon="⚠️")


def _run(action: Any, *args: Any) -> Any:
    """Run a store write from a callback; an expected error is shown at the top of the next run."""
    try:
        return action(*args)
    except CxdashError as error:
        st.session_state[ERROR] = error.message
        return None


def setting_section(engine: Engine, workspace: Workspace) -> None:
    """The workspace's default for imports: mask (default) or keep personal data."""
    assert workspace.id is not None
    st.subheader(t("privacy.setting.title"))
    st.caption(t("privacy.setting.caption"))
    key = f"privacy_keep_default_{workspace.id}"
    st.session_state[key] = store.keep_personal_data(engine, workspace.id)
    st.toggle(
        t("privacy.setting.toggle"),
        key=key,
        on_change=_save_setting,
        args=(engine, workspace.id, key),
        help=t("privacy.setting.help"),
    )


def _save_setting(engine: Engine, workspace_id: int, key: str) -> None:
    keep = bool(st.session_state.get(key))
    try:
        store.set_keep_personal_data(engine, workspace_id, keep, actor())
    except CxdashError as error:
        st.session_state[ERROR] = error.message
        return
    st.session_state[state.FLASH] = t("privacy.setting.saved_keep" if keep else "privacy.setting.saved_mask")


def forget_section(engine: Engine, workspace: Workspace) -> None:
    """Type a customer id, see what will be deleted, confirm, delete."""
    assert workspace.id is not None
    st.subheader(t("privacy.forget.title"))
    st.caption(t("privacy.forget.caption"))
    wanted = st.text_input(t("privacy.forget.id"), key=FORGET_ID, placeholder=t("privacy.forget.placeholder"))
    if not wanted.strip():
        return
    try:
        footprint = store.customer_footprint(engine, workspace.id, wanted)
    except CxdashError as error:
        st.info(error.message, icon="🔍")
        return
    counts = footprint.counts()
    st.markdown(t("privacy.forget.will_delete", customer=_inert(footprint.customer_id)))
    columns = st.columns(len(FOOTPRINT_FIELDS))
    for column, name in zip(columns, FOOTPRINT_FIELDS, strict=True):
        column.metric(t(f"privacy.count.field.{name}"), fmt_number(int(counts[name])))
    if footprint.contact_details:
        st.caption(t("privacy.forget.contact_stored"))
    sure = st.checkbox(t("privacy.forget.sure", customer=footprint.customer_id), key=FORGET_SURE)
    st.button(
        t("privacy.forget.go"),
        type="primary",
        disabled=not sure,
        key="privacy_forget_go",
        on_click=_forget,
        args=(engine, workspace.id, footprint.customer_id),
    )


def suppression_section(engine: Engine, workspace: Workspace) -> None:
    """How many forgotten customers imports skip, and taking one id off that list (they gave their data again)."""
    assert workspace.id is not None
    suppressed = store.forgotten_count(engine, workspace.id)
    if not suppressed:
        return
    st.caption(t("privacy.forget.suppressed", n=fmt_number(suppressed)))
    with st.expander(t("privacy.forget.allow_title")):
        st.caption(t("privacy.forget.allow_caption"))
        st.text_input(t("privacy.forget.allow_id"), key=ALLOW_ID)
        st.button(t("privacy.forget.allow_go"), key="privacy_allow_go", on_click=_allow, args=(engine, workspace.id))


def _allow(engine: Engine, workspace_id: int) -> None:
    customer = _run(store.allow_customer_again, engine, workspace_id, str(st.session_state.get(ALLOW_ID, "")), actor())
    if customer is None:
        return
    st.session_state[ALLOW_ID] = ""
    st.session_state[state.FLASH] = t("privacy.forget.allowed", customer=customer)


def _forget(engine: Engine, workspace_id: int, customer: str) -> None:
    done = _run(store.delete_customer, engine, workspace_id, customer, actor())
    if done is None:
        return
    data_changed()
    st.session_state[FORGET_ID] = ""
    st.session_state[FORGET_SURE] = False
    st.session_state[state.FLASH] = t(
        "privacy.forget.done",
        customer=done.customer_id,
        responses=fmt_number(done.responses),
        comments=fmt_number(done.comments),
    )


def delete_section(engine: Engine, workspace: Workspace) -> None:
    """Delete the whole workspace after its name is typed."""
    assert workspace.id is not None
    st.subheader(t("privacy.delete.title"))
    counts = store.workspace_footprint(engine, workspace.id)
    st.caption(
        t(
            "privacy.delete.caption",
            batches=fmt_number(counts["import_batches"]),
            responses=fmt_number(counts["responses"]),
            comments=fmt_number(counts["comments"]),
            customers=fmt_number(counts["customers"]),
        )
    )
    typed = st.text_input(t("privacy.delete.type_name", name=workspace.name), key=DELETE_NAME)
    st.button(
        t("privacy.delete.go"),
        type="primary",
        disabled=typed.strip() != workspace.name,
        key="privacy_delete_go",
        on_click=_delete_workspace,
        args=(engine, workspace.id, workspace.name),
    )


def _delete_workspace(engine: Engine, workspace_id: int, name: str) -> None:
    typed = str(st.session_state.get(DELETE_NAME, ""))
    done = _run(store.delete_workspace, engine, workspace_id, actor(), typed)
    if done is None:
        return
    data_changed()
    st.session_state[DELETE_NAME] = ""  # the sidebar moves to another workspace: the deleted id is no longer listed
    st.session_state[state.FLASH] = t("privacy.delete.done", name=name, responses=fmt_number(done["responses"]))


def audit_section(engine: Engine, workspace: Workspace | None) -> None:
    """The audit log, newest first: this workspace's entries, or all (deleted workspaces included)."""
    st.subheader(t("privacy.audit.title"))
    st.caption(t("privacy.audit.caption"))
    every = workspace is None or st.checkbox(t("privacy.audit.all"), key=AUDIT_ALL)
    entries = store.audit_entries(engine, None if every or workspace is None else workspace.name)
    if not entries:
        st.caption(t("privacy.audit.empty"))
        return
    frame = pd.DataFrame(
        [
            {
                t("privacy.audit.col.at"): e.at,
                t("privacy.audit.col.actor"): e.actor,
                t("privacy.audit.col.workspace"): e.workspace,
                t("privacy.audit.col.event"): t(f"privacy.event.{e.event}") if e.event in store.EVENTS else e.event,
                t("privacy.audit.col.detail"): json.dumps(e.detail, ensure_ascii=False, sort_keys=True),
            }
            for e in entries
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def _inert(text: str) -> str:
    """User text made safe for Markdown (every special character escaped)."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|~$<>:=^&" else c for c in text)
