"""The journey map as an Altair swimlane chart: stages as columns, one lane each for touchpoints, actions, thinking,
emotion, pain points and opportunities.

The emotion lane sets the hand-set emotion curve (what the team believes customers feel, −2..+2) beside the
data-driven curves of each linked touchpoint: its mean score rescaled to −2..+2 and the mean sentiment of the
comments about it (compound ×2) with a 95% band. Steps with too little data are drawn hollow and labelled, never
dropped. Pure function: a journey (``cxdash.store.journeys.journey_content`` or a journey file) and the evidence frame
(``touchpoint_evidence``) in, an ``alt.VConcatChart`` out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd

from cxdash.i18n import t
from cxdash.viz.fonts import FONT_FAMILY, register_export_fonts

# Lanes by step field; each lane's title is journey.lane.<field> in the current language.
TEXT_LANES = ("label", "action", "thinking")
LOWER_LANES = ("pain_points", "opportunities")
# The curves of the emotion lane: fixed codes in the data ("series"), shown by their translated names ("curve").
FELT, SCORE, SENTIMENT = "felt", "score", "sentiment"
SERIES = (FELT, SCORE, SENTIMENT)
STATUSES = ("data", "too little data", "no data", "not linked to data")  # a step's data status (codes)
COLOURS = ("#1f3b73", "#e07b00", "#2a9d8f")
BANDS = ("#eef2f8", "#ffffff")
LANE_TEXT_COLOUR = {"pain_points": "#9b1c1c", "opportunities": "#1c6b3a"}
AXIS_WIDTH = 110


def _char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _width(text: str) -> int:
    return sum(_char_width(c) for c in text)


def _truncate(text: str, width: int) -> str:
    out, used = "", 0
    for ch in text:
        if used + _char_width(ch) > width - 1:
            return out.rstrip() + "…"
        out, used = out + ch, used + _char_width(ch)
    return out


def wrap_text(text: str, width: int, max_lines: int) -> list[str]:
    """Lines of at most ``width`` columns (a CJK character counts two; Japanese breaks between any characters,
    other text between words), at most ``max_lines`` of them, the last ending in "…" when text was cut."""
    text = " ".join(str(text or "").split())
    if not text:
        return []
    tokens = re.findall(r"[\u3000-\u9fff\uff00-\uffef]|[^\s\u3000-\u9fff\uff00-\uffef]+\s*|\s+", text)
    lines: list[str] = []
    line = ""
    for token in tokens:
        if _width(line + token.rstrip()) <= width:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = token.lstrip()
        while _width(line.rstrip()) > width:  # a single word longer than a line
            head = _truncate(line, width + 1)[:-1]
            lines.append(head)
            line = line[len(head) :]
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        lines[-1] = last + "…" if _width(last) < width else _truncate(last, width)
    return lines


def only_stage(journey: Mapping[str, Any], index: int) -> dict[str, Any]:
    """The journey with just one of its stages (presentation mode, one stage at a time)."""
    stages = list(journey.get("stages", []))
    return dict(journey) | {"stages": stages[index : index + 1]}


def step_frame(journey: Mapping[str, Any], evidence: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per step in map order: x, stage, texts, hand-set emotion, and the evidence of its touchpoint."""
    rows: list[dict[str, Any]] = []
    for s_i, stage in enumerate(journey.get("stages", [])):
        for step in stage.get("steps", []):
            tp = step.get("touchpoint") or None
            rows.append(
                {
                    "x": len(rows),
                    "stage": stage["name"],
                    "stage_index": s_i,
                    "touchpoint": tp,
                    "label": step.get("touchpoint_label") or tp or "",
                    "action": step.get("action", ""),
                    "thinking": step.get("thinking", ""),
                    "pain_points": step.get("pain_points", ""),
                    "opportunities": step.get("opportunities", ""),
                    "emotion": int(step.get("emotion", 0) or 0),
                }
            )
    frame = pd.DataFrame(rows, columns=["x", "stage", "stage_index", "touchpoint", "label", "action", "thinking",
                                        "pain_points", "opportunities", "emotion"])  # fmt: skip
    ev_cols = ["n", "mean", "score", "score_lo", "score_hi", "nps", "n_comments", "sentiment", "sentiment_lo",
               "sentiment_hi", "low_n"]  # fmt: skip
    if evidence is not None and not evidence.empty:
        ev = evidence.reset_index(drop=True).drop_duplicates("touchpoint").set_index("touchpoint")
        frame = frame.join(ev[[c for c in ev_cols if c in ev.columns]], on="touchpoint")
    for c in ev_cols:
        if c not in frame.columns:
            frame[c] = pd.NA
    linked = frame["touchpoint"].notna()
    has_data = frame["n"].fillna(0) > 0
    frame["status"] = "not linked to data"
    frame.loc[linked & ~has_data, "status"] = "no data"
    frame.loc[linked & has_data, "status"] = "data"
    frame.loc[linked & has_data & frame["low_n"].fillna(False).astype(bool), "status"] = "too little data"
    return frame


def curve_name(series: str) -> str:
    """A curve's name in the current language ('Felt (map)' / '感情（マップ）')."""
    return t(f"journey.curve.{series}")


def status_text(status: str) -> str:
    """A step's data status in the current language."""
    return t("journey.status." + status.replace(" ", "_"))


def _curves(steps: pd.DataFrame) -> pd.DataFrame:
    """Long format for the emotion lane: one row per step and series (value, lo, hi, low_n, note)."""
    out = []
    for r in steps.itertuples(index=False):
        out.append({"x": r.x, "series": FELT, "value": float(r.emotion), "lo": None, "hi": None, "low_n": False,
                    "n": None, "note": "", "label": r.label})  # fmt: skip
        if r.status in ("data", "too little data"):
            low = r.status == "too little data"
            n, k = int(r.n), int(r.n_comments) if pd.notna(r.n_comments) else 0
            if pd.notna(r.score):
                out.append({"x": r.x, "series": SCORE, "value": float(r.score), "lo": _f(r.score_lo),
                            "hi": _f(r.score_hi), "low_n": n < 30, "n": n,
                            "note": t("journey.note.n", n=n) if n < 30 else "",
                            "label": r.label})  # fmt: skip
            if pd.notna(r.sentiment):
                out.append({"x": r.x, "series": SENTIMENT, "value": float(r.sentiment), "lo": _f(r.sentiment_lo),
                            "hi": _f(r.sentiment_hi), "low_n": k < 30, "n": k,
                            "note": t("journey.note.comments", n=k) if k < 30 else "",
                            "label": r.label})  # fmt: skip
            elif low or k == 0:
                out.append({"x": r.x, "series": SENTIMENT, "value": None, "lo": None, "hi": None, "low_n": True,
                            "n": k, "note": t("journey.note.no_comments"), "label": r.label})  # fmt: skip
    frame = pd.DataFrame(out, columns=["x", "series", "value", "lo", "hi", "low_n", "n", "note", "label"])
    frame["curve"] = frame["series"].map(curve_name)
    return frame


def _f(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _stage_spans(steps: pd.DataFrame) -> pd.DataFrame:
    spans = steps.groupby(["stage_index", "stage"], sort=True)["x"].agg(["min", "max"]).reset_index()
    spans["x0"], spans["x1"] = spans["min"] - 0.5, spans["max"] + 0.5
    spans["mid"] = (spans["min"] + spans["max"]) / 2
    spans["band"] = spans["stage_index"] % 2
    return spans


def journey_chart(
    journey: Mapping[str, Any],
    evidence: pd.DataFrame | None = None,
    *,
    large: bool = False,
    step_width: int | None = None,
) -> alt.VConcatChart:
    """The swimlane map with the hand-set emotion curve and the data-driven curves (score, sentiment)."""
    steps = step_frame(journey, evidence)
    n = max(len(steps), 1)
    font = 18 if large else 11
    # fit a typical page (about 1,000 px of plot, 1,300 px when presenting: one stage's few steps fill the screen)
    # down to a readable minimum per step
    step_w = step_width or (max(170, min(600, 1300 // n)) if large else max(90, min(150, 1000 // n)))
    chars = max(8, int(step_w / (font * 0.58)))
    width = max(480 if large else 360, n * step_w)
    axis_w = int(AXIS_WIDTH * 1.4) if large else AXIS_WIDTH
    x_scale = alt.Scale(domain=[-0.5, n - 0.5], nice=False, zero=False)
    x = alt.X("x:Q", scale=x_scale, axis=None)
    spans = _stage_spans(steps) if not steps.empty else pd.DataFrame(columns=["stage", "x0", "x1", "mid", "band"])
    spans["title"] = [_truncate(str(s), max(6, int((x1 - x0) * chars))) for s, x0, x1 in
                      zip(spans["stage"], spans["x0"], spans["x1"], strict=True)]  # fmt: skip

    def background() -> list[alt.Chart]:
        # Two fixed-colour layers, not a colour encoding: a layer shares its colour scale with the curves.
        return [
            alt.Chart(spans[spans["band"] == b])
            .mark_rect(stroke="#d5dbe5", strokeWidth=0.5, color=colour)
            .encode(x=alt.X("x0:Q", scale=x_scale, axis=None), x2="x1:Q")
            for b, colour in enumerate(BANDS)
        ]

    def lane_axis(title: str) -> alt.Y:
        return alt.Y(
            "lane:N",
            axis=alt.Axis(title=None, labelFontWeight="bold", labelFontSize=font + 1, ticks=False, domain=False,
                          minExtent=axis_w, maxExtent=axis_w, labelLimit=axis_w - 8),
            scale=alt.Scale(domain=[title]),
        )  # fmt: skip

    stage_title = t("journey.lane.stage")
    header = alt.LayerChart(
        layer=[
            alt.Chart(spans)
            .mark_rect(color="#1f3b73", stroke="white", strokeWidth=2)
            .encode(x=alt.X("x0:Q", scale=x_scale, axis=None), x2="x1:Q"),
            alt.Chart(spans.assign(lane=stage_title))
            .mark_text(color="white", fontWeight="bold", fontSize=font + 3)
            .encode(
                x=alt.X("mid:Q", scale=x_scale, axis=None),
                y=lane_axis(stage_title),
                text="title:N",
                tooltip=[alt.Tooltip("stage:N", title=stage_title)],
            ),
        ],
        width=width,
        height=int(font * 3),
    )

    def text_lane(field: str, max_lines: int) -> Any:
        title = t(f"journey.lane.{field}")
        data = steps[["x", "stage", field]].copy()
        data["lane"] = title
        # one string with line breaks, not a list: Streamlit ships chart data as Arrow, where a list shows as "[…]"
        data["lines"] = ["\n".join(wrap_text(t, chars, max_lines)) for t in data[field]]
        data["full"] = data[field].fillna("").astype(str)
        height = int(font * 1.35 * max_lines + font * 2.2)
        colour = LANE_TEXT_COLOUR.get(field, "#1b1b1b")
        text = (
            alt.Chart(data)
            .mark_text(fontSize=font, color=colour, lineHeight=int(font * 1.35), baseline="middle", lineBreak="\n")
            .encode(
                x=x,
                y=lane_axis(title),
                text="lines:N",
                tooltip=[alt.Tooltip("stage:N", title=stage_title), alt.Tooltip("full:N", title=title)],
            )  # fmt: skip
        )
        return alt.LayerChart(layer=[*background(), text], width=width, height=height)

    lanes: list[Any] = [header]
    lanes += [text_lane(f, 2 if f == "label" else 4) for f in TEXT_LANES]
    lanes.append(_emotion_lane(steps, x, background(), font, width, axis_w))
    lanes += [text_lane(f, 4) for f in LOWER_LANES]
    title = str(journey.get("name", ""))
    # Built whole in one constructor: each chained .resolve_scale / .configure_* would copy every lane again (a
    # rerun of the page after each edit drew the map in 0.45 s, most of it in those copies).
    return alt.VConcatChart(
        vconcat=lanes,
        spacing=2,
        title=alt.TitleParams(title, fontSize=font + 6, anchor="start"),
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="independent", x="shared")),
        config=alt.Config(
            view=alt.ViewConfig(stroke=None),
            legend=alt.LegendConfig(labelFontSize=font, titleFontSize=font, orient="top"),
            font=FONT_FAMILY,  # a Japanese font first: exported images draw Japanese, not boxes
        ),
    )


def _emotion_lane(
    steps: pd.DataFrame, x: alt.X, background: list[alt.Chart], font: int, width: int, axis_w: int
) -> Any:
    curves = _curves(steps)
    height = int(font * 17)
    y_scale = alt.Scale(domain=[-2.6, 2.6], nice=False)
    y = alt.Y(
        "value:Q",
        scale=y_scale,
        axis=alt.Axis(title=t("journey.lane.emotion"), titleFontWeight="bold", titleFontSize=font + 1, titleAngle=0,
                      titleAlign="left", titleX=-axis_w, titleY=-6, values=[-2, -1, 0, 1, 2],
                      labelFontSize=font, grid=True, gridDash=[2, 3], minExtent=axis_w, maxExtent=axis_w),
    )  # fmt: skip
    names = [curve_name(s) for s in SERIES]
    colour = alt.Color(
        "curve:N",
        scale=alt.Scale(domain=names, range=list(COLOURS)),
        legend=alt.Legend(title=t("journey.tip.curves"), orient="top", direction="horizontal", labelLimit=0),
    )
    tip = [
        alt.Tooltip("label:N", title=t("journey.tip.step")),
        alt.Tooltip("curve:N", title=t("journey.tip.curve")),
        alt.Tooltip("value:Q", title=t("journey.tip.value"), format=".2f"),
        alt.Tooltip("lo:Q", title=t("journey.tip.low"), format=".2f"),
        alt.Tooltip("hi:Q", title=t("journey.tip.high"), format=".2f"),
        alt.Tooltip("n:Q", title="n"),
    ]
    base = alt.Chart(curves).encode(x=x)
    data_rows = alt.datum.series != FELT
    band = (
        base.transform_filter(alt.datum.series == SENTIMENT)
        .mark_area(opacity=0.18, color=COLOURS[2])
        .encode(y=alt.Y("lo:Q", scale=y_scale), y2="hi:Q")
    )
    whisker = (
        base.transform_filter(data_rows)
        .mark_rule(strokeWidth=1.5)
        .encode(y=alt.Y("lo:Q", scale=y_scale), y2="hi:Q", color=colour)
    )
    line = base.mark_line(strokeWidth=2.5).encode(
        y=y, color=colour, strokeDash=alt.condition(data_rows, alt.value([6, 3]), alt.value([1, 0]))
    )
    points = base.mark_point(size=110 if font > 11 else 70, strokeWidth=2, filled=False, opacity=1).encode(
        y=alt.Y("value:Q", scale=y_scale),
        color=colour,
        fill=alt.condition(
            "datum.low_n",
            alt.value("white"),
            alt.Fill("curve:N", scale=alt.Scale(domain=names, range=list(COLOURS)), legend=None),
        ),
        shape=alt.condition(alt.datum.series == FELT, alt.value("diamond"), alt.value("circle")),
        tooltip=tip,
    )
    zero = (
        alt.Chart(pd.DataFrame({"y": [0.0]}))
        .mark_rule(color="#7a869a", strokeWidth=1)
        .encode(y=alt.Y("y:Q", scale=y_scale))
    )
    notes = curves[(curves["note"] != "")].copy()
    notes["value"] = notes["value"].fillna(-2.3)
    note_marks = (
        alt.Chart(notes)
        .mark_text(fontSize=max(9, font - 2), dy=-12, color="#9b1c1c", fontStyle="italic")
        .encode(x=x, y=alt.Y("value:Q", scale=y_scale), text=alt.Text("note:N"), tooltip=tip)
    )
    missing = steps[steps["status"] != "data"][["x", "status"]].copy()
    missing["value"] = -2.45
    missing["status_text"] = missing["status"].map(status_text)
    status_marks = (
        alt.Chart(missing)
        .mark_text(fontSize=max(9, font - 2), color="#6b7280")
        .encode(x=x, y=alt.Y("value:Q", scale=y_scale), text="status_text:N")
    )
    return alt.LayerChart(
        layer=[*background, zero, band, whisker, line, points, note_marks, status_marks], width=width, height=height
    )


def journey_image(chart: alt.TopLevelMixin, fmt: str = "png", scale: float = 2.0) -> bytes:
    """The map as PNG or SVG bytes, rendered offline by vl-convert (the chart already has its own width, which
    ``cxdash.export`` would try to set on a concatenated chart)."""
    import io

    from cxdash.errors import CxdashError

    buf: io.BytesIO | io.StringIO = io.BytesIO() if fmt == "png" else io.StringIO()
    try:
        register_export_fonts()
        if fmt == "png":
            chart.save(buf, format="png", scale_factor=scale)
        else:
            chart.save(buf, format="svg")
    except (ValueError, ImportError) as error:
        if "vl-convert" in str(error) or "vl_convert" in str(error):
            raise CxdashError(t("export.needs_vl_convert")) from error
        raise
    value = buf.getvalue()
    return value if isinstance(value, bytes) else value.encode("utf-8")
