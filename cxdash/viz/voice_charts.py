"""Voice of the Customer: sentiment-mix and theme charts (Altair, clickable) and a comment as safe, highlighted HTML.

Pure functions: data in, chart spec or HTML string out. Comments are user text: :func:`verbatim_html` escapes every
character that HTML or Streamlit's Markdown would interpret before it adds its own ``<mark>`` tags. Chart text is in
the current interface language; the data fields a click selects (``group``, ``label``, ``theme``) keep their values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from cxdash.i18n import fmt_date, fmt_month, t
from cxdash.textfold import folded_spans

LABEL_ORDER = ["negative", "neutral", "positive"]
LABEL_COLORS = ["#e03131", "#adb5bd", "#2f9e44"]
MIX_SELECTION = "mix_pick"
THEME_SELECTION = "theme_pick"
MARK_STYLE = "background:#ffe066;color:inherit;padding:0 1px;border-radius:2px"
META_STYLE = "color:#6c757d;font-size:0.85em;margin-top:2px"
ROW_STYLE = "padding:0.4rem 0;border-bottom:1px solid rgba(128,128,128,0.2)"

# HTML's specials as entities, and every character Markdown, LaTeX ($), emoji shortcodes (:) or Streamlit's
# colour directives could act on as a numeric character reference, so the comment renders as the text it is.
_SAFE = {ord(c): f"&#{ord(c)};" for c in "\\`*_{}[]()#+-.!|~$:=^"}
_SAFE |= {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;", ord("'"): "&#39;"}
_SAFE |= {ord("\r"): "", ord("\n"): "<br>"}


def escape_text(text: str) -> str:
    """Text as inert HTML: no tag, entity, Markdown or LaTeX in it survives; newlines become <br>."""
    return str(text).translate(_SAFE)


def match_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Where the terms occur in the text as the search finds them (whatever the case and width: ``textfold``),
    overlapping spans merged, in order."""
    wanted = [t for t in terms if t]
    if not wanted or not text:
        return []
    found = sorted(span for term in dict.fromkeys(wanted) for span in folded_spans(text, term) if span[1] > span[0])
    spans: list[tuple[int, int]] = []
    for start, end in found:
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


def highlight_html(text: str, terms: Sequence[str]) -> str:
    """The text escaped (see :func:`escape_text`) with each match of the terms wrapped in <mark>."""
    out, pos = [], 0
    for start, end in match_spans(text, terms):
        out.append(escape_text(text[pos:start]))
        out.append(f'<mark style="{MARK_STYLE}">{escape_text(text[start:end])}</mark>')
        pos = end
    out.append(escape_text(text[pos:]))
    return "".join(out)


def verbatim_html(
    text: str, terms: Sequence[str] = (), meta: Sequence[str] = (), css_class: str = "cx-verbatim"
) -> str:
    """One comment as a single-line HTML block (highlighted matches, escaped meta line under it)."""
    body = highlight_html(text, terms)
    info = " · ".join(escape_text(m) for m in meta if m)
    line = f'<div style="{META_STYLE}">{info}</div>' if info else ""
    return f'<div class="{css_class}" style="{ROW_STYLE}">{body}{line}</div>'


def period_label(group: str, period: str) -> str:
    """A period's start as its label: 'Jun 2026' / '2026年6月', 'Q2 2026' / '2026年 第2四半期', or the week's day."""
    ts = pd.Timestamp(group)
    if period == "quarter":
        return t("charts.quarter", q=ts.quarter, year=ts.year)
    if period == "week":
        return fmt_date(ts)
    return fmt_month(ts)


def sentiment_name(label: str) -> str:
    """'positive' / 'neutral' / 'negative' in the current language."""
    names = {
        "positive": t("charts.sentiment_positive"),
        "neutral": t("charts.sentiment_neutral"),
        "negative": t("charts.sentiment_negative"),
    }
    return names.get(label, label)


def split_name(by: str) -> str:
    """What a sentiment split groups by ('period', 'touchpoint', …) as a column title."""
    names = {
        "period": t("charts.period"),
        "touchpoint": t("charts.touchpoint"),
        "stage": t("charts.stage"),
        "segment": t("charts.segment"),
        "theme": t("charts.theme"),
    }
    return names.get(by, by)


def sentiment_mix_chart(
    mix: pd.DataFrame,
    by: str,
    *,
    title: str | None = None,
    period: str = "month",
    selectable: bool = True,
    names: Mapping[str, str] | None = None,
) -> alt.Chart:
    """Stacked 100% bars of negative / neutral / positive shares per group (counts in the tooltips).

    Periods run left to right; touchpoints, stages, segments and themes are horizontal bars in ``order``.
    ``names`` renames groups for display (e.g. the "no touchpoint" placeholder). With ``selectable``, clicking a
    bar segment selects its (group, label): point selection ``mix_pick``.
    """
    data = mix.copy()
    shown = [str((names or {}).get(g, g)) for g in data["group"]]
    if by == "period":
        data["axis"] = [period_label(g, period) for g in data["group"]]
    else:
        data["axis"] = [f"{g}  (n={n:,})" for g, n in zip(shown, data["total"], strict=True)]
    data["shown"] = shown if by != "period" else data["axis"]
    data["sentiment"] = [sentiment_name(lab) for lab in data["label"]]
    data["stack"] = data["label"].map({lab: i for i, lab in enumerate(LABEL_ORDER)})
    axis_order = data.sort_values("order", kind="stable")["axis"].drop_duplicates().tolist()
    share = alt.X("share:Q", stack="normalize", title=t("charts.share_of_comments"), axis=alt.Axis(format="%"))
    color = alt.Color(
        "sentiment:N",
        title=t("charts.sentiment"),
        scale=alt.Scale(domain=[sentiment_name(lab) for lab in LABEL_ORDER], range=LABEL_COLORS),
        legend=alt.Legend(orient="bottom"),
    )
    tooltip = [
        alt.Tooltip("shown:N", title=split_name(by)),
        alt.Tooltip("sentiment:N", title=t("charts.sentiment")),
        alt.Tooltip("n:Q", title=t("charts.comments"), format=","),
        alt.Tooltip("share:Q", title=t("charts.share"), format=".1%"),
        alt.Tooltip("total:Q", title=t("charts.comments_in_group"), format=","),
    ]
    chart = alt.Chart(data).mark_bar()
    if by == "period":
        encoding = {
            "x": alt.X("axis:N", sort=axis_order, title=None, axis=alt.Axis(labelAngle=-40)),
            "y": alt.Y("share:Q", stack="normalize", title=t("charts.share_of_comments"), axis=alt.Axis(format="%")),
        }
        height = 280
    else:
        encoding = {"y": alt.Y("axis:N", sort=axis_order, title=None, axis=alt.Axis(labelLimit=260)), "x": share}
        height = max(120, 30 * len(axis_order))
    chart = chart.encode(color=color, order=alt.Order("stack:Q"), tooltip=tooltip, **encoding)
    if selectable:
        pick = alt.selection_point(name=MIX_SELECTION, fields=["group", "label"], on="click")
        chart = chart.add_params(pick).encode(opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)))
    return chart.properties(height=height, title=title or t("charts.sentiment_by", split=split_name(by)))


def theme_chart(summary: pd.DataFrame, *, selectable: bool = True, with_change: bool = True) -> alt.Chart:
    """Comments per theme (bars), coloured by the share of them that is negative; click selects ``theme_pick``."""
    data = summary[["theme_id", "theme", "volume", "share", "negative_share", "volume_change"]].copy()
    data["negative_share"] = data["negative_share"].astype(float)
    data["volume_change"] = data["volume_change"].astype(float)
    order = data.sort_values("volume", ascending=False, kind="stable")["theme"].tolist()
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("theme:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X("volume:Q", title=t("charts.comments")),
            color=alt.Color(
                "negative_share:Q",
                title=t("charts.share_negative"),
                scale=alt.Scale(domain=[0, 1], scheme="reds"),
                legend=alt.Legend(format="%", orient="right", gradientLength=120),
            ),
            tooltip=[
                alt.Tooltip("theme:N", title=t("charts.theme")),
                alt.Tooltip("volume:Q", title=t("charts.comments"), format=","),
                alt.Tooltip("share:Q", title=t("charts.share_of_all_comments"), format=".1%"),
                alt.Tooltip("negative_share:Q", title=t("charts.share_negative"), format=".0%"),
            ]
            + (
                [alt.Tooltip("volume_change:Q", title=t("charts.change_vs_previous"), format="+,")]
                if with_change
                else []
            ),
        )
    )
    if selectable:
        pick = alt.selection_point(name=THEME_SELECTION, fields=["theme_id", "theme"], on="click")
        chart = chart.add_params(pick).encode(opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)))
    return chart.properties(height=max(140, 28 * len(data)), title=t("charts.themes_title"))
