"""In a real browser: the Actions page on the demo shows the follow-up queue, and the courier action's effect with
its chart (start marked, windows shaded); the Drivers page's button opens a pre-filled action."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import shot, wait_idle

pytestmark = pytest.mark.e2e


def test_actions_page_queue_and_effect(server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/actions")  # on a fresh server the first request also loads the demo: wait for the page
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("Actions — close the loop").wait_for(timeout=180_000)
    wait_idle(page)
    main.get_by_text("Open cases").first.wait_for()
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)  # the queue table
    shot(page, "actions_queue")
    page.get_by_role("tab", name="Improvement actions").click()
    wait_idle(page)
    main.get_by_text("Improved: 95% interval", exact=False).first.wait_for(timeout=60_000)
    assert main.get_by_text("Next-day courier for standard delivery").count() >= 1
    assert main.get_by_text("Improved: 95% interval", exact=False).count() == 3  # score, NPS, negative share
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for()
    assert chart.locator("canvas, svg").count() >= 1
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": max(2200, int(height) + 100)})
    page.wait_for_timeout(1500)
    shot(page, "actions_effect")


def test_drivers_button_opens_prefilled_action(server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/drivers")
    page.get_by_role("button", name="Plan an improvement action").wait_for(timeout=180_000)
    wait_idle(page)
    page.get_by_role("button", name="Plan an improvement action").click()
    page.get_by_label("Title", exact=True).first.wait_for()
    wait_idle(page)
    assert page.url.rstrip("/").endswith("/actions")
    title = page.get_by_label("Title", exact=True).first
    assert title.input_value() == "Fix first: Delivery speed"
    shot(page, "actions_from_drivers")
