"""Overview: NPS, CSAT and CES with n and 95% intervals, their trend, touchpoints and segments."""

from __future__ import annotations

import streamlit as st

from cxdash.i18n import t
from cxdash.ui import data
from cxdash.ui.charts import largest_groups, show_chart
from cxdash.ui.errors import show_flash
from cxdash.ui.kpi import ces_scale_choice, kpi_tiles
from cxdash.ui.labels import METRICS, PERIODS, metric_name, period_name, shown_as
from cxdash.ui.scorecard import scorecard_section
from cxdash.ui.sidebar import describe_filters, page_context
from cxdash.ui.text import literal
from cxdash.viz.charts import kpi_trend_chart, segment_chart, touchpoint_chart

ctx = page_context()
show_flash()

if ctx.workspace is None:
    st.title(t("overview.title"))
    st.info(t("common.empty_store"))
    st.page_link("pages/import.py", label=t("common.go_to_import"), icon="📥")
    st.stop()

ws_id = ctx.workspace.id
assert ws_id is not None
st.title(literal(ctx.workspace.name))
active = describe_filters(ctx.filters, *data.date_range(ctx.engine, ws_id))
st.caption(t("overview.filtered", filters=active) if active else t("overview.all_responses"))

kpis = data.kpis(ctx.engine, ws_id, ctx.filters)
ces = data.ces_scale(ctx.engine, ws_id)
kpi_tiles(kpis, ces)
ces_scale_choice(ctx.engine, ws_id, ces)
scorecard_section(ctx.engine, ws_id, ctx.filters)

st.subheader(t("overview.trend"))
period = st.segmented_control(
    t("common.period"), PERIODS, default="month", key="overview_period", format_func=shown_as(period_name, PERIODS)
)
trend = data.kpi_trend(ctx.engine, ws_id, ctx.filters, period=period or "month")
if trend.empty:
    st.info(t("overview.no_dated"))
else:
    answered = set(trend.loc[trend["n"] > 0, "metric"])
    shown = sorted(METRICS, key=lambda m: m not in answered)  # the metrics this workspace has come first
    tabs = st.tabs([metric_name(m) for m in shown])
    for tab, metric in zip(tabs, shown, strict=True):
        with tab:
            if metric in answered:
                show_chart(kpi_trend_chart(trend, metric, ces_scale=ces.scale, period=period or "month"))
            else:
                st.caption(t("overview.no_metric_answers", metric=metric_name(metric)))

left, right = st.columns(2)
with left:
    st.subheader(t("overview.touchpoints"))
    scores = data.touchpoint_scores(ctx.engine, ws_id, ctx.filters)
    if scores.empty:
        st.info(t("overview.no_ratings"))
    else:
        show_chart(touchpoint_chart(scores))
with right:
    st.subheader(t("overview.segments"))
    attributes = list(data.attribute_values(ctx.engine, ws_id))
    if not attributes:
        st.info(t("overview.no_attributes"))
    else:
        attribute = st.selectbox(t("overview.compare_by"), attributes, key="overview_segment")
        first = next((m for m in METRICS if getattr(kpis.get(m), "n", 0)), "nps")  # without NPS: its CSAT
        metric = (
            st.segmented_control(
                t("overview.metric"),
                METRICS,
                default=first,
                key="overview_segment_metric",
                format_func=shown_as(metric_name, METRICS),
            )
            or first
        )
        table = data.kpis_by_attribute(ctx.engine, ws_id, ctx.filters, attribute)
        answering = table[table[f"{metric}_n"] > 0] if not table.empty else table  # segments with that metric
        if table.empty:
            st.info(t("overview.no_responses"))
        elif answering.empty:
            st.caption(t("overview.no_metric_answers", metric=metric_name(metric)))
        else:
            segments = largest_groups(answering, "value", f"{metric}_n")
            show_chart(segment_chart(segments, attribute, metric, ces_scale=ces.scale))
            st.caption(t("overview.segment_note"))
