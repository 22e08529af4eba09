"""Everything an import derives from comment texts, in one pass per distinct text: language, sentiment and themes.

``analyse_later`` hands the distinct texts to the worker processes (:mod:`cxdash.analysis.pool`) and returns at
once, so the import writes its responses, ratings and attributes while the comments are scored and tagged; the
function it returns waits for the results. The language a text is tagged in is the language its sentiment found,
as when tags are rebuilt later from the stored comments (``cxdash.store.themes.tag_comments``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from cxdash.analysis import pool, sentiment
from cxdash.analysis.lang import has_cjk
from cxdash.analysis.sentiment import SentimentScore
from cxdash.analysis.themes import ThemeMatcher, ThemeRules

#: distinct texts from which an import's comments go to the worker processes (below: scored in the caller)
PARALLEL_TEXTS = 4_000
#: costly (Japanese) texts an import remembers across its chunks (about 1 KB each)
MEMORY_TEXTS = 50_000

_Rules = tuple[tuple[str, str, str], ...]  # (name, English rules, Japanese rules) per theme: hashable, picklable


@dataclass(frozen=True)
class CommentAnalysis:
    """Sentiment of each text and the themes it is tagged with (indices into the themes given), in input order."""

    scores: list[SentimentScore]
    themes: list[tuple[int, ...]]


@lru_cache(maxsize=8)
def _matcher(rules: _Rules) -> ThemeMatcher:
    return ThemeMatcher([ThemeRules(name, en, ja) for name, en, ja in rules])


_Packed = tuple[list[tuple[str, str]], bytes, list[float], list[tuple[int, ...]], dict[int, list[str]]]


def _task(args: tuple[list[str], _Rules]) -> _Packed:
    """Score and tag distinct texts (in a worker process or in the caller); a Japanese text the lexicon is unsure of
    is left pending the embedding classifier's votes (``sentiment.score_split``)."""
    texts, rules = args
    raw, pending = sentiment.score_split(texts, "auto")
    hits = _matcher(rules).match_many(texts, [lang for lang, _, _ in raw]) if rules else [[] for _ in texts]
    return (*sentiment.pack(raw), [tuple(h) for h in hits], pending)


def _warm(japanese: object) -> None:
    """Load what scoring and tagging need (VADER, the Japanese dictionaries, a tokenizer). The embedding model is
    the ``pool.EMBEDDING`` worker's (``_warm_embedding``)."""
    from cxdash.analysis import sentiment_ja
    from cxdash.analysis.tokens import analyse

    sentiment.vader_compound("ok")
    if japanese:
        sentiment_ja.score_ja_batch(["まあまあ"], use_embedding=False)
        analyse("配送", "ja")


def _warm_embedding(_: object) -> None:
    """Load the embedding model and its classifier (0.3 s of CPU from the model cache, 0.8 s without it)."""
    from cxdash.analysis import sentiment_ja

    sentiment_ja._e5()
    sentiment_ja._logreg()


def warm_up(japanese: bool = False) -> None:
    """Start the worker processes and load their models now, from a background thread (an import calls this
    before it reads on), so that start-up overlaps with the caller's own work instead of delaying it or the first
    comments. ``japanese``: the Japanese dictionaries, and the embedding model's worker."""
    threading.Thread(target=_start_workers, args=(japanese,), name="cxdash-warm-up", daemon=True).start()


def _start_workers(japanese: bool = False) -> None:
    if japanese and pool.get_pool(pool.EMBEDDING) is not None:
        pool.map_later(_warm_embedding, [None], kind=pool.EMBEDDING)
    if pool.get_pool() is not None:
        pool.map_later(_warm, [japanese] * pool.workers())


Found = tuple[SentimentScore, tuple[int, ...]]  # a text's sentiment and the indices of the themes it is tagged with


@dataclass
class Memory:
    """What the earlier chunks of one import found for their costly texts (with kana or kanji: a Japanese text can
    cost 30 ms), so a text repeated in a later chunk is not scored again. Bounded: at most ``limit`` texts are
    kept. Results must be asked for in the order the chunks were started (an import does)."""

    limit: int = MEMORY_TEXTS
    found: dict[str, Found] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)  # costly texts sent to the workers, results not in yet

    def keep(self, by_text: dict[str, Found]) -> None:
        room = self.limit - len(self.found)
        if room > 0:  # the costly ones are the texts scored as Japanese (an English text costs ~0.05 ms)
            costly = [(text, found) for text, found in by_text.items() if found[0].lang == "ja"]
            self.found.update(costly[:room])
        self.started.difference_update(by_text)


def analyse_later(
    texts: Sequence[str],
    themes: Sequence[ThemeRules],
    memory: Memory | None = None,
    known: Mapping[str, Found] | None = None,
) -> Callable[[], CommentAnalysis]:
    """Start scoring and tagging ``texts`` (identical texts once; with ``memory`` not again when an earlier chunk
    had them; not at all when ``known`` has their analysis already); call the result to wait for the analysis."""
    return in_order(found_later(texts, themes, memory, known), texts)


def in_order(found: Callable[[], Mapping[str, Found]], texts: Sequence[str]) -> Callable[[], CommentAnalysis]:
    """The analysis of ``texts``, in their order, from the pending analysis of texts that include them."""

    def result() -> CommentAnalysis:
        by_text = found()
        return CommentAnalysis([by_text[t][0] for t in texts], [by_text[t][1] for t in texts])

    return result


def found_later(
    texts: Sequence[str],
    themes: Sequence[ThemeRules],
    memory: Memory | None = None,
    known: Mapping[str, Found] | None = None,
) -> Callable[[], dict[str, Found]]:
    """As ``analyse_later``, but the result maps each of the texts to its analysis."""
    known = known or {}
    unique = [t for t in dict.fromkeys(texts) if t not in known]
    rules: _Rules = tuple((t.name, t.keywords_en, t.keywords_ja) for t in themes)
    if memory is not None:
        unique = [t for t in unique if t not in memory.found and t not in memory.started]
        memory.started.update(t for t in unique if not t.isascii() and has_cjk(t))
    parallel = sentiment.worth_a_pool(unique, PARALLEL_TEXTS) and pool.get_pool() is not None
    tasks = sentiment.split_tasks(unique) if parallel else [unique]
    collect = pool.map_then(
        _task, [(task, rules) for task in tasks], lambda packed: sentiment.votes_later(packed[4], parallel), parallel
    )

    def result() -> dict[str, Found]:
        by_text: dict[str, Found] = {}
        for task, (packed, prob) in zip(tasks, collect(), strict=True):
            by_text.update(zip(task, _found(packed, prob), strict=True))
        by_text.update((t, known[t]) for t in texts if t in known)
        if memory is not None:
            missing = [t for t in dict.fromkeys(texts) if t not in by_text and t not in memory.found]
            if missing:  # an earlier chunk's text that the memory could not keep (full): analysed here
                packed = _task((missing, rules))
                by_text.update(zip(missing, _found(packed, sentiment.votes_later(packed[4], False)()), strict=True))
            memory.keep(by_text)
            by_text.update((t, memory.found[t]) for t in dict.fromkeys(texts) if t not in by_text)
        return by_text

    return result


def _found(packed: _Packed, prob: Mapping[str, float] | None) -> list[Found]:
    """A task's packed results as (sentiment, theme indices) per text, its pending ones finished from the
    classifier's answers ``prob``."""
    kinds, codes, compounds, hits, pending = packed
    raws = sentiment.finish_pending(sentiment.unpack(kinds, codes, compounds), pending, prob)
    return [(sentiment.make_score(raw), hit) for raw, hit in zip(raws, hits, strict=True)]
