"""Make sure every page runs inside the app's navigation, even when it is opened by a direct link.

Streamlit keeps a relic of its first multipage design: while no session has yet run ``app.py`` (a server just
started and first asked for ``/journey``), a URL that matches a file in ``pages/`` runs that file on its own —
no page config, no navigation, the sidebar listing file names. ``app.py`` marks its runs; a page that finds no
mark runs ``app.py`` itself (which registers the navigation and runs the page asked for) and stops.
"""

from __future__ import annotations

import contextvars
import runpy
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

APP = Path(__file__).resolve().parents[2] / "app.py"
_VIA_APP: contextvars.ContextVar[bool] = contextvars.ContextVar("cxdash_via_app", default=False)


@contextmanager
def running_app() -> Iterator[None]:
    """Used by app.py around ``st.navigation(...).run()``: pages run inside know they came through the app."""
    token = _VIA_APP.set(True)
    try:
        yield
    finally:
        _VIA_APP.reset(token)


def ensure_app() -> None:
    """Called first by every page: when Streamlit ran the page file directly, run the app instead."""
    if _VIA_APP.get():
        return
    runpy.run_path(str(APP), run_name="__main__")
    st.stop()
