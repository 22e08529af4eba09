"""The Actions page in AppTest on the demo store: the queue with its service times, a case updated through the
form is in the store after the rerun, an action created through the form is listed and measured, the demo's
courier action shows an improvement, the Drivers page hands a pre-filled action over, and Japanese works."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from cxdash.store.actions import list_actions
from cxdash.store.followup import CaseQuery, list_cases
from cxdash.store.queries import Filters
from cxdash.store.workspaces import get_workspace, open_store
from cxdash.ui import state
from tests.app.conftest import new_app

PAGE = "pages/actions.py"
EN = "Demo — Acme Online (EN)"


def actions_app(language: str | None = None) -> AppTest:
    at = new_app()
    if language:
        at.session_state[state.LANGUAGE] = language
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def store(db: Path) -> tuple[object, int]:
    engine = open_store(str(db))
    ws = get_workspace(engine, EN).id
    assert ws is not None
    return engine, ws


def test_queue_and_effect_on_the_demo(demo_app: Path) -> None:
    at = actions_app()
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "Actions — close the loop"
    labels = {m.label: m.value for m in at.metric}
    assert int(labels["Open cases"].replace(",", "")) > 0
    assert labels["To first contact (median)"].endswith(" h")  # the demo history: about 20 hours
    queue = next(d.value for d in at.dataframe if "case" in d.value.columns)  # the editable queue
    assert {"status", "owner", "notes", "comment", "touchpoint"} <= set(queue.columns)
    assert set(queue["status"]) <= {"new", "contacted"}  # the default filter: open cases
    # the courier action (the default: the started action with the longest 'after' period) improved all three
    assert at.selectbox(key="actions_picked").value is not None
    verdicts = " ".join(c.value for c in at.caption)
    assert "Improved: 95% interval" in verdicts
    assert any("Delivery speed: weekly mean score" in c.proto.spec for c in at.get("vega_lite_chart"))


def test_the_queue_follows_the_sidebar_segment(demo_app: Path) -> None:
    """Plan = Premium in the sidebar: the open-case tile and the queue hold Premium customers' cases only, the
    number the store gives for them."""
    engine, ws = store(demo_app)
    at = actions_app()
    everyone = int(next(m.value for m in at.metric if m.label == "Open cases").replace(",", ""))
    next(m for m in at.multiselect if m.label == "Plan").set_value(["Premium"]).run()
    assert not at.exception, at.exception
    premium = int(next(m.value for m in at.metric if m.label == "Open cases").replace(",", ""))
    segment = Filters(attributes={"Plan": ["Premium"]})
    expected = list_cases(engine, ws, CaseQuery(statuses=["new", "contacted"], segment=segment, limit=100_000))
    assert 0 < premium == len(expected) < everyone
    queue = next(d.value for d in at.dataframe if "case" in d.value.columns)
    assert set(queue["case"]) == set(expected["case_id"])


def test_case_update_through_the_form_persists(demo_app: Path) -> None:
    engine, ws = store(demo_app)
    at = actions_app()
    picker = at.selectbox(key=f"case_pick_{ws}")
    case_id = picker.value
    radio = next(r for r in at.radio if r.label == "Status")
    radio.set_value("resolved")
    next(ti for ti in at.text_input if ti.label == "Owner").set_value("Aiko Tanaka")
    next(ta for ta in at.text_area if ta.label == "Notes").set_value("Called back, refunded the delivery fee.")
    next(b for b in at.button if b.label == "Save case").click().run()
    assert not at.exception, at.exception
    assert any("1 case(s) saved" in s.value for s in at.success)
    rows = list_cases(engine, ws, CaseQuery(limit=100_000)).set_index("case_id")
    saved = rows.loc[case_id]
    assert (saved["status"], saved["owner"]) == ("resolved", "Aiko Tanaka")
    assert saved["notes"] == "Called back, refunded the delivery fee."
    assert saved["resolved_at"] is not None


def test_create_action_through_the_form(demo_app: Path) -> None:
    engine, ws = store(demo_app)
    before = len(list_actions(engine, ws))
    at = actions_app()
    next(ti for ti in at.text_input if ti.label == "Title").set_value("Clearer checkout errors")
    next(ms for ms in at.multiselect if ms.label == "Touchpoints").set_value(["Checkout"])
    next(b for b in at.button if b.label == "Create action").click().run()
    assert not at.exception, at.exception
    actions = list_actions(engine, ws)
    assert len(actions) == before + 1
    new = next(a for a in actions if a["title"] == "Clearer checkout errors")
    assert new["touchpoints"] == ["Checkout"] and new["origin"] == "manual"
    assert at.selectbox(key="actions_picked").value == new["id"]  # shown at once
    # started today: nothing after it yet, said plainly
    assert any("Not enough data to tell" in c.value for c in at.caption)


def test_empty_title_is_refused_with_a_message(demo_app: Path) -> None:
    engine, ws = store(demo_app)
    before = len(list_actions(engine, ws))
    at = actions_app()
    next(ms for ms in at.multiselect if ms.label == "Touchpoints").set_value(["Checkout"])
    next(b for b in at.button if b.label == "Create action").click().run()
    assert not at.exception
    assert any("needs a title" in e.value for e in at.error)
    assert len(list_actions(engine, ws)) == before


def test_drivers_page_hands_over_a_prefilled_action(demo_app: Path) -> None:
    at = new_app().run()
    at.switch_page("pages/drivers.py").run()
    assert not at.exception, at.exception
    assert any(m.value.startswith("- **Next-day courier") for m in at.markdown)  # the demo action shows there
    at.button(key="drivers_new_action").click().run()
    assert not at.exception, at.exception
    draft = at.session_state["action_draft"]
    # the focus defaults to the surest 'fix first' touchpoint: the demo's Delivery speed
    assert draft == {"touchpoints": ["Delivery speed"], "origin": "drivers", "title": "Fix first: Delivery speed",
                     "journey_step_id": None, "description": ""}  # fmt: skip
    assert at.title[0].value == "Actions — close the loop"  # it switched to the Actions page
    assert next(ti for ti in at.text_input if ti.label == "Title").value == "Fix first: Delivery speed"
    assert next(ms for ms in at.multiselect if ms.label == "Touchpoints").value == ["Delivery speed"]


def test_japanese_page(demo_app: Path) -> None:
    at = actions_app("ja")
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "アクション — クローズドループ"
    assert "未完了の案件" in {m.label for m in at.metric}


def test_empty_store(empty_app: Path) -> None:
    at = actions_app()
    assert not at.exception
    assert "Import a survey export first" in at.info[0].value
