"""NPS, CSAT and CES with 95% intervals, and tests of differences — pure statistics on counts and moments.

The store aggregates in SQL (counts, sums, sums of squares); everything here works on those sufficient statistics,
so the numbers can be checked against hand-computed and published values without a database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

MIN_N = 30
# scipy.stats.norm.ppf(0.975) (scipy.special is imported only where a t or normal tail is needed; scipy.stats is not
# imported at all: it takes half a second more, which every CLI command and a fresh app's first page paid)
Z95 = 1.959963984540054


class NpsCounts(NamedTuple):
    """Answers of the 0–10 recommend question by class: promoters (9–10), passives (7–8), detractors (0–6)."""

    promoters: int
    passives: int
    detractors: int

    @property
    def n(self) -> int:
        return self.promoters + self.passives + self.detractors


class Moments(NamedTuple):
    """Sufficient statistics of a mean: count, sum and sum of squares."""

    n: int
    total: float
    total_sq: float


class Proportion(NamedTuple):
    """Successes out of n (e.g. top-2-box answers out of all CSAT answers)."""

    successes: int
    n: int


@dataclass(frozen=True)
class MetricValue:
    """A metric with its sample size and 95% interval; ``value`` is None when there is no data."""

    metric: str
    value: float | None
    n: int
    ci95: tuple[float, float] | None
    low_n: bool
    se: float | None = None

    @property
    def lo(self) -> float | None:
        return self.ci95[0] if self.ci95 else None

    @property
    def hi(self) -> float | None:
        return self.ci95[1] if self.ci95 else None


@dataclass(frozen=True)
class Comparison:
    """Difference a − b with its 95% interval and a two-sided p-value; small groups are flagged, not hidden."""

    metric: str
    diff: float | None
    ci95: tuple[float, float] | None
    p_value: float | None
    n_a: int
    n_b: int
    low_n_a: bool
    low_n_b: bool
    method: str

    @property
    def low_n(self) -> bool:
        return self.low_n_a or self.low_n_b


def _clip(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


def _nps_parts(counts: tuple[int, int, int]) -> tuple[int, float, float]:
    """(n, NPS as a fraction −1..1, variance of the +1/0/−1 item) of NPS counts; n=0 gives zeros."""
    promoters, passives, detractors = (int(c) for c in counts)
    n = promoters + passives + detractors
    if n == 0:
        return 0, 0.0, 0.0
    p_pos, p_neg = promoters / n, detractors / n
    mean = p_pos - p_neg
    return n, mean, max(p_pos + p_neg - mean * mean, 0.0)


def nps_from_counts(promoters: int, passives: int, detractors: int, min_n: int = MIN_N) -> MetricValue:
    """NPS in points (−100..100) with a Wald 95% interval from the variance of the +1/0/−1 item."""
    n, mean, var = _nps_parts((promoters, passives, detractors))
    if n == 0:
        return MetricValue("nps", None, 0, None, True)
    se = 100.0 * math.sqrt(var / n)
    value = 100.0 * mean
    ci = (_clip(value - Z95 * se, -100.0, 100.0), _clip(value + Z95 * se, -100.0, 100.0))
    return MetricValue("nps", value, n, ci, n < min_n, se)


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion (as fractions 0..1); stays inside [0, 1] and behaves at 0 and n."""
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(centre - half, 0.0), min(centre + half, 1.0)


def csat_from_counts(top2: int, n: int, min_n: int = MIN_N, metric: str = "csat") -> MetricValue:
    """CSAT as the share of top-2-box answers in % with a Wilson 95% interval."""
    if n <= 0:
        return MetricValue(metric, None, 0, None, True)
    lo, hi = wilson_interval(top2, n)
    p = top2 / n
    return MetricValue(metric, 100.0 * p, n, (100.0 * lo, 100.0 * hi), n < min_n, 100.0 * math.sqrt(p * (1 - p) / n))


def _mean_var(n: int, total: float, total_sq: float) -> tuple[float, float]:
    """Mean and sample variance (n − 1) from moments; the variance is clamped at 0 against rounding."""
    mean = total / n
    var = (total_sq - n * mean * mean) / (n - 1) if n > 1 else 0.0
    return mean, max(var, 0.0)


def t_quantile(q: float, df: float) -> float:
    """Student's t quantile: ``scipy.stats.t.ppf(q, df)``, from ``scipy.special`` (see ``Z95``)."""
    from scipy import special

    return float(special.stdtrit(df, q))


def ces_from_moments(n: int, total: float, total_sq: float, min_n: int = MIN_N, metric: str = "ces") -> MetricValue:
    """Mean score (CES or any rating) with a Student-t 95% interval; one answer gives a mean without interval."""
    n = int(n)
    if n <= 0:
        return MetricValue(metric, None, 0, None, True)
    mean, var = _mean_var(n, float(total), float(total_sq))
    if n < 2:
        return MetricValue(metric, mean, n, None, True)
    se = math.sqrt(var / n)
    half = t_quantile(0.975, n - 1) * se
    return MetricValue(metric, mean, n, (mean - half, mean + half), n < min_n, se)


def _p_from_z(diff: float, se: float) -> float:
    if se == 0.0:
        return 1.0 if diff == 0.0 else 0.0
    from scipy import special

    return float(2.0 * special.ndtr(-abs(diff) / se))


def compare_nps(a_counts: tuple[int, int, int], b_counts: tuple[int, int, int], min_n: int = MIN_N) -> Comparison:
    """NPS(a) − NPS(b) in points: z-test on the difference of the means of the +1/0/−1 item (unpooled)."""
    n_a, mean_a, var_a = _nps_parts(a_counts)
    n_b, mean_b, var_b = _nps_parts(b_counts)
    if n_a == 0 or n_b == 0:
        return Comparison("nps", None, None, None, n_a, n_b, n_a < min_n, n_b < min_n, "z")
    diff = 100.0 * (mean_a - mean_b)
    se = 100.0 * math.sqrt(var_a / n_a + var_b / n_b)
    ci = (diff - Z95 * se, diff + Z95 * se)
    return Comparison("nps", diff, ci, _p_from_z(diff, se), n_a, n_b, n_a < min_n, n_b < min_n, "z")


def compare_proportions(a: tuple[int, int], b: tuple[int, int], min_n: int = MIN_N, metric: str = "csat") -> Comparison:
    """p(a) − p(b) in percentage points: Wald interval (unpooled) and the pooled two-proportion z-test."""
    x_a, n_a, x_b, n_b = int(a[0]), int(a[1]), int(b[0]), int(b[1])
    if n_a <= 0 or n_b <= 0:
        return Comparison(metric, None, None, None, max(n_a, 0), max(n_b, 0), n_a < min_n, n_b < min_n, "z")
    p_a, p_b = x_a / n_a, x_b / n_b
    diff = p_a - p_b
    se = math.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
    pooled = (x_a + x_b) / (n_a + n_b)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    ci = (100.0 * (diff - Z95 * se), 100.0 * (diff + Z95 * se))
    return Comparison(metric, 100.0 * diff, ci, _p_from_z(diff, se_pooled), n_a, n_b, n_a < min_n, n_b < min_n, "z")


def compare_means(
    a: tuple[int, float, float], b: tuple[int, float, float], min_n: int = MIN_N, metric: str = "ces"
) -> Comparison:
    """mean(a) − mean(b) from moments (n, sum, sum of squares): Welch's t-test and interval."""
    n_a, n_b = int(a[0]), int(b[0])
    flags = (n_a < min_n, n_b < min_n)
    if n_a < 2 or n_b < 2:
        diff = a[1] / n_a - b[1] / n_b if n_a and n_b else None
        return Comparison(metric, diff, None, None, n_a, n_b, *flags, "welch")
    mean_a, var_a = _mean_var(n_a, float(a[1]), float(a[2]))
    mean_b, var_b = _mean_var(n_b, float(b[1]), float(b[2]))
    diff = mean_a - mean_b
    va, vb = var_a / n_a, var_b / n_b
    se = math.sqrt(va + vb)
    if se == 0.0:
        return Comparison(metric, diff, (diff, diff), 1.0 if diff == 0 else 0.0, n_a, n_b, *flags, "welch")
    df = (va + vb) ** 2 / (va * va / (n_a - 1) + vb * vb / (n_b - 1))
    from scipy import special

    half = t_quantile(0.975, df) * se
    p = float(2.0 * special.stdtr(df, -abs(diff) / se))
    return Comparison(metric, diff, (diff - half, diff + half), p, n_a, n_b, *flags, "welch")
