"""Known-answer tests for NPS, CSAT and CES and their comparisons (hand-computed and scipy references)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from cxdash.analysis.metrics import (
    MIN_N,
    Z95,
    ces_from_moments,
    compare_means,
    compare_nps,
    compare_proportions,
    csat_from_counts,
    nps_from_counts,
    t_quantile,
    wilson_interval,
)

ROOT = Path(__file__).resolve().parents[2]


def test_nps_known_answer() -> None:
    # 50 promoters, 30 passives, 20 detractors of 100: NPS = 50% − 20% = 30.
    # Item +1/0/−1: mean 0.3, variance p₊ + p₋ − (p₊ − p₋)² = 0.5 + 0.2 − 0.09 = 0.61,
    # se = sqrt(0.61 / 100) = 0.0781025 → 7.81025 points; half-width 1.96 × 7.81025 = 15.31.
    mv = nps_from_counts(50, 30, 20)
    assert mv.value == pytest.approx(30.0)
    assert mv.n == 100
    assert mv.se == pytest.approx(7.810250, abs=1e-6)
    assert mv.ci95 is not None
    assert mv.ci95[0] == pytest.approx(30 - 15.31, abs=0.005)
    assert mv.ci95[1] == pytest.approx(30 + 15.31, abs=0.005)
    assert not mv.low_n


def test_nps_equals_mean_of_item_and_its_standard_error() -> None:
    # The same NPS computed on raw +1/0/−1 answers: mean × 100 and population sd / sqrt(n) × 100.
    item = np.array([1] * 37 + [0] * 41 + [-1] * 22)
    mv = nps_from_counts(37, 41, 22)
    assert mv.value == pytest.approx(100 * item.mean())
    assert mv.se == pytest.approx(100 * item.std(ddof=0) / math.sqrt(len(item)))


def test_nps_empty_small_and_clipped() -> None:
    empty = nps_from_counts(0, 0, 0)
    assert empty.value is None and empty.ci95 is None and empty.n == 0 and empty.low_n
    small = nps_from_counts(5, 3, 1)
    assert small.low_n and small.value == pytest.approx(100 * 4 / 9)
    assert not nps_from_counts(20, 5, 5).low_n  # n = 30 is not under the minimum
    assert nps_from_counts(20, 5, 4).low_n
    # 29 promoters of 30: Wald upper bound 96.67 + 6.4 > 100 → clipped to 100.
    high = nps_from_counts(29, 1, 0)
    assert high.ci95 is not None and high.ci95[1] == 100.0 and high.ci95[0] < high.value  # type: ignore[operator]
    assert nps_from_counts(0, 0, 12).ci95 == (-100.0, -100.0)
    assert nps_from_counts(1, 1, 1, min_n=3).low_n is False


def test_wilson_textbook_value() -> None:
    # 81 successes of 263, z = 1.959964: p̂ = 0.307985, z²/n = 0.0146063.
    # centre = (p̂ + z²/2n) / (1 + z²/n) = (0.307985 + 0.0073032) / 1.0146063 = 0.310749
    # half   = z / (1 + z²/n) · sqrt(p̂(1−p̂)/n + z²/4n²) = 1.931750 · sqrt(0.00081048 + 0.00001389) = 0.055461
    # → 0.25529 .. 0.36621
    lo, hi = wilson_interval(81, 263)
    assert lo == pytest.approx(0.25529, abs=1e-5)
    assert hi == pytest.approx(0.36621, abs=1e-5)
    mv = csat_from_counts(81, 263)
    assert mv.value == pytest.approx(100 * 81 / 263)
    assert mv.ci95 == pytest.approx((25.529, 36.621), abs=1e-3)


def test_wilson_at_the_edges_stays_in_range() -> None:
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx(Z95**2 / (10 + Z95**2))  # closed form for x = 0
    lo, hi = wilson_interval(10, 10)
    assert hi == pytest.approx(1.0) and hi <= 1.0 and lo == pytest.approx(10 / (10 + Z95**2))
    assert csat_from_counts(0, 0).value is None


def test_ces_t_interval_matches_scipy() -> None:
    rng = np.random.default_rng(7)
    x = rng.integers(1, 8, size=57).astype(float)
    mv = ces_from_moments(len(x), x.sum(), (x * x).sum())
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert mv.value == pytest.approx(x.mean())
    assert mv.ci95 == pytest.approx((lo, hi), rel=1e-9)


def test_ces_hand_computed_and_degenerate() -> None:
    # 1, 2, 3, 4, 5: mean 3, sample sd sqrt(2.5), se = sqrt(2.5/5) = 0.70711, t(0.975, 4) = 2.776445.
    mv = ces_from_moments(5, 15.0, 55.0)
    assert mv.value == 3.0
    assert mv.ci95 == pytest.approx((3 - 2.776445 * 0.707107, 3 + 2.776445 * 0.707107), abs=1e-5)
    assert mv.low_n and mv.n == 5
    one = ces_from_moments(1, 4.0, 16.0)
    assert one.value == 4.0 and one.ci95 is None
    assert ces_from_moments(0, 0.0, 0.0).value is None


def test_compare_nps_hand_computed() -> None:
    # a: 60/25/15 of 100 → NPS 45, var 0.75 − 0.2025 = 0.5475; b: 40/30/30 of 200 → NPS 10, var 0.70 − 0.01 = 0.69.
    # diff 35; se = 100 · sqrt(0.5475/100 + 0.69/200) = 100 · sqrt(0.008925) = 9.44722; z = 3.70484; p = 0.000212.
    c = compare_nps((60, 25, 15), (80, 60, 60))
    assert c.diff == pytest.approx(35.0)
    assert c.ci95 == pytest.approx((35 - Z95 * 9.447222, 35 + Z95 * 9.447222), abs=1e-4)
    assert c.p_value == pytest.approx(2 * stats.norm.sf(35 / 9.447222), rel=1e-6)
    assert c.p_value == pytest.approx(0.000212, abs=5e-6)
    assert (c.n_a, c.n_b, c.low_n) == (100, 200, False)


def test_compare_nps_flags_small_group_and_handles_empty() -> None:
    c = compare_nps((5, 2, 3), (60, 20, 20))
    assert c.low_n_a and not c.low_n_b and c.low_n and c.diff == pytest.approx(20 - 40)
    assert compare_nps((0, 0, 0), (1, 0, 0)).diff is None
    same = compare_nps((10, 10, 10), (20, 20, 20))
    assert same.diff == pytest.approx(0.0) and same.p_value == pytest.approx(1.0)


def test_compare_means_matches_welch_in_scipy() -> None:
    rng = np.random.default_rng(11)
    a = rng.integers(1, 8, size=45).astype(float)
    b = rng.integers(2, 8, size=80).astype(float)
    c = compare_means((len(a), a.sum(), (a * a).sum()), (len(b), b.sum(), (b * b).sum()))
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert c.diff == pytest.approx(a.mean() - b.mean())
    assert c.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    ci = ref.confidence_interval(0.95)
    assert c.ci95 == pytest.approx((ci.low, ci.high), rel=1e-9)
    assert c.method == "welch"


def test_compare_proportions_matches_chi_square() -> None:
    # The pooled two-proportion z-test equals Pearson's chi-square on the 2×2 table (no continuity correction).
    c = compare_proportions((81, 263), (120, 300))
    chi2, p, _, _ = stats.chi2_contingency([[81, 263 - 81], [120, 300 - 120]], correction=False)
    assert c.p_value == pytest.approx(p, rel=1e-9)
    diff = 81 / 263 - 0.4
    se = math.sqrt((81 / 263) * (1 - 81 / 263) / 263 + 0.4 * 0.6 / 300)
    assert c.diff == pytest.approx(100 * diff)
    assert c.ci95 == pytest.approx((100 * (diff - Z95 * se), 100 * (diff + Z95 * se)))
    assert compare_proportions((3, 10), (0, 0)).diff is None


def test_minimum_n_is_configurable() -> None:
    assert MIN_N == 30
    assert nps_from_counts(10, 0, 0, min_n=10).low_n is False
    assert csat_from_counts(5, 9, min_n=10).low_n is True


def test_the_95_percent_normal_quantile_is_scipys() -> None:
    from scipy import stats

    assert float(stats.norm.ppf(0.975)) == Z95


@pytest.mark.parametrize("df", [1, 2, 4, 29, 56.5, 1_000, 250_000])
def test_the_t_quantile_is_scipy_stats(df: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(float(stats.t.ppf(0.975, df)), rel=1e-12)


def test_metrics_and_driver_scores_do_not_import_scipy_stats() -> None:
    # scipy.stats takes half a second to import: the Overview of a freshly started app and every CLI command paid it
    code = (
        "import sys, numpy as np\n"
        "from cxdash.analysis.metrics import ces_from_moments, compare_means, compare_nps\n"
        "from cxdash.analysis.drivers import driver_scores\n"
        "ces_from_moments(40, 160.0, 700.0); compare_means((40, 160.0, 700.0), (30, 100.0, 400.0))\n"
        "compare_nps((5, 3, 2), (2, 3, 5))\n"
        "driver_scores(np.array([[1.0], [3.0], [4.0]]), ['Checkout'], [(1, 5)])\n"
        "print('scipy.stats' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"
