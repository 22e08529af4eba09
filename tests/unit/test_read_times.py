"""``read_times``: times as a database driver returns them (SQLite: text; PostgreSQL: datetimes) as datetimes."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from cxdash.store.frames import read_times


def test_stored_text_becomes_the_datetimes_sqlalchemy_reads() -> None:
    stored = pd.Series(["2026-01-05 09:30:00.000000", None, "1999-12-31 23:59:59.123456"])
    out = read_times(stored)
    assert str(out.dtype) == "datetime64[us]"
    assert out.iloc[0] == pd.Timestamp(datetime(2026, 1, 5, 9, 30))
    assert pd.isna(out.iloc[1])
    assert out.iloc[2] == pd.Timestamp(datetime(1999, 12, 31, 23, 59, 59, 123456))


def test_datetimes_and_a_column_without_times_are_left_as_they_are() -> None:
    times = pd.Series([datetime(2026, 1, 5, 9, 30), datetime(2026, 2, 1)])
    assert read_times(times) is times
    missing = pd.Series([None, None], dtype=object)
    assert read_times(missing) is missing
