"""Every page of the navigation runs in English and in Japanese on the demo store; the language comes from the browser
on the first run, can be switched in the sidebar, and stays for the session."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import REPO, new_app

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
PICKER = "language_picker"


def navigation_pages() -> list[str]:
    """The page files ``app.py`` registers with st.Page, read from its source (pages added later are covered)."""
    tree = ast.parse((REPO / "app.py").read_text(encoding="utf-8"))
    pages = [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "Page"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]
    assert pages and all((REPO / p).is_file() for p in pages), pages
    return pages


PAGES = navigation_pages()


def _open(page: str, locale: str | None) -> AppTest:
    at = new_app()
    if locale:
        at.context = {"locale": locale}  # what the browser's navigator.language says
    at.run()
    at.switch_page(page).run()
    return at


def _headings(at: AppTest) -> list[str]:
    return [h.value for h in [*at.title, *at.header, *at.subheader]]


def _subheaders(at: AppTest) -> list[str]:
    return [s.value for s in at.subheader]


def _texts(at: AppTest) -> str:
    """All the words the page shows: headings, text, captions, messages, widget labels and chart titles."""
    parts: list[Any] = _headings(at)
    for kind in (at.markdown, at.caption, at.info, at.warning, at.success):
        parts += [e.value for e in kind]
    for kind in (at.selectbox, at.multiselect, at.button, at.text_input, at.radio, at.toggle, at.checkbox):
        parts += [w.label for w in kind]
    for chart in at.get("vega_lite_chart"):
        title = json.loads(chart.proto.spec).get("title")
        parts.append(title.get("text") if isinstance(title, dict) else title)
    return " ".join(str(p) for p in parts if p)


def _check(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_in_english_and_in_japanese(demo_app: Path, page: str) -> None:
    english = _open(page, None)
    _check(english)
    assert english.selectbox(key=PICKER).value == "en"  # no browser language: English

    japanese = _open(page, "ja-JP")
    _check(japanese)
    assert japanese.selectbox(key=PICKER).value == "ja"
    headings = _headings(japanese)
    assert any(JAPANESE.search(h) for h in headings), headings
    assert headings != _headings(english), headings
    # the words on the page are mostly Japanese (names from the data may stay English)
    words = _texts(japanese)
    assert len(JAPANESE.findall(words)) > 20, words[:500]


def test_japanese_charts_have_japanese_titles_and_a_japanese_font(demo_app: Path) -> None:
    at = _open("pages/overview.py", "ja-JP")
    _check(at)
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert specs
    titles = [s.get("title") for s in specs]
    assert "NPS の推移（95%信頼区間つき）" in titles, titles
    assert "タッチポイント別スコア（95%信頼区間つき）" in titles, titles
    for spec in specs:
        assert spec["config"]["font"].startswith('"Noto Sans CJK JP"'), spec.get("config")
    assert [m.label for m in at.metric][:3] == ["NPS", "顧客満足度（CSAT）", "顧客努力指標（CES、1〜7）"]
    assert any("95%信頼区間" in c.value for c in at.caption)


def test_switching_language_in_the_sidebar_is_remembered_across_pages(demo_app: Path) -> None:
    at = new_app().run()
    assert at.title[0].value and not at.exception
    assert "Trend" in _subheaders(at)
    at.selectbox(key=PICKER).set_value("ja").run()
    _check(at)
    assert "推移" in _subheaders(at)
    at.switch_page("pages/drivers.py").run()
    _check(at)
    assert at.title[0].value == "真実の瞬間（ドライバー分析）"
    assert at.selectbox(key=PICKER).value == "ja"
    at.selectbox(key=PICKER).set_value("en").run()
    _check(at)
    assert at.title[0].value == "Moments of truth"


def test_the_browser_language_is_only_a_default(demo_app: Path) -> None:
    at = new_app()
    at.context = {"locale": "ja-JP"}
    at.run()
    assert "推移" in _subheaders(at)
    at.selectbox(key=PICKER).set_value("en").run()  # the user's choice wins over the browser's language
    at.run()
    assert "Trend" in _subheaders(at)


def test_empty_store_in_japanese_points_to_import(empty_app: Path) -> None:
    at = _open("pages/overview.py", "ja")
    _check(at)
    assert any("データ取り込み" in i.value for i in at.info)
    assert at.title[0].value == "概要"
