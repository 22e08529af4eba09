"""Widgets of the Import page: target workspace, file reading, role editor, validation report, history."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from cxdash.errors import CxdashError
from cxdash.export import to_safe_csv
from cxdash.i18n import fmt_number, t
from cxdash.ingest.mapping import (
    EDITOR_COLUMNS,
    describe_scales,
    editor_frame,
    mapping_from_editor,
    mapping_from_json,
    role_choices,
    scale_choices,
)
from cxdash.ingest.result import ImportPreview, group_rejections, rows_rejected
from cxdash.ingest.table import RawTable
from cxdash.ingest.validate import StoredScales
from cxdash.store.models import Workspace
from cxdash.store.workspaces import list_workspaces
from cxdash.ui import state
from cxdash.ui.errors import show_error
from cxdash.ui.text import literal

NEW_WORKSPACE = "➕ New workspace…"  # the select box's value for "a new workspace" (shown in the UI's language)


def target_workspace(engine: Engine, current: Workspace | None) -> str | None:
    """Pick the workspace to import into (an existing one or a new name); None until a new name is typed."""
    names = [w.name for w in list_workspaces(engine)]
    options = [*names, NEW_WORKSPACE]
    index = names.index(current.name) if current is not None and current.name in names else len(names)
    new_label = t("import.new_workspace")
    choice = st.selectbox(
        t("import.target_workspace"),
        options,
        index=index,
        key=state.IMPORT_TARGET,
        format_func=lambda o: new_label if o == NEW_WORKSPACE else o,
    )
    if choice != NEW_WORKSPACE:
        return str(choice)
    name = st.text_input(
        t("import.new_workspace_name"), key=state.IMPORT_NEW_WS, placeholder=t("import.new_workspace_placeholder")
    )
    return name.strip() or None


def stored_scales(engine: Engine, workspace_name: str | None, mapping: dict[str, str]) -> StoredScales | None:
    """The scales the workspace the file goes into holds (none for a new workspace): the preview reads a touchpoint
    rated before, and a CES that fits the workspace's CES scale, on that scale, as the import will."""
    from cxdash.ingest.load import stored_scales as held
    from cxdash.store.workspaces import get_workspace

    if not workspace_name:
        return None
    try:
        workspace = get_workspace(engine, workspace_name)
    except CxdashError:  # a new workspace's name
        return None
    return held(engine, workspace.id, mapping) if workspace.id is not None else None


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
    from cxdash.ingest.load import start_workers_for

    start_workers_for(table)  # a large upload: the workers start while the user reviews the roles
    return table


def describe_table(table: RawTable) -> str:
    """What was read: the survey tool, encoding, sheet, header rows and columns, in the current language."""
    kind = {
        "qualtrics": t("import.source_qualtrics"),
        "surveymonkey": t("import.source_surveymonkey"),
        "google_forms": t("import.source_google_forms"),
    }
    parts = [kind.get(table.source, t("import.source_table"))]
    if table.encoding:
        parts.append(t("import.encoding", encoding=table.encoding))
    if table.sheet:
        parts.append(t("import.sheet_name", sheet=table.sheet))
    header = t("import.header_row") if table.header_rows == 1 else t("import.header_rows", n=table.header_rows)
    parts.append(header)
    parts.append(t("import.columns", n=fmt_number(len(table.columns))))
    return " · ".join(parts)


def role_editor(table: RawTable, saved: bytes | None) -> dict[str, str] | None:
    """Show every column with its suggested role; the user can change each. Returns the confirmed mapping."""
    from cxdash.ingest.suggest import suggest_with_reasons

    key = ("_import_roles_base", table.content_hash, table.sheet, hashlib.sha256(saved or b"").hexdigest())
    base = st.session_state.get("_import_roles_base")
    if base is None or base[0] != key:
        suggested = suggest_with_reasons(table)  # once: profiling the columns is the costly part
        mapping = {column: role for column, (role, _) in suggested.items()}
        if saved:
            try:
                loaded = mapping_from_json(saved)
            except CxdashError as error:
                show_error(error)
                loaded = {}
            unknown = [c for c in loaded if c not in table.columns]
            if unknown:
                st.warning(t("import.unknown_columns", columns=literal(", ".join(unknown))))
            mapping.update({c: r for c, r in loaded.items() if c in table.columns})
        base = (key, editor_frame(table, mapping, {column: why for column, (_, why) in suggested.items()}))
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
            "Column": st.column_config.TextColumn(t("import.col_column")),
            "Question": st.column_config.TextColumn(t("import.col_question")),
            "Role": st.column_config.SelectboxColumn(
                t("import.col_role"), options=list(role_choices()), required=True, width="medium"
            ),
            "Name": st.column_config.TextColumn(t("import.col_name"), help=t("import.col_name_help")),
            "Scale": st.column_config.SelectboxColumn(
                t("import.col_scale"), options=scale_choices(), required=True, help=t("import.col_scale_help")
            ),
            "Examples": st.column_config.TextColumn(t("import.col_examples"), width="medium"),
            "Why": st.column_config.TextColumn(t("import.col_why"), width="medium"),
        },
    )
    return mapping_from_editor(edited, table)


def validation_report(preview: ImportPreview) -> None:
    """What the import will do: counts, warnings, and every rejected row with its reason."""
    a, b, c, d = st.columns(4)
    a.metric(t("import.rows_read"), fmt_number(preview.rows_read))
    b.metric(t("import.will_import"), fmt_number(preview.rows_valid))
    c.metric(t("import.rejected"), fmt_number(rows_rejected(preview.rejected)))
    d.metric(t("import.comments"), fmt_number(preview.comments))
    if preview.touchpoints:
        st.caption(t("import.touchpoints", touchpoints=literal(", ".join(preview.touchpoints))))
    if preview.scales:
        st.caption(t("import.scales", scales=literal(describe_scales(preview.scales))))
    for warning in preview.warnings:
        st.warning(literal(warning), icon="ℹ️")
    if preview.rejected:
        groups = pd.DataFrame([g.__dict__ for g in group_rejections(preview.rejected)])
        st.markdown(t("import.rejected_why"))
        st.dataframe(
            groups[["column", "reason", "rows", "first_row", "example"]].rename(
                columns={
                    "column": t("import.col_column"),
                    "reason": t("import.col_reason"),
                    "rows": t("import.col_rows"),
                    "first_row": t("import.col_first_row"),
                    "example": t("import.col_example"),
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={t("import.col_rows"): st.column_config.NumberColumn(format="localized")},
        )
        frame = pd.DataFrame([r.__dict__ for r in preview.rejected]).rename(
            columns={
                "row": t("import.col_row"),
                "column": t("import.col_column"),
                "value": t("import.col_value"),
                "reason": t("import.col_reason"),
            }
        )
        st.markdown(t("import.rejected_rows", n=fmt_number(rows_rejected(preview.rejected))))
        st.dataframe(frame.head(1000), hide_index=True, width="stretch")
        st.download_button(
            t("import.download_rejected"),
            to_safe_csv(frame),
            file_name="rejected_rows.csv",
            mime="text/csv",
        )
