"""The sidebar every page shares: workspace choice and the global filters (dates, segments, channels)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import streamlit as st
from sqlalchemy import Engine

from cxdash.store.models import Persona, Workspace
from cxdash.store.personas import NO_MATCH, describe_segment, list_personas, persona_filters, segment_of
from cxdash.store.queries import Filters
from cxdash.store.workspaces import list_workspaces
from cxdash.ui import data, state

PERSONA_KEY = "filter_persona"
EVERYONE = 0  # the persona select box's "Everyone" (persona ids start at 1)


@dataclass(frozen=True)
class PageContext:
    """What a page needs: the engine, the current workspace (None in an empty store) and the filters."""

    engine: Engine
    workspace: Workspace | None
    filters: Filters
    persona: Persona | None = None  # the sidebar's persona (its segment is merged into ``filters``)
    base_filters: Filters | None = None  # the filters before the persona's segment was merged in


def sidebar(engine: Engine) -> PageContext:
    """Draw the workspace picker and filters; return the engine, workspace and filters for the page."""
    workspaces = list_workspaces(engine)
    with st.sidebar:
        if not workspaces:
            st.info("No data yet — open **Import** to load a survey export.")
            return PageContext(engine, None, Filters())
        ids = [w.id for w in workspaces]
        wanted = st.session_state.pop(state.SELECT_WORKSPACE, None)  # set by a page before it switched here
        if wanted in ids:
            st.session_state[state.WORKSPACE_ID] = wanted
        current = st.session_state.get(state.WORKSPACE_ID)
        if current not in ids:
            st.session_state[state.WORKSPACE_ID] = ids[0]
        by_id = {w.id: w for w in workspaces}
        ws_id = st.selectbox("Workspace", ids, format_func=lambda i: by_id[i].name, key=state.WORKSPACE_ID)
        workspace = by_id[ws_id]
        persona = _persona_picker(engine, workspace)
        base = _filter_widgets(engine, workspace)
        filters = persona_filters(persona, base)
        if persona is not None and any(NO_MATCH in v for v in filters.attributes.values()):
            st.warning("The persona's segment and the segment filters exclude each other: no response matches.")
    return PageContext(engine, workspace, filters, persona, base)


def _persona_picker(engine: Engine, workspace: Workspace) -> Persona | None:
    """ "Persona" select box (None = everyone) under the workspace picker; its segment narrows every page."""
    assert workspace.id is not None
    personas = {p.id: p for p in list_personas(engine, workspace.id) if p.id is not None}
    if not personas:
        return None
    key = f"{PERSONA_KEY}_{workspace.id}"
    if st.session_state.get(key, EVERYONE) not in (EVERYONE, *personas):
        st.session_state[key] = EVERYONE  # the persona was deleted (or nothing was chosen yet)

    def name(pid: int) -> str:
        if pid == EVERYONE:
            return "Everyone"
        p = personas[pid]
        return p.name if p.avatar.startswith("data:") else f"{p.avatar} {p.name}"

    pid = st.selectbox(
        "Persona",
        [EVERYONE, *personas],
        format_func=name,
        key=key,
        help="Narrow every page to the respondents of a persona's segment (set on the Personas page).",
    )
    if pid == EVERYONE or pid not in personas:
        return None
    persona = personas[pid]
    st.caption(
        "Persona segment: "
        + re.sub(r"([\\`*_{}\[\]()#+\-.!|~$<>:=^&])", r"\\\1", describe_segment(segment_of(persona)))
    )
    return persona


def _filter_widgets(engine: Engine, workspace: Workspace) -> Filters:
    assert workspace.id is not None
    st.subheader("Filters")
    lo, hi = _as_dates(*data.date_range(engine, workspace.id))
    date_from: date | None = None
    date_to: date | None = None
    if lo is not None and hi is not None:
        picked = st.date_input(
            "Date range",
            value=(lo, hi),
            min_value=lo,
            max_value=hi,
            key=f"{state.FILTER_DATES}_{workspace.id}",
            help="Responses submitted in this range (both ends included).",
        )
        if isinstance(picked, tuple | list) and len(picked) == 2:
            date_from, date_to = picked[0], picked[1]
        elif isinstance(picked, tuple | list) and len(picked) == 1:
            date_from = picked[0]
    attributes: dict[str, list[str]] = {}
    values = data.attribute_values(engine, workspace.id)
    channels = data.channel_values(engine, workspace.id)
    chosen_channels: list[str] = []
    if values or channels:
        with st.expander("Segments", expanded=False):
            if channels:
                chosen_channels = st.multiselect("Channel", channels, key=f"{state.FILTER_CHANNELS}_{workspace.id}")
            for name, options in values.items():
                chosen = st.multiselect(name, options, key=f"{state.FILTER_ATTRS}_{workspace.id}_{name}")
                if chosen:
                    attributes[name] = list(chosen)
    filters = Filters(date_from=date_from, date_to=date_to, attributes=attributes, channels=chosen_channels)
    active = describe_filters(filters, lo, hi)
    if active:
        st.caption("Active filters: " + active)
    return filters


def _as_dates(lo: date | datetime | None, hi: date | datetime | None) -> tuple[date | None, date | None]:
    return (lo.date() if isinstance(lo, datetime) else lo), (hi.date() if isinstance(hi, datetime) else hi)


def describe_filters(filters: Filters, lo: date | datetime | None = None, hi: date | datetime | None = None) -> str:
    """A one-line description of the filters that narrow the data (empty when none do)."""
    lo, hi = _as_dates(lo, hi)
    parts = []
    if (filters.date_from and filters.date_from != lo) or (filters.date_to and filters.date_to != hi):
        parts.append(f"{filters.date_from or '…'} – {filters.date_to or '…'}")
    for name, vals in filters.attributes.items():
        parts.append(f"{name} ∈ {{{', '.join(vals)}}}")
    if filters.channels:
        parts.append(f"channel ∈ {{{', '.join(filters.channels)}}}")
    return "; ".join(parts)


def page_context() -> PageContext:
    """Draw the shared sidebar for this page and return what the page needs (call once, first, in every page)."""
    from cxdash.ui.boot import ensure_app
    from cxdash.ui.resources import get_engine

    ensure_app()
    return sidebar(get_engine())
