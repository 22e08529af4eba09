"""Exports: CSV that a spreadsheet cannot run as formulas (UTF-8 with BOM), charts rendered offline as PNG/SVG."""

from __future__ import annotations

import io

import altair as alt
import pandas as pd
import pytest

from cxdash.export import chart_png, chart_svg, neutralise, to_safe_csv


def test_formula_like_text_is_quoted_and_numbers_are_not() -> None:
    df = pd.DataFrame(
        {
            "touchpoint": ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tTab", "Delivery", "ok-then"],
            "impact": [-0.5, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
        }
    )
    data = to_safe_csv(df)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)
    assert back["touchpoint"].tolist()[:5] == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "'\tTab"]
    assert back["touchpoint"].tolist()[5:] == ["Delivery", "ok-then"]
    assert back["impact"].tolist()[0] == -0.5  # a negative number stays a number


def test_headers_index_and_japanese_survive() -> None:
    df = pd.DataFrame({"=cmd": ["配送スピード"]}, index=pd.Index(["-x"], name="driver"))
    back = pd.read_csv(io.BytesIO(to_safe_csv(df, index=True)), encoding="utf-8-sig")
    assert list(back.columns) == ["driver", "'=cmd"]
    assert back.iloc[0].tolist() == ["'-x", "配送スピード"]
    assert neutralise(3) == 3 and neutralise(None) is None


def test_charts_render_offline() -> None:
    pytest.importorskip("vl_convert")
    chart = alt.Chart(pd.DataFrame({"a": [1, 2], "b": [3, 4]})).mark_point().encode(x="a:Q", y="b:Q")
    png = chart_png(chart)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    svg = chart_svg(chart)
    assert svg.lstrip().startswith(b"<svg") and b"</svg>" in svg


def test_concatenated_charts_export_too() -> None:
    pytest.importorskip("vl_convert")
    import altair as alt
    import pandas as pd

    from cxdash.export import chart_png

    base = alt.Chart(pd.DataFrame({"x": [1, 2], "y": [3, 4]})).mark_point().encode(x="x", y="y")
    png = chart_png(alt.vconcat(base, base))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
