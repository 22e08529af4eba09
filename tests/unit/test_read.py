"""Reading survey exports: encodings, delimiters, survey-tool header rows, Excel sheets, streaming, refusals."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cxdash.errors import InputRefused
from cxdash.ingest.read import read_table
from cxdash.ingest.suggest import suggest_roles
from cxdash.ingest.table import RawTable

# ------------------------------------------------------------------------------------------------ fixtures


def to_csv(rows: list[list[object]], delimiter: str = ",", newline: str = "\r\n") -> str:
    """Rows as CSV text, quoted where needed, as survey tools write them."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buffer.getvalue()


QUALTRICS_META = [
    ("StartDate", "Start Date", "startDate"),
    ("EndDate", "End Date", "endDate"),
    ("Status", "Response Type", "status"),
    ("IPAddress", "IP Address", "ipAddress"),
    ("Progress", "Progress", "progress"),
    ("Duration (in seconds)", "Duration (in seconds)", "duration"),
    ("Finished", "Finished", "finished"),
    ("RecordedDate", "Recorded Date", "recordedDate"),
    ("ResponseId", "Response ID", "_recordId"),
    ("RecipientEmail", "Recipient Email", "recipientEmail"),
    ("LocationLatitude", "Location Latitude", "locationLatitude"),
    ("DistributionChannel", "Distribution Channel", "distributionChannel"),
    ("UserLanguage", "User Language", "userLanguage"),
]
QUALTRICS_QUESTIONS = [
    ("Q1", "How likely are you to recommend ShopCo to a friend or colleague?", "QID1"),
    ("Q2_1", "How satisfied were you with each of the following? - Checkout", "QID2_1"),
    ("Q2_2", "How satisfied were you with each of the following? - Delivery", "QID2_2"),
    ("Q2_3", "How satisfied were you with each of the following? - Customer support", "QID2_3"),
    ("Q2_4", "How satisfied were you with each of the following? - Returns", "QID2_4"),
    ("Q3", "What is the main reason for your score?\nPlease tell us more.", "QID3_TEXT"),
    ("plan", "plan", "plan"),
]
REASONS = [
    "Delivery was fast and the checkout was easy",
    "Support took three days to answer my question",
    "Great prices, but the returns process is confusing",
    "I love the app, it is quick to use",
    "The parcel arrived damaged and nobody called me back",
]


def qualtrics_rows(n: int = 30) -> list[list[object]]:
    """A Qualtrics 'CSV' export: ids, question texts, ImportId JSON, then n responses."""
    header = QUALTRICS_META + QUALTRICS_QUESTIONS
    rows: list[list[object]] = [
        [h[0] for h in header],
        [h[1] for h in header],
        [json.dumps({"ImportId": h[2]}) for h in header],
    ]
    for i in range(n):
        start = dt.datetime(2024, 3, 1, 9, 0) + dt.timedelta(hours=7 * i)
        rows.append(
            [
                start.strftime("%Y-%m-%d %H:%M:%S"),
                (start + dt.timedelta(minutes=4)).strftime("%Y-%m-%d %H:%M:%S"),
                "0",
                f"203.0.113.{i % 250}",
                "100",
                str(120 + 17 * i),
                "1",
                (start + dt.timedelta(minutes=4)).strftime("%Y-%m-%d %H:%M:%S"),
                f"R_{i:04d}abcXYZ{i * 7:03d}",
                f"user{i}@example.com",
                f"{35.6 + i / 1000:.4f}",
                "anonymous",
                "EN",
                str((i * 7) % 11),
                str(1 + i % 5),
                str(1 + (i * 3) % 5),
                str(1 + (i * 2) % 5) if i % 6 else "",
                str(1 + (i + 2) % 5),
                f"{REASONS[i % 5]} (order {i})" if i % 4 else "",
                ["Free", "Plus", "Business"][i % 3],
            ]
        )
    return rows


def surveymonkey_rows(n: int = 24) -> list[list[object]]:
    """A SurveyMonkey export: question texts (blank over later matrix columns), sub-labels, responses."""
    matrix = "How satisfied were you with each part of your visit?"
    top = [
        "Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
        "First Name", "Last Name", "Custom Data 1",
        "How likely is it that you would recommend us to a friend or colleague?",
        matrix, "", "", "Why did you give that score?", "Which region do you live in?",
    ]  # fmt: skip
    second = ["", "", "", "", "", "", "", "", "", "Response", "Checkout", "Delivery", "Staff", "Open-Ended Response"]
    second.append("Response")
    rows: list[list[object]] = [top, second]
    for i in range(n):
        rows.append(
            [
                str(114_000_000_000 + 37 * i),
                "431234567",
                f"03/{1 + i % 28:02d}/2024 10:{i % 60:02d}:00 AM",
                f"03/{1 + i % 28:02d}/2024 10:{(i + 5) % 60:02d}:00 AM",
                f"198.51.100.{i}",
                "",
                "",
                "",
                "",
                str((i * 5) % 11),
                str(1 + i % 5),
                str(1 + (i + 1) % 5),
                str(1 + (i + 3) % 5),
                f"{REASONS[(i + 1) % 5]} - visit {i}",
                ["North", "South", "East", "West"][i % 4],
            ]
        )
    return rows


JA_COMMENTS = [
    "髙橋さんの対応がとても丁寧で、また利用したいと思いました。",
    "配送が①日遅れたので少し残念でした。",
    "サイトが見やすく、注文がスムーズにできました。",
    "梱包が丁寧で商品もきれいな状態で届きました。",
    "問い合わせの返信が遅く、不安になりました。",
]
JA_TOUCHPOINTS = ["配送スピード", "商品の品質", "サポート対応"]


def google_forms_ja(n: int = 24) -> str:
    """A Japanese Google Forms export (one header row; matrix columns as 'question [row]')."""
    header = ["タイムスタンプ", "当店を友人や知人にすすめる可能性はどのくらいありますか？（おすすめ度）"]
    header += [f"各項目の満足度を教えてください [{t}]" for t in JA_TOUCHPOINTS]
    header += ["年代", "自由記述（ご意見・ご感想）", "メールアドレス"]
    rows: list[list[object]] = [header]
    for i in range(n):
        rows.append(
            [
                f"2024/04/{1 + i % 28:02d} {8 + i % 12}:{i % 60:02d}:{(i * 7) % 60:02d}",
                str((i * 3) % 11),
                str(1 + i % 5),
                str(1 + (i + 2) % 5),
                str(1 + (i + 4) % 5),
                ["20代", "30代", "40代", "50代以上"][i % 4],
                f"{JA_COMMENTS[i % 5]}（{i}回目）",
                f"taro{i}@example.jp",
            ]
        )
    return to_csv(rows)


def long_reviews(n: int = 40) -> str:
    """A long file: one row per review, with its touchpoint, star rating and text."""
    rows: list[list[object]] = [["review_id", "date", "channel", "touchpoint", "rating", "text"]]
    for i in range(n):
        rows.append(
            [
                f"rv-{1000 + i}",
                f"2024-05-{1 + i % 30:02d}",
                ["web", "app", "store"][i % 3],
                ["Checkout", "Delivery", "Support", "Returns"][i % 4],
                str(1 + (i * 3) % 5),
                f"{REASONS[i % 5]}, review number {i}",
            ]
        )
    return to_csv(rows, newline="\n")


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    """An .xlsx file with the given sheets (rows of Python values)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def all_rows(table: RawTable, size: int = 7) -> pd.DataFrame:
    """Every data row, through the chunk stream."""
    return pd.concat(list(table.chunks(size)))


# ---------------------------------------------------------------------------------------------- Qualtrics


def test_qualtrics_three_header_rows(tmp_path: Path) -> None:
    path = tmp_path / "qualtrics.csv"
    path.write_bytes(to_csv(qualtrics_rows()).encode("utf-8-sig"))
    table = read_table(path, path.name)
    assert table.source == "qualtrics"
    assert table.header_rows == 3
    assert table.encoding == "utf-8-sig"
    assert table.delimiter == ","
    assert table.columns[:3] == ["StartDate", "EndDate", "Status"]
    assert "Q2_3" in table.columns and "Duration (in seconds)" in table.columns
    assert table.questions["Q2_3"] == "How satisfied were you with each of the following? - Customer support"
    assert table.questions["Q3"] == "What is the main reason for your score? Please tell us more."
    assert len(table.sample) == 30
    first = next(table.chunks(10))
    assert first.index[0] == 4  # row 1 ids, row 2 questions, row 3 ImportIds
    assert first.loc[4, "ResponseId"] == "R_0000abcXYZ000"
    assert first.loc[4, "Q2_4"] == "3"
    assert first.loc[4, "Q3"] is None  # empty cell → None
    assert table.sample.loc[5, "Q3"] == "Support took three days to answer my question (order 1)"


def test_qualtrics_legacy_two_header_rows() -> None:
    rows = qualtrics_rows(5)
    del rows[2]  # no ImportId row
    table = read_table(to_csv(rows).encode(), "legacy.csv")
    assert (table.source, table.header_rows) == ("qualtrics", 2)
    assert table.questions["ResponseId"] == "Response ID"
    assert table.sample.index[0] == 3
    assert len(table.sample) == 5


def test_hash_is_sha256_of_the_bytes_for_path_and_bytes(tmp_path: Path) -> None:
    data = to_csv(qualtrics_rows(3)).encode()
    path = tmp_path / "q.csv"
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert read_table(path, "q.csv").content_hash == expected
    assert read_table(data, "q.csv").content_hash == expected


def test_chunks_concatenated_equal_the_whole_file_and_restart() -> None:
    rows = qualtrics_rows(53)
    table = read_table(to_csv(rows).encode(), "big.csv")
    chunks = list(table.chunks(10))
    assert [len(c) for c in chunks] == [10, 10, 10, 10, 10, 3]  # the first read also took the 3 header rows
    whole = pd.concat(chunks)
    assert list(whole.index) == list(range(4, 4 + 53))
    expected = [[cell if cell != "" else None for cell in row] for row in rows[3:]]
    assert whole.values.tolist() == expected
    again = pd.concat(list(table.chunks(25)))  # chunk_source is re-iterable
    assert again.equals(whole)
    assert table.sample.equals(whole)


def test_sample_stops_at_5000_rows() -> None:
    lines = ["id,score"] + [f"{i},{i % 11}" for i in range(5_300)]
    table = read_table("\n".join(lines).encode(), "many.csv")
    assert len(table.sample) == 5_000
    assert table.sample.index[-1] == 5_001
    assert sum(len(c) for c in table.chunks(1_000)) == 5_300


# ------------------------------------------------------------------------------------------ SurveyMonkey


def test_surveymonkey_two_header_rows_with_matrix() -> None:
    table = read_table(to_csv(surveymonkey_rows()).encode(), "sm.csv")
    assert (table.source, table.header_rows) == ("surveymonkey", 2)
    matrix = "How satisfied were you with each part of your visit?"
    assert table.columns == [
        "Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
        "First Name", "Last Name", "Custom Data 1",
        "How likely is it that you would recommend us to a friend or colleague?",
        f"{matrix} - Checkout", f"{matrix} - Delivery", f"{matrix} - Staff",
        "Why did you give that score?", "Which region do you live in?",
    ]  # fmt: skip
    assert table.sample.index[0] == 3
    assert table.sample.iloc[0][f"{matrix} - Delivery"] == "2"
    assert table.sample.iloc[0]["Email Address"] is None


def test_a_question_over_merged_cells_with_its_items_below_is_two_header_rows(tmp_path: Path) -> None:
    """A Japanese Excel table: 各項目の満足度 written once over three columns (merged), the items in row 2, blank
    under the other headers; as CSV (cp932) and as .xlsx (a merged cell keeps its value in its first cell only)."""
    rows = [
        ["回答ID", "推奨度", "各項目の満足度", "", "", "年代"],
        ["", "", "配送", "価格", "接客", ""],
        ["A1", "9", "4", "3", "5", "30代"],
        ["A2", "6", "2", "1", "4", "40代"],
    ]
    expected = ["回答ID", "推奨度", "各項目の満足度 - 配送", "各項目の満足度 - 価格", "各項目の満足度 - 接客", "年代"]
    table = read_table(to_csv(rows).encode("cp932"), "満足度調査.csv")
    assert (table.header_rows, table.columns) == (2, expected)
    assert table.sample["各項目の満足度 - 価格"].tolist() == ["3", "1"]
    path = tmp_path / "満足度調査.xlsx"
    path.write_bytes(workbook({"集計": [[c or None for c in row] for row in rows]}))
    assert read_table(path, path.name).columns == expected
    roles = suggest_roles(table)
    assert [roles[c] for c in expected[2:5]] == ["rating:配送", "rating:価格", "rating:接客"]  # 価格 is rated here


def test_title_lines_over_a_table_are_skipped(tmp_path: Path) -> None:
    """A report's title and date written above the table, one cell each (then a blank line), as Excel reports have
    them; a rejected row is still named by its line in the file."""
    rows = [
        ["2024年度 顧客満足度調査 結果", "", "", ""],
        ["集計日: 2024/04/01", "", "", ""],
        ["", "", "", ""],
        ["回答ID", "推奨度", "年代", "ご意見"],
        ["A1", "9", "30代", "店員さんが親切でした"],
        ["A2", "abc", "40代", "配送が遅かった"],
    ]
    table = read_table(to_csv(rows).encode("cp932"), "報告書.csv")
    assert (table.header_rows, table.columns) == (1, ["回答ID", "推奨度", "年代", "ご意見"])
    assert list(table.sample.index) == [5, 6]  # the file's line numbers
    path = tmp_path / "報告書.xlsx"
    path.write_bytes(workbook({"結果": [[c or None for c in row] for row in rows]}))
    assert read_table(path, path.name).columns == ["回答ID", "推奨度", "年代", "ご意見"]
    one_column = [["Comments"], ["Great"], ["Late again"], ["OK"]]  # a table of one column has no title
    assert read_table(to_csv(one_column).encode(), "c.csv").columns == ["Comments"]


def test_a_title_line_of_two_cells_over_a_wider_table_is_skipped() -> None:
    """A title and its export date on one line of two fields, over a table of five: the header is the wider line
    (it used to be taken for the header, and the response ids for a touchpoint rating). A two-column file whose data
    row has an unquoted comma keeps its header."""
    title = "顧客満足度調査 結果,出力日: 2024/06/30\n"
    table_text = "回答ID,回答日,満足度,おすすめ度,ご意見\n1,2024/6/1,3,7,良かった\n2,2024/6/2,4,9,\n"
    for text in (title + table_text, title + "\n" + table_text):
        table = read_table(text.encode("cp932"), "結果.csv")
        assert table.columns == ["回答ID", "回答日", "満足度", "おすすめ度", "ご意見"]
        assert table.sample["おすすめ度"].tolist() == ["7", "9"]
    loose = "推奨度,ご意見\n9,早い,安い,うまい\n3,遅い\n"
    assert read_table(loose.encode(), "loose.csv").columns[:2] == ["推奨度", "ご意見"]


def test_decimal_commas_of_a_semicolon_file_are_decimal_points() -> None:
    """European Excel writes 4,5 with a semicolon between fields: the number is four and a half; other cells (a
    comment "1,2 oder 3") stay as written. In a comma-separated file a quoted "4,5" is left alone."""
    text = "ID;CSAT;Kommentar\nA1;4,5;gut\nA2;3,0;1,2 oder 3\nA3;5;\n"
    table = read_table(text.encode(), "umfrage.csv")
    assert table.sample["CSAT"].tolist() == ["4.5", "3.0", "5"]
    assert table.sample["Kommentar"].tolist() == ["gut", "1,2 oder 3", None]
    commas = read_table(b'ID,Amount\nA1,"4,5"\nA2,3\n', "c.csv")
    assert commas.sample["Amount"].tolist() == ["4,5", "3"]


def test_a_title_over_a_table_of_two_columns_is_skipped() -> None:
    """Two columns (推奨度, ご意見) under a title and a blank line: the header is the row of two cells after it.
    (Without the blank line, two cells under one may be a comment with a comma under a one-column header: see
    tests/integration/test_cli.py::test_metrics_of_an_empty_workspace_are_null.)"""
    rows = [
        ["2024年度 顧客満足度調査", ""],
        ["", ""],
        ["推奨度", "ご意見"],
        ["9", "とても良い"],
        ["3", ""],
        ["10", "また"],
    ]
    table = read_table(to_csv(rows).encode("cp932"), "二列.csv")
    assert table.columns == ["推奨度", "ご意見"] and len(table.sample) == 3
    assert list(table.sample.index)[0] == 4  # the line numbers of the file
    pairs = [["Survey", ""], ["NPS", ""], ["9", ""]]  # one filled cell a row: no table of two under a title
    assert read_table(to_csv(pairs).encode(), "p.csv").columns[0] == "Survey"
    # Saved by Excel, every line of a two-column sheet has its two fields: the title's second one is empty, and the
    # header of two cells comes right under it without a blank line.
    tight = [["Customer survey export", ""], ["NPS", "Comment"], ["9", "Great"], ["3", "Too slow, sorry"]]
    table = read_table(to_csv(tight).encode(), "tight.csv")
    assert table.columns == ["NPS", "Comment"] and table.sample["Comment"].tolist() == ["Great", "Too slow, sorry"]
    # A one-column file whose comments have commas, unquoted: one column still, each comment whole (it used to be
    # read as a header of two rows, "Comment - Hello there", losing the first comment).
    loose = "Comment\nHello there, nice shop\nToo slow for me\nFriendly staff, will return\n"
    table = read_table(loose.encode(), "loose.csv")
    assert table.columns == ["Comment"]
    assert table.sample["Comment"].tolist() == [
        "Hello there, nice shop",
        "Too slow for me",
        "Friendly staff, will return",
    ]
    quoted = 'Comment\n"Hello there, nice shop"\nToo slow for me\n"He said ""fine"", then left"\n'
    assert read_table(quoted.encode(), "q.csv").sample["Comment"].tolist()[2] == 'He said "fine", then left'
    # Without a space after the comma, short cells under one field are a table's: read as columns, no row lost.
    short = "Comment\n早い,安い\n遅い\n丁寧,親切\n"
    assert read_table(short.encode(), "s.csv").sample.iloc[:, 0].tolist() == ["早い", "遅い", "丁寧"]


@pytest.mark.parametrize(
    "rows",
    [
        [["ID", "NPS", "", "Comment"], ["1", "9", "3", "Good"], ["2", "7", "4", "Fine"]],  # an unnamed column
        [["ID", "Q1", "", "Q3"], ["1", "yes", "no", "fine"], ["2", "no", "no", "ok"]],  # data under every header
    ],
)
def test_a_first_data_row_under_a_blank_header_is_data(rows: list[list[str]]) -> None:
    table = read_table(to_csv(rows).encode(), "plain.csv")
    assert table.header_rows == 1 and len(table.sample) == 2


# ------------------------------------------------------------------------------------- Japanese encodings


@pytest.mark.parametrize(("encoding", "expected"), [("cp932", "cp932"), ("utf-8-sig", "utf-8-sig")])
def test_google_forms_japanese(tmp_path: Path, encoding: str, expected: str) -> None:
    text = google_forms_ja()
    with pytest.raises(UnicodeEncodeError):
        text.encode("shift_jis")  # 髙 and ① are why cp932 is needed
    path = tmp_path / "フォームの回答.csv"
    path.write_bytes(text.encode(encoding))
    table = read_table(path, path.name)
    assert table.encoding == expected
    assert (table.source, table.header_rows) == ("google_forms", 1)
    assert table.columns[0] == "タイムスタンプ"
    assert "各項目の満足度を教えてください [配送スピード]" in table.columns
    assert table.sample.loc[2, "自由記述（ご意見・ご感想）"] == JA_COMMENTS[0] + "（0回目）"
    assert table.sample.loc[3, "自由記述（ご意見・ご感想）"].startswith("配送が①日")


def test_utf16_tab_separated_unicode_text() -> None:
    text = to_csv([["顧客ID", "満足度", "コメント"], ["C1", "5", "とても良い"], ["C2", "3", "髙い①"]], delimiter="\t")
    table = read_table(text.encode("utf-16"), "unicode.txt")
    assert table.encoding == "utf-16"
    assert table.delimiter == "\t"
    assert table.columns == ["顧客ID", "満足度", "コメント"]
    assert table.sample.loc[3, "コメント"] == "髙い①"


def test_utf16_without_bom() -> None:
    text = "年代\t満足度\r\n20代\t5\r\n30代\t4\r\n"
    for encoding in ("utf-16-le", "utf-16-be"):
        table = read_table(text.encode(encoding), "nobom.txt")
        assert (table.encoding, table.delimiter) == (encoding, "\t")
        assert table.sample.values.tolist() == [["20代", "5"], ["30代", "4"]]


def test_semicolon_mixed_line_endings_and_quoted_newlines() -> None:
    data = b'id;score;comment\r\n1;9;"first line\r\nsecond line"\n2;7;plain\r3;;"say ""hi"""\r\n\r\n4;10;last'
    table = read_table(data, "export.txt")
    assert table.delimiter == ";"
    rows = all_rows(table, size=2)
    assert list(rows.index) == [2, 3, 4, 6]  # row 5 is empty: dropped, but numbers stay as the file has them
    assert rows.loc[2, "comment"] == "first line\r\nsecond line"
    assert rows.loc[4, "comment"] == 'say "hi"'
    assert rows.loc[4, "score"] is None
    assert rows.loc[6, "score"] == "10"


def test_cells_of_only_white_space_are_empty_and_rows_of_them_are_dropped() -> None:
    data = "id,score,comment\r\n1, ,\u3000ok\u3000\r\n2,\t,\u3000\r\n , ,\t\r\n3\r\n4,5, fine \r\n".encode()
    rows = all_rows(read_table(data, "spaces.csv"), size=2)
    assert list(rows.index) == [2, 3, 5, 6]  # row 4 holds only white space: dropped
    assert rows.loc[2].tolist() == ["1", None, "\u3000ok\u3000"]  # a value keeps its spaces (stripped later)
    assert rows.loc[3].tolist() == ["2", None, None]  # a tab, an ideographic space: empty
    assert rows.loc[5].tolist() == ["3", None, None]  # fields missing at the end of a row: empty
    assert rows.loc[6].tolist() == ["4", "5", " fine "]
    assert all(type(v) is str for v in rows.to_numpy().ravel() if v is not None)


def test_unknown_extension_is_read_as_csv_and_keys_are_unique() -> None:
    data = b"Q1,Q1,,Name\n1,2,3,x\n4,5,6,y\n"
    table = read_table(data, "export.dat")
    assert table.columns == ["Q1", "Q1 (2)", "Column 3", "Name"]
    assert table.source == "generic"
    assert table.sample.loc[3, "Column 3"] == "6"


def test_row_with_more_cells_than_the_header_is_refused_by_row() -> None:
    data = ("a,b\n" + "1,2\n" * 300 + "3,4,5\n").encode()
    with pytest.raises(InputRefused, match=r"'ragged.csv' row 302 has 3 cells but the rows above have 2"):
        read_table(data, "ragged.csv")  # within the sample: refused at once
    late = ("a,b\n" + "1,2\n" * 11_000 + "3,4,5\n").encode()
    table = read_table(late, "late.csv")
    with pytest.raises(InputRefused, match=r"'late.csv' row 11002 has 3 cells"):
        all_rows(table, size=1_000)  # past the sample: refused while streaming


# ------------------------------------------------------------------------------------------------- Excel


def test_xlsx_two_sheets_default_and_choice(tmp_path: Path) -> None:
    data = workbook(
        {
            "Notes": [],
            "Responses": [
                ["ResponseId", "Submitted", "NPS", "Comment"],
                ["R1", dt.datetime(2024, 1, 5, 10, 30), 9, "Great"],
                ["R2", dt.datetime(2024, 1, 6, 11, 0), 4, None],
                [],
                ["R3", dt.datetime(2024, 1, 7, 12, 0), 10.5, "  "],
            ],
            "Stores": [["store", "region"], ["Shibuya", "Kanto"], ["Umeda", "Kansai"]],
        }
    )
    path = tmp_path / "book.xlsx"
    path.write_bytes(data)
    table = read_table(path, path.name)
    assert table.sheets == ["Notes", "Responses", "Stores"]
    assert table.sheet == "Responses"  # the first sheet with data
    assert table.encoding is None
    assert list(table.sample.index) == [2, 3, 5]
    assert table.sample.loc[2, "Submitted"] == dt.datetime(2024, 1, 5, 10, 30)
    assert table.sample.loc[2, "NPS"] == 9 and isinstance(table.sample.loc[2, "NPS"], int)
    assert table.sample.loc[5, "NPS"] == 10.5
    assert table.sample.loc[3, "Comment"] is None and table.sample.loc[5, "Comment"] is None
    stores = read_table(data, "book.xlsx", sheet="Stores")
    assert stores.sheet == "Stores"
    assert stores.sample["region"].tolist() == ["Kanto", "Kansai"]
    with pytest.raises(InputRefused, match=r"'book.xlsx' has no sheet 'Sheet9'; its sheets are 'Notes', 'Responses'"):
        read_table(data, "book.xlsx", sheet="Sheet9")


def test_xlsx_whose_first_sheet_is_a_summary_reads_the_answers_sheet() -> None:
    """Japanese Excel reports put 集計 (counts per answer) before 回答データ: the first sheet with something to measure
    is read, and a note says which and why; a sheet asked for is read as it is."""
    data = workbook(
        {
            "集計": [["設問", "回答数", "割合"], ["満足", "12", "40%"], ["不満", "18", "60%"]],
            "回答データ": [["回答ID", "おすすめ度", "ご意見"]]
            + [[f"R{i}", i % 11, f"配送が{i}日遅れました" if i % 2 else None] for i in range(12)],
            "店舗": [["店舗", "地域"], ["渋谷", "関東"]],
        }
    )
    table = read_table(data, "report.xlsx")
    assert table.sheet == "回答データ" and len(table.sample) == 12
    assert table.notes == [
        "Read sheet '回答データ' of 'report.xlsx': its first sheet, '集計', has no score, rating or comment column "
        "(a summary or a read-me). Choose another sheet to change this."
    ]
    summary = read_table(data, "report.xlsx", sheet="集計")
    assert summary.sheet == "集計" and summary.notes == []


def test_a_hidden_first_sheet_is_not_read_by_default() -> None:
    """A hidden master sheet (store targets) before the answers: the visible sheet is read."""
    book = openpyxl.Workbook()
    master = book.active
    master.title = "マスタ"
    master.append(["店舗コード", "満足度目標"])
    master.append(["S01", 4])
    master.sheet_state = "hidden"
    answers = book.create_sheet("回答")
    answers.append(["回答ID", "推奨度", "コメント"])
    for i in range(5):
        answers.append([f"R{i}", i, "良かった"])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), "book.xlsx")
    assert table.sheet == "回答" and len(table.sample) == 5
    assert read_table(buffer.getvalue(), "book.xlsx", sheet="マスタ").sheet == "マスタ"


def test_cells_merged_down_a_column_give_every_row_their_value() -> None:
    """A Japanese report writes each store once, merged down its rows: every row of the store has it; a comment
    merged across two cells is one comment (the cell beside it stays empty)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["店舗", "回答ID", "推奨度", "コメント", "備考"])
    for i in range(6):
        sheet.append(
            ["新宿店" if i == 0 else "渋谷店" if i == 3 else None, f"R{i}", i, "良い" if i == 1 else None, None]
        )
    sheet.merge_cells("A2:A4")
    sheet.merge_cells("A5:A7")
    sheet.merge_cells("D3:E3")
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), "report.xlsx")
    assert table.sample["店舗"].tolist() == ["新宿店"] * 3 + ["渋谷店"] * 3
    assert table.sample.loc[3, "コメント"] == "良い" and table.sample.loc[3, "備考"] is None


def test_xlsx_table_away_from_the_corner() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B3"], sheet["C3"] = "id", "nps"
    sheet["B4"], sheet["C4"] = "a", 9
    sheet["B6"], sheet["C6"] = "b", 3
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), "offset.xlsx")
    assert table.columns == ["id", "nps"]
    assert list(table.sample.index) == [4, 6]
    assert table.sample.values.tolist() == [["a", 9], ["b", 3]]


def test_xlsx_qualtrics_export_streams_in_chunks() -> None:
    rows = qualtrics_rows(23)
    data = workbook({"Sheet0": [[int(c) if c.isdigit() else c for c in map(str, r)] for r in rows]})
    table = read_table(data, "qualtrics.xlsx")
    assert (table.source, table.header_rows) == ("qualtrics", 3)
    chunks = list(table.chunks(5))
    assert [len(c) for c in chunks] == [5, 5, 5, 5, 3]
    whole = pd.concat(chunks)
    assert list(whole.index) == list(range(4, 27))
    assert whole.loc[4, "Q1"] == 0 and whole.loc[5, "Q1"] == 7
    assert whole.loc[4, "Q3"] is None


# ---------------------------------------------------------------------------------------------- refusals


def zip_bytes() -> bytes:
    """A zip archive that is not a workbook. Its bytes are fixed (an entry's time is the clock's by default): they
    are part of the test ids, and xdist workers that collect them two seconds apart must see the same tests."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("notes.txt", date_time=(2026, 1, 1, 0, 0, 0)), "hello")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", r"'empty.csv' is empty"),
        ("bom.csv", b"\xef\xbb\xbf", r"'bom.csv' is empty"),
        ("header.csv", b"ResponseId,NPS,Comment\r\n", r"'header.csv' has a header but no data rows"),
        ("blank.csv", b",,\r\n,,\r\n\r\n", r"'blank.csv' has no data: every row is empty"),
        ("blankdata.csv", b"a,b\r\n,\r\n , \r\n", r"'blankdata.csv' has column headers but every data row is empty"),
        ("report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>>", r"'report.pdf' is a PDF document, not a table"),
        ("chart.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", r"'chart.csv' is a PNG image, not a table"),
        ("random.bin", bytes(range(256)) * 4, r"'random.bin' is not a table \(it contains binary data\)"),
        ("data.xlsx", zip_bytes(), r"'data.xlsx' is not a valid Excel workbook"),
        ("data.csv", zip_bytes(), r"'data.csv' is a zip archive, not a table"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, r"'old.xls' is an old-format Excel file"),
        ("fake.xlsx", b"id,nps\n1,9\n", r"'fake.xlsx' is not a valid Excel workbook"),
    ],
)
def test_refusals_name_the_file_in_one_sentence(name: str, data: bytes, message: str) -> None:
    with pytest.raises(InputRefused, match=message) as caught:
        read_table(data, name)
    assert caught.value.message.count(". ") == 0  # one sentence, ending in what to do
    assert caught.value.message.endswith(".")


def test_truncated_xlsx_is_refused() -> None:
    data = workbook({"Sheet1": [["id", "nps"]] + [[i, i % 11] for i in range(200)]})
    with pytest.raises(InputRefused, match=r"'cut.xlsx' is not a valid Excel workbook \(it is damaged"):
        read_table(data[: len(data) * 2 // 3], "cut.xlsx")


def test_xlsx_with_only_empty_sheets_and_header_only_sheet() -> None:
    with pytest.raises(InputRefused, match=r"'void.xlsx' has no data: every sheet is empty"):
        read_table(workbook({"A": [], "B": [[None, None]]}), "void.xlsx")
    with pytest.raises(InputRefused, match=r"'head.xlsx' has a header but no data rows"):
        read_table(workbook({"A": [["id", "nps"]]}), "head.xlsx")


def test_missing_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputRefused, match=r"'gone.csv' was not found"):
        read_table(tmp_path / "gone.csv", "gone.csv")


def test_binary_data_is_many_control_characters_besides_white_space() -> None:
    """looks_binary counts the control characters other than tab, line feed, vertical tab, form feed and carriage
    return: binary past 1% of the text (and more than two), or at any NUL."""
    import random

    from cxdash.ingest.sniff import looks_binary

    def reference(text: str) -> bool:
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f\v")
        return "\x00" in text or controls > max(2, len(text) // 100)

    rnd = random.Random(4)
    texts = [
        "plain text\r\n\t\f\v" * 50,
        "a\x01b\x02c\x1fd",
        "a\x01b\x02c",
        "x" * 400 + "\x07" * 4,
        "x" * 400 + "\x07" * 5,
    ]
    texts += [
        "".join(chr(rnd.choice([*range(1, 40), 0x3042, 0xFF21])) for _ in range(rnd.randint(0, 600)))
        for _ in range(200)
    ]
    assert [looks_binary(t) for t in texts] == [reference(t) for t in texts]
    assert looks_binary("a\x01b\x02c\x1fd") and not looks_binary("a\x01b\x02c")


# ------------------------------------------------------------------------------------------------ the sample's rows


def _long_file(rows: int, header: list[list[object]], encoding: str = "utf-8-sig", tail: str = "") -> bytes:
    """A survey file with comments over several lines, blank rows and Japanese text throughout."""
    body: list[list[object]] = []
    for i in range(rows):
        if i % 997 == 3:
            body.append([])  # a blank row
            continue
        comment = f'line one of {i}\n"quoted", line two' if i % 7 == 0 else ("配送が遅い" if i % 5 == 0 else f"ok {i}")
        body.append([f"R{i}", str(i % 11), comment])
    return (to_csv(header + body) + tail).encode(encoding)


@pytest.mark.parametrize(
    ("rows", "header", "encoding"),
    [
        (12_000, [["id", "nps", "comment"]], "utf-8-sig"),
        (12_000, [["id", "nps", "comment"], ["ID", "How likely", "Why"], ['{"ImportId":"a"}', "{}", "{}"]], "utf-8"),
        (5_000, [["id", "nps", "comment"]], "cp932"),
        (5_004, [["id", "nps", "comment"]], "utf-8"),
        (4_990, [["id", "nps", "comment"]], "utf-8"),
        (9_000, [[], ["id", "nps", "comment"]], "utf-8"),
    ],
    ids=["utf8-bom", "three-header-rows", "cp932-at-the-sample", "just-above", "below-the-sample", "blank-first-row"],
)
def test_the_rows_after_the_sample_are_read_as_the_whole_file_would_be(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int, header: list[list[object]], encoding: str
) -> None:
    """The import's first chunk is the sample's rows (parsed once, at upload) and the rows after them: the same
    frames, row numbers and values as reading the whole file again, whatever the chunk size."""
    from cxdash.ingest import read

    path = tmp_path / "survey.csv"
    path.write_bytes(_long_file(rows, header, encoding))
    table = read_table(path, path.name)
    original = read._csv_chunks

    def headless(*args: object, **kwargs: object) -> object:
        return original(*args[:7], read=kwargs.get("read"))  # type: ignore[arg-type]

    monkeypatch.setattr(read, "_csv_chunks", headless)
    again = read_table(path, path.name)
    pd.testing.assert_frame_equal(table.sample, again.sample)
    for size in (40_000, 7_000, 5_000, 3_000):
        got, expected = list(table.chunks(size)), list(again.chunks(size))
        assert [len(frame) for frame in got] == [len(frame) for frame in expected]
        for frame, reference in zip(got, expected, strict=True):
            pd.testing.assert_frame_equal(frame, reference, check_index_type=False)
    first = next(iter(table.chunks(40_000)))
    first.iloc[0, 0] = "changed"  # a caller changing its frame changes no later read
    assert next(iter(table.chunks(40_000))).iloc[0, 0] == expected[0].iloc[0, 0]


@pytest.mark.parametrize("tail", ["R1,2,3,4\n", 'R2,3,"never closed\n'], ids=["ragged", "open-quote"])
def test_a_broken_row_after_the_sample_is_named_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tail: str
) -> None:
    from cxdash.ingest import read

    path = tmp_path / "broken.csv"
    path.write_bytes(_long_file(30_000, [["id", "nps", "comment"]], "utf-8", tail))  # far enough: the sample reads
    table = read_table(path, path.name)
    with pytest.raises(InputRefused) as refused:
        list(table.chunks(40_000))
    original = read._csv_chunks
    monkeypatch.setattr(read, "_csv_chunks", lambda *a, **k: original(*a[:7], read=k.get("read")))
    with pytest.raises(InputRefused) as before:
        list(read_table(path, path.name).chunks(40_000))
    assert str(refused.value) == str(before.value) and "30" in str(refused.value)
