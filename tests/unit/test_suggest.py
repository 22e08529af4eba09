"""Suggesting column roles from names, question texts and values, for real-looking exports in English and Japanese."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cxdash.ingest.read import read_table
from cxdash.ingest.suggest import clean_name, explain_roles, suggest_roles, suggest_with_reasons
from cxdash.ingest.table import RawTable
from cxdash.roles import parse_role

N = 40
TEXTS = [
    "Delivery was fast and the checkout was easy",
    "Support took three days to answer my question",
    "Great prices, but the returns process is confusing",
    "I love the app, it is quick to use",
    "The parcel arrived damaged and nobody called me back",
]
JA_TEXTS = [
    "髙橋さんの対応がとても丁寧で、また利用したいと思いました。",
    "配送が①日遅れたので少し残念でした。",
    "サイトが見やすく、注文がスムーズにできました。",
    "梱包が丁寧で商品もきれいな状態で届きました。",
]


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    """Write rows as CSV in the given encoding (CRLF, as Excel and survey tools do)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def stamp(i: int, minutes: int = 0) -> str:
    """A response time, a few hours apart per row."""
    return (dt.datetime(2024, 3, 1, 9) + dt.timedelta(hours=5 * i, minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S")


def assert_valid_roles(roles: dict[str, str]) -> None:
    """Every suggestion parses as a role, and single roles are given once."""
    for role in roles.values():
        parse_role(role)
    singles = [r for r in roles.values() if r in ("nps", "csat", "ces", "date", "response_id", "touchpoint")]
    assert len(singles) == len(set(singles))


# ---------------------------------------------------------------------------------------------- Qualtrics


@pytest.fixture
def qualtrics(tmp_path: Path) -> RawTable:
    """A Qualtrics export with metadata, an NPS question, a 4-row satisfaction matrix, a text and a plan column."""
    matrix = "How satisfied were you with each of the following?"
    header = [
        ("StartDate", "Start Date"), ("EndDate", "End Date"), ("Status", "Response Type"),
        ("IPAddress", "IP Address"), ("Progress", "Progress"), ("Duration (in seconds)", "Duration (in seconds)"),
        ("Finished", "Finished"), ("RecordedDate", "Recorded Date"), ("ResponseId", "Response ID"),
        ("RecipientEmail", "Recipient Email"), ("LocationLatitude", "Location Latitude"),
        ("DistributionChannel", "Distribution Channel"), ("UserLanguage", "User Language"),
        ("Q1", "How likely are you to recommend ShopCo to a friend or colleague?"),
        ("Q2_1", f"{matrix} - Checkout"), ("Q2_2", f"{matrix} - Delivery"),
        ("Q2_3", f"{matrix} - Customer support"), ("Q2_4", f"{matrix} - Returns"),
        ("Q3", "What is the main reason for your score?"),
        ("Q4", "Is there anything else about the Delivery you would like to tell us?"),
        ("plan", "plan"),
    ]  # fmt: skip
    rows: list[list[object]] = [[h[0] for h in header], [h[1] for h in header]]
    rows.append([json.dumps({"ImportId": f"QID{i}"}) for i in range(len(header))])
    for i in range(N):
        rows.append(
            [stamp(i), stamp(i, 4), "0", f"203.0.113.{i}", "100", str(100 + 13 * i), "1", stamp(i, 4),
             f"R_{i:03d}xYz{i * 31:05d}", f"u{i}@example.com", f"{35.6 + i / 997:.4f}", "anonymous", "EN",
             str((i * 7) % 11), str(1 + i % 5), str(1 + (i * 3) % 5), str(1 + (i * 2) % 5), str(1 + (i + 2) % 5),
             f"{TEXTS[i % 5]} ({i})", f"The courier was {['late', 'polite', 'early', 'rude'][i % 4]} on day {i}",
             ["Free", "Plus", "Business"][i % 3]]
        )  # fmt: skip
    return read_table(write_csv(tmp_path / "qualtrics.csv", rows), "qualtrics.csv")


def test_qualtrics_roles(qualtrics: RawTable) -> None:
    roles = suggest_roles(qualtrics)
    assert_valid_roles(roles)
    ignored = [
        "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
        "LocationLatitude", "DistributionChannel", "UserLanguage",
    ]  # fmt: skip
    assert {c: roles[c] for c in ignored} == dict.fromkeys(ignored, "ignore")
    assert roles["RecipientEmail"] == "customer_email"  # personal data: dropped at import unless kept
    assert roles["RecordedDate"] == "date"
    assert roles["ResponseId"] == "response_id"
    assert roles["Q1"] == "nps"
    assert [roles[f"Q2_{i}"] for i in range(1, 5)] == [
        "rating:Checkout",
        "rating:Delivery",
        "rating:Customer support",
        "rating:Returns",
    ]
    assert roles["Q3"] == "comment"
    assert roles["Q4"] == "comment:Delivery"  # mentions a rated touchpoint
    assert roles["plan"] == "attribute:plan"


def test_explanations_say_why(qualtrics: RawTable) -> None:
    reasons = explain_roles(qualtrics)
    assert set(reasons) == set(qualtrics.columns)
    assert reasons["Q1"] == "0–10 answers to a 'recommend' question"
    assert "Checkout" in reasons["Q2_1"] and "1–5" in reasons["Q2_1"]
    assert "RecordedDate" in reasons["StartDate"]
    assert all(reason for reason in reasons.values())


def test_explanations_in_japanese(qualtrics: RawTable) -> None:
    from cxdash.i18n import use_language

    with use_language("ja"):
        reasons = explain_roles(qualtrics)
        roles = suggest_roles(qualtrics)
    assert roles == suggest_roles(qualtrics)  # the language changes the words, never the roles
    assert reasons["Q1"] == "「薦める」質問への 0–10 の回答"
    assert "Checkout" in reasons["Q2_1"] and "タッチポイント" in reasons["Q2_1"]
    assert all(reason and not reason.isascii() for reason in reasons.values()), reasons


# ------------------------------------------------------------------------------------------ SurveyMonkey


def test_surveymonkey_roles(tmp_path: Path) -> None:
    matrix = "How satisfied were you with each part of your visit?"
    top = [
        "Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
        "Last Name", "Custom Data 1", "How likely is it that you would recommend us to a friend or colleague?",
        matrix, "", "", "Why did you give that score?", "Which region do you live in?",
    ]  # fmt: skip
    second = ["", "", "", "", "", "", "", "", "", "Response", "Checkout", "Delivery", "Staff"]
    rows: list[list[object]] = [top, second + ["Open-Ended Response", "Response"]]
    for i in range(N):
        rows.append(
            [str(114_000_000_000 + 37 * i), "431234567", f"03/{1 + i % 28:02d}/2024 10:{i:02d}:00 AM",
             f"03/{1 + i % 28:02d}/2024 11:{i:02d}:00 AM", f"198.51.100.{i}", f"p{i}@example.org", f"Ann{i}",
             f"Lee{i}", f"cd{i}", str((i * 5) % 11), str(1 + i % 5), str(1 + (i + 1) % 5), str(1 + (i + 3) % 5),
             f"{TEXTS[(i + 1) % 5]} - visit {i}", ["North", "South", "East", "West"][i % 4]]
        )  # fmt: skip
    table = read_table(write_csv(tmp_path / "sm.csv", rows), "sm.csv")
    roles = suggest_roles(table)
    assert_valid_roles(roles)
    assert roles["Respondent ID"] == "response_id"
    assert roles["End Date"] == "date"
    for column in ("Collector ID", "Start Date", "IP Address", "First Name", "Last Name"):
        assert roles[column] == "ignore", column
    assert roles["Email Address"] == "customer_email"
    assert roles["Custom Data 1"] == "ignore"
    assert roles["How likely is it that you would recommend us to a friend or colleague?"] == "nps"
    assert roles[f"{matrix} - Checkout"] == "rating:Checkout"
    assert roles[f"{matrix} - Delivery"] == "rating:Delivery"
    assert roles[f"{matrix} - Staff"] == "rating:Staff"
    assert roles["Why did you give that score?"] == "comment"
    assert roles["Which region do you live in?"] == "attribute:region"


# ------------------------------------------------------------------------------------ Google Forms, Japanese


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig"])
def test_google_forms_japanese_roles(tmp_path: Path, encoding: str) -> None:
    touchpoints = ["配送スピード", "商品の品質", "サポート対応"]
    header = ["タイムスタンプ", "当店を友人や知人にすすめる可能性はどのくらいありますか？"]
    header += [f"各項目の満足度を教えてください [{t}]" for t in touchpoints]
    header += ["総合満足度", "年代", "自由記述", "配送スピードについてご意見があればお聞かせください", "お名前"]
    rows: list[list[object]] = [header]
    for i in range(N):
        rows.append(
            [f"2024/04/{1 + i % 28:02d} {8 + i % 12}:{i % 60:02d}:00", str((i * 3) % 11), str(1 + i % 5),
             str(1 + (i + 2) % 5), str(1 + (i + 4) % 5), str(1 + (i * 2) % 5), ["20代", "30代", "40代"][i % 3],
             f"{JA_TEXTS[i % 4]}（{i}）", f"もう少し早く届くと嬉しいです。{i}", f"山田{i}"]
        )  # fmt: skip
    table = read_table(write_csv(tmp_path / "form.csv", rows, encoding), "form.csv")
    assert table.encoding == encoding
    roles = suggest_roles(table)
    assert_valid_roles(roles)
    assert roles["タイムスタンプ"] == "date"
    assert roles["当店を友人や知人にすすめる可能性はどのくらいありますか？"] == "nps"
    assert [roles[f"各項目の満足度を教えてください [{t}]"] for t in touchpoints] == [f"rating:{t}" for t in touchpoints]
    assert roles["総合満足度"] == "csat"
    assert roles["年代"] == "attribute:年代"
    assert roles["自由記述"] == "comment"
    assert roles["配送スピードについてご意見があればお聞かせください"] == "comment:配送スピード"
    assert roles["お名前"] == "customer_name"


def test_google_forms_english_matrix_in_excel_values(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Timestamp", "How likely are you to recommend us?", "Rate each [Checkout]", "Rate each [Delivery]",
                  "Overall satisfaction", "Any other feedback?", "Email Address"])  # fmt: skip
    for i in range(N):
        sheet.append(
            [dt.datetime(2024, 1, 1 + i % 28, 12), (i * 7) % 11, 1 + i % 5, 1 + (i * 2) % 5, 1 + (i * 3) % 5,
             f"{TEXTS[i % 5]} ({i})" if i % 3 else None, f"a{i}@example.com"]
        )  # fmt: skip
    path = tmp_path / "Form Responses 1.xlsx"
    book.save(path)
    table = read_table(path, path.name)
    assert table.source == "google_forms"
    assert list(suggest_roles(table).values()) == [
        "date", "nps", "rating:Checkout", "rating:Delivery", "csat", "comment", "customer_email",
    ]  # fmt: skip


def test_qualtrics_nps_group_column_is_ignored() -> None:
    frame = pd.DataFrame(
        {
            "Q1": [str(i % 11) for i in range(N)],
            "Q1_NPS_GROUP": [str(1 + (i % 11 > 6) + (i % 11 > 8)) for i in range(N)],
        }
    )
    table = RawTable.from_frame(frame, questions={"Q1": "How likely are you to recommend us?", "Q1_NPS_GROUP": "Q1"})
    assert suggest_roles(table) == {"Q1": "nps", "Q1_NPS_GROUP": "ignore"}


# ---------------------------------------------------------------------------------------------- long files


def test_long_review_file(tmp_path: Path) -> None:
    rows: list[list[object]] = [["review_id", "created", "date", "channel", "touchpoint", "rating", "text"]]
    for i in range(N):
        rows.append(
            [f"rv-{1000 + i}", f"2024-04-{1 + i % 28:02d}", f"2024-05-{1 + i % 28:02d}", ["web", "app", "store"][i % 3],
             ["Checkout", "Delivery", "Support", "Returns"][i % 4], str(1 + (i * 3) % 5), f"{TEXTS[i % 5]}, #{i}"]
        )  # fmt: skip
    table = read_table(write_csv(tmp_path / "reviews.csv", rows), "reviews.csv")
    roles = suggest_roles(table)
    assert_valid_roles(roles)
    assert roles == {
        "review_id": "response_id",
        "created": "ignore",  # a second date column: only one is the response date
        "date": "date",
        "channel": "channel",
        "touchpoint": "touchpoint",
        "rating": "rating",
        "text": "comment",
    }


def test_japanese_long_ticket_file_in_excel(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["問い合わせ番号", "日付", "カテゴリ", "評価", "内容", "顧客ID"])
    for i in range(N):
        sheet.append(
            [10_000 + i, dt.datetime(2024, 6, 1 + i % 28), ["配送", "返品", "支払い"][i % 3], 1 + i % 5,
             f"{JA_TEXTS[i % 4]}（{i}）", f"C{i % 25:03d}"]
        )  # fmt: skip
    path = tmp_path / "tickets.xlsx"
    book.save(path)
    roles = suggest_roles(read_table(path, path.name))
    assert roles == {
        "問い合わせ番号": "response_id",
        "日付": "date",
        "カテゴリ": "touchpoint",
        "評価": "rating",
        "内容": "comment",
        "顧客ID": "customer_id",
    }


# ------------------------------------------------------------------------------------------- plain columns


def plain_table() -> RawTable:
    """An in-house export with plain column names in mixed languages, cases and widths."""
    frame = pd.DataFrame(
        {
            " Response_ID ": [f"A{i}" for i in range(N)],
            "会員番号": [f"M{i % 30}" for i in range(N)],
            "回答日時": [f"2024年3月{1 + i % 28}日 10:00" for i in range(N)],
            "ＮＰＳ": [str(i % 11) for i in range(N)],
            "ＣＳＡＴ": [str(1 + i % 5) for i in range(N)],
            "How easy was it to get your issue resolved?": [str(1 + i % 7) for i in range(N)],
            "配送スピード": [str(1 + i % 5) for i in range(N)],
            "Checkout rating": [str(1 + (i * 3) % 5) for i in range(N)],
            "staff_service": [str(1 + (i * 2) % 5) for i in range(N)],
            "【アプリ】の評価": [str(1 + (i * 4) % 5) for i in range(N)],
            "会員ランク": [["ゴールド", "シルバー", "ブロンズ"][i % 3] for i in range(N)],
            "Age Group": [["18-24", "25-34", "35-44", "45+"][i % 4] for i in range(N)],
            "region_code": [str(1 + i % 8) for i in range(N)],
            "Source": [["Email", "SMS", "QR"][i % 3] for i in range(N)],
            "contact": [f"03-1234-{i:04d}" for i in range(N)],
            "homepage": [f"https://example.com/u/{i}" for i in range(N)],
            "ip": [f"10.0.{i}.1" for i in range(N)],
            "mail": [f"x{i}@example.com" for i in range(N)],
            "survey_version": ["v2"] * N,
            "blank": [None] * N,
            "Q_RecaptchaScore": [f"0.{i % 10}" for i in range(N)],
            "Number of orders": [str(i % 6) for i in range(N)],
            "amount_spent": [f"{i * 13.7:.2f}" for i in range(N)],
        }
    )
    return RawTable.from_frame(frame, "crm.csv")


def test_plain_names_in_any_case_width_and_language() -> None:
    roles = suggest_roles(plain_table())
    assert_valid_roles(roles)
    expected = {
        " Response_ID ": "response_id",
        "会員番号": "customer_id",
        "回答日時": "date",
        "ＮＰＳ": "nps",
        "ＣＳＡＴ": "csat",
        "How easy was it to get your issue resolved?": "ces",
        "配送スピード": "rating:配送スピード",
        "Checkout rating": "rating:Checkout",
        "staff_service": "rating:staff service",
        "【アプリ】の評価": "rating:アプリ",
        "会員ランク": "attribute:会員ランク",
        "Age Group": "attribute:Age Group",
        "region_code": "attribute:region code",  # small codes of a category are not ratings
        "Source": "channel",
        "contact": "ignore",  # phone numbers
        "homepage": "ignore",  # URLs
        "ip": "ignore",
        "mail": "customer_email",  # e-mail addresses: personal data, dropped at import unless kept
        "survey_version": "ignore",  # constant
        "blank": "ignore",
        "Q_RecaptchaScore": "ignore",
        "Number of orders": "attribute:Number of orders",
        "amount_spent": "ignore",
    }
    assert roles == expected


@pytest.mark.parametrize(
    "question",
    ["問題解決までにかかった労力はどの程度でしたか", "お手続きのご負担はいかがでしたか", "解決までに苦労しましたか"],
)
def test_japanese_effort_questions_are_ces(question: str) -> None:
    """労力 (effort), 負担 (burden), 苦労 (trouble): how Japanese CES questions ask, beside 手間 and 簡単."""
    frame = pd.DataFrame({"推奨度": [str(i % 11) for i in range(N)], question: [str(1 + i % 5) for i in range(N)]})
    assert suggest_roles(RawTable.from_frame(frame, "ces.csv"))[question] == "ces"


def test_a_scale_written_in_the_header_is_the_columns_scale_not_a_matrix_row() -> None:
    """In-house sheets write the scale in the header: "Delivery (1-7)", 満足度［1～10］. It is not a touchpoint named
    "1-7": the name is what comes before it, and the role carries the scale (a month with no 6 or 7 is still 1–7),
    unless the answers go beyond it."""
    frame = pd.DataFrame(
        {
            "Recommend us [0-10]": [str(i % 11) for i in range(N)],
            "Delivery [1-5]": [str(1 + i % 5) for i in range(N)],
            "Staff (1-7)": [str(1 + i % 5) for i in range(N)],  # no 6 or 7 answered
            "満足度 [1～10]": [str(1 + i % 10) for i in range(N)],
            "レジ（1〜5点）": [str(i % 6) for i in range(N)],  # 0 = not rated beside 1–5
            "Packaging (1-5)": [str(1 + i % 7) for i in range(N)],  # answers up to 7: the note is not trusted
            "各項目の満足度 [配送]": [str(1 + i % 5) for i in range(N)],  # a matrix row, as before
        }
    )
    suggested = suggest_with_reasons(RawTable.from_frame(frame, "sheet.csv"))
    assert {k: role for k, (role, _) in suggested.items()} == {
        "Recommend us [0-10]": "nps",
        "Delivery [1-5]": "rating:Delivery [1-5]",
        "Staff (1-7)": "rating:Staff [1-7]",
        "満足度 [1～10]": "csat [1-10]",
        "レジ（1〜5点）": "rating:レジ [1-5]",
        "Packaging (1-5)": "rating:Packaging",
        "各項目の満足度 [配送]": "rating:配送",
    }
    assert suggested["Staff (1-7)"][1].endswith("; scale 1–7 as the column name writes it")


def test_only_the_best_column_gets_nps() -> None:
    frame = pd.DataFrame(
        {
            "How likely are you to recommend our app?": [str((i * 3) % 11) for i in range(N)],
            "Likelihood to recommend (NPS)": [str(i % 11) for i in range(N)],
        }
    )
    roles = suggest_roles(RawTable.from_frame(frame))
    assert sorted(roles.values()) == ["ignore", "nps"]


def test_repeated_response_ids_are_not_a_response_id() -> None:
    frame = pd.DataFrame({"ResponseId": ["R1", "R1", "R2"] * 5, "score": [str(i % 11) for i in range(15)]})
    assert suggest_roles(RawTable.from_frame(frame))["ResponseId"] == "ignore"


def test_a_response_id_sent_twice_is_still_the_response_id() -> None:
    """One row exported twice among twelve: the column is the response id (the second row is rejected as a
    duplicate), not ignored (then every re-import would add the responses again). A third repeated is no id."""
    ids = [f"R{i}" for i in range(11)] + ["R3"]
    frame = pd.DataFrame({"response_id": ids, "nps": [str(i % 11) for i in range(12)]})
    reasons = suggest_with_reasons(RawTable.from_frame(frame))
    assert reasons["response_id"] == (
        "response_id",
        "named like a response id; 1 repeated (those rows are rejected as duplicates)",
    )
    frame["response_id"] = [f"R{i % 8}" for i in range(12)]
    assert suggest_roles(RawTable.from_frame(frame))["response_id"] == "ignore"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Checkout rating", "Checkout"),
        ("staff_service", "staff service"),
        ("【配送】の評価", "配送"),
        ("配送スピード満足度", "配送スピード"),
        ("Score: Delivery", "Delivery"),
        ("「サポート」について", "サポート"),
        ("Satisfaction with delivery", "Delivery"),
        ("Rating of the checkout", "Checkout"),
        ("Q2. Staff friendliness", "Staff friendliness"),
        ("Q6) Delivery speed", "Delivery speed"),
        ("Q3_1 Checkout", "Checkout"),
        ("問4 スタッフの対応", "スタッフの対応"),
        ("設問5．接客", "接客"),
        ("1. Staff", "Staff"),
        ("Q1_rating", "Q1"),  # nothing but the number: the number is the name
        ("4G coverage", "4G coverage"),
        ("12ヶ月", "12ヶ月"),
        ("3.5 rating", "3.5"),
    ],
)
def test_clean_name(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


def test_a_column_named_as_rated_is_a_rating_whatever_it_rates() -> None:
    """Price and Product alone are an amount and a segment; "Price satisfaction", 価格の満足度 and "Satisfaction with
    price" rate them. Two columns rating one touchpoint: the second is ignored, not a refused mapping."""
    frame = pd.DataFrame(
        {
            "NPS": [str(i % 11) for i in range(N)],
            "Price satisfaction": [str(1 + i % 5) for i in range(N)],
            "Product satisfaction": [str(1 + (i * 3) % 5) for i in range(N)],
            "価格の満足度": [str(1 + (i * 2) % 5) for i in range(N)],
            "Satisfaction with customer service": [str(1 + (i + 1) % 5) for i in range(N)],
            "Satisfaction with price": [str(1 + (i + 2) % 5) for i in range(N)],
            "Price": [str(10 * (1 + i % 5)) for i in range(N)],
            "Number of visits": [str(1 + i % 5) for i in range(N)],
        }
    )
    roles = suggest_roles(RawTable.from_frame(frame, "survey.csv"))
    assert_valid_roles(roles)
    assert roles["Price satisfaction"] == "rating:Price"
    assert roles["Product satisfaction"] == "rating:Product"
    assert roles["価格の満足度"] == "rating:価格"
    assert roles["Satisfaction with customer service"] == "rating:Customer service"
    assert roles["Satisfaction with price"] == "ignore"  # Price is rated by the first column
    assert not roles["Price"].startswith("rating") and not roles["Number of visits"].startswith("rating")


@pytest.mark.parametrize(
    ("header", "values", "role"),
    [
        ("氏名", ["山田太郎", "佐藤花子"], "customer_name"),
        ("お名前", ["山田", "佐藤"], "customer_name"),
        ("名前", ["たろう", "はなこ"], "customer_name"),
        ("氏名（漢字）", ["山田太郎", "佐藤花子"], "customer_name"),
        ("Name", ["Ann Lee", "Bo Chan"], "customer_name"),
        ("Customer name", ["Ann Lee", "Bo Chan"], "customer_name"),
        ("E-mail", ["ann@example.com", "bo@example.org"], "customer_email"),
        ("Email", ["", ""], "ignore"),  # empty in the sample
        ("メールアドレス", ["taro@example.jp", "hanako@example.jp"], "customer_email"),
        ("Ｅメール", ["taro@example.jp", "hanako@example.jp"], "customer_email"),
        ("連絡先", ["taro@example.jp", "hanako@example.jp"], "customer_email"),  # by its values
        ("First Name", ["Ann", "Bo"], "ignore"),  # half a name: not stored
        ("フリガナ", ["ヤマダ", "サトウ"], "ignore"),
        ("Product name", ["Kettle", "Toaster"], "attribute:Product name"),  # not a person
    ],
)
def test_contact_columns_are_offered_as_personal_data(header: str, values: list[str], role: str) -> None:
    frame = pd.DataFrame({"NPS": [str(i % 11) for i in range(N)], header: [values[i % 2] for i in range(N)]})
    roles = suggest_with_reasons(RawTable.from_frame(frame, "contacts.csv"))
    assert roles[header][0] == role
    if role.startswith("customer_"):
        assert "personal data" in roles[header][1]


def test_only_one_column_gets_each_contact_role() -> None:
    frame = pd.DataFrame(
        {
            "NPS": [str(i % 11) for i in range(N)],
            "E-mail": [f"a{i}@example.com" for i in range(N)],
            "Work e-mail": [f"b{i}@example.com" for i in range(N)],
            "氏名": [f"山田{i}" for i in range(N)],
        }
    )
    roles = suggest_roles(RawTable.from_frame(frame, "contacts.csv"))
    assert roles == {"NPS": "nps", "E-mail": "customer_email", "Work e-mail": "ignore", "氏名": "customer_name"}


def test_role_editor_labels_follow_the_language_and_read_back_in_any(qualtrics: RawTable) -> None:
    from cxdash.i18n import use_language
    from cxdash.ingest.mapping import ROLE_PREFIXES, editor_frame, mapping_from_editor, role_choices

    mapping = suggest_roles(qualtrics)
    frames = {}
    for language in ("en", "ja"):
        with use_language(language):
            assert len(role_choices()) == len(ROLE_PREFIXES)  # no two roles share a label
            frames[language] = editor_frame(qualtrics, mapping, explain_roles(qualtrics))
            assert mapping_from_editor(frames[language], qualtrics) == mapping
    assert frames["ja"].set_index("Column")["Role"]["Q1"] == "NPS（0〜10 推奨度）"
    with use_language("en"):  # a table drawn in Japanese, read back after switching to English
        assert mapping_from_editor(frames["ja"], qualtrics) == mapping


def test_a_column_profile_counts_every_cell_though_each_distinct_value_is_looked_at_once() -> None:
    """1, 1.0 and True are equal but count as an integer, a number and nothing; repeats and blanks count right."""
    from cxdash.ingest.suggest import _profile

    p = _profile(
        [1, 1.0, True, "1", " 1 ", "１", None, "", "  ", "x@y.com", "x@y.com", 12, "a b c", "配送がとても遅かった"], 20
    )
    assert p.rows == 20 and p.n == 11
    assert sorted(p.ints) == [1, 1, 1, 1, 1, 12]  # 1, 1.0, "1", " 1 ", "１" and 12; True is not an answer on a scale
    assert p.distinct == 7  # "1" (NFKC makes "１" one), "1.0", "True", "x@y.com", "12" and the two sentences
    assert p.email_share == 2 / 11 and p.text_share == 2 / 11
    assert p.number_share == 6 / 11  # 1, 1.0, "1", " 1 ", "１" and 12


def _profile_cell_by_cell(values: list[object]) -> tuple[object, ...]:
    """What a column's profile must hold, worked out for each distinct value with every check (no short cuts)."""
    import unicodedata
    from collections import Counter
    from numbers import Real

    from cxdash.ingest import suggest as s
    from cxdash.ingest.parse import NOT_ANSWERED

    counts = Counter(zip(map(type, values), values, strict=True))
    n = numbers = dates = emails = ips = urls = phones = sentences = length = 0
    ints: list[int] = []
    texts: set[str] = set()
    for (_, raw), c in counts.items():
        if raw is None or (isinstance(raw, str) and raw.strip().lower() in NOT_ANSWERED):
            continue
        n += c
        text = unicodedata.normalize("NFKC", str(raw)).strip()
        texts.add(text)
        length += (len(text) + len(s._CJK.findall(text))) * c
        if isinstance(raw, dt.date | dt.datetime | dt.time):
            dates += c
            continue
        if isinstance(raw, bool):
            continue
        if isinstance(raw, Real):
            numbers += c
            if float(raw).is_integer():
                ints.extend([int(raw)] * c)
            continue
        if m := s._SMALL_INT.match(text):
            ints.extend([int(m.group(1))] * c)
        numbers += c * bool(s._NUMBER.match(text))
        dates += c * bool(s._DATE_TEXT.match(text) or s._NAMED_DATE.match(text) or s.ERA_DATE.match(text))
        named = s._NAMED_DATE.match(text) or s.ERA_DATE.match(text)
        trailing = s._TRAILING_INT.match(text)
        if text[:1].isalpha() and not named and trailing and s.is_label(trailing["words"]):  # words, then (5)
            m = trailing
            ints.extend([int(m["n"])] * c)
            numbers += c
        emails += c * bool(s._EMAIL.match(text))
        ips += c * bool(s._IPV4.match(text) or s._IPV6.match(text))
        urls += c * bool(s._URL.match(text))
        phones += c * bool(s._PHONE.match(text))
        sentences += c * bool(" " in text or len(s._CJK.findall(text)) >= 5)
    return n, len(texts), ints, numbers, dates, emails, ips, urls, phones, sentences, length


@pytest.mark.parametrize("seed", range(6))
def test_a_column_profile_is_what_every_check_on_every_value_gives(seed: int) -> None:
    """Profiling skips the checks a value cannot pass (a number does not start with a letter; ASCII text has no CJK
    character); the counts are those of running them all."""
    import random

    from cxdash.ingest import suggest as s

    rnd = random.Random(seed)
    pool = [
        "R0001", "9", " 10 ", "10 - Extremely likely", "１０", "+81 90-1234-5678", "(03) 1234-5678", "2024-01-31",
        "2024/1/31 9:05", "31.01.2024", "192.168.0.1", "fe80::1", "abc:de::f", "a@b.co", "ｔａｒｏ＠example.jp",
        "https://x.jp/a", "www.example.com", "Ⅻ", "é", "Über 9000", ".5", "-3", "1e5", "二〇二四年", "配送が遅かった。",
        "とても良い", "N/A", "", "  ", None, 7, 7.0, 2.5, True, dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 9, 5),
        "Great value for money", "12:30", "0120-123-456", "５点", "3 (Neutral)", "ok", "令和6年4月1日", "R6.4.1",
        "01 Apr 2024", "Mon, 01 Apr 2024 10:00", "April 1, 2024", "Unoffered", "わからない", "Good",
        "Very satisfied (5)", "満足(4)", "Order was late (4)",
    ]  # fmt: skip
    values = [rnd.choice(pool) for _ in range(300)]
    p = s._profile(values, len(values))
    n, distinct, ints, numbers, dates, emails, ips, urls, phones, sentences, length = _profile_cell_by_cell(values)
    assert (p.n, p.distinct, p.ints) == (n, distinct, ints)
    assert (p.number_share, p.date_share, p.email_share) == (numbers / n, dates / n, emails / n)
    assert (p.ip_share, p.url_share, p.phone_share) == (ips / n, urls / n, phones / n)
    assert (p.text_share, p.mean_length) == (sentences / n, length / n)


@pytest.mark.parametrize("overall", ["overall_rating", "Overall score", "総合評価"])
def test_an_overall_rating_beside_touchpoint_ratings_is_csat_not_a_touchpoint(tmp_path: Path, overall: str) -> None:
    rows: list[list[object]] = [["id", "date", overall, "comfort_rating", "staff_rating", "content"]]
    rows += [
        [f"R{i}", stamp(i), 1 + i % 5, 1 + (i * 3) % 5, 1 + (i * 7) % 5, TEXTS[i % len(TEXTS)] + f" {i}"]
        for i in range(N)
    ]
    roles = suggest_roles(read_table(write_csv(tmp_path / "reviews.csv", rows), "reviews.csv"))
    assert roles[overall] == "csat"
    assert roles["comfort_rating"] == "rating:comfort" and roles["staff_rating"] == "rating:staff"


def test_an_overall_rating_stays_a_rating_where_a_satisfaction_question_is_csat(tmp_path: Path) -> None:
    rows: list[list[object]] = [["id", "Overall satisfaction", "Overall rating", "Checkout rating"]]
    rows += [[f"R{i}", 1 + i % 5, 1 + (i * 3) % 5, 1 + (i * 7) % 5] for i in range(N)]
    roles = suggest_roles(read_table(write_csv(tmp_path / "s.csv", rows), "s.csv"))
    assert roles["Overall satisfaction"] == "csat"
    assert roles["Overall rating"] != "csat"


def test_day_month_year_dates_with_dashes_are_dates_not_phone_numbers(tmp_path: Path) -> None:
    days = [(dt.date(2015, 1, 1) + dt.timedelta(days=11 * i)).strftime("%d-%m-%Y") for i in range(N)]
    rows: list[list[object]] = [["visited", "rating", "content"]]
    rows += [[days[i], 1 + i % 5, TEXTS[i % len(TEXTS)] + f" {i}"] for i in range(N)]
    reasons = suggest_with_reasons(read_table(write_csv(tmp_path / "visits.csv", rows), "visits.csv"))
    assert reasons["visited"][0] == "date", reasons["visited"]
    phones = [["reach", "nps"]] + [[f"03-{1000 + i}-{5678 + i}", i % 11] for i in range(N)]
    reasons = suggest_with_reasons(read_table(write_csv(tmp_path / "phones.csv", phones), "phones.csv"))
    assert reasons["reach"][0] == "ignore" and "phone" in reasons["reach"][1], reasons["reach"]


def test_short_names_repeated_in_many_rows_are_a_segment_even_with_many_values(tmp_path: Path) -> None:
    """An airline or store column: 60 names over 900 rows is a segment; 300 names over 900 rows, or numbers, not."""
    rows: list[list[object]] = [["id", "carrier", "venue", "code", "nps"]]
    rows += [[f"R{i}", f"airline-{i % 60}", f"Venue {i % 300}", str(1000 + i % 60), i % 11] for i in range(900)]
    reasons = suggest_with_reasons(read_table(write_csv(tmp_path / "reviews.csv", rows), "reviews.csv"))
    assert reasons["carrier"][0] == "attribute:carrier", reasons["carrier"]
    assert "60 distinct values" in reasons["carrier"][1]
    assert not reasons["venue"][0].startswith("attribute"), reasons["venue"]
    assert not reasons["code"][0].startswith("attribute"), reasons["code"]


def test_long_texts_repeated_word_for_word_are_names_not_comments(tmp_path: Path) -> None:
    """Review sites put the reviewed place's name in a column (a lounge, a hotel): long texts that repeat word for
    word in many rows are not comments; the customers' text beside it is, and so is a column named like a comment."""
    places = [f"Airline {k} Business Class Lounge - Airport {k}" for k in range(12)]
    pasted = "Thank you for the lounge, it was just as the brochure described it"
    rows: list[list[object]] = [["id", "title", "content", "Comment", "rating"]]
    for i in range(N * 3):
        own = TEXTS[i % len(TEXTS)] + f" (visit {i})"
        place = places[i % 12] if i % 2 else f"Airline {i} Lounge at Terminal {i % 7} - City Airport"  # 60% distinct
        rows.append([f"R{i}", place, own, pasted if i % 2 else own, 1 + i % 5])
    roles = suggest_roles(read_table(write_csv(tmp_path / "reviews.csv", rows), "reviews.csv"))
    assert roles["title"] == "ignore"
    assert roles["content"] == "comment"
    assert roles["Comment"] == "comment"  # half of it one pasted text, but named a comment: it stays one


@pytest.mark.parametrize(
    ("header", "nothing"),
    [
        ("ご意見・ご要望をご自由にお書きください", ["特になし", "特になし。", "なし", "特にありません"]),
        ("Any other comments?", ["No", "no", "Nothing", "No comment", "nothing else."]),
        ("自由回答", ["特になし"]),
    ],
)
def test_a_comment_column_mostly_saying_nothing_to_add_is_a_comment_column(header: str, nothing: list[str]) -> None:
    """Most answer an open question with 特になし or No: those repeat (a category, at a glance), the rest is what
    customers wrote. The column is a comment column, and the reason says why."""
    texts = TEXTS + JA_TEXTS
    answers = [nothing[i % len(nothing)] if i % 5 < 3 else f"{texts[i % len(texts)]} ({i})" for i in range(N * 2)]
    frame = pd.DataFrame({"回答ID": [f"R{i}" for i in range(N * 2)], "推奨度": [str(i % 11) for i in range(N * 2)]})
    frame[header] = answers
    reasons = suggest_with_reasons(RawTable.from_frame(frame, "survey.csv"))
    assert reasons[header][0] == "comment", reasons[header]
    assert "48 answers saying there is nothing to add" in reasons[header][1]


def test_yes_and_no_answers_stay_a_segment() -> None:
    """ "No" says nothing to add only where customers write text: a Yes/No question is a segment, and a column of
    short words named like a comment is a comment column."""
    frame = pd.DataFrame(
        {
            "nps": [str(i % 11) for i in range(N)],
            "Contacted support": ["No" if i % 4 else "Yes" for i in range(N)],
            "Repeat customer": ["No" if i % 3 else "Yes, for years" for i in range(N)],
            "Comment": ["great", "bad", "meh", "good", "ok"] * (N // 5),
        }
    )
    roles = suggest_roles(RawTable.from_frame(frame, "survey.csv"))
    assert roles["Contacted support"] == "attribute:Contacted support"
    assert roles["Repeat customer"] == "attribute:Repeat customer"
    assert suggest_roles(RawTable.from_frame(frame.iloc[:5], "five.csv"))["Comment"] == "comment"


def test_excel_serial_numbers_under_a_date_name_are_the_date() -> None:
    """45352 … under "Submitted" or "Date" (a sheet's unformatted dates, in the cells or saved as CSV text) is the
    response date; the same numbers under another name are amounts (yen), not dates."""
    serials = [45352 + i for i in range(N)]
    frame = pd.DataFrame(
        {
            "Submitted": serials,
            "Date": [str(v) for v in serials],
            "NPS": [str(i % 11) for i in range(N)],
            "Order value": [str(20_000 + 997 * i) for i in range(N)],
        }
    )
    reasons = suggest_with_reasons(RawTable.from_frame(frame, "survey.csv"))
    assert reasons["Submitted"][0] == "date", reasons["Submitted"]
    assert reasons["Date"][0] == "ignore" and "Submitted" in reasons["Date"][1]
    assert reasons["Order value"][0] != "date"


def test_half_stars_are_a_rating() -> None:
    """A review site's stars in half steps (4.5) are the file's rating; half steps under a name that rates nothing
    (a weight, hours) are not."""
    stars = ["5", "4.5", "3", "4", "2", "3.5", "5", "1"] * 5
    frame = pd.DataFrame(
        {
            "投稿日": [f"2024/05/{1 + i % 28:02d}" for i in range(40)],
            "評価": stars,
            "Hours": stars,
            "口コミ本文": [f"{JA_TEXTS[i % 4]}（{i}）" for i in range(40)],
        }
    )
    roles = suggest_roles(RawTable.from_frame(frame, "reviews.csv"))
    assert roles["評価"] == "csat" and roles["口コミ本文"] == "comment"
    assert not roles["Hours"].startswith(("rating", "csat"))


def test_a_tools_selected_choice_suffix_is_no_matrix_row() -> None:
    """Qualtrics writes "Which of these did you use? - Selected Choice" over a multiple-choice question: the segment
    is named by the question, not "Selected Choice"."""
    frame = pd.DataFrame(
        {"nps": [str(i % 11) for i in range(N)], "Q5": [["Web", "App", "Store"][i % 3] for i in range(N)]}
    )
    table = RawTable.from_frame(
        frame, "qualtrics.csv", questions={"Q5": "Which of these did you use? - Selected Choice"}
    )
    assert suggest_roles(table)["Q5"] == "attribute:Which of these did you use"


def test_a_review_exports_reviewer_and_reply_are_no_comments() -> None:
    """Trustpilot's "Review Consumer Name" and "Review Consumer User ID", Google's reviewReply.comment: a name (stored
    only when personal data is kept), a customer id and the company's reply, not three more comments per review."""
    frame = pd.DataFrame(
        {
            "Review ID": [f"r{i}" for i in range(N)],
            "Review Stars": [str(1 + i % 5) for i in range(N)],
            "Review Content": [f"{TEXTS[i % 5]} (visit {i})" for i in range(N)],
            "Review Consumer Name": [f"Customer Number{i}" for i in range(N)],
            "Review Consumer User ID": [f"{i:024x}" for i in range(N)],
            "reviewReply.comment": [
                f"Thank you for your review number {i}, we hope to see you again" for i in range(N)
            ],
        }
    )
    roles = suggest_roles(RawTable.from_frame(frame, "reviews.csv"))
    assert roles["Review Content"] == "comment" and roles["Review Stars"] == "csat"
    assert roles["Review Consumer Name"] == "customer_name"
    assert roles["Review Consumer User ID"] == "customer_id"
    assert roles["reviewReply.comment"] == "ignore"


def test_an_overall_score_without_a_rating_word_is_csat() -> None:
    """じゃらん's 総合 beside 部屋 and 風呂, "Overall" beside touchpoints: the whole stay's score, not a touchpoint; a
    circled question number (②) is no part of a touchpoint's name."""
    for overall in ("総合", "Overall", "Overall Experience"):
        frame = pd.DataFrame(
            {
                overall: [str(1 + i % 5) for i in range(N)],
                "②部屋": [str(1 + (i * 2) % 5) for i in range(N)],
                "③風呂": [str(1 + (i * 3) % 5) for i in range(N)],
            }
        )
        roles = suggest_roles(RawTable.from_frame(frame, "reviews.csv"))
        assert roles[overall] == "csat", roles
        assert roles["②部屋"] == "rating:部屋" and roles["③風呂"] == "rating:風呂"


def test_a_comment_column_where_many_wrote_the_same_praise_is_a_comment_column() -> None:
    """Most wrote "Good" or "Great service", the rest their own words: a column named like a comment is comments; a
    ticket reason of 40 categories over many rows stays a segment."""
    praise = ["Good", "Great service", "Very good", "Nice staff"]
    answers = [praise[i % 4] if i % 5 < 3 else f"{TEXTS[i % 5]} ({i})" for i in range(200)]
    frame = pd.DataFrame({"nps": [str(i % 11) for i in range(200)], "Comment": answers})
    assert suggest_roles(RawTable.from_frame(frame, "survey.csv"))["Comment"] == "comment"
    reasons = [f"Billing question {k}" for k in range(40)]
    tickets = pd.DataFrame(
        {"CSAT": [str(1 + i % 5) for i in range(800)], "Reason": [reasons[i % 40] for i in range(800)]}
    )
    assert suggest_roles(RawTable.from_frame(tickets, "tickets.csv"))["Reason"] == "attribute:Reason"


def test_system_exports_ids_stars_in_words_and_compact_dates() -> None:
    """Medallia's "Survey ID" and Intercom's conversation_id are the response id; Google's starRating (FIVE, FOUR)
    is the rating; a "Date" of 20240401 is the date."""
    frame = pd.DataFrame(
        {
            "conversation_id": [f"{215000000 + i}" for i in range(N)],
            "Date": [f"202404{1 + i % 28:02d}" for i in range(N)],
            "starRating": [["ONE", "TWO", "THREE", "FOUR", "FIVE"][i % 5] for i in range(N)],
        }
    )
    roles = suggest_roles(RawTable.from_frame(frame, "export.csv"))
    assert roles == {"conversation_id": "response_id", "Date": "date", "starRating": "csat"}
    epoch = frame.assign(Date=[str(1711965600 + 86400 * i) for i in range(N)])
    assert suggest_roles(RawTable.from_frame(epoch, "export.csv"))["Date"] == "date"
    assert suggest_roles(RawTable.from_frame(frame.rename(columns={"conversation_id": "Survey ID"})))["Survey ID"] == (
        "response_id"
    )


def test_japanese_era_dates_are_a_date_column() -> None:
    frame = pd.DataFrame(
        {
            "回答日": [f"令和{5 + i % 2}年{1 + i % 12}月{1 + i % 28}日" for i in range(N)],
            "推奨度": [str(i % 11) for i in range(N)],
            "受付日": [f"R{5 + i % 2}.{1 + i % 12}.{1 + i % 28}" for i in range(N)],
        }
    )
    suggested = suggest_roles(RawTable.from_frame(frame, "和暦.csv"))
    assert suggested["回答日"] == "date" and suggested["推奨度"] == "nps"
    assert suggested["受付日"] == "ignore"  # a second date column


def test_an_app_store_review_export(tmp_path: Path) -> None:
    """Google Play's reviews export (UTF-16): the stars are the only rating, so CSAT; the review text is the comment;
    the developer's replies are not customers' words; dates naming their month are dates."""
    columns = [
        "Package Name", "App Version Name", "Review Submit Date and Time", "Review Submit Millis Since Epoch",
        "Star Rating", "Review Title", "Review Text", "Developer Reply Date and Time", "Developer Reply Text",
    ]  # fmt: skip
    rows: list[list[object]] = [columns]
    for i in range(N):
        reply = ["2024-04-20T10:00:00Z", f"Thanks, we fixed it in 2.{i % 3} (ticket {i})"] if i % 3 == 0 else ["", ""]
        rows.append(
            ["com.acme.shop", f"2.{i % 3}.0", f"2024-04-{1 + i % 28:02d}T10:00:00Z", str(1711929600000 + i),
             str(1 + i % 5), "", f"{TEXTS[i % 5]} (review {i})", *reply]
        )  # fmt: skip
    path = write_csv(tmp_path / "reviews_202404.csv", rows, encoding="utf-16")
    roles = suggest_with_reasons(read_table(path, path.name))
    assert roles["Star Rating"][0] == "csat" and "only rating" in roles["Star Rating"][1]
    assert roles["Review Text"][0] == "comment"
    assert roles["Review Submit Date and Time"][0] == "date"
    assert roles["Developer Reply Text"] == (
        "ignore",
        "the company's replies to customers (by its name), not what customers wrote",
    )
    assert roles["App Version Name"][0] == "attribute:App Version Name"
    posted = {"Posted": [f"{['April', 'May'][i % 2]} {1 + i % 28}, 2024" for i in range(N)], "Stars": ["5"] * N}
    assert suggest_roles(RawTable.from_frame(pd.DataFrame(posted)))["Posted"] == "date"


def test_one_rating_among_touchpoint_ratings_is_not_taken_as_csat() -> None:
    frame = pd.DataFrame(
        {"Delivery rating": [str(1 + i % 5) for i in range(N)], "Support": [str(1 + i % 4) for i in range(N)]}
    )
    roles = suggest_roles(RawTable.from_frame(frame))
    assert roles["Delivery rating"] == "rating:Delivery"


def test_a_typeform_export() -> None:
    """Typeform: '#' is the response's token; a rating question names its touchpoint ("How would you rate our
    delivery?" → Delivery)."""
    frame = pd.DataFrame(
        {
            "#": [f"{i * 7919:016x}" for i in range(N)],
            "How likely are you to recommend Acme to a friend?": [str(i % 11) for i in range(N)],
            "How would you rate our delivery?": [str(1 + i % 5) for i in range(N)],
            "How was the checkout?": [str(1 + (i * 3) % 5) for i in range(N)],
            "配送はいかがでしたか？": [str(1 + (i * 2) % 5) for i in range(N)],
            "Submit Date (UTC)": [f"2024-04-{1 + i % 28:02d} 10:00:00" for i in range(N)],
        }
    )
    roles = suggest_roles(RawTable.from_frame(frame, "typeform.csv"))
    assert roles["#"] == "response_id"
    assert roles["How would you rate our delivery?"] == "rating:Delivery"
    assert roles["How was the checkout?"] == "rating:Checkout"
    assert roles["配送はいかがでしたか？"] == "rating:配送"
