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
    assert labels[:3] == ["NPS", "CSAT", "CES (1–7)"]  # the tiles (the demo asks CES on 1–7), then the scorecard
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


@pytest.fixture
def csat_only_app(empty_app: Path) -> Path:
    """A store whose one workspace has reviews with an overall rating (CSAT) and lounge ratings, but no NPS."""
    from cxdash.ingest.load import import_file
    from cxdash.store.workspaces import open_store

    rows = ["id,date,overall_rating,comfort_rating,catering_rating,staff_rating,lounge_type,content"]
    for i in range(120):
        kind = ("Business", "First", "Frequent Flyer")[i % 3]
        rows.append(f"R{i},2025-{1 + i % 12:02d}-{1 + i % 27:02d},{1 + i % 5},{1 + i * 3 % 5},{1 + i * 7 % 5},"
                    f"{1 + i * 2 % 5},{kind},Lounge visit number {i} was {'great' if i % 2 else 'poor'}")  # fmt: skip
    path = empty_app.parent / "reviews.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    engine = open_store(f"sqlite:///{empty_app}")
    result = import_file(engine, path, path.name, workspace="Lounges")
    assert result.mapping["overall_rating"] == "csat", result.mapping
    engine.dispose()
    return empty_app


def test_overview_without_nps_opens_on_csat_and_sizes_charts_by_their_plot(csat_only_app: Path) -> None:
    at = new_app().run()
    assert not at.exception, at.exception
    assert [tab.label for tab in at.tabs][:3] == ["CSAT", "NPS", "CES"]  # the metric with answers first
    assert at.segmented_control(key="overview_segment_metric").value == "csat"
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    titles = [s.get("title") for s in specs]
    assert "CSAT (% top-2 box) by period, with 95% interval" in titles
    assert "CSAT (% top-2 box) by lounge type" in titles
    assert not any(str(title).startswith("NPS") for title in titles)  # no empty NPS chart
    bars = next(s for s in specs if s.get("title") == "Touchpoint scores, with 95% interval")
    # the chart's height is its plot's (28 px a touchpoint); title and axes are added around it, not taken from it
    assert bars["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert bars["height"] >= 28 * 3


def test_a_segment_with_many_values_draws_its_largest_groups(empty_app: Path) -> None:
    """An attribute with 45 values: the Overview's segment chart and the Voice split by segment draw the 20 with
    the most answers and say so."""
    from cxdash.ingest.load import import_file
    from cxdash.store.workspaces import open_store

    rows = ["id,date,nps,store,comment"]
    for i in range(900):
        store = f"Store {i % 45:02d}" if i % 4 else "Store 00"  # 45 stores; Store 00 is the largest
        rows.append(f"R{i},2025-{1 + i % 12:02d}-15,{i % 11},{store},Visit {i} was {'good' if i % 2 else 'slow'}")
    path = empty_app.parent / "stores.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    engine = open_store(f"sqlite:///{empty_app}")
    mapping = {"id": "response_id", "date": "date", "nps": "nps", "store": "attribute:store", "comment": "comment"}
    result = import_file(engine, path, path.name, workspace="Stores", mapping=mapping)
    assert result.responses == 900
    engine.dispose()
    at = new_app().run()
    assert not at.exception, at.exception
    assert any("The 20 largest of 45 groups" in c.value for c in at.caption)
    import pyarrow as pa

    chart = next(c for c in at.get("vega_lite_chart") if "by store" in str(json.loads(c.proto.spec).get("title")))
    frames = [pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets]
    values = {v for frame in frames for v in frame["segment"]}
    assert len(values) == 20 and "Store 00" in values
    at.switch_page("pages/voice.py").run()
    at.segmented_control(key="voice_split").set_value("segment").run()
    assert not at.exception, at.exception
    assert any("The 20 largest of 45 groups" in c.value for c in at.caption)


def test_a_ces_asked_on_five_points_is_shown_on_five_points(empty_app: Path) -> None:
    """A team asking CES on 1–5 sees its tile, scorecard, trend and segments on 1–5, and the page says that the
    answers of an older 1–7 survey were rescaled onto it."""
    from cxdash.ingest.load import import_file
    from cxdash.store.workspaces import open_store

    engine = open_store(f"sqlite:///{empty_app}")
    for name, scale, count in (("old.csv", 7, 30), ("new.csv", 5, 90)):
        rows = ["id,date,ease,plan"] + [
            f"{name[0]}{i},2025-{1 + i % 12:02d}-15,{1 + i % scale},{('Basic', 'Plus')[i % 2]}" for i in range(count)
        ]
        path = empty_app.parent / name
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        mapping = {"id": "response_id", "date": "date", "ease": f"ces [1-{scale}]", "plan": "attribute:plan"}
        assert import_file(engine, path, name, workspace="Support", mapping=mapping).responses == count
    engine.dispose()
    at = new_app().run()
    assert not at.exception, at.exception
    tile = next(m for m in at.metric if m.label == "CES (1–5)")
    expected = (sum(1 + i % 5 for i in range(90)) + sum(1 + (i % 7) * 4 / 6 for i in range(30))) / 120
    assert tile.value == f"{expected:.2f}" and "1–5 scale" in tile.help
    assert [m.label for m in at.metric].count("CES (1–5)") == 2  # the tile and the scorecard's
    assert any(c.value == "CES on 1–5, the scale of 90 answers; those on other scales (30 on 1–7) are rescaled onto it."
               for c in at.caption)  # fmt: skip
    at.segmented_control(key="overview_segment_metric").set_value("ces").run()
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    titles = [str(s.get("title")) for s in specs]
    assert "CES (mean, 1–5) by period, with 95% interval" in titles, titles
    assert "CES (mean, 1–5) by plan" in titles, titles
    # The team still reports on 1–7 while the new survey's answers are few: chosen once, kept for the workspace.
    choice = next(s for s in at.selectbox if s.label == "Report CES on")
    assert choice.value == "auto" and choice.options == ["The scale of most answers", "1–5", "1–7"]
    choice.set_value((1, 7)).run()
    assert not at.exception, at.exception
    assert [m.label for m in at.metric].count("CES (1–7)") == 2
    assert any(
        c.value.startswith("CES on 1–7, the scale chosen for this workspace (30 answers on it)") for c in at.caption
    )
    assert new_app().run().metric[2].label == "CES (1–7)"  # a new session sees the workspace's choice
