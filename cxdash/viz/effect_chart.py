"""The effect chart of an improvement action: the touchpoint's score per week with its 95% band, the start date
marked, the before and after windows shaded and each window's mean drawn across it."""

from __future__ import annotations

from datetime import datetime

import altair as alt
import pandas as pd

from cxdash.i18n import t
from cxdash.viz.charts import period_axis, period_formats

BEFORE_COLOUR = "#868e96"
AFTER_COLOUR = "#2f9e44"
LINE_COLOUR = "#3b5bdb"
START_COLOUR = "#e8590c"


def effect_chart(
    series: pd.DataFrame,
    start: datetime,
    before_from: datetime,
    after_to: datetime,
    before_mean: float | None,
    after_mean: float | None,
    title: str,
    y_title: str,
    height: int = 320,
) -> alt.LayerChart | alt.FacetChart:
    """``series``: period, n, mean, lo, hi, low_n (from ``cxdash.store.actions.effect_series``)."""
    data = series.dropna(subset=["mean"]).copy()
    data["period"] = pd.to_datetime(data["period"])
    _, tooltip_format = period_formats("week")
    x = alt.X("period:T", title=t("actions.chart.week"), axis=period_axis("week"))
    y_scale = alt.Scale(zero=False)
    band = (
        alt.Chart(data)
        .mark_area(opacity=0.18, color=LINE_COLOUR)
        .encode(x=x, y=alt.Y("lo:Q", scale=y_scale, title=y_title), y2="hi:Q")
    )
    line = (
        alt.Chart(data)
        .mark_line(color=LINE_COLOUR, point=True)
        .encode(
            x=x,
            y=alt.Y("mean:Q", scale=y_scale),
            opacity=alt.condition("datum.low_n", alt.value(0.4), alt.value(1.0)),
            tooltip=[
                alt.Tooltip("period:T", title=t("actions.chart.week"), format=tooltip_format),
                alt.Tooltip("mean:Q", title=y_title, format=".2f"),
                alt.Tooltip("lo:Q", title=t("actions.chart.ci_low"), format=".2f"),
                alt.Tooltip("hi:Q", title=t("actions.chart.ci_high"), format=".2f"),
                alt.Tooltip("n:Q", title="n"),
            ],
        )
    )
    windows = pd.DataFrame(
        [
            {"from": before_from, "to": start, "window": t("actions.effect.before")},
            {"from": start, "to": after_to, "window": t("actions.effect.after")},
        ]
    )
    colour = alt.Color(
        "window:N",
        scale=alt.Scale(
            domain=[t("actions.effect.before"), t("actions.effect.after")], range=[BEFORE_COLOUR, AFTER_COLOUR]
        ),
        legend=alt.Legend(title=t("actions.chart.window"), orient="top"),
    )
    shade = alt.Chart(windows).mark_rect(opacity=0.08).encode(x="from:T", x2="to:T", color=colour)
    means = windows.assign(mean=[before_mean, after_mean]).dropna(subset=["mean"])
    mean_rules = (
        alt.Chart(means)
        .mark_rule(strokeWidth=2.5, strokeDash=[6, 3])
        .encode(
            x="from:T",
            x2="to:T",
            y="mean:Q",
            color=colour,
            tooltip=[
                alt.Tooltip("window:N", title=t("actions.chart.window")),
                alt.Tooltip("mean:Q", title=t("actions.chart.window_mean"), format=".2f"),
            ],
        )
    )
    start_frame = pd.DataFrame([{"start": start, "label": t("actions.chart.start")}])
    start_rule = alt.Chart(start_frame).mark_rule(color=START_COLOUR, strokeWidth=2).encode(x="start:T")
    start_text = (
        alt.Chart(start_frame)
        .mark_text(color=START_COLOUR, align="left", dx=4, dy=-4, baseline="bottom", fontWeight="bold")
        .encode(x="start:T", y=alt.value(12), text="label:N")
    )
    return alt.layer(shade, band, line, mean_rules, start_rule, start_text).properties(title=title, height=height)
