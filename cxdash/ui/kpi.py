"""KPI tiles: value, n and the 95% interval, with a plain warning when n is small."""

from __future__ import annotations

from typing import Any

import streamlit as st
from sqlalchemy import Engine

from cxdash.i18n import fmt_number, t
from cxdash.roles import format_scale
from cxdash.store.queries import CesScale, set_ces_scale
from cxdash.ui.auth import can_edit
from cxdash.ui.resources import data_changed

FORMATS = {"nps": "{:+.0f}", "csat": "{:.1f}%", "ces": "{:.2f}"}


def tiles(ces: CesScale | None = None) -> list[tuple[str, str, str, str]]:
    """(metric, label, value format, help text) of each tile, in the current language (CES on ``ces``)."""
    scale = format_scale((ces or CesScale()).scale)
    return [
        ("nps", t("kpi.label_nps"), FORMATS["nps"], t("kpi.help_nps")),
        ("csat", t("kpi.label_csat"), FORMATS["csat"], t("kpi.help_csat")),
        ("ces", t("kpi.label_ces_on", scale=scale), FORMATS["ces"], t("kpi.help_ces", scale=scale)),
    ]


def rescaled_note(ces: CesScale) -> str | None:
    """'CES on 1–5, the scale of 900 answers; those on other scales (100 on 1–7) are rescaled onto it.' when some of
    the workspace's CES answers were given on another scale (or the team chose the scale), else None."""
    if not ces.others and not ces.chosen:
        return None
    if not ces.others:  # chosen, and every answer on it
        return t("kpi.chosen_only", scale=format_scale(ces.scale))
    others = ", ".join(t("kpi.rescaled_one", n=fmt_number(n), scale=format_scale(s)) for s, n in ces.others)
    key = "kpi.rescaled_chosen" if ces.chosen else "kpi.rescaled"
    return t(key, scale=format_scale(ces.scale), main=fmt_number(ces.on_scale), others=others)


AUTO = "auto"


def ces_scale_choice(engine: Engine, workspace_id: int, ces: CesScale) -> None:
    """Where a workspace's CES answers are on more than one scale (a survey that changed), an editor chooses the
    one CES is reported on: the scale of most answers (the default) or any scale its answers have."""
    if not (ces.others or ces.chosen) or not can_edit():
        return
    options: list[Any] = [AUTO, *dict.fromkeys([*ces.answered_scales, ces.scale])]
    names = {AUTO: t("kpi.ces_scale_auto")} | {s: format_scale(s) for s in options[1:]}
    picked = st.selectbox(
        t("kpi.ces_scale_choice"),
        options,
        index=options.index(ces.scale) if ces.chosen else 0,
        format_func=lambda o: names.get(o, str(o)),
        key=f"overview_ces_scale_{workspace_id}",  # per workspace: a choice never carries over to another
        help=t("kpi.ces_scale_help"),
        width=320,
    )
    wanted = None if picked == AUTO else picked
    if wanted != (ces.scale if ces.chosen else None):
        set_ces_scale(engine, workspace_id, wanted)
        data_changed()
        st.rerun()


def kpi_tiles(kpis: dict[str, Any], ces: CesScale | None = None) -> None:
    """Three bordered tiles: NPS, CSAT, CES (on ``ces``), each with n and its 95% interval."""
    specs = tiles(ces)
    for column, (key, label, fmt, help_text) in zip(st.columns(len(specs)), specs, strict=True):
        metric = kpis.get(key)
        with column:
            if metric is None or metric.value is None:
                st.metric(label, "—", help=help_text, border=True)
                st.caption(t("kpi.no_answers"))
                continue
            st.metric(label, fmt.format(metric.value), help=help_text, border=True)
            lo, hi = metric.ci95 if metric.ci95 else (None, None)
            interval = (
                t("kpi.interval", lo=fmt.format(lo), hi=fmt.format(hi)) if lo is not None else t("kpi.no_interval")
            )
            parts = [t("kpi.n", n=fmt_number(metric.n)), interval]
            if getattr(metric, "low_n", False):
                parts.append(t("kpi.small_sample"))
            st.caption(" · ".join(parts))
    note = rescaled_note(ces) if ces is not None else None
    if note:
        st.caption(note)
