"""The import flow driven through the page: upload → suggested roles → validation report → Import → store."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from cxdash.i18n import t
from cxdash.store.frames import touchpoint_scales
from cxdash.store.models import Comment, ImportBatch, Rating, Response
from cxdash.store.themes import list_themes
from cxdash.store.workspaces import get_workspace, open_store
from tests.app.conftest import new_app

CSV = (
    "Response ID,Date,Plan,How likely are you to recommend us to a friend?,Satisfaction - Checkout,"
    "Satisfaction - Delivery,Why?\n"
    "A1,2026-01-05,Pro,9,5,4,Quick and easy checkout\n"
    "A2,2026-01-06,Free,3,2,1,The parcel arrived a week late\n"
    "A3,2026-01-07,Pro,11,4,4,Nice\n"
    "A4,2026-01-08,Free,7,3,,\n"
)


def _counts(db: Path) -> dict[str, int]:
    engine = open_store(str(db))
    with engine.connect() as conn:
        out = {
            name: conn.execute(select(func.count()).select_from(model)).scalar_one()
            for name, model in {
                "responses": Response,
                "ratings": Rating,
                "comments": Comment,
                "batches": ImportBatch,
            }.items()
        }
    engine.dispose()
    return out


def _upload(at, name: str = "survey.csv", data: str = CSV):  # type: ignore[no-untyped-def]
    at.switch_page("pages/import.py").run()
    at.selectbox(key="import_target_workspace").set_value("➕ New workspace…").run()
    at.text_input(key="import_new_workspace").input("Test survey").run()
    at.file_uploader(key="import_upload").set_value((name, data.encode("utf-8"), "text/csv")).run()
    return at


def test_upload_shows_roles_and_rejections_before_writing(empty_app: Path) -> None:
    at = _upload(new_app().run())
    assert not at.exception, at.exception
    roles = at.session_state["_import_roles_base"][1].set_index("Column")["Role"].to_dict()
    assert roles["Response ID"] == "Response ID"
    assert roles["How likely are you to recommend us to a friend?"].startswith("NPS")
    assert roles["Satisfaction - Checkout"] == "Touchpoint rating →"
    assert roles["Why?"] == "Comment"
    frames = [df.value for df in at.dataframe]
    rejected = next(f for f in frames if "Row" in f.columns)
    assert rejected["Row"].tolist() == [4] and "outside 0–10" in rejected["Reason"].iloc[0]
    why = next(f for f in frames if "First row" in f.columns)  # the same rows, one line per column and reason
    assert why.to_dict("records") == [
        {
            "Column": "How likely are you to recommend us to a friend?",
            "Reason": "… is outside 0–10",
            "Rows": 1,
            "First row": 4,
            "Example": "11",
        }
    ]
    assert _counts(empty_app)["responses"] == 0  # nothing written before Import


def test_import_button_writes_the_batch(empty_app: Path) -> None:
    at = _upload(new_app().run())
    at.button(key="import_go").click().run()
    assert not at.exception, at.exception
    counts = _counts(empty_app)
    assert counts == {"responses": 3, "ratings": 5, "comments": 2, "batches": 1}
    # the Overview now shows the new workspace's numbers
    at.switch_page("pages/overview.py").run()
    assert at.title[0].value == "Test survey"
    assert "n = 3" in at.caption[1].value


def test_a_workspace_made_on_the_japanese_page_is_japanese(empty_app: Path) -> None:
    """The team that reads the page names the workspace's language: its seeded themes come in Japanese."""
    at = new_app()
    at.context = {"locale": "ja-JP"}  # the page in Japanese
    at.run()
    at.switch_page("pages/import.py").run()
    at.selectbox(key="import_target_workspace").set_value(t("import.new_workspace", language="ja")).run()
    at.text_input(key="import_new_workspace").input("テスト").run()
    at.file_uploader(key="import_upload").set_value(("survey.csv", CSV.encode("utf-8"), "text/csv")).run()
    at.button(key="import_go").click().run()
    assert not at.exception, at.exception
    engine = open_store(str(empty_app))
    try:
        workspace = get_workspace(engine, "テスト")
        assert workspace.language == "ja" and workspace.id is not None
        assert list_themes(engine, workspace.id)[0].name == "価格・コスパ"  # English comments, Japanese readers
    finally:
        engine.dispose()


def test_changed_role_is_used(empty_app: Path) -> None:
    at = _upload(new_app().run())
    base = at.session_state["_import_roles_base"][1]
    row = int(base.index[base["Column"] == "Satisfaction - Delivery"][0])
    at.session_state["import_roles_editor"] = {
        "edited_rows": {row: {"Role": "Ignore"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="import_go").click().run()
    assert not at.exception, at.exception
    assert _counts(empty_app)["ratings"] == 3  # only Checkout ratings


def test_a_scale_chosen_in_the_editor_is_the_one_imported(empty_app: Path) -> None:
    """The validation report names each score column's scale; a scale set in the Scale column replaces it."""
    at = _upload(new_app().run())
    captions = " ".join(c.value for c in at.caption)
    assert "Scales: 0–10: 'How likely are you to recommend us to a friend?' · 1–5: 'Satisfaction - Checkout', " in (
        captions
    )
    base = at.session_state["_import_roles_base"][1]
    assert set(base["Scale"]) == {"Auto"}
    row = int(base.index[base["Column"] == "Satisfaction - Delivery"][0])
    at.session_state["import_roles_editor"] = {
        "edited_rows": {row: {"Scale": "1–10"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    captions = " ".join(c.value for c in at.caption)
    assert "1–5: 'Satisfaction - Checkout' · 1–10: 'Satisfaction - Delivery'" in captions
    at.button(key="import_go").click().run()
    assert not at.exception, at.exception
    engine = open_store(str(empty_app))
    ws = get_workspace(engine, "Test survey").id
    assert ws is not None
    assert touchpoint_scales(engine, ws) == {"Checkout": (1, 5), "Delivery": (1, 10)}
    engine.dispose()


def test_the_preview_reads_a_touchpoint_of_the_workspace_on_its_stored_scale(demo_app: Path) -> None:
    """Into the demo workspace, whose Checkout is rated 1–5: a file's 1–7 Checkout ratings are read on 1–5 in the
    preview, as the import will read them, and the 6s and 7s are listed as rejected."""
    rows = "\n".join(f"X{i},{i % 11},{1 + i % 7}" for i in range(40))
    at = new_app().run()
    at.switch_page("pages/import.py").run()
    assert at.selectbox(key="import_target_workspace").value == "Demo — Acme Online (EN)"
    data = f"Response ID,How likely are you to recommend us?,Checkout\n{rows}\n".encode()
    at.file_uploader(key="import_upload").set_value(("checkout.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    said = " ".join(w.value for w in at.warning)
    assert "Column 'Checkout': read on 1–5, the scale touchpoint 'Checkout' has in this workspace" in said
    assert "1–5: 'Checkout'" in " ".join(c.value for c in at.caption)
    rejected = next(f.value for f in at.dataframe if "Row" in f.value.columns)
    assert set(rejected["Reason"]) == {"6 is outside 1–5", "7 is outside 1–5"}
    why = next(f.value for f in at.dataframe if "First row" in f.value.columns)
    assert why[["Reason", "Rows", "Example"]].values.tolist() == [["… is outside 1–5", len(rejected), "6"]]


def test_the_preview_reads_a_ces_that_fits_on_the_workspace_ces_scale(demo_app: Path) -> None:
    """The demo asks CES on 1–7: a month's file in which no one answered 6 or 7 is read on 1–7, not on the 1–5 its
    answers alone would make, and the preview says so."""
    rows = "\n".join(f"Y{i},{i % 11},{1 + i % 5}" for i in range(40))
    at = new_app().run()
    at.switch_page("pages/import.py").run()
    data = f"Response ID,How likely are you to recommend us?,How easy was it to get your issue resolved?\n{rows}\n"
    at.file_uploader(key="import_upload").set_value(("effort.csv", data.encode(), "text/csv")).run()
    assert not at.exception, at.exception
    said = " ".join(w.value for w in at.warning)
    assert "CES read on 1–7, the scale of this workspace's CES answers (its answers alone would make it 1–5)" in said
    assert "1–7: 'How easy was it to get your issue resolved?'" in " ".join(c.value for c in at.caption)


def test_delete_batch_from_history(demo_app: Path) -> None:
    before = _counts(demo_app)
    at = new_app().run()
    at.switch_page("pages/import.py").run()
    at.checkbox(key="delete_batch_sure").check().run()
    at.button(key="delete_batch_go").click().run()
    assert not at.exception, at.exception
    after = _counts(demo_app)
    assert after["batches"] == before["batches"] - 1
    assert after["responses"] < before["responses"] and after["comments"] < before["comments"]
