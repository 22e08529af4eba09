"""Data & privacy: whether imports keep personal data, forget a customer, delete the workspace, the audit log."""

from __future__ import annotations

import streamlit as st

from cxdash.i18n import t
from cxdash.ui import privacy as ui
from cxdash.ui.auth import require_editor
from cxdash.ui.errors import show_flash
from cxdash.ui.sidebar import page_context
from cxdash.ui.text import literal

ctx = page_context()
require_editor()
st.title(t("privacy.title"))
st.caption(t("privacy.caption"))
show_flash()
ui.show_error_left()

if ctx.workspace is None:
    st.info(t("privacy.empty_store"))
else:
    ui.setting_section(ctx.engine, ctx.workspace)
    st.divider()
    ui.forget_section(ctx.engine, ctx.workspace)
    ui.suppression_section(ctx.engine, ctx.workspace)
    st.divider()
    with st.expander(t("privacy.delete.expander", name=literal(ctx.workspace.name))):
        ui.delete_section(ctx.engine, ctx.workspace)
st.divider()
ui.audit_section(ctx.engine, ctx.workspace)
