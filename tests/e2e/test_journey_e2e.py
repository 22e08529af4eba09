"""In a real browser: build a map from a template, look at the swimlane map and the network view (screenshots),
and a hostile touchpoint label in the network view runs nothing inside the iframe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import _need_browser, running_app, shot, wait_idle

pytestmark = pytest.mark.e2e

IMG = '<img src=x onerror="window.pwned=1">'
SCRIPT = "<script>window.pwned=2</script>"


@pytest.fixture(scope="module")
def journey_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a demo store holding one extra map with hostile labels; yields the journey page's URL."""
    _need_browser()
    from cxdash import journeys_io
    from cxdash.demo.load import load_demo
    from cxdash.store.workspaces import DEFAULT_WORKSPACE, get_workspace, open_store

    tmp = tmp_path_factory.mktemp("journey_e2e")
    db = tmp / "journey.db"
    engine = open_store(str(db))
    load_demo(engine)
    ws = get_workspace(engine, DEFAULT_WORKSPACE).id
    hostile = {
        "cxdash": "journey", "version": 1, "name": "Hostile", "description": "", "persona": None,
        "stages": [{"name": "S " + SCRIPT, "steps": [
            {"touchpoint": "Checkout", "touchpoint_label": IMG, "emotion": 0},
            {"touchpoint": SCRIPT, "touchpoint_label": "", "emotion": -1},
        ]}],
    }  # fmt: skip
    journeys_io.import_journey(engine, ws, hostile)
    engine.dispose()
    with running_app(db, tmp_path_factory.mktemp("log") / "streamlit.log", no_demo=True) as url:
        yield f"{url}/journey"


def _full_shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1600, "height": max(1400, int(height) + 100)})
    page.wait_for_timeout(1500)
    shot(page, name)


def _pick(page, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Choose ``option`` in a select box; opened again if a rerun closed its list before the option showed."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(3):
        page.get_by_label(label, exact=True).first.click()
        try:
            page.get_by_role("option", name=option).click(timeout=15_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            wait_idle(page)
    wait_idle(page)


def test_build_a_map_from_a_template_and_see_it(journey_server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1600, "height": 1400})
    page.goto(journey_server)  # the server's first request is this deep link: it must still get the app's navigation
    wait_idle(page)
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text("Voice of the Customer").wait_for(timeout=30_000)
    assert nav.get_by_text("import data").count() == 0  # not the file names of pages/
    page.get_by_text("➕ New journey map").click()
    wait_idle(page)  # the form appears after a rerun: a list opened during it would close again
    _pick(page, "Start from", "Template: Retail store: a visit to the supermarket")
    page.get_by_role("button", name="Create map").click()
    wait_idle(page)
    page.wait_for_selector('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg')
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("A grocery shopper from planning the trip").first.wait_for()  # the new map's description
    page.get_by_text("➕ New journey map").click()  # fold the form away for the picture
    wait_idle(page)
    page.wait_for_timeout(1500)
    _full_shot(page, "journey_map")
    _a_wide_map_scrolls_in_its_box(page)
    page.get_by_role("tab", name="🕸️ Network").click()
    frame = page.frame_locator('[data-testid="stIFrame"], iframe').first
    frame.locator("#mynetwork canvas").wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    page.locator("iframe").first.scroll_into_view_if_needed()
    shot(page, "journey_network")
    labels = page.frames[-1].evaluate("() => nodes.get().map(n => n.label)")
    assert "Checkout" not in labels and len(labels) >= 5


def _a_wide_map_scrolls_in_its_box(page) -> None:  # type: ignore[no-untyped-def]
    """On a laptop-sized window the map is wider than the page: it scrolls sideways in its own box, and the page
    (its headings, the downloads under the map) stays put."""
    page.set_viewport_size({"width": 1100, "height": 1400})
    page.wait_for_timeout(1000)
    widths = page.evaluate(
        """() => {
          const main = document.querySelector('[data-testid="stMain"]');
          const box = document.querySelector('.st-key-journey_map_box');
          return [main.scrollWidth, main.clientWidth, box.scrollWidth, box.clientWidth];
        }"""
    )
    main_scroll, main_client, box_scroll, box_client = widths
    assert box_scroll > box_client, widths  # the map is wider than its box here ...
    assert main_scroll <= main_client + 1, widths  # ... and the page does not scroll sideways for it
    page.evaluate("() => { document.querySelector('.st-key-journey_map_box').scrollLeft = 100000; }")
    page.wait_for_timeout(500)
    page.locator(".st-key-journey_map_box").scroll_into_view_if_needed()
    shot(page, "journey_map_scrolled")
    page.set_viewport_size({"width": 1600, "height": 1400})


def test_hostile_label_in_the_network_runs_nothing(journey_server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1600, "height": 1400})
    page.goto(journey_server)
    wait_idle(page)
    # maps are listed by name, so a new session opens on "Hostile"; the labels checked below prove it is shown
    page.get_by_role("tab", name="🕸️ Network").click()
    page.frame_locator("iframe").first.locator("#mynetwork canvas").wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    inner = next(f for f in page.frames if f != page.main_frame and f.evaluate("() => typeof nodes !== 'undefined'"))
    assert inner.evaluate("() => typeof window.pwned") == "undefined"
    assert page.evaluate("() => typeof window.pwned") == "undefined"
    assert inner.evaluate("() => document.querySelectorAll('img, #mynetwork script').length") == 0
    labels = inner.evaluate("() => nodes.get().map(n => n.label)")
    assert SCRIPT in labels  # shown as the characters it is
    shot(page, "journey_network_hostile")
