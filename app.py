"""cxdash — the entry script: page config and the page registry."""

from __future__ import annotations

import streamlit as st

from cxdash.ui.boot import running_app

st.set_page_config(page_title="cxdash", page_icon="📊", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon="📊", default=True),
    st.Page("pages/voice.py", title="Voice of the Customer", icon="💬", url_path="voice"),
    st.Page("pages/drivers.py", title="Drivers", icon="🎯", url_path="drivers"),
    st.Page("pages/personas.py", title="Personas", icon="🧑‍🤝‍🧑", url_path="personas"),
    st.Page("pages/journey.py", title="Journey maps", icon="🗺️", url_path="journey"),
    st.Page("pages/import_data.py", title="Import", icon="📥", url_path="import"),
]

# Each page draws the shared sidebar itself (cxdash.ui.sidebar.page_context), so it is rebuilt on every rerun.
with running_app():
    st.navigation(PAGES).run()
