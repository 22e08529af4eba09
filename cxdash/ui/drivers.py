"""Widgets and cached computations of the drivers page ("moments of truth").

Cached results are keyed like ``cxdash.ui.data``: (store URL, workspace, filters, data version) plus the settings,
never an engine; the analysis object (with its bootstrap draws) is cached so that what-if and reruns are fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass, replace
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from cxdash.analysis.drivers import DriverAnalysis, analyse_drivers, compare_groups, compare_methods, what_if
from cxdash.store import drivers_data
from cxdash.store.frames import touchpoint_scales
from cxdash.store.queries import Filters
from cxdash.ui.data import _filters_key, _key
from cxdash.ui.resources import data_version
from cxdash.viz.drivers_chart import METHOD_NAMES, PICK

CHART_KEY = "drivers_chart"
FOCUS_KEY = "drivers_focus"
OUTCOMES = {"nps": "NPS answer (0–10)", "csat": "CSAT answer", drivers_data.PROMOTER: "Promoter (NPS ≥ 9)"}
RULES = {"mean": "Means", "median": "Medians", "midpoint": "Scale midpoint", "custom": "Custom values"}
MISSING = {"complete": "Complete cases", "mean": "Mean imputation"}
RESAMPLES = [0, 200, 500, 1000, 2000]


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


def outcome_label(outcome: str) -> str:
    return OUTCOMES.get(outcome, outcome)


def split_by_coverage(
    frame: pd.DataFrame, touchpoints: Sequence[str], share: float = 0.5
) -> tuple[list[str], list[str]]:
    """Touchpoints rated by at least ``share`` of the responses, and the others."""
    n = max(len(frame), 1)
    rated = {t: frame[t].notna().sum() / n if t in frame.columns else 0.0 for t in touchpoints}
    return [t for t in touchpoints if rated[t] >= share], [t for t in touchpoints if rated[t] < share]


def controls(engine: Engine, workspace_id: int, touchpoints: Sequence[str], frame: pd.DataFrame) -> DriverSettings:
    """The analysis settings: outcome, method, touchpoints, quadrant split, missing answers, resamples, seed."""
    numeric = drivers_data.numeric_attributes(engine, workspace_id)
    outcomes = [o for o in OUTCOMES if o in frame.columns and frame[o].nunique() >= 2] + numeric
    if not outcomes:
        outcomes = ["nps"]
    c1, c2, c3 = st.columns([2, 2, 3])
    outcome = c1.selectbox(
        "Outcome",
        outcomes,
        format_func=outcome_label,
        key="drivers_outcome",
        help="What the touchpoints should explain: loyalty by default.",
    )
    method = c2.selectbox(
        "Method",
        list(METHOD_NAMES),
        format_func=METHOD_NAMES.__getitem__,
        key="drivers_method",
        help="Shapley/LMG and relative weights share overlapping drivers fairly; betas and "
        "correlations are shown for comparison.",
    )
    common, rare = split_by_coverage(frame, touchpoints)
    chosen = c3.multiselect(
        "Touchpoints",
        list(touchpoints),
        default=common or list(touchpoints),
        key="drivers_touchpoints",
        help="Touchpoints rated by fewer than half of the respondents start unselected: with complete cases "
        "they would leave only the few who rated everything.",
    )
    if rare and common:
        c3.caption("Rated by fewer than half, left out by default: " + ", ".join(rare) + ".")
    c4, c5, c6, c7 = st.columns([2, 2, 2, 1])
    rule = c4.selectbox("Quadrant split at", list(RULES), format_func=RULES.__getitem__, key="drivers_rule")
    quadrant: Any = rule
    if rule == "custom":
        imp = c4.number_input("Impact threshold (blank = mean)", value=None, format="%.3f", key="drivers_t_impact")
        score = c4.number_input("Score threshold (blank = mean)", value=None, format="%.2f", key="drivers_t_score")
        quadrant = ("mean" if imp is None else float(imp), "mean" if score is None else float(score))
    missing = c5.selectbox(
        "Missing answers",
        list(MISSING),
        format_func=MISSING.__getitem__,
        key="drivers_missing",
        help="Complete cases use only responses rating every chosen touchpoint; mean imputation "
        "fills a blank with the touchpoint's mean (keeps n, shrinks impacts).",
    )
    bootstrap = c6.selectbox(
        "Bootstrap resamples",
        RESAMPLES,
        index=RESAMPLES.index(1000),
        key="drivers_bootstrap",
        help="1,000 for reporting; 200 is quicker while exploring. 0 = no intervals.",
    )
    seed = c7.number_input("Seed", value=0, min_value=0, step=1, key="drivers_seed")
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
def _scales(url: str, ws: int, version: int, _engine: Engine) -> dict[str, tuple[int, int]]:
    return touchpoint_scales(_engine, ws)


def scales(engine: Engine, ws: int) -> dict[str, tuple[int, int]]:
    """Touchpoint name → (scale min, max) in journey order, cached."""
    return _scales(_key(engine), ws, data_version(), engine)


@st.cache_data(max_entries=32, ttl=600, show_spinner="Computing driver importance with bootstrap intervals…")
def _analysis(
    url: str,
    ws: int,
    fkey: tuple[Any, ...],
    skey: tuple[Any, ...],
    version: int,
    _engine: Engine,
    _filters: Filters,
    _s: DriverSettings,
) -> DriverAnalysis:
    data = drivers_data.driver_frame(_engine, ws, _filters, _s.attributes)
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
    return _analysis(
        _key(engine), ws, _filters_key(filters), astuple(settings), data_version(), engine, filters, settings
    )


@st.cache_data(max_entries=64, ttl=600, show_spinner="Estimating…")
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
    return what_if(_result, driver, delta=delta, halve_bottom_box=halve)


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
    """What-if estimate (with bootstrap interval) for one driver, cached."""
    return _what_if(
        _key(engine), ws, _filters_key(filters), astuple(settings), data_version(), driver, delta, halve, result
    )


@st.cache_data(max_entries=16, ttl=600, show_spinner="Comparing methods…")
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
    data = drivers_data.driver_frame(_engine, ws, _filters, _s.attributes)
    sc = {k: v for k, v in touchpoint_scales(_engine, ws).items() if k in _s.drivers}
    return compare_methods(data, _s.outcome, list(_s.drivers), scales=sc, missing=_s.missing)


def methods(engine: Engine, ws: int, filters: Filters, settings: DriverSettings) -> pd.DataFrame:
    """Importance and rank of every method (attrs: kendall_w, rank_agreement), cached."""
    s = replace(settings, method="", bootstrap=0, seed=0, quadrant="mean")
    return _methods(_key(engine), ws, _filters_key(filters), astuple(s), data_version(), engine, filters, s)


def _with(filters: Filters, attribute: str, value: str) -> Filters:
    return replace(filters, attributes={**filters.attributes, attribute: [value]})


@st.cache_data(max_entries=16, ttl=600, show_spinner="Comparing the two groups…")
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
    fa = drivers_data.driver_frame(_engine, ws, _with(_filters, attribute, a), _s.attributes)
    fb = drivers_data.driver_frame(_engine, ws, _with(_filters, attribute, b), _s.attributes)
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
    return str(st.selectbox("Touchpoint in focus (or click a point on the chart)", names, key=FOCUS_KEY))


@st.cache_data(max_entries=64, ttl=600, show_spinner=False)
def _focus(
    url: str, ws: int, fkey: tuple[Any, ...], version: int, touchpoint: str, _engine: Engine, _filters: Filters
) -> tuple[pd.DataFrame, pd.DataFrame, int, pd.DataFrame]:
    trend = drivers_data.touchpoint_trend(_engine, ws, touchpoint, _filters)
    comments, total = drivers_data.touchpoint_comments(_engine, ws, touchpoint, _filters)
    themes = drivers_data.touchpoint_themes(_engine, ws, touchpoint, _filters)
    return trend, comments, total, themes


def focus_data(
    engine: Engine, ws: int, filters: Filters, touchpoint: str
) -> tuple[pd.DataFrame, pd.DataFrame, int, pd.DataFrame]:
    """(monthly trend, a few verbatims, how many verbatims, themes) of a touchpoint, cached."""
    return _focus(_key(engine), ws, _filters_key(filters), data_version(), touchpoint, engine, filters)


def show_verbatims(comments: pd.DataFrame, total: int) -> None:
    """Comments as plain text (never HTML or Markdown), most negative first."""
    if comments.empty:
        st.caption("No comment mentions this touchpoint.")
        return
    st.caption(f"{len(comments)} of {total} comments about it, most negative first (repeated texts shown once).")
    for row in comments.itertuples():
        with st.container(border=True):
            st.text(str(row.text))
            when = pd.Timestamp(row.responded_at).strftime("%d %b %Y") if pd.notna(row.responded_at) else "undated"
            st.caption(f"{row.label or 'unscored'} · {when}")
