"""Synthetic survey exports of any size (seeded), for the import benchmark.

    python bench/gen_survey.py ROWS OUT.csv [--seed S]

The file looks like an in-house export: ids, a date, segments, NPS, CSAT, CES, 10 touchpoint ratings with some
blanks, and an English comment on about half the rows (from a few hundred distinct templates, as real surveys
repeat short comments).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

TOUCHPOINTS = [
    "Website search", "Product pages", "Checkout", "Payment options", "Delivery speed",
    "Packaging", "Product quality", "Support chat", "Returns", "App experience",
]
OPENERS = ["Great", "Terrible", "Okay", "Really good", "Disappointing", "Excellent", "Slow", "Friendly", "Poor", "Fast"]
SUBJECTS = ["delivery", "support", "checkout", "prices", "the app", "packaging", "quality", "returns", "search"]
ENDINGS = ["!", ".", " :)", " :(", ", would buy again.", ", never again.", ", thanks.", " but could be better."]


def generate(rows: int, out: Path, seed: int = 7) -> None:
    """Write ``rows`` responses to ``out`` (UTF-8 CSV), streaming in blocks so memory stays flat."""
    rng = np.random.default_rng(seed)
    header = ["Response ID", "Customer ID", "Submitted", "Plan", "Region", "Channel",
              "How likely are you to recommend us to a friend or colleague?",
              "Overall, how satisfied are you?", "How easy was it to get what you needed?",
              *[f"Satisfaction - {t}" for t in TOUCHPOINTS], "What is the main reason for your score?"]
    comments = [f"{o} {s}{e}" for o in OPENERS for s in SUBJECTS for e in ENDINGS]
    start = np.datetime64("2025-01-01T00:00")
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        block = 50_000
        for lo in range(0, rows, block):
            n = min(block, rows - lo)
            latent = rng.normal(0, 1, n)
            ratings = np.clip(np.rint(3.6 + latent[:, None] * 0.8 + rng.normal(0, 0.7, (n, 10))), 1, 5).astype(int)
            nps = np.clip(np.rint(7 + 2.2 * latent + rng.normal(0, 1.2, n)), 0, 10).astype(int)
            csat = np.clip(np.rint(3.8 + latent * 0.9 + rng.normal(0, 0.5, n)), 1, 5).astype(int)
            ces = np.clip(np.rint(5 + latent + rng.normal(0, 0.8, n)), 1, 7).astype(int)
            minutes = rng.integers(0, 60 * 24 * 600, n)
            blank = rng.random((n, 10)) < 0.1
            has_comment = rng.random(n) < 0.5
            pick = rng.integers(0, len(comments), n)
            plans = rng.choice(["Free", "Plus", "Premium"], n)
            regions = rng.choice(["North", "South", "East", "West"], n)
            channels = rng.choice(["web", "app", "store", "phone"], n)
            for i in range(n):
                when = str(start + np.timedelta64(int(minutes[i]), "m")).replace("T", " ")
                tps = ["" if blank[i, j] else str(ratings[i, j]) for j in range(10)]
                writer.writerow([
                    f"R{lo + i + 1:08d}", f"C{(lo + i) % (rows // 2 + 1):07d}", when, plans[i], regions[i],
                    channels[i], nps[i], csat[i], ces[i], *tps, comments[pick[i]] if has_comment[i] else "",
                ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.rows, args.out, args.seed)


if __name__ == "__main__":
    main()
