"""Theme rules and keyword ranking on hand-written comments in English and Japanese (no database)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cxdash.analysis.themes import (
    ThemeMatcher,
    ThemeRules,
    load_default_taxonomy,
    log_odds_z,
    parse_rules,
    top_terms,
    uncovered_terms,
)
from cxdash.errors import InputRefused


@pytest.fixture(scope="module")
def seed() -> ThemeMatcher:
    return ThemeMatcher(load_default_taxonomy())


def test_default_taxonomy_has_the_cx_themes_in_both_languages() -> None:
    themes = load_default_taxonomy()
    names = [t.name for t in themes]
    for expected in ("Price & value", "Staff & service", "Speed & waiting", "Delivery", "Website & app usability",
                     "Product quality", "Support & help", "Returns & refunds", "Payment & checkout",
                     "Communication", "Cleanliness", "Food & drink"):  # fmt: skip
        assert expected in names
    assert all(len(parse_rules(t.keywords_en)) >= 8 and len(parse_rules(t.keywords_ja)) >= 6 for t in themes)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("The parcel arrived three days late", "en", {"Delivery", "Speed & waiting"}),
        ("配送が遅くて届かない", "ja", {"Delivery", "Speed & waiting"}),
        ("店員さんの対応がとても丁寧", "ja", {"Staff & service"}),
        ("部屋は清潔で快適でした", "ja", {"Cleanliness"}),
        ("朝食のバイキングが美味しかった", "ja", {"Food & drink"}),
        ("お支払い方法が少ない", "ja", {"Payment & checkout"}),
        ("返品したのに返金がまだない", "ja", {"Returns & refunds"}),
        ("The app keeps crashing when I log in", "en", {"Website & app usability"}),
        ("Prices are too high for what you get", "en", {"Price & value"}),
        ("I asked for a refund and it took two weeks", "en", {"Returns & refunds"}),
        ("The waiter was rude and the food was cold", "en", {"Staff & service", "Food & drink"}),
        ("Lovely view from the window", "en", set()),
        ("駅から近くて便利", "ja", set()),
    ],
)
def test_seed_themes_tag_hand_written_comments(
    seed: ThemeMatcher, text: str, language: str, expected: set[str]
) -> None:
    assert set(seed.names(text, language)) == expected


def test_language_comes_from_the_script_when_unknown(seed: ThemeMatcher) -> None:
    assert "Delivery" in seed.names("荷物が届かない", None)
    assert "Delivery" in seed.names("The courier lost it", "other")


def test_english_rules_word_plural_prefix_phrase() -> None:
    m = ThemeMatcher([ThemeRules("Loyalty", "loyalty point\nreward*\nmember card")])
    assert m.names("My Loyalty Points vanished") == ["Loyalty"]  # plural of a phrase word
    assert m.names("no rewards this month") == ["Loyalty"]  # prefix
    assert m.names("Rewarding experience") == ["Loyalty"]
    assert m.names("my member card expired") == ["Loyalty"]
    assert m.names("the card of a member") == []  # phrase words must be adjacent and in order
    assert m.names("points of loyalty") == []


def test_english_phrase_does_not_span_sentences() -> None:
    m = ThemeMatcher([ThemeRules("Loyalty", "loyalty point")])
    assert m.names("I value loyalty. Points are fine.") == []


def test_negative_rule_vetoes_the_theme() -> None:
    m = ThemeMatcher([ThemeRules("Delivery problems", "deliver*\n-free delivery", "配送\n-送料無料")])
    assert m.names("Delivery was late") == ["Delivery problems"]
    assert m.names("Thanks for the free delivery") == []
    assert m.names("配送が遅い") == ["Delivery problems"]
    assert m.names("送料無料の配送でした") == []


def test_japanese_rules_match_substrings_and_base_forms() -> None:
    m = ThemeMatcher([ThemeRules("Slow", "", "遅い")])
    assert m.names("到着が遅かった", "ja") == ["Slow"]  # base form 遅い of 遅かった
    m = ThemeMatcher([ThemeRules("Arrive", "", "届")])
    assert m.names("届かない", "ja") == ["Arrive"]  # raw substring


def test_japanese_rule_with_space_needs_all_parts() -> None:
    m = ThemeMatcher([ThemeRules("Slow delivery", "", "配送 遅い")])
    assert m.names("配送がとても遅かった", "ja") == ["Slow delivery"]
    assert m.names("配送は普通でした", "ja") == []
    assert m.names("返信が遅い", "ja") == []


def test_rules_apply_to_their_own_language_only() -> None:
    m = ThemeMatcher([ThemeRules("EN only", "delivery", "")])
    assert m.names("配送が遅い", "ja") == []


def test_parse_rules_splits_lines_and_commas_and_skips_comments() -> None:
    assert parse_rules("a, b\n# note\n\nc、d") == ["a", "b", "c", "d"]
    assert parse_rules(["x", "y, z"]) == ["x", "y", "z"]


def test_a_rule_without_letters_is_refused() -> None:
    with pytest.raises(InputRefused, match="'\\*'"):
        ThemeMatcher([ThemeRules("Bad", "*")])


def test_log_odds_known_answer() -> None:
    z = log_odds_z(np.array([3.0, 1.0]), np.array([1.0, 3.0]), np.array([4.0, 4.0]))
    expected = math.log(49 / 25) / math.sqrt(1 / 7 + 1 / 5)
    assert z == pytest.approx([expected, -expected], rel=1e-9)


def _frame() -> pd.DataFrame:
    neg = [
        "The delivery was late again",
        "Late delivery and no tracking",
        "Delivery late, parcel damaged",
        "Customer service never answered",
        "Customer service hung up on me",
    ]
    pos = ["Great price and friendly staff", "Friendly staff, great price", "Great price, fast checkout",
           "Friendly staff at the store", "Customer service was quick"]  # fmt: skip
    return pd.DataFrame({
        "id": range(1, 11), "text": neg + pos, "language": "en", "label": ["negative"] * 5 + ["positive"] * 5,
    })  # fmt: skip


def test_top_terms_are_distinctive_per_group() -> None:
    out = top_terms(_frame(), "label", k=5)
    neg = out[out["group"] == "negative"]
    pos = out[out["group"] == "positive"]
    assert neg.iloc[0]["term"] in {"late delivery", "delivery late", "delivery", "late"}
    assert {"great price", "friendly staff"} <= set(pos["term"])
    assert "customer service" not in set(pos["term"])  # shared by both groups, so not distinctive of positives
    row = pos[pos["term"] == "friendly staff"].iloc[0]
    assert row["count"] == 3 and row["score"] > 0
    assert row["example_ids"] == [6, 7, 9] and row["examples"][0] == "Great price and friendly staff"
    assert (out["count"] >= 2).all()


def test_top_terms_drop_words_swallowed_by_a_phrase() -> None:
    out = top_terms(_frame(), None, k=10)
    assert "customer service" in set(out["term"])
    assert "customer" not in set(out["term"])  # always part of "customer service"
    assert out.iloc[0]["count"] == out["count"].max()


TIED = """
import pandas as pd
from cxdash.analysis.themes import top_terms
texts = ["kind driver, quick refund", "quick refund, kind driver", "slow parcel, rude clerk", "rude clerk, slow parcel",
         "broken lid, wrong size", "wrong size, broken lid"]
labels = ["pos", "pos", "neg", "neg", "neg", "neg"]
frame = pd.DataFrame({"id": range(6), "text": texts, "language": "en", "label": labels})
for group_col in ("label", None):
    print(top_terms(frame, group_col, k=6)[["group", "term", "score"]].to_json())
"""


def test_terms_that_tie_are_ranked_alike_in_every_process() -> None:
    """Ties (every term of a group here) are ranked the same whatever the process's string hashing (its seed)."""
    import os
    import subprocess
    import sys

    outs = {
        subprocess.run(
            [sys.executable, "-c", TIED], capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3", "4")
    }  # fmt: skip
    assert len(outs) == 1, outs


def test_top_terms_japanese_compounds() -> None:
    frame = pd.DataFrame({
        "id": [1, 2, 3, 4], "language": "ja", "group": ["a", "a", "b", "b"],
        "text": ["配送スピードが遅い", "配送スピードに不満", "店員の対応が丁寧", "店員の対応が良い"],
    })  # fmt: skip
    out = top_terms(frame, "group", k=3)
    assert out[out["group"] == "a"].iloc[0]["term"] == "配送スピード"
    assert out[out["group"] == "b"].iloc[0]["term"] == "店員 対応"


def test_uncovered_terms_find_a_repeated_phrase_no_theme_covers(seed: ThemeMatcher) -> None:
    texts = ["Loyalty points expired without warning", "Where did my loyalty points go",
             "The parcel arrived late", "Delivery was slow", "Loyalty points are useless",
             "Staff were rude", "Great price", "The courier was late"]  # fmt: skip
    frame = pd.DataFrame({"id": range(1, len(texts) + 1), "text": texts, "language": "en"})
    covered = [bool(seed.match(t, "en")) for t in texts]
    out = uncovered_terms(frame, covered, seed, k=5)
    assert out.iloc[0]["term"] == "loyalty point"
    assert out.iloc[0]["count"] == 3
    assert "late" not in set(out["term"]) and "parcel" not in set(out["term"])


def test_uncovered_terms_are_topics_not_sentiment_words(seed: ThemeMatcher) -> None:
    """ "Excellent", "love it" or 最高 alone say how, not what: a theme needs a topic (gift wrap, ギフト包装)."""
    texts = ["Excellent", "Excellent!", "Love it", "Love it, excellent", "Gift wrap was lovely", "Gift wrap please",
             "Nice gift wrap", "最高", "最高です", "ギフト包装が最高", "ギフト包装をお願いしたい",
             "ギフト包装が素敵"]  # fmt: skip
    frame = pd.DataFrame({"id": range(1, len(texts) + 1), "text": texts, "language": None})
    out = uncovered_terms(frame, [False] * len(texts), seed, k=10)
    terms = set(out["term"])
    assert {"gift wrap", "ギフト包装"} <= terms
    assert not terms & {"excellent", "love", "最高"}, terms


def test_english_prefilter_changes_no_tag() -> None:
    """Only themes with a rule starting at one of a text's words are tried: the tags are those of trying every
    theme's rules, on texts made of rule words, their prefixes and longer forms, plurals, phrases and vetoes."""
    import random

    from cxdash.analysis.tokens import en_haystack

    themes = [
        *load_default_taxonomy(),
        ThemeRules("Waits", "wait* too long, -free delivery, e-mail*, customer's service, check-out", ""),
        ThemeRules("Free", "free delivery, too, long time, -not", ""),
    ]
    matcher = ThemeMatcher(themes)
    words = sorted({w.strip("-*") for t in themes for r in parse_rules(t.keywords_en) for w in r.split()})
    endings = ["", "", "", "s", "es", "ing", "ed", "'s", "er", ",", "."]
    rnd = random.Random(11)
    texts = [
        " ".join(rnd.choice(words)[: rnd.randint(2, 12)] + rnd.choice(endings) for _ in range(rnd.randint(1, 10)))
        for _ in range(3000)
    ]

    def every_rule(text: str) -> list[int]:
        hay = en_haystack(text)
        return [i for i, pos, neg in matcher._active["en"] if pos.hit(hay) and (neg is None or not neg.hit(hay))]

    tagged = 0
    for text in texts:
        expected = every_rule(text)
        assert matcher.match(text, "en") == expected, text
        tagged += bool(expected)
    assert tagged > 1000  # the texts do hit themes, most of them through the pre-filter's word and prefix paths
