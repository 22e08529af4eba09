"""What an import reports: rejected rows with their reasons, and the outcome of a load."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Rejection:
    """One rejected row: file row number (as a spreadsheet shows it), column, the value as read, and why."""

    row: int
    column: str
    value: str
    reason: str


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
