"""The engine (one per process, cached) and the data version that invalidates cached query results."""

from __future__ import annotations

import os

import streamlit as st
from sqlalchemy import Engine

from cxdash.store.engine import resolve_url
from cxdash.store.workspaces import open_store
from cxdash.ui import state


@st.cache_resource(show_spinner="Opening the store…")
def _engine_for(url: str) -> Engine:
    engine = open_store(url)
    if os.environ.get("CXDASH_NO_DEMO", "") not in ("1", "true", "yes"):
        from cxdash.demo.load import ensure_demo

        ensure_demo(engine)
    return engine


def get_engine() -> Engine:
    """The store of this app: CXDASH_DATABASE_URL, else data/cxdash.db (filled with the demo when it has no workspace,
    unless CXDASH_NO_DEMO=1)."""
    return _engine_for(resolve_url())


def data_version() -> int:
    """A number that changes whenever this session writes to the store (part of every cached query's key)."""
    return int(st.session_state.get(state.DATA_VERSION, 0))


def data_changed() -> None:
    """Call after a write: cached query results are dropped and recomputed."""
    st.session_state[state.DATA_VERSION] = data_version() + 1
    st.cache_data.clear()
