"""The session's interface language: the browser's on the first run, then the sidebar picker's choice.

Light on purpose (no store imports): ``app.py`` calls :func:`init_language` before it names the pages, right after
``st.set_page_config``, on every run.
"""

from __future__ import annotations

import streamlit as st

from cxdash.i18n import LANGUAGES, normalise, set_language, t
from cxdash.ui import state

LANGUAGE_PICKER = "language_picker"  # the picker widget's key (the session's choice is state.LANGUAGE)


def browser_language() -> str:
    """The browser's language (``st.context.locale``, e.g. 'ja-JP') as 'en' or 'ja'; English when unknown."""
    return normalise(getattr(st.context, "locale", None))


def init_language() -> str:
    """Make the session's interface language current and return it; call first in every run, before drawing.

    The first run of a session takes the browser's language; later runs keep the sidebar's choice.
    """
    code = st.session_state.get(state.LANGUAGE)
    if code not in LANGUAGES:
        code = browser_language()
        st.session_state[state.LANGUAGE] = code
    return set_language(code)


def _language_changed() -> None:
    code = normalise(st.session_state.get(LANGUAGE_PICKER))
    st.session_state[state.LANGUAGE] = code
    set_language(code)


def language_picker() -> str:
    """The language select box at the top of the sidebar; its label is in both languages so that either reader
    finds it. Returns the current language."""
    code = init_language()
    st.session_state[LANGUAGE_PICKER] = code
    st.selectbox(
        f"🌐 {t('app.language', language='en')} / {t('app.language', language='ja')}",
        list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=LANGUAGE_PICKER,
        on_change=_language_changed,
    )
    return code
