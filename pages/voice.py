"""Voice of the Customer: sentiment mix, themes (with an editor and suggestions), distinctive keywords and the
verbatims behind them — searchable, filterable, highlighted and exportable. Clicking a chart filters the verbatims."""

from __future__ import annotations

import streamlit as st

from cxdash.store.themes import seed_themes, tag_comments
from cxdash.store.verbatims import NO_STAGE, NO_TOUCHPOINT
from cxdash.ui import data, voice
from cxdash.ui.charts import show_chart
from cxdash.ui.errors import show_flash
from cxdash.ui.resources import data_changed
from cxdash.ui.sidebar import describe_filters, page_context
from cxdash.viz.voice_charts import MIX_SELECTION, THEME_SELECTION, sentiment_mix_chart, theme_chart

SPLITS = {"period": "Time", "touchpoint": "Touchpoint", "stage": "Stage", "segment": "Segment", "theme": "Theme"}
TERM_GROUPS = {"sentiment": "Sentiment", "theme": "Theme", "touchpoint": "Touchpoint", "segment": "Segment"}

ctx = page_context()
show_flash()
st.title("Voice of the Customer")

if ctx.workspace is None:
    st.info(
        "The store is empty. Open **Import** to load a survey export with comments, or run `python -m cxdash demo`."
    )
    st.page_link("pages/import_data.py", label="Go to Import", icon="📥")
    st.stop()

ws = ctx.workspace.id
assert ws is not None
engine, filters = ctx.engine, ctx.filters
bounds = data.date_range(engine, ws)
active = describe_filters(filters, *bounds)
head, action = st.columns([4, 1], vertical_alignment="bottom")
head.caption(f"{ctx.workspace.name} · " + (f"Filtered: {active}" if active else "all comments in this workspace."))
with action:
    voice.rescore_button(engine, ws)

themes = voice.list_themes(engine, ws)
attributes = data.attribute_values(engine, ws)
tied = voice.tied_comments(engine, ws) > 0
if not voice.comment_total(engine, ws, filters):
    st.info("No comments match the filters. Widen the filters in the sidebar, or import a file with a comment column.")
    with st.expander("Themes", expanded=False):
        voice.theme_editor(engine, ws, themes)
    st.stop()

# -- sentiment mix ------------------------------------------------------------------------------------------
st.subheader("Sentiment mix")
splits = [s for s in SPLITS if tied or s not in ("touchpoint", "stage")]
if not attributes:
    splits.remove("segment")
c1, c2 = st.columns([3, 2])
by = c1.segmented_control("Split by", splits, default="period", key="voice_split", format_func=SPLITS.__getitem__)
by = by or "period"
attribute, period = None, "month"
if by == "segment":
    attribute = c2.selectbox("Segment", list(attributes), key="voice_mix_attribute")
elif by == "period":
    period = (
        c2.segmented_control(
            "Period", ["month", "quarter", "week"], default="month", key="voice_mix_period", format_func=str.title
        )
        or "month"
    )
mix = voice.sentiment_mix(engine, ws, filters, by, attribute, period)
if mix.empty:
    st.info("No scored comments match the filters for this split.")
else:
    title = f"Sentiment by {SPLITS[by].lower() if by != 'segment' else attribute}"
    event = show_chart(
        sentiment_mix_chart(mix, by, title=title, period=period),
        on_select="rerun",
        selection_mode=MIX_SELECTION,
        key=f"voice_mix_chart_{by}_{attribute}_{period}",
    )
    voice.apply_mix_pick(event, by, attribute, period, bounds)
    st.caption("Click a bar segment to read those comments below (shift-click adds more; double-click clears).")
if not tied:
    st.caption(
        "Comments here are not tied to touchpoints, so there is no split by touchpoint or stage: map a comment column "
        "to a touchpoint (role `comment:<touchpoint>`) on import to get one."
    )

# -- themes ---------------------------------------------------------------------------------------------------
st.subheader("Themes")
summary = voice.theme_summary(engine, ws, filters)
if summary.empty:
    st.info("This workspace has no themes yet: start from the default CX themes, or add your own below.")
    if st.button("Add the default themes (English and Japanese) and tag the comments", key="voice_seed_themes"):
        with st.spinner("Tagging comments…"):
            seed_themes(engine, ws)
            tag_comments(engine, ws)
        data_changed()
        st.rerun()
else:
    with_change = bool(summary["volume_previous"].fillna(0).sum() > 0)
    picked = show_chart(
        theme_chart(summary, with_change=with_change),
        on_select="rerun",
        selection_mode=THEME_SELECTION,
        key="voice_theme_chart",
    )
    voice.apply_theme_pick(picked)
    st.caption("Click a theme to read its comments below.")
    voice.theme_table(summary, with_change)
    if not with_change:
        st.caption(
            "Change vs. the previous period: narrow the dates in the sidebar (e.g. to the last quarter) to compare "
            "with the period of the same length before it."
        )
with st.expander("✏️ Edit themes — a name and keyword rules in English and Japanese"):
    voice.theme_editor(engine, ws, themes)
with st.expander("💡 Suggested new themes — frequent phrases no theme covers"):
    suggested = voice.suggestions(engine, ws, filters)
    if suggested.empty:
        st.caption("Every frequent phrase is covered by a theme.")
    else:
        voice.suggestion_list(engine, ws, suggested)

# -- distinctive keywords ----------------------------------------------------------------------------------------
st.subheader("Distinctive keywords")
groups = [g for g in TERM_GROUPS if (g != "touchpoint" or tied) and (g != "segment" or attributes)]
k1, k2 = st.columns([3, 2])
group = (
    k1.segmented_control(
        "Keywords that set apart each",
        groups,
        default="sentiment",
        key="voice_terms_by",
        format_func=TERM_GROUPS.__getitem__,
    )
    or "sentiment"
)
term_attr = k2.selectbox("Segment", list(attributes), key="voice_terms_attribute") if group == "segment" else None
terms = voice.distinctive_terms(engine, ws, filters, group, term_attr)
if terms.empty:
    st.info("Not enough comments to find distinctive keywords.")
else:
    voice.terms_table(terms, term_attr or TERM_GROUPS[group])

# -- verbatims -----------------------------------------------------------------------------------------------------
st.subheader("Verbatims")
if tied:
    tp_mix = voice.sentiment_mix(engine, ws, filters, "touchpoint", None, "month")
    st_mix = voice.sentiment_mix(engine, ws, filters, "stage", None, "month")
    touchpoints = list(dict.fromkeys(tp_mix["group"])) or [NO_TOUCHPOINT]
    stages = list(dict.fromkeys(st_mix["group"])) or [NO_STAGE]
else:
    touchpoints, stages = [], []
query = voice.verbatim_filters(themes, touchpoints, stages, attributes, bounds)
voice.verbatim_list(engine, ws, filters, query)
