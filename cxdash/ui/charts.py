"""Show an Altair chart at the height its builder chose (Streamlit would otherwise shrink layered charts)."""

from __future__ import annotations

from typing import Any

import altair as alt
import streamlit as st


def show_chart(chart: Any, **kwargs: Any) -> Any:
    """``st.altair_chart`` full width, at the chart's own height plus room for its title and axes."""
    height = getattr(chart, "height", alt.Undefined)
    if isinstance(height, int):
        kwargs.setdefault("height", height + 60)  # room for the title and the axis labels
    return st.altair_chart(chart, width="stretch", **kwargs)
