"""KPI tiles: value, n and the 95% interval, with a plain warning when n is small."""

from __future__ import annotations

from typing import Any

import streamlit as st

from cxdash.i18n import fmt_number, t

FORMATS = {"nps": "{:+.0f}", "csat": "{:.1f}%", "ces": "{:.2f}"}


def tiles() -> list[tuple[str, str, str, str]]:
    """(metric, label, value format, help text) of each tile, in the current language."""
    return [
        ("nps", t("kpi.label_nps"), FORMATS["nps"], t("kpi.help_nps")),
        ("csat", t("kpi.label_csat"), FORMATS["csat"], t("kpi.help_csat")),
        ("ces", t("kpi.label_ces"), FORMATS["ces"], t("kpi.help_ces")),
    ]


def kpi_tiles(kpis: dict[str, Any]) -> None:
    """Three bordered tiles: NPS, CSAT, CES, each with n and its 95% interval."""
    specs = tiles()
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
