"""Throughput of cxdash's sentiment scoring against a plain single-process vaderSentiment loop.

Usage: python bench/bench_sentiment_speed.py [N] [--survey-file FILE.csv]   (default N = 100,000)

Workloads (each timed from a cold cxdash cache; the pool start-up is included):
1. N distinct short English comments (no repeats: caching cannot help, only the process pool).
2. N mixed survey comments drawn with repetition from a realistic pool (90% English, 10% Japanese).
3. Japanese alone: distinct review sentences, lexicon only and with the embedding classifier.
4. The comments of an N-row survey file from ``bench/gen_survey.py`` (10% Japanese; or the last column of
   ``--survey-file``), as an import scores them: the pool started and its models loaded (an import starts them
   while it reads the file), cxdash's cache cold. Against the plain loop over the same comments.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa: E402

from cxdash.analysis import sentiment  # noqa: E402
from cxdash.analysis.lang import has_cjk  # noqa: E402
from cxdash.analysis.sentiment_ja import score_ja_batch  # noqa: E402

_OPEN = ["", "Honestly, ", "Overall ", "Sadly ", "Wow, ", "I think ", "To be fair, ", "Again, ", "Really "]
_ASPECT = [
    "the staff",
    "delivery",
    "the app",
    "checkout",
    "support",
    "the room",
    "the food",
    "pricing",
    "the website",
    "customer service",
    "the product",
    "billing",
    "the driver",
    "onboarding",
    "the hotel",
]
_EVAL = [
    "was great",
    "was slow",
    "is not good",
    "was okay",
    "was terrible",
    "is very helpful",
    "could be better",
    "was amazing!",
    "sucks",
    "was fine I guess",
    "is way too expensive",
    "was friendly :)",
    "was rude",
    "rocks",
    "was a bit confusing",
    "was super fast",
    "never replied",
    "made me happy",
    "was disappointing",
    "is the best",
]


def short_english(n: int, seed: int = 1) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        out.append(f"{rnd.choice(_OPEN)}{rnd.choice(_ASPECT)} {rnd.choice(_EVAL)} (#{i})")
    return out


def japanese_pool() -> list[str]:
    texts = []
    for name in ("tests/data/ja_reviews_dev.tsv", "tests/data/ja_reviews_heldout.tsv"):
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines()[1:]:
            texts.append(line.split("\t")[0])
    return texts


def mixed(n: int, seed: int = 2) -> list[str]:
    rnd = random.Random(seed)
    en_pool = short_english(5000, seed=3)
    ja_pool = japanese_pool()
    return [rnd.choice(ja_pool) if rnd.random() < 0.1 else rnd.choice(en_pool) for _ in range(n)]


def plain_loop(texts: list[str]) -> float:
    analyzer = SentimentIntensityAnalyzer()
    t0 = time.perf_counter()
    _ = [analyzer.polarity_scores(t)["compound"] for t in texts]
    return time.perf_counter() - t0


def cxdash(texts: list[str]) -> float:
    sentiment.clear_cache()
    t0 = time.perf_counter()
    sentiment.score_texts(texts)
    return time.perf_counter() - t0


survey_file: Path | None = None


def main() -> None:
    global survey_file
    args = sys.argv[1:]
    if "--survey-file" in args:
        at = args.index("--survey-file")
        survey_file = Path(args[at + 1])
        del args[at : at + 2]
    n = int(args[0]) if args else 100_000
    import os

    print(f"N = {n:,}; cores {os.cpu_count()}; load average before the run {os.getloadavg()[0]:.2f}")
    en = short_english(n)
    base = plain_loop(en)
    ours = cxdash(en)
    print(
        f"distinct short English: plain vaderSentiment loop {n / base:,.0f}/s; cxdash score_texts {n / ours:,.0f}/s "
        f"({base / ours:.2f}x)"
    )
    sentiment.shutdown_pool()
    ours_cold = cxdash(en)
    print(f"  (again with the pool start-up included: {n / ours_cold:,.0f}/s)")

    mix = mixed(n)
    en_only = [t for t in mix if t.isascii()]
    base = plain_loop(en_only)  # the plain loop can only do the English part at all
    ours = cxdash(mix)
    n_unique = len(set(mix))
    print(
        f"mixed survey comments (90% en, 10% ja; {n_unique:,} distinct): cxdash {n / ours:,.0f}/s; "
        f"plain loop on the English part alone {len(en_only) / base:,.0f}/s"
    )

    ja = japanese_pool()
    distinct = [f"{a}{b}" for a, b in zip(ja, ja[1:] + ja[:1], strict=True)]
    t0 = time.perf_counter()
    lex = score_ja_batch(distinct, use_embedding=False)
    t_lex = time.perf_counter() - t0
    t0 = time.perf_counter()
    full = score_ja_batch(distinct, use_embedding=True)
    t_full = time.perf_counter() - t0
    asked = sum(1 for s in full if s.p_embed is not None)
    print(
        f"Japanese, {len(distinct)} two-sentence comments, 1 process: lexicon+rules {len(lex) / t_lex:,.0f}/s; "
        f"with the embedding classifier on the unsure {asked} ({asked / len(full):.0%}): {len(full) / t_full:,.0f}/s"
    )
    sentiment.shutdown_pool()
    survey_comments(n, survey_file)


def survey_comments(n: int, path: Path | None) -> None:
    import tempfile

    import pandas as pd

    from cxdash.analysis import comments, pool

    with tempfile.TemporaryDirectory() as tmp:
        if path is None:
            sys.path.insert(0, str(ROOT / "bench"))
            from gen_survey import generate

            path = Path(tmp) / "survey.csv"
            generate(n, path)
        frame = pd.read_csv(path, dtype=str)
    texts = frame[frame.columns[-1]].dropna().tolist()
    japanese = any(not t.isascii() and has_cjk(t) for t in texts[:2000])
    if pool.get_pool() is not None:  # what an import's warm-up does, then waits for it
        pool.map_later(comments._warm, [japanese] * pool.workers())()
        if japanese:
            pool.map_later(comments._warm_embedding, [None], kind=pool.EMBEDDING)()
    ours = cxdash(texts)
    base = plain_loop(texts)
    print(
        f"comments of {path.name if survey_file else f'a {n:,}-row survey file'} ({len(texts):,}, "
        f"{len(set(texts)):,} distinct, Japanese {'yes' if japanese else 'no'}): cxdash score_texts {ours:.2f} s, "
        f"plain vaderSentiment loop {base:.2f} s ({base / ours:.2f}x)"
    )
    sentiment.shutdown_pool()


if __name__ == "__main__":
    main()
