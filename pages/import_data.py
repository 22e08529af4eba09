"""Import: upload a survey export, confirm column roles, see the validation report, import; and the history."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cxdash.errors import CxdashError
from cxdash.ingest.load import delete_batch, import_table, list_batches
from cxdash.ingest.mapping import mapping_to_json
from cxdash.ingest.validate import preview_import
from cxdash.store.workspaces import get_or_create_workspace
from cxdash.ui import state
from cxdash.ui.errors import show_error, show_flash
from cxdash.ui.importer import describe_table, read_upload, role_editor, target_workspace, validation_report
from cxdash.ui.resources import data_changed
from cxdash.ui.sidebar import page_context

ctx = page_context()
st.title("Import")
show_flash()
st.caption(
    "Survey exports (Qualtrics, SurveyMonkey, Google Forms, in-house CSV or Excel; UTF-8, UTF-8 with BOM, cp932, "
    "UTF-16), reviews and tickets (one row each). Nothing is written until you press Import."
)

workspace_name = target_workspace(ctx.engine, ctx.workspace)
upload = st.file_uploader(
    "Survey export or review file", type=["csv", "tsv", "txt", "xlsx", "xlsm", "xls"], key=state.IMPORT_UPLOAD
)
with st.expander("Reuse a saved mapping (optional)"):
    saved_mapping = st.file_uploader("Mapping JSON", type=["json"], key="import_saved_mapping")

if upload is not None:
    data = upload.getvalue()
    table = read_upload(data, upload.name, st.session_state.get(state.IMPORT_SHEET))
    if table is not None and len(table.sheets) > 1:
        sheet = st.selectbox("Sheet", table.sheets, index=table.sheets.index(table.sheet), key=state.IMPORT_SHEET)
        if sheet != table.sheet:
            st.rerun()
    if table is not None:
        st.caption(f"**{upload.name}** — {describe_table(table)}")
        st.subheader("1 · Column roles")
        st.caption("Suggested from the column names and values; change any role. Roles marked → take a name.")
        mapping = role_editor(table, saved_mapping.getvalue() if saved_mapping else None)
        st.download_button(
            "Save this mapping (JSON)",
            mapping_to_json(mapping),
            file_name="cxdash-mapping.json",
            mime="application/json",
        )
        st.subheader("2 · Validation report")
        try:
            with st.spinner("Checking every row…"):
                preview = preview_import(table, mapping)
        except CxdashError as error:
            show_error(error)
            preview = None
        if preview is not None:
            validation_report(preview)
            st.subheader("3 · Import")
            ready = workspace_name is not None and preview.rows_valid > 0
            if workspace_name is None:
                st.info("Type a name for the new workspace first.")
            if st.button("Import", type="primary", disabled=not ready, key="import_go"):
                bar = st.progress(0.0, text="Starting…")
                try:
                    workspace = get_or_create_workspace(ctx.engine, workspace_name or "")
                    assert workspace.id is not None
                    result = import_table(
                        ctx.engine,
                        workspace.id,
                        table,
                        mapping,
                        progress=lambda f, m: bar.progress(min(f, 1.0), text=m),
                    )
                except CxdashError as error:
                    bar.empty()
                    show_error(error)
                else:
                    data_changed()
                    st.session_state[state.SELECT_WORKSPACE] = workspace.id
                    if result.status == "unchanged":
                        st.info(result.message or "This file was imported before: nothing changed.")
                    else:
                        rejected = len({r.row for r in result.rejected_rows})
                        st.session_state[state.FLASH] = (
                            f"Imported {upload.name} into {workspace.name}: {result.responses:,} responses "
                            f"({result.responses_updated:,} updated), {result.comments:,} comments, "
                            f"{rejected:,} row{'s' if rejected != 1 else ''} rejected."
                        )
                        st.switch_page("pages/overview.py")

st.divider()
st.subheader("Import history")
if ctx.workspace is None:
    st.caption("No imports yet.")
else:
    assert ctx.workspace.id is not None
    batches = list_batches(ctx.engine, ctx.workspace.id)
    if not batches:
        st.caption("No imports into this workspace yet.")
    else:
        history = pd.DataFrame(
            [
                {
                    "Batch": b.id,
                    "File": b.file_name,
                    "Imported at (UTC)": b.created_at,
                    "Rows read": b.rows_read,
                    "Responses": b.responses,
                    "Updated": b.responses_updated,
                    "Comments": b.comments,
                    "Rejected": b.rows_rejected,
                }
                for b in batches
            ]
        )
        st.dataframe(history, hide_index=True, width="stretch")
        with st.expander("Delete a batch"):
            labels = {b.id: f"#{b.id} — {b.file_name} ({b.created_at:%Y-%m-%d %H:%M})" for b in batches}
            victim = st.selectbox("Batch", list(labels), format_func=labels.get, key="delete_batch_pick")
            sure = st.checkbox("Yes, delete this batch with its responses and comments", key="delete_batch_sure")
            if st.button("Delete batch", disabled=not sure, key="delete_batch_go"):
                try:
                    delete_batch(ctx.engine, int(victim))
                except CxdashError as error:
                    show_error(error)
                else:
                    data_changed()
                    st.session_state[state.FLASH] = f"Deleted batch #{victim} ({labels[victim]})."
                    st.rerun()
