"""Sentiment of comments: language per text, compound score in −1..1, label, and the method that produced it.

- Language: :func:`cxdash.analysis.lang.detect_language` ('en', 'ja' or 'other'), by script.
- English and other languages: vaderSentiment with the text passed unaltered, so the compound equals
  ``SentimentIntensityAnalyzer().polarity_scores(text)["compound"]`` (method ``vader-3.3.2``). Only text typed in
  full-width ASCII (Ｇｏｏｄ) is width-folded first, and then the method says so (``vader-3.3.2+width-fold``).
- Japanese: :mod:`cxdash.analysis.sentiment_ja` (lexicon + rules, embedding classifier where unsure).
- Labels: standard thresholds, ≥ 0.05 positive, ≤ −0.05 negative, else neutral. Every text gets a score.
- Speed: identical texts are scored once (per call and in a bounded process-wide cache); batches with many
  distinct texts are spread over a lazily started process pool (one worker per core), whose workers leave what
  the Japanese lexicon cannot decide to one more worker that holds the embedding model (``score_split``,
  ``votes_later``, ``finish_pending``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from cxdash.analysis import pool, vader_fast
from cxdash.analysis.lang import _LATIN, fold_width, has_cjk, has_fullwidth_ascii
from cxdash.analysis.lang import detect_language as _detect_language

POS_THRESHOLD = 0.05
NEG_THRESHOLD = -0.05

try:
    VADER_METHOD = f"vader-{version('vaderSentiment')}"
except PackageNotFoundError:  # pragma: no cover - vendored copies
    VADER_METHOD = "vader"
VADER_FOLDED_METHOD = f"{VADER_METHOD}+width-fold"

#: batches with at least this many distinct uncached texts go to the process pool
PARALLEL_THRESHOLD = 20_000
#: texts per pool task
CHUNK_SIZE = 4_000
#: Japanese texts: their share of the threshold (they went to the workers sooner when they cost ~100× an English one)
JA_PARALLEL_THRESHOLD = 2_000
CACHE_MAX = 200_000


@dataclass(frozen=True)
class SentimentScore:
    lang: str
    compound: float | None  # never None since v1; kept Optional for callers written against the stub
    label: str | None
    method: str


def label_for(compound: float) -> str:
    if compound >= POS_THRESHOLD:
        return "positive"
    if compound <= NEG_THRESHOLD:
        return "negative"
    return "neutral"


def detect_language(text: str) -> str:
    """'ja', 'en' or 'other' (see :mod:`cxdash.analysis.lang`)."""
    return _detect_language(text)


@lru_cache(maxsize=1)
def _vader() -> SentimentIntensityAnalyzer:
    return vader_fast.analyzer()  # vaderSentiment's results, faster (see cxdash.analysis.vader_fast)


def vader_lexicon() -> dict[str, float]:
    """VADER's sentiment words (lower case) and their valence."""
    return _vader().lexicon  # type: ignore[no-any-return]


def vader_compound(text: str) -> float:
    """vaderSentiment's own compound for the text as given."""
    return _vader().polarity_scores(text)["compound"]


# -- scoring distinct texts (runs in the caller or in a pool worker) ---------------------------------------
_Raw = tuple[str, float, str]  # (lang, compound, method)


def _score_unique(texts: Sequence[str], lang: str) -> list[_Raw]:
    """The scores of distinct texts, all of them here (the embedding classifier asked in this process)."""
    raw, pending = score_split(texts, lang)
    return finish_pending(raw, pending, votes_later(pending, parallel=False)())


def score_split(texts: Sequence[str], lang: str) -> tuple[list[_Raw], dict[int, list[str]]]:
    """The scores of distinct texts, where a Japanese text the lexicon is unsure of is left pending: its raw score
    holds the lexicon's sum, and the second result what the embedding classifier is to be asked about for it (text
    index → sentences), for ``finish_pending`` once the classifier has answered."""
    polarity = _vader().polarity_scores
    latin = _LATIN.search
    out: list[_Raw | None] = [None] * len(texts)
    ja_idx: list[int] = []
    auto = lang == "auto"
    for i, text in enumerate(texts):
        if auto and text.isascii():  # fast path: most comments in an English survey
            out[i] = ("en" if latin(text) else "other", polarity(text)["compound"], VADER_METHOD)
            continue
        tl = _detect_language(text) if auto else lang
        if tl == "ja":
            ja_idx.append(i)
        elif text.isascii() or not has_fullwidth_ascii(text):
            out[i] = (tl, polarity(text)["compound"], VADER_METHOD)
        else:
            out[i] = (tl, polarity(fold_width(text))["compound"], VADER_FOLDED_METHOD)
    pending: dict[int, list[str]] = {}
    if ja_idx:
        from cxdash.analysis import sentiment_ja

        sums, asks = sentiment_ja.lexicon_pass([texts[i] for i in ja_idx])
        for k, (i, s) in enumerate(zip(ja_idx, sums, strict=True)):
            asked = asks.get(k)
            if asked:
                out[i] = ("ja", s, sentiment_ja.METHOD_EMBED)
                pending[i] = asked
            else:
                js = sentiment_ja.finish(s, None, None)
                out[i] = ("ja", js.compound, js.method)
    return out, pending  # type: ignore[return-value]


def embedding_votes(sentences: list[str]) -> dict[str, float] | None:
    """The embedding classifier's answers (sentence → P(positive); None when it is unavailable), in a worker
    process of the ``pool.EMBEDDING`` kind or here."""
    from cxdash.analysis.sentiment_ja import answers

    return answers(sentences)


def finish_pending(
    raw: list[_Raw], pending: Mapping[int, Sequence[str]], prob: Mapping[str, float] | None
) -> list[_Raw]:
    """``raw`` with its pending Japanese scores finished from the classifier's answers (``prob``: sentence →
    P(positive), None when the classifier is unavailable): what ``score_ja_batch`` gives for them."""
    if not pending:
        return raw
    from cxdash.analysis.sentiment_ja import finish

    out = list(raw)
    for i, asked in pending.items():
        js = finish(raw[i][1], asked, prob)
        out[i] = ("ja", js.compound, js.method)
    return out


def _worker_task(
    args: tuple[list[str], str],
) -> tuple[list[tuple[str, str]], bytes, list[float], dict[int, list[str]]]:
    """Scores packed for a cheap trip back (distinct (lang, method) pairs, one code byte per text, compounds), and
    the Japanese ones pending the embedding classifier's votes (``score_split``)."""
    raw, pending = score_split(*args)
    return (*pack(raw), pending)


def votes_later(pending: Mapping[int, Sequence[str]], parallel: bool = True) -> Callable[[], dict[str, float] | None]:
    """Start the embedding classifier on the questions of these pending texts (in the ``pool.EMBEDDING`` worker
    when ``parallel``); returns a function that waits for its answers (sentence → P(positive); None when the
    classifier is unavailable)."""
    if not pending:  # nothing Japanese was left unsure (the Japanese module stays unloaded for English)
        return dict
    from cxdash.analysis.sentiment_ja import questions

    asked = questions(pending)
    if not asked:
        return dict
    return pool.ask_later(embedding_votes, asked, parallel, kind=pool.EMBEDDING)


def pack(raw: Sequence[_Raw]) -> tuple[list[tuple[str, str]], bytes, list[float]]:
    """(distinct (lang, method) pairs, one code byte per text, compounds): cheap to send between processes."""
    kinds: dict[tuple[str, str], int] = {}
    codes = bytearray()
    for tl, _, method in raw:
        codes.append(kinds.setdefault((tl, method), len(kinds)))
    return list(kinds), bytes(codes), [c for _, c, _ in raw]


def unpack(kinds: list[tuple[str, str]], codes: bytes, compounds: list[float]) -> list[_Raw]:
    return [(kinds[k][0], c, kinds[k][1]) for k, c in zip(codes, compounds, strict=True)]


def worth_a_pool(texts: Sequence[str], threshold: int | None = None) -> bool:
    """Whether scoring these distinct texts is worth sending to the worker processes (a smaller batch is, when
    enough of it is Japanese)."""
    n_ja = sum(1 for t in texts[:2000] if not t.isascii())
    limit = PARALLEL_THRESHOLD if threshold is None else threshold
    return len(texts) >= limit or (len(texts) >= JA_PARALLEL_THRESHOLD and n_ja > 200)


def task_size(n: int) -> int:
    """Texts per pool task: about four tasks per worker, 500 to CHUNK_SIZE."""
    return max(500, min(CHUNK_SIZE, n // (4 * max(pool.workers(), 1)) or 500))


def split_tasks(texts: list[str]) -> list[list[str]]:
    """Pool tasks of about ``task_size`` distinct texts each, those with kana or kanji first: the texts the lexicon
    may leave to the embedding worker are scored first, so its questions reach it while the others are scored, and
    the last tasks to end leave it nothing to answer after them. (A Japanese text costs the lexicon about twice what
    VADER costs an English one; the pool hands each task to the next free worker, so the workers stay evenly busy.)"""
    size = task_size(len(texts))
    japanese = [has_cjk(t) for t in texts]
    first = [t for t, ja in zip(texts, japanese, strict=True) if ja]
    rest = [t for t, ja in zip(texts, japanese, strict=True) if not ja]
    small = max(100, size // 4)
    return [first[i : i + small] for i in range(0, len(first), small)] + [
        rest[i : i + size] for i in range(0, len(rest), size)
    ]


def _score_many(texts: list[str], lang: str) -> list[_Raw]:
    if not worth_a_pool(texts) or pool.get_pool() is None:
        return _score_unique(texts, lang)
    tasks = split_tasks(texts)
    collect = pool.map_then(_worker_task, [(task, lang) for task in tasks], lambda packed: votes_later(packed[3]))
    by_text: dict[str, _Raw] = {}
    for task, (packed, prob) in zip(tasks, collect(), strict=True):
        by_text.update(zip(task, finish_pending(unpack(*packed[:3]), packed[3], prob), strict=True))
    return [by_text[t] for t in texts]


def shutdown_pool() -> None:
    """Stop the worker processes (see :mod:`cxdash.analysis.pool`)."""
    pool.shutdown_pool()


# -- public API ----------------------------------------------------------------------------------------------
_caches: dict[str, dict[str, SentimentScore]] = {}
_interned: dict[_Raw, SentimentScore] = {}


def clear_cache() -> None:
    _caches.clear()
    _interned.clear()


def current_methods() -> frozenset[str]:
    """The method names this version's scoring writes: a stored score with one of them is what scoring the same
    text again would give."""
    from cxdash.analysis.sentiment_ja import METHOD_EMBED, METHOD_LEXICON

    return frozenset({VADER_METHOD, VADER_FOLDED_METHOD, METHOD_LEXICON, METHOD_EMBED})


def make_score(raw: _Raw) -> SentimentScore:
    hit = _interned.get(raw)
    if hit is None:
        if len(_interned) > CACHE_MAX:
            _interned.clear()
        tl, compound, method = raw
        hit = _interned[raw] = SentimentScore(tl, compound, label_for(compound), method)
    return hit


def score_text(text: str, lang: str = "auto") -> SentimentScore:
    return score_texts([text], lang)[0]


def score_texts(texts: Sequence[str], lang: str = "auto") -> list[SentimentScore]:
    """Scores for many texts, in input order; identical texts are scored once (and cached across calls)."""
    cache = _caches.setdefault(lang, {})
    unique = list(dict.fromkeys(t for t in texts if t not in cache))
    if unique:
        if len(cache) + len(unique) > CACHE_MAX:
            cache.clear()  # and so the batch's texts that were cached must be scored again
            unique = list(dict.fromkeys(texts))
        cache.update(zip(unique, map(make_score, _score_many(unique, lang)), strict=True))
        if len(cache) > CACHE_MAX:  # a batch larger than the cache: answer from it, then forget it
            out = [cache[t] for t in texts]
            cache.clear()
            return out
    return [cache[t] for t in texts]


def sentiment_lines(lines: Iterable[str], lang: str = "auto", batch_size: int = 50_000) -> Iterator[dict[str, Any]]:
    """One dict per input line ({"text", "lang", "compound", "label", "method"}), in input order.

    Trailing newline characters are removed from each line; nothing else is changed. Lines are scored in batches,
    so a long stream is never held in memory at once.
    """
    batch: list[str] = []

    def flush() -> Iterator[dict[str, Any]]:
        for text, s in zip(batch, score_texts(batch, lang), strict=True):
            yield {"text": text, "lang": s.lang, "compound": s.compound, "label": s.label, "method": s.method}

    for line in lines:
        batch.append(line.rstrip("\r\n"))
        if len(batch) >= batch_size:
            yield from flush()
            batch = []
    if batch:
        yield from flush()
