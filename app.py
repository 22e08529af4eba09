"""cxdash — the entry script: page config, the shared sidebar, and the page registry."""

from __future__ import annotations

import streamlit as st

from cxdash.ui.resources import get_engine
from cxdash.ui.sidebar import sidebar

st.set_page_config(page_title="cxdash", page_icon="📊", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon="📊", default=True),
    st.Page("pages/import_data.py", title="Import", icon="📥", url_path="import"),
]

navigation = st.navigation(PAGES)
sidebar(get_engine())
navigation.run()
