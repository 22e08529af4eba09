"""Answers in words (verbal scales, as survey tools export "choice text") read as the numbers of their scale."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from cxdash.ingest.labels import normalise, read_label, read_scale
from cxdash.ingest.read import read_table
from cxdash.ingest.suggest import suggest_roles, suggest_with_reasons
from cxdash.ingest.table import RawTable
from cxdash.ingest.validate import plan_import, preview_import, validate_chunk

SCALES = {
    "satisfaction 5 (very / plain)": (
        ["Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied", "Satisfied", "Very satisfied"],
        (1, 5),
    ),
    "satisfaction 5 (Qualtrics: extremely / somewhat)": (
        [
            "Extremely dissatisfied",
            "Somewhat dissatisfied",
            "Neither satisfied nor dissatisfied",
            "Somewhat satisfied",
            "Extremely satisfied",
        ],
        (1, 5),
    ),
    "satisfaction 7 (Qualtrics)": (
        [
            "Extremely dissatisfied",
            "Moderately dissatisfied",
            "Slightly dissatisfied",
            "Neither satisfied nor dissatisfied",
            "Slightly satisfied",
            "Moderately satisfied",
            "Extremely satisfied",
        ],
        (1, 7),
    ),
    "satisfaction 7 (very / plain / somewhat)": (
        [
            "Very dissatisfied",
            "Dissatisfied",
            "Somewhat dissatisfied",
            "Neutral",
            "Somewhat satisfied",
            "Satisfied",
            "Very satisfied",
        ],
        (1, 7),
    ),
    "ease 5": (["Very difficult", "Difficult", "Neither easy nor difficult", "Easy", "Very easy"], (1, 5)),
    "agreement 5": (
        ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"],
        (1, 5),
    ),
    "quality 5": (["Very poor", "Poor", "Neither good nor poor", "Good", "Very good"], (1, 5)),
    "unipolar 5": (
        ["Not at all satisfied", "Slightly satisfied", "Moderately satisfied", "Very satisfied", "Extremely satisfied"],
        (1, 5),
    ),
    "unipolar 5 (SurveyMonkey)": (
        ["Not at all easy", "Not so easy", "Somewhat easy", "Very easy", "Extremely easy"],
        (1, 5),
    ),
    "rating words 5 (Excellent … Poor)": (["Poor", "Fair", "Good", "Very good", "Excellent"], (1, 5)),
    "rating words 4": (["Poor", "Fair", "Good", "Excellent"], (1, 4)),
    "Freshdesk's satisfaction": (["Not Good", "Just Okay", "Awesome"], (1, 3)),
    "rating words 5 (Terrible … Excellent)": (["Terrible", "Poor", "Average", "Very good", "Excellent"], (1, 5)),
    "3 points (one strength a side)": (["Dissatisfied", "Neutral", "Satisfied"], (1, 3)),
    "Zendesk's satisfaction (Good / Bad)": (["Bad", "Good"], (1, 2)),
    "満足度 2": (["不満", "満足"], (1, 2)),
    "満足度 5 (とても / やや)": (["とても不満", "やや不満", "どちらともいえない", "やや満足", "とても満足"], (1, 5)),
    "満足度 5 (plain / やや)": (["不満", "やや不満", "どちらともいえない", "やや満足", "満足"], (1, 5)),
    "満足度 5 (大変 / plain, 普通)": (["大変不満", "不満", "普通", "満足", "大変満足"], (1, 5)),
    "満足度 4 (no middle)": (["不満", "やや不満", "やや満足", "満足"], (1, 4)),
    "満足度 5 (大変 / plain above, plain / やや below)": (["不満", "やや不満", "普通", "満足", "大変満足"], (1, 5)),
    "同意 5": (["そう思わない", "あまりそう思わない", "どちらともいえない", "ややそう思う", "そう思う"], (1, 5)),
    "容易さ 5": (["とても難しい", "やや難しい", "どちらともいえない", "やや簡単", "とても簡単"], (1, 5)),
}


@pytest.mark.parametrize("name", list(SCALES))
def test_each_label_gets_its_place_on_its_scale(name: str) -> None:
    labels, scale = SCALES[name]
    rng = random.Random(name)
    counts = {label: rng.randint(1, 50) for label in labels}
    found = read_scale(counts)
    assert found is not None
    assert found.scale == scale
    assert [found.number(label) for label in labels] == [float(v) for v in range(1, len(labels) + 1)]


def test_labels_are_compared_without_case_width_spacing_or_a_full_stop() -> None:
    assert normalise("  VERY   Satisfied. ") == "very satisfied"
    assert normalise("とても　満足。") == "とても満足"  # an ideographic space, a Japanese full stop
    assert read_label("Very satisfied") == read_label("very satisfied.")
    found = read_scale({"Very dissatisfied": 2, "Dissatisfied": 3, "Neutral": 1, "Satisfied": 4, "Very satisfied": 5})
    assert found is not None and found.number("VERY SATISFIED") == 5.0 and found.number("Happy") is None


def test_described_in_the_files_own_words_lowest_first() -> None:
    found = read_scale({"Satisfied": 4, "Very dissatisfied": 1, "Neutral": 2, "Very satisfied": 3, "Dissatisfied": 1})
    assert found is not None
    assert found.described() == (
        "Very dissatisfied = 1, Dissatisfied = 2, Neutral = 3, Satisfied = 4, Very satisfied = 5"
    )


@pytest.mark.parametrize(
    "counts",
    [
        {"Free": 5, "Premium": 3},  # not labels
        {"Very satisfied": 3, "Easy": 3, "Dissatisfied": 1, "Difficult": 2},  # two families
        {"Very satisfied": 3, "Satisfied": 3, "Dissatisfied": 1, "Happy": 40},  # mostly unknown words
        {"Neutral": 10},
        {"Good": 10},  # one answer: no scale to place it on
        {},
    ],
)
def test_what_is_not_one_verbal_scale_is_not_read(counts: dict[str, int]) -> None:
    assert read_scale(counts) is None


def _likert_frame(n: int = 200) -> pd.DataFrame:
    rng = random.Random(5)
    sat = SCALES["satisfaction 5 (very / plain)"][0]
    ease = SCALES["ease 5"][0]
    ja = SCALES["満足度 5 (plain / やや)"][0]
    return pd.DataFrame(
        {
            "Response ID": [f"R{i}" for i in range(n)],
            "How likely are you to recommend us to a friend?": [str(rng.randint(0, 10)) for _ in range(n)],
            "Overall, how satisfied are you with our service?": [rng.choice(sat) for _ in range(n)],
            "How easy was it to get what you needed?": [rng.choice(ease) for _ in range(n)],
            "Satisfaction - Delivery": [rng.choice(sat) for _ in range(n)],
            "配送の満足度": [rng.choice(ja) for _ in range(n)],
            "Plan": [rng.choice(["Free", "Pro"]) for _ in range(n)],
        }
    )


def test_suggested_as_scores_with_the_scale_in_words() -> None:
    suggested = suggest_with_reasons(RawTable.from_frame(_likert_frame(), "choice_text.csv"))
    roles = {column: role for column, (role, _) in suggested.items()}
    assert roles["Overall, how satisfied are you with our service?"] == "csat"
    assert roles["How easy was it to get what you needed?"] == "ces"
    assert roles["Satisfaction - Delivery"] == "rating:Delivery"
    assert roles["配送の満足度"] == "rating:配送"
    assert roles["Plan"] == "attribute:Plan"
    assert "1–5 (answers in words)" in suggested["Overall, how satisfied are you with our service?"][1]


def test_validated_as_numbers_said_in_the_preview_and_an_unknown_word_rejected() -> None:
    frame = _likert_frame()
    frame.loc[7, "Satisfaction - Delivery"] = "Great"  # not a word of this column's scale
    frame.loc[8, "Satisfaction - Delivery"] = "4"  # a number on the same scale is read as one
    table = RawTable.from_frame(frame, "choice_text.csv")
    mapping = {
        "Response ID": "response_id",
        "How likely are you to recommend us to a friend?": "nps",
        "Overall, how satisfied are you with our service?": "csat",
        "How easy was it to get what you needed?": "ces",
        "Satisfaction - Delivery": "rating:Delivery",
        "配送の満足度": "rating:配送",
    }
    plan = plan_import(table, mapping)
    assert plan.scales["How easy was it to get what you needed?"] == (1, 5)  # its own scale, not CES's usual 1–7
    assert plan.scales["配送の満足度"] == (1, 5)
    valid, rejections = validate_chunk(next(table.chunks()), plan, set())
    assert [(r.row, r.column, r.value) for r in rejections] == [(9, "Satisfaction - Delivery", "Great")]
    assert rejections[0].reason == (
        "'Great' is neither a number nor one of this column's answers in words (Very dissatisfied = 1, "
        "Dissatisfied = 2, Neither satisfied nor dissatisfied = 3, Satisfied = 4, Very satisfied = 5)"
    )
    sat = SCALES["satisfaction 5 (very / plain)"][0]
    expected = [float(sat.index(v) + 1) for v in frame["Overall, how satisfied are you with our service?"]]
    kept = [row - 2 for row in valid.responses.index]
    assert valid.responses["csat"].tolist() == [expected[i] for i in kept]
    delivery = valid.ratings[valid.ratings["touchpoint"] == "Delivery"].set_index("source_row")["score"]
    assert delivery[10] == 4.0
    preview = preview_import(table, mapping)
    assert any(
        "'配送の満足度'" in w
        and "1–5" in w
        and "不満 = 1, やや不満 = 2, どちらともいえない = 3, やや満足 = 4, 満足 = 5" in w
        for w in preview.warnings
    )


def test_surveymonkey_and_google_forms_exports_with_words(tmp_path: Path) -> None:
    """The header rows of each tool are recognised as with numbers, and the words are read: SurveyMonkey's "actual
    answer text" of a satisfaction matrix; a Google Forms grid in Japanese (cp932, as Excel saves it)."""
    sat = SCALES["satisfaction 5 (very / plain)"][0]
    ja = SCALES["満足度 5 (plain / やや)"][0]
    matrix = "How satisfied were you with each part of your visit?"
    top = ["Respondent ID", "How likely is it that you would recommend us to a friend or colleague?", matrix, "", ""]
    rows: list[list[str]] = [top, ["", "Response", "Checkout", "Delivery", "Staff"]]
    rows += [[str(1000 + i), str(i % 11), sat[i % 5], sat[(i + 1) % 5], sat[(i + 3) % 5]] for i in range(40)]
    sm = tmp_path / "surveymonkey.csv"
    sm.write_text("\r\n".join(",".join(row) for row in rows) + "\r\n", encoding="utf-8")
    roles = suggest_roles(read_table(sm, sm.name))
    assert [roles[f"{matrix} - {tp}"] for tp in ("Checkout", "Delivery", "Staff")] == [
        "rating:Checkout",
        "rating:Delivery",
        "rating:Staff",
    ]
    grid = "各項目の満足度"
    header = ["タイムスタンプ", "当店を友人に薦める可能性は？", f"{grid} [配送スピード]", f"{grid} [店員の対応]"]
    lines = [header] + [
        [f"2024/04/{1 + i % 28:02d} 10:00:00", str(i % 11), ja[i % 5], ja[(i + 2) % 5]] for i in range(40)
    ]
    gf = tmp_path / "フォームの回答.csv"
    gf.write_bytes(("\r\n".join(",".join(row) for row in lines) + "\r\n").encode("cp932"))
    table = read_table(gf, gf.name)
    roles = suggest_roles(table)
    assert roles["各項目の満足度 [配送スピード]"] == "rating:配送スピード"
    assert roles["各項目の満足度 [店員の対応]"] == "rating:店員の対応"
    valid, rejections = validate_chunk(next(table.chunks()), plan_import(table, roles), set())
    assert rejections == []
    speed = valid.ratings[valid.ratings["touchpoint"] == "配送スピード"]["score"].tolist()
    assert speed == [float(ja.index(ja[i % 5]) + 1) for i in range(40)]


def test_words_with_their_number_in_brackets_and_effort_words() -> None:
    """ "Very satisfied (5)" is read by its number; CES 1.0's effort words run the other way (less effort is easier,
    so higher on CES)."""
    sat = ["Very dissatisfied (1)", "Dissatisfied (2)", "Neutral (3)", "Satisfied (4)", "Very satisfied (5)"]
    effort = ["Very high effort", "High effort", "Neither high nor low effort", "Low effort", "Very low effort"]
    frame = pd.DataFrame(
        {
            "Overall satisfaction": [sat[i % 5] for i in range(40)],
            "How much effort did you personally have to put forth?": [effort[(i * 3) % 5] for i in range(40)],
            "満足度": [["不満(1)", "やや不満(2)", "普通(3)", "やや満足(4)", "満足(5)"][i % 5] for i in range(40)],
        }
    )
    table = RawTable.from_frame(frame, "brackets.csv")
    roles = suggest_roles(table)
    assert roles["Overall satisfaction"] == "csat"
    assert roles["How much effort did you personally have to put forth?"] == "ces"
    plan = plan_import(
        table,
        {
            "Overall satisfaction": "csat",
            "How much effort did you personally have to put forth?": "ces",
            "満足度": "rating:満足度",
        },
    )
    valid, rejections = validate_chunk(next(table.chunks()), plan, set())
    assert rejections == []
    assert valid.responses["csat"].tolist() == [float(1 + i % 5) for i in range(40)]
    assert valid.responses["ces"].tolist() == [float(1 + (i * 3) % 5) for i in range(40)]


def test_short_comments_ending_with_a_number_in_brackets_stay_comments() -> None:
    texts = ["Problem still not solved", "Quick and friendly", "Great help from Ken", "Took a week"]
    frame = pd.DataFrame(
        {"Satisfaction Comment": [f"{texts[i % 4]} ({i})" for i in range(40)], "NPS": [str(i % 11) for i in range(40)]}
    )
    assert suggest_roles(RawTable.from_frame(frame, "tickets.csv"))["Satisfaction Comment"] == "comment"
