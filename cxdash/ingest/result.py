"""What an import reports: rejected rows with their reasons, and the outcome of a load."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Rejection:
    """One rejected row: file row number (as a spreadsheet shows it), column, the value as read, and why."""

    row: int
    column: str
    value: str
    reason: str


def rows_rejected(rejected: list[Rejection]) -> int:
    """How many rows the rejections are about: a row with two problems is one row."""
    return len({r.row for r in rejected})


@dataclass(frozen=True)
class RejectionGroup:
    """Rejected rows that share a column and a reason, whatever their value: how many, and the first of them."""

    column: str
    reason: str  # without the value: "… is outside 0–10"
    rows: int
    first_row: int
    example: str  # the first row's value


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _reason_shape(rejection: Rejection) -> str:
    """The reason without its value ("… is outside 0–10"), so that rows rejected for one cause group together."""
    value, reason = rejection.value.strip(), rejection.reason
    if value and value in reason:
        return reason.replace(value, "…", 1)
    return _NUMBER.sub("…", reason, count=1) if _NUMBER.fullmatch(value.replace(",", "")) else reason


def group_rejections(rejected: list[Rejection]) -> list[RejectionGroup]:
    """Rejected rows grouped by column and reason, the most frequent first: a file with 7,000 unrated tickets and
    three typos reads as two lines, not a list to scroll."""
    groups: dict[tuple[str, str], list[Rejection]] = {}
    for rejection in rejected:
        groups.setdefault((rejection.column, _reason_shape(rejection)), []).append(rejection)
    out = []
    for (column, shape), rows in groups.items():
        first = min(rows, key=lambda r: r.row)
        out.append(RejectionGroup(column, shape, len(rows), first.row, first.value))
    return sorted(out, key=lambda g: (-g.rows, g.first_row))


@dataclass
class ImportPreview:
    """What an import would do, computed before anything is written."""

    mapping: dict[str, str]
    rows_read: int
    rows_valid: int
    rejected: list[Rejection]
    warnings: list[str] = field(default_factory=list)
    touchpoints: list[str] = field(default_factory=list)
    comments: int = 0
    scales: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass
class ImportResult:
    """The outcome of ``import_table``/``import_file``: the CLI prints ``to_json()``."""

    status: str  # imported | unchanged | rejected
    batch_id: int | None
    rows_read: int
    responses: int
    comments: int
    touchpoints: int
    rejected_rows: list[Rejection]
    mapping: dict[str, str]
    encoding: str | None
    header_rows: int
    responses_updated: int = 0
    warnings: list[str] = field(default_factory=list)
    message: str = ""
    personal_data_kept: bool = False  # comments not masked; customer name/e-mail columns stored
    masked: dict[str, int] = field(default_factory=dict)  # e-mail/phone/card items replaced, and comments touched
    contact_columns_dropped: list[str] = field(default_factory=list)  # name/e-mail columns not stored
    forgotten_rows: int = 0  # rows skipped: their customer was forgotten at their request (the suppression list)
    forgotten_customers: int = 0
    scales: dict[str, tuple[int, int]] = field(default_factory=dict)  # each score column's scale, as it was read

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["rejected_rows"] = [asdict(r) for r in self.rejected_rows]
        data["scales"] = {column: list(scale) for column, scale in self.scales.items()}
        return data
