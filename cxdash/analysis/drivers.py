"""Key-driver analysis ("moments of truth"): impact of each touchpoint on loyalty vs. its current score.

``analyse_drivers`` prepares the data (not-rated codes → missing, zero-variance drivers dropped, complete cases or
mean imputation), computes one importance method with bootstrap intervals, each driver's score, and the quadrant
chart ("Fix first" = high impact, low score). ``drivers_report`` is its JSON-able form for the CLI and the page;
``what_if``, ``compare_groups`` and ``compare_methods`` build on it. Headless: no streamlit here. Warnings and
messages for the reader are in the current interface language (``cxdash.i18n``: English unless the app set one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from cxdash.analysis.bootstrap import Draws, bootstrap_drivers, coefficient_chunks, model_rows, percentile_ci
from cxdash.analysis.importance import METHODS, Importance, shares
from cxdash.analysis.metrics import t_quantile
from cxdash.errors import InputRefused
from cxdash.i18n import fmt_number, fmt_signed, shared_decimals, t

MIN_CASES = 30
MIN_CASES_PER_DRIVER = 10
VIF_LIMIT = 5.0
RULES = ("mean", "median", "midpoint")
QUADRANTS = {
    (True, False): "Fix first",
    (True, True): "Keep strong",
    (False, True): "Monitor",
    (False, False): "Low priority",
}
_NPS_NAME = re.compile(r"nps|recommend|推奨|おすすめ|お勧め", re.IGNORECASE)

Rule = str | float
QuadrantSpec = Rule | tuple[Rule, Rule] | Mapping[str, Rule]
Scales = Mapping[str, tuple[float, float]] | tuple[float, float] | None
NotRated = Mapping[str, Sequence[float] | float] | Sequence[float] | float | None


@dataclass(frozen=True)
class Prepared:
    """Analysis-ready data: rows with an outcome, drivers with NaN for unanswered or not-rated, and what was done."""

    outcome: str
    names: tuple[str, ...]
    x: np.ndarray
    y: np.ndarray
    scales: tuple[tuple[float, float], ...]
    impute_mean: bool
    is_nps: bool
    n_rows: int
    not_rated: dict[str, int]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DriverAnalysis:
    """Everything behind a driver chart: importance, scores, thresholds, quadrants, bootstrap draws and warnings."""

    method: str
    data: Prepared
    importance: Importance
    scores: pd.DataFrame  # index driver; score, lo, hi, top2, n
    thresholds: dict[str, Any]
    quadrants: list[str]
    draws: Draws | None
    p_fix_first: np.ndarray | None
    n: int
    missing: str
    warnings: list[str]
    n_resamples: int
    seed: int

    def to_dict(self) -> dict[str, Any]:
        """The report shape shared by the CLI (``--json``) and the page; NaN becomes None."""
        p = len(self.quadrants)
        ci = percentile_ci(self.draws.importance) if self.draws is not None else np.full((2, p), np.nan)
        rows = []
        for j, name in enumerate(self.data.names):
            s = self.scores.loc[name]
            rows.append(
                {
                    "name": name,
                    "importance": _num(self.importance.values[j]),
                    "share": _num(self.importance.share[j]),
                    "ci95": [_num(ci[0, j]), _num(ci[1, j])],
                    "score": _num(s["score"]),
                    "score_ci95": [_num(s["lo"]), _num(s["hi"])],
                    "n": int(s["n"]),
                    "quadrant": self.quadrants[j],
                    "p_fix_first": None if self.p_fix_first is None else _num(self.p_fix_first[j]),
                }
            )
        return {
            "method": self.method,
            "outcome": self.data.outcome,
            "n": self.n,
            "r2": _num(self.importance.r2),
            "missing": self.missing,
            "warnings": list(self.warnings),
            "thresholds": dict(self.thresholds),
            "drivers": rows,
        }


def _num(v: float | None) -> float | None:
    """A JSON-safe float (None for missing or undefined)."""
    return None if v is None or not np.isfinite(v) else float(v)


# --- preparation ------------------------------------------------------------------------------------------------


def _per_driver(value: Any, name: str) -> Any:
    """A per-driver setting from a mapping, or the same setting for all drivers."""
    return value.get(name) if isinstance(value, Mapping) else value


def prepare(
    df: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    scales: Scales = None,
    not_rated: NotRated = None,
    missing: str = "complete",
    nps: bool | None = None,
) -> Prepared:
    """Check columns, turn not-rated codes into missing (counted), fix scales, drop constant drivers (warned)."""
    if missing not in ("complete", "mean"):
        raise InputRefused(f"Missing answers are handled by 'complete' cases or 'mean' imputation, not {missing!r}.")
    absent = [c for c in [outcome, *drivers] if c not in df.columns]
    if absent:
        raise InputRefused(f"Columns not found: {', '.join(map(repr, absent))}.")
    if len(drivers) == 0:
        raise InputRefused("Choose at least one driver (touchpoint rating) column.")

    def numeric(col: str) -> np.ndarray:
        s = pd.to_numeric(df[col], errors="coerce")
        bad = int((s.isna() & df[col].notna()).sum())
        if bad:
            raise InputRefused(f"Column {col!r} has {bad} non-numeric values; a rating or outcome must be numbers.")
        return s.to_numpy(dtype=float, na_value=np.nan)

    y_all = numeric(outcome)
    keep = ~np.isnan(y_all)
    y = y_all[keep]
    if np.unique(y).size < 2:
        raise InputRefused(t("drivers.analysis.constant_outcome", outcome=repr(outcome)))
    warnings: list[str] = []
    names, cols, ranges, codes_seen = [], [], [], {}
    for name in drivers:
        v = numeric(name)[keep]
        codes = _per_driver(not_rated, name)
        codes = [] if codes is None else list(np.atleast_1d(np.asarray(codes, dtype=float)))
        hit = np.isin(v, codes) if codes else np.zeros(v.size, dtype=bool)
        codes_seen[name] = int(hit.sum())
        v = np.where(hit, np.nan, v)
        scale = _per_driver(scales, name)
        if scale is not None:
            lo, hi = float(scale[0]), float(scale[1])
        elif np.any(~np.isnan(v)):
            lo, hi = float(np.nanmin(v)), float(np.nanmax(v))  # no scale given: the answers' own range
        else:
            lo, hi = np.nan, np.nan
        outside = int(np.sum((v < lo) | (v > hi)))
        if outside:
            raise InputRefused(
                t("drivers.analysis.outside_scale", name=repr(name), n=outside, lo=f"{lo:g}", hi=f"{hi:g}")
            )
        answered = v[~np.isnan(v)]
        if answered.size < 2 or np.all(answered == answered[0]):
            warnings.append(t("drivers.analysis.left_out", name=repr(name)))
            continue
        names.append(name)
        cols.append(v)
        ranges.append((lo, hi))
    if not names:
        raise InputRefused(t("drivers.analysis.no_variation"))
    if nps is None:
        ints = np.all(y == np.round(y)) and y.size > 0 and y.min() >= 0 and y.max() <= 10
        nps = bool(ints and np.unique(y).size > 2 and _NPS_NAME.search(outcome))
    return Prepared(
        outcome,
        tuple(names),
        np.column_stack(cols),
        y,
        tuple(ranges),
        missing == "mean",
        nps,
        int(len(df)),
        codes_seen,
        warnings,
    )


def _missing_text(d: Prepared, n_model: int, regression: bool) -> str:
    """How missing answers were treated, in the analyst's words."""
    parts = []
    if d.n_rows > d.y.size:
        parts.append(t("drivers.analysis.no_outcome", n=fmt_number(d.n_rows - d.y.size), total=fmt_number(d.n_rows)))
    codes = {k: v for k, v in d.not_rated.items() if v}
    if codes:
        parts.append(t("drivers.analysis.not_rated", codes=", ".join(f"{k}: {v}" for k, v in codes.items())))
    if not regression:
        how = t("drivers.analysis.pairwise", rows=fmt_number(d.y.size))
    elif d.impute_mean:
        how = t("drivers.analysis.mean_imputation", n=fmt_number(n_model))
    else:
        how = t("drivers.analysis.complete_cases", n=fmt_number(n_model), total=fmt_number(d.y.size))
    return t("drivers.analysis.separator").join([how, *parts])


def driver_scores(x: np.ndarray, names: Sequence[str], scales: Sequence[tuple[float, float]]) -> pd.DataFrame:
    """Current score per driver: mean on its scale with a 95% t-interval, top-2-box share, n answering."""
    out = []
    for j, name in enumerate(names):
        v = x[~np.isnan(x[:, j]), j]
        n = v.size
        mean = float(v.mean()) if n else np.nan
        half = t_quantile(0.975, n - 1) * float(v.std(ddof=1)) / np.sqrt(n) if n > 1 else np.nan
        top2 = float(np.mean(v >= scales[j][1] - 1)) if n else np.nan
        out.append({"driver": name, "score": mean, "lo": mean - half, "hi": mean + half, "top2": top2, "n": n})
    return pd.DataFrame(out).set_index("driver")


def _vif(x: np.ndarray) -> np.ndarray:
    """Variance inflation factor per driver (diagonal of the inverse correlation matrix)."""
    r = np.corrcoef(x, rowvar=False)
    return np.diag(np.linalg.pinv(np.atleast_2d(r)))


# --- quadrants ---------------------------------------------------------------------------------------------------


def _rules(quadrant: QuadrantSpec) -> tuple[Rule, Rule]:
    """(impact rule, score rule) from one rule for both axes, a pair, or a mapping with 'impact' and 'score'."""
    pair: tuple[Rule, Rule]
    if isinstance(quadrant, Mapping):
        pair = (quadrant.get("impact", "mean"), quadrant.get("score", "mean"))
    elif isinstance(quadrant, tuple):
        pair = (quadrant[0], quadrant[1])
    else:
        pair = (quadrant, quadrant)
    for r in pair:
        if isinstance(r, str) and r not in RULES:
            raise InputRefused(f"Quadrant split {r!r} is not one of {', '.join(RULES)} or a number.")
    return pair


def _threshold(rule: Rule, values: np.ndarray, midpoint: float) -> np.ndarray:
    """Threshold per row of ``values`` (resamples × drivers): mean, median, midpoint or a fixed number."""
    if not isinstance(rule, str):
        return np.full(values.shape[0], float(rule))
    with np.errstate(all="ignore"):
        if rule == "mean":
            return np.nanmean(values, axis=1)
        if rule == "median":
            return np.nanmedian(values, axis=1)
    if np.isfinite(midpoint):
        return np.full(values.shape[0], midpoint)
    return (np.nanmin(values, axis=1) + np.nanmax(values, axis=1)) / 2  # impact axis: middle of the observed range


def quadrant_of(impact: float, score: float, t_impact: float, t_score: float) -> str:
    """Quadrant label: high impact is above the impact threshold, high score at or above the score threshold."""
    return QUADRANTS[(bool(impact > t_impact), bool(score >= t_score))]


def _rule_text(rules: tuple[Rule, Rule]) -> str:
    """One word when both axes use the same rule, else both."""
    return str(rules[0]) if rules[0] == rules[1] else f"impact: {rules[0]}, score: {rules[1]}"


# --- the analysis ------------------------------------------------------------------------------------------------


def analyse_drivers(
    df: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    method: str = "lmg",
    bootstrap: int = 1000,
    seed: int = 0,
    scales: Scales = None,
    not_rated: NotRated = None,
    quadrant: QuadrantSpec = "mean",
    missing: str = "complete",
    nps: bool | None = None,
) -> DriverAnalysis:
    """Importance of each driver for the outcome, its score, quadrant and bootstrap stability ("fix first" share).

    Regression methods (beta, rw, lmg) use complete cases or mean imputation (``missing``); correlations use pairwise
    rows, and their ``r2`` is that of the full linear model on complete cases (context, not their importance).
    Quadrant rules per axis: "mean", "median", "midpoint" (scale midpoint for scores, middle of the observed range
    for impact) or a number; data-derived thresholds are recomputed in every bootstrap resample.
    """
    if method not in METHODS:
        raise InputRefused(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    d = prepare(df, outcome, drivers, scales, not_rated, missing, nps)
    regression = method in ("beta", "rw", "lmg")
    warnings = list(d.warnings)
    rows, xr = model_rows(d.x, d.y, d.impute_mean)
    p = len(d.names)
    if regression:
        if rows.size < p + 2:
            name = t(f"charts.method_{method}")  # the method as the page names it (Shapley / LMG), not its code
            raise InputRefused(t("drivers.analysis.too_few", n=fmt_number(rows.size), p=p, method=name))
        imp = METHODS[method](xr, d.y[rows], list(d.names))
        n = int(rows.size)
    else:
        imp = METHODS[method](d.x, d.y, list(d.names))
        n = int(d.y.size)
        if rows.size >= p + 2:
            r2 = METHODS["beta"](xr, d.y[rows]).r2
            imp = Importance(imp.method, imp.names, imp.values, r2, imp.n)
    warnings += _data_warnings(d, imp, rows, xr, regression)
    scores = driver_scores(d.x, d.names, d.scales)
    rules = _rules(quadrant)
    mids = {(lo + hi) / 2 for lo, hi in d.scales}
    score_mid = mids.pop() if len(mids) == 1 else np.nan
    if len(set(d.scales)) > 1 and rules[1] != "midpoint":
        warnings.append(t("drivers.analysis.mixed_scales"))
    if rules[1] == "midpoint" and not np.isfinite(score_mid):
        raise InputRefused(t("drivers.analysis.no_midpoint"))
    t_imp = float(_threshold(rules[0], imp.values[None], np.nan)[0])
    t_score = float(_threshold(rules[1], scores["score"].to_numpy()[None], score_mid)[0])
    quads = [quadrant_of(imp.values[j], scores["score"].iloc[j], t_imp, t_score) for j in range(p)]
    draws, p_fix = None, None
    if bootstrap > 0:
        draws = bootstrap_drivers(d.x, d.y, method, bootstrap, seed, d.impute_mean)
        ti = _threshold(rules[0], draws.importance, np.nan)[:, None]
        ts = _threshold(rules[1], draws.score, score_mid)[:, None]
        valid = ~np.isnan(draws.importance).any(axis=1)
        fix = (draws.importance > ti) & (draws.score < ts)
        p_fix = fix[valid].mean(axis=0) if valid.any() else np.full(p, np.nan)
        if valid.mean() < 0.99:
            warnings.append(t("drivers.analysis.failed_resamples", n=int((~valid).sum()), total=bootstrap))
    return DriverAnalysis(
        method,
        d,
        imp,
        scores,
        {"impact": _num(t_imp), "score": _num(t_score), "rule": _rule_text(rules)},
        quads,
        draws,
        p_fix,
        n,
        _missing_text(d, rows.size, regression),
        warnings,
        bootstrap,
        seed,
    )


def _data_warnings(d: Prepared, imp: Importance, rows: np.ndarray, xr: np.ndarray, regression: bool) -> list[str]:
    """Small-sample and collinearity warnings an analyst can act on."""
    out = []
    p = len(d.names)
    if regression and rows.size < MIN_CASES:
        out.append(t("drivers.analysis.few_cases", n=rows.size, min=MIN_CASES))
    if regression and rows.size < MIN_CASES_PER_DRIVER * p:
        out.append(t("drivers.analysis.few_per_driver", n=rows.size, p=p, min=MIN_CASES_PER_DRIVER))
    small = [f"{nm} (n={k})" for nm, k in zip(d.names, imp.n, strict=True) if k < MIN_CASES]
    if not regression and small:
        out.append(t("drivers.analysis.few_answers", min=MIN_CASES, drivers=", ".join(small)))
    if rows.size > p + 1 and p > 1:
        vif = _vif(xr)
        high = [f"{nm} (VIF {v:.1f})" for nm, v in zip(d.names, vif, strict=True) if v > VIF_LIMIT]
        if high:
            out.append(t("drivers.analysis.collinear", drivers=", ".join(high)))
    if imp.method in ("beta", "pearson", "spearman"):
        neg = [nm for nm, v in zip(d.names, imp.values, strict=True) if v < 0]
        if neg:
            out.append(t("drivers.analysis.negative", drivers=", ".join(neg)))
    return out


def drivers_report(
    df: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    method: str = "lmg",
    bootstrap: int = 1000,
    seed: int = 0,
    scales: Scales = None,
    not_rated: NotRated = None,
    quadrant: QuadrantSpec = "mean",
    missing: str = "complete",
) -> dict[str, Any]:
    """The JSON-able driver report used by ``python -m cxdash drivers --json`` and the drivers page."""
    return analyse_drivers(
        df, outcome, drivers, method, bootstrap, seed, scales, not_rated, quadrant, missing
    ).to_dict()


# --- what-if, groups, methods ---------------------------------------------------------------------------------------


def nps_item(answer: np.ndarray) -> np.ndarray:
    """NPS contribution (+1 promoter 9–10, −1 detractor 0–6, else 0) of a 0–10 answer; linear between integers.

    A predicted answer such as 8.4 counts as 40% of the way from a passive (8) to a promoter (9), so small shifts
    move NPS smoothly, and whole-number answers are classified exactly as usual. That is −1 + the part of [6, 7]
    and the part of [8, 9] below the answer: two clips, cheap on a what-if's resamples × respondents.
    """
    out = np.clip(answer - 6.0, 0.0, 1.0)
    out += np.clip(answer - 8.0, 0.0, 1.0)
    out -= 1.0
    return out


#: numbers (resamples × groups) a what-if basis keeps: 8 MB, e.g. 1,000 resamples of a 0–100 outcome's 600 groups.
#: Beyond (an outcome with many distinct values, such as spend) the group weights are summed afresh per scenario
KEEP_CELLS = 1_000_000


@dataclass(frozen=True)
class WhatIfBasis:
    """What every what-if scenario for one driver needs: the model's respondents in groups that any scenario treats
    alike (same outcome, same value of the driver, answered or mean-filled), the slope, and per bootstrap resample
    the refitted slope and each group's weight.

    A scenario's estimate and interval are then sums over the groups (a few hundred on rating scales) instead of
    over respondents × resamples: ``what_if`` with a basis answers at once, and the page keeps one per driver.
    ``coef``/``total``/``weight`` are None when the weights would exceed ``KEEP_CELLS`` numbers (then ``what_if``
    redraws the resamples for each scenario).
    """

    driver: str
    scale: tuple[float, float]
    slope: float
    y: np.ndarray  # per group: the outcome
    x: np.ndarray  # per group: the driver's value in the model (the mean where it was filled in)
    answered: np.ndarray  # per group: the driver was answered (not mean-filled)
    count: np.ndarray  # per group: respondents
    member: np.ndarray  # per model row: its group
    coef: np.ndarray | None = None  # per resample: the driver's refitted slope
    total: np.ndarray | None = None  # per resample: model rows drawn
    weight: np.ndarray | None = None  # resamples × groups: rows of the group drawn


def _resampling(result_or_model: DriverAnalysis | Prepared, bootstrap: int | None, seed: int | None) -> tuple[int, int]:
    """Resamples and seed of a what-if: the analysis's own by default (its intervals come from the same draws)."""
    analysis = result_or_model if isinstance(result_or_model, DriverAnalysis) else None
    n_res = bootstrap if bootstrap is not None else (analysis.n_resamples if analysis is not None else 1000)
    return n_res, seed if seed is not None else (analysis.seed if analysis is not None else 0)


def what_if_basis(
    result_or_model: DriverAnalysis | Prepared, driver: str, bootstrap: int | None = None, seed: int | None = None
) -> WhatIfBasis:
    """The groups, slope and resampled weights behind every what-if scenario for ``driver`` (see ``WhatIfBasis``)."""
    d = result_or_model.data if isinstance(result_or_model, DriverAnalysis) else result_or_model
    if driver not in d.names:
        raise InputRefused(f"{driver!r} is not one of the analysed drivers ({', '.join(d.names)}).")
    j = d.names.index(driver)
    rows, xr = model_rows(d.x, d.y, d.impute_mean)
    if rows.size < len(d.names) + 2:
        raise InputRefused(t("drivers.analysis.what_if_too_few"))
    yr = d.y[rows]
    answered = ~np.isnan(d.x[rows, j])
    keys, member = np.unique(np.column_stack([yr, xr[:, j], answered]), axis=0, return_inverse=True)
    member = member.reshape(-1)
    design = np.column_stack([np.ones(rows.size), xr])
    slope = float(np.linalg.lstsq(design, yr, rcond=None)[0][1 + j])
    lo, hi = d.scales[j]
    basis = WhatIfBasis(
        driver, (float(lo), float(hi)), slope, keys[:, 0], keys[:, 1], keys[:, 2] > 0,
        np.bincount(member, minlength=len(keys)).astype(float), member,
    )  # fmt: skip
    n_res, sd = _resampling(result_or_model, bootstrap, seed)
    if len(keys) * n_res > KEEP_CELLS:
        return basis
    coefs, totals, weights = [], [], []
    for coef, total, weight in _resampled_groups(d, basis, n_res, sd):
        coefs.append(coef)
        totals.append(total)
        weights.append(weight)
    return replace(basis, coef=np.concatenate(coefs), total=np.concatenate(totals), weight=np.concatenate(weights))


def _resampled_groups(
    d: Prepared, basis: WhatIfBasis, n_res: int, seed: int
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per chunk of resamples: the driver's refitted slope, the rows drawn, and the rows drawn of each group."""
    j = d.names.index(basis.driver)
    rows, xr = model_rows(d.x, d.y, d.impute_mean)
    groups = sparse.csr_matrix(
        (np.ones(rows.size), (basis.member, np.arange(rows.size))), shape=(basis.count.size, rows.size)
    )
    for w, coef in coefficient_chunks(xr, d.y[rows], rows, d.y.size, n_res, seed):
        yield coef[:, j], w.sum(axis=1), np.asarray((groups @ w.T).T)


def what_if(
    result_or_model: DriverAnalysis | Prepared,
    driver: str,
    delta: float | None = None,
    halve_bottom_box: bool = False,
    bootstrap: int | None = None,
    seed: int | None = None,
    basis: WhatIfBasis | None = None,
) -> dict[str, Any]:
    """Estimated change in the outcome (and NPS points) if one driver's scores improved, from the linear model.

    ``delta`` shifts every answer by Δ, clipped to the driver's scale; ``halve_bottom_box`` moves half of the
    bottom-2-box answers to the scale's middle (as an expected value: each such answer moves with probability ½).
    Each respondent's predicted outcome is their observed answer plus slope × shift; NPS re-classifies it.
    The interval refits the model in bootstrap resamples (the analysis's own resamples by default). ``basis``:
    ``what_if_basis`` for this driver (with the same resamples), kept by a caller that asks for several scenarios.
    """
    d = result_or_model.data if isinstance(result_or_model, DriverAnalysis) else result_or_model
    if (delta is None) == (not halve_bottom_box):
        raise InputRefused("Give either a score change (delta) or halve_bottom_box=True, not both or neither.")
    if basis is None or basis.driver != driver:
        basis = what_if_basis(result_or_model, driver, bootstrap, seed)
    lo, hi = basis.scale
    if delta is not None:
        move = np.clip(basis.x + delta, lo, hi) - basis.x
        prob = basis.answered.astype(float)
        scenario = f"{driver} {delta:+g} points (within {lo:g}–{hi:g})"
    else:
        mid = (lo + hi) / 2
        move = mid - basis.x
        prob = 0.5 * (basis.answered & (basis.x <= lo + 1))
        scenario = f"half of {driver}'s bottom-2-box answers ({lo:g}–{lo + 1:g}) raised to {mid:g}"
    slope, n = basis.slope, basis.count.sum()
    moved = prob * move  # expected shift of the driver per group member
    change = float(slope * (basis.count @ moved) / n)
    base = nps_item(basis.y)
    nps_gain = prob * (nps_item(basis.y + slope * move) - base)  # per group member
    nps_change = float(100 * (basis.count @ nps_gain) / n) if d.is_nps else None
    draws: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]] = (
        [(basis.coef, basis.total, basis.weight)]
        if basis.coef is not None and basis.total is not None and basis.weight is not None
        else _resampled_groups(d, basis, *_resampling(result_or_model, bootstrap, seed))
    )
    mean_draws, nps_draws = [], []
    for b, total, weight in draws:
        mean_draws.append(b * (weight @ moved) / total)
        if d.is_nps:
            shifted = nps_item(basis.y[None, :] + b[:, None] * move[None, :])
            shifted -= base
            shifted *= prob
            nps_draws.append(100 * np.einsum("ij,ij->i", weight, shifted) / total)
    ci = percentile_ci(np.concatenate(mean_draws)) if mean_draws else np.full(2, np.nan)
    nci = percentile_ci(np.concatenate(nps_draws)) if nps_draws else np.full(2, np.nan)
    digits = shared_decimals(change, ci[0], ci[1])
    text = (
        f"Estimate: if {scenario}, the mean {d.outcome} would change by about {_fmt(change, digits)} "
        f"(95% interval {_fmt(ci[0], digits)} to {_fmt(ci[1], digits)})"
    )
    if nps_change is not None:
        text += f", about {_fmt(nps_change, 1)} NPS points (95% interval {_fmt(nci[0], 1)} to {_fmt(nci[1], 1)})"
    text += ". This assumes the linear association holds causally; treat it as a rough guide, not a forecast."
    return {
        "driver": driver,
        "scenario": scenario,
        "outcome": d.outcome,
        "slope": slope,
        "n": int(n),
        "outcome_change": change,
        "ci95": [_num(ci[0]), _num(ci[1])],
        "nps_change": nps_change,
        "nps_ci95": [_num(nci[0]), _num(nci[1])] if nps_change is not None else None,
        "estimate": text,
    }


def _fmt(v: float, digits: int) -> str:
    """A signed number for prose with ``digits`` decimals (never -0.0), 'n/a' when undefined."""
    return fmt_signed(v, digits) if np.isfinite(v) else "n/a"


def compare_groups(
    group_a: pd.DataFrame,
    group_b: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    method: str = "lmg",
    bootstrap: int = 1000,
    seed: int = 0,
    labels: tuple[str, str] = ("A", "B"),
    **options: Any,
) -> pd.DataFrame:
    """Per driver: importance and score in two groups and their differences (A − B) with bootstrap 95% intervals.

    The groups are resampled independently (seeds derived from ``seed``); ``options`` go to :func:`analyse_drivers`.
    """
    seeds = [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(2)]
    res = [
        analyse_drivers(g, outcome, drivers, method, bootstrap, s, **options)
        for g, s in zip((group_a, group_b), seeds, strict=True)
    ]
    a, b = labels
    out = []
    for name in [nm for nm in drivers if nm in res[0].data.names and nm in res[1].data.names]:
        ja, jb = res[0].data.names.index(name), res[1].data.names.index(name)
        row: dict[str, Any] = {"driver": name}
        for key, get in (
            ("importance", lambda r, k: r.importance.values[k]),
            ("score", lambda r, k: r.scores["score"].iloc[k]),
        ):
            va, vb = float(get(res[0], ja)), float(get(res[1], jb))
            row |= {f"{key}_{a}": va, f"{key}_{b}": vb, f"{key}_diff": va - vb}
            if res[0].draws is not None and res[1].draws is not None:
                da = getattr(res[0].draws, key)[:, ja]
                db = getattr(res[1].draws, key)[:, jb]
                lo, hi = percentile_ci(da - db)
                row |= {f"{key}_diff_lo": float(lo), f"{key}_diff_hi": float(hi)}
        row |= {f"n_{a}": int(res[0].scores.loc[name, "n"]), f"n_{b}": int(res[1].scores.loc[name, "n"])}
        out.append(row)
    frame = pd.DataFrame(out).set_index("driver")
    frame.attrs |= {"n": {a: res[0].n, b: res[1].n}, "warnings": {a: res[0].warnings, b: res[1].warnings}}
    return frame


def kendall_w(ranks: np.ndarray) -> float:
    """Kendall's W (tie-corrected) for ranks shaped raters × items: 1 = full agreement, 0 = none."""
    m, n = ranks.shape
    if n < 2 or m < 2:
        return float("nan")
    s = np.sum((ranks.sum(axis=0) - m * (n + 1) / 2) ** 2)
    ties = sum(float(np.sum(c**3 - c)) for c in (np.unique(r, return_counts=True)[1] for r in ranks))
    denom = m**2 * (n**3 - n) - m * ties
    return float(12 * s / denom) if denom > 0 else float("nan")


def compare_methods(
    df: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    methods: Sequence[str] = ("pearson", "spearman", "beta", "rw", "lmg"),
    **options: Any,
) -> pd.DataFrame:
    """Importance and rank (1 = most important, by absolute value) per method, side by side.

    ``attrs["kendall_w"]`` is the agreement of all rankings; ``attrs["rank_agreement"]`` the pairwise Spearman
    correlation between methods' rankings. ``options`` (scales, not_rated, missing) go to :func:`prepare`.
    """
    d = prepare(df, outcome, drivers, **options)
    rows, xr = model_rows(d.x, d.y, d.impute_mean)
    frame = pd.DataFrame(index=pd.Index(d.names, name="driver"))
    for m in methods:
        if m not in METHODS:
            raise InputRefused(f"Unknown method {m!r}; choose from {', '.join(METHODS)}.")
        imp = METHODS[m](xr, d.y[rows], list(d.names)) if m in ("beta", "rw", "lmg") else METHODS[m](d.x, d.y)
        frame[m] = imp.values
        frame[f"rank_{m}"] = pd.Series(-np.abs(imp.values), index=frame.index).rank(method="average")
    ranks = frame[[f"rank_{m}" for m in methods]].to_numpy().T
    frame.attrs["kendall_w"] = kendall_w(ranks)
    frame.attrs["rank_agreement"] = pd.DataFrame(ranks.T, columns=list(methods)).corr(method="spearman")
    frame.attrs["shares"] = {m: shares(frame[m].to_numpy()).tolist() for m in methods}
    return frame
