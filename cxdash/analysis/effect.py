"""Did an improvement action work? Before vs. after its start date, per metric, with an interval and a test.

Pure statistics on sufficient statistics (the store aggregates in SQL):
- touchpoint score: mean rating, Welch's t-test and interval (``compare_means``);
- NPS of the respondents who rated the touchpoint: z-test on the +1/0/−1 item (``compare_nps``);
- negative-comment share of their comments: two-proportion z-test, Wald interval (``compare_proportions``).

The difference is after − before. A side with fewer than ``MIN_N`` observations gives no verdict: "not enough data
to tell" is said plainly instead of reading noise. Before/after is not a controlled experiment — seasonality or
other changes in the same weeks can move the numbers too; the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cxdash.analysis.metrics import (
    MIN_N,
    Comparison,
    MetricValue,
    ces_from_moments,
    compare_means,
    compare_nps,
    compare_proportions,
    csat_from_counts,
    nps_from_counts,
)

METRICS = ("score", "nps", "negative_share")
ALPHA = 0.05
# for which metrics a higher value is better
HIGHER_IS_BETTER = {"score": True, "nps": True, "negative_share": False}


@dataclass(frozen=True)
class SideStats:
    """Sufficient statistics of one window (before or after)."""

    score_n: int = 0
    score_sum: float = 0.0
    score_sumsq: float = 0.0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    comments: int = 0  # comments with a sentiment label
    negative: int = 0


@dataclass(frozen=True)
class MetricEffect:
    metric: str
    before: MetricValue
    after: MetricValue
    comparison: Comparison
    verdict: str  # improved | worsened | no_clear_change | not_enough_data

    def as_dict(self) -> dict[str, Any]:
        c = self.comparison
        return {
            "before": {"value": self.before.value, "n": self.before.n},
            "after": {"value": self.after.value, "n": self.after.n},
            "difference": c.diff,
            "ci95": list(c.ci95) if c.ci95 else None,
            "p_value": c.p_value,
            "method": c.method,
            "verdict": self.verdict,
        }


def _verdict(metric: str, comparison: Comparison, min_n: int) -> str:
    if comparison.diff is None or comparison.n_a < min_n or comparison.n_b < min_n or comparison.p_value is None:
        return "not_enough_data"
    if comparison.p_value >= ALPHA:
        return "no_clear_change"
    better = comparison.diff > 0 if HIGHER_IS_BETTER[metric] else comparison.diff < 0
    return "improved" if better else "worsened"


def score_effect(before: SideStats, after: SideStats, min_n: int = MIN_N) -> MetricEffect:
    b = ces_from_moments(before.score_n, before.score_sum, before.score_sumsq, min_n, metric="score")
    a = ces_from_moments(after.score_n, after.score_sum, after.score_sumsq, min_n, metric="score")
    comp = compare_means(
        (after.score_n, after.score_sum, after.score_sumsq),
        (before.score_n, before.score_sum, before.score_sumsq),
        min_n,
        metric="score",
    )
    return MetricEffect("score", b, a, comp, _verdict("score", comp, min_n))


def nps_effect(before: SideStats, after: SideStats, min_n: int = MIN_N) -> MetricEffect:
    b = nps_from_counts(before.promoters, before.passives, before.detractors, min_n)
    a = nps_from_counts(after.promoters, after.passives, after.detractors, min_n)
    comp = compare_nps(
        (after.promoters, after.passives, after.detractors),
        (before.promoters, before.passives, before.detractors),
        min_n,
    )
    return MetricEffect("nps", b, a, comp, _verdict("nps", comp, min_n))


def negative_share_effect(before: SideStats, after: SideStats, min_n: int = MIN_N) -> MetricEffect:
    b = csat_from_counts(before.negative, before.comments, min_n, metric="negative_share")
    a = csat_from_counts(after.negative, after.comments, min_n, metric="negative_share")
    comp = compare_proportions(
        (after.negative, after.comments), (before.negative, before.comments), min_n, "negative_share"
    )
    return MetricEffect("negative_share", b, a, comp, _verdict("negative_share", comp, min_n))


def effects(before: SideStats, after: SideStats, min_n: int = MIN_N) -> dict[str, MetricEffect]:
    """All three metrics, in the order of ``METRICS``."""
    return {
        "score": score_effect(before, after, min_n),
        "nps": nps_effect(before, after, min_n),
        "negative_share": negative_share_effect(before, after, min_n),
    }
