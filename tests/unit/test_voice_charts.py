"""Voice of the Customer charts and comment HTML: specs are data, and a comment never becomes markup."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from cxdash.viz.voice_charts import (
    MIX_SELECTION,
    THEME_SELECTION,
    escape_text,
    highlight_html,
    match_spans,
    sentiment_mix_chart,
    theme_chart,
    verbatim_html,
)

HOSTILE = [
    "<script>document.title='pwned'</script>",
    "<img src=x onerror=\"document.title='pwned'\">",
    "**bold** _it_ [link](javascript:alert(1)) $x^2$ :red[red] `code`",
    "line one\n\nline two",
]


def _mix() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": ["Delivery", "Delivery", "Delivery", "Checkout", "Checkout"],
            "order": [1, 1, 1, 0, 0],
            "label": ["positive", "neutral", "negative", "positive", "negative"],
            "n": [2, 1, 7, 6, 4],
            "total": [10, 10, 10, 10, 10],
            "share": [0.2, 0.1, 0.7, 0.6, 0.4],
        }
    )


def test_mix_chart_stacks_shares_by_group_with_counts_in_tooltips() -> None:
    spec = sentiment_mix_chart(_mix(), "touchpoint").to_dict()
    enc = spec["encoding"]
    assert enc["x"]["field"] == "share" and enc["x"]["stack"] == "normalize"
    assert enc["y"]["sort"] == ["Checkout  (n=10)", "Delivery  (n=10)"]  # journey order, n in the label
    assert enc["color"]["scale"]["domain"] == ["negative", "neutral", "positive"]
    assert {t["field"] for t in enc["tooltip"]} >= {"n", "share", "total", "sentiment", "shown"}
    params = spec["params"]
    assert params[0]["name"] == MIX_SELECTION and params[0]["select"]["fields"] == ["group", "label"]


def test_mix_chart_over_time_runs_left_to_right() -> None:
    mix = _mix().assign(group=["2026-01-01"] * 3 + ["2026-02-01"] * 2, order=[0, 0, 0, 1, 1])
    spec = sentiment_mix_chart(mix, "period").to_dict()
    assert spec["encoding"]["x"]["sort"] == ["Jan 2026", "Feb 2026"]
    assert spec["encoding"]["y"]["stack"] == "normalize"


def test_theme_chart_selects_a_theme() -> None:
    summary = pd.DataFrame(
        {"theme_id": [1, 2], "theme": ["Delivery", "Price"], "volume": [5, 9], "share": [0.2, 0.4],
         "negative_share": [0.8, float("nan")], "volume_change": [float("nan"), 2.0]}
    )  # fmt: skip
    spec = theme_chart(summary).to_dict()
    assert spec["encoding"]["y"]["sort"] == ["Price", "Delivery"]
    assert spec["params"][0]["name"] == THEME_SELECTION


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_contains_no_markup(text: str) -> None:
    out = escape_text(text)
    assert "<" not in out.replace("<br>", "") and ">" not in out.replace("<br>", "")
    for ch in "*_[]()$`:":
        assert ch not in out
    assert html.unescape(out.replace("<br>", "\n")) == text.replace("\r", "")


def test_highlight_wraps_matches_case_insensitively_and_escapes_everything_else() -> None:
    out = highlight_html("Delivery <b>was</b> late; DELIVERY again", ["delivery"])
    assert out.count("<mark") == 2
    assert "&lt;b&gt;was&lt;&#47;b&gt;" in out or "&lt;b&gt;was&lt;/b&gt;" in out
    assert "<b>" not in out


def test_highlight_of_a_term_with_html_characters_matches_the_raw_text() -> None:
    out = highlight_html("R&D <script>x</script>", ["<script>", "r&d"])
    assert re.findall(r"<mark[^>]*>(.*?)</mark>", out) == ["R&amp;D", "&lt;script&gt;"]
    assert "<script>" not in out


def test_overlapping_terms_merge_into_one_mark() -> None:
    assert match_spans("customer service desk", ["customer service", "service desk"]) == [(0, 21)]
    assert match_spans("配送が遅い、配送", ["配送"]) == [(0, 2), (6, 8)]


@pytest.mark.parametrize(
    ("text", "term", "marked"),
    [
        ("ＷｉＦｉが遅い", "wifi", ["ＷｉＦｉ"]),  # full-width letters, any case
        ("WiFi ok, wifi ok", "ＷＩＦＩ", ["WiFi", "wifi"]),  # a full-width term finds the half-width text
        ("ﾎﾟｲﾝﾄが貯まる", "ポイント", ["ﾎﾟｲﾝﾄ"]),  # half-width kana and voiced mark: five characters, one match
        ("待ち時間は１０分", "10分", ["１０分"]),
        ("CAFÉ au lait", "café", ["CAFÉ"]),
        ("Cafe\u0301 ok", "café", ["Cafe\u0301"]),  # e + a combining accent is é
        ("配送", "配送が", []),
    ],
)
def test_highlight_finds_what_the_search_finds_whatever_the_width_and_case(
    text: str, term: str, marked: list[str]
) -> None:
    assert [text[a:b] for a, b in match_spans(text, [term])] == marked
    assert len(re.findall(r"<mark", highlight_html(text, [term]))) == len(marked)


def test_verbatim_is_one_html_block_with_meta() -> None:
    out = verbatim_html("a\n\nb", ["b"], ["2026-01-01", "Delivery <i>"])
    assert "\n" not in out and out.startswith("<div")
    assert "Delivery &lt;i&gt;" in out
