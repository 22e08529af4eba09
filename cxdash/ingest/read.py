"""Reading a survey export (CSV/TSV/TXT in any common encoding, or Excel) into a RawTable.

Data rows are streamed in chunks from the file each time they are asked for, so memory stays flat whatever the
file size; only the first SAMPLE_ROWS rows are kept, for role suggestions and previews.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree.ElementTree import ParseError

import numpy as np
import pandas as pd

from cxdash.errors import InputRefused
from cxdash.i18n import t
from cxdash.ingest.headers import HeaderLayout, detect_layout, unique_keys
from cxdash.ingest.sniff import (
    HEAD_BYTES,
    OLE2_MAGIC,
    ZIP_MAGIC,
    Opener,
    binary_kind,
    content_hash,
    decode_head,
    looks_binary,
    parse_records,
    read_head,
    sniff_delimiter,
    sniff_encoding,
)
from cxdash.ingest.table import SAMPLE_ROWS, RawTable

EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xltx", ".xltm")
HEAD_RECORDS = 200  # records looked at to find header rows and the table's width
MAX_HEAD_BYTES = 1 << 24
# What openpyxl/zipfile raise on a damaged workbook.
_BROKEN_WORKBOOK = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, TypeError, OSError, ParseError)


def read_table(source: bytes | Path, file_name: str, sheet: str | None = None) -> RawTable:
    """Read a CSV/TSV/TXT or Excel file into a RawTable; refuse (InputRefused) what is not a usable table."""
    opener = _opener(source, file_name)
    head = read_head(opener)
    if not head.strip(b" \t\r\n\x00") or head in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        raise InputRefused(t("ingest.empty", file=file_name))
    digest = content_hash(opener)
    extension = Path(file_name).suffix.lower()
    if extension == ".xls" or head.startswith(OLE2_MAGIC):
        raise InputRefused(t("ingest.old_excel", file=file_name))
    if extension in EXCEL_EXTENSIONS or head.startswith(ZIP_MAGIC):
        table = _read_excel(opener, file_name, sheet, extension)
    else:
        what = binary_kind(head)
        if what:
            raise InputRefused(t("ingest.not_a_table_kind", file=file_name, what=what))
        table = _read_csv(opener, file_name, head)
    table.content_hash = digest
    return table


def _opener(source: bytes | Path, file_name: str) -> Opener:
    """A function that opens the file's bytes from the start, each time it is called."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        return lambda: io.BytesIO(data)
    path = Path(source)
    if not path.is_file():
        raise InputRefused(t("ingest.not_found", file=file_name, path=path))
    return lambda: path.open("rb")


# ---------------------------------------------------------------------------------------------------- CSV / text


# Excel's first line naming the delimiter ("sep=;"), written by European Excel versions.
_SEP_LINE = re.compile(r"^sep=([,;\t|])[ \t]*(?:\r\n|\n|\r)", re.IGNORECASE)


def _head_records(opener: Opener, encoding: str, file_name: str) -> tuple[list[list[str]], str]:
    """The first records of a text file and its delimiter (reading further when header rows are huge).

    An Excel ``sep=;`` line sets the delimiter and is returned as an empty record (skipped like a blank line).
    """
    size = HEAD_BYTES
    while True:
        head = read_head(opener, size)
        complete = len(head) < size
        text = decode_head(head, encoding, complete)
        if looks_binary(text[:HEAD_BYTES]):
            raise InputRefused(t("ingest.binary_data", file=file_name))
        sep = _SEP_LINE.match(text)
        delimiter = sep.group(1) if sep else sniff_delimiter(text, file_name)
        records = parse_records(text, delimiter, limit=HEAD_RECORDS + 1)
        if sep and records:
            records[0] = []
        if not complete and len(records) <= HEAD_RECORDS:
            records = records[:-1]  # the last record may be cut by the end of the head
        if not complete and size >= MAX_HEAD_BYTES and not any(records):
            raise InputRefused(t("ingest.line_too_long", file=file_name, mb=MAX_HEAD_BYTES >> 20))
        if complete or len(records) >= 8 or size >= MAX_HEAD_BYTES:
            return records, delimiter
        size *= 4


def _empty(cell: Any) -> bool:
    """Whether a cell has no content (None, or only white space)."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _is_blank(row: list[Any]) -> bool:
    """Whether a row has no content at all."""
    return all(map(_empty, row))


#: lines of one cell over a table (a title, a date) that are skipped before its header
MAX_TITLE_ROWS = 3


def _skip_blank(records: list[list[str]], start: int) -> int:
    """The index of the first row from ``start`` on that is not blank (``len(records)`` if none is)."""
    while start < len(records) and _is_blank(records[start]):
        start += 1
    return start


def _filled(row: list[Any]) -> int:
    """How many cells of a row have content."""
    return sum(not _empty(v) for v in row)


def _is_title(records: list[list[str]], row: int) -> bool:
    """Whether a line over the table is a title: one cell, or two on a line of two fields ("顧客満足度調査,出力日:
    2024/06/30") above a wider line of names (no number among them: a data row with an unquoted comma is not a
    header), which a table's own header row cannot be (a table's lines have its width)."""
    filled = _filled(records[row])
    if filled == 1:
        return True
    below = _skip_blank(records, row + 1)
    if filled != 2 or len(records[row]) != 2 or below >= len(records):
        return False
    names = [c for c in records[below] if not _empty(c)]
    return len(names) >= 3 and not any(_NUMBER_CELL.match(str(c).strip()) for c in names)


_NUMBER_CELL = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def _table_starts(records: list[list[str]], row: int) -> bool:
    """Whether the table's header is at ``row`` after one-cell title lines: three cells or more, or two set apart from
    the titles by a blank line (a two-column sheet: 推奨度, ご意見) or under a title line of two fields, the second
    empty (Excel saves every line of a two-column sheet with its two fields: "Survey export,"). Otherwise two cells
    may as well be a comment with a comma under a one-column header ("Comment", then "Hello there, nice shop")."""
    filled = _filled(records[row])
    if filled >= 3:
        return True
    if filled != 2 or row == 0:
        return False
    above = records[row - 1]
    return _is_blank(above) or (len(above) == len(records[row]) == 2 and row + 1 < len(records))


def _layout(records: list[list[str]], file_name: str) -> tuple[int, HeaderLayout, list[str]]:
    """Leading blank rows (and title lines of one cell above a table), the header layout and all column keys (extra
    'Column N' for wider data rows)."""
    lead = _skip_blank(records, 0)
    if lead == len(records):
        raise InputRefused(t("ingest.all_rows_empty", file=file_name))
    row, titles = lead, 0  # title lines over the table ("2024年度 顧客満足度調査", "集計日: 4月1日"), one cell each
    while row < len(records) and titles < MAX_TITLE_ROWS and _is_title(records, row):
        row, titles = _skip_blank(records, row + 1), titles + 1
    if titles and row < len(records) and _table_starts(records, row):
        lead = row
    layout = detect_layout(records[lead : lead + 3])
    width = max([len(layout.columns)] + [len(r) for r in records[lead:]])
    names = layout.columns + [""] * (width - len(layout.columns))
    return lead, layout, unique_keys(names)


def _clean_chunk(chunk: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Text cells as str, empty and missing cells (and cells of only spaces) as None, all-empty rows dropped; columns
    renamed to keys. ``chunk``: the parser's cells as Python str ("" where a row had fewer fields)."""
    cells = chunk.to_numpy(dtype=object, copy=True).T  # a row per column (the parser's frame is one block of them)
    try:
        spaces = np.fromiter(map(str.isspace, cells.ravel()), bool, cells.size).reshape(cells.shape)
    except TypeError:  # a cell that is not a str (the parser gives "" for a missing field; kept in case it does not)
        cells[pd.isna(cells)] = ""
        spaces = np.fromiter(map(str.isspace, cells.ravel()), bool, cells.size).reshape(cells.shape)
    filled = cells != ""
    filled &= ~spaces
    rows = filled.any(axis=0)
    cells[~filled] = None
    return pd.DataFrame(cells[:, rows].T, index=chunk.index[rows], columns=columns, dtype=object)


_PARSER_ROW = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_OPEN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")  # pandas counts rows from 0


@dataclass
class _Head:
    """The first data rows of a text table as the sample read them: cleaned, with how many records (header rows
    included) they were read from. Each later read of the table starts after them instead of parsing them again."""

    rows: pd.DataFrame
    records: int


def _csv_chunks(
    opener: Opener,
    file_name: str,
    encoding: str,
    delimiter: str,
    columns: list[str],
    skip: int,
    size: int,
    head: _Head | None = None,
    read: list[int] | None = None,
) -> Iterator[pd.DataFrame]:
    """Data rows of a text table in frames of at most ``size`` rows (the first frame: ``size`` rows besides the header
    rows, so that a sample of ``size`` rows is one read); index = 1-based row number in the file.

    ``head``: the first rows, read already: the first frame is they and the rows after them (``size`` records in
    all), and the parser skips their records without making values of them. ``read``: set to how many records
    have been read."""
    if head is not None and (len(head.rows) > size or size + skip <= head.records):
        head = None  # frames smaller than the head: read as usual
    position = 0 if head is None else head.records  # records read
    want = max(1, size + skip - position)  # records in the first read: ``size`` data rows in the first frame
    with opener() as handle:
        try:
            try:
                reader: Any = pd.read_csv(
                    handle,
                    sep=delimiter,
                    header=None,
                    names=list(range(len(columns))),
                    index_col=False,
                    dtype=object,  # Python str as parsed: no round trip through pandas' Arrow strings
                    keep_default_na=False,
                    na_filter=False,  # every cell a str: "" for an empty or missing one
                    skip_blank_lines=False,
                    encoding=encoding,
                    chunksize=max(1, size),
                    skiprows=position,
                )
            except pd.errors.EmptyDataError:  # no record after the head
                reader = None
            while reader is not None:
                try:
                    chunk = reader.get_chunk(want)
                except StopIteration:
                    break
                want = max(1, size)
                chunk.index = pd.RangeIndex(position + 1, position + 1 + len(chunk))
                position += len(chunk)
                if read is not None:
                    read[:] = [position]
                if position <= skip:
                    continue
                frame = _clean_chunk(chunk[chunk.index > skip], columns)
                if delimiter == ";":  # European Excel: "4,5" is four and a half
                    frame = _decimal_commas(frame)
                if head is not None:
                    frame, head = pd.concat([head.rows, frame]), None
                if len(frame):
                    yield frame
            if head is not None:  # no record after it
                yield head.rows.copy()  # a frame of its own: a caller may change it
        except pd.errors.ParserError as error:
            raise _parser_refusal(file_name, str(error), len(columns)) from None
        except UnicodeDecodeError:  # sniffing decoded the whole file, so only a file changed under us gets here
            raise InputRefused(t("ingest.undecodable_rows", file=file_name, row=position + 1)) from None


_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def _decimal_commas(frame: pd.DataFrame) -> pd.DataFrame:
    """A semicolon-separated file's cells that are numbers with a decimal comma ("4,5", written by Excel where the
    comma is the decimal mark) with a decimal point instead; every other cell as it was."""
    for column in frame.columns:
        cells = frame[column]
        found = [
            i
            for i, v in enumerate(cells.to_numpy(dtype=object))
            if v is not None and "," in v and _DECIMAL_COMMA.match(v)
        ]
        if found:
            fixed = cells.copy()
            fixed.iloc[found] = [str(v).replace(",", ".") for v in cells.iloc[found]]
            frame[column] = fixed
    return frame


def _parser_refusal(file_name: str, message: str, width: int) -> InputRefused:
    """A refusal naming the row pandas could not parse."""
    match = _PARSER_ROW.search(message)
    if match:
        return InputRefused(
            t("ingest.ragged_row", file=file_name, row=match.group(2), cells=match.group(3), width=width)
        )
    quote = _OPEN_QUOTE.search(message)
    if quote:
        return InputRefused(t("ingest.open_quote", file=file_name, row=int(quote.group(1)) + 1))
    return InputRefused(t("ingest.bad_csv", file=file_name, detail=message.strip()))


def _read_csv(opener: Opener, file_name: str, head: bytes) -> RawTable:
    """A RawTable over a delimited text file."""
    encoding = sniff_encoding(opener, head, file_name)
    records, delimiter = _head_records(opener, encoding, file_name)
    lead, layout, columns = _layout(records, file_name)
    skip = lead + layout.header_rows

    sampled: _Head | None = None  # the sample's rows, once read

    def chunk_source(size: int) -> Iterator[pd.DataFrame]:
        return _csv_chunks(opener, file_name, encoding, delimiter, columns, skip, size, sampled)

    read: list[int] = [0]

    def sample_source(size: int) -> Iterator[pd.DataFrame]:
        return _csv_chunks(opener, file_name, encoding, delimiter, columns, skip, size, read=read)

    rows = _sample_rows(sample_source, columns)
    sample = rows.iloc[:SAMPLE_ROWS]
    _refuse_if_no_rows(sample, records, skip, file_name)
    sampled = _Head(rows, max(read[0], skip))
    return RawTable(
        file_name=file_name,
        columns=columns,
        sample=sample,
        chunk_source=chunk_source,
        questions=layout.questions,
        header_rows=layout.header_rows,
        encoding=encoding,
        delimiter=delimiter,
        source=layout.source,
    )


def _sample(chunk_source: Any, columns: list[str]) -> pd.DataFrame:
    """The first SAMPLE_ROWS non-empty data rows."""
    return _sample_rows(chunk_source, columns).iloc[:SAMPLE_ROWS]


def _sample_rows(chunk_source: Any, columns: list[str]) -> pd.DataFrame:
    """The non-empty data rows of the chunks read to find the first SAMPLE_ROWS of them (all of those chunks' rows)."""
    parts: list[pd.DataFrame] = []
    count = 0
    chunks = chunk_source(SAMPLE_ROWS)
    try:
        for part in chunks:
            parts.append(part)
            count += len(part)
            if count >= SAMPLE_ROWS:
                break
    finally:
        chunks.close()
    if not parts:
        return pd.DataFrame(columns=columns, dtype=object)
    return pd.concat(parts)


def _refuse_if_no_rows(sample: pd.DataFrame, records: list[list[Any]], skip: int, file_name: str) -> None:
    """Refuse a table with a header but no data, or whose data rows are all empty."""
    if len(sample):
        return
    if len(records) > skip:
        raise InputRefused(t("ingest.data_rows_empty", file=file_name))
    raise InputRefused(t("ingest.header_only", file=file_name))


# ---------------------------------------------------------------------------------------------------------- Excel


class _Workbook:
    """An openpyxl workbook opened read-only, closed with its file handle on exit."""

    def __init__(self, opener: Opener, file_name: str, extension: str) -> None:
        self.handle: BinaryIO = opener()
        try:
            from openpyxl import load_workbook

            self.book = load_workbook(self.handle, read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 — any failure to parse an untrusted workbook is the file's fault
            self.handle.close()
            if extension in EXCEL_EXTENSIONS:
                raise InputRefused(t("ingest.bad_workbook", file=file_name)) from None
            raise InputRefused(t("ingest.zip_archive", file=file_name)) from None

    def __enter__(self) -> _Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.book.close()
        self.handle.close()


def _text(value: Any) -> str:
    """A cell value as header text."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows(book: Any, sheet: str) -> Iterator[tuple[Any, ...]]:
    """The rows of a sheet from row 1, as value tuples."""
    worksheet = book[sheet]
    if worksheet.max_column is None:
        worksheet.reset_dimensions()
    return worksheet.iter_rows(values_only=True)


def _head_rows(book: Any, sheet: str) -> list[list[str]]:
    """The first rows of a sheet as header text."""
    head: list[list[str]] = []
    for values in _rows(book, sheet):
        cells = [_text(v) for v in values]
        while cells and not cells[-1].strip():  # formatting left on unused columns makes rows look wider
            cells.pop()
        head.append(cells)
        if len(head) >= HEAD_RECORDS:
            break
    return head


def _choose_sheet(book: Any, file_name: str, sheet: str | None) -> tuple[str, list[list[str]]]:
    """The sheet asked for (or the first visible one with data) and its head rows."""
    names: list[str] = list(book.sheetnames)
    listed = ", ".join(f"'{n}'" for n in names)
    if sheet is not None:
        match = [n for n in names if n == sheet] or [n for n in names if n.strip().lower() == sheet.strip().lower()]
        if not match:
            raise InputRefused(t("ingest.no_such_sheet", file=file_name, sheet=sheet, sheets=listed))
        head = _head_rows(book, match[0])
        if not any(any(c.strip() for c in row) for row in head):
            raise InputRefused(t("ingest.sheet_empty", file=file_name, sheet=match[0], sheets=listed))
        return match[0], head
    visible = [n for n in names if getattr(book[n], "sheet_state", "visible") == "visible"]
    for name in visible + [n for n in names if n not in visible]:  # a hidden sheet (a master list) last
        head = _head_rows(book, name)
        if any(any(c.strip() for c in row) for row in head):
            return name, head
    raise InputRefused(t("ingest.all_sheets_empty", file=file_name))


#: a sheet whose XML is larger than this is not searched for merged cells (survey tools' exports merge none; the
#: reports Japanese teams build by hand, which do, are small)
MERGED_SEARCH_BYTES = 20 * 1024 * 1024
_MERGE_CELL = re.compile(rb'<mergeCell ref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')


def _vertical_merges(
    book: Any, sheet: str, skip: int, first: int, width: int
) -> tuple[dict[int, list[tuple[int, int]]], dict[int, list[int]]]:
    """The cells merged down one column of the table's body (a store written once beside its ten rows): per sheet row
    a merge covers below its first, the (column position in the table, first row) of each such merge; and per first
    row, the positions its merges start at. Ranges across columns are left alone: a comment merged over three cells
    is one comment."""
    covered: dict[int, list[tuple[int, int]]] = {}
    starts: dict[int, list[int]] = {}
    try:
        path = book[sheet]._worksheet_path
        archive = book._archive
        if archive.getinfo(path).file_size > MERGED_SEARCH_BYTES:
            return covered, starts
        xml = archive.read(path)
    except (AttributeError, KeyError, OSError):  # another workbook reader, or no such part: nothing merged to fill
        return covered, starts
    for col1, row1, col2, row2 in _MERGE_CELL.findall(xml):
        top, bottom = int(row1), int(row2)
        position = _column_number(col1.decode()) - 1 - first
        if col1 != col2 or bottom <= top or top <= skip or not 0 <= position < width:
            continue
        starts.setdefault(top, []).append(position)
        for number in range(top + 1, bottom + 1):
            covered.setdefault(number, []).append((position, top))
    return covered, starts


def _column_number(letters: str) -> int:
    """Excel's column letters as a 1-based number (A = 1, AA = 27)."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _excel_chunks(
    opener: Opener, file_name: str, extension: str, sheet: str, columns: list[str], skip: int, first: int, size: int
) -> Iterator[pd.DataFrame]:
    """Data rows of a sheet in frames of at most ``size`` rows; index = 1-based row number in the sheet.

    ``first`` is the 0-based position of the table's first column (empty columns on its left are left out).
    """
    width = len(columns)
    rows: list[list[Any]] = []
    numbers: list[int] = []

    def frame() -> pd.DataFrame:
        return pd.DataFrame(rows, columns=columns, index=pd.Index(numbers, dtype="int64"), dtype=object)

    with _Workbook(opener, file_name, extension) as workbook:
        covered, starts = _vertical_merges(workbook.book, sheet, skip, first, width)
        tops: dict[tuple[int, int], Any] = {}  # (first row, column position) of a merge → its value
        try:
            for number, values in enumerate(_rows(workbook.book, sheet), start=1):
                if number <= skip:
                    continue
                row = [None if isinstance(v, str) and not v.strip() else v for v in values[first : first + width]]
                if covered:  # the merges' first cells are kept, the cells they cover below get their value
                    row += [None] * (width - len(row))
                    for position in starts.get(number, ()):
                        tops[(number, position)] = row[position]
                    for position, top in covered.get(number, ()):
                        if row[position] is None:
                            row[position] = tops.get((top, position))
                if all(v is None for v in row):
                    continue
                rows.append(row + [None] * (width - len(row)))
                numbers.append(number)
                if len(rows) >= size:
                    yield frame()
                    rows, numbers = [], []
        except _BROKEN_WORKBOOK:
            raise InputRefused(t("ingest.sheet_damaged", file=file_name, sheet=sheet)) from None
        if rows:
            yield frame()


def _read_excel(opener: Opener, file_name: str, sheet: str | None, extension: str) -> RawTable:
    """A RawTable over one sheet of an Excel workbook: the one asked for, else the first with data, unless that one
    has nothing to measure (a summary sheet 集計, a read-me) and a later sheet has: then that later sheet, with a
    note saying so."""
    with _Workbook(opener, file_name, extension) as workbook:
        sheets = list(workbook.book.sheetnames)
        try:
            chosen, head = _choose_sheet(workbook.book, file_name, sheet)
        except _BROKEN_WORKBOOK:
            raise InputRefused(t("ingest.workbook_damaged", file=file_name)) from None
    table = _read_sheet(opener, file_name, extension, chosen, head, sheets)
    if sheet is not None or len(sheets) < 2 or _measurable(table):
        return table
    for later in sheets[sheets.index(chosen) + 1 :]:
        try:
            with _Workbook(opener, file_name, extension) as workbook:
                later_head = _head_rows(workbook.book, later)
            if not any(any(c.strip() for c in row) for row in later_head):
                continue
            other = _read_sheet(opener, file_name, extension, later, later_head, sheets)
        except (InputRefused, *_BROKEN_WORKBOOK):
            continue
        if _measurable(other):
            other.notes.append(t("ingest.sheet_passed_over", file=file_name, sheet=later, first=chosen))
            return other
    return table


def _measurable(table: RawTable) -> bool:
    """Whether the roles suggested for a table include something to measure (a score, a rating or comments)."""
    from cxdash.ingest.suggest import suggest_roles

    measures = ("nps", "csat", "ces", "rating", "comment")
    return any(role.split(":")[0].split(" ")[0] in measures for role in suggest_roles(table).values())


def _read_sheet(
    opener: Opener, file_name: str, extension: str, chosen: str, head: list[list[str]], sheets: list[str]
) -> RawTable:
    """A RawTable over the sheet ``chosen``, whose first rows are ``head``."""
    first = min(next(i for i, c in enumerate(row) if c.strip()) for row in head if any(c.strip() for c in row))
    head = [row[first:] for row in head]
    lead, layout, columns = _layout(head, file_name)
    skip = lead + layout.header_rows

    def chunk_source(size: int) -> Iterator[pd.DataFrame]:
        return _excel_chunks(opener, file_name, extension, chosen, columns, skip, first, size)

    sample = _sample(chunk_source, columns)
    _refuse_if_no_rows(sample, head, skip, file_name)
    return RawTable(
        file_name=file_name,
        columns=columns,
        sample=sample,
        chunk_source=chunk_source,
        questions=layout.questions,
        header_rows=layout.header_rows,
        sheet=chosen,
        sheets=sheets,
        source=layout.source,
    )
