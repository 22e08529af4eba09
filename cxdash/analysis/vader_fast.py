"""vaderSentiment's analyser with the same compound for every text, in about half the time.

vaderSentiment 3.3.2 (MIT licence, C.J. Hutto) spends most of its time on work whose result it never uses:

- ``polarity_scores`` builds a copy of the text one character at a time to swap emojis for their descriptions.
  Here a text with no emoji is passed on as it is, and in one with emojis the same descriptions, with the same
  spaces, are joined in at the emojis' places.
- The negation and idiom checks lower-case *every* word of the text for each sentiment word (quadratic in the
  length), then read at most the three words before it and the two after it. They are given those words only,
  at the same relative positions, so they read the same words and decide the same.

Everything else is vaderSentiment's own code. With any other vaderSentiment version the original analyser is used.
The identity is tested on the VADER paper's tweet set and on the bundled demo comments (``tests/unit/test_vader_fast``).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from vaderSentiment import vaderSentiment as vs
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

#: the vaderSentiment release whose code this class was checked against
CHECKED_VERSION = "3.3.2"
CONTEXT_BEFORE = 3  # words before a sentiment word that the negation and idiom checks read
CONTEXT_AFTER = 2  # … and after it (idioms)


class FastAnalyzer(SentimentIntensityAnalyzer):
    """``SentimentIntensityAnalyzer`` with the emoji copy skipped when there is no emoji, and the negation and idiom
    checks given the few words they read instead of the whole text."""

    def polarity_scores(self, text: str) -> dict[str, float]:
        if not isinstance(text, str):
            return super().polarity_scores(text)
        text = self._describe_emojis(text).strip()
        # from here on vaderSentiment 3.3.2's polarity_scores after its emoji step, unchanged
        sentitext = vs.SentiText(text)
        sentiments: list[float] = []
        words_and_emoticons = sentitext.words_and_emoticons
        for i, item in enumerate(words_and_emoticons):
            valence = 0
            if item.lower() in vs.BOOSTER_DICT:
                sentiments.append(valence)
                continue
            if (
                i < len(words_and_emoticons) - 1
                and item.lower() == "kind"
                and words_and_emoticons[i + 1].lower() == "of"
            ):
                sentiments.append(valence)
                continue
            sentiments = self.sentiment_valence(valence, sentitext, item, i, sentiments)
        sentiments = self._but_check(words_and_emoticons, sentiments)
        return self.score_valence(sentiments, text)  # type: ignore[no-any-return]

    def _describe_emojis(self, text: str) -> str:
        """vaderSentiment's emoji step without its character-by-character string building: each emoji character
        becomes its description, with a space before it unless it starts the text or follows a space (exactly as
        the original loop does)."""
        emojis = self.emojis
        if emojis.keys().isdisjoint(text):
            return text
        parts: list[str] = []
        last = 0
        for at in [i for i, ch in enumerate(text) if ch in emojis]:
            parts.append(text[last:at])
            if at > 0 and text[at - 1] != " ":
                parts.append(" ")
            parts.append(emojis[text[at]])
            last = at + 1
        parts.append(text[last:])
        return "".join(parts)

    @staticmethod
    def _negation_check(valence: float, words_and_emoticons: list[str], start_i: int, i: int) -> float:
        # reads words i-1 … i-3 only (its caller makes sure they exist); near the start the whole list is passed,
        # so even an index below 0 would read what the original reads
        if i < CONTEXT_BEFORE:
            return SentimentIntensityAnalyzer._negation_check(valence, words_and_emoticons, start_i, i)  # type: ignore[no-any-return]
        lo = i - CONTEXT_BEFORE
        return SentimentIntensityAnalyzer._negation_check(valence, words_and_emoticons[lo:i], start_i, CONTEXT_BEFORE)  # type: ignore[no-any-return]

    @staticmethod
    def _special_idioms_check(valence: float, words_and_emoticons: list[str], i: int) -> float:
        # reads words i-3 … i+2, and whether words i+1 and i+2 exist (the slice ends where the list ends)
        if i < CONTEXT_BEFORE:
            return SentimentIntensityAnalyzer._special_idioms_check(valence, words_and_emoticons, i)  # type: ignore[no-any-return]
        lo = i - CONTEXT_BEFORE
        window = words_and_emoticons[lo : i + CONTEXT_AFTER + 1]
        return SentimentIntensityAnalyzer._special_idioms_check(valence, window, CONTEXT_BEFORE)  # type: ignore[no-any-return]


def analyzer() -> Any:
    """The fast analyser on the vaderSentiment release it was checked against, vaderSentiment's own otherwise."""
    try:
        installed = version("vaderSentiment")
    except PackageNotFoundError:  # pragma: no cover - vendored copies
        installed = ""
    return FastAnalyzer() if installed == CHECKED_VERSION else SentimentIntensityAnalyzer()
