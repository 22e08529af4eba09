"""Japanese in a real browser and in exported images: switch the sidebar to 日本語, read the Overview and Drivers
pages with their Japanese labels (screenshots in test-artifacts/), and export a chart with a Japanese title to PNG
and check that its characters are drawn as glyphs, not as tofu boxes."""

from __future__ import annotations

import io
import os
import re
import subprocess

import altair as alt
import numpy as np
import pandas as pd
import pytest

from cxdash.demo.spec import SAKURA_NAME
from cxdash.export import chart_png, chart_svg
from cxdash.viz.fonts import FONT_FAMILY, JAPANESE_FONT, with_font
from tests.e2e.conftest import shot, wait_idle

pytestmark = pytest.mark.e2e

PICKER = "🌐 Language / 言語"
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _full_shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Streamlit scrolls inside its own container: grow the viewport to the page so the shot shows all of it."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": max(1400, int(height) + 100)})
    page.wait_for_timeout(1500)
    shot(page, name)
    page.set_viewport_size({"width": 1400, "height": 2200})


def _pick(page, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Choose ``option`` in the sidebar select box labelled ``label``."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stSelectbox"]', has_text=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def _charts_drawn(page, at_least: int) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        'n => document.querySelectorAll(\'[data-testid="stVegaLiteChart"] canvas, '
        '[data-testid="stVegaLiteChart"] svg.marks\').length >= n',
        arg=at_least,
    )
    page.wait_for_timeout(1000)  # let Vega finish drawing the text


def test_switch_to_japanese_overview_and_drivers(server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(server)
    wait_idle(page, timeout=180_000)  # the first visit may create the store and load the demo
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text("Overview").wait_for()  # an en-US browser starts in English

    _pick(page, PICKER, "日本語")
    nav.get_by_text("概要").wait_for()
    assert nav.get_by_text("ドライバー分析").is_visible() and nav.get_by_text("顧客の声（VOC）").is_visible()
    _pick(page, "ワークスペース", SAKURA_NAME)  # the Japanese retailer: touchpoint names are Japanese too
    main = page.locator('[data-testid="stMain"]')
    main.get_by_role("heading", name="推移").wait_for()
    main.get_by_text("95%信頼区間").first.wait_for()
    assert main.get_by_text("顧客満足度（CSAT）").first.is_visible()
    _charts_drawn(page, 3)
    _full_shot(page, "ja-overview")
    body = main.inner_text()
    assert "Trend" not in body and "Touchpoints" not in body  # no English headings left
    assert len(JAPANESE.findall(body)) > 50

    nav.get_by_text("ドライバー分析").click()
    wait_idle(page, timeout=120_000)  # the bootstrap runs on the first visit
    main.get_by_role("heading", name="真実の瞬間（ドライバー分析）").wait_for(timeout=120_000)
    main.get_by_role("heading", name="影響度の順位").wait_for()
    assert main.get_by_text("目的変数").first.is_visible()
    _charts_drawn(page, 2)
    _full_shot(page, "ja-drivers")
    assert nav.get_by_text("概要").is_visible()  # the language is remembered across pages ...
    assert "配送スピード" in main.inner_text()  # ... and so is the workspace (its touchpoints are Japanese)

    nav.get_by_text("顧客の声（VOC）").click()  # Japanese comments, scored by the Japanese analyser, in the browser
    wait_idle(page, timeout=120_000)
    main.get_by_role("heading", name="顧客の声（VOC）").wait_for(timeout=120_000)
    main.get_by_text("感情の内訳").first.wait_for()
    main.get_by_text("コメント原文").first.wait_for()
    _charts_drawn(page, 2)
    _full_shot(page, "ja-voice")
    body = main.inner_text()
    assert len(JAPANESE.findall(body)) > 200  # the verbatims are the demo's Japanese comments


def test_a_japanese_browser_starts_in_japanese(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1200}, locale="ja-JP")
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(server)
        wait_idle(page, timeout=180_000)
        page.locator('[data-testid="stSidebarNav"]').get_by_text("概要").wait_for()
        page.locator('[data-testid="stMain"]').get_by_role("heading", name="推移").wait_for()
    finally:
        context.close()


# -- exported images ------------------------------------------------------------------------------------------------
def _need_font() -> None:
    found = subprocess.run(["fc-list", f":family={JAPANESE_FONT}"], capture_output=True, text=True, check=False)
    if not found.stdout.strip():
        if os.environ.get("CI"):
            pytest.fail("Noto Sans CJK JP is missing: .ci/run installs Debian's fonts-noto-cjk")
        pytest.skip("no Noto Sans CJK JP (apt-get install fonts-noto-cjk) — Japanese export test skipped")


def _chart(title: str) -> alt.Chart:
    """A chart whose only ink is its title (no axes, an invisible mark), so the image shows just the title's text."""
    data = pd.DataFrame({"x": [1], "y": [1]})
    return (
        alt.Chart(data)
        .mark_point(opacity=0)
        .encode(x=alt.X("x:Q", axis=None), y=alt.Y("y:Q", axis=None))
        .properties(width=360, height=20, title=title)
        .configure_view(stroke=None)
    )


def _ink(png: bytes) -> np.ndarray:
    """The PNG's dark pixels (the title's strokes) as a boolean image."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("L")) < 128


def test_exported_png_draws_japanese_glyphs_not_tofu() -> None:
    _need_font()
    title = "配送スピードの満足度"
    japanese = _ink(chart_png(_chart(title), scale=1))
    boxes = _ink(chart_png(_chart("".join(chr(0xE000 + i) for i in range(len(title)))), scale=1))  # no glyphs
    assert japanese.sum() > 100 and boxes.sum() > 0
    # tofu would draw one identical box per character: the Japanese title must look nothing like that ...
    assert (japanese != boxes).sum() > 0.5 * japanese.sum()
    # ... and different characters must draw differently
    same = _ink(chart_png(_chart("配" * len(title)), scale=1))
    other = _ink(chart_png(_chart("送" * len(title)), scale=1))
    assert (same != other).sum() > 0.3 * same.sum()


def test_the_export_font_is_resolved_not_guessed() -> None:
    """The first family of FONT_FAMILY is found by vl-convert: naming it alone draws exactly what the list draws,
    while a family that does not exist draws nothing at all."""
    _need_font()
    title = "顧客満足度 CSAT"

    def png(font: str) -> bytes:
        chart = _chart(title).properties(title=alt.TitleParams(title, font=font))
        return chart_png(chart, scale=1)

    listed = _ink(png(FONT_FAMILY))
    assert listed.sum() > 100
    assert np.array_equal(listed, _ink(png(f'"{JAPANESE_FONT}"')))
    assert _ink(png('"No Such Font 12345"')).sum() == 0


def test_exports_name_the_japanese_font_and_keep_the_text() -> None:
    chart = _chart("タッチポイント別スコア")
    spec = with_font(chart).to_dict()
    assert spec["config"]["font"] == FONT_FAMILY and spec["config"]["view"]["stroke"] is None  # other config kept
    svg = chart_svg(chart).decode("utf-8")
    assert "タッチポイント別スコア" in svg and JAPANESE_FONT in svg


def test_browser_resolves_the_japanese_font(browser) -> None:  # type: ignore[no-untyped-def]
    """Chromium finds Noto Sans CJK JP, the first family of the charts' font list: text set in it measures
    differently from the generic fallbacks it would otherwise get."""
    _need_font()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content("<canvas id=c></canvas>")
        available = page.evaluate(
            """(family) => {
                const c = document.getElementById('c').getContext('2d');
                const probe = 'あ配送mmmmmmmmmmlli';
                c.font = '40px ' + family; const named = c.measureText(probe).width;
                c.font = '40px monospace'; const mono = c.measureText(probe).width;
                c.font = '40px serif'; const serif = c.measureText(probe).width;
                return named !== mono && named !== serif;
            }""",
            f'"{JAPANESE_FONT}"',
        )
        assert available, f"Chromium did not resolve {JAPANESE_FONT}"
    finally:
        context.close()
