"""Vectorised parsing of raw cells: "not answered" markers, scores (labels, full-width digits), dates and scales.

Cells arrive raw (``str``/``None`` from CSV; ``int``/``float``/``datetime``/``str``/``None`` from Excel). Every
function here works on a whole column of a chunk at once and never raises on bad data: it returns masks that the
validator turns into rejections.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from cxdash.i18n import t

# Answers that mean "no answer": read as missing, never as an error (compared trimmed and lower-cased).
NOT_ANSWERED = frozenset(
    {
        "",
        "n/a",
        "na",
        "n.a.",
        "-",
        "--",
        "—",
        "null",
        "none",
        "該当なし",
        "わからない",
        "分からない",
        "don't know",
        "don’t know",
        "dont know",
        "not applicable",
        "offered",  # Zendesk's satisfaction score: a survey sent and not answered,
        "unoffered",  # or never sent
    }
)
_MARKER_LENGTH = max(map(len, NOT_ANSWERED))


def is_not_answered_text(cell: str) -> bool:
    """Whether one text cell is blank or a "not answered" marker (N/A, わからない, Zendesk's Unoffered)."""
    text = cell.strip()
    return not text or (len(text) <= _MARKER_LENGTH and text.lower() in NOT_ANSWERED)


# Answers to an open question that say there is nothing to add: not comments (a CX team reads what customers said;
# VADER scores "No" and "No comment" negative). Compared NFKC-folded, lower-cased, without trailing punctuation.
_NO_COMMENT_BASES = (
    "no", "nope", "nah", "nothing", "nothing else", "nothing more", "nothing to add", "nothing to say",
    "nothing really", "nothing at this time", "nothing at the moment", "not really", "not at this time",
    "no comment", "no comments", "no comments at this time", "no further comments", "no other comments",
    "no thanks", "no thank you", "no, thanks", "no, thank you", "none", "none at this time", "none really", "nil",
    "n/a", "na", "-", "--", "—", "...", "…", "特になし", "特に無し", "特にない", "特に無い", "特にありません",
    "特にございません", "特にありませんでした", "特にはありません", "特にはない", "特になかった", "特に何もない",
    "特に何もありません", "特記事項なし", "とくになし", "とくにない", "とくにありません", "なし", "無し",
    "ない", "無い", "ありません", "ございません", "ありませんでした", "なにもない", "何もない", "何もありません",
    "なにもありません", "特に",
)  # fmt: skip
NO_COMMENT = frozenset(
    variant
    for base in _NO_COMMENT_BASES
    for variant in (base, base + "です", base + "でした", base + "です、ありがとうございました")
)
_NO_COMMENT_LENGTH = max(map(len, NO_COMMENT)) + 3  # a longer text says something (trailing marks aside)
_NO_COMMENT_TRAIL = " \t\u3000。．.、,!！?？~〜ー…"
_NO_COMMENT_FIRST = frozenset(base[0] for base in NO_COMMENT)  # an id, a date or a word: most values fail at once


def says_nothing(text: str) -> bool:
    """Whether an answer to an open question only says there is nothing to add (特になし, No, Nothing else.)."""
    if len(text) > _NO_COMMENT_LENGTH:
        return False
    first = text.lstrip()[:1]
    if first.lower() not in _NO_COMMENT_FIRST and unicodedata.normalize("NFKC", first).lower() not in _NO_COMMENT_FIRST:
        return False
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    return folded in NO_COMMENT or folded.rstrip(_NO_COMMENT_TRAIL) in NO_COMMENT


def without_no_comment(texts: pd.Series) -> tuple[pd.Series, int]:
    """Cleaned comment texts (``clean_text``) with the answers that say nothing (``says_nothing``) as None, and their
    count."""
    limit = _NO_COMMENT_LENGTH  # asked here too: most comments are longer, and then no call is made
    hits = [
        i for i, v in enumerate(texts.to_numpy(dtype=object)) if v is not None and len(v) <= limit and says_nothing(v)
    ]
    if not hits:
        return texts, 0
    out = texts.copy()
    out.iloc[hits] = None
    return out, len(hits)


#: a rating drawn in stars (★★★☆☆, ★★★★): the number of black stars
STARS = re.compile(r"[★☆]{1,10}")

# A leading number followed by the end or by a label: "10 - Extremely likely", "0 (Not at all likely)", "5点".
_LEADING_NUMBER = r"^([+-]?\d+(?:\.\d+)?)(?:\s*$|\s*[^\d.,\s]|\s+\S)"

# Words followed by their number in brackets: "Very satisfied (5)", "満足(5)" (after NFKC: ASCII brackets).
_TRAILING_NUMBER = r"^\D*?\S\s*\(\s*([+-]?\d+(?:\.\d+)?)\s*\)$"

# A cell that is a plain decimal number (ASCII digits): parsed as it is, no marker/NFKC/label handling needed.
_PLAIN_NUMBER = r"[+-]?[0-9]+(?:\.[0-9]+)?"
_PLAIN_CELL = re.compile(_PLAIN_NUMBER)

# Columns of text cells (CSV) with at most this share of distinct values are parsed once per distinct value.
DISTINCT_SHARE = 0.5
DISTINCT_MIN_ROWS = 64
# A long column whose first this many cells are mostly distinct (comments) is not factorised whole to find that out.
DISTINCT_PROBE = 1_000

# Standard scales, smallest first; a score column's scale is the first that holds enough of its values.
RATING_SCALES: tuple[tuple[int, int], ...] = ((1, 5), (1, 7), (1, 10), (0, 10))
CSAT_SCALES: tuple[tuple[int, int], ...] = ((1, 5), (1, 7), (1, 10), (0, 10))
CES_SCALES: tuple[tuple[int, int], ...] = ((1, 5), (1, 7), (1, 10), (0, 10))  # 1–5: Gartner's first CES
NPS_SCALE = (0, 10)
SCALE_SHARE = 0.95
# Largest 1–x scale on which a 0 is read as a "not rated" code rather than as a genuine score.
MAX_SCALE_WITH_ZERO_CODE = 7


@dataclass(frozen=True)
class ParsedNumbers:
    """A score column parsed: ``value`` (float, NaN where missing or bad), ``missing`` and ``bad`` masks."""

    value: pd.Series
    missing: pd.Series
    bad: pd.Series


@dataclass(frozen=True)
class ParsedDates:
    """A date column parsed: ``value`` (naive UTC datetime64, NaT where missing or bad), ``missing`` and ``bad``.

    ``outside`` marks the bad cells that are dates, but outside the years a response can have (DATE_RANGE).
    """

    value: pd.Series
    missing: pd.Series
    bad: pd.Series
    outside: pd.Series | None = None


@dataclass(frozen=True)
class DateFormat:
    """A family of date layouts tried in order; ``key`` names it in plans, ``example`` in messages."""

    key: str
    patterns: tuple[str, ...]
    example: str
    as_written: bool = False  # ISO times keep their clock time: a UTC offset is dropped, not applied


DATE_FORMATS: tuple[DateFormat, ...] = (
    DateFormat("iso", ("ISO8601", "%Y-%m-%d %I:%M:%S %p", "%Y-%m-%d %I:%M %p"), "2024-01-31 or 2024-01-31T14:05:00"),
    DateFormat(
        "ymd",
        (
            "%Y/%m/%d %H:%M:%S",
            "%Y/%m/%d %H:%M",
            "%Y/%m/%d",
            "%Y.%m.%d",
            "%Y/%m/%d %I:%M:%S %p",
            "%Y/%m/%d %I:%M %p",
            "%Y%m%d",
        ),  # fmt: skip
        "2024/01/31 14:05:00",
    ),
    DateFormat(
        "ja",
        ("%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日 %H時%M分", "%Y年%m月%d日"),
        "2024年1月31日",
    ),
    DateFormat(  # month names: "01 Apr 2024", "April 1, 2024", Excel's "1-Apr-24", e-mail's "Mon, 01 Apr 2024 10:00"
        "named",
        (
            "%d %b %Y",
            "%d %B %Y",
            "%b %d, %Y",
            "%B %d, %Y",
            "%d-%b-%y",
            "%d-%b-%Y",
            "%d %b %Y %H:%M:%S",
            "%d %b %Y %H:%M",
            "%b %d, %Y %I:%M %p",
            "%B %d, %Y %I:%M %p",
            "%b %d, %Y %H:%M",
        ),
        "31 Jan 2024",
    ),
    DateFormat(
        "mdy",
        (
            "%m/%d/%Y %H:%M:%S",
            "%m/%d/%Y %H:%M",
            "%m/%d/%Y",
            "%m/%d/%y %H:%M:%S",  # Microsoft Forms: 4/1/24 10:05:33
            "%m/%d/%y %H:%M",
            "%m/%d/%y",
            "%m/%d/%Y %I:%M:%S %p",
            "%m/%d/%Y %I:%M %p",  # SurveyMonkey: 03/01/2024 10:01:00 AM
        ),
        "01/31/2024 (month/day/year)",
    ),
    DateFormat(
        "dmy",
        (
            "%d/%m/%Y %H:%M:%S",
            "%d/%m/%Y %H:%M",
            "%d/%m/%Y",
            "%d.%m.%Y",
            "%d.%m.%Y %H:%M:%S",  # German and Russian Excel: 01.04.2024 14:00
            "%d.%m.%Y %H:%M",
            "%d-%m-%Y",
            "%d/%m/%y %H:%M:%S",
            "%d/%m/%y %H:%M",
            "%d/%m/%y",
            "%d/%m/%Y %I:%M:%S %p",
            "%d/%m/%Y %I:%M %p",
        ),
        "31/01/2024 (day/month/year)",
    ),
    DateFormat("excel", (), "an Excel date or date serial number"),
)
#: ISO times with a UTC offset (2024-05-01T08:30:00+09:00), read as written: the offset is dropped, not applied, so a
#: Japanese team's 8:30 answer stays on the 1st, as the same time from an Excel sheet (no offset) would
ISO_AS_WRITTEN = DateFormat("iso_as_written", ("ISO8601",), "2024-01-31T14:05:00+09:00", as_written=True)
DATE_FORMAT_BY_KEY = {f.key: f for f in (*DATE_FORMATS, ISO_AS_WRITTEN)}
_OFFSET = re.compile(r"(?<=\d)\s*(?:[+-]\d{2}:?\d{2})$")  # +09:00, -0500: a column with one is ISO_AS_WRITTEN
_OFFSET_OR_Z = re.compile(r"(?<=\d)\s*(?:[+-]\d{2}:?\d{2}|Z)$")  # what ISO_AS_WRITTEN drops (Z too: all naive)
_ZONE_NAME = re.compile(r"\s+(?:UTC|GMT|JST|Z)$")  # BigQuery's "2024-04-01 14:00:00 UTC", … JST
# Layouts that start with a four-digit year or name the month cannot be misread, so a cell in one of them is read
# whatever the column's layout is (a file mixing 2024-03-01 and 2024年3月5日); day/month vs month/day follow the
# column's layout.
UNAMBIGUOUS = ("iso", "ymd", "ja", "named")
# Response dates outside these years are typing errors (2924 for 2024), not survey answers.
DATE_RANGE = (pd.Timestamp("1900-01-01"), pd.Timestamp("2200-01-01"))
# Excel serial day numbers that are plausible survey dates (1954-10-14 … 2119-01-04).
_EXCEL_SERIAL_RANGE = (20_000, 80_000)
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
#: a text cell that may be an Excel serial day number (a CSV saved from a sheet whose dates were not formatted)
SERIAL_TEXT = re.compile(r"^\d{5}(?:\.\d+)?$")


_COMPACT_DATE = re.compile(r"^(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$")  # 20240301


#: a text cell that may be a Unix time: seconds (10 digits, 2001–2286) or milliseconds (13 digits)
EPOCH_TEXT = re.compile(r"^\d{10}(?:\d{3})?$")


def is_epoch_time(text: str) -> bool:
    """Whether a text is a Unix time in seconds or milliseconds (1711929600, 1711929600000)."""
    return bool(EPOCH_TEXT.match(text))


def _epoch_times(text: pd.Series) -> pd.Series:
    """Unix times (seconds or milliseconds, by their length) as naive UTC datetimes."""
    seconds = text.astype("int64") / np.where(text.str.len() == 13, 1000, 1)
    return pd.Series(pd.to_datetime(seconds, unit="s"), index=text.index).astype("datetime64[ns]")


def is_compact_date(text: str) -> bool:
    """Whether a text is a date written as yyyymmdd (20240301), as systems export dates."""
    return bool(_COMPACT_DATE.match(text))


def is_excel_serial(value: float) -> bool:
    """Whether a number is a plausible Excel serial day number of a survey date (see _EXCEL_SERIAL_RANGE)."""
    lo, hi = _EXCEL_SERIAL_RANGE
    return lo <= value <= hi


def _distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series] | None:
    """Codes and distinct values of a column of text cells (CSV) that repeats enough to be parsed once per distinct
    value; None for other columns (Excel's numbers and booleans are not grouped: 1 == 1.0 == True). Code -1 marks a
    missing cell."""
    if len(values) < DISTINCT_MIN_ROWS or not pd.api.types.is_string_dtype(values.dtype):
        return None
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) != "string":
        return None
    if len(values) >= 4 * DISTINCT_PROBE:  # the head says whether a column repeats (a 40k chunk's comments: 30 ms)
        head = values.iloc[:DISTINCT_PROBE]
        if len(pd.unique(head.dropna())) > DISTINCT_SHARE * len(head):
            return None
    codes, uniques = pd.factorize(values)
    if len(uniques) > DISTINCT_SHARE * len(values):
        return None
    return codes, pd.Series(uniques)


def _spread(per_distinct: pd.Series, codes: np.ndarray, index: pd.Index, missing: object) -> pd.Series:
    """Results computed per distinct value spread back over the cells (``missing`` where the cell is missing)."""
    values = per_distinct.to_numpy()
    table = np.append(values, np.array([missing], dtype=values.dtype))  # code -1 picks the appended value
    return pd.Series(table[codes], index=index)


def is_not_answered(values: pd.Series) -> pd.Series:
    """True where a cell is empty, NaN or a "not answered" marker (N/A, -, 該当なし, Don't know …)."""
    found = _distinct(values)
    if found is not None:
        codes, uniques = found
        return _spread(is_not_answered(uniques), codes, values.index, True)
    cells = _str_cells(values)
    if cells is not None:  # each cell a str or None (CSV): in Python, without a round trip through Arrow strings
        not_answered = NOT_ANSWERED
        return pd.Series(
            [c is None or c.strip().lower() in not_answered for c in cells], index=values.index, dtype=bool
        )
    null = values.isna()
    text = values[~null].astype(str).str.strip().str.lower()
    marker = pd.Series(False, index=values.index)
    marker[text.index] = text.isin(NOT_ANSWERED)
    return null | marker


def _str_cells(values: pd.Series) -> list[Any] | None:
    """The cells as a list when each is a str or None (a CSV column), else None."""
    if values.dtype != object:
        return None
    cells = values.tolist()
    if all(c is None or type(c) is str for c in cells):
        return cells
    return None


def _text_cells(values: pd.Series) -> pd.Series:
    """True where a cell is a string (vectorised where the column is uniform)."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("string", "empty"):
        return values.notna()
    if kind in ("integer", "floating", "mixed-integer-float", "decimal", "datetime", "datetime64", "date"):
        return pd.Series(False, index=values.index)
    return values.map(lambda v: isinstance(v, str)).astype(bool)


def parse_numbers(values: pd.Series) -> ParsedNumbers:
    """Numbers from raw cells: plain numbers, full-width digits (１０), labelled answers ("10 - Extremely likely")."""
    found = _distinct(values)
    if found is not None:  # a score column holds a handful of distinct answers: each is parsed once
        codes, uniques = found
        once = parse_numbers(uniques)
        return ParsedNumbers(
            _spread(once.value, codes, values.index, np.nan),
            _spread(once.missing, codes, values.index, True),
            _spread(once.bad, codes, values.index, False),
        )
    if values.dtype == object and all(type(v) is str and _PLAIN_CELL.fullmatch(v) for v in values):
        # every cell a plain number (a CSV score column's distinct answers): as the fast path below, in Python
        none = pd.Series(False, index=values.index)
        return ParsedNumbers(pd.Series([float(v) for v in values], index=values.index, dtype=float), none, none.copy())
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        # Fast path for text columns (CSV): cells that are plain numbers need no marker check, NFKC or label
        # parsing (none of those changes a plain number); only the cells that are not go the full way.
        plain = values.str.fullmatch(_PLAIN_NUMBER).fillna(False).astype(bool)
        direct = pd.Series(np.nan, index=values.index, dtype=float)
        direct[plain] = values[plain].astype(float)
        if plain.all():
            none = pd.Series(False, index=values.index)
            return ParsedNumbers(direct, none, none.copy())
        rest = _parse_numbers(values[~plain])
        number = direct.copy()
        number[rest.value.index] = rest.value
        missing = pd.Series(False, index=values.index)
        missing[rest.missing.index] = rest.missing
        bad = pd.Series(False, index=values.index)
        bad[rest.bad.index] = rest.bad
        return ParsedNumbers(number, missing, bad)
    return _parse_numbers(values)


def _parse_numbers(values: pd.Series) -> ParsedNumbers:
    """parse_numbers, every cell the full way (markers, Excel types, NFKC, labels)."""
    missing = is_not_answered(values)
    present = values[~missing]
    is_text = _text_cells(present)
    number = pd.Series(np.nan, index=values.index, dtype=float)
    plain = present[~is_text]
    if len(plain):
        bools = plain.map(lambda v: isinstance(v, bool | np.bool_)).astype(bool)
        number[plain.index] = pd.to_numeric(plain.where(~bools), errors="coerce").astype(float)
    text = present[is_text].astype(str).str.normalize("NFKC").str.strip()
    if len(text):
        direct = pd.to_numeric(text, errors="coerce")
        rest = text[direct.isna()]
        if len(rest):
            direct[rest.index] = pd.to_numeric(rest.str.extract(_LEADING_NUMBER, expand=False), errors="coerce")
            rest = text[direct.isna()]
            if len(rest):  # the number after the words: "Very satisfied (5)", "満足（5）"
                direct[rest.index] = pd.to_numeric(rest.str.extract(_TRAILING_NUMBER, expand=False), errors="coerce")
                rest = text[direct.isna()]
                if len(rest):  # stars drawn: ★★★☆☆ is 3
                    stars = rest[rest.str.fullmatch(STARS.pattern)]
                    direct[stars.index] = stars.str.count("★").astype(float)
        number[text.index] = direct.astype(float)
    bad = ~missing & number.isna()
    return ParsedNumbers(number, missing, bad)


def clean_text(values: pd.Series) -> pd.Series:
    """Cells as trimmed strings, None where missing or a "not answered" marker."""
    found = _distinct(values)
    if found is not None:
        codes, uniques = found
        cleaned = np.append(clean_text(uniques).to_numpy(dtype=object), np.array([None], dtype=object))  # code -1: None
        return pd.Series(cleaned[codes], index=values.index, dtype=object)
    cells = _str_cells(values)
    if cells is not None:  # each cell a str or None (CSV): in Python, without a round trip through Arrow strings
        not_answered = NOT_ANSWERED
        kept = [None if c is None or (s := c.strip()).lower() in not_answered else s for c in cells]
        return pd.Series(kept, index=values.index, dtype=object)
    missing = is_not_answered(values).to_numpy()
    out = np.full(len(values), None, dtype=object)  # None where missing, whichever way the cells came
    out[~missing] = values[~missing].astype(str).str.strip().to_numpy(dtype=object)
    return pd.Series(out, index=values.index, dtype=object)


def infer_scale(
    numbers: pd.Series, candidates: tuple[tuple[int, int], ...], default: tuple[int, int]
) -> tuple[tuple[int, int], bool]:
    """The smallest candidate scale holding ≥ 95% of ``numbers``, and whether 0 is a "not rated" code on it.

    A 0 is read as "not rated" on a 1–x scale (x ≤ 7) when the non-zero values fit that scale; otherwise a
    column containing zeros gets a scale that contains 0.
    """
    values = numbers.dropna()
    if values.empty:
        return default, False
    zeros = bool((values == 0).any())
    nonzero = values[values != 0]
    best: tuple[float, tuple[int, int]] = (-1.0, candidates[-1])
    for lo, hi in candidates:
        if zeros and lo == 1:
            # a few zeros beside 1–x answers are "not rated" codes, however few they are
            if hi <= MAX_SCALE_WITH_ZERO_CODE and len(nonzero) and nonzero.between(lo, hi).mean() >= SCALE_SHARE:
                return (lo, hi), True
            continue
        share = float(values.between(lo, hi).mean())
        if share >= SCALE_SHARE:
            return (lo, hi), False
        best = max(best, (share, (lo, hi)))
    return best[1], False


def _in_range(parsed: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parsed datetimes (any unit) as datetime64[ns] within DATE_RANGE, and the mask of those outside it."""
    lo, hi = DATE_RANGE
    found = parsed.notna()
    inside = found & (parsed >= lo) & (parsed < hi)
    out = pd.Series(pd.NaT, index=parsed.index, dtype="datetime64[ns]")
    if inside.any():
        out[inside] = parsed[inside].astype("datetime64[ns]")
    return out, found & ~inside


@lru_cache(maxsize=64)
def _separators(pattern: str) -> tuple[str, ...]:
    """The characters a strptime layout matches literally (``/`` ``.`` ``年`` …; not spaces, which match any run of
    white space): a cell without one of them cannot match it."""
    return tuple(dict.fromkeys(c for c in re.sub(r"%.", "", pattern) if not c.isspace()))


def _parse_with(text: pd.Series, fmt: DateFormat) -> pd.Series:
    """Strings parsed by one date family (NaT where no pattern of the family matches or the year is implausible)."""
    return _parse_family(text, fmt)[0]


def _parse_family(text: pd.Series, fmt: DateFormat) -> tuple[pd.Series, pd.Series]:
    """Strings parsed by one date family, and the mask of cells that matched but lie outside DATE_RANGE."""
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    outside = pd.Series(False, index=text.index)
    todo = text
    for pattern in fmt.patterns:
        if todo.empty:
            break
        if pattern == "ISO8601" and fmt.as_written:
            parsed = pd.to_datetime(todo.str.replace(_OFFSET_OR_Z, "", regex=True), format="ISO8601", errors="coerce")
        elif pattern == "ISO8601":
            parsed = pd.to_datetime(todo, format="ISO8601", errors="coerce", utc=True).dt.tz_localize(None)
        else:  # only cells with the layout's separators can match it (strptime is slow to fail: 2 µs a cell)
            shaped = todo
            for separator in _separators(pattern):
                shaped = shaped[shaped.str.contains(separator, regex=False)]
            parsed = pd.to_datetime(shaped, format=pattern, errors="coerce").reindex(todo.index)
        values, far = _in_range(parsed)
        hit = values.notna()
        out[hit[hit].index] = values[hit]
        outside[far[far].index] = True
        todo = todo[~(hit | far)]
    return out, outside


# Japanese era dates (和暦), after NFKC (which turns ㋿ into 令和): 令和6年4月1日, 令和元年5月1日, 平成31年4月30日,
# R6.4.1, H31/04/30. The year before each era's first: 令和 1 is 2019.
_ERA_BEFORE = {"令和": 2018, "平成": 1988, "昭和": 1925, "大正": 1911, "R": 2018, "H": 1988, "S": 1925, "T": 1911}
ERA_DATE = re.compile(
    r"^(?P<era>令和|平成|昭和|大正)\s*(?P<n>\d{1,2}|元)\s*年"
    r"|^(?P<abbr>[RHST])\s*(?P<y>\d{1,2})(?P<sep>[./-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d)"
)
ERA_FIRST = ("令", "平", "昭", "大", "R", "H", "S", "T")


def _gregorian(match: re.Match[str]) -> str:
    if match["era"]:
        n = 1 if match["n"] == "元" else int(match["n"])
        return f"{_ERA_BEFORE[match['era']] + n}年"
    return f"{_ERA_BEFORE[match['abbr']] + int(match['y'])}/{match['m']}/{match['d']}"


# What Japanese and e-mail dates add around a layout: a weekday in brackets (2024/04/01(月), after NFKC), a weekday
# first ("Mon, 01 Apr 2024"), and 午前/午後 before a 12-hour time (2024/04/01 午後3:05).
_WEEKDAY = re.compile(
    r"\s*\(\s*(?:[月火水木金土日](?:曜日?)?|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?)\s*\)", re.IGNORECASE
)
_WEEKDAY_FIRST = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_JA_HALF_DAY = re.compile(r"(午前|午後)\s*(\d{1,2})(?=:)")


def _half_day(match: re.Match[str]) -> str:
    hour = int(match[2]) % 12 + (12 if match[1] == "午後" else 0)
    return f"{hour:02d}"


def rewrite_dates(text: pd.Series) -> pd.Series:
    """Cells as a date layout reads them: era years made Gregorian (``_gregorian_years``), weekdays and a time
    zone's name (UTC, JST) dropped, 午前/午後 hours on the 24-hour clock. Every other cell as it is."""
    out = _gregorian_years(text)
    out = out.str.replace(_WEEKDAY, "", regex=True).str.replace(_WEEKDAY_FIRST, "", regex=True)
    out = out.str.replace(_ZONE_NAME, "", regex=True)
    return out.str.replace(_JA_HALF_DAY, _half_day, regex=True)


def _gregorian_years(text: pd.Series) -> pd.Series:
    """Cells with a Japanese era date given the Gregorian year (令和6年4月1日 → 2024年4月1日, R6.4.1 → 2024/4/1);
    every other cell as it is."""
    era = text.str.startswith(ERA_FIRST).fillna(False).astype(bool)
    if not era.any():
        return text
    out = text.copy()
    out[era] = text[era].str.replace(ERA_DATE, _gregorian, regex=True)
    return out


def _excel_serials(numbers: pd.Series) -> pd.Series:
    """Excel serial day numbers as datetimes (NaT outside the plausible range)."""
    lo, hi = _EXCEL_SERIAL_RANGE
    ok = numbers.between(lo, hi)
    days = numbers.where(ok)
    return (_EXCEL_EPOCH + pd.to_timedelta(days, unit="D")).astype("datetime64[ns]")


def parse_dates(values: pd.Series, fmt: DateFormat | None) -> ParsedDates:
    """Datetimes from raw cells: datetime objects as they are, strings by ``fmt``, numbers as Excel serials."""
    missing = is_not_answered(values)
    present = values[~missing]
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    outside = pd.Series(False, index=values.index)
    is_text = _text_cells(present)
    text = present[is_text].astype(str).str.normalize("NFKC").str.strip()
    if len(text):
        chosen = fmt or DATE_FORMAT_BY_KEY["iso"]
        parsed, far = _parse_family(text, chosen)
        _read_unambiguous(text, parsed, far, chosen.key)
        todo = parsed.isna() & ~far
        if todo.any():  # era years, weekdays, 午後: looked for only where no layout read the cell as it is
            tidy = rewrite_dates(text[todo])
            tidy = tidy[tidy != text[todo]]
            if len(tidy):
                more, more_far = _parse_family(tidy, chosen)
                _read_unambiguous(tidy, more, more_far, chosen.key)
                parsed[tidy.index], far[tidy.index] = more, more_far
        unread = text[parsed.isna() & ~far]
        serial = unread[unread.str.fullmatch(SERIAL_TEXT.pattern)]
        if len(serial):  # 45352 in a CSV: a sheet's unformatted date
            parsed[serial.index] = _excel_serials(serial.astype(float))
        epoch = unread[unread.str.fullmatch(EPOCH_TEXT.pattern)]
        if len(epoch):  # 1711929600 (seconds) or 1711929600000 (milliseconds) since 1970, as APIs export times
            parsed[epoch.index] = _epoch_times(epoch)
        out[text.index] = parsed
        outside[text.index] = far & parsed.isna()
    other = present[~is_text]
    if len(other):
        numeric = pd.to_numeric(
            other.where(other.map(lambda v: isinstance(v, int | float)).astype(bool)), errors="coerce"
        )
        serial = _excel_serials(numeric.astype(float))
        stamps, far = _in_range(
            pd.to_datetime(other.where(numeric.isna()), errors="coerce", utc=True).dt.tz_localize(None)
        )
        out[other.index] = serial.fillna(stamps)
        outside[other.index] = far
    bad = ~missing & out.isna()
    return ParsedDates(out, missing, bad, outside & bad)


def _read_unambiguous(text: pd.Series, parsed: pd.Series, far: pd.Series, done: str | None) -> None:
    """Fill ``parsed`` (and ``far``) in place from the layouts that cannot be misread (a four-digit year first, or
    the month named), where still NaT; ``done``: the family tried already."""
    for key in UNAMBIGUOUS:
        todo = parsed.isna() & ~far
        if key == done or not todo.any():
            continue
        more, more_far = _parse_family(text[todo], DATE_FORMAT_BY_KEY[key])
        parsed[more.index] = parsed[more.index].fillna(more)
        far[more_far.index] |= more_far


def _family_counts(text: pd.Series) -> dict[str, int]:
    """How many cells each date family reads (stopping at one that reads them all, except month/day first)."""
    counts: dict[str, int] = {}
    for f in DATE_FORMATS:
        if f.patterns:
            counts[f.key] = int(_parse_with(text, f).notna().sum())
            if counts[f.key] == len(text) and f.key != "mdy":  # no later family can do better (ties: earlier wins)
                break  # (a perfect m/d/y still needs d/m/y's count, for the ambiguity warning)
    return counts


def choose_date_format(sample: pd.Series, day_first: bool = False) -> tuple[DateFormat | None, str | None]:
    """The family that parses most sample values, and a warning when month/day vs day/month is ambiguous."""
    missing = is_not_answered(sample)
    present = sample[~missing]
    if present.empty:
        return None, None
    is_text = _text_cells(present)
    text = present[is_text].astype(str).str.normalize("NFKC").str.strip()
    serials = text.str.fullmatch(SERIAL_TEXT.pattern) | text.str.fullmatch(EPOCH_TEXT.pattern)
    if text.empty or serials.mean() >= 0.5:  # cells or CSV text of serial numbers or Unix times
        return DATE_FORMAT_BY_KEY["excel"], None
    counts = _family_counts(text)
    best = max(counts.values())
    if best < len(text):  # cells no layout reads as they are: with an era year, a weekday or 午後 they may
        tidy = rewrite_dates(text)
        if (tidy != text).any():
            counts = _family_counts(tidy)
            best = max(counts.values())
    if best == 0:
        return DATE_FORMAT_BY_KEY["iso"], None
    key = next(k for k, n in counts.items() if n == best)  # ties: the order of DATE_FORMATS (m/d before d/m)
    if key == "iso" and text.str.contains(_OFFSET).any():  # (the sample only: a pass over every chunk costs)
        return ISO_AS_WRITTEN, None
    warning = None
    if key == "mdy" and counts["dmy"] == best:
        if day_first:  # a semicolon-separated file: European Excel, where dates are day first
            return DATE_FORMAT_BY_KEY["dmy"], t("ingest.dates_ambiguous_day_first")
        warning = t("ingest.dates_ambiguous")
    return DATE_FORMAT_BY_KEY[key], warning


def date_example(fmt: DateFormat | None) -> str:
    """How a date of the family looks, in the current language (for rejection reasons)."""
    return t(f"ingest.date_example_{fmt.key if fmt else 'iso'}")
