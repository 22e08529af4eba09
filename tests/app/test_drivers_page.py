"""The drivers page on the demo and on an empty store: chart spec, Fix-first story, controls that change results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from streamlit.testing.v1 import AppTest

from tests.app.conftest import new_app

PAGE = "pages/drivers.py"


def _open(resamples: int = 200) -> AppTest:
    at = new_app().run()
    at.switch_page(PAGE).run()
    at.selectbox(key="drivers_bootstrap").set_value(resamples).run()  # 200 keeps the test quick
    assert not at.exception, at.exception
    return at


def _matrix(at: AppTest) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """The matrix's spec and its datasets (Streamlit moves the data out of the spec into Arrow tables)."""
    for el in at.get("vega_lite_chart"):
        spec = json.loads(el.proto.spec)
        if str(spec.get("title", "")).startswith("Moments of truth"):
            data = {d.name: pa.ipc.open_stream(d.data.data).read_pandas() for d in el.proto.datasets}
            return spec, data
    raise AssertionError("no drivers matrix on the page")


def _points(spec: dict[str, Any], data: dict[str, pd.DataFrame]) -> dict[str, dict[str, Any]]:
    layer = next(lay for lay in spec["layer"] if isinstance(lay["mark"], dict) and lay["mark"]["type"] == "circle")
    return {row["name"]: row for row in data[layer["data"]["name"]].to_dict("records")}


def test_demo_shows_delivery_speed_in_fix_first(demo_app: Path) -> None:
    at = _open()
    assert not at.error, [e.value for e in at.error]
    spec, data = _matrix(at)
    points = _points(spec, data)
    assert points["Delivery speed"]["quadrant"] == "Fix first"
    assert points["Delivery speed"]["p_fix_first"] > 0.9
    assert spec["params"][0]["name"] == "pick"
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "n = " in text and "R² = " in text and "Missing answers: complete cases" in text
    assert "Quadrants split at impact" in text
    table = at.dataframe[0].value
    assert table["touchpoint"].iloc[0] == "Delivery speed"
    # the focus section starts on the surest "fix first" touchpoint: its trend, verbatims and themes
    assert at.selectbox(key="drivers_focus").value == "Delivery speed"
    titles = [json.loads(c.proto.spec).get("title") for c in at.get("vega_lite_chart")]
    assert "Delivery speed: mean rating by month, with 95% interval" in titles
    assert any("delivery" in t.value.lower() for t in at.text)
    said = [t.value for t in at.text]  # the demo repeats its complaints: six different ones, each with its count
    assert len(said) == 6 and len(set(said)) == 6, said
    assert sum("written " in c.value and " times" in c.value for c in at.caption) >= 2
    assert any("2,9" in c.value or "3,0" in c.value for c in at.caption)  # "... of 2,965 responses": separators
    assert any("NPS points" in i.value and "95% interval" in i.value for i in at.info)  # the what-if estimate
    outcomes = at.selectbox(key="drivers_outcome").options  # CSAT and CES name the scale they are read on
    assert outcomes[:3] == ["NPS answer (0–10)", "CSAT answer (1–5)", "CES answer (1–7)"], outcomes


def test_changing_the_method_changes_the_table(demo_app: Path) -> None:
    at = _open()
    before = at.dataframe[0].value.set_index("touchpoint")["importance"]
    at.selectbox(key="drivers_method").set_value("pearson").run()
    assert not at.exception
    after = at.dataframe[0].value.set_index("touchpoint")["importance"]
    assert not before.sort_index().equals(after.sort_index())
    assert after.max() > 0.4  # correlations, not shares of R²
    assert any("Pearson r" in m.value for m in at.markdown)


def test_focus_what_if_and_missing_controls(demo_app: Path) -> None:
    at = _open()
    at.selectbox(key="drivers_focus").set_value("Checkout").run()
    titles = [json.loads(c.proto.spec).get("title") for c in at.get("vega_lite_chart")]
    assert "Checkout: mean rating by month, with 95% interval" in titles
    at.radio(key="drivers_whatif_kind").set_value("halve").run()  # shown as "Bottom-box share halved"
    assert any("bottom-2-box" in i.value for i in at.info)
    at.selectbox(key="drivers_missing").set_value("mean").run()
    assert not at.exception
    assert any("mean imputation" in c.value for c in at.caption)


def test_segments_compare(demo_app: Path) -> None:
    at = _open()
    at.selectbox(key="drivers_group_attr").set_value("Plan").run()
    at.toggle(key="drivers_group_go").set_value(True).run()
    assert not at.exception
    assert any("Differences are" in c.value for c in at.caption)


def test_empty_store_points_to_import(empty_app: Path) -> None:
    at = new_app().run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert any("Import" in i.value for i in at.info)


def test_the_respondent_frame_is_read_once_per_filter_set(demo_app: Path, monkeypatch: Any) -> None:
    from cxdash.store import drivers_data

    calls: list[tuple[Any, ...]] = []
    real = drivers_data.driver_frame

    def counting(*args: Any, **kwargs: Any) -> pd.DataFrame:
        calls.append(args[1:2])
        return real(*args, **kwargs)

    monkeypatch.setattr(drivers_data, "driver_frame", counting)
    at = _open()
    _matrix(at)  # the analysis ran
    # the controls and the analysis (after changing the resamples too) share one read of the data
    assert len(calls) == 1, calls


def test_what_if_scenarios_share_one_basis_per_driver(demo_app: Path, monkeypatch: Any) -> None:
    from cxdash.ui import drivers as ui_drivers

    drivers_asked: list[str] = []
    real = ui_drivers.what_if_basis

    def counting(result: Any, driver: str) -> Any:
        drivers_asked.append(driver)
        return real(result, driver)

    monkeypatch.setattr(ui_drivers, "what_if_basis", counting)
    at = _open()
    first = at.selectbox(key="drivers_whatif_tp").value
    assert drivers_asked[-1] == first  # the page's what-if with the default Δ
    drivers_asked.clear()
    shown = {at.info[-1].value}
    for delta in (1.0, 2.0):  # new scenarios for the same touchpoint reuse its resampled groups
        at.number_input(key="drivers_whatif_delta").set_value(delta).run()
        shown.add(at.info[-1].value)
    at.radio(key="drivers_whatif_kind").set_value("halve").run()
    shown.add(at.info[-1].value)
    assert not at.exception
    assert len(shown) == 4  # each scenario has its own estimate
    assert drivers_asked == []
    other = next(o for o in at.selectbox(key="drivers_whatif_tp").options if o != first)
    at.selectbox(key="drivers_whatif_tp").set_value(other).run()
    assert drivers_asked == [other]


def test_ces_can_be_the_outcome_on_its_own_scale(empty_app: Path) -> None:
    """A support team asks CES on 1–5 beside step ratings: CES is offered as the outcome, named with its scale, and
    the step that sets the effort (waiting) comes out as its strongest driver."""
    import random

    from cxdash.ingest.load import import_file
    from cxdash.store.workspaces import open_store

    rng = random.Random(11)
    rows = ["id,date,ease,Waiting,Agent,Resolution"]
    for i in range(300):
        wait, agent, resolution = rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 5)
        ease = min(5, max(1, round(0.8 * wait + 0.2 * agent + rng.gauss(0, 0.5))))
        rows.append(f"S{i},2025-{1 + i % 12:02d}-10,{ease},{wait},{agent},{resolution}")
    path = empty_app.parent / "support.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    mapping = {"id": "response_id", "date": "date", "ease": "ces [1-5]"}
    mapping |= {tp: f"rating:{tp}" for tp in ("Waiting", "Agent", "Resolution")}
    engine = open_store(f"sqlite:///{empty_app}")
    assert import_file(engine, path, path.name, workspace="Support", mapping=mapping).responses == 300
    engine.dispose()
    at = _open()
    outcome = at.selectbox(key="drivers_outcome")
    assert "ces" in outcome.options or "CES answer (1–5)" in outcome.options, outcome.options
    outcome.set_value("ces").run()
    assert not at.exception, at.exception
    spec, _ = _matrix(at)
    assert spec["title"].startswith("Moments of truth: impact on CES answer (1–5)"), spec["title"]
    assert at.dataframe[0].value["touchpoint"].iloc[0] == "Waiting"
    assert any("CES answer (1–5)" in i.value for i in at.info)  # the what-if names the outcome with its scale
