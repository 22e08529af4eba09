"""Charts and tables of the drivers page: the impact × score matrix, a touchpoint's trend, the ranked table.

Pure builders: a ``drivers_report`` dict (or a frame) in, an ``alt.Chart`` or DataFrame out; tests read
``chart.to_dict()``. The matrix carries a point selection named ``PICK`` on the touchpoint name for click-through.
Text is in the current interface language; in the matrix's data, ``quadrant`` holds the quadrant's display name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from cxdash.i18n import t

PICK = "pick"
QUADRANT_COLORS = {
    "Fix first": "#e03131",
    "Keep strong": "#2f9e44",
    "Monitor": "#1c7ed6",
    "Low priority": "#868e96",
}
METHODS = ("lmg", "rw", "beta", "pearson", "spearman")


def method_names() -> dict[str, str]:
    """Method code → its name in the current language, in the order the page lists them."""
    return {
        "lmg": t("charts.method_lmg"),
        "rw": t("charts.method_rw"),
        "beta": t("charts.method_beta"),
        "pearson": t("charts.method_pearson"),
        "spearman": t("charts.method_spearman"),
    }


def method_title(method: str) -> str:
    """The impact axis title of a method."""
    titles = {
        "lmg": t("charts.impact_lmg"),
        "rw": t("charts.impact_rw"),
        "beta": t("charts.impact_beta"),
        "pearson": t("charts.impact_pearson"),
        "spearman": t("charts.impact_spearman"),
    }
    return titles.get(method, t("charts.impact"))


def quadrant_name(quadrant: str) -> str:
    """A quadrant ('Fix first', 'Keep strong', 'Monitor', 'Low priority' in the analysis) in the current language."""
    names = {
        "Fix first": t("charts.quadrant_fix_first"),
        "Keep strong": t("charts.quadrant_keep_strong"),
        "Monitor": t("charts.quadrant_monitor"),
        "Low priority": t("charts.quadrant_low_priority"),
    }
    return names.get(quadrant, quadrant)


TABLE_COLUMNS = [
    "rank",
    "touchpoint",
    "quadrant",
    "importance",
    "importance_lo",
    "importance_hi",
    "share",
    "score",
    "score_lo",
    "score_hi",
    "n",
    "p_fix_first",
]


def driver_table(report: Mapping[str, Any]) -> pd.DataFrame:
    """One row per driver, ranked by impact (1 = strongest), with intervals, quadrant and P(fix first)."""
    rows = [
        {
            "touchpoint": d["name"],
            "quadrant": d["quadrant"],
            "importance": d["importance"],
            "importance_lo": d["ci95"][0],
            "importance_hi": d["ci95"][1],
            "share": d["share"],
            "score": d["score"],
            "score_lo": d["score_ci95"][0],
            "score_hi": d["score_ci95"][1],
            "n": d["n"],
            "p_fix_first": d["p_fix_first"],
        }
        for d in report["drivers"]
    ]
    frame = pd.DataFrame(rows, columns=TABLE_COLUMNS[1:])
    num = [c for c in TABLE_COLUMNS[3:] if c != "n"]
    frame[num] = frame[num].astype("float64")
    frame = frame.sort_values("importance", ascending=False, key=np.abs, kind="stable", ignore_index=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame


def _extent(
    values: pd.Series, extra: float | None, pad: float = 0.08, pad_hi: float | None = None
) -> tuple[float, float]:
    """Axis domain covering the values (and a threshold), padded on both sides."""
    vals = [float(v) for v in values if v is not None and np.isfinite(v)]
    if extra is not None and np.isfinite(extra):
        vals.append(float(extra))
    lo, hi = (min(vals), max(vals)) if vals else (0.0, 1.0)
    span = (hi - lo) or max(abs(hi), 1.0)
    return lo - pad * span, hi + (pad if pad_hi is None else pad_hi) * span


def _label_positions(data: pd.DataFrame, xr: tuple[float, float], yr: tuple[float, float]) -> list[float]:
    """Label heights (data units) nudged up or down so that names of nearby points do not print over each other."""
    w, h = xr[1] - xr[0], yr[1] - yr[0]
    placed: list[tuple[float, float]] = []
    out = []
    for x, y in zip(data["score"], data["importance"], strict=True):
        if not (np.isfinite(x) and np.isfinite(y)):
            out.append(y)
            continue
        for step in (0.03, -0.03, 0.075, -0.075, 0.12, -0.12, 0.0):
            ly = min(max(y + step * h, yr[0] + 0.02 * h), yr[1] - 0.02 * h)
            if all(abs(x - px) > 0.16 * w or abs(ly - py) > 0.04 * h for px, py in placed):
                break
        placed.append((x, ly))
        out.append(ly)
    return out


def drivers_chart(
    report: Mapping[str, Any], height: int = 460, selected: str | None = None, outcome_label: str | None = None
) -> alt.LayerChart:
    """Impact (y) vs. current score (x) per driver with bootstrap 95% error bars on both axes, quadrant lines and
    shaded, labelled quadrants; point size = n answering; tooltips carry every figure; a click selects a driver."""
    table = driver_table(report)
    data = table.rename(columns={"touchpoint": "name"})
    t_imp = report["thresholds"].get("impact")
    t_score = report["thresholds"].get("score")
    t_imp = float(np.nanmean(data["importance"])) if t_imp is None else float(t_imp)
    t_score = float(np.nanmean(data["score"])) if t_score is None else float(t_score)
    x_lo, x_hi = _extent(pd.concat([data["score"], data["score_lo"], data["score_hi"]]), t_score, pad_hi=0.2)
    y_vals = pd.concat([data["importance"], data["importance_lo"], data["importance_hi"]])
    y_lo, y_hi = _extent(y_vals, t_imp)
    if (y_vals.dropna() >= 0).all():
        y_lo = max(y_lo, 0.0)  # importance shares cannot go below zero: start the axis there
    x_scale = alt.Scale(domain=[x_lo, x_hi], nice=False, zero=False)
    y_scale = alt.Scale(domain=[y_lo, y_hi], nice=False, zero=False)
    x_title = t("charts.current_score")
    y_title = t("charts.impact_axis", impact=method_title(str(report.get("method"))))

    # quadrant names sit in the outer corners of the upper quadrants and just under the impact line in the lower
    # ones (low-impact points crowd the bottom of the chart)
    quads = pd.DataFrame(
        [
            {
                "quadrant": "Fix first",
                "x": x_lo,
                "x2": t_score,
                "y": t_imp,
                "y2": y_hi,
                "tx": x_lo,
                "ty": y_hi,
                "al": "left",
            },
            {
                "quadrant": "Keep strong",
                "x": t_score,
                "x2": x_hi,
                "y": t_imp,
                "y2": y_hi,
                "tx": x_hi,
                "ty": y_hi,
                "al": "right",
            },
            {
                "quadrant": "Monitor",
                "x": t_score,
                "x2": x_hi,
                "y": y_lo,
                "y2": t_imp,
                "tx": x_hi,
                "ty": t_imp,
                "al": "right",
            },
            {
                "quadrant": "Low priority",
                "x": x_lo,
                "x2": t_score,
                "y": y_lo,
                "y2": t_imp,
                "tx": x_lo,
                "ty": t_imp,
                "al": "left",
            },
        ]
    )
    quads["top"] = quads["quadrant"].isin(["Fix first", "Keep strong"])
    quads["quadrant"] = [quadrant_name(q) for q in quads["quadrant"]]
    data["quadrant"] = [quadrant_name(q) for q in data["quadrant"]]
    colors = alt.Scale(domain=[quadrant_name(q) for q in QUADRANT_COLORS], range=list(QUADRANT_COLORS.values()))
    shade = (
        alt.Chart(quads)
        .mark_rect(opacity=0.07)
        .encode(
            x=alt.X("x:Q", scale=x_scale, title=x_title),
            x2="x2:Q",
            y=alt.Y("y:Q", scale=y_scale, title=y_title),
            y2="y2:Q",
            color=alt.Color("quadrant:N", scale=colors, legend=None),
        )
    )
    labels = []
    for align in ("left", "right"):
        for top in (True, False):
            part = quads[(quads["al"] == align) & (quads["top"] == top)]
            labels.append(
                alt.Chart(part)
                .mark_text(
                    align=align,
                    baseline="top",
                    dx=8 if align == "left" else -8,
                    dy=8,
                    fontSize=13,
                    fontWeight="bold",
                    opacity=0.75,
                )
                .encode(
                    x=alt.X("tx:Q", scale=x_scale),
                    y=alt.Y("ty:Q", scale=y_scale),
                    text="quadrant:N",
                    color=alt.Color("quadrant:N", scale=colors, legend=None),
                )
            )
    lines = pd.DataFrame({"score": [t_score], "impact": [t_imp]})
    v_rule = alt.Chart(lines).mark_rule(strokeDash=[5, 4], color="#495057").encode(x=alt.X("score:Q", scale=x_scale))
    h_rule = alt.Chart(lines).mark_rule(strokeDash=[5, 4], color="#495057").encode(y=alt.Y("impact:Q", scale=y_scale))

    ebars = data.dropna(subset=["importance_lo", "importance_hi"])
    sbars = data.dropna(subset=["score_lo", "score_hi"])
    y_err = (
        alt.Chart(ebars)
        .mark_rule(color="#343a40", opacity=0.6)
        .encode(x=alt.X("score:Q", scale=x_scale), y=alt.Y("importance_lo:Q", scale=y_scale), y2="importance_hi:Q")
    )
    x_err = (
        alt.Chart(sbars)
        .mark_rule(color="#343a40", opacity=0.6)
        .encode(y=alt.Y("importance:Q", scale=y_scale), x=alt.X("score_lo:Q", scale=x_scale), x2="score_hi:Q")
    )
    pick = alt.selection_point(name=PICK, fields=["name"], on="click", clear="dblclick")
    highlight = alt.condition(pick, alt.value(0.95), alt.value(0.35))
    tooltip = [
        alt.Tooltip("name:N", title=t("charts.touchpoint")),
        alt.Tooltip("quadrant:N", title=t("charts.quadrant")),
        alt.Tooltip("importance:Q", title=t("charts.impact"), format=".3f"),
        alt.Tooltip("importance_lo:Q", title=t("charts.impact_low"), format=".3f"),
        alt.Tooltip("importance_hi:Q", title=t("charts.impact_high"), format=".3f"),
        alt.Tooltip("share:Q", title=t("charts.share_of_impact"), format=".1%"),
        alt.Tooltip("score:Q", title=t("charts.score"), format=".2f"),
        alt.Tooltip("score_lo:Q", title=t("charts.score_low"), format=".2f"),
        alt.Tooltip("score_hi:Q", title=t("charts.score_high"), format=".2f"),
        alt.Tooltip("n:Q", title=t("charts.n_answering")),
        alt.Tooltip("p_fix_first:Q", title=t("charts.p_fix_first_resamples"), format=".0%"),
        alt.Tooltip("rank:Q", title=t("charts.impact_rank")),
    ]
    points = (
        alt.Chart(data)
        .mark_circle(stroke="white", strokeWidth=1.5)
        .encode(
            x=alt.X("score:Q", scale=x_scale),
            y=alt.Y("importance:Q", scale=y_scale),
            size=alt.Size(
                "n:Q",
                scale=alt.Scale(range=[80, 700]),
                legend=alt.Legend(title=t("charts.n_answering"), orient="bottom"),
            ),
            color=alt.Color("quadrant:N", scale=colors, legend=None),  # each quadrant is named in its corner
            opacity=highlight,
            tooltip=tooltip,
        )
        .add_params(pick)
    )
    data["label_y"] = _label_positions(data, (x_lo, x_hi), (y_lo, y_hi))
    names = (
        alt.Chart(data)
        .mark_text(align="left", baseline="middle", dx=10, fontSize=12, color="#212529")
        .encode(x=alt.X("score:Q", scale=x_scale), y=alt.Y("label_y:Q", scale=y_scale), text="name:N")
    )
    layers: list[alt.Chart] = [shade, *labels, v_rule, h_rule, y_err, x_err, points, names]
    if selected is not None and selected in set(data["name"]):
        ring = (
            alt.Chart(data[data["name"] == selected])
            .mark_point(size=900, color="#212529", strokeWidth=2)
            .encode(x=alt.X("score:Q", scale=x_scale), y=alt.Y("importance:Q", scale=y_scale))
        )
        layers.append(ring)
    outcome = outcome_label or report.get("outcome", "")
    return alt.LayerChart(layer=layers).properties(
        height=height, title=t("charts.matrix_title", outcome=outcome, n=report.get("n"))
    )


def touchpoint_trend_chart(
    trend: pd.DataFrame, touchpoint: str, scale: tuple[float, float] | None = None, min_n: int = 30
) -> alt.LayerChart:
    """Monthly mean rating of a touchpoint with its 95% band; months under ``min_n`` answers drawn pale."""
    data = trend.copy()
    if scale is not None:
        data[["mean", "lo", "hi"]] = data[["mean", "lo", "hi"]].clip(scale[0], scale[1])
    enough, few = t("charts.n_at_least", n=min_n), t("charts.n_below", n=min_n)
    data["sample"] = np.where(data["n"] < min_n, few, enough)
    y_scale = alt.Scale(zero=False, domain=list(scale) if scale else alt.Undefined)
    x = alt.X("period:T", title=None, axis=alt.Axis(format=t("charts.axis_month"), labelAngle=0))
    base = alt.Chart(data)
    band = base.mark_area(opacity=0.18, color="#3b5bdb").encode(x=x, y=alt.Y("lo:Q", scale=y_scale), y2="hi:Q")
    line = base.mark_line(color="#3b5bdb", strokeWidth=2.5).encode(
        x=x, y=alt.Y("mean:Q", title=t("charts.mean_rating"), scale=y_scale)
    )
    dots = base.mark_point(filled=True, size=50).encode(
        x=x,
        y=alt.Y("mean:Q", scale=y_scale),
        color=alt.Color(
            "sample:N",
            scale=alt.Scale(domain=[enough, few], range=["#3b5bdb", "#adb5bd"]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("period:T", title=t("charts.month"), format=t("charts.tooltip_month")),
            alt.Tooltip("mean:Q", title=t("charts.mean"), format=".2f"),
            alt.Tooltip("lo:Q", title=t("charts.low95"), format=".2f"),
            alt.Tooltip("hi:Q", title=t("charts.high95"), format=".2f"),
            alt.Tooltip("n:Q", title=t("charts.n")),
        ],
    )
    return (band + line + dots).properties(height=220, title=t("charts.touchpoint_trend_title", touchpoint=touchpoint))


def methods_table(comparison: pd.DataFrame, methods: list[str]) -> pd.DataFrame:
    """Importance and rank per method side by side (touchpoints ordered by their mean rank)."""
    names = method_names()
    out = pd.DataFrame(index=comparison.index)
    for m in methods:
        value = comparison[m]
        out[names.get(m, m)] = value.where(value.abs() >= 0.0005, 0.0)  # shown to 3 decimals: no "-0.000"
        out[t("charts.rank_of", method=names.get(m, m))] = comparison[f"rank_{m}"].astype(float)
    order = comparison[[f"rank_{m}" for m in methods]].mean(axis=1).sort_values(kind="stable").index
    return out.loc[order].rename_axis(t("charts.touchpoint_index"))
