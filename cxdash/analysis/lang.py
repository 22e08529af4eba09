"""Script-based language detection for short customer comments: 'en', 'ja' or 'other'.

Rules (after folding full-width ASCII and half-width katakana with NFKC, for counting only):
- Hiragana/katakana present → Japanese unless Latin letters clearly dominate (``2 × Japanese chars < Latin
  letters``: "I love ラーメン so much" is English, "UIは良いけど、checkoutが遅い" is Japanese).
- Han ideographs without kana: Japanese when short or when all characters exist in the Japanese character set
  (CP932) and no Chinese function characters (的了是们这很吗呢…) are present; Chinese → 'other'.
- Hangul, Cyrillic, Arabic, Thai, … → 'other'. Latin letters only → 'en'.
- Nothing with letters (emoji only, digits, punctuation, empty) → 'other'.
"""

from __future__ import annotations

import re
import unicodedata

_HIRAGANA = re.compile(r"[\u3041-\u309f]")
_KATAKANA = re.compile(r"[\u30a0-\u30ff\u31f0-\u31ff]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_CJK = re.compile(r"[\u3041-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_OTHER_SCRIPT = re.compile(
    r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f\u0400-\u04ff\u0600-\u06ff\u0590-\u05ff\u0e00-\u0e7f"
    r"\u0900-\u097f\u0370-\u03ff]"
)
_ZH_MARKERS = frozenset("的了是们們这這很吗嗎呢么麼没沒说說个個还還对對会會")
_FULLWIDTH = re.compile(r"[\uff01-\uff5e\uff61-\uff9f\u3000]")
_FULLWIDTH_ASCII = re.compile(r"[\uff01-\uff5e\u3000]")


def _jis_ok(ch: str) -> bool:
    try:
        ch.encode("cp932")
        return True
    except UnicodeEncodeError:
        return False


def detect_language(text: str) -> str:
    """'ja', 'en' or 'other' for one comment (fast path for plain ASCII)."""
    if text.isascii():
        return "en" if _LATIN.search(text) else "other"
    if _FULLWIDTH.search(text) is None and _CJK.search(text) is None and _OTHER_SCRIPT.search(text) is None:
        # nothing to fold, no Japanese and no other script (accents, emoji, curly quotes): what the counts give
        return "en" if _LATIN.search(text) else "other"
    return _by_counts(text)


def _by_counts(text: str) -> str:
    """``detect_language`` by counting the characters of each script (after folding full-width forms)."""
    folded = unicodedata.normalize("NFKC", text) if _FULLWIDTH.search(text) else text
    kana = len(_HIRAGANA.findall(folded)) + len(_KATAKANA.findall(folded))
    han = _HAN.findall(folded)
    latin = len(_LATIN.findall(folded))
    other = len(_OTHER_SCRIPT.findall(folded))
    japanese = kana + len(han)
    if other > japanese and other >= latin / 2:
        return "other"
    if kana:
        return "ja" if 2 * japanese >= latin else "en"
    if han:
        chinese = sum(1 for c in han if c in _ZH_MARKERS) + sum(1 for c in han if not _jis_ok(c))
        if chinese == 0 or (len(han) <= 4 and chinese <= 1 and all(_jis_ok(c) for c in han)):
            return "ja" if 2 * len(han) >= latin else "en"
        return "other" if 2 * len(han) >= latin else "en"
    if latin:
        return "en"
    return "other"


def has_cjk(text: str) -> bool:
    """Whether a text holds kana or kanji (a Japanese comment, costly to score, cannot lack them)."""
    return not text.isascii() and (_CJK.search(text) is not None)


#: characters a Japanese value needs to count as an answer (a comment), not a label such as 会員 or 東京
ANSWER_CHARS = 8


def is_japanese_answer(text: str, min_chars: int = ANSWER_CHARS) -> bool:
    """Whether a value is Japanese text long enough to be a comment: the comment workers then load the Japanese
    dictionaries and the embedding model's worker starts with them."""
    return len(text) >= min_chars and has_cjk(text)


def has_fullwidth_ascii(text: str) -> bool:
    """Whether a text holds full-width ASCII (Ａ-ｚ, ０-９, ！…) or the ideographic space."""
    return _FULLWIDTH_ASCII.search(text) is not None


def fold_width(text: str) -> str:
    """Full-width ASCII (Ａ-ｚ, ０-９, ！…) and the ideographic space to their ASCII forms; nothing else changes."""
    return "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else (" " if c == "\u3000" else c) for c in text)
