"""Drivers ("moments of truth"): which touchpoints move loyalty, how each is doing, what customers say about it."""

from __future__ import annotations

import streamlit as st

from cxdash.errors import CxdashError
from cxdash.export import chart_png, chart_svg, to_safe_csv
from cxdash.i18n import fmt_number, t
from cxdash.ui import data
from cxdash.ui import drivers as ui
from cxdash.ui.actions import action_hook
from cxdash.ui.charts import show_chart
from cxdash.ui.errors import show_error, user_errors
from cxdash.ui.labels import percent_points, shown_as
from cxdash.ui.sidebar import page_context
from cxdash.ui.text import literal
from cxdash.viz.drivers_chart import (
    METHODS,
    driver_table,
    drivers_chart,
    method_names,
    methods_table,
    quadrant_name,
    touchpoint_trend_chart,
)

ctx = page_context()
st.title(t("drivers.title"))
st.caption(t("drivers.intro"))

if ctx.workspace is None:
    st.info(t("common.empty_store"))
    st.page_link("pages/import.py", label=t("common.go_to_import"), icon="📥")
    st.stop()
ws = ctx.workspace.id
assert ws is not None
scales = ui.scales(ctx.engine, ws)
if not scales:
    st.info(t("drivers.no_ratings"))
    st.stop()

settings = ui.controls(ctx.engine, ws, list(scales), ui.frame(ctx.engine, ws, ctx.filters))
try:
    result = ui.analysis(ctx.engine, ws, ctx.filters, settings)
except CxdashError as error:
    show_error(error)
    st.stop()
report = result.to_dict()
label = ui.outcome_label(settings.outcome, data.ces_scale(ctx.engine, ws).scale, data.csat_scale(ctx.engine, ws))
focus = st.session_state.get(ui.FOCUS_KEY)
chart = drivers_chart(report, selected=focus, outcome_label=label)

show_chart(chart, key=ui.CHART_KEY, on_select=ui.sync_focus_from_chart, selection_mode=["pick"])
with st.container():
    st.subheader(t("drivers.ranked"))
    table = driver_table(report)
    shown = table.assign(quadrant=[quadrant_name(q) for q in table["quadrant"]])
    columns = {
        "rank": st.column_config.NumberColumn("#", width="small"),
        "touchpoint": st.column_config.TextColumn(t("drivers.col_touchpoint"), width="medium"),  # names in full
        "quadrant": t("drivers.col_quadrant"),
        "importance": st.column_config.NumberColumn(t("drivers.col_impact"), format="%.3f"),
        "importance_lo": st.column_config.NumberColumn(t("drivers.col_low"), format="%.3f"),
        "importance_hi": st.column_config.NumberColumn(t("drivers.col_high"), format="%.3f"),
        "share": st.column_config.NumberColumn(t("drivers.col_share"), format="%.1f%%"),
        "score": st.column_config.NumberColumn(t("drivers.col_score"), format="%.2f"),
        "score_lo": st.column_config.NumberColumn(t("drivers.col_score_low"), format="%.2f"),
        "score_hi": st.column_config.NumberColumn(t("drivers.col_score_high"), format="%.2f"),
        "n": st.column_config.NumberColumn("n", format="localized"),
        "p_fix_first": st.column_config.NumberColumn(t("drivers.col_p_fix_first"), format="%.0f%%"),
    }
    st.dataframe(percent_points(shown, "share", "p_fix_first"), hide_index=True, width="stretch", column_config=columns)
    d1, d2, d3 = st.columns(3)
    d1.download_button(t("drivers.download_table"), to_safe_csv(shown), "drivers.csv", "text/csv", on_click="ignore")
    d2.download_button(
        t("drivers.download_png"), lambda: chart_png(chart), "drivers.png", "image/png", on_click="ignore"
    )
    d3.download_button(
        t("drivers.download_svg"), lambda: chart_svg(chart), "drivers.svg", "image/svg+xml", on_click="ignore"
    )

thr = report["thresholds"]
r2 = f"{report['r2']:.3f}" if report["r2"] is not None else t("drivers.na")
if settings.bootstrap:
    resamples = t("drivers.resamples", n=fmt_number(settings.bootstrap), seed=settings.seed)
else:
    resamples = t("drivers.no_bootstrap")
names = method_names()
st.markdown(
    t("drivers.summary", method=names[report["method"]], outcome=label, n=fmt_number(report["n"]), r2=r2)
    + f" · {resamples}"
)
st.caption(t("drivers.missing_answers", missing=report["missing"]))
imp_t = f"{thr['impact']:.3f}" if thr["impact"] is not None else t("drivers.na")
score_t = f"{thr['score']:.2f}" if thr["score"] is not None else t("drivers.na")
rules = settings.quadrant if isinstance(settings.quadrant, tuple) else (settings.quadrant, settings.quadrant)
rule = " / ".join(dict.fromkeys(ui.rule_label(str(r)) if isinstance(r, str) else f"{r:g}" for r in rules))
st.caption(t("drivers.quadrant_rule", impact=imp_t, score=score_t, rule=rule))
for warning in report["warnings"]:
    st.warning(literal(warning), icon="⚠️")

st.divider()
st.subheader(t("drivers.focus"))
focus = ui.focus_picker(report)
trend, comments, total, themes = ui.focus_data(ctx.engine, ws, ctx.filters, focus)
f1, f2 = st.columns([3, 2])
with f1:
    if trend.empty:
        st.caption(t("drivers.no_dated_ratings"))
    else:
        show_chart(touchpoint_trend_chart(trend, focus, scales.get(focus)))
    st.markdown(t("drivers.what_customers_say"))
    ui.show_verbatims(comments, total)
with f2:
    st.markdown(t("drivers.themes_in_comments"))
    if themes.empty:
        st.caption(t("drivers.no_themes"))
    else:
        st.dataframe(
            percent_points(themes, "share", "negative_share"),
            hide_index=True,
            width="stretch",
            column_config={
                "theme": t("drivers.col_theme"),
                "volume": t("drivers.col_comments"),
                "share": st.column_config.NumberColumn(t("drivers.col_share"), format="%.1f%%"),
                "negative_share": st.column_config.NumberColumn(t("drivers.col_negative"), format="%.0f%%"),
            },
        )
    fix_first = any(d["name"] == focus and d["quadrant"] == "Fix first" for d in report["drivers"])
    action_hook(
        ctx.engine,
        ws,
        [focus],
        "drivers",
        key="drivers_new_action",
        title=t("actions.hook.drivers_title", touchpoint=focus) if fix_first else "",
    )

st.divider()
st.subheader(t("drivers.what_if"))
w1, w2, w3 = st.columns([2, 2, 1])
driver = w1.selectbox(
    t("drivers.col_touchpoint"),
    list(result.data.names),
    key="drivers_whatif_tp",
    index=list(result.data.names).index(focus) if focus in result.data.names else 0,
)
kind = w2.radio(
    t("drivers.improvement"),
    ui.WHAT_IF_KINDS,
    format_func=shown_as(ui.what_if_kind_label, ui.WHAT_IF_KINDS),
    key="drivers_whatif_kind",
    horizontal=True,
)
delta = w3.number_input(
    t("drivers.delta_points"),
    value=0.5,
    min_value=0.1,
    max_value=10.0,
    step=0.1,
    key="drivers_whatif_delta",
    disabled=kind != "delta",
)
with user_errors():
    halve = kind != "delta"
    step = None if halve else float(delta)
    estimate = ui.what_if_estimate(ctx.engine, ws, ctx.filters, settings, result, driver, step, halve)
    st.info(ui.what_if_text(estimate, step, scales.get(driver), label), icon="🧮")

st.divider()
st.subheader(t("drivers.methods_agree"))
with user_errors():
    comparison = ui.methods(ctx.engine, ws, ctx.filters, settings)
    st.dataframe(
        methods_table(comparison, list(METHODS)),
        width="stretch",
        column_config={c: st.column_config.NumberColumn(format="%.3f") for c in names.values()},
    )
    w = comparison.attrs.get("kendall_w")
    st.caption(t("drivers.kendall", w=f"{w:.2f}"))
    agreement = comparison.attrs["rank_agreement"].rename(index=names, columns=names)
    st.dataframe(agreement.style.format("{:.2f}"), width="stretch")

st.divider()
st.subheader(t("drivers.compare_segments"))
attributes = {k: v for k, v in data.attribute_values(ctx.engine, ws).items() if len(v) >= 2}
if not attributes:
    st.caption(t("drivers.no_two_values"))
else:
    g1, g2, g3 = st.columns(3)
    attribute = g1.selectbox(t("drivers.segment_attribute"), list(attributes), key="drivers_group_attr")
    values = attributes[attribute]
    a = g2.selectbox(t("drivers.group_a"), values, index=0, key=f"drivers_group_a_{attribute}")
    b = g3.selectbox(t("drivers.group_b"), values, index=1, key=f"drivers_group_b_{attribute}")
    if a == b:
        st.caption(t("drivers.choose_two"))
    elif st.toggle(t("drivers.compare"), key="drivers_group_go", help=t("drivers.compare_help")):
        with user_errors():
            diff = ui.groups(ctx.engine, ws, ctx.filters, settings, attribute, a, b)
            shown = ui.group_table(diff, a, b)
            st.dataframe(shown.style.format(precision=3), width="stretch")
            sizes = t("drivers.separator").join(f"{k}: {fmt_number(v)}" for k, v in diff.attrs["n"].items())
            st.caption(t("drivers.differences", a=literal(a), b=literal(b), sizes=literal(sizes), min_n=ui.MIN_CASES))
            st.download_button(
                t("drivers.download_comparison"),
                to_safe_csv(shown, index=True),
                "drivers_groups.csv",
                "text/csv",
                on_click="ignore",
            )
