"""KPI tiles: value, n and the 95% interval, with a plain warning when n is small."""

from __future__ import annotations

from typing import Any

import streamlit as st

from cxdash.i18n import fmt_number, t
from cxdash.roles import format_scale
from cxdash.store.queries import CesScale

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
    """'CES on 1–5, the scale of 900 answers; those on other scales (100 on 1–7) are rescaled onto it.' when some of the
    workspace's CES answers were given on another scale, else None."""
    if not ces.others:
        return None
    others = ", ".join(t("kpi.rescaled_one", n=fmt_number(n), scale=format_scale(s)) for s, n in ces.others)
    return t("kpi.rescaled", scale=format_scale(ces.scale), main=fmt_number(ces.on_scale), others=others)


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
