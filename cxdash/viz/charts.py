"""Altair charts of the Overview: KPI trend with its interval band, touchpoint scores, segment comparison.

Titles, axis titles, legends and tooltips are in the current interface language (``cxdash.i18n``).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from cxdash.i18n import t
from cxdash.roles import format_scale

CES_SCALE = (1, 7)  # CES's scale when a workspace's answers say nothing else (cxdash.store.queries.CES_MIN, CES_MAX)
METRIC_DOMAINS = {"nps": (-100, 100), "csat": (0, 100), "ces": CES_SCALE}
LOW_N_COLOR = "#adb5bd"
MAIN_COLOR = "#3b5bdb"
#: room for a touchpoint or segment name on a y axis before it is cut with … (Streamlit's theme allows less)
LABEL_LIMIT = 220


def metric_title(metric: str, ces_scale: tuple[int, int] = CES_SCALE) -> str:
    """The axis title of a KPI: 'NPS', 'CSAT (% top-2 box)', 'CES (mean, 1–5)' (or the code itself)."""
    titles = {
        "nps": t("charts.metric_nps"),
        "csat": t("charts.metric_csat"),
        "ces": t("charts.metric_ces", scale=format_scale(ces_scale)),
    }
    return titles.get(metric, metric)


def metric_domain(metric: str, ces_scale: tuple[int, int] = CES_SCALE) -> tuple[int, int] | None:
    """The values a KPI can take: NPS −100 to 100, CSAT 0 to 100 %, CES its scale."""
    return ces_scale if metric == "ces" else METRIC_DOMAINS.get(metric)


def sample_labels(min_n: int) -> tuple[str, str]:
    """Legend entries of points with enough answers and of those with fewer than ``min_n``."""
    return t("charts.n_at_least", n=min_n), t("charts.n_below", n=min_n)


def period_formats(period: str) -> tuple[str, str]:
    """The time format of an axis of ``period``s (month, week, quarter) and of its tooltip, in the current language:
    weeks by their day (months repeated on a weekly axis do not tell the weeks apart), quarters as Q1–Q4."""
    kind = period if period in ("week", "quarter") else "month"
    return t(f"charts.axis_{kind}"), t(f"charts.tooltip_{kind}")


def period_axis(period: str) -> alt.Axis:
    """The time axis of ``period``s: their format (see period_formats); on a weekly axis, the first tick of a year
    also names the year (days alone would not say which January)."""
    axis_format, _ = period_formats(period)
    if period != "week":
        return alt.Axis(format=axis_format, labelAngle=0)
    with_year = t("charts.axis_week_new_year")
    first_week = "month(datum.value) == 0 && date(datum.value) <= 7"
    expr = f"timeFormat(datum.value, {first_week} ? '{with_year}' : '{axis_format}')"
    return alt.Axis(format=axis_format, labelExpr=expr, labelAngle=0)


def kpi_trend_chart(
    trend: pd.DataFrame, metric: str, min_n: int = 30, ces_scale: tuple[int, int] = CES_SCALE, period: str = "month"
) -> alt.Chart:
    """Line of a KPI per period (month, week or quarter) with its 95% interval as a band, kept within the metric's
    range; periods under ``min_n`` drawn grey (CES on ``ces_scale``, the scale of the trend's CES)."""
    data = trend[trend["metric"] == metric].copy()
    bounds = metric_domain(metric, ces_scale)
    if bounds is not None:
        data[["lo", "hi"]] = data[["lo", "hi"]].clip(*bounds)
    data["low_n"] = data["n"] < min_n
    enough, few = sample_labels(min_n)
    data["sample"] = data["low_n"].map({True: few, False: enough})
    title = metric_title(metric, ces_scale)
    _, tooltip_format = period_formats(period)
    x = alt.X("period:T", title=None, axis=period_axis(period))
    y_scale = alt.Scale(zero=False, nice=True)
    tooltip = [
        alt.Tooltip("period:T", title=t("charts.period"), format=tooltip_format),
        alt.Tooltip("value:Q", title=title, format=".1f"),
        alt.Tooltip("lo:Q", title=t("charts.ci_low"), format=".1f"),
        alt.Tooltip("hi:Q", title=t("charts.ci_high"), format=".1f"),
        alt.Tooltip("n:Q", title=t("charts.n")),
    ]
    base = alt.Chart(data)
    band = base.mark_area(opacity=0.18, color=MAIN_COLOR).encode(x=x, y=alt.Y("lo:Q", scale=y_scale), y2="hi:Q")
    line = base.mark_line(color=MAIN_COLOR, strokeWidth=2.5).encode(x=x, y=alt.Y("value:Q", title=title, scale=y_scale))
    points = base.mark_point(filled=True, size=60).encode(
        x=x,
        y="value:Q",
        color=alt.Color(
            "sample:N",
            scale=alt.Scale(domain=[enough, few], range=[MAIN_COLOR, LOW_N_COLOR]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        tooltip=tooltip,
    )
    return (band + line + points).properties(height=260, title=t("charts.trend_title", metric=title))


def touchpoint_chart(scores: pd.DataFrame, min_n: int = 30) -> alt.Chart:
    """Mean score per touchpoint (as % of its scale, so different scales compare) with 95% error bars."""
    data = scores.copy()
    span = (data["scale_max"] - data["scale_min"]).where(lambda s: s > 0, 1)
    for col in ("mean", "lo", "hi"):
        # an interval cannot leave the scale: clamp it so that small samples draw inside the chart
        data[f"{col}_pct"] = ((data[col] - data["scale_min"]) / span * 100).clip(0, 100)
    data["low_n"] = data["n"] < min_n
    data["label"] = data["touchpoint"]
    order = data.sort_values("mean_pct")["label"].tolist()
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT))
    base = alt.Chart(data)
    bars = base.mark_bar(color=MAIN_COLOR, opacity=0.85).encode(
        y=y,
        x=alt.X("mean_pct:Q", title=t("charts.mean_pct_of_scale"), scale=alt.Scale(domain=[0, 100])),
        opacity=alt.condition("datum.low_n", alt.value(0.35), alt.value(0.9)),
        tooltip=[
            alt.Tooltip("touchpoint:N", title=t("charts.touchpoint")),
            alt.Tooltip("stage:N", title=t("charts.stage")),
            alt.Tooltip("mean:Q", title=t("charts.mean"), format=".2f"),
            alt.Tooltip("lo:Q", title=t("charts.ci_low"), format=".2f"),
            alt.Tooltip("hi:Q", title=t("charts.ci_high"), format=".2f"),
            alt.Tooltip("top2:Q", title=t("charts.top2_pct"), format=".1f"),
            alt.Tooltip("n:Q", title=t("charts.n")),
        ],
    )
    errors = base.mark_rule(color="#212529").encode(y=y, x="lo_pct:Q", x2="hi_pct:Q")
    height = max(160, 28 * len(data))
    return (bars + errors).properties(height=height, title=t("charts.touchpoints_title"))


def segment_chart(
    table: pd.DataFrame, attribute: str, metric: str = "nps", min_n: int = 30, ces_scale: tuple[int, int] = CES_SCALE
) -> alt.Chart:
    """A KPI per segment value with its interval (CES on ``ces_scale``); segments under ``min_n`` are drawn pale and
    flagged."""
    value, lo, hi = f"{metric}", f"{metric}_lo", f"{metric}_hi"
    data = table.rename(columns={"value": "segment"}).copy()
    data["low_n"] = data[f"{metric}_n"] < min_n
    bounds = metric_domain(metric, ces_scale)
    if bounds is not None:
        data[[value, lo, hi]] = data[[value, lo, hi]].clip(*bounds)
    title = metric_title(metric, ces_scale)
    # CES on its whole scale: an axis from 0 would start below a scale's first point
    x_scale = alt.Scale(domain=list(ces_scale)) if metric == "ces" else alt.Undefined
    y = alt.Y("segment:N", title=attribute, sort=None, axis=alt.Axis(labelLimit=LABEL_LIMIT))
    base = alt.Chart(data)
    points = base.mark_point(filled=True, size=90, color=MAIN_COLOR).encode(
        y=y,
        x=alt.X(f"{value}:Q", title=title, scale=x_scale),
        opacity=alt.condition("datum.low_n", alt.value(0.35), alt.value(1.0)),
        tooltip=[
            alt.Tooltip("segment:N", title=attribute),
            alt.Tooltip(f"{value}:Q", title=title, format=".1f"),
            alt.Tooltip(f"{lo}:Q", title=t("charts.ci_low"), format=".1f"),
            alt.Tooltip(f"{hi}:Q", title=t("charts.ci_high"), format=".1f"),
            alt.Tooltip(f"{metric}_n:Q", title=t("charts.n")),
        ],
    )
    rules = base.mark_rule(color=MAIN_COLOR).encode(y=y, x=alt.X(f"{lo}:Q", scale=x_scale), x2=f"{hi}:Q")
    return (rules + points).properties(
        height=max(120, 34 * len(data)), title=t("charts.segment_title", metric=title, attribute=attribute)
    )
