"""Personas: who the customers are, each backed by the data of their segment — and suggested from the data."""

from __future__ import annotations

import streamlit as st

from cxdash.analysis import clusters
from cxdash.errors import CxdashError
from cxdash.i18n import t
from cxdash.store import personas as store
from cxdash.ui import data
from cxdash.ui import personas as ui
from cxdash.ui.auth import can_edit
from cxdash.ui.errors import show_error
from cxdash.ui.sidebar import page_context
from cxdash.ui.text import literal

COLUMNS = 2

ctx = page_context()
st.title(t("personas.title"))
st.caption(t("personas.caption"))
if ctx.workspace is None:
    st.info(t("personas.empty_store"))
    st.stop()
ws = ctx.workspace.id
assert ws is not None
base = ctx.base_filters or ctx.filters  # cards show each persona's own segment, not the sidebar's persona
ui.show_flash()
values = data.attribute_values(ctx.engine, ws)
personas = store.list_personas(ctx.engine, ws)

# --- toolbar: new, export, import ------------------------------------------------------------------------------
t1, t2 = st.columns([1, 3])
t1.button(
    t("personas.new"), on_click=ui.start_edit, args=(ui.NEW,), type="primary", width="stretch", disabled=not can_edit()
)
with t2:
    ui.import_export(ctx.engine, ws, ctx.workspace.name)
if st.session_state.get(ui.EDITING) == ui.NEW:
    with st.container(border=True, key="persona_card_new"):
        ui.persona_form(ctx.engine, ws, None, values)

# --- the cards ----------------------------------------------------------------------------------------------------
if not personas:
    st.info(t("personas.none_yet"))
for start in range(0, len(personas), COLUMNS):
    row = st.columns(COLUMNS)
    for col, persona in zip(row, personas[start : start + COLUMNS], strict=False):
        with col:
            ui.persona_card(ctx.engine, ws, persona, base, values)
st.caption(t("personas.figures_note"))

# --- suggestions from the data ------------------------------------------------------------------------------------
st.divider()
st.subheader(t("personas.suggest.title"))
st.caption(t("personas.suggest.caption"))
c1, c2, c3 = st.columns([2, 1, 1])
k_labels = {"auto": t("personas.suggest.k_auto")} | {k: str(k) for k in range(2, 7)}  # labels fixed at drawing time
k_choice = c1.selectbox(t("personas.suggest.k"), list(k_labels), key="personas_k", format_func=k_labels.__getitem__)
seed = int(c2.number_input(t("personas.suggest.seed"), min_value=0, value=0, step=1, key="personas_seed"))
k = None if k_choice == "auto" else int(k_choice)
if c3.button(t("personas.suggest.find"), width="stretch", key="personas_find"):
    st.session_state[ui.CLUSTER_RUN] = (k, seed)
run = st.session_state.get(ui.CLUSTER_RUN)
if run is not None:
    try:
        result = ui.clustering(ctx.engine, ws, base, *run)
    except CxdashError as error:
        show_error(error)
        st.stop()
    st.markdown(ui.clustering_headline(result, chosen=run[0] is None))
    st.caption(ui.plain(result.design.method_text()))
    ui.cluster_table(clusters.profile_table(result))
    for c in result.clusters:
        with st.expander(t("personas.suggest.group", number=c.number, label=literal(c.label)), expanded=False):
            ui.cluster_profile(c)
            rule = clusters.segment_rule(c)
            if rule:
                st.markdown(t("personas.suggest.rule", rule=ui.plain(store.describe_segment(rule))))
            else:
                st.caption(t("personas.suggest.no_rule"))
            st.button(
                t("personas.suggest.make"),
                key=f"personas_from_cluster_{c.number}",
                on_click=ui.create_from_cluster,
                args=(ctx.engine, ws, c),
                disabled=not can_edit(),
            )
