"""The sidebar every page shares: the interface language, workspace choice and the global filters (dates, segments,
channels).

The language is chosen once per session: the browser's (``st.context.locale``) on the first run, English when it is
neither English nor Japanese, then whatever the picker at the top of the sidebar says
(``cxdash.ui.language``). ``init_language`` makes it current at the start of every run (``app.py`` calls it before it
names the pages), so every ``t(...)`` of the run speaks it. Sidebar choices are kept when the user opens another
page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import streamlit as st
from sqlalchemy import Engine

from cxdash.i18n import fmt_date, t
from cxdash.store.models import Persona, Workspace
from cxdash.store.personas import NO_MATCH, describe_segment, list_personas, persona_filters, segment_of
from cxdash.store.queries import Filters
from cxdash.store.workspaces import list_workspaces
from cxdash.ui import data, state
from cxdash.ui.language import LANGUAGE_PICKER as LANGUAGE_PICKER
from cxdash.ui.language import init_language as init_language  # re-exported: pages and app.py call it
from cxdash.ui.language import language_picker
from cxdash.ui.text import literal

PERSONA_KEY = "filter_persona"
EVERYONE = 0  # the persona select box's "Everyone" (persona ids start at 1)
SIDEBAR_KEYS = (state.WORKSPACE_ID, PERSONA_KEY, state.FILTER_DATES, state.FILTER_ATTRS, state.FILTER_CHANNELS)


@dataclass(frozen=True)
class PageContext:
    """What a page needs: the engine, the current workspace (None in an empty store) and the filters."""

    engine: Engine
    workspace: Workspace | None
    filters: Filters
    persona: Persona | None = None  # the sidebar's persona (its segment is merged into ``filters``)
    base_filters: Filters | None = None  # the filters before the persona's segment was merged in


def _keep_sidebar_choices() -> None:
    """Keep the sidebar's choices when the user opens another page.

    Streamlit ties a widget to the page that drew it and drops its value when another page runs; saving each
    sidebar value back under its own key before the widgets are drawn keeps it (Streamlit's documented remedy).
    """
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key.startswith(SIDEBAR_KEYS):
            try:
                st.session_state[key] = st.session_state[key]
            except KeyError:  # listed, but its value was dropped (e.g. a page popped it): nothing to keep
                continue


def sidebar(engine: Engine) -> PageContext:
    """Draw the language picker, workspace picker and filters; return the engine, workspace and filters."""
    workspaces = list_workspaces(engine)
    _keep_sidebar_choices()
    with st.sidebar:
        language_picker()
        if not workspaces:
            st.info(t("sidebar.no_data"))
            return PageContext(engine, None, Filters())
        ids = [w.id for w in workspaces]
        wanted = st.session_state.pop(state.SELECT_WORKSPACE, None)  # set by a page before it switched here
        if wanted in ids:
            st.session_state[state.WORKSPACE_ID] = wanted
        current = st.session_state.get(state.WORKSPACE_ID)
        if current not in ids:
            st.session_state[state.WORKSPACE_ID] = ids[0]
        by_id = {w.id: w for w in workspaces}
        ws_id = st.selectbox(t("sidebar.workspace"), ids, format_func=lambda i: by_id[i].name, key=state.WORKSPACE_ID)
        workspace = by_id[ws_id]
        persona = _persona_picker(engine, workspace)
        base = _filter_widgets(engine, workspace)
        filters = persona_filters(persona, base)
        if persona is not None and any(NO_MATCH in v for v in filters.attributes.values()):
            st.warning(t("sidebar.persona_excludes"))
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

    everyone = t("sidebar.everyone")  # looked up now: Streamlit may call name() outside this run

    def name(pid: int) -> str:
        if pid == EVERYONE:
            return everyone
        p = personas[pid]
        return p.name if p.avatar.startswith("data:") else f"{p.avatar} {p.name}"

    pid = st.selectbox(
        t("sidebar.persona"),
        [EVERYONE, *personas],
        format_func=name,
        key=key,
        help=t("sidebar.persona_help"),
    )
    if pid == EVERYONE or pid not in personas:
        return None
    persona = personas[pid]
    segment = re.sub(r"([\\`*_{}\[\]()#+\-.!|~$<>:=^&])", r"\\\1", describe_segment(segment_of(persona)))
    st.caption(t("sidebar.persona_segment", segment=segment))
    return persona


def _filter_widgets(engine: Engine, workspace: Workspace) -> Filters:
    assert workspace.id is not None
    st.subheader(t("sidebar.filters"))
    lo, hi = _as_dates(*data.date_range(engine, workspace.id))
    date_from: date | None = None
    date_to: date | None = None
    if lo is not None and hi is not None:
        key = f"{state.FILTER_DATES}_{workspace.id}"
        kept = st.session_state.get(key)
        if not isinstance(kept, tuple | list) or not all(isinstance(d, date) and lo <= d <= hi for d in kept):
            st.session_state[key] = (lo, hi)  # first visit, or the data's dates moved under a kept range
        picked = st.date_input(
            t("sidebar.date_range"),
            min_value=lo,
            max_value=hi,
            key=key,
            help=t("sidebar.date_range_help"),
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
        anyone = t("common.all")
        with st.expander(t("sidebar.segments"), expanded=False):
            if channels:
                chosen_channels = st.multiselect(
                    t("sidebar.channel"), channels, key=f"{state.FILTER_CHANNELS}_{workspace.id}", placeholder=anyone
                )
            for name, options in values.items():
                key = f"{state.FILTER_ATTRS}_{workspace.id}_{name}"
                chosen = st.multiselect(literal(name), options, key=key, placeholder=anyone)
                if chosen:
                    attributes[name] = list(chosen)
    filters = Filters(date_from=date_from, date_to=date_to, attributes=attributes, channels=chosen_channels)
    active = describe_filters(filters, lo, hi)
    if active:
        st.caption(t("sidebar.active_filters", filters=active))
    return filters


def _as_dates(lo: date | datetime | None, hi: date | datetime | None) -> tuple[date | None, date | None]:
    return (lo.date() if isinstance(lo, datetime) else lo), (hi.date() if isinstance(hi, datetime) else hi)


def describe_filters(filters: Filters, lo: date | datetime | None = None, hi: date | datetime | None = None) -> str:
    """A one-line description of the filters that narrow the data (empty when none do), in the current language."""
    lo, hi = _as_dates(lo, hi)
    parts = []
    if (filters.date_from and filters.date_from != lo) or (filters.date_to and filters.date_to != hi):
        start = fmt_date(filters.date_from) if filters.date_from else "…"
        end = fmt_date(filters.date_to) if filters.date_to else "…"
        parts.append(t("sidebar.date_span", start=start, end=end))
    for name, vals in filters.attributes.items():
        parts.append(t("sidebar.attribute_in", name=literal(name), values=literal(", ".join(vals))))  # Markdown-safe
    if filters.channels:
        parts.append(t("sidebar.channel_in", values=literal(", ".join(filters.channels))))
    return t("sidebar.separator").join(parts)


def page_context() -> PageContext:
    """Draw the shared sidebar for this page and return what the page needs (call once, first, in every page)."""
    from cxdash.ui.auth import require_login
    from cxdash.ui.boot import ensure_app
    from cxdash.ui.resources import get_engine

    ensure_app()
    require_login()  # every page is gated: a login screen (and st.stop) until someone is signed in
    return sidebar(get_engine())
