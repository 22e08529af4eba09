"""Every page runs without exception on the demo data and on an empty store, and shows what it should."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.app.conftest import new_app

PAGES = [
    "pages/overview.py",
    "pages/voice.py",
    "pages/drivers.py",
    "pages/personas.py",
    "pages/journey.py",
    "pages/import.py",
    "pages/privacy.py",
]


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_demo(demo_app: Path, page: str) -> None:
    at = new_app().run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_empty_store(empty_app: Path, page: str) -> None:
    at = new_app().run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_overview_shows_kpis_with_n_and_interval(demo_app: Path) -> None:
    at = new_app().run()
    labels = [m.label for m in at.metric]
    assert labels[:3] == ["NPS", "CSAT", "CES"]  # the tiles, then the balanced scorecard
    assert labels[3:] == ["NPS", "CSAT (top-2 %)", "CES (1–7)", "Open follow-up cases", "Actions in progress"]
    assert all(m.value not in ("—", "") for m in at.metric)
    card = {m.label: m for m in at.metric[3:]}
    assert card["Actions in progress"].value == "2"  # the demo's courier and support-chat actions
    assert any("against the 30 days before" in c.value for c in at.caption)
    captions = " ".join(c.value for c in at.caption)
    assert captions.count("95% CI") == 3 and "n = " in captions
    charts = at.get("vega_lite_chart")
    specs = [json.loads(c.proto.spec) for c in charts]
    titles = [s.get("title") for s in specs]
    assert "NPS by period, with 95% interval" in titles
    assert "Touchpoint scores, with 95% interval" in titles


def test_filters_change_the_numbers(demo_app: Path) -> None:
    at = new_app().run()
    before = at.caption[1].value  # "n = … · 95% CI …" of NPS
    plan = next(m for m in at.multiselect if m.label == "Plan")
    plan.set_value(["Premium"]).run()
    assert not at.exception
    after = at.caption[1].value
    assert "Plan ∈ {Premium}" in at.caption[0].value
    assert before != after


def test_empty_store_points_to_import(empty_app: Path) -> None:
    at = new_app().run()
    assert any("Import" in i.value for i in at.info)
