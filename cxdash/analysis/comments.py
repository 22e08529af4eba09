"""Everything an import derives from comment texts, in one pass per distinct text: language, sentiment and themes.

``analyse_later`` hands the distinct texts to the worker processes (:mod:`cxdash.analysis.pool`) and returns at
once, so the import writes its responses, ratings and attributes while the comments are scored and tagged; the
function it returns waits for the results. The language a text is tagged in is the language its sentiment found,
as when tags are rebuilt later from the stored comments (``cxdash.store.themes.tag_comments``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from cxdash.analysis import pool, sentiment
from cxdash.analysis.sentiment import SentimentScore
from cxdash.analysis.themes import ThemeMatcher, ThemeRules

#: distinct texts from which an import's comments go to the worker processes (below: scored in the caller)
PARALLEL_TEXTS = 4_000

_Rules = tuple[tuple[str, str, str], ...]  # (name, English rules, Japanese rules) per theme: hashable, picklable


@dataclass(frozen=True)
class CommentAnalysis:
    """Sentiment of each text and the themes it is tagged with (indices into the themes given), in input order."""

    scores: list[SentimentScore]
    themes: list[tuple[int, ...]]


@lru_cache(maxsize=8)
def _matcher(rules: _Rules) -> ThemeMatcher:
    return ThemeMatcher([ThemeRules(name, en, ja) for name, en, ja in rules])


def _task(args: tuple[list[str], _Rules]) -> tuple[list[tuple[str, str]], bytes, list[float], list[tuple[int, ...]]]:
    """Score and tag distinct texts (in a worker process or in the caller)."""
    texts, rules = args
    raw = sentiment._score_unique(texts, "auto")
    hits = _matcher(rules).match_many(texts, [lang for lang, _, _ in raw]) if rules else [[] for _ in texts]
    return (*sentiment.pack(raw), [tuple(h) for h in hits])


def _warm(_: object) -> None:
    """Load what scoring and tagging need (VADER, the Japanese dictionaries and embedding model, a tokenizer)."""
    from cxdash.analysis import sentiment_ja
    from cxdash.analysis.tokens import analyse

    sentiment.vader_compound("ok")
    sentiment_ja.score_ja_batch(["まあまあ"])
    analyse("配送", "ja")


def warm_up() -> None:
    """Start the worker processes and load their models now (a large import calls this before reading on), so
    that start-up overlaps with the caller's own work instead of delaying the first comments."""
    if pool.get_pool() is not None:
        pool.map_later(_warm, [None] * pool.workers())


def analyse_later(texts: Sequence[str], themes: Sequence[ThemeRules]) -> Callable[[], CommentAnalysis]:
    """Start scoring and tagging ``texts`` (identical texts once); call the result to wait for the analysis."""
    unique = list(dict.fromkeys(texts))
    rules: _Rules = tuple((t.name, t.keywords_en, t.keywords_ja) for t in themes)
    parallel = sentiment.worth_a_pool(unique, PARALLEL_TEXTS) and pool.get_pool() is not None
    tasks = sentiment.split_tasks(unique) if parallel else [unique]
    collect = pool.map_later(_task, [(task, rules) for task in tasks], parallel)

    def result() -> CommentAnalysis:
        by_text: dict[str, tuple[SentimentScore, tuple[int, ...]]] = {}
        for task, (kinds, codes, compounds, hits) in zip(tasks, collect(), strict=True):
            for text, raw, hit in zip(task, sentiment.unpack(kinds, codes, compounds), hits, strict=True):
                by_text[text] = (sentiment.make_score(raw), hit)
        return CommentAnalysis([by_text[t][0] for t in texts], [by_text[t][1] for t in texts])

    return result
