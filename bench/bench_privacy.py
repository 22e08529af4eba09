"""How long masking personal data costs at import: ``python bench/bench_privacy.py [N]`` (default 100,000 comments).

Comments are realistic survey answers (English and Japanese, from the demo's templates), with order numbers, dates,
prices and scores mixed in, and a few per cent carrying an e-mail address, a phone number or a card number.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cxdash.demo.comments import EN_PHRASES, JA_PHRASES, english_comment, japanese_comment  # noqa: E402
from cxdash.privacy import describe_counts, mask_texts  # noqa: E402

NUMBERS = [" Order #100234 arrived 2024-03-15.", " I paid ¥12,800 for it.", " 9/10 overall.",
           " 注文番号 0312345678 の件です。", " 2024年3月15日に届きました。"]  # fmt: skip
PERSONAL = [" Call me on 090-1234-5678.", " mail: hanako.sato@example.co.jp", " カード 4111 1111 1111 1111 で払った。",
            " (555) 123-4567 please", " ０３－１２３４－５６７８までお電話ください。"]  # fmt: skip
MIXES = {
    "typical (10% with numbers, 1% with personal data)": [""] * 89 + NUMBERS * 2 + [PERSONAL[0]],
    "heavy (33% with numbers, 33% with personal data)": [""] * 5 + NUMBERS + PERSONAL,
}


def comments(n: int, extras: list[str], seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    en_tps, ja_tps = list(EN_PHRASES)[:4], list(JA_PHRASES)[:4]
    out = []
    for i in range(n):
        nps = int(rng.integers(0, 11))
        if i % 3 == 2:
            scores = {t: float(rng.uniform(1, 5)) for t in ja_tps}
            text = japanese_comment(rng, nps, scores, dict.fromkeys(ja_tps, 1.0))
        else:
            scores = {t: float(rng.uniform(1, 5)) for t in en_tps}
            text = english_comment(rng, nps, scores, dict.fromkeys(en_tps, 1.0), improved=False)
        out.append(text + extras[int(rng.integers(0, len(extras)))])
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    for name, extras in MIXES.items():
        texts = comments(n, extras)
        chars = sum(map(len, texts))
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            _, counts = mask_texts(texts)
            best = min(best, time.perf_counter() - start)
        print(f"{name}: {n:,} comments ({chars / n:.0f} characters on average) in {best:.3f} s (best of 3), "
              f"{n / best:,.0f} comments/s; {describe_counts(counts)}")  # fmt: skip


if __name__ == "__main__":
    main()
