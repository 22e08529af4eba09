"""Overview: NPS, CSAT and CES with n and 95% intervals, their trend, touchpoints and segments."""

from __future__ import annotations

import streamlit as st

from cxdash.ui import data
from cxdash.ui.charts import show_chart
from cxdash.ui.errors import show_flash
from cxdash.ui.kpi import kpi_tiles
from cxdash.ui.sidebar import describe_filters, page_context
from cxdash.viz.charts import kpi_trend_chart, segment_chart, touchpoint_chart

ctx = page_context()
show_flash()

if ctx.workspace is None:
    st.title("Overview")
    st.info("The store is empty. Open **Import** to load a survey export, or run `python -m cxdash demo`.")
    st.page_link("pages/import_data.py", label="Go to Import", icon="📥")
    st.stop()

ws_id = ctx.workspace.id
assert ws_id is not None
st.title(ctx.workspace.name)
active = describe_filters(ctx.filters, *data.date_range(ctx.engine, ws_id))
st.caption(f"Filtered: {active}" if active else "All responses in this workspace.")

kpis = data.kpis(ctx.engine, ws_id, ctx.filters)
kpi_tiles(kpis)

st.subheader("Trend")
period = st.segmented_control(
    "Period", ["month", "quarter", "week"], default="month", key="overview_period", format_func=str.title
)
trend = data.kpi_trend(ctx.engine, ws_id, ctx.filters, period=period or "month")
if trend.empty:
    st.info("No dated responses match the filters.")
else:
    tabs = st.tabs(["NPS", "CSAT", "CES"])
    for tab, metric in zip(tabs, ["nps", "csat", "ces"], strict=True):
        with tab:
            if (trend["metric"] == metric).any():
                show_chart(kpi_trend_chart(trend, metric))
            else:
                st.caption(f"No {metric.upper()} answers in this data.")

left, right = st.columns(2)
with left:
    st.subheader("Touchpoints")
    scores = data.touchpoint_scores(ctx.engine, ws_id, ctx.filters)
    if scores.empty:
        st.info("No touchpoint ratings match the filters.")
    else:
        show_chart(touchpoint_chart(scores))
with right:
    st.subheader("Segments")
    attributes = list(data.attribute_values(ctx.engine, ws_id))
    if not attributes:
        st.info("This workspace has no segment attributes.")
    else:
        attribute = st.selectbox("Compare by", attributes, key="overview_segment")
        metric = st.segmented_control(
            "Metric", ["nps", "csat", "ces"], default="nps", key="overview_segment_metric", format_func=str.upper
        )
        table = data.kpis_by_attribute(ctx.engine, ws_id, ctx.filters, attribute)
        if table.empty:
            st.info("No responses match the filters.")
        else:
            show_chart(segment_chart(table, attribute, metric or "nps"))
            st.caption("Pale points: fewer than 30 answers — read with care. p: test of the segment vs. the rest.")
