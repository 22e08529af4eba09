"""The swimlane map: its spec has the stage header, the text lanes, the emotion lane with the felt curve and both
data curves; on the demo data the data curve follows the survey (delivery low, quality high) and thin data is
marked, not dropped; text is wrapped and cut sensibly, Japanese included."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cxdash.store import journeys as J
from cxdash.viz.journey_chart import (
    FELT,
    SCORE,
    SENTIMENT,
    journey_chart,
    journey_image,
    only_stage,
    step_frame,
    wrap_text,
)

JOURNEY = {
    "name": "Test map",
    "stages": [
        {"name": "Discover", "steps": [
            {"touchpoint": "Search", "touchpoint_label": "Searches", "action": "Types a word", "thinking": "Hmm",
             "emotion": -1, "pain_points": "Bad results", "opportunities": "Synonyms"},
            {"touchpoint": None, "touchpoint_label": "Hears from a friend", "action": "", "thinking": "", "emotion": 1,
             "pain_points": "", "opportunities": ""},
        ]},
        {"name": "Buy", "steps": [
            {"touchpoint": "Checkout", "touchpoint_label": "Pays", "action": "Pays", "thinking": "Quick", "emotion": 2,
             "pain_points": "", "opportunities": ""},
        ]},
    ],
}  # fmt: skip
EVIDENCE = pd.DataFrame(
    [
        {"touchpoint": "Search", "n": 400, "mean": 3.0, "score": 0.0, "score_lo": -0.1, "score_hi": 0.1, "nps": 5.0,
         "n_comments": 80, "sentiment": -0.6, "sentiment_lo": -0.8, "sentiment_hi": -0.4, "low_n": False},
        {"touchpoint": "Checkout", "n": 12, "mean": 4.5, "score": 1.5, "score_lo": 0.9, "score_hi": 2.0, "nps": 20.0,
         "n_comments": 3, "sentiment": 0.8, "sentiment_lo": -0.5, "sentiment_hi": 2.0, "low_n": True},
    ]
)  # fmt: skip


def datasets(chart) -> list[dict]:  # type: ignore[no-untyped-def]
    spec = chart.to_dict()
    return [row for rows in spec["datasets"].values() for row in rows]


def test_spec_has_every_lane_and_both_curves() -> None:
    chart = journey_chart(JOURNEY, EVIDENCE)
    spec = chart.to_dict()
    text = json.dumps(spec, ensure_ascii=False)
    lanes = {row.get("lane") for row in datasets(chart)}
    assert {"Stage", "Touchpoint", "Action", "Thinking", "Pain points", "Opportunities"} <= lanes
    assert '"title": "Emotion"' in text
    series = {row.get("series") for row in datasets(chart)}
    assert {FELT, SCORE, SENTIMENT} <= series
    assert spec["title"]["text"] == "Test map"
    assert len(spec["vconcat"]) == 7  # header, 3 text lanes, emotion, pain points, opportunities
    rows = [r for r in datasets(chart) if r.get("series") == SENTIMENT and r.get("value") is not None]
    assert {(r["x"], r["value"], r["lo"], r["hi"]) for r in rows} == {(0, -0.6, -0.8, -0.4), (2, 0.8, -0.5, 2.0)}
    assert any(m.get("mark", {}).get("type") == "area" for lane in spec["vconcat"] for m in lane.get("layer", []))


def test_thin_data_is_marked_not_hidden() -> None:
    steps = step_frame(JOURNEY, EVIDENCE)
    assert list(steps["status"]) == ["data", "not linked to data", "too little data"]
    rows = datasets(journey_chart(JOURNEY, EVIDENCE))
    pays = [r for r in rows if r.get("x") == 2 and r.get("series") in (SCORE, SENTIMENT)]
    assert {r["series"] for r in pays} == {SCORE, SENTIMENT} and all(r["low_n"] for r in pays)
    assert {"n=12", "3 comments"} <= {r.get("note") for r in rows}
    assert {"too little data", "not linked to data"} <= {r.get("status") for r in rows}


def test_without_evidence_only_the_felt_curve() -> None:
    rows = datasets(journey_chart(JOURNEY))
    assert {r.get("series") for r in rows if r.get("series")} == {FELT}
    assert journey_chart({"name": "Empty", "stages": []}).to_dict()["vconcat"]


def test_one_stage_and_large_type() -> None:
    small = journey_chart(JOURNEY).to_dict()
    big = journey_chart(only_stage(JOURNEY, 1), large=True).to_dict()
    assert {r.get("title") for rows in big["datasets"].values() for r in rows if "title" in r} == {"Buy"}
    assert big["vconcat"][1]["width"] < small["vconcat"][1]["width"] * 2


def test_wrap_and_truncate() -> None:
    assert wrap_text("Checks photos, size and reviews", 16, 4) == ["Checks photos,", "size and reviews"]
    cut = wrap_text("word " * 40, 12, 3)
    assert len(cut) == 3 and cut[-1].endswith("…")
    ja = wrap_text("配送予定日に届かないことが多くて不安になる", 12, 4)
    assert (
        all(sum(2 for _ in line) <= 12 for line in ja) and "".join(ja) == "配送予定日に届かないことが多くて不安になる"
    )
    assert wrap_text("Supercalifragilisticexpialidocious", 10, 2)[-1].endswith("…")
    assert wrap_text("", 10, 2) == [] and wrap_text(None, 10, 2) == []  # type: ignore[arg-type]


@pytest.fixture
def demo_engine(demo_store_url: str):  # type: ignore[no-untyped-def]
    from cxdash.store.workspaces import open_store

    engine = open_store(demo_store_url)
    yield engine
    engine.dispose()


def test_data_curve_on_the_demo(demo_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from cxdash.store.workspaces import get_workspace

    ws = get_workspace(demo_engine, "Demo — Acme Online (EN)").id
    (journey,) = J.list_journeys(demo_engine, ws)
    content = J.journey_content(demo_engine, journey.id)
    names = [s["touchpoint"] for st in content["stages"] for s in st["steps"] if s["touchpoint"]]
    evidence = J.touchpoint_evidence(demo_engine, ws, names)
    steps = step_frame(content, evidence).set_index("label")
    # the survey: delivery speed is the weakest touchpoint, product quality among the best; comments agree
    assert steps.loc["Waits for the parcel", "score"] < 0 < steps.loc["Uses the product", "score"]
    assert steps["score"].idxmin() == "Waits for the parcel"
    assert steps.loc["Waits for the parcel", "sentiment"] < 0 < steps.loc["Uses the product", "sentiment"]
    assert steps.loc["Waits for the parcel", "nps"] is not None
    assert steps.loc["Reorders & recommends", "status"] == "not linked to data"
    assert steps.loc["Sees an offer", "status"] == "too little data"  # 23 comments mention ads
    chart = journey_chart(content, evidence)
    rows = datasets(chart)
    assert sum(r.get("series") == SCORE for r in rows) == 10
    assert all(-2 <= r["value"] <= 2 for r in rows if r.get("series") == SCORE)
    png = journey_image(chart, "png", scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    assert journey_image(chart, "svg").startswith(b"<svg")


def test_the_map_in_japanese() -> None:
    from cxdash.i18n import use_language

    with use_language("ja"):
        chart = journey_chart(JOURNEY, EVIDENCE)
        steps = step_frame(JOURNEY, EVIDENCE)
    spec = chart.to_dict()
    text = json.dumps(spec, ensure_ascii=False)
    rows = datasets(chart)
    assert {"ステージ", "タッチポイント", "行動", "思考", "ペインポイント", "改善機会"} <= {r.get("lane") for r in rows}
    assert '"title": "感情"' in text and '"title": "感情曲線（−2 … +2）"' in text
    assert {"想定の感情（マップ）", "スコア（データ）", "コメントの感情（データ）"} == {
        r.get("curve") for r in rows if r.get("curve")
    }
    assert {"n=12", "コメント 3 件"} <= {r.get("note") for r in rows}
    assert {"データ不足", "データ未連携"} <= {r.get("status_text") for r in rows}
    # the codes the chart filters and colours on do not change with the language
    assert list(steps["status"]) == ["data", "not linked to data", "too little data"]
    assert {r.get("series") for r in rows if r.get("series")} == {FELT, SCORE, SENTIMENT}
    for word in ("Touchpoint", "Thinking", "Pain points", "Felt (map)", "comments", "Curve", "Step"):
        assert f'"{word}' not in text, word
    assert spec["config"]["font"].startswith('"Noto Sans CJK JP"')  # exported images draw Japanese, not boxes


def test_nps_of_each_touchpoints_raters_from_the_scores_pass(demo_engine) -> None:  # type: ignore[no-untyped-def]
    """``touchpoint_scores(with_nps=True)``: promoters, passives and detractors among the responses that rated each
    touchpoint, counted here from the response frame; the journey's evidence takes its NPS from them."""
    from cxdash.store.frames import response_frame
    from cxdash.store.queries import touchpoint_scores
    from cxdash.store.workspaces import get_workspace

    ws = get_workspace(demo_engine, "Demo — Acme Online (EN)").id
    scores = touchpoint_scores(demo_engine, ws, with_nps=True).set_index("touchpoint")
    frame = response_frame(demo_engine, ws)
    for name in scores.index:
        nps = frame.loc[frame[name].notna(), "nps"].dropna()
        counted = ((nps >= 9).sum(), ((nps >= 7) & (nps <= 8)).sum(), (nps <= 6).sum())
        assert tuple(scores.loc[name, ["promoters", "passives", "detractors"]]) == counted
    evidence = J.touchpoint_evidence(demo_engine, ws, list(scores.index)).set_index("touchpoint")
    for name in scores.index:
        p, m, d = scores.loc[name, ["promoters", "passives", "detractors"]]
        assert evidence.loc[name, "nps_n"] == p + m + d
        assert evidence.loc[name, "nps"] == pytest.approx(100 * (p - d) / (p + m + d))
