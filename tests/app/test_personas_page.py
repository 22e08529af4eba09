"""The Personas page in AppTest: cards on the demo and an empty store; every kind of edit is in the store and still
shown after a rerun and in a new session; duplicate, delete with confirmation, suggestions from the data, JSON
import; and the sidebar persona narrows the KPIs of other pages.

The page is run through an entry script that lists it beside the app's pages (app.py does not list it yet)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cxdash.i18n import t, use_language
from cxdash.store import personas as store
from cxdash.store.workspaces import get_workspace, open_store
from cxdash.ui import personas as ui
from cxdash.ui.sidebar import PERSONA_KEY
from tests.app.conftest import REPO, new_app

PAGE = str(REPO / "pages" / "personas.py")
ENTRY = f"""
import streamlit as st
st.set_page_config(page_title="cxdash", layout="wide")
st.navigation([
    st.Page({PAGE!r}, title="Personas", url_path="personas", default=True),
    st.Page({str(REPO / "pages" / "overview.py")!r}, title="Overview", url_path="overview"),
]).run()
"""
EN = "Demo — Acme Online (EN)"


@pytest.fixture
def entry(tmp_path: Path) -> Path:
    path = tmp_path / "entry.py"
    path.write_text(ENTRY, encoding="utf-8")
    return path


def open_page(entry: Path) -> AppTest:
    """The personas page reached through the app's navigation (``entry`` is kept for the tests' signatures)."""
    at = new_app().run()
    at.switch_page("pages/personas.py").run()
    assert not at.exception, at.exception
    return at


def ws_id(db: Path, name: str = EN) -> tuple[object, int]:
    engine = open_store(str(db))
    w = get_workspace(engine, name)
    assert w.id is not None
    return engine, w.id


def card_texts(at: AppTest) -> list[str]:
    suggest = {t("personas.suggest.title", language=lang) for lang in ("en", "ja")}
    return [unescape(s.value) for s in at.main.subheader if s.value not in suggest]


def unescape(markdown: str) -> str:
    """User text as the reader sees it (the page escapes every Markdown character)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def test_demo_cards_show_segment_figures(demo_app: Path, entry: Path) -> None:
    at = open_page(entry)
    assert not at.error, [e.value for e in at.error]
    assert card_texts(at) == ["Premium Priya", "Bargain-hunting Ben"]
    md = [m.value for m in at.markdown]
    assert any(m.startswith("**n = 257** NPS answers · **NPS +28** (95% +19 to +37)") for m in md)
    assert sum("**Top drivers** (relative weights" in m for m in md) == 2
    assert sum(m.startswith("**Typical comments**") for m in md) == 2
    quoted = [c.value for c in at.caption if c.value.startswith("“")]
    assert len(quoted) == 6


def test_empty_store(empty_app: Path, entry: Path) -> None:
    at = open_page(entry)
    assert "The store is empty" in at.info[0].value


def test_create_edit_every_field_and_it_stays(demo_app: Path, entry: Path) -> None:
    engine, ws = ws_id(demo_app)
    at = open_page(entry)
    at.button[0].click().run()  # New persona
    p = ui._prefix(ui.NEW)
    at.text_input(key=f"{p}name").input("Loyal Lena")
    at.text_input(key=f"{p}emoji").input("🦊")
    for f in ("summary", "goals", "pains", "behaviours"):
        at.text_area(key=f"{p}{f}").input(f"{f} *one*\n{f} two")
    at.text_input(key=f"{p}channels").input("app, <b>email</b>")
    at.text_input(key=f"{p}quote").input("Just *works*.")
    at.multiselect(key=f"{p}seg_1").set_value(["Plus"])  # attributes: Age group, Plan, Region
    at.button(key="FormSubmitter:persona_form_new_form-💾 Save").click().run()
    assert not at.exception, at.exception
    lena = store.find_persona(engine, ws, "Loyal Lena")
    assert lena is not None
    assert (lena.avatar, lena.goals, lena.channels, lena.quote) == (
        "🦊",
        "goals *one*\ngoals two",
        "app, <b>email</b>",
        "Just *works*.",
    )
    assert json.loads(lena.segment_json) == {"Plan": ["Plus"]}
    assert "Saved 'Loyal Lena'." in at.success[0].value
    assert "Loyal Lena" in card_texts(at)
    md = [m.value for m in at.markdown]
    assert "**Segment:** Plan is Plus" in md
    assert "**Channels:** app, \\<b\\>email\\</b\\>" in md  # shown as text, never as HTML
    at.run()  # a rerun keeps it
    assert "Loyal Lena" in card_texts(at)

    # edit: every field, then a fresh session (a browser refresh) still shows it
    pid = lena.id
    at.button(key=f"persona_edit_{pid}").click().run()
    q = ui._prefix(pid)
    assert at.text_input(key=f"{q}name").value == "Loyal Lena"
    at.text_input(key=f"{q}name").input("Loyal Lena 2")
    at.text_input(key=f"{q}emoji").input("🐻")
    at.text_area(key=f"{q}pains").input("Nothing")
    at.text_input(key=f"{q}quote").input("Still great")
    at.multiselect(key=f"{q}seg_1").set_value(["Plus", "Premium"])
    at.multiselect(key=f"{q}seg_2").set_value(["North"])
    at.button(key=f"FormSubmitter:persona_form_{pid}_form-💾 Save").click().run()
    saved = store.get_persona(engine, ws, pid)
    assert (saved.name, saved.avatar, saved.pains, saved.quote) == ("Loyal Lena 2", "🐻", "Nothing", "Still great")
    assert json.loads(saved.segment_json) == {"Plan": ["Plus", "Premium"], "Region": ["North"]}
    fresh = open_page(entry)
    assert "Loyal Lena 2" in card_texts(fresh)
    assert "**Segment:** Plan is Plus or Premium and Region is North" in [m.value for m in fresh.markdown]


def test_duplicate_name_is_refused_with_a_message(demo_app: Path, entry: Path) -> None:
    engine, ws = ws_id(demo_app)
    at = open_page(entry)
    ben = store.find_persona(engine, ws, "Bargain-hunting Ben")
    assert ben is not None
    at.button(key=f"persona_edit_{ben.id}").click().run()
    at.text_input(key=f"{ui._prefix(ben.id or 0)}name").input("premium priya")
    at.button(key=f"FormSubmitter:persona_form_{ben.id}_form-💾 Save").click().run()
    assert "already exists in this workspace" in at.error[0].value
    assert store.get_persona(engine, ws, ben.id or 0).name == "Bargain-hunting Ben"


def test_avatar_upload_is_stored_and_shown_as_an_image(demo_app: Path, entry: Path) -> None:
    import base64
    import io

    from PIL import Image

    engine, ws = ws_id(demo_app)
    ben = store.find_persona(engine, ws, "Bargain-hunting Ben")
    assert ben is not None
    buf = io.BytesIO()
    Image.new("RGB", (800, 400), (200, 30, 30)).save(buf, format="PNG")
    at = open_page(entry)
    at.button(key=f"persona_edit_{ben.id}").click().run()
    p = ui._prefix(ben.id or 0)
    at.file_uploader(key=f"{p}image").set_value(("me.png", buf.getvalue(), "image/png"))
    at.button(key=f"FormSubmitter:persona_form_{ben.id}_form-💾 Save").click().run()
    assert not at.exception, at.exception
    uri = store.get_persona(engine, ws, ben.id or 0).avatar
    assert uri.startswith("data:image/png;base64,")
    img = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert img.size == (256, 128)  # made small for the store
    fresh = open_page(entry)
    shown = fresh.get("image")
    assert len(shown) == 1
    assert "## 🧢" not in [m.value for m in fresh.markdown]
    # back to the emoji
    fresh.button(key=f"persona_edit_{ben.id}").click().run()
    fresh.checkbox(key=f"{p}drop_image").check()
    fresh.text_input(key=f"{p}emoji").input("🧢")
    fresh.button(key=f"FormSubmitter:persona_form_{ben.id}_form-💾 Save").click().run()
    assert store.get_persona(engine, ws, ben.id or 0).avatar == "🧢"


def test_duplicate_and_delete_with_confirmation(demo_app: Path, entry: Path) -> None:
    engine, ws = ws_id(demo_app)
    priya = store.find_persona(engine, ws, "Premium Priya")
    assert priya is not None
    at = open_page(entry)
    at.button(key=f"persona_dup_{priya.id}").click().run()
    assert "Premium Priya (copy)" in card_texts(at)
    copy = store.find_persona(engine, ws, "Premium Priya (copy)")
    assert copy is not None and copy.segment_json == priya.segment_json
    at.button(key=f"persona_del_{copy.id}").click().run()
    assert "cannot be undone" in at.warning[0].value
    assert store.find_persona(engine, ws, "Premium Priya (copy)") is not None  # not yet
    at.button(key=f"persona_delete_no_{copy.id}").click().run()
    assert store.find_persona(engine, ws, "Premium Priya (copy)") is not None
    at.button(key=f"persona_del_{copy.id}").click().run()
    at.button(key=f"persona_delete_yes_{copy.id}").click().run()
    assert store.find_persona(engine, ws, "Premium Priya (copy)") is None
    assert "Premium Priya (copy)" not in card_texts(at)
    assert "Persona deleted." in at.success[0].value


def test_suggest_personas_and_make_one_in_one_click(demo_app: Path, entry: Path) -> None:
    engine, ws = ws_id(demo_app)
    at = open_page(entry)
    at.selectbox(key="personas_k").set_value(3).run()
    at.button(key="personas_find").click().run()
    assert not at.exception, at.exception
    assert any(m.value.startswith("**3 groups** of 2,996 respondents (as asked") for m in at.markdown)
    method = next(unescape(c.value) for c in at.caption if unescape(c.value).startswith("Scores (standardised)"))
    assert "Delivery speed" in method and "Support chat (answered by 31%)" in method
    assert len(at.expander) >= 3
    before = len(store.list_personas(engine, ws))
    at.button(key="personas_from_cluster_1").click().run()
    personas = store.list_personas(engine, ws)
    assert len(personas) == before + 1
    made = personas[-1]
    assert made.summary.startswith("Suggested from a group of ") and "respondents" in made.summary
    assert at.expander[0].label == f"Group 1: {made.name}"
    assert "Created the persona" in at.success[0].value
    assert personas[-1].name in card_texts(at)


def test_import_json_from_the_page(demo_app: Path, entry: Path) -> None:
    engine, ws = ws_id(demo_app)
    doc = {"cxdash": "personas", "version": 1, "personas": [{"name": "Imported Ida", "avatar": "🐙", "quote": "Hi"}]}
    at = open_page(entry)
    at.file_uploader(key=ui.IMPORT_KEY).set_value(("p.json", json.dumps(doc).encode(), "application/json"))
    at.button(key="FormSubmitter:personas_import_form-⬆️ Import").click().run()
    assert not at.exception, at.exception
    assert "1 created, 0 updated, 0 unchanged" in at.success[0].value
    assert "Imported Ida" in card_texts(at)
    assert store.find_persona(engine, ws, "Imported Ida") is not None
    at.file_uploader(key=ui.IMPORT_KEY).set_value(("p.json", b'{"cxdash": "journeys"}', "application/json"))
    at.button(key="FormSubmitter:personas_import_form-⬆️ Import").click().run()
    assert "not a cxdash persona file" in at.error[0].value


def test_sidebar_persona_narrows_the_kpis_of_other_pages(demo_app: Path, entry: Path) -> None:
    engine, ws = ws_id(demo_app)
    priya = store.find_persona(engine, ws, "Premium Priya")
    assert priya is not None
    at = open_page(entry)
    at.switch_page(str(REPO / "pages" / "overview.py")).run()
    assert not at.exception, at.exception
    everyone = [m.value for m in at.metric]
    key = f"{PERSONA_KEY}_{ws}"
    at.selectbox(key=key).set_value(priya.id).run()
    assert not at.exception, at.exception
    hers = [m.value for m in at.metric]
    assert hers != everyone
    assert any("Persona segment: Plan is Premium" in c.value for c in at.sidebar.caption)
    at.run()
    assert at.selectbox(key=key).value == priya.id  # the choice stays


# --- in Japanese ------------------------------------------------------------------------------------------------

JA = "デモ — さくらマート (JA)"
LANGUAGE = "ui_language"  # cxdash.ui.state.LANGUAGE: the session's interface language


def open_in(language: str, workspace: str, db: Path) -> AppTest:
    """The personas page of ``workspace`` with the interface in ``language`` (as the sidebar's picker sets it)."""
    _, ws = ws_id(db, workspace)
    at = new_app()
    at.session_state[LANGUAGE] = language
    at.session_state["workspace_id"] = ws
    at.run()
    at.switch_page("pages/personas.py").run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def test_thread_in_japanese() -> Iterator[None]:
    """AppTest calls a select box's ``format_func`` in the test's thread, outside the script run, when it reads the
    widget's state: that thread must speak the session's language too, or a translated option is "not in list"."""
    with use_language("ja"):
        yield


@pytest.mark.usefixtures("test_thread_in_japanese")
def test_the_page_in_japanese(demo_app: Path) -> None:
    from tests.app.visible_text import english_left, visible_texts

    engine, ws = ws_id(demo_app, JA)
    at = open_in("ja", JA, demo_app)
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "ペルソナ"
    assert card_texts(at) == ["共働きの佐藤さん", "シニアの田中さん"]
    md = [unescape(m.value) for m in at.markdown]
    assert sum(m.startswith("**セグメント：** ") for m in md) == 2
    assert any(re.match(r"NPS 回答 \*\*n = [\d,]+\*\* · \*\*NPS [+-]\d+\*\*（95% 信頼区間 ", m) for m in md), md
    assert sum(m.startswith("**代表的なコメント**（") for m in md) == 2
    assert {"**目標**", "**ペインポイント**", "**行動特性**"} <= {m.split("\n")[0] for m in md}
    assert at.button(key=f"persona_edit_{store.find_persona(engine, ws, '共働きの佐藤さん').id}").label == "✏️ 編集"
    assert [b.label for b in at.get("download_button") if "PNG" in b.label][0] == "🖼️ カード（PNG）"

    # suggestions from the data, and a persona made from one of them
    at.selectbox(key="personas_k").set_value(3).run()
    at.button(key="personas_find").click().run()
    assert not at.exception, at.exception
    assert any(
        re.match(r"回答者 [\d,]+ 人を \*\*3 グループ\*\* に分けました（指定どおり", m.value) for m in at.markdown
    )
    method = next(unescape(c.value) for c in at.caption if unescape(c.value).startswith("スコア（標準化）："))
    assert "NPS 回答" in method and "欠損スコアは変数の平均で補完" in method
    assert [e.label.split("：")[0] for e in at.expander][:3] == ["グループ 1", "グループ 2", "グループ 3"]
    at.button(key="personas_from_cluster_1").click().run()
    made = store.list_personas(engine, ws)[-1]
    assert made.summary.startswith("回答者 ") and "のグループから提案" in made.summary
    assert "グループ 1 からペルソナ" in at.success[0].value
    left = english_left(visible_texts(at), ["personas"])
    assert not left, left  # every word of the page (not the user's) is Japanese

    # the edit form
    at.button(key="persona_edit_" + str(made.id)).click().run()
    p = ui._prefix(made.id or 0)
    assert at.text_input(key=f"{p}name").label == "名前"
    assert at.text_area(key=f"{p}goals").label == "目標（1 行に 1 つ）"
    assert "セグメント条件" in " ".join(m.value for m in at.markdown)
    left = english_left(visible_texts(at), ["personas"])
    assert not left, left


def test_switching_language_redraws_cached_text(demo_app: Path) -> None:
    """The clusters' labels and notes are cached: a switch to Japanese must not show the English ones."""
    from tests.app.visible_text import english_left, visible_texts

    at = open_in("en", JA, demo_app)
    at.selectbox(key="personas_k").set_value(3).run()
    at.button(key="personas_find").click().run()
    english = [e.label for e in at.expander]
    assert english[0].startswith("Group 1: ")
    assert len(english_left(visible_texts(at), ["personas"])) > 10  # the check sees English where there is some
    with use_language("ja"):  # see test_thread_in_japanese
        at.session_state[LANGUAGE] = "ja"
        at.run()
        assert not at.exception, at.exception
        japanese = [e.label for e in at.expander]
        assert japanese[0].startswith("グループ 1：")
        assert not any(w in label for label in japanese for w in ("promoters", "detractors", "mixed", "scorers"))
        assert any(unescape(c.value).startswith("スコア（標準化）：") for c in at.caption)
        assert not english_left(visible_texts(at), ["personas"])
    at.session_state[LANGUAGE] = "en"
    at.run()
    assert [e.label for e in at.expander] == english
