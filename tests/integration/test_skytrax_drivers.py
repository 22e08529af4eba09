"""Real data end to end: the Skytrax lounge reviews imported into a store, then the drivers of 'recommended'.

The file rates 7 lounge touchpoints 1–5 with 0 = not rated, which the importer recognises and reports, so the
raw file imports whole. ``overall_rating`` mixes 1–5 and 1–10 answers and is left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxdash.analysis.drivers import drivers_report
from cxdash.ingest.load import import_file
from cxdash.store.drivers_data import driver_frame, numeric_attributes
from cxdash.store.frames import touchpoint_scales
from cxdash.store.workspaces import get_workspace, open_store
from tests.stores import StoreFactory

SKYTRAX = Path(__file__).resolve().parents[3] / "shared" / "eval" / "cx" / "skytrax_lounge.csv"
RATINGS = ["comfort", "cleanliness", "bar_beverages", "catering", "washrooms", "wifi_connectivity", "staff_service"]
MAPPING = {
    **{f"{r}_rating": f"rating:{r}" for r in RATINGS},
    "recommended": "attribute:recommended",
    "content": "comment",
    "date": "date",
    "airline_name": "attribute:airline",
    "lounge_type": "attribute:lounge_type",
    "type_traveller": "attribute:traveller",
    "title": "ignore",
    "lounge_name": "ignore",
    "airport": "ignore",
    "date_visit": "ignore",
    "overall_rating": "ignore",
}

pytestmark = pytest.mark.skipif(not SKYTRAX.is_file(), reason="shared/eval/cx/skytrax_lounge.csv not present")


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(SKYTRAX)


@pytest.fixture(scope="module")
def store(store_factory: StoreFactory, raw: pd.DataFrame) -> Iterator[tuple[object, int]]:
    url = store_factory.new("skytrax")
    engine = open_store(url)
    result = import_file(engine, SKYTRAX, SKYTRAX.name, workspace="Skytrax", mapping=MAPPING)
    assert result.responses == len(raw), result.message
    assert result.rejected_rows == []
    not_rated = [w for w in result.warnings if "not rated" in w]
    assert len(not_rated) == len(RATINGS), result.warnings  # every rating column has some zeros
    ws = get_workspace(engine, "Skytrax").id
    assert ws is not None
    yield engine, ws
    engine.dispose()
    store_factory.drop(url)


def test_import_keeps_every_review_with_not_rated_as_missing(store: tuple[object, int], raw: pd.DataFrame) -> None:
    engine, ws = store
    frame = driver_frame(engine, ws, None, ["recommended"])  # type: ignore[arg-type]
    assert len(frame) == len(raw)
    assert set(touchpoint_scales(engine, ws).values()) == {(1, 5)}  # type: ignore[arg-type]
    assert "recommended" in numeric_attributes(engine, ws)  # type: ignore[arg-type]
    for r in RATINGS:
        answered = int(((raw[f"{r}_rating"] != 0) & raw[f"{r}_rating"].notna()).sum())
        assert frame[r].notna().sum() == answered
    assert frame["responded_at"].notna().all()
    assert frame["responded_at"].min() >= pd.Timestamp("2000-01-01")


def test_drivers_of_recommendation(store: tuple[object, int], raw: pd.DataFrame) -> None:
    engine, ws = store
    frame = driver_frame(engine, ws, None, ["recommended"])  # type: ignore[arg-type]
    report = drivers_report(frame, "recommended", RATINGS, bootstrap=300, seed=0, scales=touchpoint_scales(engine, ws))  # type: ignore[arg-type]
    assert report["n"] > 1900 and 0.25 < report["r2"] < 0.5
    by_name = {d["name"]: d for d in report["drivers"]}
    for r in RATINGS:
        d = by_name[r]
        answered = int(((raw[f"{r}_rating"] != 0) & raw[f"{r}_rating"].notna()).sum())
        assert d["n"] == answered  # n per driver, zeros not counted
        assert 1 <= d["score_ci95"][0] < d["score"] < d["score_ci95"][1] <= 5
        assert all(np.isfinite(d["ci95"])) and 0 < d["ci95"][0] < d["importance"] < d["ci95"][1]
    ranked = sorted(RATINGS, key=lambda r: -by_name[r]["importance"])
    assert {"comfort", "staff_service"} <= set(ranked[:4])
    assert ranked[-1] == "wifi_connectivity"
    # cleanliness is the best-rated touchpoint but ranks low on impact here: a "Monitor", not a "Fix first"
    assert by_name["cleanliness"]["quadrant"] == "Monitor"
    assert sum(d["importance"] for d in report["drivers"]) == pytest.approx(report["r2"])


def test_suggested_roles_read_the_overall_rating_as_csat_and_say_its_scale_is_mixed(
    store_factory: StoreFactory, raw: pd.DataFrame
) -> None:
    """Imported as a new user would, with the suggested roles: the overall rating is the CSAT outcome (not a
    touchpoint "overall"); its answers above 5 are rejected row by row, and one warning names how many and when."""
    url = store_factory.new("skytrax_suggested")
    engine = open_store(url)
    try:
        result = import_file(engine, SKYTRAX, SKYTRAX.name, workspace="Skytrax")
        assert result.mapping["overall_rating"] == "csat"
        assert result.mapping["content"] == "comment"  # the review; the title is the lounge's name, repeated
        assert result.mapping["title"] == "ignore" and result.mapping["airline_name"].startswith("attribute:")
        assert not any(role == "rating:overall" for role in result.mapping.values())
        above = raw["overall_rating"] > 5
        assert sorted({r.row for r in result.rejected_rows}) == [int(i) + 2 for i in raw.index[above]]
        mixed = [w for w in result.warnings if "'overall_rating'" in w and "above the 1–5 scale" in w]
        assert len(mixed) == 1 and f"{int(above.sum())} answers are 6–10" in mixed[0], result.warnings
    finally:
        engine.dispose()
        store_factory.drop(url)
