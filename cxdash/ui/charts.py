"""Show an Altair chart full width at the height its builder chose for its plot (a row of bars per touchpoint needs
its room, or the axis drops every other label), in the font list that covers Japanese (``cxdash.viz.fonts``)."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from cxdash.i18n import t
from cxdash.viz.fonts import with_font

#: the plot fills the width; its height is the chart's own, with the title, axes and legends added around it
#: (Streamlit's "fit" would instead squeeze all of them into the chart's height, shrinking the plot by ~120 px)
AUTOSIZE = alt.AutoSizeParams(type="fit-x", contains="padding")


def show_chart(chart: Any, **kwargs: Any) -> Any:
    """``st.altair_chart`` full width, its plot at the chart's own height (a single or layered chart; a
    concatenated one keeps Vega-Lite's own sizing)."""
    chart = with_font(chart)
    if isinstance(chart, alt.Chart | alt.LayerChart) and chart.autosize is alt.Undefined:
        chart = chart.properties(autosize=AUTOSIZE)
    return st.altair_chart(chart, width="stretch", **kwargs)


#: a chart with a row per group (segment values, touchpoints of a long file) draws at most this many
GROUPS_SHOWN = 20


def largest_groups(frame: pd.DataFrame, group: str, size: str, limit: int = GROUPS_SHOWN) -> pd.DataFrame:
    """The rows of the ``limit`` groups with the most ``size`` (summed per group), in their order; where groups were
    left out, a caption says how many are drawn (an attribute such as a store or an airline can have hundreds)."""
    sizes = frame.groupby(group, sort=False)[size].sum()
    if len(sizes) <= limit:
        return frame
    kept = set(sizes.sort_values(ascending=False, kind="stable").index[:limit])
    st.caption(t("common.largest_groups", shown=limit, total=len(sizes)))
    return frame[frame[group].isin(kept)]
