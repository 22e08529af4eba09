"""Tokenisation of comments for keywords and theme matching, in English and Japanese.

English: NFKC, lower case, words of letters/digits (inner ' and - kept), plurals reduced to the singular by a few
suffix rules, stop words removed. Japanese: morphological analysis with fugashi (MeCab) and the UniDic-lite
dictionary, fully offline; content words (nouns, verbs, adjectives, na-adjectives) in their base form, runs of
nouns joined into one compound (配送 スピード → 配送スピード), verb + ～やすい/～にくい joined (使いやすい).

A comment becomes *runs*: sequences of content terms that were adjacent in the text. Phrases (2–3 words) are
n-grams inside one run, so they never span a stop word (English) or a punctuation mark (Japanese).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("data")
CACHE_SIZE = 200_000

_JA_CHARS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
_EN_CLAUSE = re.compile(r"[.!?;:,()\[\]{}\"/\n\r\t…|]+")
#: ASCII characters that are not in words: clause breaks to "|", the others to " " (``_en_clauses``); ' and -
#: stay, where ``_EN_GLUE_BREAK`` did not find them breaking words
_EN_BREAKS = "".join(
    ch if re.match(r"[a-z0-9'\-]", ch) else "|" if _EN_CLAUSE.match(ch) else " " for ch in map(chr, range(128))
)  # a str: str.translate looks each character up by index (a dict raised KeyError for every letter: 4x slower)
#: a ' or - that is not alone between two letters or digits (a word ends there)
_EN_GLUE_BREAK = re.compile(r"['\-]{2,}|(?<![a-z0-9])['\-]|['\-](?![a-z0-9])")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")
_ASCII_RUN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[\-'.][A-Za-z0-9]+)*")
_IRREGULAR = {"people": "people", "children": "child", "men": "man", "women": "woman", "staff": "staff"}
_NO_SINGULAR = {"news", "series", "species", "always", "perhaps", "plus", "yes", "thanks", "lens", "canvas", "gas"}
_HONORIFIC = {"さん", "様", "さま", "ちゃん", "君", "くん", "達", "たち", "さ", "ら", "等", "方", "がた", "殿", "氏"}
_JA_CONTENT = {"名詞", "動詞", "形容詞", "形状詞"}
_JA_BREAK = {"補助記号", "記号", "空白"}
_NEGATIONS = {"ない", "ぬ", "ず"}  # the auxiliaries that negate the verb before them (使わ|ない, 使い|ませ|ん)
_ORTH_BASE = 10  # the index of orthBase (the base form as written) in UniDic's features


@dataclass(frozen=True)
class Analysis:
    """A comment analysed once: content-term runs (for keywords) and a haystack (for theme rules)."""

    language: str
    runs: tuple[tuple[str, ...], ...]
    haystack: str


def normalize(text: str) -> str:
    """NFKC (full-width ASCII to half-width, half-width kana to full-width), lower case, curly quotes straightened."""
    return unicodedata.normalize("NFKC", text or "").lower().replace("’", "'").replace("‘", "'")


def is_japanese(text: str) -> bool:
    """True when the text contains kana or kanji."""
    return _JA_CHARS.search(text or "") is not None


def language_of(text: str, language: str | None = None) -> str:
    """'ja' or 'en': the stored language when it is one of those, else guessed from the script."""
    if language in ("en", "ja"):
        return language
    return "ja" if is_japanese(text) else "en"


@cache
def stopwords(language: str) -> frozenset[str]:
    """The stop-word list of a language ('en' or 'ja') from cxdash/analysis/data."""
    path = DATA / f"stopwords_{language}.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=CACHE_SIZE)
def lemma_en(word: str) -> str:
    """A plural English noun reduced to its singular by suffix rules (deliveries → delivery, boxes → box)."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or word in _NO_SINGULAR or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


class _Forms(dict[str, str]):
    """word → ``_en_form(word)``, filled as words are met (a dict look-up, not a function call per word)."""

    def __missing__(self, word: str) -> str:
        if len(self) >= CACHE_SIZE:
            self.clear()
        form = self[word] = lemma_en(word.removesuffix("'s").replace("'", ""))
        return form


_FORMS = _Forms()
_en_form = _FORMS.__getitem__  # a word as matched: possessive 's and apostrophes dropped, then singular


def _en_clauses(text: str) -> list[list[str]]:
    """The words of an English text (before ``_en_form``), clause by clause, empty clauses left out: in each stretch
    between clause breaks (``_EN_CLAUSE``), the runs of ASCII letters and digits, with ' or - inside a word kept
    (``it's``, ``wi-fi``). Split by ``str.translate`` and ``split`` (a loop of regular expressions per word was the
    cost), after every character outside ASCII is made a space: none is in a word or a clause break (NFKC made "…"
    "...")."""
    norm = normalize(text)
    if not norm.isascii():
        norm = _NOT_ASCII.sub(" ", norm)
    if "'" in norm or "-" in norm:  # ' and - join letters and digits only: any other one breaks words
        norm = _EN_GLUE_BREAK.sub(" ", norm)
    return [words for clause in norm.translate(_EN_BREAKS).split("|") if (words := clause.split())]


def en_words(text: str) -> list[list[str]]:
    """English text as clauses of lemmatised words (stop words kept; possessive 's and apostrophes dropped)."""
    return [list(map(_en_form, words)) for words in _en_clauses(text)]


def en_terms(text: str) -> list[str]:
    """The lemmatised words of an English text with ``|`` between its clauses (``en_words`` flattened): what
    theme matching reads."""
    terms: list[str] = []
    for words in _en_clauses(text):
        if terms:
            terms.append("|")
        terms.extend(map(_en_form, words))
    return terms


def en_haystack(text: str) -> str:
    """The theme-matching haystack of an English text (as ``analyse(text, "en").haystack``, without the runs)."""
    return terms_haystack(en_terms(text))


def terms_haystack(terms: list[str]) -> str:
    """``en_terms`` as the haystack theme rules are matched in: the words spaced, with a space at each end."""
    return " " + " ".join(terms) + " "


def _analyse_en(text: str) -> Analysis:
    stop = stopwords("en")
    runs: list[tuple[str, ...]] = []
    terms = en_terms(text)
    run: list[str] = []
    for w in terms:  # a clause break ("|") ends a run as a stop word does
        if w in stop or w.isdigit() or len(w) < 2:
            if run:
                runs.append(tuple(run))
            run = []
        else:
            run.append(w)
    if run:
        runs.append(tuple(run))
    return Analysis("en", tuple(runs), terms_haystack(terms))


_LOCAL = threading.local()


def _tagger() -> Any:
    """This thread's fugashi tagger on UniDic-lite (MeCab taggers are not shared across threads; ~0.1 s to load)."""
    tagger = getattr(_LOCAL, "tagger", None)
    if tagger is None:
        import fugashi
        import unidic_lite

        dicdir = unidic_lite.DICDIR
        tagger = _LOCAL.tagger = fugashi.Tagger(f'-d "{dicdir}" -r "{Path(dicdir) / "mecabrc"}"')
    return tagger


def _ja_tokens(text: str) -> list[tuple[str, str, str, str]]:
    """(surface, base form, pos1, pos2) per token; ASCII words are kept whole as nouns (Wi-Fi, app)."""
    out: list[tuple[str, str, str, str]] = []
    pos = 0
    for m in _ASCII_RUN.finditer(text):
        out.extend(_tag(text[pos : m.start()]))
        out.append((m.group(), m.group(), "名詞", "英字"))
        pos = m.end()
    out.extend(_tag(text[pos:]))
    return out


def _tag(text: str) -> list[tuple[str, str, str, str]]:
    """(surface, base form, pos1, pos2) of each token. fugashi's ``feature`` builds a named tuple of all 26 fields
    per token (most of the cost): it is asked only where ``_features`` cannot read the raw CSV."""
    if not text:
        return []
    tokens = []
    for w in _tagger()(text):
        read = _features(w.feature_raw)
        if read is None:
            f = w.feature
            read = getattr(f, "orthBase", None), f.pos1, f.pos2
        base, pos1, pos2 = read
        tokens.append((w.surface, base or w.surface, pos1 or "", pos2 or ""))
    return tokens


def _features(raw: str) -> tuple[str | None, str | None, str | None] | None:
    """(orthBase, pos1, pos2) from a node's raw UniDic features (fields 10, 0 and 1; None where an unknown word's
    shorter list has no such field), or None where a quoted field (one holding a comma) comes before orthBase."""
    fields = mecab_fields(raw, _ORTH_BASE)
    if fields is None:
        return None
    base = fields[_ORTH_BASE] if len(fields) > _ORTH_BASE else None
    return base, fields[0], fields[1] if len(fields) > 1 else None


def mecab_fields(raw: str, last: int) -> list[str] | None:
    """Fields 0 to ``last`` of a MeCab node's raw CSV features, split at commas (the rest left in one more item), or
    None where a quoted field (one that may hold a comma) comes among them: fugashi's ``feature`` reads those. Reading
    the raw string skips the tuple fugashi builds of every field per token, most of a tagger call's cost."""
    fields = raw.split(",", last + 1)
    if '"' in raw and (len(fields) <= last + 1 or '"' in raw[: len(raw) - len(fields[-1])]):
        return None
    return fields


def _analyse_ja(text: str) -> Analysis:
    stop = stopwords("ja")
    norm = normalize(text)
    tokens = _ja_tokens(norm)
    runs: list[tuple[str, ...]] = []
    run: list[str] = []
    noun = ""  # the noun compound being built
    verb: tuple[str, bool] | None = None  # the last verb's or adjective's surface and whether it was kept as a term
    polite = False  # a ます after that verb (使い|ませ|ん: 使いません)
    counted = False  # the token before was a number (二|度|と: 度 is a counter, not a word)

    def close_noun() -> None:
        nonlocal noun
        if noun and noun not in stop:
            run.append(noun)
        noun = ""

    for surface, base, pos1, pos2 in tokens:
        after_number, counted = counted, pos2 == "数詞"
        if pos1 == "名詞" and pos2 != "数詞":
            if after_number and not noun and len(surface) == 1:
                continue  # 二度, 3回, 5個: a counter
            noun += surface
            verb = None
            continue
        if verb is not None and pos1 == "助動詞" and base == "ます":
            polite = True
            continue  # 使い|ませ|ん: the negation may follow
        if verb is not None and (pos1 == "助動詞" and base in _NEGATIONS or pos1 == "形容詞" and base == "ない"):
            if verb[1]:  # 使わない, 良くない, 届かなかった → 届かない: the word as the customer meant it
                run[-1] = verb[0] + ("ません" if polite else "ない")
            verb, polite = None, False
            continue
        if pos1 == "接尾辞" and pos2 == "名詞的" and noun and surface not in _HONORIFIC:
            noun += surface
            continue
        if pos1 == "接頭辞" and not noun:
            continue  # お・ご before a noun: skipped, the noun stays the same word
        close_noun()
        if pos1 == "接尾辞" and pos2 == "形容詞的" and verb is not None:
            joined = verb[0] + base  # 使い + やすい → 使いやすい, 見 + づらい → 見づらい
            if verb[1]:
                run[-1] = joined
            else:
                run.append(joined)
            verb = (verb[0] + surface, True)  # 使いやすく|ない
            continue
        verb, polite = None, False
        if pos1 in _JA_BREAK or pos2 == "数詞":
            if run:
                runs.append(tuple(run))
            run = []
        elif pos1 in _JA_CONTENT:
            kept = base not in stop
            if kept:
                run.append(base)
            verb = (surface, kept) if pos1 in ("動詞", "形容詞") else None
    close_noun()
    if run:
        runs.append(tuple(run))
    haystack = norm + "\n" + " ".join(base for _, base, _, _ in tokens) + "\n" + " ".join(t for r in runs for t in r)
    return Analysis("ja", tuple(runs), haystack)


@lru_cache(maxsize=CACHE_SIZE)
def analyse(text: str, language: str | None = None) -> Analysis:
    """Runs of content terms and a matching haystack for one comment (cached by text and language)."""
    lang = language_of(text, language)
    return _analyse_ja(text) if lang == "ja" else _analyse_en(text)


def terms(text: str, language: str | None = None) -> list[str]:
    """The content terms of a text in order (stop words removed; Japanese noun compounds joined)."""
    return [t for run in analyse(text, language).runs for t in run]


def ngrams(runs: Iterable[Sequence[str]], max_n: int = 3) -> set[str]:
    """All distinct 1..max_n-grams inside the runs, words joined by one space (each length's grams made by zipping
    the run with itself shifted, instead of slicing it at every position; runs are a few words long)."""
    out: set[str] = set()
    add, join = out.update, " ".join
    for run in runs:
        if max_n < 1 or not run:
            continue
        add(run)
        if max_n >= 2 and len(run) > 1:
            add(map(join, pairwise(run)))
            if max_n >= 3 and len(run) > 2:
                add(map(join, zip(run, run[1:], run[2:], strict=False)))
                if max_n > 3:
                    for n in range(4, min(max_n, len(run)) + 1):
                        add(map(join, zip(*(run[i:] for i in range(n)), strict=False)))
    return out
