"""The Personas and Journey maps pages in a Japanese browser, on the Japanese demo workspace: every heading, tab,
button and chart label the reader sees is Japanese, the journey network's legend and tooltips too (screenshots in
test-artifacts/: ja-personas, ja-journey, ja-journey-network)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from cxdash.demo.spec import SAKURA_NAME
from tests.e2e.conftest import shot, wait_idle

pytestmark = pytest.mark.e2e

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# English words of these pages that must not be left in the Japanese ones (user text here is all Japanese)
ENGLISH = ("Personas", "Journey maps", "Goals", "Pains", "Segment", "Top drivers", "Typical comments", "Edit",
           "Duplicate", "Delete", "Suggest personas", "Presentation mode", "Undo", "Network", "Touchpoint",
           "Thinking", "Pain points", "Opportunities", "Emotion", "Felt (map)", "Curves")  # fmt: skip


@pytest.fixture
def ja_page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A page of a browser that asks for Japanese (the app starts in Japanese for it)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1800}, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def _full_shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": max(1400, int(height) + 100)})
    page.wait_for_timeout(1500)
    shot(page, name)
    page.set_viewport_size({"width": 1400, "height": 1800})


def _open_sakura(page, url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    wait_idle(page, timeout=180_000)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stSelectbox"]', has_text="ワークスペース").click()
    page.get_by_role("option", name=SAKURA_NAME, exact=True).click()
    wait_idle(page)


def _no_english(text: str) -> None:
    left = [w for w in ENGLISH if re.search(rf"\b{re.escape(w)}\b", text)]
    assert not left, left
    assert len(JAPANESE.findall(text)) > 100


def test_personas_page_in_japanese(server: str, ja_page) -> None:  # type: ignore[no-untyped-def]
    page = ja_page
    _open_sakura(page, f"{server}/personas")
    main = page.locator('[data-testid="stMain"]')
    main.get_by_role("heading", name="ペルソナ", exact=True).wait_for()
    main.get_by_role("heading", name="共働きの佐藤さん").wait_for()
    main.get_by_text("代表的なコメント").first.wait_for()
    edit = main.get_by_role("button", name="✏️ 編集")
    edit.nth(1).wait_for()  # the second card may still be drawing when the first one's comments show
    wait_idle(page)
    assert edit.count() == 2
    assert main.get_by_role("heading", name="データからペルソナを提案").is_visible()
    _full_shot(page, "ja-personas")
    _no_english(main.inner_text())


def test_journey_page_and_network_in_japanese(server: str, ja_page) -> None:  # type: ignore[no-untyped-def]
    page = ja_page
    _open_sakura(page, f"{server}/journey")
    main = page.locator('[data-testid="stMain"]')
    main.get_by_role("heading", name="カスタマージャーニーマップ").wait_for()
    page.wait_for_selector('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg')
    assert [main.get_by_role("tab", name=n).count() for n in ("🗺️ マップ", "✏️ 編集", "🕸️ ネットワーク")] == [1, 1, 1]
    page.wait_for_timeout(1500)
    _full_shot(page, "ja-journey")
    _no_english(main.inner_text())

    main.get_by_role("tab", name="🕸️ ネットワーク").click()
    frame = page.frame_locator("iframe").first
    frame.locator("#mynetwork canvas").wait_for(timeout=30_000)
    frame.get_by_text("ノードの大きさ").wait_for()
    page.wait_for_timeout(1500)
    page.locator("iframe").first.scroll_into_view_if_needed()
    shot(page, "ja-journey-network")
    inner = next(f for f in page.frames if f != page.main_frame and f.evaluate("() => typeof nodes !== 'undefined'"))
    tips = inner.evaluate("() => nodes.get().map(n => n.title ? n.title.textContent : '')")
    assert any("評価数" in tip for tip in tips) and not any("Rated by" in tip for tip in tips)
