"""Sentiment of comments: language per text, compound score in −1..1, label, and the method that produced it.

English: vaderSentiment, text passed unaltered, standard thresholds (≥ 0.05 positive, ≤ −0.05 negative).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

POS_THRESHOLD = 0.05
NEG_THRESHOLD = -0.05
_KANA = re.compile(r"[\u3040-\u30ff]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class SentimentScore:
    lang: str
    compound: float | None
    label: str | None
    method: str


def label_for(compound: float) -> str:
    if compound >= POS_THRESHOLD:
        return "positive"
    if compound <= NEG_THRESHOLD:
        return "negative"
    return "neutral"


def detect_language(text: str) -> str:
    """'ja' when the text is mostly Japanese script (kana present), 'en' when mostly Latin letters, else 'other'."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    if cjk and (_KANA.search(text) or cjk >= latin):
        return "ja" if cjk >= latin / 4 else "en"
    if latin:
        return "en"
    return "other"


@lru_cache(maxsize=1)
def _vader() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def score_text(text: str, lang: str = "auto") -> SentimentScore:
    lang = detect_language(text) if lang == "auto" else lang
    if lang == "ja":
        return SentimentScore("ja", None, None, "none")
    compound = _vader().polarity_scores(text)["compound"]
    return SentimentScore(lang, compound, label_for(compound), "vader-3.3.2")


def score_texts(texts: Sequence[str], lang: str = "auto") -> list[SentimentScore]:
    """Scores for many texts, in input order; identical texts are scored once."""
    cache: dict[str, SentimentScore] = {}
    out = []
    for text in texts:
        hit = cache.get(text)
        if hit is None:
            hit = cache[text] = score_text(text, lang)
        out.append(hit)
    return out
