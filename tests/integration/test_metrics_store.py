"""Aggregates computed in the database (SQLite or PostgreSQL) equal the same statistics computed in pandas."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, Table, insert
from sqlalchemy.dialects import postgresql

from cxdash.analysis.metrics import ces_from_moments, csat_from_counts, nps_from_counts
from cxdash.errors import InputRefused
from cxdash.store.engine import writer
from cxdash.store.frames import response_frame
from cxdash.store.models import (
    Attribute,
    Comment,
    ImportBatch,
    JourneyMap,
    Persona,
    Rating,
    Response,
    Touchpoint,
    Workspace,
)
from cxdash.store.queries import (
    CesScale,
    Filters,
    attribute_values,
    ces_scale,
    counts,
    date_range,
    kpi_trend,
    kpis,
    kpis_by_attribute,
    response_conditions,
    set_ces_scale,
    touchpoint_scores,
)
from cxdash.store.workspaces import open_store
from tests.stores import StoreFactory

N = 600
TOUCHPOINTS = [("Search", "Discover", 1, 5), ("Checkout", "Buy", 2, 5), ("Delivery", "Deliver", 1, 10)]


def _t(model: Any) -> Table:
    return cast(Table, model.__table__)


@pytest.fixture(scope="module")
def store(store_factory: StoreFactory) -> Iterator[tuple[Engine, int, pd.DataFrame, pd.DataFrame]]:
    """A store with one workspace of N random responses, plus a second workspace that must never leak in."""
    url = store_factory.new("metrics")
    engine = open_store(url)
    rng = np.random.default_rng(42)
    start = datetime(2025, 11, 1)
    resp = pd.DataFrame(
        {
            "id": np.arange(1, N + 1),
            "responded_at": [start + timedelta(minutes=int(m)) for m in rng.integers(0, 60 * 24 * 200, N)],
            "channel": rng.choice(["web", "app", "phone"], N),
            "nps": rng.integers(0, 11, N).astype(float),
            "csat": rng.integers(1, 6, N).astype(float),
            "csat_max": 5,
            "ces": rng.integers(1, 8, N).astype(float),
            "ces_min": 1,
            "ces_max": 7,
            "plan": rng.choice(["Basic", "Plus", "Premium"], N, p=[0.5, 0.4, 0.1]),
            "region": rng.choice(["North", "South", "East"], N),
        }
    )
    resp.loc[rng.random(N) < 0.1, "nps"] = np.nan
    resp.loc[rng.random(N) < 0.15, "csat"] = np.nan
    # A tenth of the responses answered CSAT on 0–10 and CES on 1–5 (their own scales).
    alt = rng.random(N) < 0.1
    resp.loc[alt, "csat"] = rng.integers(0, 11, alt.sum()).astype(float)
    resp.loc[alt, "csat_max"] = 10
    resp.loc[alt, "ces"] = rng.integers(1, 6, alt.sum()).astype(float)
    resp.loc[alt, "ces_max"] = 5
    resp.loc[rng.random(N) < 0.2, "ces"] = np.nan
    # Some responses lack the region attribute entirely.
    resp.loc[rng.random(N) < 0.05, "region"] = None
    ratings = []
    for tp_id, (_, _, _, smax) in enumerate(TOUCHPOINTS, start=1):
        for rid in resp["id"]:
            if rng.random() < 0.7:
                ratings.append(
                    {"response_id": int(rid), "touchpoint_id": tp_id, "score": float(rng.integers(1, smax + 1))}
                )
    rat = pd.DataFrame(ratings)

    def none(v: Any) -> Any:
        return None if pd.isna(v) else v

    with writer(engine).begin() as conn:
        conn.execute(
            insert(_t(Workspace)),
            [
                {"id": 1, "name": "A", "language": "en", "created_at": start},
                {"id": 2, "name": "B", "language": "en", "created_at": start},
            ],
        )
        conn.execute(
            insert(_t(ImportBatch)),
            [
                {"id": i, "workspace_id": i, "file_name": "f.csv", "content_hash": "h", "created_at": start}
                for i in (1, 2)
            ],
        )
        conn.execute(
            insert(_t(Response)),
            [
                {
                    "id": int(r.id),
                    "workspace_id": 1,
                    "batch_id": 1,
                    "external_id": f"R{r.id}",
                    "responded_at": r.responded_at.to_pydatetime(),
                    "channel": r.channel,
                    "nps": None if pd.isna(r.nps) else int(r.nps),
                    "csat": none(r.csat),
                    "csat_min": 0 if r.csat_max == 10 else 1,
                    "csat_max": int(r.csat_max),
                    "ces": none(r.ces),
                    "ces_min": 1,
                    "ces_max": int(r.ces_max),
                }
                for r in resp.itertuples()
            ]
            + [
                {
                    "id": N + 1,
                    "workspace_id": 2,
                    "batch_id": 2,
                    "external_id": "B1",
                    "responded_at": start,
                    "channel": "web",
                    "nps": 0,
                    "csat": 1.0,
                    "csat_min": 1,
                    "csat_max": 5,
                    "ces": 1.0,
                    "ces_min": 1,
                    "ces_max": 7,
                }
            ],
        )
        conn.execute(
            insert(_t(Touchpoint)),
            [
                {"id": i, "workspace_id": 1, "name": n, "stage": s, "position": p, "scale_min": 1, "scale_max": m}
                for i, (n, s, p, m) in enumerate(TOUCHPOINTS, start=1)
            ]
            + [
                {
                    "id": 9,
                    "workspace_id": 1,
                    "name": "Never rated",
                    "stage": "Use",
                    "position": 9,
                    "scale_min": 1,
                    "scale_max": 5,
                }
            ],
        )
        conn.execute(insert(_t(Rating)), ratings + [{"response_id": N + 1, "touchpoint_id": 1, "score": 1.0}])
        attrs = [{"response_id": int(r.id), "name": "Plan", "value": r.plan} for r in resp.itertuples()]
        attrs += [
            {"response_id": int(r.id), "name": "Region", "value": r.region}
            for r in resp.itertuples()
            if isinstance(r.region, str)
        ]
        attrs += [{"response_id": N + 1, "name": "Plan", "value": "Other workspace"}]
        conn.execute(insert(_t(Attribute)), attrs)
        conn.execute(insert(_t(Comment)), [{"response_id": i, "text": "ok"} for i in range(1, 41)])
        conn.execute(insert(_t(Persona)), [{"workspace_id": 1, "name": "P", "segment_json": "{}", "updated_at": start}])
        conn.execute(insert(_t(JourneyMap)), [{"workspace_id": 1, "name": "J", "updated_at": start}])
    yield engine, 1, resp, rat
    engine.dispose()
    store_factory.drop(url)


def _expected(frame: pd.DataFrame) -> dict[str, Any]:
    """NPS / CSAT / CES computed the long way in pandas (CES rescaled to 1–7 where its scale is 1–5)."""
    nps = frame["nps"].dropna()
    csat = frame.dropna(subset=["csat"])
    ces = frame.dropna(subset=["ces"])
    ces_scaled = np.where(ces["ces_max"] == 7, ces["ces"], 1 + (ces["ces"] - 1) * 6 / (ces["ces_max"] - 1))
    return {
        "nps": nps_from_counts(int((nps >= 9).sum()), int(nps.between(7, 8).sum()), int((nps <= 6).sum())),
        "csat": csat_from_counts(int((csat["csat"] >= csat["csat_max"] - 1).sum()), len(csat)),
        "ces": (len(ces_scaled), float(np.mean(ces_scaled)) if len(ces_scaled) else None),
    }


def _check(got: dict[str, Any], frame: pd.DataFrame) -> None:
    exp = _expected(frame)
    assert got["nps"].n == exp["nps"].n and got["nps"].value == pytest.approx(exp["nps"].value)
    assert got["nps"].ci95 == pytest.approx(exp["nps"].ci95)
    assert got["csat"].n == exp["csat"].n and got["csat"].value == pytest.approx(exp["csat"].value)
    assert got["ces"].n == exp["ces"][0] and got["ces"].value == pytest.approx(exp["ces"][1])


def _select(resp: pd.DataFrame, f: Filters, rat: pd.DataFrame | None = None) -> pd.DataFrame:
    """The filter semantics written out in pandas."""
    keep = pd.Series(True, index=resp.index)
    if f.date_from is not None:
        keep &= resp["responded_at"] >= pd.Timestamp(f.date_from)
    if f.date_to is not None:
        keep &= resp["responded_at"] < pd.Timestamp(f.date_to) + pd.Timedelta(days=1)
    if f.channels:
        keep &= resp["channel"].isin(f.channels)
    col = {"Plan": "plan", "Region": "region"}
    for name, values in f.attributes.items():
        if values:
            keep &= resp[col[name]].isin(values)
    if f.touchpoints and rat is not None:
        ids = [i for i, t in enumerate(TOUCHPOINTS, start=1) if t[0] in f.touchpoints]
        keep &= resp["id"].isin(rat.loc[rat["touchpoint_id"].isin(ids), "response_id"])
    return resp[keep]


FILTERS = [
    Filters(),
    Filters(channels=["web"]),
    Filters(attributes={"Plan": ["Premium", "Plus"]}),
    Filters(attributes={"Plan": ["Basic"], "Region": ["North", "East"]}, channels=["app", "phone"]),
    Filters(date_from=date(2026, 1, 1), date_to=date(2026, 3, 31), attributes={"Region": ["South"]}),
    Filters(attributes={"Plan": []}),  # an attribute with no value selected does not filter
    Filters(touchpoints=["Delivery"], channels=["web", "app"]),
    Filters(date_from=date(2030, 1, 1)),  # nothing
]


@pytest.mark.parametrize("f", FILTERS)
def test_kpis_match_pandas(store: Any, f: Filters) -> None:
    engine, ws, resp, rat = store
    _check(kpis(engine, ws, f), _select(resp, f, rat))


def test_date_to_is_inclusive_and_datetimes_are_exact(store: Any) -> None:
    engine, ws, resp, _ = store
    last = resp["responded_at"].max()
    assert kpis(engine, ws, Filters(date_from=last.date(), date_to=last.date()))["nps"].n == int(
        resp.loc[resp["responded_at"].dt.date == last.date(), "nps"].notna().sum()
    )
    exact = Filters(date_to=last.to_pydatetime() - timedelta(seconds=1))
    n_exact = kpis(engine, ws, exact)["nps"].n
    assert n_exact == int(resp.loc[resp["responded_at"] < last, "nps"].notna().sum())


@pytest.mark.parametrize("period", ["month", "week", "quarter"])
def test_trend_matches_pandas(store: Any, period: str) -> None:
    engine, ws, resp, _ = store
    f = Filters(attributes={"Plan": ["Basic", "Premium"]})
    trend = kpi_trend(engine, ws, f, period=period)
    sel = _select(resp, f)
    if period == "week":
        starts = sel["responded_at"].dt.normalize() - pd.to_timedelta(sel["responded_at"].dt.day_of_week, unit="D")
    else:
        starts = sel["responded_at"].dt.to_period("M" if period == "month" else "Q").dt.start_time
    assert sorted(trend["period"].unique()) == sorted(starts.unique())
    for start, group in sel.groupby(starts):
        exp = _expected(group)
        got = trend[(trend["period"] == start)].set_index("metric")
        assert got.loc["nps", "n"] == exp["nps"].n
        assert got.loc["nps", "value"] == pytest.approx(exp["nps"].value)
        assert got.loc["csat", "value"] == pytest.approx(exp["csat"].value)
        assert got.loc["ces", "value"] == pytest.approx(exp["ces"][1])
    assert list(trend.columns) == ["period", "metric", "value", "n", "lo", "hi", "low_n"]


def test_by_attribute_matches_pandas_and_compares_with_the_rest(store: Any) -> None:
    engine, ws, resp, _ = store
    f = Filters(channels=["web", "app"])
    table = kpis_by_attribute(engine, ws, f, "Region").set_index("value")
    sel = _select(resp, f)
    assert sorted(table.index) == ["East", "North", "South"]
    for value, group in sel.groupby("region"):
        exp = _expected(group)
        row = table.loc[value]
        assert row["n"] == len(group)
        assert row["nps"] == pytest.approx(exp["nps"].value)
        assert row["csat"] == pytest.approx(exp["csat"].value)
        assert row["ces"] == pytest.approx(exp["ces"][1])
        # "The rest" includes responses without a region.
        rest = _expected(sel[sel["region"] != value])
        assert row["nps_diff"] == pytest.approx(exp["nps"].value - rest["nps"].value)
        assert row["ces_diff"] == pytest.approx(exp["ces"][1] - rest["ces"][1])
        assert 0 <= row["nps_p"] <= 1 and row["nps_diff_lo"] < row["nps_diff"] < row["nps_diff_hi"]


def test_by_attribute_flags_small_groups_and_respects_other_attribute_filters(store: Any) -> None:
    engine, ws, resp, _ = store
    f = Filters(attributes={"Region": ["North"]}, channels=["phone"])
    table = kpis_by_attribute(engine, ws, f, "Plan").set_index("value")
    sel = _select(resp, f)
    assert table["n"].to_dict() == sel.groupby("plan").size().to_dict()
    assert bool(table.loc["Premium", "low_n"]) and bool(table.loc["Premium", "nps_low_n"])


def test_touchpoint_scores_match_pandas(store: Any) -> None:
    engine, ws, resp, rat = store
    f = Filters(attributes={"Plan": ["Plus"]})
    scores = touchpoint_scores(engine, ws, f).set_index("touchpoint")
    assert list(scores.index) == ["Search", "Delivery", "Checkout", "Never rated"]  # journey order
    ids = set(_select(resp, f)["id"])
    for tp_id, (name, stage, _, smax) in enumerate(TOUCHPOINTS, start=1):
        s = rat[(rat["touchpoint_id"] == tp_id) & rat["response_id"].isin(ids)]["score"]
        row = scores.loc[name]
        assert row["stage"] == stage and row["n"] == len(s) and row["scale_max"] == smax
        ref = ces_from_moments(len(s), s.sum(), (s**2).sum())
        assert row["mean"] == pytest.approx(s.mean())
        assert (row["lo"], row["hi"]) == pytest.approx(ref.ci95)
        assert row["top2"] == pytest.approx(100 * (s >= smax - 1).mean())
    assert scores.loc["Never rated", "n"] == 0 and pd.isna(scores.loc["Never rated", "mean"])
    only = touchpoint_scores(engine, ws, Filters(touchpoints=["Checkout"]))
    assert list(only["touchpoint"]) == ["Checkout"]


def test_attribute_values_date_range_and_counts(store: Any) -> None:
    engine, ws, resp, rat = store
    assert attribute_values(engine, ws) == {"Plan": ["Basic", "Plus", "Premium"], "Region": ["East", "North", "South"]}
    lo, hi = date_range(engine, ws)
    assert lo == resp["responded_at"].min().to_pydatetime() and hi == resp["responded_at"].max().to_pydatetime()
    assert date_range(engine, 99) == (None, None)
    assert counts(engine, ws) == {
        "responses": N,
        "comments": 40,
        "touchpoints": 4,
        "personas": 1,
        "journeys": 1,
        "batches": 1,
    }
    assert counts(engine, 2)["responses"] == 1


def test_empty_workspace_gives_empty_results(store: Any) -> None:
    engine, _, _, _ = store
    assert kpis(engine, 99)["nps"].value is None
    assert kpi_trend(engine, 99).empty
    assert kpis_by_attribute(engine, 99, None, "Plan").empty
    assert touchpoint_scores(engine, 99).empty


def test_filter_sql_compiles_for_postgresql() -> None:
    f = Filters(date_from=date(2026, 1, 1), attributes={"Plan": ["A"], "Region": ["B", "C"]}, touchpoints=["X"])
    from sqlalchemy import select

    sql = str(select(_t(Response).c.id).where(*response_conditions(1, f)).compile(dialect=postgresql.dialect()))
    assert sql.count("EXISTS") == 3 and "strftime" not in sql.lower()


def _ces_store(
    store_factory: StoreFactory, workspaces: dict[int, list[tuple[float, int | None, int | None]]]
) -> Engine:
    """A store whose workspaces have CES answers (value, scale start, scale end) and nothing else, an hour apart from
    1 March 2026, each with the attribute Plan = All."""
    engine = open_store(store_factory.new("ces"))
    start = datetime(2026, 3, 1)
    with writer(engine).begin() as conn:
        conn.execute(insert(_t(Workspace)), [{"id": w, "name": f"W{w}", "created_at": start} for w in workspaces])
        batches = [{"id": w, "workspace_id": w, "file_name": "f.csv", "content_hash": "h"} for w in workspaces]
        conn.execute(insert(_t(ImportBatch)), batches)
        rows = [
            {"workspace_id": w, "batch_id": w, "external_id": f"{w}-{i}", "responded_at": start + timedelta(hours=i)}
            | {"ces": value, "ces_min": lo, "ces_max": hi}
            for w, answers in workspaces.items()
            for i, (value, lo, hi) in enumerate(answers)
        ]
        ids = conn.execute(insert(_t(Response)).returning(_t(Response).c.id), rows).scalars().all()
        conn.execute(insert(_t(Attribute)), [{"response_id": i, "name": "Plan", "value": "All"} for i in ids])
    return engine


def test_ces_is_reported_on_the_scale_of_most_of_its_answers(store_factory: StoreFactory) -> None:
    """A team that asks CES on 1–5 sees it on 1–5; the answers an older 1–7 survey gave (and those stored without a
    scale, read as 1–7) are rescaled onto it, end points onto end points, in every aggregate alike."""
    five = [(float(1 + i % 5), 1, 5) for i in range(50)]
    seven = [(float(1 + i % 7), 1, 7) for i in range(30)] + [(float(1 + i % 7), None, None) for i in range(10)]
    engine = _ces_store(
        store_factory,
        {1: five + seven, 2: five[:20] + [(float(v), 0, 10) for v in range(20)], 3: five[:20] + seven[:20], 4: []},
    )
    try:
        assert ces_scale(engine, 1) == CesScale(1, 5, 50, (((1, 7), 40),))
        values = [v for v, _, _ in five] + [1 + (v - 1) * 4 / 6 for v, _, _ in seven]
        ref = ces_from_moments(len(values), sum(values), sum(v * v for v in values))
        got = kpis(engine, 1)["ces"]
        assert got.n == 90 and got.value == pytest.approx(ref.value) and got.ci95 == pytest.approx(ref.ci95)
        assert got.value == pytest.approx(np.mean(values)) and 1 <= got.value <= 5
        segment = kpis_by_attribute(engine, 1, None, "Plan").set_index("value").loc["All"]
        assert segment["ces"] == pytest.approx(ref.value) and segment["ces_hi"] == pytest.approx(ref.ci95[1])
        trend = kpi_trend(engine, 1, period="quarter")
        assert trend.loc[trend["metric"] == "ces", "value"].tolist() == pytest.approx([ref.value])
        # A filter to the 1–7 answers alone keeps the workspace's scale: the axis does not change under a filter.
        late = kpis(engine, 1, Filters(date_from=datetime(2026, 3, 1) + timedelta(hours=50)))["ces"]
        assert late.n == 40 and late.value == pytest.approx(np.mean([1 + (v - 1) * 4 / 6 for v, _, _ in seven]))
        # Ties: 1–7 when it is one of them, else the longer scale; no answers: 1–7.
        assert ces_scale(engine, 2) == CesScale(0, 10, 20, (((1, 5), 20),))
        assert ces_scale(engine, 3) == CesScale(1, 7, 20, (((1, 5), 20),))
        assert ces_scale(engine, 4) == CesScale() and kpis(engine, 4)["ces"].value is None
        on_ten = kpis(engine, 2)["ces"].value
        assert on_ten == pytest.approx(np.mean([v * 10 / 4 - 2.5 for v, _, _ in five[:20]] + list(range(20))))
        # A team that moved from 1–7 to 1–5 may report on 1–7 until the new answers outnumber the old, or back.
        set_ces_scale(engine, 1, (1, 7))
        assert ces_scale(engine, 1) == CesScale(1, 7, 40, (((1, 5), 50),), chosen=True)
        on_seven = [1 + (v - 1) * 6 / 4 for v, _, _ in five] + [v for v, _, _ in seven]
        assert kpis(engine, 1)["ces"].value == pytest.approx(np.mean(on_seven))
        set_ces_scale(engine, 4, (1, 5))  # chosen before any answer
        assert ces_scale(engine, 4) == CesScale(1, 5, 0, (), chosen=True)
        with pytest.raises(InputRefused, match="2–6 is not a scale CES can be reported on"):
            set_ces_scale(engine, 1, (2, 6))
        set_ces_scale(engine, 1, None)
        assert ces_scale(engine, 1) == CesScale(1, 5, 50, (((1, 7), 40),))
    finally:
        engine.dispose()


def test_the_respondent_frame_puts_csat_and_ces_on_the_workspace_scales(store: Any) -> None:
    """Drivers and personas read one row per respondent: a tenth answered CSAT on 0–10 and CES on 1–5; their answers
    are rescaled onto the scales most answers have (1–5, 1–7), as the metrics read them, not mixed raw."""
    engine, ws, resp, _ = store
    frame = response_frame(engine, ws)
    own = resp.set_index("id").loc[frame.index]
    csat = np.where(own["csat_max"] == 10, 1 + own["csat"] * 4 / 10, own["csat"])
    ces = np.where(own["ces_max"] == 5, 1 + (own["ces"] - 1) * 6 / 4, own["ces"])
    assert frame["csat"].to_numpy() == pytest.approx(csat, nan_ok=True)
    assert frame["ces"].to_numpy() == pytest.approx(ces, nan_ok=True)
    assert frame["csat"].max() <= 5 and frame["ces"].max() <= 7
    assert (own["csat_max"] == 10).sum() > 30 and (own["ces_max"] == 5).sum() > 30  # the test has both kinds
