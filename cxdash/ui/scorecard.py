"""The balanced scorecard on the Overview: NPS, CSAT, CES, open follow-up cases and actions in progress for the
latest period, each with its change against the period before (same length, just before it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import streamlit as st
from sqlalchemy import Engine

from cxdash.analysis.metrics import Comparison, MetricValue, compare_means, compare_nps, compare_proportions
from cxdash.i18n import fmt_date, fmt_number, t
from cxdash.roles import format_scale
from cxdash.store import queries
from cxdash.store.actions import actions_in_progress_at
from cxdash.store.followup import open_cases_at
from cxdash.store.queries import CesScale, Filters
from cxdash.ui import data

PERIOD_DAYS = (30, 90)
FORMATS = {"nps": ("{:+.0f}", "{:+.1f}"), "csat": ("{:.1f}%", "{:+.1f}"), "ces": ("{:.2f}", "{:+.2f}")}


@dataclass(frozen=True)
class Scorecard:
    end: datetime  # exclusive end of the current period
    days: int
    current: dict[str, MetricValue]
    previous: dict[str, MetricValue]
    changes: dict[str, Comparison]
    open_cases: int
    open_cases_before: int
    actions_in_progress: int
    actions_in_progress_before: int


def scorecard(
    engine: Engine, workspace_id: int, filters: Filters, days: int, ces: CesScale | None = None
) -> Scorecard | None:
    """The last ``days`` up to the filter's end date (or the newest response) vs. the ``days`` before (CES on the
    workspace's CES scale, ``ces`` when known); None when the workspace has no dated responses."""
    lo, hi = queries.date_range(engine, workspace_id)
    last = filters.date_to or hi
    if last is None:
        return None
    last_day = last.date() if isinstance(last, datetime) else last
    assert isinstance(last_day, date)
    end = datetime.combine(last_day + timedelta(days=1), time.min)
    mid, start = end - timedelta(days=days), end - timedelta(days=2 * days)
    attrs, channels = filters.attributes, filters.channels
    cur_f = Filters(date_from=mid, date_to=end - timedelta(microseconds=1), attributes=attrs, channels=channels)
    prev_f = Filters(date_from=start, date_to=mid - timedelta(microseconds=1), attributes=attrs, channels=channels)
    ces = ces or queries.ces_scale(engine, workspace_id)
    cur, prev = (
        queries._kpi_sums(engine, workspace_id, cur_f, ces),
        queries._kpi_sums(engine, workspace_id, prev_f, ces),
    )
    current, previous = queries._metrics(cur), queries._metrics(prev)
    changes = {
        "nps": compare_nps(
            (cur["promoters"], cur["passives"], cur["detractors"]),
            (prev["promoters"], prev["passives"], prev["detractors"]),
        ),
        "csat": compare_proportions((cur["csat_top2"], cur["csat_n"]), (prev["csat_top2"], prev["csat_n"])),
        "ces": compare_means(
            (cur["ces_n"], cur["ces_sum"], cur["ces_sumsq"]), (prev["ces_n"], prev["ces_sum"], prev["ces_sumsq"])
        ),
    }
    return Scorecard(
        end=end,
        days=days,
        current=current,
        previous=previous,
        changes=changes,
        open_cases=open_cases_at(engine, workspace_id, end, filters),
        open_cases_before=open_cases_at(engine, workspace_id, mid, filters),
        actions_in_progress=actions_in_progress_at(engine, workspace_id, end),
        actions_in_progress_before=actions_in_progress_at(engine, workspace_id, mid),
    )


def _significance(c: Comparison) -> str:
    if c.p_value is None or c.low_n:
        return t("scorecard.small_sample")
    return t("scorecard.significant") if c.p_value < 0.05 else t("scorecard.not_significant")


def scorecard_section(engine: Engine, workspace_id: int, filters: Filters) -> None:
    """Draw the scorecard (a bordered row of five tiles) with its period choice."""
    with st.container(border=True):
        head, choice = st.columns([3, 1])
        head.markdown(f"**{t('scorecard.title')}**")
        days = choice.segmented_control(
            t("scorecard.period"),
            list(PERIOD_DAYS),
            default=PERIOD_DAYS[0],
            format_func=lambda d: t("scorecard.days", n=d),
            key="scorecard_days",
            label_visibility="collapsed",
        )
        ces = data.ces_scale(engine, workspace_id)
        card = scorecard(engine, workspace_id, filters, int(days or PERIOD_DAYS[0]), ces)
        if card is None:
            st.caption(t("scorecard.no_dates"))
            return
        cols = st.columns(5)
        for col, metric in zip(cols, ("nps", "csat", "ces"), strict=False):
            value_fmt, diff_fmt = FORMATS[metric]
            mv, change = card.current[metric], card.changes[metric]
            delta = None if change.diff is None else diff_fmt.format(change.diff)
            flat = delta is not None and float(delta.rstrip("%")) == 0  # "-0.00": no change at the shown precision
            col.metric(
                t(f"scorecard.{metric}", scale=format_scale(ces.scale)),
                "—" if mv.value is None else value_fmt.format(mv.value),
                "±" + delta.lstrip("+-") if flat and delta else delta,
                delta_color="off" if flat else "normal",
                delta_arrow="off" if flat else "auto",
                help=t("scorecard.metric_help", n=fmt_number(mv.n), n_before=fmt_number(change.n_b)),
            )
            col.caption(_significance(change) if change.diff is not None else t("scorecard.no_answers"))
        opened = card.open_cases - card.open_cases_before
        started = card.actions_in_progress - card.actions_in_progress_before
        cols[3].metric(
            t("scorecard.open_cases"),
            fmt_number(card.open_cases),
            f"{opened:+d}" if opened else "±0",
            delta_color="inverse" if opened else "off",
            delta_arrow="auto" if opened else "off",
            help=t("scorecard.open_cases_help"),
        )
        cols[4].metric(
            t("scorecard.actions"),
            fmt_number(card.actions_in_progress),
            f"{started:+d}" if started else "±0",
            delta_color="off",
            delta_arrow="auto" if started else "off",
            help=t("scorecard.actions_help"),
        )
        st.caption(
            t(
                "scorecard.caption",
                days=card.days,
                start=fmt_date(card.end - timedelta(days=card.days)),
                end=fmt_date(card.end - timedelta(days=1)),
            )
        )
