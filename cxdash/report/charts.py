"""Charts of the stakeholder report: the Overview and drivers charts sized and lettered for a slide or a page,
a journey-map swimlane, and offline rendering to PNG (deck) or SVG (HTML) with vl-convert.

Chart text uses a font list that covers Japanese ("Noto Sans CJK JP" where installed, Yu Gothic or Meiryo on
Windows), so touchpoint and stage names render in either language.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from cxdash.i18n import t
from cxdash.report.content import JourneyView, ReportContent
from cxdash.report.text import truncate, wrap
from cxdash.viz.charts import kpi_trend_chart, touchpoint_chart
from cxdash.viz.drivers_chart import drivers_chart

FONT = '"Noto Sans CJK JP", "Yu Gothic", "Hiragino Sans", Meiryo, sans-serif'
LANES = ("label", "action", "thinking", "pain_points", "opportunities")  # lane titles: report.lane.<field>
STAGE_COLORS = ["#3b5bdb", "#5c7cfa", "#4263eb", "#748ffc", "#364fc7", "#91a7ff"]
EMOTION_COLORS = alt.Scale(domain=[-2, 0, 2], range=["#e03131", "#fab005", "#2f9e44"])
AXIS_EXTENT = 130


def lettered(chart: Any, font_size: int = 14) -> Any:
    """The chart with fonts large enough for a slide or a printed page and a font that covers Japanese."""
    return (
        chart.configure(font=FONT)
        .configure_axis(labelFontSize=font_size, titleFontSize=font_size, labelLimit=260)
        .configure_legend(labelFontSize=font_size, titleFontSize=font_size, labelLimit=260)
        .configure_title(fontSize=font_size + 4, anchor="start", limit=0)
        .configure_view(stroke=None)
    )


def trend_picture(content: ReportContent, metric: str = "nps", width: int = 900, height: int = 230) -> Any | None:
    """The KPI's trend with its interval band (None when no period has data for it)."""
    data = content.trend[(content.trend["metric"] == metric) & content.trend["value"].notna()]
    if data.empty:
        return None
    chart = kpi_trend_chart(content.trend, metric, ces_scale=content.ces.scale)
    return lettered(chart.properties(width=width, height=height))


def touchpoint_picture(content: ReportContent, width: int = 760) -> Any | None:
    """Touchpoint scores as % of scale with intervals (None without touchpoints)."""
    data = content.touchpoints[content.touchpoints["n"] > 0]
    if data.empty:
        return None
    return lettered(touchpoint_chart(data).properties(width=width, height=max(160, 34 * len(data))))


def matrix_picture(content: ReportContent, width: int = 720, height: int = 430) -> Any | None:
    """The priority matrix (impact × score) of the drivers report (None when there is none)."""
    if not content.drivers:
        return None
    chart = drivers_chart(content.drivers, height=height, outcome_label="NPS")
    return lettered(chart.properties(width=width), font_size=14)


def _emotion_label(value: int) -> str:
    """'very negative' … 'very positive' for −2 … +2 (empty outside), in the current language."""
    name = {-2: "very_negative", -1: "negative", 0: "neutral", 1: "positive", 2: "very_positive"}.get(value)
    return t(f"report.feeling.{name}") if name else ""


def journey_chart(
    journey: JourneyView,
    width: int = 1100,
    lanes: Sequence[str] = LANES,
    font_size: int = 13,
    lines_per_cell: int = 3,
) -> alt.VConcatChart:
    """A swimlane journey map: stages across the top, the emotion curve, then one row per lane of step text.

    Cell text is wrapped and cut to ``lines_per_cell`` lines of its column, so nothing spills into a neighbour.
    """
    steps = journey.steps
    n = max(len(steps), 1)
    x_scale = alt.Scale(domain=[0, n], nice=False, zero=False)
    col_em = (width / n - 12) / font_size
    axis: dict[str, Any] = {
        "title": None,
        "minExtent": AXIS_EXTENT,
        "maxExtent": AXIS_EXTENT,
        "labelFontWeight": "bold",
    }

    stages: list[dict[str, Any]] = []
    for i, step in enumerate(steps):
        if stages and stages[-1]["stage"] == step.stage:
            stages[-1]["x2"] = i + 1
        else:
            stages.append({"stage": step.stage, "x": i, "x2": i + 1, "row": t("report.lane.stage")})
    for k, band in enumerate(stages):
        band["color"] = STAGE_COLORS[k % len(STAGE_COLORS)]
        band["mid"] = (band["x"] + band["x2"]) / 2
        band["name"] = truncate(band["stage"], (band["x2"] - band["x"]) * col_em / 1.1, 1, bold=True)
    stage_df = pd.DataFrame(stages, columns=["stage", "x", "x2", "row", "color", "mid", "name"])
    stage_y = alt.Y("row:N", axis=alt.Axis(**axis, labelFontSize=font_size))
    stage_rect = (
        alt.Chart(stage_df)
        .mark_rect(stroke="white", strokeWidth=2)
        .encode(x=alt.X("x:Q", scale=x_scale, axis=None), x2="x2:Q", y=stage_y, color=alt.Color("color:N", scale=None))
    )
    stage_text = (
        alt.Chart(stage_df)
        .mark_text(color="white", fontWeight="bold", fontSize=font_size + 1)
        .encode(x=alt.X("mid:Q", scale=x_scale, axis=None), y=stage_y, text="name:N")
    )
    stage_row = (stage_rect + stage_text).properties(width=width, height=34)

    emo = pd.DataFrame(
        [{"x": i + 0.5, "emotion": s.emotion, "feeling": _emotion_label(s.emotion)} for i, s in enumerate(steps)],
        columns=["x", "emotion", "feeling"],
    )
    emo_y = alt.Y(
        "emotion:Q",
        scale=alt.Scale(domain=[-2.6, 2.6], nice=False),
        axis=alt.Axis(
            title=t("report.lane.emotion"),
            titleAngle=0,
            titleAlign="right",
            titleBaseline="middle",
            titleX=-50,
            titleFontSize=font_size,
            values=[-2, 0, 2],
            labelExpr="datum.value > 0 ? '+' : datum.value < 0 ? '−' : '0'",
            labelFontSize=font_size,
            grid=True,
            minExtent=AXIS_EXTENT,
            maxExtent=AXIS_EXTENT,
        ),
    )
    emo_x = alt.X("x:Q", scale=x_scale, axis=None)
    line = alt.Chart(emo).mark_line(color="#868e96", strokeWidth=2, interpolate="monotone").encode(x=emo_x, y=emo_y)
    dots = (
        alt.Chart(emo)
        .mark_circle(size=220, opacity=1, stroke="white", strokeWidth=1.5)
        .encode(
            x=emo_x,
            y=emo_y,
            color=alt.Color("emotion:Q", scale=EMOTION_COLORS, legend=None),
            tooltip=["feeling:N"],
        )
    )
    emotion_row = (line + dots).properties(width=width, height=110)

    cells = []
    titles = [t(f"report.lane.{attr}") for attr in lanes]
    for i, s in enumerate(steps):
        for attr, title in zip(lanes, titles, strict=True):
            text = " ".join(str(getattr(s, attr) or "").split())
            cut = truncate(text, col_em, lines_per_cell, bold=attr == "label")
            lines = wrap(cut, col_em) if cut else [""]
            cells.append({"x": i, "x2": i + 1, "mid": i + 0.5, "lane": title, "lines": lines})
    cell_df = pd.DataFrame(cells, columns=["x", "x2", "mid", "lane", "lines"])
    lane_y = alt.Y(
        "lane:N",
        sort=titles,
        scale=alt.Scale(paddingInner=0, paddingOuter=0),
        axis=alt.Axis(**axis, labelFontSize=font_size, labelLimit=AXIS_EXTENT - 8),
    )
    boxes = (
        alt.Chart(cell_df)
        .mark_rect(stroke="#ced4da", strokeWidth=1, fill="#f8f9fa")
        .encode(x=alt.X("x:Q", scale=x_scale, axis=None), x2="x2:Q", y=lane_y)
    )
    words = (
        alt.Chart(cell_df)
        .mark_text(fontSize=font_size, lineHeight=font_size * 1.25, color="#212529", baseline="top", dy=10)
        .encode(
            x=alt.X("mid:Q", scale=x_scale, axis=None), y=alt.Y("lane:N", sort=titles, bandPosition=0), text="lines"
        )
    )
    lane_height = int(len(lanes) * (lines_per_cell * font_size * 1.25 + 22))
    lane_rows = (boxes + words).properties(width=width, height=lane_height)
    title = journey.name + (" " + t("report.journey_persona", name=journey.persona) if journey.persona else "")
    return alt.vconcat(stage_row, emotion_row, lane_rows, spacing=6).properties(
        title=alt.Title(title, anchor="start", fontSize=font_size + 4)
    )


def journey_picture(journey: JourneyView, width: int = 1100, font_size: int = 13, team: bool = False) -> Any | None:
    """The journey map swimlane, lettered (None for a journey without steps).

    With ``team``, the app's ``cxdash.viz.journey_chart`` (with the touchpoint evidence curves) where it and the
    journey store exist: richer, but tall and small-lettered, so the deck keeps the compact swimlane above.
    """
    if not journey.steps:
        return None
    if team and journey.content is not None:
        try:
            from cxdash.viz.journey_chart import journey_chart as team_chart
        except ImportError:
            pass
        else:
            step = max(90, (width - AXIS_EXTENT) // len(journey.steps))
            return team_chart(journey.content, journey.evidence, large=font_size >= 14, step_width=step)
    return lettered(journey_chart(journey, width=width, font_size=font_size), font_size=font_size)


# --- rendering -------------------------------------------------------------------------------------------------------


def png(chart: Any, scale: float = 2.0) -> bytes:
    """The chart as PNG bytes, rendered offline by vl-convert."""
    buf = io.BytesIO()
    chart.save(buf, format="png", scale_factor=scale)
    return buf.getvalue()


_XMLNS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')


def svg(chart: Any) -> str:
    """The chart as an SVG element for inlining in HTML (namespace declarations, which HTML does not need, dropped)."""
    buf = io.StringIO()
    chart.save(buf, format="svg")
    text = buf.getvalue()
    head, sep, rest = text.partition(">")
    return _XMLNS.sub("", head) + sep + rest


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG image")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
