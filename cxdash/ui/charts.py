"""Show an Altair chart at the height its builder chose (Streamlit would otherwise shrink layered charts), in the
font list that covers Japanese (``cxdash.viz.fonts``)."""

from __future__ import annotations

from typing import Any

import altair as alt
import streamlit as st

from cxdash.viz.fonts import with_font


def show_chart(chart: Any, **kwargs: Any) -> Any:
    """``st.altair_chart`` full width, at the chart's own height plus room for its title and axes."""
    chart = with_font(chart)
    height = getattr(chart, "height", alt.Undefined)
    if isinstance(height, int):
        kwargs.setdefault("height", height + 60)  # room for the title and the axis labels
    return st.altair_chart(chart, width="stretch", **kwargs)
