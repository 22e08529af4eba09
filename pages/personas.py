"""Personas: who the customers are, each backed by the data of their segment — and suggested from the data."""

from __future__ import annotations

import streamlit as st

from cxdash.analysis import clusters
from cxdash.errors import CxdashError
from cxdash.store import personas as store
from cxdash.ui import data
from cxdash.ui import personas as ui
from cxdash.ui.errors import show_error
from cxdash.ui.sidebar import page_context

COLUMNS = 2

ctx = page_context()
st.title("Personas")
st.caption(
    "Who your customers are — each persona backed by its segment's size, NPS, drivers and comments. "
    "Every change is saved at once."
)
if ctx.workspace is None:
    st.info("The store is empty. Open **Import** to load a survey export, or run `python -m cxdash demo`.")
    st.stop()
ws = ctx.workspace.id
assert ws is not None
base = ctx.base_filters or ctx.filters  # cards show each persona's own segment, not the sidebar's persona
ui.show_flash()
values = data.attribute_values(ctx.engine, ws)
personas = store.list_personas(ctx.engine, ws)

# --- toolbar: new, export, import ------------------------------------------------------------------------------
t1, t2 = st.columns([1, 3])
t1.button("➕ New persona", on_click=ui.start_edit, args=(ui.NEW,), type="primary", width="stretch")
with t2:
    ui.import_export(ctx.engine, ws, ctx.workspace.name)
if st.session_state.get(ui.EDITING) == ui.NEW:
    with st.container(border=True, key="persona_card_new"):
        ui.persona_form(ctx.engine, ws, None, values)

# --- the cards ----------------------------------------------------------------------------------------------------
if not personas:
    st.info("No personas yet: create one, import a file, or let the data suggest some below.")
for start in range(0, len(personas), COLUMNS):
    row = st.columns(COLUMNS)
    for col, persona in zip(row, personas[start : start + COLUMNS], strict=False):
        with col:
            ui.persona_card(ctx.engine, ws, persona, base, values)
st.caption(
    "Figures use the sidebar's date, channel and segment filters plus each persona's segment. NPS with a 95% "
    "interval; drivers by relative weights on the NPS answer (touchpoints rated by at least half of the segment, "
    "complete cases, no bootstrap); typical comments are the most frequent sentiment's comments closest to its "
    "median score."
)

# --- suggestions from the data ------------------------------------------------------------------------------------
st.divider()
st.subheader("Suggest personas from data")
st.caption(
    "Groups respondents with similar scores, loyalty and attributes (k-means), then describes each group. "
    "Uses the sidebar filters."
)
c1, c2, c3 = st.columns([2, 1, 1])
k_choice = c1.selectbox(
    "Number of groups",
    ["auto", 2, 3, 4, 5, 6],
    key="personas_k",
    format_func=lambda k: "Best of 2–6 (silhouette)" if k == "auto" else str(k),
)
seed = int(c2.number_input("Seed", min_value=0, value=0, step=1, key="personas_seed"))
k = None if k_choice == "auto" else int(k_choice)
if c3.button("🔎 Find groups", width="stretch", key="personas_find"):
    st.session_state[ui.CLUSTER_RUN] = (k, seed)
run = st.session_state.get(ui.CLUSTER_RUN)
if run is not None:
    try:
        result = ui.clustering(ctx.engine, ws, base, *run)
    except CxdashError as error:
        show_error(error)
        st.stop()
    sil = ", ".join(f"k={j}: {s:.3f}" for j, s in result.silhouettes.items())
    how = "chosen by the best mean silhouette" if run[0] is None else "as asked"
    st.markdown(f"**{result.k} groups** of {result.n:,} respondents ({how}; silhouette {sil}; seed {result.seed}).")
    st.caption(ui.plain(result.design.method_text()))
    table = clusters.profile_table(result)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "cluster": "#",
            "label": "Group",
            "size": "Respondents",
            "share": st.column_config.NumberColumn("Share", format="percent"),
            "nps": st.column_config.NumberColumn("NPS", format="%+.0f"),
            "nps_lo": st.column_config.NumberColumn("NPS 95% low", format="%+.0f"),
            "nps_hi": st.column_config.NumberColumn("NPS 95% high", format="%+.0f"),
        },
    )
    for c in result.clusters:
        with st.expander(f"Group {c.number}: {c.label}", expanded=False):
            ui.cluster_profile(c)
            rule = clusters.segment_rule(c)
            if rule:
                st.markdown(f"**Segment rule of the draft:** {ui.plain(store.describe_segment(rule))}")
            else:
                st.caption(
                    "No attribute value sets this group apart: its persona's segment would be everyone, so its card "
                    "would show everyone's figures (the group itself is defined by its scores)."
                )
            st.button(
                "➕ Make this a persona",
                key=f"personas_from_cluster_{c.number}",
                on_click=ui.create_from_cluster,
                args=(ctx.engine, ws, c),
            )
