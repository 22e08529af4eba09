"""Import: upload a survey export, confirm column roles, see the validation report, import; and the history."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cxdash.errors import CxdashError
from cxdash.i18n import current_language, fmt_number, t
from cxdash.ingest.load import delete_batch, import_table, list_batches
from cxdash.ingest.mapping import mapping_to_json
from cxdash.ingest.result import rows_rejected
from cxdash.ingest.validate import preview_import
from cxdash.store.workspaces import get_or_create_workspace
from cxdash.ui import state
from cxdash.ui.auth import actor, require_editor
from cxdash.ui.errors import show_error, show_flash
from cxdash.ui.importer import (
    describe_table,
    read_upload,
    role_editor,
    stored_scales,
    target_workspace,
    validation_report,
)
from cxdash.ui.privacy import import_note, keep_choice
from cxdash.ui.resources import data_changed
from cxdash.ui.sidebar import page_context
from cxdash.ui.text import literal

ctx = page_context()
require_editor()  # viewers do not see this page in the navigation; a direct link stops here
st.title(t("import.title"))
show_flash()
st.caption(t("import.intro"))

workspace_name = target_workspace(ctx.engine, ctx.workspace)
upload = st.file_uploader(
    t("import.upload"), type=["csv", "tsv", "txt", "xlsx", "xlsm", "xls"], key=state.IMPORT_UPLOAD
)
with st.expander(t("import.reuse_mapping")):
    saved_mapping = st.file_uploader(t("import.mapping_json"), type=["json"], key="import_saved_mapping")

if upload is not None:
    data = upload.getvalue()
    table = read_upload(data, upload.name, st.session_state.get(state.IMPORT_SHEET))
    if table is not None and len(table.sheets) > 1:
        sheet = st.selectbox(
            t("import.sheet"), table.sheets, index=table.sheets.index(table.sheet), key=state.IMPORT_SHEET
        )
        if sheet != table.sheet:
            st.rerun()
    if table is not None:
        st.caption(f"**{literal(upload.name)}** — {literal(describe_table(table))}")
        for note in table.notes:
            st.info(literal(note))
        st.subheader(t("import.step_roles"))
        st.caption(t("import.roles_caption"))
        mapping = role_editor(table, saved_mapping.getvalue() if saved_mapping else None)
        st.download_button(
            t("import.save_mapping"),
            mapping_to_json(mapping),
            file_name="cxdash-mapping.json",
            mime="application/json",
        )
        st.subheader(t("import.step_validation"))
        try:
            with st.spinner(t("import.checking")):
                preview = preview_import(table, mapping, stored_scales(ctx.engine, workspace_name, mapping))
        except CxdashError as error:
            show_error(error)
            preview = None
        if preview is not None:
            validation_report(preview)
            st.subheader(t("import.step_import"))
            ready = workspace_name is not None and preview.rows_valid > 0
            if workspace_name is None:
                st.info(t("import.name_first"))
            keep = keep_choice(ctx.engine, workspace_name, mapping)
            if st.button(t("import.import_button"), type="primary", disabled=not ready, key="import_go"):
                bar = st.progress(0.0, text=t("import.starting"))
                try:
                    # a new workspace speaks the language of the page it was made on (its seeded theme names)
                    workspace = get_or_create_workspace(ctx.engine, workspace_name or "", current_language())
                    assert workspace.id is not None
                    result = import_table(
                        ctx.engine,
                        workspace.id,
                        table,
                        mapping,
                        progress=lambda f, m: bar.progress(min(f, 1.0), text=m),
                        keep_personal_data=keep,
                        actor=actor(),
                    )
                except CxdashError as error:
                    bar.empty()
                    show_error(error)
                else:
                    data_changed()
                    st.session_state[state.SELECT_WORKSPACE] = workspace.id
                    if result.status == "unchanged":
                        st.info(literal(result.message) if result.message else t("import.unchanged"))
                    else:
                        rejected = rows_rejected(result.rejected_rows)
                        st.session_state[state.FLASH] = t(
                            "import.imported",
                            file=literal(upload.name),
                            workspace=literal(workspace.name),
                            responses=fmt_number(result.responses),
                            updated=fmt_number(result.responses_updated),
                            comments=fmt_number(result.comments),
                            rejected=t("import.rows_rejected_one")
                            if rejected == 1
                            else t("import.rows_rejected", n=fmt_number(rejected)),
                        )
                        st.session_state[state.FLASH] += " " + import_note(result)
                        st.switch_page("pages/overview.py")

st.divider()
st.subheader(t("import.history"))
if ctx.workspace is None:
    st.caption(t("import.no_imports"))
else:
    assert ctx.workspace.id is not None
    batches = list_batches(ctx.engine, ctx.workspace.id)
    if not batches:
        st.caption(t("import.no_imports_here"))
    else:
        history = pd.DataFrame(
            [
                {
                    t("import.col_batch"): b.id,
                    t("import.col_file"): b.file_name,
                    t("import.col_imported_at"): b.created_at,
                    t("import.rows_read"): b.rows_read,
                    t("import.col_responses"): b.responses,
                    t("import.col_updated"): b.responses_updated,
                    t("import.comments"): b.comments,
                    t("import.rejected"): b.rows_rejected,
                }
                for b in batches
            ]
        )
        counts = ("rows_read", "col_responses", "col_updated", "comments", "rejected")
        st.dataframe(
            history,
            hide_index=True,
            width="stretch",
            column_config={t(f"import.{k}"): st.column_config.NumberColumn(format="localized") for k in counts},
        )
        with st.expander(t("import.delete_batch_title")):
            labels = {b.id: f"#{b.id} — {b.file_name} ({b.created_at:%Y-%m-%d %H:%M})" for b in batches}
            victim = st.selectbox(t("import.col_batch"), list(labels), format_func=labels.get, key="delete_batch_pick")
            sure = st.checkbox(t("import.delete_sure"), key="delete_batch_sure")
            if st.button(t("import.delete_batch"), disabled=not sure, key="delete_batch_go"):
                try:
                    delete_batch(ctx.engine, int(victim))
                except CxdashError as error:
                    show_error(error)
                else:
                    data_changed()
                    st.session_state[state.FLASH] = t("import.deleted", batch=victim, label=literal(labels[victim]))
                    st.rerun()
