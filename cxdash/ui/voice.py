"""Voice of the Customer widgets: cached reads, chart clicks → verbatim filters, the theme editor, suggestions,
the verbatim browser (search, filters, paging, highlighted matches, CSV export) and the re-score button."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from cxdash.analysis.themes import top_terms
from cxdash.analysis.tokens import language_of
from cxdash.errors import CxdashError
from cxdash.export import to_safe_csv
from cxdash.i18n import fmt_date, fmt_number, t
from cxdash.store import themes as theme_store
from cxdash.store import verbatims
from cxdash.store.models import Theme
from cxdash.store.queries import Filters
from cxdash.store.verbatims import LABELS, NO_VALUE, SCORE_BANDS, VerbatimPage, VerbatimQuery
from cxdash.ui import state
from cxdash.ui.auth import can_edit
from cxdash.ui.data import _filters_key, _key
from cxdash.ui.errors import show_error
from cxdash.ui.labels import shown_as
from cxdash.ui.resources import data_changed, data_version
from cxdash.viz.voice_charts import MIX_SELECTION, THEME_SELECTION, sentiment_name, verbatim_html

# Session-state keys of this page, defined once.
SEARCH = "voice_search"
LABELS_KEY = "voice_labels"
THEMES_KEY = "voice_themes"
TOUCHPOINTS_KEY = "voice_touchpoints"
STAGES_KEY = "voice_stages"
BANDS_KEY = "voice_bands"
DATES_KEY = "voice_dates"
SEG_ATTR_KEY = "voice_segment_attribute"
SEG_VALUES_KEY = "voice_segment_values"
PAGE_KEY = "voice_page"
LAST_QUERY = "voice_last_query"
LAST_PICK = "voice_last_pick"
EDIT_THEME = "voice_edit_theme"
EDIT_THEME_NEXT = "voice_edit_theme_next_run"
NEW_THEME = 0
PAGE_SIZE = 25
#: up to this many comments the Voice page looks for new themes by itself (about a second); above, when asked
SUGGEST_AT_ONCE = 20_000


# -- names of codes, in the current language -------------------------------------------------------------------
def band_name(band: str) -> str:
    """An NPS score band ('promoter', 'passive', 'detractor') with its answers."""
    names = {
        "promoter": t("voice.band_promoter"),
        "passive": t("voice.band_passive"),
        "detractor": t("voice.band_detractor"),
    }
    return names.get(band, band)


def split_label(code: str) -> str:
    """What a chart or a keyword list is split by, as a choice: 'Time', 'Touchpoint', … 'Sentiment'."""
    names = {
        "period": t("voice.split_period"),
        "touchpoint": t("voice.split_touchpoint"),
        "stage": t("voice.split_stage"),
        "segment": t("voice.split_segment"),
        "theme": t("voice.split_theme"),
        "sentiment": t("voice.split_sentiment"),
    }
    return names.get(code, code)


def split_title(code: str) -> str:
    """The same inside a title ('Sentiment by time')."""
    names = {
        "period": t("voice.title_period"),
        "touchpoint": t("voice.title_touchpoint"),
        "stage": t("voice.title_stage"),
        "segment": t("voice.title_segment"),
        "theme": t("voice.title_theme"),
    }
    return names.get(code, code)


def placeholder_names() -> dict[str, str]:
    """Display names of the stand-ins for 'no touchpoint', 'no stage' and 'no value' in groups and filters."""
    return {
        verbatims.NO_TOUCHPOINT: t("voice.no_touchpoint"),
        verbatims.NO_STAGE: t("voice.no_stage"),
        NO_VALUE: t("voice.no_value"),
    }


def _shown(value: Any) -> str:
    """A group value as the reader sees it (sentiment labels and placeholders translated)."""
    text = str(value)
    if text in LABELS:
        return sentiment_name(text)
    return placeholder_names().get(text, text)


# -- cached reads ---------------------------------------------------------------------------------------------
@st.cache_data(max_entries=64, ttl=300, show_spinner=False)
def _mix(
    url: str, ws: int, fk: tuple[Any, ...], by: str, attribute: str | None, period: str, v: int,
    _engine: Engine, _filters: Filters,
) -> pd.DataFrame:  # fmt: skip
    return verbatims.sentiment_mix(_engine, ws, _filters, by, attribute=attribute, period=period)


def sentiment_mix(
    engine: Engine, ws: int, filters: Filters, by: str, attribute: str | None, period: str
) -> pd.DataFrame:
    return _mix(_key(engine), ws, _filters_key(filters), by, attribute, period, data_version(), engine, filters)


@st.cache_data(max_entries=32, ttl=300, show_spinner=False)
def _summary(url: str, ws: int, fk: tuple[Any, ...], v: int, _engine: Engine, _filters: Filters) -> pd.DataFrame:
    return theme_store.theme_summary(_engine, ws, filters=_filters)


def theme_summary(engine: Engine, ws: int, filters: Filters) -> pd.DataFrame:
    return _summary(_key(engine), ws, _filters_key(filters), data_version(), engine, filters)


@st.cache_data(max_entries=16, ttl=600, show_spinner=False)
def _suggestions(url: str, ws: int, fk: tuple[Any, ...], v: int, _engine: Engine, _filters: Filters) -> pd.DataFrame:
    return theme_store.suggest_new_themes(_engine, ws, 8, filters=_filters)


def suggestions(engine: Engine, ws: int, filters: Filters) -> pd.DataFrame:
    with st.spinner(t("voice.spinner_suggestions")):
        return _suggestions(_key(engine), ws, _filters_key(filters), data_version(), engine, filters)


@st.cache_data(max_entries=16, ttl=600, show_spinner=False)
def _terms(
    url: str, ws: int, fk: tuple[Any, ...], group: str, attribute: str | None, v: int,
    _engine: Engine, _filters: Filters,
) -> pd.DataFrame:  # fmt: skip
    frame = theme_store.comments_frame(_engine, ws, filters=_filters, attribute=attribute, with_themes=group == "theme")
    column = {"sentiment": "label", "touchpoint": "touchpoint", "theme": "theme"}.get(group, attribute)
    return top_terms(frame, column, k=8)


def distinctive_terms(
    engine: Engine, ws: int, filters: Filters, group: str, attribute: str | None = None
) -> pd.DataFrame:
    with st.spinner(t("voice.spinner_terms")):
        return _terms(_key(engine), ws, _filters_key(filters), group, attribute, data_version(), engine, filters)


@st.cache_data(max_entries=128, ttl=300, show_spinner=False)
def _page(
    url: str, ws: int, fk: tuple[Any, ...], qk: tuple[Any, ...], limit: int, offset: int, v: int,
    _engine: Engine, _filters: Filters, _query: VerbatimQuery,
) -> VerbatimPage:  # fmt: skip
    return verbatims.search_verbatims(_engine, ws, _filters, _query, limit=limit, offset=offset)


def verbatim_page(engine: Engine, ws: int, filters: Filters, query: VerbatimQuery, offset: int) -> VerbatimPage:
    fk, qk = _filters_key(filters), query.key()
    return _page(_key(engine), ws, fk, qk, PAGE_SIZE, offset, data_version(), engine, filters, query)


def comment_total(engine: Engine, ws: int, filters: Filters) -> int:
    """How many comments match the global filters."""
    return verbatim_page(engine, ws, filters, VerbatimQuery(), 0).total


def list_themes(engine: Engine, ws: int) -> list[Theme]:
    """The workspace's themes in display order (read fresh: the editor needs them current)."""
    return theme_store.list_themes(engine, ws)


@st.cache_data(max_entries=16, ttl=300, show_spinner=False)
def _outdated(url: str, ws: int, v: int, _engine: Engine) -> dict[str, int]:
    return verbatims.outdated_scores(_engine, ws)


def outdated_scores(engine: Engine, ws: int) -> dict[str, int]:
    """Comments scored by an earlier version of the analysers, by method (cached)."""
    return _outdated(_key(engine), ws, data_version(), engine)


@st.cache_data(max_entries=16, ttl=300, show_spinner=False)
def _tied(url: str, ws: int, v: int, _engine: Engine) -> int:
    return verbatims.tied_comment_count(_engine, ws)


def tied_comments(engine: Engine, ws: int) -> int:
    """How many comments are tied to a touchpoint (touchpoint/stage splits need some)."""
    return _tied(_key(engine), ws, data_version(), engine)


# -- chart clicks → verbatim filters --------------------------------------------------------------------------
def _picked(event: Any, name: str) -> list[dict[str, Any]]:
    try:
        return list(event["selection"][name] or [])
    except (KeyError, TypeError, AttributeError):
        return []


def _day(value: Any) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _set_from_pick(
    by: str, attribute: str | None, groups: list[str], labels: list[str], period: str, bounds: tuple[Any, Any]
) -> None:
    st.session_state[LABELS_KEY] = labels
    if by == "touchpoint":
        st.session_state[TOUCHPOINTS_KEY] = groups
    elif by == "stage":
        st.session_state[STAGES_KEY] = groups
    elif by == "segment" and attribute:
        st.session_state[SEG_ATTR_KEY] = attribute
        st.session_state[SEG_VALUES_KEY] = [g for g in groups if g != NO_VALUE]
    elif by == "theme":
        st.session_state[THEMES_KEY] = groups
    elif by == "period":
        lo, hi = _day(bounds[0]), _day(bounds[1])
        if lo is None or hi is None:
            return
        if groups:
            spans = [verbatims.period_query(g, period) for g in groups]
            start = min(_day(s.date_from) or lo for s in spans)
            end = max(_day(s.date_to) or hi for s in spans)
            st.session_state[DATES_KEY] = (max(start, lo), min(end, hi))
        else:
            st.session_state[DATES_KEY] = (lo, hi)


def apply_mix_pick(event: Any, by: str, attribute: str | None, period: str, bounds: tuple[Any, Any]) -> None:
    """A click on the sentiment chart filters the verbatims to its group and sentiment; clearing it resets them."""
    points = _picked(event, MIX_SELECTION)
    groups = list(dict.fromkeys(str(p["group"]) for p in points if "group" in p))
    labels = list(dict.fromkeys(str(p["label"]) for p in points if p.get("label") in LABELS))
    signature = (by, attribute, period, tuple(groups), tuple(labels))
    previous = st.session_state.get(LAST_PICK + "_mix")
    if previous == signature:
        return
    st.session_state[LAST_PICK + "_mix"] = signature
    if points:
        _set_from_pick(by, attribute, groups, labels, period, bounds)
    elif previous is not None and previous[3]:  # the selection was cleared: undo what it set
        _set_from_pick(previous[0], previous[1], [], [], previous[2], bounds)


def apply_theme_pick(event: Any) -> None:
    """A click on a theme bar filters the verbatims to that theme."""
    points = _picked(event, THEME_SELECTION)
    signature = tuple(sorted(str(p["theme"]) for p in points if "theme" in p))
    previous = st.session_state.get(LAST_PICK + "_theme")
    if previous == signature:
        return
    st.session_state[LAST_PICK + "_theme"] = signature
    if signature or previous:
        st.session_state[THEMES_KEY] = list(signature)


# -- writes ---------------------------------------------------------------------------------------------------
def _done(message: str) -> None:
    data_changed()
    st.session_state[state.FLASH] = message
    st.rerun()


def outdated_note(engine: Engine, ws: int) -> None:
    """Say so when comments carry scores an earlier version of the analysers wrote (an upgrade changed them)."""
    old = outdated_scores(engine, ws)
    if old:
        methods = ", ".join(f"{m} ({fmt_number(n)})" for m, n in old.items())
        key = "voice.outdated_editor" if can_edit() else "voice.outdated_viewer"
        st.info(t(key, n=fmt_number(sum(old.values())), methods=methods), icon="🔄")


def rescore_button(engine: Engine, ws: int) -> None:
    """Re-run sentiment for every comment of the workspace, with a progress bar."""
    if not can_edit():  # viewers read; only editors change stored data
        return
    if not st.button(t("voice.rescore"), key="voice_rescore", help=t("voice.rescore_help")):
        return
    from cxdash.analysis.rescoring import rescore_workspace

    bar = st.progress(0.0, text=t("voice.rescoring"))

    def progress(done: int, total: int) -> None:
        text = t("voice.rescored_progress", done=fmt_number(done), total=fmt_number(total))
        bar.progress(done / total if total else 1.0, text=text)

    n = rescore_workspace(engine, ws, progress)
    _done(t("voice.rescored", n=fmt_number(n)))


def theme_editor(engine: Engine, ws: int, themes: Sequence[Theme]) -> None:
    """Add, edit or delete a theme (name + keyword rules in English and Japanese); comments are re-tagged."""
    if not can_edit():
        return
    by_id = {int(t.id): t for t in themes if t.id is not None}
    options = [NEW_THEME, *by_id]
    if EDIT_THEME_NEXT in st.session_state:  # set by a save or a suggestion on the run before
        st.session_state[EDIT_THEME] = st.session_state.pop(EDIT_THEME_NEXT)
    if st.session_state.get(EDIT_THEME) not in options:
        st.session_state[EDIT_THEME] = NEW_THEME
    new_theme = t("voice.new_theme")
    chosen = st.selectbox(
        t("voice.theme"), options, key=EDIT_THEME, format_func=lambda i: new_theme if i == NEW_THEME else by_id[i].name
    )
    theme = by_id.get(chosen)
    with st.form(f"voice_theme_form_{chosen}", border=False):
        name = st.text_input(t("voice.theme_name"), value=theme.name if theme else "", key=f"voice_theme_name_{chosen}")
        left, right = st.columns(2)
        en = left.text_area(
            t("voice.rules_en"),
            value=theme.keywords_en if theme else "",
            key=f"voice_theme_en_{chosen}",
            help=t("voice.rules_en_help"),
        )
        ja = right.text_area(
            t("voice.rules_ja"),
            value=theme.keywords_ja if theme else "",
            key=f"voice_theme_ja_{chosen}",
            help=t("voice.rules_ja_help"),
        )
        save = st.form_submit_button(t("voice.save_theme"), type="primary")
    if save:
        try:
            saved = theme_store.save_theme(engine, ws, name, en, ja, theme_id=theme.id if theme else None)
        except CxdashError as error:
            show_error(error)
        else:
            st.session_state[EDIT_THEME_NEXT] = int(saved.id) if saved.id is not None else NEW_THEME
            _done(t("voice.theme_saved", name=saved.name))
    if theme is not None and st.button(t("voice.delete_theme", name=theme.name), key=f"voice_theme_delete_{chosen}"):
        theme_store.delete_theme(engine, ws, int(chosen))
        st.session_state[EDIT_THEME_NEXT] = NEW_THEME
        _done(t("voice.theme_deleted", name=theme.name))


def suggestion_list(engine: Engine, ws: int, table: pd.DataFrame) -> None:
    """Frequent phrases no theme covers, each with a button that makes it a theme."""
    for i, row in enumerate(table.itertuples(index=False)):
        term = str(row.term)
        example = str(row.examples[0]) if len(row.examples) else ""
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.markdown(
            verbatim_html(
                t("voice.suggestion", term=term, n=fmt_number(int(row.count))),
                (),
                [t("voice.for_example", example=example[:160])] if example else [],
                "cx-suggestion",
            ),
            unsafe_allow_html=True,
        )
        if right.button(
            t("voice.create_theme"),
            key=f"voice_suggest_{i}",
            help=t("voice.create_theme_help", term=term),
            disabled=not can_edit(),
        ):
            lang = language_of(term)
            try:
                saved = theme_store.save_theme(
                    engine, ws, term[:1].upper() + term[1:], term if lang == "en" else "", term if lang == "ja" else ""
                )
            except CxdashError as error:
                show_error(error)
            else:
                st.session_state[EDIT_THEME_NEXT] = int(saved.id) if saved.id is not None else NEW_THEME
                _done(t("voice.theme_created", name=saved.name))


# -- the verbatim browser ---------------------------------------------------------------------------------------
def _keep(key: str, options: Sequence[Any]) -> None:
    """Drop values a chart click or an old run left in a widget's state that are not among its options now."""
    if key in st.session_state:
        st.session_state[key] = [v for v in st.session_state[key] if v in options]


def verbatim_filters(
    themes: Sequence[Theme],
    touchpoints: Sequence[str],
    stages: Sequence[str],
    attributes: dict[str, list[str]],
    bounds: tuple[Any, Any],
) -> VerbatimQuery:
    """Search box and filters; returns the query they describe."""
    text = st.text_input(
        t("voice.search"), key=SEARCH, placeholder=t("voice.search_placeholder"), help=t("voice.search_help"),
    )  # fmt: skip
    bounds = (_day(bounds[0]), _day(bounds[1]))
    names = [t.name for t in themes]
    for key, options in (
        (LABELS_KEY, LABELS),
        (THEMES_KEY, names),
        (TOUCHPOINTS_KEY, touchpoints),
        (STAGES_KEY, stages),
    ):
        _keep(key, options)
    cols = st.columns(4 if touchpoints else 3)
    anyone = t("common.all")  # what an empty filter means
    labels = cols[0].multiselect(
        t("voice.sentiment"), LABELS, key=LABELS_KEY, format_func=shown_as(_shown, LABELS), placeholder=anyone
    )
    chosen_themes = cols[1].multiselect(t("voice.theme"), names, key=THEMES_KEY, placeholder=anyone)
    bands = cols[2].multiselect(
        t("voice.score_band"),
        SCORE_BANDS,
        key=BANDS_KEY,
        format_func=shown_as(band_name, SCORE_BANDS),
        placeholder=anyone,
    )
    chosen_tps: list[str] = []
    chosen_stages: list[str] = []
    if touchpoints:
        chosen_tps = cols[3].multiselect(
            t("voice.touchpoint"),
            touchpoints,
            key=TOUCHPOINTS_KEY,
            format_func=shown_as(_shown, touchpoints),
            placeholder=anyone,
        )
    query_attrs: dict[str, list[str]] = {}
    date_from = date_to = None
    lo, hi = bounds
    narrowed = st.session_state.get(DATES_KEY) not in (None, (lo, hi)) or bool(st.session_state.get(SEG_VALUES_KEY))
    with st.expander(t("voice.more_filters"), expanded=narrowed):
        c1, c2, c3 = st.columns(3)
        if lo is not None and hi is not None:
            if DATES_KEY not in st.session_state:
                st.session_state[DATES_KEY] = (lo, hi)
            picked = c1.date_input(t("voice.dates"), min_value=lo, max_value=hi, key=DATES_KEY)
            if isinstance(picked, tuple | list) and len(picked) == 2 and (picked[0], picked[1]) != (lo, hi):
                date_from, date_to = picked[0], picked[1]
        if attributes:
            if st.session_state.get(SEG_ATTR_KEY) not in attributes:
                st.session_state[SEG_ATTR_KEY] = next(iter(attributes))
            attr = c2.selectbox(t("voice.segment"), list(attributes), key=SEG_ATTR_KEY)
            _keep(SEG_VALUES_KEY, attributes[attr])
            values = c2.multiselect(
                t("voice.attribute_is", name=attr), attributes[attr], key=SEG_VALUES_KEY, placeholder=anyone
            )
            if values:
                query_attrs[attr] = list(values)
        if stages:
            chosen_stages = c3.multiselect(
                t("voice.journey_stage"),
                stages,
                key=STAGES_KEY,
                format_func=shown_as(_shown, stages),
                placeholder=anyone,
            )
    by_name = {t.name: int(t.id) for t in themes if t.id is not None}
    return VerbatimQuery(
        text=text or "",
        labels=tuple(labels),
        theme_ids=tuple(by_name[n] for n in chosen_themes if n in by_name),
        touchpoints=tuple(chosen_tps),
        stages=tuple(chosen_stages),
        score_bands=tuple(bands),
        date_from=date_from,
        date_to=date_to,
        attributes=query_attrs,
    )


def _meta(row: Any) -> list[str]:
    when = fmt_date(row.responded_at) if isinstance(row.responded_at, datetime | pd.Timestamp) else ""
    label = sentiment_name(row.label) if row.label else ""
    score = f"{label} ({row.compound:+.2f})" if row.label and pd.notna(row.compound) else label
    nps = t("voice.meta_nps", score=int(row.nps)) if pd.notna(row.nps) else ""
    tp = row.touchpoint if row.touchpoint != verbatims.NO_TOUCHPOINT else ""
    return [when, score, nps, tp, row.themes]


def verbatim_list(engine: Engine, ws: int, filters: Filters, query: VerbatimQuery) -> None:
    """The matching comments a page at a time, search terms highlighted, and the CSV export of all of them."""
    if st.session_state.get(LAST_QUERY) != query.key():
        st.session_state[LAST_QUERY] = query.key()
        st.session_state[PAGE_KEY] = 1
    page_no = max(1, int(st.session_state.get(PAGE_KEY, 1)))
    try:
        page = verbatim_page(engine, ws, filters, query, (page_no - 1) * PAGE_SIZE)
        pages = max(1, -(-page.total // PAGE_SIZE))
        if page_no > pages:  # the data shrank under an open page
            st.session_state[PAGE_KEY] = page_no = pages
            page = verbatim_page(engine, ws, filters, query, (page_no - 1) * PAGE_SIZE)
    except CxdashError as error:
        show_error(error)
        return
    head, pager, export = st.columns([3, 1, 1], vertical_alignment="bottom")
    first = page.offset + 1 if page.total else 0
    last = page.offset + len(page.rows)
    if page.total == 1:
        head.markdown(t("voice.matches_one"))
    else:
        head.markdown(t("voice.matches", n=fmt_number(page.total), first=fmt_number(first), last=fmt_number(last)))
    if pages > 1:
        pager.number_input(t("voice.page"), min_value=1, max_value=pages, step=1, key=PAGE_KEY)
    export.download_button(
        t("voice.export_csv"),
        data=lambda: to_safe_csv(verbatims.export_verbatims(engine, ws, filters, query)),
        file_name="verbatims.csv",
        mime="text/csv",
        key="voice_export",
        disabled=page.total == 0,
        help=t("voice.export_help"),
    )
    if page.rows.empty:
        st.info(t("voice.no_match"))
        return
    terms = verbatims.search_terms(query.text)
    blocks = "".join(verbatim_html(row.text, terms, _meta(row)) for row in page.rows.itertuples(index=False))
    with st.container(border=True):
        st.markdown(blocks, unsafe_allow_html=True)


def theme_table(summary: pd.DataFrame, with_change: bool) -> None:
    """Volume, share, share negative, change vs. the previous period and example comments per theme (as text)."""
    table = pd.DataFrame(
        {
            "theme": summary["theme"],
            "volume": summary["volume"],
            "share": summary["share"] * 100,
            "negative": summary["negative_share"] * 100,
            "change": summary["volume_change"],
            "change_pct": summary["volume_change_pct"] * 100,
            "examples": [" ⏐ ".join(str(e)[:140] for e in ex[:2]) for ex in summary["examples"]],
        }
    )
    if not with_change:
        table = table.drop(columns=["change", "change_pct"])
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=min(36 * (len(table) + 1) + 4, 620),
        column_config={
            "theme": st.column_config.TextColumn(t("voice.col_theme")),
            "volume": st.column_config.NumberColumn(t("voice.col_comments")),
            "share": st.column_config.NumberColumn(t("voice.col_share_pct"), format="%.1f%%"),
            "negative": st.column_config.ProgressColumn(
                t("voice.col_negative_pct"), format="%.0f%%", min_value=0, max_value=100
            ),
            "change": st.column_config.NumberColumn(
                t("voice.col_change"), format="%+d", help=t("voice.col_change_help")
            ),
            "change_pct": st.column_config.NumberColumn(t("voice.col_change_pct"), format="%+.0f%%"),
            "examples": st.column_config.TextColumn(t("voice.col_examples"), width="large"),
        },
    )


def terms_table(terms: pd.DataFrame, group_title: str) -> None:
    """Distinctive terms per group with their counts and an example comment (as text)."""
    table = pd.DataFrame(
        {
            "group": [_shown(g) for g in terms["group"]],
            "term": terms["term"],
            "count": terms["count"],
            "share": terms["share"] * 100,
            "score": terms["score"],
            "example": [str(ex[0])[:160] if len(ex) else "" for ex in terms["examples"]],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "group": st.column_config.TextColumn(group_title),
            "term": st.column_config.TextColumn(t("voice.col_term")),
            "count": st.column_config.NumberColumn(t("voice.col_comments")),
            "share": st.column_config.NumberColumn(t("voice.col_share_pct"), format="%.0f%%"),
            "score": st.column_config.NumberColumn(
                t("voice.col_distinctiveness"), format="%.1f", help=t("voice.col_distinctiveness_help")
            ),
            "example": st.column_config.TextColumn(t("voice.col_example"), width="large"),
        },
    )
