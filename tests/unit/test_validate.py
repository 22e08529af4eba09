"""Validation of mapped tables: rejections with row/column/value/reason, markers, scales, dates, refusals."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from cxdash.errors import InputRefused
from cxdash.i18n import use_language
from cxdash.ingest.read import read_table
from cxdash.ingest.result import Rejection, group_rejections
from cxdash.ingest.table import RawTable
from cxdash.ingest.validate import NO_CONTENT, ValidChunk, plan_import, preview_import, validate_chunk


def table(columns: dict[str, list[object]], file_name: str = "survey.csv") -> RawTable:
    return RawTable.from_frame(pd.DataFrame(columns), file_name=file_name, content_hash="x")


def run(t: RawTable, mapping: dict[str, str], seen: set[str] | None = None) -> tuple[ValidChunk, list[Rejection]]:
    plan = plan_import(t, mapping)
    return validate_chunk(next(t.chunks()), plan, set() if seen is None else seen)


def test_every_rejection_reason_has_row_column_and_value() -> None:
    t = table(
        {
            "ID": ["r1", "r2", "r3", "r4", "r1", "r6", "r7"],
            "NPS": ["9", "abc", "11", "7.5", "8", None, "3"],
            "Date": ["2024-01-05", "2024-01-06", "2024-01-07", "2024-01-08", "2024-01-09", None, "soon"],
        }
    )
    valid, rejections = run(t, {"ID": "response_id", "NPS": "nps", "Date": "date"})
    assert rejections == [
        Rejection(3, "NPS", "abc", "'abc' is not a number"),
        Rejection(4, "NPS", "11", "11 is outside 0–10"),
        Rejection(5, "NPS", "7.5", "7.5 is not a whole number (NPS is 0–10)"),
        Rejection(6, "ID", "r1", "response id 'r1' appears earlier in this file"),
        Rejection(7, "", "", NO_CONTENT),
        Rejection(8, "Date", "soon", "'soon' is not a date (expected like 2024-01-31 or 2024-01-31T14:05:00)"),
    ]
    assert list(valid.responses.index) == [2]
    assert valid.responses.loc[2, "nps"] == 9


def test_duplicate_ids_across_chunks_and_trimmed() -> None:
    t = table({"ID": [" a ", "b"], "CSAT": ["4", "5"]})
    seen = {"b"}
    valid, rejections = run(t, {"ID": "response_id", "CSAT": "csat"}, seen)
    assert [(r.row, r.column) for r in rejections] == [(3, "ID")]
    assert valid.responses["external_id"].tolist() == ["a"]
    assert seen == {"a", "b"}


def test_rejected_row_does_not_claim_its_id() -> None:
    t = table({"ID": ["a", "a"], "NPS": ["x", "8"]})
    valid, rejections = run(t, {"ID": "response_id", "NPS": "nps"})
    assert [r.reason for r in rejections] == ["'x' is not a number"]
    assert valid.responses["external_id"].tolist() == ["a"]


@pytest.mark.parametrize(
    "marker", ["", "N/A", "n/a", "NA", "-", "該当なし", "わからない", "Don't know", "Not applicable", " "]
)
def test_not_answered_markers_are_missing_not_errors(marker: str) -> None:
    t = table({"NPS": ["8", marker], "CES": ["3", "4"]})
    valid, rejections = run(t, {"NPS": "nps", "CES": "ces"})
    assert rejections == []
    assert valid.responses["nps"].isna().tolist() == [False, True]
    assert valid.responses.loc[3, "ces"] == 4


def test_labels_and_full_width_digits_take_the_leading_number() -> None:
    values = ["10 - Extremely likely", "0 (Not at all likely)", "１０", "５ - 非常に満足", "７点", " 6 "]
    t = table({"NPS": values})
    valid, rejections = run(t, {"NPS": "nps"})
    assert rejections == []
    assert valid.responses["nps"].tolist() == [10, 0, 10, 5, 7, 6]


def test_excel_cells_numbers_and_datetimes() -> None:
    t = table({"NPS": [9, 10.0, 3], "When": [datetime(2024, 5, 1, 9, 30), 45413, None]})
    valid, rejections = run(t, {"NPS": "nps", "When": "date"})
    assert rejections == []
    assert valid.responses["responded_at"].tolist()[:2] == [
        pd.Timestamp("2024-05-01 09:30"),
        pd.Timestamp("2024-05-01"),
    ]


def test_nps_exported_as_one_to_eleven_is_read_one_lower() -> None:
    """SurveyMonkey's numerical export numbers the 11 NPS answers 1–11: read as 0–10 (11 = 10), with a warning; a 0–10
    column with one typed 11 is not shifted (the 11 is rejected), nor is one without any 11."""
    answers = [str(1 + i % 11) for i in range(33)]
    t = table({"ID": [f"R{i}" for i in range(33)], "NPS": answers})
    valid, rejections = run(t, {"ID": "response_id", "NPS": "nps"})
    assert rejections == []
    assert valid.responses["nps"].tolist() == [float(int(a) - 1) for a in answers]
    assert "the answers run 1–11, not 0–10" in " ".join(plan_import(t, {"ID": "response_id", "NPS": "nps"}).warnings)
    typo = table({"NPS": [str(i % 11) for i in range(32)] + ["11"]})
    valid, rejections = run(typo, {"NPS": "nps"})
    assert [(r.row, r.value, r.reason) for r in rejections] == [(34, "11", "11 is outside 0–10")]
    assert valid.responses["nps"].max() == 10.0
    no_eleven = table({"NPS": [str(1 + i % 10) for i in range(33)]})
    assert run(no_eleven, {"NPS": "nps"})[0].responses["nps"].min() == 1.0


def test_ratings_drawn_in_stars_are_their_number_of_stars() -> None:
    """★★★☆☆ is 3; no black star at all is "not rated" on a 1–5 scale, as a 0 is."""
    stars = ["★★★★★", "★★★☆☆", "★☆☆☆☆", "★★★★☆", "★★☆☆☆", "☆☆☆☆☆"]
    t = table({"評価": stars, "レビュー": ["良い"] * 6})
    valid, rejections = run(t, {"評価": "csat", "レビュー": "comment"})
    assert rejections == []
    assert valid.responses["csat"].tolist()[:5] == [5.0, 3.0, 1.0, 4.0, 2.0]
    assert pd.isna(valid.responses["csat"].tolist()[5])


def test_excel_serial_numbers_saved_as_csv_text_are_dates() -> None:
    """A sheet whose dates were not formatted, saved as CSV: 45352 is 2024-03-01, 45352.5 its noon; 12 is no date."""
    t = table({"NPS": ["9", "10", "3", "7"], "Date": ["45352", "45352.5", "2024/03/04", "12"]})
    valid, rejections = run(t, {"NPS": "nps", "Date": "date"})
    assert [(r.row, r.value) for r in rejections] == [(5, "12")]
    assert valid.responses["responded_at"].tolist() == [
        pd.Timestamp("2024-03-01"),
        pd.Timestamp("2024-03-01 12:00"),
        pd.Timestamp("2024-03-04"),
    ]


@pytest.mark.parametrize(
    ("values", "scale"),
    [
        (["1", "2", "5", "3"], (1, 5)),
        (["1", "7", "6", "2"], (1, 7)),
        (["1", "10", "8"], (1, 10)),
        (["0", "10", "8", "1"], (0, 10)),
        (["1", "2", "3", "4", "5"] * 20 + ["55"], (1, 5)),  # one typo in 101: still 1–5, the typo is rejected
    ],
)
def test_rating_scale_is_the_smallest_standard_scale(values: list[str], scale: tuple[int, int]) -> None:
    t = table({"Delivery": values})
    plan = plan_import(t, {"Delivery": "rating:Delivery"})
    assert plan.scales == {"Delivery": scale}


def test_csat_and_ces_defaults_and_nps_fixed() -> None:
    """Unanswered columns get the usual scale (CSAT 1–5, CES 1–7); answers on 1–5 make a CES 1–5 (Gartner's first)."""
    t = table({"NPS": ["1", "2"], "CSAT": [None, None], "CES": [None, None], "Effort": ["2", "3"]})
    assert plan_import(t, {"NPS": "nps", "CSAT": "csat", "CES": "ces"}).scales == {
        "NPS": (0, 10),
        "CSAT": (1, 5),
        "CES": (1, 7),
    }
    assert plan_import(t, {"NPS": "nps", "Effort": "ces"}).scales["Effort"] == (1, 5)


def test_zero_on_a_one_to_five_scale_is_not_rated_with_a_counted_warning() -> None:
    t = table({"Delivery": ["0", "4", "5", "0", "3", "1"], "NPS": ["9"] * 6})
    preview = preview_import(t, {"Delivery": "rating:Delivery", "NPS": "nps"})
    assert preview.scales["Delivery"] == (1, 5)
    assert preview.rejected == []
    assert any("Delivery" in w and "2 rows" in w and "not rated" in w for w in preview.warnings)
    valid, _ = run(t, {"Delivery": "rating:Delivery", "NPS": "nps"})
    assert valid.ratings["source_row"].tolist() == [3, 4, 6, 7]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["2024-03-14", "2024-03-15T10:20:00Z"], [datetime(2024, 3, 14), datetime(2024, 3, 15, 10, 20)]),
        (["2024/03/14 10:20:30", "2024/03/15 00:00:00"], [datetime(2024, 3, 14, 10, 20, 30), datetime(2024, 3, 15)]),
        (["3/14/2024 10:20", "12/1/2024 8:05:09"], [datetime(2024, 3, 14, 10, 20), datetime(2024, 12, 1, 8, 5, 9)]),
        (["14/03/2024", "01/02/2024"], [datetime(2024, 3, 14), datetime(2024, 2, 1)]),  # day 14 proves d/m
        (["2024年3月14日", "2024年12月1日"], [datetime(2024, 3, 14), datetime(2024, 12, 1)]),
    ],
)
def test_date_formats(values: list[str], expected: list[datetime]) -> None:
    t = table({"Date": values, "NPS": ["5"] * len(values)})
    valid, rejections = run(t, {"Date": "date", "NPS": "nps"})
    assert rejections == []
    assert valid.responses["responded_at"].tolist() == [pd.Timestamp(e) for e in expected]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (  # SurveyMonkey's Start Date / End Date
            ["03/01/2024 10:01:00 AM", "03/02/2024 01:01:00 PM", "03/13/2024 12:05 AM"],
            ["2024-03-01 10:01", "2024-03-02 13:01", "2024-03-13 00:05"],
        ),
        (["31/01/2024 11:30 PM", "01/02/2024 09:00 AM"], ["2024-01-31 23:30", "2024-02-01 09:00"]),
        (
            ["01 Apr 2024", "April 2, 2024", "3-Apr-24", "Apr 4, 2024 3:05 PM"],
            ["2024-04-01", "2024-04-02", "2024-04-03", "2024-04-04 15:05"],
        ),
        (["Mon, 01 Apr 2024 10:00:00", "Tue, 02 Apr 2024 11:30:00"], ["2024-04-01 10:00", "2024-04-02 11:30"]),
        (  # a weekday in brackets and 午前/午後, as Japanese Excel writes dates
            ["2024/04/01(月)", "2024年4月2日（火） 10:00", "2024/4/3 (水曜日) 午後3:05", "2024/04/04 午前12:30"],
            ["2024-04-01", "2024-04-02 10:00", "2024-04-03 15:05", "2024-04-04 00:30"],
        ),
        (["4/5/2024 (Fri)", "4/6/2024 (Sat)", "4/30/2024 (Tue)"], ["2024-04-05", "2024-04-06", "2024-04-30"]),
        (["4/1/24 10:05:33", "4/30/24 9:00:01"], ["2024-04-01 10:05:33", "2024-04-30 09:00:01"]),  # Microsoft Forms
        (["01.04.2024 14:00", "13.04.2024 09:30:15"], ["2024-04-01 14:00", "2024-04-13 09:30:15"]),  # German Excel
        (["20240401", "20241231"], ["2024-04-01", "2024-12-31"]),  # yyyymmdd, as systems export dates
        (["1711965600", "1711965600000"], ["2024-04-01 10:00", "2024-04-01 10:00"]),  # Unix time (s, ms), in UTC
        (["2024-04-01 14:00:00 UTC", "2024-04-02 09:00:00 UTC"], ["2024-04-01 14:00", "2024-04-02 09:00"]),
        (["2024/04/01 10:00:00 JST", "2024/04/04 11:00:00 JST"], ["2024-04-01 10:00", "2024-04-04 11:00"]),
        (  # a time with its offset is read as written (not moved to UTC: 8:30 in Tokyo stays on May 1)
            ["2024-05-01T08:30:00+09:00", "2024-05-02 08:30:00", "2024-05-03T23:00:00-0500", "2024-05-04T10:00:00Z"],
            ["2024-05-01 08:30", "2024-05-02 08:30", "2024-05-03 23:00", "2024-05-04 10:00"],
        ),
    ],
)
def test_dates_with_a_12_hour_clock_month_names_or_weekdays(values: list[str], expected: list[str]) -> None:
    t = table({"Date": values, "NPS": ["5"] * len(values)})
    valid, rejections = run(t, {"Date": "date", "NPS": "nps"})
    assert rejections == []
    assert valid.responses["responded_at"].tolist() == [pd.Timestamp(e) for e in expected]


def test_japanese_era_dates_are_read_with_their_gregorian_year() -> None:
    """和暦, as Japanese Excel files and forms write it: the era's first year is 元年; ㋿ is one character for 令和."""
    values = ["令和6年4月1日", "令和元年5月1日 10:30", "平成31年4月30日", "㋿6年12月31日"]
    values += ["R6.4.1", "H31/04/30", "S64.1.7"]
    t = table({"Date": values + ["令和6年13月1日"], "NPS": ["5"] * (len(values) + 1)})
    valid, rejections = run(t, {"Date": "date", "NPS": "nps"})
    expected = ["2024-04-01", "2019-05-01 10:30", "2019-04-30", "2024-12-31", "2024-04-01", "2019-04-30", "1989-01-07"]
    assert valid.responses["responded_at"].tolist() == [pd.Timestamp(e) for e in expected]
    assert [(r.row, r.value) for r in rejections] == [(9, "令和6年13月1日")]  # month 13: written as it was


def test_ambiguous_month_day_reads_month_first_and_warns() -> None:
    t = table({"Date": ["01/02/2024", "03/04/2024"], "NPS": ["5", "6"]})
    plan = plan_import(t, {"Date": "date", "NPS": "nps"})
    assert plan.date_format is not None and plan.date_format.key == "mdy"
    assert any("'Date'" in w and "month/day" in w for w in plan.warnings)
    valid, _ = validate_chunk(next(t.chunks()), plan, set())
    assert valid.responses["responded_at"].tolist()[0] == pd.Timestamp(2024, 1, 2)


def test_ambiguous_dates_of_a_semicolon_file_read_day_first() -> None:
    """European Excel separates fields with semicolons and writes dates day first: 01/02/2024 is 1 February there,
    with the warning saying so."""
    table = read_table(b"ID;Datum;NPS\nA1;01/02/2024;5\nA2;03/04/2024;6\n", "umfrage.csv")
    plan = plan_import(table, {"ID": "response_id", "Datum": "date", "NPS": "nps"})
    assert plan.date_format is not None and plan.date_format.key == "dmy"
    assert any("day/month/year, as files separated by semicolons" in w for w in plan.warnings)
    valid, _ = validate_chunk(next(table.chunks()), plan, set())
    assert valid.responses["responded_at"].tolist() == [pd.Timestamp(2024, 2, 1), pd.Timestamp(2024, 4, 3)]


def test_unambiguous_dates_give_no_warning() -> None:
    t = table({"Date": ["2024-01-02"], "NPS": ["5"]})
    assert plan_import(t, {"Date": "date", "NPS": "nps"}).warnings == []


@pytest.mark.parametrize(
    ("dates", "key"),
    [
        (["2024-01-31", "2024-02-01 09:30"], "iso"),
        (["01/31/2024", "02/01/2024"], "mdy"),  # 01/31 reads only month first
        (["2024年1月31日", "2024年2月1日"], "ja"),
        (["31/01/2024", "01/02/2024"], "dmy"),  # one cell reads either way, the other only day first
        (["2024-01-31", "31/01/2024", "28/02/2024"], "dmy"),  # the family that reads the most cells
    ],
)
def test_the_date_family_that_reads_most_cells_is_chosen(dates: list[str], key: str) -> None:
    t = table({"Date": dates, "NPS": ["5"] * len(dates)})
    plan = plan_import(t, {"Date": "date", "NPS": "nps"})
    assert plan.date_format is not None and plan.date_format.key == key
    assert plan.warnings == []


def test_attributes_comments_and_long_touchpoints() -> None:
    t = table(
        {
            "Store": [" Shibuya ", "Umeda", "Umeda"],
            "Stars": ["5", None, "2"],
            "Review": ["Lovely staff", "Slow checkout", "n/a"],
            "Plan": [" gold ", "-", "silver"],
        }
    )
    mapping = {"Store": "touchpoint", "Stars": "rating", "Review": "comment", "Plan": "attribute:plan"}
    valid, rejections = run(t, mapping)
    assert rejections == []
    assert valid.ratings[["source_row", "touchpoint", "score"]].values.tolist() == [
        [2, "Shibuya", 5.0],
        [4, "Umeda", 2.0],
    ]
    assert valid.comments[["source_row", "touchpoint", "text"]].values.tolist() == [
        [2, "Shibuya", "Lovely staff"],
        [3, "Umeda", "Slow checkout"],
    ]
    assert valid.attributes[["source_row", "value"]].values.tolist() == [[2, "gold"], [4, "silver"]]
    assert valid.touchpoints == ["Shibuya", "Umeda"]


def test_long_rating_without_touchpoint_is_rejected() -> None:
    t = table({"Store": ["A", None], "Stars": ["4", "3"]})
    _, rejections = run(t, {"Store": "touchpoint", "Stars": "rating"})
    assert rejections == [Rejection(3, "Store", "", "row has a rating but no touchpoint")]


def test_refuses_a_mapping_without_scores_or_comments() -> None:
    t = table({"ID": ["a"], "Plan": ["x"]})
    with pytest.raises(InputRefused, match="'survey.csv' has no column for NPS, CSAT, CES"):
        plan_import(t, {"ID": "response_id", "Plan": "attribute:plan"})


def test_refuses_unknown_role_naming_the_column() -> None:
    t = table({"Score": ["1"]})
    with pytest.raises(InputRefused, match="Column 'Score'.*'loyalty' is not a column role"):
        plan_import(t, {"Score": "loyalty"})


def test_refuses_single_use_role_twice() -> None:
    t = table({"A": ["1"], "B": ["2"]})
    with pytest.raises(InputRefused, match="'A' and 'B'.*'nps'"):
        plan_import(t, {"A": "nps", "B": "nps"})


def test_refuses_columns_the_file_lacks_and_rating_without_touchpoint() -> None:
    t = table({"A": ["1"]})
    with pytest.raises(InputRefused, match="'Missing'"):
        plan_import(t, {"A": "nps", "Missing": "csat"})
    with pytest.raises(InputRefused, match="no column to 'touchpoint'"):
        plan_import(t, {"A": "rating"})


def test_preview_counts_everything() -> None:
    t = table(
        {
            "NPS": ["9", "x", "7", None, None],
            "Comment": ["good", None, "meh", None, " "],
            "Plan": ["A", "B", "A", "B", None],
        }
    )
    preview = preview_import(t, {"NPS": "nps", "Comment": "comment", "Plan": "attribute:Plan"})
    # row 6 is wholly blank: skipped, neither read nor rejected; row 5 has a plan but nothing to measure
    assert (preview.rows_read, preview.rows_valid, preview.comments) == (4, 2, 2)
    assert [(r.row, r.reason) for r in preview.rejected] == [(3, "'x' is not a number"), (5, NO_CONTENT)]


def _cells(n: int) -> pd.Series:
    """A CSV column (str cells, None for empty) whose answers repeat: plain numbers, labels, full-width digits,
    markers, padding and nonsense, in a shuffled order."""
    answers = ["7", " 7 ", "10 - Extremely likely", "１０", "N/A", "該当なし", "-", "abc", "3.5", "0", "+2", "五", None]
    return pd.Series([answers[(i * 7919) % len(answers)] for i in range(n)], index=range(2, n + 2), dtype=object)


def test_repeating_columns_parse_as_cell_by_cell() -> None:
    """A column with few distinct answers is parsed once per answer: same numbers, masks and texts per cell."""
    from cxdash.ingest import parse

    column = _cells(5_000)
    grouped, single = parse.parse_numbers(column), parse._parse_numbers(column)
    pd.testing.assert_series_equal(grouped.value, single.value, check_names=False)
    assert grouped.missing.tolist() == single.missing.tolist()
    assert grouped.bad.tolist() == single.bad.tolist()
    assert grouped.value.index.equals(column.index)
    cell_by_cell = pd.Series([parse.clean_text(column.iloc[i : i + 1]).iloc[0] for i in range(50)], dtype=object)
    assert parse.clean_text(column).iloc[:50].tolist() == cell_by_cell.tolist()
    assert parse.is_not_answered(column).tolist() == [
        v is None or v.strip().lower() in parse.NOT_ANSWERED for v in column
    ]


def test_a_column_is_cleaned_the_same_whichever_way_and_missing_is_none() -> None:
    """Repeating answers (parsed once per answer), mostly distinct comments (cell by cell, in Python), a column that
    is not all str (Excel's numbers among its texts): the same texts per cell, None where empty or "not answered"."""
    from cxdash.ingest import parse

    comments = pd.Series(
        [None if i % 5 == 0 else " N/A" if i % 7 == 0 else f" comment {i} " for i in range(6_000)], dtype=object
    )
    mixed = pd.Series([1.5, " x ", None, "N/A", float("nan")] * 20, dtype=object)
    for column in (_cells(5_000), comments, mixed):
        cleaned = parse.clean_text(column)
        assert cleaned.dtype == object and cleaned.index.equals(column.index)
        one_by_one = [parse.clean_text(column.iloc[i : i + 1]).iloc[0] for i in range(80)]
        assert cleaned.iloc[:80].tolist() == one_by_one
        missing = parse.is_not_answered(column)
        assert [v is None for v in cleaned] == missing.tolist()
    assert parse.clean_text(mixed).iloc[:5].tolist() == ["1.5", "x", None, None, None]


@pytest.mark.parametrize(
    "cells", [["7", "10", "0"], ["007", "+5", "-0", "1.50", "-3.25"], ["12345678901234567890", "1"], []]
)
def test_plain_numbers_take_the_short_way_to_the_same_result(cells: list[str]) -> None:
    """A column of plain numbers only (a CSV score column's distinct answers) is read without the marker, NFKC and
    label steps: the same values and masks as the full way."""
    from cxdash.ingest import parse

    column = pd.Series(cells, index=range(5, 5 + len(cells)), dtype=object)
    short, full = parse.parse_numbers(column), parse._parse_numbers(column)
    pd.testing.assert_series_equal(short.value, full.value, check_names=False)
    assert short.missing.tolist() == full.missing.tolist() and short.bad.tolist() == full.bad.tolist()
    assert short.value.index.equals(column.index)


def test_excel_values_are_not_grouped_as_equal() -> None:
    """Excel cells: True, 1 and 1.0 compare equal in Python but are different answers (a boolean is not a score)."""
    from cxdash.ingest import parse

    column = pd.Series([True, 1, 1.0, "1", None] * 40, dtype=object)
    parsed = parse.parse_numbers(column)
    assert parsed.bad.tolist()[:5] == [True, False, False, False, False]
    assert parsed.value.tolist()[1:4] == [1.0, 1.0, 1.0]


def _tracker(rows_5: int, rows_10: list[int]) -> RawTable:
    """A tracker's overall score: 1–5 answers first, then (from 2025-06) answers on 1–10."""
    scores = [str(1 + i % 5) for i in range(rows_5)] + [str(v) for v in rows_10]
    dates = [f"2024-{1 + i % 12:02d}-15" for i in range(rows_5)] + [
        f"2025-{6 + i % 3:02d}-0{1 + i % 9}" for i in range(len(rows_10))
    ]
    return table({"Date": dates, "Overall": scores, "Comment": ["fine"] * len(scores)})


MAPPING_TRACKER = {"Date": "date", "Overall": "csat", "Comment": "comment"}


def test_answers_on_a_longer_scale_in_some_rows_are_rejected_with_one_warning_naming_their_dates() -> None:
    t = _tracker(200, [7, 9, 3, 10, 8, 6, 2])  # 5 of the 1–10 answers are above 5; the 3 and the 2 cannot be told
    preview = preview_import(t, MAPPING_TRACKER)
    assert preview.scales["Overall"] == (1, 5)
    assert len(preview.rejected) == 5
    mixed = [w for w in preview.warnings if "'Overall'" in w and "above the 1–5 scale" in w]
    assert len(mixed) == 1, preview.warnings
    assert "5 answers are 6–10" in mixed[0] and "2025-06-01 to 2025-08-06" in mixed[0], mixed[0]


@pytest.mark.parametrize(
    "above",
    [
        [9, 9, 9, 9, 9, 9],  # one value again and again: a code ("don't know"), not a scale
        [7, 8, 9, 10],  # too few to say
        [6, 8, 99, 10, 7, 9],  # 99 is no answer on any scale
    ],
)
def test_a_few_stray_values_or_codes_above_the_scale_give_no_mixed_scale_warning(above: list[int]) -> None:
    preview = preview_import(_tracker(400, above), MAPPING_TRACKER)
    assert preview.rejected  # each is still rejected with its row and value
    assert not [w for w in preview.warnings if "above the" in w], preview.warnings


def test_rejected_rows_group_by_column_and_reason_whatever_the_value() -> None:
    """Thousands of unrated tickets and a few typos read as a few lines: column, reason without its value, rows,
    the first row and its value; the most frequent first. The same in Japanese."""
    ids = [f"T{i}" for i in range(30)] + ["T3", "T4"]  # two ids seen before
    scores = ["" if i % 3 else str(1 + i % 5) for i in range(30)] + ["4", "5"]
    scores[9], scores[12], scores[15] = "7", "9", "abc"  # two above 1–5, one not a number
    comments = ["" if i % 2 else "ok" for i in range(32)]
    t = table({"Id": ids, "Score": scores, "Comment": comments})
    mapping = {"Id": "response_id", "Score": "csat [1-5]", "Comment": "comment"}
    preview = preview_import(t, mapping)
    groups = [(g.column, g.reason, g.rows, g.first_row, g.example) for g in group_rejections(preview.rejected)]
    assert groups == [
        ("", "row has no score and no comment", 10, 3, ""),  # the whole row, no one column
        ("Score", "… is outside 1–5", 2, 11, "7"),
        ("Id", "response id '…' appears earlier in this file", 2, 32, "T3"),
        ("Score", "'…' is not a number", 1, 17, "abc"),
    ]
    assert sum(g[2] for g in groups) == len(preview.rejected)
    with use_language("ja"):
        japanese = group_rejections(preview_import(t, mapping).rejected)
    assert [(g.reason, g.rows) for g in japanese][1:3] == [
        ("… は 1〜5 の範囲外です", 2),
        ("回答 ID「…」はこのファイルの前の行にもあります", 2),
    ]


@pytest.mark.parametrize("label", ["平均", "合計", "Total", "AVERAGE", "Grand total", "計:", "【合計】"])
def test_a_spreadsheets_average_or_total_row_is_not_a_response(label: str) -> None:
    """Japanese Excel sheets end with 平均 / 合計 rows: one reason names the row, and its sums are not "answers
    above the scale" of a longer one."""
    t = table(
        {
            "回答日": [f"2026/04/{1 + i:02d}" for i in range(20)] + [label],
            "総合満足度": [str(1 + i % 5) for i in range(20)] + ["3.0" if "平均" in label else "60"],
            "配送": [str(1 + i % 5) for i in range(20)] + ["57"],
        }
    )
    preview = preview_import(t, {"回答日": "date", "総合満足度": "csat", "配送": "rating:配送"})
    assert preview.rows_valid == 20
    assert [(r.row, r.column, r.value) for r in preview.rejected] == [(22, "回答日", label)]
    assert preview.rejected[0].reason == f"'{label}' marks a summary row (an average or a total), not a response"
    assert not any("above the" in w for w in preview.warnings)


def test_a_total_row_may_name_itself_behind_blank_cells() -> None:
    """A Japanese sheet numbered in its first column leaves that cell blank on its 合計 row and writes 合計 under the
    store; a numbered row whose store is called 合計 stays a response."""
    t = table(
        {
            "No.": [str(i) for i in range(1, 21)] + ["", "21"],
            "店舗": ["新宿", "渋谷"] * 10 + ["合計", "合計"],
            "総合満足度": [str(1 + i % 5) for i in range(20)] + ["60", "4"],
        }
    )
    preview = preview_import(t, {"No.": "response_id", "店舗": "attribute:店舗", "総合満足度": "csat"})
    assert preview.rows_valid == 21
    assert [(r.row, r.column, r.value) for r in preview.rejected] == [(22, "店舗", "合計")]
    assert preview.rejected[0].reason == "'合計' marks a summary row (an average or a total), not a response"


def test_a_total_row_named_in_an_ignored_column_is_rejected_by_that_column() -> None:
    """合計 under "No", a column the import ignores: the row is named by the column the user sees it in."""
    t = table(
        {
            "No": [str(i) for i in range(1, 6)] + ["合計"],
            "配送": ["5", "2", "4", "3", "5", "19"],
            "おすすめ度": ["9", "3", "8", "6", "10", "36"],
        }
    )
    preview = preview_import(t, {"No": "ignore", "配送": "rating:配送", "おすすめ度": "nps"})
    assert preview.rows_valid == 5
    assert [(r.row, r.column, r.value) for r in preview.rejected] == [(7, "No", "合計")]


@pytest.mark.parametrize("label", ["Total", "合計", "平均"])
def test_a_small_files_total_row_does_not_set_the_scale(label: str) -> None:
    """Six answers of 1–5 and their sum: the sum is more than the 5% of answers a scale may leave outside, yet it is
    no answer: the scale stays 1–5 (the answers are not read as the low end of 1–10)."""
    t = table(
        {
            "Respondent #": ["1", "2", "3", "4", "5", "6", label],
            "Score": ["1", "2", "3", "4", "5", "1", "3.0" if label == "平均" else "16"],
            "Comment": ["ok", "", "slow", "", "fine", "", ""],
        }
    )
    plan = plan_import(t, {"Respondent #": "response_id", "Score": "csat", "Comment": "comment"})
    assert plan.columns[1].scale == (1, 5)
    preview = preview_import(t, {"Respondent #": "response_id", "Score": "csat", "Comment": "comment"})
    assert preview.rows_valid == 6
    assert [(r.row, r.column) for r in preview.rejected] == [(8, "Respondent #")]


def test_answers_saying_nothing_to_add_are_not_comments() -> None:
    """特になし, No, Nothing else. are no comments (VADER scores "No" negative): not stored, counted in one warning;
    a row with only such an answer and no score has nothing to measure."""
    t = table(
        {
            "ID": ["A1", "A2", "A3", "A4", "A5", "A6"],
            "NPS": ["9", "3", "7", "", "8", "10"],
            "ご意見": [
                "特になし",
                "No",
                "配送が遅い",
                "特にありません。",
                "Nothing else.",
                "No, the app crashed twice",
            ],
        }
    )
    preview = preview_import(t, {"ID": "response_id", "NPS": "nps", "ご意見": "comment"})
    assert preview.rows_valid == 5 and preview.comments == 2
    assert [(r.row, r.reason) for r in preview.rejected] == [(5, NO_CONTENT)]
    assert "Column 'ご意見': 4 answers only say there is nothing to add" in " ".join(preview.warnings)
    valid, _ = run(t, {"ID": "response_id", "NPS": "nps", "ご意見": "comment"})
    assert valid.comments["text"].tolist() == ["配送が遅い", "No, the app crashed twice"]


def test_a_comment_that_says_total_is_a_response() -> None:
    t = table({"ID": ["A1", "Total", "A3"], "NPS": ["9", "7", "3"], "Comment": ["", "Total disaster", "ok"]})
    assert preview_import(t, {"ID": "response_id", "NPS": "nps", "Comment": "comment"}).rows_valid == 3
    t = table({"ID": ["A1", "Total", "A3"], "NPS": ["9", "7", "3"], "Comment": ["", "ok", ""]})
    assert preview_import(t, {"ID": "response_id", "NPS": "nps", "Comment": "comment"}).rows_valid == 3
