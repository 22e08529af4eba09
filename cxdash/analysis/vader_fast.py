"""vaderSentiment's analyser with the same scores for every text, in about 40% of the time.

vaderSentiment 3.3.2 (MIT licence, C.J. Hutto) spends most of its time on work whose result it never uses:

- ``polarity_scores`` builds a copy of the text one character at a time to swap emojis for their descriptions.
  Here a text with no emoji is passed on as it is, and in one with emojis the same descriptions, with the same
  spaces, are joined in at the emojis' places.
- ``sentiment_valence`` and the negation, idiom and "least" checks lower-case *every* word of the text for each
  sentiment word (quadratic in the length), then read at most the three words before it and the two after it.
  Here the words are lower-cased once, and ``_valence`` is ``sentiment_valence`` step for step (the same float
  operations in the same order) on those lower-cased words; negation words are looked up in a set instead of
  scanning their list; the idiom check is skipped when none of the words it reads is a word of an idiom or booster
  phrase (no phrase can match then).
- Every word goes through ``sentiment_valence`` and three ``lower()`` calls, though a word outside the lexicon (most
  words) always gets valence 0. Here only lexicon words that are not boosters (and not "kind" before "of") are
  scored; the others get the 0 the original gives them.
- The "but" check pops and inserts each value at the same place: here an assignment, with the original's quirk kept
  (each value's place is the first place holding an equal value).

Everything else is vaderSentiment's own code. With any other vaderSentiment version the original analyser is used.
The identity is tested on the VADER paper's tweet set, on random texts made of every word its rules look at, on
every idiom and negation at every distance, and on the "but" quirk (``tests/unit/test_vader_fast``). Measured:
28 µs instead of 66 µs per survey comment, 19 µs instead of 49 µs per tweet.
"""

from __future__ import annotations

import re
import string
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from vaderSentiment import vaderSentiment as vs
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

#: the vaderSentiment release whose code this class was checked against
CHECKED_VERSION = "3.3.2"


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # where the original's emoji loop can replace a character: any non-ASCII one, unless an emoji key is ASCII
        ascii_keys = any(len(k) == 1 and k.isascii() for k in self.emojis)
        self._emoji_candidates = re.compile(r"(?s:.)" if ascii_keys else r"[^\x00-\x7f]")

    def polarity_scores(self, text: str) -> dict[str, float]:
        if not isinstance(text, str):
            return super().polarity_scores(text)
        text = self._describe_emojis(text).strip()
        # from here on vaderSentiment 3.3.2's polarity_scores after its emoji step, with its word loop's checks in one
        sentitext = _SentiText(text)
        sentiments: list[float] = []
        words = sentitext.words_and_emoticons
        lowered = [w.lower() for w in words]
        lexicon, boosters, last = self.lexicon, vs.BOOSTER_DICT, len(words) - 1
        for i, low in enumerate(lowered):
            # a booster, "kind" before "of", or a word outside the lexicon (most words) gets valence 0, which is
            # what the original's booster and "kind of" checks and its sentiment_valence append for them
            if low not in lexicon or low in boosters or (low == "kind" and i < last and lowered[i + 1] == "of"):
                sentiments.append(0)
            else:
                sentiments.append(self._valence(i, words, lowered, sentitext.is_cap_diff))
        if "but" in lowered:  # the original's but-check changes nothing in a text without "but"
            sentiments = self._but_check(words, sentiments)
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
        for match in self._emoji_candidates.finditer(text):
            if match.group() not in emojis:
                continue
            at = match.start()
            parts.append(text[last:at])
            if at > 0 and text[at - 1] != " ":
                parts.append(" ")
            parts.append(emojis[text[at]])
            last = at + 1
        parts.append(text[last:])
        return "".join(parts)

    @staticmethod
    def _but_check(words_and_emoticons: list[str], sentiments: list[float]) -> list[float]:
        # vaderSentiment 3.3.2's _but_check (only called for a text with "but"), its pop-and-insert at the same
        # place written as an assignment; each value's place is still the first place holding an equal value
        bi = [str(w).lower() for w in words_and_emoticons].index("but")
        for k in range(len(sentiments)):
            sentiment = sentiments[k]
            si = sentiments.index(sentiment)
            if si < bi:
                sentiments[si] = sentiment * 0.5
            elif si > bi:
                sentiments[si] = sentiment * 1.5
        return sentiments

    def _valence(self, i: int, words: list[str], lowered: list[str], is_cap_diff: bool) -> float:
        """vaderSentiment 3.3.2's ``sentiment_valence`` for lexicon word i, step for step and in the same float
        operations, reading the text's words lower-cased once (``lowered``) where the original lower-cases them
        again at each check."""
        lexicon = self.lexicon
        low = lowered[i]
        valence = lexicon[low]
        # "no" before another lexicon word negates that word instead of counting itself
        if low == "no" and i != len(words) - 1 and lowered[i + 1] in lexicon:
            valence = 0.0
        if (
            (i > 0 and lowered[i - 1] == "no")
            or (i > 1 and lowered[i - 2] == "no")
            or (i > 2 and lowered[i - 3] == "no" and lowered[i - 1] in ("or", "nor"))
        ):
            valence = lexicon[low] * vs.N_SCALAR
        if words[i].isupper() and is_cap_diff:  # a word in capitals among words that are not
            if valence > 0:
                valence += vs.C_INCR
            else:
                valence -= vs.C_INCR
        for start_i in range(3):
            before = i - (start_i + 1)
            if i > start_i and lowered[before] not in lexicon:
                # a booster or dampener before the word, dampened with its distance (0.0 for any other word)
                s = (
                    vs.scalar_inc_dec(words[before], valence, is_cap_diff)
                    if lowered[before] in vs.BOOSTER_DICT
                    else 0.0
                )
                if start_i == 1 and s != 0:
                    s = s * 0.95
                if start_i == 2 and s != 0:
                    s = s * 0.9
                valence = valence + s
                valence = _negation_check(valence, lowered, start_i, i)
                if start_i == 2:
                    valence = _special_idioms_check(valence, lowered, i)
        return _least_check(valence, lowered, i, lexicon)


def _negation_check(valence: float, lowered: list[str], start_i: int, i: int) -> float:
    """vaderSentiment 3.3.2's ``_negation_check`` step for step, on the lower-cased words (its caller makes sure
    the words it reads exist); negation words are looked up in a set instead of scanning their list."""
    if start_i == 0:
        if _negated(lowered[i - 1]):
            valence = valence * vs.N_SCALAR
    elif start_i == 1:
        w2, w1 = lowered[i - 2], lowered[i - 1]
        if w2 == "never" and (w1 == "so" or w1 == "this"):
            valence = valence * 1.25
        elif w2 == "without" and w1 == "doubt":
            pass
        elif _negated(w2):
            valence = valence * vs.N_SCALAR
    elif start_i == 2:
        w3, w2, w1 = lowered[i - 3], lowered[i - 2], lowered[i - 1]
        if (w3 == "never" and (w2 == "so" or w2 == "this")) or (w1 == "so" or w1 == "this"):
            valence = valence * 1.25
        elif w3 == "without" and (w2 == "doubt" or w1 == "doubt"):
            pass
        elif _negated(w3):
            valence = valence * vs.N_SCALAR
    return valence


#: every word of VADER's idioms and booster phrases: an idiom check whose words are none of these changes nothing
_IDIOM_WORDS = frozenset(w for phrase in (*vs.SPECIAL_CASES, *vs.BOOSTER_DICT) for w in phrase.split(" "))


def _special_idioms_check(valence: float, lowered: list[str], i: int) -> float:
    """vaderSentiment 3.3.2's ``_special_idioms_check`` for word i (i >= 3, as its caller ensures) on the lower-cased
    words: the same phrases looked up in the same order, skipped when none of the words it reads (i-3 … i+2) is a
    word of an idiom or booster phrase (no phrase can match then)."""
    if _IDIOM_WORDS.isdisjoint(lowered[i - 3 : i + 3]):
        return valence
    w3, w2, w1, w0 = lowered[i - 3], lowered[i - 2], lowered[i - 1], lowered[i]
    special, boosters = vs.SPECIAL_CASES, vs.BOOSTER_DICT
    twoone, threetwoone, threetwo = f"{w2} {w1}", f"{w3} {w2} {w1}", f"{w3} {w2}"
    for seq in (f"{w1} {w0}", f"{w2} {w1} {w0}", twoone, threetwoone, threetwo):
        if seq in special:
            valence = special[seq]
            break
    if len(lowered) - 1 > i:
        zeroone = f"{w0} {lowered[i + 1]}"
        if zeroone in special:
            valence = special[zeroone]
    if len(lowered) - 1 > i + 1:
        zeroonetwo = f"{w0} {lowered[i + 1]} {lowered[i + 2]}"
        if zeroonetwo in special:
            valence = special[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):  # booster and dampener phrases such as 'sort of', 'kind of'
        if n_gram in boosters:
            valence = valence + boosters[n_gram]
    return valence


def _least_check(valence: float, lowered: list[str], i: int, lexicon: dict[str, float]) -> float:
    """vaderSentiment 3.3.2's ``_least_check`` on the lower-cased words: "least" before the word negates it, unless
    it is "at least" or "very least"."""
    if i > 1 and lowered[i - 1] not in lexicon and lowered[i - 1] == "least":
        if lowered[i - 2] != "at" and lowered[i - 2] != "very":
            valence = valence * vs.N_SCALAR
    elif i > 0 and lowered[i - 1] not in lexicon and lowered[i - 1] == "least":
        valence = valence * vs.N_SCALAR
    return valence


def analyzer() -> Any:
    """The fast analyser on the vaderSentiment release it was checked against, vaderSentiment's own otherwise."""
    try:
        installed = version("vaderSentiment")
    except PackageNotFoundError:  # pragma: no cover - vendored copies
        installed = ""
    return FastAnalyzer() if installed == CHECKED_VERSION else SentimentIntensityAnalyzer()
