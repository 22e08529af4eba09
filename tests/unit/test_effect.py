"""Effect of an action, before vs. after: against answers computed by hand (formulas in the comments)."""

from __future__ import annotations

import pytest

from cxdash.analysis.effect import SideStats, effects

# Ratings before: 2, 3, 2, 3 (n 4, sum 10, sum of squares 26); after: 4, 5, 4, 5 (n 4, sum 18, sum of squares 82).
# NPS before: 2 promoters, 3 passives, 5 detractors (−30); after: 6, 2, 2 (+40).
# Comments before: 6 negative of 20 (30 %); after: 2 of 20 (10 %).
BEFORE = SideStats(4, 10.0, 26.0, 2, 3, 5, 20, 6)
AFTER = SideStats(4, 18.0, 82.0, 6, 2, 2, 20, 2)


def test_score_welch_by_hand() -> None:
    m = effects(BEFORE, AFTER, min_n=1)["score"]
    # means 2.5 → 4.5; variances 1/3 each; se = sqrt(1/12 + 1/12) = 0.408248; Welch df = 6;
    # t(0.975, 6) = 2.446912 (tables) → half-width 0.998956; t = 2 / 0.408248 = 4.898979 → p = 0.002714
    assert m.before.value == pytest.approx(2.5)
    assert m.after.value == pytest.approx(4.5)
    assert m.comparison.diff == pytest.approx(2.0)
    assert m.comparison.ci95 == pytest.approx((1.001044, 2.998956), abs=1e-5)
    assert m.comparison.p_value == pytest.approx(0.002714, abs=2e-5)
    assert m.verdict == "improved"


def test_nps_z_by_hand() -> None:
    m = effects(BEFORE, AFTER, min_n=1)["nps"]
    # item variances: before 0.2 + 0.5 − 0.3² = 0.61, after 0.6 + 0.2 − 0.4² = 0.64
    # se = 100·sqrt(0.61/10 + 0.64/10) = 35.35534; CI = 70 ± 1.959964·35.35534 = 70 ± 69.29519
    # z = 70 / 35.35534 = 1.979899 → p = 0.047715
    assert (m.before.value, m.after.value) == (pytest.approx(-30.0), pytest.approx(40.0))
    assert m.comparison.diff == pytest.approx(70.0)
    assert m.comparison.ci95 == pytest.approx((0.70481, 139.29519), abs=1e-4)
    assert m.comparison.p_value == pytest.approx(0.047715, abs=2e-5)
    assert m.verdict == "improved"


def test_negative_share_two_proportions_by_hand() -> None:
    m = effects(BEFORE, AFTER, min_n=1)["negative_share"]
    # Wald se = sqrt(.3·.7/20 + .1·.9/20) = 0.122474 → CI −20 ± 24.00450 (points)
    # pooled 8/40 = .2: se = sqrt(.2·.8·(2/20)) = 0.126491; z = 1.581139 → p = 0.113846
    assert (m.before.value, m.after.value) == (pytest.approx(30.0), pytest.approx(10.0))
    assert m.comparison.diff == pytest.approx(-20.0)
    assert m.comparison.ci95 == pytest.approx((-44.00450, 4.00450), abs=1e-4)
    assert m.comparison.p_value == pytest.approx(0.113846, abs=2e-5)
    assert m.verdict == "no_clear_change"  # fewer negatives, but not distinguishable from chance


def test_small_samples_say_not_enough_data() -> None:
    result = effects(BEFORE, AFTER)  # default minimum of 30 per side
    assert {m.verdict for m in result.values()} == {"not_enough_data"}
    assert result["score"].comparison.diff == pytest.approx(2.0)  # the numbers are still shown


def test_empty_side() -> None:
    result = effects(SideStats(), AFTER, min_n=1)
    assert result["score"].comparison.diff is None
    assert result["score"].verdict == "not_enough_data"
    assert result["nps"].as_dict()["before"] == {"value": None, "n": 0}


def test_worse_is_worse_for_each_direction() -> None:
    # the same data read backwards: scores and NPS fall, the negative share rises (not significant)
    back = effects(AFTER, BEFORE, min_n=1)
    assert back["score"].verdict == "worsened"
    assert back["nps"].verdict == "worsened"
    assert back["negative_share"].comparison.diff == pytest.approx(20.0)
