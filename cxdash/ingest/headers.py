"""Header rows of survey-tool exports, detected from their content.

Qualtrics writes column ids, question texts and ``{"ImportId": ...}`` rows; SurveyMonkey writes question texts
over sub-labels (``Response``, matrix row labels); Google Forms starts with a timestamp column. A table whose first
row writes a question once over several columns (merged cells) with its items in the second row has two header
rows too. Anything else has one header row.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

QUALTRICS_IDS = {
    "startdate",
    "enddate",
    "status",
    "ipaddress",
    "progress",
    "duration(inseconds)",
    "finished",
    "recordeddate",
    "responseid",
    "responseset",
    "recipientlastname",
    "recipientfirstname",
    "recipientemail",
    "externalreference",
    "externaldatareference",
    "locationlatitude",
    "locationlongitude",
    "distributionchannel",
    "userlanguage",
}
SURVEYMONKEY_META = {"respondentid", "collectorid", "startdate", "enddate", "ipaddress", "emailaddress"}
SURVEYMONKEY_LABELS = {"response", "open-endedresponse", "open-ended response"}
TIMESTAMP_HEADERS = {
    "タイムスタンプ",
    "timestamp",
    "marca temporal",
    "horodateur",
    "zeitstempel",
    "carimbo de data/hora",
}
_IMPORT_ID = re.compile(r'^\s*\{\s*"importid"\s*:', re.IGNORECASE)


@dataclass
class HeaderLayout:
    """What the header rows say: how many there are, the column keys, their question texts and the tool."""

    header_rows: int
    columns: list[str]
    questions: dict[str, str] = field(default_factory=dict)
    source: str = "generic"


def _compact(text: str) -> str:
    """A header cell folded for comparison: NFKC, lower case, no spaces or underscores."""
    return re.sub(r"[\s_]+", "", unicodedata.normalize("NFKC", text)).lower()


def _cell(row: list[str], i: int) -> str:
    """Cell ``i`` of a row, stripped; '' past its end."""
    return row[i].strip() if i < len(row) else ""


def unique_keys(names: list[str]) -> list[str]:
    """Column keys from header cells: blanks become 'Column N' (1-based), repeats get ' (2)', ' (3)' …"""
    keys: list[str] = []
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        base = " ".join(name.split()) or f"Column {position}"
        key, n = base, 1
        while key in seen:
            n += 1
            key = f"{base} ({n})"
        seen.add(key)
        keys.append(key)
    return keys


def _is_qualtrics(rows: list[list[str]], width: int) -> int:
    """Header row count of a Qualtrics export (3 with ImportId row, 2 for the legacy export), else 0."""
    if len(rows) < 2:
        return 0
    first = [_compact(_cell(rows[0], i)) for i in range(width)]
    if len(rows) >= 3:
        third = [_cell(rows[2], i) for i in range(width)]
        filled = [c for c in third if c]
        if filled and sum(bool(_IMPORT_ID.match(c)) for c in filled) >= max(1, len(filled) // 2):
            return 3
    # Legacy export: Qualtrics ids in row 1 and the same words spelt out in row 2 ("ResponseId" over "Response ID").
    spelt = sum(1 for i, key in enumerate(first) if key in QUALTRICS_IDS and _compact(_cell(rows[1], i)) == key)
    spelt_out = sum(1 for i in range(width) if " " in _cell(rows[1], i))
    return 2 if spelt >= 2 and spelt_out >= 2 else 0


def _is_surveymonkey(rows: list[list[str]], width: int) -> bool:
    """Whether the first two rows are SurveyMonkey's question texts over sub-labels."""
    if len(rows) < 2:
        return False
    first = [_compact(_cell(rows[0], i)) for i in range(width)]
    second = [_cell(rows[1], i) for i in range(width)]
    labels = sum(1 for c in second if c.lower() in SURVEYMONKEY_LABELS)
    meta = [i for i, key in enumerate(first) if key in SURVEYMONKEY_META]
    meta_blank_below = len(meta) >= 2 and all(not second[i] for i in meta) and "respondentid" in first
    gaps = any(not _cell(rows[0], i) and _cell(rows[0], i - 1 if i else 0) for i in range(1, width))
    return meta_blank_below or (labels >= 1 and (gaps or bool(meta)))


_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def _is_merged_header(rows: list[list[str]], width: int) -> bool:
    """Whether the first two rows are a question written once over several columns (merged cells in Excel: blanks
    after it in row 1) with the items under it in row 2, which is blank under the other headers: a Japanese Excel
    table (各項目の満足度 over 配送 · 価格 · 接客), or any export laid out like SurveyMonkey's without its words."""
    if len(rows) < 3:
        return False
    top, second, data = ([_cell(row, i) for i in range(width)] for row in rows[:3])
    merged: set[int] = set()
    for i in range(1, width):
        if not top[i] and (top[i - 1] or i - 1 in merged):
            merged.update((i - 1, i))
    if not merged:
        return False
    items = [second[i] for i in sorted(merged)]
    if not all(items) or any(_NUMBER.match(unicodedata.normalize("NFKC", c)) for c in items):
        return False  # a first data row has numbers (or blanks) under a merged question, not item names
    if sum(bool(data[i]) for i in merged) * 2 < len(merged):
        return False
    others = [i for i in range(width) if i not in merged and top[i]]
    if not others and len(rows[0]) < len(rows[1]):
        return False  # one cell over a longer line: a one-column file whose first answer has a comma, not a sheet's
    return sum(not second[i] for i in others) * 3 >= len(others) * 2  # blank under most single headers


def _surveymonkey(rows: list[list[str]], width: int, source: str = "surveymonkey") -> HeaderLayout:
    """Keys from SurveyMonkey's two header rows: question text, joined to the matrix row label if there is one."""
    names: list[str] = []
    question = ""
    for i in range(width):
        top, label = _cell(rows[0], i), _cell(rows[1], i)
        if top:
            question = top
        if not question:
            names.append(label)
        elif not label or label.lower() in SURVEYMONKEY_LABELS:
            names.append(question)
        else:
            names.append(f"{question} - {label}")
    keys = unique_keys(names)
    questions = {key: " ".join(name.split()) for key, name in zip(keys, names, strict=True) if name}
    return HeaderLayout(2, keys, questions, source)


def detect_layout(rows: list[list[str]]) -> HeaderLayout:
    """The header layout of a table from its first rows (cells as text, '' for empty)."""
    width = max((len(r) for r in rows[:3]), default=0)
    qualtrics = _is_qualtrics(rows, width)
    if qualtrics:
        keys = unique_keys([_cell(rows[0], i) for i in range(width)])
        questions = {key: " ".join(_cell(rows[1], i).split()) for i, key in enumerate(keys) if _cell(rows[1], i)}
        return HeaderLayout(qualtrics, keys, questions, "qualtrics")
    if _is_surveymonkey(rows, width):
        return _surveymonkey(rows, width)
    if _is_merged_header(rows, width):
        return _surveymonkey(rows, width, "generic")
    first = [_cell(rows[0], i) for i in range(width)] if rows else []
    keys = unique_keys(first)
    forms = bool(first) and unicodedata.normalize("NFKC", first[0]).strip().lower() in TIMESTAMP_HEADERS
    return HeaderLayout(1, keys, {}, "google_forms" if forms else "generic")
