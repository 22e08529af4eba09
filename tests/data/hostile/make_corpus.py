"""Generate the corpus of hostile and broken input files (issue #6) that tests/integration/test_hostile_input.py
runs through the import: ``python tests/data/hostile/make_corpus.py`` rewrites every file in this folder.

Every file is made from fixed bytes or a seeded generator (no timestamps: the workbooks are zipped by hand with a
fixed date), so a fresh run gives byte-identical files; a test checks that. The corpus stays small (< 1 MB); the
"enormous single line" is made at test time (``enormous_line``) instead of being committed.
"""

from __future__ import annotations

import csv
import io
import random
import sys
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
SEED = 6  # issue #6

# Payloads that set window.__pwned if any of them ever runs as HTML/JS, and text Markdown or a template would change.
IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=1</script>"
SVG = '"><svg onload="window.__pwned=1">'
JS_LINK = "javascript:window.__pwned=1"
MD_LINK = "[click here](javascript:window.__pwned=1)"
TEMPLATE = "{{7*7}} ${7*7} <%= 7*7 %> **bold** _it_ `code` $x^2$ :red[red]"
FORMULA = "=cmd|' /C calc'!A0"
PAYLOADS = (IMG, SCRIPT, SVG, JS_LINK, MD_LINK, TEMPLATE, FORMULA)

FileMaker = Callable[[], bytes]


def csv_bytes(rows: Sequence[Sequence[object]], newline: str = "\r\n", encoding: str = "utf-8") -> bytes:
    """Rows as CSV (quoted where needed) in ``encoding``."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerows(rows)
    return buffer.getvalue().encode(encoding)


def survey_rows(n: int, rng: random.Random) -> list[list[object]]:
    """A small well-formed survey (header + n rows): id, date, NPS, a rating, a comment, a segment."""
    rows: list[list[object]] = [["ResponseID", "Date", "NPS", "Delivery rating", "Comment", "Plan"]]
    for i in range(n):
        rows.append(
            [
                f"r{i + 1}",
                f"2024-03-{1 + i % 28:02d}",
                rng.randint(0, 10),
                rng.randint(1, 5),
                rng.choice(["Fast delivery, thank you", "The parcel was late again", "Support never called back"]),
                rng.choice(["Free", "Pro"]),
            ]
        )
    return rows


# ------------------------------------------------------------------------------------------------ workbooks


def _cell_xml(ref: str, value: object) -> str:
    """One <c> element: numbers as numbers, ('=', formula, cached) as a formula, anything else as inline text."""
    if value is None:
        return ""
    if isinstance(value, tuple) and value and value[0] == "=":
        _, formula, cached = value
        kind = ' t="e"' if isinstance(cached, str) and cached.startswith("#") else ""  # an error value (#DIV/0!)
        cached_xml = "" if cached is None else f"<v>{escape(str(cached))}</v>"
        return f'<c r="{ref}"{kind}><f>{escape(str(formula))}</f>{cached_xml}</c>'
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = escape(str(value))
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def xlsx_bytes(rows: Sequence[Sequence[object]], sheet: str = "Responses") -> bytes:
    """A minimal .xlsx workbook (one sheet, inline strings, formulas with or without a cached value).

    Zipped by hand with a fixed date so the bytes are reproducible (openpyxl stamps the current time).
    """
    cells = "".join(
        f'<row r="{r + 1}">'
        + "".join(_cell_xml(f"{_column_letter(c)}{r + 1}", v) for c, v in enumerate(row))
        + "</row>"
        for r, row in enumerate(rows)
    )
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    pkg = "http://schemas.openxmlformats.org/package/2006"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{pkg}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/relationships">'
            f'<Relationship Id="rId1" Type="{office}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rel_ns}><sheets>'
            f'<sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/relationships">'
            f'<Relationship Id="rId1" Type="{office}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>{cells}</sheetData></worksheet>'
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def _rezip(data: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    """The workbook with each part passed through ``change`` (same fixed dates)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            archive.writestr(info, change(info.filename, source.read(info.filename)))
    return out.getvalue()


# ------------------------------------------------------------------------------------------------ the files


def empty() -> bytes:
    return b""


def bom_only() -> bytes:
    return b"\xef\xbb\xbf"


def whitespace_only() -> bytes:
    return b" \r\n\t\r\n   \n\n"


def binary_random() -> bytes:
    return random.Random(SEED).randbytes(4096)


def pdf_renamed() -> bytes:
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def png_renamed() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def zip_renamed() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("notes.txt", date_time=(2024, 1, 1, 0, 0, 0)), "not a workbook")
    return buffer.getvalue()


def old_format() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def truncated_xlsx() -> bytes:
    """A good workbook cut at 60% of its bytes (an interrupted download)."""
    data = xlsx_bytes(survey_rows(300, random.Random(SEED)))
    return data[: len(data) * 3 // 5]


def truncated_sheet_xlsx() -> bytes:
    """A whole zip whose sheet XML stops in the middle of a row (a tool that crashed while writing)."""
    data = xlsx_bytes(survey_rows(300, random.Random(SEED)))

    def cut(name: str, part: bytes) -> bytes:
        return part[: len(part) // 2] if name.endswith("sheet1.xml") else part

    return _rezip(data, cut)


def utf8_bom_but_cp932() -> bytes:
    """Declares UTF-8 (a byte-order mark) but the text is Shift_JIS from Japanese Excel."""
    rows = [["回答ID", "推奨度", "コメント"], ["1", "9", "配送が早くて満足です"], ["2", "3", "対応が遅い"]]
    return b"\xef\xbb\xbf" + csv_bytes(rows, encoding="cp932")


def utf16_bom_but_utf8() -> bytes:
    """Declares UTF-16 (a byte-order mark) but the text is UTF-8."""
    return b"\xff\xfe" + csv_bytes(survey_rows(20, random.Random(SEED)))


def utf8_bad_byte() -> bytes:
    """Japanese UTF-8 with one stray byte on line 4 (a file cut and glued together)."""
    rows = [["回答ID", "推奨度", "コメント"]] + [[str(i), str(i % 11), "配送が早くて満足です"] for i in range(1, 9)]
    data = csv_bytes(rows)
    line4 = data.index(b"3,3")
    return data[:line4] + b"\xff" + data[line4:]


def cp932_named_utf8() -> bytes:
    """Japanese Excel's CSV (cp932, with 髙 and ①) under a name that says UTF-8: sniffed and read right."""
    rows = [["回答ID", "推奨度", "コメント", "店舗"]]
    rows += [[str(i), str(i % 11), f"髙橋さんの対応①が丁寧でした {i}", ["渋谷", "梅田"][i % 2]] for i in range(1, 13)]
    return csv_bytes(rows, encoding="cp932")


def thousand_columns() -> bytes:
    """1,000 columns: an id, NPS, a comment and 997 segment-like columns, 25 rows."""
    rng = random.Random(SEED)
    header = ["ResponseID", "NPS", "Comment"] + [f"Extra field {i}" for i in range(1, 998)]
    rows: list[list[object]] = [header]
    for r in range(25):
        rows.append([f"r{r}", r % 11, f"Comment number {r} about delivery"] + [rng.choice("ABC") for _ in range(997)])
    return csv_bytes(rows)


def formula_cells_xlsx() -> bytes:
    """Formulas as Excel saves them (with a cached value) and as scripts write them (no cached value), and text
    cells that would be formulas if a spreadsheet ran them."""
    rows: list[list[object]] = [["ResponseID", "NPS", "Delivery rating", "Comment"]]
    rows.append(["r1", ("=", "4+5", 9), 4, FORMULA])
    rows.append(["r2", ("=", "2*5", None), 3, '=HYPERLINK("http://example.invalid","click")'])
    rows.append(["r3", 7, ("=", "SUM(1,2)", 3), "+1+1"])
    rows.append(["r4", 10, 5, "-2+3"])
    rows.append(["r5", 8, 4, "@SUM(A1:A2)"])
    rows.append(["r6", ("=", "1/0", "#DIV/0!"), 2, "\t=1+1"])
    return xlsx_bytes(rows)


def html_js_everywhere() -> bytes:
    """XSS payloads in every text field: column names (so touchpoint and segment names), ids, channel, segments,
    comments."""
    header = ["ResponseID", "Customer ID", "Date", "Channel", "NPS", f"Rating - {IMG}", f"Rating - {SCRIPT}",
              f"Comment {SVG}", "Plan"]  # fmt: skip
    rows: list[list[object]] = [header]
    for i, payload in enumerate(PAYLOADS * 3):
        rows.append(
            [
                f"{payload} #{i}",
                payload,
                f"2024-04-{1 + i:02d}",
                PAYLOADS[(i + 1) % len(PAYLOADS)],
                i % 11,
                1 + i % 5,
                1 + (i + 2) % 5,
                f"Comment {i}: {payload} and more words here",
                PAYLOADS[i % 3],
            ]
        )
    return csv_bytes(rows)


def nul_bytes() -> bytes:
    """A UTF-8 CSV with stray NUL bytes inside two cells (a broken export tool)."""
    data = csv_bytes(survey_rows(12, random.Random(SEED)))
    lines = data.split(b"\r\n")
    lines[3] = lines[3].replace(b",", b"\x00,", 1)
    lines[7] = lines[7] + b"\x00\x00"
    return b"\r\n".join(lines)


def mixed_line_endings() -> bytes:
    """CRLF, LF and CR line endings in one file, and a quoted comment with a line break inside."""
    text = (
        "ResponseID,NPS,Comment\r\n"
        "r1,9,Great service\n"
        "r2,3,Slow delivery\r"
        'r3,10,"Two lines\r\nin one comment"\r\n'
        "r4,6,Okay\n"
        "r5,8,Fine\r"
    )
    return text.encode("utf-8")


def dates_five_formats() -> bytes:
    """One date column written in five layouts (ISO, y/m/d, Japanese, m/d/y, d.m.y), plus two that are no date."""
    dates = [
        "2024-03-01", "2024-03-02T10:15:00", "2024/03/03", "2024/03/04 08:30", "2024年3月5日", "2024年3月6日 9:00",
        "03/07/2024", "3/8/2024", "09.03.2024", "10.03.2024", "next Tuesday", "2024-02-30",
    ]  # fmt: skip
    rows: list[list[object]] = [["ResponseID", "Date", "NPS"]]
    rows += [[f"r{i + 1}", d, i % 11] for i, d in enumerate(dates)]
    return csv_bytes(rows)


def ragged_rows() -> bytes:
    """A comment with an unquoted comma on row 252: more cells than the header and the 250 rows above."""
    good = "".join(f"r{i},{i % 11},Good\r\n" for i in range(1, 251))
    return f"ResponseID,NPS,Comment\r\n{good}r251,7,Good, but slow\r\nr252,8,Fine\r\n".encode()


def unterminated_quote() -> bytes:
    """A quote opened on row 3 and never closed (a file cut short)."""
    return b'ResponseID,NPS,Comment\r\nr1,9,Good\r\nr2,3,"It started well and then\r\nr3,7,Fine\r\n'


def header_only() -> bytes:
    return b"ResponseID,NPS,Comment\r\n"


def no_score_column() -> bytes:
    """Ids and dates only: nothing to measure."""
    return csv_bytes([["ResponseID", "Date"]] + [[f"r{i}", f"2024-01-{i:02d}"] for i in range(1, 9)])


def all_scores_invalid() -> bytes:
    """An NPS column none of whose answers is a number 0–10."""
    values = ["11", "-1", "inf", "nan", "1e309", "ten", "99999999999999999999", "1,5", "١٠"]
    return csv_bytes([["ResponseID", "NPS"]] + [[f"r{i}", v] for i, v in enumerate(values, start=1)])


def scores_garbage() -> bytes:
    """Good answers mixed with every kind of bad one: each bad row is reported, the good ones imported."""
    values = ["9", "１０", "10 - Extremely likely", "7.0", "N/A", "11", "-1", "inf", "nan", "1e309", "5.5", "abc",
              "99999999999999999999", "", "3", "0"]  # fmt: skip
    rows: list[list[object]] = [["ResponseID", "NPS", "Comment"]]
    rows += [[f"r{i}", v, "ok" if v == "" else ""] for i, v in enumerate(values, start=1)]
    return csv_bytes(rows)


def duplicate_ids_and_headers() -> bytes:
    """Two columns named NPS, blank header cells, and a response id that repeats."""
    rows = [["ResponseID", "NPS", "NPS", "", "Comment", ""]]
    rows += [
        ["r1", "9", "8", "x", "first", ""],
        ["r2", "7", "6", "y", "second", ""],
        ["r1", "3", "2", "z", "again", ""],
    ]
    return csv_bytes(rows)


def control_characters() -> bytes:
    """Comments with terminal escapes, a right-to-left override, zero-width and bidi characters, emoji."""
    texts = ["\x1b[31mred alert\x1b[0m", "abc\u202edcba", "zero\u200bwidth\u2060joiner", "家族 👨‍👩‍👧 と来店 🎉",
             "tab\there", "form\x0cfeed"]  # fmt: skip
    rows: list[list[object]] = [["ResponseID", "NPS", "Comment"]]
    rows += [[f"r{i}", str(i % 11), t] for i, t in enumerate(texts, start=1)]
    return csv_bytes(rows)


def huge_cell() -> bytes:
    """One comment of 300,000 characters (beyond Python's csv field limit) in an otherwise normal file."""
    rows = survey_rows(6, random.Random(SEED))
    rows[3][4] = "very long comment " * 16_667
    return csv_bytes(rows)


def excel_sep_line() -> bytes:
    """Excel's 'sep=;' first line (written by European Excel) before a semicolon-separated table."""
    table = "ResponseID;NPS;Comment\r\nr1;9;Good\r\nr2;3;Slow\r\nr3;10;Great\r\n"
    return ("sep=;\r\n" + table).encode("utf-8")


def blank_lines_and_spacers() -> bytes:
    """Blank lines before the header, between rows and at the end; cells of spaces (a hand-edited export)."""
    text = "\r\n\r\n,,\r\nResponseID,NPS,Comment\r\nr1,9,Good\r\n\r\n , , \r\nr2,  ,   \r\nr3,4,Slow\r\n\r\n\r\n"
    return text.encode("utf-8")


CORPUS: dict[str, FileMaker] = {
    "empty.csv": empty,
    "bom_only.csv": bom_only,
    "whitespace_only.csv": whitespace_only,
    "binary_random.csv": binary_random,
    "pdf_renamed.csv": pdf_renamed,
    "png_renamed.xlsx": png_renamed,
    "zip_renamed.xlsx": zip_renamed,
    "old_format.xls": old_format,
    "truncated.xlsx": truncated_xlsx,
    "truncated_sheet.xlsx": truncated_sheet_xlsx,
    "utf8_bom_but_cp932.csv": utf8_bom_but_cp932,
    "utf16_bom_but_utf8.csv": utf16_bom_but_utf8,
    "utf8_bad_byte.csv": utf8_bad_byte,
    "cp932_named_utf8.csv": cp932_named_utf8,
    "thousand_columns.csv": thousand_columns,
    "formula_cells.xlsx": formula_cells_xlsx,
    "html_js_everywhere.csv": html_js_everywhere,
    "nul_bytes.csv": nul_bytes,
    "mixed_line_endings.csv": mixed_line_endings,
    "dates_five_formats.csv": dates_five_formats,
    "ragged_rows.csv": ragged_rows,
    "unterminated_quote.csv": unterminated_quote,
    "header_only.csv": header_only,
    "no_score_column.csv": no_score_column,
    "all_scores_invalid.csv": all_scores_invalid,
    "scores_garbage.csv": scores_garbage,
    "duplicate_ids_and_headers.csv": duplicate_ids_and_headers,
    "control_characters.csv": control_characters,
    "huge_cell.csv": huge_cell,
    "excel_sep_line.csv": excel_sep_line,
    "blank_lines_and_spacers.csv": blank_lines_and_spacers,
}


def enormous_line(path: Path, megabytes: int = 20) -> Path:
    """A text file that is one line of ``megabytes`` MB with no line break (made at test time, not committed)."""
    chunk = b"9," * (1 << 19)  # 1 MB
    with path.open("wb") as handle:
        for _ in range(megabytes):
            handle.write(chunk)
    return path


def main(argv: Sequence[str] = ()) -> int:
    """Write every file of the corpus beside this script."""
    for name, make in CORPUS.items():
        (HERE / name).write_bytes(make())
    total = sum((HERE / n).stat().st_size for n in CORPUS)
    print(f"{len(CORPUS)} files, {total / 1e6:.2f} MB in {HERE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
