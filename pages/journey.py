"""Journey maps: build a map with the team (stages, steps, emotions, pain points, opportunities), set it beside the
data (score, sentiment, NPS, impact per touchpoint), present it, and export it."""

from __future__ import annotations

import streamlit as st

from cxdash import journeys_io
from cxdash.errors import CxdashError
from cxdash.i18n import t
from cxdash.store import journeys as store
from cxdash.ui import actions as actions_ui
from cxdash.ui import journey as ui
from cxdash.ui.errors import show_error
from cxdash.ui.sidebar import page_context
from cxdash.viz.journey_chart import journey_chart, journey_image, only_stage
from cxdash.viz.journey_network import journey_network

ctx = page_context()
presenting = bool(st.session_state.get(ui.PRESENT, False))
if not presenting:
    st.title(t("journey.title"))
    st.caption(t("journey.caption"))
if ctx.workspace is None:
    st.info(t("journey.empty_store"))
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
    st.toggle(t("journey.present"), key=ui.PRESENT, help=t("journey.present_help"))

if not presenting:
    ui.new_map_form(ctx.engine, ws, expanded=journey_id is None)
if journey_id is None:
    st.info(t("journey.no_map"))
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
    with ui.map_box():  # the whole map, large, may be wider than the screen
        st.altair_chart(journey_chart(shown, evidence, large=True), width="content", key="journey_present_chart")
    st.stop()

# --- the map --------------------------------------------------------------------------------------------------------
persona = ui.inert_md(content["persona"]) if content["persona"] else t("journey.shared_persona")
st.markdown(t("journey.persona_line", persona=persona) + f"  \n{ui.inert_md(content['description'])}")
ui.map_settings(ctx.engine, content)

tab_map, tab_edit, tab_network, tab_data = st.tabs(
    [t("journey.tab.map"), t("journey.tab.edit"), t("journey.tab.network"), t("journey.tab.data")]
)

with tab_map:
    if not any(s["steps"] for s in content["stages"]):
        st.info(t("journey.no_steps"))
    else:
        chart = journey_chart(content, evidence)
        with ui.map_box():  # a map wider than the page scrolls in its box, not the page
            st.altair_chart(chart, width="content", key="journey_chart")  # its own width: stretching squeezes lanes
        st.caption(t("journey.map_note"))
        slug = "".join(c if c.isalnum() else "_" for c in content["name"])[:60] or "journey"
        d1, d2, d3 = st.columns(3)
        as_json = journeys_io.dumps(journeys_io.export_journey(ctx.engine, journey_id)).encode()
        ui.download(t("journey.download.json"), lambda: as_json, f"{slug}.json", "application/json", d1)
        ui.download(t("journey.download.png"), lambda: journey_image(chart, "png"), f"{slug}.png", "image/png", d2)
        ui.download(t("journey.download.svg"), lambda: journey_image(chart, "svg"), f"{slug}.svg", "image/svg+xml", d3)

with tab_edit:
    st.subheader(t("journey.stages"))
    ui.stage_editor(ctx.engine, content)
    st.subheader(t("journey.steps"))
    st.caption(t("journey.steps_help"))
    touchpoints = store.touchpoint_ids(ctx.engine, ws)
    for stage in content["stages"]:
        st.markdown(f"**{ui.inert_md(stage['name'])}**")
        ui.step_editor(ctx.engine, content, stage, touchpoints)

with tab_network:
    st.caption(t("journey.network_note"))
    st.iframe(journey_network(content, evidence, height=520), height=600)

with tab_data:
    ui.data_cards(ctx.engine, ws, content, evidence, ctx.filters)

# --- pain points → improvement actions (shown on the Actions page too) ---------------------------------------------
actions_ui.pain_points_section(ctx.engine, ws, content)
