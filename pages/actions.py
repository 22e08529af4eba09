"""Actions: close the loop — follow up unhappy customers, plan improvement actions and check their effect."""

from __future__ import annotations

import streamlit as st

from cxdash.i18n import t
from cxdash.ui import actions
from cxdash.ui.errors import show_flash
from cxdash.ui.sidebar import page_context

ctx = page_context()
show_flash()
st.title(t("actions.title"))

if ctx.workspace is None:
    st.info(t("actions.empty_store"))
    st.page_link("pages/import.py", label=t("actions.go_import"), icon="📥")
    st.stop()

st.caption(t("actions.intro"))
actions.page(ctx)
