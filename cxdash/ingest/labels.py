"""Answers in words: a rating column whose cells are the labels of a verbal scale ("Very satisfied", "Somewhat
dissatisfied", とても満足, ややそう思う), as Qualtrics exports with "choice text", SurveyMonkey with "actual answer
text" and Google Forms always do, read as the numbers of that scale.

A label is an intensity and a side of one family (satisfaction, ease, agreement, likelihood, good/bad), or the
neutral middle ("Neither … nor …", どちらともいえない). The scale's length follows from the intensities a column
uses, so that the same word gets the number it has on the scale it belongs to:

- three intensities a side (Extremely / Moderately / Slightly, or Very / plain / Somewhat): 1–7;
- two a side (Very / plain, Extremely / Somewhat, 満足 / やや満足): 1–5 with a neutral middle, 1–4 without one; in
  Japanese also when the sides use different pairs (大変満足 / 満足 / 普通 / やや不満 / 不満);
- the unipolar scale "Not at all / Slightly / Moderately / Very / Extremely satisfied" (SurveyMonkey's "Not at all /
  Not so / Somewhat / Very / Extremely easy"): 1–5;
- rating words that have no middle: "Poor / Fair / Good / Excellent" 1–4, "Poor / Fair / Good / Very good /
  Excellent" 1–5 (and "Very poor … Very good", "Terrible … Excellent"): the shortest such scale with every word used;
- one intensity a side: 1–3 with a middle (Satisfied / Neutral / Dissatisfied), 1–2 without (Zendesk's Good / Bad).

A column that leaves out a whole intensity (no one chose "Very" on either side of a 5-point scale) is read on the
shorter scale its words make; CSAT, which counts the top box of a scale of three points or fewer and the top two of a
longer one, is then the same share. The preview says how each column was read.

When the user sets the column's scale (a role ``csat [1-5]``), the words are placed on it instead: the intensities
used keep their order and the strongest stays outermost. On a 7-point scale each intensity has its own step (Somewhat
1, plain 2, Very 3 from the middle); on a shorter one, a plain word that is alone on its side is the inner step in
English ("Satisfied" beside "Very satisfied") and the outer one in Japanese (満足 beside やや満足), as those scales
are usually written. Words that do not fit (three intensities on five points, a middle on an even scale) are not
placed.

A column that mixes families or whose words are not all known is not read: its rows are rejected one by one as
"not a number", as before.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

#: a column is read as labels when at least this share of its answers (after numbers) are labels of one scale
LABEL_SHARE = 0.95
#: a column with more distinct answers is not read as the labels of a verbal scale
MAX_LABELS = 15

_EN_STEMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # family: (positive, negative) words
    "satisfaction": (("satisfied",), ("dissatisfied", "unsatisfied", "not satisfied")),
    "ease": (("easy",), ("difficult", "hard")),
    "effort": (("low effort", "little effort"), ("high effort", "much effort")),  # less effort is better (CES)
    "agreement": (("agree",), ("disagree",)),
    "likelihood": (("likely",), ("unlikely",)),
    "quality": (("good",), ("bad", "poor")),
}
_JA_STEMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "satisfaction": (("満足", "満足している", "満足した"), ("不満", "不満足", "不満だ", "不満である")),
    "ease": (
        ("簡単", "簡単だった", "容易", "容易だった", "易しい", "やさしい", "かんたん"),
        ("難しい", "難しかった", "むずかしい", "困難", "困難だった"),
    ),
    "agreement": (("そう思う",), ("そう思わない",)),
    "quality": (("良い", "よい", "良かった", "よかった"), ("悪い", "わるい", "悪かった")),
}
_EN_INTENSITY = {
    "": 2,
    "very": 3,
    "extremely": 3,
    "completely": 3,
    "totally": 3,
    "strongly": 3,
    "highly": 3,
    "absolutely": 3,
    "very much": 3,
    "moderately": 2,
    "quite": 2,
    "somewhat": 1,
    "slightly": 1,
    "a little": 1,
    "a bit": 1,
    "fairly": 1,
    "mildly": 1,
    "rather": 1,
    "mostly": 1,
}
_JA_INTENSITY = {
    "": 2,
    "とても": 3,
    "非常に": 3,
    "大変": 3,
    "たいへん": 3,
    "大いに": 3,
    "すごく": 3,
    "全く": 3,
    "まったく": 3,
    "全然": 3,
    "やや": 1,
    "まあ": 1,
    "まあまあ": 1,
    "少し": 1,
    "すこし": 1,
    "あまり": 1,
    "どちらかといえば": 1,
    "どちらかと言えば": 1,
    "どちらかというと": 1,
    "どちらかと言うと": 1,
}
_NEUTRAL_WORDS = frozenset(
    {"neutral", "neither", "undecided", "どちらともいえない", "どちらとも言えない", "どちらでもない", "普通", "ふつう"}
)
_NEITHER = re.compile(r"^neither\b.*\b(?:nor|or)\b")  # "Neither satisfied nor dissatisfied", "… or …"
_UNIPOLAR = {  # Qualtrics: Not at all / Slightly / Moderately / Very / Extremely; SurveyMonkey: Not so, Somewhat
    "not at all": 1,
    "slightly": 2,
    "a little": 2,
    "not so": 2,
    "not very": 2,
    "moderately": 3,
    "somewhat": 3,
    "very": 4,
    "extremely": 5,
}
_TRAILING = ".。!！"
#: rating words that are not two sides of a middle ("Excellent … Poor"): each scale's words, lowest first
_RATING_WORDS: tuple[tuple[str, ...], ...] = (
    ("poor", "fair", "good", "excellent"),
    ("poor", "fair", "good", "very good", "excellent"),
    ("very poor", "poor", "fair", "good", "very good"),
    ("terrible", "poor", "average", "very good", "excellent"),
    ("not good", "just okay", "awesome"),  # Freshdesk's satisfaction survey
)
_STAR_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}  # stars spelt out (Google's starRating)
_RATING_MARKS = frozenset(
    {"excellent", "fair", "terrible", "average", "awesome", "just okay"}
)  # words only these scales have


@dataclass(frozen=True)
class Label:
    """What one answer says: its family (None for the neutral middle), side (+1, -1, 0) and intensity (0–3)."""

    family: str | None
    side: int
    intensity: int


@dataclass
class LabelScale:
    """A column's verbal scale: each label (normalised) with its number, the scale, and each number's label as the
    file wrote it."""

    values: dict[str, int]
    scale: tuple[int, int]
    family: str
    written: dict[int, str] = field(default_factory=dict)

    def number(self, cell: object) -> float | None:
        """The number of a cell that is one of the scale's labels, else None."""
        return float(self.values[key]) if isinstance(cell, str) and (key := normalise(cell)) in self.values else None

    @property
    def complete(self) -> bool:
        """Whether every point of the scale was answered (the words then make this scale and no other)."""
        return len(self.written) >= self.scale[1] - self.scale[0] + 1

    def described(self) -> str:
        """ "Very dissatisfied = 1, Dissatisfied = 2, …" in the file's own words, lowest first."""
        return ", ".join(f"{self.written[v]} = {v}" for v in sorted(self.written))


def normalise(text: str) -> str:
    """A label as compared: NFKC, case-folded, single spaces, no trailing full stop (Japanese: no spaces)."""
    out = " ".join(unicodedata.normalize("NFKC", text).casefold().split()).rstrip(_TRAILING).strip()
    return out if out.isascii() else out.replace(" ", "")


def read_label(text: str) -> Label | None:
    """The family, side and intensity of one answer, or None when it is not a known label."""
    key = normalise(text)
    if not key:
        return None
    if key in _NEUTRAL_WORDS or _NEITHER.match(key):
        return Label(None, 0, 0)
    english = key.isascii()
    stems, intensities = (_EN_STEMS, _EN_INTENSITY) if english else (_JA_STEMS, _JA_INTENSITY)
    for family, (positive, negative) in stems.items():
        for side, words in ((-1, negative), (1, positive)):  # "dissatisfied" ends with "satisfied": negative first
            for word in sorted(words, key=len, reverse=True):
                if key.endswith(word):
                    prefix = key[: len(key) - len(word)].strip()
                    if prefix in intensities:
                        return Label(family, side, intensities[prefix])
    return None


def is_label(text: str) -> bool:
    """Whether a text is a word of some verbal scale this module reads ("Very satisfied", やや不満, "Excellent")."""
    key = normalise(text)
    if read_label(text) is not None or any(key in words for words in _RATING_WORDS):
        return True
    return any(key.startswith(prefix + " ") for prefix in _UNIPOLAR)


def _unipolar(keys: Iterable[str]) -> dict[str, int] | None:
    """'Not at all / Slightly / Moderately / Very / Extremely <word>' (one word for all), 1–5; else None."""
    found: dict[str, int] = {}
    words: set[str] = set()
    for key in keys:
        for prefix, value in _UNIPOLAR.items():
            if key.startswith(prefix + " "):
                found[key] = value
                words.add(key[len(prefix) + 1 :])
                break
        else:
            return None
    return found if len(words) == 1 and any(v == 1 for v in found.values()) and len(found) >= 3 else None


def read_scale(counts: Mapping[str, int], scale: tuple[int, int] | None = None) -> LabelScale | None:
    """The verbal scale of a column's text answers (answer as written → how many rows), or None when they are not
    the labels of one scale (see the module's docstring); on ``scale`` when given, None when they do not fit it."""
    total = sum(counts.values())
    if not total:
        return None
    written: dict[str, str] = {}  # each label (normalised) as the file first wrote it
    keyed: dict[str, int] = {}  # rows per normalised label
    for text, n in counts.items():
        key = normalise(text)
        written.setdefault(key, text.strip())
        keyed[key] = keyed.get(key, 0) + n
    stars = {k: _STAR_WORDS[k] for k in keyed if k in _STAR_WORDS}
    if len(stars) >= 2 and len(stars) == len([k for k in keyed if k]) and scale in (None, (1, 5)):
        return _scale(stars, (1, 5), "rating", written)  # Google Business Profile's starRating: FIVE, FOUR …
    unipolar = _unipolar(k for k in keyed if k)
    if unipolar is not None:
        return _scale(unipolar, (1, 5), "unipolar", written) if scale in (None, (1, 5)) else None
    if _RATING_MARKS.intersection(keyed):
        return _rating_words(keyed, written, scale)
    labels: dict[str, Label] = {}
    known = 0
    for key, n in keyed.items():
        label = read_label(key)
        if label is not None:
            labels[key] = label
            known += n
    families = {label.family for label in labels.values() if label.family}
    if known < LABEL_SHARE * total or len(families) != 1:
        return None
    intensities = sorted({label.intensity for label in labels.values() if label.side})
    neutral = any(label.side == 0 for label in labels.values())
    uneven = len(intensities) == 3 and neutral and _two_a_side_in_japanese(labels)  # 大変満足 … やや不満, 不満
    if uneven and scale in (None, (1, 5)):
        values = {k: 3 + label.side * _side_rank(labels, label) for k, label in labels.items()}
        return _scale(values, (1, 5), families.pop(), written)
    if scale is not None:
        placed = _placed(labels, intensities, neutral, scale, english=all(key.isascii() for key in labels))
        return None if placed is None else _scale(placed, scale, families.pop(), written)
    rank = {m: i + 1 for i, m in enumerate(intensities)}  # the weakest intensity used is 1 step from the middle
    if len(intensities) == 3:
        values = {k: 4 + label.side * rank.get(label.intensity, 0) for k, label in labels.items()}
        scale = (1, 7)
    elif len(intensities) == 2 and neutral:
        values = {k: 3 + label.side * rank.get(label.intensity, 0) for k, label in labels.items()}
        scale = (1, 5)
    elif len(intensities) == 2:  # no middle: 1 2 | 3 4
        values = {
            k: (2 + rank[label.intensity] if label.side > 0 else 3 - rank[label.intensity])
            for k, label in labels.items()
        }
        scale = (1, 4)
    elif len(intensities) == 1 and len({label.side for label in labels.values()}) >= 2:
        # one strength a side: Good / Bad (Zendesk's satisfaction) is 1–2, Satisfied / Neutral / Dissatisfied 1–3
        values = {k: 2 + label.side if neutral else 1 + (label.side > 0) for k, label in labels.items()}
        scale = (1, 3) if neutral else (1, 2)
    else:
        return None
    return _scale(values, scale, families.pop(), written)


def _two_a_side_in_japanese(labels: Mapping[str, Label]) -> bool:
    """Japanese words of a 5-point scale written unevenly: 大変満足 / 満足 / 普通 / やや不満 / 不満 (two strengths a
    side, three in all). In English the sides mirror each other: three strengths are seven points with some unused."""
    if any(key.isascii() for key in labels):
        return False
    sides = [{label.intensity for label in labels.values() if label.side == side} for side in (-1, 1)]
    return all(len(used) == 2 for used in sides)


def _side_rank(labels: Mapping[str, Label], label: Label) -> int:
    """The steps from the middle of a label among the strengths its own side uses (the weaker 1, the stronger 2)."""
    used = sorted({other.intensity for other in labels.values() if other.side == label.side})
    return used.index(label.intensity) + 1 if label.side else 0


def _placed(
    labels: Mapping[str, Label], intensities: list[int], neutral: bool, scale: tuple[int, int], english: bool
) -> dict[str, int] | None:
    """Each label's number on a scale the user set (1–n), or None when the words do not fit it: more intensities a
    side than it has steps, or a middle answer on an even scale."""
    lo, hi = scale
    points = hi - lo + 1
    steps = points // 2  # steps a side of the middle
    if lo != 1 or (neutral and points % 2 == 0) or not 0 < len(intensities) <= steps:
        return None
    if len(intensities) == steps:
        step = {m: i + 1 for i, m in enumerate(intensities)}
    elif steps == 3:  # 7 points: Somewhat / plain / Very each have their step
        step = {m: m for m in intensities}
    else:  # two steps, one intensity used: the weak words inner, the strong outer, plain by the language's habit
        only = intensities[0]
        step = {only: 1 if only == 1 or (only == 2 and english) else 2}
    middle = (points + 1) / 2  # 3 on 1–5; 2.5 on 1–4, where the sides start at 3 and 2
    half = 0.0 if points % 2 else 0.5
    return {
        key: round(middle + label.side * (step[label.intensity] - half)) if label.side else round(middle)
        for key, label in labels.items()
    }


def _rating_words(
    keys: Mapping[str, int], written: dict[str, str], scale: tuple[int, int] | None = None
) -> LabelScale | None:
    """The first (shortest) "Excellent … Poor" scale that has every word the column uses (``keys``: rows per
    normalised answer) and, when given, is as long as ``scale``; else None."""
    used = {key for key in keys if any(key in words for words in _RATING_WORDS)}
    if sum(keys[key] for key in used) < LABEL_SHARE * sum(keys.values()):
        return None
    for words in _RATING_WORDS:
        if scale is not None and scale != (1, len(words)):
            continue
        if used <= set(words):
            return _scale({key: words.index(key) + 1 for key in used}, (1, len(words)), "rating", written)
    return None


def _scale(values: dict[str, int], scale: tuple[int, int], family: str, written: dict[str, str]) -> LabelScale:
    shown: dict[int, str] = {}
    for key, value in values.items():
        shown.setdefault(value, written.get(key, key))
    return LabelScale(values=values, scale=scale, family=family, written=shown)
