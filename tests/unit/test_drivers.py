"""Key-driver analysis: known answers (R relaimpo/domir, rwa on mtcars), properties, bootstrap, report, what-if."""

from __future__ import annotations

import itertools
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxdash.analysis import bootstrap as bs
from cxdash.analysis import drivers as drivers_module
from cxdash.analysis import importance as im
from cxdash.analysis.drivers import (
    analyse_drivers,
    compare_groups,
    compare_methods,
    drivers_report,
    kendall_w,
    nps_item,
    quadrant_of,
    what_if,
    what_if_basis,
)
from cxdash.errors import InputRefused

EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval"  # the shared evaluation data next to the repo
MTCARS = EVAL / "kda" / "mtcars.csv"
SKYTRAX = EVAL / "cx" / "skytrax_lounge.csv"
LOUNGE = [
    "comfort_rating",
    "cleanliness_rating",
    "bar_beverages_rating",
    "catering_rating",
    "washrooms_rating",
    "wifi_connectivity_rating",
    "staff_service_rating",
]


@pytest.fixture(scope="module")
def mtcars() -> pd.DataFrame:
    return pd.read_csv(MTCARS)


def _random(p: int, n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Correlated drivers and an outcome that depends on them with noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p)) @ (np.eye(p) + 0.4 * rng.normal(size=(p, p)))
    return x, x @ rng.normal(size=p) + 2 * rng.normal(size=n)


def _ols_r2(x: np.ndarray, y: np.ndarray) -> float:
    """R² by plain least squares, as an independent reference."""
    if x.shape[1] == 0:
        return 0.0
    design = np.column_stack([np.ones(len(y)), x])
    resid = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    return 1 - resid @ resid / np.sum((y - y.mean()) ** 2)


def _survey(n: int = 600, seed: int = 1) -> pd.DataFrame:
    """A 1–5 rated survey with a 0–10 NPS answer driven mostly by 'staff' and 'wait', 0 = not rated."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=n)
    cols = {}
    for name, mean in (("staff", 2.5), ("wait", 2.3), ("decor", 4.2), ("parking", 4.0)):
        cols[name] = np.clip(np.round(mean + 0.6 * base + rng.normal(size=n)), 1, 5)
    nps = 1.2 * cols["staff"] + 1.0 * cols["wait"] + 0.1 * cols["decor"] + rng.normal(size=n)
    df = pd.DataFrame(cols)
    df["nps"] = np.clip(np.round(nps), 0, 10)
    df.loc[rng.random(n) < 0.05, "parking"] = 0  # not rated
    df.loc[rng.random(n) < 0.03, "decor"] = np.nan
    return df


# --- known answers ----------------------------------------------------------------------------------------------


def test_lmg_matches_relaimpo_on_mtcars(mtcars: pd.DataFrame) -> None:
    res = im.lmg(mtcars[["am", "vs", "cyl"]], mtcars["mpg"])
    np.testing.assert_allclose(res.values, [0.1774892, 0.2027032, 0.3817849], atol=1e-6)
    assert res.r2 == pytest.approx(0.7619773, abs=1e-6)


def test_relative_weights_match_rwa_on_mtcars(mtcars: pd.DataFrame) -> None:
    res = im.relative_weights(mtcars[["cyl", "disp", "hp", "gear"]], mtcars["mpg"])
    np.testing.assert_allclose(res.values, [0.2284797, 0.2221469, 0.2321744, 0.0963886], atol=1e-6)
    assert res.r2 == pytest.approx(0.7791896, abs=1e-6)
    np.testing.assert_allclose(100 * res.share, [29.32, 28.51, 29.80, 12.37], atol=0.01)


def test_report_on_mtcars_carries_the_known_lmg(mtcars: pd.DataFrame) -> None:
    rep = drivers_report(mtcars, "mpg", ["am", "vs", "cyl"], method="lmg", bootstrap=50)
    got = {d["name"]: d["importance"] for d in rep["drivers"]}
    assert got == pytest.approx({"am": 0.1774892, "vs": 0.2027032, "cyl": 0.3817849}, abs=1e-6)
    assert rep["r2"] == pytest.approx(0.7619773, abs=1e-6)


# --- properties -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [6, 9, 12])
def test_lmg_shares_sum_to_r2(p: int) -> None:
    x, y = _random(p, seed=p)
    res = im.lmg(x, y)
    assert res.values.sum() == pytest.approx(_ols_r2(x, y), abs=1e-10)
    assert np.all(res.values > -1e-12)


@pytest.mark.parametrize("p", [2, 3, 4, 5])
def test_lmg_equals_average_over_orderings(p: int) -> None:
    x, y = _random(p, n=200, seed=10 + p)
    brute = np.zeros(p)
    orders = list(itertools.permutations(range(p)))
    for order in orders:
        for k, j in enumerate(order):
            brute[j] += _ols_r2(x[:, list(order[: k + 1])], y) - _ols_r2(x[:, list(order[:k])], y)
    np.testing.assert_allclose(im.lmg(x, y).values, brute / len(orders), atol=1e-10)


def test_every_subset_r2_matches_least_squares() -> None:
    x, y = _random(6, seed=3)
    rxx, rxy = im.correlations(x, y)
    r2 = im.subset_r2(rxx, rxy)
    for mask in (0, 1, 5, 22, 45, 63):
        cols = [j for j in range(6) if mask >> j & 1]
        assert r2[mask] == pytest.approx(_ols_r2(x[:, cols], y), abs=1e-10)


def test_every_subset_r2_of_a_batch_matches_least_squares_with_a_redundant_driver() -> None:
    # each subset keeps only the block of the drivers above its largest: every one of the 2^8 subsets is checked, in a
    # batch of two, and driver 5 is an exact combination of drivers 0 and 2 (its pivot is left unswept)
    data = []
    for seed in (4, 5):
        x, y = _random(8, seed=seed)
        x[:, 5] = 2 * x[:, 0] - x[:, 2]
        data.append((x, y, *im.correlations(x, y)))
    r2 = im.subset_r2(np.stack([d[2] for d in data]), np.stack([d[3] for d in data]))
    assert r2.shape == (2, 256)
    for b, (x, y, _, _) in enumerate(data):
        for mask in range(256):
            cols = [j for j in range(8) if mask >> j & 1]
            assert r2[b, mask] == pytest.approx(_ols_r2(x[:, cols], y), abs=1e-9), (b, mask)


def test_batched_methods_equal_one_at_a_time() -> None:
    mats = [im.correlations(*_random(5, seed=s)) for s in range(4)]
    rxx, rxy = np.stack([m[0] for m in mats]), np.stack([m[1] for m in mats])
    for fn in (im.lmg_from_corr, im.relative_weights_from_corr, im.betas_from_corr):
        batched, r2 = fn(rxx, rxy)
        for k, (a, b) in enumerate(mats):
            one, one_r2 = fn(a, b)
            np.testing.assert_allclose(batched[k], one, atol=1e-12)
            assert r2[k] == pytest.approx(float(one_r2), abs=1e-12)


@pytest.mark.parametrize("p", [4, 8, 11])
def test_relative_weights_sum_to_r2(p: int) -> None:
    x, y = _random(p, seed=20 + p)
    res = im.relative_weights(x, y)
    assert res.values.sum() == pytest.approx(_ols_r2(x, y), abs=1e-10)
    assert res.share.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("method", list(im.METHODS))
def test_rescaling_a_driver_changes_nothing(method: str) -> None:
    x, y = _random(5, seed=7)
    scaled = x.copy()
    scaled[:, 2] = 10 * scaled[:, 2] + 3
    a, b = im.METHODS[method](x, y), im.METHODS[method](scaled, y)
    np.testing.assert_allclose(a.values, b.values, atol=1e-10)


def test_collinear_driver_gets_no_extra_credit() -> None:
    x, y = _random(3, seed=5)
    dup = np.column_stack([x, x[:, 0]])  # an exact copy of driver 1
    res = im.lmg(dup, y)
    assert res.values.sum() == pytest.approx(_ols_r2(x, y), abs=1e-8)
    assert res.values[0] == pytest.approx(res.values[3], abs=1e-8)


def test_pairwise_correlations_use_all_rows_answering_each_driver() -> None:
    x, y = _random(3, n=300, seed=2)
    x[:40, 0] = np.nan
    x[100:110, 2] = np.nan
    res = im.pearson(x, y)
    assert res.n.tolist() == [260, 300, 290]
    ok = ~np.isnan(x[:, 0])
    assert res.values[0] == pytest.approx(np.corrcoef(x[ok, 0], y[ok])[0, 1])
    sp = im.spearman(np.round(x), np.round(y))
    ok2 = ~np.isnan(x[:, 2])
    assert sp.values[2] == pytest.approx(stats.spearmanr(np.round(x[ok2, 2]), np.round(y[ok2])).statistic)


def test_exact_lmg_for_fifteen_drivers_sums_to_r2() -> None:
    x, y = _random(15, n=2000, seed=15)
    res = im.lmg(x, y)
    assert res.values.sum() == pytest.approx(_ols_r2(x, y), abs=1e-9)


# --- bootstrap --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", list(im.METHODS))
def test_weighted_resample_equals_explicit_resample(method: str) -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(1, 6, size=(300, 4)).astype(float)
    y = np.round(x @ [0.5, 0.3, 0.1, 0.0] + rng.normal(size=300))
    x[rng.random(x.shape) < 0.1] = np.nan
    draws = bs.bootstrap_drivers(x, y, method, 3, seed=5)
    counts = next(bs.count_chunks(300, 3, 5))
    for k in range(3):
        idx = np.repeat(np.arange(300), counts[k].astype(int))
        np.testing.assert_allclose(draws.importance[k], im.METHODS[method](x[idx], y[idx]).values, atol=1e-10)
        np.testing.assert_allclose(draws.score[k], np.nanmean(x[idx], axis=0), atol=1e-12)


@pytest.mark.parametrize("method", ["spearman", "pearson", "lmg"])
def test_weighted_resample_equals_explicit_resample_on_continuous_data(method: str) -> None:
    x, y = _random(3, n=400, seed=9)  # ~400 distinct values each: the rank tables give way to per-row mid-ranks
    x[:30, 1] = np.nan
    draws = bs.bootstrap_drivers(x, y, method, 2, seed=1)
    counts = next(bs.count_chunks(400, 2, 1))
    for k in range(2):
        idx = np.repeat(np.arange(400), counts[k].astype(int))
        np.testing.assert_allclose(draws.importance[k], im.METHODS[method](x[idx], y[idx]).values, atol=1e-10)


def test_bootstrap_is_reproducible_bit_for_bit() -> None:
    df = _survey()
    a = drivers_report(
        df, "nps", ["staff", "wait", "decor", "parking"], method="rw", bootstrap=200, seed=3, not_rated={"parking": [0]}
    )
    b = drivers_report(
        df, "nps", ["staff", "wait", "decor", "parking"], method="rw", bootstrap=200, seed=3, not_rated={"parking": [0]}
    )
    c = drivers_report(
        df, "nps", ["staff", "wait", "decor", "parking"], method="rw", bootstrap=200, seed=4, not_rated={"parking": [0]}
    )
    assert json.dumps(a) == json.dumps(b)
    assert json.dumps(a) != json.dumps(c)


def test_the_chunk_size_changes_neither_the_draws_nor_the_results(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(2)
    x = rng.integers(1, 6, size=(500, 3)).astype(float)
    y = np.round(x @ [0.6, 0.3, 0.1] + rng.normal(size=500))
    x[rng.random(x.shape) < 0.05] = np.nan
    assert bs.chunk_size(1_000_000, 1000) == 16  # at least 16 for a million rows (4 by the cell budget alone)
    results = []
    for cells, least in ((4_000_000, 16), (2_000, 1), (3_000, 7)):  # 256, 4 and 7 resamples per chunk
        monkeypatch.setattr(bs, "_CELLS_PER_CHUNK", cells)
        monkeypatch.setattr(bs, "_MIN_CHUNK", least)
        counts = np.concatenate(list(bs.count_chunks(500, 40, seed=3)))
        results.append((counts, bs.bootstrap_drivers(x, y, "lmg", 40, seed=3)))
    for counts, draws in results[1:]:
        np.testing.assert_array_equal(counts, results[0][0])
        np.testing.assert_allclose(draws.importance, results[0][1].importance, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(draws.score, results[0][1].score, rtol=1e-12)


def test_counts_are_a_resample_of_every_row() -> None:
    chunks = list(bs.count_chunks(1000, 600, seed=1))
    counts = np.concatenate(chunks)
    assert counts.shape == (600, 1000)
    assert np.all(counts.sum(axis=1) == 1000)
    assert counts.mean() == pytest.approx(1.0)
    # the draws of one call per chunk (resamples × rows), as every earlier release drew them: seeded results stay
    rng = np.random.default_rng(1)
    drawn = [rng.integers(0, 1000, size=(len(chunk), 1000)) for chunk in chunks]
    expected = np.concatenate([[np.bincount(row, minlength=1000) for row in idx] for idx in drawn])
    np.testing.assert_array_equal(counts, expected)


# --- the report -------------------------------------------------------------------------------------------------


DRIVER_KEYS = {"name", "importance", "share", "ci95", "score", "score_ci95", "n", "quadrant", "p_fix_first"}


@pytest.mark.parametrize("method", ["lmg", "rw", "beta", "pearson", "spearman"])
def test_report_has_the_agreed_shape(method: str) -> None:
    rep = drivers_report(
        _survey(),
        "nps",
        ["staff", "wait", "decor", "parking"],
        method=method,
        bootstrap=100,
        not_rated={"parking": 0},
        scales=(1, 5),
    )
    assert set(rep) == {"method", "outcome", "n", "r2", "missing", "warnings", "thresholds", "drivers"}
    assert set(rep["thresholds"]) == {"impact", "score", "rule"}
    assert all(set(d) == DRIVER_KEYS for d in rep["drivers"])
    json.dumps(rep, allow_nan=False)
    imp = np.array([d["importance"] for d in rep["drivers"]])
    assert sum(abs(d["share"]) for d in rep["drivers"]) == pytest.approx(1.0)
    if method in ("lmg", "rw"):
        assert imp.sum() == pytest.approx(rep["r2"])
    for d in rep["drivers"]:
        assert d["ci95"][0] <= d["ci95"][1]
        assert d["score_ci95"][0] < d["score"] < d["score_ci95"][1]
        assert 0 <= d["p_fix_first"] <= 1


def test_not_rated_codes_are_missing_and_counted() -> None:
    df = _survey()
    zeros = int((df["parking"] == 0).sum())
    rep = drivers_report(
        df, "nps", ["staff", "wait", "decor", "parking"], bootstrap=0, not_rated={"parking": [0]}, scales=(1, 5)
    )
    parking = next(d for d in rep["drivers"] if d["name"] == "parking")
    assert parking["n"] == len(df) - zeros
    assert f"parking: {zeros}" in rep["missing"]
    assert "complete cases" in rep["missing"]
    assert rep["n"] == int((df["parking"] != 0).mul(df["decor"].notna()).sum())
    with pytest.raises(InputRefused, match="outside its scale"):
        drivers_report(df, "nps", ["parking"], bootstrap=0, scales=(1, 5))


def test_mean_imputation_is_stated_and_keeps_every_row() -> None:
    df = _survey()
    rep = drivers_report(df, "nps", ["staff", "wait", "decor"], bootstrap=20, missing="mean")
    assert rep["n"] == len(df)
    assert "mean imputation" in rep["missing"]


def test_constant_driver_is_dropped_with_a_warning() -> None:
    df = _survey()
    df["signage"] = 3
    rep = drivers_report(df, "nps", ["staff", "wait", "signage"], bootstrap=0)
    assert [d["name"] for d in rep["drivers"]] == ["staff", "wait"]
    assert any("'signage' was left out" in w for w in rep["warnings"])


def test_small_samples_and_collinearity_are_flagged() -> None:
    rng = np.random.default_rng(4)
    a = rng.normal(size=25)
    df = pd.DataFrame({"a": a, "b": a + 0.05 * rng.normal(size=25), "c": rng.normal(size=25)})
    df["y"] = df["a"] + rng.normal(size=25)
    warnings = drivers_report(df, "y", ["a", "b", "c"], bootstrap=0)["warnings"]
    assert any("Only 25 complete responses" in w for w in warnings)
    assert any("fewer than 10 per driver" in w for w in warnings)
    vif = next(w for w in warnings if "VIF" in w)
    assert "a (VIF" in vif and "b (VIF" in vif and "c (VIF" not in vif


def test_quadrants_and_thresholds() -> None:
    assert quadrant_of(0.3, 2.0, 0.2, 3.0) == "Fix first"
    assert quadrant_of(0.3, 4.0, 0.2, 3.0) == "Keep strong"
    assert quadrant_of(0.1, 4.0, 0.2, 3.0) == "Monitor"
    assert quadrant_of(0.1, 2.0, 0.2, 3.0) == "Low priority"
    df = _survey()
    rep = drivers_report(
        df, "nps", ["staff", "wait", "decor", "parking"], method="lmg", bootstrap=300, not_rated=0, scales=(1, 5)
    )
    by = {d["name"]: d for d in rep["drivers"]}
    imp = [d["importance"] for d in rep["drivers"]]
    assert rep["thresholds"]["impact"] == pytest.approx(np.mean(imp))
    assert rep["thresholds"]["rule"] == "mean"
    assert by["staff"]["quadrant"] == "Fix first" and by["wait"]["quadrant"] == "Fix first"
    assert by["staff"]["p_fix_first"] > 0.9 and by["decor"]["p_fix_first"] < 0.05
    mid = drivers_report(
        df,
        "nps",
        ["staff", "wait", "decor"],
        bootstrap=0,
        scales=(1, 5),
        quadrant={"impact": "median", "score": "midpoint"},
    )
    assert mid["thresholds"]["score"] == 3.0 and mid["thresholds"]["rule"] == "impact: median, score: midpoint"
    fixed = drivers_report(df, "nps", ["staff", "wait", "decor"], bootstrap=50, quadrant=(0.0, 5.0))
    assert {d["quadrant"] for d in fixed["drivers"]} == {"Fix first"}
    assert all(d["p_fix_first"] == 1.0 for d in fixed["drivers"])


def test_scores_have_t_intervals_and_top_two_box() -> None:
    df = pd.DataFrame({"x": [1, 2, 3, 4, 5, 5, 4, 4, 2, 1] * 5, "y": np.arange(50) % 7})
    res = analyse_drivers(df, "y", ["x"], method="pearson", bootstrap=0, scales={"x": (1, 5)})
    s = res.scores.loc["x"]
    v = df["x"].to_numpy(float)
    half = stats.t.ppf(0.975, 49) * v.std(ddof=1) / math.sqrt(50)
    assert (s["lo"], s["hi"]) == pytest.approx((v.mean() - half, v.mean() + half))
    assert s["top2"] == pytest.approx(0.5)


def test_unknown_method_and_columns_are_refused() -> None:
    df = _survey()
    with pytest.raises(InputRefused, match="Unknown method"):
        drivers_report(df, "nps", ["staff"], method="magic")
    with pytest.raises(InputRefused, match="not found"):
        drivers_report(df, "nps", ["staff", "lobby"])


# --- what-if, groups, methods ---------------------------------------------------------------------------------------


def test_nps_item_classifies_whole_answers_and_interpolates() -> None:
    np.testing.assert_array_equal(nps_item(np.arange(11.0)), [-1] * 7 + [0, 0, 1, 1])
    assert nps_item(np.array([8.25]))[0] == pytest.approx(0.25)
    assert nps_item(np.array([6.5]))[0] == pytest.approx(-0.5)


def test_what_if_recovers_the_slope_and_clips_to_the_scale() -> None:
    rng = np.random.default_rng(8)
    n = 2000
    df = pd.DataFrame({"a": rng.integers(1, 6, n), "b": rng.integers(1, 6, n)}).astype(float)
    df["y"] = 0.8 * df["a"] + 0.2 * df["b"] + 0.3 * rng.normal(size=n)
    res = analyse_drivers(df, "y", ["a", "b"], bootstrap=200, scales=(1, 5))
    out = what_if(res, "a", delta=1)
    share_movable = float(np.mean(df["a"] < 5))  # answers of 5 cannot go up
    assert out["outcome_change"] == pytest.approx(out["slope"] * share_movable)
    assert out["slope"] == pytest.approx(0.8, abs=0.03)
    assert out["ci95"][0] < out["outcome_change"] < out["ci95"][1]
    assert out["nps_change"] is None and out["estimate"].startswith("Estimate")
    shown = re.search(r"by about ([+-][\d.]+) \(95% interval ([+-][\d.]+) to ([+-][\d.]+)\)", out["estimate"])
    assert shown is not None and len({len(v.partition(".")[2]) for v in shown.groups()}) == 1  # alike: +0.4 → +0.400
    half = what_if(res, "a", halve_bottom_box=True)
    a = df["a"].to_numpy()
    assert half["outcome_change"] == pytest.approx(half["slope"] * np.mean(0.5 * (a <= 2) * (3 - a)))
    with pytest.raises(InputRefused):
        what_if(res, "a")


def test_what_if_reports_nps_points_for_an_nps_outcome() -> None:
    df = _survey()
    res = analyse_drivers(df, "nps", ["staff", "wait", "decor"], bootstrap=200, scales=(1, 5))
    assert res.data.is_nps
    out = what_if(res, "staff", delta=1)
    y = res.data.y[~np.isnan(res.data.x).any(axis=1)]
    rows = ~np.isnan(res.data.x).any(axis=1)
    move = np.clip(res.data.x[rows, 0] + 1, 1, 5) - res.data.x[rows, 0]
    expected = 100 * np.mean(nps_item(y + out["slope"] * move) - nps_item(y))
    assert out["nps_change"] == pytest.approx(expected)
    assert out["nps_change"] > 0
    assert out["nps_ci95"][0] < out["nps_change"] < out["nps_ci95"][1]
    assert "NPS points" in out["estimate"]


def _what_if_per_respondent(res: Any, driver: str, delta: float | None) -> tuple[float, list[float], list[float]]:
    """The what-if's NPS change and intervals computed the long way: every respondent in every resample."""
    d = res.data
    j = d.names.index(driver)
    rows, xr = bs.model_rows(d.x, d.y, d.impute_mean)
    yr, answered = d.y[rows], ~np.isnan(d.x[rows, j])
    lo, hi = d.scales[j]
    if delta is not None:
        move, prob = np.clip(xr[:, j] + delta, lo, hi) - xr[:, j], answered.astype(float)
    else:
        move, prob = (lo + hi) / 2 - xr[:, j], 0.5 * (answered & (xr[:, j] <= lo + 1))
    slope = np.linalg.lstsq(np.column_stack([np.ones(rows.size), xr]), yr, rcond=None)[0][1 + j]
    change = 100 * np.mean(prob * (nps_item(yr + slope * move) - nps_item(yr)))
    means, points = [], []
    for w, coef in bs.coefficient_chunks(xr, yr, rows, d.y.size, res.n_resamples, res.seed):
        b = coef[:, j]
        means.append(b * (w @ (prob * move)) / w.sum(axis=1))
        gain = prob * (nps_item(yr[None, :] + b[:, None] * move[None, :]) - nps_item(yr))
        points.append(100 * (w * gain).sum(axis=1) / w.sum(axis=1))
    ci = bs.percentile_ci(np.concatenate(means)).tolist()
    return float(change), ci, bs.percentile_ci(np.concatenate(points)).tolist()


@pytest.mark.parametrize("missing", ["complete", "mean"])
@pytest.mark.parametrize("delta", [1.0, -0.5, None])
def test_what_if_by_groups_equals_every_respondent_in_every_resample(missing: str, delta: float | None) -> None:
    df = _survey(900, seed=5)
    res = analyse_drivers(df, "nps", ["staff", "wait", "decor"], bootstrap=150, scales=(1, 5), missing=missing)
    out = what_if(res, "decor", delta=delta, halve_bottom_box=delta is None)
    change, ci, nps_ci = _what_if_per_respondent(res, "decor", delta)
    assert out["nps_change"] == pytest.approx(change, rel=1e-12, abs=1e-12)
    assert out["ci95"] == pytest.approx(ci, rel=1e-12, abs=1e-12)
    assert out["nps_ci95"] == pytest.approx(nps_ci, rel=1e-12, abs=1e-12)


def test_what_if_basis_serves_every_scenario_and_many_groups_are_summed_per_scenario(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    df = _survey(700, seed=6)
    df["spend"] = 12.5 * df["staff"] + 7.0 * df["wait"] + np.random.default_rng(6).normal(0, 3, len(df))
    for outcome in ("nps", "spend"):  # 0–10 answers: a few dozen groups; spend: one per respondent
        res = analyse_drivers(df, outcome, ["staff", "wait"], bootstrap=120, scales=(1, 5))
        basis = what_if_basis(res, "wait")
        assert basis.weight is not None and basis.weight.shape == (120, basis.count.size)
        assert basis.count.sum() == res.n and (basis.count.size < 60) == (outcome == "nps")
        other = what_if_basis(res, "staff")
        for scenario in ({"delta": 1.0}, {"delta": 0.3}, {"halve_bottom_box": True}):
            kept = what_if(res, "wait", basis=basis, **scenario)  # type: ignore[arg-type]
            assert what_if(res, "wait", basis=other, **scenario) == kept  # another driver's basis is not used
            monkeypatch.setattr(drivers_module, "KEEP_CELLS", 1_000)  # too many groups to keep: summed afresh
            assert what_if_basis(res, "wait").weight is None
            summed = what_if(res, "wait", **scenario)  # type: ignore[arg-type]
            monkeypatch.undo()
            assert summed["outcome_change"] == pytest.approx(kept["outcome_change"], rel=1e-12)
            assert summed["ci95"] == pytest.approx(kept["ci95"], rel=1e-12)
            assert summed["nps_ci95"] == (pytest.approx(kept["nps_ci95"], rel=1e-12) if kept["nps_ci95"] else None)


def test_compare_groups_finds_a_driver_that_matters_in_one_segment_only() -> None:
    rng = np.random.default_rng(11)

    def segment(weight_wait: float) -> pd.DataFrame:
        d = pd.DataFrame({"staff": rng.integers(1, 6, 800), "wait": rng.integers(1, 6, 800)}).astype(float)
        d["y"] = 0.5 * d["staff"] + weight_wait * d["wait"] + rng.normal(size=800)
        return d

    out = compare_groups(
        segment(1.0), segment(0.0), "y", ["staff", "wait"], method="rw", bootstrap=200, labels=("app", "store")
    )
    assert out.loc["wait", "importance_diff_lo"] > 0
    assert out.loc["staff", "importance_diff_lo"] < 0  # staff's share of variance is larger where wait is noise
    assert out.loc["wait", "score_diff_lo"] < 0 < out.loc["wait", "score_diff_hi"]
    assert out.attrs["n"] == {"app": 800, "store": 800}


def test_compare_methods_ranks_and_agreement() -> None:
    out = compare_methods(_survey(), "nps", ["staff", "wait", "decor", "parking"], not_rated=0)
    assert set(out.columns) >= {"lmg", "rank_lmg", "pearson", "rank_pearson", "rw", "beta", "spearman"}
    assert out.loc["staff", "rank_lmg"] in (1.0, 2.0)
    assert 0 < out.attrs["kendall_w"] <= 1
    assert out.attrs["rank_agreement"].shape == (5, 5)
    assert kendall_w(np.array([[1, 2, 3], [1, 2, 3]])) == pytest.approx(1.0)
    assert kendall_w(np.array([[1, 2, 3], [3, 2, 1]])) == pytest.approx(0.0)


# --- a real file -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "method"), [("recommended", "lmg"), ("recommended", "pearson"), ("overall_rating", "rw")]
)
def test_skytrax_lounges_make_sense(outcome: str, method: str) -> None:
    df = pd.read_csv(SKYTRAX)
    rep = drivers_report(df, outcome, LOUNGE, method=method, bootstrap=200, not_rated=0, scales=(1, 5))
    assert 1500 < rep["n"] <= len(df)
    assert len(rep["drivers"]) == 7
    by = {d["name"]: d for d in rep["drivers"]}
    for d in rep["drivers"]:
        assert np.isfinite(d["importance"]) and np.isfinite(d["score"])
        assert 1 <= d["score"] <= 5
        assert 1800 < d["n"] <= len(df)
    for name in ("staff_service_rating", "comfort_rating", "cleanliness_rating"):
        assert by[name]["importance"] > 0 and by[name]["ci95"][0] > 0
    assert by["wifi_connectivity_rating"]["n"] < by["comfort_rating"]["n"]  # wifi was more often not rated
    assert "not rated" in rep["missing"]


def test_constant_outcome_or_driver_in_complete_cases_is_refused() -> None:
    df = pd.DataFrame({"a": [1.0, 2, 3, 4] * 10, "b": [2.0] * 39 + [np.nan], "y": [3.0] * 40})
    with pytest.raises(InputRefused, match="fewer than two different answers"):
        drivers_report(df, "y", ["a"], bootstrap=0)
    with pytest.raises(InputRefused, match="never vary"):
        im.lmg(df[["a", "b"]], df["a"] * 2 + 1)


def test_too_few_complete_answers_names_the_method_as_the_page_does() -> None:
    df = pd.DataFrame({"nps": [9, 3, 7], "A": [5, 1, 4], "B": [4, 2, np.nan], "C": [3, 3, 3]})
    with pytest.raises(InputRefused, match=r"Only 2 responses .* too few for Shapley / LMG\."):
        analyse_drivers(df, "nps", ["A", "B", "C"], "lmg", bootstrap=0)
