"""In a real browser: hostile comments on the Voice of the Customer page show as literal text and never run."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import _need_browser, running_app, shot, wait_idle

pytestmark = pytest.mark.e2e

SCRIPT = "<script>document.title='pwned'</script> checkout broke"
IMG = "<img src=x onerror=\"document.title='pwned'\"> delivery never came"
MARKDOWN = "**not bold** and $x^2$ and [link](javascript:alert(1))"
WIDE = "ホテルのＷＩＦＩが遅い"  # full-width letters, as Japanese Excel exports often have them
HOSTILE_CSV = (
    "id,date,nps,comment\n"
    f"X0,2026-10-31 23:40,4,{WIDE}\n"
    f'X1,2026-10-31 23:50,0,"{SCRIPT}"\n'
    f'X2,2026-10-31 23:55,1,"{IMG.replace(chr(34), chr(34) * 2)}"\n'
    f'X3,2026-10-31 23:58,5,"{MARKDOWN}"\n'
)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server over a demo store into which three hostile comments were imported before the first page load."""
    _need_browser()
    from cxdash.demo.load import load_demo
    from cxdash.ingest.load import import_file
    from cxdash.store.workspaces import DEFAULT_WORKSPACE, open_store

    db = tmp_path_factory.mktemp("voice_e2e") / "voice.db"
    engine = open_store(str(db))
    load_demo(engine)
    mapping = {"id": "response_id", "date": "date", "nps": "nps", "comment": "comment"}
    result = import_file(engine, HOSTILE_CSV.encode(), "hostile.csv", DEFAULT_WORKSPACE, mapping=mapping)
    assert result.comments == 4, result.message
    engine.dispose()
    with running_app(db, tmp_path_factory.mktemp("log") / "streamlit.log", no_demo=True) as url:
        yield url


def _full_shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Streamlit scrolls inside its own container: grow the viewport to the page so the shot shows all of it."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": max(2200, int(height) + 100)})
    page.wait_for_timeout(1500)
    shot(page, name)
    page.set_viewport_size({"width": 1400, "height": 2200})


def test_hostile_comments_show_as_literal_text(hostile_server: str, page) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(hostile_server)
    wait_idle(page, timeout=180_000)
    title = page.title()
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Voice of the Customer").click()
    wait_idle(page)
    page.get_by_role("heading", name="Verbatims").wait_for()
    main = page.locator('[data-testid="stMain"]')
    # newest first: the three hostile comments open the verbatim list, as text
    verbatims = page.locator(".cx-verbatim")
    verbatims.first.wait_for()
    shown = verbatims.all_inner_texts()[:3]
    assert any(SCRIPT in t for t in shown), shown
    assert any(IMG in t for t in shown), shown
    assert any(MARKDOWN in t for t in shown), shown
    assert page.locator(".cx-verbatim img, .cx-verbatim script, .cx-verbatim a, .cx-verbatim strong").count() == 0
    assert page.locator("img[src='x']").count() == 0
    _full_shot(page, "voice-hostile-comments")
    # search highlights inside the escaped text, and still nothing runs
    page.get_by_role("textbox", name="Search comments").fill("pwned")
    page.get_by_role("textbox", name="Search comments").press("Enter")
    wait_idle(page)
    main.locator("strong", has_text=re.compile(r"^2 comments$")).wait_for()
    # the count can be drawn before the list under it: wait for the list's highlights themselves
    main.locator(".cx-verbatim mark").nth(1).wait_for()
    marks = main.locator(".cx-verbatim mark").all_inner_texts()
    assert marks == ["pwned", "pwned"], marks
    _full_shot(page, "voice-search-hostile")
    page.wait_for_timeout(1000)
    assert page.title() == title and "pwned" not in page.title()
    assert page.evaluate("document.title") == title
    assert dialogs == []


def test_clicking_a_theme_bar_filters_the_verbatims(hostile_server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{hostile_server}/voice")
    wait_idle(page, timeout=180_000)
    chart = page.locator('[data-testid="stVegaLiteChart"]').nth(1)  # the theme chart; Delivery is the longest bar
    chart.scroll_into_view_if_needed()
    chart.locator("canvas, svg").first.wait_for()
    page.wait_for_timeout(1500)  # vega-embed draws after the element appears
    box = chart.bounding_box()
    # under the title (about 45 px) the bars come in rows of 28 px: the middle of the first row
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + 45 + 14)
    wait_idle(page)
    theme_filter = page.locator('[data-testid="stMultiSelect"]', has_text="Theme")
    theme_filter.get_by_text("Delivery").wait_for()
    # the filter can be drawn before the list under it: give the list time to follow
    metas: list[str] = []
    for _ in range(60):
        metas = page.locator(".cx-verbatim > div").all_inner_texts()
        if metas and all("Delivery" in m for m in metas):
            break
        page.wait_for_timeout(500)
    assert metas and all("Delivery" in m for m in metas), metas
    _full_shot(page, "voice-theme-click")


def test_search_ignores_width_and_highlights_the_comment_as_written(hostile_server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{hostile_server}/voice")
    wait_idle(page, timeout=180_000)
    page.get_by_role("heading", name="Verbatims").wait_for()
    main = page.locator('[data-testid="stMain"]')
    page.get_by_role("textbox", name="Search comments").fill("wifi")
    page.get_by_role("textbox", name="Search comments").press("Enter")
    wait_idle(page)
    main.locator("strong", has_text=re.compile(r"^1 comment$")).wait_for()
    main.locator(".cx-verbatim mark").first.wait_for()
    assert main.locator(".cx-verbatim mark").all_inner_texts() == ["ＷＩＦＩ"]
    assert main.locator(".cx-verbatim").first.inner_text().startswith(WIDE)
    _full_shot(page, "voice-search-width")
