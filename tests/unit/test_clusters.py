"""Clustering respondents into persona suggestions: reproducible with a seed, recovers planted groups, says what it
used, and turns a group into a persona draft whose segment rule names the group's attributes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxdash.analysis.clusters import (
    NPS_ANSWER,
    adjusted_rand,
    cluster_respondents,
    design_matrix,
    kmeans,
    persona_draft,
    segment_rule,
    silhouette,
)
from cxdash.errors import InputRefused

TPS = ["Delivery", "Checkout", "Support", "Search"]


def planted(n_per: int = 150, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """Three groups: happy Premium (high scores), unhappy Basic (low delivery/checkout), mixed Plus (low support)."""
    rng = np.random.default_rng(seed)
    centres = {
        0: ([4.6, 4.5, 4.4, 4.5], 9.5, "Premium", ["25-34", "35-44"]),
        1: ([1.8, 2.0, 3.5, 3.4], 3.0, "Basic", ["18-24"]),
        2: ([3.8, 3.9, 1.6, 2.0], 6.5, "Plus", ["45-54", "55-64"]),
    }
    rows, truth = [], []
    for g, (means, nps, plan, ages) in centres.items():
        for _ in range(n_per):
            scores = np.clip(np.round(rng.normal(means, 0.5)), 1, 5)
            row = dict(zip(TPS, scores, strict=True))
            row["nps"] = float(np.clip(round(rng.normal(nps, 0.8)), 0, 10))
            row["csat"] = np.nan
            row["ces"] = np.nan
            # 85% of the group has its plan; ages among the group's ages
            row["attr:Plan"] = plan if rng.random() < 0.85 else rng.choice(["Premium", "Basic", "Plus"])
            row["attr:Age group"] = rng.choice(ages)
            row["attr:Customer id"] = f"C{len(rows)}"  # an id: too many values, must be left out
            rows.append(row)
            truth.append(g)
    frame = pd.DataFrame(rows)
    frame.loc[frame.sample(frac=0.1, random_state=0).index, "Support"] = np.nan  # some not rated
    return frame, np.array(truth)


def test_recovers_planted_groups_and_chooses_their_number() -> None:
    frame, truth = planted()
    result = cluster_respondents(frame, seed=0)
    assert result.k == 3
    assert max(result.silhouettes, key=lambda j: result.silhouettes[j]) == 3
    assert adjusted_rand(truth, result.labels) > 0.9
    plans = {c.number: segment_rule(c).get("Plan") for c in result.clusters}
    assert sorted(p[0] for p in plans.values() if p) == ["Basic", "Plus", "Premium"]


def test_same_seed_same_result_and_numbering_by_size() -> None:
    frame, _ = planted()
    a = cluster_respondents(frame, k=3, seed=7)
    b = cluster_respondents(frame, k=3, seed=7)
    assert np.array_equal(a.labels, b.labels)
    assert [c.label for c in a.clusters] == [c.label for c in b.clusters]
    sizes = [c.size for c in a.clusters]
    assert sizes == sorted(sizes, reverse=True)
    assert sum(sizes) == len(frame)


def test_design_says_what_was_used_and_how_missing_values_were_handled() -> None:
    frame, _ = planted()
    frame["Returns"] = np.nan
    frame.loc[:20, "Returns"] = 3.0  # rated by 5%: left out
    d = design_matrix(frame)
    assert d.scores == ("Delivery", "Checkout", "Support", "Search", "nps")
    assert set(d.attributes) == {"Plan", "Age group"}
    assert "Customer id" in d.left_out and "Returns" in d.left_out
    assert d.imputed["Support"] == 45
    text = d.method_text()
    for part in ("Delivery", "NPS answer", "Plan", "Age group", "mean", "Customer id", "Returns (answered by 5%)"):
        assert part in text
    z = d.x[:, : len(d.scores)]
    assert np.allclose(z.mean(axis=0), 0.0, atol=1e-9)  # standardised; imputed at the mean (0)
    onehot = d.x[:, len(d.scores) :]
    assert set(np.unique(onehot.round(6))) <= {0.0, round(1 / np.sqrt(2), 6)}


def test_cluster_profile_nps_scores_and_over_represented_values() -> None:
    frame, truth = planted()
    result = cluster_respondents(frame, k=3, seed=0)
    basic = next(c for c in result.clusters if segment_rule(c).get("Plan") == ["Basic"])
    assert basic.nps.value is not None and basic.nps.value < -80
    assert basic.nps.ci95 is not None and basic.nps.ci95[0] <= basic.nps.value <= basic.nps.ci95[1]
    assert basic.scores.loc["Delivery", "diff"] < -1.0
    top = basic.over.iloc[0]
    assert top["lift"] >= 1.2 and top["share"] > top["overall"]
    assert set(basic.over["attribute"]) <= {"Plan", "Age group"}


def test_persona_draft_from_a_cluster() -> None:
    frame, _ = planted()
    result = cluster_respondents(frame, k=3, seed=0)
    for c in result.clusters:
        draft = persona_draft(c)
        assert draft["name"] and draft["avatar"]
        assert draft["segment"] == segment_rule(c) and draft["segment"]
        assert f"{c.size:,} respondents" in draft["summary"]
    plus = next(c for c in result.clusters if segment_rule(c).get("Plan") == ["Plus"])
    draft = persona_draft(plus)
    assert "Support" in draft["pains"]
    assert set(draft["segment"]["Age group"]) <= {"45-54", "55-64"}


def test_kmeans_and_silhouette_known_answers() -> None:
    x = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0], [10.0, 2.0]])
    labels, inertia = kmeans(x, 2, seed=3)
    assert list(labels) == [1, 1, 0, 0, 0]  # the larger group is number 0
    assert inertia == pytest.approx(0.5 + 2.0)
    # the definition, point by point: s(i) = (b − a) / max(a, b)
    dist = np.sqrt(((x[:, None] - x[None]) ** 2).sum(axis=2))
    expected = []
    for i in range(len(x)):
        own = labels == labels[i]
        a = dist[i, own].sum() / (own.sum() - 1)
        b = dist[i, ~own].mean()
        expected.append((b - a) / max(a, b))
    assert silhouette(x, labels) == pytest.approx(np.mean(expected))
    assert adjusted_rand([0, 0, 1, 1], [5, 5, 7, 7]) == pytest.approx(1.0)


def test_refuses_too_little_data_and_bad_k() -> None:
    frame, _ = planted(n_per=5)
    with pytest.raises(InputRefused, match="at least 30"):
        cluster_respondents(frame)
    big, _ = planted()
    with pytest.raises(InputRefused, match="between 2 and"):
        cluster_respondents(big, k=1)
    with pytest.raises(InputRefused, match="nothing to cluster"):
        cluster_respondents(big.iloc[:0])


def test_method_labels_and_drafts_in_japanese() -> None:
    from cxdash.i18n import use_language

    frame, _ = planted()
    frame["Returns"] = np.nan
    frame.loc[:20, "Returns"] = 3.0
    with use_language("ja"):
        text = design_matrix(frame).method_text()
        result = cluster_respondents(frame, k=3, seed=0)
        drafts = [persona_draft(c) for c in result.clusters]
    assert text.startswith("スコア（標準化）：Delivery、Checkout、Support、Search、NPS 回答。")
    assert "Returns（回答率 5%）" in text and "欠損スコアは変数の平均で補完（45 件）" in text
    assert "NPS answer" not in text and "answered by" not in text
    for c, draft in zip(result.clusters, drafts, strict=True):
        assert draft["summary"].startswith(f"回答者 {c.size:,} 人（") and "のグループから提案" in draft["summary"]
        assert c.label.endswith(("（推奨者中心）", "（批判者中心）", "（混在）"))
    plus = next(d for c, d in zip(result.clusters, drafts, strict=True) if segment_rule(c).get("Plan") == ["Plus"])
    assert plus["pains"].startswith("平均より低いスコア：") and "Support" in plus["pains"]
    # the clusters' internal names do not change with the language
    assert all(NPS_ANSWER in c.scores.index for c in result.clusters)


def test_a_large_set_is_fitted_on_a_sample_and_everyone_is_assigned(monkeypatch: pytest.MonkeyPatch) -> None:
    from cxdash.analysis import clusters
    from cxdash.ui.personas import clustering_headline

    frame, truth = planted()  # 450 respondents
    whole = cluster_respondents(frame, seed=2)
    assert whole.fitted_on == whole.n == 450
    assert "sample" not in clustering_headline(whole, chosen=True)
    monkeypatch.setattr(clusters, "FIT_SAMPLE", 200)
    sampled = cluster_respondents(frame, seed=2)
    assert sampled.fitted_on == 200 and sampled.n == 450 and len(sampled.labels) == 450
    assert sampled.k == 3 and adjusted_rand(truth, sampled.labels) > 0.9
    assert adjusted_rand(whole.labels, sampled.labels) > 0.9
    sizes = [c.size for c in sampled.clusters]
    assert sum(sizes) == 450 and sizes == sorted(sizes, reverse=True)  # numbered by size over everyone
    again = cluster_respondents(frame, seed=2)
    assert np.array_equal(again.labels, sampled.labels)
    assert "random sample of 200 of the 450 respondents" in clustering_headline(sampled, chosen=True)


def test_nearest_centre_is_the_one_at_the_smallest_distance() -> None:
    from cxdash.analysis.clusters import _nearest

    rng = np.random.default_rng(4)
    x = rng.normal(size=(500, 7)) * 3
    centres = rng.normal(size=(5, 7))
    full = ((x[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    assert np.array_equal(_nearest(x, centres), full.argmin(axis=1))
