"""Journey maps: build a map with the team (stages, steps, emotions, pain points, opportunities), set it beside the
data (score, sentiment, NPS, impact per touchpoint), present it, and export it."""

from __future__ import annotations

import streamlit as st

from cxdash import journeys_io
from cxdash.errors import CxdashError
from cxdash.store import journeys as store
from cxdash.ui import journey as ui
from cxdash.ui.errors import show_error
from cxdash.ui.sidebar import page_context
from cxdash.viz.journey_chart import journey_chart, journey_image, only_stage
from cxdash.viz.journey_network import journey_network

ctx = page_context()
presenting = bool(st.session_state.get(ui.PRESENT, False))
if not presenting:
    st.title("Journey maps")
    st.caption(
        "Map what customers do, think and feel at each stage — and see beside it what the data says about each "
        "touchpoint. Every edit is saved as you make it."
    )
if ctx.workspace is None:
    st.info("The store is empty. Open **Import** to load a survey export, or run `python -m cxdash demo`.")
    st.stop()
ws = ctx.workspace.id
assert ws is not None
ui.show_messages()

top = st.columns([4, 2, 2], vertical_alignment="bottom")
with top[0]:
    journey_id = ui.map_picker(ctx.engine, ws)
with top[1]:
    ui.undo_button(ctx.engine)
with top[2]:
    st.toggle("🎬 Presentation mode", key=ui.PRESENT, help="Hides the sidebar and enlarges the map for a room")

if not presenting:
    ui.new_map_form(ctx.engine, ws, expanded=journey_id is None)
if journey_id is None:
    st.info("This workspace has no journey map yet: create one above, from a template or blank.")
    st.stop()

try:
    content = store.journey_content(ctx.engine, journey_id)
except CxdashError as error:
    show_error(error)
    st.stop()
evidence = ui.evidence(ctx.engine, ws, content, ctx.filters)

# --- presentation mode: the map alone, large, one stage at a time or whole ----------------------------------------
if presenting:
    stage = ui.presentation_controls(len(content["stages"]))
    shown = content if stage is None else only_stage(content, stage)
    st.altair_chart(journey_chart(shown, evidence, large=True), width="content", key="journey_present_chart")
    st.stop()

# --- the map --------------------------------------------------------------------------------------------------------
persona = content["persona"] or "all personas (shared)"
st.markdown(f"**Persona:** {ui.inert_md(persona)}  \n{ui.inert_md(content['description'])}")
ui.map_settings(ctx.engine, content)

tab_map, tab_edit, tab_network, tab_data = st.tabs(["🗺️ Map", "✏️ Edit", "🕸️ Network", "📊 Data per touchpoint"])

with tab_map:
    if not any(s["steps"] for s in content["stages"]):
        st.info("The map has no steps yet: add stages and steps in the **Edit** tab.")
    else:
        chart = journey_chart(content, evidence)
        st.altair_chart(chart, width="content", key="journey_chart")  # its own width: stretching squeezes lanes
        st.caption(
            "Emotion lane: the felt curve is what the team set; the data curves are each linked touchpoint's mean "
            "score and its comments' mean sentiment (band: 95% interval), both on −2…+2. Hollow points and notes "
            "mark steps with too little data (fewer than 30 ratings or comments)."
        )
        slug = "".join(c if c.isalnum() else "_" for c in content["name"])[:60] or "journey"
        d1, d2, d3 = st.columns(3)
        as_json = journeys_io.dumps(journeys_io.export_journey(ctx.engine, journey_id)).encode()
        ui.download("Map (JSON)", lambda: as_json, f"{slug}.json", "application/json", d1)
        ui.download("Map (PNG)", lambda: journey_image(chart, "png"), f"{slug}.png", "image/png", d2)
        ui.download("Map (SVG)", lambda: journey_image(chart, "svg"), f"{slug}.svg", "image/svg+xml", d3)

with tab_edit:
    st.subheader("Stages")
    ui.stage_editor(ctx.engine, content)
    st.subheader("Steps")
    st.caption(
        "Edit cells directly; add a row at the bottom of a table; select rows and press Delete to remove them. "
        "Type a new **#** to reorder, or pick another **Stage** to move a step."
    )
    touchpoints = store.touchpoint_ids(ctx.engine, ws)
    for stage in content["stages"]:
        st.markdown(f"**{ui.inert_md(stage['name'])}**")
        ui.step_editor(ctx.engine, content, stage, touchpoints)

with tab_network:
    st.caption("Touchpoints of the map: size = responses that rated it, colour = mean score; arrows = step order.")
    st.iframe(journey_network(content, evidence, height=520), height=600)

with tab_data:
    ui.data_cards(ctx.engine, ws, evidence, ctx.filters)
