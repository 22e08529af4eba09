"""Validate a mapped table before anything is written: a plan from the sample, then chunk-by-chunk checks.

``plan_import`` decides once (from ``table.sample``) what every mapped column means: its role, the scale of each
score column and the layout of the dates. ``validate_chunk`` applies the plan to a chunk with vectorised pandas
operations and returns the typed rows to load plus one Rejection per problem found (row number, column, value as
read, reason). ``preview_import`` runs the whole file through both without writing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from cxdash.errors import InputRefused
from cxdash.i18n import t
from cxdash.ingest.labels import MAX_LABELS, LabelScale, read_scale
from cxdash.ingest.parse import (
    CES_SCALES,
    CSAT_SCALES,
    MAX_SCALE_WITH_ZERO_CODE,
    NPS_SCALE,
    RATING_SCALES,
    DateFormat,
    ParsedNumbers,
    choose_date_format,
    clean_text,
    date_example,
    infer_scale,
    parse_dates,
    parse_numbers,
    without_no_comment,
)
from cxdash.ingest.result import ImportPreview, Rejection
from cxdash.ingest.table import RawTable
from cxdash.roles import SINGLE_ROLES, Role, format_scale, parse_role

_SCALES = {"csat": (CSAT_SCALES, (1, 5)), "ces": (CES_SCALES, (1, 7)), "rating": (RATING_SCALES, (1, 5))}
RESPONSE_COLUMNS = (
    "external_id",
    "customer",
    "responded_at",
    "channel",
    "nps",
    "csat",
    "ces",
    "customer_name",  # contact details: stored only when the import keeps personal data
    "customer_email",
)
NO_CONTENT = "row has no score and no comment"  # the English text of t("ingest.no_content")


@dataclass(frozen=True)
class ColumnPlan:
    """One mapped column: its role, and for score columns the scale and whether 0 means "not rated"."""

    column: str
    role: Role
    scale: tuple[int, int] | None = None
    zero_is_missing: bool = False
    labels: LabelScale | None = None  # answers in words ("Very satisfied"), read as the numbers of their scale
    offset: int = 0  # added to each answer: −1 for an NPS exported as 1–11 (the 11 answers' positions)


@dataclass(frozen=True)
class StoredScales:
    """The scales the target workspace already holds: each rated touchpoint's (name → scale), and ``ces``, the one
    its CES is reported on (None while it has no CES answer)."""

    touchpoints: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    ces: tuple[int, int] | None = None


@dataclass
class ImportPlan:
    """What every mapped column of a table means, decided once from the sample."""

    file_name: str
    mapping: dict[str, str]
    columns: list[ColumnPlan]
    date_format: DateFormat | None = None
    warnings: list[str] = field(default_factory=list)
    # a long file's: the workspace's touchpoints on another scale than its rating column, whose ratings are checked
    # row by row against their own scale (name → scale)
    kept: dict[str, tuple[int, int]] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[ColumnPlan]:
        """The mapped columns whose role is of ``kind`` (nps, rating, comment, attribute …), in file order."""
        return [c for c in self.columns if c.role.kind == kind]

    def single(self, kind: str) -> ColumnPlan | None:
        """The column with the single-use role ``kind`` (an unnamed role), if mapped."""
        return next((c for c in self.columns if c.role.kind == kind and c.role.name is None), None)

    @property
    def scales(self) -> dict[str, tuple[int, int]]:
        """Scale per score column."""
        return {c.column: c.scale for c in self.columns if c.scale is not None}

    @property
    def touchpoints(self) -> list[str]:
        """Touchpoints named by the mapping (rating:<tp>, comment:<tp>); long files add theirs from the data."""
        names = [c.role.name for c in self.columns if c.role.kind in ("rating", "comment") and c.role.name]
        return list(dict.fromkeys(n for n in names if n))

    def touchpoint_scales(self) -> dict[str, tuple[int, int]]:
        """Scale per touchpoint named by a rating:<tp> column."""
        return {c.role.name: c.scale for c in self.of_kind("rating") if c.role.name and c.scale}


@dataclass
class AboveScale:
    """A score column's answers above its scale (their rows rejected): how many, which values, and the first and
    last date of their rows."""

    n: int = 0
    values: set[float] = field(default_factory=set)
    first: pd.Timestamp | None = None
    last: pd.Timestamp | None = None

    @classmethod
    def of(cls, values: pd.Series, dates: pd.Series | None) -> AboveScale:
        """The answers above the scale in one chunk, with their rows' dates (None: the file has no date column)."""
        when = dates.dropna() if dates is not None else None
        if when is None or when.empty:
            return cls(len(values), set(values.tolist()))
        return cls(len(values), set(values.tolist()), when.min(), when.max())

    def merge(self, other: AboveScale) -> None:
        self.n += other.n
        self.values |= other.values
        for when in (other.first, other.last):
            if when is not None:
                self.first = when if self.first is None else min(self.first, when)
                self.last = when if self.last is None else max(self.last, when)


#: answers above a column's scale, with at least this many of them and two values on a scale up to 10, say the
#: column mixes two scales (a tracker moved from 1–5 to 1–10)
MIXED_SCALE_MIN = 5
LONGEST_SCALE = 10


@dataclass
class ImportNotes:
    """What a file's columns told beside their accepted values, summed over its chunks: answers of 0 read as
    "not rated", answers above the scale (their rows rejected), and comments that only say there is nothing to add
    (kept out of the comments); ``warnings`` says it in sentences."""

    not_rated: dict[str, int] = field(default_factory=dict)
    above_scale: dict[str, AboveScale] = field(default_factory=dict)
    said_nothing: dict[str, int] = field(default_factory=dict)

    def add(self, valid: ValidChunk) -> None:
        for column, n in valid.not_rated.items():
            self.not_rated[column] = self.not_rated.get(column, 0) + n
        for column, above in valid.above_scale.items():
            self.above_scale.setdefault(column, AboveScale()).merge(above)
        for column, n in valid.said_nothing.items():
            self.said_nothing[column] = self.said_nothing.get(column, 0) + n

    def warnings(self, plan: ImportPlan) -> list[str]:
        said_nothing = [
            t("ingest.said_nothing_one" if n == 1 else "ingest.said_nothing", column=column, n=n)
            for column, n in self.said_nothing.items()
        ]
        return not_rated_warnings(plan, self.not_rated) + mixed_scale_warnings(plan, self.above_scale) + said_nothing


@dataclass
class ValidChunk:
    """The accepted rows of a chunk, typed, ready to load (all frames keyed by ``source_row``)."""

    responses: pd.DataFrame  # index source_row; RESPONSE_COLUMNS
    ratings: pd.DataFrame  # source_row, touchpoint, score
    attributes: pd.DataFrame  # source_row, name, value
    comments: pd.DataFrame  # source_row, touchpoint, source, text
    rows_read: int = 0
    not_rated: dict[str, int] = field(default_factory=dict)
    above_scale: dict[str, AboveScale] = field(default_factory=dict)  # per score column: answers above its scale
    said_nothing: dict[str, int] = field(default_factory=dict)  # per comment column: answers saying nothing to add

    @property
    def touchpoints(self) -> list[str]:
        """Touchpoint names this chunk refers to."""
        names = [*pd.unique(self.ratings["touchpoint"]), *pd.unique(self.comments["touchpoint"])]
        return list(dict.fromkeys(t for t in names if isinstance(t, str) and t))


def _fmt(number: float) -> str:
    """A number as a person writes it: 11, not 11.0."""
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _raw(value: object) -> str:
    """A cell as read, for a rejection."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return _fmt(value) if isinstance(value, float) else str(value)


def plan_import(table: RawTable, mapping: dict[str, str], stored: StoredScales | None = None) -> ImportPlan:
    """Parse and check the roles of ``mapping``, then infer scales and the date layout from ``table.sample``.

    ``stored``: the scales the target workspace holds. A touchpoint rated before keeps its scale: this file's ratings
    of it are read on that scale (see _on_stored_scale); a CES column whose answers fit the workspace's CES scale is
    read on it (see _on_ces_scale)."""
    name = table.file_name
    unknown = [c for c in mapping if c not in table.columns]
    if unknown:
        listed = ", ".join(f"'{c}'" for c in unknown)
        raise InputRefused(t("ingest.mapping_unknown_columns", file=name, columns=listed))
    roles: dict[str, Role] = {}
    for column, text in mapping.items():
        try:
            roles[column] = parse_role(text)
        except InputRefused as exc:
            raise InputRefused(t("ingest.column_role_error", column=column, file=name, error=exc.message)) from None
    used = [(c, r) for c, r in roles.items() if r.kind != "ignore"]
    _check_single_use(name, used)
    kinds = {r.kind for _, r in used}
    if not kinds & {"nps", "csat", "ces", "rating", "comment"}:
        raise InputRefused(t("ingest.nothing_to_measure", file=name) + _named_like_scores(table, roles))
    if any(r.kind == "rating" and r.name is None for _, r in used) and "touchpoint" not in kinds:
        raise InputRefused(t("ingest.rating_without_touchpoint", file=name))
    plan = ImportPlan(file_name=name, mapping={c: str(r) for c, r in roles.items()}, columns=[])
    table = _without_summary_rows(table, used)  # a total row's sums are no answers: they do not widen a scale
    for column, role in used:
        column_plan = _plan_column(table, column, role)
        kept = stored.touchpoints.get(role.name) if stored and role.kind == "rating" and role.name else None
        if kept is not None and column_plan.scale != kept:
            column_plan = _on_stored_scale(table, column_plan, kept, plan.warnings)
        if role.kind == "ces" and stored and stored.ces and column_plan.scale != stored.ces:
            column_plan = _on_ces_scale(table, column_plan, stored.ces, plan.warnings)
        if column_plan.offset:
            plan.warnings.append(t("ingest.nps_one_to_eleven", column=column))
        plan.columns.append(column_plan)
    plan.warnings.extend(_words_read_as(plan))
    long_rating, tp_col = plan.single("rating"), plan.single("touchpoint")
    if stored and long_rating is not None and tp_col is not None:
        plan.kept = {name: scale for name, scale in stored.touchpoints.items() if scale != long_rating.scale}
        here = [n for n in pd.unique(clean_text(table.sample[tp_col.column]).dropna()) if n in plan.kept]
        if here:
            listed = ", ".join(f"'{n}' {format_scale(plan.kept[n])}" for n in here)
            plan.warnings.append(t("ingest.long_kept", column=long_rating.column, touchpoints=listed))
    date = plan.single("date")
    if date is not None:
        day_first = table.delimiter == ";"  # European Excel writes semicolons and dates day first
        plan.date_format, ambiguous = choose_date_format(table.sample[date.column], day_first)
        if ambiguous:
            plan.warnings.append(t("ingest.dates_read_as", column=date.column, how=ambiguous))
    return plan


def _without_summary_rows(table: RawTable, used: list[tuple[str, Role]]) -> RawTable:
    """The table with the summary rows (see _summary_rows) left out of its sample, for inferring scales and dates:
    in a small file the sums of a total row are more than the 5% of answers a scale may leave outside it."""
    id_column = next((c for c, r in used if r.kind == "response_id"), None)
    texts = {c: without_no_comment(clean_text(table.sample[c]))[0] for c, r in used if r.kind == "comment"}
    found = _summary_rows(table.sample, id_column, texts)
    if not found:
        return table
    summary = np.logical_or.reduce([rows.to_numpy(dtype=bool) for _, rows in found])
    return replace(table, sample=table.sample[~summary])


def _named_like_scores(table: RawTable, roles: dict[str, Role]) -> str:
    """For a refusal for want of anything to measure: the columns named like NPS, CSAT or CES that are not mapped to
    a score, with a few of their answers (11, 12, 15 under "NPS": answers off the scale), as one more sentence."""
    from cxdash.ingest.suggest import named_like_score

    found = [
        column
        for column, role in roles.items()
        if role.kind in ("ignore", "attribute") and named_like_score(f"{column} {table.questions.get(column, '')}")
    ]
    if not found:
        return ""
    column = found[0]
    answers = [_raw(v) for v in pd.unique(table.sample[column].dropna())[:3]]
    return " " + t("ingest.named_like_score", column=column, answers=", ".join(answers) or "—")


def _check_single_use(name: str, used: list[tuple[str, Role]]) -> None:
    """Refuse a mapping that gives a single-use role, one touchpoint's rating or one attribute to two columns."""
    seen: dict[str, str] = {}
    for column, role in used:
        if role.name is None and role.kind in SINGLE_ROLES:
            key = role.kind
        elif role.kind in ("rating", "attribute") and role.name:
            key = role.base
        else:
            continue
        if key in seen:
            raise InputRefused(t("ingest.role_twice", first=seen[key], second=column, file=name, role=key))
        seen[key] = column


def _plan_column(table: RawTable, column: str, role: Role) -> ColumnPlan:
    """The plan of one column: scale (and 0 = not rated) for scores, nothing more for the rest."""
    if role.kind == "nps":
        return ColumnPlan(column, role, NPS_SCALE, offset=-1 if _one_to_eleven(table.sample[column]) else 0)
    if role.kind not in _SCALES:
        return ColumnPlan(column, role)
    candidates, default = _SCALES[role.kind]
    parsed = parse_numbers(table.sample[column])
    labels = _label_scale(table.sample[column], parsed, role.scale, table.file_name)
    if labels is not None:  # the scale is the labels' own (a 5-point ease scale is 1–5, not CES's usual 1–7)
        return ColumnPlan(column, role, labels.scale, labels=labels)
    if role.scale is not None:  # the user's: a 0 beside 1–x answers is "not rated" as on an inferred scale
        lo, hi = role.scale
        zeros = bool((parsed.value == 0).any())
        return ColumnPlan(column, role, role.scale, zeros and lo == 1 and hi <= MAX_SCALE_WITH_ZERO_CODE)
    scale, zero_code = infer_scale(parsed.value, candidates, default)
    return ColumnPlan(column, role, scale, zero_code)  # 0 = not rated is reported with its row count (preview)


#: an NPS column whose answers run 1–11 (no 0, at least this share of 11s) is the 0–10 question exported by the
#: position of each answer (SurveyMonkey's numerical values): read one lower
ELEVEN_SHARE = 0.03
ELEVEN_MIN_ANSWERS = 20


def _one_to_eleven(cells: pd.Series) -> bool:
    """Whether an NPS column's answers are the 0–10 scale written as 1–11 (see ELEVEN_SHARE)."""
    value = parse_numbers(cells).value.dropna()
    if len(value) < ELEVEN_MIN_ANSWERS or not value.between(1, 11).all() or (value != value.round()).any():
        return False
    elevens = int((value == 11).sum())
    return elevens >= max(2, ELEVEN_SHARE * len(value))


def _on_stored_scale(table: RawTable, inferred: ColumnPlan, kept: tuple[int, int], warnings: list[str]) -> ColumnPlan:
    """A rating of a touchpoint the workspace already holds, on the scale it has there.

    Its ratings are stored against that one scale, so a file's column cannot bring another: a scale the user set that
    differs is refused, and so are answers in words of another scale (all its points answered) or that do not fit
    it; an inferred one gives way (a month in which no one answered 6 or 7 of a 1–7 question is still 1–7), with a
    warning. Answers above it are rejected row by row.
    """
    column, role, name = inferred.column, inferred.role, table.file_name
    if role.scale is not None:
        raise InputRefused(
            t("ingest.scale_not_stored", column=column, file=name, touchpoint=role.name,
              kept=format_scale(kept), set=format_scale(role.scale))
        )  # fmt: skip
    words = inferred.labels
    on_kept: ColumnPlan | None = None
    if words is None or not words.complete:  # not every point of their own scale
        try:
            on_kept = _plan_column(table, column, Role(role.kind, role.name, kept))
        except InputRefused:  # words that do not fit the kept scale
            on_kept = None
    if on_kept is None:  # words of another scale, or that do not fit this one: the touchpoint's name in the message
        assert words is not None
        raise InputRefused(
            t("ingest.words_not_stored", column=column, file=name, touchpoint=role.name, kept=format_scale(kept),
              labels=words.described())
        )  # fmt: skip
    assert inferred.scale is not None
    warnings.append(
        t("ingest.read_on_stored_scale", column=column, touchpoint=role.name, kept=format_scale(kept),
          own=format_scale(inferred.scale))
    )  # fmt: skip
    return ColumnPlan(column, role, on_kept.scale, on_kept.zero_is_missing, labels=on_kept.labels)


def _on_ces_scale(table: RawTable, inferred: ColumnPlan, kept: tuple[int, int], warnings: list[str]) -> ColumnPlan:
    """A CES column of a file for a workspace whose CES is reported on ``kept``.

    An inferred scale gives way to it when the answers fit it (a month in which no one answered 6 or 7 of a 1–7
    question is still 1–7), with a warning. A scale the user set, answers beyond ``kept`` or answers in words of a
    complete scale of their own keep their scale: unlike a touchpoint's ratings, CES answers on another scale are
    rescaled where CES is reported (on the scale most of its answers have), and the warning says so.
    """
    column, role = inferred.column, inferred.role
    assert inferred.scale is not None
    own = format_scale(inferred.scale)
    words = inferred.labels
    if role.scale is None and (words is None or not words.complete):
        try:
            on_kept: ColumnPlan | None = _plan_column(table, column, Role(role.kind, role.name, kept))
        except InputRefused:  # words that do not fit the workspace's scale
            on_kept = None
        if on_kept is not None and on_kept.labels is None:
            values = parse_numbers(table.sample[column]).value.dropna()
            if on_kept.zero_is_missing:
                values = values[values != 0]
            on_kept = on_kept if bool(values.between(*kept).all()) else None
        if on_kept is not None:
            warnings.append(t("ingest.ces_read_on_stored", column=column, kept=format_scale(kept), own=own))
            return on_kept
    warnings.append(t("ingest.ces_other_scale", column=column, kept=format_scale(kept), own=own))
    return inferred


def _words_read_as(plan: ImportPlan) -> list[str]:
    """How the columns of answers in words are read: one sentence per scale, naming every column read that way (a
    Qualtrics matrix of twenty rows on one scale says it once)."""
    by_scale: dict[tuple[tuple[int, int], str], list[str]] = {}
    for c in plan.columns:
        if c.labels is not None:
            by_scale.setdefault((c.labels.scale, c.labels.described()), []).append(c.column)
    out = []
    for ((lo, hi), labels), columns in by_scale.items():
        if len(columns) == 1:
            out.append(t("ingest.words_read_as", column=columns[0], lo=lo, hi=hi, labels=labels))
        else:
            listed = ", ".join(f"'{c}'" for c in columns)
            out.append(t("ingest.words_read_as_many", columns=listed, lo=lo, hi=hi, labels=labels))
    return out


def _label_scale(
    cells: pd.Series, parsed: ParsedNumbers, scale: tuple[int, int] | None, file_name: str
) -> LabelScale | None:
    """The verbal scale of a score column whose answers are mostly words (see cxdash.ingest.labels), else None;
    on ``scale`` when the user set one, refused when the words cannot be placed on it."""
    answered = int((~parsed.missing).sum())
    words = cells[parsed.bad]
    if not answered or len(words) < 0.5 * answered:
        return None
    counts = words.astype(str).value_counts()
    if len(counts) > MAX_LABELS:
        return None
    found = dict(zip(counts.index, counts.tolist(), strict=True))
    labels = read_scale(found)
    if labels is None or scale is None or labels.scale == scale:
        return labels
    placed = read_scale(found, scale)
    if placed is None:
        lo, hi = scale
        raise InputRefused(
            t(
                "ingest.words_off_scale",
                column=str(cells.name),
                file=file_name,
                lo=lo,
                hi=hi,
                labels=labels.described(),
                own=format_scale(labels.scale),
            )
        )
    return placed


def _with_labels(parsed: ParsedNumbers, cells: pd.Series, labels: LabelScale) -> ParsedNumbers:
    """``parsed`` with the cells that are labels of the column's verbal scale read as their numbers."""
    words = cells[parsed.bad]
    lookup = {cell: labels.number(cell) for cell in pd.unique(words)}
    numbers = words.map(lookup).astype(float)
    known = numbers.notna()
    value, bad = parsed.value.copy(), parsed.bad.copy()
    value[numbers[known].index] = numbers[known]
    bad[numbers[known].index] = False
    return ParsedNumbers(value, parsed.missing, bad)


#: what the label cell of a summary row says: the averages or totals a spreadsheet adds below (or above) the answers
SUMMARY_LABELS = frozenset(
    variant
    for label in ("平均", "平均値", "合計", "総計", "小計", "計", "総合計", "Average", "Mean", "Total", "Grand total",
                  "Subtotal", "Sum", "Totals")
    for word in (label, label.upper(), label.lower(), label.title())
    for variant in (word, word + ":", word + "：", f"【{word}】", f"[{word}]", f"({word})", f"（{word}）")
)  # fmt: skip


#: how far into a row a summary label may stand behind blank cells ("No." left blank, 合計 under 店舗)
SUMMARY_LABEL_COLUMNS = 3


def _summary_rows(
    chunk: pd.DataFrame, id_column: str | None, texts: Mapping[str, pd.Series]
) -> list[tuple[str, pd.Series]]:
    """Rows that are a spreadsheet's average or total line, not a response: the response id (in ``id_column``), or
    the row's first filled cell among the file's first columns, says 平均, 合計, Average or Total (see SUMMARY_LABELS),
    and the row has no comment (``texts``: the cleaned comment columns). (column, rows) pairs, each row under the
    first of those columns that names it; that column may be one the mapping ignores ("No.")."""
    without_comment = pd.Series(True, index=chunk.index)
    for text in texts.values():
        without_comment &= text.isna()
    found = []
    taken = ~without_comment
    leading = list(chunk.columns[:SUMMARY_LABEL_COLUMNS])
    for column in dict.fromkeys(([id_column] if id_column else []) + leading):
        rows = chunk[column].isin(SUMMARY_LABELS) & ~taken
        if not rows.any():
            continue
        if column != id_column:  # behind blank cells only: "12, 合計" is a store named 合計
            for left in leading[: leading.index(column)]:
                cells = chunk.loc[rows, left]
                rows[rows] = (cells.isna() | (cells.astype(str).str.strip() == "")).to_numpy()
        if rows.any():
            found.append((column, rows))
            taken |= rows
    return found


def _blank_rows(chunk: pd.DataFrame) -> pd.Series:
    """Rows whose every cell is empty or white space."""
    if chunk.empty or not len(chunk.columns):
        return pd.Series(False, index=chunk.index)
    blank = np.ones(len(chunk), dtype=bool)
    for _, col in chunk.items():  # each column looks only at the rows that are blank so far (few after the first)
        if not blank.any():
            break
        cells = col[blank]
        text = cells if pd.api.types.is_string_dtype(cells.dtype) and cells.dtype != object else cells.astype(str)
        filled = (cells.notna() & (text.str.strip() != "")).to_numpy(dtype=bool)
        blank[np.flatnonzero(blank)[filled]] = False
    return pd.Series(blank, index=chunk.index)


class CommentTexts(dict[str, pd.Series]):
    """Per comment column, the cleaned text of every row of a chunk: None where blank or where the answer only says
    there is nothing to add (特になし, No, Nothing else: ``says_nothing``), which ``said_nothing`` counts per column."""

    said_nothing: dict[str, int]


def comment_texts(chunk: pd.DataFrame, plan: ImportPlan) -> CommentTexts:
    """The cleaned text of each comment column of a chunk (see CommentTexts)."""
    texts = CommentTexts()
    texts.said_nothing = {}
    for c in plan.of_kind("comment"):
        texts[c.column], n = without_no_comment(clean_text(chunk[c.column]))
        if n:
            texts.said_nothing[c.column] = n
    return texts


def validate_chunk(
    chunk: pd.DataFrame, plan: ImportPlan, seen_ids: set[str], texts: CommentTexts | None = None
) -> tuple[ValidChunk, list[Rejection]]:
    """Typed accepted rows and rejections of one chunk; ids of accepted rows are added to ``seen_ids``.
    ``texts``: the chunk's ``comment_texts`` when the caller has them already."""
    index = chunk.index
    problems: list[tuple[int, int, str, str, str]] = []  # row, column position, column, value, reason
    failed = pd.Series(False, index=index)
    has_content = pd.Series(False, index=index)
    order = {c: i for i, c in enumerate(chunk.columns)}  # a summary row's label may be in an ignored column
    not_rated: dict[str, int] = {}

    summary = pd.Series(False, index=index)  # a spreadsheet's average or total row: that reason alone

    def reject(mask: pd.Series, column: str, reasons: Iterable[str]) -> None:
        if not mask.any():  # most checks of most chunks find nothing
            return
        rows = mask[mask].index
        raw = chunk.loc[rows, column]
        for row, value, reason, other in zip(rows, raw, reasons, summary[rows], strict=True):
            if not other:
                problems.append((int(row), order[column], column, _raw(value), reason))
        failed.loc[rows] = True

    if texts is None:
        texts = comment_texts(chunk, plan)
    id_col = plan.single("response_id")
    for label_column, found in _summary_rows(chunk, id_col.column if id_col else None, texts):
        reject(found, label_column, (t("ingest.summary_row", value=_raw(v)) for v in chunk.loc[found, label_column]))
        summary |= found

    scores: dict[str, pd.Series] = {}
    above: dict[str, pd.Series] = {}  # per score column: the answers above its scale (their dates added below)
    for col in [c for c in plan.columns if c.scale is not None]:
        parsed = parse_numbers(chunk[col.column])
        if col.labels is not None and parsed.bad.any():
            parsed = _with_labels(parsed, chunk[col.column], col.labels)
        value = parsed.value + col.offset if col.offset else parsed.value
        if col.zero_is_missing:
            zero = value == 0
            not_rated[col.column] = int(zero.sum())
            value = value.where(~zero)
        raw = chunk.loc[parsed.bad, col.column]
        if col.labels is None:
            reject(parsed.bad, col.column, (t("ingest.not_a_number", value=_raw(v)) for v in raw))
        else:
            words = col.labels.described()
            reject(parsed.bad, col.column, (t("ingest.not_a_label", value=_raw(v), labels=words) for v in raw))
        lo, hi = col.scale  # type: ignore[misc]
        outside = value.notna() & ~value.between(lo, hi)
        reject(
            outside,
            col.column,
            (t("ingest.outside_scale", value=_fmt(v - col.offset), lo=lo - col.offset, hi=hi - col.offset)
             for v in value[outside]),
        )  # fmt: skip
        if (value > hi).any():  # a total row's sums are not answers on a longer scale
            above[col.column] = value[(value > hi) & ~summary]
        if col.role.kind == "nps":
            fraction = value.notna() & ~outside & (value != value.round())
            reject(fraction, col.column, (t("ingest.nps_fraction", value=_fmt(v)) for v in value[fraction]))
        scores[col.column] = value
        has_content |= value.notna() & ~parsed.bad

    for text in texts.values():
        has_content |= text.notna()

    dates = None
    date_col = plan.single("date")
    if date_col is not None:
        parsed_dates = parse_dates(chunk[date_col.column], plan.date_format)
        expected = date_example(plan.date_format)
        bad = parsed_dates.bad
        far = parsed_dates.outside if parsed_dates.outside is not None else pd.Series(False, index=index)
        reasons = (
            t("ingest.date_implausible", value=_raw(v))
            if out
            else t("ingest.not_a_date", value=_raw(v), expected=expected)
            for v, out in zip(chunk.loc[bad, date_col.column], far[bad], strict=True)
        )
        reject(bad, date_col.column, reasons)
        dates = parsed_dates.value

    tp_col = plan.single("touchpoint")
    long_rating = plan.single("rating")
    row_tp = clean_text(chunk[tp_col.column]) if tp_col else None
    if row_tp is not None and long_rating is not None:
        orphan = scores[long_rating.column].notna() & row_tp.isna()
        reject(orphan, tp_col.column, (t("ingest.rating_no_touchpoint") for _ in range(int(orphan.sum()))))  # type: ignore[union-attr]
        if plan.kept and long_rating.scale:  # a touchpoint of the workspace keeps its scale: ratings beyond it rejected
            value = scores[long_rating.column]
            lo, hi = (row_tp.map({n: scale[i] for n, scale in plan.kept.items()}) for i in (0, 1))
            outside = value.notna() & lo.notna() & value.between(*long_rating.scale) & ((value < lo) | (value > hi))
            reasons = (
                t("ingest.outside_kept_scale", value=_fmt(v), lo=int(a), hi=int(b), touchpoint=n)
                for v, a, b, n in zip(value[outside], lo[outside], hi[outside], row_tp[outside], strict=True)
            )
            reject(outside, long_rating.column, reasons)

    blank = _blank_rows(chunk)
    empty = ~failed & ~has_content & ~blank
    failed |= blank  # wholly blank lines (trailing Excel rows, spacer lines) are skipped, not rejected
    no_content = t("ingest.no_content")
    for row in empty[empty].index:
        problems.append((int(row), -1, "", "", no_content))
    failed |= empty

    id_col = plan.single("response_id")
    ids = clean_text(chunk[id_col.column]) if id_col else pd.Series(None, index=index, dtype=object)
    if id_col is not None:
        candidate = ~failed & ids.notna()
        # ids of earlier chunks: only those in this chunk are looked up (isin on all of them rebuilt a hash table of
        # every id seen so far for each chunk, quadratic in the file's length)
        earlier = seen_ids.intersection(ids[candidate].tolist())
        dup = candidate & (ids.isin(earlier) | (ids.where(candidate).duplicated() & candidate))
        reject(dup, id_col.column, (t("ingest.duplicate_id", value=v) for v in ids[dup]))
        seen_ids.update(ids[~failed & ids.notna()])

    ok = ~failed
    valid = _build_valid(chunk, plan, ok, ids, scores, texts, dates, row_tp)
    valid.rows_read = int(len(chunk) - blank.sum())
    valid.not_rated = not_rated
    valid.said_nothing = texts.said_nothing
    valid.above_scale = {c: AboveScale.of(v, None if dates is None else dates[v.index]) for c, v in above.items()}
    problems.sort(key=lambda p: (p[0], p[1]))
    return valid, [Rejection(row, column, value, reason) for row, _, column, value, reason in problems]


def _build_valid(
    chunk: pd.DataFrame,
    plan: ImportPlan,
    ok: pd.Series,
    ids: pd.Series,
    scores: dict[str, pd.Series],
    texts: dict[str, pd.Series],
    dates: pd.Series | None,
    row_tp: pd.Series | None,
) -> ValidChunk:
    """Frames of the accepted rows: responses, ratings, attributes and comments, keyed by source row."""
    rows = chunk.index[ok.to_numpy()]

    def text_of(kind: str) -> pd.Series:
        col = plan.single(kind)
        return clean_text(chunk.loc[rows, col.column]) if col else pd.Series(None, index=rows, dtype=object)

    def score_of(kind: str) -> pd.Series:
        col = plan.single(kind)
        return scores[col.column][rows] if col else pd.Series(np.nan, index=rows, dtype=float)

    responses = pd.DataFrame(
        {
            "external_id": ids[rows],
            "customer": text_of("customer_id"),
            "customer_name": text_of("customer_name"),
            "customer_email": text_of("customer_email"),
            "responded_at": dates[rows] if dates is not None else pd.Series(pd.NaT, index=rows),
            "channel": text_of("channel"),
            "nps": score_of("nps"),
            "csat": score_of("csat"),
            "ces": score_of("ces"),
        },
        index=rows,
    )
    tp_of_row = row_tp[rows] if row_tp is not None else None
    ratings = []
    for col in plan.of_kind("rating"):
        value = scores[col.column][rows]
        tp = pd.Series(col.role.name, index=rows, dtype=object) if col.role.name else tp_of_row
        have = value.notna() & tp.notna()  # type: ignore[union-attr]
        ratings.append(pd.DataFrame({"source_row": rows[have], "touchpoint": tp[have], "score": value[have]}))  # type: ignore[index]
    attributes = []
    for col in plan.of_kind("attribute"):
        value = clean_text(chunk.loc[rows, col.column])
        have = value.notna()
        attributes.append(pd.DataFrame({"source_row": rows[have], "name": col.role.name, "value": value[have]}))
    comments = []
    for col in plan.of_kind("comment"):
        text = texts[col.column][rows]
        have = text.notna()
        if col.role.name:
            tp = pd.Series(col.role.name, index=rows, dtype=object)
        else:
            tp = tp_of_row if tp_of_row is not None else pd.Series(None, index=rows, dtype=object)
        comments.append(
            pd.DataFrame({"source_row": rows[have], "touchpoint": tp[have], "source": col.column, "text": text[have]})
        )
    return ValidChunk(
        responses=responses,
        ratings=_concat(ratings, ["source_row", "touchpoint", "score"]),
        attributes=_concat(attributes, ["source_row", "name", "value"]),
        comments=_concat(comments, ["source_row", "touchpoint", "source", "text"]),
    )


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """Concatenate long frames (an empty frame with ``columns`` when there are none)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    out = pd.concat(frames, ignore_index=True)
    if "touchpoint" in out:
        out["touchpoint"] = out["touchpoint"].astype(object).where(out["touchpoint"].notna(), None)
    return out


def not_rated_warnings(plan: ImportPlan, not_rated: dict[str, int]) -> list[str]:
    """One warning per column whose 0 answers were read as 'not rated', with the number of rows."""
    return [
        t(
            "ingest.zero_not_rated_one" if n == 1 else "ingest.zero_not_rated",
            column=column,
            n=n,
            lo=plan.scales[column][0],
            hi=plan.scales[column][1],
        )
        for column, n in not_rated.items()
        if n
    ]


def mixed_scale_warnings(plan: ImportPlan, above: dict[str, AboveScale]) -> list[str]:
    """A warning per score column whose answers above its scale look like a second, longer scale (at least
    ``MIXED_SCALE_MIN`` of them, two or more whole values up to ``LONGEST_SCALE``): its other answers may be on that
    scale too, and cannot be told apart from the rest."""
    out = []
    for column, a in above.items():
        whole = all(float(v).is_integer() for v in a.values)
        if a.n < MIXED_SCALE_MIN or len(a.values) < 2 or not whole or max(a.values) > LONGEST_SCALE:
            continue
        lo, hi = plan.scales[column]
        values = f"{_fmt(min(a.values))}–{_fmt(max(a.values))}"
        when = (
            t("ingest.mixed_scale_dates", first=f"{a.first:%Y-%m-%d}", last=f"{a.last:%Y-%m-%d}")
            if a.first is not None and a.last is not None
            else ""
        )
        out.append(t("ingest.mixed_scale", column=column, n=a.n, values=values, lo=lo, hi=hi, when=when))
    return out


def preview_import(table: RawTable, mapping: dict[str, str], stored: StoredScales | None = None) -> ImportPreview:
    """What importing ``table`` with ``mapping`` would do: a full validation pass, nothing written (``stored``: the
    scales the target workspace holds, as plan_import takes them)."""
    plan = plan_import(table, mapping, stored)
    seen: set[str] = set()
    rows_read = valid_rows = comments = 0
    rejected: list[Rejection] = []
    touchpoints = dict.fromkeys(plan.touchpoints)
    notes = ImportNotes()
    for chunk in table.chunks():
        valid, rejections = validate_chunk(chunk, plan, seen)
        rows_read += valid.rows_read
        valid_rows += len(valid.responses)
        comments += len(valid.comments)
        rejected.extend(rejections)
        touchpoints.update(dict.fromkeys(valid.touchpoints))
        notes.add(valid)
    return ImportPreview(
        mapping=plan.mapping,
        rows_read=rows_read,
        rows_valid=valid_rows,
        rejected=rejected,
        warnings=plan.warnings + notes.warnings(plan),
        touchpoints=list(touchpoints),
        comments=comments,
        scales=plan.scales,
    )
