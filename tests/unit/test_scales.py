"""A score column's scale: inferred from its answers, or set by the user in the role (``ces [1-5]``)."""

from __future__ import annotations

import pandas as pd
import pytest

from cxdash.errors import InputRefused
from cxdash.i18n import use_language
from cxdash.ingest.labels import read_scale
from cxdash.ingest.mapping import (
    choice_to_role,
    describe_scales,
    editor_frame,
    mapping_from_editor,
    role_to_choice,
    scale_choices,
)
from cxdash.ingest.parse import CES_SCALES, infer_scale
from cxdash.ingest.read import read_table
from cxdash.ingest.validate import plan_import, preview_import
from cxdash.roles import Role, parse_role, parse_scale

FIVE = ["Very satisfied", "Satisfied", "Neutral", "Dissatisfied", "Very dissatisfied"]


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("ces [1-5]", Role("ces", None, (1, 5))),
        ("CSAT [1–7]", Role("csat", None, (1, 7))),
        ("rating:Delivery [0-10]", Role("rating", "Delivery", (0, 10))),
        ("rating:配送 ［１～５］", Role("rating", "配送", (1, 5))),
        ("rating [1 - 4]", Role("rating", None, (1, 4))),
        ("nps [0-10]", Role("nps", None, (0, 10))),
        ("rating:Delivery", Role("rating", "Delivery")),
        ("comment:Step [1-5]", Role("comment", "Step [1-5]")),  # a comment has no scale: the brackets are its name
        ("attribute:Plan [A-B]", Role("attribute", "Plan [A-B]")),
    ],
)
def test_a_score_role_may_end_with_its_scale(text: str, role: Role) -> None:
    assert parse_role(text) == role
    assert parse_role(str(role)) == role  # the string form reads back the same


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("nps [1-5]", "0–10"),
        ("csat [2-5]", "starts at 0 or 1"),
        ("ces [1-11]", "at 10 at most"),
        ("rating:Delivery [5-1]", "starts at 0 or 1"),
        ("csat [1-1]", "ends above its start"),
    ],
)
def test_a_scale_a_column_cannot_have_is_refused_in_words(text: str, words: str) -> None:
    with pytest.raises(InputRefused) as refused:
        parse_role(text)
    assert f"'{text}'" in refused.value.message and words in refused.value.message


def test_scale_text_in_any_width_and_dash() -> None:
    assert parse_scale("1–5") == parse_scale("1-5") == parse_scale("[1-5]") == parse_scale("１～５") == (1, 5)
    assert parse_scale("0–10") == (0, 10)
    assert parse_scale("Auto") is None and parse_scale("自動") is None and parse_scale("") is None


def test_ces_on_five_points_is_read_as_five_points() -> None:
    """Gartner's first CES (and many trackers) ask on 1–5: read as 1–7 its mean would look a point and a half worse."""
    assert infer_scale(pd.Series([1.0, 2, 3, 4, 5] * 20), CES_SCALES, (1, 7)) == ((1, 5), False)
    assert infer_scale(pd.Series([3.0, 5, 6, 7] * 20), CES_SCALES, (1, 7)) == ((1, 7), False)


def _table(rows: int = 40):  # type: ignore[no-untyped-def]
    lines = ["id,How easy was it,Overall satisfaction,Delivery"]
    words = ["Very satisfied", "Satisfied", "Neutral", "Dissatisfied"]  # no one very dissatisfied
    lines += [f"r{i},{1 + i % 5},{words[i % 4]},{1 + i % 5}" for i in range(rows)]
    return read_table("\n".join(lines).encode(), "scales.csv")


def test_a_scale_set_by_the_user_replaces_the_inferred_one() -> None:
    table = _table()
    auto = {
        "id": "response_id",
        "How easy was it": "ces",
        "Overall satisfaction": "csat",
        "Delivery": "rating:Delivery",
    }
    assert plan_import(table, auto).scales == {
        "How easy was it": (1, 5),
        "Overall satisfaction": (1, 5),
        "Delivery": (1, 5),
    }
    chosen = auto | {"How easy was it": "ces [1-7]", "Delivery": "rating:Delivery [1-10]"}
    plan = plan_import(table, chosen)
    assert plan.scales["How easy was it"] == (1, 7) and plan.scales["Delivery"] == (1, 10)
    assert plan.mapping["Delivery"] == "rating:Delivery [1-10]"  # the batch keeps the scale it was read on
    assert plan.touchpoints == ["Delivery"]
    shorter = preview_import(table, auto | {"How easy was it": "ces [1-4]"})
    rejected = [r for r in shorter.rejected if r.column == "How easy was it"]
    assert len(rejected) == 8 and all(r.reason == "5 is outside 1–4" for r in rejected)


def test_the_same_touchpoint_twice_is_refused_whatever_the_scales() -> None:
    table = _table()
    mapping = {"How easy was it": "rating:Delivery [1-5]", "Delivery": "rating:Delivery [1-7]"}
    with pytest.raises(InputRefused, match="Delivery"):
        plan_import(table, mapping)


def test_words_are_placed_on_the_scale_the_user_set() -> None:
    table = _table()
    base = {"id": "response_id", "Overall satisfaction": "csat [1-7]"}
    plan = plan_import(table, base)
    labels = plan.single("csat").labels  # type: ignore[union-attr]
    assert labels is not None and labels.scale == (1, 7)
    assert {k: labels.values[k.casefold()] for k in FIVE[:4]} == {
        "Very satisfied": 7,
        "Satisfied": 6,
        "Neutral": 4,
        "Dissatisfied": 2,
    }
    assert "read as a 1–7 scale" in " ".join(plan.warnings)
    with pytest.raises(InputRefused) as refused:
        plan_import(table, base | {"Overall satisfaction": "csat [1-3]"})
    message = refused.value.message
    assert (
        "Column 'Overall satisfaction' of 'scales.csv'" in message
        and "1–3" in message
        and "Set its scale to 1–5" in message
    )


@pytest.mark.parametrize(
    ("words", "scale", "numbers"),
    [
        (FIVE, (1, 5), [5, 4, 3, 2, 1]),  # the scale its words make: as without a scale
        (FIVE, (1, 7), [7, 6, 4, 2, 1]),  # very = 3 steps, plain = 2 from the middle
        (["Satisfied", "Neutral", "Dissatisfied"], (1, 5), [4, 3, 2]),  # plain English is the inner step
        (["満足", "どちらともいえない", "不満"], (1, 5), [5, 3, 1]),  # plain Japanese is the outer one (やや inside)
        (["Very satisfied", "Satisfied", "Dissatisfied", "Very dissatisfied"], (1, 5), [5, 4, 2, 1]),  # no middle said
        (["Very satisfied", "Satisfied", "Dissatisfied", "Very dissatisfied"], (1, 4), [4, 3, 2, 1]),
        (["Somewhat satisfied", "Neutral", "Extremely dissatisfied"], (1, 7), [5, 4, 1]),
        (["Poor", "Fair", "Good", "Excellent"], (1, 5), [1, 2, 3, 5]),  # Poor … Very good … Excellent
    ],
)
def test_placing_words_on_a_scale(words: list[str], scale: tuple[int, int], numbers: list[int]) -> None:
    placed = read_scale(dict.fromkeys(words, 3), scale)
    assert placed is not None and placed.scale == scale
    assert [placed.number(w) for w in words] == numbers


@pytest.mark.parametrize(
    ("words", "scale"),
    [
        (FIVE, (1, 3)),  # two intensities a side do not fit one step
        (FIVE, (1, 4)),  # a middle answer on an even scale
        (FIVE, (0, 10)),  # words start at 1
        (["Not at all satisfied", "Slightly satisfied", "Very satisfied"], (1, 7)),  # the unipolar scale is 1–5
        (["Poor", "Fair", "Good", "Excellent"], (1, 7)),  # no 7-word rating scale
    ],
)
def test_words_that_do_not_fit_a_scale_are_not_placed(words: list[str], scale: tuple[int, int]) -> None:
    assert read_scale(dict.fromkeys(words, 3)) is not None
    assert read_scale(dict.fromkeys(words, 3), scale) is None


def test_the_editor_shows_and_returns_each_score_columns_scale() -> None:
    table = _table()
    mapping = {
        "id": "response_id",
        "How easy was it": "ces [1-7]",
        "Overall satisfaction": "csat",
        "Delivery": "rating:Delivery [1-10]",
    }
    frame = editor_frame(table, mapping, {})
    assert frame.set_index("Column")["Scale"].to_dict() == {
        "id": "Auto",
        "How easy was it": "1–7",
        "Overall satisfaction": "Auto",
        "Delivery": "1–10",
    }
    assert mapping_from_editor(frame, table) == mapping  # a saved mapping's scales survive the editor
    frame.loc[frame["Column"] == "Overall satisfaction", "Scale"] = "1–5"
    frame.loc[frame["Column"] == "id", "Scale"] = "1–5"  # a response id has no scale: ignored
    assert mapping_from_editor(frame, table) == mapping | {"Overall satisfaction": "csat [1-5]"}


def test_the_editor_reads_scales_in_either_language() -> None:
    with use_language("ja"):
        assert scale_choices()[0] == "自動"
        label, name, scale = role_to_choice("rating:配送 [1-5]")
        assert (name, scale) == ("配送", "1〜5")
        assert choice_to_role(label, name, "x", "自動") == "rating:配送"
        assert "1〜7" in scale_choices() and choice_to_role(label, name, "x", "1〜7") == "rating:配送 [1-7]"
    assert choice_to_role(label, name, "x", "1–7") == "rating:配送 [1-7]"  # the label of the other language
    assert choice_to_role("NPS (0–10 recommend)", "", "x", "1–5") == "nps [1-5]"  # refused when planned, in words


def test_the_validation_report_names_each_columns_scale() -> None:
    scales = {"NPS": (0, 10), "Q5": (1, 5), "Q6": (1, 7)} | {f"M{i}": (1, 5) for i in range(6)}
    text = describe_scales(scales)
    assert text == "0–10: 'NPS' · 1–5: 'Q5', 'M0', 'M1', 'M2' and 3 more · 1–7: 'Q6'"
    with use_language("ja"):
        assert describe_scales(scales).endswith("ほか 3 列 · 1〜7: 'Q6'")
