"""Downloads every page can offer: tables as spreadsheet-safe CSV, Altair charts as PNG or SVG (rendered offline).

CSV cells that a spreadsheet would run as a formula (text starting with = + - @, a tab or a carriage return) get a
leading apostrophe (OWASP "CSV injection"); the file is UTF-8 with a BOM so that Excel reads Japanese text right.
Charts are rendered by vl-convert-python (a Rust build of Vega, no browser and no network) in the font list of
``cxdash.viz.fonts`` (Noto Sans CJK JP first), so Japanese titles and labels come out as text, not boxes.
"""

from __future__ import annotations

import io
from typing import Any, Literal

import altair as alt
import pandas as pd

from cxdash.errors import CxdashError
from cxdash.i18n import t
from cxdash.viz.fonts import register_export_fonts, with_font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_WIDTH = 760  # charts drawn at the container's width in the app need a fixed width in a file


def neutralise(value: Any) -> Any:
    """A text cell that would start a spreadsheet formula, prefixed with an apostrophe; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_safe_csv(df: pd.DataFrame, index: bool = False) -> bytes:
    """The frame as CSV bytes (UTF-8 with BOM) with formula-like text neutralised in cells, headers and index."""
    frame = df.reset_index() if index else df.copy()
    frame.columns = [neutralise(str(c)) for c in frame.columns]
    for col in frame.columns:
        s = frame[col]
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s)):
            frame[col] = s.astype(object).map(neutralise)
    # CRLF rows: a cell holding a lone CR or LF is then always quoted, so no line break inside a cell can start a
    # new row whose first cell a spreadsheet would run ("ok\r=cmd|…" stays one cell).
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _for_file(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """A chart with a fixed width (the app stretches it to the page instead) and a font that covers Japanese."""
    chart = with_font(chart)
    # concatenated charts have no single width (Altair only objects when saving), so only plain and layered ones
    if isinstance(chart, alt.Chart | alt.LayerChart) and getattr(chart, "width", alt.Undefined) is alt.Undefined:
        return chart.properties(width=EXPORT_WIDTH)
    return chart


def _save(chart: alt.TopLevelMixin, fmt: Literal["png", "svg"], **kwargs: Any) -> bytes:
    buf: io.BytesIO | io.StringIO = io.BytesIO() if fmt == "png" else io.StringIO()
    try:
        register_export_fonts()
        _for_file(chart).save(buf, format=fmt, **kwargs)
    except (ValueError, ImportError) as error:
        if "vl-convert" in str(error) or "vl_convert" in str(error):
            raise CxdashError(t("errors.vl_convert_missing")) from error
        raise
    value = buf.getvalue()
    return value if isinstance(value, bytes) else value.encode("utf-8")


def chart_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """The chart as a PNG image (``scale`` 2 = sharp on slides and high-density screens)."""
    return _save(chart, "png", scale_factor=scale)


def chart_svg(chart: alt.TopLevelMixin) -> bytes:
    """The chart as an SVG document (UTF-8 bytes)."""
    return _save(chart, "svg")
