"""The fast analyser gives vaderSentiment's own scores (all four of them) for every text, and falls back to it."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from vaderSentiment import vaderSentiment as vs
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from cxdash.analysis import vader_fast
from cxdash.analysis.vader_fast import FastAnalyzer

TWEETS = Path(__file__).resolve().parents[3] / "shared" / "eval" / "vader" / "tweets_GroundTruth.txt"
if not TWEETS.exists():
    TWEETS = Path("/work/shared/eval/vader/tweets_GroundTruth.txt")


@pytest.fixture(scope="module")
def analyzers() -> tuple[SentimentIntensityAnalyzer, FastAnalyzer]:
    return SentimentIntensityAnalyzer(), FastAnalyzer()


def _differences(texts: list[str], analyzers: tuple[SentimentIntensityAnalyzer, FastAnalyzer]) -> list[str]:
    plain, fast = analyzers
    return [t for t in texts if plain.polarity_scores(t) != fast.polarity_scores(t)]


def test_same_scores_on_the_vader_tweets(analyzers: tuple[SentimentIntensityAnalyzer, FastAnalyzer]) -> None:
    if not TWEETS.exists():
        pytest.skip("shared/eval/vader not available")
    lines = TWEETS.read_bytes().decode("utf-8").split("\r\n")
    texts = [line.split("\t", 2)[2] for line in lines]
    assert len(texts) == 4200
    assert _differences(texts + lines, analyzers) == []


def test_same_scores_on_word_soups_with_every_rule(analyzers: tuple[SentimentIntensityAnalyzer, FastAnalyzer]) -> None:
    """Random texts built from the words VADER's rules look at (negations, boosters, idioms, 'but', 'least',
    'kind of', capitals) and its emoji characters, in every position: near the start, the middle and the end."""
    plain = analyzers[0]
    emojis = sorted(k for k in plain.emojis if len(k) == 1)
    idioms = [w for phrase in (*vs.SPECIAL_CASES, *vs.BOOSTER_DICT) for w in phrase.split()]
    words = [
        *vs.NEGATE,
        *idioms,
        *("good", "bad", "great", "awful", "love", "hate", "fine", "slow", "never", "so", "this", "without"),
        *("doubt", "least", "at", "very", "kind", "of", "but", "no", "nor", "or", "the", "service", "was"),
    ]
    rnd = random.Random(20261124)
    texts = []
    for _ in range(6000):
        pieces = []
        for _ in range(rnd.randint(0, 14)):
            pick = rnd.random()
            if pick < 0.7:
                word = rnd.choice(words)
                pieces.append(word.upper() if rnd.random() < 0.1 else word)
                pieces.append(rnd.choice([" ", " ", " ", "", "  ", "! ", "? ", ", "]))
            else:
                pieces.append(rnd.choice(emojis))
                pieces.append(rnd.choice(["", " ", "  "]))
        texts.append("".join(pieces))
    assert _differences(texts, analyzers) == []


@pytest.mark.parametrize(
    "text",
    ["", " ", "😀", " 😀 ", "😀😀 great", "great😀", "great 😀", "great  😀bad", "©®", "\t😀\n", "no 😀 at all", "x"],
)
def test_same_scores_around_emojis(text: str, analyzers: tuple[SentimentIntensityAnalyzer, FastAnalyzer]) -> None:
    assert _differences([text], analyzers) == []


def test_other_vader_versions_get_the_original_analyser(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(vader_fast.analyzer(), FastAnalyzer)
    monkeypatch.setattr(vader_fast, "version", lambda _: "3.4.0")
    chosen = vader_fast.analyzer()
    assert type(chosen) is SentimentIntensityAnalyzer


def test_same_scores_for_every_idiom_and_negation_at_every_distance(
    analyzers: tuple[SentimentIntensityAnalyzer, FastAnalyzer],
) -> None:
    """Each of VADER's idioms, booster phrases and negations at each distance before and after a sentiment word,
    near the start of the text and further in: exactly where the checks' few words begin and end."""
    phrases = [*vs.SPECIAL_CASES, *(p for p in vs.BOOSTER_DICT if " " in p), *vs.NEGATE, "never so", "without doubt"]
    fillers = ["", "the", "the service", "honestly the service was", "we thought the service was really"]
    texts = []
    for phrase in phrases:
        for before in fillers:
            for sentiment in ("", "good", "bad"):
                for after in ("", "good", "great fun", "not bad at all"):
                    texts.append(" ".join(w for w in (before, sentiment, phrase, after) if w))
                    texts.append(" ".join(w for w in (before, phrase, sentiment, after) if w))
    assert _differences(texts, analyzers) == []


@pytest.mark.parametrize(
    "text", ["fav but bffn", "nothing but fav lyb", "fine but abandoned dx", "ok but bffn ez today", "good but good"]
)
def test_same_scores_where_the_but_check_finds_an_earlier_equal_value(
    text: str, analyzers: tuple[SentimentIntensityAnalyzer, FastAnalyzer]
) -> None:
    """vaderSentiment's 'but' check scales the *first* sentiment equal to each value it visits, by the factor of that
    place: in 'fav but bffn' fav (2.0) is halved to 1.0, then bffn (1.0) is taken for it and halved again."""
    assert _differences([text], analyzers) == []
