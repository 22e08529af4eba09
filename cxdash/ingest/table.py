"""The contract between reading a file and the rest of the import: a RawTable.

A RawTable knows its columns, what the header rows said about them, a sample for suggesting roles and previews,
and can stream the data rows in chunks so that memory stays flat in the file size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pandas as pd

SAMPLE_ROWS = 5_000
CHUNK_ROWS = 40_000  # rows validated and written at a time (bench/bench_import.py: 20k was 5% slower)


@dataclass
class RawTable:
    """A table read from a file, before roles are applied.

    ``columns`` are unique column keys (what a saved mapping refers to); ``questions`` gives, per column, the
    readable text the header rows carried (a Qualtrics question text, a SurveyMonkey matrix row label joined to
    its question) — used to suggest roles and to name touchpoints. Cells are raw: ``str`` for CSV (empty cells
    are ``None``), Python values (``int``/``float``/``datetime``/``str``/``None``) for Excel.
    Every chunk's index is the 1-based row number in the file, as a spreadsheet shows it.
    """

    file_name: str
    columns: list[str]
    sample: pd.DataFrame
    chunk_source: Callable[[int], Iterator[pd.DataFrame]]
    questions: dict[str, str] = field(default_factory=dict)
    header_rows: int = 1
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    source: str = "generic"  # qualtrics | surveymonkey | google_forms | generic
    content_hash: str = ""
    japanese_sample: bool | None = field(default=None, repr=False)  # the sample has Japanese comments (asked once)
    notes: list[str] = field(default_factory=list)  # what the reading chose for the user (another sheet than the first)

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
        """The data rows in frames of at most ``size`` rows, columns = ``self.columns``, index = file row number."""
        return self.chunk_source(size)

    def label(self, column: str) -> str:
        """The readable name of a column: its question text when the header rows gave one, else its key."""
        return self.questions.get(column) or column

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, file_name: str = "table.csv", **kwargs: object) -> RawTable:
        """A RawTable over an in-memory frame (tests, demo generation); row numbers start at 2 (one header row)."""
        header_rows = int(kwargs.pop("header_rows", 1))  # type: ignore[call-overload]
        data = frame.astype(object).where(frame.notna(), None)
        data.columns = [str(c) for c in data.columns]
        data.index = pd.RangeIndex(header_rows + 1, header_rows + 1 + len(data))

        def source(size: int) -> Iterator[pd.DataFrame]:
            for start in range(0, len(data), size):
                yield data.iloc[start : start + size]

        return cls(
            file_name=file_name,
            columns=list(data.columns),
            sample=data.iloc[:SAMPLE_ROWS],
            chunk_source=source,
            header_rows=header_rows,
            **kwargs,  # type: ignore[arg-type]
        )
