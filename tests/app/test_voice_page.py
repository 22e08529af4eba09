"""The Voice of the Customer page in AppTest: it runs on the demo and on an empty store, search and filters narrow
the verbatims, the theme editor and suggestions write themes that tag comments, and re-scoring runs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import Table, func, select
from streamlit.testing.v1 import AppTest

from cxdash.store.models import CommentTheme
from cxdash.store.themes import list_themes, theme_summary
from cxdash.store.workspaces import get_workspace, open_store
from tests.app.conftest import new_app

PAGE = "pages/voice.py"
CT = cast(Table, CommentTheme.__table__)


def voice_app() -> AppTest:
    at = new_app().run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def match_count(at: AppTest) -> int:
    line = next(m.value for m in at.markdown if "comments** match" in m.value)
    return int(re.search(r"\*\*([\d,]+) comments\*\*", line).group(1).replace(",", ""))  # type: ignore[union-attr]


def shown_texts(at: AppTest) -> list[str]:
    block = next((m.value for m in at.markdown if "cx-verbatim" in m.value), "")
    return re.findall(r'<div class="cx-verbatim"[^>]*>(.*?)<div style=', block)


def english_comments(db: Path) -> int:
    """How many comments the English demo workspace (id 1) holds, counted in the store."""
    from cxdash.store.queries import counts

    engine = open_store(str(db))
    try:
        return counts(engine, 1)["comments"]
    finally:
        engine.dispose()


def test_runs_on_the_demo_with_charts_themes_keywords_and_verbatims(demo_app: Path) -> None:
    at = voice_app()
    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.subheader][:4] == ["Sentiment mix", "Themes", "Distinctive keywords", "Verbatims"]
    titles = [json.loads(c.proto.spec).get("title") for c in at.get("vega_lite_chart")]
    assert "Sentiment by time" in titles and "Themes: comments and share negative" in titles
    assert match_count(at) == english_comments(demo_app)  # every comment of the English demo workspace
    assert len(shown_texts(at)) == 25  # one page


def test_runs_on_an_empty_store(empty_app: Path) -> None:
    at = voice_app()
    assert not at.error
    assert any("Import" in i.value for i in at.info)


def test_split_by_segment_and_theme(demo_app: Path) -> None:
    at = voice_app()
    at.segmented_control(key="voice_split").set_value("segment").run()
    assert not at.exception, at.exception
    at.segmented_control(key="voice_split").set_value("theme").run()
    assert not at.exception, at.exception
    titles = [json.loads(c.proto.spec).get("title") for c in at.get("vega_lite_chart")]
    assert "Sentiment by theme" in titles


def test_search_narrows_the_verbatims_and_highlights(demo_app: Path) -> None:
    at = voice_app()
    total = match_count(at)
    at.text_input(key="voice_search").set_value("TRACKING").run()
    assert not at.exception
    narrowed = match_count(at)
    assert 0 < narrowed < total
    texts = shown_texts(at)
    assert texts and all("tracking" in t.lower() for t in texts)
    assert all("<mark" in t for t in texts)


def test_theme_filter_shows_that_themes_comments(demo_app: Path) -> None:
    engine = open_store(str(demo_app))
    ws = get_workspace(engine).id
    assert ws is not None
    volume = int(theme_summary(engine, ws).set_index("theme").loc["Delivery", "volume"])
    at = voice_app()
    at.multiselect(key="voice_themes").set_value(["Delivery"]).run()
    assert not at.exception
    assert match_count(at) == volume
    at.multiselect(key="voice_labels").set_value(["negative"]).run()
    assert 0 < match_count(at) < volume


def test_a_theme_added_in_the_editor_is_stored_and_tags_comments(demo_app: Path) -> None:
    at = voice_app()
    at.text_input(key="voice_theme_name_0").set_value("Tracking")
    at.text_area(key="voice_theme_en_0").set_value("tracking\ntrack*")
    at.text_area(key="voice_theme_ja_0").set_value("追跡")
    next(b for b in at.button if b.label == "Save theme").click().run()
    assert not at.exception, at.exception
    assert any("Tracking" in s.value for s in at.success)
    engine = open_store(str(demo_app))
    ws = get_workspace(engine).id
    theme = next(t for t in list_themes(engine, ws) if t.name == "Tracking")  # type: ignore[arg-type]
    assert theme.keywords_en == "tracking\ntrack*" and theme.keywords_ja == "追跡"
    with engine.connect() as conn:
        tagged = conn.execute(select(func.count()).select_from(CT).where(CT.c.theme_id == theme.id)).scalar_one()
    assert tagged > 0
    # the new theme is offered as a verbatim filter and filters to exactly its comments
    at.multiselect(key="voice_themes").set_value(["Tracking"]).run()
    assert match_count(at) == tagged


def test_a_theme_without_rules_is_refused_with_a_message(demo_app: Path) -> None:
    at = voice_app()
    at.text_input(key="voice_theme_name_0").set_value("Empty")
    next(b for b in at.button if b.label == "Save theme").click().run()
    assert not at.exception
    assert any("keyword rule" in e.value for e in at.error)


def test_creating_a_theme_from_a_suggestion(demo_app: Path) -> None:
    at = voice_app()
    buttons = [b for b in at.button if b.label == "Create theme"]
    assert buttons, "the demo has phrases no theme covers"
    before = {t.name for t in list_themes(open_store(str(demo_app)), 1)}
    buttons[0].click().run()
    assert not at.exception, at.exception
    after = {t.name for t in list_themes(open_store(str(demo_app)), 1)}
    assert len(after - before) == 1


def test_many_comments_look_for_new_themes_only_when_asked(demo_app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above SUGGEST_AT_ONCE comments (a few seconds of reading each) the suggestions wait for the toggle."""
    from cxdash.store import themes as theme_store
    from cxdash.ui import voice

    monkeypatch.setattr(voice, "SUGGEST_AT_ONCE", 100)
    calls: list[int] = []
    real = theme_store.suggest_new_themes
    monkeypatch.setattr(theme_store, "suggest_new_themes", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = voice_app()
    assert not calls and not [b for b in at.button if b.label == "Create theme"]
    toggle = at.toggle(key="voice_suggest_go")
    assert "comments" in toggle.label and any("when you ask" in c.value for c in at.caption)
    toggle.set_value(True).run()
    assert not at.exception, at.exception
    assert calls and [b for b in at.button if b.label == "Create theme"]


def test_rescore_button(demo_app: Path) -> None:
    at = voice_app()
    at.button(key="voice_rescore").click().run()
    assert not at.exception, at.exception
    expected = f"re-scored for {english_comments(demo_app):,} comments"
    assert any(expected in s.value for s in at.success)


def test_scores_of_an_earlier_analyser_version_are_pointed_out_until_re_scored(demo_app: Path) -> None:
    """After an upgrade changed the analysers, the page says how many comments carry the old scores; re-scoring
    replaces them and the note goes."""
    from sqlalchemy import update

    from cxdash.store.models import Comment, Response

    engine = open_store(str(demo_app))
    comments, responses = cast(Table, Comment.__table__), cast(Table, Response.__table__)
    shown = select(responses.c.id).where(responses.c.workspace_id == 1)  # the workspace the page opens on
    with engine.begin() as conn:
        ids = conn.execute(select(comments.c.id).where(comments.c.response_id.in_(shown)).limit(7)).scalars().all()
        conn.execute(update(comments).where(comments.c.id.in_(ids)).values(method="vader-3.3.1"))
    at = voice_app()
    notes = [i.value for i in at.info if "earlier version" in i.value]
    assert notes and "7 comments" in notes[0] and "vader-3.3.1 (7)" in notes[0], notes
    at.button(key="voice_rescore").click().run()
    assert not at.exception, at.exception
    assert not [i.value for i in at.info if "earlier version" in i.value]


def test_a_store_without_themes_can_start_from_the_defaults(demo_app: Path) -> None:
    """An upgraded store (themes came in a later version) has comments but no themes: one click seeds and tags."""
    from sqlalchemy import delete, func, select

    from cxdash.store.models import CommentTheme, Theme
    from cxdash.store.workspaces import open_store

    engine = open_store(str(demo_app))
    with engine.begin() as conn:
        conn.execute(delete(CommentTheme))
        conn.execute(delete(Theme))
    at = new_app().run()
    at.switch_page("pages/voice.py").run()
    at.button(key="voice_seed_themes").click().run()
    assert not at.exception, at.exception
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Theme)).scalar_one() > 0
        assert conn.execute(select(func.count()).select_from(CommentTheme)).scalar_one() > 100
    engine.dispose()
