"""English sentiment = vaderSentiment exactly; the README's figures on the VADER tweets; routing; order; caching."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from cxdash.analysis import sentiment
from cxdash.analysis.lang import detect_language
from cxdash.analysis.sentiment import (
    SentimentScore,
    label_for,
    score_text,
    score_texts,
    sentiment_lines,
)

TWEETS = Path(__file__).resolve().parents[3] / "shared" / "eval" / "vader" / "tweets_GroundTruth.txt"
if not TWEETS.exists():  # the tree may sit elsewhere; shared/ is always beside the main work tree
    TWEETS = Path("/work/shared/eval/vader/tweets_GroundTruth.txt")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    sentiment.clear_cache()


def _tweets() -> tuple[list[str], list[float]]:
    if not TWEETS.exists():
        pytest.skip("shared/eval/vader not available")
    raw = TWEETS.read_bytes().decode("utf-8")
    rows = [line.split("\t", 2) for line in raw.split("\r\n")]
    assert len(rows) == 4200
    return [r[2] for r in rows], [float(r[1]) for r in rows]


@pytest.fixture(scope="module")
def tweet_scores() -> tuple[list[str], list[float], list[SentimentScore]]:
    texts, means = _tweets()
    sentiment.clear_cache()
    return texts, means, score_texts(texts)


def test_english_identical_to_vader_on_all_tweets(tweet_scores: tuple[list[str], list[float], list]) -> None:
    texts, _, scores = tweet_scores
    analyzer = SentimentIntensityAnalyzer()
    mismatches = [
        (t, s.compound)
        for t, s in zip(texts, scores, strict=True)
        if s.compound != analyzer.polarity_scores(t)["compound"]
    ]
    assert mismatches == []
    assert {s.lang for s in scores} == {"en"}
    assert {s.method for s in scores} == {"vader-3.3.2"}


def test_parallel_path_identical_to_vader(tweet_scores: tuple[list[str], list[float], list]) -> None:
    texts, _, scores = tweet_scores
    sentiment.clear_cache()
    old = sentiment.PARALLEL_THRESHOLD
    sentiment.PARALLEL_THRESHOLD = 100
    try:
        again = score_texts(texts)
    finally:
        sentiment.PARALLEL_THRESHOLD = old
        sentiment.shutdown_pool()
    assert [s.compound for s in again] == [s.compound for s in scores]


def _bin(v: float) -> str:
    return "pos" if v >= 0.05 else ("neg" if v <= -0.05 else "neu")


def test_readme_figures_reproduced(tweet_scores: tuple[list[str], list[float], list]) -> None:
    _, means, scores = tweet_scores
    comp = [s.compound for s in scores]
    n = len(comp)
    mx, my = sum(comp) / n, sum(means) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(comp, means, strict=True))
    r = cov / math.sqrt(sum((a - mx) ** 2 for a in comp) * sum((b - my) ** 2 for b in means))
    assert round(r, 3) == 0.872

    gold = [_bin(m) for m in means]
    pred = [_bin(c) for c in comp]
    p_w = r_w = f_w = 0.0
    for cls in ("pos", "neg", "neu"):
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == cls and p == cls)
        n_pred, n_gold = pred.count(cls), gold.count(cls)
        prec, rec = tp / n_pred, tp / n_gold
        f1 = 2 * prec * rec / (prec + rec)
        p_w += prec * n_gold / n
        r_w += rec * n_gold / n
        f_w += f1 * n_gold / n
    assert (round(p_w, 2), round(r_w, 2), round(f_w, 2)) == (0.97, 0.93, 0.95)

    # "non-neutral" in the README's binary figure: |human mean| ≥ 0.2 (this gives exactly its 3,903 tweets)
    pairs = [(m, c) for m, c in zip(means, comp, strict=True) if abs(m) >= 0.2]
    assert len(pairs) == 3903
    acc = sum((c >= 0) == (m > 0) for m, c in pairs) / len(pairs)
    assert round(acc, 3) == 0.969


def test_text_is_not_altered_for_vader() -> None:
    analyzer = SentimentIntensityAnalyzer()
    for text in ["GREAT service!!! :)", "not <b>good</b> at all :(", "meh...", "I LOVE it 😍", "  spaced out  "]:
        assert score_text(text).compound == analyzer.polarity_scores(text)["compound"]


def test_labels_and_thresholds() -> None:
    assert label_for(0.05) == "positive"
    assert label_for(-0.05) == "negative"
    assert label_for(0.0) == "neutral"
    assert label_for(0.049) == "neutral"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The checkout was slow", "en"),
        ("ok", "en"),
        ("UIは良いけど、checkoutが遅い", "ja"),
        ("良かった", "ja"),
        ("最高", "ja"),
        ("大満足", "ja"),
        ("ｵｯｹｰ", "ja"),
        ("スタッフ最高！", "ja"),
        ("Ｇｏｏｄ ｓｅｒｖｉｃｅ", "en"),
        ("ＯＫです", "ja"),
        ("Thanks! 助かりました", "ja"),
        ("I love ラーメン so much", "en"),
        ("😀😀", "other"),
        ("👍", "other"),
        ("", "other"),
        ("   ", "other"),
        ("12345 !!!", "other"),
        ("서비스가 좋아요", "other"),
        ("这个服务很好，我们很满意", "other"),
        ("Очень хорошо", "other"),
        ("Très bien, merci", "en"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang
    assert sentiment.detect_language(text) == lang


def test_language_fast_paths_agree_with_counting_scripts() -> None:
    """The shortcut for texts with no full-width form, kana, kanji or other script (accents, emoji, curly quotes)
    and the full-width regex give what counting every script and a character-by-character check give, on random
    mixes of ASCII, accents, emoji, full- and half-width forms, kana, kanji, hangul and compatibility characters
    that NFKC turns into kana or kanji (㌀ ㊀ ㋐)."""
    import random

    from cxdash.analysis import lang

    pools = ["abcXYZ 09.,!?'", "éüñÀ", "👍⭐😡✨", "’“”—…", "ＡＢｃ１！　", "ｱｶﾞｰ", "あいう", "カタナ", "漢字的", "한국",
             "Жд", "㌀㊀㋐", "\u00a0\u2003"]  # fmt: skip
    rnd = random.Random(5)
    for _ in range(20000):
        chosen = rnd.sample(pools, rnd.randint(1, 3))
        text = "".join(rnd.choice(rnd.choice(chosen)) for _ in range(rnd.randint(1, 12)))
        if not text.isascii():  # (ASCII has its own path, before both)
            assert lang.detect_language(text) == lang._by_counts(text)
        assert lang.has_fullwidth_ascii(text) == any("\uff01" <= c <= "\uff5e" or c == "\u3000" for c in text)


def test_routing_and_methods() -> None:
    en, ja, emo, empty = score_texts(["Terrible support", "対応が悪い", "😢", ""])
    assert (en.lang, en.method, en.label) == ("en", "vader-3.3.2", "negative")
    assert ja.lang == "ja" and ja.method.startswith("ja-lexicon+rules") and ja.label == "negative"
    assert emo.lang == "other" and emo.label == "negative"
    assert (empty.lang, empty.compound, empty.label) == ("other", 0.0, "neutral")


def test_fullwidth_english_is_width_folded_and_says_so() -> None:
    s = score_text("Ｇｒｅａｔ ｓｅｒｖｉｃｅ")
    assert s.lang == "en" and s.label == "positive" and s.method == "vader-3.3.2+width-fold"
    assert s.compound == SentimentIntensityAnalyzer().polarity_scores("Great service")["compound"]


def test_explicit_language() -> None:
    assert score_text("good", lang="en").method == "vader-3.3.2"
    assert score_text("良い", lang="ja").lang == "ja"


def test_order_preserved_and_duplicates_scored_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    real = sentiment._score_unique

    def spy(texts: list[str], lang: str) -> list:
        calls.append(list(texts))
        return real(texts, lang)

    monkeypatch.setattr(sentiment, "_score_unique", spy)
    texts = ["good", "bad", "good", "最高です", "bad", "good", "最悪です"]
    out = score_texts(texts)
    assert [s.label for s in out] == [
        "positive",
        "negative",
        "positive",
        "positive",
        "negative",
        "positive",
        "negative",
    ]
    assert calls == [["good", "bad", "最高です", "最悪です"]]
    assert out[0] is out[2] is out[5]
    # cached across calls: nothing new to score
    again = score_texts(["bad", "good"])
    assert calls == [["good", "bad", "最高です", "最悪です"]]
    assert again == [out[1], out[0]]
    score_texts(["good", "new text"])
    assert calls[-1] == ["new text"]


def test_empty_batch() -> None:
    assert score_texts([]) == []


def test_sentiment_lines_in_order() -> None:
    lines = ["Great!\n", "ひどい対応でした\r\n", "", "ok\n"]
    rows = list(sentiment_lines(lines, batch_size=2))
    assert [r["text"] for r in rows] == ["Great!", "ひどい対応でした", "", "ok"]
    assert [r["lang"] for r in rows] == ["en", "ja", "other", "en"]
    assert rows[0]["label"] == "positive" and rows[1]["label"] == "negative"
    assert set(rows[0]) == {"text", "lang", "compound", "label", "method"}
    assert all(isinstance(r["compound"], float) for r in rows)
