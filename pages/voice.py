"""Voice of the Customer: sentiment mix, themes (with an editor and suggestions), distinctive keywords and the
verbatims behind them — searchable, filterable, highlighted and exportable. Clicking a chart filters the verbatims."""

from __future__ import annotations

import streamlit as st

from cxdash.i18n import fmt_number, t
from cxdash.store.themes import seed_themes, tag_comments
from cxdash.store.verbatims import NO_STAGE, NO_TOUCHPOINT
from cxdash.ui import data, voice
from cxdash.ui.auth import can_edit
from cxdash.ui.charts import largest_groups, show_chart
from cxdash.ui.errors import show_flash
from cxdash.ui.labels import PERIODS, period_name, shown_as
from cxdash.ui.resources import data_changed
from cxdash.ui.sidebar import describe_filters, page_context
from cxdash.ui.text import literal
from cxdash.viz.voice_charts import MIX_SELECTION, THEME_SELECTION, sentiment_mix_chart, theme_chart

SPLITS = ["period", "touchpoint", "stage", "segment", "theme"]
TERM_GROUPS = ["sentiment", "theme", "touchpoint", "segment"]

ctx = page_context()
show_flash()
st.title(t("voice.title"))

if ctx.workspace is None:
    st.info(t("voice.empty_store"))
    st.page_link("pages/import.py", label=t("common.go_to_import"), icon="📥")
    st.stop()

ws = ctx.workspace.id
assert ws is not None
engine, filters = ctx.engine, ctx.filters
bounds = data.date_range(engine, ws)
active = describe_filters(filters, *bounds)
head, action = st.columns([4, 1], vertical_alignment="bottom")
head.caption(
    f"{literal(ctx.workspace.name)} · " + (t("voice.filtered", filters=active) if active else t("voice.all_comments"))
)
with action:
    voice.rescore_button(engine, ws)
voice.outdated_note(engine, ws)

themes = voice.list_themes(engine, ws)
attributes = data.attribute_values(engine, ws)
tied = voice.tied_comments(engine, ws) > 0
if not voice.comment_total(engine, ws, filters):
    st.info(t("voice.no_comments"))
    with st.expander(t("voice.themes"), expanded=False):
        voice.theme_editor(engine, ws, themes)
    st.stop()

# -- sentiment mix ------------------------------------------------------------------------------------------
st.subheader(t("voice.sentiment_mix"))
splits = [s for s in SPLITS if tied or s not in ("touchpoint", "stage")]
if not attributes:
    splits.remove("segment")
c1, c2 = st.columns([3, 2])
by = c1.segmented_control(
    t("voice.split_by"), splits, default="period", key="voice_split", format_func=shown_as(voice.split_label, splits)
)
by = by or "period"
attribute, period = None, "month"
if by == "segment":
    attribute = c2.selectbox(t("voice.segment"), list(attributes), key="voice_mix_attribute")
elif by == "period":
    period = (
        c2.segmented_control(
            t("common.period"),
            PERIODS,
            default="month",
            key="voice_mix_period",
            format_func=shown_as(period_name, PERIODS),
        )
        or "month"
    )
mix = voice.sentiment_mix(engine, ws, filters, by, attribute, period)
if mix.empty:
    st.info(t("voice.no_scored"))
else:
    title = t("voice.sentiment_by", split=attribute if by == "segment" and attribute else voice.split_title(by))
    shown = mix if by == "period" else largest_groups(mix, "group", "n")
    event = show_chart(
        sentiment_mix_chart(shown, by, title=title, period=period, names=voice.placeholder_names()),
        on_select="rerun",
        selection_mode=MIX_SELECTION,
        key=f"voice_mix_chart_{by}_{attribute}_{period}",
    )
    voice.apply_mix_pick(event, by, attribute, period, bounds)
    st.caption(t("voice.click_mix"))
if not tied:
    st.caption(t("voice.not_tied"))

# -- themes ---------------------------------------------------------------------------------------------------
st.subheader(t("voice.themes"))
summary = voice.theme_summary(engine, ws, filters)
if summary.empty:
    st.info(t("voice.no_themes"))
    if st.button(t("voice.seed_themes"), key="voice_seed_themes", disabled=not can_edit()):
        with st.spinner(t("voice.tagging")):
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
    st.caption(t("voice.click_theme"))
    voice.theme_table(summary, with_change)
    if not with_change:
        st.caption(t("voice.change_hint"))
with st.expander(t("voice.edit_themes")):
    voice.theme_editor(engine, ws, themes)
with st.expander(t("voice.suggested_themes")):
    n_comments = voice.comment_total(engine, ws, filters)  # many comments: the search runs when asked for
    if n_comments > voice.SUGGEST_AT_ONCE and not st.toggle(
        t("voice.suggest_go", n=fmt_number(n_comments)), key="voice_suggest_go", help=t("voice.suggest_go_help")
    ):
        st.caption(t("voice.suggest_when_asked"))
    else:
        suggested = voice.suggestions(engine, ws, filters)
        if suggested.empty:
            st.caption(t("voice.all_covered"))
        else:
            voice.suggestion_list(engine, ws, suggested)

# -- distinctive keywords ----------------------------------------------------------------------------------------
st.subheader(t("voice.keywords"))
groups = [g for g in TERM_GROUPS if (g != "touchpoint" or tied) and (g != "segment" or attributes)]
k1, k2 = st.columns([3, 2])
group = (
    k1.segmented_control(
        t("voice.keywords_by"),
        groups,
        default="sentiment",
        key="voice_terms_by",
        format_func=shown_as(voice.split_label, groups),
    )
    or "sentiment"
)
segment_label = t("voice.segment")
term_attr = k2.selectbox(segment_label, list(attributes), key="voice_terms_attribute") if group == "segment" else None
terms = voice.distinctive_terms(engine, ws, filters, group, term_attr)
if terms.empty:
    st.info(t("voice.no_keywords"))
else:
    voice.terms_table(terms, term_attr or voice.split_label(group))

# -- verbatims -----------------------------------------------------------------------------------------------------
st.subheader(t("voice.verbatims"))
if tied:
    tp_mix = voice.sentiment_mix(engine, ws, filters, "touchpoint", None, "month")
    st_mix = voice.sentiment_mix(engine, ws, filters, "stage", None, "month")
    touchpoints = list(dict.fromkeys(tp_mix["group"])) or [NO_TOUCHPOINT]
    stages = list(dict.fromkeys(st_mix["group"])) or [NO_STAGE]
else:
    touchpoints, stages = [], []
query = voice.verbatim_filters(themes, touchpoints, stages, attributes, bounds)
voice.verbatim_list(engine, ws, filters, query)
