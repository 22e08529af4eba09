"""Themes in a real SQLite file: seeding, editing, tagging, and aggregates checked by hand."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

import pandas as pd
import pytest
from sqlalchemy import Engine, Table, func, insert, select

from cxdash.analysis.themes import top_terms
from cxdash.errors import InputRefused, NotFound
from cxdash.store.engine import writer
from cxdash.store.models import Attribute, Comment, CommentTheme, ImportBatch, Response, Theme, Touchpoint, Workspace
from cxdash.store.themes import (
    comments_frame,
    delete_theme,
    list_themes,
    save_theme,
    seed_themes,
    suggest_new_themes,
    tag_comments,
    theme_summary,
    themes_by_touchpoint,
)

CT = cast(Table, CommentTheme.__table__)

# (text, language, label, responded_at, touchpoint, plan)
CURRENT = [
    ("The parcel arrived three days late", "en", "negative", datetime(2025, 1, 5, 9), "Delivery", "Basic"),
    ("配送が遅くて届かない", "ja", "negative", datetime(2025, 1, 10, 12), None, "Basic"),
    ("Delivery on time, thanks", "en", "positive", datetime(2025, 1, 31, 23, 30), "Delivery", "Plus"),
    ("店員さんの対応がとても丁寧", "ja", "positive", datetime(2025, 1, 15), "Store", "Plus"),
    ("Great price", "en", "positive", datetime(2025, 1, 20), None, "Plus"),
    ("Lovely view", "en", None, datetime(2025, 1, 21), None, "Basic"),
]
PREVIOUS = [
    ("The courier lost my parcel", "en", "negative", datetime(2024, 12, 3), "Delivery", "Basic"),
    ("Staff were rude", "en", "negative", datetime(2024, 12, 31, 22), "Store", "Basic"),
    ("Nice view", "en", "positive", datetime(2024, 12, 10), None, "Plus"),
    ("Cheap and cheerful", "en", "positive", datetime(2024, 12, 11), None, "Plus"),
]
OLDER = [("The parcel never came", "en", "negative", datetime(2024, 11, 2), "Delivery", "Basic")]


def _t(model: Any) -> Table:
    return cast(Table, model.__table__)


def load(engine: Engine, name: str, rows: list[tuple[Any, ...]]) -> tuple[int, list[int]]:
    """A workspace with one batch, one response and one comment per row; returns (workspace id, comment ids)."""
    with writer(engine).begin() as conn:
        ws = conn.execute(insert(_t(Workspace)).values(name=name, language="en", created_at=datetime(2025, 1, 1)))
        ws_id = ws.inserted_primary_key[0]
        batch = conn.execute(insert(_t(ImportBatch)).values(
            workspace_id=ws_id, file_name="f.csv", content_hash=name, header_rows=1, mapping_json="{}", rows_read=0,
            responses=0, responses_updated=0, comments=0, rows_rejected=0, created_at=datetime(2025, 1, 1),
        ))  # fmt: skip
        tps: dict[str, int] = {}
        ids = []
        for i, (text, lang, label, at, tp, plan) in enumerate(rows):
            if tp and tp not in tps:
                tps[tp] = conn.execute(insert(_t(Touchpoint)).values(
                    workspace_id=ws_id, name=tp, position=len(tps), scale_min=1, scale_max=5
                )).inserted_primary_key[0]  # fmt: skip
            rid = conn.execute(insert(_t(Response)).values(
                workspace_id=ws_id, batch_id=batch.inserted_primary_key[0], source_row=i, external_id=f"r{i}",
                responded_at=at,
            )).inserted_primary_key[0]  # fmt: skip
            conn.execute(insert(_t(Attribute)).values(response_id=rid, name="plan", value=plan))
            ids.append(conn.execute(insert(_t(Comment)).values(
                response_id=rid, touchpoint_id=tps.get(tp) if tp else None, text=text, language=lang, label=label
            )).inserted_primary_key[0])  # fmt: skip
    return ws_id, ids


def tags(engine: Engine, ws_id: int) -> dict[str, set[int]]:
    """{theme name: comment ids} as stored."""
    q = select(_t(Theme).c.name, CT.c.comment_id).join(CT, CT.c.theme_id == _t(Theme).c.id)
    with engine.connect() as conn:
        out: dict[str, set[int]] = {}
        for name, cid in conn.execute(q.where(_t(Theme).c.workspace_id == ws_id)):
            out.setdefault(name, set()).add(cid)
    return out


@pytest.fixture
def store(engine: Engine) -> tuple[Engine, int, list[int]]:
    ws_id, ids = load(engine, "Acme", CURRENT + PREVIOUS + OLDER)
    other, _ = load(engine, "Other brand", [("The parcel is late", "en", "negative", datetime(2025, 1, 6), None, "X")])
    seed_themes(engine, other)
    tag_comments(engine, other)
    assert seed_themes(engine, ws_id) == 12
    tag_comments(engine, ws_id)
    return engine, ws_id, ids


def test_seeding_is_idempotent(store: tuple[Engine, int, list[int]]) -> None:
    engine, ws_id, _ = store
    assert seed_themes(engine, ws_id) == 0
    themes = list_themes(engine, ws_id)
    assert len(themes) == 12 and themes[0].name == "Price & value" and "deliver*" in themes[3].keywords_en


def test_a_japanese_workspace_gets_the_themes_named_in_japanese(engine: Engine) -> None:
    """The same rules, named for the team that reads them: 価格・コスパ in a Japanese workspace, Price & value in
    an English one."""
    ws_id, _ = load(engine, "さくら", [("配送が遅くて届かない", "ja", "negative", datetime(2025, 1, 10), None, "A")])
    with writer(engine).begin() as conn:
        conn.execute(_t(Workspace).update().where(_t(Workspace).c.id == ws_id).values(language="ja"))
    english_id, _ = load(engine, "Acme", CURRENT)
    assert seed_themes(engine, ws_id) == 12 and seed_themes(engine, english_id) == 12
    tag_comments(engine, ws_id)
    themes = list_themes(engine, ws_id)
    assert [t.name for t in themes][:4] == ["価格・コスパ", "スタッフ・接客", "スピード・待ち時間", "配送"]
    assert "deliver*" in themes[3].keywords_en and "配送" in themes[3].keywords_ja  # the rules are the same
    assert set(tags(engine, ws_id)) == {"スピード・待ち時間", "配送"}
    assert list_themes(engine, english_id)[0].name == "Price & value"


def test_an_import_into_a_new_workspace_names_it_by_its_comments(engine: Engine) -> None:
    """A file of Japanese comments makes a Japanese workspace (its themes named in Japanese); English, English."""
    from cxdash.ingest.load import import_file
    from cxdash.store.workspaces import get_workspace

    ja = "id,date,nps,comment\nJ1,2025-04-01,3,配送がとても遅くて困りました\nJ2,2025-04-02,9,スタッフの対応が丁寧です\n"
    en = "id,date,nps,comment\nE1,2025-04-01,3,The parcel came a week late\nE2,2025-04-02,9,Lovely staff\n"
    mapping = {"id": "response_id", "date": "date", "nps": "nps", "comment": "comment"}
    import_file(engine, ja.encode(), "ja.csv", "さくら", mapping=mapping)
    import_file(engine, en.encode(), "en.csv", "Acme", mapping=mapping)
    sakura, acme = get_workspace(engine, "さくら"), get_workspace(engine, "Acme")
    assert (sakura.language, acme.language) == ("ja", "en")
    assert sakura.id is not None and acme.id is not None
    assert list_themes(engine, sakura.id)[0].name == "価格・コスパ"
    assert list_themes(engine, acme.id)[0].name == "Price & value"
    assert {"配送", "スタッフ・接客"} <= set(tags(engine, sakura.id))
    # mostly English comments with a few Japanese ones: an English workspace; without comments, its Japanese values
    mixed = "id,date,nps,comment\n" + "".join(f"M{i},2025-04-01,7,Good service overall {i}\n" for i in range(5))
    mixed += "M9,2025-04-02,9,スタッフの対応が丁寧です\n"
    import_file(engine, mixed.encode(), "mixed.csv", "Mixed", mapping=mapping)
    plain = "id,date,nps,会員ランク\nP1,2025-04-01,3,ゴールド会員\nP2,2025-04-02,9,シルバー会員様\n"
    plan = {"id": "response_id", "date": "date", "nps": "nps", "会員ランク": "attribute:会員ランク"}
    import_file(engine, plain.encode(), "plain.csv", "Plain", mapping=plan)
    assert (get_workspace(engine, "Mixed").language, get_workspace(engine, "Plain").language) == ("en", "ja")


def test_tagging_in_both_languages(store: tuple[Engine, int, list[int]]) -> None:
    engine, ws_id, ids = store
    got = tags(engine, ws_id)
    assert got["Delivery"] == {ids[0], ids[1], ids[2], ids[6], ids[10]}
    assert got["Speed & waiting"] == {ids[0], ids[1]}
    assert got["Staff & service"] == {ids[3], ids[7]}
    assert got["Price & value"] == {ids[4], ids[9]}
    n = sum(len(v) for v in got.values())
    assert tag_comments(engine, ws_id) == n  # re-tagging replaces, never duplicates
    assert sum(len(v) for v in tags(engine, ws_id).values()) == n


def test_custom_theme_added_edited_deleted_changes_tags(store: tuple[Engine, int, list[int]]) -> None:
    engine, ws_id, ids = store
    theme = save_theme(engine, ws_id, "Scenery", "view", "")
    assert theme.position == 12
    assert tags(engine, ws_id)["Scenery"] == {ids[5], ids[8]}
    save_theme(engine, ws_id, "Scenery & mood", "lovely view\ncheerful", "", theme_id=theme.id)
    got = tags(engine, ws_id)
    assert "Scenery" not in got and got["Scenery & mood"] == {ids[5], ids[9]}
    assert theme.id is not None
    delete_theme(engine, ws_id, theme.id)
    assert "Scenery & mood" not in tags(engine, ws_id)
    with pytest.raises(NotFound):
        delete_theme(engine, ws_id, theme.id)


def test_save_theme_refuses_bad_input(store: tuple[Engine, int, list[int]]) -> None:
    engine, ws_id, _ = store
    with pytest.raises(InputRefused, match="already a theme called 'Delivery'"):
        save_theme(engine, ws_id, "Delivery", "post", "")
    with pytest.raises(InputRefused, match="at least one keyword"):
        save_theme(engine, ws_id, "Empty", "-only negative", "")
    with pytest.raises(InputRefused, match="needs a name"):
        save_theme(engine, ws_id, "  ", "x", "")
    with pytest.raises(NotFound):
        save_theme(engine, ws_id, "Ghost", "x", "", theme_id=9999)
    assert len(list_themes(engine, ws_id)) == 12


def test_tag_selected_comments_only(store: tuple[Engine, int, list[int]]) -> None:
    engine, ws_id, ids = store
    with writer(engine).begin() as conn:
        conn.execute(_t(Comment).update().where(_t(Comment).c.id.in_([ids[4], ids[5]])).values(text="Parcel lost"))
    assert tag_comments(engine, ws_id, comment_ids=[ids[4]]) == 1
    got = tags(engine, ws_id)
    assert ids[4] in got["Delivery"] and ids[4] not in got["Price & value"]
    assert ids[5] not in got["Delivery"]  # not re-tagged: still as it was


def test_deleting_a_comment_removes_its_tags(store: tuple[Engine, int, list[int]]) -> None:
    engine, ws_id, ids = store
    with writer(engine).begin() as conn:
        conn.execute(_t(Comment).delete().where(_t(Comment).c.id == ids[0]))
        left = conn.execute(select(func.count()).select_from(CT).where(CT.c.comment_id == ids[0])).scalar_one()
    assert left == 0


def test_theme_summary_hand_checked(store: tuple[Engine, int, list[int]]) -> None:
    engine, ws_id, ids = store
    s = theme_summary(engine, ws_id, date(2025, 1, 1), date(2025, 1, 31), date(2024, 12, 1), date(2024, 12, 31))
    d = s.set_index("theme").loc["Delivery"]
    assert d["volume"] == 3 and d["share"] == pytest.approx(3 / 6)  # 6 comments in January, 3 about delivery
    assert d["negative_share"] == pytest.approx(2 / 3)
    assert d["volume_previous"] == 1 and d["share_previous"] == pytest.approx(1 / 4)
    assert d["volume_change"] == 2 and d["volume_change_pct"] == pytest.approx(2.0)
    assert d["share_change"] == pytest.approx(0.5 - 0.25)
    assert d["example_ids"] == [ids[2], ids[1], ids[0]]  # most recent first; 31 Jan 23:30 is inside the period
    staff = s.set_index("theme").loc["Staff & service"]
    assert (staff["volume"], staff["volume_previous"], staff["negative_share"]) == (1, 1, 0.0)
    assert staff["share_change"] == pytest.approx(1 / 6 - 1 / 4)
    assert s.iloc[0]["theme"] == "Delivery" and len(s) == 12
    food = s.set_index("theme").loc["Food & drink"]
    assert food["volume"] == 0 and pd.isna(food["negative_share"]) and food["examples"] == []


def test_theme_examples_are_different_texts_even_when_the_latest_repeat_one(engine: Engine) -> None:
    """A complaint written 40 times in a row is one example, not all three; the two texts before it come next."""
    rows = [
        ("The parcel arrived late", "en", "negative", datetime(2025, 1, 1), None, "Basic"),
        ("Delivery driver was kind", "en", "positive", datetime(2025, 1, 2), None, "Basic"),
    ]
    rows += [("Delivery too slow", "en", "negative", datetime(2025, 2, 1, 0, i), None, "Basic") for i in range(40)]
    ws_id, ids = load(engine, "Repeats", rows)
    seed_themes(engine, ws_id)
    tag_comments(engine, ws_id)
    d = theme_summary(engine, ws_id).set_index("theme").loc["Delivery"]
    assert d["volume"] == 42
    assert d["examples"] == ["Delivery too slow", "Delivery driver was kind", "The parcel arrived late"]
    assert d["example_ids"] == [ids[-1], ids[1], ids[0]]  # each text's latest writing


def test_theme_summary_previous_period_defaults_to_the_one_before(store: tuple[Engine, int, list[int]]) -> None:
    engine, ws_id, _ = store
    auto = theme_summary(engine, ws_id, date(2025, 1, 1), date(2025, 1, 31))
    explicit = theme_summary(engine, ws_id, date(2025, 1, 1), date(2025, 1, 31), date(2024, 12, 1), date(2024, 12, 31))
    pd.testing.assert_frame_equal(auto, explicit)
    everything = theme_summary(engine, ws_id).set_index("theme")
    assert everything.loc["Delivery", "volume"] == 5 and pd.isna(everything.loc["Delivery", "volume_previous"])


def test_themes_by_touchpoint(store: tuple[Engine, int, list[int]]) -> None:
    engine, ws_id, _ = store
    out = themes_by_touchpoint(engine, ws_id).set_index(["touchpoint", "theme"])
    # Delivery touchpoint comments: parcel late (neg), on time (pos), courier lost (neg), never came (neg).
    assert out.loc[("Delivery", "Delivery"), "volume"] == 4
    assert out.loc[("Delivery", "Delivery"), "share"] == pytest.approx(1.0)
    assert out.loc[("Delivery", "Delivery"), "negative_share"] == pytest.approx(3 / 4)
    assert out.loc[("Store", "Staff & service"), "volume"] == 2
    assert out.loc[("(no touchpoint)", "Price & value"), "share"] == pytest.approx(2 / 5)
    assert list(out.reset_index()["touchpoint"].unique()) == ["Delivery", "Store", "(no touchpoint)"]


def test_suggest_new_themes_finds_an_uncovered_phrase(engine: Engine) -> None:
    rows = [(t, "en", None, datetime(2025, 1, i + 1), None, "Basic") for i, t in enumerate([
        "My loyalty points expired", "Loyalty points are hard to redeem", "Where are my loyalty points",
        "The parcel arrived late", "Staff were rude", "Great price", "Loyalty points vanished after a week",
    ])]  # fmt: skip
    ws_id, _ = load(engine, "Loyal", rows)
    seed_themes(engine, ws_id)
    tag_comments(engine, ws_id)
    out = suggest_new_themes(engine, ws_id, k=5)
    assert out.iloc[0]["term"] == "loyalty point" and out.iloc[0]["count"] == 4
    assert len(out.iloc[0]["examples"]) == 3
    save_theme(engine, ws_id, "Loyalty", "loyalty point*", "ポイント")
    assert "loyalty point" not in set(suggest_new_themes(engine, ws_id, k=5)["term"])


def test_keywords_per_theme_and_attribute_from_the_store(store: tuple[Engine, int, list[int]]) -> None:
    engine, ws_id, _ = store
    frame = comments_frame(engine, ws_id, with_themes=True, attribute="plan")
    assert set(frame.columns) >= {"id", "text", "language", "label", "touchpoint", "plan", "theme"}
    assert frame["id"].nunique() == len(CURRENT + PREVIOUS + OLDER)
    out = top_terms(frame, "theme", k=5, min_count=2)
    assert "parcel" in set(out[out["group"] == "Delivery"]["term"])
    by_plan = top_terms(comments_frame(engine, ws_id, attribute="plan"), "plan", k=5)
    basic = by_plan[by_plan["group"] == "Basic"]
    assert basic.iloc[0]["term"] == "parcel" and basic.iloc[0]["count"] == 3  # 3 Basic comments, no Plus one
    assert "parcel" not in set(by_plan[by_plan["group"] == "Plus"]["term"])


def test_the_comments_frame_reads_times_as_sqlalchemy_does(store: tuple[Engine, int, list[int]]) -> None:
    """Times come from the driver's rows (SQLite: the stored text, parsed in one call) as the datetimes written."""
    engine, ws_id, _ = store
    frame = comments_frame(engine, ws_id, attribute="plan")
    assert str(frame["responded_at"].dtype) == "datetime64[us]"
    written = {text: when for text, _, _, when, _, _ in CURRENT + PREVIOUS + OLDER}
    assert dict(zip(frame["text"], frame["responded_at"].dt.to_pydatetime(), strict=True)) == written
