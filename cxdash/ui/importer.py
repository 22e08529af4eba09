"""Widgets of the Import page: target workspace, file reading, role editor, validation report, history."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from cxdash.errors import CxdashError
from cxdash.ingest.mapping import EDITOR_COLUMNS, ROLE_CHOICES, editor_frame, mapping_from_editor, mapping_from_json
from cxdash.ingest.result import ImportPreview
from cxdash.ingest.table import RawTable
from cxdash.store.models import Workspace
from cxdash.store.workspaces import list_workspaces
from cxdash.ui import state
from cxdash.ui.errors import show_error

NEW_WORKSPACE = "➕ New workspace…"


def target_workspace(engine: Engine, current: Workspace | None) -> str | None:
    """Pick the workspace to import into (an existing one or a new name); None until a new name is typed."""
    names = [w.name for w in list_workspaces(engine)]
    options = [*names, NEW_WORKSPACE]
    index = names.index(current.name) if current is not None and current.name in names else len(names)
    choice = st.selectbox("Import into workspace", options, index=index, key=state.IMPORT_TARGET)
    if choice != NEW_WORKSPACE:
        return str(choice)
    name = st.text_input("New workspace name", key=state.IMPORT_NEW_WS, placeholder="e.g. Acme — Q3 survey")
    return name.strip() or None


def read_upload(data: bytes, file_name: str, sheet: str | None) -> RawTable | None:
    """Read the uploaded file once per (content, sheet) and keep the table for this session's reruns."""
    from cxdash.ingest.read import read_table

    key = (hashlib.sha256(data).hexdigest(), file_name, sheet)
    cached = st.session_state.get("_import_table")
    if cached is not None and cached[0] == key:
        return cached[1]
    try:
        table = read_table(data, file_name, sheet=sheet)
    except CxdashError as error:
        show_error(error)
        st.session_state.pop("_import_table", None)
        return None
    st.session_state["_import_table"] = (key, table)
    return table


def describe_table(table: RawTable) -> str:
    kind = {"qualtrics": "Qualtrics export", "surveymonkey": "SurveyMonkey export", "google_forms": "Google Forms"}
    parts = [kind.get(table.source, "table")]
    if table.encoding:
        parts.append(f"encoding {table.encoding}")
    if table.sheet:
        parts.append(f"sheet '{table.sheet}'")
    parts.append(f"{table.header_rows} header row{'s' if table.header_rows != 1 else ''}")
    parts.append(f"{len(table.columns)} columns")
    return " · ".join(parts)


def role_editor(table: RawTable, saved: bytes | None) -> dict[str, str] | None:
    """Show every column with its suggested role; the user can change each. Returns the confirmed mapping."""
    from cxdash.ingest.suggest import explain_roles, suggest_roles

    key = ("_import_roles_base", table.content_hash, table.sheet, hashlib.sha256(saved or b"").hexdigest())
    base = st.session_state.get("_import_roles_base")
    if base is None or base[0] != key:
        mapping = suggest_roles(table)
        if saved:
            try:
                loaded = mapping_from_json(saved)
            except CxdashError as error:
                show_error(error)
                loaded = {}
            unknown = [c for c in loaded if c not in table.columns]
            if unknown:
                st.warning("The saved mapping names columns this file does not have: " + ", ".join(unknown))
            mapping.update({c: r for c, r in loaded.items() if c in table.columns})
        base = (key, editor_frame(table, mapping, explain_roles(table)))
        st.session_state["_import_roles_base"] = base
        st.session_state.pop(state.IMPORT_ROLES, None)
    edited = st.data_editor(
        base[1],
        key=state.IMPORT_ROLES,
        hide_index=True,
        width="stretch",
        disabled=["Column", "Question", "Examples", "Why"],
        column_order=EDITOR_COLUMNS,
        column_config={
            "Role": st.column_config.SelectboxColumn("Role", options=list(ROLE_CHOICES), required=True, width="medium"),
            "Name": st.column_config.TextColumn("Name", help="Touchpoint or attribute name for roles marked →"),
            "Examples": st.column_config.TextColumn("Examples", width="medium"),
            "Why": st.column_config.TextColumn("Why suggested", width="medium"),
        },
    )
    return mapping_from_editor(edited, table)


def validation_report(preview: ImportPreview) -> None:
    """What the import will do: counts, warnings, and every rejected row with its reason."""
    a, b, c, d = st.columns(4)
    a.metric("Rows read", f"{preview.rows_read:,}")
    b.metric("Will be imported", f"{preview.rows_valid:,}")
    c.metric("Rejected", f"{len(preview.rejected):,}")
    d.metric("Comments", f"{preview.comments:,}")
    if preview.touchpoints:
        st.caption("Touchpoints: " + ", ".join(preview.touchpoints))
    for warning in preview.warnings:
        st.warning(warning, icon="ℹ️")
    if preview.rejected:
        frame = pd.DataFrame([r.__dict__ for r in preview.rejected]).rename(
            columns={"row": "Row", "column": "Column", "value": "Value", "reason": "Reason"}
        )
        st.markdown(f"**Rows that will be rejected ({len(frame):,})** — row numbers as in the file.")
        st.dataframe(frame.head(1000), hide_index=True, width="stretch")
        st.download_button(
            "Download the rejected rows (CSV)",
            frame.to_csv(index=False).encode("utf-8-sig"),
            file_name="rejected_rows.csv",
            mime="text/csv",
        )
