"""The bundled demo: reproducible files, the true-driver story holds, Japanese is cp932, and it loads for real."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from cxdash.demo import spec
from cxdash.demo.comments import nps_class
from cxdash.demo.generate import DEMO_DIR, write_demo

FILES = [spec.ACME_FILE, spec.SAKURA_FILE, "demo_workspaces.json"]
DELIVERY = spec.acme_rating_column("Delivery speed")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    write_demo(out)
    return out


@pytest.fixture(scope="module")
def acme(fresh: Path) -> pd.DataFrame:
    return pd.read_csv(fresh / spec.ACME_FILE, encoding="utf-8")


def _nps(s: pd.Series) -> float:
    s = s.dropna()
    return 100 * ((s >= 9).mean() - (s <= 6).mean())


def test_same_seed_gives_same_bytes_and_committed_files_are_current(fresh: Path, tmp_path: Path) -> None:
    write_demo(tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (fresh / name).read_bytes(), name
        committed = DEMO_DIR / name
        assert committed.exists(), f"{committed} is missing: run python -m cxdash.demo.generate"
        assert committed.read_bytes() == (fresh / name).read_bytes(), f"{name} is stale: regenerate the demo"
        assert committed.stat().st_size < 1_500_000
    write_demo(tmp_path, seed=1)
    assert (tmp_path / spec.ACME_FILE).read_bytes() != (fresh / spec.ACME_FILE).read_bytes()


def test_acme_export_shape(acme: pd.DataFrame) -> None:
    assert len(acme) == 3000 and acme["Response ID"].is_unique
    when = pd.to_datetime(acme["Submitted"])
    assert when.min() >= pd.Timestamp("2025-09-01") and when.max() < pd.Timestamp("2026-11-01")
    assert when.dt.to_period("M").nunique() == 14
    assert set(acme["Channel"]) == {"web", "app", "store", "phone"}
    assert acme[spec.ACME_NPS_Q].dropna().between(0, 10).all()
    assert acme[spec.ACME_CES_Q].dropna().between(1, 7).all()
    ratings = [spec.acme_rating_column(tp) for tp, _ in spec.ACME_TOUCHPOINTS]
    assert acme[ratings].stack().dropna().between(1, 5).all()
    assert acme[spec.acme_rating_column("Support chat")].isna().mean() > 0.5  # not everyone contacted support
    share = acme[spec.ACME_COMMENT_Q].notna().mean()
    assert 0.5 < share < 0.7
    counts = acme[spec.ACME_COMMENT_Q].value_counts()
    assert counts.iloc[0] >= 10  # short answers repeat, as in real surveys
    assert acme[spec.ACME_COMMENT_Q].dropna().str.contains("[\U0001f300-\U0001faff]").any()  # some emoji


def test_true_drivers_show_in_the_data(acme: pd.DataFrame) -> None:
    nps = acme[spec.ACME_NPS_Q]
    corr = {tp: acme[spec.acme_rating_column(tp)].corr(nps) for tp, _ in spec.ACME_TOUCHPOINTS}
    for weak in ("Packaging", "Ads & social", "Payment options"):
        assert corr["Delivery speed"] > corr[weak] + 0.15, (weak, corr)
        assert corr["Product quality"] > corr[weak] + 0.1, (weak, corr)
    means = {tp: acme[spec.acme_rating_column(tp)].mean() for tp, _ in spec.ACME_TOUCHPOINTS}
    assert min(means, key=means.__getitem__) == "Delivery speed"
    # Collinearity: touchpoints of one stage move together.
    assert acme[spec.acme_rating_column("Checkout")].corr(acme[spec.acme_rating_column("Product pages")]) > 0.2


def test_improvement_after_june_and_segment_differences(acme: pd.DataFrame) -> None:
    after = pd.to_datetime(acme["Submitted"]) >= pd.Timestamp("2026-06-01")
    assert acme.loc[after, DELIVERY].mean() > acme.loc[~after, DELIVERY].mean() + 0.4
    nps = acme[spec.ACME_NPS_Q]
    assert _nps(nps[after]) > _nps(nps[~after]) + 10
    by_plan = acme.groupby("Plan")[spec.ACME_NPS_Q].apply(_nps)
    assert by_plan["Premium"] > by_plan["Plus"] > by_plan["Basic"]
    by_region = acme.groupby("Region")[spec.ACME_NPS_Q].apply(_nps)
    assert by_region.idxmin() == "Scotland"


def test_comments_fit_the_scores(acme: pd.DataFrame) -> None:
    vader = SentimentIntensityAnalyzer()
    rows = acme.dropna(subset=[spec.ACME_COMMENT_Q, spec.ACME_NPS_Q])
    compound = rows[spec.ACME_COMMENT_Q].map(lambda t: vader.polarity_scores(t)["compound"])
    by_class = compound.groupby(rows[spec.ACME_NPS_Q].astype(int).map(nps_class)).mean()
    assert by_class["promoter"] > 0.4 and by_class["detractor"] < -0.2
    assert by_class["detractor"] < by_class["passive"] < by_class["promoter"]
    # Detractors with a bad delivery rating talk about delivery.
    bad = rows[(rows[spec.ACME_NPS_Q] <= 6) & (rows[DELIVERY] == 1)][spec.ACME_COMMENT_Q]
    assert bad.str.contains("deliver|parcel", case=False).mean() > 0.4


def test_japanese_file_is_cp932_with_fitting_comments(fresh: Path) -> None:
    raw = (fresh / spec.SAKURA_FILE).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp932")
    assert text.startswith("タイムスタンプ,会員番号,年代,地域,会員ランク,") and "\r\n" in text
    ja = pd.read_csv(fresh / spec.SAKURA_FILE, encoding="cp932")
    assert len(ja) == 1500
    assert spec.sakura_rating_column("配送スピード") in ja.columns
    comments = ja[spec.SAKURA_COMMENT_Q].dropna()
    assert comments.str.contains("が、").any() and comments.str.contains("二度と使わない").any()
    detractor = ja[spec.SAKURA_NPS_Q] <= 6
    negative = ja[spec.SAKURA_COMMENT_Q].fillna("").str.contains("遅い|悪い|高い|残念|不満|二度と|がっかり")
    assert negative[detractor].mean() > 2 * negative[~detractor].mean()
    by_rank = ja.groupby("会員ランク")[spec.SAKURA_NPS_Q].apply(_nps)
    assert by_rank["ゴールド"] > by_rank["レギュラー"]


def test_spec_mapping_covers_every_column(fresh: Path, acme: pd.DataFrame) -> None:
    meta = json.loads((fresh / "demo_workspaces.json").read_text(encoding="utf-8"))
    acme_spec, sakura_spec = meta["workspaces"]
    from cxdash.store.workspaces import DEFAULT_WORKSPACE

    assert acme_spec["name"] == DEFAULT_WORKSPACE
    assert set(acme_spec["mapping"]) == set(acme.columns)
    ja_cols = pd.read_csv(fresh / spec.SAKURA_FILE, encoding="cp932", nrows=1).columns
    assert set(sakura_spec["mapping"]) == set(ja_cols)
    for ws in meta["workspaces"]:
        names = {t["name"] for t in ws["touchpoints"]}
        assert names == {r.split(":", 1)[1] for r in ws["mapping"].values() if r.startswith("rating:")}
        steps = [s for st in ws["journey"]["stages"] for s in st["steps"]]
        assert {s["touchpoint"] for s in steps if s["touchpoint"]} <= names
        assert all(-2 <= s["emotion"] <= 2 for s in steps)
        assert len(ws["personas"]) == 2 and ws["journey"]["persona"] in {p["name"] for p in ws["personas"]}


@pytest.mark.skipif(
    importlib.util.find_spec("cxdash.ingest.load") is None, reason="cxdash.ingest.load (the importer) is not there yet"
)
def test_load_demo_through_the_importer_is_idempotent(store_url: str) -> None:
    from sqlmodel import Session, select

    from cxdash.demo.load import ensure_demo, load_demo
    from cxdash.store.models import JourneyStep, Persona, Touchpoint
    from cxdash.store.queries import counts, kpis, touchpoint_scores
    from cxdash.store.workspaces import get_workspace, open_store

    engine = open_store(store_url)
    assert ensure_demo(engine) == [spec.ACME_NAME, spec.SAKURA_NAME]
    acme_id = get_workspace(engine, spec.ACME_NAME).id
    sakura_id = get_workspace(engine, spec.SAKURA_NAME).id
    assert acme_id is not None and sakura_id is not None
    first = counts(engine, acme_id)
    assert first["responses"] == 3000 and first["touchpoints"] == 10 and first["personas"] == 2
    # comments: the reason for the score (≈60%) plus the delivery follow-up (≈30% of those who rated delivery)
    assert first["journeys"] == 1 and first["batches"] == 1 and 2300 < first["comments"] < 2900
    assert counts(engine, sakura_id)["responses"] == 1500
    assert get_workspace(engine, spec.SAKURA_NAME).language == "ja"

    scores = touchpoint_scores(engine, acme_id)
    assert list(scores["touchpoint"]) == [tp for tp, _ in spec.ACME_TOUCHPOINTS]
    assert scores.set_index("touchpoint")["stage"]["Delivery speed"] == "Deliver"
    assert scores.set_index("touchpoint")["mean"].idxmin() == "Delivery speed"
    acme = pd.read_csv(DEMO_DIR / spec.ACME_FILE)
    assert kpis(engine, acme_id)["nps"].value == pytest.approx(_nps(acme[spec.ACME_NPS_Q]))

    def snapshot() -> tuple[object, ...]:
        with Session(engine) as s:
            personas = [(p.id, p.name, p.updated_at) for p in s.exec(select(Persona).order_by(Persona.id))]
            steps = [(x.id, x.touchpoint_id) for x in s.exec(select(JourneyStep).order_by(JourneyStep.id))]
            tps = [(t.id, t.stage, t.position) for t in s.exec(select(Touchpoint).order_by(Touchpoint.id))]
        return personas, steps, tps

    before = snapshot()
    linked = [tp for _, tp in before[1] if tp is not None]
    assert len(linked) == len(before[1]) - 1  # every step but Acme's Loyalty one links a touchpoint
    assert load_demo(engine) == [spec.ACME_NAME, spec.SAKURA_NAME]
    assert snapshot() == before and counts(engine, acme_id) == first
    assert ensure_demo(engine) == []  # a store with workspaces is left alone
    assert np.isfinite(kpis(engine, sakura_id)["nps"].value or np.nan)
    engine.dispose()
