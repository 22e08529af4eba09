"""Widgets and cached computations of the drivers page ("moments of truth").

Cached results are keyed like ``cxdash.ui.data``: (store URL, workspace, filters, data version) plus the settings,
never an engine; the analysis object (with its bootstrap draws) is cached so that what-if and reruns are fast.
Results that carry text for the reader (warnings, the treatment of missing answers) are keyed on the interface
language too; spinners are drawn around the cached calls so that their text follows the language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass, replace
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from cxdash.analysis.drivers import (
    MIN_CASES,
    DriverAnalysis,
    WhatIfBasis,
    analyse_drivers,
    compare_groups,
    compare_methods,
    what_if,
    what_if_basis,
)
from cxdash.i18n import current_language, fmt_date, fmt_number, fmt_signed, shared_decimals, t
from cxdash.roles import format_scale
from cxdash.store import drivers_data
from cxdash.store.frames import touchpoint_scales
from cxdash.store.queries import CES_MAX, CES_MIN, DEFAULT_CSAT_MAX, DEFAULT_CSAT_MIN, Filters
from cxdash.ui.data import _filters_key, _key, ces_scale, csat_scale, touchpoint_comments
from cxdash.ui.labels import shown_as
from cxdash.ui.resources import data_version
from cxdash.ui.text import literal
from cxdash.viz.drivers_chart import METHODS, PICK, method_names
from cxdash.viz.voice_charts import sentiment_name

CHART_KEY = "drivers_chart"
FOCUS_KEY = "drivers_focus"
OUTCOMES = ("nps", "csat", "ces", drivers_data.PROMOTER)
RULES = ("mean", "median", "midpoint", "custom")
MISSING = ("complete", "mean")
RESAMPLES = [0, 200, 500, 1000, 2000]
WHAT_IF_KINDS = ("delta", "halve")


@dataclass(frozen=True)
class DriverSettings:
    """Everything the analysis depends on besides the data: hashable, so it can key a cache."""

    outcome: str
    drivers: tuple[str, ...]
    method: str = "lmg"
    bootstrap: int = 1000
    seed: int = 0
    quadrant: str | tuple[str | float, str | float] = "mean"
    missing: str = "complete"
    attributes: tuple[str, ...] = ()


def outcome_label(
    outcome: str,
    ces_scale: tuple[int, int] = (CES_MIN, CES_MAX),
    csat_scale: tuple[int, int] = (DEFAULT_CSAT_MIN, DEFAULT_CSAT_MAX),
) -> str:
    """An outcome's name in the current language (a numeric attribute keeps its own name; CSAT and CES name the
    scale they are read on)."""
    names = {
        "nps": t("drivers.outcome_nps"),
        "csat": t("drivers.outcome_csat", scale=format_scale(csat_scale)),
        "ces": t("drivers.outcome_ces", scale=format_scale(ces_scale)),
        drivers_data.PROMOTER: t("drivers.outcome_promoter"),
    }
    return names.get(outcome, outcome)


def rule_label(rule: str) -> str:
    """Where the quadrant lines go ('mean', 'median', 'midpoint', 'custom') in the current language."""
    names = {
        "mean": t("drivers.rule_mean"),
        "median": t("drivers.rule_median"),
        "midpoint": t("drivers.rule_midpoint"),
        "custom": t("drivers.rule_custom"),
    }
    return names.get(rule, rule)


def missing_label(missing: str) -> str:
    """How missing answers are treated ('complete', 'mean') in the current language."""
    names = {"complete": t("drivers.missing_complete"), "mean": t("drivers.missing_mean")}
    return names.get(missing, missing)


def what_if_kind_label(kind: str) -> str:
    return t("drivers.whatif_delta") if kind == "delta" else t("drivers.whatif_halve")


def split_by_coverage(
    frame: pd.DataFrame, touchpoints: Sequence[str], share: float = 0.5
) -> tuple[list[str], list[str]]:
    """Touchpoints rated by at least ``share`` of the responses, and the others."""
    n = max(len(frame), 1)
    rated = {t: frame[t].notna().sum() / n if t in frame.columns else 0.0 for t in touchpoints}
    return [t for t in touchpoints if rated[t] >= share], [t for t in touchpoints if rated[t] < share]


def controls(engine: Engine, workspace_id: int, touchpoints: Sequence[str], frame: pd.DataFrame) -> DriverSettings:
    """The analysis settings: outcome, method, touchpoints, quadrant split, missing answers, resamples, seed."""
    numeric = numeric_attributes(engine, workspace_id)
    outcomes = [o for o in OUTCOMES if o in frame.columns and frame[o].nunique() >= 2] + numeric
    if not outcomes:
        outcomes = ["nps"]
    c1, c2, c3 = st.columns([2, 2, 3])
    ces, csat = ces_scale(engine, workspace_id).scale, csat_scale(engine, workspace_id)
    outcome = c1.selectbox(
        t("drivers.outcome"),
        outcomes,
        format_func=shown_as(lambda o: outcome_label(o, ces, csat), outcomes),
        key="drivers_outcome",
        help=t("drivers.outcome_help"),
    )
    names = method_names()
    method = c2.selectbox(
        t("drivers.method"),
        list(METHODS),
        format_func=names.__getitem__,
        key="drivers_method",
        help=t("drivers.method_help"),
    )
    common, rare = split_by_coverage(frame, touchpoints)
    chosen = c3.multiselect(
        t("drivers.touchpoints"),
        list(touchpoints),
        default=common or list(touchpoints),
        key="drivers_touchpoints",
        help=t("drivers.touchpoints_help"),
        placeholder=t("common.choose"),
    )
    if rare and common:
        c3.caption(t("drivers.rarely_rated", touchpoints=literal(", ".join(rare))))
    c4, c5, c6, c7 = st.columns([2, 2, 2, 1])
    rule = c4.selectbox(
        t("drivers.quadrant_split"), list(RULES), format_func=shown_as(rule_label, RULES), key="drivers_rule"
    )
    quadrant: Any = rule
    if rule == "custom":
        imp = c4.number_input(t("drivers.impact_threshold"), value=None, format="%.3f", key="drivers_t_impact")
        score = c4.number_input(t("drivers.score_threshold"), value=None, format="%.2f", key="drivers_t_score")
        quadrant = ("mean" if imp is None else float(imp), "mean" if score is None else float(score))
    missing = c5.selectbox(
        t("drivers.missing"),
        list(MISSING),
        format_func=shown_as(missing_label, MISSING),
        key="drivers_missing",
        help=t("drivers.missing_help"),
    )
    bootstrap = c6.selectbox(
        t("drivers.bootstrap"),
        RESAMPLES,
        index=RESAMPLES.index(1000),
        format_func=fmt_number,
        key="drivers_bootstrap",
        help=t("drivers.bootstrap_help"),
    )
    seed = c7.number_input(t("drivers.seed"), value=0, min_value=0, step=1, key="drivers_seed")
    attrs = (outcome,) if outcome in numeric else ()
    return DriverSettings(outcome, tuple(chosen), method, int(bootstrap), int(seed), quadrant, missing, attrs)


@st.cache_data(max_entries=32, ttl=600, show_spinner=False)
def _frame(
    url: str, ws: int, fkey: tuple[Any, ...], attrs: tuple[str, ...], version: int, _engine: Engine, _filters: Filters
) -> pd.DataFrame:
    return drivers_data.driver_frame(_engine, ws, _filters, attrs)


def frame(engine: Engine, ws: int, filters: Filters, attributes: Sequence[str] = ()) -> pd.DataFrame:
    """The analysis frame (responses × outcomes and touchpoint ratings), cached."""
    return _frame(_key(engine), ws, _filters_key(filters), tuple(attributes), data_version(), engine, filters)


@st.cache_data(max_entries=16, ttl=600, show_spinner=False)
def _numeric(url: str, ws: int, version: int, _engine: Engine) -> list[str]:
    return drivers_data.numeric_attributes(_engine, ws)


def numeric_attributes(engine: Engine, ws: int) -> list[str]:
    """Segment attributes whose values are all numbers (possible outcomes), cached."""
    return _numeric(_key(engine), ws, data_version(), engine)


@st.cache_data(max_entries=16, ttl=600, show_spinner=False)
def _scales(url: str, ws: int, version: int, _engine: Engine) -> dict[str, tuple[int, int]]:
    return touchpoint_scales(_engine, ws)


def scales(engine: Engine, ws: int) -> dict[str, tuple[int, int]]:
    """Touchpoint name → (scale min, max) in journey order, cached."""
    return _scales(_key(engine), ws, data_version(), engine)


@st.cache_data(max_entries=32, ttl=600, show_spinner=False)
def _analysis(
    url: str,
    ws: int,
    fkey: tuple[Any, ...],
    skey: tuple[Any, ...],
    version: int,
    language: str,
    _engine: Engine,
    _filters: Filters,
    _s: DriverSettings,
) -> DriverAnalysis:
    data = frame(_engine, ws, _filters, _s.attributes)  # the cached frame the controls were drawn from
    sc = {k: v for k, v in touchpoint_scales(_engine, ws).items() if k in _s.drivers}
    return analyse_drivers(
        data,
        _s.outcome,
        list(_s.drivers),
        _s.method,
        _s.bootstrap,
        _s.seed,
        scales=sc,
        quadrant=_s.quadrant,
        missing=_s.missing,
    )


def analysis(engine: Engine, ws: int, filters: Filters, settings: DriverSettings) -> DriverAnalysis:
    """The driver analysis for these settings, cached (raises InputRefused with an actionable message)."""
    with st.spinner(t("drivers.spinner_analysis")):
        return _analysis(
            _key(engine),
            ws,
            _filters_key(filters),
            astuple(settings),
            data_version(),
            current_language(),
            engine,
            filters,
            settings,
        )


@st.cache_data(max_entries=8, ttl=600, show_spinner=False)  # up to 8 MB each (KEEP_CELLS)
def _what_if_basis(
    url: str, ws: int, fkey: tuple[Any, ...], skey: tuple[Any, ...], version: int, driver: str,
    _result: DriverAnalysis,
) -> WhatIfBasis:  # fmt: skip
    return what_if_basis(_result, driver)  # the resamples once per driver: each Δ after the first is instant


@st.cache_data(max_entries=64, ttl=600, show_spinner=False)
def _what_if(
    url: str,
    ws: int,
    fkey: tuple[Any, ...],
    skey: tuple[Any, ...],
    version: int,
    driver: str,
    delta: float | None,
    halve: bool,
    _result: DriverAnalysis,
) -> dict[str, Any]:
    basis = _what_if_basis(url, ws, fkey, skey, version, driver, _result)
    return what_if(_result, driver, delta=delta, halve_bottom_box=halve, basis=basis)


def what_if_estimate(
    engine: Engine,
    ws: int,
    filters: Filters,
    settings: DriverSettings,
    result: DriverAnalysis,
    driver: str,
    delta: float | None,
    halve: bool,
) -> dict[str, Any]:
    """What-if estimate (with bootstrap interval) for one driver, cached; ``what_if_text`` words it."""
    with st.spinner(t("drivers.spinner_what_if")):
        return _what_if(
            _key(engine), ws, _filters_key(filters), astuple(settings), data_version(), driver, delta, halve, result
        )


def _signed(value: float | None, digits: int) -> str:
    """A signed number for prose with ``digits`` decimals; 'n/a' when undefined."""
    if value is None or value != value:
        return t("drivers.na")
    return fmt_signed(value, digits)  # -0.04 at one decimal reads +0.0, not -0.0


def what_if_text(
    estimate: dict[str, Any], delta: float | None, scale: tuple[float, float] | None, outcome: str | None = None
) -> str:
    """The what-if estimate as one sentence in the current language (scenario, change, intervals, caveat);
    ``outcome``: the outcome's name as the page shows it (by default ``outcome_label``'s)."""
    driver = literal(estimate["driver"])  # shown with st.info: a touchpoint name must not act as Markdown
    lo, hi = scale if scale is not None else (float("nan"), float("nan"))
    if delta is not None:
        scenario = t("drivers.scenario_delta", driver=driver, delta=f"{delta:+g}", lo=f"{lo:g}", hi=f"{hi:g}")
    else:
        scenario = t("drivers.scenario_halve", driver=driver, lo=f"{lo:g}", lo1=f"{lo + 1:g}", mid=f"{(lo + hi) / 2:g}")
    ci = estimate.get("ci95") or [None, None]
    digits = shared_decimals(estimate["outcome_change"], *ci)
    text = t(
        "drivers.estimate",
        scenario=scenario,
        outcome=outcome or outcome_label(str(estimate["outcome"])),
        change=_signed(estimate["outcome_change"], digits),
        lo=_signed(ci[0], digits),
        hi=_signed(ci[1], digits),
    )
    if estimate.get("nps_change") is not None:
        nci = estimate.get("nps_ci95") or [None, None]
        text += t(
            "drivers.estimate_nps",
            change=_signed(estimate["nps_change"], 1),
            lo=_signed(nci[0], 1),
            hi=_signed(nci[1], 1),
        )
    return text + t("drivers.estimate_caveat")


@st.cache_data(max_entries=16, ttl=600, show_spinner=False)
def _methods(
    url: str,
    ws: int,
    fkey: tuple[Any, ...],
    skey: tuple[Any, ...],
    version: int,
    _engine: Engine,
    _filters: Filters,
    _s: DriverSettings,
) -> pd.DataFrame:
    data = frame(_engine, ws, _filters, _s.attributes)  # the cached frame the controls were drawn from
    sc = {k: v for k, v in touchpoint_scales(_engine, ws).items() if k in _s.drivers}
    return compare_methods(data, _s.outcome, list(_s.drivers), scales=sc, missing=_s.missing)


def methods(engine: Engine, ws: int, filters: Filters, settings: DriverSettings) -> pd.DataFrame:
    """Importance and rank of every method (attrs: kendall_w, rank_agreement), cached."""
    s = replace(settings, method="", bootstrap=0, seed=0, quadrant="mean")
    with st.spinner(t("drivers.spinner_methods")):
        return _methods(_key(engine), ws, _filters_key(filters), astuple(s), data_version(), engine, filters, s)


def _with(filters: Filters, attribute: str, value: str) -> Filters:
    return replace(filters, attributes={**filters.attributes, attribute: [value]})


@st.cache_data(max_entries=16, ttl=600, show_spinner=False)
def _groups(
    url: str,
    ws: int,
    fkey: tuple[Any, ...],
    skey: tuple[Any, ...],
    version: int,
    attribute: str,
    a: str,
    b: str,
    _engine: Engine,
    _filters: Filters,
    _s: DriverSettings,
) -> pd.DataFrame:
    sc = {k: v for k, v in touchpoint_scales(_engine, ws).items() if k in _s.drivers}
    fa = frame(_engine, ws, _with(_filters, attribute, a), _s.attributes)
    fb = frame(_engine, ws, _with(_filters, attribute, b), _s.attributes)
    return compare_groups(
        fa,
        fb,
        _s.outcome,
        list(_s.drivers),
        _s.method,
        _s.bootstrap,
        _s.seed,
        labels=(a, b),
        scales=sc,
        missing=_s.missing,
    )


def groups(
    engine: Engine, ws: int, filters: Filters, settings: DriverSettings, attribute: str, a: str, b: str
) -> pd.DataFrame:
    """Importance and score of each driver in group A vs. B (attribute = value) with bootstrap differences."""
    with st.spinner(t("drivers.spinner_groups")):
        return _groups(
            _key(engine),
            ws,
            _filters_key(filters),
            astuple(settings),
            data_version(),
            attribute,
            a,
            b,
            engine,
            filters,
            settings,
        )


def group_table(diff: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """The two-segment comparison as shown and downloaded: headers in the user's language, each difference beside its
    95% interval, and a group under MIN_CASES answers marked (its impact is little more than noise)."""
    shown = pd.DataFrame(index=pd.Index(diff.index, name=t("drivers.col_touchpoint")))
    for key, what in (("importance", t("drivers.col_impact")), ("score", t("drivers.col_score"))):
        for group in (a, b):
            shown[t("drivers.col_in_group", what=what, group=group)] = diff[f"{key}_{group}"]
        shown[t("drivers.col_difference", what=what, a=a, b=b)] = diff[f"{key}_diff"]
        if f"{key}_diff_lo" in diff:
            shown[t("drivers.col_difference_ci", what=what)] = [
                t("drivers.interval", lo=fmt_signed(lo, 3), hi=fmt_signed(hi, 3))
                for lo, hi in zip(diff[f"{key}_diff_lo"], diff[f"{key}_diff_hi"], strict=True)
            ]
    for group in (a, b):
        n = diff[f"n_{group}"].astype(int)
        shown[t("drivers.col_n_group", group=group)] = [
            fmt_number(v) + (f" {t('drivers.few_answers')}" if v < MIN_CASES else "") for v in n
        ]
    return shown


def sync_focus_from_chart() -> None:
    """Chart click callback: the clicked touchpoint becomes the focus (the selectbox below the chart)."""
    event = st.session_state.get(CHART_KEY)
    picked = (event or {}).get("selection", {}).get(PICK) if event else None
    if isinstance(picked, list) and picked and isinstance(picked[0], dict) and picked[0].get("name"):
        st.session_state[FOCUS_KEY] = str(picked[0]["name"])
    elif isinstance(picked, dict) and picked.get("name"):
        name = picked["name"]
        st.session_state[FOCUS_KEY] = str(name[0] if isinstance(name, list) else name)


def focus_picker(report: dict[str, Any]) -> str:
    """Selectbox of the touchpoint in focus (set by a click on the chart); defaults to the surest 'fix first'."""
    names = [d["name"] for d in report["drivers"]]
    if st.session_state.get(FOCUS_KEY) not in names:
        fix = [d for d in report["drivers"] if d["quadrant"] == "Fix first"]
        best = max(fix or report["drivers"], key=lambda d: (d["p_fix_first"] or 0, d["importance"] or 0))
        st.session_state[FOCUS_KEY] = best["name"]
    return str(st.selectbox(t("drivers.focus_picker"), names, key=FOCUS_KEY))


@st.cache_data(max_entries=64, ttl=600, show_spinner=False)
def _focus(
    url: str, ws: int, fkey: tuple[Any, ...], version: int, touchpoint: str, _engine: Engine, _filters: Filters
) -> tuple[pd.DataFrame, pd.DataFrame, int, pd.DataFrame]:
    trend = drivers_data.touchpoint_trend(_engine, ws, touchpoint, _filters)
    read = touchpoint_comments(_engine, ws, _filters)  # read once for every touchpoint clicked
    comments, total = drivers_data.touchpoint_comments(_engine, ws, touchpoint, _filters, comments=read)
    themes = drivers_data.touchpoint_themes(_engine, ws, touchpoint, _filters, total, comments=read)
    return trend, comments, total, themes


def focus_data(
    engine: Engine, ws: int, filters: Filters, touchpoint: str
) -> tuple[pd.DataFrame, pd.DataFrame, int, pd.DataFrame]:
    """(monthly trend, a few verbatims, how many verbatims, themes) of a touchpoint, cached."""
    return _focus(_key(engine), ws, _filters_key(filters), data_version(), touchpoint, engine, filters)


def show_verbatims(comments: pd.DataFrame, total: int) -> None:
    """Comments as plain text (never HTML or Markdown), most negative first."""
    if comments.empty:
        st.caption(t("drivers.no_comments"))
        return
    st.caption(t("drivers.comments_shown", shown=fmt_number(len(comments)), total=fmt_number(total)))
    for row in comments.itertuples():
        with st.container(border=True):
            st.text(str(row.text))
            when = fmt_date(pd.Timestamp(row.responded_at)) if pd.notna(row.responded_at) else t("drivers.undated")
            label = sentiment_name(str(row.label)) if row.label else t("drivers.unscored")
            times = int(getattr(row, "times", 1) or 1)
            said = f" · {t('drivers.written_times', n=fmt_number(times))}" if times > 1 else ""
            st.caption(f"{label} · {when}{said}")
