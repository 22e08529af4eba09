"""KPI tiles: value, n and the 95% interval, with a plain warning when n is small."""

from __future__ import annotations

from typing import Any

import streamlit as st

TILES = (
    ("nps", "NPS", "{:+.0f}", "% promoters (9–10) − % detractors (0–6) of the 0–10 recommend question."),
    ("csat", "CSAT", "{:.1f}%", "Share of answers in the top two boxes of the satisfaction scale."),
    ("ces", "CES", "{:.2f}", "Mean customer effort score on a 1–7 scale (higher = easier)."),
)


def kpi_tiles(kpis: dict[str, Any]) -> None:
    """Three bordered tiles: NPS, CSAT, CES, each with n and its 95% interval."""
    for column, (key, label, fmt, help_text) in zip(st.columns(len(TILES)), TILES, strict=True):
        metric = kpis.get(key)
        with column:
            if metric is None or metric.value is None:
                st.metric(label, "—", help=help_text, border=True)
                st.caption("No answers")
                continue
            st.metric(label, fmt.format(metric.value), help=help_text, border=True)
            lo, hi = metric.ci95 if metric.ci95 else (None, None)
            interval = f"95% CI {fmt.format(lo)} to {fmt.format(hi)}" if lo is not None else "no interval"
            note = " · small sample: read with care" if getattr(metric, "low_n", False) else ""
            st.caption(f"n = {metric.n:,} · {interval}{note}")
