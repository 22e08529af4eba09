"""The journey page in AppTest (run directly: the lead adds it to app.py's navigation): it runs on the demo and on
an empty store; a map made from a template, a renamed stage and edited, added, reordered and deleted steps are in
the store after the rerun; undo puts the map back; presentation mode shows one stage, large."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from cxdash.store import journeys as J
from cxdash.store.workspaces import get_workspace, open_store
from tests.app.conftest import new_app

PAGE = "pages/journey.py"
EN = "Demo — Acme Online (EN)"


def journey_app() -> AppTest:
    at = new_app().run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def stage_titles(at: AppTest) -> set[str]:
    """Stage names in the header lane of the page's chart (AppTest moves chart data into proto.datasets)."""
    import pyarrow as pa

    el = at.get("vega_lite_chart")[0]
    out: set[str] = set()
    for ds in el.proto.datasets:
        frame = pa.ipc.open_stream(ds.data.data).read_all().to_pandas()
        if "title" in frame.columns:
            out |= set(frame["title"].dropna())
    return out


def content(db: Path, name: str = "Order to doorstep") -> dict:
    engine = open_store(str(db))
    ws = get_workspace(engine, EN).id
    (jid,) = [j.id for j in J.list_journeys(engine, ws) if j.name == name]
    return J.journey_content(engine, jid)


def test_runs_on_the_demo_with_map_network_and_cards(demo_app: Path) -> None:
    at = journey_app()
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key="journey_id").value is not None
    (chart,) = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    assert spec["title"]["text"] == "Order to doorstep"
    (frame,) = at.get("iframe")
    assert "vis.Network" in frame.proto.srcdoc and "cdn.jsdelivr" not in frame.proto.srcdoc
    cards = " ".join(m.value for m in at.markdown)
    assert "NPS of those who rated it" in cards and "Impact on NPS" in cards
    # every demo touchpoint has ratings enough; Ads & social has 23 comments: only its comment line says so
    assert not [w.value for w in at.warning if "ratings" in w.value]
    thin = [m.value for m in at.markdown if "Comments about it: 23" in m.value]
    assert thin and "under 30 comments: a rough reading" in thin[0], thin
    assert "sentiment -0.00" not in cards


def test_runs_on_an_empty_store(empty_app: Path) -> None:
    at = journey_app()
    assert not at.error
    assert any("Import" in i.value for i in at.info)


def test_step_edits_are_saved_and_undo_restores(demo_app: Path) -> None:
    at = journey_app()
    before = content(demo_app)
    discover, buy = before["stages"][0], before["stages"][1]
    key = f"journey_steps_{discover['id']}_0"
    at.session_state[key] = {
        "edited_rows": {0: {"thinking": "Edited in a workshop", "emotion": -2}, 1: {"position": 1}},
        "added_rows": [{"touchpoint_label": "Reads a review", "touchpoint": "Product pages", "emotion": 1}],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception, at.exception
    after = content(demo_app)
    steps = after["stages"][0]["steps"]
    assert [s["touchpoint_label"] for s in steps] == ["Searches the site", "Sees an offer", "Reads a review"]
    assert (steps[1]["thinking"], steps[1]["emotion"]) == ("Edited in a workshop", -2)
    assert steps[2]["touchpoint"] == "Product pages"
    # still there after another rerun, and the editor starts clean under a new key
    at.run()
    assert content(demo_app)["stages"][0]["steps"] == steps
    at.session_state[f"journey_steps_{buy['id']}_1"] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [0]}
    at.run()
    assert [s["touchpoint_label"] for s in content(demo_app)["stages"][1]["steps"]] == ["Checks out", "Pays"]
    undo = at.button(key="journey_undo_btn")
    assert "edit steps" in undo.label
    undo.click().run()
    assert not at.exception, at.exception
    restored = content(demo_app)
    assert [s["touchpoint_label"] for s in restored["stages"][1]["steps"]] == [
        "Reads product page",
        "Checks out",
        "Pays",
    ]


def test_rename_stage_and_create_from_template(demo_app: Path) -> None:
    at = journey_app()
    stage = content(demo_app)["stages"][3]
    at.text_input(key=f"journey_stage_{stage['id']}_0").set_value("Use & enjoy").run()
    assert not at.exception, at.exception
    assert content(demo_app)["stages"][3]["name"] == "Use & enjoy"
    at.button(key=f"journey_stage_left_{stage['id']}").click().run()
    assert [s["name"] for s in content(demo_app)["stages"]][2:4] == ["Use & enjoy", "Deliver"]
    at.selectbox(key="journey_new_template").set_value("saas_subscription_en").run()
    at.button(key="journey_create").click().run()
    assert not at.exception, at.exception
    made = content(demo_app, "SaaS subscription: trial to renewal")
    assert len(made["stages"]) == 7
    assert at.selectbox(key="journey_id").value == made["id"]
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["title"]["text"] == "SaaS subscription: trial to renewal"
    at.button(key="journey_undo_btn").click().run()  # undo of a creation deletes the map
    engine = open_store(str(demo_app))
    assert [j.name for j in J.list_journeys(engine, get_workspace(engine, EN).id)] == ["Order to doorstep"]


def test_presentation_mode_one_stage_then_whole(demo_app: Path) -> None:
    at = journey_app()
    at.toggle(key="journey_present").set_value(True).run()
    assert not at.exception, at.exception
    assert any('data-testid="stSidebar"' in m.value for m in at.markdown)  # the static CSS
    assert stage_titles(at) == {"Discover"}
    at.button(key="journey_next").click().run()
    assert stage_titles(at) == {"Buy"}
    at.toggle(key="journey_present_whole").set_value(True).run()
    assert len(stage_titles(at)) == 6
    assert not at.get("iframe")  # presentation shows the map only


# --- in Japanese ------------------------------------------------------------------------------------------------

JA = "デモ — さくらマート (JA)"


def chart_rows(at: AppTest) -> list[dict]:
    """Every data row of the page's map chart."""
    import pyarrow as pa

    rows: list[dict] = []
    for ds in at.get("vega_lite_chart")[0].proto.datasets:
        rows += pa.ipc.open_stream(ds.data.data).read_all().to_pandas().to_dict("records")
    return rows


def test_the_page_in_japanese(demo_app: Path) -> None:
    from cxdash.i18n import use_language
    from tests.app.visible_text import english_left, visible_texts

    engine = open_store(str(demo_app))
    at = new_app()
    at.session_state["ui_language"] = "ja"  # cxdash.ui.state.LANGUAGE, as the sidebar's picker sets it
    at.session_state["workspace_id"] = get_workspace(engine, JA).id
    # AppTest reads select boxes' labels in the test's thread: it speaks the session's language too
    with use_language("ja"):
        at.run()
        at.switch_page(PAGE).run()
        assert not at.exception, at.exception
        assert not at.error, [e.value for e in at.error]
        assert at.title[0].value == "カスタマージャーニーマップ"
        assert [tab.label for tab in at.tabs] == ["🗺️ マップ", "✏️ 編集", "🕸️ ネットワーク", "📊 タッチポイント別データ"]
        spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
        assert spec["title"]["text"] == "ネットスーパーの注文から受け取りまで"
        rows = chart_rows(at)
        assert {"ステージ", "タッチポイント", "行動", "思考", "ペインポイント", "改善機会"} <= {
            r.get("lane") for r in rows
        }
        curves = {r.get("curve") for r in rows}
        assert {"想定の感情（マップ）", "スコア（データ）", "コメントの感情（データ）"} <= curves
        text = json.dumps(spec, ensure_ascii=False)
        assert '"title": "感情"' in text and "感情曲線（−2 … +2）" in text
        assert "Felt (map)" not in text and '"title": "Step"' not in text and "Curves" not in text
        (frame,) = at.get("iframe")
        assert "ノードの大きさ" in frame.proto.srcdoc and "Node size" not in frame.proto.srcdoc
        cards = " ".join(m.value for m in at.markdown)
        assert "評価した人の NPS" in cards and "NPS への影響" in cards
        assert [b.label for b in at.get("download_button")] == ["マップ（JSON）", "マップ（PNG）", "マップ（SVG）"]
        assert at.button(key="journey_undo_btn").label == "↩️ 直前の変更を元に戻す"
        left = english_left(visible_texts(at), ["journey"])
        assert not left, left

        # an edit in Japanese: the undo button says what it will undo
        journey = J.journey_content(engine, at.selectbox(key="journey_id").value)
        first = journey["stages"][0]
        at.text_input(key=f"journey_stage_{first['id']}_0").set_value("気づく").run()
        assert not at.exception, at.exception
        assert at.button(key="journey_undo_btn").label == f"↩️ 元に戻す：ステージ「{first['name']}」の名前変更"
        at.toggle(key="journey_present").set_value(True).run()
        assert [b.label for b in at.button if b.key in ("journey_prev", "journey_next")] == ["◀ 前へ", "次へ ▶"]
        assert f"ステージ **1** / {len(journey['stages'])}" in [m.value for m in at.markdown]
        assert stage_titles(at) == {"気づく"}
