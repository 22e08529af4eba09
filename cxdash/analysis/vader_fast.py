"""vaderSentiment's analyser with the same scores for every text, in about 60% of the time.

vaderSentiment 3.3.2 (MIT licence, C.J. Hutto) spends most of its time on work whose result it never uses:

- ``polarity_scores`` builds a copy of the text one character at a time to swap emojis for their descriptions.
  Here a text with no emoji is passed on as it is, and in one with emojis the same descriptions, with the same
  spaces, are joined in at the emojis' places.
- The negation and idiom checks lower-case *every* word of the text for each sentiment word (quadratic in the
  length), then read at most the three words before it and the two after it. The idiom check is given those words
  only, at the same relative positions; the negation check is vaderSentiment's own, step for step, lower-casing
  only the words it reads and looking them up in a set of the negation words instead of scanning their list.
- Every word goes through ``sentiment_valence`` and three ``lower()`` calls, though a word outside the lexicon (most
  words) always gets valence 0. Here each word is lower-cased once, and only lexicon words that are not boosters
  (and not "kind" before "of") are passed on; the others get the 0 the original gives them.

Everything else is vaderSentiment's own code. With any other vaderSentiment version the original analyser is used.
The identity is tested on the VADER paper's tweet set, on random texts made of every word its rules look at, and on
every idiom and negation at every distance (``tests/unit/test_vader_fast``).
"""

from __future__ import annotations

import string
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from vaderSentiment import vaderSentiment as vs
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

#: the vaderSentiment release whose code this class was checked against
CHECKED_VERSION = "3.3.2"
CONTEXT_BEFORE = 3  # words before a sentiment word that the idiom check reads
CONTEXT_AFTER = 2  # … and after it


_NEGATE = frozenset(vs.NEGATE)
_PUNCTUATION = string.punctuation


def _negated(word: str) -> bool:
    """vaderSentiment's ``negated([word])`` for one lower-cased word: a set lookup instead of a scan of the list."""
    return word in _NEGATE or "n't" in word


class _SentiText(vs.SentiText):  # type: ignore[misc]
    """vaderSentiment's SentiText (for a str), its punctuation stripping in one comprehension."""

    def _words_and_emoticons(self) -> list[str]:
        # a word stripped of leading and trailing punctuation, unless that leaves two characters or fewer
        return [s if len(s := w.strip(_PUNCTUATION)) > 2 else w for w in self.text.split()]


class FastAnalyzer(SentimentIntensityAnalyzer):
    """``SentimentIntensityAnalyzer`` without the work whose result it never uses (see the module's docstring)."""

    def polarity_scores(self, text: str) -> dict[str, float]:
        if not isinstance(text, str):
            return super().polarity_scores(text)
        text = self._describe_emojis(text).strip()
        # from here on vaderSentiment 3.3.2's polarity_scores after its emoji step, with its word loop's checks in one
        sentitext = _SentiText(text)
        sentiments: list[float] = []
        words_and_emoticons = sentitext.words_and_emoticons
        lowered = [w.lower() for w in words_and_emoticons]
        lexicon, boosters, last = self.lexicon, vs.BOOSTER_DICT, len(words_and_emoticons) - 1
        for i, low in enumerate(lowered):
            # a booster, "kind" before "of", or a word outside the lexicon (most words) gets valence 0, which is
            # what the original's booster and "kind of" checks and its sentiment_valence append for them
            if low not in lexicon or low in boosters or (low == "kind" and i < last and lowered[i + 1] == "of"):
                sentiments.append(0)
                continue
            sentiments = self.sentiment_valence(0, sentitext, words_and_emoticons[i], i, sentiments)
        if "but" in lowered:  # the original's but-check changes nothing in a text without "but"
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
        # vaderSentiment 3.3.2's _negation_check, step for step, lower-casing only the (at most three) words before
        # word i that it reads, where the original lower-cases all of them; its caller makes sure they exist
        def low(back: int) -> str:
            return str(words_and_emoticons[i - back]).lower()

        if start_i == 0:
            if _negated(low(1)):
                valence = valence * vs.N_SCALAR
        elif start_i == 1:
            w2, w1 = low(2), low(1)
            if w2 == "never" and (w1 == "so" or w1 == "this"):
                valence = valence * 1.25
            elif w2 == "without" and w1 == "doubt":
                pass
            elif _negated(w2):
                valence = valence * vs.N_SCALAR
        elif start_i == 2:
            w3, w2, w1 = low(3), low(2), low(1)
            if (w3 == "never" and (w2 == "so" or w2 == "this")) or (w1 == "so" or w1 == "this"):
                valence = valence * 1.25
            elif w3 == "without" and (w2 == "doubt" or w1 == "doubt"):
                pass
            elif _negated(w3):
                valence = valence * vs.N_SCALAR
        return valence

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
