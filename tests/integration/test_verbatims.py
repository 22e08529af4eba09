"""Verbatim search, filters, paging, sentiment mix and re-scoring on a real store filled by the importer."""

from __future__ import annotations

import io
from datetime import date
from typing import Any, cast

import pandas as pd
import pytest
from sqlalchemy import Engine, Table, select, update

from cxdash.analysis.rescoring import rescore_workspace
from cxdash.analysis.sentiment import score_texts
from cxdash.errors import InputRefused
from cxdash.export import to_safe_csv
from cxdash.ingest.load import import_file
from cxdash.store.engine import writer
from cxdash.store.models import Comment, Response, Touchpoint
from cxdash.store.queries import Filters
from cxdash.store.themes import list_themes, save_theme
from cxdash.store.verbatims import (
    NO_TOUCHPOINT,
    VerbatimQuery,
    escape_like,
    export_verbatims,
    search_terms,
    search_verbatims,
    sentiment_mix,
)
from cxdash.store.workspaces import get_workspace

C = cast(Table, Comment.__table__)
R = cast(Table, Response.__table__)
TP = cast(Table, Touchpoint.__table__)

CSV = """id,date,nps,plan,delivery rating,general comment,delivery comment
R1,2025-01-05,2,Basic,1,"<script>document.title='pwned'</script> terrible service","Parcel 100% late, awful"
R2,2025-01-20,9,Plus,5,Great price and lovely staff,配送がとても早かった
R3,2025-02-03,7,Basic,3,It was ok_ish,
R4,2025-02-10,10,Plus,4,"=HYPERLINK(""http://x"") Customer Service was great",The DELIVERY was late but the driver was kind
R5,2025-03-01,0,Basic,2,Terrible. Never again,配送が遅い
"""  # noqa: E501
MAPPING = {
    "id": "response_id", "date": "date", "nps": "nps", "plan": "attribute:Plan", "delivery rating": "rating:Delivery",
    "general comment": "comment", "delivery comment": "comment:Delivery",
}  # fmt: skip


@pytest.fixture
def ws(engine: Engine) -> int:
    result = import_file(engine, CSV.encode(), "voice.csv", "Voice", mapping=MAPPING)
    assert result.comments == 9
    with writer(engine).begin() as conn:
        conn.execute(update(TP).values(stage="Deliver"))
    return cast(int, get_workspace(engine, "Voice").id)


def texts(engine: Engine, ws: int, filters: Filters | None = None, **query: object) -> list[str]:
    page = search_verbatims(engine, ws, filters, VerbatimQuery(**query), limit=50)  # type: ignore[arg-type]
    assert page.total == len(page.rows)
    return sorted(page.rows["text"])


def test_search_is_case_insensitive_and_every_word_must_occur(engine: Engine, ws: int) -> None:
    assert texts(engine, ws, text="delivery LATE") == ["The DELIVERY was late but the driver was kind"]
    assert texts(engine, ws, text="late") == [
        "Parcel 100% late, awful",
        "The DELIVERY was late but the driver was kind",
    ]
    assert texts(engine, ws, text='"customer service"') == ['=HYPERLINK("http://x") Customer Service was great']
    assert texts(engine, ws, text='"service customer"') == []


def test_search_finds_japanese_text(engine: Engine, ws: int) -> None:
    assert texts(engine, ws, text="配送") == ["配送がとても早かった", "配送が遅い"]
    assert texts(engine, ws, text="配送　遅い") == ["配送が遅い"]  # a full-width space separates words too


def test_search_ignores_width_and_case(engine: Engine, ws: int) -> None:
    """Japanese exports mix full-width and half-width forms: the search folds both sides to NFKC in lower case (on
    SQLite with a function of cxdash's, on PostgreSQL with normalize())."""
    extra = (
        "id,date,nps,comment\n"
        "W1,2025-04-01,3,ＷｉＦｉがつながらない\nW2,2025-04-02,8,ﾎﾟｲﾝﾄが貯まりやすい\nW3,2025-04-03,6,待ち時間は１０分\n"
    )
    mapping = {"id": "response_id", "date": "date", "nps": "nps", "comment": "comment"}
    assert import_file(engine, extra.encode(), "width.csv", "Voice", mapping=mapping).comments == 3
    assert texts(engine, ws, text="wifi") == ["ＷｉＦｉがつながらない"]
    assert texts(engine, ws, text="WIFI つながらない") == ["ＷｉＦｉがつながらない"]
    assert texts(engine, ws, text="ポイント") == ["ﾎﾟｲﾝﾄが貯まりやすい"]
    assert texts(engine, ws, text="10分") == ["待ち時間は１０分"]
    assert texts(engine, ws, text="ＤＥＬＩＶＥＲＹ　ｌａｔｅ") == ["The DELIVERY was late but the driver was kind"]
    assert texts(engine, ws, text="％") == ["Parcel 100% late, awful"]  # a full-width % is a % too, matched literally


def test_like_wildcards_typed_by_the_user_match_themselves(engine: Engine, ws: int) -> None:
    assert texts(engine, ws, text="100%") == ["Parcel 100% late, awful"]
    assert texts(engine, ws, text="%") == ["Parcel 100% late, awful"]
    assert texts(engine, ws, text="ok_ish") == ["It was ok_ish"]
    assert texts(engine, ws, text="_") == ["It was ok_ish"]
    assert texts(engine, ws, text="\\") == []
    assert escape_like("a%b_c\\") == "a\\%b\\_c\\\\"
    assert search_terms(' late  "customer service" late ') == ["late", "customer service"]


def test_hostile_text_is_found_and_returned_verbatim(engine: Engine, ws: int) -> None:
    assert texts(engine, ws, text="<script>") == ["<script>document.title='pwned'</script> terrible service"]


def test_filters_by_sentiment_touchpoint_stage_band_date_and_segment(engine: Engine, ws: int) -> None:
    delivery = texts(engine, ws, touchpoints=["Delivery"])
    assert len(delivery) == 4 and "Parcel 100% late, awful" in delivery
    assert len(texts(engine, ws, touchpoints=[NO_TOUCHPOINT])) == 5
    assert len(texts(engine, ws, touchpoints=["Delivery", NO_TOUCHPOINT])) == 9
    assert texts(engine, ws, stages=["Deliver"]) == delivery
    assert texts(engine, ws, score_bands=["passive"]) == ["It was ok_ish"]
    promoters = texts(engine, ws, score_bands=["promoter"])
    assert len(promoters) == 4  # R2 (9) and R4 (10), two comments each
    assert texts(engine, ws, score_bands=["detractor"], touchpoints=["Delivery"]) == [
        "Parcel 100% late, awful",
        "配送が遅い",
    ]
    assert texts(engine, ws, date_from=date(2025, 2, 1), date_to=date(2025, 2, 20)) == sorted(
        ["It was ok_ish", '=HYPERLINK("http://x") Customer Service was great',
         "The DELIVERY was late but the driver was kind"]
    )  # fmt: skip
    assert len(texts(engine, ws, attributes={"Plan": ["Plus"]})) == 4
    negatives = texts(engine, ws, labels=["negative"])
    assert "Terrible. Never again" in negatives and "Great price and lovely staff" not in negatives
    with pytest.raises(InputRefused):
        texts(engine, ws, score_bands=["fans"])
    with pytest.raises(InputRefused):
        texts(engine, ws, labels=["angry"])


def test_a_response_at_midnight_after_the_last_day_is_outside_the_range(engine: Engine, ws: int) -> None:
    feb = texts(engine, ws, date_from=date(2025, 2, 1), date_to=date(2025, 2, 28))
    assert "Terrible. Never again" not in feb  # responded 2025-03-01 00:00


def test_theme_filter_uses_the_tags(engine: Engine, ws: int) -> None:
    theme = save_theme(engine, ws, "Lateness", "late", "遅い")
    assert theme.id is not None
    assert texts(engine, ws, theme_ids=[theme.id]) == [
        "Parcel 100% late, awful",
        "The DELIVERY was late but the driver was kind",
        "配送が遅い",
    ]


def test_global_filters_apply_to_the_verbatims(engine: Engine, ws: int) -> None:
    basic = Filters(attributes={"Plan": ["Basic"]})
    assert texts(engine, ws, basic, text="late") == ["Parcel 100% late, awful"]
    january = Filters(date_from=date(2025, 1, 1), date_to=date(2025, 1, 31))
    assert len(texts(engine, ws, january)) == 4


def test_pages_are_newest_first_and_count_all_matches(engine: Engine, ws: int) -> None:
    first = search_verbatims(engine, ws, limit=2)
    second = search_verbatims(engine, ws, limit=2, offset=2)
    assert first.total == second.total == 9
    assert len(first.rows) == 2 and len(second.rows) == 2
    days = list(first.rows["responded_at"]) + list(second.rows["responded_at"])
    assert days == sorted(days, reverse=True)
    assert not set(first.rows["id"]) & set(second.rows["id"])
    with pytest.raises(InputRefused):
        search_verbatims(engine, ws, limit=0)


def test_sentiment_mix_counts_in_the_database(engine: Engine, ws: int) -> None:
    by_tp = sentiment_mix(engine, ws, by="touchpoint")
    assert set(by_tp["group"]) == {"Delivery", NO_TOUCHPOINT}
    assert by_tp.groupby("group")["n"].sum().to_dict() == {"Delivery": 4, NO_TOUCHPOINT: 5}
    assert (by_tp["total"] == by_tp["group"].map({"Delivery": 4, NO_TOUCHPOINT: 5})).all()
    assert by_tp.groupby("group")["share"].sum().round(9).eq(1).all()
    by_month = sentiment_mix(engine, ws, by="period")
    assert by_month.groupby("group")["n"].sum().to_dict() == {"2025-01-01": 4, "2025-02-01": 3, "2025-03-01": 2}
    by_quarter = sentiment_mix(engine, ws, by="period", period="quarter")
    assert by_quarter["total"].unique().tolist() == [9]
    by_plan = sentiment_mix(engine, ws, by="segment", attribute="Plan")
    assert by_plan.groupby("group")["n"].sum().to_dict() == {"Basic": 5, "Plus": 4}
    filtered = sentiment_mix(engine, ws, Filters(attributes={"Plan": ["Plus"]}), by="stage")
    assert filtered["n"].sum() == 4
    with pytest.raises(InputRefused):
        sentiment_mix(engine, ws, by="colour")


def test_sentiment_mix_by_theme(engine: Engine, ws: int) -> None:
    save_theme(engine, ws, "Lateness", "late", "遅い")
    mix = sentiment_mix(engine, ws, by="theme")
    late = mix[mix["group"] == "Lateness"]
    assert late["n"].sum() == 3 and late["total"].iloc[0] == 3
    assert "Lateness" in [t.name for t in list_themes(engine, ws)]


def test_export_is_excel_safe_csv(engine: Engine, ws: int) -> None:
    frame = export_verbatims(engine, ws, query=VerbatimQuery(text="customer"))
    data = to_safe_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["text"].tolist() == ['\'=HYPERLINK("http://x") Customer Service was great']
    everything = pd.read_csv(io.BytesIO(to_safe_csv(export_verbatims(engine, ws))), encoding="utf-8-sig")
    assert len(everything) == 9 and "配送が遅い" in everything["text"].tolist()


def test_rescore_restores_scores_and_reports_progress(engine: Engine, ws: int) -> None:
    with writer(engine).begin() as conn:
        conn.execute(update(C).values(compound=0.0, label="neutral", method="stale", language=None))
    calls: list[tuple[int, int]] = []
    n = rescore_workspace(engine, ws, lambda done, total: calls.append((done, total)), chunk=4)
    assert n == 9
    assert calls[0] == (0, 9) and calls[-1] == (9, 9) and len(calls) == 4  # 0, then chunks of 4, 4, 1
    with engine.connect() as conn:
        rows = conn.execute(select(C.c.text, C.c.compound, C.c.label, C.c.method, C.c.language)).all()
    expected = score_texts([r[0] for r in rows])
    for (_, compound, label, method, lang), s in zip(rows, expected, strict=True):
        assert (compound, label, method, lang) == (s.compound, s.label, s.method, s.lang)
    assert "stale" not in {r[3] for r in rows}


def test_rescore_touches_only_its_workspace(engine: Engine, ws: int) -> None:
    import_file(engine, CSV.encode(), "other.csv", "Other", mapping=MAPPING)
    other = cast(int, get_workspace(engine, "Other").id)
    with writer(engine).begin() as conn:
        conn.execute(update(C).values(method="stale"))
    rescore_workspace(engine, ws)
    left = search_verbatims(engine, other, limit=50).rows["method"].tolist()
    assert left == ["stale"] * 9
    assert "stale" not in search_verbatims(engine, ws, limit=50).rows["method"].tolist()


def test_comments_naming_a_touchpoint_are_found_whatever_their_width(engine: Engine, ws: int) -> None:
    """The Drivers page's comments about a touchpoint and the journey map's comment sentiment fold text as the
    search does: a full-width ＤＥＬＩＶＥＲＹ names Delivery, a half-width ﾚｼﾞ names レジ."""
    from cxdash.store.drivers_data import touchpoint_comments, touchpoint_terms
    from cxdash.store.journeys import touchpoint_evidence

    extra = "id,date,nps,レジ,comment\nT1,2025-04-01,3,2,ＤＥＬＩＶＥＲＹ took ages\nT2,2025-04-02,5,2,ﾚｼﾞが混んでいた\n"
    mapping = {"id": "response_id", "date": "date", "nps": "nps", "レジ": "rating:レジ", "comment": "comment"}
    assert import_file(engine, extra.encode(), "width.csv", "Voice", mapping=mapping).comments == 2
    assert touchpoint_terms("ＤＥＬＩＶＥＲＹ Ｓｐｅｅｄ") == ["delivery", "speed"]
    delivery, _ = touchpoint_comments(engine, ws, "Delivery", limit=20)
    assert "ＤＥＬＩＶＥＲＹ took ages" in set(delivery["text"])
    register, total = touchpoint_comments(engine, ws, "レジ")
    assert (register["text"].tolist(), total) == (["ﾚｼﾞが混んでいた"], 1)
    evidence = touchpoint_evidence(engine, ws, ["レジ"], min_n=1)
    assert evidence.set_index("touchpoint").loc["レジ", "n_comments"] == 1


def _sql_about(ws: int, touchpoint: str, filters: Filters | None) -> list[Any]:
    """The reference selection, in the database: comments of the filtered responses tied to the touchpoint or naming
    it (``touchpoint_terms``, folded by the store's fold function)."""
    from sqlalchemy import false, or_

    from cxdash.store.drivers_data import touchpoint_terms
    from cxdash.store.queries import response_conditions
    from cxdash.textfold import folded

    tied = C.c.touchpoint_id.in_(select(TP.c.id).where(TP.c.workspace_id == ws, TP.c.name == touchpoint))
    mentions = [folded(C.c.text).contains(t, autoescape=True) for t in touchpoint_terms(touchpoint)]
    return [*response_conditions(ws, filters), or_(tied, *mentions) if mentions else or_(tied, false())]


def _sql_touchpoint(engine: Engine, ws: int, name: str, filters: Filters | None) -> dict[str, Any]:
    """What the Drivers page and the journey map show of a touchpoint's comments, computed in the database."""
    from sqlalchemy import and_, case, func

    from cxdash.store.models import CommentTheme, Theme
    from cxdash.textfold import fold, folded

    CT, T = cast(Table, CommentTheme.__table__), cast(Table, Theme.__table__)
    conds, base = _sql_about(ws, name, filters), C.join(R, R.c.id == C.c.response_id)
    keys = [
        func.min(case((C.c.touchpoint_id.is_(None), 1), else_=0)).label("untied"),
        case((folded(C.c.text).contains(fold(name), autoescape=True), 0), else_=1).label("unnamed"),
        func.min(func.coalesce(C.c.compound, 0.0)).label("score"),
        func.min(C.c.id).label("first_id"),
    ]
    groups = (
        select(C.c.text, func.count().label("times"), func.max(C.c.id).label("last_id"), *keys)
        .add_columns(func.max(R.c.responded_at).label("last_at"))
        .select_from(base)
        .where(*conds)
        .group_by(C.c.text)
        .subquery()
    )
    shown = (
        select(C.c.id, C.c.text, C.c.label, C.c.compound, groups.c.last_at, groups.c.times)
        .select_from(groups.join(C, C.c.id == groups.c.last_id))
        .order_by(*(groups.c[k.name] for k in keys))
    )
    neg, labelled = (func.sum(case((c, 1), else_=0)) for c in (C.c.label == "negative", C.c.label.is_not(None)))
    themes = (
        select(T.c.name, func.count(), neg, labelled)
        .select_from(base.join(CT, CT.c.comment_id == C.c.id).join(T, and_(T.c.id == CT.c.theme_id)))
        .where(*conds)
        .group_by(T.c.id, T.c.name)
    )
    sums = select(func.count(C.c.compound), func.sum(C.c.compound), func.sum(C.c.compound * C.c.compound))
    with engine.connect() as conn:
        return {
            "total": conn.execute(select(func.count()).select_from(base).where(*conds)).scalar_one(),
            "shown": [tuple(row) for row in conn.execute(shown)],
            "themes": {row[0]: tuple(row[1:]) for row in conn.execute(themes)},
            "sums": tuple(conn.execute(sums.select_from(base).where(*conds, C.c.compound.is_not(None))).one()),
        }


def test_comments_about_each_touchpoint_are_the_ones_the_database_selects(engine: Engine, ws: int) -> None:
    """The Drivers page and the journey map read the comments once and find each touchpoint's in Python: the same
    comments, counts, sentiment sums and themes as the database's selection (tied to the touchpoint or naming it,
    folded), with filters, on both backends."""
    from cxdash.store.drivers_data import read_touchpoint_comments, touchpoint_comments, touchpoint_themes
    from cxdash.store.journeys import comments_about

    extra = "id,date,nps,レジ,comment\nT1,2025-04-01,3,2,ＤＥＬＩＶＥＲＹ took ages\nT2,2025-04-02,5,2,ﾚｼﾞが混んでいた\n"
    mapping = {"id": "response_id", "date": "date", "nps": "nps", "レジ": "rating:レジ", "comment": "comment"}
    import_file(engine, extra.encode(), "width.csv", "Voice", mapping=mapping)
    save_theme(engine, ws, "Lateness", "late, ages", "遅い")  # tags the comments
    names = ["Delivery", "レジ", "Support", "Nobody mentions this", "late"]
    periods = (
        None,
        Filters(date_from=date(2025, 2, 1), date_to=date(2025, 4, 30)),
        Filters(attributes={"Plan": ["Basic"]}),
    )
    for filters in periods:
        about = comments_about(engine, ws, names, filters)
        read = read_touchpoint_comments(engine, ws, filters)
        for name in names:
            sql = _sql_touchpoint(engine, ws, name, filters)
            n, total, total_sq = sql["sums"]
            got = about.sentiment[name]
            assert got[0] == n and got[1:] == pytest.approx((float(total or 0), float(total_sq or 0)), abs=1e-12)
            shown, count = touchpoint_comments(engine, ws, name, filters, limit=50, comments=read)
            assert count == sql["total"] and [tuple(row) for row in shown.itertuples(index=False)] == sql["shown"]
            themes = touchpoint_themes(engine, ws, name, filters, comments=read)
            expected = sql["themes"]
            assert {row.theme: row.volume for row in themes.itertuples()} == {k: v[0] for k, v in expected.items()}
            for row in themes.itertuples():
                volume, negative, labelled = expected[row.theme]
                assert row.share == pytest.approx(volume / count)
                assert row.negative_share == pytest.approx(
                    negative / labelled if labelled else float("nan"), nan_ok=True
                )
            assert themes["volume"].is_monotonic_decreasing and about.themes[name] == themes["theme"].tolist()
            assert touchpoint_comments(engine, ws, name, filters, limit=3)[0].equals(shown.head(3))  # read here
    assert comments_about(engine, ws, names).sentiment["レジ"][0] == 1  # ﾚｼﾞ, half-width, names レジ
    assert comments_about(engine, ws, names).sentiment["Delivery"][0] >= 3  # ＤＥＬＩＶＥＲＹ, DELIVERY, tied ones


def test_a_touchpoints_comments_show_each_text_once_with_how_often_it_was_written(engine: Engine, ws: int) -> None:
    """The Drivers page's comments about a touchpoint: a complaint written 30 times takes one place, not all six,
    and says how often it was written; tied comments first, then the most negative; the total counts every one."""
    from cxdash.store.drivers_data import touchpoint_comments

    rows = [f"S{i},2025-05-{1 + i % 28:02d},1,1,,Delivery was too slow" for i in range(30)]
    rows += ["S90,2025-06-01,2,2,,Delivery was awful and slow", "S91,2025-06-02,9,5,,Delivery was quick, thanks"]
    extra = "id,date,nps,delivery rating,general comment,delivery comment\n" + "\n".join(rows) + "\n"
    mapping = {
        "id": "response_id", "date": "date", "nps": "nps", "delivery rating": "rating:Delivery",
        "general comment": "comment", "delivery comment": "comment:Delivery",
    }  # fmt: skip
    assert import_file(engine, extra.encode(), "repeats.csv", "Voice", mapping=mapping).comments == 32
    shown, total = touchpoint_comments(engine, ws, "Delivery", limit=3)
    assert total == 32 + 4  # with the four delivery comments of the first file
    assert len(shown) == 3 and shown["text"].is_unique
    times = dict(zip(shown["text"], shown["times"], strict=True))
    assert times.get("Delivery was too slow") == 30
    assert shown["compound"].is_monotonic_increasing  # all three tied to Delivery: the most negative first
    latest = shown.set_index("text").loc["Delivery was too slow", "responded_at"]
    assert pd.Timestamp(latest).date() == date(2025, 5, 28)  # the latest writing's date


def test_scores_of_an_earlier_analyser_version_are_counted_by_method(engine: Engine, ws: int) -> None:
    from cxdash.store.verbatims import outdated_scores

    assert outdated_scores(engine, ws) == {}  # just imported: every score is this version's
    with writer(engine).begin() as conn:
        ids = conn.execute(select(C.c.id).order_by(C.c.id).limit(3)).scalars().all()
        conn.execute(update(C).where(C.c.id.in_(ids[:2])).values(method="ja-lexicon+rules-v4"))
        conn.execute(update(C).where(C.c.id == ids[2]).values(method="vader-3.3.1"))
    assert outdated_scores(engine, ws) == {"ja-lexicon+rules-v4": 2, "vader-3.3.1": 1}
    rescore_workspace(engine, ws)
    assert outdated_scores(engine, ws) == {}


def test_a_touchpoints_themes_share_its_comments_and_take_a_count_given(engine: Engine, ws: int) -> None:
    """Themes of the comments about a touchpoint: volume, share of those comments (the Drivers page hands over the
    count the verbatims took, instead of counting again), share negative."""
    from cxdash.store.drivers_data import touchpoint_comments, touchpoint_themes

    _, total = touchpoint_comments(engine, ws, "Delivery")
    themes = touchpoint_themes(engine, ws, "Delivery")
    assert not themes.empty and themes["volume"].is_monotonic_decreasing
    assert themes["share"].tolist() == pytest.approx((themes["volume"] / total).tolist())
    assert "Delivery" in themes["theme"].tolist()  # 配送 and delivery are the seeded theme's words
    pd.testing.assert_frame_equal(touchpoint_themes(engine, ws, "Delivery", total=total), themes)
    halved = touchpoint_themes(engine, ws, "Delivery", total=2 * total)
    assert halved["share"].tolist() == pytest.approx((themes["share"] / 2).tolist())  # the count given is used
