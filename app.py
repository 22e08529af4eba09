"""cxdash — the entry script: page config, the interface language and the page registry."""

from __future__ import annotations

import streamlit as st

from cxdash.i18n import t
from cxdash.ui.auth import editors
from cxdash.ui.boot import running_app
from cxdash.ui.language import init_language

st.set_page_config(page_title="cxdash", page_icon="📊", layout="wide")
init_language()  # before any text: the page titles below are in the session's language

PAGES = [
    st.Page("pages/overview.py", title=t("app.pages.overview"), icon="📊", default=True),
    st.Page("pages/voice.py", title=t("app.pages.voice"), icon="💬", url_path="voice"),
    st.Page("pages/drivers.py", title=t("app.pages.drivers"), icon="🎯", url_path="drivers"),
    st.Page("pages/personas.py", title=t("app.pages.personas"), icon="🧑‍🤝‍🧑", url_path="personas"),
    st.Page("pages/journey.py", title=t("app.pages.journey"), icon="🗺️", url_path="journey"),
    st.Page("pages/actions.py", title=t("actions.page_title"), icon="✅", url_path="actions"),
    st.Page("pages/import.py", title=t("app.pages.import"), icon="📥", url_path="import", visibility=editors()),
    st.Page("pages/privacy.py", title=t("privacy.nav_title"), icon="🔒", url_path="privacy", visibility=editors()),
]

# Each page draws the shared sidebar itself (cxdash.ui.sidebar.page_context), so it is rebuilt on every rerun.
with running_app():
    st.navigation(PAGES).run()
