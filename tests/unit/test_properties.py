"""Property-based tests (hypothesis) of the parser and the role suggester on generated cells and tables.

Invariants: parsing never raises and sorts every cell into exactly one of answer / missing / bad; numbers and dates
written in a supported layout read back as written; header keys are unique; every column gets exactly one valid
role; a validated chunk holds unique ids and only scores inside their scale, every other row being reported; and a
table written as CSV reads back cell for cell, and into a store answer for answer.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import math
from collections.abc import Iterator
from unittest import mock

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from cxdash.errors import InputRefused
from cxdash.ingest.headers import detect_layout, unique_keys
from cxdash.ingest.load import import_table
from cxdash.ingest.parse import (
    DATE_FORMAT_BY_KEY,
    DATE_FORMATS,
    NOT_ANSWERED,
    RATING_SCALES,
    _parse_family,
    infer_scale,
    parse_dates,
    parse_numbers,
    says_nothing,
)
from cxdash.ingest.read import read_table
from cxdash.ingest.suggest import suggest_with_reasons
from cxdash.ingest.table import RawTable
from cxdash.ingest.validate import plan_import, validate_chunk
from cxdash.roles import SINGLE_ROLES, parse_role
from cxdash.store.workspaces import get_or_create_workspace, open_store
from tests.stores import StoreFactory

# Bounded so the whole file runs in well under 30 s on one core; derandomized so CI sees the same examples each run.
BOUNDED = settings(max_examples=100, deadline=5_000, derandomize=True, database=None)
SMALL = settings(max_examples=30, deadline=10_000, derandomize=True, database=None)

# Text a person could type into a survey export: any printable character (no NUL or other C0 controls, no surrogates).
TYPED = st.characters(blacklist_categories=("Cs", "Cc"))
CELL = st.text(TYPED, max_size=30)
RAW = st.one_of(
    st.none(),
    CELL,
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.sampled_from(["10 - Extremely likely", "１０", "N/A", "該当なし", " 7 ", "5点", "0x10", "1e309", "-0"]),
)


def column(values: list[object]) -> pd.Series:
    return pd.Series(values, dtype=object)


# ------------------------------------------------------------------------------------------------- numbers


@BOUNDED
@given(st.lists(RAW, max_size=40))
def test_numbers_every_cell_is_an_answer_missing_or_bad(values: list[object]) -> None:
    parsed = parse_numbers(column(values))
    answered = parsed.value.notna()
    assert ((answered.astype(int) + parsed.missing.astype(int) + parsed.bad.astype(int)) == 1).all()
    assert not parsed.value[answered].map(lambda v: isinstance(v, float) and math.isnan(v)).any()


@BOUNDED
@given(st.lists(st.integers(-1000, 1000), min_size=1, max_size=30), st.sampled_from(["plain", "wide", "label", "pad"]))
def test_numbers_read_back_as_written(numbers: list[int], style: str) -> None:
    wide = str.maketrans("0123456789-", "０１２３４５６７８９－")
    written = {
        "plain": [str(n) for n in numbers],
        "wide": [str(n).translate(wide) for n in numbers],
        "label": [f"{n} - Extremely likely" for n in numbers],
        "pad": [f"  {n}.0 " for n in numbers],
    }[style]
    for values in (column(written), pd.Series(written, dtype="str")):  # Excel cells (object) and CSV cells (str)
        parsed = parse_numbers(values)
        assert parsed.value.tolist() == [float(n) for n in numbers]
        assert not parsed.bad.any() and not parsed.missing.any()


@BOUNDED
@given(st.lists(st.sampled_from(sorted(NOT_ANSWERED)), min_size=1, max_size=10))
def test_not_answered_markers_are_missing_not_bad(markers: list[str]) -> None:
    parsed = parse_numbers(column([m.upper() if m.isascii() else m for m in markers]))
    assert parsed.missing.all() and not parsed.bad.any()


@BOUNDED
@given(st.lists(st.one_of(st.integers(0, 12), st.floats(-5, 15), st.none()), max_size=40))
def test_inferred_scale_is_a_candidate_and_holds_most_answers(values: list[float | None]) -> None:
    numbers = pd.Series(values, dtype=float)
    scale, zero_code = infer_scale(numbers, RATING_SCALES, (1, 5))
    assert scale in RATING_SCALES
    if zero_code:
        assert scale[0] == 1 and (numbers == 0).any()


# --------------------------------------------------------------------------------------------------- dates


DATES = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2199, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
LAYOUTS = {
    "iso": lambda d: d.strftime("%Y-%m-%dT%H:%M:00"),
    "ymd": lambda d: d.strftime("%Y/%m/%d %H:%M"),
    "ja": lambda d: f"{d.year}年{d.month}月{d.day}日 {d.hour}:{d.minute:02d}",
    "mdy": lambda d: d.strftime("%m/%d/%Y %H:%M"),
    "dmy": lambda d: d.strftime("%d/%m/%Y %H:%M"),
}


@BOUNDED
@given(st.lists(RAW, max_size=30), st.sampled_from([None, *DATE_FORMAT_BY_KEY.values()]))
def test_dates_never_raise_and_every_cell_is_a_date_missing_or_bad(values: list[object], fmt: object) -> None:
    parsed = parse_dates(column(values), fmt)  # type: ignore[arg-type]
    answered = parsed.value.notna()
    assert ((answered.astype(int) + parsed.missing.astype(int) + parsed.bad.astype(int)) == 1).all()
    inside = parsed.value[answered]
    assert ((inside >= pd.Timestamp("1900-01-01")) & (inside < pd.Timestamp("2200-01-01"))).all()
    if parsed.outside is not None:
        assert not (parsed.outside & ~parsed.bad).any()


@BOUNDED
@given(st.lists(DATES, min_size=1, max_size=20), st.sampled_from(sorted(LAYOUTS)))
def test_dates_read_back_in_their_layout(dates: list[dt.datetime], layout: str) -> None:
    written = [LAYOUTS[layout](d) for d in dates]
    parsed = parse_dates(pd.Series(written, dtype="str"), DATE_FORMAT_BY_KEY[layout])
    assert parsed.value.tolist() == [pd.Timestamp(d) for d in dates]
    assert not parsed.bad.any()


@BOUNDED
@given(st.lists(DATES, min_size=1, max_size=20), st.sampled_from(["iso", "ymd", "ja"]), st.sampled_from(["mdy", "dmy"]))
def test_year_first_dates_are_read_whatever_the_column_layout(
    dates: list[dt.datetime], layout: str, column_layout: str
) -> None:
    written = [LAYOUTS[layout](d) for d in dates]
    parsed = parse_dates(pd.Series(written, dtype="str"), DATE_FORMAT_BY_KEY[column_layout])
    assert parsed.value.tolist() == [pd.Timestamp(d) for d in dates]


# a date cell as typed or damaged: the layouts' digits and separators in any order, or a real date re-punctuated
DATE_LIKE = st.one_of(
    st.text(st.sampled_from("0123456789/-.: T年月日時分"), max_size=22),
    st.builds(
        lambda d, layout, old, new: d.strftime(layout).replace(old, new),
        DATES,
        st.sampled_from(sorted({p for f in DATE_FORMATS for p in f.patterns if p != "ISO8601"} | {"%Y-%m-%d"})),
        st.sampled_from(["/", "-", ".", " ", ":", "x"]),
        st.sampled_from(["/", "-", ".", "  ", "", "年"]),
    ),
)


@BOUNDED
@given(st.lists(DATE_LIKE, min_size=1, max_size=30))
def test_a_date_layout_is_only_tried_on_cells_with_its_separators_and_that_changes_nothing(cells: list[str]) -> None:
    text = pd.Series(cells, dtype="str")
    for fmt in DATE_FORMATS:
        filtered = _parse_family(text, fmt)
        with mock.patch("cxdash.ingest.parse._separators", return_value=()):
            every_cell = _parse_family(text, fmt)
        assert filtered[0].equals(every_cell[0]) and filtered[1].equals(every_cell[1]), fmt.key


@BOUNDED
@given(st.lists(st.datetimes(min_value=dt.datetime(2200, 1, 1)), min_size=1, max_size=10))
def test_implausible_years_are_reported_not_crashing(dates: list[dt.datetime]) -> None:
    parsed = parse_dates(pd.Series([d.strftime("%Y-%m-%d") for d in dates], dtype="str"), None)
    assert parsed.bad.all() and parsed.outside is not None and parsed.outside.all()


# ------------------------------------------------------------------------------------------------- headers


@BOUNDED
@given(st.lists(CELL, max_size=40))
def test_header_keys_are_unique_nonblank_and_one_per_cell(names: list[str]) -> None:
    keys = unique_keys(names)
    assert len(keys) == len(names) and len(set(keys)) == len(keys)
    assert all(k.strip() for k in keys)


@BOUNDED
@given(st.lists(st.lists(CELL, max_size=12), min_size=1, max_size=3))
def test_header_layout_covers_every_column(rows: list[list[str]]) -> None:
    layout = detect_layout(rows)
    width = max(len(r) for r in rows)
    assert len(layout.columns) == width and len(set(layout.columns)) == width
    assert 1 <= layout.header_rows <= 3
    assert set(layout.questions) <= set(layout.columns)


# ------------------------------------------------------------------------------------------- the suggester


@st.composite
def tables(draw: st.DrawFn, min_rows: int = 0) -> pd.DataFrame:
    """A survey-like table: named columns (English/Japanese/random), each of one kind of values."""
    n = draw(st.integers(min_rows, 25))
    name = st.one_of(
        st.sampled_from(["ResponseID", "NPS", "How likely are you to recommend us?", "推奨度", "満足度", "Comment",
                         "ご意見", "Date", "回答日時", "Plan", "地域", "Email", "Delivery rating", "CES", "Q1", ""]),
        CELL,
    )  # fmt: skip
    kinds = st.sampled_from(["score", "text", "category", "date", "id", "empty", "any"])
    width = draw(st.integers(1, 8))
    frame = {}
    for i in range(width):
        kind = draw(kinds)
        values: st.SearchStrategy[object] = {
            "score": st.one_of(st.integers(0, 10).map(str), st.just("")),
            "text": st.text(TYPED, min_size=0, max_size=60),
            "category": st.sampled_from(["A", "B", "東京", "大阪", ""]),
            "date": DATES.map(lambda d: d.strftime("%Y-%m-%d")),
            "id": st.uuids().map(str),
            "empty": st.just(""),
            "any": RAW,
        }[kind]
        frame[f"{draw(name)}\u0000{i}"] = draw(st.lists(values, min_size=n, max_size=n))
    df = pd.DataFrame(frame)
    df.columns = unique_keys([c.split("\u0000")[0] for c in df.columns])
    return df


@settings(BOUNDED, max_examples=60)
@given(tables())
def test_every_column_gets_exactly_one_valid_role(frame: pd.DataFrame) -> None:
    table = RawTable.from_frame(frame)
    suggested = suggest_with_reasons(table)
    assert list(suggested) == table.columns
    roles = [parse_role(role) for role, _ in suggested.values()]
    assert all(isinstance(why, str) and why for _, why in suggested.values())
    single = [r.kind for r in roles if r.kind in SINGLE_ROLES and r.name is None]
    assert len(single) == len(set(single)), single
    with contextlib.suppress(InputRefused):  # nothing to measure: refused with a message, never another error
        plan_import(table, {c: r for c, (r, _) in suggested.items()})


@st.composite
def surveys(draw: st.DrawFn) -> tuple[pd.DataFrame, dict[str, str]]:
    """A table with an id (some repeated), a score column of any text, a comment and a date, and its mapping."""
    n = draw(st.integers(1, 30))
    ids = draw(st.lists(st.sampled_from([f"r{i}" for i in range(12)] + [""]), min_size=n, max_size=n))
    score = st.one_of(st.integers(-3, 14).map(str), st.sampled_from(["", "N/A", "x", "5.5", "inf", "１０"]), CELL)
    frame = pd.DataFrame(
        {
            "id": ids,
            "score": draw(st.lists(score, min_size=n, max_size=n)),
            "comment": draw(st.lists(st.text(TYPED, max_size=20), min_size=n, max_size=n)),
            "when": draw(st.lists(st.one_of(DATES.map(str), CELL), min_size=n, max_size=n)),
        }
    )
    kind = draw(st.sampled_from(["nps", "csat", "ces", "rating:Delivery"]))
    return frame, {"id": "response_id", "score": kind, "comment": "comment", "when": "date"}


@SMALL
@given(surveys())
def test_validated_rows_hold_unique_ids_and_scores_in_scale_and_the_rest_is_reported(
    survey: tuple[pd.DataFrame, dict[str, str]],
) -> None:
    frame, mapping = survey
    table = RawTable.from_frame(frame)
    plan = plan_import(table, mapping)
    chunk = next(table.chunks())
    valid, rejected = validate_chunk(chunk, plan, set())
    ids = valid.responses["external_id"].dropna()
    assert ids.is_unique
    lo, hi = plan.columns[1].scale or (0, 10)
    scores = valid.ratings["score"] if mapping["score"].startswith("rating") else valid.responses[mapping["score"]]
    assert scores.dropna().between(lo, hi).all()
    blank = chunk.map(lambda v: v is None or not str(v).strip()).all(axis=1)
    accepted, reported = set(valid.responses.index), {r.row for r in rejected}
    assert not accepted & reported
    assert accepted | reported | set(chunk.index[blank]) == set(chunk.index)  # every row is accounted for
    assert all(r.reason for r in rejected) and all(r.row in chunk.index for r in rejected)


# ------------------------------------------------------------------------------------------------ round trips


def csv_bytes(frame: pd.DataFrame, encoding: str, newline: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(frame.columns)
    writer.writerows(frame.itertuples(index=False))
    return buffer.getvalue().encode(encoding)


HEADER = st.text(st.characters(min_codepoint=0x41, max_codepoint=0x5A), min_size=1, max_size=8)  # A–Z names
TEXT_CELL = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff"),
                    max_size=25)  # fmt: skip


@SMALL
@given(
    st.lists(HEADER, min_size=2, max_size=6, unique=True),
    st.data(),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    st.sampled_from(["\r\n", "\n"]),
)
def test_csv_written_reads_back_cell_for_cell(
    header: list[str], data: st.DataObject, encoding: str, newline: str
) -> None:
    n = data.draw(st.integers(1, 20))
    cells = {h: data.draw(st.lists(TEXT_CELL, min_size=n, max_size=n)) for h in header}
    frame = pd.DataFrame(cells)
    assume(frame.map(lambda v: bool(v.strip())).any(axis=1).all())  # wholly blank rows are skipped by design
    table = read_table(csv_bytes(frame, encoding, newline), "generated.csv")
    assert table.columns == header
    got = pd.concat(list(table.chunks(7)))
    want = [[v if v.strip() else None for v in row] for row in frame.itertuples(index=False)]  # cells kept as typed
    assert got.astype(object).where(got.notna(), None).to_numpy().tolist() == want
    assert list(got.index) == list(range(2, n + 2))


@pytest.fixture(scope="module")
def store(store_factory: StoreFactory) -> Iterator[Engine]:
    url = store_factory.new("properties")  # a SQLite file, or a PostgreSQL database under .ci/run
    engine = open_store(url)
    yield engine
    engine.dispose()
    store_factory.drop(url)


@settings(SMALL, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.integers(0, 10),
            st.text(TYPED, min_size=1, max_size=40).filter(
                lambda c: c.strip().lower() not in NOT_ANSWERED and not says_nothing(c.strip())
            ),  # a comment: not blank, not "nothing to add"
        ),
        min_size=1,
        max_size=20,
    )
)
def test_what_is_written_is_what_the_file_said(store: Engine, answers: list[tuple[int, str]]) -> None:
    frame = pd.DataFrame(
        {"id": [f"r{i}" for i in range(len(answers))], "nps": [a for a, _ in answers], "why": [c for _, c in answers]}
    )
    content = csv_bytes(frame.astype(str), "utf-8", "\r\n")
    table = read_table(content, "answers.csv")
    workspace = get_or_create_workspace(store, f"ws {abs(hash(content))}").id
    assert workspace is not None
    mapping = {"id": "response_id", "nps": "nps", "why": "comment"}
    result = import_table(store, workspace, table, mapping, keep_personal_data=True)
    assert result.status in ("imported", "unchanged") and result.rejected_rows == []
    with store.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.external_id, r.nps, c.text FROM response r JOIN comment c ON c.response_id = r.id "
                "WHERE r.workspace_id = :ws ORDER BY r.source_row"
            ),
            {"ws": workspace},
        ).all()
    assert [tuple(r) for r in rows] == [(f"r{i}", a, c.strip()) for i, (a, c) in enumerate(answers)]
