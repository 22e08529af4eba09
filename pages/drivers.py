"""Drivers ("moments of truth"): which touchpoints move loyalty, how each is doing, what customers say about it."""

from __future__ import annotations

import streamlit as st

from cxdash.errors import CxdashError
from cxdash.export import chart_png, chart_svg, to_safe_csv
from cxdash.ui import data
from cxdash.ui import drivers as ui
from cxdash.ui.charts import show_chart
from cxdash.ui.errors import show_error, user_errors
from cxdash.ui.sidebar import page_context
from cxdash.viz.drivers_chart import METHOD_NAMES, driver_table, drivers_chart, methods_table, touchpoint_trend_chart

ctx = page_context()
st.title("Moments of truth")
st.caption("Which touchpoints drive loyalty, how well each one does today, and what customers say about them.")

if ctx.workspace is None:
    st.info("The store is empty. Open **Import** to load a survey export, or run `python -m cxdash demo`.")
    st.page_link("pages/import_data.py", label="Go to Import", icon="📥")
    st.stop()
ws = ctx.workspace.id
assert ws is not None
scales = ui.scales(ctx.engine, ws)
if not scales:
    st.info("This workspace has no touchpoint ratings, so there is nothing to relate to loyalty.")
    st.stop()

settings = ui.controls(ctx.engine, ws, list(scales), ui.frame(ctx.engine, ws, ctx.filters))
try:
    result = ui.analysis(ctx.engine, ws, ctx.filters, settings)
except CxdashError as error:
    show_error(error)
    st.stop()
report = result.to_dict()
label = ui.outcome_label(settings.outcome)
focus = st.session_state.get(ui.FOCUS_KEY)
chart = drivers_chart(report, selected=focus, outcome_label=label)

show_chart(chart, height=640, key=ui.CHART_KEY, on_select=ui.sync_focus_from_chart, selection_mode=["pick"])
with st.container():
    st.subheader("Ranked by impact")
    table = driver_table(report)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "rank": st.column_config.NumberColumn("#", width="small"),
            "touchpoint": "Touchpoint",
            "quadrant": "Quadrant",
            "importance": st.column_config.NumberColumn("Impact", format="%.3f"),
            "importance_lo": st.column_config.NumberColumn("95% low", format="%.3f"),
            "importance_hi": st.column_config.NumberColumn("95% high", format="%.3f"),
            "share": st.column_config.NumberColumn("Share", format="percent"),
            "score": st.column_config.NumberColumn("Score", format="%.2f"),
            "score_lo": st.column_config.NumberColumn("Score low", format="%.2f"),
            "score_hi": st.column_config.NumberColumn("Score high", format="%.2f"),
            "n": st.column_config.NumberColumn("n"),
            "p_fix_first": st.column_config.NumberColumn("P(fix first)", format="percent"),
        },
    )
    d1, d2, d3 = st.columns(3)
    d1.download_button("Table (CSV)", to_safe_csv(table), "drivers.csv", "text/csv", on_click="ignore")
    d2.download_button("Chart (PNG)", lambda: chart_png(chart), "drivers.png", "image/png", on_click="ignore")
    d3.download_button("Chart (SVG)", lambda: chart_svg(chart), "drivers.svg", "image/svg+xml", on_click="ignore")

thr = report["thresholds"]
r2 = f"{report['r2']:.3f}" if report["r2"] is not None else "n/a"
resamples = (
    f"{settings.bootstrap:,} bootstrap resamples (seed {settings.seed})" if settings.bootstrap else "no bootstrap"
)
st.markdown(
    f"**Method:** {METHOD_NAMES[report['method']]} · **outcome:** {label} · **n = {report['n']:,}** · "
    f"**R² = {r2}** · {resamples}"
)
st.caption(f"Missing answers: {report['missing']}.")
imp_t = f"{thr['impact']:.3f}" if thr["impact"] is not None else "n/a"
score_t = f"{thr['score']:.2f}" if thr["score"] is not None else "n/a"
st.caption(
    f"Quadrants split at impact {imp_t} and score {score_t} (rule: {thr['rule']}). 'Fix first' = high impact, low "
    "score; P(fix first) = share of resamples in which the touchpoint lands there."
)
for warning in report["warnings"]:
    st.warning(warning, icon="⚠️")

st.divider()
st.subheader("Touchpoint in focus")
focus = ui.focus_picker(report)
trend, comments, total, themes = ui.focus_data(ctx.engine, ws, ctx.filters, focus)
f1, f2 = st.columns([3, 2])
with f1:
    if trend.empty:
        st.caption("No dated ratings of this touchpoint.")
    else:
        show_chart(touchpoint_trend_chart(trend, focus, scales.get(focus)))
    st.markdown("**What customers say**")
    ui.show_verbatims(comments, total)
with f2:
    st.markdown("**Themes in those comments**")
    if themes.empty:
        st.caption("No tagged themes.")
    else:
        st.dataframe(
            themes,
            hide_index=True,
            width="stretch",
            column_config={
                "theme": "Theme",
                "volume": "Comments",
                "share": st.column_config.NumberColumn("Share", format="percent"),
                "negative_share": st.column_config.NumberColumn("Negative", format="percent"),
            },
        )

st.divider()
st.subheader("What if?")
w1, w2, w3 = st.columns([2, 2, 1])
driver = w1.selectbox(
    "Touchpoint",
    list(result.data.names),
    key="drivers_whatif_tp",
    index=list(result.data.names).index(focus) if focus in result.data.names else 0,
)
kind = w2.radio(
    "Improvement", ["Score +Δ points", "Bottom-box share halved"], key="drivers_whatif_kind", horizontal=True
)
delta = w3.number_input(
    "Δ points",
    value=0.5,
    min_value=0.1,
    max_value=10.0,
    step=0.1,
    key="drivers_whatif_delta",
    disabled=kind != "Score +Δ points",
)
with user_errors():
    halve = kind != "Score +Δ points"
    estimate = ui.what_if_estimate(
        ctx.engine, ws, ctx.filters, settings, result, driver, None if halve else float(delta), halve
    )
    st.info(estimate["estimate"], icon="🧮")

st.divider()
st.subheader("Do the methods agree?")
with user_errors():
    comparison = ui.methods(ctx.engine, ws, ctx.filters, settings)
    listed = list(METHOD_NAMES)
    st.dataframe(
        methods_table(comparison, listed),
        width="stretch",
        column_config={c: st.column_config.NumberColumn(format="%.3f") for c in METHOD_NAMES.values()},
    )
    w = comparison.attrs.get("kendall_w")
    st.caption(
        f"Rank agreement across methods (Kendall's W, 1 = identical rankings): {w:.2f}. Pairwise Spearman "
        "correlation of the rankings below."
    )
    agreement = comparison.attrs["rank_agreement"].rename(index=METHOD_NAMES, columns=METHOD_NAMES)
    st.dataframe(agreement.style.format("{:.2f}"), width="stretch")

st.divider()
st.subheader("Compare two segments")
attributes = {k: v for k, v in data.attribute_values(ctx.engine, ws).items() if len(v) >= 2}
if not attributes:
    st.caption("This workspace has no segment attribute with two or more values.")
else:
    g1, g2, g3 = st.columns(3)
    attribute = g1.selectbox("Segment attribute", list(attributes), key="drivers_group_attr")
    values = attributes[attribute]
    a = g2.selectbox("Group A", values, index=0, key=f"drivers_group_a_{attribute}")
    b = g3.selectbox("Group B", values, index=1, key=f"drivers_group_b_{attribute}")
    if a == b:
        st.caption("Choose two different values.")
    elif st.toggle("Compare", key="drivers_group_go", help="Runs the analysis in both groups (takes a moment)."):
        with user_errors():
            diff = ui.groups(ctx.engine, ws, ctx.filters, settings, attribute, a, b)
            st.dataframe(diff.style.format(precision=3), width="stretch")
            st.caption(f"Differences are {a} − {b}, with bootstrap 95% intervals; n per group: {diff.attrs['n']}.")
            st.download_button(
                "Comparison (CSV)", to_safe_csv(diff, index=True), "drivers_groups.csv", "text/csv", on_click="ignore"
            )
