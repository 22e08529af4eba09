"""The drivers matrix is data: quadrants, error bars, selection, sizes and tooltips are in its Vega-Lite spec."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from cxdash.analysis.drivers import compare_methods, drivers_report
from cxdash.viz.drivers_chart import PICK, driver_table, drivers_chart, methods_table, touchpoint_trend_chart


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    rng = np.random.default_rng(3)
    n = 400
    x = pd.DataFrame({"fast": rng.integers(1, 4, n), "tidy": rng.integers(3, 6, n), "cheap": rng.integers(1, 6, n)})
    y = np.clip(np.round(1.6 * x["fast"] + 0.4 * x["tidy"] + 0.1 * x["cheap"] + rng.normal(0, 1, n)), 0, 10)
    x["nps"] = y
    return drivers_report(x, "nps", ["fast", "tidy", "cheap"], bootstrap=200, seed=1, scales=(1, 5))


def _layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return spec["layer"]


def _data(spec: dict[str, Any], layer: dict[str, Any]) -> list[dict[str, Any]]:
    return spec["datasets"][layer["data"]["name"]]


def test_matrix_has_quadrants_errors_points_and_selection(report: dict[str, Any]) -> None:
    spec = drivers_chart(report).to_dict()
    layers = _layers(spec)
    marks = [lay["mark"]["type"] if isinstance(lay["mark"], dict) else lay["mark"] for lay in layers]
    assert marks.count("rect") == 1 and marks.count("circle") == 1 and marks.count("rule") == 4
    labels = {
        row["quadrant"]
        for lay in layers
        if marks[layers.index(lay)] == "text"
        for row in _data(spec, lay)
        if "quadrant" in row
    }
    assert labels == {"Fix first", "Keep strong", "Monitor", "Low priority"}
    points = layers[marks.index("circle")]
    assert points["encoding"]["size"]["field"] == "n"
    assert {t["field"] for t in points["encoding"]["tooltip"]} >= {
        "name",
        "quadrant",
        "importance",
        "importance_lo",
        "importance_hi",
        "share",
        "score",
        "score_lo",
        "score_hi",
        "n",
        "p_fix_first",
    }
    assert spec["params"][0]["name"] == PICK and spec["params"][0]["select"]["fields"] == ["name"]
    rows = {r["name"]: r for r in _data(spec, points)}
    assert rows["fast"]["quadrant"] == "Fix first"  # strongest impact, lowest score


def test_threshold_lines_and_error_bars_match_the_report(report: dict[str, Any]) -> None:
    spec = drivers_chart(report).to_dict()
    rules = [lay for lay in _layers(spec) if lay["mark"] == "rule" or lay["mark"].get("type") == "rule"]
    lines = [r for r in rules if "x2" not in r["encoding"] and "y2" not in r["encoding"]]
    line = _data(spec, lines[0])[0]
    assert line["impact"] == pytest.approx(report["thresholds"]["impact"])
    assert line["score"] == pytest.approx(report["thresholds"]["score"])
    bars = [r for r in rules if "y2" in r["encoding"]]
    fast = next(r for r in _data(spec, bars[0]) if r["name"] == "fast")
    d = next(d for d in report["drivers"] if d["name"] == "fast")
    assert [fast["importance_lo"], fast["importance_hi"]] == pytest.approx(d["ci95"])
    assert fast["importance_lo"] < fast["importance"] < fast["importance_hi"]


def test_without_bootstrap_there_are_no_error_bars_but_a_chart() -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.integers(1, 6, 100), "b": rng.integers(1, 6, 100)})
    df["y"] = df["a"] + rng.normal(0, 1, 100)
    rep = drivers_report(df, "y", ["a", "b"], bootstrap=0)
    spec = drivers_chart(rep).to_dict()
    bars = [
        lay
        for lay in _layers(spec)
        if "y2" in lay["encoding"] and lay["mark"] != "rect" and lay["mark"].get("type") != "rect"
    ]
    assert all(_data(spec, b) == [] for b in bars)


def test_table_is_ranked_by_absolute_impact(report: dict[str, Any]) -> None:
    table = driver_table(report)
    assert table["rank"].tolist() == [1, 2, 3]
    assert table["touchpoint"].iloc[0] == "fast"
    assert table["importance"].is_monotonic_decreasing


def test_selected_driver_is_ringed(report: dict[str, Any]) -> None:
    spec = drivers_chart(report, selected="tidy").to_dict()
    ring = _layers(spec)[-1]
    assert ring["mark"]["type"] == "point" and [r["name"] for r in _data(spec, ring)] == ["tidy"]


def test_trend_and_methods_builders() -> None:
    trend = pd.DataFrame(
        {
            "period": pd.to_datetime(["2025-01-01", "2025-02-01"]),
            "n": [40, 12],
            "mean": [3.1, 5.4],
            "lo": [2.9, 4.8],
            "hi": [3.3, 6.0],
        }
    )
    spec = touchpoint_trend_chart(trend, "Checkout", (1, 5)).to_dict()
    rows = spec["datasets"][spec["data"]["name"]]
    assert max(r["hi"] for r in rows) == 5  # the band never leaves the scale
    assert [r["sample"] for r in rows] == ["n ≥ 30", "n < 30"]
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.integers(1, 6, (200, 3)), columns=["a", "b", "c"]).astype(float)
    df["y"] = df["a"] * 2 + df["b"] + rng.normal(0, 1, 200)
    table = methods_table(compare_methods(df, "y", ["a", "b", "c"]), ["pearson", "lmg"])
    assert table.index[0] == "a" and "rank · Shapley / LMG" in table.columns


def test_weekly_trend_axis_names_days_and_intervals_stay_in_range() -> None:
    """A weekly trend labels its weeks by day (months repeated told no week apart), quarters as Q1–Q4; a small
    period's band is kept within the metric's range (CES 1–5 here)."""
    from cxdash.i18n import use_language
    from cxdash.viz.charts import kpi_trend_chart, period_formats

    assert period_formats("week") == ("%b %-d", "week of %b %-d, %Y")
    assert period_formats("quarter")[0] == "Q%q %Y" and period_formats("month")[0] == "%b %Y"
    with use_language("ja"):
        assert period_formats("week")[0] == "%-m月%-d日"
    trend = pd.DataFrame(
        {
            "period": pd.to_datetime(["2026-07-06", "2026-07-13"]),
            "metric": "ces",
            "value": [3.0, 4.5],
            "lo": [-1.0, 4.0],
            "hi": [7.0, 5.0],
            "n": [3, 40],
        }
    )
    spec = kpi_trend_chart(trend, "ces", ces_scale=(1, 5), period="week").to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [(r["lo"], r["hi"]) for r in rows] == [(1.0, 5.0), (4.0, 5.0)]
    assert spec["layer"][0]["encoding"]["x"]["axis"]["format"] == "%b %-d"


def test_two_segment_comparison_is_shown_with_readable_headers() -> None:
    """No internal column names (importance_diff_lo): each value headed in words, each difference with its interval,
    a group of few answers marked."""
    from cxdash.ui.drivers import group_table

    diff = pd.DataFrame(
        {
            "importance_18-24": [0.30], "importance_25-34": [0.10], "importance_diff": [0.20],
            "importance_diff_lo": [0.05], "importance_diff_hi": [0.35],
            "score_18-24": [3.1], "score_25-34": [3.6], "score_diff": [-0.5],
            "score_diff_lo": [-0.9], "score_diff_hi": [-0.1], "n_18-24": [17], "n_25-34": [120],
        },
        index=pd.Index(["Delivery"], name="driver"),
    )  # fmt: skip
    shown = group_table(diff, "18-24", "25-34")
    assert shown.index.name == "Touchpoint"
    assert list(shown.columns) == [
        "Impact · 18-24", "Impact · 25-34", "Impact: 18-24 − 25-34", "Impact: 95% interval",
        "Score · 18-24", "Score · 25-34", "Score: 18-24 − 25-34", "Score: 95% interval", "n · 18-24", "n · 25-34",
    ]  # fmt: skip
    row = shown.loc["Delivery"]
    assert row["Impact: 95% interval"] == "+0.050 to +0.350"
    assert (row["n · 18-24"], row["n · 25-34"]) == ("17 (few)", "120")
